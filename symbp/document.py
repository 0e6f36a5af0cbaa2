"""The page, prepared: every line of math a derivation prints, as LaTeX, in order.

This is the logic between a :class:`~symbp.derivation.Derivation` and the
templates.  Templates get these objects and add the prose; they never touch
SymPy.  The math is the same in Markdown and LaTeX; only the delimiters around
it differ, and the templates choose those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from .chain import Chain, Factor, error_term_symbol
from .derivation import Derivation
from .display import (
    APPROX,
    EQ,
    Shown,
    Style,
    minus,
    plus,
    printable_arithmetic,
    prod,
    step_relation,
    substitute,
)
from .graph import Edge, Network, Node
from .latex import TextbookPrinter, name_latex
from .numbers import Number
from .values import Forward

#: Above this many paths a gradient is written through error terms, not path by path.
MAX_PATHS_SHOWN = 4
#: Above this many factors in one path, likewise.
MAX_PATH_LENGTH = 6
SIGMA = sp.Function("sigma")
#: Rough width of a printed line, in characters, before it is broken.
WIDTH = 70


@dataclass
class Row:
    """``lhs = step1 = step2 ...``; each step has its own relation (= or approx).

    A step's right-hand side may be a list of terms ("a", "+ b", ...): a long
    sum then breaks after each term instead of running off the page.
    """

    lhs: str
    steps: list[tuple[str, str | list[str]]]
    note: str = ""  # a key the template turns into a short remark (e.g. "frozen")
    node: str = ""  # the spec name of the node a forward row computes
    ref: str = ""  # LaTeX of the parameter under whose gradient a reused term was derived

    def lines(self, width: int = WIDTH) -> list[str]:
        """The row as aligned lines: as many steps per line as fit in ``width``."""
        lines: list[str] = []
        current, used = f"{self.lhs} &", _visual(self.lhs)
        for i, (relation, rhs) in enumerate(self.steps):
            terms = rhs if isinstance(rhs, list) else [rhs]
            size = sum(_visual(t) for t in terms) + 2
            if i > 0 and used + size > width:
                lines.append(current)
                current, used = "&", 0
            if len(terms) > 1 and used + size > width:
                current += f"{' ' if i else ''}{relation} {terms[0]}"
                for term in terms[1:]:
                    lines.append(current)
                    current = f"&\\quad {term}"
                used = _visual(terms[-1])
            else:
                current += f"{' ' if i else ''}{relation} {' '.join(terms)}"
                used += size
        lines.append(current)
        return lines


def _visual(tex: str) -> int:
    """A rough printed width of a LaTeX snippet, in characters."""
    tex = re.sub(r"\\(left|right|mathrm|mathbf|quad)\b", "", tex)
    tex = re.sub(r"\\[a-zA-Z]+", "xx", tex)
    return len(re.sub(r"[{}^_ &]", "", tex))


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
    factors: list[Row]  # local partials derived here for the first time
    reused: list[Row]  # partials derived earlier, with where
    total: Row  # symbols = numbers = result
    check: tuple[str, str | None] | None = None  # relative differences: (finite diff., torch)


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
    matrix_bias: bool = False  # some layer has a bias
    deltas: Any = None  # symbp.views.DeltasView
    matrix: Any = None  # symbp.views.MatrixView
    graph: Any = None  # symbp.views.GraphView
    agreement: Any = None  # symbp.views.Agreement
    figures: Any = None  # symbp.diagram.Figures


class _Builder:
    def __init__(self, d: Derivation, style: Style):
        self.d, self.style = d, style
        self.net: Network = d.network
        self.many = len(d.spec.samples) > 1
        self.printers: dict[int | None, TextbookPrinter] = {}
        self.derived: dict[Edge, str] = {}  # edge -> LaTeX of the parameter it was derived for
        self._reused_here: set[Edge] = set()  # edges already listed in the current gradient
        self.needed_deltas: set[str] = set()  # error terms the error-term chains refer to

    # names ------------------------------------------------------------------------------
    def names(self, sample: int | None) -> dict[sp.Symbol, str]:
        names: dict[sp.Symbol, str] = {}
        for node in self.net.nodes.values():
            tex = self.node_tex(node)
            if node.kind == "sample_loss" and self.many:
                base = name_latex(node.name.removesuffix("_n"))
                tex = f"{base}^{{({sample + 1 if sample is not None else 'n'})}}"
            elif node.per_sample and sample is not None and self.many:
                tex = f"{{{tex}}}^{{({sample + 1})}}"
            names[node.symbol] = tex
            names[error_term_symbol(node)] = f"\\delta_{{{self.delta_subscript(node)}}}"
        return names

    def node_tex(self, node: Node) -> str:
        if node.kind == "unit" and node.unit and f"net_{node.unit}" in self.net.nodes:
            return f"\\mathrm{{out}}_{{{name_latex(node.unit)}}}"
        return name_latex(node.name)

    def delta_subscript(self, node: Node) -> str:
        return name_latex(node.unit) if node.unit else name_latex(node.name)

    def printer(self, sample: int | None = None) -> TextbookPrinter:
        key = sample if self.many else None
        if key not in self.printers:
            self.printers[key] = TextbookPrinter({"symbol_names": self.names(key)})
        return self.printers[key]

    def tex(self, expr: sp.Expr, sample: int | None = None) -> str:
        return self.printer(sample).doprint(expr)

    def show(self, value: Number) -> Shown:
        return self.style.show(value)

    def cell(self, value: Number) -> str:
        return cell(self.style, value)

    def terms(self, exprs: list[sp.Expr], sample: int | None = None) -> list[str]:
        """The terms of a sum, each printed on its own, signs in front: a breakable sum."""
        out = []
        for i, e in enumerate(exprs):
            tex = self.tex(e, sample)
            if i == 0:
                out.append(tex)
            elif tex.startswith("-"):
                out.append(f"- {tex[1:]}")
            else:
                out.append(f"+ {tex}")
        return out

    # rows -------------------------------------------------------------------------------
    def evaluation_row(
        self,
        lhs: str,
        symbolic: list[sp.Expr],
        expr: sp.Expr | None,
        values: dict[sp.Symbol, Number],
        result: Number,
        sample: int | None,
    ) -> Row:
        """lhs = symbolic forms = numbers substituted = result, each with its true relation."""
        steps = [(EQ, self.tex(s, sample)) for s in symbolic]
        shown = self.show(result)
        if expr is not None and printable_arithmetic(expr) and not expr.is_Atom:
            used = {s: self.show(values[s]) for s in expr.free_symbols if s in values}
            if len(used) == len(expr.free_symbols):
                numeric = substitute(expr, {s: v.shown for s, v in used.items()})
                relation = EQ if all(v.exact for v in used.values()) else APPROX
                steps.append((relation, self.tex(numeric, sample)))
                steps.append((step_relation(numeric, shown), self.tex(shown.shown)))
                return Row(lhs, steps)
        steps.append((shown.relation, self.tex(shown.shown)))
        return Row(lhs, steps)

    def node_rows(self, fwd: Forward, sample: int, loss: bool = False) -> list[Row]:
        """Forward rows of one sample: the units, or (``loss``) the sample's loss."""
        values = {sp.Symbol(k): v for k, v in fwd.samples[sample].items()}
        rows = []
        for node in self.net.nodes.values():
            if not node.per_sample or node.expr is None:
                continue
            if (node is self.net.sample_loss) != loss:
                continue
            lhs = self.tex(node.symbol, sample)
            value = fwd.samples[sample][node.name]
            activation = self.activation_of(node)
            if activation == "sigmoid":
                (edge,) = node.parents
                symbolic = [SIGMA(edge.parent.symbol)]
            else:
                symbolic = [node.expr]
            row = self.evaluation_row(lhs, symbolic, node.expr, values, value, sample)
            row.node = node.name
            rows.append(row)
        return rows

    def activation_of(self, node: Node) -> str | None:
        if node.kind != "unit" or node.layer is None:
            return None
        return self.d.spec.layers[node.layer].activation

    def top_rows(self, fwd: Forward) -> list[Row]:
        rows = []
        shared = fwd.shared
        for node in self.net.nodes.values():
            if node.per_sample or node.expr is None:
                continue
            lhs = self.tex(node.symbol)
            if node.kind == "data_loss":
                (edge,) = node.parents
                per_sample = [self.show(v[self.net.sample_loss.name]) for v in fwd.samples]
                numeric = plus(*(s.shown for s in per_sample))
                if edge.local != 1:
                    numeric = prod(edge.local, numeric)
                rel = EQ if all(s.exact for s in per_sample) else APPROX
                shown = self.show(shared[node.name])
                rows.append(Row(lhs, [
                    (EQ, self.tex(node.expr)),
                    (rel, self.tex(numeric)),
                    (step_relation(numeric, shown), self.tex(shown.shown)),
                ]))
            else:
                values = {sp.Symbol(k): v for k, v in shared.items()}
                if len(fwd.samples) == 1:
                    values.update({sp.Symbol(k): v for k, v in fwd.samples[0].items()})
                rows.append(self.evaluation_row(
                    lhs, [node.expr], node.expr, values, shared[node.name], None))
        return rows

    # gradients --------------------------------------------------------------------------
    def partial(self, of: Node, wrt: Node) -> sp.Expr:
        return sp.Derivative(of.symbol, wrt.symbol, evaluate=False)

    def factor_rows(self, f: Factor) -> list[Row]:
        """The closed form and value of one local partial (one row per sample)."""
        assert f.edge is not None
        rows = []
        values_list = f.value if isinstance(f.value, list) else None
        samples = range(len(self.d.forward.samples)) if values_list else [None]
        for s in samples:
            value = values_list[s] if values_list is not None else f.value
            fv = self.d.forward.samples[s if s is not None else 0]
            values = {sp.Symbol(k): v for k, v in fv.items()}
            values.update({sp.Symbol(k): v for k, v in self.d.forward.shared.items()})
            lhs = self.tex(self.partial(f.of, f.wrt), s)
            local = f.edge.local
            symbolic = [] if local.is_Number else [local]
            rows.append(self.evaluation_row(lhs, symbolic, local, values, value, s))
        return rows

    def gradient(self, chain: Chain) -> Gradient:
        param = self.net.nodes[chain.parameter]
        obj = self.net.objective
        lhs = self.tex(self.partial(obj, param))
        param_tex = self.tex(param.symbol)
        paths = chain.paths
        listed = chain.form == "paths" and len(paths) <= MAX_PATHS_SHOWN and all(
            len(p.factors) <= MAX_PATH_LENGTH for p in paths)
        factors: list[Row] = []
        reused: list[Row] = []
        if listed:
            terms = [prod(*(self.partial(f.of, f.wrt) for f in p.factors)) for p in paths]
            for p in paths:
                for f in p.factors:
                    self.note_factor(f, param_tex, factors, reused)
            path_factors = [list(p.factors) for p in paths]
        else:
            terms, path_factors = [], []
            for e in param.children:
                upper = self.upper(e.child)
                terms.append(prod(upper, self.partial(e.child, param)))
                delta = Factor(obj, e.child, upper,
                               _single(self.d.error_terms[e.child.name]), "error_term")
                local = next(f for p in paths for f in p.factors if f.edge is e)
                self.note_factor(local, param_tex, factors, reused)
                path_factors.append([delta, local])
                if self.is_delta(e.child):
                    self.needed_deltas.add(e.child.name)
        symbolic = self.terms(terms)
        chain_row = Row(lhs, [(EQ, symbolic)])
        numeric_terms, all_exact = self.numeric_sum(path_factors)
        numeric = plus(*numeric_terms)
        shown = self.show(chain.value)
        total = Row(lhs, [
            (EQ, symbolic),
            (EQ if all_exact else APPROX, self.terms(numeric_terms)),
            (step_relation(numeric, shown), self.tex(shown.shown)),
        ])
        return Gradient(chain.parameter, lhs, param_tex, "paths" if listed else "error_terms",
                        chain.path_count, chain_row, factors, reused, total)

    def note_factor(self, f: Factor, where: str, new: list[Row], reused: list[Row]) -> None:
        if f.edge in self.derived:
            if f.edge not in self._reused_here:
                for row in self.value_rows(f):
                    row.ref = self.derived[f.edge]
                    reused.append(row)
                self._reused_here.add(f.edge)
            return
        self.derived[f.edge] = where
        self._reused_here.add(f.edge)
        new.extend(self.factor_rows(f))

    def value_rows(self, f: Factor) -> list[Row]:
        values = f.value if isinstance(f.value, list) else [f.value]
        rows = []
        for s, v in enumerate(values):
            shown = self.show(v)
            sample = s if isinstance(f.value, list) else None
            rows.append(Row(self.tex(self.partial(f.of, f.wrt), sample),
                            [(shown.relation, self.tex(shown.shown))]))
        return rows

    def numeric_sum(self, paths: list[list[Factor]]) -> tuple[list[sp.Expr], bool]:
        """Sum over paths (and samples) of the products of the shown factor values."""
        count = len(self.d.forward.samples)
        terms = []
        exact = True
        for factors in paths:
            per_sample = any(isinstance(f.value, list) for f in factors)
            for s in range(count if per_sample else 1):
                shown = []
                for f in factors:
                    v = f.value[s] if isinstance(f.value, list) else f.value
                    sv = self.show(v)
                    exact = exact and sv.exact
                    shown.append(sv.shown)
                terms.append(prod(*shown))
        return terms, exact

    def is_delta(self, node: Node) -> bool:
        """Nodes that carry an error term delta: pre-activations, and units without one."""
        if node.kind == "net":
            return True
        return node.kind == "unit" and self.net.delta_node(node.unit) is node

    def upper(self, node: Node) -> sp.Expr:
        """What stands for d(objective)/d(node) in a chain: delta_j, or the partial itself."""
        if self.is_delta(node):
            return error_term_symbol(node)
        return self.partial(self.net.objective, node)

    def upward(self, node: Node) -> list[list[Edge]]:
        """Paths of edges from ``node`` up to the next error terms (or the objective), top first."""
        paths = []
        for e in node.children:
            if e.child is self.net.objective or self.is_delta(e.child):
                paths.append([e])
            else:
                paths.extend([*upper, e] for upper in self.upward(e.child))
        return paths

    def error_term_rows(self) -> list[Row]:
        """delta_j from the error terms after it, from the output back, with numbers."""
        needed: set[str] = set()
        stack = list(self.needed_deltas)
        while stack:
            name = stack.pop()
            if name not in needed:
                needed.add(name)
                for path in self.upward(self.net.nodes[name]):
                    if path[0].child is not self.net.objective:
                        stack.append(path[0].child.name)
        rows = []
        obj = self.net.objective
        for node in reversed(self.net.nodes.values()):
            if node.name not in needed:
                continue
            paths = self.upward(node)
            symbolic = []
            for path in paths:
                top = path[0].child
                partials = [self.partial(e.child, e.parent) for e in path]
                symbolic.append(prod(*partials) if top is obj else prod(self.upper(top), *partials))
            for s in range(len(self.d.forward.samples)) if self.many else [None]:
                numeric_terms, exact = [], True
                for path in paths:
                    shown = []
                    top = path[0].child
                    values = ([] if top is obj else [self.d.error_terms[top.name]]) + [
                        self.d.forward.edges[e] for e in path]
                    for v in values:
                        sv = self.show(v[s or 0] if isinstance(v, list) else v)
                        exact = exact and sv.exact
                        shown.append(sv.shown)
                    numeric_terms.append(prod(*shown))
                grads = self.d.error_terms[node.name]
                shown_value = self.show(grads[s or 0] if isinstance(grads, list) else grads)
                numeric = plus(*numeric_terms)
                lhs = f"{self.tex(error_term_symbol(node), s)} = " \
                      f"{self.tex(self.partial(obj, node), s)}"
                rows.append(Row(lhs, [
                    (EQ, self.terms(symbolic, s)),
                    (EQ if exact else APPROX, self.terms(numeric_terms, s)),
                    (step_relation(numeric, shown_value), self.tex(shown_value.shown)),
                ]))
        return rows

    # updates ----------------------------------------------------------------------------
    def update_rows(self) -> list[Row]:
        spec = self.d.spec
        eta = self.show(spec.learning_rate)
        rows = []
        obj = self.net.objective
        for name, value in self.d.params.items():
            node = self.net.nodes[name]
            lhs = f"{self.tex(node.symbol)}^{{+}}"
            before = self.show(value)
            after = self.show(self.d.updated[name])
            if name in spec.frozen:
                rows.append(Row(lhs, [(EQ, self.tex(node.symbol)),
                                      (after.relation, self.tex(after.shown))], note="frozen"))
                continue
            grad = self.show(self.d.gradients[name])
            symbolic = minus(node.symbol, prod(sp.Symbol("eta"), self.partial(obj, node)))
            numeric = minus(before.shown, prod(eta.shown, grad.shown))
            exact = before.exact and eta.exact and grad.exact
            rows.append(Row(lhs, [
                (EQ, self.tex(symbolic)),
                (EQ if exact else APPROX, self.tex(numeric)),
                (step_relation(numeric, after), self.tex(after.shown)),
            ]))
        return rows


def cell(style: Style, value: Number) -> str:
    """A table cell: the shown number, with approx in front when it is rounded."""
    shown = style.show(value)
    tex = TextbookPrinter().doprint(shown.shown)
    return tex if shown.exact else f"{APPROX} {tex}"


def _scientific(x: float) -> str:
    """A small relative difference as LaTeX: 3.3 \\times 10^{-50}, or 0."""
    if x == 0:
        return "0"
    mantissa, exponent = f"{x:.1e}".split("e")
    return f"{mantissa} \\times 10^{{{int(exponent)}}}"


def _single(value: list[Number] | Number) -> list[Number] | Number:
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _uses(d: Derivation) -> set[str]:
    uses = {layer.activation for layer in d.spec.layers}
    uses.add(d.spec.loss)
    if d.spec.loss == "cross_entropy" and d.spec.layers[-1].activation == "softmax":
        uses.add("softmax_ce")
    if d.spec.l2 is not None:
        uses.add("l2")
    return uses


def build_document(
    d: Derivation,
    style: Style | None = None,
    only: list[str] | None = None,
    lemmas: bool = False,
    checks: dict[str, tuple[float, float | None]] | None = None,
    views: tuple[str, ...] = ("paths",),
    layout: str = "column",
) -> Document:
    """Everything a derivation page prints, in order, as LaTeX snippets.

    ``checks`` gives, per parameter, the relative differences to finite differences
    and to PyTorch (None without torch), to print under each gradient.
    """
    style = style or Style()
    b = _Builder(d, style)
    spec, net = d.spec, d.network
    count = len(spec.samples)

    # Backwards, as backpropagation goes: the output layer first, whose partials the
    # layers before it reuse.
    backwards = [n for layer in reversed(spec.layers)
                 for n in [*(w for row in layer.weight_names for w in row), *layer.bias_names]]
    names = only if only else backwards
    for name in names:
        if name not in d.chains:
            raise KeyError(name)

    def blocks(fwd: Forward, loss: bool) -> list[Block]:
        return [Block(b.node_rows(fwd, s, loss), s + 1 if b.many else None) for s in range(count)]

    forward = blocks(d.forward, False)
    loss_blocks = blocks(d.forward, True)
    top_rows = b.top_rows(d.forward)
    gradients = []
    for name in names if "paths" in views else []:
        b._reused_here = set()
        gradient = b.gradient(d.chains[name])
        if checks is not None and name in checks:
            fd, torch = checks[name]
            gradient.check = (_scientific(fd), None if torch is None else _scientific(torch))
        gradients.append(gradient)
    error_terms = b.error_term_rows() if b.needed_deltas and "paths" in views else []
    from .views import build_views  # the views build on this module's row builder

    extra = build_views(b, list(views), layout)
    after = blocks(d.after, False)
    after_loss = blocks(d.after, True)
    after_top = b.top_rows(d.after)

    obj_tex = b.tex(net.objective.symbol)
    params = []
    for layer_index, layer in enumerate(spec.layers):
        sources = spec.input_names if layer_index == 0 else spec.layers[layer_index - 1].units
        for k, row in enumerate(layer.weight_names):
            for j, wname in enumerate(row):
                params.append((b.tex(net[wname].symbol), b.cell(layer.weights[k][j]),
                               name_latex(sources[j]), name_latex(layer.units[k])))
        for j, bname in enumerate(layer.bias_names):
            units = layer.units if layer.bias_shared else [layer.units[j]]
            params.append((b.tex(net[bname].symbol), b.cell(layer.bias[j]),
                           "1", ", ".join(name_latex(u) for u in units)))

    conventions = ["numbering", "partials"]
    if any(layer.activation != "identity" for layer in spec.layers):
        conventions.append("net_out")
    conventions.append(f"loss_{spec.loss}")
    if count > 1:
        conventions.append(f"reduction_{spec.reduction}")
    if {"relu", "leaky_relu"} & {layer.activation for layer in spec.layers}:
        conventions.append("relu_zero")
    conventions.append("numbers")

    history = [(str(k), b.cell(v)) for k, v in enumerate(d.history)] if spec.steps > 1 else []
    final = [(b.tex(net[n].symbol), b.cell(v)) for n, v in d.final.items()] \
        if spec.steps > 1 else []

    lemma_keys = [k for k in ("sigmoid", "tanh", "relu", "leaky_relu", "softmax_ce", "l2")
                  if k in _uses(d)] if lemmas else []

    return Document(
        title=spec.title,
        spec_source=spec.source,
        loss_key=spec.loss,
        loss_tex=obj_tex,
        loss_definition=b.tex(net.sample_loss.expr),
        learning_rate=b.tex(style.show(spec.learning_rate).shown),
        l2=b.tex(style.show(spec.l2).shown) if spec.l2 is not None else None,
        reduction=spec.reduction,
        sample_count=count,
        activations=[(i + 1, layer.activation, [name_latex(u) for u in layer.units])
                     for i, layer in enumerate(spec.layers)],
        inputs=[[(b.tex(net[n].symbol, s), b.cell(x))
                 for n, x in zip(spec.input_names, sample.inputs)]
                for s, sample in enumerate(spec.samples)],
        targets=[[(b.tex(net[n].symbol, s), b.cell(t))
                  for n, t in zip(spec.target_names, sample.targets)]
                 for s, sample in enumerate(spec.samples)],
        parameters=params,
        frozen=[b.tex(net[n].symbol) for n in d.params if n in spec.frozen],
        conventions=conventions,
        uses=_uses(d),
        digits=style.digits,
        forward=forward,
        loss=loss_blocks,
        top=Block(top_rows) if top_rows else None,
        error_terms=error_terms,
        gradients=gradients,
        updates=b.update_rows(),
        after=after,
        after_loss=after_loss,
        after_top=Block(after_top) if after_top else None,
        loss_before=b.cell(d.loss),
        loss_after=b.cell(d.loss_after),
        decreased=d.loss_after < d.loss,
        history=history,
        final=final,
        lemmas=lemma_keys,
        steps=spec.steps,
        views=tuple(views),
        layout=layout,
        data_loss_tex=name_latex(spec.data_loss_name if spec.l2 is not None else spec.loss_name),
        matrix_bias=any(layer.bias for layer in spec.layers),
        **extra,
    )
