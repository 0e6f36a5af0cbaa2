"""symbp installed from a built wheel, run outside the source tree, finds its templates."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_templates_and_renders_outside_the_tree(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True, capture_output=True, text=True,
    )
    (wheel,) = wheels.glob("symbp-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "symbp/templates/md/derivation.md.j2" in names
    assert "symbp/templates/tex/derivation.tex.j2" in names
    assert "symbp/templates/lang/zh.j2" in names

    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
         str(wheel)],
        check=True, capture_output=True, text=True,
    )
    work = tmp_path / "elsewhere"
    work.mkdir()
    spec = work / "net.yaml"
    spec.write_text((ROOT / "examples" / "seed000_linear_2-2-1.yaml").read_text(encoding="utf-8"),
                    encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = subprocess.run(
        [sys.executable, "-c", "import symbp.output.render as r; print(r.template_dir())"],
        cwd=work, env=env, capture_output=True, text=True, check=True,
    )
    assert Path(probe.stdout.strip()).is_relative_to(site), probe.stdout
    result = subprocess.run(
        [sys.executable, "-m", "symbp", "derive", "net.yaml", "--format", "md", "--lang", "zh"],
        cwd=work, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "用链式法则求梯度" in result.stdout
    assert r"2.1 \times 1 \times 0.5 = 1.05" in result.stdout
