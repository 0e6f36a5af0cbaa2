"""The engine on small networks whose every number is worked by hand here."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp

from symbp import derive, parse_spec
from symbp.engine.chains import closed_form

R = sp.Rational
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def line(samples, w=1, b=0, **extra):
    """y-hat = w x + b, half squared error."""
    spec = {
        "samples": [{"inputs": {"x": x}, "targets": {"y": y}} for x, y in samples],
        "layers": [{"units": ["yhat"], "activation": "identity", "weights": [[w]],
                    "weight_names": [["w"]], "bias": b, "bias_names": ["b"]}],
        "loss": "half_sse",
        "learning_rate": "0.1",
    }
    spec.update(extra)
    return parse_spec(spec, "test")


def test_two_samples_summed():
    # residuals y-hat - y: (1 - 2) = -1 at x = 1 and (2 - 3) = -1 at x = 2
    d = derive(line([(1, 2), (2, 3)]))
    assert d.loss == 1
    assert d.gradients == {"w": -3, "b": -2}
    assert d.updated == {"w": R(13, 10), "b": R(1, 5)}
    # w = 1.3, b = 0.2: residuals -0.5 and -0.2, loss 0.125 + 0.02
    assert d.loss_after == R(145, 1000)
    assert d.values[1]["yhat"] == 2 and d.outputs[0] == {"yhat": 1}
    assert d.deltas["yhat"] == [-1, -1]
    # one template path, its per-sample factors summed: (-1)(1) + (-1)(2)
    (path,) = d.chains["w"].paths
    assert [f.value for f in path.factors] == [1, [-1, -1], [1, 2]]
    assert path.value == -3


def test_two_samples_mean():
    d = derive(line([(1, 2), (2, 3)], reduction="mean"))
    assert d.loss == R(1, 2)
    assert d.gradients == {"w": R(-3, 2), "b": -1}
    assert d.deltas["yhat"] == [R(-1, 2), R(-1, 2)]


def test_l2_term_adds_lambda_w_to_weights_only():
    # seed 003 with lambda = 0.01: J = L + 0.005 w^2
    spec = parse_spec(
        {
            "inputs": {"x": 2}, "targets": {"y": 3},
            "layers": [{"units": ["yhat"], "activation": "identity", "weights": [[0.5]],
                        "weight_names": [["w"]], "bias": 0.1, "bias_names": ["b"]}],
            "loss": "half_sse", "l2": 0.01, "learning_rate": 0.1,
        },
        "test",
    )
    d = derive(spec)
    assert d.loss == R("1.805") + R("0.005") * R(1, 4)
    assert d.gradients == {"w": R("-3.8") + R("0.005"), "b": R("-1.9")}
    chain = d.chains["w"]
    assert chain.path_count == 2
    assert sorted([f.wrt.name for f in p.factors] for p in chain.paths) == [
        ["L", "yhat", "w"], ["s", "w"],
    ]
    s_path = next(p for p in chain.paths if p.factors[0].wrt.name == "s")
    assert [f.expr for f in s_path.factors] == [1, R(1, 100) * sp.Symbol("w")]


def test_softmax_cross_entropy_error_term_is_output_minus_target():
    spec = parse_spec(
        {
            "inputs": {"x1": 1, "x2": 2}, "targets": {"t1": 1, "t2": 0},
            "layers": [{"units": ["o1", "o2"], "activation": "softmax",
                        "weights": [[0, 0], [0, 0]]}],
            "loss": "cross_entropy", "learning_rate": 1,
        },
        "test",
    )
    d = derive(spec)
    assert d.outputs == {"o1": R(1, 2), "o2": R(1, 2)}
    assert d.loss == pytest.approx(float(sp.log(2)), rel=1e-15)
    assert d.deltas == {"o1": R(-1, 2), "o2": R(1, 2)}
    assert d.gradients == {"w1": R(-1, 2), "w2": -1, "w3": R(1, 2), "w4": 1}
    # net_o1 reaches the loss through both outputs
    assert d.chains["w1"].path_count == 2


def relu_net(activation, **layer):
    return parse_spec(
        {
            "inputs": {"x": 1}, "targets": {"t": 1},
            "layers": [
                {"units": ["h"], "activation": activation, "weights": [[0]], **layer},
                {"units": ["o"], "activation": "identity", "weights": [[2]]},
            ],
            "loss": "half_sse", "learning_rate": 1,
        },
        "test",
    )


def test_relu_derivative_at_zero_is_zero():
    d = derive(relu_net("relu"))
    assert d.values["net_h"] == 0 and d.values["h"] == 0
    assert d.gradients == {"w1": 0, "w2": 0}
    assert d.chains["w1"].paths[0].factors[2].value == 0


def test_leaky_relu_derivative_at_zero_is_the_slope():
    d = derive(relu_net("leaky_relu", negative_slope=0.1))
    # dL/dw1 = (o - t) w2 slope x = (0 - 1) * 2 * 0.1 * 1
    assert d.gradients["w1"] == R(-1, 5)


def test_steps_record_the_loss_at_each_step():
    # seed 003: each step halves the residual (1 - 0.1 (x^2 + 1) = 1/2), so the loss quarters
    spec = parse_spec(
        {
            "inputs": {"x": 2}, "targets": {"y": 3},
            "layers": [{"units": ["yhat"], "activation": "identity", "weights": [[0.5]],
                        "bias": 0.1}],
            "loss": "half_sse", "learning_rate": 0.1, "steps": 3,
        },
        "test",
    )
    d = derive(spec)
    assert d.history == [R("1.805"), R("0.45125"), R("0.1128125"), R("0.028203125")]
    assert d.updated == {"w1": R("0.88"), "b1": R("0.29")}  # after the first step
    assert d.final == {"w1": R("1.165"), "b1": R("0.4325")}  # after the last
    assert d.gradients == {"w1": R("-3.8"), "b1": R("-1.9")}  # of the first step


def test_frozen_parameters_keep_their_value():
    d = derive(line([(1, 2)], frozen=["b"]))
    assert d.updated["b"] == 0 and d.gradients["b"] == -1
    assert d.updated["w"] == R(11, 10)


def test_beyond_the_path_limit_chains_use_error_terms():
    d = derive(EXAMPLES / "seed004_sigmoid_2-2-2.yaml", path_limit=1)
    chain = d.chains["w1"]
    assert chain.form == "error_terms" and chain.path_count == 2
    (path,) = chain.paths
    assert [f.kind for f in path.factors] == ["error_term", "local"]
    assert path.factors[0].wrt.name == "net_h1"
    assert chain.value == d.gradients["w1"]
    listed = derive(EXAMPLES / "seed004_sigmoid_2-2-2.yaml").chains["w1"]
    assert listed.form == "paths"
    assert float(listed.value) == pytest.approx(float(chain.value), rel=1e-40)


def test_closed_form_agrees_with_the_chain_rule():
    d = derive(EXAMPLES / "seed004_sigmoid_2-2-2.yaml")
    values = {sp.Symbol(k): v for k, v in d.values.items()}
    for name in ("w1", "b2", "w8"):
        expr = closed_form(d.network, name)
        assert expr.xreplace(values).evalf(60) == pytest.approx(d.gradients[name], rel=1e-40)


def test_delta_formulas_recurse_through_later_deltas():
    d = derive(EXAMPLES / "seed004_sigmoid_2-2-2.yaml")
    f = d.delta_formulas()
    h1, w5, w7 = sp.symbols("h1 w5 w7")
    assert f["net_h1"] == sp.Symbol("delta_h1") * h1 * (1 - h1)
    assert f["h1"] == sp.Symbol("delta_net_o1") * w5 + sp.Symbol("delta_net_o2") * w7


def test_sigmoid_values_carry_fifty_digits():
    d = derive(EXAMPLES / "seed004_sigmoid_2-2-2.yaml")
    # out_h1 = 1 / (1 + e^-0.3775) to 40 digits, computed independently of symbp
    expected = 1 / (1 + sp.exp(-R("0.3775")))
    assert abs(d.values["h1"] - expected.evalf(60)) < sp.Float("1e-45")
