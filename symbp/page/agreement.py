"""The agreement of the views: each parameter's gradient as every view computed it."""

from __future__ import annotations

import sympy as sp

from symbp.engine.numbers import Number, evaluate
from symbp.page.model import (
    Agreement,
)
from symbp.page.rows import RowBuilder, cell, scientific


def agreement(b: RowBuilder, views: dict[str, dict[str, Number]]) -> Agreement:
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
                     scientific(float(gap))))
    return Agreement(rows, list(views), ok)


