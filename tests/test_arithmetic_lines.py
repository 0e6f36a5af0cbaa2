"""Every printed arithmetic step recomputes to its printed result.

The rendered Markdown of every example is read back, every display block is
split into its steps, and wherever two neighbouring steps are both plain
arithmetic (numbers, + - x, fractions, powers, e^x, ln, and matrices with
their products, sums and elementwise products), the left one is recomputed
here with exact rationals: a step that says = must hold exactly as
printed, a step that says approx must hold to the printed precision.  The
parser (tests/pagecheck.py) is independent of symbp's printer.
"""

from __future__ import annotations

import pytest
import sympy as sp
from pagecheck import NotArithmetic, blocks_of, checked_steps, steps_of, value_of, violations

from conftest import ROOT

GOLDEN = sorted((ROOT / "output").glob("*.md"))


def test_the_parser_reads_what_it_must():
    assert value_of(r"2.1 \times 1 \times 0.5") == sp.Rational(21, 20)
    assert value_of(r"0.5 - 0.1 \times \left(-3.8\right)") == sp.Rational(22, 25)
    assert value_of(r"\frac{1}{2} \left(0.8 - 2.9\right)^{2}") == sp.Rational(441, 200)
    assert value_of(r"\frac{1}{1 + e^{-0.3775}}") == 1 / (1 + sp.exp(-sp.Rational("0.3775")))
    assert value_of(r"4.386 \times 10^{-4}") == sp.Rational("0.0004386")
    with pytest.raises(NotArithmetic):
        value_of(r"w_{1} x_{1} + w_{2} x_{2}")
    w = r"\begin{bmatrix}0.15 & 0.2\\0.25 & 0.3\end{bmatrix}"
    a = r"\begin{bmatrix}0.05\\0.1\end{bmatrix}"
    assert value_of(f"{w} {a} + {a}") == sp.Matrix([sp.Rational(31, 400), sp.Rational(57, 400)])
    square = sp.Matrix([sp.Rational(1, 400), sp.Rational(1, 100)])
    assert value_of(f"{a} \\odot {a}") == square
    half = sp.Matrix([sp.Rational(1, 40), sp.Rational(1, 20)])
    assert value_of(f"\\frac{{1}}{{2}}\\,{a}") == half


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.name)
def test_every_arithmetic_step_holds_as_printed(path):
    text = path.read_text(encoding="utf-8")
    assert len(checked_steps(text)) >= 5, f"too little arithmetic found in {path.name}"
    assert violations(text) == []


def test_the_checker_catches_false_lines():
    matrix_block = (
        "$$\n\\begin{aligned}\n"
        "z &= \\begin{bmatrix}1 & 2\\end{bmatrix} \\begin{bmatrix}3\\\\4\\end{bmatrix}"
        " = \\begin{bmatrix}12\\end{bmatrix}\n"  # 1 x 3 + 2 x 4 is 11
        "\\end{aligned}\n$$\n"
    )
    assert len(violations(matrix_block)) == 1
    block = (
        "$$\n\\begin{aligned}\n"
        "a &= 0.7414 \\times 0.1868 = 0.1385 \\\\\n"  # rounded factors: not exactly 0.1385
        "b &= 2.1 \\times 0.5 \\approx 1.2 \\\\\n"  # far off
        "c &= 2.1 \\times 0.5 = 1.05\n"  # true
        "\\end{aligned}\n$$\n"
    )
    assert len(violations(block)) == 2


def test_the_seed000_lines_are_there():
    text = (ROOT / "output" / "seed000_linear_2-2-1.en.md").read_text(encoding="utf-8")
    assert r"= 2.1 \times 1 = 2.1" in text  # d delta / d w5
    assert r"= 2.1 \times 1 \times 0.5 = 1.05" in text  # d delta / d w1
    for line in (r"1 - 0.1 \times 1.05 = 0.895", r"0.5 - 0.1 \times 2.1 = 0.29",
                 r"0.7 - 0.1 \times 4.2 = 0.28", r"2 - 0.1 \times 1.995 = 1.8005"):
        assert line in text


def test_the_seed004_w1_paths_are_summed():
    text = (ROOT / "output" / "seed004_sigmoid_2-2-2.en.md").read_text(encoding="utf-8")
    assert "reaches the loss along 2 paths" in text
    (total,) = [b for b in blocks_of(text)
                if b.startswith(r"\frac{\partial E}{\partial w_{1}}") and r"\approx" in b]
    steps = steps_of(total)[-1]  # the chain in symbols, the partials, then the numbers
    numeric = steps[1][1]
    assert numeric.count(r"\times") == 8 and " + " in numeric  # two five-factor products
    assert value_of(numeric) == pytest.approx(0.000438568, rel=2e-3)
