"""A textbook look for SymPy's LaTeX: names, partials, decimals and products of numbers.

Only the few ``_print_X`` methods whose default output is not what a
textbook prints are overridden; everything else is SymPy's own printer.
"""

from __future__ import annotations

from decimal import Decimal

import sympy as sp
from sympy.printing.latex import LatexPrinter

from symbp.engine.names import name_latex
from symbp.engine.numbers import exact_text


def decimal_latex(value: sp.Rational, digits: int | None = None) -> str:
    """A terminating rational as a decimal, in scientific form when very small or large.

    ``digits``: the value was rounded to that many significant digits, and its
    trailing zeros are printed (0.47 to 4 digits is 0.4700).
    """
    text = exact_text(value)
    if "/" in text:
        raise ValueError(f"{value} is not a terminating decimal")
    d = Decimal(text)
    if d != 0 and (abs(d) < Decimal("1e-4") or abs(d) >= Decimal("1e7")):
        sign, digits_, exponent = d.as_tuple()
        assert isinstance(exponent, int)  # a terminating rational: finite
        mantissa = Decimal((sign, digits_, -(len(digits_) - 1)))
        power = exponent + len(digits_) - 1
        m = _padded(format(mantissa.normalize(), "f"), digits)
        return f"{m} \\times 10^{{{power}}}"
    return _padded(text, digits)


def _padded(text: str, digits: int | None) -> str:
    """A decimal with zeros appended up to ``digits`` significant digits."""
    if digits is None or text.lstrip("-") == "0":
        return text
    significant = text.lstrip("-").replace(".", "").lstrip("0")
    missing = digits - len(significant)
    if missing <= 0:
        return text
    return text + ("" if "." in text else ".") + "0" * missing


class TextbookPrinter(LatexPrinter):
    """SymPy's LaTeX printer with the conventions of a backpropagation textbook.

    * symbols print through ``symbol_names`` (set from the network's names);
    * ``Derivative(E, w1)`` prints as ``\\frac{\\partial E}{\\partial w_{1}}``;
    * products and sums keep the order they were built in (``order='none'``);
      a product of numbers uses ``\\times``, and a
      negative number inside a product or after a ``+`` gets parentheses;
    * rationals that are terminating decimals print as decimals (2.1, not 21/10);
    * a sum prints its positive terms first: ``y' - y`` rather than ``-y + y'``.
    """

    def __init__(self, settings: dict | None = None):
        # the page's logarithm is the natural one: \\ln, never \\log
        base = {"order": "none", "ln_notation": True}
        base.update(settings or {})
        super().__init__(base)

    # names and partials -------------------------------------------------------------
    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        name = self._settings["symbol_names"].get(expr)
        return name if name is not None else name_latex(expr.name)

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        (var, count), = expr.variable_count
        power = f"^{{{count}}}" if count > 1 else ""
        return (
            f"\\frac{{\\partial{power} {self._print(expr.expr)}}}"
            f"{{\\partial {self._print(var)}{power}}}"
        )

    def _print_Heaviside(self, expr: sp.Heaviside) -> str:
        return f"\\mathbf{{1}}\\left[{self._print(expr.args[0])} > 0\\right]"

    # numbers --------------------------------------------------------------------------
    def _print_Rational(self, expr: sp.Rational) -> str:
        try:
            text = decimal_latex(expr, getattr(expr, "digits", None))
        except ValueError:
            return super()._print_Rational(expr)
        return text

    _print_Integer = _print_Rational

    # order-keeping sums and products -------------------------------------------------
    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        terms = list(expr.args)
        if not _is_numeric(expr):
            terms = sorted(terms, key=_negative)  # stable: positive terms first
        tex = ""
        for i, term in enumerate(terms):
            negated = _negated(term)
            if i > 0 and negated is not None:
                tex += " - "
                term = negated
            elif i > 0:
                tex += " + "
            elif negated is not None and not _is_numeric(term):
                tex += "-"
                term = negated
            term_tex = self._print(term)
            if i > 0 and term_tex.startswith("-"):  # never + - or - -
                term_tex = f"\\left({term_tex}\\right)"
            elif self._needs_add_brackets(term):
                term_tex = f"\\left({term_tex}\\right)"
            tex += term_tex
        return tex

    def _print_Mul(self, expr: sp.Mul) -> str:
        args = list(expr.args)
        if not expr.is_Mul or len(args) < 2:
            return super()._print_Mul(expr)
        if args[0] == -1:
            rest = args[1:]
            inner = rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)
            tex = self._print(inner)
            # -(a + b), and -(-0.12) rather than --0.12
            return f"-\\left({tex}\\right)" if inner.is_Add or tex.startswith("-") else f"-{tex}"
        if _is_numeric(expr) and any(_is_reciprocal(a) for a in args):
            return self._numeric_fraction(args)
        if all(_is_number(a) or (a.is_Add and _is_numeric(a)) for a in args):
            parts = []
            for a in args:
                tex = self._print(a)
                if (_is_number(a) and a < 0) or a.is_Add:
                    tex = f"\\left({tex}\\right)"
                parts.append(tex)
            return " \\times ".join(parts)
        if all(isinstance(a, sp.Derivative) for a in args):
            return " \\cdot ".join(self._print(a) for a in args)
        first, rest = args[0], args[1:]
        if first.is_Rational and not first.is_Integer and not all(map(_is_number, rest)):
            inner = rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)
            tex = self._print(inner)
            if inner.is_Add:
                tex = f"\\left({tex}\\right)"
            if _is_numeric(expr) and first.p != 1:  # a number put in for a symbol: 0.56 ln 0.3
                return f"{self._print(first)} {tex}"
            return f"\\frac{{{first.p}}}{{{first.q}}} {tex}"
        return super()._print_Mul(expr)


    def _numeric_fraction(self, args: list[sp.Expr]) -> str:
        """Numbers over numbers as written: e^{-0.3} / (...) keeps e^{-0.3} on top.

        SymPy's own printer moves a factor e^{-x} under the bar as e^{x}.
        """
        num = [a for a in args if not _is_reciprocal(a)]
        den = [sp.Pow(a.base, -a.exp, evaluate=False) if a.exp != -1 else a.base
               for a in args if _is_reciprocal(a)]
        top = self._print(prod_of(num)) if num else "1"
        bottom = self._print(prod_of(den))
        return f"\\frac{{{top}}}{{{bottom}}}"


def prod_of(factors: list[sp.Expr]) -> sp.Expr:
    return factors[0] if len(factors) == 1 else sp.Mul(*factors, evaluate=False)


def _is_reciprocal(expr: sp.Expr) -> bool:
    """x^{-k}: a factor that belongs under a fraction bar."""
    return expr.is_Pow and expr.exp.is_Number and expr.exp < 0


def _is_number(expr: sp.Expr) -> bool:
    return isinstance(expr, sp.Number)


def _is_numeric(expr: sp.Expr) -> bool:
    """A number or an unevaluated arithmetic of numbers (no symbols)."""
    return not expr.free_symbols


def _negative(term: sp.Expr) -> bool:
    return _negated(term) is not None


def _negated(term: sp.Expr) -> sp.Expr | None:
    """-term without re-evaluating an unevaluated product, or None if term is not negative."""
    if term.is_Mul and term.args and term.args[0] == -1:
        rest = term.args[1:]
        return rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)
    if term.is_Mul and term.args and _is_number(term.args[0]) and term.args[0] < 0 \
            and not _is_numeric(term):
        return sp.Mul(-term.args[0], *term.args[1:], evaluate=False)
    if _is_number(term) and term < 0 and not _is_numeric(term):
        return -term
    return None


def latex(expr: sp.Expr, symbol_names: dict[sp.Symbol, str] | None = None) -> str:
    """Print an expression the textbook way."""
    return TextbookPrinter({"symbol_names": symbol_names or {}}).doprint(expr)
