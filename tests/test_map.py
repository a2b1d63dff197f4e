"""The map of a page's places: drawn at build time as accessible inline SVG, on the Places and
players page in both languages; text from content escaped; no ``style`` attribute; a mistake in
``places:`` named by file and line; the same bytes every time."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import REPO, make_mini_site, read_tree, serving, write_tree

from site_builder import pipeline
from site_builder.content.frontmatter import Place, parse
from site_builder.render.maps import LABEL_SIZE, place_map, wrap

SVG = "{http://www.w3.org/2000/svg}"
PAGES = {"en": "places-and-players", "nl": "plekken-en-spelers"}
CAPTIONS = {
    "en": "Schematic map; positions approximate. The IJ and the A10 ring road are drawn for orientation.",
    "nl": "Schematische kaart; posities bij benadering. Het IJ en de ringweg A10 zijn getekend ter oriëntatie.",
}
TITLES = {"en": "Places in and around Amsterdam", "nl": "Plekken in en rond Amsterdam"}


class _Map(HTMLParser):
    """What a built page's map holds, read the way a browser reads HTML (the minified page's
    attributes are unquoted, ``viewBox`` lower-cased, which the HTML parser puts right)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.figures = 0
        self.svg: dict[str, str] = {}
        self.ids: dict[str, str] = {}  # id → tag
        self.styled: list[str] = []
        self.markers = 0
        self.labels: list[str] = []
        self.title = self.desc = self.caption = ""
        self._in: list[str] = []
        self._label: list[str] | None = None
        self._in_figure = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "figure" and attrs.get("class") == "map-figure":
            self.figures += 1
            self._in_figure = True
        if not self._in_figure:
            return
        if "style" in attrs or tag == "style":
            self.styled.append(tag)
        if "id" in attrs:
            self.ids[attrs["id"]] = tag
        if tag == "svg":
            self.svg = attrs
        elif tag == "circle" and attrs.get("class") == "map-marker":
            self.markers += 1
        elif tag == "text" and attrs.get("class") == "map-label":
            self._label = []
        self._in.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if not self._in_figure:
            return
        if tag == "figure":
            self._in_figure = False
            return
        if tag == "text" and self._label is not None:
            self.labels.append(" ".join(self._label))
            self._label = None
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data):
        if not self._in_figure or not self._in:
            return
        where = self._in[-1]
        if where == "tspan" and self._label is not None:
            self._label.append(data)
        elif where == "title":
            self.title += data
        elif where == "desc":
            self.desc += data
        elif where == "figcaption":
            self.caption += data


@pytest.fixture(scope="module")
def real_build(tmp_path_factory) -> Path:
    """The real site, built once for this module (warnings of other pages do not matter here)."""
    out = tmp_path_factory.mktemp("map-real") / "build"
    pipeline.build(REPO, out)
    return out


def _text(lang: str) -> str:
    return (REPO / "content" / lang / "places-and-players.md").read_text("utf-8")


def _places(lang: str) -> tuple[Place, ...]:
    return parse(_text(lang), f"content/{lang}/places-and-players.md", "page").front.places


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_places_page_has_the_map_in_its_language(real_build, lang):
    html = (real_build / lang / PAGES[lang] / "index.html").read_text("utf-8")
    found = _Map(html)
    places = _places(lang)
    assert len(places) >= 4
    assert found.figures == 1
    assert found.markers == len(places)
    assert found.labels == [p.label for p in places]
    assert found.caption == CAPTIONS[lang]
    assert found.title == TITLES[lang]
    # the description names every place with its kind, in the page's language
    assert found.desc == "; ".join(f"{p.label} ({p.kind})" for p in places)
    kind = {"en": "(innovation location, Zuidoost)", "nl": "(innovatielocatie, Zuidoost)"}[lang]
    assert kind in found.desc
    # the accessible name: the SVG is an image labelled by its own title and description
    assert found.svg["role"] == "img"
    title_id, desc_id = found.svg["aria-labelledby"].split()
    assert (found.ids[title_id], found.ids[desc_id]) == ("title", "desc")
    assert found.svg["width"] == "100%" and "viewbox" in found.svg
    assert found.styled == []


def test_no_other_page_has_a_map(real_build):
    with_map = sorted(
        path.relative_to(real_build).as_posix()
        for path in real_build.rglob("*.html")
        if "map-figure" in path.read_text("utf-8")
    )
    assert with_map == [f"{lang}/{slug}/index.html" for lang, slug in sorted(PAGES.items())]


def test_the_map_is_an_accessible_image_with_a_marker_and_label_per_place():
    places = (
        Place("a", "Amsterdam Science Park", 52.35, 4.96, 1, "innovation location", "left"),
        Place("b", "Schiphol", 52.31, 4.76, 2),
    )
    figure = ET.fromstring(str(place_map("m", "Places", "Schematic map", places)))
    svg = figure.find(f"{SVG}svg")
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "m-title m-desc"
    assert svg.find(f"{SVG}title").get("id") == "m-title"
    assert svg.find(f"{SVG}desc").text == "Amsterdam Science Park (innovation location); Schiphol"
    assert figure.find("figcaption").text == "Schematic map"
    markers = [c for c in svg.iter(f"{SVG}circle") if c.get("class") == "map-marker"]
    labels = [t for t in svg.iter(f"{SVG}text") if t.get("class") == "map-label"]
    assert len(markers) == len(labels) == 2
    assert [[s.text for s in label] for label in labels] == [["Amsterdam", "Science Park"], ["Schiphol"]]
    # left: the label ends before its marker; right (the default): it starts after it
    assert labels[0].get("text-anchor") == "end"
    assert float(labels[0].get("x")) < float(markers[0].get("cx"))
    assert labels[1].get("text-anchor") == "start"
    assert float(labels[1].get("x")) > float(markers[1].get("cx"))
    # west is left and north is up
    assert float(markers[1].get("cx")) < float(markers[0].get("cx"))
    assert float(markers[1].get("cy")) > float(markers[0].get("cy"))
    assert not [e.tag for e in figure.iter() if "style" in e.attrib or e.tag.endswith("style")]


def test_long_labels_wrap_at_spaces():
    assert wrap("Antoni van Leeuwenhoek/NKI") == ["Antoni van", "Leeuwenhoek/NKI"]
    assert wrap("RAI") == ["RAI"]
    assert wrap("Averyveryverylongsingleword here") == ["Averyveryverylongsingleword", "here"]


def test_text_from_content_is_escaped():
    places = (Place("x", '<script>alert("x")</script> & Co', 52.3, 4.9, 1, "R&D <b>"),)
    markup = str(place_map('m" onload="x', "</svg><b>", "a < b & c", places))
    assert "<script>" not in markup and "<b>" not in markup and 'onload="x"' not in markup
    figure = ET.fromstring(markup)
    label = next(t for t in figure.iter(f"{SVG}text") if t.get("class") == "map-label")
    assert " ".join(s.text for s in label) == '<script>alert("x")</script> & Co'
    assert figure.find(f"{SVG}svg/{SVG}desc").text == '<script>alert("x")</script> & Co (R&D <b>)'
    assert figure.find("figcaption").text == "a < b & c"


def test_coordinates_have_one_decimal_at_most_and_the_same_places_the_same_bytes():
    places = (
        Place("a", "A", 52.123456789, 4.987654321, 1, side="above"),
        Place("b", "B", 52.3 + 1e-12, 4.1 / 3, 2, side="below"),
        Place("c", "C", 52.2, 4.9, 3, side="left"),
    )
    markup = str(place_map("m", "t", "c", places))
    assert markup == str(place_map("m", "t", "c", places))
    numbers = re.findall(r'(?<![\w-])(?:x|y|cx|cy|width|height)="([^"]*)"', markup)
    numbers += re.findall(r'viewBox="([^"]*)"', markup)[0].split()
    numbers += re.findall(r"-?\d+(?:\.\d+)?", " ".join(re.findall(r' d="([^"]*)"', markup)))
    assert numbers and all(re.fullmatch(r"-?\d+(\.\d)?|100%", n) for n in numbers), numbers


def test_labels_and_kinds_are_words_to_translate_and_coordinates_are_not():
    from site_builder.site.segments import page_text

    units = {unit.id: unit.text for unit in page_text(_text("nl")).units}
    assert units["places/amc/label"] == "AMC Medical Business Park"
    assert units["places/amc/kind"] == "innovatielocatie, Zuidoost"
    assert not [
        name for name in units if name.startswith("places/") and name.endswith(("/lat", "/lon", "/side"))
    ]


def test_both_languages_put_each_place_in_the_same_spot():
    where = {lang: [(p.id, p.lat, p.lon, p.side) for p in _places(lang)] for lang in PAGES}
    assert where["en"] == where["nl"]


# --- in a build ------------------------------------------------------------------------------

HOSTILE = '"<script>alert(1)</script> & Co"'


def _page_with_places(places: str) -> dict[str, str]:
    return {
        "content/en/about.md": (
            "---\ntitle: About us\nmenu: true\nweight: 20\n" + places + "---\nAbout the region.\n"
        )
    }


def _pages_with_places(places: str) -> dict[str, str]:
    """The about page in both languages with the same places: a place's position is the
    same in every language (see ``translations.place_inconsistencies``)."""
    return _page_with_places(places) | {
        "content/nl/about.md": (
            "---\ntitle: Over ons\nslug: over-ons\nmenu: true\nweight: 20\n"
            + places
            + "---\nOver de regio.\n"
        )
    }


GOOD = (
    "places:\n"
    "  - id: science-park\n"
    f"    label: {HOSTILE}\n"
    "    kind: R&D\n"
    "    lat: 52.35\n"
    "    lon: 4.96\n"
    "    side: left\n"
)


def test_a_label_with_markup_is_shown_as_text_in_the_built_page(tmp_path):
    root = write_tree(make_mini_site(tmp_path / "site"), _pages_with_places(GOOD))
    pipeline.build(root, minify=False)
    html = (root / "build/en/about/index.html").read_text("utf-8")
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    found = _Map(html)
    assert found.labels == ["<script>alert(1)</script> & Co"]
    assert found.desc == "<script>alert(1)</script> & Co (R&D)"
    assert found.styled == []


def test_the_build_is_the_same_twice(tmp_path):
    root = write_tree(make_mini_site(tmp_path / "site"), _pages_with_places(GOOD))
    pipeline.build(root, tmp_path / "one")
    pipeline.build(root, tmp_path / "two")
    one, two = read_tree(tmp_path / "one"), read_tree(tmp_path / "two")
    assert "map-figure" in one["en/about/index.html"].decode()
    assert one == two


LAT_HINT = "the latitude in decimal degrees, north of the equator, such as 52.35"
LON_HINT = "the longitude in decimal degrees, east of Greenwich, such as 4.95"


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        (
            ["  - id: x", "    label: X", "    lat: 95", "    lon: 4.9"],
            f"content/en/about.md:8: places[1].lat 95 is not between -90 and 90 (hint: {LAT_HINT})",
        ),
        (
            ["  - id: x", "    label: X", "    lat: 52.3"],
            f"content/en/about.md:6: missing required key 'places[1].lon' (hint: {LON_HINT})",
        ),
        (
            ["  - id: x", "    label: X", "    lat: north", "    lon: 4.9"],
            f"content/en/about.md:8: places[1].lat is 'north', expected a number (hint: {LAT_HINT})",
        ),
        (
            ["  - id: x", "    label: X", "    lat: 52.3", "    lon: -200"],
            f"content/en/about.md:9: places[1].lon -200 is not between -180 and 180 (hint: {LON_HINT})",
        ),
        (
            ["  - id: x", "    label: X", "    lat: 52.3", "    lon: 4.9", "    side: top"],
            (
                "content/en/about.md:10: places[1].side 'top' is not one of: right, left, above, below "
                "(hint: the side of the marker its label is written on)"
            ),
        ),
        (
            ["  - id: x", "    label: X", "    lat: 52.3", "    lon: 4.9"] * 2,
            (
                "content/en/about.md:10: place id 'x' is used twice (first on line 6) "
                "(hint: give every place its own id)"
            ),
        ),
    ],
    ids=["lat-out-of-range", "lon-missing", "lat-a-word", "lon-out-of-range", "side-unknown", "id-twice"],
)
def test_a_mistake_in_places_is_one_line_naming_file_and_line(tmp_path, run_cli, lines, error):
    root = write_tree(
        make_mini_site(tmp_path / "site"),
        _page_with_places("places:\n" + "".join(f"{line}\n" for line in lines)),
    )
    code, _, err = run_cli("-C", root, "build")
    assert code == 1
    assert err.splitlines() == [error]
    assert not (root / "build").exists()


def test_places_belong_to_plain_pages(tmp_path, run_cli):
    root = make_mini_site(tmp_path / "site")
    news = root / "content/en/news"
    item = min(news.glob("*.md"))
    text = item.read_text("utf-8")
    item.write_text(text.replace("---\n", "---\nplaces: []\n", 1), "utf-8")
    code, _, err = run_cli("-C", root, "build")
    assert code == 1
    assert f"{item.relative_to(root).as_posix()}:2: unknown key 'places'" in err


# --- in a browser ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def origin(real_build):
    with serving(real_build) as origin:
        yield origin


MEASURE = """
const svg = document.querySelector('.place-map');
const box = svg.getBoundingClientRect();
const labels = [...svg.querySelectorAll('.map-label')].map(t => t.getBoundingClientRect());
const scale = box.width / svg.viewBox.baseVal.width;
return {
  svg: [box.left, box.top, box.right, box.bottom],
  labels: labels.map(r => [r.left, r.top, r.right, r.bottom]),
  fontPx: scale * Number(svg.querySelector('.map-label').getAttribute('font-size')),
  viewport: document.documentElement.clientWidth,
};
"""


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_at_360_px_the_labels_are_legible_inside_the_map_and_apart(browser, origin, lang):
    browser.set_window_size(360, 900)
    try:
        browser.get(f"{origin}/{lang}/{PAGES[lang]}/")
        found = browser.execute_script(MEASURE)
    finally:
        browser.set_window_size(1280, 900)
    left, top, right, bottom = found["svg"]
    labels = found["labels"]
    assert len(labels) == len(_places(lang))
    for x0, y0, x1, y1 in labels:
        assert left <= x0 and x1 <= right and top <= y0 and y1 <= bottom, (found["svg"], (x0, y0, x1, y1))
    for index, (l1, t1, r1, b1) in enumerate(labels):
        for l2, t2, r2, b2 in labels[index + 1 :]:
            assert r1 <= l2 or r2 <= l1 or b1 <= t2 or b2 <= t1, "two labels overlap"
    assert found["fontPx"] >= 12, f"labels are {found['fontPx']:.1f} px at {LABEL_SIZE} map units"
    assert right <= found["viewport"]
