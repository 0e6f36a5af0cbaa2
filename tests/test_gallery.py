"""Golden files: the committed output/ is exactly what the gallery writes today.

Refresh after an intended change with:  symbp gallery examples -o output --no-pdf
"""

from __future__ import annotations

import difflib

from conftest import EXAMPLES, ROOT, run_cli

REFRESH = "symbp gallery examples -o output --no-pdf"


def test_gallery_matches_the_golden_files(tmp_path):
    result = run_cli("gallery", str(EXAMPLES), "-o", str(tmp_path), "--no-pdf")
    assert result.returncode == 0, result.stderr
    made = sorted(p.name for p in tmp_path.iterdir())
    golden = sorted(p.name for p in (ROOT / "output").iterdir() if p.suffix != ".pdf")
    assert made == golden, f"output/ has other files than the gallery writes; run: {REFRESH}"
    for name in made:
        new = (tmp_path / name).read_text(encoding="utf-8")
        old = (ROOT / "output" / name).read_text(encoding="utf-8")
        if new != old:
            diff = "".join(difflib.unified_diff(
                old.splitlines(keepends=True), new.splitlines(keepends=True),
                f"output/{name}", "now", n=1))
            raise AssertionError(f"output/{name} differs from what symbp writes now; "
                                 f"if the change is intended, run: {REFRESH}\n{diff[:3000]}")
