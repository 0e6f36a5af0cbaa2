"""The SVG writer of a picture, for Markdown pages (ElementTree, so every text is escaped).

Every text is drawn at the centre of the box the picture gives it, at the font size
the layout measured it with (points, converted at :data:`PX` pixels per cm).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

from symbp.figures.geometry import (
    COLOURS,
    HIGHLIGHT,
    PLAIN_EDGE,
    PT,
    PX,
    SCRIPT,
    Label,
    Picture,
    Text,
    clip,
)

FONT = "DejaVu Serif, Times New Roman, serif"


def _px(pt: float) -> float:
    return pt / PT * PX


def _svg_text(parent: ET.Element, label: Label, x: float, y: float, pt: float,
              colour: str = "#000000") -> None:
    size = _px(pt)
    small = size * SCRIPT
    text = ET.SubElement(parent, "text", {
        "x": f"{x:.1f}", "y": f"{y:.1f}", "font-size": f"{size:.1f}", "fill": colour,
        "text-anchor": "middle", "dominant-baseline": "central",
        "font-family": FONT, "font-style": "italic"})
    text.text = label.text
    down = 0.0  # how far the scripts have moved the baseline
    if label.sub:
        down = size * 0.25
        sub = ET.SubElement(text, "tspan", {"font-size": f"{small:.1f}", "dy": f"{down:.1f}"})
        sub.text = label.sub
    if label.sup:
        rise = -size * 0.4 - down
        sup = ET.SubElement(text, "tspan", {"font-size": f"{small:.1f}", "dy": f"{rise:.1f}"})
        sup.text = label.sup
        down += rise
    if label.tail:
        tail = ET.SubElement(text, "tspan", {"font-style": "normal", "font-size": f"{size:.1f}",
                                             "dy": f"{-down:.1f}"})
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
    for arrow in sorted(pic.arrows, key=lambda a: a.highlighted):
        a, b = shapes[arrow.source], shapes[arrow.target]
        (ax, ay), (bx, by) = clip(a, b), clip(b, a)
        colour = HIGHLIGHT[0] if arrow.highlighted else PLAIN_EDGE[0]
        ET.SubElement(edges, "line", {
            "x1": f"{X(ax):.1f}", "y1": f"{Y(ay):.1f}", "x2": f"{X(bx):.1f}",
            "y2": f"{Y(by):.1f}", "stroke": colour,
            "stroke-width": "2.6" if arrow.highlighted else "1.2",
            "marker-end": f"url(#arrow-{'hot' if arrow.highlighted else 'plain'})",
            "class": "edge highlighted" if arrow.highlighted else "edge"})
    nodes = ET.SubElement(svg, "g", {"class": "nodes"})
    for s in pic.shapes:
        if s.kind == "ellipsis":
            continue
        fill = COLOURS[s.kind][0]
        stroke = HIGHLIGHT[0] if s.highlighted else "#000000"
        attrs = {"fill": fill, "stroke": stroke, "stroke-width": "2.4" if s.highlighted
                 else "1.2", "class": f"node {s.kind}"}
        if s.round:
            ET.SubElement(nodes, "circle", {"cx": f"{X(s.x):.1f}", "cy": f"{Y(s.y):.1f}",
                                            "r": f"{s.radius * PX:.1f}", **attrs})
        else:
            box = s.box
            ET.SubElement(nodes, "rect", {"x": f"{X(box.x0):.1f}", "y": f"{Y(box.y1):.1f}",
                                          "width": f"{(box.x1 - box.x0) * PX:.1f}",
                                          "height": f"{(box.y1 - box.y0) * PX:.1f}",
                                          "rx": "4", **attrs})
    group = ET.SubElement(svg, "g", {"class": "labels"})
    hot = {f"{a.source}->{a.target}" for a in pic.arrows if a.highlighted}
    for t in pic.texts():
        _draw_text(group, t, X, Y, HIGHLIGHT[0] if t.owner in hot else "#000000")
    for element in svg.iter():  # one element per line; no whitespace inside a text
        if element.tag not in ("text", "tspan"):
            element.text = element.text or ("\n" if len(element) else None)
            element.tail = "\n"
    return ET.tostring(svg, encoding="unicode")


def _draw_text(group: ET.Element, t: Text, X: Callable[[float], float],
               Y: Callable[[float], float], colour: str) -> None:
    if t.kind == "edge":  # an edge label: white under it, over the lines
        box = t.box
        ET.SubElement(group, "rect", {
            "x": f"{X(box.x0):.1f}", "y": f"{Y(box.y1):.1f}",
            "width": f"{(box.x1 - box.x0) * PX:.1f}", "height": f"{(box.y1 - box.y0) * PX:.1f}",
            "fill": "#ffffff", "fill-opacity": "0.9", "class": "label-box"})
    _svg_text(group, t.label, X(t.x), Y(t.y), t.pt, "#333333" if t.kind == "note" else colour)
