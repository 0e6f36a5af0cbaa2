"""Every math span of every Markdown derivation parses with real KaTeX (throwOnError)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from symbp import derive
from symbp.output.render import render

from conftest import ROOT

JS = ROOT / "tests" / "js"
SPECS = [*sorted((ROOT / "examples").glob("*.yaml")),
         *sorted((ROOT / "tests" / "specs").glob("*.yaml"))]


def math_spans(markdown: str) -> list[tuple[str, bool]]:
    """($$ display $$ and $ inline $ spans) outside code, as (tex, display)."""
    text = re.sub(r"```.*?```", "", markdown, flags=re.S)
    text = re.sub(r"`[^`\n]*`", "", text)
    spans = [(m.group(1), True) for m in re.finditer(r"\$\$(.+?)\$\$", text, re.S)]
    text = re.sub(r"\$\$(.+?)\$\$", "", text, flags=re.S)
    spans += [(m.group(1), False) for m in re.finditer(r"(?<![\\$])\$([^$\n]+?)(?<!\\)\$", text)]
    return spans


def node_modules(package: str) -> Path:
    """tests/js/node_modules with ``package`` in it (npm ci if it is missing); node must be
    there under CI, elsewhere the test is skipped without it."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must render the Markdown with {package}: node is missing")
        pytest.skip("node is not installed")
    if not (JS / "node_modules" / package).is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS, check=True,
                       capture_output=True)
    return JS / "node_modules"


def katex_errors(spans: list[tuple[str, bool]]) -> list[tuple[str, str]]:
    node_modules("katex")
    payload = json.dumps([{"tex": tex, "display": display} for tex, display in spans])
    result = subprocess.run(["node", str(JS / "katex_check.js")], input=payload,
                            capture_output=True, text=True, check=True)
    return [(tex, r["error"]) for (tex, _), r in zip(spans, json.loads(result.stdout))
            if not r["ok"]]


def test_the_checker_finds_errors():
    spans = math_spans("ok $a_1$ and $$\\frac{1}{$$ and `$code$` and \\$5 and $\\nosuch$\n")
    assert spans == [("\\frac{1}{", True), ("a_1", False), ("\\nosuch", False)]
    errors = katex_errors(spans)
    assert [tex for tex, _ in errors] == ["\\frac{1}{", "\\nosuch"]


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_math_span_renders_with_katex(spec):
    d = derive(spec)
    spans = []
    for lang in ("en", "zh"):
        spans += math_spans(render(d, "md", lang=lang, lemmas=True))
    assert len(spans) > 20
    assert katex_errors(spans) == []
