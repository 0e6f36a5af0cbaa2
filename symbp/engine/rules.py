"""Local derivative rules as data: one entry per activation and per loss.

Every rule is written once and serves twice: applied to SymPy symbols it gives
the closed form a textbook prints (the sigmoid's derivative as ``a(1 - a)``),
applied to numbers it gives the value.  The engine never differentiates a
composed expression; it only looks rules up here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import sympy as sp

Expr: TypeAlias = sp.Expr


@dataclass(frozen=True)
class Activation:
    """An element-wise activation a = f(z) with its derivative da/dz."""

    name: str
    forward: Callable[[Expr, Expr], Expr]  # (z, slope) -> a
    derivative: Callable[[Expr, Expr, Expr], Expr]  # (z, a, slope) -> da/dz
    exact: bool  # maps rationals to rationals, so exact input stays exact
    note: str = ""


@dataclass(frozen=True)
class Loss:
    """A per-sample loss over the output units and its partial for one output."""

    name: str
    value: Callable[[Sequence[Expr], Sequence[Expr]], Expr]  # (targets, outputs) -> loss
    partial: Callable[[Expr, Expr, int], Expr]  # (t_i, o_i, n_outputs) -> d loss / d o_i
    outputs: tuple[str, ...] = ()  # output activations it needs; empty: any


def _scaled(factor: sp.Rational, terms: list[Expr]) -> Expr:
    """factor * (sum of terms), kept as written so a page shows 1/2 (...) and not (...)/2."""
    if factor == 1:
        return sp.Add(*terms)
    return sp.Mul(factor, sp.Add(*terms, evaluate=False), evaluate=False)


def _sigmoid(z: Expr, _s: Expr) -> Expr:
    return 1 / (1 + sp.exp(-z))


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("identity", lambda z, s: z, lambda z, a, s: sp.Integer(1), True),
        Activation("sigmoid", _sigmoid, lambda z, a, s: a * (1 - a), False),
        Activation("tanh", lambda z, s: sp.tanh(z), lambda z, a, s: 1 - a**2, False),
        Activation(
            "relu",
            lambda z, s: sp.Max(0, z),
            lambda z, a, s: sp.Heaviside(z, 0),
            True,
            "ReLU'(0) = 0, as PyTorch computes it",
        ),
        Activation(
            "leaky_relu",
            lambda z, s: sp.Piecewise((z, z > 0), (s * z, True)),
            lambda z, a, s: sp.Piecewise((1, z > 0), (s, True)),
            True,
            "LeakyReLU'(0) = negative_slope, as PyTorch computes it",
        ),
    )
}

#: Softmax couples the units of its layer, so it has a rule of its own.
SOFTMAX = "softmax"
ACTIVATION_NAMES = (*ACTIVATIONS, SOFTMAX)


def softmax_forward(zs: Sequence[Expr], i: int) -> Expr:
    """o_i = exp(z_i) / sum_k exp(z_k)."""
    return sp.exp(zs[i]) / sp.Add(*(sp.exp(z) for z in zs))


def softmax_derivative(outs: Sequence[Expr], i: int, k: int) -> Expr:
    """d o_i / d z_k = o_i (1 - o_i) when i == k, else -o_i o_k."""
    return outs[i] * (1 - outs[i]) if i == k else -outs[i] * outs[k]


LOSSES: dict[str, Loss] = {
    lo.name: lo
    for lo in (
        Loss(
            "half_sse",
            lambda ts, os: _scaled(sp.Rational(1, 2), [(t - o) ** 2 for t, o in zip(ts, os)]),
            lambda t, o, n: o - t,
        ),
        Loss(
            "sse",
            lambda ts, os: sp.Add(*((t - o) ** 2 for t, o in zip(ts, os))),
            lambda t, o, n: 2 * (o - t),
        ),
        Loss(
            "mse",
            lambda ts, os: _scaled(sp.Rational(1, len(os)), [(t - o) ** 2 for t, o in zip(ts, os)]),
            lambda t, o, n: sp.Rational(2, n) * (o - t),
        ),
        Loss(
            "cross_entropy",
            lambda ts, os: -sp.Add(*(t * sp.log(o) for t, o in zip(ts, os))),
            lambda t, o, n: -t / o,
            ("softmax", "sigmoid"),
        ),
        Loss(
            "binary_cross_entropy",
            lambda ts, os: -sp.Add(
                *(t * sp.log(o) + (1 - t) * sp.log(1 - o) for t, o in zip(ts, os))
            ),
            lambda t, o, n: -t / o + (1 - t) / (1 - o),
            ("sigmoid",),
        ),
    )
}
