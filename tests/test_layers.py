"""The package reads as the data flows: each folder imports only the folders before it.

engine (spec, rules, graph, passes, chains, tensors, derivation) -> check (claims,
diagnoses, formulas, the independent cross-check) -> page (printer, rows, page model,
views, verify report) -> figures (layout, SVG, TikZ) -> output (render, JSON, PDF,
files) -> cli.  No module imports a private name of another, and there is no cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "symbp"
ORDER = ["engine", "check", "page", "figures", "output", "cli"]
#: Imports made inside a function on purpose: a derivation shows itself as a page in
#: Jupyter, which needs the renderer, at call time only.
LATE_IMPORTS = {("symbp.engine.derivation", "symbp.output.render")}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, list[str], bool]]:
    """(module imported, names imported, at module level) for every import of symbp."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.level:
                raise AssertionError(f"{path}: relative import of {node.module}")
            if node.module.startswith("symbp"):
                found.append((node.module, [a.name for a in node.names], id(node) in top_level))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("symbp"):
                    found.append((alias.name, [], id(node) in top_level))
    return found


def _layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return len(ORDER)  # the package itself: the public surface over everything
    return ORDER.index(parts[1]) if parts[1] in ORDER else ORDER.index("cli")


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_down_the_data_flow_only(module):
    mine = _layer(module)
    for target, _, _top in _imports(MODULES[module]):
        if (module, target) in LATE_IMPORTS:
            continue
        assert _layer(target) <= mine, f"{module} imports {target}, a later stage"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_name_crosses_modules(module):
    for target, names, _ in _imports(MODULES[module]):
        private = [n for n in names if n.startswith("_") and n != "__version__"]
        assert not private, f"{module} imports {private} from {target}"


def test_no_import_cycle():
    graph = {m: {t for t, _, top in _imports(p) if top and t in MODULES} for m, p in
             MODULES.items()}
    state: dict[str, int] = {}

    def visit(m: str, trail: list[str]) -> None:
        if state.get(m) == 2:
            return
        assert state.get(m) != 1, "import cycle: " + " -> ".join([*trail, m])
        state[m] = 1
        for t in sorted(graph[m]):
            visit(t, [*trail, m])
        state[m] = 2

    for m in sorted(graph):
        visit(m, [])


def test_the_checker_sees_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from symbp.output.render import render\nfrom symbp.page.rows import _x\n")
    imports = _imports(bad)
    assert _layer(imports[0][0]) > _layer("symbp.engine.graph")
    assert imports[1][1] == ["_x"]
