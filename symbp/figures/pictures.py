"""The pictures of one page, built once per render: the network, the graph, the paths.
"""

from __future__ import annotations

from dataclasses import dataclass

from symbp.engine.spec import Spec
from symbp.figures.geometry import Picture
from symbp.figures.layout import graph_picture, network_picture
from symbp.figures.svg import to_svg
from symbp.figures.tikz import to_tikz
from symbp.page.display import Style


@dataclass
class Figure:
    """One picture of a page: TikZ for LaTeX, SVG for the web, and the file it goes to."""

    key: str  # "network", "graph", or a parameter's name
    picture: Picture
    file: str | None = None  # the SVG's file name beside the Markdown page

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


def figures(spec: Spec, views: tuple[str, ...], stem: str | None = None,
            style: Style | None = None) -> Figures:
    """The pictures a page with these views shows; files are named ``stem.key.svg``."""
    def named(key: str, pic: Picture) -> Figure:
        return Figure(key, pic, f"{stem}.{key}.svg" if stem else None)

    network = named("network", network_picture(spec, style=style))
    graph = named("graph", graph_picture(spec)) if "graph" in views else None
    paths = {}
    if "paths" in views and not network.picture.abridged:
        for name in spec.parameters():
            paths[name] = named(f"paths-{name}", network_picture(spec, name, values=False))
    return Figures(network, graph, paths)
