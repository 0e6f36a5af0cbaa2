"""verify never accepts the undefined: a formula that is undefined, infinite or complex
where the chain rule's is a real number is wrong, and a verdict needs enough points.

The property test draws random formulas from a grammar that builds, beside each formula's
text, its own mpmath evaluator: whenever verify says a formula holds, that independent
evaluation at the spec's values must be finite, real and equal to the true gradient.
"""

from __future__ import annotations

import mpmath
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symbp import derive
from symbp.check.claims import FormulaClaim, parse_claims
from symbp.check.formula import MIN_POINTS, check_formula

from conftest import EXAMPLES, run_cli

SPEC = EXAMPLES / "seed000_linear_2-2-1.yaml"


@pytest.fixture(scope="module")
def d():
    return derive(SPEC)


@pytest.mark.parametrize(("text", "why"), [
    ("1/0", "infinite"), ("log(0)", "infinite"), ("sqrt(-1)", "complex"),
    ("sqrt(x1 - 1)", "complex"),  # x1 = 0.5 in the spec: imaginary there
    ("(y' - y) * w5 * x1 + 1/(w1 - 1)", "infinite"),  # right, plus a pole at w1 = 1
])
def test_undefined_formulas_are_wrong(d, text, why):
    verdict = check_formula(d, FormulaClaim("dδ/dw1", text))
    assert not verdict.holds
    assert verdict.outcome.kind == "undefined"
    assert verdict.outcome.params["why"] == why
    assert verdict.outcome.params["point"] == 0  # the spec's own values
    assert float(verdict.outcome.params["truth"]) == pytest.approx(1.05)  # (2.9-0.8)*1*0.5




def test_the_command_line_exits_1_with_the_reason(tmp_path):
    claims = tmp_path / "c.yaml"
    claims.write_text('formulas:\n  "dδ/dw1": "1/0"\n  "dδ/dw5": "log(0)"\n'
                      '  "dδ/dw2": "sqrt(-1)"\n', encoding="utf-8")
    result = run_cli("verify", str(SPEC), str(claims))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "0 of 3 claims hold" in result.stdout
    assert result.stdout.count("is infinite where the chain rule gives") == 2
    assert "is not a real number where the chain rule gives" in result.stdout
    zh = run_cli("verify", str(SPEC), str(claims), "--lang", "zh")
    assert zh.returncode == 1 and "为无穷大" in zh.stdout and "不是实数" in zh.stdout


def test_non_finite_numeric_claims_are_refused(tmp_path):
    for bad in (".inf", ".nan", "-.inf"):
        claims = tmp_path / "n.yaml"
        claims.write_text(f"loss: {bad}\n", encoding="utf-8")
        result = run_cli("verify", str(SPEC), str(claims))
        assert result.returncode == 2, (bad, result.stdout, result.stderr)
        assert "loss" in result.stderr and "Traceback" not in result.stderr


# --- random formulas, each with its own evaluator ------------------------------------------

NAMES = ["x1", "x2", "w1", "w5", "y", "y'"]


def _leaf():
    return st.one_of(
        st.sampled_from(NAMES).map(lambda n: (n, lambda env, n=n: env[n])),
        st.sampled_from(["0", "1", "2", "0.5", "-1"]).map(
            lambda c: (c, lambda env, c=c: mpmath.mpf(c))),
    )


def _extend(inner):
    def binary(op):
        def build(pair):
            (ta, fa), (tb, fb) = pair
            funcs = {"+": lambda a, b: a + b, "-": lambda a, b: a - b,
                     "*": lambda a, b: a * b, "/": lambda a, b: a / b}
            return f"({ta} {op} {tb})", lambda env: funcs[op](fa(env), fb(env))
        return st.tuples(inner, inner).map(build)

    def unary(name, fn):
        return inner.map(lambda p: (f"{name}({p[0]})", lambda env: fn(p[1](env))))

    return st.one_of(binary("+"), binary("-"), binary("*"), binary("/"),
                     unary("log", mpmath.log), unary("sqrt", mpmath.sqrt),
                     unary("exp", mpmath.exp))


formulas = st.recursive(_leaf(), _extend, max_leaves=6)


@settings(derandomize=True, max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(formulas, st.sampled_from(["w1", "w5"]))
def test_verify_never_holds_unless_the_formula_agrees(d, formula, parameter):
    text, evaluate = formula
    # also the true formula with the random one added or multiplied in
    for claim in (text, f"(y' - y) * w5 * x1 + {text} - {text}" if parameter == "w1" else
                  f"(y' - y) * h1 * ({text}) / ({text})"):
        verdict = check_formula(d, FormulaClaim(f"dδ/d{parameter}", claim))
        if not verdict.holds:
            continue
        assert verdict.outcome.kind == "proved" or (
            verdict.outcome.kind == "equal_at" and verdict.outcome.params["points"] >= MIN_POINTS)
        env = {k: mpmath.mpf(str(v)) for k, v in d.values.items()}
        env.update({"x1": mpmath.mpf("0.5"), "x2": mpmath.mpf(1), "y": mpmath.mpf("0.8")})
        with mpmath.workdps(50):
            try:
                value = evaluate(env) if claim == text else None
            except (ZeroDivisionError, ValueError):
                raise AssertionError(f"{claim} holds but is undefined at the spec's values"
                                     ) from None
            if value is not None:
                assert mpmath.isfinite(value) and mpmath.im(value) == 0, claim
                assert abs(value - mpmath.mpf(str(d.gradients[parameter]))) < 1e-30, claim


def test_claims_parser_reads_the_formulas():
    claims = parse_claims({"formulas": {"dδ/dw1": "1/0"}}, "c.yaml")
    assert claims.formulas[0].text == "1/0"
