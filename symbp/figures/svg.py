"""The SVG writer of a picture, for Markdown pages (ElementTree, so every text is escaped).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from symbp.figures.geometry import (
    COLOURS,
    HIGHLIGHT,
    PLAIN_EDGE,
    PX,
    Label,
    Picture,
    clip,
)


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
        (ax, ay), (bx, by) = clip(a, b), clip(b, a)
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
