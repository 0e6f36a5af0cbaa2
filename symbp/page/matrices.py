"""Matrices printed as the page prints numbers, and the layer notation of the matrix views."""

from __future__ import annotations

import sympy as sp

from symbp.engine.numbers import evaluate
from symbp.engine.rules import SOFTMAX
from symbp.engine.tensors import LayerTensors
from symbp.page.display import APPROX, EQ
from symbp.page.model import (
    Row,
)
from symbp.page.rows import RowBuilder

T = r"^{\mathsf{T}}"

#: phi(z) and phi'(z) of each activation, in layer notation (%s is the layer's superscript).
ACTIVATION_TEX = {
    "identity": (r"z%s", "1"),
    "sigmoid": (r"\sigma\left(z%s\right)", r"a%s \odot \left(1 - a%s\right)"),
    "tanh": (r"\tanh\left(z%s\right)", r"1 - a%s \odot a%s"),
    "relu": (r"\operatorname{ReLU}\left(z%s\right)", r"\mathbf{1}\left[z%s > 0\right]"),
    "leaky_relu": (r"\operatorname{LeakyReLU}\left(z%s\right)",
                   r"\mathbf{1}\left[z%s > 0\right] + \alpha\,\mathbf{1}\left[z%s \le 0\right]"),
    SOFTMAX: (r"\operatorname{softmax}\left(z%s\right)", ""),
}

#: The gradient of one sample's loss with respect to the outputs a (%s: the output layer).
LOSS_GRADIENT_TEX = {
    "half_sse": r"a%s - y",
    "sse": r"2\left(a%s - y\right)",
    "mse": r"\frac{2}{m}\left(a%s - y\right)",
    "cross_entropy": r"-y \oslash a%s",
    "binary_cross_entropy":
        r"\left(a%s - y\right) \oslash \left(a%s \odot \left(1 - a%s\right)\right)",
}
#: The factor in front of (a - y) for the losses that have one.
LOSS_FACTOR = {"half_sse": 1, "sse": 2}


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


def scale_tex(scale: sp.Rational) -> str:
    return "" if scale == 1 else f"\\frac{{{scale.p}}}{{{scale.q}}}\\,"


def relation(m: MatrixPrinter, *operands: sp.Matrix | None) -> str:
    return EQ if m.exact(*(x for x in operands if x is not None)) else APPROX


def dphi_row(m: MatrixPrinter, t: LayerTensors) -> Row:
    lsup = sup(t.index)
    _, formula = ACTIVATION_TEX[t.layer.activation]
    return Row(f"\\varphi'\\left(z{lsup}\\right)",
               [(EQ, formula.replace("%s", lsup)), *m.result(m.oriented(t.dphi), None)])


