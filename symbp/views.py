"""Three more views of the same gradients, and the check that all of them agree.

* error terms: delta_j = dJ/dnet_j of every unit, from the output back, and
  each parameter's gradient as its error term times the input it multiplies;
* matrix form: the layer-wise recursion with the example's matrices substituted,
  in the column layout (z = W a + b) or the row layout of numpy code (z = a W + b);
* computational graph: seed 003's layer-level graph (z, a, L, s, J), one table
  row per node with its upstream, local and global gradient.

Each view computes its numbers its own way (the per-path sums of the chains,
the scalar error terms of the backward pass, SymPy matrix products of
:mod:`symbp.tensors`, the graph's node-by-node products), so that their
agreement, parameter by parameter, is a real check.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .display import APPROX, EQ, plus, prod, step_relation
from .document import Row, _Builder, _scientific, cell
from .graph import Node
from .numbers import Number, evaluate
from .rules import SOFTMAX
from .tensors import LayerTensors, Tensors, compute

VIEWS = ("paths", "deltas", "matrix", "graph")
LAYOUTS = ("column", "row")
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
_LOSS_FACTOR = {"half_sse": 1, "sse": 2}


@dataclass
class DeltasView:
    error_terms: list[Row]  # every unit's error term, output layer first
    gradients: list[Row]  # each parameter's gradient from them
    values: dict[str, Number]


@dataclass
class MatrixLayer:
    index: int
    forward: list[Row]
    backward: list[Row]


@dataclass
class MatrixView:
    layout: str
    layers: list[MatrixLayer]
    output: list[Row]  # delta^(L) and the loss gradient it comes from
    simplified: str  # "", or the rule behind delta^(L) = a - y ("softmax_ce", "sigmoid_bce")
    values: dict[str, Number]
    shared_bias: bool = False  # some layer's units share one bias


@dataclass
class GraphNode:
    """One row of the graph table: upstream gradients, local gradients, global gradient."""

    node: str
    upstream: list[str]
    local: list[str]
    result: str  # the global gradient's formula


@dataclass
class GraphView:
    layout: str
    table: list[GraphNode]
    rows: list[Row]  # the global gradients with numbers
    values: dict[str, Number]


@dataclass
class Agreement:
    rows: list[tuple[str, ...]]  # parameter, value in each view, largest difference
    views: list[str]
    ok: bool


def _d(of: str, wrt: str) -> str:
    return f"\\frac{{\\partial {of}}}{{\\partial {wrt}}}"


def _sup(index: int | str) -> str:
    return f"^{{({index})}}"


class _Matrices:
    """Printing of matrices whose entries are shown as the page shows numbers."""

    def __init__(self, b: _Builder, layout: str):
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
        return self.printer.doprint(self.shown(m))

    def result(self, m: sp.Matrix, arithmetic: sp.Matrix | None, *operands: sp.Matrix
               ) -> list[tuple[str, str]]:
        """The last steps of a row: (the numbers substituted), then the result.

        ``arithmetic`` is the printed arithmetic redone with the printed entries;
        the result gets = only when that gives the printed result exactly.
        """
        shown = self.shown(m)
        if arithmetic is None:
            return [(EQ if self.exact(m) else APPROX, self.printer.doprint(shown))]
        redone = arithmetic.applyfunc(evaluate)
        relation = EQ if redone == shown and self.exact(*operands) else APPROX
        return [(relation, self.printer.doprint(shown))]


def _scale_tex(scale: sp.Rational) -> str:
    return "" if scale == 1 else f"\\frac{{{scale.p}}}{{{scale.q}}}\\,"


def deltas_view(b: _Builder) -> DeltasView:
    """Every unit's error term from the output back, then every gradient from them."""
    d, net = b.d, b.net
    deltas = [net.delta_node(u).name for layer in d.spec.layers for u in layer.units]
    b.needed_deltas = set(deltas)
    rows = b.error_term_rows()
    gradients, values = [], {}
    obj = net.objective
    for layer in reversed(d.spec.layers):
        names = [w for row in layer.weight_names for w in row] + list(layer.bias_names)
        for name in names:
            row, value = _delta_gradient(b, net[name], obj)
            gradients.append(row)
            values[name] = value
    return DeltasView(rows, gradients, values)


def _delta_gradient(b: _Builder, param: Node, obj: Node) -> tuple[Row, Number]:
    """dJ/dp = sum over what p feeds of (its error term) x (what p multiplies)."""
    d = b.d
    count = len(d.forward.samples)
    symbolic, numeric, total, exact = [], [], sp.Integer(0), True
    for e in param.children:
        upper = b.upper(e.child) if e.child is not obj else sp.Integer(1)
        local = e.local
        symbolic.append(prod(upper, local) if local != 1 else upper)
        grads = d.error_terms[e.child.name] if e.child is not obj else sp.Integer(1)
        locals_ = d.forward.edges[e]
        for s in range(count if isinstance(grads, list) else 1):
            g = grads[s] if isinstance(grads, list) else grads
            v = locals_[s] if isinstance(locals_, list) else locals_
            total += g * v
            gs, vs = b.show(g), b.show(v)
            exact = exact and gs.exact and vs.exact
            numeric.append(prod(gs.shown, vs.shown) if local != 1 else gs.shown)
    value = evaluate(total)
    shown = b.show(value)
    lhs = b.tex(b.partial(obj, param))
    if len(symbolic) == 1 and count > 1 and any(e.child.per_sample for e in param.children):
        n = sp.Symbol("n")
        symbolic = [sp.Sum(symbolic[0], (n, 1, count))]
    total_numeric = plus(*numeric)
    steps: list[tuple[str, str | list[str]]] = [
        (EQ, b.terms(symbolic, None) if len(symbolic) > 1 else b.tex(symbolic[0])),
        (EQ if exact else APPROX, b.terms(numeric)),
        (step_relation(total_numeric, shown), b.tex(shown.shown)),
    ]
    if len(numeric) == 1 and not numeric[0].args:
        steps = [steps[0], (shown.relation, b.tex(shown.shown))]
    return Row(lhs, steps), value


def matrix_view(b: _Builder, tensors: Tensors, layout: str) -> MatrixView:
    spec = b.d.spec
    m = _Matrices(b, layout)
    o = m.oriented
    L = len(tensors.layers)
    N = len(spec.samples)
    c = tensors.scale
    lam = tensors.l2
    layers: list[MatrixLayer] = []
    for t in tensors.layers:
        lsup, psup = _sup(t.index), _sup(t.index - 1)
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
        fwd.append(Row(f"z{lsup}", [(EQ, sym), (_relation(m, t.W, t.A_prev, t.b), nums),
                                    *m.result(o(t.Z), arith, t.W, t.A_prev,
                                              *([t.b] if t.b is not None else []))]))
        phi, _ = ACTIVATION_TEX[t.layer.activation]
        if t.layer.activation != "identity":
            fwd.append(Row(f"a{lsup}", [(EQ, phi.replace("%s", lsup)), *m.result(o(t.A), None)]))
        layers.append(MatrixLayer(t.index, fwd, []))

    # delta^(L), from the loss
    out = tensors.layers[-1]
    lsup = _sup(L)
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
        formula = LOSS_GRADIENT_TEX[spec.loss].replace("%s", lsup)
        steps: list[tuple[str, str | list[str]]] = [(EQ, formula)]
        factor = _LOSS_FACTOR.get(spec.loss)
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
            output.append(_dphi_row(m, out))
            arith = m.shown(tensors.grad_out).multiply_elementwise(m.shown(out.dphi))
            output.append(Row(f"\\delta{lsup}", [
                (EQ, f"{grad} \\odot \\varphi'\\left(z{lsup}\\right)"),
                (_relation(m, tensors.grad_out, out.dphi),
                 f"{m.tex(o(tensors.grad_out))} \\odot {m.tex(o(out.dphi))}"),
                *m.result(o(out.Delta), o(arith), tensors.grad_out, out.dphi)]))

    # the recursion back through the hidden layers, and the parameter gradients
    for layer_view, t in zip(layers, tensors.layers):
        rows = layer_view.backward
        lsup, psup, nsup = _sup(t.index), _sup(t.index - 1), _sup(t.index + 1)
        if t.index < L:
            nxt = tensors.layers[t.index]
            if t.layer.activation == "identity":
                sym = f"\\left(W{nsup}\\right){T} \\delta{nsup}" if layout == "column" \
                    else f"\\delta{nsup} \\left(W{nsup}\\right){T}"
                nums = f"{m.tex(nxt.W.T)} {m.tex(nxt.Delta)}" if layout == "column" \
                    else f"{m.tex(nxt.Delta.T)} {m.tex(nxt.W)}"
                arith = m.shown(nxt.W).T * m.shown(nxt.Delta)
            else:
                rows.append(_dphi_row(m, t))
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
                (EQ, sym), (_relation(m, nxt.W, nxt.Delta, t.dphi), nums),
                *m.result(o(t.Delta), o(arith), nxt.W, nxt.Delta,
                          *([t.dphi] if t.dphi is not None else []))]))
        rows.extend(_parameter_rows(b, m, t, c, lam))

    return MatrixView(layout, layers, output, simplified, tensors.gradients(),
                      any(layer.bias_shared for layer in spec.layers))


def _relation(m: _Matrices, *operands: sp.Matrix | None) -> str:
    return EQ if m.exact(*(x for x in operands if x is not None)) else APPROX


def _dphi_row(m: _Matrices, t: LayerTensors) -> Row:
    lsup = _sup(t.index)
    _, formula = ACTIVATION_TEX[t.layer.activation]
    return Row(f"\\varphi'\\left(z{lsup}\\right)",
               [(EQ, formula.replace("%s", lsup)), *m.result(m.oriented(t.dphi), None)])


def _parameter_rows(b: _Builder, m: _Matrices, t: LayerTensors, c: sp.Rational,
                    lam: sp.Rational | None) -> list[Row]:
    """dJ/dW^(l) = c delta a^T (+ lambda W) and dJ/db^(l), with the matrices substituted."""
    lsup, psup = _sup(t.index), _sup(t.index - 1)
    n = t.Delta.cols
    column = m.layout == "column"
    scale = _scale_tex(c)
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
    gw = _d(J, f"W{lsup}")
    rows = [Row(gw, [(EQ, sym), (_relation(m, *operands), nums),
                     *m.result(t.dW if column else t.dW.T, arith if column else arith.T,
                               *operands)])]
    if t.db is not None:
        gb = _d(J, f"b{lsup}")
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


def graph_view(b: _Builder, tensors: Tensors, layout: str) -> GraphView:
    """Seed 003's computational graph, node by node from J back to the weights."""
    m = _Matrices(b, layout)
    o = m.oriented
    spec = b.d.spec
    L = len(tensors.layers)
    c, lam = tensors.scale, tensors.l2
    J = b.tex(b.net.objective.symbol)
    data = b.tex(sp.Symbol(spec.data_loss_name)) if lam is not None else J
    column = layout == "column"

    d = _d
    table: list[GraphNode] = []
    rows: list[Row] = []
    values: dict[str, Number] = {}
    if lam is not None:
        for node in (data, "s"):
            table.append(GraphNode(node, [d(J, J) + " = 1"], [d(J, node) + " = 1"],
                                   d(J, node) + " = 1"))
    lsup = _sup(L)
    grad_a = (c * tensors.grad_out).applyfunc(evaluate)  # dJ/da^(L)
    local = f"{_scale_tex(c)}\\nabla_{{a{lsup}}} \\ell"
    table.append(GraphNode(f"a{lsup}", [d(J, data) + " = 1"], [d(data, f"a{lsup}") + f" = {local}"],
                           d(J, f"a{lsup}")))
    rows.append(Row(d(J, f"a{lsup}"), [(EQ, local), *m.result(o(grad_a), None)]))
    for t in reversed(tensors.layers):
        lsup, psup = _sup(t.index), _sup(t.index - 1)
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
                                 (_relation(m, grad_a, t.dphi),
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
            nums += f" + 1 \\times {b.tex(lam)} {m.tex(t.W if column else t.W.T)}"
            operands.append(t.W)
        gw = gw.applyfunc(evaluate)
        table.append(GraphNode(w, ups, locs, formula))
        rows.append(Row(d(J, w), [(EQ, formula), (_relation(m, *operands), nums),
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
            below = _sup(t.index - 1)
            formula = f"\\left({w}\\right){T} {zz}" if column else f"{zz} \\left({w}\\right){T}"
            grad_a = (t.W.T * grad_z).applyfunc(evaluate)
            arith = m.shown(t.W).T * m.shown(grad_z)
            nums = f"{m.tex(t.W.T)} {m.tex(grad_z)}" if column \
                else f"{m.tex(grad_z.T)} {m.tex(t.W)}"
            table.append(GraphNode(f"a{below}", [zz], [w], formula))
            rows.append(Row(d(J, f"a{below}"), [
                (EQ, formula), (_relation(m, t.W, grad_z), nums),
                *m.result(o(grad_a), o(arith), t.W, grad_z)]))
    return GraphView(layout, table, rows, values)


def agreement(b: _Builder, views: dict[str, dict[str, Number]]) -> Agreement:
    """Each parameter's gradient in every view, and the largest difference between them."""
    rows: list[tuple[str, ...]] = []
    ok = True
    for name in b.d.params:
        found = [views[v][name] for v in views]
        gap = max(abs(evaluate(x - found[0])) for x in found)
        size = max(abs(x) for x in found)
        same = gap == 0 or gap <= sp.Float(10) ** -40 * max(size, 1)
        ok = ok and bool(same)
        rows.append((b.tex(b.net[name].symbol), *(cell(b.style, x) for x in found),
                     _scientific(float(gap))))
    return Agreement(rows, list(views), ok)


def build_views(b: _Builder, names: list[str], layout: str) -> dict:
    """The requested views (besides the paths, which the document builds) and their check."""
    d = b.d
    tensors = compute(d.spec, d.params)
    out: dict = {}
    values: dict[str, dict[str, Number]] = {}
    if "paths" in names:
        values["paths"] = {n: c.value for n, c in d.chains.items()}
    if "deltas" in names:
        out["deltas"] = deltas_view(b)
        values["deltas"] = out["deltas"].values
    if "matrix" in names:
        out["matrix"] = matrix_view(b, tensors, layout)
        values["matrix"] = out["matrix"].values
    if "graph" in names:
        out["graph"] = graph_view(b, tensors, layout)
        values["graph"] = out["graph"].values
    if len(values) > 1:
        out["agreement"] = agreement(b, values)
    return out
