"""The compact page: one gradient per layer worked through the chain rule, the rest as
table rows (error term x input = gradient, with numbers), and the updates as a table.

By convention the worked parameter of a layer is its first weight
(``layer.weight_names[0][0]``), the one whose paths the figures draw.
"""

from __future__ import annotations

from symbp.engine.spec import Spec
from symbp.page.display import minus, prod, step_relation
from symbp.page.rows import RowBuilder


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

