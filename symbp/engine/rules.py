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
from mpmath.libmp import prec_to_dps

from symbp.engine.numbers import DIGITS, GUARD_DIGITS

Expr: TypeAlias = sp.Expr
LN10 = 2.302585092994046


@dataclass(frozen=True)
class Activation:
    """An element-wise activation a = f(z) with its derivative da/dz."""

    name: str
    forward: Callable[[Expr, Expr], Expr]  # (z, slope) -> a
    derivative: Callable[[Expr, Expr, Expr], Expr]  # (z, a, slope) -> da/dz
    exact: bool  # maps rationals to rationals, so exact input stays exact
    note: str = ""
    # How it is printed, drawn and named: everything else reads these.
    tex: str = ""  # phi as a function in layer notation: \sigma, \tanh, ReLU
    label: str = ""  # short plain text for pictures
    prime_tex: str = ""  # phi'(z) element-wise in layer notation; %s is the layer's superscript
    prime_name: str = ""  # its name in formula claims (sigmoid_prime), "" if it has none
    kink: bool = False  # not differentiable at 0: the page states the convention used
    lemma: bool = False  # the lemmas section derives its derivative
    coupled: bool = False  # couples the units of its layer (softmax): a rule of its own


@dataclass(frozen=True)
class Loss:
    """A per-sample loss over the output units and its partial for one output."""

    name: str
    value: Callable[[Sequence[Expr], Sequence[Expr]], Expr]  # (targets, outputs) -> loss
    partial: Callable[[Expr, Expr, int], Expr]  # (t_i, o_i, n_outputs) -> d loss / d o_i
    outputs: tuple[str, ...] = ()  # output activations it needs; empty: any
    # The gradient of one sample's loss with respect to the outputs a, in layer notation
    # (%s is the output layer's superscript), and the factor in front of (a - y) if any.
    gradient_tex: str = ""
    factor: sp.Rational | None = None
    natural_log: bool = False  # its logarithms are natural: the page says ln


def _scaled(factor: sp.Rational, terms: list[Expr]) -> Expr:
    """factor * (sum of terms), kept as written so a page shows 1/2 (...) and not (...)/2."""
    if factor == 1:
        return sp.Add(*terms)
    return sp.Mul(factor, sp.Add(*terms, evaluate=False), evaluate=False)


def carried(z: Expr, factor: int = 1) -> Expr:
    """A float argument of exp widened so that exp(-factor |z|) still shows against 1.

    SymPy evaluates sigma(z) of a float z at z's own precision, which rounds a
    saturated sigma(120) = 1 - 7.7e-53 to 1 at 50 digits; with the extra digits
    1 - sigma(z), log(1 - sigma(z)) and sigma(z)(1 - sigma(z)) stay right.
    """
    if not isinstance(z, sp.Float):
        return z
    extra = int(factor * abs(z) / LN10) + GUARD_DIGITS
    return sp.Float(z, max(DIGITS + extra, prec_to_dps(z._prec)))


def _sigmoid(z: Expr, _s: Expr) -> Expr:
    z = carried(z)
    return 1 / (1 + sp.exp(-z))


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("identity", lambda z, s: z, lambda z, a, s: sp.Integer(1), True,
                   tex="", label="", prime_tex="1"),
        Activation("sigmoid", _sigmoid, lambda z, a, s: a * (1 - a), False,
                   tex=r"\sigma", label="σ", prime_tex=r"a%s \odot \left(1 - a%s\right)",
                   prime_name="sigmoid_prime", lemma=True),
        Activation("tanh", lambda z, s: sp.tanh(carried(z, 2)), lambda z, a, s: 1 - a**2, False,
                   tex=r"\tanh", label="tanh", prime_tex=r"1 - a%s \odot a%s",
                   prime_name="tanh_prime", lemma=True),
        Activation(
            "relu",
            lambda z, s: sp.Max(0, z),
            lambda z, a, s: sp.Heaviside(z, 0),
            True,
            "ReLU'(0) = 0, as PyTorch computes it",
            tex=r"\operatorname{ReLU}", label="ReLU",
            prime_tex=r"\mathbf{1}\left[z%s > 0\right]", prime_name="relu_prime",
            kink=True, lemma=True,
        ),
        Activation(
            "leaky_relu",
            lambda z, s: sp.Piecewise((z, z > 0), (s * z, True)),
            lambda z, a, s: sp.Piecewise((1, z > 0), (s, True)),
            True,
            "LeakyReLU'(0) = negative_slope, as PyTorch computes it",
            tex=r"\operatorname{LeakyReLU}", label="LReLU",
            prime_tex=r"\mathbf{1}\left[z%s > 0\right] + \alpha\,\mathbf{1}\left[z%s \le 0\right]",
            kink=True, lemma=True,
        ),
    )
}

#: Softmax couples the units of its layer, so it has a rule of its own.
SOFTMAX = "softmax"
ACTIVATION_NAMES = (*ACTIVATIONS, SOFTMAX)


def softmax_forward(zs: Sequence[Expr], i: int) -> Expr:
    """o_i = exp(z_i) / sum_k exp(z_k)."""
    zs = [carried(z, 2) for z in zs]
    return sp.exp(zs[i]) / sp.Add(*(sp.exp(z) for z in zs))


def softmax_derivative(outs: Sequence[Expr], i: int, k: int) -> Expr:
    """d o_i / d z_k = o_i (1 - o_i) when i == k, else -o_i o_k."""
    return outs[i] * (1 - outs[i]) if i == k else -outs[i] * outs[k]


#: Softmax's entry for what is printed and drawn; its values come from the two functions above.
SOFTMAX_RULE = Activation(
    SOFTMAX,
    lambda z, s: z,  # never called: a softmax unit's value needs its whole layer
    lambda z, a, s: a * (1 - a),  # the diagonal of the Jacobian
    False,
    tex=r"\operatorname{softmax}", label="softmax", coupled=True,
)


def activation(name: str) -> Activation:
    """The rule of an activation by name, softmax included."""
    if name == SOFTMAX:
        return SOFTMAX_RULE
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise KeyError(f"no rule for the activation {name!r}; the rules are"
                       f" {', '.join(ACTIVATION_NAMES)}") from None


LOSSES: dict[str, Loss] = {
    lo.name: lo
    for lo in (
        Loss(
            "half_sse",
            lambda ts, os: _scaled(sp.Rational(1, 2), [(t - o) ** 2 for t, o in zip(ts, os)]),
            lambda t, o, n: o - t,
            gradient_tex=r"a%s - y", factor=sp.Integer(1),
        ),
        Loss(
            "sse",
            lambda ts, os: sp.Add(*((t - o) ** 2 for t, o in zip(ts, os))),
            lambda t, o, n: 2 * (o - t),
            gradient_tex=r"2\left(a%s - y\right)", factor=sp.Integer(2),
        ),
        Loss(
            "mse",
            lambda ts, os: _scaled(sp.Rational(1, len(os)), [(t - o) ** 2 for t, o in zip(ts, os)]),
            lambda t, o, n: sp.Rational(2, n) * (o - t),
            gradient_tex=r"\frac{2}{m}\left(a%s - y\right)",
        ),
        Loss(
            "cross_entropy",
            lambda ts, os: -sp.Add(*(t * sp.log(o) for t, o in zip(ts, os))),
            lambda t, o, n: -t / o,
            ("softmax", "sigmoid"),
            gradient_tex=r"-y \oslash a%s", natural_log=True,
        ),
        Loss(
            "binary_cross_entropy",
            lambda ts, os: -sp.Add(
                *(t * sp.log(o) + (1 - t) * sp.log(1 - o) for t, o in zip(ts, os))
            ),
            lambda t, o, n: -t / o + (1 - t) / (1 - o),
            ("sigmoid",),
            gradient_tex=r"\left(a%s - y\right) \oslash "
                         r"\left(a%s \odot \left(1 - a%s\right)\right)",
            natural_log=True,
        ),
    )
}
