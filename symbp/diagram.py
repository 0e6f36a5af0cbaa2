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
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import sympy as sp

from .display import Style
from .latex import GREEK, TextbookPrinter, name_latex
from .rules import SOFTMAX
from .spec import Spec

#: Layers wider than this are drawn abridged.
MAX_UNITS = 6
#: Pixels per picture unit in SVG (a unit is a centimetre in TikZ).
PX = 56
#: Widest TikZ picture, in cm, before it is scaled to the line width.
LINE_WIDTH_CM = 16.5

COLOURS = {  # fill colours as (SVG, TikZ)
    "input": ("#e8e8e8", "black!10"),
    "unit": ("#ffffff", "white"),
    "output": ("#fde9c9", "orange!20"),
    "variable": ("#ffffff", "white"),
    "parameter": ("#9ecae1", "blue!30"),
    "operator": ("#deebf7", "cyan!10"),
    "ellipsis": ("none", "white"),
}
HIGHLIGHT = ("#d62728", "red!80!black")
PLAIN_EDGE = ("#555555", "black!60")


@dataclass(frozen=True)
class Label:
    """A label as LaTeX (for TikZ) and as plain text with an optional subscript (for SVG)."""

    tex: str
    text: str
    sub: str = ""
    sup: str = ""
    tail: str = ""  # plain text after the subscript, such as " = 0.15"


@dataclass
class Shape:
    id: str
    kind: str  # input, unit, output, variable, parameter, operator, ellipsis
    label: Label
    x: float
    y: float
    note: Label | None = None  # a second line under the shape (a unit's bias)
    highlighted: bool = False

    @property
    def round(self) -> bool:
        return self.kind in ("input", "unit", "output", "operator")

    @property
    def radius(self) -> float:
        return 0.22 if self.kind == "operator" else 0.38


@dataclass
class Arrow:
    source: str
    target: str
    label: Label | None = None
    at: float = 0.5  # where along the arrow its label sits
    highlighted: bool = False


@dataclass
class Picture:
    shapes: list[Shape] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)
    abridged: bool = False  # some layer was drawn abridged

    def shape(self, id_: str) -> Shape:
        return next(s for s in self.shapes if s.id == id_)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        xs = [s.x for s in self.shapes]
        ys = [s.y for s in self.shapes]
        return min(xs) - 0.9, min(ys) - 1.0, max(xs) + 0.9, max(ys) + 0.7


# --- labels -------------------------------------------------------------------------------

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


def _svg_text(parent: ET.Element, label: Label, x: float, y: float, size: int,
              colour: str = "#000000") -> None:
    text = ET.SubElement(parent, "text", {
        "x": f"{x:.1f}", "y": f"{y:.1f}", "font-size": str(size), "fill": colour,
        "text-anchor": "middle", "dominant-baseline": "central",
        "font-family": "DejaVu Serif, Times New Roman, serif", "font-style": "italic"})
    text.text = label.text
    if label.sub:
        sub = ET.SubElement(text, "tspan", {"font-size": str(int(size * 0.7)), "dy": "4"})
        sub.text = label.sub
    if label.sup:
        sup = ET.SubElement(text, "tspan", {"font-size": str(int(size * 0.7)),
                                            "dy": "-10" if not label.sub else "-8"})
        sup.text = label.sup
    if label.tail:
        tail = ET.SubElement(text, "tspan", {"font-style": "normal", "font-size": str(size),
                                             "dy": "-4" if label.sub else "0"})
        tail.text = label.tail


def to_svg(pic: Picture, title: str = "") -> str:
    """The picture as a standalone SVG document."""
    x0, y0, x1, y1 = pic.bounds
    width, height = (x1 - x0) * PX, (y1 - y0) * PX

    def X(x: float) -> float:
        return (x - x0) * PX

    def Y(y: float) -> float:
        return (y1 - y) * PX

    svg = ET.Element("svg", {"xmlns": "http://www.w3.org/2000/svg",
                             "width": f"{width:.0f}", "height": f"{height:.0f}",
                             "viewBox": f"0 0 {width:.0f} {height:.0f}"})
    if title:
        ET.SubElement(svg, "title").text = title
    defs = ET.SubElement(svg, "defs")
    for name, colour in (("plain", PLAIN_EDGE[0]), ("hot", HIGHLIGHT[0])):
        marker = ET.SubElement(defs, "marker", {
            "id": f"arrow-{name}", "viewBox": "0 0 10 10", "refX": "10", "refY": "5",
            "markerWidth": "7", "markerHeight": "7", "orient": "auto-start-reverse"})
        ET.SubElement(marker, "path", {"d": "M 0 0 L 10 5 L 0 10 z", "fill": colour})
    ET.SubElement(svg, "rect", {"width": "100%", "height": "100%", "fill": "#ffffff"})
    shapes = {s.id: s for s in pic.shapes}
    edges = ET.SubElement(svg, "g", {"class": "edges"})
    labels = []
    for arrow in sorted(pic.arrows, key=lambda a: a.highlighted):
        a, b = shapes[arrow.source], shapes[arrow.target]
        (ax, ay), (bx, by) = _clip(a, b), _clip(b, a)
        colour = HIGHLIGHT[0] if arrow.highlighted else PLAIN_EDGE[0]
        ET.SubElement(edges, "line", {
            "x1": f"{X(ax):.1f}", "y1": f"{Y(ay):.1f}", "x2": f"{X(bx):.1f}",
            "y2": f"{Y(by):.1f}", "stroke": colour,
            "stroke-width": "2.6" if arrow.highlighted else "1.2",
            "marker-end": f"url(#arrow-{'hot' if arrow.highlighted else 'plain'})",
            "class": "edge highlighted" if arrow.highlighted else "edge"})
        if arrow.label is not None:
            lx, ly = a.x + arrow.at * (b.x - a.x), a.y + arrow.at * (b.y - a.y)
            labels.append((arrow, lx, ly))
    nodes = ET.SubElement(svg, "g", {"class": "nodes"})
    for s in pic.shapes:
        if s.kind == "ellipsis":
            _svg_text(nodes, s.label, X(s.x), Y(s.y), 22)
            continue
        fill = COLOURS[s.kind][0]
        stroke = HIGHLIGHT[0] if s.highlighted else "#000000"
        attrs = {"fill": fill, "stroke": stroke, "stroke-width": "2.4" if s.highlighted
                 else "1.2", "class": f"node {s.kind}"}
        r = s.radius * PX
        if s.round:
            ET.SubElement(nodes, "circle", {"cx": f"{X(s.x):.1f}", "cy": f"{Y(s.y):.1f}",
                                            "r": f"{r:.1f}", **attrs})
        else:
            ET.SubElement(nodes, "rect", {"x": f"{X(s.x) - r * 1.2:.1f}",
                                          "y": f"{Y(s.y) - r * 0.8:.1f}",
                                          "width": f"{r * 2.4:.1f}", "height": f"{r * 1.6:.1f}",
                                          "rx": "4", **attrs})
        _svg_text(nodes, s.label, X(s.x), Y(s.y), 15 if s.kind != "operator" else 14)
        if s.note is not None:
            _svg_text(nodes, s.note, X(s.x), Y(s.y - s.radius - 0.28), 12, "#333333")
    group = ET.SubElement(svg, "g", {"class": "labels"})
    for arrow, lx, ly in labels:
        assert arrow.label is not None
        w = (len(arrow.label.text + arrow.label.sub + arrow.label.tail) * 7 + 6)
        colour = HIGHLIGHT[0] if arrow.highlighted else "#000000"
        ET.SubElement(group, "rect", {"x": f"{X(lx) - w / 2:.1f}", "y": f"{Y(ly) - 9:.1f}",
                                      "width": f"{w:.1f}", "height": "18",
                                      "fill": "#ffffff", "fill-opacity": "0.85"})
        _svg_text(group, arrow.label, X(lx), Y(ly), 12, colour)
    for element in svg.iter():  # one element per line; no whitespace inside a text
        if element.tag not in ("text", "tspan"):
            element.text = element.text or ("\n" if len(element) else None)
            element.tail = "\n"
    return ET.tostring(svg, encoding="unicode")


def _clip(a: Shape, b: Shape) -> tuple[float, float]:
    """Where the line from a's centre towards b leaves a's outline."""
    dx, dy = b.x - a.x, b.y - a.y
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    if a.kind == "ellipsis":
        return a.x, a.y
    if a.round:
        r = a.radius
        return a.x + dx / length * r, a.y + dy / length * r
    hw, hh = a.radius * 1.2, a.radius * 0.8
    scale = min(hw / abs(dx) if dx else float("inf"), hh / abs(dy) if dy else float("inf"))
    return a.x + dx * scale, a.y + dy * scale


def to_tikz(pic: Picture) -> str:
    """The picture as a tikzpicture (needs only the tikz package)."""
    x0, y0, x1, y1 = pic.bounds
    lines = [r"\begin{tikzpicture}[x=1cm, y=1cm, >=stealth,",
             r"  every node/.style={font=\small}]"]
    for s in pic.shapes:
        if s.kind == "ellipsis":
            lines.append(f"\\node ({s.id}) at ({s.x:.2f}, {s.y:.2f}) {{${s.label.tex}$}};")
            continue
        shape = "circle" if s.round else "rectangle, rounded corners=2pt"
        size = f"minimum size={2 * s.radius:.2f}cm" if s.round else \
            f"minimum width={2.4 * s.radius:.2f}cm, minimum height={1.6 * s.radius:.2f}cm"
        draw = f"draw={HIGHLIGHT[1]}, very thick" if s.highlighted else "draw"
        lines.append(f"\\node[{shape}, {draw}, fill={COLOURS[s.kind][1]}, {size}, inner sep=1pt]"
                     f" ({s.id}) at ({s.x:.2f}, {s.y:.2f}) {{${s.label.tex}$}};")
        if s.note is not None:
            lines.append(f"\\node[font=\\scriptsize] at ({s.x:.2f}, "
                         f"{s.y - s.radius - 0.28:.2f}) {{${s.note.tex}$}};")
    for arrow in sorted(pic.arrows, key=lambda a: a.highlighted):
        colour = f"{HIGHLIGHT[1]}, very thick" if arrow.highlighted else PLAIN_EDGE[1]
        label = ""
        if arrow.label is not None:
            text_colour = HIGHLIGHT[1] if arrow.highlighted else "black"
            label = (f" node[pos={arrow.at:.2f}, fill=white, fill opacity=0.85, text opacity=1,"
                     f" inner sep=1pt, font=\\scriptsize, text={text_colour}]"
                     f" {{${arrow.label.tex}$}}")
        lines.append(f"\\draw[->, {colour}] ({arrow.source}) --{label} ({arrow.target});")
    lines.append(r"\end{tikzpicture}")
    body = "\n".join(lines)
    if x1 - x0 > LINE_WIDTH_CM:
        body = f"\\resizebox{{\\linewidth}}{{!}}{{%\n{body}%\n}}"
    return body


# --- the pictures of one page ------------------------------------------------------------


@dataclass
class Figure:
    """One picture of a page: TikZ for LaTeX, SVG for the web, and the file it goes to."""

    key: str  # "network", "graph", or a parameter's name
    picture: Picture
    file: str | None = None  # the SVG's file name beside the Markdown page

    @property
    def tikz(self) -> str:
        return to_tikz(self.picture)

    @property
    def svg(self) -> str:
        return to_svg(self.picture, self.key)


@dataclass
class Figures:
    network: Figure
    graph: Figure | None
    paths: dict[str, Figure]  # a parameter's name -> its gradient's paths highlighted

    def all(self) -> list[Figure]:
        return [self.network, *([self.graph] if self.graph else []), *self.paths.values()]


def figures(spec: Spec, views: tuple[str, ...], stem: str | None = None,
            style: Style | None = None) -> Figures:
    """The pictures a page with these views shows; files are named ``stem.key.svg``."""
    def named(key: str, pic: Picture) -> Figure:
        return Figure(key, pic, f"{stem}.{key}.svg" if stem else None)

    network = named("network", network_picture(spec, style=style))
    graph = named("graph", graph_picture(spec)) if "graph" in views else None
    paths = {}
    if "paths" in views and not network.picture.abridged:
        for name in spec.parameters():
            paths[name] = named(f"paths-{name}", network_picture(spec, name, values=False))
    return Figures(network, graph, paths)
