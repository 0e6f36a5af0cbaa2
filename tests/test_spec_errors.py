"""Bad specs: each error names the file, the key and what was expected; nothing is evaluated."""

from __future__ import annotations

import re

import pytest
import sympy as sp

from symbp.engine.spec import SpecError, load_spec

from conftest import ROOT, run_cli

GOOD = """\
inputs: {x1: 0.5, x2: 1.0}
targets: {y: 0.8}
layers:
  - units: [h1, h2]
    activation: sigmoid
    weights: [[1.0, 0.5], [0.5, 0.7]]
  - units: [o]
    activation: identity
    weights: [[1.0, 2.0]]
loss: half_sse
learning_rate: 0.1
"""


def write(tmp_path, text, name="spec.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path, text, name="spec.yaml") -> SpecError:
    path = write(tmp_path, text, name)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert str(path) in str(info.value)
    return info.value


CASES = [
    # (change to GOOD, expected key, fragment of what was expected)
    (("inputs: {x1: 0.5, x2: 1.0}\n", ""), "inputs", "missing"),
    (("targets: {y: 0.8}\n", ""), "targets", "missing"),
    (("loss: half_sse\n", ""), "loss", "missing; expected one of half_sse"),
    (("learning_rate: 0.1\n", ""), "learning_rate", "missing"),
    (("learning_rate: 0.1\n", "learning_rate: fast\n"), "learning_rate",
     "expected a number, got the text 'fast'"),
    (("learning_rate: 0.1\n", "learning_rate: .nan\n"), "learning_rate", "finite"),
    (("learning_rate: 0.1\n", "learning_rate: .inf\n"), "learning_rate", "finite"),
    (("learning_rate: 0.1\n", "learning_rate: null\n"), "learning_rate", "got nothing"),
    (("learning_rate: 0.1\n", "learning_rate: true\n"), "learning_rate", "got True"),
    (("learning_rate: 0.1\n", "learning_rate: [1]\n"), "learning_rate", "got a list"),
    (("learning_rate: 0.1\n", "learning_rate: 1/0\n"), "learning_rate", "over 0"),
    (("loss: half_sse\n", "loss: hinge\n"), "loss", "expected one of half_sse, sse, mse"),
    (("loss: half_sse\n", "loss: cross_entropy\n"), "loss", "needs an output layer"),
    (("loss: half_sse\n", "loss: half_sse\ncolour: red\n"), "colour", "unknown key"),
    (("    weights: [[1.0, 2.0]]\n", "    weights: [[1.0, 2.0]]\n    dropout: 0.5\n"),
     "layers[1].dropout", "unknown key"),
    (("weights: [[1.0, 0.5], [0.5, 0.7]]", "weights: [[1.0, 0.5]]"), "layers[0].weights",
     "expected 2 rows (one per unit: h1, h2) of 2 numbers"),
    (("weights: [[1.0, 0.5], [0.5, 0.7]]", "weights: [[1.0, 0.5], [0.5]]"),
     "layers[0].weights[1]", "expected 2 numbers (one per input: x1, x2), got 1"),
    (("weights: [[1.0, 2.0]]", "weights: [[1.0, x]]"), "layers[1].weights[0][1]",
     "expected a number"),
    (("    weights: [[1.0, 2.0]]\n", "    weights: [[1.0, 2.0]]\n    weight_names: [[a]]\n"),
     "layers[1].weight_names", "expected the shape of weights"),
    (("    weights: [[1.0, 2.0]]\n", "    weights: [[1.0, 2.0]]\n    bias: [1, 2]\n"),
     "layers[1].bias", "one number per unit (1)"),
    (("    weights: [[1.0, 2.0]]\n", "    weights: [[1.0, 2.0]]\n    bias_names: [c]\n"),
     "layers[1].bias_names", "the layer has no bias"),
    (("units: [o]", "units: [x1]"), "layers[1].units[0]", "the name 'x1' is used twice"),
    (("units: [o]", "units: [L]"), "loss_name", "the name 'L' is used twice"),
    (("units: [o]", "units: [net_h1]"), "layers[0].units[0]",
     "the name 'net_h1' is used twice"),
    (("    weights: [[1.0, 2.0]]\n", "    weights: [[1.0, 2.0]]\n    weight_names: [[w3, z]]\n"),
     "layers[1].weight_names[0][0]", "the name 'w3' is used twice"),
    (("units: [o]", 'units: ["\\\\input{x}"]'), "layers[1].units[0]",
     "expected a name of Latin or Greek letters"),
    (("units: [o]", 'units: ["a b"]'), "layers[1].units[0]", "expected a name"),
    (("units: [o]", 'units: ["h$1"]'), "layers[1].units[0]", "expected a name"),
    (("units: [o]", "units: [输出]"), "layers[1].units[0]", "expected a name"),
    (("learning_rate: 0.1\n", "learning_rate: 0.1\nfrozen: [w9]\n"), "frozen[0]",
     "expected a parameter name"),
    (("learning_rate: 0.1\n", "learning_rate: 0.1\nsteps: 0\n"), "steps", "whole number"),
    (("learning_rate: 0.1\n", "learning_rate: 0.1\nsteps: 1.5\n"), "steps", "whole number"),
    (("learning_rate: 0.1\n", "learning_rate: 0.1\nsteps: true\n"), "steps", "whole number"),
    (("activation: identity", "activation: softmax\n    negative_slope: 0.1"),
     "layers[1].negative_slope", "only used with activation leaky_relu"),
    (("activation: sigmoid", "activation: softmax"), "layers[0].activation",
     "softmax is only supported on the output layer"),
    (("activation: sigmoid", "activation: swish"), "layers[0].activation",
     "expected one of identity, sigmoid, tanh, relu, leaky_relu, softmax"),
    (("learning_rate: 0.1\n", "learning_rate: 0.1\nl2: -1\n"), "l2", ">= 0"),
    (("learning_rate: 0.1\n", "learning_rate: 0.1\nreduction: median\n"), "reduction",
     "expected one of sum, mean"),
]


@pytest.mark.parametrize(("change", "key", "expected"), CASES,
                         ids=[f"{c[1]}" for c in CASES])
def test_bad_spec_names_key_and_expectation(tmp_path, change, key, expected):
    old, new = change
    assert old in GOOD
    err = error_of(tmp_path, GOOD.replace(old, new, 1))
    assert err.key == key, str(err)
    assert expected in err.expected, str(err)


def test_yaml_problems(tmp_path):
    assert "duplicate key 'x1'" in str(error_of(tmp_path, GOOD.replace(
        "inputs: {x1: 0.5, x2: 1.0}", "inputs: {x1: 0.5, x1: 1.0}")))
    assert "not valid YAML" in str(error_of(tmp_path, "inputs: [1, 2\n"))
    assert "expected a mapping of spec keys" in str(error_of(tmp_path, "- 1\n- 2\n"))
    err = error_of(tmp_path, "inputs: !!python/object/apply:os.system ['echo pwned']\n")
    assert "not valid YAML" in str(err)


def test_json_problems(tmp_path):
    assert "duplicate key" in str(error_of(tmp_path, '{"loss": 1, "loss": 2}', "s.json"))
    err = error_of(tmp_path, GOOD_JSON.replace('"learning_rate": 0.1', '"learning_rate": NaN'),
                   "s.json")
    assert err.key == "learning_rate" and "finite" in err.expected
    err = error_of(tmp_path, GOOD_JSON.replace('"learning_rate": 0.1',
                                               '"learning_rate": Infinity'), "s.json")
    assert "finite" in err.expected


GOOD_JSON = """{"inputs": {"x": 2}, "targets": {"y": 3},
 "layers": [{"units": ["p"], "activation": "identity", "weights": [[0.5]]}],
 "loss": "half_sse", "learning_rate": 0.1}"""


def test_numbers_are_read_exactly(tmp_path):
    spec = load_spec(write(tmp_path, GOOD.replace("learning_rate: 0.1", "learning_rate: 1e-3")
                           .replace("x2: 1.0", 'x2: "1/3"').replace("y: 0.8", "y: 0.15")))
    assert spec.learning_rate == sp.Rational(1, 1000)
    assert spec.samples[0].inputs == (sp.Rational(1, 2), sp.Rational(1, 3))
    assert spec.samples[0].targets == (sp.Rational(3, 20),)
    json_spec = load_spec(write(tmp_path, GOOD_JSON, "s.json"))
    assert json_spec.learning_rate == sp.Rational(1, 10)


def test_default_names_count_across_the_network(tmp_path):
    spec = load_spec(write(tmp_path, GOOD.replace(
        "weights: [[1.0, 0.5], [0.5, 0.7]]", "weights: [[1.0, 0.5], [0.5, 0.7]]\n    bias: 0.35")
        .replace("weights: [[1.0, 2.0]]", "weights: [[1.0, 2.0]]\n    bias: [0.6]")))
    assert list(spec.parameters()) == ["w1", "w2", "w3", "w4", "b1", "w5", "w6", "b2"]
    assert spec.layers[0].bias_shared and not spec.layers[1].bias_shared


def test_cli_reports_bad_spec_with_exit_2(tmp_path):
    path = write(tmp_path, GOOD.replace("loss: half_sse", "loss: hinge"))
    result = run_cli("derive", str(path))
    assert result.returncode == 2 and result.stdout == ""
    assert re.search(rf"{re.escape(str(path))}: loss: expected one of", result.stderr)


def test_no_code_evaluates_user_text():
    for source in (ROOT / "symbp").glob("*.py"):
        code = "\n".join(line.split("#")[0] for line in source.read_text().splitlines())
        for forbidden in ("eval(", "exec(", "sympify(", "parse_expr("):
            assert forbidden not in code.replace("evalf(", ""), (source.name, forbidden)
