"""The chain rule on the graph: paths, their factors, and the error-term form.

A parameter's gradient is the sum, over every path from the objective down to
the parameter, of the product of the local partials along it.  Paths are
listed while a parameter has few of them (``path_limit``); the count grows
exponentially with depth, so beyond the limit a chain is written in
error-term form: for each node the parameter feeds, that node's error term
d(objective)/d(node) (computed once by the backward pass) times the local
partial.  The fully composed closed form is available for small networks.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symbp.engine.graph import Edge, Network, Node
from symbp.engine.numbers import Number, evaluate
from symbp.engine.passes import Forward

DEFAULT_PATH_LIMIT = 64
CLOSED_FORM_MAX_EDGES = 200


@dataclass(frozen=True)
class Factor:
    """One factor d(of)/d(wrt) of a chain: a local partial or an error term."""

    of: Node
    wrt: Node
    expr: sp.Expr  # closed form of a local partial; the error term's symbol otherwise
    value: list[Number] | Number  # one per sample when the factor depends on the sample
    kind: str = "local"  # "local" or "error_term"
    edge: Edge | None = None


@dataclass(frozen=True)
class Path:
    factors: tuple[Factor, ...]
    value: Number  # the product of the factors, summed over samples


@dataclass(frozen=True)
class Chain:
    """How one parameter's gradient is assembled."""

    parameter: str
    form: str  # "paths" (every path listed) or "error_terms"
    paths: tuple[Path, ...]
    path_count: int  # how many objective-to-parameter paths exist
    value: Number  # the gradient: the sum of the paths' values


def error_term_symbol(node: Node) -> sp.Symbol:
    return sp.Symbol(f"delta_{node.name}")


def count_paths(network: Network) -> dict[str, int]:
    """For every node, the number of paths from it up to the objective (linear time)."""
    counts: dict[str, int] = {}
    for node in reversed(network.nodes.values()):
        if node is network.objective:
            counts[node.name] = 1
        else:
            counts[node.name] = sum(counts[e.child.name] for e in node.children)
    return counts


def path_value(factors: tuple[Factor, ...], samples: int) -> Number:
    """Product of the factors, per sample where they differ by sample, then summed."""
    per_sample = False
    product: list[sp.Expr] = [sp.Integer(1)] * samples
    for f in factors:
        if isinstance(f.value, list):
            per_sample = True
            product = [p * v for p, v in zip(product, f.value)]
        else:
            product = [p * f.value for p in product]
    return evaluate(sp.Add(*product) if per_sample else product[0])


def _summed(factors: tuple[Factor, ...], product: list[Number]) -> Number:
    """A path's value: summed over the samples if a factor differs by sample, else one copy.

    A path through shared nodes only (the L2 branch, say) is one term, not one per sample.
    """
    per_sample = any(isinstance(f.value, list) for f in factors)
    return evaluate(sp.Add(*product) if per_sample else product[0])


def _single(value: list[Number] | Number) -> list[Number] | Number:
    """A one-sample list as its only value: one sample needs no per-sample lists."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _local(edge: Edge, fwd: Forward) -> Factor:
    return Factor(edge.child, edge.parent, edge.local, _single(fwd.edges[edge]), "local", edge)


class _PathLister:
    """Lists paths with their running products, sharing every prefix between parameters.

    The paths to a node are built once from the paths to the nodes it feeds, so
    the product along a shared upper segment is multiplied out once, not once
    per parameter below it; each edge has one :class:`Factor` object.
    """

    def __init__(self, network: Network, fwd: Forward):
        self.network, self.fwd = network, fwd
        self.samples = len(fwd.samples)
        self.factors: dict[Edge, Factor] = {}
        self.memo: dict[str, list[tuple[tuple[Factor, ...], list[Number]]]] = {}

    def factor(self, edge: Edge) -> Factor:
        if edge not in self.factors:
            self.factors[edge] = _local(edge, self.fwd)
        return self.factors[edge]

    def paths_to(self, node: Node) -> list[tuple[tuple[Factor, ...], list[Number]]]:
        if node is self.network.objective:
            return [((), [sp.Integer(1)] * self.samples)]
        if node.name not in self.memo:
            result = []
            for edge in node.children:
                f = self.factor(edge)
                for upper, product in self.paths_to(edge.child):
                    if isinstance(f.value, list):
                        step = [p * v for p, v in zip(product, f.value)]
                    else:
                        step = [p * f.value for p in product]
                    result.append(((*upper, f), step))
            self.memo[node.name] = result
        return self.memo[node.name]


def build_chains(
    network: Network,
    fwd: Forward,
    grads: dict[str, list[Number] | Number],
    path_limit: int = DEFAULT_PATH_LIMIT,
) -> dict[str, Chain]:
    """The chain of every parameter, listed by path or in error-term form."""
    counts = count_paths(network)
    samples = len(fwd.samples)
    lister = _PathLister(network, fwd)
    chains = {}
    for param in network.parameters:
        count = counts[param.name]
        if count <= path_limit:
            form = "paths"
            paths = tuple(
                Path(factors, _summed(factors, product))
                for factors, product in lister.paths_to(param)
            )
        else:
            form = "error_terms"
            paths = tuple(
                _path(
                    (
                        Factor(network.objective, e.child, error_term_symbol(e.child),
                               _single(grads[e.child.name]), "error_term"),
                        lister.factor(e),
                    ),
                    samples,
                )
                for e in param.children
            )
        value = evaluate(sp.Add(*(p.value for p in paths)))
        chains[param.name] = Chain(param.name, form, paths, count, value)
    return chains


def _path(factors: tuple[Factor, ...], samples: int) -> Path:
    if factors and factors[0].kind == "error_term" and factors[0].of is factors[0].wrt:
        factors = factors[1:]  # d(objective)/d(objective) = 1 adds nothing
    return Path(factors, path_value(factors, samples))


def error_term_formulas(network: Network) -> dict[str, sp.Expr]:
    """The recursion of every error term: delta_v = sum over children c of delta_c dc/dv."""
    formulas = {}
    for node in network.nodes.values():
        if node.is_parameter or node is network.objective or not node.children:
            continue
        formulas[node.name] = sp.Add(
            *(
                (sp.Integer(1) if e.child is network.objective else error_term_symbol(e.child))
                * e.local
                for e in node.children
            )
        )
    return formulas


def composed(network: Network, node: Node, memo: dict[str, sp.Expr] | None = None) -> sp.Expr:
    """A node's expression with every intermediate node substituted by its definition."""
    memo = {} if memo is None else memo
    if node.name in memo:
        return memo[node.name]
    if node.expr is None:
        result: sp.Expr = node.symbol
    else:
        result = node.expr
        replacements = {
            e.parent.symbol: composed(network, e.parent, memo)
            for e in node.parents
            if e.parent.expr is not None
        }
        if node.kind == "data_loss":
            # L = w * Sum(L_n): the summand is the composed per-sample loss
            replacements = {}
            result = composed(network, network.sample_loss, memo)
            (edge,) = node.parents
            result = edge.local * result
        result = result.xreplace(replacements)
    memo[node.name] = result
    return result


def closed_form(network: Network, parameter: str) -> sp.Expr:
    """d(objective)/d(parameter) from the fully composed objective (small networks only).

    With several samples the composed loss is that of one sample (in the
    input and target symbols), scaled as the reduction says; the gradient is
    that expression summed over the samples.
    """
    edges = len(network.edges)
    if edges > CLOSED_FORM_MAX_EDGES:
        raise ValueError(
            f"the composed closed form is offered for networks of at most"
            f" {CLOSED_FORM_MAX_EDGES} edges; this one has {edges}"
        )
    param = network.nodes[parameter]
    return sp.diff(composed(network, network.objective), param.symbol)
