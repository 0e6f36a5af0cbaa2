"""A derivation as JSON data: floats for reading, exact strings where the value is exact."""

from __future__ import annotations

from typing import Any

import sympy as sp

from symbp.engine.chains import Chain, Factor
from symbp.engine.derivation import Derivation
from symbp.engine.numbers import exact_text, is_exact


def _float(value: Any) -> Any:
    if isinstance(value, list):
        return [_float(v) for v in value]
    if isinstance(value, dict):
        return {k: _float(v) for k, v in value.items()}
    return float(value)


def _exact(value: Any) -> Any:
    """Exact text of a value (recursively); None where a value is not exact."""
    if isinstance(value, list):
        return [_exact(v) for v in value]
    if isinstance(value, dict):
        return {k: _exact(v) for k, v in value.items()}
    return exact_text(value) if is_exact(value) else None


def _has_exact(value: Any) -> bool:
    if isinstance(value, list):
        return any(_has_exact(v) for v in value)
    if isinstance(value, dict):
        return any(_has_exact(v) for v in value.values())
    return value is not None


def partial_text(of: str, wrt: str) -> str:
    return f"∂{of}/∂{wrt}"


def expr_text(expr: sp.Expr) -> str:
    return sp.sstr(expr)


def factor_data(f: Factor) -> dict[str, Any]:
    data: dict[str, Any] = {
        "partial": partial_text(f.of.name, f.wrt.name),
        "of": f.of.name,
        "wrt": f.wrt.name,
        "kind": f.kind,
        "expr": expr_text(f.expr),
        "value": _float(f.value),
    }
    exact = _exact(f.value)
    if _has_exact(exact):
        data["exact"] = exact
    return data


def chain_data(chain: Chain) -> list[list[dict[str, Any]]]:
    return [[factor_data(f) for f in path.factors] for path in chain.paths]


def to_json(d: Derivation, closed_forms: bool = False) -> dict[str, Any]:
    """The JSON object of ``symbp derive --format json``."""
    sections: dict[str, Any] = {
        "values": d.values,
        "outputs": d.outputs,
        "loss": d.loss,
        "gradients": d.gradients,
        "deltas": d.deltas,
    }
    tail: dict[str, Any] = {
        "updated": d.updated,
        "loss_after": d.loss_after,
        "history": d.history,
    }
    if d.spec.steps > 1:
        tail["final"] = d.final
    data: dict[str, Any] = {"title": d.spec.title}
    data.update({k: _float(v) for k, v in sections.items()})
    data["chains"] = {name: chain_data(c) for name, c in d.chains.items()}
    data["chain_forms"] = {
        name: {"form": c.form, "path_count": c.path_count} for name, c in d.chains.items()
    }
    data["delta_formulas"] = {k: expr_text(v) for k, v in d.delta_formulas().items()}
    data.update({k: _float(v) for k, v in tail.items()})
    if closed_forms:
        data["closed_forms"] = {p: expr_text(d.closed_form(p)) for p in d.gradients}
    exact = {}
    for key, value in {**sections, **tail}.items():
        text = _exact(value)
        if _has_exact(text):
            exact[key] = _prune(text)
    data["exact"] = exact
    return data


def _prune(value: Any) -> Any:
    """Drop the entries of a mapping that are not exact; keep lists aligned (None stays)."""
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if _has_exact(v)}
    return value
