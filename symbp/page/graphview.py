"""The computational-graph view: the layer-level graph (z, a, L, s, J), one table row per node
with its upstream, local and global gradient, computed node by node.
"""

from __future__ import annotations

import sympy as sp

from symbp.engine.numbers import Number, evaluate
from symbp.engine.tensors import Tensors
from symbp.page.display import EQ
from symbp.page.matrices import (
    MatrixPrinter,
    T,
    partial_tex,
    relation,
    scale_tex,
    sup,
)
from symbp.page.model import (
    GraphNode,
    GraphView,
    Row,
)
from symbp.page.rows import RowBuilder


def graph_view(b: RowBuilder, tensors: Tensors, layout: str) -> GraphView:
    """Seed 003's computational graph, node by node from J back to the weights."""
    m = MatrixPrinter(b, layout)
    o = m.oriented
    spec = b.d.spec
    L = len(tensors.layers)
    c, lam = tensors.scale, tensors.l2
    J = b.tex(b.net.objective.symbol)
    data = b.tex(sp.Symbol(spec.data_loss_name)) if lam is not None else J
    column = layout == "column"

    d = partial_tex
    table: list[GraphNode] = []
    rows: list[Row] = []
    values: dict[str, Number] = {}
    if lam is not None:
        for node in (data, "s"):
            table.append(GraphNode(node, [d(J, J) + " = 1"], [d(J, node) + " = 1"],
                                   d(J, node) + " = 1"))
    lsup = sup(L)
    grad_a = (c * tensors.grad_out).applyfunc(evaluate)  # dJ/da^(L)
    local = f"{scale_tex(c)}\\nabla_{{a{lsup}}} \\ell"
    table.append(GraphNode(f"a{lsup}", [d(J, data) + " = 1"], [d(data, f"a{lsup}") + f" = {local}"],
                           d(J, f"a{lsup}")))
    rows.append(Row(d(J, f"a{lsup}"), [(EQ, local), *m.result(o(grad_a), None)]))
    for t in reversed(tensors.layers):
        lsup, psup = sup(t.index), sup(t.index - 1)
        za = d(J, f"a{lsup}")
        zz = d(J, f"z{lsup}")
        if t.jacobians is not None:
            grad_z = sp.Matrix.hstack(*(t.jacobians[j].T * grad_a[:, j]
                                        for j in range(grad_a.cols)))
            jac = f"\\frac{{\\partial a{lsup}}}{{\\partial z{lsup}}}"
            formula = f"\\left({jac}\\right){T} {za}" if column else f"{za} {jac}"
            table.append(GraphNode(f"z{lsup}", [za], [jac], formula))
            rows.append(Row(zz, [(EQ, formula), *m.result(o(grad_z.applyfunc(evaluate)),
                                                          None)]))
        elif t.layer.activation == "identity":
            grad_z = grad_a
            table.append(GraphNode(f"z{lsup}", [za], ["1"], za))
            rows.append(Row(zz, [(EQ, za), *m.result(o(grad_z), None)]))
        else:
            grad_z = grad_a.multiply_elementwise(t.dphi)
            phi = f"\\varphi'\\left(z{lsup}\\right)"
            formula = f"{za} \\odot {phi}"
            table.append(GraphNode(f"z{lsup}", [za], [phi], formula))
            arith = m.shown(grad_a).multiply_elementwise(m.shown(t.dphi))
            rows.append(Row(zz, [(EQ, formula),
                                 (relation(m, grad_a, t.dphi),
                                  f"{m.tex(o(grad_a))} \\odot {m.tex(o(t.dphi))}"),
                                 *m.result(o(grad_z.applyfunc(evaluate)), o(arith),
                                           grad_a, t.dphi)]))
        grad_z = grad_z.applyfunc(evaluate)
        # W^(l): through z (x a^T) and, with L2, through s (lambda W)
        w = f"W{lsup}"
        ups, locs = [zz], [f"\\left(a{psup}\\right){T}"]
        formula = f"{zz} \\left(a{psup}\\right){T}" if column else f"\\left(a{psup}\\right){T} {zz}"
        gw = grad_z * t.A_prev.T
        arith = m.shown(grad_z) * m.shown(t.A_prev).T
        nums = f"{m.tex(grad_z)} {m.tex(t.A_prev.T)}" if column \
            else f"{m.tex(t.A_prev)} {m.tex(grad_z.T)}"
        operands = [grad_z, t.A_prev]
        if lam is not None:
            ups.append(d(J, "s"))
            locs.append(f"\\lambda W{lsup}")
            formula += f" + {d(J, 's')} \\, \\lambda W{lsup}"
            gw = gw + lam * t.W
            arith = arith + lam * m.shown(t.W)
            nums += f" + {b.tex(lam)} {m.tex(t.W if column else t.W.T)}"  # dJ/ds = 1
            operands.append(t.W)
        gw = gw.applyfunc(evaluate)
        table.append(GraphNode(w, ups, locs, formula))
        rows.append(Row(d(J, w), [(EQ, formula), (relation(m, *operands), nums),
                                  *m.result(gw if column else gw.T,
                                            arith if column else arith.T, *operands)]))
        for k, row in enumerate(t.layer.weight_names):
            for j, name in enumerate(row):
                values[name] = gw[k, j]
        if t.b is not None:
            bb = f"b{lsup}"
            total = grad_z * sp.ones(grad_z.cols, 1)
            if t.bias_shared:
                total = sp.Matrix([[sum(total)]])
                formula = f"\\mathbf{{1}}{T} {zz}" + (r" \mathbf{1}" if grad_z.cols > 1 else "")
            elif grad_z.cols > 1:
                formula = f"{zz} \\mathbf{{1}}" if column else f"\\mathbf{{1}}{T} {zz}"
            else:
                formula = zz
            total = total.applyfunc(evaluate)
            table.append(GraphNode(bb, [zz], ["1"], formula))
            rows.append(Row(d(J, bb), [(EQ, formula),
                                       *m.result(total if column or t.bias_shared else total.T,
                                                 None)]))
            for j, name in enumerate(t.layer.bias_names):
                values[name] = total[j, 0]
        if t.index > 1:
            below = sup(t.index - 1)
            formula = f"\\left({w}\\right){T} {zz}" if column else f"{zz} \\left({w}\\right){T}"
            grad_a = (t.W.T * grad_z).applyfunc(evaluate)
            arith = m.shown(t.W).T * m.shown(grad_z)
            nums = f"{m.tex(t.W.T)} {m.tex(grad_z)}" if column \
                else f"{m.tex(grad_z.T)} {m.tex(t.W)}"
            table.append(GraphNode(f"a{below}", [zz], [w], formula))
            rows.append(Row(d(J, f"a{below}"), [
                (EQ, formula), (relation(m, t.W, grad_z), nums),
                *m.result(o(grad_a), o(arith), t.W, grad_z)]))
    return GraphView(layout, table, rows, values)


