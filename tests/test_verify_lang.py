"""The verify report in each language: every mistake and formula verdict worded by the catalogues.

For every kind of mistake the diagnoser knows, a claim is built here to commit it
(from hand arithmetic or the classic walk-through's published values).  The Chinese
report may hold Latin words only inside math; the English one holds no CJK.  The
Markdown passes KaTeX, the LaTeX compiles (pdflatex en, xelatex zh), each language
in one TeX run.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata

import mpmath
import pytest
from test_verify import two_paths

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


ALL = [*CASES, (lambda: SEED004, {"formulas": FORMULAS_004}, "formulas")]


@functools.cache
def _derived(index: int):
    return derive(ALL[index][0]())


@functools.cache
def _case_report(index: int, fmt: str, lang: str) -> str:
    return _report(_derived(index), ALL[index][1], fmt, lang)


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
    d = _derived(CASES.index(case))
    (v,) = verify(d, parse_claims(claims, "claims.yaml"))
    assert v.claim.label == label and not v.holds
    assert v.mistake is not None and v.mistake.kind == kind, v.mistake
    for key, value in params.items():
        got = v.mistake.via_gradient if key == "via_gradient" else v.mistake.params[key]
        assert got == value, (key, v.mistake)


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_zh_report_has_no_latin_words_outside_math(fmt):
    found = {}
    for i, case in enumerate(ALL):
        text = _case_report(i, fmt, "zh")
        words = latin_words(prose_outside_math(text, fmt, _title_shown(_derived(i), fmt)))
        if words:
            found[f"{case[-2]}-{case[2]}"] = words
    assert found == {}


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_en_report_has_no_cjk(fmt):
    for i, case in enumerate(ALL):
        assert cjk(_case_report(i, fmt, "en")) == [], case[2]


# --- every kind has a sentence in both catalogues -----------------------------------------

def _sample_params(d, kind: str, keys: tuple[str, ...]) -> dict:
    sample = {"parameter": "w5", "node": "h1", "net": "net_h1", "name": "w1",
              "path": ("E", "o1", "net_o1", "h1", "net_h1", "w1"), "index": 2, "count": 3,
              "reduction": "mean", "used": "tanh", "bias": False, "sample": 2,
              "what": "value" if "sample" in keys else "updated" if "name" in keys else "loss"}
    return {k: sample[k] for k in keys}


@functools.cache
def _sentences(lang: str, fmt: str):
    from symbp.output.render import environment

    return environment(fmt).get_template(f"lang/{lang}.j2").module


def test_every_mistake_kind_has_a_sentence_in_both_catalogues():
    from symbp.check.verify import MISTAKE_KINDS, Mistake
    from symbp.page.display import Style
    from symbp.page.report import Names, mistake_view

    d = derive(SEED004)
    names = Names(d, Style())
    seen = {}
    for kind, variants in MISTAKE_KINDS.items():
        for keys in variants:
            for via in (False, True):
                view = mistake_view(names, Mistake(kind, _sample_params(d, kind, keys), via))
                for lang in ("en", "zh"):
                    for fmt in ("md", "text"):
                        text = str(_sentences(lang, fmt).mistake_sentence(view)).strip()
                        assert len(text) > 8, (kind, keys, lang, fmt, text)
                        # a name is a Term: math in a document, the spec's name in a terminal
                        named = [k for k in keys if k in ("parameter", "node", "net", "name")]
                        for k in named:
                            assert (view.params[k].tex if fmt == "md"
                                    else view.params[k].text) in text, (kind, lang, fmt, text)
                        if lang == "zh" and fmt == "md":
                            prose = prose_outside_math(text, "md")
                            assert latin_words(prose) == [], (kind, keys, text)
                        if lang == "en":
                            assert cjk(text) == [], (kind, text)
                        seen[(kind, keys, via, lang, fmt)] = text
    # different kinds read differently, in each language and format
    for lang in ("en", "zh"):
        plain = {seen[(k, v, False, lang, "md")] for k, vs in MISTAKE_KINDS.items() for v in vs}
        assert len(plain) == sum(len(vs) for vs in MISTAKE_KINDS.values())


def test_every_formula_outcome_has_a_sentence_in_both_catalogues():
    from symbp.check.formula import FORMULA_OUTCOMES
    from symbp.page.report import OutcomeView, Term

    sample = {"points": 13, "point": 2, "assignment": Term("w_{1} = 0.5", "w1 = 0.5"),
              "claim": Term("0.25", "0.25"), "truth": Term("0.5", "0.5"), "what": "dW",
              "which": "l", "cases": 4, "layer": 2, "got": None,
              "want": Term(r"2 \times 1", "2×1"), "sample": 1, "row": 1, "col": 2,
              "why": "complex", "needed": 3}
    for lang in ("en", "zh"):
        texts = set()
        for kind, keys in FORMULA_OUTCOMES.items():
            view = OutcomeView(kind, {k: sample[k] for k in keys})
            text = str(_sentences(lang, "md").formula_outcome(view)).strip()
            assert len(text) > 8, (kind, lang)
            if lang == "zh":
                assert latin_words(prose_outside_math(text, "md")) == [], (kind, text)
            else:
                assert cjk(text) == [], (kind, text)
            texts.add(text)
        assert len(texts) == len(FORMULA_OUTCOMES)


def test_the_formula_claim_is_typeset_not_raw_text():
    text = _case_report(len(ALL) - 1, "md", "zh")
    # the claimed dE/dw5 = (o1 - t1) * h1, parsed and printed with the page's names
    assert (r"$\frac{\partial E}{\partial w_{5}} = \left(\mathrm{out}_{o_{1}} - t_{1}\right)"
            r" \mathrm{out}_{h_{1}}$") in text
    assert r"\delta^{[l]} = \left({W^{[l+1]}}^{\top} \delta^{[l+1]}\right) \odot" in text
    assert "(o1 - t1)" not in text and "W[l+1]" not in text
    # the counterexample: at the spec's values, claim (0.7514 - 0.01) 0.5933 = 0.4398
    shown = re.search(r"所给公式得 \$([-\d.]+)\$，链式法则得 \$([-\d.]+)\$", text)
    assert shown is not None, text
    assert abs(mpmath.mpf(shown.group(1)) - (OUT_O1 - T1) * OUT_H1) < 1e-8
    # and the chain rule's (0.7514 - 0.01) 0.7514 (1 - 0.7514) 0.5933, the published dE/dw5
    assert abs(mpmath.mpf(shown.group(2)) - mpmath.mpf("0.082167041")) < 1e-9


# --- the terminal and JSON ----------------------------------------------------------------

def test_terminal_report_in_chinese_and_json_with_kinds(tmp_path):
    claims = tmp_path / "c.yaml"
    claims.write_text("updated: {w1: 0.895, w2: 0.895}\ngradients: {w5: -2.1}\n"
                      "formulas: {\"dδ/dw5\": \"(y' - y) * h2\"}\n", encoding="utf-8")
    zh = run_cli("verify", str(SEED000), str(claims), "--lang", "zh")
    assert zh.returncode == 1, zh.stderr
    assert "4 条结论中有 1 条成立。" in zh.stdout
    assert "原因：这个数值是更新后的 w1，抄自另一行。" in zh.stdout
    assert "原因：w5 的梯度符号反了。" in zh.stdout
    # outside the claim keys the user wrote (updated.w2, formulas.dδ/dw5 ...) no English
    prose = re.sub(r"(updated|gradients|formulas)\.\S+", " ", zh.stdout)
    assert latin_words(prose) == [], prose
    # the columns line up on a terminal, where a Chinese character is two columns wide
    header, first = zh.stdout.splitlines()[:2]

    def column(line: str, text: str) -> int:
        return sum(1 + (unicodedata.east_asian_width(c) in "WF")
                   for c in line[:line.index(text)])

    assert column(header, "所称数值") == column(first, "0.895") > 0
    result = run_cli("verify", str(SEED000), str(claims), "--format", "json")
    report = json.loads(result.stdout)
    wrong = {c["claim"]: c for c in report["claims"] if not c["holds"]}
    assert wrong["updated.w2"]["mistake"] == {
        "kind": "copied", "params": {"what": "updated", "name": "w1"}, "via_gradient": False,
        "detail": "the number is the updated w1, copied from another line"}
    assert wrong["gradients.w5"]["mistake"]["params"] == {"parameter": "w5"}
    (formula,) = report["formulas"]
    assert formula["outcome"]["kind"] == "differs" and formula["outcome"]["params"]["point"] == 0
    assert formula["reason"].startswith("at the spec's values, ")


# --- the documents parse and compile ------------------------------------------------------

def test_every_report_passes_katex():
    from test_katex import katex_errors, math_spans

    spans = []
    for lang in ("en", "zh"):
        for i in range(len(ALL)):
            spans += math_spans(_case_report(i, "md", lang))
    assert len(spans) > 200
    assert katex_errors(spans) == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_report_compiles_in_one_run(lang):
    from symbp.output.pdf import compile_pdf, engine_for

    from test_tex_compile import require

    engine = engine_for(lang)
    require(engine)
    bodies, preamble = [], ""
    for i in range(len(ALL)):
        text = _case_report(i, "tex", lang)
        start, end = text.index(r"\begin{document}"), text.index(r"\end{document}")
        preamble = text[:start]
        bodies.append(text[start + len(r"\begin{document}"):end])
    document = preamble + "\\begin{document}\n" + "\n\\clearpage\n".join(bodies) + \
        "\\end{document}\n"
    assert compile_pdf(document, engine, runs=1).startswith(b"%PDF")
