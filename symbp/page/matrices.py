"""Matrices printed as the page prints numbers, and the layer notation of the matrix views."""

from __future__ import annotations

import sympy as sp

from symbp.engine.numbers import evaluate
from symbp.engine.rules import activation
from symbp.engine.tensors import LayerTensors
from symbp.page.display import APPROX, EQ
from symbp.page.model import (
    Row,
)
from symbp.page.rows import RowBuilder

T = r"^{\mathsf{T}}"

def phi_tex(name: str) -> str:
    """phi(z) of an activation in layer notation; %s is the layer's superscript."""
    rule = activation(name)
    return rf"{rule.tex}\left(z%s\right)" if rule.tex else "z%s"


def partial_tex(of: str, wrt: str) -> str:
    return f"\\frac{{\\partial {of}}}{{\\partial {wrt}}}"


def sup(index: int | str) -> str:
    return f"^{{({index})}}"


class MatrixPrinter:
    """Printing of matrices whose entries are shown as the page shows numbers."""

    def __init__(self, b: RowBuilder, layout: str):
        self.b, self.layout = b, layout
        self.printer = type(b.printer())({"symbol_names": {}, "mat_str": "bmatrix",
                                          "mat_delim": ""})

    def oriented(self, m: sp.Matrix) -> sp.Matrix:
        """Samples as columns (column layout) or as rows (row layout)."""
        return m if self.layout == "column" else m.T

    def shown(self, m: sp.Matrix) -> sp.Matrix:
        return m.applyfunc(lambda v: self.b.show(v).shown)

    def exact(self, *ms: sp.Matrix) -> bool:
        return all(self.b.show(v).exact for m in ms for v in m)

    def tex(self, m: sp.Matrix) -> str:
        return self.entries_tex(m)

    def entries_tex(self, m: sp.Matrix) -> str:
        """The matrix of shown values, entry by entry: a SymPy matrix would turn the
        rounded entries back into plain rationals and lose their trailing zeros."""
        rows = [" & ".join(self.printer.doprint(self.b.show(v).shown) for v in m.row(i))
                for i in range(m.rows)]
        return "\\begin{bmatrix}" + "\\\\".join(rows) + "\\end{bmatrix}"

    def result(self, m: sp.Matrix, arithmetic: sp.Matrix | None, *operands: sp.Matrix
               ) -> list[tuple[str, str]]:
        """The last steps of a row: (the numbers substituted), then the result.

        ``arithmetic`` is the printed arithmetic redone with the printed entries;
        the result gets = only when that gives the printed result exactly.
        """
        shown = self.shown(m)
        if arithmetic is None:
            return [(EQ if self.exact(m) else APPROX, self.entries_tex(m))]
        redone = arithmetic.applyfunc(evaluate)
        relation = EQ if redone == shown and self.exact(*operands) else APPROX
        return [(relation, self.entries_tex(m))]


def bmatrix(cells: list[list[str]]) -> str:
    """A matrix of printed entries, row by row."""
    return "\\begin{bmatrix}" + "\\\\".join(" & ".join(r) for r in cells) + "\\end{bmatrix}"


def scale_tex(scale: sp.Rational) -> str:
    return "" if scale == 1 else f"\\frac{{{scale.p}}}{{{scale.q}}}\\,"


def relation(m: MatrixPrinter, *operands: sp.Matrix | None) -> str:
    return EQ if m.exact(*(x for x in operands if x is not None)) else APPROX


def dphi_row(m: MatrixPrinter, t: LayerTensors) -> Row:
    lsup = sup(t.index)
    formula = activation(t.layer.activation).prime_tex
    return Row(f"\\varphi'\\left(z{lsup}\\right)",
               [(EQ, formula.replace("%s", lsup)), *m.result(m.oriented(t.dphi), None)])


