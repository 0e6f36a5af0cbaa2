"""One derivation: forward pass, loss, error terms, chains, the update and the new loss.

This is the object the renderers, the JSON writer and the verifier read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sympy as sp
from sympy.core.cache import clear_cache

from symbp.engine.chains import (
    DEFAULT_PATH_LIMIT,
    Chain,
    build_chains,
    closed_form,
    error_term_formulas,
)
from symbp.engine.graph import Network, build_network
from symbp.engine.numbers import Number, evaluate
from symbp.engine.passes import Forward, backward, forward
from symbp.engine.spec import Spec, load_spec


@dataclass
class Derivation:
    """Everything about one training step of one network, exact where the input allows.

    ``gradients``, ``chains`` and ``deltas`` belong to the first step;
    ``updated`` holds the parameters after it and ``loss_after`` the loss
    they give; ``history`` has the loss before every step and after the last,
    and ``final`` the parameters after the last step.
    """

    spec: Spec
    network: Network
    params: dict[str, Number]
    forward: Forward
    error_terms: dict[str, list[Number] | Number]
    gradients: dict[str, Number]
    chains: dict[str, Chain]
    updated: dict[str, Number]
    after: Forward
    history: list[Number]
    final: dict[str, Number]

    @property
    def loss(self) -> Number:
        return self.forward.objective

    @property
    def loss_after(self) -> Number:
        return self.after.objective

    @property
    def values(self) -> dict[str, Number] | list[dict[str, Number]]:
        """Node values of the forward pass: one mapping, or one per sample."""
        per_sample = [self._sample_values(v) for v in self.forward.samples]
        return per_sample[0] if len(per_sample) == 1 else per_sample

    def _sample_values(self, v: dict[str, Number]) -> dict[str, Number]:
        keep = [n.name for n in self.network.nodes.values()
                if n.per_sample or n.is_parameter or len(self.forward.samples) == 1]
        return {name: v[name] for name in keep if name in v}

    @property
    def outputs(self) -> dict[str, Number] | list[dict[str, Number]]:
        names = self.spec.output_names
        per_sample = [{u: v[u] for u in names} for v in self.forward.samples]
        return per_sample[0] if len(per_sample) == 1 else per_sample

    @property
    def deltas(self) -> dict[str, list[Number] | Number]:
        """Each unit's error term d(objective)/d(net_unit): one per sample when several."""
        result = {}
        for layer in self.spec.layers:
            for unit in layer.units:
                g = self.error_terms[self.network.delta_node(unit).name]
                result[unit] = g[0] if isinstance(g, list) and len(g) == 1 else g
        return result

    def delta_formulas(self) -> dict[str, sp.Expr]:
        """The symbolic recursion of every error term (delta_v in terms of later deltas)."""
        return error_term_formulas(self.network)

    def closed_form(self, parameter: str) -> sp.Expr:
        """The fully composed closed form of d(objective)/d(parameter), small networks only."""
        return closed_form(self.network, parameter)

    def to_markdown(self, lang: str = "en", **options) -> str:
        """The derivation page in Markdown (options as for :func:`symbp.render.render`)."""
        from symbp.output.render import render

        return render(self, "md", lang=lang, **options)

    def to_latex(self, lang: str = "en", **options) -> str:
        """The derivation as a standalone LaTeX article (``fragment=True`` for a fragment)."""
        from symbp.output.render import render

        return render(self, "tex", lang=lang, **options)

    def _repr_markdown_(self) -> str:
        """Jupyter shows a derivation as its Markdown page."""
        return self.to_markdown()

    def _repr_latex_(self) -> str:
        """For front ends that prefer LaTeX: the fragment, which needs only amsmath."""
        return self.to_latex(fragment=True, pictures=False)


def sgd_step(
    spec: Spec, params: dict[str, Number], grads: dict[str, Number]
) -> dict[str, Number]:
    """p - learning_rate * dp for every parameter that is not frozen."""
    lr = spec.learning_rate
    return {
        name: value if name in spec.frozen else evaluate(value - lr * grads[name])
        for name, value in params.items()
    }


def derive(spec: Spec | str | Path, path_limit: int = DEFAULT_PATH_LIMIT) -> Derivation:
    """Build the network, run the forward and backward passes, assemble the chains, train."""
    if not isinstance(spec, Spec):
        spec = load_spec(spec)
    # SymPy's cache treats floats of one value but different precision as the same key, so
    # exp(z) at 60 digits could come back as an earlier exp(z) at 50: start from an empty
    # cache so that a derivation's digits never depend on what was computed before it.
    clear_cache()
    network = build_network(spec)
    params: dict[str, Number] = spec.parameters()
    fwd = forward(network, params)
    error_terms = backward(network, fwd)
    grads = {p.name: error_terms.get(p.name, sp.Integer(0)) for p in network.parameters}
    chains = build_chains(network, fwd, error_terms, path_limit)
    updated = sgd_step(spec, params, grads)
    after = forward(network, updated)
    history = [fwd.objective]
    current, state = updated, after
    for _ in range(spec.steps - 1):
        history.append(state.objective)
        step_grads = backward(network, state)
        current = sgd_step(spec, current, {p: step_grads.get(p, sp.Integer(0)) for p in current})
        state = forward(network, current)
    history.append(state.objective)
    return Derivation(spec, network, params, fwd, error_terms, grads, chains, updated, after,
                      history, current)
