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
from collections import deque
from functools import lru_cache

import sympy as sp

from symbp.engine.names import GREEK, name_latex
from symbp.engine.rules import activation
from symbp.engine.spec import Spec
from symbp.figures.geometry import (
    LABEL_PT,
    LINE_WIDTH_CM,
    MAX_UNITS,
    PAD,
    Arrow,
    Box,
    Label,
    Picture,
    Shape,
    clip,
    text_size,
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


#: Room kept free around a label, and between a label and a shape (cm).
CLEAR = 0.06
#: Where along an edge (a fraction of the way between the centres) a label may sit.
_STOPS = tuple(sorted((i / 20 for i in range(2, 19)), key=lambda t: (abs(t - 0.5), t)))


def network_picture(spec: Spec, highlight: str | None = None, values: bool = True,
                    style: Style | None = None) -> Picture:
    """Inputs, units and outputs as circles; weights on the edges; biases under the units.

    ``highlight`` names a parameter: the edges its gradient flows along (its own
    edge and every path from its unit to the outputs) are drawn in red.  Every
    edge label is placed where it overlaps no other text and no shape (see
    :func:`_arrange`).
    """
    style = style or Style()
    gap, rise, shown, ats = _arrange(spec, values, style)
    pic = _network(spec, highlight, shown, style, gap, rise)
    for arrow, at in zip(pic.arrows, ats):
        arrow.at = at
    return pic


@lru_cache(maxsize=32)
def _arrange(spec: Spec, values: bool, style: Style
             ) -> tuple[float, float, bool, tuple[float, ...]]:
    """The gaps between columns and rows, whether values are shown, where labels sit.

    For each spacing of the rows, the layout widens the gaps between the layers until
    each label has a place of its own, and on while that leaves fewer labels crossed
    by other edges, up to the line width; of these it keeps the arrangement with the
    fewest crossed labels, then the smallest.  Values are shown when they fit within
    the line width with few labels crossed; else the labels are names only (the values
    are in the page's table of parameters).  Cached: the highlighted pictures of one
    network share the arrangement.
    """
    widest = (LINE_WIDTH_CM - 2) / len(spec.layers)
    for shown in ((True, False) if values else (False,)):
        if shown and _place_labels(_network(spec, None, True, style, widest, _RISES[-1])) is None:
            continue  # values find no places even with the most room: names only
        best: tuple[int, float, float, float, tuple[float, ...]] | None = None
        for rise in _RISES:
            found = 0
            gap = 2.2
            while gap <= widest and found < 2:
                pic = _network(spec, None, shown, style, gap, rise)
                crossed = _place_labels(pic)
                if crossed is not None:
                    found += 1
                    x0, y0, x1, y1 = pic.bounds
                    this = (crossed, (x1 - x0) * (y1 - y0), gap, rise,
                            tuple(a.at for a in pic.arrows))
                    best = this if best is None or this[:2] < best[:2] else best
                    if crossed == 0:
                        break
                gap += 0.5
        labels = sum(a.label is not None for a in pic.arrows)
        if best is not None and (not shown or best[0] <= labels // 4):
            return best[2], best[3], shown and not pic.abridged, best[4]
    gap, rise = widest, _RISES[-1]
    while True:  # ends: wide enough gaps leave every name a place of its own
        gap += 0.5
        pic = _network(spec, None, False, style, gap, rise)
        if _place_labels(pic) is not None:
            return gap, rise, False, tuple(a.at for a in pic.arrows)


#: Spacings of the rows (cm) the layout tries.
_RISES = (1.8, 2.2, 2.6)


def _network(spec: Spec, highlight: str | None, values: bool, style: Style,
             gap_x: float, gap_y: float) -> Picture:
    """The shapes and arrows, the labels not yet placed."""
    pic = Picture()
    columns = [list(spec.input_names)] + [list(layer.units) for layer in spec.layers]
    drawn: list[list[int | None]] = [_shown_units(len(c)) for c in columns]
    pic.abridged = any(None in d for d in drawn)
    labels = not pic.abridged
    pic.values = values and labels
    on_path = _highlighted(spec, highlight)

    for ci, (names, shown) in enumerate(zip(columns, drawn)):
        top = (len(shown) - 1) / 2 * gap_y
        for row, index in enumerate(shown):
            y = top - row * gap_y
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
                    value = _number(style, bias[1]) if pic.values else ""
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
                    value = _number(style, layer.weights[k][j]) if pic.values else ""
                    label = name_label(layer.weight_names[k][j], value)
                pic.arrows.append(Arrow(f"c{ci - 1}-{j}", f"c{ci}-{k}", label, 0.5,
                                        (ci, j, k) in on_path["edges"]))
    return pic


def _place_labels(pic: Picture) -> int | None:
    """Give each edge label a place along its edge clear of every shape, note and label.

    Edge by edge, the hardest to place first: of the places clear of shapes, notes
    and the labels already placed, the one crossed by the fewest other edges (so that
    a label reads as its own edge's), then the nearest the middle.  A label with no
    such place takes the place that displaces the fewest labels, and those are placed
    again (a bounded number of times).  The number of labels crossed by other edges,
    or None when some label finds no place (the caller then widens the picture).
    """
    places, others = _free_places(pic)
    if any(not p for p in places.values()):
        return None
    crossings: dict[tuple[int, float], int] = {}  # counted when first needed

    def crossed(key: int, t: float, box: Box) -> int:
        if (key, t) not in crossings:
            crossings[key, t] = sum(_crosses(seg, box) for seg in others[key])
        return crossings[key, t]

    by_key = {id(a): a for a in pic.arrows}
    placed: dict[int, tuple[Box, bool]] = {}  # id of an arrow -> its label's box, crossed
    queue = deque(sorted(places, key=lambda k: len(places[k])))
    moves = len(queue) // 2
    while queue:
        key = queue.popleft()
        best: tuple[float, float, Box, list[int]] | None = None  # cost, place, box, displaced
        for t, box, clear in places[key]:
            displaced = [k for k, (other, _) in placed.items() if box.intersects(other)]
            if best is not None and 100 * len(displaced) > best[0]:
                continue
            cost = 100 * len(displaced) + crossed(key, t, box) + abs(t - 0.5) / 2
            if best is None or cost < best[0]:
                best = (cost, t, clear, displaced)
                if cost < 1:  # clear, crossed by no other edge, and the nearest the middle
                    break
        assert best is not None
        cost, at, clear, displaced = best
        if displaced and moves < len(displaced):
            return None
        by_key[key].at = at
        for k in displaced:
            del placed[k]
            queue.append(k)
        moves -= len(displaced)
        placed[key] = (clear, cost % 100 >= 1)
    return sum(crossed for _, crossed in placed.values())


def _free_places(pic: Picture) -> tuple[dict[int, list[tuple[float, Box, Box]]],
                                         dict[int, list[tuple[float, float, float, float]]]]:
    """For each labelled arrow (by id), the places along it clear of shapes and notes
    (where along it, the label's box, that box with its margin), and the other edges
    between the same two columns."""
    by_id = {s.id: s for s in pic.shapes}
    notes = [box.grown(CLEAR) for s in pic.shapes if (box := s.note_box) is not None]
    # edges with their ends at the outlines, by the pair of columns they join
    bands: dict[tuple[float, float], list[tuple[int, tuple[float, float, float, float]]]] = {}
    for arrow in pic.arrows:
        a, b = by_id[arrow.source], by_id[arrow.target]
        bands.setdefault((a.x, b.x), []).append((id(arrow), (*clip(a, b), *clip(b, a))))
    places, near_edges = {}, {}
    for arrow in pic.arrows:
        if arrow.label is None:
            continue
        a, b = by_id[arrow.source], by_id[arrow.target]
        near = [(s, s.box.grown(CLEAR)) for s in pic.shapes if s.x in (a.x, b.x)]
        near_edges[id(arrow)] = [seg for k, seg in bands[(a.x, b.x)] if k != id(arrow)]
        width, height = text_size(arrow.label, LABEL_PT)
        width, height = width + 2 * PAD, height + 2 * PAD
        free = []
        for t in _STOPS:
            box = Box.around(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y), width, height)
            clear = box.grown(CLEAR)
            if any(outer.intersects(clear) and s.meets(clear) for s, outer in near) \
                    or any(box.intersects(n) for n in notes):
                continue
            free.append((t, box, clear))
        places[id(arrow)] = free
    return places, near_edges


def _crosses(segment: tuple[float, float, float, float], box: Box) -> bool:
    """Whether a line segment passes through a box (Liang and Barsky's clipping)."""
    x0, y0, x1, y1 = segment
    if max(x0, x1) <= box.x0 or min(x0, x1) >= box.x1 or max(y0, y1) <= box.y0 \
            or min(y0, y1) >= box.y1:
        return False
    dx, dy = x1 - x0, y1 - y0
    low, high = 0.0, 1.0
    for p, q in ((-dx, x0 - box.x0), (dx, box.x1 - x0), (-dy, y0 - box.y0), (dy, box.y1 - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        r = q / p
        if p < 0:
            low = max(low, r)
        else:
            high = min(high, r)
        if low > high:
            return False
    return True


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



def graph_picture(spec: Spec) -> Picture:
    """The layer-level computational graph: variables, parameters and operators.

    Data flows left to right along the middle row (x, x, z, phi, a, ..., l, L);
    parameters sit above the operators they feed; with an L2 term, its branch
    rises above the weights and meets the loss at the final + that gives J.
    Each shape is as wide as its text needs, and the next one starts after it.
    """
    pic = Picture()
    step, gap = 1.15, 0.3
    row: list[Shape] = []

    def add(id_: str, kind: str, label: Label, px: float, py: float = 0.0) -> str:
        pic.shapes.append(Shape(id_, kind, label, px, py))
        return id_

    def then(id_: str, kind: str, label: Label) -> str:
        """A shape on the middle row, right of the last one and clear of it."""
        shape = Shape(id_, kind, label, 0.0, 0.0)
        if row:
            last = row[-1]
            shape.x = max(last.x + step, last.x + last.half_width + gap + shape.half_width)
        row.append(shape)
        pic.shapes.append(shape)
        return id_

    prev = then("a0", "variable", _layered("a", 0))
    weights = []
    for li, layer in enumerate(spec.layers, start=1):
        mul = then(f"mul{li}", "operator", Label(r"\times", "×"))
        w = add(f"W{li}", "parameter", _layered("W", li), row[-1].x, 1.3)
        weights.append(w)
        pic.arrows += [Arrow(prev, mul), Arrow(w, mul)]
        prev = mul
        if layer.bias:
            plus = then(f"add{li}", "operator", Label("+", "+"))
            b = add(f"b{li}", "parameter", _layered("b", li), row[-1].x, 1.3)
            pic.arrows += [Arrow(prev, plus), Arrow(b, plus)]
            prev = plus
        z = then(f"z{li}", "variable", _layered("z", li))
        pic.arrows.append(Arrow(prev, z))
        prev = z
        rule = activation(layer.activation)
        # \mathrm, not \operatorname: a TikZ picture compiles without amsmath
        tex, text = rule.tex.replace(r"\operatorname", r"\mathrm"), rule.label
        if tex:
            phi = then(f"phi{li}", "operator", Label(tex, text))
            a = then(f"a{li}", "variable", _layered("a", li))
            pic.arrows += [Arrow(prev, phi), Arrow(phi, a)]
            prev = a
    loss = then("loss", "operator", Label(r"\ell", "ℓ"))
    x = row[-1].x
    y = add("y", "variable", Label("y", "y"), x, -1.3)
    pic.arrows += [Arrow(prev, loss), Arrow(y, loss)]
    data = spec.data_loss_name if spec.l2 is not None else spec.loss_name
    L = then("L", "variable", name_label(data))
    x = row[-1].x
    pic.arrows.append(Arrow(loss, L))
    if spec.l2 is not None:
        x_l2 = sum(pic.shape(w).x for w in weights) / len(weights)
        reg = add("l2", "operator", Label(r"\ell_2", "ℓ", "2"), x_l2, 2.6)
        pic.arrows += [Arrow(w, reg) for w in weights]
        s = add("s", "variable", Label("s", "s"), x, 2.6)
        pic.arrows.append(Arrow(reg, s))
        total = add("sum", "operator", Label("+", "+"), x + step, 1.3)
        J = add("J", "variable", name_label(spec.loss_name), x + step, 1.3)
        right = pic.shape(J)
        right.x += max(step, pic.shape(total).radius + gap + right.half_width)
        pic.arrows += [Arrow(L, total), Arrow(s, total), Arrow(total, J)]
    return pic
