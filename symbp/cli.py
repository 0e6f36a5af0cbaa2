"""The command line: a thin layer over the library.

Exit status 0 on success, 2 for bad input (the message names the file, the key
and what was expected, and nothing is written).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .chain import DEFAULT_PATH_LIMIT
from .derivation import derive
from .jsonout import to_json
from .spec import SpecError, load_spec

FORMATS = ("json",)
SPEC_SUFFIXES = (".yaml", ".yml", ".json")


class UsageError(Exception):
    """A command-line request that cannot be carried out (exit status 2)."""


def write_atomic(path: Path, text: str) -> None:
    """Write a whole file or nothing: a temporary file renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render(spec_path: str, fmt: str, closed_form: bool, path_limit: int) -> str:
    """The text of one derivation in one format."""
    spec = load_spec(spec_path)
    derivation = derive(spec, path_limit=path_limit)
    if fmt == "json":
        try:
            data = to_json(derivation, closed_forms=closed_form)
        except ValueError as err:  # the closed form refuses large networks
            raise UsageError(f"{spec_path}: --closed-form: {err}") from None
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    raise UsageError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def cmd_derive(args: argparse.Namespace) -> int:
    text = render(args.spec, args.format, args.closed_form, args.path_limit)
    if args.output:
        write_atomic(Path(args.output), text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_gallery(args: argparse.Namespace) -> int:
    examples = Path(args.examples)
    if not examples.is_dir():
        raise UsageError(f"{examples}: expected a folder of spec files")
    specs = sorted(p for p in examples.iterdir() if p.suffix in SPEC_SUFFIXES)
    if not specs:
        raise UsageError(f"{examples}: no spec files (*.yaml, *.yml, *.json) in it")
    # Render everything first, so a bad spec leaves output/ as it was.
    rendered = {
        Path(args.output) / f"{spec.stem}.json": render(str(spec), "json", False, args.path_limit)
        for spec in specs
    }
    for path, text in rendered.items():
        write_atomic(path, text)
        print(path)
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text}")
    return value


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
        " with its chain-rule factors, the gradient-descent update and the loss after it."
        " JSON output: values, outputs, loss, gradients, deltas (d loss / d pre-activation"
        " of each unit), chains (per parameter, a list of paths, each a list of factors with"
        " its partial, closed form and value), updated, loss_after, history, and 'exact'"
        " (exact values as text where the input makes them exact).",
    )
    d.add_argument("spec", help="the network spec (YAML or JSON)")
    d.add_argument("--format", choices=FORMATS, default="json", help="output format")
    d.add_argument("-o", "--output", help="write to this file instead of standard output")
    d.add_argument(
        "--closed-form",
        action="store_true",
        help="also give each gradient as the derivative of the fully composed loss"
        " (small networks only)",
    )
    d.add_argument(
        "--path-limit",
        type=_positive,
        default=DEFAULT_PATH_LIMIT,
        help="list a parameter's chain-rule paths while it has at most this many"
        f" (default {DEFAULT_PATH_LIMIT}); beyond it the chain is given in error-term form",
    )
    d.set_defaults(run=cmd_derive)

    g = sub.add_parser(
        "gallery",
        help="derive every spec of a folder into an output folder",
        description="Derive every spec (*.yaml, *.yml, *.json) in EXAMPLES and write the"
        " results into OUTPUT. Nothing is written if any spec is bad.",
    )
    g.add_argument("examples", nargs="?", default="examples", help="folder of specs")
    g.add_argument("-o", "--output", default="output", help="folder to write into")
    g.add_argument("--path-limit", type=_positive, default=DEFAULT_PATH_LIMIT,
                   help=argparse.SUPPRESS)
    g.set_defaults(run=cmd_gallery)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (SpecError, UsageError) as err:
        print(f"symbp: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
