"""Exact and high-precision numbers.

Values stay SymPy ``Rational`` while the arithmetic allows it; anything
transcendental (exp, log, tanh) is evaluated to ``DIGITS`` significant digits
as a SymPy ``Float``.  Rounding is left to the display layer.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import TypeAlias

import sympy as sp

#: Working precision, in significant decimal digits, for values that are not exact.
DIGITS = 50

Number: TypeAlias = sp.Expr  # a sympy Rational or Float


def evaluate(expr: sp.Expr) -> Number:
    """A closed numeric expression as an exact Rational when it is one, else a Float."""
    if isinstance(expr, sp.Rational):
        return expr
    if isinstance(expr, sp.Float):
        return expr
    expr = expr.doit()  # an expression kept unevaluated for printing
    if isinstance(expr, sp.Rational):
        return expr
    value = expr.evalf(DIGITS)
    if not isinstance(value, (sp.Rational, sp.Float)):
        raise ArithmeticError(f"cannot evaluate {expr} to a real number (got {value})")
    return value


def is_exact(value: Number) -> bool:
    return isinstance(value, sp.Rational)


def from_decimal(value: Decimal | int) -> sp.Rational:
    """The exact rational of a decimal as written (0.1 is 1/10)."""
    num, den = Fraction(value).as_integer_ratio()
    return sp.Rational(num, den)


def exact_text(value: sp.Rational) -> str:
    """The shortest exact decimal of a rational if it terminates, else 'p/q'."""
    p, q = int(value.p), int(value.q)
    twos = fives = 0
    rest = q
    while rest % 2 == 0:
        rest //= 2
        twos += 1
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    if rest != 1:
        return f"{p}/{q}"
    places = max(twos, fives)
    scaled = p * 10**places // q
    text = str(Decimal(scaled).scaleb(-places))
    if "E" in text:
        text = format(Decimal(scaled).scaleb(-places), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
