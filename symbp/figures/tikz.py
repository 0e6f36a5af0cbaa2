"""The TikZ writer of a picture, for LaTeX pages.
"""

from __future__ import annotations

from symbp.figures.geometry import (
    COLOURS,
    HIGHLIGHT,
    LINE_WIDTH_CM,
    PLAIN_EDGE,
    Picture,
)


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
