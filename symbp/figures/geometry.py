"""Geometry of a picture: shapes at positions, arrows between them, labels.

Laying out (:mod:`symbp.figures.layout`) is kept apart from drawing
(:mod:`symbp.figures.svg`, :mod:`symbp.figures.tikz`): both writers draw the same
:class:`Picture`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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

def clip(a: Shape, b: Shape) -> tuple[float, float]:
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
