"""Every printed arithmetic step recomputes to its printed result.

The rendered Markdown of every example is read back, every display block is
split into its steps, and wherever two neighbouring steps are both plain
arithmetic (numbers, + - x, fractions, powers, e^x, ln, and matrices with
their products, sums and elementwise products), the left one is recomputed
here with exact rationals: a step that says = must hold exactly as
printed, a step that says approx must hold to the printed precision.  The
parser below is independent of symbp's printer.
"""

from __future__ import annotations

import re

import pytest
import sympy as sp

from conftest import ROOT

GOLDEN = sorted((ROOT / "output").glob("*.md"))

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<e>e(?=\^))|(?P<cmd>\\[a-zA-Z]+)"
    r"|(?P<mat>\[\[|\]\])|(?P<sym>[-+(){}^,\[\]&;])|(?P<bad>\S))"
)


class NotArithmetic(Exception):
    """The text is not plain arithmetic (it has symbols): nothing to recompute."""


class Parser:
    def __init__(self, text: str):
        text = text.replace(r"\left", "").replace(r"\right", "").replace(r"\,", " ")
        text = re.sub(r"\\bigg?[lr]", "", text)
        text = text.replace(r"\begin{bmatrix}", "[[").replace(r"\end{bmatrix}", "]]")
        text = text.replace("\\\\", ";")  # a matrix's row break
        self.tokens = []
        for m in _TOKEN.finditer(text):
            if m.group("bad"):
                raise NotArithmetic(m.group("bad"))
            self.tokens.append(m.group(m.lastgroup))
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            raise NotArithmetic(f"expected {expected}, got {tok}")
        self.i += 1
        return tok

    def parse(self) -> sp.Expr:
        value = self.sum()
        if self.peek() is not None:
            raise NotArithmetic(f"trailing {self.peek()}")
        return value

    def sum(self) -> sp.Expr:
        sign = 1
        if self.peek() == "-":
            self.take()
            sign = -1
        value = self.product()
        if sign < 0:
            value = -value
        while self.peek() in ("+", "-"):
            op = self.take()
            term = self.product()
            value = value + term if op == "+" else value - term
        return value

    def product(self) -> sp.Expr:
        value = self.power()
        while self.peek() in (r"\times", r"\cdot", r"\odot", "(", r"\frac", "[["):
            op = self.peek()
            if op in (r"\times", r"\cdot", r"\odot"):
                self.take()
            factor = self.power()
            if op == r"\odot":
                value = value.multiply_elementwise(factor)
            else:  # juxtaposition: scalar or matrix product
                value = value * factor
        return value

    def power(self) -> sp.Expr:
        base = self.atom()
        if self.peek() == "^":
            self.take()
            self.take("{")
            exponent = self.sum()
            self.take("}")
            return base**exponent
        return base

    def atom(self) -> sp.Expr:
        tok = self.take()
        if re.fullmatch(r"\d+(\.\d+)?", tok):
            return sp.Rational(tok)
        if tok == "[[":
            rows, row = [], [self.sum()]
            while self.peek() != "]]":
                sep = self.take()
                if sep == "&":
                    row.append(self.sum())
                elif sep == ";":
                    rows.append(row)
                    row = [self.sum()]
                else:
                    raise NotArithmetic(sep)
            self.take("]]")
            return sp.Matrix([*rows, row])
        if tok == "(":
            value = self.sum()
            self.take(")")
            return value
        if tok == "{":
            value = self.sum()
            self.take("}")
            return value
        if tok == r"\frac":
            self.take("{")
            num = self.sum()
            self.take("}")
            self.take("{")
            den = self.sum()
            self.take("}")
            return num / den
        if tok == "-":
            return -self.power()
        if tok == "e":  # only ever followed by ^{...}
            return sp.E
        if tok in (r"\ln", r"\log", r"\tanh"):
            arg = self.power()
            return sp.log(arg) if tok != r"\tanh" else sp.tanh(arg)
        raise NotArithmetic(tok)


def value_of(text: str) -> sp.Expr:
    """The exact value of a printed arithmetic expression, or NotArithmetic."""
    return Parser(text).parse()


def steps_of(block: str) -> list[list[tuple[str, str]]]:
    """Rows of an aligned block as [(relation, text), ...] with the lhs first (relation '')."""
    rows: list[str] = []
    for line in block.split("\\\\\n"):
        line = line.strip()
        if line.startswith("&") and rows:
            rows[-1] += " " + line
        else:
            rows.append(line)
    result = []
    for row in rows:
        row = re.sub(r"\\tag\{\d+\}|\\notag", "", row)  # equation numbers
        row = re.sub(r"\\quad \\text\{.*?\}.*$", "", row)  # a remark after the maths
        row = row.replace("&\\quad", "")
        # alignment marks go; a matrix's column separators stay
        row = re.sub(r"\\begin\{bmatrix\}.*?\\end\{bmatrix\}",
                     lambda m: m.group(0).replace("&", "\0"), row)
        row = row.replace("&", "").replace("\0", "&")
        parts = re.split(r"\s(=|\\approx)\s", f" {row} ")
        steps = [("", parts[0].strip())]
        for k in range(1, len(parts) - 1, 2):
            steps.append((parts[k], parts[k + 1].strip()))
        result.append(steps)
    return result


def blocks_of(markdown: str) -> list[tuple[str, str]]:
    """Displays: aligned, or align where rows are numbered."""
    return re.findall(r"\\begin\{(aligned|align)\}\n(.*?)\n\\end\{\1\}", markdown, re.S)


def checked_steps(markdown: str) -> list[tuple[str, str, str, sp.Expr, sp.Expr]]:
    """Every neighbouring pair of arithmetic steps: (left, relation, right, values)."""
    pairs = []
    for _, block in blocks_of(markdown):
        for steps in steps_of(block):
            for (_, left), (relation, right) in zip(steps, steps[1:]):
                try:
                    a, b = value_of(left), value_of(right)
                except NotArithmetic:
                    continue
                pairs.append((left, relation, right, a, b))
    return pairs


def violations(markdown: str) -> list[str]:
    """Steps whose relation does not hold as printed."""
    bad = []
    for left, relation, right, a, b in checked_steps(markdown):
        if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
            bad.extend(_matrix_violation(left, relation, right, a, b))
            continue
        if relation == "=":
            if not (a.is_Rational and a == b):
                bad.append(f"false '=': {left} = {right}")
            continue
        scale = max(abs(float(a)), abs(float(b)), 1e-300)
        if a.is_Rational:
            for term in sp.Add.make_args(sp.expand(a)):
                scale = max(scale, abs(float(term)))
        if relation != r"\approx" or abs(float(a) - float(b)) > 5e-3 * scale:
            bad.append(f"{left} is {float(a)}, not {relation} {right}")
    return bad


def _matrix_violation(left: str, relation: str, right: str, a, b) -> list[str]:
    """Matrices: the same shape, equal as printed (=) or entry by entry to precision (approx)."""
    if not (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase)) or a.shape != b.shape:
        return [f"shapes differ: {left} {relation} {right}"]
    if relation == "=":
        exact = all(x.is_Rational for x in a)
        return [] if exact and a == b else [f"false '=': {left} = {right}"]
    scale = max([abs(float(x)) for x in (*a, *b)] + [1e-300])
    if any(abs(float(x) - float(y)) > 5e-3 * scale for x, y in zip(a, b)):
        return [f"{left} is {a.evalf(6)}, not {relation} {right}"]
    return []


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
    (total,) = [b for _, b in blocks_of(text)
                if b.startswith(r"\frac{\partial E}{\partial w_{1}}") and r"\approx" in b]
    steps = steps_of(total)[-1]  # the chain in symbols, the partials, then the numbers
    numeric = steps[1][1]
    assert numeric.count(r"\times") == 8 and " + " in numeric  # two five-factor products
    assert value_of(numeric) == pytest.approx(0.000438568, rel=2e-3)
