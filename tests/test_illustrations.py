"""The drawings of assets/illustrations/: one at the top of each section's pages, one on each
news card chosen by the item's first topic (a topic without a drawing of its own, or an item
without topics, shows the default one). All of them decorative (alt="", hidden from screen
readers), sized so that nothing moves when they arrive, fingerprinted, small and self-contained."""

from __future__ import annotations

import datetime
import io
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import REPO, make_mini_site, write_tree
from PIL import Image
from test_brand import FINGERPRINTED, _assert_self_contained

from site_builder import pipeline, stages
from site_builder.config import load_config
from site_builder.content.load import load_sources
from site_builder.site.model import build_site

DRAWINGS = REPO / "assets" / "illustrations"
# Each section, by its file or folder in content/<language>/, and the drawing its pages show.
SECTIONS = {
    "about": "about.svg",
    "contact": "about.svg",  # the about drawing: who to turn to
    "key-figures": "key-figures.svg",
    "news": "news.svg",
    "partnerships": "partnerships.svg",
    "places-and-players": "places-and-players.svg",
    "programme": "programme.svg",
    "swot": "swot.svg",
    "why-amsterdam": "why-amsterdam.svg",
}
SECTION_SIZE = ("240", "120")
CARD_SIZE = ("320", "80")
DEFAULT_CARD_DRAWING = "topic-default.svg"


class _Images(HTMLParser):
    """The images of a page, each with the classes of the elements it is in; and the news
    tiles (``div.news-tile``), each with its image, the addresses its links lead to and the
    number of news cards in it."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[tuple[dict[str, str | None], list[str]]] = []
        self.tiles: list[dict] = []
        self.cards = 0
        self._open: list[tuple[str, list[str]]] = []
        self._tile_depth: int | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        ancestors = [cls for _, element_classes in self._open for cls in element_classes]
        tile = self.tiles[-1] if self._tile_depth is not None else None
        if tag == "img":
            self.images.append((attrs, ancestors))
            if tile is not None:
                tile["images"].append(attrs)
            return  # a void element: never closed
        if tag == "a" and tile is not None:
            tile["links"].append(attrs.get("href"))
        if tag == "article" and "news-card" in classes:
            self.cards += 1
            if tile is not None:
                tile["cards"] += 1
        if tag == "div" and "news-tile" in classes:
            self.tiles.append({"images": [], "links": [], "cards": 0})
            self._tile_depth = len(self._open)
        self._open.append((tag, classes))

    def handle_endtag(self, tag):
        while self._open:
            open_tag, _ = self._open.pop()
            if self._tile_depth is not None and len(self._open) == self._tile_depth:
                self._tile_depth = None
            if open_tag == tag:
                break

    def section_images(self) -> list[dict[str, str | None]]:
        return [attrs for attrs, _ in self.images if "section-art" in (attrs.get("class") or "").split()]


def _drawing_name(src: str) -> str:
    """The file in assets/ that a fingerprinted address was made from: illustrations/x.svg."""
    assert FINGERPRINTED.fullmatch(src), src
    return re.sub(r"\.[0-9a-f]{8}(\.\w+)$", r"\1", src.removeprefix("/assets/"))


def _assert_decorative_and_sized(image: dict[str, str | None], size: tuple[str, str], where: str) -> None:
    assert "alt" in image and not image["alt"], where  # present and empty: screen readers skip it
    assert image.get("aria-hidden") == "true", where
    assert (image.get("width"), image.get("height")) == size, where  # its room is kept before it loads
    assert image.get("decoding") == "async", where


def _read(built: Path, url: str) -> _Images:
    return _Images((built / url.lstrip("/") / "index.html").read_text("utf-8"))


@pytest.fixture(scope="module")
def site():
    config = load_config(REPO)
    return build_site(config, load_sources(REPO, config), today=datetime.date.today())


def test_each_section_s_pages_show_its_drawing_above_their_title(built, site):
    shown = set()
    for page in site.pages:
        section = page.source.rel.split("/")[0].removesuffix(".md")
        if page.kind in ("home", "news") or section not in SECTIONS:
            continue
        where = f"{page.url} ({page.path})"
        html = (built / page.output_path).read_text("utf-8")
        images = _Images(html).section_images()
        if page.front.image:  # its own photo is the first image of the page, alone
            assert images == [], where
            continue
        assert len(images) == 1, where
        [image] = images
        assert _drawing_name(image["src"]) == f"illustrations/{SECTIONS[section]}", where
        assert (built / image["src"].lstrip("/")).is_file(), where
        _assert_decorative_and_sized(image, SECTION_SIZE, where)
        assert "loading" not in image, where  # at the top of the page: not deferred
        # In the page's header, before its title.
        header = re.search(r'<header class="?page-header"?>(.*?)</header>', html, re.DOTALL)
        assert header and header.group(1).index(image["src"]) < header.group(1).index("<h1"), where
        shown.add((page.lang, section))
    assert {section for _, section in shown} == set(SECTIONS)


def test_the_home_page_has_no_section_drawing_but_its_own_illustration(built):
    for lang in ("en", "nl"):
        page = _read(built, f"/{lang}/")
        assert page.section_images() == [], lang
        assert [a for a, _ in page.images if "hero-art" in (a.get("class") or "")], lang


def test_a_news_item_and_a_section_without_a_drawing_show_none(built, site, tmp_path):
    """docs/content.md, Illustrations: "a news item … show[s] none"; a new section shows none
    until a developer adds its drawing."""
    items = [page for page in site.pages if page.kind == "news"]
    assert items
    for page in items:
        assert _Images((built / page.output_path).read_text("utf-8")).section_images() == [], page.url
    root = make_mini_site(tmp_path)
    write_tree(root, {"content/en/events.md": "---\ntitle: Events\n---\nWhat is on.\n"})
    files = {f.path: f.data for f in stages.generate(root).files}
    assert _Images(files["en/events/index.html"].decode("utf-8")).section_images() == []
    [about] = _Images(files["en/about/index.html"].decode("utf-8")).section_images()
    assert _drawing_name(about["src"]) == "illustrations/about.svg"


def _first_topic_drawing(page) -> str:
    topics = page.front.topics
    return (
        f"topic-{topics[0]}.svg"
        if topics and (DRAWINGS / f"topic-{topics[0]}.svg").is_file()
        else DEFAULT_CARD_DRAWING
    )


def _assert_tiles(page: _Images, items: dict, where: str) -> list[dict]:
    """Every news card of ``page`` is in a tile with the drawing of its item's first topic
    (``items``: address → page), one image and one link."""
    assert page.cards == len(page.tiles) > 0, where
    for tile in page.tiles:
        assert tile["cards"] == 1, where
        [link] = tile["links"]  # the title's: the drawing is no second link
        [image] = tile["images"]
        item = items[link]
        assert _drawing_name(image["src"]) == f"illustrations/{_first_topic_drawing(item)}", (where, link)
        _assert_decorative_and_sized(image, CARD_SIZE, f"{where}: {link}")
    return page.tiles


def test_every_news_card_of_the_news_lists_and_the_home_page_has_its_topic_s_drawing(built, site):
    items = {page.url: page for page in site.pages if page.kind == "news"}
    for lang in ("en", "nl"):
        news = next(p for p in site.pages if p.kind == "news-list" and p.lang == lang)
        lists = [built / news.output_path] + sorted((built / news.url.lstrip("/")).glob("*/*/index.html"))
        listed = 0
        for number, path in enumerate(lists):
            tiles = _assert_tiles(_Images(path.read_text("utf-8")), items, str(path))
            listed += len(tiles)
            if number == 0:
                # The first row is in view when the list opens: not deferred; the rest are.
                assert [t["images"][0].get("loading") for t in tiles[:3]] == [None] * min(3, len(tiles))
                assert all(t["images"][0].get("loading") == "lazy" for t in tiles[3:])
        assert listed == len([p for p in items.values() if p.lang == lang]), lang
        home = _Images((built / lang / "index.html").read_text("utf-8"))
        for tile in _assert_tiles(home, items, f"/{lang}/"):
            assert tile["images"][0].get("loading") == "lazy"  # far below the hero


def test_the_cards_of_each_topic_s_pages_have_their_drawings(built, site):
    items = {page.url: page for page in site.pages if page.kind == "news"}
    for lang, section in (("en", "topics"), ("nl", "themas")):
        lists = sorted((built / lang / section).glob("*/index.html"))
        assert lists, lang
        for path in lists:
            _assert_tiles(_Images(path.read_text("utf-8")), items, str(path))


# An item per topic the site declares, one under a topic with no drawing, one without topics.
_ITEM = """\
    ---
    title: {title}
    slug: {slug}
    date: 2020-01-{day:02}
    {topics}
    ---
    A news item.
    """


def test_a_news_card_shows_its_first_topic_s_drawing_or_the_default(tmp_path):
    root = make_mini_site(tmp_path)
    declared = [topic.key for topic in load_config(REPO).topics]
    site_yaml = (root / "site.yaml").read_text("utf-8")
    assert "\ntopics:\n" in site_yaml
    new_topic = (
        "  events:\n    en: {name: Events, slug: events}\n    nl: {name: Evenementen, slug: evenementen}\n"
    )
    (root / "site.yaml").write_text(site_yaml.replace("\ntopics:\n", "\ntopics:\n" + new_topic, 1), "utf-8")
    expected = {}
    cases = [(key, f"[{key}, events]") for key in declared] + [("events", "[events, ema]"), ("none", "")]
    for number, (name, topics) in enumerate(cases, 1):
        title = f"Item {number} on {name}"
        text = _ITEM.format(
            title=title, slug=f"item-{number}", day=number, topics=f"topics: {topics}" if topics else ""
        )
        write_tree(root, {f"content/{lang}/news/2020-01-{number:02}-item.md": text for lang in ("en", "nl")})
        expected[title] = f"topic-{name}.svg" if name in declared else DEFAULT_CARD_DRAWING
    pipeline.build(root)
    news = root / "build/en/news"
    html = "".join(path.read_text("utf-8") for path in [news / "index.html", *news.glob("page/*/index.html")])
    for title, drawing in expected.items():
        tile = re.search(
            r'<div class="?news-tile"?>\s*<img [^>]*src="?([^" >]+)"?[^>]*>\s*'
            rf"<article[^>]*>\s*<h2[^>]*><a [^>]*>{title}<",
            html,
        )
        assert tile, title
        if drawing != DEFAULT_CARD_DRAWING:
            assert (DRAWINGS / drawing).is_file(), (
                f"topic '{drawing[6:-4]}' in site.yaml has no drawing of its own: draw assets/illustrations/"
                f"{drawing} and list the topic in templates/illustrations.html (until then its cards show "
                f"{DEFAULT_CARD_DRAWING})"
            )
        assert _drawing_name(tile.group(1)) == f"illustrations/{drawing}", title


def test_a_page_with_a_photo_of_its_own_shows_it_instead_of_the_section_s_drawing(tmp_path):
    root = make_mini_site(tmp_path)
    photo = io.BytesIO()
    Image.new("RGB", (800, 400), (40, 90, 160)).save(photo, "JPEG")
    write_tree(root, {"assets/images/canal.jpg": photo.getvalue()})
    about = root / "content/en/about.md"
    opening, title, rest = about.read_text("utf-8").split("\n", 2)
    about.write_text(f"{opening}\n{title}\nimage: images/canal.jpg\nimage_alt: A canal\n{rest}", "utf-8")
    pipeline.build(root)
    with_photo = _Images((root / "build/en/about/index.html").read_text("utf-8"))
    without = _Images((root / "build/nl/over-ons/index.html").read_text("utf-8"))
    assert with_photo.section_images() == []
    assert [_drawing_name(image["src"]) for image in without.section_images()] == ["illustrations/about.svg"]


@pytest.mark.parametrize("path", sorted(DRAWINGS.glob("*.svg")), ids=lambda path: path.name)
def test_each_drawing_is_small_well_formed_and_self_contained(path):
    assert path.stat().st_size < 4_000, path
    root = _assert_self_contained(path)  # no style, script, image or outside reference
    view_box = root.get("viewBox")
    assert view_box, path
    _, _, width, height = view_box.split()
    assert (root.get("width"), root.get("height")) == (width, height), path
    size = CARD_SIZE if path.name.startswith("topic-") else SECTION_SIZE
    assert (width, height) == size, path  # as the templates' width and height say
    for element in root.iter():
        assert not any(name.lower().startswith("on") for name in element.attrib), (path, element.attrib)
        assert element.tag.rpartition("}")[2] not in ("text", "a"), path  # no words, no links
    ET.fromstring(path.read_bytes())  # well-formed XML, as bytes too
    # In the site's own colours (docs/content.md): each one the stylesheet uses too.
    colours = set(re.findall(r"#[0-9a-f]{3,6}\b", (REPO / "assets/site.css").read_text("utf-8").lower()))
    used = set(
        re.findall(r'(?:fill|stroke|stop-color)="?(#[0-9a-f]{3,6})\b', path.read_text("utf-8").lower())
    )
    assert used and used <= colours, (path, used - colours)


def test_every_drawing_is_one_the_template_names():
    """No drawing lies unused, and the template names no file that is missing."""
    template = (REPO / "templates" / "illustrations.html").read_text("utf-8")
    named = set(re.findall(r'"illustrations/([\w-]+\.svg)"', template))
    assert set(SECTIONS.values()) | {DEFAULT_CARD_DRAWING} <= named
    assert {path.name for path in DRAWINGS.glob("*.svg")} == named
