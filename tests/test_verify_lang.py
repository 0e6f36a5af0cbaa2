"""The verify report in each language: every mistake and formula verdict worded by the catalogues.

For every kind of mistake the diagnoser knows, a claim is built here to commit it
(from hand arithmetic or the classic walk-through's published values).  The Chinese
report may hold Latin words only inside math; the English one holds no CJK.  The
Markdown passes KaTeX, the LaTeX compiles (pdflatex en, xelatex zh), each language
in one TeX run.
"""

from __future__ import annotations

import json
import re

import mpmath
import pytest

from symbp import derive, parse_spec
from symbp.check.claims import parse_claims
from symbp.check.formula import check_formula
from symbp.check.verify import verify
from symbp.output.render import render_verify
from symbp.page.report import verify_document

from conftest import EXAMPLES, run_cli

SEED000 = EXAMPLES / "seed000_linear_2-2-1.yaml"
SEED003 = EXAMPLES / "seed003_one_point_regression.yaml"
SEED004 = EXAMPLES / "seed004_sigmoid_2-2-2.yaml"
CLASSIC = EXAMPLES / "classic_sigmoid_2-2-2_shared_bias.yaml"

# The classic walk-through's published values (9 digits).
OUT_H1, NET_H1 = mpmath.mpf("0.593269992"), mpmath.mpf("0.3775")
NET_O1, OUT_O1 = mpmath.mpf("1.105905967"), mpmath.mpf("0.75136507")
T1 = mpmath.mpf("0.01")
OUT_H2 = mpmath.mpf("0.596884378")
DOUT_H1, DOUT_H2 = mpmath.mpf("0.036350306"), mpmath.mpf("0.041370323")


def _sigmoid(x):
    return 1 / (1 + mpmath.exp(-x))


def two_paths():
    """x = 1 -> h = w1 x -> o1 = w2 h, o2 = w3 h; targets 0: dL/dw1 = 2*2 + 3*3 = 13."""
    return parse_spec({
        "inputs": {"x": 1}, "targets": {"t1": 0, "t2": 0},
        "layers": [{"units": ["h"], "activation": "identity", "weights": [[1]]},
                   {"units": ["o1", "o2"], "activation": "identity", "weights": [[2], [3]]}],
        "loss": "half_sse", "learning_rate": "0.1",
    }, "two_paths")


def two_samples():
    """p = w1 x at (1, 2) and (2, 3), SSE summed: dL/dw1 = -6, loss 2; averaged -3 and 1."""
    return parse_spec({
        "samples": [{"inputs": {"x": 1}, "targets": {"y": 2}},
                    {"inputs": {"x": 2}, "targets": {"y": 3}}],
        "layers": [{"units": ["p"], "activation": "identity", "weights": [[1]]}],
        "loss": "sse", "learning_rate": "0.1",
    }, "two_samples")


def _n(x) -> str:
    return mpmath.nstr(x, 4)


# (spec, claims, the claim's label, the kind and the parameters the diagnosis must carry)
CASES = [
    (two_paths, {"gradients": {"w1": "-13"}}, "gradients.w1", "sign_flipped", {}),
    (two_paths, {"gradients": {"w1": "9"}}, "gradients.w1", "path_left_out",
     {"index": 1, "count": 2}),                                     # only o2's path: 3 * 3
    (two_paths, {"gradients": {"w1": "26"}}, "gradients.w1", "half_dropped", {}),
    (two_paths, {"gradients": {"w1": "6.5"}}, "gradients.w1", "half_doubled", {}),
    (two_paths, {"loss": "13"}, "loss", "half_dropped", {}),        # 2 * (4 + 9) / 2
    (two_paths, {"updated": {"w1": "0.1"}}, "updated.w1", "path_left_out",
     {"via_gradient": True}),                                       # 1 - 0.1 * 9
    (two_samples, {"gradients": {"w1": "-3"}}, "gradients.w1", "sum_mean_swapped",
     {"count": 2}),
    (two_samples, {"loss": "1"}, "loss", "sum_mean_swapped", {"count": 2}),
    (lambda: SEED004, {"values": {"h1": "0.3775"}}, "values.h1",
     "preactivation_for_activation", {"net": "net_h1"}),
    (lambda: SEED004, {"values": {"net_h1": _n(OUT_H1)}}, "values.net_h1",
     "activation_for_preactivation", {"node": "h1"}),
    # dE/dw5 with net_h1 where out_h1 multiplies w5
    (lambda: SEED004, {"gradients": {"w5": _n((OUT_O1 - T1) * OUT_O1 * (1 - OUT_O1) * NET_H1)}},
     "gradients.w5", "preactivation_for_activation", {"parameter": "w5"}),
    # sigma'(net) written as net (1 - net)
    (lambda: SEED004, {"gradients": {"w5": _n((OUT_O1 - T1) * NET_O1 * (1 - NET_O1) * OUT_H1)}},
     "gradients.w5", "preactivation_in_derivative", {}),
    # sigma' taken at out instead of net
    (lambda: SEED004, {"gradients": {"w5": _n(
        (OUT_O1 - T1) * _sigmoid(OUT_O1) * (1 - _sigmoid(OUT_O1)) * OUT_H1)}},
     "gradients.w5", "activation_in_derivative", {}),
    # tanh's 1 - out^2 for the sigmoid's derivative
    (lambda: SEED004, {"gradients": {"w5": _n((OUT_O1 - T1) * (1 - OUT_O1**2) * OUT_H1)}},
     "gradients.w5", "wrong_activation_derivative", {"used": "tanh"}),
    (lambda: SEED003, {"updated": {"w": "0.12"}}, "updated.w", "lr_wrong_sign", {}),
    (lambda: SEED003, {"updated": {"w": "4.3"}}, "updated.w", "lr_not_applied", {}),
    (lambda: SEED003, {"updated": {"b": "0.1"}}, "updated.b", "not_updated", {"bias": True}),
    # b1 - 0.5 dE/db1, b1 shared by h1 and h2: dE/db1 = delta_h1 + delta_h2
    (lambda: CLASSIC, {"updated": {"b1": _n(mpmath.mpf("0.35") - mpmath.mpf("0.5") * (
        DOUT_H1 * OUT_H1 * (1 - OUT_H1) + DOUT_H2 * OUT_H2 * (1 - OUT_H2)))}},
     "updated.b1", "frozen_updated", {"bias": True}),
    (lambda: SEED000, {"updated": {"w2": "0.895"}}, "updated.w2", "copied",
     {"what": "updated", "name": "w1"}),
]
IDS = [f"{c[3]}-{c[2]}" for c in CASES]

# formulas: one proved, one counterexample, matrix ones held, wrong entry, wrong shape
FORMULAS_004 = {"dE/dnet_o1": "(o1 - t1) * o1 * (1 - o1)", "dE/dw5": "(o1 - t1) * h1",
                "delta[l]": "(W[l+1]^T @ delta[l+1]) ⊙ phi_prime(z[l])",
                "dW[l]": "a[l-1] @ delta[l]^T", "db[l]": "delta[l] @ a[l-1]^T"}


def _spec(case):
    return derive(case[0]())


def _report(d, claims: dict, fmt: str, lang: str) -> str:
    verdicts = verify(d, parse_claims(claims, "claims.yaml"))
    formulas = [check_formula(d, f) for f in parse_claims(claims, "c.yaml").formulas]
    return render_verify(verify_document(d, verdicts, formulas), fmt, lang)


# --- what a report may contain outside math -----------------------------------------------

ALLOWED = {"ReLU"}
_TEX_MATH = [r"\$\$.*?\$\$", r"\\\[.*?\\\]", r"\\\(.*?\\\)", r"(?<!\\)\$.*?(?<!\\)\$",
             r"\\begin\{(aligned|align\*?|equation\*?|array|tabular)\}.*?"
             r"\\end\{\1\}"]


def prose_outside_math(text: str, fmt: str, title: str = "") -> str:
    """The text with math, markup, the user's own title and claim texts taken out."""
    if fmt == "tex":
        text = text[text.index(r"\begin{document}"):]
        for pattern in _TEX_MATH[-1:] + _TEX_MATH[:-1]:
            text = re.sub(pattern, " ", text, flags=re.S)
        # environments' names and a table's column letters, then commands: \section, ...
        text = re.sub(r"\\(begin|end)\{\w+\*?\}(\{[lcr|]*\})?", " ", text)
        text = re.sub(r"\\[A-Za-z]+\*?", " ", text)
    else:
        for pattern in _TEX_MATH:
            text = re.sub(pattern, " ", text, flags=re.S)
    for escaped in (title, title.replace("'", "’")):
        if escaped:
            text = text.replace(escaped, " ")
    return text


def latin_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in ALLOWED]


def cjk(text: str) -> list[str]:
    return re.findall(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+", text)


def _title_shown(d, fmt: str) -> str:
    from symbp.page.escape import md_escape, tex_escape

    title = d.spec.title or ""
    return tex_escape(title) if fmt == "tex" else md_escape(title)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_mistake_is_diagnosed_as_built(case):
    _, claims, label, kind, params = case
    d = _spec(case)
    (v,) = verify(d, parse_claims(claims, "claims.yaml"))
    assert v.claim.label == label and not v.holds
    assert v.mistake is not None and v.mistake.kind == kind, v.mistake
    for key, value in params.items():
        got = v.mistake.via_gradient if key == "via_gradient" else v.mistake.params[key]
        assert got == value, (key, v.mistake)


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_zh_report_has_no_latin_words_outside_math(fmt):
    found = {}
    for case in CASES:
        d = _spec(case)
        text = _report(d, case[1], fmt, "zh")
        words = latin_words(prose_outside_math(text, fmt, _title_shown(d, fmt)))
        if words:
            found[f"{case[3]}-{case[2]}"] = words
    d = derive(SEED004)
    text = _report(d, {"formulas": FORMULAS_004}, fmt, "zh")
    words = latin_words(prose_outside_math(text, fmt, _title_shown(d, fmt)))
    if words:
        found["formulas"] = words
    assert found == {}


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_en_report_has_no_cjk(fmt):
    for case in [*CASES, (lambda: SEED004, {"formulas": FORMULAS_004}, "formulas")]:
        d = _spec(case)
        text = _report(d, case[1], fmt, "en")
        assert cjk(text) == [], (case[2], cjk(text))
