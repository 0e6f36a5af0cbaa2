"""Pictures: parsed as SVG, rendered to PNG by a real headless Chromium, compiled as TikZ.

Counts of shapes and highlighted edges are worked out by hand from each network.
Chromium tests are skipped only on a developer's machine without it; under CI (the CI
variable set) a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from symbp.engine.spec import load_spec, parse_spec
from symbp.figures.pictures import graph_picture, network_picture, to_svg, to_tikz
from symbp.output.pdf import compile_pdf

from conftest import EXAMPLES
from test_tex_compile import require

NS = {"s": "http://www.w3.org/2000/svg"}
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def svg_of(pic) -> ET.Element:
    return ET.fromstring(to_svg(pic))


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{{{NS['s']}}}text")]


def test_seed004_network_diagram():
    root = svg_of(network_picture(load_spec(EXAMPLES / "seed004_sigmoid_2-2-2.yaml")))
    assert len(root.findall(".//s:circle", NS)) == 6  # i1 i2 h1 h2 o1 o2
    assert len(root.findall(".//s:line", NS)) == 8  # 2 x 2 + 2 x 2 weights
    labels = texts(root)
    assert "w1 = 0.15" in labels and "w8 = 0.55" in labels
    assert "+b3 = 0.6" in labels  # each output unit's own bias under it
    width, height = float(root.get("width")), float(root.get("height"))
    for circle in root.findall(".//s:circle", NS):  # everything inside the canvas
        r = float(circle.get("r"))
        assert r <= float(circle.get("cx")) <= width - r
        assert r <= float(circle.get("cy")) <= height - r


@pytest.mark.parametrize(("parameter", "red"), [
    ("w1", 3),  # i1 -> h1, then h1 -> o1 and h1 -> o2
    ("w5", 1),  # h1 -> o1 only
    ("b1", 2),  # no edge of its own; h1 -> o1, h1 -> o2
    ("b3", 0),
])
def test_highlighted_paths(parameter, red):
    spec = load_spec(EXAMPLES / "seed004_sigmoid_2-2-2.yaml")
    root = svg_of(network_picture(spec, parameter, values=False))
    hot = [e for e in root.findall(".//s:line", NS) if "highlighted" in e.get("class")]
    assert len(hot) == red


def test_wide_layers_are_abridged():
    layer = {"units": [f"h{i}" for i in range(1, 11)], "activation": "relu",
             "weights": [["0.1", "0.2"]] * 10}
    raw = {"inputs": {"x1": 1, "x2": 2}, "targets": {"y": 1},
           "layers": [layer, {"units": ["o"], "activation": "identity",
                              "weights": [["0.1"] * 10]}],
           "loss": "half_sse", "learning_rate": "0.1"}
    pic = network_picture(parse_spec(raw, "wide"))
    assert pic.abridged
    root = svg_of(pic)
    assert len(root.findall(".//s:circle", NS)) == 2 + 4 + 1  # h1 h2 h3 ... h10
    assert "⋮" in texts(root)
    assert not any("=" in t for t in texts(root))  # no edge labels when abridged


def test_computational_graph_tells_kinds_apart():
    spec = load_spec(EXAMPLES / "relu_l2_computational_graph.yaml")
    root = svg_of(graph_picture(spec))
    kinds = [e.get("class") for e in root.iter() if e.get("class", "").startswith("node")]
    # operators: x, ReLU, x, loss, l2, +; parameters W1, W2; variables a0 z1 a1 z2 y L s J
    assert kinds.count("node operator") == 6
    assert kinds.count("node parameter") == 2
    assert kinds.count("node variable") == 8
    assert {"J", "s", "L", "ℓ2"} <= set(texts(root))


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "chromium is not installed (Debian: chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must render the SVG pictures: {message}")
        pytest.skip(message)
    return found


def screenshot(svg: str, tmp_path: Path) -> Image.Image:
    page = tmp_path / "picture.svg"
    page.write_text(svg, encoding="utf-8")
    root = ET.fromstring(svg)
    size = f"{int(float(root.get('width')))},{int(float(root.get('height')))}"
    png = tmp_path / "picture.png"
    subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                    f"--window-size={size}", f"--screenshot={png}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    return Image.open(png).convert("RGB")


@pytest.mark.parametrize("example", ["seed000_linear_2-2-1", "seed004_sigmoid_2-2-2",
                                     "../tests/regressions/sigmoid_4-5-5-3"])
def test_chromium_draws_the_network(example, tmp_path):
    spec = load_spec(EXAMPLES / f"{example}.yaml")
    image = screenshot(to_svg(network_picture(spec, "w1")), tmp_path)
    raw = image.tobytes()
    pixels = list(zip(raw[0::3], raw[1::3], raw[2::3]))
    dark = sum(1 for r, g, b in pixels if r + g + b < 200)
    red = sum(1 for r, g, b in pixels if r > 180 and g < 80 and b < 80)
    grey = sum(1 for r, g, b in pixels if abs(r - 232) < 4 and abs(g - 232) < 4 and b > 228)
    assert dark > 500  # outlines, arrows and labels were drawn
    assert red > 200  # the highlighted path of w1
    assert grey > 1000  # the two input circles' fill
    image.save(tmp_path / "network.png")


def test_tikz_compiles_with_pdflatex():
    require("pdflatex")
    spec = load_spec(EXAMPLES / "relu_l2_computational_graph.yaml")
    big = load_spec(EXAMPLES.parent / "tests" / "regressions" / "sigmoid_4-5-5-3.yaml")
    pictures = (network_picture(spec, "w1"), graph_picture(spec), network_picture(big),
                network_picture(big, "w21", values=False))
    body = "\n\n".join(to_tikz(p) for p in pictures)
    doc = ("\\documentclass{article}\n\\usepackage{graphicx}\n\\usepackage{tikz}\n"
           "\\begin{document}\n" + body + "\n\\end{document}\n")
    assert compile_pdf(doc, "pdflatex").startswith(b"%PDF")
