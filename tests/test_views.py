"""The four views of a gradient: each computes its own numbers, and they agree.

Every view's value of every parameter's gradient is compared with 80-digit finite
differences (independent of symbp's derivatives), on every example, every test spec
and random networks; hand-worked fractions pin the computational-graph example.
"""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings

from symbp import derive
from symbp.check.crosscheck import finite_difference_gradients
from symbp.engine.spec import parse_spec
from symbp.output.render import render
from symbp.page.display import Style
from symbp.page.rows import RowBuilder
from symbp.page.views import build_views

from conftest import EXAMPLES, ROOT, run_cli
from test_crosscheck import networks

SPECS = [*sorted(EXAMPLES.glob("*.yaml")), *sorted((ROOT / "tests" / "specs").glob("*.yaml"))]


def views_of(d, layout="column"):
    return build_views(RowBuilder(d, Style()), ["paths", "deltas", "matrix", "graph"], layout)


def assert_views_match_finite_differences(d, layout="column"):
    views = views_of(d, layout)
    assert views["agreement"].ok
    fd = finite_difference_gradients(d.spec)
    if fd.kinks:  # a ReLU exactly at 0: the differences straddle the kink
        return False
    with mpmath.workdps(80):
        for view in ("deltas", "matrix", "graph"):
            values = views[view].values
            assert set(values) == set(d.params), view
            for name, value in values.items():
                expected = fd.gradients[name]
                scale = max(abs(expected), 1)
                assert abs(mpmath.mpf(str(sp.Float(value, 60))) - expected) < 1e-30 * scale, \
                    (view, name)
    assert [r[0] for r in views["agreement"].rows] == [
        RowBuilder(d, Style()).tex(d.network[n].symbol) for n in d.params]
    return True


@pytest.mark.parametrize("layout", ["column", "row"])
@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_view_agrees_with_finite_differences(spec, layout):
    assert assert_views_match_finite_differences(derive(spec), layout)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_random_networks_agree_in_every_view(raw):
    assume(assert_views_match_finite_differences(derive(parse_spec(raw, "random"))))


def test_computational_graph_example_by_hand():
    # o = 0.8 h1 - 0.5 h2 with h1 = ReLU(1.0) = 1, h2 = ReLU(-0.4) = 0; dL/do = 0.8 - 1.5.
    d = derive(EXAMPLES / "relu_l2_computational_graph.yaml")
    R = sp.Rational
    hand = {
        "w5": sp.Rational(-7, 10) * 1 + sp.Rational(1, 100) * sp.Rational(4, 5),  # -0.692
        "w6": sp.Rational(-7, 10) * 0 + sp.Rational(1, 100) * sp.Rational(-1, 2),
        "w1": R(-7, 10) * R(4, 5) * 1 + R(1, 100) * R(2, 5),
        "w2": R(-7, 10) * R(4, 5) * 2 + R(1, 100) * R(3, 10),
        "w3": sp.Rational(1, 100) * sp.Rational(-3, 5),  # h2 is shut: only the L2 term
        "w4": sp.Rational(1, 100) * sp.Rational(1, 10),
    }
    views = views_of(d)
    for view in ("deltas", "matrix", "graph"):
        assert views[view].values == hand, view
    table = {row.node: row for row in views["graph"].table}
    assert set(table) >= {"L", "s", "a^{(2)}", "z^{(2)}", "W^{(2)}", "a^{(1)}", "z^{(1)}",
                          "W^{(1)}"}
    # a weight matrix feeds z and the L2 term s: two upstream gradients, summed
    assert table["W^{(1)}"].upstream == [r"\frac{\partial J}{\partial z^{(1)}}",
                                         r"\frac{\partial J}{\partial s}"]
    assert r"\lambda W^{(1)}" in table["W^{(1)}"].local
    assert d.loss == sp.Rational(49, 200) + sp.Rational(1, 200) * sp.Rational(151, 100)


def test_softmax_output_error_term_is_prediction_minus_target():
    d = derive(EXAMPLES / "softmax_three_classes.yaml")
    views = views_of(d)
    assert views["matrix"].simplified == "softmax_ce"
    # softmax of the output layer's weighted inputs, computed here with mpmath
    with mpmath.workdps(40):
        check_softmax(d)
    text = render(d, "md", view="matrix")
    assert r"\delta^{(2)} &= a^{(2)} - y" in text
    assert "cancel to" in text


def check_softmax(d):
    x = [mpmath.mpf("0.5"), mpmath.mpf("-1")]
    W1 = [[0.2, -0.4], [0.7, 0.1], [-0.3, 0.5]]
    b1 = [0.1, -0.2, 0.0]
    h = [mpmath.tanh(sum(mpmath.mpf(str(w)) * xi for w, xi in zip(row, x)) + mpmath.mpf(str(b)))
         for row, b in zip(W1, b1)]
    W2 = [[0.6, -0.1, 0.2], [-0.3, 0.8, 0.4], [0.1, 0.2, -0.5]]
    b2 = [0.0, 0.1, -0.1]
    z = [sum(mpmath.mpf(str(w)) * hi for w, hi in zip(row, h)) + mpmath.mpf(str(b))
         for row, b in zip(W2, b2)]
    p = [mpmath.exp(zi) / sum(mpmath.exp(zk) for zk in z) for zi in z]
    t = [0, 1, 0]
    for k in range(3):
        # dE/db of an output unit is its error term: p - t
        grad = d.gradients[f"b{4 + k}"]
        assert abs(mpmath.mpf(str(sp.Float(grad, 45))) - (p[k] - t[k])) < 1e-35


def test_seed004_matrix_view_numbers():
    d = derive(EXAMPLES / "seed004_sigmoid_2-2-2.yaml")
    text = render(d, "md", view="matrix")
    # z^(1) = W^(1) a^(0) + b^(1): 0.15 x 0.05 + 0.2 x 0.1 + 0.35 = 0.3775
    assert (r"z^{(1)} &= W^{(1)} a^{(0)} + b^{(1)}") in text
    assert r"\begin{bmatrix}0.3775\\0.3925\end{bmatrix}" in text
    # the seed's PyTorch listing: dE/dw1 = 0.000438568, dE/dw5 = 0.082167041
    assert r"\begin{bmatrix}0.0004386 & 0.0008771\\0.0004977 & 0.0009954\end{bmatrix}" in text
    # -0.022601 to 4 digits keeps its trailing zero: -0.02260
    assert r"\begin{bmatrix}0.08217 & 0.08267\\-0.02260 & -0.02274\end{bmatrix}" in text
    row = render(d, "md", view="matrix", layout="row")
    assert r"z^{(1)} &= a^{(0)} W^{(1)} + b^{(1)}" in row
    assert r"\begin{bmatrix}0.05 & 0.1\end{bmatrix} \begin{bmatrix}0.15 & 0.25\\0.2 & 0.3" \
           r"\end{bmatrix}" in row
    assert "numpy" in row


def test_two_samples_are_columns_and_the_mean_is_stated():
    d = derive(ROOT / "tests" / "specs" / "two_samples_tanh_l2_mean.yaml")
    text = render(d, "md", view="matrix")
    assert "The 2 samples are the columns" in text
    assert r"\frac{1}{2}\,\delta^{(1)} \left(a^{(0)}\right)^{\mathsf{T}} + \lambda W^{(1)}" \
        in text
    assert r"\begin{bmatrix}1 & 2\end{bmatrix}" in text  # a^(0): x of the two samples


def test_view_all_page_has_every_view_and_the_closing_check():
    d = derive(EXAMPLES / "seed000_linear_2-2-1.yaml")
    for lang, words in (("en", ["Error terms, unit by unit", "Matrix form",
                                "The computational graph", "The views agree",
                                "The views agree on every parameter."]),
                        ("zh", ["逐个单元的误差项", "矩阵形式", "计算图",
                                "各视角对每个参数的结果都一致"])):
        text = render(d, "md", lang=lang, view="all")
        for w in words:
            assert w in text, (lang, w)
    # seed 000: dE/dw1 = 2.1 x 1 x 0.5 = 1.05, now also as delta_h1 x x1
    text = render(d, "md", view="deltas")
    assert r"| $w_{1}$ | $\delta_{h_{1}} x_{1}$ | $= 2.1 \times 0.5$ | $= 1.05$ |" in text


def test_cli_views_write_pictures_beside_the_page(tmp_path):
    page = tmp_path / "notes" / "seed004.md"
    result = run_cli("derive", str(EXAMPLES / "seed004_sigmoid_2-2-2.yaml"), "--view", "all",
                     "-o", str(page))
    assert result.returncode == 0, result.stderr
    text = page.read_text(encoding="utf-8")
    svgs = sorted(p.name for p in page.parent.glob("*.svg"))
    assert "seed004.network.svg" in svgs and "seed004.graph.svg" in svgs
    # one paths picture per layer, for its first weight (w1 of layer 1, w5 of layer 2)
    assert "seed004.paths-w1.svg" in svgs and "seed004.paths-w5.svg" in svgs
    assert len(svgs) == 2 + 2
    for name in svgs:
        assert f"({name})" in text
    bare = tmp_path / "bare.md"
    assert run_cli("derive", str(EXAMPLES / "seed004_sigmoid_2-2-2.yaml"), "--no-pictures",
                   "-o", str(bare)).returncode == 0
    assert ".svg" not in bare.read_text(encoding="utf-8")
    assert not list(tmp_path.glob("bare*.svg"))


def test_bad_view_and_layout_exit_2():
    spec = str(EXAMPLES / "seed004_sigmoid_2-2-2.yaml")
    for args in (["--view", "tensor"], ["--layout", "diagonal"], ["--view", ""]):
        result = run_cli("derive", spec, *args)
        assert result.returncode == 2
        assert "--view" in result.stderr or "--layout" in result.stderr
