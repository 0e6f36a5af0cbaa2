"""The pictures of one page, built once per render: the network, the graph, the paths.

Which parameters get a picture of their gradient's paths is :data:`PATH_FIGURES`:
``layer`` (the default) draws one per layer, for the parameter a page works in full
in that layer (:func:`layer_parameter`); ``each`` one per parameter; ``none`` none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from symbp.engine.spec import Layer, Spec
from symbp.figures.geometry import Picture
from symbp.figures.layout import graph_picture, network_picture
from symbp.figures.svg import to_svg
from symbp.figures.tikz import to_tikz
from symbp.page.display import Style

__all__ = ["PATH_FIGURES", "Figure", "Figures", "figures", "graph_picture", "label_prefix",
           "layer_parameter", "network_picture", "to_svg", "to_tikz"]

PATH_FIGURES = ("layer", "each", "none")


@dataclass
class Figure:
    """One picture of a page: TikZ for LaTeX, SVG for the web, and the file it goes to."""

    key: str  # "network", "graph", or "paths-" and a parameter's name
    picture: Picture
    file: str | None = None  # the SVG's file name beside the Markdown page
    label: str = ""  # the LaTeX \label, unique to the page: prefix:fig:key

    @property
    def tikz(self) -> str:
        return to_tikz(self.picture)

    @property
    def svg(self) -> str:
        return to_svg(self.picture, self.key)


@dataclass
class Figures:
    network: Figure
    graph: Figure | None
    paths: dict[str, Figure]  # a parameter's name -> its gradient's paths highlighted

    def all(self) -> list[Figure]:
        return [self.network, *([self.graph] if self.graph else []), *self.paths.values()]


def layer_parameter(layer: Layer) -> str:
    """The parameter worked in full in a layer, by convention: its first weight."""
    return layer.weight_names[0][0]


def label_prefix(spec: Spec, stem: str | None = None) -> str:
    """A prefix for the LaTeX labels of a page, from its file stem or its spec's file name,
    so that two pages put into one document do not define the same label."""
    name = stem or Path(spec.source).stem or "symbp"
    return re.sub(r"[^A-Za-z0-9-]+", "-", name).strip("-") or "symbp"


def figures(spec: Spec, views: tuple[str, ...], stem: str | None = None,
            style: Style | None = None, path_figures: str = "layer",
            prefix: str | None = None) -> Figures:
    """The pictures a page with these views shows; files are named ``stem.key.svg``."""
    if path_figures not in PATH_FIGURES:
        raise ValueError(f"unknown path figures {path_figures!r}; expected one of"
                         f" {', '.join(PATH_FIGURES)}")
    prefix = prefix or label_prefix(spec, stem)

    def named(key: str, pic: Picture) -> Figure:
        return Figure(key, pic, f"{stem}.{key}.svg" if stem else None, f"{prefix}:fig:{key}")

    network = named("network", network_picture(spec, style=style))
    graph = named("graph", graph_picture(spec)) if "graph" in views else None
    chosen: list[str] = []
    if "paths" in views and not network.picture.abridged:
        if path_figures == "each":
            chosen = list(spec.parameters())
        elif path_figures == "layer":
            chosen = [layer_parameter(layer) for layer in spec.layers]
    paths = {name: named(f"paths-{name}", network_picture(spec, name, values=False,
                                                           style=style))
             for name in chosen}
    return Figures(network, graph, paths)
