"""The network as a graph of SymPy symbols.

Every quantity (input, target, parameter, pre-activation, activation, loss,
L2 term, objective) is a :class:`Node` with a symbol and, unless it is a leaf,
a defining expression over its parents' symbols.  Each :class:`Edge` carries
the closed-form local partial d(child)/d(parent), taken from the rules in
:mod:`symbp.rules`, and a numeric twin of it for evaluation.

The graph describes one sample: nodes that depend on the sample
(``per_sample``) get one value per sample, the others (parameters, the summed
loss, the L2 term, the objective) one value in all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

import sympy as sp

from symbp.engine.rules import (
    ACTIVATIONS,
    LOSSES,
    SOFTMAX,
    Activation,
    Loss,
    softmax_derivative,
    softmax_forward,
)
from symbp.engine.spec import Spec

Values = Mapping[str, sp.Expr]
Numeric = Callable[[Values], sp.Expr]

#: Node kinds, in the order the data flows.
LEAF_KINDS = ("input", "target", "weight", "bias")
PARAMETER_KINDS = ("weight", "bias")


@dataclass(eq=False)
class Edge:
    """child depends on parent; ``local`` is d(child)/d(parent) in closed form."""

    child: Node
    parent: Node
    local: sp.Expr
    numeric: Numeric  # the value of ``local`` given the node values

    def __repr__(self) -> str:
        return f"Edge(d{self.child.name}/d{self.parent.name} = {self.local})"


@dataclass(eq=False)
class Node:
    name: str
    kind: str
    per_sample: bool
    symbol: sp.Symbol
    expr: sp.Expr | None = None
    compute: Numeric | None = None  # the node's value given its parents' values
    layer: int | None = None  # index of the layer a unit or pre-activation belongs to
    unit: str | None = None  # for a pre-activation: the unit it feeds
    parents: list[Edge] = field(default_factory=list)  # only parents a gradient flows to
    children: list[Edge] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"Node({self.name}, {self.kind})"

    @property
    def is_parameter(self) -> bool:
        return self.kind in PARAMETER_KINDS


@dataclass
class Network:
    """All nodes in topological order (parents first), with the objective last."""

    spec: Spec
    nodes: dict[str, Node]
    objective: Node
    sample_loss: Node

    @property
    def parameters(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.is_parameter]

    @property
    def edges(self) -> list[Edge]:
        return [e for n in self.nodes.values() for e in n.parents]

    def __getitem__(self, name: str) -> Node:
        return self.nodes[name]

    def delta_node(self, unit: str) -> Node:
        """The node whose error term is the unit's delta: its pre-activation, or itself."""
        return self.nodes.get(f"net_{unit}", self.nodes[unit])


class _Builder:
    def __init__(self, spec: Spec):
        self.spec = spec
        self.nodes: dict[str, Node] = {}

    def node(self, name: str, kind: str, per_sample: bool, **kw) -> Node:
        node = Node(name, kind, per_sample, sp.Symbol(name), **kw)
        self.nodes[name] = node
        return node

    def edge(self, child: Node, parent: Node, local: sp.Expr, numeric: Numeric) -> None:
        if parent.kind in ("input", "target"):
            return  # constants: no gradient flows to them
        e = Edge(child, parent, local, numeric)
        child.parents.append(e)
        parent.children.append(e)


def _lookup(name: str) -> Numeric:
    return lambda v: v[name]


def _loss_partial(rule: Loss, t: str, o: str, n_out: int, v: Values) -> sp.Expr:
    return rule.partial(v[t], v[o], n_out)


def _scaled_value(factor: sp.Expr, name: str, v: Values) -> sp.Expr:
    return factor * v[name]


def _plus_l2(top: str, v: Values) -> sp.Expr:
    return v[top] + v["s"]


def _activation_derivative(rule: Activation, z: str, a: str, slope: sp.Expr, v: Values
                           ) -> sp.Expr:
    return rule.derivative(v[z], v[a], slope)


def _softmax_value(znames: list[str], i: int, v: Values) -> sp.Expr:
    return softmax_forward([v[z] for z in znames], i)


def _softmax_partial(names: list[str], i: int, k: int, v: Values) -> sp.Expr:
    return softmax_derivative([v[u] for u in names], i, k)


def _one(_v: Values) -> sp.Expr:
    return sp.Integer(1)


def build_network(spec: Spec) -> Network:
    """Turn a validated spec into its graph."""
    b = _Builder(spec)
    for name in spec.input_names:
        b.node(name, "input", True)
    for name in spec.target_names:
        b.node(name, "target", True)
    for layer in spec.layers:
        for row in layer.weight_names:
            for name in row:
                b.node(name, "weight", False)
        for name in layer.bias_names:
            b.node(name, "bias", False)

    previous = [b.nodes[n] for n in spec.input_names]
    for li in range(len(spec.layers)):
        previous = _layer(b, li, previous)

    outputs = previous
    loss_rule = LOSSES[spec.loss]
    targets = [b.nodes[n] for n in spec.target_names]
    many = len(spec.samples) > 1
    base = spec.data_loss_name if spec.l2 is not None else spec.loss_name
    loss = b.node(
        f"{base}_n" if many else base,
        "sample_loss",
        True,
        expr=loss_rule.value([t.symbol for t in targets], [o.symbol for o in outputs]),
    )
    tnames, onames = [t.name for t in targets], [o.name for o in outputs]
    loss.compute = lambda v: loss_rule.value([v[t] for t in tnames], [v[o] for o in onames])
    n_out = len(outputs)
    for t, o in zip(targets, outputs):
        b.edge(
            loss,
            o,
            loss_rule.partial(t.symbol, o.symbol, n_out),
            partial(_loss_partial, loss_rule, t.name, o.name, n_out),
        )

    top = loss
    if many:
        count = len(spec.samples)
        weight = sp.Integer(1) if spec.reduction == "sum" else sp.Rational(1, count)
        n = sp.Symbol("n", integer=True, positive=True)
        total = b.node(
            base, "data_loss", False, expr=weight * sp.Sum(loss.symbol, (n, 1, count))
        )
        b.edge(total, loss, weight, lambda v: weight)
        top = total
    if spec.l2 is not None:
        lam = spec.l2
        weights = [b.nodes[w] for w in spec.weight_names()]
        squares = sp.Add(*(w.symbol**2 for w in weights), evaluate=False)
        s = b.node("s", "l2", False, expr=sp.Mul(lam / 2, squares, evaluate=False))
        names = [w.name for w in weights]
        s.compute = lambda v: lam / 2 * sp.Add(*(v[w] ** 2 for w in names))
        for w in weights:
            b.edge(s, w, lam * w.symbol, partial(_scaled_value, lam, w.name))
        objective = b.node(spec.loss_name, "objective", False, expr=top.symbol + s.symbol)
        objective.compute = partial(_plus_l2, top.name)
        b.edge(objective, top, sp.Integer(1), _one)
        b.edge(objective, s, sp.Integer(1), _one)
        top = objective
    return Network(spec, b.nodes, top, loss)


def _layer(b: _Builder, li: int, previous: list[Node]) -> list[Node]:
    layer = b.spec.layers[li]
    rule = None if layer.activation == SOFTMAX else ACTIVATIONS[layer.activation]
    slope = layer.negative_slope
    nets: list[Node] = []
    units: list[Node] = []
    for k, unit in enumerate(layer.units):
        weights = [b.nodes[n] for n in layer.weight_names[k]]
        bias = layer.bias_of(k)
        bias_node = b.nodes[bias[0]] if bias else None
        # kept as written (w1 x1 + w2 x2 + b1) so that a page prints it in this order
        terms = [sp.Mul(w.symbol, a.symbol, evaluate=False) for w, a in zip(weights, previous)]
        if bias_node is not None:
            terms.append(bias_node.symbol)
        identity = layer.activation == "identity"
        net = b.node(
            unit if identity else f"net_{unit}",
            "unit" if identity else "net",
            True,
            expr=sp.Add(*terms, evaluate=False) if len(terms) > 1 else terms[0],
            layer=li,
            unit=unit,
        )
        pairs = [(w.name, a.name) for w, a in zip(weights, previous)]
        bname = bias_node.name if bias_node is not None else None
        net.compute = partial(_weighted_sum, pairs=pairs, bias=bname)
        for w, a in zip(weights, previous):
            b.edge(net, w, a.symbol, _lookup(a.name))
            b.edge(net, a, w.symbol, _lookup(w.name))
        if bias_node is not None:
            b.edge(net, bias_node, sp.Integer(1), _one)
        nets.append(net)
        if identity:
            units.append(net)
        elif rule is not None:
            z = net.symbol
            out = b.node(unit, "unit", True, expr=rule.forward(z, slope), layer=li, unit=unit)
            out.compute = lambda v, z=net.name: rule.forward(v[z], slope)
            b.edge(
                out,
                net,
                rule.derivative(z, out.symbol, slope),
                partial(_activation_derivative, rule, net.name, unit, slope),
            )
            units.append(out)
    if layer.activation == SOFTMAX:
        zs = [n.symbol for n in nets]
        znames = [n.name for n in nets]
        for i, unit in enumerate(layer.units):
            out = b.node(unit, "unit", True, expr=softmax_forward(zs, i), layer=li, unit=unit)
            out.compute = partial(_softmax_value, znames, i)
            units.append(out)
        names = list(layer.units)
        syms = [u.symbol for u in units]
        for i, out in enumerate(units):
            for k, net in enumerate(nets):
                b.edge(
                    out,
                    net,
                    softmax_derivative(syms, i, k),
                    partial(_softmax_partial, names, i, k),
                )
    return units


def _weighted_sum(v: Values, pairs: list[tuple[str, str]], bias: str | None) -> sp.Expr:
    total = sp.Add(*(v[w] * v[a] for w, a in pairs))
    return total + v[bias] if bias is not None else total
