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

from symbp.engine.numbers import Number
from symbp.engine.tensors import compute
from symbp.page.agreement import agreement
from symbp.page.deltas import deltas_view
from symbp.page.graphview import graph_view
from symbp.page.matrix import matrix_view
from symbp.page.rows import RowBuilder

VIEWS = ("paths", "deltas", "matrix", "graph")
LAYOUTS = ("column", "row")


def build_views(b: RowBuilder, names: list[str], layout: str) -> dict:
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
