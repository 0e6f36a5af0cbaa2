"""Rendering: printer conventions, languages, overrides, escaping, notebook display."""

from __future__ import annotations

import re

import sympy as sp

from symbp import derive
from symbp.engine.names import name_latex
from symbp.output.render import md_escape, render, tex_escape
from symbp.page.display import Style
from symbp.page.latex import latex

from conftest import EXAMPLES, run_cli

SEED000 = EXAMPLES / "seed000_linear_2-2-1.yaml"
SEED004 = EXAMPLES / "seed004_sigmoid_2-2-2.yaml"
R = sp.Rational


def test_names_print_as_textbooks_write_them():
    assert name_latex("h1") == "h_{1}"
    assert name_latex("w10") == "w_{10}"
    assert name_latex("net_h1") == r"\mathrm{net}_{h_{1}}"
    assert name_latex("y'") == "y'"
    assert name_latex("δ") == r"\delta"
    assert name_latex("ŷ") == r"\hat{y}"
    assert name_latex("lambda") == r"\lambda"


def test_printer_keeps_textbook_order_and_decimals():
    y, yp, h1 = sp.symbols("y y' h1")
    assert latex(yp - y) == "y' - y"
    assert latex(h1 * (1 - h1)) == r"h_{1} \left(1 - h_{1}\right)"
    assert latex(sp.Mul(R("2.1"), 1, R("0.5"), evaluate=False)) == r"2.1 \times 1 \times 0.5"
    update = sp.Add(R("0.5"), sp.Mul(-1, sp.Mul(R("0.1"), R("-3.8"), evaluate=False),
                                     evaluate=False), evaluate=False)
    assert latex(update) == r"0.5 - 0.1 \times \left(-3.8\right)"
    assert latex(R("0.00004386")) == r"4.386 \times 10^{-5}"
    assert latex(R("0.0004386")) == "0.0004386"
    assert latex(sp.Derivative(sp.Symbol("E"), sp.Symbol("w1"), evaluate=False)) == \
        r"\frac{\partial E}{\partial w_{1}}"


def test_numbers_are_exact_or_rounded_with_approx():
    style = Style(digits=4)
    assert style.show(R("1.8005")).exact
    assert not style.show(R("0.150062963203125")).exact
    assert style.show(R("0.150062963203125")).shown == R("0.1501")
    assert style.show(sp.Float("0.29837110876", 30)).shown == R("0.2984")
    assert Style(digits=6).show(sp.Float("0.29837110876", 30)).shown == R("0.298371")


def test_only_and_digits_and_languages():
    d = derive(SEED004)
    md = render(d, "md", only=["w1", "w5"], digits=6)
    assert md.count("### The gradient of") == 2
    assert r"\approx 0.298371" in md
    zh = render(d, "md", lang="zh", only=["w5"])
    assert "用链式法则求梯度" in zh and "Gradients" not in zh
    assert r"\frac{\partial E}{\partial w_{5}}" in zh


def test_lemmas_on_request():
    d = derive(SEED004)
    assert "Local derivatives used" not in render(d, "md")
    text = render(d, "md", lemmas=True)
    assert r"\sigma(z)\,(1 - \sigma(z))" in text


def test_tex_fragment_needs_no_preamble():
    d = derive(SEED000)
    fragment = render(d, "tex", fragment=True)
    assert r"\documentclass" not in fragment and r"\begin{align*}" in fragment
    article = render(d, "tex")
    assert article.startswith(r"\documentclass[11pt]{article}")
    assert r"\usepackage{amsmath}" in article


def test_a_title_cannot_inject_tex_or_markdown(tmp_path):
    spec = tmp_path / "evil.yaml"
    text = SEED000.read_text(encoding="utf-8").replace(
        'title: "A 2-2-1 linear network worked by hand"',
        r'title: "\\input{/etc/passwd} $x$ 100% #1 <b>*bold*</b>"',
    )
    spec.write_text(text, encoding="utf-8")
    tex = run_cli("derive", str(spec), "--format", "tex")
    assert tex.returncode == 0, tex.stderr
    assert r"\input{" not in tex.stdout
    assert r"\textbackslash{}input\{/etc/passwd\} \$x\$ 100\% \#1" in tex.stdout
    md = run_cli("derive", str(spec), "--format", "md")
    assert md.stdout.startswith(r"# \\input{/etc/passwd} \$x\$ 100% #1 \<b\>\*bold\*\</b\>")
    assert tex_escape("a_b") == r"a\_b" and md_escape("a_b") == r"a\_b"


def test_templates_folder_overrides_one_template(tmp_path):
    (tmp_path / "lang").mkdir()
    en = (EXAMPLES.parent / "templates" / "lang" / "en.j2").read_text(encoding="utf-8")
    (tmp_path / "lang" / "en.j2").write_text(
        en.replace("By the chain rule, along", "Following"), encoding="utf-8")
    result = run_cli("derive", str(SEED000), "--templates", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Following the one path" in result.stdout
    assert "By the chain rule, along" not in result.stdout
    assert "## Forward pass" in result.stdout  # the rest still comes from the shipped templates


def test_notebook_display():
    d = derive(SEED000)
    assert d._repr_markdown_() == render(d, "md")
    assert d._repr_latex_() == render(d, "tex", fragment=True, pictures=False)


def test_bad_only_and_flag_combinations_exit_2():
    bad = run_cli("derive", str(SEED000), "--only", "w9")
    assert bad.returncode == 2 and "w9" in bad.stderr and "w1, w2" in bad.stderr
    frag = run_cli("derive", str(SEED000), "--fragment")
    assert frag.returncode == 2 and "--format tex" in frag.stderr


def test_every_english_sentence_has_a_chinese_twin():
    import re

    def macros(lang: str) -> dict[str, str]:
        text = (EXAMPLES.parent / "templates" / "lang" / f"{lang}.j2").read_text(encoding="utf-8")
        return dict(re.findall(r"\(\(\* macro (\w+)\(([^)]*)\)", text))

    def keys(lang: str) -> list[str]:
        text = (EXAMPLES.parent / "templates" / "lang" / f"{lang}.j2").read_text(encoding="utf-8")
        return re.findall(r'== "(\w+)"', text)

    en, zh = macros("en"), macros("zh")
    assert en == zh  # the same macros with the same arguments
    assert len(en) > 25
    assert keys("en") == keys("zh")  # and the same cases inside them, in the same order


def test_derive_check_adds_a_line_per_gradient():
    result = run_cli("derive", str(SEED004), "--check", "--only", "w1,w5")
    assert result.returncode == 0, result.stderr
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("Checked independently")]
    assert len(lines) == 2
    exponents = [int(e) for e in re.findall(r"10\^\{(-\d+)\}", lines[0])]
    assert exponents[0] <= -40  # finite differences at 80 digits
    if len(exponents) > 1:
        assert exponents[1] <= -12  # PyTorch float64
