"""Shared helpers: run the command line as a user would, find the examples."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "symbp", *args], cwd=cwd, capture_output=True, text=True
    )


@pytest.fixture
def derive_json():
    """``symbp derive SPEC --format json`` parsed, for a spec in examples/."""

    def run(name: str, *extra: str) -> dict:
        result = run_cli("derive", str(EXAMPLES / name), "--format", "json", *extra)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    return run
