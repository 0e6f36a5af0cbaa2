"""The TikZ writer of a picture, for LaTeX pages.

Shapes are drawn at the sizes the layout fitted to their texts, and every text at
the position and font size the picture gives it, so the boxes the layout kept apart
are the boxes TeX fills.
"""

from __future__ import annotations

from symbp.figures.geometry import (
    COLOURS,
    HIGHLIGHT,
    LINE_WIDTH_CM,
    PLAIN_EDGE,
    Picture,
    Text,
)


def _font(pt: float) -> str:
    return f"\\fontsize{{{pt:g}}}{{{pt * 1.2:.1f}}}\\selectfont"


def to_tikz(pic: Picture) -> str:
    """The picture as a tikzpicture (needs only the tikz package)."""
    x0, y0, x1, y1 = pic.bounds
    lines = [r"\begin{tikzpicture}[x=1cm, y=1cm, >=stealth]",
             # the picture's extent as the layout measured it, labels included
             f"\\useasboundingbox ({x0:.2f}, {y0:.2f}) rectangle ({x1:.2f}, {y1:.2f});"]
    for s in pic.shapes:
        if s.kind == "ellipsis":
            lines.append(f"\\node[inner sep=0pt, font={_font(s.font_pt)}] ({s.id}) at"
                         f" ({s.x:.2f}, {s.y:.2f}) {{${s.label.tex}$}};")
            continue
        if s.round:
            shape, size = "circle", f"minimum size={2 * s.radius:.3f}cm"
        else:
            shape = "rectangle, rounded corners=2pt"
            size = (f"minimum width={2 * s.half_width:.3f}cm,"
                    f" minimum height={2 * s.half_height:.3f}cm")
        draw = f"draw={HIGHLIGHT[1]}, very thick" if s.highlighted else "draw"
        lines.append(f"\\node[{shape}, {draw}, fill={COLOURS[s.kind][1]}, {size},"
                     f" inner sep=0pt, font={_font(s.font_pt)}]"
                     f" ({s.id}) at ({s.x:.2f}, {s.y:.2f}) {{${s.label.tex}$}};")
    for arrow in sorted(pic.arrows, key=lambda a: a.highlighted):
        colour = f"{HIGHLIGHT[1]}, very thick" if arrow.highlighted else PLAIN_EDGE[1]
        lines.append(f"\\draw[->, {colour}] ({arrow.source}) -- ({arrow.target});")
    hot = {f"{a.source}->{a.target}" for a in pic.arrows if a.highlighted}
    for t in pic.texts():
        if t.kind != "shape":
            lines.append(_text(t, HIGHLIGHT[1] if t.owner in hot else "black"))
    lines.append(r"\end{tikzpicture}")
    body = "\n".join(lines)
    if x1 - x0 > LINE_WIDTH_CM:
        body = f"\\resizebox{{\\linewidth}}{{!}}{{%\n{body}%\n}}"
    return body


def _text(t: Text, colour: str) -> str:
    """A text outside the shapes (an edge label, a bias) in its box, on white over the lines."""
    box = t.box
    edge = t.kind == "edge"
    fill = "fill=white, fill opacity=0.9, text opacity=1, " if edge else ""
    colour = colour if edge else "black!80"
    return (f"\\node[{fill}inner sep=0pt, minimum width={box.x1 - box.x0:.3f}cm,"
            f" minimum height={box.y1 - box.y0:.3f}cm, font={_font(t.pt)}, text={colour}]"
            f" at ({t.x:.3f}, {t.y:.3f}) {{${t.label.tex}$}};")
