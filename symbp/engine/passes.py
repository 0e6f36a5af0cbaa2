"""Numbers on the graph: the forward pass and the backward (error-term) pass.

The forward pass gives every node its value and every edge the value of its
local partial.  The backward pass walks the nodes once in reverse topological
order and accumulates d(objective)/d(node) with ``+=`` where a node feeds
several others, so every error term is computed once and the cost grows with
the number of edges.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp

from symbp.engine.graph import Edge, Network
from symbp.engine.numbers import Number, cancelled, evaluate


@dataclass
class Forward:
    """Values of one forward pass.

    ``samples[s][name]`` is the value of a node for sample ``s`` (shared
    nodes such as parameters are in every sample's mapping, with the same
    value); ``shared[name]`` holds the nodes that have one value in all.
    ``edges[e]`` is a list with one local-partial value per sample for an
    edge out of a per-sample node, a single number otherwise.
    """

    samples: list[dict[str, Number]]
    shared: dict[str, Number]
    edges: dict[Edge, list[Number] | Number]
    objective: Number


def forward(network: Network, params: Mapping[str, Number]) -> Forward:
    """Evaluate every node and every local partial for the given parameters."""
    spec = network.spec
    shared: dict[str, Number] = dict(params)
    per_sample_nodes = [n for n in network.nodes.values() if n.per_sample and n.compute]
    samples: list[dict[str, Number]] = []
    for sample in spec.samples:
        v: dict[str, Number] = dict(shared)
        v.update(zip(spec.input_names, sample.inputs))
        v.update(zip(spec.target_names, sample.targets))
        for node in per_sample_nodes:
            assert node.compute is not None
            v[node.name] = evaluate(node.compute(v))
        samples.append(v)

    loss = network.sample_loss
    # With one sample the objective may sit directly on the sample's loss.
    top = shared if len(samples) > 1 else ChainMap(shared, samples[0])
    for node in network.nodes.values():
        if node.kind == "data_loss":
            (edge,) = node.parents
            shared[node.name] = evaluate(
                edge.numeric(shared) * sp.Add(*(v[loss.name] for v in samples))
            )
        elif not node.per_sample and node.compute is not None:
            shared[node.name] = evaluate(node.compute(top))

    edges: dict[Edge, list[Number] | Number] = {}
    for node in network.nodes.values():
        for edge in node.parents:
            if node.per_sample:
                edges[edge] = [evaluate(edge.numeric(v)) for v in samples]
            else:
                edges[edge] = evaluate(edge.numeric(top))

    obj = network.objective
    objective = shared[obj.name] if not obj.per_sample else samples[0][obj.name]
    for v in samples:
        v.update({k: x for k, x in shared.items() if k not in v})
    return Forward(samples, shared, edges, objective)


def backward(network: Network, fwd: Forward) -> dict[str, list[Number] | Number]:
    """d(objective)/d(node) for every node a gradient reaches.

    Per-sample nodes get a list (one error term per sample), shared nodes
    (parameters, summed loss, L2 term) a single number.
    """
    count = len(fwd.samples)
    zero = sp.Integer(0)
    grads: dict[str, list[Number] | Number] = {}
    for node in network.nodes.values():
        if node.parents or node.children:
            grads[node.name] = [zero] * count if node.per_sample else zero
    obj = network.objective
    grads[obj.name] = [sp.Integer(1)] * count if obj.per_sample else sp.Integer(1)
    # the largest contribution summed into each gradient, to tell a cancellation from a value
    sizes: dict[str, list[Number] | Number] = {
        name: [zero] * len(g) if isinstance(g, list) else zero for name, g in grads.items()}

    for node in reversed(network.nodes.values()):
        g = grads.get(node.name)
        if g is None:
            continue
        g = grads[node.name] = _denoised(g, sizes[node.name])
        if not node.parents:
            continue
        for edge in node.parents:
            local = fwd.edges[edge]
            parent = edge.parent
            contrib: list[Number] | Number
            if isinstance(g, list) and isinstance(local, list):
                contrib = [gs * ls for gs, ls in zip(g, local)]
            else:
                assert not isinstance(g, list) and not isinstance(local, list)
                contrib = g * local  # a shared node's edge has one value
            if parent.per_sample:
                acc, size = grads[parent.name], sizes[parent.name]
                assert isinstance(acc, list) and isinstance(size, list)
                parts = contrib if isinstance(contrib, list) else [contrib] * len(acc)
                grads[parent.name] = [a + c for a, c in zip(acc, parts)]
                sizes[parent.name] = [max(z, abs(c)) for z, c in zip(size, parts)]
            else:
                parts = contrib if isinstance(contrib, list) else [contrib]
                grads[parent.name] = grads[parent.name] + sp.Add(*parts)
                sizes[parent.name] = max([sizes[parent.name], *(abs(c) for c in parts)])
    return {k: _evaluated(_denoised(v, sizes[k])) for k, v in grads.items()}


def _denoised(g: list[Number] | Number, size: list[Number] | Number
              ) -> list[Number] | Number:
    if isinstance(g, list):
        assert isinstance(size, list)
        return [_denoised(x, z) for x, z in zip(g, size)]
    return cancelled(evaluate(g), size)


def _evaluated(g: list[Number] | Number) -> list[Number] | Number:
    if isinstance(g, list):
        return [evaluate(x) for x in g]
    return evaluate(g)
