"""The page model: every line of math a derivation page prints, as LaTeX, in order.

Builders (:mod:`symbp.page.rows`, :mod:`symbp.page.document` and one module per
view) fill these objects; templates read them and add the prose.  The math is the
same in Markdown and LaTeX; only the delimiters around it differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from symbp.engine.numbers import Number
from symbp.page.breaks import LINE, QUAD, TAG, break_rhs, shrink_matrices, width

# a relation (= or approx) and its right-hand side: LaTeX, or the terms of a breakable sum
Step: TypeAlias = tuple[str, str | list[str]]


@dataclass
class Row:
    """``lhs = step1 = step2 ...``; each step has its own relation (= or approx).

    A step's right-hand side may be a list of terms ("a", "+ b", ...): a long
    sum then breaks after each term instead of running off the page.
    """

    lhs: str
    steps: list[Step]
    note: str = ""  # a key the template turns into a short remark (e.g. "frozen")
    node: str = ""  # the spec name of the node a forward row computes
    label: str = ""  # LaTeX \label of a numbered row (a local partial derived once), or ""
    number: int = 0  # its equation number on a Markdown page (\tag), in page order

    @property
    def lhs_width(self) -> float:
        return width(self.lhs)

    def lines(self, left: float | None = None, note: str = "", line: float = LINE,
              numbered: bool = False) -> list[str]:
        """The row as aligned lines that fit ``line`` em: as many steps per line as fit; a
        step wider than a line breaks inside (:func:`symbp.page.breaks.break_rhs`), and
        the step after it starts a line of its own.  ``left`` is the width of the widest
        left-hand side in the display (the alignment point), ``note`` a remark after the
        last step."""
        left = self.lhs_width if left is None else left
        if numbered:  # the equation numbers stand at the right of the same lines
            line -= TAG
        lines: list[str] = []
        current, used, broken = f"{self.lhs} &", left, False
        for i, (relation, rhs) in enumerate(self.steps):
            text = rhs if isinstance(rhs, str) else " ".join(rhs)
            size = width(f"{relation} {text}")
            if i == len(self.steps) - 1:
                size += width(note)
            if i > 0 and (broken or used + size > line):
                lines.append(current)
                current, used = "&", left
            space = " " if i else ""
            if used + size <= line:
                current += f"{space}{relation} {text}"
                used += size
                broken = False
                continue
            first = line - used - width(relation)
            rest = line - left - QUAD
            parts = break_rhs(text, first, rest)
            parts = [shrink_matrices(p, first if k == 0 else rest) for k, p in enumerate(parts)]
            current += f"{space}{relation} {parts[0]}"
            for part in parts[1:]:
                lines.append(current)
                current = f"&\\quad {part}"
            used = left + (QUAD if len(parts) > 1 else width(relation)) + width(parts[-1])
            broken = len(parts) > 1
        lines.append(current + note)
        return lines


@dataclass
class DeltasView:
    error_terms: list[Row]  # every unit's error term not derived above, output layer first
    gradients: list[tuple[str, str, str, str]]  # parameter, error term x input, numbers, value
    values: dict[str, Number]
    cited: list[Row] = field(default_factory=list)  # error terms derived above (numbered)
    in_table: bool = False  # the page gives the error terms in a table above


@dataclass
class MatrixLayer:
    index: int
    forward: list[Row]
    backward: list[Row]


@dataclass
class MatrixView:
    layout: str
    layers: list[MatrixLayer]
    output: list[Row]  # delta^(L) and the loss gradient it comes from
    simplified: str  # "", or the rule behind delta^(L) = a - y ("softmax_ce", "sigmoid_bce")
    values: dict[str, Number]
    shared_bias: bool = False  # some layer's units share one bias


@dataclass
class GraphNode:
    """One row of the graph table: upstream gradients, local gradients, global gradient."""

    node: str
    upstream: list[str]
    local: list[str]
    result: str  # the global gradient's formula


@dataclass
class GraphView:
    layout: str
    table: list[GraphNode]
    rows: list[Row]  # the global gradients with numbers
    values: dict[str, Number]


@dataclass
class Agreement:
    rows: list[tuple[str, ...]]  # parameter, value in each view, largest difference
    views: list[str]
    ok: bool
    summary: list[tuple[str, str]] = field(default_factory=list)  # (view, largest difference)


@dataclass
class Block:
    """Rows printed as one aligned display, optionally for one sample."""

    rows: list[Row]
    sample: int | None = None  # 1-based sample number when there are several


@dataclass
class Gradient:
    parameter: str  # spec name
    tex: str  # the partial, e.g. \frac{\partial E}{\partial w_{1}}
    param_tex: str
    form: str  # "paths" or "error_terms"
    path_count: int
    chain: Row  # the chain rule in symbols
    factors: list[Row]  # local partials derived here for the first time (numbered)
    total: Row  # the numbers = result
    check: tuple[str, str | None] | None = None  # relative differences: (finite diff., torch)
    cites: list[Row] = field(default_factory=list)  # numbered rows of the factors, in order


@dataclass
class CompactLayer:
    """A compact page's gradients of one layer: one worked in full, the rest as table rows."""

    number: int  # 1-based layer number
    worked: list[Gradient]
    table: list[tuple[str, str, str, str]]  # parameter, error term x input, numbers, gradient
    groups: list[UnitGroup] = field(default_factory=list)  # a long full page: by unit


@dataclass
class UnitGroup:
    """A long full page's gradients of the parameters into one unit (or of a shared bias):
    each the unit's error term times the input it multiplies, one row each."""

    unit: str  # the unit's LaTeX, or "" for a bias shared by the layer's units
    parameters: list[str]  # their LaTeX
    rows: list[Row]


@dataclass
class Document:
    title: str
    spec_source: str
    loss_key: str
    loss_tex: str  # the objective's symbol
    loss_definition: str
    learning_rate: str
    l2: str | None
    reduction: str
    sample_count: int
    activations: list[tuple[int, str, list[str]]]  # (layer number, activation, units' LaTeX)
    inputs: list[list[tuple[str, str]]]  # per sample: (name, value)
    targets: list[list[tuple[str, str]]]
    parameters: list[tuple[str, str, str, str]]  # (name, value, from, to)
    frozen: list[str]
    conventions: list[str]
    uses: set[str]  # rules in use: sigmoid, tanh, relu, leaky_relu, softmax_ce, l2, ...
    digits: int
    forward: list[Block]
    loss: list[Block]  # each sample's loss
    top: Block | None  # shared nodes over all samples: summed loss, L2 term, objective
    error_terms: list[Row]
    gradients: list[Gradient]
    updates: list[Row]
    after: list[Block]
    after_loss: list[Block]
    after_top: Block | None
    loss_before: str  # table cell: the value, with approx in front when rounded
    loss_after: str
    decreased: bool
    history: list[tuple[str, str]]  # (step, loss) table cells
    final: list[tuple[str, str]]  # parameters after the last step: (name, value) cells
    lemmas: list[str] = field(default_factory=list)
    steps: int = 1
    views: tuple[str, ...] = ("paths",)
    layout: str = "column"
    data_loss_tex: str = ""  # the loss before any L2 term
    sample_loss_tex: str = ""  # one sample's loss: the data loss itself with one sample
    data_loss_definition: str = ""  # the data loss over the samples (several samples only)
    matrix_bias: bool = False  # some layer has a bias
    deltas: DeltasView | None = None
    matrix: MatrixView | None = None
    graph: GraphView | None = None
    agreement: Agreement | None = None
    loss_row: Row | None = None  # the loss's definition as a display, when too long for a sentence
    detail: str = "full"  # or "compact": one worked gradient per layer, tables for the rest
    compact: list[CompactLayer] = field(default_factory=list)
    update_table: list[tuple[str, str, str, str]] = field(default_factory=list)
    error_table: list[tuple[str, str, str, str]] = field(default_factory=list)
    parameter_matrices: list[Row] = field(default_factory=list)  # instead of a long table


