"""Numbers as a page shows them, and the relation (= or approx) a printed line may claim.

A value is shown as its exact decimal when it has one of modest length, else
rounded to ``digits`` significant digits.  A printed step may say ``=`` only
when it is true as printed: the numbers shown, computed exactly, give exactly
the number shown.  Anything else says ``\\approx``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import sympy as sp

from symbp.engine.numbers import Number, exact_text, is_exact

EQ = "="
APPROX = "\\approx"


@dataclass(frozen=True)
class Shown:
    """A value and the exact rational its printed text stands for."""

    value: Number
    shown: sp.Rational

    @property
    def exact(self) -> bool:
        return is_exact(self.value) and self.value == self.shown

    @property
    def relation(self) -> str:
        """How the value relates to what is printed for it."""
        return EQ if self.exact else APPROX


@dataclass(frozen=True)
class Style:
    """Display settings: significant digits for rounded values, the longest exact decimal."""

    digits: int = 4
    max_exact_digits: int = 8

    def show(self, value: Number) -> Shown:
        if is_exact(value):
            text = exact_text(value)
            if "/" not in text and _significant(text) <= max(self.max_exact_digits, self.digits):
                return Shown(value, value)
        return Shown(value, _round(value, self.digits))


def _significant(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").lstrip("0")
    return len(digits) if digits else 1


class Rounded(sp.Rational):
    """A rational that stands for a value rounded to ``digits`` significant digits.

    It computes as the plain rational it equals; only its printing differs:
    0.47 rounded to 4 digits prints 0.4700, so the reader sees the precision.
    """

    __slots__ = ("digits",)

    def __new__(cls, value: sp.Rational, digits: int):
        # bypasses Rational's normalisation, which would turn 2 into an Integer
        obj = sp.Expr.__new__(cls)
        obj.p, obj.q = int(value.p), int(value.q)
        obj.digits = digits
        return obj

    def __getnewargs__(self):
        return (sp.Rational(self.p, self.q), self.digits)

    def __eq__(self, other):
        return sp.Rational.__eq__(self, other)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        # unlike the plain rational, so that SymPy's cache never hands one for the other
        return hash(("rounded", self.p, self.q, self.digits))


def _round(value: Number, digits: int) -> sp.Rational:
    """The value rounded to ``digits`` significant digits (half to even), as a rational."""
    if value == 0:
        return sp.Integer(0)
    text = sp.Float(value, digits + 30).evalf(digits + 30)
    d = Decimal(str(text))
    with localcontext() as ctx:
        ctx.prec = digits
        ctx.rounding = ROUND_HALF_EVEN
        rounded = +d
    num, den = rounded.as_integer_ratio()
    return Rounded(sp.Rational(num, den), digits)


# --- arithmetic that is printed as built ------------------------------------------------


def prod(*factors: sp.Expr) -> sp.Expr:
    """A product kept as written (no reordering, no evaluation), never led by "1 x"."""
    if len(factors) > 1 and _is_one(factors[0]):
        factors = factors[1:]
    return factors[0] if len(factors) == 1 else sp.Mul(*factors, evaluate=False)


def plus(*terms: sp.Expr) -> sp.Expr:
    return terms[0] if len(terms) == 1 else sp.Add(*terms, evaluate=False)


def minus(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    return sp.Add(a, sp.Mul(sp.Integer(-1), b, evaluate=False), evaluate=False)


def substitute(expr: sp.Expr, mapping: dict[sp.Expr, sp.Expr]) -> sp.Expr:
    """Replace symbols by numbers without evaluating: the arithmetic stays visible."""
    if expr in mapping:
        return mapping[expr]
    if not expr.args:
        return expr
    return expr.func(*(substitute(a, mapping) for a in expr.args), evaluate=False)


def tidy(expr: sp.Expr) -> sp.Expr:
    """Numbers substituted into a formula, without what a textbook leaves out.

    A coefficient 1 goes (-1 ln 0.3 is -ln 0.3) and a term with a factor that is
    exactly 0 goes (a target of 0 in a cross-entropy): the printed value is
    unchanged, so every = stays true.  Only exact 1s go, never a rounded 1.000.
    """
    if not expr.args:
        return expr
    args = [tidy(a) for a in expr.args]
    if expr.is_Mul:
        if any(_is_zero(a) for a in args):
            return sp.Integer(0)
        kept = [a for a in args if not _is_one(a)]
        if kept == [sp.Integer(-1)] or not kept:
            return sp.Integer(-1) if kept else sp.Integer(1)
        return prod(*kept)
    if expr.is_Add:
        kept = [a for a in args if not _is_zero(a)]
        return plus(*kept) if kept else sp.Integer(0)
    return expr.func(*args, evaluate=False)


def _is_one(expr: sp.Expr) -> bool:
    return isinstance(expr, sp.Number) and not isinstance(expr, Rounded) and expr == 1


def _is_zero(expr: sp.Expr) -> bool:
    """Exactly 0 as printed: 0 itself, or arithmetic of exact numbers such as 1 - 1."""
    if not expr.is_Add and not isinstance(expr, sp.Number):
        return False
    if expr.free_symbols or any(isinstance(a, Rounded) for a in sp.preorder_traversal(expr)):
        return False
    value = recompute(expr)
    return isinstance(value, sp.Rational) and value == 0


def recompute(expr: sp.Expr) -> sp.Expr:
    """Evaluate an unevaluated numeric expression exactly."""
    if not expr.args:
        return expr
    return expr.func(*(recompute(a) for a in expr.args))


def printable_arithmetic(expr: sp.Expr) -> bool:
    """Whether substituting numbers into ``expr`` gives arithmetic a reader can follow."""
    allowed = (sp.Add, sp.Mul, sp.Pow, sp.exp, sp.log, sp.tanh, sp.Symbol, sp.Number)
    return all(isinstance(node, allowed) for node in sp.preorder_traversal(expr))


def step_relation(numeric: sp.Expr, result: Shown) -> str:
    """= when the printed arithmetic gives exactly the printed result, else approx."""
    value = recompute(numeric)
    if isinstance(value, sp.Rational) and value == result.shown:
        return EQ
    return APPROX
