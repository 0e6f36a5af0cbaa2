"""The command line: a thin layer over the library.

Exit status 0 on success, 2 for bad input (the message names the file, the key
and what was expected, and nothing is written).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from symbp.check.claims import load_claims
from symbp.check.crosscheck import cross_check
from symbp.check.formula import check_formula
from symbp.check.verify import verify
from symbp.engine.chains import DEFAULT_PATH_LIMIT
from symbp.engine.derivation import Derivation, derive
from symbp.engine.spec import SpecError, load_spec
from symbp.figures.pictures import PATH_FIGURES, Figures
from symbp.output.files import write_atomic, write_files
from symbp.output.jsondoc import to_json
from symbp.output.pdf import TexError, available, compile_pdf, engine_for
from symbp.output.render import (
    HEADING_LEVELS,
    LANGUAGES,
    MD_FLAVORS,
    Rendered,
    fragment_preamble,
    page_figures,
    parse_views,
    render_page,
    render_verify,
)
from symbp.output.verdicts import verify_json
from symbp.page.document import DETAILS
from symbp.page.report import verify_document
from symbp.page.views import LAYOUTS

FORMATS = ("md", "tex", "json")
SPEC_SUFFIXES = (".yaml", ".yml", ".json")


class _HelpFormatter(argparse.HelpFormatter):
    """Wraps one-line descriptions; keeps text of several lines (the preamble) as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" not in text:
            return super()._fill_text(text, width, indent)
        return "\n".join(indent + line if line else line for line in text.splitlines())


def _derive_epilog() -> str:
    lines = fragment_preamble().strip().splitlines()
    return ("A fragment (--format tex --fragment) goes into a document whose preamble has:\n\n"
            + "\n".join("  " + line for line in lines)
            + "\n\nWith --lang zh, compile with xelatex in a ctex class (ctexart, ctexbook)"
            " or\nafter \\usepackage{ctex}.\n")


class UsageError(Exception):
    """A command-line request that cannot be carried out (exit status 2)."""


def formatted(
    derivation: Derivation, spec_path: str, args: argparse.Namespace, fmt: str, lang: str,
    stem: str | None = None, figures: Figures | None = None, label_prefix: str | None = None,
) -> Rendered:
    """One derivation in one format and language, with the pictures a page shows."""
    if fmt == "json":
        try:
            data = to_json(derivation, closed_forms=getattr(args, "closed_form", False))
        except ValueError as err:  # the closed form refuses large networks
            raise UsageError(f"{spec_path}: --closed-form: {err}") from None
        return Rendered(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return render_page(
        derivation,
        fmt,
        lang=lang,
        digits=args.digits,
        only=_only(args, derivation, spec_path),
        lemmas=args.lemmas,
        fragment=getattr(args, "fragment", False),
        templates=args.templates,
        check=getattr(args, "check", False),
        view=args.view,
        layout=args.layout,
        detail=args.detail,
        stem=stem,
        pictures=args.pictures,
        figures=figures,
        heading_level=getattr(args, "heading_level", None),
        md_flavor=getattr(args, "md_flavor", "gfm") if fmt == "md" else "gfm",
        path_figures=args.path_figures,
        label_prefix=label_prefix,
    )


def svg_files(figures: Figures | None, folder: Path) -> dict[Path, str]:
    """The SVG pictures a Markdown page links to, by the path they are written to."""
    if figures is None:
        return {}
    return {folder / f.file: f.svg for f in figures.all() if f.file}


def _only(args: argparse.Namespace, derivation: Derivation, spec_path: str) -> list[str] | None:
    if not getattr(args, "only", None):
        return None
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in derivation.gradients]
    if unknown:
        raise UsageError(
            f"{spec_path}: --only: no parameter named {', '.join(unknown)};"
            f" the parameters are {', '.join(derivation.gradients)}"
        )
    return names


def _check_templates(args: argparse.Namespace) -> None:
    if args.templates is not None and not Path(args.templates).is_dir():
        raise UsageError(f"{args.templates}: --templates expects a folder")


def cmd_derive(args: argparse.Namespace) -> int:
    _check_templates(args)
    if args.fragment and args.format != "tex":
        raise UsageError("--fragment goes with --format tex")
    if args.closed_form and args.format != "json":
        raise UsageError("--closed-form goes with --format json")
    if args.heading_level and not args.fragment:
        raise UsageError("--heading-level goes with --format tex --fragment")
    if args.md_flavor != "gfm" and args.format != "md":
        raise UsageError("--md-flavor goes with --format md")
    derivation = derive(load_spec(args.spec), path_limit=args.path_limit)
    if args.output:
        out = Path(args.output)
        if out.is_dir() or args.output.endswith(("/", os.sep)):
            out = out / f"{Path(args.spec).stem}.{args.format}"  # -o notes/: notes/spec.md
        # pictures go beside a Markdown page: page.md links page.network.svg, ...
        stem = out.name.removesuffix(out.suffix) if args.format == "md" else None
        # LaTeX labels start with the page's name: two pages \input together do not clash
        prefix = out.name.removesuffix(out.suffix)
        page = formatted(derivation, args.spec, args, args.format, args.lang, stem,
                         label_prefix=prefix)
        # the page and its pictures land together, or nothing does
        write_files({**svg_files(page.figures, out.parent), out: page.text})
    else:
        sys.stdout.write(formatted(derivation, args.spec, args, args.format, args.lang).text)
    return 0


def cmd_gallery(args: argparse.Namespace) -> int:
    _check_templates(args)
    examples = Path(args.examples)
    if not examples.is_dir():
        raise UsageError(f"{examples}: expected a folder of spec files")
    specs = sorted(p for p in examples.iterdir() if p.suffix in SPEC_SUFFIXES)
    if not specs:
        raise UsageError(f"{examples}: no spec files (*.yaml, *.yml, *.json) in it")
    out = Path(args.output)
    # Everything is made before anything is written: a bad spec leaves the folder as it was.
    files: dict[Path, str | bytes] = {}
    for number, spec in enumerate(specs, 1):
        started = time.perf_counter()
        before = len(files)
        derivation = derive(load_spec(spec), path_limit=args.path_limit)
        files[out / f"{spec.stem}.json"] = formatted(
            derivation, str(spec), args, "json", "en").text
        # one set of pictures for both formats and both languages
        figures = page_figures(derivation, args.view, spec.stem, args.digits,
                               args.path_figures) if args.pictures else None
        for lang in LANGUAGES:
            for fmt in ("md", "tex"):
                files[out / f"{spec.stem}.{lang}.{fmt}"] = formatted(
                    derivation, str(spec), args, fmt, lang, figures=figures).text
        files.update(svg_files(figures, out))
        print(f"[{number}/{len(specs)}] {spec.name}: {len(files) - before} files,"
              f" {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    if args.pdf:
        files.update(_pdfs(files))
    write_files(files)  # all of them, or none: an interrupt leaves the folder as it was
    print(f"wrote {len(files)} files to {out}")
    return 0


def _pdfs(files: dict[Path, str | bytes]) -> dict[Path, bytes]:
    pdfs: dict[Path, bytes] = {}
    for path, text in files.items():
        if path.suffix != ".tex" or not isinstance(text, str):
            continue
        engine = engine_for(path.suffixes[-2].lstrip("."))
        if not available(engine):
            print(f"symbp: {engine} not found: no {path.with_suffix('.pdf')}", file=sys.stderr)
            continue
        try:
            pdfs[path.with_suffix(".pdf")] = compile_pdf(text, engine)
        except TexError as err:
            raise UsageError(f"{path}: {err}") from None
    return pdfs


def cmd_verify(args: argparse.Namespace) -> int:
    spec = load_spec(args.spec)
    claims = load_claims(args.claims)
    derivation = derive(spec)
    verdicts = verify(derivation, claims)
    formulas = [check_formula(derivation, f, claims.source) for f in claims.formulas]
    if args.format == "json":
        text = json.dumps(verify_json(derivation, verdicts, formulas), indent=2,
                          ensure_ascii=False) + "\n"
    else:
        doc = verify_document(derivation, verdicts, formulas)
        text = render_verify(doc, args.format, args.lang)
    if args.output:
        write_atomic(Path(args.output), text)
    else:
        sys.stdout.write(text)
    all_hold = all(v.holds for v in verdicts) and all(f.holds for f in formulas)
    return 0 if all_hold else 1


def cmd_check(args: argparse.Namespace) -> int:
    derivation = derive(load_spec(args.spec))
    report = cross_check(derivation.spec, derivation.gradients)
    torch = "not installed" if report.torch_max is None else f"{report.torch_max:.1e}"
    print(f"{'parameter':<12} {'symbp':>24} {'finite differences':>24} {'PyTorch':>24}")
    for name, ours, fd, theirs in report.rows:
        other = "—" if theirs is None else f"{theirs:.17g}"
        print(f"{name:<12} {ours:>24.17g} {fd:>24.17g} {other:>24}")
    print(f"\nlargest relative difference: finite differences (80 digits)"
          f" {report.fd_max:.1e}, PyTorch float64 {torch}")
    if report.kinks:
        print(f"ReLU units exactly at their kink (differences straddle it):"
              f" {', '.join(report.kinks)}")
    print("agree" if report.ok else "DISAGREE")
    return 0 if report.ok else 1


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text}")
    return value


def _views(text: str) -> str:
    try:
        parse_views(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return text


def _add_render_options(p: argparse.ArgumentParser, view: str = "paths") -> None:
    p.add_argument("--view", type=_views, default=view, metavar="VIEWS",
                   help="paths, deltas, matrix, graph, or all (or a comma-separated list;"
                        f" default {view}): the per-path chain rule, the error terms of every"
                        " unit, the matrix form, the computational graph")
    p.add_argument("--no-pictures", dest="pictures", action="store_false",
                   help="no diagrams (by default LaTeX draws them in TikZ and a Markdown page"
                        " written with -o links SVG files written beside it)")
    p.add_argument("--path-figures", choices=PATH_FIGURES, default="layer",
                   help="pictures of a gradient's paths through the network: layer (one per"
                        " layer, for its first weight, the default), each (one per"
                        " parameter) or none")
    p.add_argument("--detail", choices=DETAILS, default="full",
                   help="full (every gradient through the chain rule, the default) or compact"
                        " (one parameter per layer through the chain rule, the other gradients"
                        " and the updates as tables)")
    p.add_argument("--layout", choices=LAYOUTS, default="column",
                   help="matrix layout: column (z = W a + b, the default) or row"
                        " (z = a W + b, as numpy code writes it)")
    p.add_argument("--digits", type=_positive, default=4,
                   help="significant digits of numbers that are not exact (default 4)")
    p.add_argument("--lemmas", action="store_true",
                   help="add short derivations of the local rules used (sigmoid', tanh', ...)")
    p.add_argument("--templates", metavar="DIR",
                   help="a folder of templates that override the shipped ones, file by file")
    p.add_argument(
        "--path-limit", type=_positive, default=DEFAULT_PATH_LIMIT,
        help="list a parameter's chain-rule paths while it has at most this many"
        f" (default {DEFAULT_PATH_LIMIT}); beyond it the chain is given in error-term form",
    )


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="symbp",
        description="Exact, step-by-step backpropagation derivations for small feed-forward"
        " networks described in a YAML or JSON spec.",
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    d = sub.add_parser(
        "derive",
        help="derive one network: forward pass, loss, every gradient with its chain, the update",
        description="Derive one network's forward pass, loss, the gradient of every parameter"
        " with its chain-rule factors, the gradient-descent update and the loss after it,"
        " as the Markdown or LaTeX page a textbook would print, or as JSON. JSON output:"
        " values, outputs, loss, gradients, deltas (d loss / d pre-activation of each unit),"
        " chains (per parameter, a list of paths, each a list of factors with its partial,"
        " closed form and value), updated, loss_after, history, and 'exact' (exact values as"
        " text where the input makes them exact).",
        epilog=_derive_epilog(),
        formatter_class=_HelpFormatter,
    )
    d.add_argument("spec", help="the network spec (YAML or JSON)")
    d.add_argument("--format", choices=FORMATS, default="md",
                   help="md (Markdown with $ math), tex (LaTeX) or json; default md")
    d.add_argument("--lang", choices=LANGUAGES, default="en",
                   help="language of the prose: en or zh (the maths is the same)")
    d.add_argument("-o", "--output", help="write to this file instead of standard output")
    d.add_argument("--only", metavar="NAMES",
                   help="derive the gradients of these parameters only, e.g. w1,w5")
    d.add_argument("--fragment", action="store_true",
                   help="with --format tex: the body alone, to \\input into notes, instead of"
                   " a whole article; the preamble it needs is below")
    d.add_argument("--heading-level", choices=HEADING_LEVELS,
                   help="with --fragment: the sectioning command of the fragment's title"
                   " (default section), deeper headings following (chapter > section >"
                   " subsection > subsubsection > paragraph); numbered as the host document"
                   " numbers")
    d.add_argument("--md-flavor", choices=MD_FLAVORS, default="gfm",
                   help="with --format md: gfm (the default) leaves math as written, for"
                   " renderers that know $ math (GitHub, Jupyter, Obsidian, markdown-it with"
                   " a math plugin, pandoc); escaped backslash-escapes the Markdown"
                   " characters inside math (\\\\, _, *, ...), for pipelines that parse the"
                   " Markdown before typesetting the math (marked or Hugo, then KaTeX"
                   " auto-render or MathJax)")
    d.add_argument("--check", action="store_true",
                   help="with md or tex: recompute every gradient by finite differences and"
                   " PyTorch (independently of the chain rule) and say under each gradient"
                   " how closely they agree")
    d.add_argument("--closed-form", action="store_true",
                   help="with --format json: also give each gradient as the derivative of the"
                   " fully composed loss (small networks only)")
    _add_render_options(d)
    d.set_defaults(run=cmd_derive)

    v = sub.add_parser(
        "verify",
        help="judge claimed numbers and formulas about a network; say why wrong ones are wrong",
        description="Judge each claim in CLAIMS (YAML or JSON, with the sections of the JSON"
        " output: values, outputs, loss, gradients, updated, loss_after, history, and"
        " formulas) against the derivation of SPEC. A number is judged at the precision it"
        " is written with (0.15 holds for 0.15006), or {value: v, tol: t}. For a wrong"
        " claim the report gives the true value, the common mistake that reproduces the"
        " claim if there is one, and the derivation of the true value. Exit status 0 when"
        " every claim holds, 1 when one does not, 2 for a bad spec or claims file.",
    )
    v.add_argument("spec", help="the network spec (YAML or JSON)")
    v.add_argument("claims", help="the claims (YAML or JSON)")
    v.add_argument("--format", choices=("text", "md", "tex", "json"), default="text",
                   help="a terminal table (default), a Markdown or LaTeX document, or JSON")
    v.add_argument("--lang", choices=LANGUAGES, default="en",
                   help="language of the report (text, md, tex): en or zh; JSON is English")
    v.add_argument("-o", "--output", help="write to this file instead of standard output")
    v.set_defaults(run=cmd_verify)

    c = sub.add_parser(
        "check",
        help="recompute every gradient by finite differences and PyTorch, independently",
        description="Recompute every gradient by central finite differences at 80 digits"
        " (mpmath) and, where torch is installed, by PyTorch autograd in float64, with code"
        " that shares nothing with symbp's chain rule, and report the largest relative"
        " difference. Exit status 0 when they agree, 1 when not.",
    )
    c.add_argument("spec", help="the network spec (YAML or JSON)")
    c.set_defaults(run=cmd_check)

    g = sub.add_parser(
        "gallery",
        help="derive every spec of a folder into an output folder, in every format",
        description="Derive every spec (*.yaml, *.yml, *.json) in EXAMPLES and write, for"
        " each, NAME.json, NAME.LANG.md and NAME.LANG.tex in English and Chinese into OUTPUT,"
        " and NAME.LANG.pdf where pdflatex and xelatex are installed. Nothing is written if"
        " any spec is bad.",
    )
    g.add_argument("examples", nargs="?", default="examples", help="folder of specs")
    g.add_argument("-o", "--output", default="output", help="folder to write into")
    g.add_argument("--no-pdf", dest="pdf", action="store_false", help="do not compile PDFs")
    _add_render_options(g, view="all")
    g.set_defaults(run=cmd_gallery)
    return top


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # so that writing cleans up on `kill` as on Ctrl-C


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    try:
        return args.run(args)
    except (SpecError, UsageError) as err:
        print(f"symbp: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # a file that cannot be read or written: nothing was written
        where = f"{err.filename}: " if err.filename else ""
        print(f"symbp: error: {where}{err.strerror or err}; nothing was written",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("symbp: interrupted; nothing was written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
