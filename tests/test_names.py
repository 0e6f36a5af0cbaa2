"""Every name the spec accepts typesets; every other name is refused with a clear message.

Random names are drawn from Latin, Greek (capitals too), accented letters, digits of
other scripts, underscores and primes; each accepted one is used for a unit and a
weight of a small network whose LaTeX page is compiled with pdflatex (one document for
all the names of a run).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symbp import SpecError, derive, parse_spec
from symbp.output.pdf import compile_pdf
from symbp.output.render import render

from test_tex_compile import require

ALPHABET = ("abxyzABXYZ" "αβδηλσωΑΒΓΔΗΛΣΩΕΖΙΚΜΝΟΡΤΧ" "éüñŷ" "0123" "١٢" "٣" "_" "'")


def _spec(name: str) -> dict:
    return {"inputs": {"x1": 1}, "targets": {"t": "0.5"},
            "layers": [{"units": [name], "activation": "sigmoid", "weights": [["0.5"]],
                        "weight_names": [[f"{name}_w"]] if not name.endswith("'") else [["w"]]},
                       {"units": ["o"], "activation": "identity", "weights": [["1"]]}],
            "loss": "half_sse", "learning_rate": "0.1"}


@pytest.mark.parametrize("name", ["h١", "_", "__", "h__1", "h_", "_h", "x٣"])
def test_names_that_cannot_typeset_are_refused(name):
    with pytest.raises(SpecError) as err:
        parse_spec(_spec(name), "names.yaml")
    message = str(err.value)
    if name != "Α":
        assert "layers[0].units" in message and "single underscores" in message


def test_greek_capitals_without_a_tex_command_typeset_as_latin():
    d = derive(parse_spec(_spec("Αβ"), "names.yaml"))  # capital alpha, small beta
    tex = render(d, "tex")
    assert r"\Alpha" not in tex and r"\mathrm{A}" in tex


ACCEPTED: list[str] = []


@settings(derandomize=True, max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.text(ALPHABET, min_size=1, max_size=6))
def test_random_names_are_refused_or_parsed(name):
    try:
        parse_spec(_spec(name), "names.yaml")
    except SpecError as err:
        assert "names.yaml" in str(err)
        return
    ACCEPTED.append(name)


def test_every_accepted_random_name_compiles():
    require("pdflatex")
    test_random_names_are_refused_or_parsed()
    names = sorted(set(ACCEPTED))[:40]
    assert len(names) >= 20, names  # the draw must reach the interesting cases
    bodies = []
    for name in names:
        d = derive(parse_spec(_spec(name), "names.yaml"))
        bodies.append(render(d, "tex", fragment=True, pictures=False, only=[d.spec.layers[0]
                                                                           .weight_names[0][0]]))
    document = ("\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{amssymb}\n"
                "\\begin{document}\n" + "\n\\clearpage\n".join(bodies) + "\n\\end{document}\n")
    assert compile_pdf(document, "pdflatex").startswith(b"%PDF")
