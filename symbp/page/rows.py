"""Rows of math for a derivation page: forward rows, local partials, chains, updates.

:class:`RowBuilder` is shared by the paths view (:mod:`symbp.page.document`)
and the other views, so that a name or a number looks the same everywhere.
"""

from __future__ import annotations

import sympy as sp

from symbp.engine.chains import Chain, Factor, error_term_symbol
from symbp.engine.derivation import Derivation
from symbp.engine.graph import Edge, Network, Node
from symbp.engine.names import name_latex
from symbp.engine.numbers import Number
from symbp.engine.passes import Forward
from symbp.page.display import (
    APPROX,
    EQ,
    Shown,
    Style,
    minus,
    plus,
    printable_arithmetic,
    prod,
    recompute,
    step_relation,
    substitute,
    tidy,
)
from symbp.page.latex import TextbookPrinter
from symbp.page.model import Gradient, Row, Step

#: Above this many paths a gradient is written through error terms, not path by path.
MAX_PATHS_SHOWN = 4
#: Above this many factors in one path, likewise.
MAX_PATH_LENGTH = 6
SIGMA = sp.Function("sigma")
#: The index of a sum over the samples, as the data loss's definition writes it.
SAMPLE = sp.Symbol("n", integer=True, positive=True)


class RowBuilder:
    """Rows of math for one derivation: names, values and relations printed the page's way."""

    def __init__(self, d: Derivation, style: Style, label_prefix: str = "symbp"):
        self.d, self.style = d, style
        self.net: Network = d.network
        self.many = len(d.spec.samples) > 1
        self.printers: dict[tuple[int | None, bool], TextbookPrinter] = {}
        self.after = False  # printing the pass after the update: changed values carry a +
        self.needed_deltas: set[str] = set()  # error terms the error-term chains refer to
        # Numbered rows: a local partial (key: its edge) or an error term (key: ("delta",
        # node name)) is derived once, under a \label, and cited by every later chain.
        self.label_prefix = label_prefix
        self.labelled: dict[object, list[Row]] = {}
        self.label_count = 0
        self.tabled: set[str] = set()  # error terms a compact page gives in its table
        self.in_tables: set[str] = set()  # parameters whose gradients it gives in tables
        self.cite_keys: dict[str, list[object]] = {}  # parameter -> keys its chain cites

    # names ------------------------------------------------------------------------------
    def names(self, sample: int | None) -> dict[sp.Symbol, str]:
        """Every node's LaTeX. With several samples each per-sample quantity (input, target,
        pre-activation, activation, error term, the sample's loss) carries its sample's
        superscript, or the general (n) where no sample is meant; after the update
        (``self.after``) every quantity that changed carries a +."""
        names: dict[sp.Symbol, str] = {}
        index = f"({sample + 1 if sample is not None else 'n'})"
        plus_ = "^{+}" if self.after else ""
        for node in self.net.nodes.values():
            tex = self.node_tex(node)
            changes = self.after and node.kind not in ("input", "target")
            indexed = node.per_sample and self.many
            if node.kind == "sample_loss" and self.many:
                tex = r"\ell"
            if changes:  # a prime takes the + only in braces: y'^{+} is a double superscript
                tex = f"{{{tex}}}{plus_}" if tex.endswith("'") else f"{tex}{plus_}"
            if indexed:
                tex = f"{{{tex}}}^{{{index}}}"
            names[node.symbol] = tex
            delta = f"\\delta_{{{self.delta_subscript(node)}}}"
            names[error_term_symbol(node)] = f"{{{delta}}}^{{{index}}}" if indexed else delta
        return names

    def node_tex(self, node: Node) -> str:
        if node.kind == "unit" and node.unit and f"net_{node.unit}" in self.net.nodes:
            return f"\\mathrm{{out}}_{{{name_latex(node.unit)}}}"
        return name_latex(node.name)

    def delta_subscript(self, node: Node) -> str:
        return name_latex(node.unit) if node.unit else name_latex(node.name)

    def printer(self, sample: int | None = None) -> TextbookPrinter:
        key = (sample if self.many else None, self.after)
        if key not in self.printers:
            self.printers[key] = TextbookPrinter({"symbol_names": self.names(key[0])})
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
        steps: list[Step] = [(EQ, self.tex(s, sample)) for s in symbolic]
        shown = self.show(result)
        if expr is not None and printable_arithmetic(expr) and not expr.is_Atom:
            used = self.precise_enough(expr, values, result)
            if len(used) == len(expr.free_symbols):
                numeric = tidy(substitute(expr, {s: v.shown for s, v in used.items()}))
                relation = EQ if all(v.exact for v in used.values()) else APPROX
                if numeric.is_Atom:  # nothing left to compute: the value itself
                    # (= only if the numbers it came from were exact: w = 1 times a rounded
                    # activation is that activation, rounded)
                    exact = step_relation(numeric, shown) == EQ and (
                        relation == EQ or shown.exact)  # 0/out is exactly 0
                    steps.append((EQ if exact else APPROX, self.tex(shown.shown)))
                    return Row(lhs, steps)
                steps.append((relation, self.tex(numeric, sample)))
                steps.append((step_relation(numeric, shown), self.tex(shown.shown)))
                return Row(lhs, steps)
        steps.append((shown.relation, self.tex(shown.shown)))
        return Row(lhs, steps)

    def precise_enough(self, expr: sp.Expr, values: dict[sp.Symbol, Number],
                       result: Number) -> dict[sp.Symbol, Shown]:
        """The values of ``expr``'s symbols, shown with the page's digits, or with more
        where that is what it takes for the printed arithmetic to give the result to
        those digits: 1/(1 - 0.9998) is far from 1/(1 - 0.99978)."""
        symbols = [s for s in expr.free_symbols if s in values]
        target = sp.Float(result, 30)
        for extra in range(25):  # 1/(1 - 0.99999999997) needs that many
            style = Style(self.style.digits + extra, self.style.max_exact_digits)
            used = {s: style.show(values[s]) for s in symbols}
            if len(used) < len(expr.free_symbols) or all(v.exact for v in used.values()):
                return used
            numeric = substitute(expr, {s: v.shown for s, v in used.items()})
            redone = recompute(numeric).evalf(30)
            if not redone.is_finite or not redone.is_real:  # 1/(1 - 1.000), ln(0)
                continue
            error = abs(redone - target)
            # a sum is as precise as its largest term: 0.1 x 0.5372 - 0.05 is fine at 1e-4
            scale = max([abs(target), sp.Float(1e-300)] + [
                abs(recompute(term).evalf(30)) for node in sp.preorder_traversal(numeric)
                if node.is_Add for term in node.args])
            if error <= sp.Float(10) ** (1 - self.style.digits) * scale:
                return used
        return {s: self.show(values[s]) for s in symbols}

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
            value = values_list[s] if values_list is not None and s is not None else f.value
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
        keys: list[object] = []
        if listed:
            terms = [self.over_samples(prod(*(self.partial(f.of, f.wrt) for f in p.factors)),
                                       [f.of for f in p.factors])
                     for p in paths]
            for p in paths:
                for f in p.factors:
                    self.note_factor(f, factors, keys)
            path_factors = [list(p.factors) for p in paths]
        else:
            terms, path_factors = [], []
            for e in param.children:
                upper = self.upper(e.child)
                terms.append(self.over_samples(prod(upper, self.partial(e.child, param)),
                                               [e.child]))
                delta = Factor(obj, e.child, upper,
                               single(self.d.error_terms[e.child.name]), "error_term")
                local = next(f for p in paths for f in p.factors if f.edge is e)
                if self.is_delta(e.child):
                    self.needed_deltas.add(e.child.name)
                    keys.append(("delta", e.child.name))
                self.note_factor(local, factors, keys)
                path_factors.append([delta, local])
        self.cite_keys[chain.parameter] = keys
        symbolic = self.terms(terms)
        chain_row = Row(lhs, [(EQ, symbolic)])
        numeric_terms, all_exact = self.numeric_sum(path_factors)
        numeric = plus(*numeric_terms)
        shown = self.show(chain.value)
        # The chain in symbols stands just above; this row gives its numbers.
        total = Row(lhs, [
            (EQ if all_exact else APPROX, self.terms(numeric_terms)),
            (step_relation(numeric, shown), self.tex(shown.shown)),
        ])
        if numeric.is_Atom:  # one factor left: the numbers are the value itself
            total.steps = [total.steps[0], (shown.relation, self.tex(shown.shown))]
        return Gradient(chain.parameter, lhs, param_tex, "paths" if listed else "error_terms",
                        chain.path_count, chain_row, factors, total)

    def over_samples(self, term: sp.Expr, nodes: list[Node]) -> sp.Expr:
        """A term in per-sample quantities, summed over the samples as the gradient sums it."""
        if not self.many or not any(n.per_sample for n in nodes):
            return term
        return sp.Sum(term, (SAMPLE, 1, len(self.d.spec.samples)))

    def note_factor(self, f: Factor, new: list[Row], keys: list[object]) -> None:
        """Derive a local partial the first time it appears (numbered); cite it always."""
        assert f.edge is not None
        if f.edge not in self.labelled:
            rows = self.factor_rows(f)
            self.label(f.edge, rows)
            new.extend(rows)
        if f.edge not in keys:
            keys.append(f.edge)

    def label(self, key: object, rows: list[Row]) -> None:
        for row in rows:
            self.label_count += 1
            row.label = f"{self.label_prefix}:{self.label_count}"
        self.labelled[key] = rows

    def cited(self, parameter: str) -> list[Row]:
        """The numbered rows a parameter's chain uses, once the page's rows are all made."""
        return [row for key in self.cite_keys.get(parameter, [])
                for row in self.labelled.get(key, [])]

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
                    if len(factors) > 1 and self.constant_factor(f):
                        continue  # d(J)/d(L) = 1 and the like: no "1 x" in the numbers
                    v = f.value[s] if isinstance(f.value, list) else f.value
                    sv = self.show(v)
                    exact = exact and sv.exact
                    shown.append(sv.shown)
                terms.append(prod(*shown))
        return terms, exact

    def constant_upstream(self, node: Node) -> bool:
        """d(objective)/d(node) is 1 whatever the values: J = L + s for L and s."""
        if node is self.net.objective:
            return True
        return bool(node.children) and all(
            constant_one(e.local) and self.constant_upstream(e.child) for e in node.children)

    def constant_factor(self, f: Factor) -> bool:
        """A factor of a chain that is 1 whatever the values."""
        if f.edge is not None:
            return constant_one(f.edge.local)
        return f.of is self.net.objective and self.constant_upstream(f.wrt)

    def is_delta(self, node: Node) -> bool:
        """Nodes that carry an error term delta: pre-activations, and units without one."""
        if node.kind == "net":
            return True
        return node.kind == "unit" and node.unit is not None \
            and self.net.delta_node(node.unit) is node

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

    def error_term_rows(self, numbered: bool = False,
                        skip: set[str] | frozenset[str] = frozenset(),
                        rows_of: set[str] | None = None) -> list[Row]:
        """delta_j from the error terms after it, from the output back, with numbers.

        ``numbered``: each is labelled, for the chains that use it to cite; ``skip``:
        nodes whose error terms the page gives elsewhere; ``rows_of``: a set to which the
        nodes written here are added.
        """
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
            if node.name not in needed or node.name in skip:
                continue
            paths = self.upward(node)
            # delta_h = (sum_k delta_k dnet_k/dout_h) dout_h/dnet_h: the activation's
            # derivative, common to every path, is written once, after the sum.
            common = paths[0][-1] if len(paths) > 1 and all(
                len(p) > 1 and p[-1] is paths[0][-1] for p in paths) else None
            heads = [p[:-1] for p in paths] if common is not None else paths
            symbolic = []
            for path in heads:
                top = path[0].child
                partials = [self.partial(e.child, e.parent) for e in path]
                symbolic.append(prod(*partials) if top is obj else prod(self.upper(top), *partials))
            node_rows: list[Row] = []
            for s in range(len(self.d.forward.samples)) if self.many else [None]:
                numeric_terms, exact = [], True
                for path in heads:
                    shown = []
                    top = path[0].child
                    values = ([] if top is obj else [self.d.error_terms[top.name]]) + [
                        self.d.forward.edges[e] for e in path
                        if not (constant_one(e.local) and len(path) > 1)]
                    for v in values:
                        sv = self.show(v[s or 0] if isinstance(v, list) else v)
                        exact = exact and sv.exact
                        shown.append(sv.shown)
                    numeric_terms.append(prod(*shown))
                grads = self.d.error_terms[node.name]
                shown_value = self.show(grads[s or 0] if isinstance(grads, list) else grads)
                numeric = plus(*numeric_terms)
                symbolic_step, numeric_step = self.terms(symbolic, s), self.terms(numeric_terms, s)
                if common is not None:
                    tail = self.d.forward.edges[common]
                    sv = self.show(tail[s or 0] if isinstance(tail, list) else tail)
                    exact = exact and sv.exact
                    numeric = prod(numeric, sv.shown)
                    last = self.tex(self.partial(common.child, common.parent), s)
                    symbolic_step = self.bracket(symbolic_step, last)
                    numeric_step = self.bracket(numeric_step, f"\\times {self.tex(sv.shown)}")
                lhs = f"{self.tex(error_term_symbol(node), s)} = " \
                      f"{self.tex(self.partial(obj, node), s)}"
                steps: list[Step] = [
                    (EQ, symbolic_step),
                    (EQ if exact else APPROX, numeric_step),
                    (step_relation(numeric, shown_value), self.tex(shown_value.shown)),
                ]
                if numeric.is_Atom:  # one factor left: the numbers are the value itself
                    steps = [steps[0], (shown_value.relation, self.tex(shown_value.shown))]
                node_rows.append(Row(lhs, steps))
            if numbered:
                self.label(("delta", node.name), node_rows)
            if rows_of is not None:
                rows_of.add(node.name)
            rows.extend(node_rows)
        return rows

    @staticmethod
    def bracket(terms: list[str], after: str) -> list[str]:
        """A sum in big brackets, then a factor: the terms may still break between lines
        (\\biggl( and \\biggr) need no partner on the same line, unlike \\left and \\right)."""
        out = list(terms)
        out[0] = f"\\biggl( {out[0]}"
        out[-1] = f"{out[-1]} \\biggr) {after}"
        return out

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


def constant_one(local: sp.Expr) -> bool:
    """A local partial that is 1 whatever the values (a bias, a sum): no factor to print."""
    return local.is_Number and local == 1


def cell(style: Style, value: Number) -> str:
    """A table cell: the shown number, with approx in front when it is rounded."""
    shown = style.show(value)
    tex = TextbookPrinter().doprint(shown.shown)
    return tex if shown.exact else f"{APPROX} {tex}"


def scientific(x: float) -> str:
    """A small relative difference as LaTeX: 3.3 \\times 10^{-50}, or 0."""
    if x == 0:
        return "0"
    mantissa, exponent = f"{x:.1e}".split("e")
    return f"{mantissa} \\times 10^{{{int(exponent)}}}"


def single(value: list[Number] | Number) -> list[Number] | Number:
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def uses(d: Derivation) -> set[str]:
    uses = {layer.activation for layer in d.spec.layers}
    uses.add(d.spec.loss)
    if d.spec.loss == "cross_entropy" and d.spec.layers[-1].activation == "softmax":
        uses.add("softmax_ce")
    if d.spec.l2 is not None:
        uses.add("l2")
    return uses


