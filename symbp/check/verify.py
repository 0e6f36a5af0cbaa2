"""Judge claimed numbers against the derivation, and say why a wrong one is wrong.

A claim holds when the true value, rounded to the decimals the claim was written
with, is the claimed number (or, with a tolerance, when it is that close).  For a
wrong claim the common mistakes are recomputed one by one: the first that
reproduces the claimed number, at the claim's own precision, is the diagnosis.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

import sympy as sp

from symbp.check.claims import Claims, NumberClaim
from symbp.engine.chains import Factor
from symbp.engine.derivation import Derivation
from symbp.engine.graph import Node
from symbp.engine.numbers import Number
from symbp.engine.rules import ACTIVATIONS
from symbp.engine.spec import SpecError

#: Every kind of mistake the diagnoser can name, with the parameters each carries (one
#: tuple per variant).  The sentences live in the language catalogues, one per kind.
#: Parameter types: ``parameter``, ``node``, ``net``, ``name``: spec names; ``path``: a
#: tuple of node names from the objective down to the parameter; ``index``, ``count``,
#: ``sample``: numbers counted from 1; ``reduction``: the true one, ``"sum"`` or
#: ``"mean"``; ``used``: the activation whose derivative was used; ``bias``: whether the
#: parameter is a bias; ``what``: which line a copied number comes from (``updated``,
#: ``gradient``, ``initial``, ``value``, ``loss``, ``loss_after``).
MISTAKE_KINDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "sign_flipped": (("parameter",),),
    "path_left_out": (("parameter", "path", "index", "count"),),
    "half_dropped": ((), ("parameter",)),
    "half_doubled": ((), ("parameter",)),
    "sum_mean_swapped": (("count", "reduction"), ("parameter", "count", "reduction")),
    "preactivation_for_activation": (("node", "net"), ("parameter",)),
    "activation_for_preactivation": (("node", "net"),),
    "preactivation_in_derivative": (("parameter",),),
    "activation_in_derivative": (("parameter",),),
    "wrong_activation_derivative": (("parameter", "used"),),
    "lr_wrong_sign": (("parameter",),),
    "lr_not_applied": (("parameter",),),
    "not_updated": (("parameter", "bias"),),
    "frozen_updated": (("parameter", "bias"),),
    "copied": (("what",), ("what", "name"), ("what", "name", "sample")),
}
#: The kinds a mistaken gradient can carry into an update (``via_gradient``).
GRADIENT_KINDS = ("path_left_out", "half_dropped", "half_doubled", "sum_mean_swapped",
                  "preactivation_for_activation", "preactivation_in_derivative",
                  "activation_in_derivative", "wrong_activation_derivative")


@dataclass(frozen=True)
class Mistake:
    """A common mistake that reproduces a wrong claim: a kind and what exactly, as data."""

    kind: str  # a key of MISTAKE_KINDS
    params: dict[str, Any] = field(default_factory=dict, hash=False)
    via_gradient: bool = False  # a mistaken gradient, then the update used it

    def __post_init__(self) -> None:
        if tuple(self.params) not in MISTAKE_KINDS[self.kind]:
            raise ValueError(f"{self.kind}: parameters {tuple(self.params)}, expected one of"
                             f" {MISTAKE_KINDS[self.kind]}")


@dataclass(frozen=True)
class Verdict:
    claim: NumberClaim
    truth: Number
    holds: bool
    mistake: Mistake | None = None


def _decimal(value: Number, digits: int = 60) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = digits
        if isinstance(value, sp.Rational):
            return Decimal(int(value.p)) / Decimal(int(value.q))
        return Decimal(str(sp.Float(value, digits)))


def agrees(claim: NumberClaim, value: Number) -> bool:
    """Whether ``value`` justifies the claim at the precision the claim was written with."""
    if claim.tol is not None:
        return abs(value - claim.value) <= claim.tol
    if claim.decimal is None:  # a fraction such as 1/3: exact
        return value == claim.value if isinstance(value, sp.Rational) else \
            abs(value - claim.value) < sp.Float("1e-40")
    exponent = claim.decimal.as_tuple().exponent
    assert isinstance(exponent, int)  # a written decimal is finite, never NaN or infinity
    quantum = Decimal(1).scaleb(exponent)
    with localcontext() as ctx:
        ctx.prec = 80
        rounded = _decimal(value).quantize(quantum, rounding=ROUND_HALF_EVEN)
    return rounded == claim.decimal


def truth_of(d: Derivation, claim: NumberClaim, source: str = "<claims>") -> Number:
    """The true value a claim speaks of; SpecError if the claims name nothing real."""
    section, name = claim.section, claim.name
    if section == "loss":
        return d.loss
    if section == "loss_after":
        return d.loss_after
    if section == "history":
        if int(name) >= len(d.history):
            raise SpecError(source, claim.label, f"the spec trains {d.spec.steps} step(s):"
                                                 f" history has {len(d.history)} entries")
        return d.history[int(name)]
    if section in ("values", "outputs"):
        table = d.values if section == "values" else d.outputs
        rows = table if isinstance(table, list) else [table]
        index = claim.sample or 0
        if index >= len(rows) or name not in rows[index]:
            raise SpecError(source, claim.label,
                            f"no such {section[:-1]}; expected one of {', '.join(rows[0])}")
        return rows[index][name]
    table = d.gradients if section == "gradients" else d.updated
    if name not in table:
        raise SpecError(source, claim.label,
                        f"no parameter named {name}; expected one of {', '.join(table)}")
    return table[name]


def verify(d: Derivation, claims: Claims) -> list[Verdict]:
    """Judge every numeric claim; diagnose the wrong ones."""
    verdicts = []
    for claim in claims.numbers:
        truth = truth_of(d, claim, claims.source)
        if agrees(claim, truth):
            verdicts.append(Verdict(claim, truth, True))
            continue
        mistake = next(
            (m for m, value in candidates(d, claim) if agrees(claim, value)), None
        )
        verdicts.append(Verdict(claim, truth, False, mistake))
    return verdicts


# --- the common mistakes ------------------------------------------------------------------


Candidate = tuple[Mistake, Number]


def candidates(d: Derivation, claim: NumberClaim) -> Iterator[Candidate]:
    """Values that the common mistakes give for this claim, most specific first."""
    section = claim.section
    if section == "gradients":
        yield from _gradient_mistakes(d, claim.name)
    elif section == "updated":
        yield from _update_mistakes(d, claim.name)
    elif section in ("loss", "loss_after", "history"):
        value = truth_of(d, claim)
        yield from _loss_mistakes(d, value)
    elif section in ("values", "outputs"):
        yield from _value_mistakes(d, claim)
    yield from _copied(d, claim)


def _loss_scale_mistakes(d: Derivation, value: Number,
                         parameter: str | None) -> Iterator[Candidate]:
    spec = d.spec
    of = {"parameter": parameter} if parameter is not None else {}
    if spec.loss == "half_sse":
        yield Mistake("half_dropped", of), 2 * value
        yield Mistake("half_doubled", of), value / 2
    count = len(spec.samples)
    if count > 1:
        swapped = Mistake("sum_mean_swapped",
                          {**of, "count": count, "reduction": spec.reduction})
        yield swapped, value * count if spec.reduction == "mean" else value / count


def _loss_mistakes(d: Derivation, value: Number) -> Iterator[Candidate]:
    yield from _loss_scale_mistakes(d, value, None)


def _gradient_mistakes(d: Derivation, name: str) -> Iterator[Candidate]:
    g = d.gradients[name]
    yield Mistake("sign_flipped", {"parameter": name}), -g
    chain = d.chains[name]
    if chain.form == "paths" and len(chain.paths) > 1:
        for i, path in enumerate(chain.paths):
            through = (*(f.of.name for f in path.factors), name)
            yield Mistake("path_left_out", {"parameter": name, "path": through, "index": i + 1,
                                            "count": len(chain.paths)}), g - path.value
    yield from _loss_scale_mistakes(d, g, name)
    if chain.form == "paths":
        for kind, extra, alternative in _factor_variants(d):
            value = _variant_sum(d, name, alternative)
            if value is not None and value != g:
                yield Mistake(kind, {"parameter": name, **extra}), value


def _variant_sum(d: Derivation, name: str,
                 alternative: Callable[[Factor, int], Number | None]) -> Number | None:
    """The gradient recomputed with some local factors replaced by a mistaken value."""
    chain = d.chains[name]
    count = len(d.forward.samples)
    total = sp.Integer(0)
    changed = False
    for path in chain.paths:
        for s in range(count):
            product = sp.Integer(1)
            for f in path.factors:
                value = f.value[s] if isinstance(f.value, list) else f.value
                alt = alternative(f, s)
                if alt is not None:
                    changed = True
                    value = alt
                product *= value
            if all(not isinstance(f.value, list) for f in path.factors) and s > 0:
                continue  # a path without per-sample factors counts once
            total += product
    return sp.N(total, 50) if changed else None


def _activation_of(d: Derivation, node: Node) -> str | None:
    if node.kind == "unit" and node.layer is not None:
        return d.spec.layers[node.layer].activation
    return None


def _factor_variants(d: Derivation) -> Iterator[tuple[str, dict[str, str], Callable]]:
    """Ways to get one kind of local factor wrong: (kind, its parameters, replacement)."""
    samples = d.forward.samples

    def net_of(node: Node) -> str | None:
        name = f"net_{node.unit}" if node.unit else None
        return name if name in d.network.nodes and name != node.name else None

    def input_as_preactivation(f: Factor, s: int):
        # d net_k / d w_kj is the activation a_j; the mistake uses net_j instead
        if f.edge is None or not f.wrt.is_parameter or f.wrt.kind != "weight":
            return None
        local = f.edge.local
        source = d.network.nodes.get(local.name) if isinstance(local, sp.Symbol) else None
        net = net_of(source) if source is not None else None
        if net is None:
            return None
        return samples[s][net]

    yield "preactivation_for_activation", {}, input_as_preactivation

    def derivative_with(kind: str):
        def replace(f: Factor, s: int):
            act = _activation_of(d, f.of)
            if f.edge is None or act is None or act == "softmax" or f.wrt.kind != "net":
                return None
            rule = ACTIVATIONS[act]
            assert f.of.layer is not None  # _activation_of found an activation in that layer
            slope = d.spec.layers[f.of.layer].negative_slope
            z, a = samples[s][f.wrt.name], samples[s][f.of.name]
            if kind == "net_for_out":
                return sp.N(rule.derivative(z, z, slope), 50)
            if kind == "out_for_net":
                return sp.N(rule.derivative(a, rule.forward(a, slope), slope), 50)
            if kind == act:
                return None
            other = ACTIVATIONS[kind]
            return sp.N(other.derivative(z, a, slope), 50)
        return replace

    yield "preactivation_in_derivative", {}, derivative_with("net_for_out")
    yield "activation_in_derivative", {}, derivative_with("out_for_net")
    for kind in ("sigmoid", "tanh", "relu", "identity"):
        yield "wrong_activation_derivative", {"used": kind}, derivative_with(kind)


def _update_mistakes(d: Derivation, name: str) -> Iterator[Candidate]:
    spec = d.spec
    p, g, lr = d.params[name], d.gradients[name], spec.learning_rate
    which = {"parameter": name, "bias": name in spec.bias_names()}
    if name in spec.frozen:
        yield Mistake("frozen_updated", which), p - lr * g
        return
    yield Mistake("lr_wrong_sign", {"parameter": name}), p + lr * g
    yield Mistake("lr_not_applied", {"parameter": name}), p - g
    yield Mistake("not_updated", which), p
    for mistake, value in _gradient_mistakes(d, name):
        if mistake.kind != "sign_flipped":
            yield Mistake(mistake.kind, mistake.params, via_gradient=True), p - lr * value


def _value_mistakes(d: Derivation, claim: NumberClaim) -> Iterator[Candidate]:
    node = d.network.nodes.get(claim.name)
    if node is None:
        return
    sample = d.forward.samples[claim.sample or 0]
    net = f"net_{node.unit}" if node.unit else None
    if node.kind == "unit" and net in sample and net != node.name:
        yield Mistake("preactivation_for_activation", {"node": node.name, "net": net}), \
            sample[net]
    if node.kind == "net" and node.unit in sample:
        yield Mistake("activation_for_preactivation", {"node": node.unit, "net": node.name}), \
            sample[node.unit]


def _copied(d: Derivation, claim: NumberClaim) -> Iterator[Candidate]:
    """The claimed number is the true value of another line."""
    lines: list[tuple[dict[str, Any], Number]] = []
    lines += [({"what": "updated", "name": n}, v) for n, v in d.updated.items()]
    lines += [({"what": "gradient", "name": n}, v) for n, v in d.gradients.items()]
    lines += [({"what": "initial", "name": n}, v) for n, v in d.params.items()]
    values = d.values if isinstance(d.values, list) else [d.values]
    for s, row in enumerate(values):
        tag = {"sample": s + 1} if len(values) > 1 else {}
        lines += [({"what": "value", "name": n, **tag}, v) for n, v in row.items()]
    lines += [({"what": "loss"}, d.loss), ({"what": "loss_after"}, d.loss_after)]
    own = {"gradients": "gradient", "updated": "updated", "values": "value",
           "outputs": "value", "loss": "loss", "loss_after": "loss_after"}.get(claim.section)
    for line, value in lines:
        # any sample of the claim's own node is its own line, not another one
        if line["what"] != own or line.get("name", "") != claim.name:
            yield Mistake("copied", line), value
