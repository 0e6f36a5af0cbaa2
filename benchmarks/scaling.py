"""How the cost of a derivation grows with the network, against the naive way.

For growing sigmoid networks with one bias per unit (half squared error), prints a
Markdown table: the time to compute every gradient with its chain (graph, forward
pass, backward pass, chains), that time per edge, the whole ``derive`` (which adds
the update and the forward pass after it), and, where it finishes within a budget,
the naive way: sympy.diff of the fully composed loss for each parameter, then its
numeric value.  The naive time is measured on as many parameters as the budget
allows and projected to all of them.

    python benchmarks/scaling.py                      # all sizes, 30 s naive budget each
    python benchmarks/scaling.py --sizes 8-8-8-2 --naive-budget 60
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import signal
import sys
import time
from pathlib import Path

import sympy as sp
from sympy.core.cache import clear_cache

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from symbp import derive, parse_spec  # noqa: E402
from symbp.engine.chains import build_chains, composed  # noqa: E402
from symbp.engine.graph import build_network  # noqa: E402
from symbp.engine.passes import backward, forward  # noqa: E402

SIZES = ["2-2-2", "4-4-4-2", "8-8-8-2", "12-12-12-4", "16-16-16-4", "24-24-24-8",
         "32-32-32-10"]


def network(widths: list[int], seed: int = 0):
    """A sigmoid network with reproducible two-decimal weights and biases."""
    rnd = random.Random(seed)

    def number() -> str:
        return f"{rnd.randint(-100, 100) / 100:.2f}"

    layers = []
    for li, (n_in, n_out) in enumerate(zip(widths, widths[1:])):
        layers.append({
            "units": [f"u{li + 1}_{k + 1}" for k in range(n_out)],
            "activation": "sigmoid",
            "weights": [[number() for _ in range(n_in)] for _ in range(n_out)],
            "bias": [number() for _ in range(n_out)],
        })
    return parse_spec({
        "inputs": {f"x{i + 1}": number() for i in range(widths[0])},
        "targets": {f"t{k + 1}": f"{rnd.randint(0, 100) / 100:.2f}" for k in range(widths[-1])},
        "layers": layers,
        "loss": "half_sse",
        "learning_rate": "0.1",
    }, "benchmark")


def gradient_time(spec) -> tuple[float, int, dict]:
    """Seconds for graph + forward + backward + chains; the edge count; the gradients."""
    clear_cache()
    start = time.perf_counter()
    net = build_network(spec)
    fwd = forward(net, spec.parameters())
    grads = backward(net, fwd)
    chains = build_chains(net, fwd, grads)
    elapsed = time.perf_counter() - start
    return elapsed, len(net.edges), {p: c.value for p, c in chains.items()}


def derive_time(spec) -> float:
    clear_cache()
    start = time.perf_counter()
    derive(spec)
    return time.perf_counter() - start


class OutOfTime(Exception):
    pass


def _alarm(_signum, _frame):
    raise OutOfTime


def naive(spec, budget: float, ours: dict) -> tuple[float, int, str]:
    """Mean seconds per parameter of diff-the-composed-loss, how many measured, a remark."""
    clear_cache()
    net = build_network(spec)
    params = spec.parameters()
    values = {sp.Symbol(k): v for k, v in params.items()}
    values.update({sp.Symbol(n): x for n, x in zip(spec.input_names, spec.samples[0].inputs)})
    values.update({sp.Symbol(n): t for n, t in zip(spec.target_names, spec.samples[0].targets)})
    names = list(params)
    order = [names[i] for i in sorted({0, len(names) // 2, len(names) - 1})] + names
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, budget)
    start = time.perf_counter()
    done, remark = [], ""
    try:
        loss = composed(net, net.objective)
        compose_time = time.perf_counter() - start
        for name in dict.fromkeys(order):
            t0 = time.perf_counter()
            value = sp.diff(loss, sp.Symbol(name)).xreplace(values).evalf(30)
            done.append(time.perf_counter() - t0)
            if abs(value - ours[name]) > sp.Float("1e-25") * max(abs(value), 1):
                remark = f"disagrees on {name}: {value} vs {ours[name]}"
    except OutOfTime:
        pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    if not done:
        return float("nan"), 0, f"did not finish one parameter in {budget:.0f} s"
    mean = (sum(done) + compose_time / len(done)) / len(done)
    return mean, len(done), remark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--naive-budget", type=float, default=30.0)
    parser.add_argument("--no-naive", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    print(f"Python {platform.python_version()}, SymPy {sp.__version__},"
          f" {platform.machine()}, {os.cpu_count()} CPUs\n")
    print("| widths | weights | parameters | edges | gradients + chains (s) | µs per edge |"
          " derive (s) | naive s/parameter (measured) | naive total (projected s) | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    per_edge = {}
    for size in args.sizes.split(","):
        widths = [int(w) for w in size.split("-")]
        spec = network(widths)
        weights = len(spec.weight_names())
        runs = [gradient_time(spec) for _ in range(args.repeat)]
        best = min(r[0] for r in runs)
        _, edges, ours = runs[0]
        per_edge[size] = best / edges * 1e6
        whole = min(derive_time(spec) for _ in range(args.repeat))
        naive_cells = "| — | — | — |"
        if not args.no_naive:
            mean, count, remark = naive(spec, args.naive_budget, ours)
            if count:
                total = mean * len(ours)
                naive_cells = (f"| {mean:.3f} ({count}) | {total:.1f} | {total / best:.0f}x"
                               f"{' ' + remark if remark else ''} |")
            else:
                naive_cells = f"| {remark} | — | — |"
        print(f"| {size} | {weights} | {len(ours)} | {edges} | {best:.3f} |"
              f" {per_edge[size]:.0f} | {whole:.3f} {naive_cells}", flush=True)
    if "8-8-8-2" in per_edge:
        largest = args.sizes.split(",")[-1]
        print(f"\nµs per edge, {largest} / 8-8-8-2: {per_edge[largest] / per_edge['8-8-8-2']:.2f}")


if __name__ == "__main__":
    main()
