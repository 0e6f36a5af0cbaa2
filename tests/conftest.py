"""Shared helpers: run the command line as a user would, find the examples."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import Phase, settings

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


# The random-network tests run a fixed (derandomized) set of networks; shrinking a failure
# to a smaller network can take many minutes, so it is left to a developer who asks for it
# (HYPOTHESIS_PROFILE=shrink) and a failure is reported as drawn.
settings.register_profile("fixed", phases=[Phase.explicit, Phase.reuse, Phase.generate])
settings.register_profile("shrink", phases=list(Phase))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fixed"))
