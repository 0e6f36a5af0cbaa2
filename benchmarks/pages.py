"""How many PDF pages a derivation takes, full and compact.

Compiles the English LaTeX page (pdflatex) of three networks, seed 004's 2-2-2,
the 3-3-2 classifier with two samples and an L2 term, and the 4-5-5-3 sigmoid
network, with the paths view alone and with every view, at full and compact
detail, with and without pictures, and prints a Markdown table of the page
counts (poppler's ``pdfinfo``).

    python benchmarks/pages.py
    python benchmarks/pages.py --jobs 1 --only seed004
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from symbp import derive, load_spec  # noqa: E402
from symbp.output.pdf import compile_pdf  # noqa: E402
from symbp.output.render import render_page  # noqa: E402

SPECS = {
    "seed004": ROOT / "examples" / "seed004_sigmoid_2-2-2.yaml",
    "classifier 3-3-2": ROOT / "tests" / "regressions"
    / "classifier_3-3-2_tanh_softmax_two_samples_l2.yaml",
    "4-5-5-3": ROOT / "tests" / "regressions" / "sigmoid_4-5-5-3.yaml",
}
VIEWS = ("paths", "all")
DETAILS = ("full", "compact")


def pages(pdf: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        info = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True,
                              check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines()
                    if line.startswith("Pages:")))


def count(derivation, view: str, detail: str, pictures: bool) -> int:
    text = render_page(derivation, "tex", "en", view=view, detail=detail,
                       pictures=pictures).text
    return pages(compile_pdf(text, "pdflatex"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="TeX runs at once")
    parser.add_argument("--only", help="one of: " + ", ".join(SPECS))
    args = parser.parse_args()
    specs = {k: v for k, v in SPECS.items() if not args.only or k == args.only}
    derivations = {name: derive(load_spec(path)) for name, path in specs.items()}
    jobs = [(name, view, detail, pictures) for name in specs for view in VIEWS
            for detail in DETAILS for pictures in (True, False)]
    with ThreadPoolExecutor(args.jobs) as pool:
        counts = dict(zip(jobs, pool.map(
            lambda j: count(derivations[j[0]], j[1], j[2], j[3]), jobs)))
    print("| network | view | full | compact | full, no pictures | compact, no pictures |")
    print("|---|---|---|---|---|---|")
    for name in specs:
        for view in VIEWS:
            cells = [counts[(name, view, detail, pictures)]
                     for pictures in (True, False) for detail in DETAILS]
            print(f"| {name} | {view} | " + " | ".join(map(str, cells)) + " |")


if __name__ == "__main__":
    main()
