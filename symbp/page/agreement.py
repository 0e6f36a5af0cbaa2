"""The agreement of the views: each parameter's gradient as every view computed it."""

from __future__ import annotations

import sympy as sp

from symbp.engine.numbers import Number, evaluate
from symbp.page.model import Agreement
from symbp.page.rows import RowBuilder, cell, scientific

#: More parameters than this: the largest difference per view instead of a row each.
TABLE_ROWS = 20


def agreement(b: RowBuilder, views: dict[str, dict[str, Number]]) -> Agreement:
    """Each parameter's gradient in every view, and the largest difference between them."""
    rows: list[tuple[str, ...]] = []
    ok = True
    first, *others = list(views)
    largest = dict.fromkeys(others, sp.Integer(0))
    for name in b.d.params:
        found = [views[v][name] for v in views]
        for v in others:
            largest[v] = max(largest[v], abs(evaluate(views[v][name] - views[first][name])))
        gap = max(abs(evaluate(x - found[0])) for x in found)
        size = max(abs(x) for x in found)
        same = gap == 0 or gap <= sp.Float(10) ** -40 * max(size, 1)
        ok = ok and bool(same)
        rows.append((b.tex(b.net[name].symbol), *(cell(b.style, x) for x in found),
                     scientific(float(gap))))
    # a long table repeats the gradient tables: one line per view says the same
    summary = [(v, scientific(float(largest[v]))) for v in others] \
        if len(rows) > TABLE_ROWS else []
    return Agreement(rows, list(views), ok, summary)


