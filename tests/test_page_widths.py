"""No line of a page runs off the page: in a real TeX and in KaTeX in a real browser.

The pages: every spec in tests/regressions/ and a fixed sample of random networks
(tests/strategies.py), with all four views.  The LaTeX of all of them is compiled in one
run per language (pdflatex, xelatex) with the standalone page's preamble, each page an
``\\input`` file, and the log must report no overfull line wider than 1 pt.  Every display
of every Markdown page, the golden ones in output/ too, is rendered with KaTeX (strict)
in headless Chromium in an 800 px text column, and none may be wider than the column.
TikZ pictures are left out (pictures=False): their size is the pictures' own business.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from symbp import derive
from symbp.engine.spec import parse_spec
from symbp.output.pdf import compile_log, engine_for
from symbp.output.render import render_document
from symbp.page.display import Style
from symbp.page.document import build_document
from symbp.page.model import Document, Row
from symbp.page.views import VIEWS

from conftest import ROOT
from strategies import load_regression, networks, regression_specs

#: Random networks drawn (derandomized, so always the same ones) besides the regressions.
RANDOM = 10
#: The text column the Markdown is read in, in CSS px (GitHub's is about as wide).
COLUMN = 800
#: The most a TeX line may stick out, in pt (TeX reports anything above \hfuzz = 0.1 pt).
TOLERANCE = 1.0
JS = ROOT / "tests" / "js"
KATEX = JS / "node_modules" / "katex" / "dist"


@functools.cache
def random_specs() -> list[dict]:
    found: list[dict] = []

    @settings(derandomize=True, deadline=None, max_examples=RANDOM, database=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(networks())
    def collect(raw):
        found.append(raw)

    collect()
    return found


@functools.cache
def pages() -> list[tuple[str, Document]]:
    """(name, page with all views) of every regression spec and every random network,
    built once for both formats and languages."""
    specs = [(path.stem, parse_spec(load_regression(path), path.name))
             for path in regression_specs()]
    specs += [(f"random{k:02d}", parse_spec(raw, "random"))
              for k, raw in enumerate(random_specs())]
    return [(name, build_document(derive(spec), Style(), views=VIEWS)) for name, spec in specs]


# --- TeX ------------------------------------------------------------------------------------

_BOX = re.compile(r"^Overfull \\hbox \(([\d.]+)pt too wide\) (?:in paragraph at lines (\d+)"
                  r"|detected at line (\d+)|in alignment at lines (\d+))", re.M)


def overfull(log: str) -> list[tuple[str, int, float]]:
    """(page, line of the page's file, pt) of every overfull line in a log whose pages
    announce themselves with ``\\typeout{PAGE name}``."""
    marks = [(m.start(), m.group(1)) for m in re.finditer(r"^PAGE (\S+)$", log, re.M)]
    out = []
    for m in _BOX.finditer(log):
        page = next((name for at, name in reversed(marks) if at < m.start()), "(preamble)")
        line = int(next(g for g in m.groups()[1:] if g))
        out.append((page, line, float(m.group(1))))
    return out


def require(tool: str, why: str) -> None:
    if shutil.which(tool) is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must check the page widths: {tool} is missing ({why})")
        pytest.skip(f"{tool} is not installed ({why})")


def too_wide_in_tex(lang: str, named: list[tuple[str, str]]) -> list[str]:
    """Every line wider than the text, of pages given as (name, fragment), compiled in one
    document with the preamble of a standalone page."""
    engine = engine_for(lang)
    require(engine, "Debian: texlive-latex-base, texlive-xetex, texlive-lang-chinese")
    _, first = pages()[0]
    preamble = render_document(first, "tex", lang).split("\\begin{document}")[0]
    body = "".join(f"\\typeout{{PAGE {name}}}\n\\input{{{name}.tex}}\n\\clearpage\n"
                   for name, _ in named)
    log = compile_log(f"{preamble}\\begin{{document}}\n{body}\\end{{document}}\n", engine,
                      {f"{name}.tex": text for name, text in named})
    texts = {name: text.splitlines() for name, text in named}
    return [f"{page}, line {line}: {pt} pt too wide: {culprit(texts.get(page, []), line)}"
            for page, line, pt in overfull(log) if pt > TOLERANCE]


def culprit(lines: list[str], line: int) -> str:
    """The line TeX names, or for a display (named by its end) the display's longest line."""
    if not 0 < line <= len(lines):
        return ""
    if lines[line - 1].startswith("\\end{"):
        start = max(k for k in range(line) if lines[k].startswith("\\begin{"))
        return max(lines[start + 1:line - 1], key=len, default="")[:160]
    return lines[line - 1][:160]


def test_the_tex_check_sees_a_line_too_wide():
    wide = "$$" + " + ".join(["x_{1}"] * 60) + "$$\n"
    assert [(page, pt > 100) for page, _, pt in [
        (w.split(",")[0], 0, float(re.search(r"([\d.]+) pt", w).group(1)))
        for w in too_wide_in_tex("en", [("wide", wide), ("narrow", "$$x$$\n")])]] \
        == [("wide", True)]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_line_runs_off_the_pdf_page(lang):
    named = [(name, render_document(doc, "tex", lang, fragment=True)) for name, doc in pages()]
    wide = too_wide_in_tex(lang, named)
    assert not wide, "\n".join(wide)


# --- KaTeX in a browser ---------------------------------------------------------------------

_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<link rel="stylesheet" href="{css}">
<script src="{js}"></script>
<style>body {{ font-size: 16px; margin: 0; }} .column {{ width: {column}px; }}</style>
</head><body>
<script type="application/json" id="displays">{data}</script>
<pre id="out"></pre>
<script>
// The strictness of tests/js/katex_check.js: CJK inside \\text is what LaTeX accepts too.
function strict(code, message, token) {{
  const text = token && token.text ? token.text : "";
  const cjk = /^[\\u3000-\\u303f\\u4e00-\\u9fff\\uff00-\\uffef]+$/;
  if (code === "unknownSymbol" && cjk.test(text)) {{
    return "ignore";
  }}
  return "error";
}}
const displays = JSON.parse(document.getElementById("displays").textContent);
// Load every KaTeX font before measuring, then render the displays one at a time into one
// column (a small page lays out quickly) and keep only the numbers.
Promise.all([...document.fonts].map((face) => face.load())).then(() => {{
  const column = document.createElement("div");
  column.className = "column";
  document.body.appendChild(column);
  const widths = displays.map((tex) => {{
    try {{
      katex.render(tex, column, {{ displayMode: true, throwOnError: true, strict }});
    }} catch (err) {{
      return {{ error: String(err.message || err) }};
    }}
    const box = column.querySelector(".katex-display > .katex");
    const html = column.querySelector(".katex-html");
    // a numbered display spans the column (its tag sits at the right edge): then its
    // width is that of its maths plus the tag's
    const tag = html.querySelector(":scope > .tag");
    if (tag) {{
      const parts = [...html.querySelectorAll(":scope > .base"), tag];
      return {{ width: parts.reduce((w, e) => w + e.getBoundingClientRect().width, 0) }};
    }}
    return {{ width: Math.max(box.scrollWidth, html.getBoundingClientRect().width) }};
  }});
  const fonts = document.fonts.check("16px KaTeX_Main") && document.fonts.check("16px KaTeX_Math");
  column.remove();
  document.getElementById("displays").remove();
  document.getElementById("out").textContent = JSON.stringify({{ fonts, widths }});
}});
</script></body></html>
"""


def katex_widths(displays: list[str], tmp_path) -> list[dict]:
    """The rendered width (CSS px) of each display, or its KaTeX error, in one Chromium run."""
    require("chromium", "Debian: chromium")
    require("node", "KaTeX is installed with npm")
    if not KATEX.is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS, check=True,
                       capture_output=True)
    data = json.dumps(displays).replace("</", "<\\/")
    page = tmp_path / "displays.html"
    page.write_text(_PAGE.format(css=(KATEX / "katex.min.css").as_uri(),
                                 js=(KATEX / "katex.min.js").as_uri(), column=COLUMN,
                                 data=data), encoding="utf-8")
    result = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
         "--allow-file-access-from-files", "--virtual-time-budget=60000",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=600)
    out = re.search(r'<pre id="out">(.*?)</pre>', result.stdout, re.S)
    assert out and out.group(1), f"Chromium measured nothing:\n{result.stderr[-2000:]}"
    measured = json.loads(out.group(1).replace("&quot;", '"').replace("&amp;", "&")
                          .replace("&lt;", "<").replace("&gt;", ">"))
    assert measured["fonts"], "KaTeX's fonts did not load: the widths would be wrong"
    assert len(measured["widths"]) == len(displays)
    return measured["widths"]


def displays_of(markdown: str) -> list[str]:
    text = re.sub(r"```.*?```", "", markdown, flags=re.S)
    return [m.group(1) for m in re.finditer(r"\$\$(.+?)\$\$", text, re.S)]


def too_wide_in_katex(named: list[tuple[str, str]], tmp_path) -> list[str]:
    """Every display wider than the column, of Markdown pages given as (name, text)."""
    displays = [(name, tex) for name, text in named for tex in displays_of(text)]
    unique = list(dict.fromkeys(tex for _, tex in displays))  # the languages share most
    measured = dict(zip(unique, katex_widths(unique, tmp_path)))
    out = []
    for name, tex in displays:
        w = measured[tex]
        if "error" in w:
            out.append(f"{name}: KaTeX error {w['error'][:120]}")
        elif w["width"] > COLUMN:
            line = max(tex.split("\\\\"), key=len).strip()
            out.append(f"{name}: {w['width']:.0f} px: {line[:160]}")
    return out


def test_the_browser_check_sees_a_display_too_wide(tmp_path):
    wide = "$$" + " + ".join(["x_{1}"] * 60) + "$$"
    assert [w.split(":")[0] for w in too_wide_in_katex(
        [("wide", wide), ("narrow", "$$x$$")], tmp_path)] == ["wide"]


def test_no_display_is_wider_than_the_column(tmp_path):
    named = [(path.name, path.read_text(encoding="utf-8"))
             for path in sorted((ROOT / "output").glob("*.md"))]
    assert len(named) >= 2
    named += [(f"{name}.{lang}.md", render_document(doc, "md", lang))
              for name, doc in pages() for lang in ("en", "zh")]
    wide = too_wide_in_katex(named, tmp_path)
    assert not wide, f"{len(wide)} displays wider than {COLUMN} px:\n" + "\n".join(wide)


# --- the breaking itself, on rows written by hand -----------------------------------------

def test_a_long_sum_in_parentheses_breaks_after_its_terms():
    """The L2 line: 0.005 x (15 squares) breaks inside the parenthesis, which then has
    delimiters of a fixed size; each line but the first opens with the + of its term."""
    squares = [rf"\left({k / 10}\right)^{{2}}" for k in range(1, 16)]
    row = Row("s", [("=", r"0.005 \times \left(" + " + ".join(squares) + r"\right)"),
                    ("=", "0.0082")])
    lines = row.lines()
    assert len(lines) >= 3
    assert lines[0].startswith(r"s &= 0.005 \times \bigl(\left(0.1\right)^{2} + ")
    assert all(line.startswith(r"&\quad + \left(") for line in lines[1:-1])
    assert lines[-2].endswith(r"\left(1.5\right)^{2}\bigr)")
    assert lines[-1] == "& = 0.0082"
    for line in lines:
        assert line.count(r"\left") == line.count(r"\right")
    assert re.findall(r"\\left\((\d\.\d)", "".join(lines)) == [f"{k / 10}" for k in range(1, 16)]


def test_a_matrix_wider_than_a_line_is_set_small():
    entry = r"-1.234 \times 10^{-5}"
    wide = r"\begin{bmatrix}" + "\\\\".join([" & ".join([entry] * 6)] * 2) + r"\end{bmatrix}"
    narrow = r"\begin{bmatrix}1 & 2\end{bmatrix}"
    lines = Row("W", [("=", f"{narrow} + {wide}")]).lines()
    assert lines == [f"W &= {narrow}",
                     r"&\quad + \left[\begin{smallmatrix}" + wide[len(r"\begin{bmatrix}"):
                                                           -len(r"\end{bmatrix}")]
                     + r"\end{smallmatrix}\right]"]
