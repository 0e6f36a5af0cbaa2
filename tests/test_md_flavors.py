"""The Markdown flavours in real renderers: every math span reaches the math typesetter as
the LaTeX symbp meant.

What symbp meant is read from the LaTeX fragment of the same derivation (its align*,
\\[...\\] and $...$ spans), an independent rendering through the other templates; the
Markdown is then parsed by markdown-it-py with dollarmath (gfm), by marked and KaTeX
auto-render in headless Chromium (escaped, and gfm to show that it does not survive), and
by pandoc where it is installed.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
from test_katex import node_modules

from symbp import derive
from symbp.output.render import render
from symbp.page.escape import md_math_escape

from conftest import EXAMPLES, ROOT, run_cli
from strategies import regression_specs
from test_diagrams import CHROMIUM_FLAGS, chromium

JS = ROOT / "tests" / "js"
# the golden pages' options (symbp gallery), so that the gfm pages are output/*.md themselves
GALLERY = {"view": "all"}
REGRESSION = {"view": "all", "lemmas": True}


@cache
def pages() -> list[dict]:
    """Every golden page and every regression spec's page, both languages, with the LaTeX
    spans the fragment of the same derivation has, and both flavours."""
    found = []
    sources = [(p, GALLERY, True) for p in sorted(EXAMPLES.glob("*.yaml"))]
    sources += [(p, REGRESSION, False) for p in regression_specs()]
    for spec, options, golden in sources:
        d = derive(spec)
        for lang in ("en", "zh"):
            gfm = render(d, "md", lang, figures=spec.stem, **options)
            if golden:
                assert gfm == (ROOT / "output" / f"{spec.stem}.{lang}.md").read_text(
                    encoding="utf-8")
            escaped = render(d, "md", lang, figures=spec.stem, md_flavor="escaped", **options)
            tex = render(d, "tex", lang, fragment=True, **options)
            # LaTeX alone mentions its floating figures in the text ("Figure~\ref{...} ...")
            tex = re.sub(r"^(Figure|图)~\\ref.*$", "", tex, flags=re.M)
            found.append({"name": f"{spec.stem}.{lang}", "gfm": gfm, "escaped": escaped,
                          "expected": tex_spans(tex)})
    return found


def tex_spans(tex: str) -> list[str]:
    """The math of a LaTeX fragment in order: each display's body, each inline span."""
    tex = re.sub(r"\\begin\{tikzpicture\}.*?\\end\{tikzpicture\}", "", tex, flags=re.S)
    spans = []
    for m in re.finditer(r"\\begin\{(align\*?)\}(.*?)\\end\{\1\}|\\\[(.*?)\\\]|\\.|\$(.+?)\$",
                         tex, re.S):
        if m.group(0).startswith("\\") and m.group(2) is None and m.group(3) is None:
            continue  # an escaped character of prose
        spans.append(_unnumbered(next(g for g in m.groups()[1:] if g is not None)))
    return spans


def _unnumbered(math: str) -> str:
    """Maths without its equation numbers: LaTeX labels them, Markdown tags them."""
    return re.sub(r"\s*(\\label\{[^}]*\}|\\nonumber|\\notag|\\tag\{[^}]*\})", "", math).strip()


def body(display: str) -> str:
    """A Markdown display's math as the fragment has it: aligned is the fragment's align*."""
    display = display.strip()
    m = re.fullmatch(r"\\begin\{(aligned|align)\}(.*)\\end\{\1\}", display, re.S)
    return _unnumbered(m.group(2)) if m else display


RAW_TEX = re.compile(r"\\[A-Za-z]+|\$|\\\\")


def test_the_fixture_reads_what_the_fragment_means():
    tex = ("\\section{A \\$5 title}\nText $w_{1}$ and\n\\begin{align*}\na &= b \\\\\nc &= d\n"
           "\\end{align*}\n\\[\n\\begin{array}{ll}\nx & y\n\\end{array}\n\\]\n"
           "\\begin{tikzpicture}\\node {$h_{1}$};\\end{tikzpicture}\n")
    assert tex_spans(tex) == ["w_{1}", "a &= b \\\\\nc &= d",
                              "\\begin{array}{ll}\nx & y\n\\end{array}"]


def test_escaped_flavour_is_the_gfm_page_escaped():
    for page in pages():
        assert page["escaped"] == md_math_escape(page["gfm"]), page["name"]
        assert page["escaped"] != page["gfm"]


# (a) markdown-it-py with dollarmath: what math-aware renderers (GitHub, Jupyter, Obsidian,
# VS Code, markdown-it editors) do with the default flavour.

def markdown_it_math(markdown: str) -> tuple[list[str], list[str]]:
    """The math tokens' contents in order, and every text token's content."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark").enable("table").use(dollarmath_plugin)
    math, text = [], []

    def walk(tokens):
        for token in tokens:
            if token.type in ("math_block", "math_block_label"):
                math.append(body(token.content))
            elif token.type == "math_inline":
                math.append(token.content.strip())
            elif token.type == "text":
                text.append(token.content)
            walk(token.children or [])

    walk(md.parse(markdown))
    return math, text


def test_gfm_pages_through_markdown_it_dollarmath():
    pytest.importorskip("markdown_it")
    pytest.importorskip("mdit_py_plugins")
    for page in pages():
        math, text = markdown_it_math(page["gfm"])
        assert math == page["expected"], page["name"]
        leftover = [t for t in text if RAW_TEX.search(t)]
        assert not leftover, (page["name"], leftover[:3])


# (b) marked, then KaTeX auto-render, in headless Chromium: a blog that parses the Markdown
# before the math is typeset.

HARNESS = """<!DOCTYPE html><html><head><meta charset="utf-8">
<script src="{marked}"></script><script src="{katex}"></script><script src="{auto}"></script>
</head><body><div id="out"></div>
<script type="application/json" id="pages">{pages}</script>
<script>
const pages = JSON.parse(document.getElementById("pages").textContent);
const results = pages.map((md) => {{
  const div = document.createElement("div");
  document.body.appendChild(div);
  div.innerHTML = marked.parse(md);
  renderMathInElement(div, {{
    delimiters: [{{left: "$$", right: "$$", display: true}},
                 {{left: "$", right: "$", display: false}}],
    throwOnError: false, strict: "ignore"}});
  const tex = [...div.querySelectorAll('.katex annotation[encoding="application/x-tex"]')]
    .map((a) => a.textContent);
  const errors = [...div.querySelectorAll(".katex-error")].map((e) => e.textContent);
  const walker = document.createTreeWalker(div, NodeFilter.SHOW_TEXT);
  const text = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {{
    if (!n.parentElement.closest(".katex, .katex-error")) text.push(n.textContent);
  }}
  div.remove();
  return {{tex, errors, text: text.join("")}};
}});
const bytes = new TextEncoder().encode(JSON.stringify(results));
let binary = "";
for (const b of bytes) binary += String.fromCharCode(b);
document.getElementById("out").textContent = "RESULT:" + btoa(binary) + ":END";
</script></body></html>
"""


def through_marked(markdowns: list[str], tmp_path: Path) -> list[dict]:
    """Every page through marked and KaTeX auto-render, in one Chromium launch."""
    browser = chromium()
    modules = node_modules("marked")
    html = HARNESS.format(
        marked=(modules / "marked" / "lib" / "marked.umd.js").as_uri(),
        katex=(modules / "katex" / "dist" / "katex.min.js").as_uri(),
        auto=(modules / "katex" / "dist" / "contrib" / "auto-render.min.js").as_uri(),
        pages=json.dumps(markdowns).replace("<", "\\u003c"))
    page = tmp_path / "blog.html"
    page.write_text(html, encoding="utf-8")
    run = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                          "--allow-file-access-from-files", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=300)
    found = re.search(r"RESULT:([A-Za-z0-9+/=]*):END", run.stdout)
    assert found, run.stderr[-2000:]
    return json.loads(base64.b64decode(found.group(1)).decode("utf-8"))


def test_marked_and_katex_auto_render(tmp_path):
    chosen = pages()
    results = through_marked([p["escaped"] for p in chosen] + [p["gfm"] for p in chosen],
                             tmp_path)
    escaped, gfm = results[:len(chosen)], results[len(chosen):]
    for page, got in zip(chosen, escaped):
        assert got["errors"] == [], (page["name"], got["errors"][:3])
        raw = RAW_TEX.findall(got["text"])
        assert not raw, (page["name"], raw[:5])
        assert [body(t) for t in got["tex"]] == page["expected"], page["name"]
    # the flavour matters: the gfm page loses its \\ line breaks and its subscripts
    # (marked reads \\ as an escaped backslash and _..._ as emphasis)
    for page, got in zip(chosen, gfm):
        broken = (got["errors"] or RAW_TEX.search(got["text"])
                  or [body(t) for t in got["tex"]] != page["expected"])
        assert broken, page["name"]
    assert sum(bool(got["errors"] or RAW_TEX.search(got["text"])) for got in gfm) > 0


# (c) pandoc's Markdown reads $ math natively: the gfm flavour, where pandoc is installed.

def pandoc_math(node, math: list[str], strings: list[str]) -> None:
    """Collect the Math elements' TeX and the Str elements' text of pandoc's JSON."""
    if isinstance(node, dict):
        if node.get("t") == "Math":
            math.append(body(node["c"][1]))
            return
        if node.get("t") == "Str":
            strings.append(node["c"])
        pandoc_math(node.get("c"), math, strings)
    elif isinstance(node, list):
        for item in node:
            pandoc_math(item, math, strings)


def test_gfm_pages_through_pandoc():
    if shutil.which("pandoc") is None:
        pytest.skip("pandoc is not installed (optional)")
    for page in pages()[:4]:
        run = subprocess.run(["pandoc", "-f", "markdown", "-t", "json"], input=page["gfm"],
                             capture_output=True, text=True, check=True, timeout=120)
        math: list[str] = []
        strings: list[str] = []
        pandoc_math(json.loads(run.stdout)["blocks"], math, strings)
        assert math == page["expected"], page["name"]
        assert not [s for s in strings if RAW_TEX.search(s)], page["name"]


def test_what_the_escaped_flavour_escapes():
    page = ("# A \\$5 title with x\\_1\n\nText $w_{1}$, $a*b$ and $\\{x\\}$.\n\n| $x|y$ |\n\n"
            "$$\n\\begin{aligned}\na &= b_{1} \\\\\n- c &= \\sum_{i} d \\, e \\\\\n"
            "1. f &< g &amp\n\\end{aligned}\n$$\n")
    # by hand: prose untouched; in math \\ \, \{ \} get a second backslash, _ * | < and an
    # entity-like & a backslash, and a line's leading "-" or "1." is escaped
    assert md_math_escape(page) == (
        "# A \\$5 title with x\\_1\n\nText $w\\_{1}$, $a\\*b$ and $\\\\{x\\\\}$.\n\n"
        "| $x\\|y$ |\n\n"
        "$$\n\\begin{aligned}\na &= b\\_{1} \\\\\\\\\n\\- c &= \\sum\\_{i} d \\\\, e \\\\\\\\\n"
        "1\\. f &\\< g \\&amp\n\\end{aligned}\n$$\n")


def test_flavour_options_are_checked():
    from symbp.output.render import render_page

    d = derive(EXAMPLES / "seed000_linear_2-2-1.yaml")
    with pytest.raises(ValueError, match="flavour"):
        render_page(d, "md", md_flavor="commonmark")
    with pytest.raises(ValueError, match="goes with Markdown"):
        render_page(d, "tex", md_flavor="escaped")
    result = run_cli("derive", str(EXAMPLES / "seed000_linear_2-2-1.yaml"), "--format", "tex",
                     "--md-flavor", "escaped")
    assert result.returncode == 2 and "--md-flavor goes with --format md" in result.stderr
