"""Render a derivation through the Jinja2 templates: Markdown or LaTeX, English or Chinese.

The templates use delimiters that cannot clash with TeX braces: ``((* *))``
for statements, ``((( )))`` for values and ``((= =))`` for comments.  A folder
given as ``templates`` is searched first, so a user can override any single
template and keep the rest.
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2

from .crosscheck import cross_check
from .derivation import Derivation
from .diagram import figures as make_figures
from .display import Style
from .document import Document, build_document
from .views import LAYOUTS, VIEWS

LANGUAGES = ("en", "zh")
TEMPLATE_FORMATS = ("md", "tex")

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


def template_dir() -> Path:
    """The shipped templates: inside the installed package, else the source tree's."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "common" / "body.j2").is_file():
            return candidate
    raise FileNotFoundError(f"symbp's templates are missing (looked in {here})")


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
) -> str:
    """The text of a prepared document in ``md`` or ``tex``."""
    if fmt not in TEMPLATE_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(TEMPLATE_FORMATS)}")
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    name = "md/derivation.md.j2" if fmt == "md" else (
        "tex/fragment.tex.j2" if fragment else "tex/derivation.tex.j2")
    text = environment(fmt, templates).get_template(name).render(doc=doc, lang=lang)
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


def render(
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
    figures: str | None = None,
    pictures: bool = True,
) -> str:
    """A derivation as Markdown or LaTeX; ``check`` adds the independent cross-checks.

    ``view`` is one of :data:`symbp.views.VIEWS`, ``"all"``, or a list of them;
    ``layout`` is the matrix layout (``"column"``: z = W a + b, ``"row"``: z = a W + b).
    ``figures`` is the file stem the Markdown page links its SVG pictures under
    (``stem.network.svg``...; :func:`symbp.diagram.figures` makes them); without it a
    Markdown page has no pictures.  LaTeX draws them inline in TikZ unless
    ``pictures`` is False.
    """
    checks = None
    if check:
        report = cross_check(derivation.spec, derivation.gradients)
        checks = {name: (fd_rel, torch_rel) for name, fd_rel, torch_rel in report.per_parameter}
    views = parse_views(view)
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
    doc = build_document(derivation, Style(digits=digits), only=only, lemmas=lemmas,
                         checks=checks, views=views, layout=layout)
    if pictures and (fmt == "tex" or figures):
        doc.figures = make_figures(derivation.spec, views, figures, Style(digits=digits))
    return render_document(doc, fmt, lang, fragment, templates)
