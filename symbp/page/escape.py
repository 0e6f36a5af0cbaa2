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
