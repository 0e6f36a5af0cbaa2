"""Saturated units: every printed digit right at logits up to +-1,000.

The reference is written here, independently of symbp: the network's objective in
mpmath at 2,500 digits (where sigma(1000) = 1 - 5e-435 is plain arithmetic), and its
gradient by mpmath's numerical differentiation at that precision.
"""

from __future__ import annotations

import mpmath
import pytest

from symbp import derive, parse_spec

DPS = 2500


def _sigmoid(z):
    return 1 / (1 + mpmath.exp(-z))


def _reference(spec: dict, names: list[str]):
    """loss, gradients and loss after one step of a one-input network, in mpmath."""
    x = mpmath.mpf(list(spec["inputs"].values())[0])
    targets = [mpmath.mpf(str(t)) for t in spec["targets"].values()]
    hidden = spec["layers"][0]
    out = spec["layers"][-1]

    def objective(*params):
        p = dict(zip(names, params))
        a = [x]
        if len(spec["layers"]) == 2:
            z = [p[row[0]] * x for row in hidden["names"]]
            a = [mpmath.tanh(v) if hidden["activation"] == "tanh" else _sigmoid(v) for v in z]
        z = [sum(p[w] * ai for w, ai in zip(row, a)) for row in out["names"]]
        if out["activation"] == "softmax":
            top = max(z)
            e = [mpmath.exp(v - top) for v in z]
            o = [v / sum(e) for v in e]
            return -sum(t * mpmath.log(v) for t, v in zip(targets, o))
        o = [_sigmoid(v) for v in z]
        # log(1 - sigma(z)) = log sigma(-z), written so that no digit is lost
        return -sum(t * mpmath.log(_sigmoid(v)) + (1 - t) * mpmath.log(_sigmoid(-v))
                    for t, v in zip(targets, z))

    start = [mpmath.mpf(str(v)) for v in _values(spec)]
    loss = objective(*start)
    grads = [mpmath.diff(lambda v, i=i: objective(*[v if j == i else s for j, s in
                                                   enumerate(start)]), start[i])
             for i in range(len(start))]
    lr = mpmath.mpf(str(spec["learning_rate"]))
    after = objective(*[s - lr * g for s, g in zip(start, grads)])
    return loss, grads, after


def _values(spec):
    return [w for layer in spec["layers"] for row in layer["weights"] for w in row]


def _network(x, weights_out, targets, activation="sigmoid", loss="binary_cross_entropy",
             hidden=None):
    layers = []
    names_in = []
    if hidden is not None:
        act, ws = hidden
        layers.append({"units": [f"h{k + 1}" for k in range(len(ws))], "activation": act,
                       "weights": [[w] for w in ws],
                       "names": [[f"v{k + 1}"] for k in range(len(ws))],
                       "weight_names": [[f"v{k + 1}"] for k in range(len(ws))]})
        names_in = [f"v{k + 1}" for k in range(len(ws))]
    units = [f"o{k + 1}" for k in range(len(weights_out))]
    width = len(weights_out[0])
    out_names = [[f"w{k * width + j + 1}" for j in range(width)] for k in range(len(units))]
    layers.append({"units": units, "activation": activation, "weights": weights_out,
                   "names": out_names, "weight_names": out_names})
    spec = {"inputs": {"x": x}, "targets": {f"t{k + 1}": t for k, t in enumerate(targets)},
            "layers": layers, "loss": loss, "learning_rate": "0.1"}
    return spec, names_in + [w for row in out_names for w in row]


CASES = {
    # one sigmoid unit with binary cross-entropy, logits 120 (the stress run's case), 105
    # (where 50 digits gave 78.74999858635934 for 78.75), +-1000
    "bce_z120_t0": _network("100", [["1.2"]], ["0"]),
    "bce_z120_t1": _network("100", [["1.2"]], ["1"]),
    "bce_z105_t025": _network("100", [["1.05"]], ["0.25"]),
    "bce_z1000_t0": _network("100", [["10"]], ["0"]),
    "bce_zminus1000_t1": _network("100", [["-10"]], ["1"]),
    "bce_zminus1000_t03": _network("-100", [["10"]], ["0.3"]),
    # saturated tanh and sigmoid hidden units under a sigmoid output
    "tanh_hidden_1000": _network("100", [["0.5", "-0.25"]], ["1"],
                                 hidden=("tanh", ["10", "-9"])),
    "sigmoid_hidden_600": _network("-100", [["2", "3"]], ["0"],
                                   hidden=("sigmoid", ["6", "-5"])),
    # softmax over logits 1,000 apart, with cross-entropy
    "softmax_1000_apart": _network("100", [["5"], ["-5"], ["0.1"]], ["0", "1", "0"],
                                   activation="softmax", loss="cross_entropy"),
}


def _spec_for_symbp(spec: dict) -> dict:
    clean = {k: v for k, v in spec.items() if k != "layers"}
    clean["layers"] = [{k: v for k, v in layer.items() if k != "names"}
                       for layer in spec["layers"]]
    return clean


@pytest.mark.parametrize("case", sorted(CASES))
def test_saturated_networks_right_to_twelve_digits(case):
    spec, names = CASES[case]
    d = derive(parse_spec(_spec_for_symbp(spec), case))
    with mpmath.workdps(DPS):
        loss, grads, after = _reference(spec, names)

        def same(ours, theirs, what):
            ours = mpmath.mpf(str(ours))
            scale = max(abs(theirs), mpmath.mpf(10) ** -3000)
            assert abs(ours - theirs) / scale < mpmath.mpf("1e-12"), \
                f"{case} {what}: symbp {mpmath.nstr(ours, 15)}, mpmath {mpmath.nstr(theirs, 15)}"

        same(d.loss, loss, "loss")
        for name, g in zip(names, grads):
            same(d.gradients[name], g, f"d/d{name}")
            lr = mpmath.mpf("0.1")
            start = mpmath.mpf(str(_values(spec)[names.index(name)]))
            same(d.updated[name], start - lr * g, f"updated {name}")
        same(d.loss_after, after, "loss after")
