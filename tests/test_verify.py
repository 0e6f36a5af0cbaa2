"""symbp verify: the seeds' published numbers and formulas, and every diagnosis.

Claims that commit a mistake are built here from hand arithmetic, from the classic
walk-through's published values, or from the independent finite differences.
"""

from __future__ import annotations

import json

import mpmath
import pytest

from symbp import derive, parse_spec
from symbp.check.claims import parse_claims
from symbp.check.crosscheck import finite_difference_gradients
from symbp.check.formula import check_formula
from symbp.check.verify import verify
from symbp.engine.spec import SpecError

from conftest import EXAMPLES, run_cli

SEED000 = EXAMPLES / "seed000_linear_2-2-1.yaml"
SEED002 = EXAMPLES / "seed002_single_linear_layer_mse.yaml"
SEED003 = EXAMPLES / "seed003_one_point_regression.yaml"
SEED004 = EXAMPLES / "seed004_sigmoid_2-2-2.yaml"
CLASSIC = EXAMPLES / "classic_sigmoid_2-2-2_shared_bias.yaml"


def judge(spec, claims: dict):
    d = derive(spec)
    parsed = parse_claims(claims, "claims.yaml")
    return {v.claim.label: v for v in verify(d, parsed)}, d


def test_seed000_published_numbers(tmp_path):
    claims = tmp_path / "seed000.yaml"
    claims.write_text(
        "values: {h1: 1.0, h2: 0.95}\noutputs: {\"y'\": 2.9}\nloss: 2.205\n"
        "gradients: {w5: 2.1, w1: 1.05}\n"
        "updated: {w1: 0.895, w2: 0.895, w3: 0.29, w4: 0.28, w5: 0.79, w6: 1.8005}\n"
        "loss_after: 0.15\n", encoding="utf-8")
    result = run_cli("verify", str(SEED000), str(claims), "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    wrong = [c for c in report["claims"] if not c["holds"]]
    assert [c["claim"] for c in wrong] == ["updated.w2"]
    assert wrong[0]["true_exact"] == "0.29"
    assert wrong[0]["mistake"]["kind"] == "copied"
    assert "updated w1" in wrong[0]["mistake"]["detail"]
    assert any("0.5 − 0.1 × 2.1 = 0.29" in line for line in wrong[0]["derivation"])
    held = {c["claim"]: c["holds"] for c in report["claims"]}
    assert held["loss_after"] is True  # 0.150063 is 0.15 at two decimals
    text = run_cli("verify", str(SEED000), str(claims))
    assert text.returncode == 1
    assert "✗  updated.w2" in text.stdout and "12 of 13 claims hold." in text.stdout


def test_seed004_loss_text_is_wrong_listing_is_right():
    verdicts, _ = judge(SEED004, {"loss": "0.2988"})
    assert not verdicts["loss"].holds
    verdicts, _ = judge(SEED004, {"loss": "0.2984"})
    assert verdicts["loss"].holds


def test_precision_and_tolerance():
    verdicts, _ = judge(SEED000, {"loss_after": "0.150"})
    assert verdicts["loss_after"].holds  # 0.150063 rounds to 0.150
    verdicts, _ = judge(SEED000, {"loss_after": "0.1501"})
    assert verdicts["loss_after"].holds
    verdicts, _ = judge(SEED000, {"loss_after": "0.15007"})
    assert not verdicts["loss_after"].holds  # 0.150062963 rounds to 0.15006
    verdicts, _ = judge(SEED000, {"loss_after": {"value": "0.1", "tol": "0.06"}})
    assert verdicts["loss_after"].holds
    verdicts, _ = judge(SEED000, {"loss_after": {"value": "0.1", "tol": "0.04"}})
    assert not verdicts["loss_after"].holds


def two_paths():
    """x = 1 -> h = w1 x -> o1 = w2 h, o2 = w3 h; targets 0: dL/dw1 = 2*2 + 3*3 = 13."""
    return parse_spec({
        "inputs": {"x": 1}, "targets": {"t1": 0, "t2": 0},
        "layers": [{"units": ["h"], "activation": "identity", "weights": [[1]]},
                   {"units": ["o1", "o2"], "activation": "identity", "weights": [[2], [3]]}],
        "loss": "half_sse", "learning_rate": "0.1",
    }, "two_paths")


@pytest.mark.parametrize(("claim", "kind"), [
    ("-13", "sign_flipped"),
    ("9", "path_left_out"),     # only the path through o2: 3 * 3
    ("4", "path_left_out"),     # only the path through o1: 2 * 2
    ("26", "half_dropped"),
    ("6.5", "half_doubled"),
])
def test_gradient_mistakes(claim, kind):
    verdicts, _ = judge(two_paths(), {"gradients": {"w1": claim}})
    v = verdicts["gradients.w1"]
    assert not v.holds and v.mistake is not None and v.mistake.kind == kind, v.mistake


def test_sum_and_mean_swapped():
    spec = parse_spec({
        "samples": [{"inputs": {"x": 1}, "targets": {"y": 2}},
                    {"inputs": {"x": 2}, "targets": {"y": 3}}],
        "layers": [{"units": ["p"], "activation": "identity", "weights": [[1]]}],
        "loss": "sse", "learning_rate": "0.1",
    }, "two_samples")
    # residuals -1 and -1: summed dL/dw = 2 (-1*1 + -1*2) = -6, averaged -3; loss 2, or 1
    verdicts, _ = judge(spec, {"gradients": {"w1": "-3"}, "loss": "1"})
    assert verdicts["gradients.w1"].mistake.kind == "sum_mean_swapped"
    assert verdicts["loss"].mistake.kind == "sum_mean_swapped"


# The classic walk-through's published values (9 digits) for the mistaken computations.
OUT_H1, NET_O1, OUT_O1 = (mpmath.mpf("0.593269992"), mpmath.mpf("1.105905967"),
                          mpmath.mpf("0.75136507"))


def test_preactivation_mistakes_on_seed004():
    verdicts, _ = judge(SEED004, {"values": {"h1": "0.3775"}})
    assert verdicts["values.h1"].mistake.kind == "preactivation_for_activation"
    # dE/dw5 with the sigmoid's derivative taken as net(1 - net) instead of out(1 - out)
    wrong = (OUT_O1 - mpmath.mpf("0.01")) * NET_O1 * (1 - NET_O1) * OUT_H1
    verdicts, _ = judge(SEED004, {"gradients": {"w5": mpmath.nstr(wrong, 4)}})
    assert verdicts["gradients.w5"].mistake.kind == "preactivation_in_derivative"


def test_wrong_activation_derivative_on_seed004():
    # dE/dw5 with tanh's derivative 1 - out^2 instead of the sigmoid's
    wrong = (OUT_O1 - mpmath.mpf("0.01")) * (1 - OUT_O1**2) * OUT_H1
    verdicts, _ = judge(SEED004, {"gradients": {"w5": mpmath.nstr(wrong, 4)}})
    v = verdicts["gradients.w5"]
    assert v.mistake.kind == "wrong_activation_derivative" and v.mistake.params["used"] == "tanh"


@pytest.mark.parametrize(("name", "claim", "kind"), [
    ("w", "0.12", "lr_wrong_sign"),    # 0.5 + 0.1 * (-3.8)
    ("w", "4.3", "lr_not_applied"),    # 0.5 - (-3.8)
    ("b", "0.1", "not_updated"),       # the bias kept its value
])
def test_update_mistakes_on_seed003(name, claim, kind):
    verdicts, _ = judge(SEED003, {"updated": {name: claim}})
    v = verdicts[f"updated.{name}"]
    assert not v.holds and v.mistake.kind == kind, v.mistake


def test_frozen_bias_updated_on_the_classic_network():
    d = derive(CLASSIC)
    grad_b1 = finite_difference_gradients(d.spec).gradients["b1"]
    claim = mpmath.nstr(mpmath.mpf("0.35") - mpmath.mpf("0.5") * grad_b1, 6)
    verdicts, _ = judge(CLASSIC, {"updated": {"b1": claim}})
    assert verdicts["updated.b1"].mistake.kind == "frozen_updated"


def test_seed002_backpropagation_formula_is_flagged():
    # seed 002: delta_error = error - p; dw = x.T @ delta_error, with error the MSE loss
    d = derive(SEED002)
    parsed = parse_claims({"formulas": {"dL/dw1": "(L - p) * x1",
                                        "dL/dw3": "2 * (p - y) * x3"}}, "claims.yaml")
    wrong, right = (check_formula(d, f) for f in parsed.formulas)
    assert not wrong.holds and wrong.outcome.kind == "differs"
    assert wrong.outcome.params["point"] == 0  # the spec's own values
    assert wrong.outcome.params["claim"] == pytest.approx(-0.218, abs=1e-12)  # (0.01 - 1.1) 0.2
    assert right.holds


def sigmoid_output(loss: str):
    return parse_spec({
        "inputs": {"x": "0.5"}, "targets": {"t": "0.8"},
        "layers": [{"units": ["a"], "activation": "sigmoid", "weights": [["0.3"]],
                    "bias": "0.1"}],
        "loss": loss, "learning_rate": "0.1",
    }, "sigmoid_output")


def test_seed001_output_error_term_a_minus_y():
    claim = parse_claims({"formulas": {"dL/dnet_a": "a - t"}}, "c.yaml").formulas[0]
    assert check_formula(derive(sigmoid_output("binary_cross_entropy")), claim).holds
    half = check_formula(derive(sigmoid_output("half_sse")), claim)
    assert not half.holds and half.outcome.kind == "differs"


def test_formulas_are_parsed_not_evaluated():
    d = derive(SEED000)
    for text in ("__import__('os').system('echo hi')", "x1.real", "[x1]", "lambda: 1",
                 "open('f')", "w1 if x1 else w2"):
        claim = parse_claims({"formulas": {"h1": text}}, "c.yaml").formulas[0]
        with pytest.raises(SpecError):
            check_formula(d, claim)
    claim = parse_claims({"formulas": {"h1": "w1*x1 + w2*x2^1"}}, "c.yaml").formulas[0]
    assert check_formula(d, claim).holds


def test_bad_claims_file_exits_2(tmp_path):
    claims = tmp_path / "c.yaml"
    claims.write_text("gradients: {w9: 1}\n", encoding="utf-8")
    result = run_cli("verify", str(SEED000), str(claims))
    assert result.returncode == 2
    assert "c.yaml: gradients.w9: no parameter named w9" in result.stderr
    claims.write_text("colour: 1\n", encoding="utf-8")
    result = run_cli("verify", str(SEED000), str(claims))
    assert result.returncode == 2 and "unknown section" in result.stderr


def test_all_claims_hold_exits_0(tmp_path):
    claims = tmp_path / "c.yaml"
    claims.write_text("loss: 2.205\nformulas: {\"dδ/dw5\": \"(y' - y) * h1\"}\n",
                      encoding="utf-8")
    result = run_cli("verify", str(SEED000), str(claims))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 of 2 claims hold." in result.stdout


def test_check_command():
    result = run_cli("check", str(SEED004))
    assert result.returncode == 0
    assert "agree" in result.stdout and "finite differences (80 digits)" in result.stdout


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_verify_documents_render_everywhere(tmp_path, lang):
    from test_katex import katex_errors, math_spans

    from symbp.output.pdf import compile_pdf, engine_for

    from test_tex_compile import require

    claims = tmp_path / "c.yaml"
    claims.write_text(
        "loss: 0.2988\ngradients: {w1: 0.000438568, w5: -0.0822}\nupdated: {b1: 0.3500}\n"
        "values: {h1: 0.3775}\nformulas: {\"dE/dnet_o1\": \"(o1 - t1) * o1 * (1 - o1)\","
        " \"dE/dw5\": \"(o1 - t1) * h1\"}\n", encoding="utf-8")
    md = run_cli("verify", str(SEED004), str(claims), "--format", "md", "--lang", lang)
    assert md.returncode == 1, md.stderr
    assert md.stdout.count("$\\times$") == 4 and md.stdout.count("$\\checkmark$") == 1
    assert katex_errors(math_spans(md.stdout)) == []
    # the wrong value of h1 comes with the forward line that computes it
    assert "\\mathrm{out}_{h_{1}} &= \\sigma" in md.stdout
    tex = run_cli("verify", str(SEED004), str(claims), "--format", "tex", "--lang", lang)
    engine = engine_for(lang)
    require(engine)
    assert compile_pdf(tex.stdout, engine).startswith(b"%PDF")


def test_seed001_matrix_notation():
    bce = derive(sigmoid_output("binary_cross_entropy"))
    half = derive(sigmoid_output("half_sse"))

    def judge_formula(d, key, text):
        return check_formula(d, parse_claims({"formulas": {key: text}}, "c.yaml").formulas[0])

    # the output layer's error term a - y: right with cross-entropy, wrong with 1/2 SSE
    assert judge_formula(bce, "delta[L]", "a[L] - y").holds
    wrong = judge_formula(half, "delta[L]", "a[L] - y")
    assert not wrong.holds and wrong.outcome.kind == "matrix_differs"
    assert wrong.outcome.params["layer"] == 1
    assert judge_formula(half, "delta[L]", "(a[L] - y) ⊙ sigmoid_prime(z[L])").holds
    # the recursion and the gradients, on the 2-2-2 network
    d = derive(SEED004)
    assert judge_formula(d, "delta[l]", "(W[l+1]^T @ delta[l+1]) ⊙ phi_prime(z[l])").holds
    assert judge_formula(d, "dW[l]", "delta[l] @ a[l-1]^T").holds
    assert judge_formula(d, "db[l]", "delta[l]").holds
    swapped = judge_formula(d, "dW[l]", "a[l-1] @ delta[l]^T")
    assert not swapped.holds and (swapped.outcome.params["row"], swapped.outcome.params["col"]) \
        == (1, 2)
    with pytest.raises(SpecError):
        judge_formula(d, "dW[l]", "W[9] @ a[0]")


def test_matrix_gradient_summed_over_samples():
    spec = parse_spec({
        "samples": [{"inputs": {"x": 1}, "targets": {"y": 2}},
                    {"inputs": {"x": 2}, "targets": {"y": 3}}],
        "reduction": "mean",
        "layers": [{"units": ["p"], "activation": "identity", "weights": [[1]]}],
        "loss": "half_sse", "learning_rate": "0.1",
    }, "two_samples")
    d = derive(spec)
    claim = parse_claims({"formulas": {"dW[l]": "delta[l] @ a[l-1].T"}}, "c.yaml").formulas[0]
    assert check_formula(d, claim).holds  # (1/2) sum of the per-sample products
