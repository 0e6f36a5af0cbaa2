"""The derivation page: the network, the forward pass, the loss, the gradients, the update.

:func:`build_document` turns a :class:`~symbp.engine.derivation.Derivation` into
a :class:`~symbp.page.model.Document`; the templates add the prose.
"""

from __future__ import annotations

from collections.abc import Sequence

from symbp.engine.derivation import Derivation
from symbp.engine.names import name_latex
from symbp.engine.numbers import Number
from symbp.engine.passes import Forward
from symbp.page.breaks import width
from symbp.page.compact import layer_parameters, update_matrices, update_table, worked_parameters
from symbp.page.deltas import delta_gradient, error_term_cells, table_row
from symbp.page.display import APPROX, EQ, Style
from symbp.page.matrices import T, bmatrix, sup
from symbp.page.model import Block, CompactLayer, Document, Gradient, Row, UnitGroup
from symbp.page.rows import RowBuilder, scientific, uses
from symbp.page.views import build_views

#: A loss definition wider than this (em) is displayed, not run into the sentence.
INLINE = 16.0
#: A full page of more parameters than this groups their gradients by unit.
GROUPED = 20
#: A table of parameters longer than this gives way to one matrix per layer.
TABLE_ROWS = 20
DETAILS = ("full", "compact")


def build_document(
    d: Derivation,
    style: Style | None = None,
    only: list[str] | None = None,
    lemmas: bool = False,
    checks: dict[str, tuple[float, float | None]] | None = None,
    views: tuple[str, ...] = ("paths",),
    layout: str = "column",
    detail: str = "full",
    label_prefix: str = "symbp",
) -> Document:
    """Everything a derivation page prints, in order, as LaTeX snippets.

    ``checks`` gives, per parameter, the relative differences to finite differences
    and to PyTorch (None without torch), to print under each gradient.
    ``detail="compact"`` works one parameter per layer through the chain rule (those
    of ``only``, if given) and gives every other gradient as a table row.
    ``label_prefix`` starts every equation label, so that two pages in one
    LaTeX document do not clash.
    """
    if detail not in DETAILS:
        raise ValueError(f"unknown detail {detail!r}; expected one of {', '.join(DETAILS)}")
    style = style or Style()
    b = RowBuilder(d, style, label_prefix)
    spec, net = d.spec, d.network
    count = len(spec.samples)

    # Backwards, as backpropagation goes: the output layer first, whose partials the
    # layers before it reuse.
    backwards = [n for layer in reversed(spec.layers)
                 for n in [*(w for row in layer.weight_names for w in row), *layer.bias_names]]
    names = only if only else backwards
    for name in names:
        if name not in d.chains:
            raise KeyError(name)
    compact = detail == "compact"
    # a full page of many parameters works one per layer through the paths, as a compact
    # page does, and gives the others unit by unit from the error terms, in displays
    grouped = detail == "full" and not only and len(d.params) > GROUPED
    if compact or grouped:
        names = [n for n in backwards if n in set(only or worked_parameters(spec))]

    def blocks(fwd: Forward, loss: bool) -> list[Block]:
        return [Block(b.node_rows(fwd, s, loss), s + 1 if b.many else None) for s in range(count)]

    forward = blocks(d.forward, False)
    loss_blocks = blocks(d.forward, True)
    top_rows = b.top_rows(d.forward)
    gradients = []
    if (compact or grouped) and "paths" in views:
        # every table row multiplies an error term: derive them all, once
        b.needed_deltas = {net.delta_node(u).name for layer in spec.layers for u in layer.units}
    for name in names if "paths" in views else []:
        gradient = b.gradient(d.chains[name])
        if checks is not None and name in checks:
            fd, torch = checks[name]
            gradient.check = (scientific(fd), None if torch is None else scientific(torch))
        gradients.append(gradient)
    error_terms = b.error_term_rows(numbered=not compact, rows_of=b.tabled if compact else None) \
        if b.needed_deltas and "paths" in views else []
    # a compact page gives the error terms as a table: unit, formula, numbers, value
    error_table = [error_term_cells(row) for row in error_terms] if compact else []
    if compact:
        error_terms = []
    number_rows(error_terms, gradients, b)
    layers = []
    if grouped and "paths" in views:
        layers = unit_groups(b, gradients)
    if compact and "paths" in views:
        by_name = {g.parameter: g for g in gradients}
        for k, names_here in enumerate(layer_parameters(spec)):
            layers.append(CompactLayer(
                len(spec.layers) - k,
                [by_name[n] for n in names_here if n in by_name],
                [table_row(b, n) for n in names_here if n not in by_name]))
            b.in_tables.update(n for n in names_here if n not in by_name)
    extra = build_views(b, list(views), layout)
    b.after = True  # the same names would stand for new values: mark them with a +
    after = blocks(d.after, False)
    after_loss = blocks(d.after, True)
    after_top = b.top_rows(d.after)
    b.after = False

    obj_tex = b.tex(net.objective.symbol)
    params = []
    for layer_index, layer in enumerate(spec.layers):
        sources = spec.input_names if layer_index == 0 else spec.layers[layer_index - 1].units
        for k, row in enumerate(layer.weight_names):
            for j, wname in enumerate(row):
                params.append((b.tex(net[wname].symbol), b.cell(layer.weights[k][j]),
                               name_latex(sources[j]), name_latex(layer.units[k])))
        for j, bname in enumerate(layer.bias_names):
            units = layer.units if layer.bias_shared else [layer.units[j]]
            params.append((b.tex(net[bname].symbol), b.cell(layer.bias[j]),
                           "1", ", ".join(name_latex(u) for u in units)))

    conventions = ["numbering", "partials"]
    matrices = parameter_matrices(b) if len(params) > TABLE_ROWS else []
    updates = update_matrices(b)  # a long list: one matrix equation per layer

    if any(layer.activation != "identity" for layer in spec.layers):
        conventions.append("net_out")
    conventions.append(f"loss_{spec.loss}")
    if count > 1:
        conventions.append(f"reduction_{spec.reduction}")
    if {"relu", "leaky_relu"} & {layer.activation for layer in spec.layers}:
        conventions.append("relu_zero")
    conventions.append("numbers")

    history = [(str(k), b.cell(v)) for k, v in enumerate(d.history)] if spec.steps > 1 else []
    final = [(b.tex(net[n].symbol), b.cell(v)) for n, v in d.final.items()] \
        if spec.steps > 1 else []

    lemma_keys: list[str]
    lemma_keys = [k for k in ("sigmoid", "tanh", "relu", "leaky_relu", "softmax_ce", "l2")
                  if k in uses(d)] if lemmas else []

    definition = b.tex(net.sample_loss.expr)
    return Document(
        title=spec.title,
        spec_source=spec.source,
        loss_key=spec.loss,
        loss_tex=obj_tex,
        loss_definition=definition,
        loss_row=Row(b.tex(net.sample_loss.symbol), [(EQ, definition)])
        if width(definition) > INLINE else None,
        sample_loss_tex=b.tex(net.sample_loss.symbol),
        data_loss_definition=next(
            (b.tex(n.expr) for n in net.nodes.values() if n.kind == "data_loss"), ""),
        learning_rate=b.tex(style.show(spec.learning_rate).shown),
        l2=b.tex(style.show(spec.l2).shown) if spec.l2 is not None else None,
        reduction=spec.reduction,
        sample_count=count,
        activations=[(i + 1, layer.activation, [name_latex(u) for u in layer.units])
                     for i, layer in enumerate(spec.layers)],
        inputs=[[(b.tex(net[n].symbol, s), b.cell(x))
                 for n, x in zip(spec.input_names, sample.inputs)]
                for s, sample in enumerate(spec.samples)],
        targets=[[(b.tex(net[n].symbol, s), b.cell(t))
                  for n, t in zip(spec.target_names, sample.targets)]
                 for s, sample in enumerate(spec.samples)],
        parameters=[] if matrices else params,
        parameter_matrices=matrices,
        frozen=[b.tex(net[n].symbol) for n in d.params if n in spec.frozen],
        conventions=conventions,
        uses=uses(d),
        digits=style.digits,
        forward=forward,
        loss=loss_blocks,
        top=Block(top_rows) if top_rows else None,
        error_terms=error_terms,
        gradients=gradients,
        updates=updates or b.update_rows(),
        after=after,
        after_loss=after_loss,
        after_top=Block(after_top) if after_top else None,
        loss_before=b.cell(d.loss),
        loss_after=b.cell(d.loss_after),
        decreased=d.loss_after < d.loss,
        history=history,
        final=final,
        lemmas=lemma_keys,
        steps=spec.steps,
        views=tuple(views),
        layout=layout,
        data_loss_tex=name_latex(spec.data_loss_name if spec.l2 is not None else spec.loss_name),
        matrix_bias=any(layer.bias for layer in spec.layers),
        detail=detail,
        compact=layers,
        error_table=error_table,
        update_table=update_table(b) if compact and not updates else [],
        **extra,
    )


def parameter_matrices(b: RowBuilder) -> list[Row]:
    """Each layer's weights as a matrix (row k: the weights into unit k, as the conventions
    say), names = values, and its biases as a row vector; a shared bias is one number."""
    spec, net = b.d.spec, b.d.network
    rows = []

    def values(cells: Sequence[Sequence[Number]]) -> tuple[str, str]:
        exact = all(b.show(v).exact for r in cells for v in r)
        return (EQ if exact else APPROX,
                bmatrix([[b.tex(b.show(v).shown) for v in r] for r in cells]))

    for number, layer in enumerate(spec.layers, 1):
        if layer.weight_names:
            names = bmatrix([[b.tex(net[w].symbol) for w in r] for r in layer.weight_names])
            rows.append(Row(f"W{sup(number)}", [(EQ, names), values(layer.weights)]))
        if layer.bias_shared and layer.bias_names:
            shown = b.show(layer.bias[0])
            rows.append(Row(b.tex(net[layer.bias_names[0]].symbol),
                            [(EQ if shown.exact else APPROX, b.tex(shown.shown))]))
        elif layer.bias_names:
            names = bmatrix([[b.tex(net[n].symbol) for n in layer.bias_names]])
            rows.append(Row(f"\\left(b{sup(number)}\\right){T}",
                            [(EQ, names), values([list(layer.bias)])]))
    return rows


def unit_groups(b: RowBuilder, gradients: list[Gradient]) -> list[CompactLayer]:
    """Per layer, output first: its worked gradient, then the gradients of the parameters
    into each unit (a shared bias on its own), each as error term x input."""
    spec, net = b.d.spec, b.d.network
    worked = {g.parameter: g for g in gradients}
    layers = []
    for number in range(len(spec.layers), 0, -1):
        layer = spec.layers[number - 1]
        groups = []
        for k, unit in enumerate(layer.units):
            names = [*layer.weight_names[k]] if layer.weight_names else []
            if layer.bias_names and not layer.bias_shared:
                names.append(layer.bias_names[k])
            groups.append((name_latex(unit), names))
        if layer.bias_names and layer.bias_shared:
            groups.append(("", list(layer.bias_names)))
        out = []
        for unit, names in groups:
            names = [n for n in names if n not in worked]
            if names:
                out.append(UnitGroup(unit, [b.tex(net[n].symbol) for n in names],
                                     [delta_gradient(b, net[n], net.objective)[0]
                                      for n in names]))
                b.in_tables.update(names)
        layers.append(CompactLayer(number, [g for n, g in worked.items()
                                            if n in {w for r in layer.weight_names for w in r}
                                            | set(layer.bias_names)], [], out))
    return layers


def number_rows(error_terms: list[Row], gradients: list[Gradient], b: RowBuilder) -> None:
    """Number the labelled rows in the order the page prints them (Markdown's \\tag), and
    give each gradient the rows its chain cites."""
    count = 0
    for row in [*error_terms, *(r for g in gradients for r in g.factors)]:
        if row.label:
            count += 1
            row.number = count
    for g in gradients:
        g.cites = b.cited(g.parameter)
