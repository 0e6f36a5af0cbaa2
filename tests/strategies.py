"""Random networks for page tests: every activation and loss, signs of both kinds, samples,
reductions, L2, biases none/shared/per unit, frozen parameters, steps.

``networks()`` is a hypothesis strategy of raw spec mappings (what a YAML file holds);
``regression_specs()`` are the specs in tests/regressions/, every one of which broke a
page once, so each page test runs them first and always.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import strategies as st

REGRESSIONS = Path(__file__).resolve().parent / "regressions"
HIDDEN = ["identity", "sigmoid", "tanh", "relu", "leaky_relu"]


@st.composite
def networks(draw, max_depth: int = 4, max_width: int = 6, max_samples: int = 3,
             min_samples: int = 1):
    depth = draw(st.integers(1, max_depth))
    widths = [draw(st.integers(1, max_width)) for _ in range(depth + 1)]
    loss = draw(st.sampled_from(["half_sse", "sse", "mse", "cross_entropy",
                                 "binary_cross_entropy"]))
    if loss == "cross_entropy":
        out_act = draw(st.sampled_from(["softmax", "sigmoid"]))
    elif loss == "binary_cross_entropy":
        out_act = "sigmoid"
    else:
        out_act = draw(st.sampled_from([*HIDDEN, "softmax"]))
    number = st.integers(-200, 200).map(lambda n: f"{n / 100:.2f}")
    target = st.integers(0, 100).map(lambda n: f"{n / 100:.2f}")
    samples = draw(st.integers(min_samples, max_samples))
    inputs = [f"x{i + 1}" for i in range(widths[0])]
    targets = [f"t{i + 1}" for i in range(widths[-1])]
    layers = []
    for li in range(depth):
        units = [f"u{li + 1}_{k + 1}" if li < depth - 1 else f"o{k + 1}"
                 for k in range(widths[li + 1])]
        act = out_act if li == depth - 1 else draw(st.sampled_from(HIDDEN))
        layer: dict = {
            "units": units,
            "activation": act,
            "weights": [[draw(number) for _ in range(widths[li])] for _ in units],
        }
        bias = draw(st.sampled_from(["none", "shared", "per_unit"]))
        if bias == "shared":
            layer["bias"] = draw(number)
        elif bias == "per_unit":
            layer["bias"] = [draw(number) for _ in units]
        if act == "leaky_relu":
            layer["negative_slope"] = draw(st.sampled_from(["0.01", "0.1", "0.2"]))
        layers.append(layer)
    if samples == 1 and draw(st.booleans()):
        spec: dict = {"inputs": {x: draw(number) for x in inputs},
                      "targets": {t: draw(target) for t in targets}}
    else:
        spec = {"samples": [{"inputs": {x: draw(number) for x in inputs},
                             "targets": {t: draw(target) for t in targets}}
                            for _ in range(samples)],
                "reduction": draw(st.sampled_from(["sum", "mean"]))}
    spec.update({"title": "A random network", "layers": layers, "loss": loss,
                 "learning_rate": draw(st.sampled_from(["0.1", "0.5", "0.05"]))})
    if draw(st.booleans()):
        spec["l2"] = draw(st.sampled_from(["0.01", "0.1"]))
    if draw(st.integers(0, 4)) == 0:
        spec["steps"] = draw(st.integers(2, 3))
    if draw(st.integers(0, 4)) == 0 and any("bias" in layer for layer in layers):
        spec["frozen"] = ["b1"]
    return spec


def regression_specs() -> list[Path]:
    """Every spec that ever broke a page test, by file name."""
    return sorted(REGRESSIONS.glob("*.yaml"))


def load_regression(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))
