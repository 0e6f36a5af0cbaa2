"""The command line: help, output files, and bad input (exit 2, nothing written)."""

from __future__ import annotations

import json

from conftest import EXAMPLES, run_cli


def test_help_explains_commands():
    top = run_cli("--help")
    assert top.returncode == 0
    assert "derive" in top.stdout and "gallery" in top.stdout
    sub = run_cli("derive", "--help")
    assert sub.returncode == 0
    for flag in ("--format", "--output", "--closed-form", "--path-limit"):
        assert flag in sub.stdout


def test_derive_writes_the_file(tmp_path):
    out = tmp_path / "deep" / "d.json"
    result = run_cli(
        "derive", str(EXAMPLES / "seed003_one_point_regression.yaml"), "--format", "json",
        "-o", str(out),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["exact"]["gradients"] == {"w": "-3.8", "b": "-1.9"}


def test_closed_form_on_request():
    result = run_cli(
        "derive", str(EXAMPLES / "seed003_one_point_regression.yaml"), "--format", "json",
        "--closed-form",
    )
    data = json.loads(result.stdout)
    # L = (w x + b - y)^2 / 2, so dL/dw = x (w x + b - y) and dL/db = w x + b - y.
    assert data["closed_forms"] == {"w": "-x*(-b - w*x + y)", "b": "b + w*x - y"}


def test_bad_spec_exits_2_and_writes_nothing(tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text(
        "inputs: {x: 1}\ntargets: {y: 2}\nlearning_rate: 0.1\nloss: half_sse\n"
        "layers:\n  - units: [o]\n    activation: identity\n    weights: [[1, 2]]\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.json"
    result = run_cli("derive", str(spec), "--format", "json", "-o", str(out))
    assert result.returncode == 2
    assert result.stdout == ""
    assert str(spec) in result.stderr
    assert "layers[0].weights[0]" in result.stderr
    assert "expected 1 numbers" in result.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [spec]


def test_missing_file_exits_2(tmp_path):
    result = run_cli("derive", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert "nope.yaml" in result.stderr and "cannot read" in result.stderr


def test_gallery_writes_every_example_or_nothing(tmp_path):
    examples = tmp_path / "examples"
    examples.mkdir()
    good = (EXAMPLES / "seed003_one_point_regression.yaml").read_text(encoding="utf-8")
    (examples / "a.yaml").write_text(good, encoding="utf-8")
    (examples / "b.yaml").write_text("inputs: 3\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("gallery", str(examples), "-o", str(out), "--no-pdf")
    assert result.returncode == 2
    assert "b.yaml" in result.stderr
    assert not out.exists()
    (examples / "b.yaml").unlink()
    result = run_cli("gallery", str(examples), "-o", str(out), "--no-pdf")
    assert result.returncode == 0, result.stderr
    assert json.loads((out / "a.json").read_text(encoding="utf-8"))["exact"]["loss"] == "1.805"
    assert sorted(p.name for p in out.iterdir()) == [
        "a.en.md", "a.en.tex", "a.graph.svg", "a.json", "a.network.svg",
        "a.paths-w.svg", "a.zh.md", "a.zh.tex",
    ]
