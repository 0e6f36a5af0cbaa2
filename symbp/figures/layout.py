"""Pictures drawn from the network: the network diagram and the computational graph.

A :class:`Picture` is geometry only (shapes at positions, arrows between them,
labels); :func:`to_svg` and :func:`to_tikz` draw the same picture for the web
and for LaTeX.  Laying out is kept apart from drawing, as walking the graph is
kept apart from printing it.

Readable up to about :data:`MAX_UNITS` units per layer: a wider layer is drawn
abridged (its first units, a vertical ellipsis, its last unit) and edges then
lose their labels; more layers make the picture wider, and LaTeX scales a wide
picture down to the line width.
"""
from __future__ import annotations

import re
import unicodedata

import sympy as sp

from symbp.engine.names import GREEK, name_latex
from symbp.engine.rules import SOFTMAX
from symbp.engine.spec import Spec
from symbp.figures.geometry import (
    MAX_UNITS,
    Arrow,
    Label,
    Picture,
    Shape,
)
from symbp.page.display import Style
from symbp.page.latex import TextbookPrinter

_TRAILING = re.compile(r"^(.*?)(\d+)('*)$")


def _plain(text: str) -> str:
    if text in GREEK:
        word = "LAMDA" if text == "lambda" else text.upper()
        return unicodedata.lookup(f"GREEK SMALL LETTER {word}")
    return text


def name_label(name: str, value: str = "") -> Label:
    """A spec name as a label: w1 is w with subscript 1, in both drawings."""
    tail = f" = {value}" if value else ""
    tex = name_latex(name) + (f" = {value}" if value else "")
    match = _TRAILING.match(name)
    if match and match.group(1) and "_" not in name:
        return Label(tex, _plain(match.group(1)) + match.group(3), match.group(2), "", tail)
    return Label(tex, _plain(name), "", "", tail)


def _layered(base: str, layer: int | str, tex_base: str | None = None) -> Label:
    return Label(f"{tex_base or base}^{{({layer})}}", base, "", f"({layer})")


def _number(style: Style, value: sp.Rational) -> str:
    return TextbookPrinter().doprint(style.show(value).shown)


# --- the network diagram -----------------------------------------------------------------


def _shown_units(count: int) -> list[int | None]:
    """Indices of the units drawn (None for the ellipsis)."""
    if count <= MAX_UNITS:
        return list(range(count))
    return [0, 1, 2, None, count - 1]


def network_picture(spec: Spec, highlight: str | None = None, values: bool = True,
                    style: Style | None = None) -> Picture:
    """Inputs, units and outputs as circles; weights on the edges; biases under the units.

    ``highlight`` names a parameter: the edges its gradient flows along (its own
    edge and every path from its unit to the outputs) are drawn in red.
    """
    style = style or Style()
    pic = Picture()
    columns = [list(spec.input_names)] + [list(layer.units) for layer in spec.layers]
    drawn: list[list[int | None]] = [_shown_units(len(c)) for c in columns]
    pic.abridged = any(None in d for d in drawn)
    labels = not pic.abridged
    gap_x = 3.6 if labels and values else 2.8
    on_path = _highlighted(spec, highlight)

    for ci, (names, shown) in enumerate(zip(columns, drawn)):
        top = (len(shown) - 1) / 2 * 1.8
        for row, index in enumerate(shown):
            y = top - row * 1.8
            if index is None:
                pic.shapes.append(Shape(f"c{ci}-more", "ellipsis",
                                        Label(r"\vdots", "⋮"), ci * gap_x, y))
                continue
            name = names[index]
            kind = "input" if ci == 0 else ("output" if ci == len(columns) - 1 else "unit")
            note = None
            if ci > 0:
                layer = spec.layers[ci - 1]
                bias = layer.bias_of(index)
                if bias is not None:
                    value = _number(style, bias[1]) if values and labels else ""
                    lab = name_label(bias[0], value)
                    note = Label("+" + lab.tex, "+" + lab.text, lab.sub, lab.sup, lab.tail)
            pic.shapes.append(Shape(f"c{ci}-{index}", kind, name_label(name), ci * gap_x, y,
                                    note, (ci, index) in on_path["units"]))

    for li, layer in enumerate(spec.layers):
        ci = li + 1
        targets = [i for i in drawn[ci] if i is not None]
        for k in targets:
            for j in (i for i in drawn[ci - 1] if i is not None):
                label = None
                if labels:
                    value = _number(style, layer.weights[k][j]) if values else ""
                    label = name_label(layer.weight_names[k][j], value)
                at = 0.2 + 0.3 * (targets.index(k) / max(len(targets) - 1, 1))
                pic.arrows.append(Arrow(f"c{ci - 1}-{j}", f"c{ci}-{k}", label, at,
                                        (ci, j, k) in on_path["edges"]))
    return pic


def _highlighted(spec: Spec, parameter: str | None) -> dict[str, set]:
    """Edges (column, from, to) and units (column, index) on the paths of a parameter."""
    found: dict[str, set] = {"edges": set(), "units": set()}
    if parameter is None:
        return found
    start: list[tuple[int, int]] = []
    for li, layer in enumerate(spec.layers):
        for k, row in enumerate(layer.weight_names):
            for j, name in enumerate(row):
                if name == parameter:
                    found["edges"].add((li + 1, j, k))
                    start.append((li + 1, k))
        for k in range(len(layer.units)):
            bias = layer.bias_of(k)
            if bias is not None and bias[0] == parameter:
                start.append((li + 1, k))
    frontier = set(start)
    while frontier:
        found["units"] |= frontier
        nxt = set()
        for ci, k in frontier:
            if ci < len(spec.layers):
                for m in range(len(spec.layers[ci].units)):
                    found["edges"].add((ci + 1, k, m))
                    nxt.add((ci + 1, m))
        frontier = nxt
    return found


# --- the computational graph -------------------------------------------------------------

_PHI = {"identity": ("", ""), "sigmoid": (r"\sigma", "σ"), "tanh": (r"\tanh", "tanh"),
        "relu": (r"\mathrm{ReLU}", "ReLU"), "leaky_relu": (r"\mathrm{LReLU}", "LReLU"),
        SOFTMAX: (r"\mathrm{sm}", "softmax")}


def graph_picture(spec: Spec) -> Picture:
    """The layer-level computational graph: variables, parameters and operators.

    Data flows left to right along the middle row (x, x, z, phi, a, ..., l, L);
    parameters sit above the operators they feed; with an L2 term, its branch
    rises above the weights and meets the loss at the final + that gives J.
    """
    pic = Picture()
    x = 0.0
    step = 1.15

    def add(id_: str, kind: str, label: Label, px: float, py: float = 0.0) -> str:
        pic.shapes.append(Shape(id_, kind, label, px, py))
        return id_

    prev = add("a0", "variable", _layered("a", 0), x)
    weights = []
    for li, layer in enumerate(spec.layers, start=1):
        x += step
        mul = add(f"mul{li}", "operator", Label(r"\times", "×"), x)
        w = add(f"W{li}", "parameter", _layered("W", li), x, 1.3)
        weights.append(w)
        pic.arrows += [Arrow(prev, mul), Arrow(w, mul)]
        prev = mul
        if layer.bias:
            x += step
            plus = add(f"add{li}", "operator", Label("+", "+"), x)
            b = add(f"b{li}", "parameter", _layered("b", li), x, 1.3)
            pic.arrows += [Arrow(prev, plus), Arrow(b, plus)]
            prev = plus
        x += step
        z = add(f"z{li}", "variable", _layered("z", li), x)
        pic.arrows.append(Arrow(prev, z))
        prev = z
        tex, text = _PHI[layer.activation]
        if tex:
            x += step
            phi = add(f"phi{li}", "operator", Label(tex, text), x)
            x += step
            a = add(f"a{li}", "variable", _layered("a", li), x)
            pic.arrows += [Arrow(prev, phi), Arrow(phi, a)]
            prev = a
    x += step
    loss = add("loss", "operator", Label(r"\ell", "ℓ"), x)
    y = add("y", "variable", Label("y", "y"), x, -1.3)
    pic.arrows += [Arrow(prev, loss), Arrow(y, loss)]
    x += step
    data = spec.data_loss_name if spec.l2 is not None else spec.loss_name
    L = add("L", "variable", name_label(data), x)
    pic.arrows.append(Arrow(loss, L))
    if spec.l2 is not None:
        x_l2 = sum(pic.shape(w).x for w in weights) / len(weights)
        reg = add("l2", "operator", Label(r"\ell_2", "ℓ", "2"), x_l2, 2.6)
        pic.arrows += [Arrow(w, reg) for w in weights]
        s = add("s", "variable", Label("s", "s"), x, 2.6)
        pic.arrows.append(Arrow(reg, s))
        x += step
        total = add("sum", "operator", Label("+", "+"), x, 1.3)
        J = add("J", "variable", name_label(spec.loss_name), x + step, 1.3)
        pic.arrows += [Arrow(L, total), Arrow(s, total), Arrow(total, J)]
    return pic


# --- drawing ------------------------------------------------------------------------------


