"""Full and compact pages.

Compact: one chain-rule derivation per layer (its first weight), a table row for every
other parameter whose printed numbers recompute, and the updates as a table; every
printed gradient agrees with mpmath central differences of the objective written out
from the spec.  Full: a local partial is derived once, numbered, and cited by number;
never listed again.  Both parse with KaTeX and compile with pdflatex and xelatex.
"""

from __future__ import annotations

import functools
import re
import subprocess
from pathlib import Path

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings
from pagecheck import blocks_of, steps_of, value_of
from test_katex import katex_errors, math_spans

from symbp import derive, parse_spec
from symbp.check.crosscheck import finite_difference_gradients
from symbp.output.render import render
from symbp.page.display import Style
from symbp.page.rows import RowBuilder

from conftest import EXAMPLES, run_cli
from strategies import networks, regression_specs
from test_tex_compile import require

SPECS = [*sorted(EXAMPLES.glob("*.yaml")), *regression_specs()]
SMALL = [EXAMPLES / "seed004_sigmoid_2-2-2.yaml",
         *(p for p in regression_specs() if "classifier" in p.name)]


@functools.cache
def derived(spec: Path):
    return derive(spec)
TABLE_ROW = re.compile(r"^\| (.*) \|\s*$", re.M)


# --- reading a page back ----------------------------------------------------------------

def tex_names(d) -> dict[str, str]:
    """Each parameter's printed name -> its spec name."""
    b = RowBuilder(d, Style())
    return {b.tex(d.network[n].symbol): n for n in d.params}


def sections(markdown: str) -> list[tuple[str, str]]:
    """(heading, text up to the next heading) for every ## and ### heading."""
    parts = re.split(r"^#{2,3} (.*)$", markdown, flags=re.M)
    return list(zip(parts[1::2], parts[2::2]))


def table_rows(text: str) -> list[list[str]]:
    """The cells of a Markdown table's body rows, without their $ signs."""
    rows = []
    for line in TABLE_ROW.findall(text):
        cells = [c.strip() for c in line.split(" | ")]
        if set("".join(cells)) <= set("-|") or not cells[0].startswith("$"):
            continue  # the header's rule, or the header
        rows.append([c.strip("$").strip() for c in cells])
    return rows


def relation_and_value(cell: str) -> tuple[str, sp.Expr]:
    m = re.match(r"^(=|\\approx)\s+(.*)$", cell)
    assert m, cell
    return m.group(1), value_of(m.group(2))


def magnitude(text: str) -> sp.Expr:
    """The sum of the sizes of a printed sum's terms (split outside brackets): rounded
    inputs are off by a part of that, however much the terms cancel."""
    terms, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and text[i:i + 3] in (" + ", " - "):
            terms.append(text[start:i])
            start = i + 3
    terms.append(text[start:])
    return sum((abs(value_of(t)) for t in terms), sp.Integer(0))


def holds(relation: str, computed, printed, size: sp.Expr = sp.S.Zero) -> bool:
    """The page rule: = only when exact; approx within the printed precision of the inputs
    (``size``: the magnitude of the printed terms)."""
    if relation == "=":
        return computed == printed
    scale = max(abs(float(computed)), abs(float(printed)), float(size), 1e-300)
    return abs(float(computed) - float(printed)) <= 5e-3 * scale


def agrees(relation: str, printed: sp.Expr, truth: mpmath.mpf, digits: int = 4,
           exact: bool = True, scale: sp.Expr = sp.S.Zero) -> bool:
    """A printed value against the independent one.  ``exact``: every step before it said =
    (then = means exactly the truth); where rounded numbers came before, a printed = holds
    for their arithmetic, which is near the truth; approx: the truth rounded to ``digits``.
    """
    printed = mpmath.mpf(sp.Rational(printed).p) / sp.Rational(printed).q
    if relation == "=" and exact:
        return abs(printed - truth) <= mpmath.mpf("1e-30") * max(1, abs(truth))
    if relation == "=":
        size = max(abs(truth), mpmath.mpf(abs(float(scale))))
        return abs(printed - truth) <= mpmath.mpf("5e-3") * size
    if truth == 0:
        return printed == 0
    half_unit = mpmath.mpf(10) ** (mpmath.floor(mpmath.log10(abs(truth))) - digits + 1) / 2
    return abs(printed - truth) <= half_unit * (1 + mpmath.mpf("1e-9"))


def compact_page(d, lang: str = "en") -> str:
    return render(d, "md", lang=lang, detail="compact", pictures=False)


def check_compact(d) -> None:
    """Everything a compact page must be, checked against central differences."""
    spec = d.spec
    page = compact_page(d)
    names = tex_names(d)
    b = RowBuilder(d, Style())
    fd = finite_difference_gradients(spec)
    kink = bool(fd.kinks)  # a ReLU exactly at 0: the differences straddle the kink
    parts = sections(page)

    # one chain-rule derivation per layer: its first weight, output layer first
    worked = [h.removeprefix("The gradient of $").removesuffix("$") for h, _ in parts
              if h.startswith("The gradient of")]
    expected = [b.tex(d.network[layer.weight_names[0][0]].symbol)
                for layer in reversed(spec.layers)]
    assert worked == expected
    chains = [m.group(1) for blk in blocks_of(page)
              if (m := re.match(r"\\frac\{\\partial [^}]*\}\{\\partial (.*?)\} &=", blk))]
    assert sorted(p for p in chains if p in names) == sorted(expected)

    # each worked gradient ends on its value, which agrees with the differences
    with mpmath.workdps(60):
        for heading, text in parts:
            if not heading.startswith("The gradient of"):
                continue
            param = names[heading.removeprefix("The gradient of $").removesuffix("$")]
            (block,) = blocks_of(text)
            row = steps_of(block)[-1]  # lhs, the numbers, the value
            (relation, value), numbers = row[-1], value_of(row[-2][1])
            exact = all(r == "=" for r, _ in row[1:])
            scale = magnitude(row[-2][1])
            assert holds(relation, numbers, value_of(value), scale), (param, row)
            if not kink:
                assert agrees(relation, value_of(value), fd.gradients[param], exact=exact,
                              scale=scale), (param, row)

        # a table row for every other parameter; its numbers recompute to its gradient
        table = {}
        for heading, text in parts:
            if heading.startswith("The other parameters of layer"):
                for cells in table_rows(text):
                    assert cells[0] not in table, cells
                    table[cells[0]] = cells
        assert set(table) == set(names) - set(expected)
        for tex, (_, formula, numbers, gradient) in table.items():
            assert "\\delta" in formula, formula  # error term x input
            relation, printed = relation_and_value(gradient)
            if numbers:
                step, arithmetic = relation_and_value(numbers)
                scale = magnitude(numbers.split(" ", 1)[1])
                assert holds(relation, arithmetic, printed, scale), (tex, numbers, gradient)
                exact = step == "="
            else:
                exact, scale = True, sp.Integer(0)
            if not kink:
                assert agrees(relation, printed, fd.gradients[names[tex]], exact=exact,
                              scale=scale), (tex, gradient)

        # the error terms as a table, whose numbers recompute
        (errors,) = [t for h, t in parts if h == "Error terms"]
        rows = table_rows(errors)
        assert len(rows) >= sum(len(layer.units) for layer in spec.layers)
        for delta, _, numbers, value in rows:
            relation, printed = relation_and_value(value)
            if not numbers:  # the value follows from the error terms' formula directly
                continue
            _, arithmetic = relation_and_value(numbers)
            assert holds(relation, arithmetic, printed, magnitude(numbers.split(" ", 1)[1])), \
                (delta, numbers, value)

        # the updates as a table: value - eta x gradient, as printed, and as it truly is
        (update,) = [t for h, t in parts if h == "Gradient-descent update"]
        rows = table_rows(update) or update_matrix_cells(d, update)
        assert [r[0] for r in rows] == list(names)
        eta = sp.Rational(str(spec.learning_rate))
        for tex, before, gradient, after in rows:
            name = names[tex]
            w = value_of(before.removeprefix("\\approx").strip())
            g = value_of(gradient.removeprefix("\\approx").strip())
            frozen = name in spec.frozen
            cell = re.sub(r"\\quad \\text\{.*\}$", "", after).strip()
            relation, printed = relation_and_value(cell)
            assert holds(relation, w if frozen else w - eta * g, printed,
                         abs(w) + abs(eta * g)), (tex, after)
            if not kink:
                truth = mpmath.mpf(str(sp.Float(d.params[name], 60)))
                if not frozen:
                    truth -= mpmath.mpf(str(sp.Float(eta, 60))) * fd.gradients[name]
                exact = not (before + gradient).count("\\approx")
                assert agrees(relation, printed, truth, exact=exact,
                              scale=abs(w) + abs(eta * g)), (tex, after)

    # the loss after the step, in one line
    assert re.search(r"^The loss (falls|does not fall)", page, re.M)
    assert "The forward pass again" not in page


def update_matrix_cells(d, update: str) -> list[tuple[str, str, str, str]]:
    """The updates printed as one matrix equation per layer (W^(l)+ = W^(l) - eta dJ/dW^(l)
    = before - eta gradients = after), cut into the cells of the update table: (parameter,
    before, gradient, relation and value after), entry by entry in the order of the spec."""
    b = RowBuilder(d, Style())
    by_lhs = {}
    for number, layer in enumerate(d.spec.layers, 1):
        by_lhs[f"W^{{({number})+}}"] = [w for row in layer.weight_names for w in row]
        by_lhs[f"\\left(b^{{({number})+}}\\right)^{{\\mathsf{{T}}}}"] = list(layer.bias_names)
    cells = {}
    (block,) = blocks_of(update)
    for (_, lhs), (_, symbolic), (relation, numbers), (result_relation, result) in \
            steps_of(block):
        assert "\\eta" in symbolic, symbolic
        names = by_lhs[lhs]
        before_minus, grads = numbers.split(f" - {b.tex(b.show(d.spec.learning_rate).shown)} ")
        before, grads, after = value_of(before_minus), value_of(grads), value_of(result)
        assert before.shape == grads.shape == after.shape and len(before) == len(names), lhs
        exact_inputs = relation == "="
        for name, w, g, a in zip(names, before, grads, after):
            # the table's checks below redo each entry: the printed arithmetic gives the
            # printed result as the relation says, and the truth
            cells[name] = (b.tex(d.network[name].symbol), sp.latex(w),
                           ("" if exact_inputs else "\\approx ") + sp.latex(g),
                           f"{result_relation} {sp.latex(a)}")
    return [cells[n] for n in d.params]


def cited(markdown: str) -> tuple[list[int], list[int]]:
    """(the equation numbers tagged, the numbers cited in the prose) of a Markdown page."""
    tags = [int(n) for n in re.findall(r"\\tag\{(\d+)\}", markdown)]
    prose = re.sub(r"\$\$.*?\$\$", "", markdown, flags=re.S)
    refs = [int(n) for n in re.findall(r"\((\d+)\)", re.sub(r"\$[^$]*\$", "", prose))]
    return tags, refs


def relisted(d, markdown: str) -> list[str]:
    """Local partials printed as a row of their own more than once, or without a number
    (a gradient's own rows, objective over parameter, are the chain and its numbers)."""
    b = RowBuilder(d, Style())
    gradients = {b.tex(b.partial(d.network.objective, d.network[n])) for n in d.params}
    seen, bad = set(), []
    for block in blocks_of(markdown):
        rows: list[str] = []
        for line in block.split("\\\\\n"):  # a row's continuation lines start with &
            if line.strip().startswith("&") and rows:
                rows[-1] += " " + line
            else:
                rows.append(line)
        for line in rows:
            m = re.match(r"^(\\frac\{\\partial .*?\}\{\\partial .*?\}) &", line.strip())
            if not m or m.group(1) in gradients:
                continue
            if "\\tag{" not in line:
                bad.append(f"unnumbered: {m.group(1)}")
            elif m.group(1) in seen:
                bad.append(f"again: {m.group(1)}")
            seen.add(m.group(1))
    return bad


# --- compact pages -----------------------------------------------------------------------

@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_compact_page_of_every_example_and_regression(spec):
    check_compact(derived(spec))


@settings(derandomize=True, deadline=None, max_examples=5)
@given(networks(max_depth=3, max_width=4))
def test_compact_pages_of_random_networks(raw):
    check_compact(derive(parse_spec(raw, "random")))


def test_compact_seed004_by_hand():
    """Seed 004: w5 and w1 worked; w6 = delta_o1 out_h2 with delta_o1 = 0.7414 x 0.1868."""
    page = compact_page(derive(EXAMPLES / "seed004_sigmoid_2-2-2.yaml"))
    assert "### The gradient of $w_{5}$" in page and "### The gradient of $w_{1}$" in page
    assert "### The gradient of $w_{6}$" not in page
    assert (r"| $w_{6}$ | $\delta_{o_{1}} \mathrm{out}_{h_{2}}$ | $\approx 0.1385 \times 0.5969$"
            r" | $\approx 0.08267$ |") in page
    assert r"| $w_{7}$ | $0.5$ | $\approx -0.02260$ | $= 0.5113$ |" in page  # 0.5 + 0.5 x 0.0226


# --- full pages --------------------------------------------------------------------------

@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_full_page_derives_each_partial_once_and_cites_it(spec):
    d = derived(spec)
    for lang in ("en", "zh"):
        page = render(d, "md", lang=lang, pictures=False, view="paths,deltas")
        assert relisted(d, page) == []
        assert "Partials derived above" not in page
        tags, refs = cited(page)
        assert tags == list(range(1, len(tags) + 1))  # numbered in page order, once each
        assert set(refs) <= set(tags)
        tex = render(d, "tex", lang=lang, pictures=False, view="paths,deltas")
        labels = re.findall(r"\\label\{([^}]*)\}", tex)
        assert len(labels) == len(set(labels)) == len(tags)
        assert set(re.findall(r"\\eqref\{([^}]*)\}", tex)) <= set(labels)


def test_seed004_full_w6_cites_w5s_partials():
    page = render(derive(EXAMPLES / "seed004_sigmoid_2-2-2.yaml"), "md", pictures=False)
    (w6,) = [t for h, t in sections(page) if h == "The gradient of $w_{6}$"]
    assert "with the local partials (1), (2) and (4):" in w6
    (block,) = blocks_of(w6)
    assert block.count("\\tag") == 1  # only d net_o1 / d w6 is new
    assert r"\frac{\partial E}{\partial \mathrm{out}_{o_{1}}} &" not in block


# --- every format and language -----------------------------------------------------------

def test_katex_parses_full_and_compact_pages():
    spans = []
    for spec in SMALL:
        d = derived(spec)
        for lang in ("en", "zh"):
            for detail in ("full", "compact"):
                spans += math_spans(render(d, "md", lang=lang, detail=detail, pictures=False,
                                           view="paths,deltas"))
    assert any("\\tag{" in tex for tex, _ in spans)
    assert katex_errors(spans) == []


def _compile(document: str, engine: str, tmp: Path) -> str:
    """Two runs (references settle); the log."""
    (tmp / "doc.tex").write_text(document, encoding="utf-8")
    for _ in range(2):
        result = subprocess.run([engine, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                                cwd=tmp, capture_output=True, text=True, errors="replace",
                                timeout=600)
        log = (tmp / "doc.log").read_text(errors="replace")
        assert result.returncode == 0, "\n".join(
            line for line in log.splitlines() if line.startswith("!"))
    return log


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_fragments_of_many_pages_compile_in_one_document(lang, tmp_path):
    """Every example and regression, compact and full, as fragments of one set of notes:
    it compiles, and no label is defined twice nor any reference left undefined."""
    engine = "xelatex" if lang == "zh" else "pdflatex"
    require(engine)
    body = []
    for spec in SPECS:
        d = derived(spec)
        for detail in ("compact", "full") if spec in SMALL else ("compact",):
            body.append(render(d, "tex", lang=lang, fragment=True, pictures=False,
                               detail=detail, view="paths,deltas",
                               label_prefix=f"{spec.stem}-{detail}".replace("_", "-")))
    cls = "\\documentclass[fontset=fandol]{ctexart}" if lang == "zh" else \
        "\\documentclass{article}"
    document = (f"{cls}\n\\usepackage{{amsmath,amssymb,longtable}}\n\\allowdisplaybreaks\n"
                "\\begin{document}\n" + "\n".join(body) + "\\end{document}\n")
    log = _compile(document, engine, tmp_path)
    assert "multiply defined" not in log
    assert "undefined" not in log.lower().replace("undefined control", "")


def test_default_label_prefixes_differ_between_specs():
    a = render(derive(EXAMPLES / "seed004_sigmoid_2-2-2.yaml"), "tex", fragment=True,
               pictures=False)
    b = render(derive(EXAMPLES / "classic_sigmoid_2-2-2_shared_bias.yaml"), "tex",
               fragment=True, pictures=False)
    la, lb = (set(re.findall(r"\\label\{([^}]*)\}", t)) for t in (a, b))
    assert la and lb and not la & lb


def test_cli_detail_option():
    spec = str(EXAMPLES / "seed004_sigmoid_2-2-2.yaml")
    compact = run_cli("derive", spec, "--detail", "compact")
    full = run_cli("derive", spec)
    assert compact.returncode == 0 and full.returncode == 0, compact.stderr
    assert compact.stdout.count("### The gradient of") == 2
    assert full.stdout.count("### The gradient of") == 12
    bad = run_cli("derive", spec, "--detail", "short")
    assert bad.returncode == 2 and "--detail" in bad.stderr


def test_derivation_to_markdown_takes_detail():
    d = derive(EXAMPLES / "seed004_sigmoid_2-2-2.yaml")
    assert d.to_markdown(detail="compact").count("### The gradient of") == 2
    with pytest.raises(ValueError, match="detail"):
        d.to_markdown(detail="short")



def test_long_latex_tables_are_cut_to_fit_a_page():
    """A tabular cannot break across pages: 4-5-5-3's compact gradients come in longtables,
    which do, and every tabular fits a page."""
    d = derived([p for p in regression_specs() if "4-5-5-3" in p.name][0])
    for detail in ("full", "compact"):
        tex = render(d, "tex", detail=detail, pictures=False)
        tables = re.findall(r"\\begin\{tabular\}(.*?)\\end\{tabular\}", tex, re.S)
        assert tables
        assert max(t.count("\\\\") for t in tables) <= 41  # header and 40 rows
    tex = render(d, "tex", detail="compact", pictures=False)
    longs = re.findall(r"\\begin\{longtable\}(.*?)\\end\{longtable\}", tex, re.S)
    assert max(t.count("\\\\") for t in longs) > 20  # layer 2: 29 gradients in one table
    assert all("\\endhead" in t for t in longs)  # its header on every page
