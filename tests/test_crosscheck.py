"""Every gradient agrees with finite differences at 80 digits and with PyTorch autograd.

The independent computations in symbp.crosscheck share no code with the engine's
graph or chain rule. Random networks cover every activation and every loss.
"""

from __future__ import annotations

import mpmath
import pytest
from hypothesis import HealthCheck, assume, given, settings

from symbp import derive, parse_spec
from symbp.check.crosscheck import cross_check, objective, torch_gradients

from conftest import ROOT
from strategies import networks

SPECS = [*sorted((ROOT / "examples").glob("*.yaml")),
         *sorted((ROOT / "tests" / "specs").glob("*.yaml"))]


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_examples_agree_with_finite_differences_and_torch(spec):
    d = derive(spec)
    report = cross_check(d.spec, d.gradients)
    assert report.kinks == []
    assert report.fd_max < 1e-40
    if report.torch_max is not None:
        assert report.torch_max < 1e-12
    assert report.ok


def test_finite_differences_see_a_wrong_gradient():
    d = derive(ROOT / "examples" / "seed004_sigmoid_2-2-2.yaml")
    wrong = dict(d.gradients, w1=d.gradients["w1"] * 2)
    assert not cross_check(d.spec, wrong).ok


def test_torch_sgd_step_and_the_new_loss():
    pytest.importorskip("torch")
    d = derive(ROOT / "examples" / "seed004_sigmoid_2-2-2.yaml")
    grads = torch_gradients(d.spec)
    for name, value in d.params.items():
        stepped = float(value) - 0.5 * grads[name]
        assert stepped == pytest.approx(float(d.updated[name]), abs=1e-12), name
    with mpmath.workdps(60):
        assert float(objective(d.spec, d.updated)) == pytest.approx(float(d.loss_after),
                                                                     rel=1e-15)
        assert abs(objective(d.spec, d.params) - mpmath.mpf(str(d.loss))) < mpmath.mpf("1e-45")


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(networks(max_depth=3, max_width=4))
def test_random_networks_agree_with_finite_differences_and_torch(raw):
    spec = parse_spec(raw, "random")
    d = derive(spec)
    report = cross_check(spec, d.gradients)
    assume(not report.kinks)  # a ReLU exactly at 0: differences straddle the kink
    assert report.fd_max < 1e-30, report.rows
    if report.torch_max is not None:
        assert report.torch_max < 1e-9, report.rows
