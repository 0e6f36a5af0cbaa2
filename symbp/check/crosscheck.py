"""Independent recomputation of every gradient: finite differences and PyTorch autograd.

Nothing here uses the engine's graph, rules or chain rule: the objective is
written out again directly from the spec, once with mpmath at high precision
(differentiated by central differences) and once with PyTorch in float64
(differentiated by autograd).  Agreement with the engine therefore means
something.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import SupportsFloat

import mpmath

from symbp.engine.spec import Spec

#: Working precision of the finite differences, in decimal digits.
FD_DIGITS = 80
#: Step of the central differences: the truncation error is O(h^2) ~ 1e-50 relative.
FD_STEP = mpmath.mpf("1e-25")
#: A pre-activation this close to 0 makes a ReLU kink too close for differences to be meaningful.
KINK = mpmath.mpf("1e-20")


def _activation(name: str, z, slope):
    if name == "identity":
        return z
    if name == "sigmoid":
        return 1 / (1 + mpmath.exp(-z))
    if name == "tanh":
        return mpmath.tanh(z)
    if name == "relu":
        return z if z > 0 else mpmath.mpf(0)
    if name == "leaky_relu":
        return z if z > 0 else slope * z
    raise ValueError(name)


def _sample_loss(loss: str, targets, outputs):
    pairs = list(zip(targets, outputs))
    if loss == "half_sse":
        return sum((t - o) ** 2 for t, o in pairs) / 2
    if loss == "sse":
        return sum((t - o) ** 2 for t, o in pairs)
    if loss == "mse":
        return sum((t - o) ** 2 for t, o in pairs) / len(pairs)
    if loss == "cross_entropy":
        return -sum(t * mpmath.log(o) for t, o in pairs)
    if loss == "binary_cross_entropy":
        return -sum(t * mpmath.log(o) + (1 - t) * mpmath.log(1 - o) for t, o in pairs)
    raise ValueError(loss)


def _mp(value) -> mpmath.mpf:
    return mpmath.mpf(value.p) / value.q if hasattr(value, "q") else mpmath.mpf(value)


def objective(spec: Spec, params: Mapping[str, object], kinks: list[str] | None = None):
    """The training objective written out from the spec, in mpmath (call inside workdps)."""
    p = {k: _mp(v) for k, v in params.items()}
    losses = []
    for sample in spec.samples:
        a = [_mp(x) for x in sample.inputs]
        for layer in spec.layers:
            zs = []
            for k, unit in enumerate(layer.units):
                z = sum(p[w] * x for w, x in zip(layer.weight_names[k], a))
                bias = layer.bias_of(k)
                if bias is not None:
                    z += p[bias[0]]
                if kinks is not None and layer.activation in ("relu", "leaky_relu") \
                        and abs(z) < KINK:
                    kinks.append(unit)
                zs.append(z)
            if layer.activation == "softmax":
                top = max(zs)
                exps = [mpmath.exp(z - top) for z in zs]
                a = [e / sum(exps) for e in exps]
            else:
                slope = _mp(layer.negative_slope)
                a = [_activation(layer.activation, z, slope) for z in zs]
        losses.append(_sample_loss(spec.loss, [_mp(t) for t in sample.targets], a))
    total = sum(losses)
    if spec.reduction == "mean":
        total /= len(losses)
    if spec.l2 is not None:
        total += _mp(spec.l2) / 2 * sum(p[w] ** 2 for w in spec.weight_names())
    return total


@dataclass
class FiniteDifferences:
    gradients: dict[str, mpmath.mpf]
    kinks: list[str] = field(default_factory=list)  # ReLU units sitting on their kink


def finite_difference_gradients(
    spec: Spec, params: Mapping[str, object] | None = None
) -> FiniteDifferences:
    """Central differences (f(p + h) - f(p - h)) / 2h at 80 digits for every parameter."""
    params = dict(spec.parameters() if params is None else params)
    with mpmath.workdps(FD_DIGITS):
        kinks: list[str] = []
        objective(spec, params, kinks)
        base = {k: _mp(v) for k, v in params.items()}
        grads = {}
        for name in params:
            up = dict(base, **{name: base[name] + FD_STEP})
            down = dict(base, **{name: base[name] - FD_STEP})
            grads[name] = (objective(spec, up) - objective(spec, down)) / (2 * FD_STEP)
    return FiniteDifferences(grads, sorted(set(kinks)))


def torch_gradients(
    spec: Spec, params: Mapping[str, SupportsFloat] | None = None
) -> dict[str, float] | None:
    """The same objective in PyTorch float64, differentiated by autograd; None without torch."""
    try:
        import torch
    except ImportError:
        return None
    params = dict(spec.parameters() if params is None else params)
    leaves = {
        k: torch.tensor(float(v), dtype=torch.float64, requires_grad=True)
        for k, v in params.items()
    }
    functions = {
        "identity": lambda z, s: z,
        "sigmoid": lambda z, s: torch.sigmoid(z),
        "tanh": lambda z, s: torch.tanh(z),
        "relu": lambda z, s: torch.relu(z),
        "leaky_relu": lambda z, s: torch.nn.functional.leaky_relu(z, s),
    }
    losses = []
    for sample in spec.samples:
        a = torch.tensor([float(x) for x in sample.inputs], dtype=torch.float64)
        for layer in spec.layers:
            w = torch.stack([torch.stack([leaves[n] for n in row]) for row in layer.weight_names])
            z = w @ a
            if layer.bias:
                z = z + torch.stack([leaves[layer.bias_name(k)] for k in range(len(layer.units))])
            if layer.activation == "softmax":
                a = torch.softmax(z, dim=0)
            else:
                a = functions[layer.activation](z, float(layer.negative_slope))
        t = torch.tensor([float(x) for x in sample.targets], dtype=torch.float64)
        losses.append(_torch_loss(spec.loss, t, a, torch))
    total = torch.stack(losses).sum()
    if spec.reduction == "mean":
        total = total / len(losses)
    if spec.l2 is not None:
        total = total + float(spec.l2) / 2 * sum(leaves[n] ** 2 for n in spec.weight_names())
    total.backward()
    return {k: float(v.grad) if v.grad is not None else 0.0 for k, v in leaves.items()}


def _torch_loss(loss: str, t, o, torch):
    if loss == "half_sse":
        return ((t - o) ** 2).sum() / 2
    if loss == "sse":
        return ((t - o) ** 2).sum()
    if loss == "mse":
        return ((t - o) ** 2).mean()
    if loss == "cross_entropy":
        return -(t * torch.log(o)).sum()
    if loss == "binary_cross_entropy":
        return -(t * torch.log(o) + (1 - t) * torch.log(1 - o)).sum()
    raise ValueError(loss)


def relative_difference(a, b, floor: float) -> mpmath.mpf:
    """|a - b| / max(|a|, |b|, floor): relative, but absolute for gradients near 0."""
    a, b = mpmath.mpf(a), mpmath.mpf(b)
    return abs(a - b) / max(abs(a), abs(b), mpmath.mpf(floor))


@dataclass
class CheckReport:
    """How far the engine's gradients are from the two independent computations."""

    rows: list[tuple[str, float, float, float | None]]  # (param, engine, fd, torch)
    per_parameter: list[tuple[str, float, float | None]]  # (param, fd rel. diff, torch ...)
    fd_max: float  # largest relative difference to finite differences
    torch_max: float | None  # ... to PyTorch; None without torch
    kinks: list[str]

    FD_TOLERANCE = 1e-30
    TORCH_TOLERANCE = 1e-9

    @property
    def ok(self) -> bool:
        torch_ok = self.torch_max is None or self.torch_max <= self.TORCH_TOLERANCE
        return self.fd_max <= self.FD_TOLERANCE and torch_ok


def cross_check(spec: Spec, gradients: Mapping[str, object]) -> CheckReport:
    """Compare the engine's gradients with finite differences and PyTorch."""
    fd = finite_difference_gradients(spec)
    tg = torch_gradients(spec)
    rows, per_parameter = [], []
    torch_scale = max([1e-6, *(abs(v) for v in tg.values())]) if tg else 1e-6
    with mpmath.workdps(FD_DIGITS):
        for name, value in gradients.items():
            ours = _mp(value) if hasattr(value, "q") else mpmath.mpf(str(value))
            fd_rel = float(relative_difference(ours, fd.gradients[name], 1e-10))
            theirs = tg[name] if tg is not None else None
            # float64 resolves about 16 digits of the largest terms in play, so a tiny
            # gradient is compared on the scale of the largest one
            torch_rel = None if theirs is None else float(
                relative_difference(ours, theirs, torch_scale))
            rows.append((name, float(ours), float(fd.gradients[name]), theirs))
            per_parameter.append((name, fd_rel, torch_rel))
    fd_max = max((r[1] for r in per_parameter), default=0.0)
    torch_max = None if tg is None else max(
        (r[2] for r in per_parameter if r[2] is not None), default=0.0)
    return CheckReport(rows, per_parameter, fd_max, torch_max, fd.kinks)
