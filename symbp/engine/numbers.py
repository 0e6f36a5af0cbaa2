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

#: A float this close to 0 or +-1 is carried with more digits (see :func:`evaluate`).
NEAR = sp.Float("1e-10")
#: Extra digits kept beyond the leading nines of a value near +-1.
GUARD_DIGITS = 10
#: Most digits tried for a value that is +-1 at the working precision (a logit of about
#: 3,500 in a sigmoid); such a value stays +-1.
MAX_DIGITS = 1600

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
    value = _real(expr, DIGITS)
    # Near 0 or +-1 (a saturated sigmoid, tanh or softmax, or its tail) a value keeps as
    # many more digits as it has leading zeros or nines, so that 1 - value, log(1 - value)
    # and a(1 - a), which SymPy evaluates at the value's own precision, are still right to
    # DIGITS digits.  A value that is +-1 at the working precision gets more until it is not.
    if isinstance(value, sp.Float) and value != 0:
        gap = min(abs(value), abs(1 - abs(value)))
        if gap < NEAR:
            digits = DIGITS
            while gap == 0 and digits < MAX_DIGITS:
                digits *= 2
                value = _real(expr, digits)
                gap = abs(1 - abs(value))
            if gap != 0:
                # evalf gives no more digits than its inputs have: widen the result itself
                digits = DIGITS + _leading(gap) + GUARD_DIGITS
                value = sp.Float(_real(expr, digits), digits)
    return value


def _real(expr: sp.Expr, digits: int) -> sp.Expr:
    value = expr.evalf(digits)
    if not isinstance(value, (sp.Rational, sp.Float)):
        raise ArithmeticError(f"cannot evaluate {expr} to a real number (got {value})")
    return value


def _leading(gap: sp.Expr) -> int:
    """How many leading zeros ``gap`` has after the point: the nines of 1 - gap."""
    return max(0, -int(sp.floor(sp.log(gap, 10).evalf(20))))


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


#: A float sum smaller than this times its largest term is what is left of a cancellation
#: (a bias shared by a softmax layer has gradient exactly 0, computed as about 1e-51).
NOISE = sp.Float(10) ** (8 - DIGITS)


def cancelled(value: Number, largest: Number) -> Number:
    """0 for a float that is only the rounding left of a sum whose largest term is
    ``largest``; the value itself otherwise (exact values are never touched)."""
    if isinstance(value, sp.Float) and abs(value) <= NOISE * abs(largest):
        return sp.Float(0)
    return value
