"""Social cards (render/cards.py): every page's own 1200 × 630 PNG for links shared in chats
and on social networks, drawn from its title and the brand, once."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
from pathlib import Path

import pytest
from conftest import REPO, make_mini_site, read_tree, write_tree
from PIL import Image

from site_builder import pipeline
from site_builder.config import load_config
from site_builder.content.load import load_sources
from site_builder.render import cards
from site_builder.site.model import build_site


def meta(html: str) -> dict[str, str]:
    """The page's Open Graph and Twitter tags (minified: attribute values may be unquoted)."""
    found = {}
    for tag in re.findall(r"<meta [^>]*>", html):
        name = re.search(r'(?:property|name)="?([^"\s>]+)', tag)
        content = re.search(r'content=(?:"([^"]*)"|([^\s>]+))', tag)
        if name and content and name.group(1).startswith(("og:", "twitter:")):
            found[name.group(1)] = content.group(1) if content.group(1) is not None else content.group(2)
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    # Without the cards a first build keeps: this build draws every one.
    root = make_mini_site(tmp_path_factory.mktemp("cards") / "site", derived=False)
    pipeline.build(root)
    return root


def test_every_page_shows_its_own_card(site):
    build = site / "build"
    seen = {}
    for path in sorted(build.rglob("index.html")):
        rel = path.relative_to(build).as_posix()
        if rel == "index.html" or "/zoeken/" in rel or "/search/" in rel:
            continue
        tags = meta(path.read_text("utf-8"))
        url = tags["og:image"]
        assert url.startswith("https://") and "/assets/cards/" in url, rel
        card = build / url.split("/", 3)[3]
        with Image.open(card) as image:
            assert (image.format, image.size) == ("PNG", (1200, 630)), rel
        assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
        assert tags["og:image:alt"] and tags["twitter:card"] == "summary_large_image"
        seen.setdefault(url, []).append(rel)
    pages = [rel for rels in seen.values() for rel in rels]
    # Every page its own card; only lists that are not pages of their own (a topic's) show their language's home card.
    shared = {url: rels for url, rels in seen.items() if len(rels) > 1}
    assert all(url.rsplit("/", 1)[1].startswith("home.") for url in shared), shared
    assert len(pages) > 15 and len(seen) >= 15


def test_a_card_shows_the_title_its_section_and_year_and_the_home_page_s_the_description(site):
    """docs/content.md, Social cards: drawn "from the page's title (the home page's: the site's
    description), the section it is in (a news item's with its year), the site's title …, in the
    site's typeface"."""
    config = load_config(site)
    model = build_site(config, load_sources(site, config))
    pages = {page.url: page for page in model.pages}
    shown = {url: cards.card_of(model, pages[url], "") for url in ("/en/", "/nl/nieuws/ema-opent-kantoor/")}
    for url, title, label, lang in (
        ("/en/", config.language("en").description, "", "en"),
        ("/nl/nieuws/ema-opent-kantoor/", "Het Europees Geneesmiddelenbureau opent kantoor in Amsterdam",
         "Nieuws · 2019", "nl"),
    ):  # fmt: skip
        card = shown[url]
        assert (card.title, card.label, card.site_title) == (title, label, config.language(lang).title), url
    item = shown["/nl/nieuws/ema-opent-kantoor/"]
    drawn = cards.draw(item, None)
    assert drawn != cards.draw(dataclasses.replace(item, label=""), None)
    assert drawn != cards.draw(dataclasses.replace(item, site_title="Another site"), None)
    # The typeface is the one the site's stylesheet names.
    assert f"url({cards.CARD_FONT})" in (REPO / "assets/site.css").read_text("utf-8")


def test_a_card_is_drawn_once_and_kept_beside_the_photos(site, tmp_path, monkeypatch):
    drawn = []
    draw = cards.draw
    monkeypatch.setattr(
        cards, "draw", lambda card, font, photo=None: drawn.append(card.path) or draw(card, font, photo)
    )
    again = tmp_path / "again"
    pipeline.build(site, again)  # no cache: the cards come from .site-images/
    assert drawn == []
    assert {p: d for p, d in read_tree(again).items() if "/cards/" in p} == {
        p: d for p, d in read_tree(site / "build").items() if "/cards/" in p
    }
    # A page's title changed: its card alone is drawn again, under a new name.
    about = site / "content/en/about.md"
    about.write_text(about.read_text("utf-8").replace("title: ", "title: Changed ", 1), "utf-8")
    pipeline.build(site, again)
    assert len(drawn) == 1 and drawn[0].startswith("assets/cards/en/about.")


def test_a_kept_card_stays_on_disk_until_it_is_published(site, tmp_path):
    """A card taken from .site-images/ is not read into the build's memory to be published:
    the build holds where it is, and publishing copies it from there."""
    from site_builder import stages
    from site_builder.incremental.derived import DERIVED_DIR

    made = stages.generate(site)
    kept = [file for file in made.files if file.path.startswith("assets/cards/")]
    assert len(kept) > 15
    for file in kept:
        assert file.data is None and Path(file.origin).parent == site / DERIVED_DIR
        assert hashlib.sha256(Path(file.origin).read_bytes()).hexdigest() == file.digest
    copied = tmp_path / "copied"
    pipeline.build(site, copied)
    for file in kept:
        assert (copied / file.path).read_bytes() == Path(file.origin).read_bytes()
        assert not (copied / file.path).samefile(file.origin)  # a copy: an edit in build/ stays there


def test_cards_are_the_same_every_time_and_fit_long_titles():
    font = None  # Pillow's own typeface: the site has none in this test
    long = cards.Card("en", "x", "word " * 80, "News · 2019", "A site", "")
    first, second = cards.draw(long, font), cards.draw(long, font)
    assert first == second
    hostile = cards.Card("nl", "y", '<script>alert("x")</script> & Ünïcode ×××', "", "Site", "")
    with Image.open(io.BytesIO(cards.draw(hostile, font))) as image:
        assert image.size == (1200, 630)


def test_a_line_break_in_the_site_title_or_a_label_is_drawn_as_a_space():
    """As written in site.yaml (title: {en: "Life\\nSciences"}) or a menu_title: Pillow refuses to
    measure text of several lines, and the build ended in a traceback."""
    broken = cards.Card("en", "x", "A title", "News\nitems", "Life Sciences\n& Health", "")
    spaced = cards.Card("en", "x", "A title", "News items", "Life Sciences & Health", "")
    assert cards.draw(broken, None) == cards.draw(spaced, None)


def test_titles_reach_the_tags_as_text(tmp_path):
    from html.parser import HTMLParser

    root = make_mini_site(tmp_path / "site")
    title = 'Odd "<b>bold</b>" & co'
    write_tree(
        root / "content/en",
        {"odd.md": '---\ntitle: "Odd \\"<b>bold</b>\\" & co"\nslug: odd\n---\nText.\n'},
    )
    pipeline.build(root, drafts=True)

    class Tags(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags, self.alt = [], None

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)
            attrs = dict(attrs)
            if tag == "meta" and attrs.get("property") == "og:image:alt":
                self.alt = attrs["content"]

    parsed = Tags()
    html = (root / "build/en/odd/index.html").read_text("utf-8")
    # <title> holds text, whatever it looks like (Python's parser would see tags in it).
    parsed.feed(re.sub(r"<title>.*?</title>", "", html))
    assert parsed.alt == title  # the attribute's value, as text
    assert "b" not in parsed.tags  # never an element


def test_cards_drawn_in_several_processes_are_those_drawn_in_one(tmp_path, monkeypatch):
    from site_builder.incremental.derived import DerivedFiles
    from site_builder.site.files import OutputFile

    out = io.BytesIO()
    Image.linear_gradient("L").resize((300, 200)).convert("RGB").save(out, "PNG")
    photo = OutputFile("assets/photo.png", out.getvalue())
    wanted = [
        cards.Card("en", f"page-{n}", f"Title {n}", "News", "Site", "", photo.digest if n % 2 else "")
        for n in range(6)
    ]
    one = cards.draw_each(wanted, None, (photo,))
    pooled = []
    in_workers = cards.in_workers
    monkeypatch.setattr(cards, "in_workers", lambda *args, **kw: pooled.append(1) or in_workers(*args, **kw))
    store = DerivedFiles(tmp_path / "derived")
    several = cards.draw_each(wanted, None, (photo,), store=store, jobs=2)
    assert pooled == [1]
    assert [made for (made,) in several] == [made for (made,) in one]
    # Kept in the store: the next build draws none of them.
    kept = cards.draw_each(wanted, None, (photo,), store=store, jobs=2)
    assert pooled == [1]
    assert [Path(made.origin).read_bytes() for (made,) in kept] == [made.data for (made,) in one]
