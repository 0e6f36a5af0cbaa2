"""The error-terms view: every unit's delta_j = dJ/dnet_j from the output back, then each
gradient as its error term times the input it multiplies (the scalar backward pass's numbers).
"""

from __future__ import annotations

import sympy as sp

from symbp.engine.graph import Node
from symbp.engine.numbers import Number, cancelled, evaluate
from symbp.page.display import APPROX, EQ, plus, prod, step_relation
from symbp.page.model import (
    DeltasView,
    Row,
)
from symbp.page.rows import RowBuilder


def deltas_view(b: RowBuilder) -> DeltasView:
    """Every unit's error term from the output back, then every gradient from them.

    Error terms the page already derives (numbered, in the gradients' section) are
    cited, not written again.
    """
    d, net = b.d, b.net
    deltas = [net.delta_node(u).name for layer in d.spec.layers for u in layer.units]
    b.needed_deltas = set(deltas)
    on_page = {key[1] for key in b.labelled if isinstance(key, tuple) and key[0] == "delta"}
    rows = b.error_term_rows(skip=on_page | b.tabled)
    cited = [row for name in deltas[::-1] if name in on_page
             for row in b.labelled[("delta", name)]]
    gradients, values = [], {}
    obj = net.objective
    for layer in reversed(d.spec.layers):
        names = [w for row in layer.weight_names for w in row] + list(layer.bias_names)
        for name in names:
            row, value = delta_gradient(b, net[name], obj)
            if name not in b.in_tables:  # else the same row stands in a compact table
                gradients.append(table_row(b, name, row))
            values[name] = value
    return DeltasView(rows, gradients, values, sorted(cited, key=lambda r: r.number),
                      in_table=bool(b.tabled))


def delta_gradient(b: RowBuilder, param: Node, obj: Node) -> tuple[Row, Number]:
    """dJ/dp = sum over what p feeds of (its error term) x (what p multiplies)."""
    d = b.d
    count = len(d.forward.samples)
    symbolic, numeric, total, exact = [], [], sp.Integer(0), True
    largest: Number = sp.Integer(0)
    for e in param.children:
        upper = b.upper(e.child) if e.child is not obj else sp.Integer(1)
        local = e.local
        symbolic.append(b.over_samples(prod(upper, local) if local != 1 else upper,
                                       [e.child]))
        grads = d.error_terms[e.child.name] if e.child is not obj else sp.Integer(1)
        locals_ = d.forward.edges[e]
        for s in range(count if isinstance(grads, list) else 1):
            g = grads[s] if isinstance(grads, list) else grads
            v = locals_[s] if isinstance(locals_, list) else locals_
            total += g * v
            largest = max(largest, abs(g * v))
            gs, vs = b.show(g), b.show(v)
            exact = exact and gs.exact and vs.exact
            if local == 1:
                numeric.append(gs.shown)
            elif b.constant_upstream(e.child):  # dJ/ds = 1: no "1 x" in the numbers
                numeric.append(vs.shown)
            else:
                numeric.append(prod(gs.shown, vs.shown))
    value = cancelled(evaluate(total), largest)
    shown = b.show(value)
    lhs = b.tex(b.partial(obj, param))
    total_numeric = plus(*numeric)
    steps: list[tuple[str, str | list[str]]] = [
        (EQ, b.terms(symbolic, None) if len(symbolic) > 1 else b.tex(symbolic[0])),
        (EQ if exact else APPROX, b.terms(numeric)),
        (step_relation(total_numeric, shown), b.tex(shown.shown)),
    ]
    if len(numeric) == 1 and not numeric[0].args:
        steps = [steps[0], (shown.relation, b.tex(shown.shown))]
    return Row(lhs, steps), value




def _text(step: str | list[str]) -> str:
    return " ".join(step) if isinstance(step, list) else step


def table_row(b: RowBuilder, name: str, row: Row | None = None) -> tuple[str, str, str, str]:
    """(parameter, error term x input in symbols, the numbers, the gradient): a gradient's
    row of this view cut into table cells, each with its relation to the cell before."""
    if row is None:
        row = delta_gradient(b, b.net[name], b.net.objective)[0]
    param = b.tex(b.net[name].symbol)
    symbolic = _text(row.steps[0][1])
    result = f"{row.steps[-1][0]} {row.steps[-1][1]}"
    if len(row.steps) == 2:  # a single number: nothing to multiply
        return param, symbolic, "", result
    relation, numbers = row.steps[1]
    return param, symbolic, f"{relation} {_text(numbers)}", result


def error_term_cells(row: Row) -> tuple[str, str, str, str]:
    """(error term, from the error terms after it, the numbers, the value): an error-term
    row cut into table cells, each with its relation to the cell before."""
    delta = row.lhs  # "delta_j = dJ/dnet_j": the partial names the sample, if any
    numbers: str | list[str]
    if len(row.steps) == 2:  # the numbers are the value itself: no arithmetic to show
        (_, symbolic), (result_relation, result) = row.steps
        numbers, relation = "", ""
    else:
        (_, symbolic), (relation, numbers), (result_relation, result) = row.steps

    def inline(step: str | list[str]) -> str:  # brackets sized for text, not display
        return _text(step).replace("\\biggl", "\\bigl").replace("\\biggr", "\\bigr")

    return (delta, inline(symbolic), f"{relation} {inline(numbers)}".strip(),
            f"{result_relation} {result}")
