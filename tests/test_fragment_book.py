"""A teacher's book \\inputs fragments: they compile and take the book's numbering.

The book's preamble is exactly what ``symbp derive --help`` prints, so the printed
preamble is proved sufficient; the expected numbers (1.1, 1.2, 2, 2.1...) follow from the
book's own structure, written here by hand.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, ROOT, run_cli
from test_tex_compile import require

A = EXAMPLES / "seed000_linear_2-2-1.yaml"
B = EXAMPLES / "seed002_single_linear_layer_mse.yaml"
C = ROOT / "tests" / "regressions" / "tiny_1-1-1.yaml"


def printed_preamble() -> list[str]:
    """The preamble lines of the --help epilog, as a teacher would copy them."""
    result = run_cli("derive", "--help")
    assert result.returncode == 0, result.stderr
    after = result.stdout.split("preamble has:", 1)[1]
    lines = [line.strip() for line in after.splitlines() if line.startswith("  \\")]
    assert lines, result.stdout
    return lines


def title(spec: Path) -> str:
    return yaml.safe_load(spec.read_text(encoding="utf-8"))["title"]


def fragment(folder: Path, spec: Path, name: str, lang: str, level: str | None,
             *extra: str) -> None:
    args = ["derive", str(spec), "--format", "tex", "--fragment", "--lang", lang,
            "-o", str(folder / f"{name}.tex"), *extra]
    if level:
        args += ["--heading-level", level]
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr


def compile_book(folder: Path, engine: str, documentclass: str, chapter: str) -> str:
    """Compile book.tex twice (the contents need the .aux); return the .toc."""
    source = "\n".join([
        documentclass, *printed_preamble(), r"\begin{document}", r"\tableofcontents",
        rf"\chapter{{{chapter}}}", "Notes of the teacher's own.",
        r"\input{a}", r"\input{b}", r"\input{c}", r"\end{document}", ""])
    (folder / "book.tex").write_text(source, encoding="utf-8")
    for _ in range(2):
        run = subprocess.run([engine, "-interaction=nonstopmode", "-halt-on-error", "book.tex"],
                             cwd=folder, capture_output=True, text=True, errors="replace",
                             timeout=600)
        log = (folder / "book.log").read_text(encoding="utf-8", errors="replace")
        errors = [line for line in log.splitlines() if line.startswith("!")]
        assert run.returncode == 0 and not errors, "\n".join(errors) or log[-3000:]
    return (folder / "book.toc").read_text(encoding="utf-8", errors="replace")


def entries(toc: str) -> list[tuple[str, str, str]]:
    r"""(level, number, title) of each \contentsline with a \numberline (ctex's chapter
    number is 第二章\hspace {.3em})."""
    found = re.findall(r"\\contentsline \{(\w+)\}\{\\numberline "
                       r"\{((?:[^{}]|\{[^{}]*\})*)\}(.*)\}\{\d+\}(?:\{[^{}]*\})?%?$", toc, re.M)
    return [(level, number, text.strip()) for level, number, text in found]


def test_sectioning_follows_the_heading_level(tmp_path):
    # two fragments under the teacher's chapter as sections, a third as a chapter of its own
    fragment(tmp_path, A, "a", "en", "section")
    fragment(tmp_path, B, "b", "en", None, "--view", "all")
    fragment(tmp_path, C, "c", "en", "chapter")
    command = r"^\\((?:chapter|(?:sub)*section|(?:sub)?paragraph)\*?)\{"
    heads = {name: re.findall(command, (tmp_path / f"{name}.tex").read_text(), re.M)
             for name in "abc"}
    assert heads["a"][0] == "section" and heads["c"][0] == "chapter"
    assert heads["b"][0] == "section"  # section is the default
    assert set(heads["a"]) == {"section", "subsection", "subsubsection"}
    assert set(heads["c"]) >= {"chapter", "section", "subsection"}
    assert not any(h.endswith("*") for hs in heads.values() for h in hs)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_fragments_in_a_book_compile_and_are_numbered(tmp_path, lang):
    engine = "pdflatex" if lang == "en" else "xelatex"
    require(engine)
    fragment(tmp_path, A, "a", lang, "section")
    fragment(tmp_path, B, "b", lang, "section", "--view", "all")
    fragment(tmp_path, C, "c", lang, "chapter")
    documentclass = (r"\documentclass{book}" if lang == "en"
                     else r"\documentclass[fontset=fandol]{ctexbook}")
    toc = entries(compile_book(tmp_path, engine, documentclass,
                               "Backpropagation" if lang == "en" else "反向传播"))
    sections = [(n, t) for level, n, t in toc if level == "section"]
    chapters = [(n, t) for level, n, t in toc if level == "chapter"]
    # the teacher's chapter 1 holds the fragments A and B as sections 1.1 and 1.2;
    # fragment C is chapter 2, its parts (the network, ...) sections 2.1, 2.2, ...
    assert (("1.1", title(A)) in sections and ("1.2", title(B)) in sections), toc
    assert len(chapters) == 2 and chapters[1][1] == title(C), toc
    assert [n for n, _ in sections if n.startswith("2.")][:3] == ["2.1", "2.2", "2.3"], toc
    # the book numbers subsections too: fragment A's "The network" is 1.1.1
    subsections = [n for level, n, _ in toc if level == "subsection"]
    assert subsections[0] == "1.1.1" and "1.2.1" in subsections and "2.1.1" in subsections, toc


def test_heading_level_goes_with_a_fragment():
    from symbp import derive
    from symbp.output.render import render_page

    d = derive(A)
    for fmt, fragment in (("tex", False), ("md", False)):
        with pytest.raises(ValueError, match="heading level goes with a LaTeX fragment"):
            render_page(d, fmt, fragment=fragment, heading_level="chapter")
    with pytest.raises(ValueError, match="unknown heading level"):
        render_page(d, "tex", fragment=True, heading_level="part")
    result = run_cli("derive", str(A), "--format", "tex", "--heading-level", "chapter")
    assert result.returncode == 2 and "--heading-level goes with" in result.stderr


def test_readme_prints_the_same_preamble():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```latex\n(.*?)```", readme, re.S).group(1)
    assert [line.strip() for line in block.splitlines() if line.strip()] == printed_preamble()
