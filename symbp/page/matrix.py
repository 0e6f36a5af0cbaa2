"""The matrix view: the layer-wise recursion with the example's matrices substituted, in the
column layout (z = W a + b) or the row layout of numpy code (z = a W + b), computed with the
SymPy matrices of :mod:`symbp.engine.tensors`.
"""

from __future__ import annotations

import sympy as sp

from symbp.engine.numbers import evaluate
from symbp.engine.rules import LOSSES, SOFTMAX
from symbp.engine.tensors import LayerTensors, Tensors
from symbp.page.display import APPROX, EQ
from symbp.page.matrices import (
    MatrixPrinter,
    T,
    dphi_row,
    partial_tex,
    phi_tex,
    relation,
    scale_tex,
    sup,
)
from symbp.page.model import (
    MatrixLayer,
    MatrixView,
    Row,
)
from symbp.page.rows import RowBuilder


def matrix_view(b: RowBuilder, tensors: Tensors, layout: str) -> MatrixView:
    spec = b.d.spec
    m = MatrixPrinter(b, layout)
    o = m.oriented
    L = len(tensors.layers)
    N = len(spec.samples)
    c = tensors.scale
    lam = tensors.l2
    layers: list[MatrixLayer] = []
    for t in tensors.layers:
        lsup, psup = sup(t.index), sup(t.index - 1)
        fwd: list[Row] = []
        if layout == "column":
            sym = f"W{lsup} a{psup}" + (f" + b{lsup}" if t.b is not None else "")
            nums = f"{m.tex(t.W)} {m.tex(o(t.A_prev))}"
            arith = m.shown(t.W) * m.shown(t.A_prev)
        else:
            sym = f"a{psup} W{lsup}" + (f" + b{lsup}" if t.b is not None else "")
            nums = f"{m.tex(o(t.A_prev))} {m.tex(t.W.T)}"
            arith = m.shown(t.A_prev).T * m.shown(t.W).T
        if t.b is not None:
            nums += f" + {m.tex(o(t.b))}"
            bias = m.shown(t.b) * sp.ones(1, N)
            arith = arith + (bias if layout == "column" else bias.T)
        fwd.append(Row(f"z{lsup}", [(EQ, sym), (relation(m, t.W, t.A_prev, t.b), nums),
                                    *m.result(o(t.Z), arith, t.W, t.A_prev,
                                              *([t.b] if t.b is not None else []))]))
        if t.layer.activation != "identity":
            phi = phi_tex(t.layer.activation).replace("%s", lsup)
            fwd.append(Row(f"a{lsup}", [(EQ, phi), *m.result(o(t.A), None)]))
        layers.append(MatrixLayer(t.index, fwd, []))

    # delta^(L), from the loss
    out = tensors.layers[-1]
    lsup = sup(L)
    output: list[Row] = []
    simplified = _simplified(spec, tensors)
    if simplified:
        diff = m.shown(out.A) - m.shown(tensors.Y)
        output.append(Row(f"\\delta{lsup}", [
            (EQ, f"a{lsup} - y"),
            (EQ if m.exact(out.A, tensors.Y) else APPROX,
             f"{m.tex(o(out.A))} - {m.tex(o(tensors.Y))}"),
            *m.result(o(out.Delta), o(diff), out.A, tensors.Y)]))
    else:
        grad = f"\\nabla_{{a{lsup}}} \\ell"
        formula = LOSSES[spec.loss].gradient_tex.replace("%s", lsup)
        steps: list[tuple[str, str | list[str]]] = [(EQ, formula)]
        factor = LOSSES[spec.loss].factor
        if spec.loss == "mse":
            factor = sp.Rational(2, out.A.rows)
        if factor is not None:
            diff = f"{m.tex(o(out.A))} - {m.tex(o(tensors.Y))}"
            prefix = "" if factor == 1 else f"{b.tex(factor)} \\left("
            steps.append((EQ if m.exact(out.A, tensors.Y) else APPROX,
                          prefix + diff + ("" if factor == 1 else r"\right)")))
            arith = factor * (m.shown(out.A) - m.shown(tensors.Y))
            steps.extend(m.result(o(tensors.grad_out), o(arith), out.A, tensors.Y))
        else:
            steps.extend(m.result(o(tensors.grad_out), None))
        output.append(Row(grad, steps))
        if out.layer.activation == SOFTMAX:
            jac = f"\\left(\\frac{{\\partial a{lsup}}}{{\\partial z{lsup}}}\\right){T}"
            sym = f"{jac} {grad}" if layout == "column" else f"{grad} \\frac{{\\partial a{lsup}}}" \
                f"{{\\partial z{lsup}}}"
            output.append(Row(f"\\delta{lsup}", [(EQ, sym), *m.result(o(out.Delta), None)]))
        elif out.layer.activation == "identity":
            output.append(Row(f"\\delta{lsup}", [(EQ, grad), *m.result(o(out.Delta), None)]))
        else:
            output.append(dphi_row(m, out))
            arith = m.shown(tensors.grad_out).multiply_elementwise(m.shown(out.dphi))
            output.append(Row(f"\\delta{lsup}", [
                (EQ, f"{grad} \\odot \\varphi'\\left(z{lsup}\\right)"),
                (relation(m, tensors.grad_out, out.dphi),
                 f"{m.tex(o(tensors.grad_out))} \\odot {m.tex(o(out.dphi))}"),
                *m.result(o(out.Delta), o(arith), tensors.grad_out, out.dphi)]))

    # the recursion back through the hidden layers, and the parameter gradients
    for layer_view, t in zip(layers, tensors.layers):
        rows = layer_view.backward
        lsup, psup, nsup = sup(t.index), sup(t.index - 1), sup(t.index + 1)
        if t.index < L:
            nxt = tensors.layers[t.index]
            if t.layer.activation == "identity":
                sym = f"\\left(W{nsup}\\right){T} \\delta{nsup}" if layout == "column" \
                    else f"\\delta{nsup} \\left(W{nsup}\\right){T}"
                nums = f"{m.tex(nxt.W.T)} {m.tex(nxt.Delta)}" if layout == "column" \
                    else f"{m.tex(nxt.Delta.T)} {m.tex(nxt.W)}"
                arith = m.shown(nxt.W).T * m.shown(nxt.Delta)
            else:
                rows.append(dphi_row(m, t))
                assert t.dphi is not None  # only the output layer may be softmax
                if layout == "column":
                    sym = f"\\left(\\left(W{nsup}\\right){T} \\delta{nsup}\\right) " \
                          f"\\odot \\varphi'\\left(z{lsup}\\right)"
                    nums = f"\\left({m.tex(nxt.W.T)} {m.tex(nxt.Delta)}\\right) " \
                           f"\\odot {m.tex(t.dphi)}"
                else:
                    sym = f"\\left(\\delta{nsup} \\left(W{nsup}\\right){T}\\right) " \
                          f"\\odot \\varphi'\\left(z{lsup}\\right)"
                    nums = f"\\left({m.tex(nxt.Delta.T)} {m.tex(nxt.W)}\\right) " \
                           f"\\odot {m.tex(t.dphi.T)}"
                arith = (m.shown(nxt.W).T * m.shown(nxt.Delta)).multiply_elementwise(
                    m.shown(t.dphi))
            rows.append(Row(f"\\delta{lsup}", [
                (EQ, sym), (relation(m, nxt.W, nxt.Delta, t.dphi), nums),
                *m.result(o(t.Delta), o(arith), nxt.W, nxt.Delta,
                          *([t.dphi] if t.dphi is not None else []))]))
        rows.extend(_parameter_rows(b, m, t, c, lam))

    return MatrixView(layout, layers, output, simplified, tensors.gradients(),
                      any(layer.bias_shared for layer in spec.layers))


def _parameter_rows(b: RowBuilder, m: MatrixPrinter, t: LayerTensors, c: sp.Rational,
                    lam: sp.Rational | None) -> list[Row]:
    """dJ/dW^(l) = c delta a^T (+ lambda W) and dJ/db^(l), with the matrices substituted."""
    lsup, psup = sup(t.index), sup(t.index - 1)
    n = t.Delta.cols
    column = m.layout == "column"
    scale = scale_tex(c)
    if column:
        sym = f"{scale}\\delta{lsup} \\left(a{psup}\\right){T}"
        nums = f"{scale}{m.tex(t.Delta)} {m.tex(t.A_prev.T)}"
    else:
        sym = f"{scale}\\left(a{psup}\\right){T} \\delta{lsup}"
        nums = f"{scale}{m.tex(t.A_prev)} {m.tex(t.Delta.T)}"
    arith = c * m.shown(t.Delta) * m.shown(t.A_prev).T
    operands = [t.Delta, t.A_prev]
    if lam is not None:
        sym += f" + \\lambda W{lsup}"
        nums += f" + {b.tex(lam)} {m.tex(t.W if column else t.W.T)}"
        arith = arith + lam * m.shown(t.W)
        operands.append(t.W)
    J = b.tex(b.net.objective.symbol)
    gw = partial_tex(J, f"W{lsup}")
    rows = [Row(gw, [(EQ, sym), (relation(m, *operands), nums),
                     *m.result(t.dW if column else t.dW.T, arith if column else arith.T,
                               *operands)])]
    if t.db is not None:
        gb = partial_tex(J, f"b{lsup}")
        ones = sp.ones(n, 1)
        if t.bias_shared:
            sym = f"{scale}\\mathbf{{1}}{T} \\delta{lsup}" + (r" \mathbf{1}" if n > 1 else "")
            arith = sp.Matrix([[c * sum(m.shown(t.Delta))]])
        elif n == 1 and c == 1:
            sym = f"\\delta{lsup}"
            arith = m.shown(t.Delta)
        else:
            sym = f"{scale}\\delta{lsup} \\mathbf{{1}}" if column \
                else f"{scale}\\mathbf{{1}}{T} \\delta{lsup}"
            arith = c * m.shown(t.Delta) * ones
        result = t.db if column or t.bias_shared else t.db.T
        shown_arith = arith if column or t.bias_shared else arith.T
        rows.append(Row(gb, [(EQ, sym), *m.result(result, shown_arith, t.Delta)]))
    return rows


def _simplified(spec, tensors: Tensors) -> str:
    """Which rule makes delta^(L) = a^(L) - y here, if one does (and it holds in numbers)."""
    out = tensors.layers[-1]
    rule = ""
    if out.layer.activation == SOFTMAX and spec.loss == "cross_entropy" and all(
            sum(tensors.Y[:, j]) == 1 for j in range(tensors.Y.cols)):
        rule = "softmax_ce"
    elif out.layer.activation == "sigmoid" and spec.loss == "binary_cross_entropy":
        rule = "sigmoid_bce"
    if rule:
        gap = (out.A - tensors.Y - out.Delta).applyfunc(evaluate)
        if any(abs(x) > sp.Float(10) ** -40 for x in gap):
            return ""
    return rule


