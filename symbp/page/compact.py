"""The compact page: one gradient per layer worked through the chain rule, the rest as
table rows (error term x input = gradient, with numbers), and the updates as a table.

By convention the worked parameter of a layer is its first weight
(``layer.weight_names[0][0]``), the one whose paths the figures draw.
"""

from __future__ import annotations

import sympy as sp

from symbp.engine.numbers import evaluate
from symbp.engine.spec import Spec
from symbp.page.display import APPROX, EQ, minus, prod, step_relation
from symbp.page.matrices import T, bmatrix, partial_tex, sup
from symbp.page.model import Row
from symbp.page.rows import RowBuilder

#: More parameters than this: the updates as one matrix equation per layer.
UPDATE_ROWS = 20


def worked_parameters(spec: Spec) -> list[str]:
    """The parameter worked in full for each layer that has weights, output layer first."""
    return [layer.weight_names[0][0] for layer in reversed(spec.layers) if layer.weight_names]


def layer_parameters(spec: Spec) -> list[list[str]]:
    """Each layer's parameters, weights row by row then biases, output layer first."""
    return [[*(w for row in layer.weight_names for w in row), *layer.bias_names]
            for layer in reversed(spec.layers)]


def update_table(b: RowBuilder) -> list[tuple[str, str, str, str]]:
    """(parameter, value, gradient, value after): w^+ = w - eta dJ/dw, with numbers as shown
    (a frozen parameter keeps its value; the template says so)."""
    spec, d = b.d.spec, b.d
    eta = b.show(spec.learning_rate)
    rows = []
    for name, value in d.params.items():
        tex = b.tex(b.net[name].symbol)
        before, grad, after = b.show(value), b.show(d.gradients[name]), b.show(d.updated[name])
        if name in spec.frozen:
            new = f"{after.relation} {b.tex(after.shown)}"
        else:
            numeric = minus(before.shown, prod(eta.shown, grad.shown))
            new = f"{step_relation(numeric, after)} {b.tex(after.shown)}"
        rows.append((tex, b.cell(value), b.cell(d.gradients[name]), new))
    return rows



def update_matrices(b: RowBuilder) -> list[Row]:
    """W^(l)+ = W^(l) - eta dJ/dW^(l), with the matrices of shown numbers and the result,
    per layer, and the same for its bias vector; [] for a short list or a frozen
    parameter (a matrix equation cannot keep one entry as it was)."""
    spec, d = b.d.spec, b.d
    if len(d.params) <= UPDATE_ROWS or spec.frozen:
        return []
    eta = b.show(spec.learning_rate)
    obj = b.tex(b.net.objective.symbol)
    rows = []
    for number, layer in enumerate(spec.layers, 1):
        groups = [(f"W{sup(number)}", "", [list(r) for r in layer.weight_names])]
        if layer.bias_names:
            groups.append((f"b{sup(number)}", T, [list(layer.bias_names)]))
        for symbol, t, names in groups:
            if not names or not names[0]:
                continue
            before = [[b.show(d.params[n]) for n in r] for r in names]
            grads = [[b.show(d.gradients[n]) for n in r] for r in names]
            after = [[b.show(d.updated[n]) for n in r] for r in names]
            exact = eta.exact and all(x.exact for m in (before, grads) for r in m for x in r)
            # the printed arithmetic, entry by entry, against the printed result
            redone = [evaluate(minus(x.shown, prod(eta.shown, g.shown)))
                      for rb, rg in zip(before, grads) for x, g in zip(rb, rg)]
            same = all(isinstance(v, sp.Rational) and v == a.shown
                       for v, a in zip(redone, (a for r in after for a in r)))

            def matrix(m):
                return bmatrix([[b.tex(x.shown) for x in r] for r in m])

            wrap = (lambda x: f"\\left({x}\\right){T}") if t else (lambda x: x)
            lhs = f"{symbol[:-1]}+}}"
            rows.append(Row(wrap(lhs),
                            [(EQ, f"{wrap(symbol)} - \\eta {wrap(partial_tex(obj, symbol))}"),
                             (EQ if exact else APPROX,
                              f"{matrix(before)} - {b.tex(eta.shown)} {matrix(grads)}"),
                             (EQ if same else APPROX, matrix(after))]))
    return rows
