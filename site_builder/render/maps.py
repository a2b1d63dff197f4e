"""A schematic map of places in and around Amsterdam, drawn at build time as inline SVG.

Pure and deterministic: places in, markup out, with every coordinate rounded to one
decimal so the same places give the same bytes. Latitude and longitude are projected
equirectangularly, longitude scaled by the cosine of the map's middle latitude, which
over a city is as good as any projection. Two shapes orient the reader: the IJ and the
A10 ring road, each through a dozen points or fewer: approximate, and the caption says so.

The text is never scaled apart from the map: the ``viewBox`` makes the whole drawing
as wide as its figure, and the label size (``LABEL_SIZE``, in the map's units) is chosen
so that labels stay legible on a 360 px phone. Each label is written on the side of its
marker that the page names, wrapped at spaces into lines of at most ``LINE_CHARACTERS``;
the ``viewBox`` grows to hold the labels, as far as their width can be told without the
font (``CHARACTER_WIDTH``).

The SVG is an image to assistive technology (``role="img"``, ``<title>`` and ``<desc>``
naming every place). Every text is escaped; geometry is in presentation attributes and
colours come from classes in the site's stylesheet, never from a ``style`` attribute,
which the site's Content-Security-Policy (``style-src 'self'``) would block.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from markupsafe import Markup, escape

MAP_WIDTH = 440  # the map's own width in its units, labels outside it widen the viewBox
MARGIN = 12  # around the places and shapes, and around the labels
LABEL_SIZE = 22  # font size in the map's units
REFERENCE_SIZE = 16  # the IJ's and the A10's names
LINE_HEIGHT = 1.2  # in em
LINE_CHARACTERS = 16  # a longer label is wrapped at spaces
CHARACTER_WIDTH = 0.6  # an average character's width in em: generous for the site's sans-serif
MARKER_RADIUS = 6
LABEL_GAP = 10  # between a marker and its label

# (latitude, longitude) in WGS84, rounded to about 100 m: schematic, not surveyed.
IJ = (  # from west of the Coentunnel to east of the Zeeburgertunnel
    (52.404, 4.850),
    (52.399, 4.870),
    (52.394, 4.884),
    (52.385, 4.899),
    (52.381, 4.912),
    (52.379, 4.930),
    (52.381, 4.950),
    (52.383, 4.965),
)
A10 = (  # clockwise from Coenplein, north of the Coentunnel
    (52.410, 4.874),
    (52.404, 4.905),
    (52.395, 4.935),
    (52.382, 4.958),
    (52.366, 4.963),
    (52.352, 4.943),
    (52.339, 4.917),
    (52.338, 4.889),
    (52.339, 4.873),
    (52.339, 4.835),
    (52.358, 4.834),
    (52.389, 4.838),
    (52.401, 4.852),
)
IJ_LABEL = (52.379, 4.922)  # below the band, east of Centraal Station
A10_LABEL = (52.404, 4.905)  # above the ring's northern stretch


class MapPlace(Protocol):
    """What the map needs of a place (``content.frontmatter.Place`` has it)."""

    @property
    def label(self) -> str: ...
    @property
    def kind(self) -> str | None: ...
    @property
    def lat(self) -> float: ...
    @property
    def lon(self) -> float: ...
    @property
    def side(self) -> str: ...


def place_map(map_id: str, title: str, caption: str, places: Sequence[MapPlace]) -> Markup:
    """A ``<figure>`` with the map of ``places`` and ``caption`` below it.

    ``map_id`` must be unique on the page: the title and description take their ids from it.
    """
    if not places:
        raise ValueError("a map needs at least one place")
    project = _projection([(p.lat, p.lon) for p in places] + list(A10) + list(IJ))
    title_id, desc_id = f"{map_id}-title", f"{map_id}-desc"
    water = f'<path class="map-water" d="{_path(IJ, project)}" fill="none" stroke-width="9" stroke-linecap="round"/>'
    road = f'<path class="map-road" d="{_path(A10, project)}Z" fill="none" stroke-width="3"/>'
    shapes = [water, road]
    boxes = [(x, y, x, y) for x, y in (project(lat, lon) for lat, lon in (*A10, *IJ))]
    for name, at, side in (("IJ", IJ_LABEL, "below"), ("A10", A10_LABEL, "above")):
        x, y = project(*at)
        shapes.append(_label([name], x, y, side, "map-reference", REFERENCE_SIZE))
        boxes.append(_label_box([name], x, y, side, REFERENCE_SIZE))
    for place in places:
        x, y = project(place.lat, place.lon)
        lines = wrap(place.label)
        shapes.append(
            f'<g class="map-place"><circle class="map-marker" cx="{_n(x)}" cy="{_n(y)}" r="{MARKER_RADIUS}"/>'
            + _label(lines, x, y, place.side, "map-label", LABEL_SIZE)
            + "</g>"
        )
        boxes.append(_label_box(lines, x, y, place.side, LABEL_SIZE))
    left = min(box[0] for box in boxes) - MARGIN
    top = min(box[1] for box in boxes) - MARGIN
    right = max(box[2] for box in boxes) + MARGIN
    bottom = max(box[3] for box in boxes) + MARGIN
    view_box = f"{_n(left)} {_n(top)} {_n(right - left)} {_n(bottom - top)}"
    # Not in the search index: the page's text names every place, and the map's own words
    # (the IJ, the A10) would only answer searches that are about something else.
    return Markup(
        f'<figure class="map-figure" data-pagefind-ignore="all">'
        f'<svg class="place-map" id="{escape(map_id)}" role="img" viewBox="{view_box}" width="100%" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(title_id)}">{escape(title)}</title>'
        f'<desc id="{escape(desc_id)}">{escape(describe(places))}</desc>'
        f'<rect class="map-land" x="{_n(left)}" y="{_n(top)}" width="{_n(right - left)}" '
        f'height="{_n(bottom - top)}"/>' + "".join(shapes) + "</svg>"
        f"<figcaption>{escape(caption)}</figcaption>"
        "</figure>"
    )


def describe(places: Sequence[MapPlace], separator: str = "; ") -> str:
    """``Amsterdam Science Park (innovation location); Schiphol``: every place in words."""
    return separator.join(f"{p.label} ({p.kind})" if p.kind else p.label for p in places)


def wrap(label: str) -> list[str]:
    """``label`` in lines of at most ``LINE_CHARACTERS``, broken at spaces only."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= LINE_CHARACTERS:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _projection(points: list[tuple[float, float]]):
    """The function from (latitude, longitude) to the map's (x, y), fitting ``points`` into
    ``MAP_WIDTH`` (north up)."""
    north = max(lat for lat, _ in points)
    south = min(lat for lat, _ in points)
    west = min(lon for _, lon in points)
    east = max(lon for _, lon in points)
    squeeze = math.cos(math.radians((north + south) / 2))
    span = max((east - west) * squeeze, north - south, 1e-6)
    scale = MAP_WIDTH / span

    def project(lat: float, lon: float) -> tuple[float, float]:
        return round((lon - west) * squeeze * scale, 1), round((north - lat) * scale, 1)

    return project


def _path(points, project) -> str:
    return "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in (project(lat, lon) for lat, lon in points))


def _label(lines: list[str], x: float, y: float, side: str, css_class: str, size: int) -> str:
    """A ``<text>`` of ``lines`` beside the point (x, y), one ``<tspan>`` a line; line offsets in
    em, so they follow the font size."""
    anchor = {"right": "start", "left": "end"}.get(side, "middle")
    tx = x + LABEL_GAP if side == "right" else x - LABEL_GAP if side == "left" else x
    if side == "above":
        ty, first = y - LABEL_GAP, -(len(lines) - 1) * LINE_HEIGHT
    elif side == "below":
        ty, first = y + LABEL_GAP, 0.8
    else:  # the lines centred on the marker
        ty, first = y, 0.35 - (len(lines) - 1) * LINE_HEIGHT / 2
    spans = "".join(
        f'<tspan x="{_n(tx)}" dy="{_n(first if index == 0 else LINE_HEIGHT)}em">{escape(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    return (
        f'<text class="{css_class}" x="{_n(tx)}" y="{_n(ty)}" font-size="{size}" '
        f'text-anchor="{anchor}">{spans}</text>'
    )


def _label_box(
    lines: list[str], x: float, y: float, side: str, size: int
) -> tuple[float, float, float, float]:
    """The box (left, top, right, bottom) the label of ``lines`` at (x, y) takes at most."""
    width = max(len(line) for line in lines) * CHARACTER_WIDTH * size
    height = len(lines) * LINE_HEIGHT * size
    if side == "right":
        return x - MARKER_RADIUS, y - height / 2, x + LABEL_GAP + width, y + height / 2
    if side == "left":
        return x - LABEL_GAP - width, y - height / 2, x + MARKER_RADIUS, y + height / 2
    if side == "above":
        return x - width / 2, y - LABEL_GAP - height, x + width / 2, y + MARKER_RADIUS
    return x - width / 2, y - MARKER_RADIUS, x + width / 2, y + LABEL_GAP + height


def _n(value: float) -> str:
    """A coordinate with at most one decimal: ``12``, ``12.5``, ``-0.4``; never ``-0``."""
    text = f"{round(value, 1):.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
