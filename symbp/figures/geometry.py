"""Geometry of a picture: shapes at positions, arrows between them, labels, and their boxes.

Laying out (:mod:`symbp.figures.layout`) is kept apart from drawing
(:mod:`symbp.figures.svg`, :mod:`symbp.figures.tikz`): both writers draw the same
:class:`Picture`, at the same positions, with the same font sizes, so that the boxes
the layout keeps apart are the boxes both drawings fill.

Units are centimetres (TikZ's) and font sizes points; SVG draws :data:`PX` pixels
per centimetre.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

#: Layers wider than this are drawn abridged.
MAX_UNITS = 6
#: Pixels per picture unit in SVG (a unit is a centimetre in TikZ).
PX = 56
#: Widest TikZ picture, in cm, before it is scaled to the line width.
LINE_WIDTH_CM = 16.5
#: Points per centimetre.
PT = 28.4528

#: Font sizes in points, the same in both drawings.
NODE_PT = 9.0
OPERATOR_PT = 8.0
LABEL_PT = 7.0
NOTE_PT = 7.0
ELLIPSIS_PT = 11.0
#: Blank space (cm) around a text inside its box, and between a shape and its text.
PAD = 0.05

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


# --- how wide a text is -------------------------------------------------------------------

# Advance widths in em, the larger of DejaVu Serif (the SVG font) and Computer Modern
# maths (TikZ): the minus of TeX maths is as wide as its plus, hence '-' at 0.78.
_WIDE = dict.fromkeys("mwMW", 1.03)
_NARROW = dict.fromkeys("ijlI.,:;'|!", 0.4)
_MEDIUM = dict.fromkeys("frt()[]", 0.5)
_SYMBOLS = {" ": 0.33, "-": 0.78, "+": 0.84, "=": 0.84, "×": 0.84, "−": 0.78, "⋮": 0.6}
_UPPER = 0.88  # the widest capitals but M and W
_OTHER = 0.66  # lower-case letters, digits, Greek


def char_width(c: str) -> float:
    for table in (_WIDE, _NARROW, _MEDIUM, _SYMBOLS):
        if c in table:
            return table[c]
    return _UPPER if c.isupper() else _OTHER


def em_width(text: str) -> float:
    return sum(char_width(c) for c in text)


#: Scripts are set at this fraction of the size.
SCRIPT = 0.7


def text_size(label: Label, pt: float) -> tuple[float, float]:
    """Width and height (cm) of a label's text at ``pt`` points, without padding."""
    em = pt / PT
    width = em * (em_width(label.text) + SCRIPT * em_width(label.sub + label.sup)
                  + em_width(label.tail)
                  # TeX sets a superscript after its base's italic correction, and a
                  # little space after any script
                  + (0.16 if label.sup else 0) + (0.08 if label.sub or label.sup else 0))
    # a line is 1.2 em; scripts hang below or rise above it
    height = em * (1.2 + (0.3 if label.sub else 0) + (0.35 if label.sup else 0))
    return width, height


# --- boxes --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Box:
    """An axis-parallel rectangle, (x0, y0) its lower left corner."""

    x0: float
    y0: float
    x1: float
    y1: float

    @staticmethod
    def around(x: float, y: float, width: float, height: float) -> Box:
        return Box(x - width / 2, y - height / 2, x + width / 2, y + height / 2)

    def grown(self, margin: float) -> Box:
        return Box(self.x0 - margin, self.y0 - margin, self.x1 + margin, self.y1 + margin)

    def intersects(self, other: Box) -> bool:
        return (self.x0 < other.x1 and other.x0 < self.x1
                and self.y0 < other.y1 and other.y0 < self.y1)

    def inside(self, other: Box) -> bool:
        return (other.x0 <= self.x0 and self.x1 <= other.x1
                and other.y0 <= self.y0 and self.y1 <= other.y1)

    @property
    def corners(self) -> tuple[tuple[float, float], ...]:
        return ((self.x0, self.y0), (self.x0, self.y1), (self.x1, self.y0), (self.x1, self.y1))


# --- shapes -------------------------------------------------------------------------------

_BASE_RADIUS = {"operator": 0.22}
_ROUND = ("input", "unit", "output", "operator")


@dataclass
class Shape:
    """A node; its size is fitted to its text (a circle's radius, a box's half-width)."""

    id: str
    kind: str  # input, unit, output, variable, parameter, operator, ellipsis
    label: Label
    x: float
    y: float
    note: Label | None = None  # a second line under the shape (a unit's bias)
    highlighted: bool = False
    half_width: float = field(init=False)
    half_height: float = field(init=False)

    def __post_init__(self) -> None:
        width, height = text_size(self.label, self.font_pt)
        base = _BASE_RADIUS.get(self.kind, 0.38)
        if self.kind == "ellipsis":
            self.half_width, self.half_height = width / 2, height / 2
        elif self.round:
            # the text's box fits inside the circle: half its diagonal, and a margin
            r = max(base, ((width / 2) ** 2 + (height / 2) ** 2) ** 0.5 + PAD)
            self.half_width = self.half_height = r
        else:
            self.half_width = max(base * 1.2, width / 2 + 2 * PAD)
            self.half_height = max(base * 0.8, height / 2 + PAD)

    @property
    def round(self) -> bool:
        return self.kind in _ROUND

    @property
    def radius(self) -> float:
        return self.half_width

    @property
    def font_pt(self) -> float:
        return {"operator": OPERATOR_PT, "ellipsis": ELLIPSIS_PT}.get(self.kind, NODE_PT)

    @property
    def box(self) -> Box:
        """The shape's bounding box."""
        return Box.around(self.x, self.y, 2 * self.half_width, 2 * self.half_height)

    @property
    def text_box(self) -> Box:
        return Box.around(self.x, self.y, *text_size(self.label, self.font_pt))

    def contains(self, box: Box) -> bool:
        """Whether a box lies wholly inside the shape's outline."""
        if self.round:
            r = self.radius
            return all((cx - self.x) ** 2 + (cy - self.y) ** 2 <= r * r + 1e-12
                       for cx, cy in box.corners)
        return box.inside(self.box)

    def meets(self, box: Box) -> bool:
        """Whether a box overlaps the shape's outline or inside."""
        if self.kind == "ellipsis":
            return self.text_box.intersects(box)
        if self.round:
            nx = min(max(self.x, box.x0), box.x1)
            ny = min(max(self.y, box.y0), box.y1)
            return (nx - self.x) ** 2 + (ny - self.y) ** 2 < self.radius ** 2
        return self.box.intersects(box)

    @property
    def note_box(self) -> Box | None:
        """Where the note under the shape is written (its text's box, padded)."""
        if self.note is None:
            return None
        width, height = text_size(self.note, NOTE_PT)
        width, height = width + 2 * PAD, height + 2 * PAD
        return Box.around(self.x, self.y - self.half_height - PAD - height / 2, width, height)


@dataclass
class Arrow:
    source: str
    target: str
    label: Label | None = None
    at: float = 0.5  # where along the line between the centres its label sits
    highlighted: bool = False


@dataclass(frozen=True)
class Text:
    """A text of a picture: where it is drawn, its box, and the shape it sits in, if any."""

    label: Label
    x: float
    y: float
    pt: float
    box: Box
    owner: str  # the id of its shape, or "source->target" for an arrow's label
    kind: str  # "shape" (written in its shape), "note" (under it) or "edge" (an edge's label)
    inside: Shape | None = None  # the shape it is written in


@dataclass
class Picture:
    shapes: list[Shape] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)
    abridged: bool = False  # some layer was drawn abridged
    values: bool = True  # edge labels carry values as well as names

    def shape(self, id_: str) -> Shape:
        return next(s for s in self.shapes if s.id == id_)

    def label_box(self, arrow: Arrow) -> Box:
        """The box an arrow's label fills (padded text), centred on the arrow's line."""
        assert arrow.label is not None
        a, b = self.shape(arrow.source), self.shape(arrow.target)
        return label_box(arrow.label, a.x + arrow.at * (b.x - a.x),
                         a.y + arrow.at * (b.y - a.y))

    def texts(self) -> Iterator[Text]:
        """Every text of the picture with its box."""
        for s in self.shapes:
            yield Text(s.label, s.x, s.y, s.font_pt, s.text_box, s.id, "shape",
                       None if s.kind == "ellipsis" else s)
            box = s.note_box
            if s.note is not None and box is not None:
                yield Text(s.note, (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2, NOTE_PT,
                           box, s.id, "note")
        for arrow in self.arrows:
            if arrow.label is not None:
                box = self.label_box(arrow)
                yield Text(arrow.label, (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2,
                           LABEL_PT, box, f"{arrow.source}->{arrow.target}", "edge")

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        boxes = [s.box for s in self.shapes] + [t.box for t in self.texts()]
        margin = 0.25
        return (min(b.x0 for b in boxes) - margin, min(b.y0 for b in boxes) - margin,
                max(b.x1 for b in boxes) + margin, max(b.y1 for b in boxes) + margin)


def label_box(label: Label, x: float, y: float) -> Box:
    width, height = text_size(label, LABEL_PT)
    return Box.around(x, y, width + 2 * PAD, height + 2 * PAD)


def clip(a: Shape, b: Shape) -> tuple[float, float]:
    """Where the line from a's centre towards b leaves a's outline."""
    dx, dy = b.x - a.x, b.y - a.y
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    if a.kind == "ellipsis":
        return a.x, a.y
    if a.round:
        r = a.radius
        return a.x + dx / length * r, a.y + dy / length * r
    hw, hh = a.half_width, a.half_height
    scale = min(hw / abs(dx) if dx else float("inf"), hh / abs(dy) if dy else float("inf"))
    return a.x + dx * scale, a.y + dy * scale
