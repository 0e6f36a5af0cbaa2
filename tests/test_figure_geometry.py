"""Pictures stay readable: no two labels overlap, no label lies over a shape, every text
fits its shape, on every network shape up to 6 units per layer and 4 layers.

The assertions are on the Picture's geometry (the boxes both drawings fill); the box
estimates are checked against real measurements: the SVG font's advance widths (from
the font file, through Pillow) and TeX's own widths (one pdflatex run).  Which
pictures a page has, and how LaTeX floats and refers to them, is checked on the pages.
"""

from __future__ import annotations

import re
import subprocess
from itertools import combinations
from pathlib import Path
from string import ascii_letters

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import symbp
from symbp.engine.spec import load_spec, parse_spec
from symbp.figures.geometry import LABEL_PT, PT, PX, SCRIPT, Picture, text_size
from symbp.figures.layout import name_label
from symbp.figures.pictures import graph_picture, network_picture
from symbp.output.render import render_page

from conftest import EXAMPLES, ROOT
from strategies import networks
from test_tex_compile import require

REGRESSIONS = ROOT / "tests" / "regressions"


def shaped(widths: list[int]) -> dict:
    """A raw spec of this shape (inputs first), with values of unequal lengths."""
    layers, count = [], 0
    for li, width in enumerate(widths[1:]):
        rows = []
        for _ in range(width):
            # -0.0836, 0.05, -0.372...: long and short numbers side by side
            rows.append([f"{(-1) ** (count + j) * (0.05 + 0.37 * ((7 * count + j) % 11) / 11):.3g}"
                         for j in range(widths[li])])
            count += 1
        layers.append({"units": [f"h{li + 1}{k + 1}" for k in range(width)],
                       "activation": "sigmoid", "weights": rows,
                       "bias": [f"-0.{k + 1}5" for k in range(width)]})
    return {"inputs": {f"x{i + 1}": 1 for i in range(widths[0])},
            "targets": {f"y{i + 1}": 1 for i in range(widths[-1])},
            "layers": layers, "loss": "half_sse", "learning_rate": "0.1"}


def assert_readable(pic: Picture) -> None:
    texts = list(pic.texts())
    labels = [t for t in texts if t.kind in ("edge", "note")]
    for a, b in combinations(labels, 2):
        assert not a.box.intersects(b.box), f"{a.owner} {a.label} overlaps {b.owner} {b.label}"
    for t in labels:
        for s in pic.shapes:
            assert not s.meets(t.box), f"{t.owner} {t.label} lies over {s.id}"
    for t in texts:
        if t.inside is not None:
            assert t.inside.contains(t.box), f"{t.label} spills out of {t.inside.id}"
    for a, b in combinations(pic.shapes, 2):
        assert not (a.meets(b.box) and b.meets(a.box)), f"{a.id} overlaps {b.id}"
    x0, y0, x1, y1 = pic.bounds
    for t in texts:
        assert x0 <= t.box.x0 and t.box.x1 <= x1 and y0 <= t.box.y0 and t.box.y1 <= y1


shapes = st.lists(st.integers(1, 6), min_size=2, max_size=5)


@settings(derandomize=True, deadline=None, max_examples=8)
@given(shapes)
@example([6, 6, 6, 6, 6])
@example([1, 6, 1])
@example([6, 1, 6])
@example([4, 5, 5, 3])
@example([1, 1])
def test_network_labels_never_hide_each_other(widths):
    spec = parse_spec(shaped(widths), "shape")
    pic = network_picture(spec)
    assert not pic.abridged
    assert sum(a.label is not None for a in pic.arrows) == sum(
        a * b for a, b in zip(widths, widths[1:]))  # every weight labelled
    assert_readable(pic)


@pytest.mark.parametrize("name", ["classifier_3-3-2_tanh_softmax_two_samples_l2",
                                  "sigmoid_4-5-5-3"])
def test_user_networks_and_their_paths_pictures(name):
    spec = load_spec(REGRESSIONS / f"{name}.yaml")
    assert_readable(network_picture(spec))
    first = spec.layers[0].weight_names[0][0]
    assert_readable(network_picture(spec, first, values=False))
    assert_readable(graph_picture(spec))


@settings(derandomize=True, deadline=None, max_examples=12)
@given(networks())
def test_graph_texts_fit_their_shapes(raw):
    assert_readable(graph_picture(parse_spec(raw, "random")))


def test_softmax_fits_its_operator_circle():
    spec = load_spec(REGRESSIONS / "classifier_3-3-2_tanh_softmax_two_samples_l2.yaml")
    op = next(s for s in graph_picture(spec).shapes if s.label.text == "softmax")
    assert op.contains(op.text_box)


# --- the box estimates against real measurements ------------------------------------------

def sample_labels():
    spec = load_spec(REGRESSIONS / "classifier_3-3-2_tanh_softmax_two_samples_l2.yaml")
    pics = [network_picture(spec), graph_picture(spec),
            network_picture(parse_spec(shaped([6, 6, 6, 6, 6]), "wide"))]
    found = [(t.label, t.pt) for pic in pics for t in pic.texts()
             if t.kind != "shape" or t.inside]
    # every letter as a name with a subscript and a value, at the labels' size
    return found + [(name_label(f"{c}12", "-0.25"), LABEL_PT) for c in ascii_letters]


def test_text_widths_cover_the_svg_font():
    font_file = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
    if not font_file.is_file():
        pytest.skip("DejaVu Serif is not installed (Debian: fonts-dejavu-core)")
    from PIL import ImageFont
    checked = 0
    font = ImageFont.truetype(str(font_file), 1000)
    for label, pt in sample_labels():
        px = pt / PT * PX
        real = (font.getlength(label.text + label.tail) * px
                + font.getlength(label.sub + label.sup) * px * SCRIPT) / 1000
        estimate = text_size(label, pt)[0] * PX
        assert real <= estimate, f"{label}: {real:.1f}px drawn, {estimate:.1f}px kept"
        checked += 1
    assert checked > 100


def test_text_widths_cover_tex(tmp_path):
    require("pdflatex")
    labels = sample_labels()
    lines = [r"\documentclass{article}", r"\begin{document}"]
    for i, (label, pt) in enumerate(labels):
        size = f"\\fontsize{{{pt:g}}}{{{pt * 1.2:.1f}}}\\selectfont"
        lines.append(f"\\setbox0\\hbox{{{size}${label.tex}$}}\\typeout{{WIDTH {i} \\the\\wd0}}")
    lines.append(r"\end{document}")
    (tmp_path / "w.tex").write_text("\n".join(lines), encoding="utf-8")
    log = subprocess.run(["pdflatex", "-interaction=nonstopmode", "w.tex"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120).stdout
    widths = {int(i): float(w) for i, w in re.findall(r"WIDTH (\d+) ([\d.]+)pt", log)}
    assert len(widths) == len(labels), log[-2000:]
    for i, (label, pt) in enumerate(labels):
        real = widths[i] / PT  # TeX points to cm
        assert real <= text_size(label, pt)[0], f"{label.tex}: {real:.3f} cm in TeX"


def test_label_font_is_one_size_in_both_drawings():
    from symbp.figures.svg import to_svg
    from symbp.figures.tikz import to_tikz
    pic = network_picture(load_spec(EXAMPLES / "seed004_sigmoid_2-2-2.yaml"))
    assert f'font-size="{LABEL_PT / PT * PX:.1f}"' in to_svg(pic)
    assert f"\\fontsize{{{LABEL_PT:g}}}" in to_tikz(pic)


# --- which pictures a page has, and LaTeX figures ------------------------------------------

def test_one_paths_figure_per_layer_by_default():
    d = symbp.derive(load_spec(REGRESSIONS / "sigmoid_4-5-5-3.yaml"))
    # weights are numbered row by row: layer 1 has 5 x 4 = 20, layer 2 has 5 x 5 = 25
    pages = {mode: render_page(d, "md", stem="p", path_figures=mode)
             for mode in ("layer", "each", "none")}
    assert set(pages["layer"].figures.paths) == {"w1", "w21", "w46"}
    assert len(pages["each"].figures.paths) == 20 + 25 + 15 + 5 + 5 + 3
    assert pages["none"].figures.paths == {}
    for name in ("p.network.svg", "p.paths-w1.svg", "p.paths-w21.svg", "p.paths-w46.svg"):
        assert f"]({name})" in pages["layer"].text
    assert "paths-w2.svg" not in pages["layer"].text


def test_latex_figures_float_with_caption_label_and_ref():
    d = symbp.derive(load_spec(EXAMPLES / "relu_l2_computational_graph.yaml"))
    one = render_page(d, "tex", view="all", fragment=True, label_prefix="first").text
    two = render_page(d, "tex", view="all", fragment=True, label_prefix="second").text
    labels = re.findall(r"\\label\{([^}]*:fig:[^}]*)\}", one)  # equations have labels too
    assert "first:fig:network" in labels and "first:fig:graph" in labels
    assert "first:fig:paths-w1" in labels
    assert len(labels) == len(set(labels))
    assert not set(labels) & set(re.findall(r"\\label\{([^}]*)\}", two))
    assert set(re.findall(r"\\ref\{([^}]*)\}", one)) == set(labels)  # each one referred to
    assert one.count(r"\begin{figure}[htbp]") == len(labels) == one.count(r"\caption{")
    for block in re.findall(r"\\begin\{figure\}.*?\\end\{figure\}", one, re.S):
        assert r"\begin{tikzpicture}" in block and r"\caption{" in block
