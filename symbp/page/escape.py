"""Prose escapes: a title or a claim printed as itself in TeX or Markdown, never as markup."""

from __future__ import annotations

import re

_TEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}",
}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|$~])")


def tex_escape(text: str) -> str:
    """Prose (a title) made safe for TeX: every special character printed as itself."""
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in text)


def md_escape(text: str) -> str:
    """Prose made safe for Markdown: no emphasis, links, HTML or math from user text."""
    return _MD_SPECIAL.sub(r"\\\1", text)


# A page's math spans: an escaped character of prose (md_escape's \$ is a dollar, not math)
# is skipped; then $$...$$ (display) and $...$ (inline).
_MD_MATH = re.compile(r"\\.|\$\$(.+?)\$\$|\$(.+?)\$", re.S)
# Inside math: a backslash before anything but a letter (\\ \, \{ \}: Markdown would take
# it as an escape or a hard line break), emphasis and strike-through marks, code ticks,
# the start of an HTML tag or link, a table's cell bar, and an entity's ampersand.
_MATH_ACTIVE = re.compile(r"\\(?![A-Za-z])|[_*`~<\[\]|]|&(?=[A-Za-z#])")
# At the start of a display line: a heading, a quote, a list item or a setext underline.
_MATH_LINE_START = re.compile(r"^([ \t]*)([#>+\-=]|\d{1,9}(?=[.)]))", re.M)


def _math_escaped(tex: str) -> str:
    tex = _MATH_ACTIVE.sub(lambda m: "\\" + m.group(0), tex)

    def line_start(m: re.Match[str]) -> str:
        lead, mark = m.group(1), m.group(2)
        # "1." and "1)" start an ordered list: the digits stay, the mark after them is escaped
        return lead + mark + "\\" if mark[0].isdigit() else lead + "\\" + mark

    return _MATH_LINE_START.sub(line_start, tex)


def md_math_escape(page: str) -> str:
    """A Markdown page whose math survives a Markdown parser that knows no math.

    Pipelines that parse Markdown first and typeset the math afterwards in the browser
    (marked or Hugo's goldmark, then KaTeX auto-render or MathJax) would take ``\\\\`` for an
    escaped backslash, ``_`` and ``*`` for emphasis, and so on.  Every such character inside
    ``$...$`` and ``$$...$$`` is backslash-escaped, so that the parser's output is the
    LaTeX as written.  Prose is left as it is.
    """

    def escape(m: re.Match[str]) -> str:
        if m.group(0).startswith("\\"):
            return m.group(0)
        if m.group(1) is not None:
            return "$$" + _math_escaped(m.group(1)) + "$$"
        return "$" + _math_escaped(m.group(2)) + "$"

    return _MD_MATH.sub(escape, page)
