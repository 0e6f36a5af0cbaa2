"""Render a derivation through the Jinja2 templates: Markdown or LaTeX, English or Chinese.

The templates use delimiters that cannot clash with TeX braces: ``((* *))``
for statements, ``((( )))`` for values and ``((= =))`` for comments.  A folder
given as ``templates`` is searched first, so a user can override any single
template and keep the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from symbp.check.crosscheck import cross_check
from symbp.engine.derivation import Derivation
from symbp.figures.pictures import Figures
from symbp.figures.pictures import figures as make_figures
from symbp.page.display import Style
from symbp.page.document import build_document
from symbp.page.escape import md_escape, tex_escape
from symbp.page.model import Document
from symbp.page.report import VerifyDocument
from symbp.page.views import LAYOUTS, VIEWS

LANGUAGES = ("en", "zh")
TEMPLATE_FORMATS = ("md", "tex")

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
    env.filters["prose"] = tex_escape if fmt == "tex" else md_escape
    return env


def render_document(
    doc: Document,
    fmt: str,
    lang: str = "en",
    fragment: bool = False,
    templates: str | Path | None = None,
    figures: Figures | None = None,
) -> str:
    """The text of a prepared document in ``md`` or ``tex``, with its pictures if given."""
    if fmt not in TEMPLATE_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(TEMPLATE_FORMATS)}")
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    name = "md/derivation.md.j2" if fmt == "md" else (
        "tex/fragment.tex.j2" if fragment else "tex/derivation.tex.j2")
    text = environment(fmt, templates).get_template(name).render(doc=doc, lang=lang,
                                                              figures=figures)
    return _tidy(text)


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


def page_figures(derivation: Derivation, view: str | list[str] = "paths",
                 stem: str | None = None, digits: int = 4) -> Figures:
    """The pictures of a page with these views, built once for every format and language."""
    return make_figures(derivation.spec, parse_views(view), stem, Style(digits=digits))


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
    languages share them.  ``detail`` is ``"full"`` (every gradient through the chain
    rule) or ``"compact"`` (one per layer; the others as table rows, the updates as a
    table).  ``label_prefix`` starts the page's equation labels (default: from the
    spec's file name), so that two fragments in one LaTeX document do not clash.
    """
    checks = None
    if check:
        report = cross_check(derivation.spec, derivation.gradients)
        checks = {name: (fd_rel, torch_rel) for name, fd_rel, torch_rel in report.per_parameter}
    views = parse_views(view)
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
    doc = build_document(derivation, Style(digits=digits), only=only, lemmas=lemmas,
                         checks=checks, views=views, layout=layout, detail=detail,
                         label_prefix=label_prefix or default_label_prefix(derivation))
    figs = None
    if pictures and (fmt == "tex" or stem or figures):
        figs = figures or page_figures(derivation, views, stem, digits)
        if fmt == "md" and not any(f.file for f in figs.all()):
            figs = None  # Markdown shows pictures only as files beside it
    return Rendered(render_document(doc, fmt, lang, fragment, templates, figs), figs)


def default_label_prefix(derivation: Derivation) -> str:
    """``symbp-`` and the spec's file stem in letters, digits and hyphens."""
    stem = Path(derivation.spec.source).stem if derivation.spec.source != "<spec>" else ""
    return "-".join(["symbp", *re.findall(r"[A-Za-z0-9]+", stem)])


def render(derivation: Derivation, fmt: str, lang: str = "en", *,
           figures: str | None = None, **options: Any) -> str:
    """The text of :func:`render_page`; ``figures`` is the stem of the SVG files."""
    return render_page(derivation, fmt, lang, stem=figures, **options).text


def render_verify(doc: VerifyDocument, fmt: str, lang: str = "en",
                  templates: str | Path | None = None) -> str:
    """The verification report as Markdown or a LaTeX article."""
    name = "md/verify.md.j2" if fmt == "md" else "tex/verify.tex.j2"
    return _tidy(environment(fmt, templates).get_template(name).render(doc=doc, lang=lang))
