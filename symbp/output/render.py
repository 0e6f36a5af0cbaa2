"""Render a derivation through the Jinja2 templates: Markdown or LaTeX, English or Chinese.

The templates use delimiters that cannot clash with TeX braces: ``((* *))``
for statements, ``((( )))`` for values and ``((= =))`` for comments.  A folder
given as ``templates`` is searched first, so a user can override any single
template and keep the rest.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from sympy.core.cache import clear_cache

from symbp.check.crosscheck import cross_check
from symbp.engine.derivation import Derivation
from symbp.figures.pictures import Figures
from symbp.figures.pictures import figures as make_figures
from symbp.page.display import Style
from symbp.page.document import build_document
from symbp.page.escape import md_escape, md_math_escape, tex_escape
from symbp.page.model import Document
from symbp.page.report import VerifyDocument
from symbp.page.views import LAYOUTS, VIEWS

LANGUAGES = ("en", "zh")
TEMPLATE_FORMATS = ("md", "tex")
MD_FLAVORS = ("gfm", "escaped")
# LaTeX's sectioning commands from the top down; a fragment's headings start at one of the
# first three and go down the chain (a heading deeper than the chain stays at its end).
SECTIONING = ("chapter", "section", "subsection", "subsubsection", "paragraph", "subparagraph")
HEADING_LEVELS = SECTIONING[:3]


def sectioning(heading_level: str | None, fragment: bool) -> tuple[str, ...]:
    """The sectioning commands of headings 1, 2, 3... of a LaTeX page.

    A fragment takes the host's numbering (unstarred commands: numbered as deep as the host's
    secnumdepth, listed in its contents, open to \\label), starting at ``heading_level``
    (default ``section``).  The standalone article prints one derivation under its own
    title, where "1 The network" would number a document with a single part: its
    headings stay unnumbered (starred), from \\section down.
    """
    if heading_level is not None and heading_level not in HEADING_LEVELS:
        raise ValueError(f"unknown heading level {heading_level!r}; expected one of"
                         f" {', '.join(HEADING_LEVELS)}")
    if not fragment:
        if heading_level is not None:
            raise ValueError("a heading level goes with a LaTeX fragment")
        return tuple(c + "*" for c in SECTIONING[1:])
    return SECTIONING[SECTIONING.index(heading_level or "section"):]

def template_dir() -> Path:
    """The shipped templates: inside the installed package, else the source tree's."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / "common" / "body.j2").is_file():
            return candidate
    raise FileNotFoundError(f"symbp's templates are missing (looked in {package})")


def environment(fmt: str, override: str | Path | None = None) -> jinja2.Environment:
    """A Jinja2 environment for one format, with an optional folder of overrides first."""
    loaders: list[jinja2.BaseLoader] = []
    if override is not None:
        loaders.append(jinja2.FileSystemLoader(str(override)))
    loaders.append(jinja2.FileSystemLoader(str(template_dir())))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        block_start_string="((*",
        block_end_string="*))",
        variable_start_string="(((",
        variable_end_string=")))",
        comment_start_string="((=",
        comment_end_string="=))",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["prose"] = {"tex": tex_escape, "text": str}.get(fmt, md_escape)
    env.filters["math"] = _plain_math if fmt == "text" else _inline_math
    env.filters["columns"] = columns
    return env


def fragment_preamble() -> str:
    """The preamble lines a LaTeX fragment needs; the standalone article loads the same."""
    return environment("tex").get_template("tex/preamble.tex.j2").render(explained=True)


def _inline_math(value: Any, plain: str | None = None) -> str:
    """A Term, or LaTeX written in a template, as inline math."""
    return f"${getattr(value, 'tex', value)}$"


def _plain_math(value: Any, plain: str | None = None) -> str:
    """The same for a terminal: a Term's plain text, or the plain form given beside LaTeX."""
    return getattr(value, "text", plain if plain is not None else value)


def _width(text: str) -> int:
    """Terminal columns: a wide (CJK) character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def columns(rows: list[tuple[str, ...]]) -> str:
    """Rows as aligned columns for a terminal."""
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths)).rstrip()
                     for row in rows)


def render_document(
    doc: Document,
    fmt: str,
    lang: str = "en",
    fragment: bool = False,
    templates: str | Path | None = None,
    figures: Figures | None = None,
    heading_level: str | None = None,
    md_flavor: str = "gfm",
) -> str:
    """The text of a prepared document in ``md`` or ``tex``, with its pictures if given.

    ``heading_level`` (``chapter``, ``section`` or ``subsection``) is the sectioning command
    of a LaTeX fragment's title; ``md_flavor`` is ``gfm`` (math as written, for renderers
    that know ``$`` math) or ``escaped`` (math escaped for a Markdown parser that runs
    before the math is typeset; see :func:`symbp.page.escape.md_math_escape`).
    """
    if fmt not in TEMPLATE_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(TEMPLATE_FORMATS)}")
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    if md_flavor not in MD_FLAVORS:
        raise ValueError(f"unknown Markdown flavour {md_flavor!r}; expected one of"
                         f" {', '.join(MD_FLAVORS)}")
    if fmt != "tex" and heading_level is not None:
        raise ValueError("a heading level goes with a LaTeX fragment")
    if fmt != "md" and md_flavor != "gfm":
        raise ValueError("a Markdown flavour goes with Markdown")
    name = "md/derivation.md.j2" if fmt == "md" else (
        "tex/fragment.tex.j2" if fragment else "tex/derivation.tex.j2")
    headings = sectioning(heading_level, fragment) if fmt == "tex" else ()
    text = _tidy(environment(fmt, templates).get_template(name).render(
        doc=doc, lang=lang, figures=figures, sectioning=headings))
    return md_math_escape(text) if md_flavor == "escaped" else text


def _tidy(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def parse_views(view: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """``"all"``, one view, a comma-separated list or a list, in the views' own order."""
    names = view.split(",") if isinstance(view, str) else list(view)
    names = [n.strip() for n in names if n.strip()]
    if "all" in names:
        return VIEWS
    unknown = [n for n in names if n not in VIEWS]
    if unknown or not names:
        raise ValueError(f"unknown view {', '.join(unknown) or '(none)'}; expected one of"
                         f" {', '.join(VIEWS)}, or all")
    return tuple(v for v in VIEWS if v in names)


@dataclass
class Rendered:
    """A page's text and the pictures it shows (Markdown links their SVG files)."""

    text: str
    figures: Figures | None = None


def page_figures(derivation: Derivation, view: str | list[str] | tuple[str, ...] = "paths",
                 stem: str | None = None, digits: int = 4, path_figures: str = "layer",
                 label_prefix: str | None = None) -> Figures:
    """The pictures of a page with these views, built once for every format and language.

    ``path_figures`` is ``layer`` (one picture of a gradient's paths per layer),
    ``each`` (one per parameter) or ``none``; ``label_prefix`` starts the LaTeX
    labels of the figures (by default the stem, else the spec's file name).
    """
    return make_figures(derivation.spec, parse_views(view), stem, Style(digits=digits),
                        path_figures, label_prefix)


def render_page(
    derivation: Derivation,
    fmt: str,
    lang: str = "en",
    digits: int = 4,
    only: list[str] | None = None,
    lemmas: bool = False,
    fragment: bool = False,
    templates: str | Path | None = None,
    check: bool = False,
    view: str | list[str] = "paths",
    layout: str = "column",
    stem: str | None = None,
    pictures: bool = True,
    figures: Figures | None = None,
    heading_level: str | None = None,
    md_flavor: str = "gfm",
    path_figures: str = "layer",
    detail: str = "full",
    label_prefix: str | None = None,
) -> Rendered:
    """A derivation as Markdown or LaTeX, with its pictures; ``check`` adds the cross-checks.

    ``view`` is one of :data:`symbp.page.views.VIEWS`, ``"all"``, or a list of them;
    ``layout`` is the matrix layout (``"column"``: z = W a + b, ``"row"``: z = a W + b).
    ``stem`` is the file stem a Markdown page links its SVG pictures under
    (``stem.network.svg``...); without it a Markdown page has no pictures.  LaTeX
    draws them inline in TikZ unless ``pictures`` is False.  ``figures`` passes
    pictures already built by :func:`page_figures`, so that several formats and
    languages share them.  ``heading_level`` (``chapter``, ``section``, ``subsection``)
    is the top sectioning command of a LaTeX fragment (default ``section``), its deeper
    headings following; ``md_flavor`` is the Markdown flavour (:data:`MD_FLAVORS`).
    ``path_figures`` (``layer``, ``each``, ``none``) is that of :func:`page_figures`.
    ``detail`` is ``"full"`` (every gradient through the chain rule) or ``"compact"``
    (one per layer; the others as table rows, the updates as a table).
    ``label_prefix`` starts the page's equation and figure labels (default: from the
    spec's file name), so that two fragments in one LaTeX document do not clash.
    """
    clear_cache()  # as derive does: a page's digits never depend on what ran before it
    checks = None
    if check:
        report = cross_check(derivation.spec, derivation.gradients)
        checks = {name: (fd_rel, torch_rel) for name, fd_rel, torch_rel in report.per_parameter}
    views = parse_views(view)
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
    prefix = label_prefix or default_label_prefix(derivation)  # equations and figures
    doc = build_document(derivation, Style(digits=digits), only=only, lemmas=lemmas,
                         checks=checks, views=views, layout=layout, detail=detail,
                         label_prefix=prefix)
    figs = None
    if pictures and (fmt == "tex" or stem or figures):
        figs = figures or page_figures(derivation, views, stem, digits, path_figures, prefix)
        if fmt == "md" and not any(f.file for f in figs.all()):
            figs = None  # Markdown shows pictures only as files beside it
    return Rendered(render_document(doc, fmt, lang, fragment, templates, figs,
                                    heading_level=heading_level, md_flavor=md_flavor), figs)


def default_label_prefix(derivation: Derivation) -> str:
    """``symbp-`` and the spec's file stem in letters, digits and hyphens."""
    stem = Path(derivation.spec.source).stem if derivation.spec.source != "<spec>" else ""
    return "-".join(["symbp", *re.findall(r"[A-Za-z0-9]+", stem)])


def render(derivation: Derivation, fmt: str, lang: str = "en", *,
           figures: str | None = None, **options: Any) -> str:
    """The text of :func:`render_page`; ``figures`` is the stem of the SVG files."""
    return render_page(derivation, fmt, lang, stem=figures, **options).text


@functools.cache
def _verify_environment(fmt: str) -> jinja2.Environment:
    """The shipped templates' environment, compiled once: a check renders many reports."""
    return environment(fmt)


def render_verify(doc: VerifyDocument, fmt: str, lang: str = "en",
                  templates: str | Path | None = None) -> str:
    """The verification report as Markdown, a LaTeX article, or text for a terminal."""
    name = {"md": "md/verify.md.j2", "tex": "tex/verify.tex.j2", "text": "text/verify.txt.j2"}
    if fmt not in name:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(name)}")
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    env = _verify_environment(fmt) if templates is None else environment(fmt, templates)
    text = env.get_template(name[fmt]).render(doc=doc, lang=lang,
                                              sectioning=sectioning(None, False))
    if fmt == "text":  # the table's first header cell is blank: keep its spaces
        return re.sub(r"\n{3,}", "\n\n", text).lstrip("\n").rstrip() + "\n"
    return _tidy(text)
