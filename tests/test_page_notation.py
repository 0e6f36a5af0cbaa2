"""With several samples the notation holds still: one value per symbol on a page, a sample
index on every per-sample quantity, and a sum sign on every sum over the samples.

Pages of random networks with 2-3 samples and of every multi-sample spec that broke a page
are rendered with every view, in Markdown and LaTeX; the checks read the printed LaTeX
only. The per-sample symbols are spelled here from the spec's names, not asked of symbp.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings

from symbp import derive
from symbp.engine.names import name_latex
from symbp.engine.spec import parse_spec
from symbp.output.render import render_page

from conftest import ROOT
from strategies import load_regression, networks, regression_specs

MULTI = [p for p in [*regression_specs(), *sorted((ROOT / "tests" / "specs").glob("*.yaml"))]
         if len(yaml.safe_load(p.read_text(encoding="utf-8")).get("samples", [])) > 1]

SAMPLE_INDEX = re.compile(r"(?:\^\{\+\})?\}?\^\{\((?:\d+|n)\)\}")


# ---- reading the LaTeX back --------------------------------------------------------------
def math_spans(text: str, fmt: str) -> tuple[list[str], list[str]]:
    """(display bodies of aligned rows, inline spans) of a rendered page."""
    if fmt == "md":
        displays = re.findall(r"\$\$\n(.*?)\n\$\$", text, re.S)
        rest = re.sub(r"\$\$\n.*?\n\$\$", " ", text, flags=re.S)
    else:
        displays = re.findall(r"\\begin\{align\*\}(.*?)\\end\{align\*\}", text, re.S)
        displays += re.findall(r"\\\[(.*?)\\\]", text, re.S)
        rest = re.sub(r"\\begin\{align\*\}.*?\\end\{align\*\}|\\\[.*?\\\]", " ", text,
                      flags=re.S)
    inline = re.findall(r"\$([^$]+)\$", rest)
    return displays, inline


def top_level_split(tex: str, seps: tuple[str, ...]) -> list[str]:
    """Split at the separators that stand outside braces and \\left...\\right."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(tex):
        if tex.startswith("\\left", i) and not tex.startswith("\\leftarrow", i):
            depth += 1
            i += 5
            continue
        if tex.startswith("\\right", i) and not tex.startswith("\\rightarrow", i):
            depth -= 1
            i += 6
            continue
        ch = tex[i]
        if ch == "\\" and i + 1 < len(tex) and not tex.startswith("\\approx", i):
            i += 2 if not tex[i + 1].isalpha() else len(re.match(r"\\[A-Za-z]+", tex[i:])[0])
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0:
            for sep in seps:
                if tex.startswith(sep, i):
                    parts.append(tex[start:i])
                    start = i + len(sep)
                    i = start - 1
                    break
        i += 1
    parts.append(tex[start:])
    return parts


def aligned_rows(body: str) -> list[tuple[str, str]]:
    """(lhs, rhs) of each logical row of an aligned block; continuation lines joined."""
    body = body.replace("\\begin{aligned}", "").replace("\\end{aligned}", "")
    rows: list[tuple[str, str]] = []
    for line in re.split(r"\\\\\s*\n", body):
        if "&" not in line or "\\begin{array}" in body:
            continue
        lhs, rhs = line.split("&", 1)
        if lhs.strip():
            rows.append((lhs.strip(), rhs))
        elif rows:
            rows[-1] = (rows[-1][0], rows[-1][1] + " " + rhs)
    return rows


def equations(displays: list[str], inline: list[str]) -> list[tuple[str, list[str]]]:
    """Every printed equation: its left side and the pieces after each = or \\approx."""
    out = []
    for body in displays:
        for lhs, rhs in aligned_rows(body):
            pieces = top_level_split(rhs, ("=", "\\approx"))
            out.append((lhs, [p for p in pieces if p.strip()]))
    for span in inline:
        pieces = top_level_split(span, ("=", "\\approx"))
        if len(pieces) > 1:
            out.append((pieces[0], pieces[1:]))
    return out


NUMERIC_NOISE = re.compile(
    r"\\begin\{bmatrix\}|\\end\{bmatrix\}|\\times 10\^|\\frac|\\left|\\right|\\,|[{}()&\\ \-]")


def numeric(tex: str) -> bool:
    rest = NUMERIC_NOISE.sub("", tex.strip())
    return bool(rest) and re.fullmatch(r"[0-9.]+", rest) is not None


def final_value(pieces: list[str]) -> str | None:
    last = re.sub(r"\\quad\s*\\text\{.*$", "", pieces[-1]).strip()
    if not numeric(last):
        return None
    # A gradient that is exactly 0 comes out of 50-digit arithmetic as noise of either sign
    # (a shared bias before a softmax); how such noise is printed is not a matter of notation.
    tiny = re.fullmatch(r"-?[0-9.]+ \\times 10\^\{-(\d+)\}", last)
    if tiny and int(tiny[1]) >= 40:
        return "0 (to 40 digits)"
    return " ".join(last.split())


# ---- the checks --------------------------------------------------------------------------
def per_sample_bases(raw: dict) -> set[str]:
    """LaTeX of every per-sample symbol, spelled from the spec: inputs, targets, each unit's
    pre-activation, activation and error term, and the sample's loss."""
    spec = parse_spec(raw, "notation")
    bases = {name_latex(x) for x in spec.input_names} | {name_latex(t) for t in spec.target_names}
    for layer in spec.layers:
        for unit in layer.units:
            u = name_latex(unit)
            bases.add(f"\\delta_{{{u}}}")
            if layer.activation == "identity":
                bases.add(u)
            else:
                bases |= {f"\\mathrm{{net}}_{{{u}}}", f"\\mathrm{{out}}_{{{u}}}"}
    bases.add("\\ell")
    return bases


def unindexed(span: str, bases: set[str]) -> list[str]:
    """The per-sample symbols in a span that carry no sample superscript."""
    # The matrix views' gradient of each sample's loss is a matrix over the samples.
    span = re.sub(r"\\nabla_\{a\^\{\([^)]*\)\}\}\s*\\ell", " ", span)
    bad = []
    for base in sorted(bases, key=len, reverse=True):
        pos = 0
        while (i := span.find(base, pos)) >= 0:
            j = i + len(base)
            pos = j
            before = span[i - 1] if i else " "
            after = span[j] if j < len(span) else " "
            if before.isalpha() or before == "\\" or after.isalnum() or after == "_":
                continue  # part of a longer name
            if not SAMPLE_INDEX.match(span, j):
                bad.append(base)
            span = span[:i] + "\0" * len(base) + span[j:]
    return bad


def check_page(text: str, fmt: str, bases: set[str]) -> list[str]:
    problems = []
    displays, inline = math_spans(text, fmt)

    # (a) one value per printed left side
    values: dict[str, set[str]] = {}
    for body in displays:
        for lhs, rhs in aligned_rows(body):
            pieces = top_level_split(rhs, ("=", "\\approx"))
            value = final_value([p for p in pieces if p.strip()] or [""])
            if value is None:
                continue
            for name in top_level_split(lhs, ("=",)):
                values.setdefault(" ".join(name.split()), set()).add(value)
    problems += [f"(a) ${lhs}$ is given the values {sorted(v)}"
                 for lhs, v in values.items() if len(v) > 1]

    # (b) a sample index on every per-sample quantity (a bare list of names is no quantity).
    # The matrix and graph views speak of whole matrices, whose columns are the samples.
    scalar = re.sub(r"(## |\\subsection\*\{)(Matrix form|The computational graph).*?"
                    r"(?=\n## |\\subsection\*\{)", " ", text, flags=re.S)
    displays_b, inline_b = math_spans(scalar, fmt)
    for span in [*displays_b, *inline_b]:
        parts = [p.strip() for p in top_level_split(span, (",",))]
        if all(p in bases for p in parts):
            continue
        problems += [f"(b) ${b}$ without a sample index in ${span[:200]}$"
                     for b in unindexed(span, bases)]

    # (c) a sum over the samples is written with a sum sign
    for lhs, pieces in equations(displays, inline):
        if "^{(n)}" in lhs:
            continue  # an equation for every n, not a sum
        for piece in pieces:
            for term in top_level_split(piece, ("+", "-")):
                k = term.find("^{(n)}")
                if k >= 0 and "\\sum_{n=" not in term[:k]:
                    problems.append(f"(c) ${lhs} = \\dots {term.strip()[:160]}$ sums over the "
                                    "samples without a sum sign")
    return problems


def assert_notation(raw: dict) -> None:
    d = derive(parse_spec(raw, "notation"))
    bases = per_sample_bases(raw)
    for fmt in ("md", "tex"):
        text = render_page(d, fmt, "en", view="all", pictures=False).text
        problems = check_page(text, fmt, bases)
        assert not problems, f"{fmt}:\n" + "\n".join(dict.fromkeys(problems))


@pytest.mark.parametrize("path", MULTI, ids=lambda p: p.stem)
def test_regression_pages(path: Path):
    assert_notation(load_regression(path))


@settings(derandomize=True, deadline=None, max_examples=20, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.too_slow])
@given(networks(max_depth=3, max_width=3, min_samples=2))
def test_random_pages(raw):
    assert_notation(raw)


def test_checks_catch_each_defect():
    """Each check fails on a page that has its defect."""
    bases = {"\\delta_{h}", "\\mathrm{out}_{h}", "\\ell", "x"}  # unit h, input x
    two = "$$\n\\begin{aligned}\n{\\delta_{h}}^{(1)} &= 1 \\\\\n{\\delta_{h}}^{(1)} &= 2\n" \
          "\\end{aligned}\n$$\n"
    assert any(p.startswith("(a)") for p in check_page(two, "md", bases))
    bare = "$$\n\\begin{aligned}\n\\frac{\\partial J}{\\partial w} &= \\delta_{h} x\n" \
           "\\end{aligned}\n$$\n"
    assert any(p.startswith("(b)") for p in check_page(bare, "md", bases))
    nosum = "$J = \\frac{1}{2} {\\ell}^{(n)}$ and $\\mathrm{out}_{h}, x$"
    found = check_page(nosum, "md", bases)
    assert [p[:3] for p in found] == ["(c)"]
    ok = "$$\n\\begin{aligned}\nL &= \\sum_{n=1}^{2} {\\ell}^{(n)} \\approx 0.5 + 0.2 = 0.7\n" \
         "\\end{aligned}\n$$\n"
    assert check_page(ok, "md", bases) == []
