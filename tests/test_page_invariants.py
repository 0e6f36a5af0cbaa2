"""Random networks print textbook arithmetic, every view, both formats, both languages.

Every page of a fixed sample of random networks (tests/strategies.py) and of every
regression spec is read back by tests/pagecheck.py, which does not use symbp's
printing: no doubled or clashing signs, no coefficient 1 or -1 or 0 in front of a
factor or a logarithm, no \\log (the page's logarithm is natural: \\ln); every
arithmetic step recomputes as printed; and the first forward pass and the loss, as
printed, agree with the same network computed from the spec alone in mpmath.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from pagecheck import (
    checked_steps,
    substitution_violations,
    textbook_violations,
    violations,
)

from symbp import derive
from symbp.engine.spec import parse_spec
from symbp.output.render import render_page

from strategies import load_regression, networks, regression_specs

FORMATS = ("md", "tex")


def assert_textbook_pages(raw: dict, name: str, languages: tuple[str, ...]) -> None:
    d = derive(parse_spec(raw, name))
    for fmt in FORMATS:
        for lang in languages:
            page = render_page(d, fmt, lang, view="all", pictures=False).text
            where = f"{name} ({fmt}, {lang})"
            assert textbook_violations(page) == [], where
            assert checked_steps(page), f"{where}: no arithmetic found"
            assert violations(page) == [], where
            compared, bad = substitution_violations(page, raw)
            assert bad == [], where
            assert compared > 0, f"{where}: no forward row compared with the spec"


@pytest.mark.parametrize("path", regression_specs(), ids=lambda p: p.stem)
def test_regression_specs_print_textbook_arithmetic(path):
    assert_textbook_pages(load_regression(path), path.stem, ("en", "zh"))


@settings(derandomize=True, deadline=None, max_examples=30, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(networks())
def test_random_networks_print_textbook_arithmetic(raw):
    # one language per network keeps the suite fast; the fixed sample covers both
    lang = random.Random(repr(sorted(raw.items(), key=str))).choice(["en", "zh"])
    assert_textbook_pages(raw, "random", (lang,))


def block(*rows: str) -> str:
    return "$$\n\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}\n$$\n"


def test_the_page_checks_catch_what_they_must():
    doubled = block(r"o &= \frac{1}{1 + e^{--0.06}} \approx 0.5150")
    assert any("doubled sign" in v for v in textbook_violations(doubled))
    plus_minus = "$a = 0.3 + -0.2$ and $b = 0.3 \\times -0.2$"
    assert len(textbook_violations(plus_minus)) == 2
    loss = block(r"L &\approx -1 \log{\left(0.3557 \right)} - 0 \log{\left(0.6443 \right)}")
    found = textbook_violations(loss)
    assert sum("coefficient" in v for v in found) == 2 and any("natural" in v for v in found)
    assert textbook_violations(block(r"z &= 1 \times 0.5"))
    moved = block(r"o &\approx \frac{1}{\left(e^{-0.3153} + e^{0.2789}\right) e^{0.3153}}")
    assert any("under the fraction bar" in v for v in textbook_violations(moved))
    fine = block(r"o &= \frac{1}{1 + e^{-\left(-0.06\right)}} - \ln{\left(0.3 \right)}"
                 r" + 2.1 \times 1 \times 0.5")
    assert textbook_violations(fine) == []
    rounded_to_one = block(r"a &= \frac{0.75}{1 - 1.000} \approx 1.4 \times 10^{5}")
    assert violations(rounded_to_one) == [
        r"not a real number: \frac{0.75}{1 - 1.000} \approx 1.4 \times 10^{5}"]


def test_the_substitution_check_compares_with_the_spec():
    raw = {"inputs": {"x": "0.5"}, "targets": {"y": "1"}, "loss": "half_sse",
           "learning_rate": "0.1",
           "layers": [{"units": ["h"], "activation": "sigmoid", "weights": [["0.4"]]},
                      {"units": ["o"], "activation": "identity", "weights": [["2"]]}]}
    # sigma(0.2) = 0.549834(4 digits: 0.5498); o = 2 x that = 1.099668; L = 0.004967
    good = ("$$\n\\begin{aligned}\n"
            "\\mathrm{net}_{h} &= w_{1} x = 0.4 \\times 0.5 = 0.2 \\\\\n"
            "\\mathrm{out}_{h} &= \\sigma{\\left(\\mathrm{net}_{h} \\right)}"
            " = \\frac{1}{1 + e^{-0.2}} \\approx 0.5498 \\\\\n"
            "o &= w_{2} \\mathrm{out}_{h} \\approx 2 \\times 0.5498 \\approx 1.100 \\\\\n"
            "L &= \\frac{1}{2} \\left(y - o\\right)^{2} \\approx \\frac{1}{2}"
            " \\left(1 - 1.100\\right)^{2} \\approx 0.004967\n"
            "\\end{aligned}\n$$\n")
    compared, bad = substitution_violations(good, raw)
    assert bad == [] and compared == 8
    wrong_number = good.replace("0.4 \\times 0.5 = 0.2", "0.4 \\times 0.6 = 0.2")
    assert len(substitution_violations(wrong_number, raw)[1]) == 1
    short = good.replace("1.100", "1.1")
    assert any("significant digits" in v for v in substitution_violations(short, raw)[1])
    missing = good.replace("\\mathrm{out}_{h} &=", "q &=")
    assert "no row found for \\mathrmouth" in substitution_violations(missing, raw)[1]
