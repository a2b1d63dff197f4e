"""The home page pitches, in the real site and in both languages: a hero that leads with the
ambition the memorandum of understanding of September 2019 stands for, four proof points each
with its figure and its source, and a call to action whose links all lead to pages that exist,
the contact page included. Then the pillars, the key figures and the news, as before."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import REPO

from site_builder.config import load_config
from site_builder.content.load import load_sources

HOME = {"en": "/en/", "nl": "/nl/"}
# The ambition as the hero's heading says it, and the attribution its lead gives.
AMBITION = {
    "en": "Europe's premier life sciences & health hub",
    "nl": "dé life sciences & health-hub van Europa",
}
ATTRIBUTION = {
    "en": ("memorandum of understanding", "25 September 2019"),
    "nl": ("intentieverklaring", "25 september 2019"),
}
SOURCE_LABEL = {"en": "Source:", "nl": "Bron:"}
# Each proof point's figure, in order, and words its text must hold: what the figure proves.
PROOF_POINTS = {
    "en": (
        ("2017", ("European Medicines Agency (EMA)", "CBG", "regulatory hub")),
        ("300", ("LSH companies", "Amsterdam UMC", "NKI-AVL", "4th in the world")),
        ("326", ("98 countries", "15 direct fibre-optic sea cables", "11", "AMS-IX", "200 km")),
        ("7,000", ("World Summit AI", "ICAI", "master's in Artificial Intelligence")),
    ),
    "nl": (
        ("2017", ("Europees Geneesmiddelenbureau (EMA)", "CBG", "regulatory hub")),
        ("300", ("LSH-bedrijven", "Amsterdam UMC", "NKI-AvL", "plek 4")),
        ("326", ("98 landen", "15 directe glasvezelzeekabels", "11", "AMS-IX", "200 km")),
        ("7.000", ("World Summit AI", "ICAI", "joint master Artificial Intelligence")),
    ),
}
# The sources each proof point must name, beyond the action programme all of them name.
EXTRA_SOURCES = {1: ("Monitor Deloitte (2018)", "Leiden Ranking 2018")}
# The key figures that two proof points repeat: the home page must say what that page says.
SAME_AS_KEY_FIGURE = {1: "lsh-companies-region", 2: "schiphol-destinations"}
CALL_TO_ACTION = {
    "en": ("/en/why-amsterdam/", "/en/places-and-players/", "/en/partnerships/", "/en/programme/"),
    "nl": ("/nl/waarom-amsterdam/", "/nl/plekken-en-spelers/", "/nl/partnerschappen/", "/nl/programma/"),
}
CONTACT = {"en": "/en/contact/", "nl": "/nl/contact/"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Tags whose start ends an open <p>: the minified pages leave out the </p> that HTML allows to omit.
CLOSES_P = {
    "address", "article", "aside", "blockquote", "details", "div", "dl", "figure", "footer", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section", "table", "ul",
}  # fmt: skip


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def text(self) -> str:
        return re.sub(
            r"\s+", " ", "".join(c if isinstance(c, str) else c.text() for c in self.children)
        ).strip()

    def walk(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.walk()

    def all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        return [n for n in self.walk() if (tag is None or n.tag == tag) and (cls is None or cls in n.classes)]

    def one(self, tag: str | None = None, cls: str | None = None) -> Node:
        found = self.all(tag, cls)
        assert len(found) == 1, (tag, cls, len(found))
        return found[0]


class Document(HTMLParser):
    """A page as a tree, with the end tags HTML lets a page leave out (</p>, </li>) put back."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self._open = self.root
        self.feed(text)
        self.close()

    def _close(self, tag: str, scope: tuple[str, ...] = ()) -> None:
        node = self._open
        while node is not self.root and node.tag != tag and node.tag not in scope:
            node = node.parent
        if node.tag == tag:
            self._open = node.parent

    def handle_starttag(self, tag, attrs):
        if tag in CLOSES_P and self._open.tag == "p":
            self._open = self._open.parent
        if tag == "li":
            self._close("li", scope=("ul", "ol"))
        node = Node(tag, {k: v or "" for k, v in attrs}, self._open)
        self._open.children.append(node)
        if tag not in VOID:
            self._open = node

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self._open = self._open.parent

    def handle_endtag(self, tag):
        self._close(tag)

    def handle_data(self, data):
        self._open.children.append(data)


def _page(built: Path, url: str) -> Node:
    path = built / url.split("#")[0].strip("/") / "index.html"
    assert path.is_file(), f"{url} was not built"
    return Document(path.read_text("utf-8")).root


def _main(built: Path, lang: str) -> Node:
    return _page(built, HOME[lang]).one("main")


@pytest.fixture(scope="module")
def key_figures():
    config = load_config(REPO)
    return {
        source.lang: {figure.id: figure.value for figure in source.front.figures}
        for source in load_sources(REPO, config)
        if source.kind == "key-figures"
    }


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_hero_leads_with_the_ambition_and_says_whose_it_is(built, lang):
    main = _main(built, lang)
    hero = main.one("section", "hero")
    # The hero is the first thing in the page's main content, and its heading is the page's one h1.
    assert next(main.walk()) is hero
    h1 = main.one("h1")
    assert h1.parent is hero.one("div", "hero-inner")
    assert AMBITION[lang] in h1.text()
    lead = hero.one("p", "lead").text()
    for words in ATTRIBUTION[lang]:
        assert words in lead, (lang, words, lead)
    # So does the title that browsers and search results show.
    title = _page(built, HOME[lang]).one("title").text()
    assert AMBITION[lang] in title


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_four_proof_points_each_with_its_figure_and_its_source(built, lang, key_figures):
    main = _main(built, lang)
    [grid] = main.all("div", "proof-points")
    points = grid.all("section", "proof-point")
    assert len(points) == len(PROOF_POINTS[lang]) == 4
    for index, (point, (figure, words)) in enumerate(zip(points, PROOF_POINTS[lang], strict=True)):
        assert point.one("h3").text(), index
        shown = point.one("p", "proof-figure").text()
        assert figure in shown and re.search(r"\d", shown), (lang, index, shown)
        text = point.text()
        for word in words:
            assert word in text, (lang, index, word)
        source = point.one("p", "proof-source").text()
        assert source.startswith(SOURCE_LABEL[lang]), (lang, index, source)
        assert "Life Sciences & Health Amsterdam" in source and "2019-2022" in source, (lang, index, source)
        for name in EXTRA_SOURCES.get(index, ()):
            assert name in source, (lang, index, name)
        if index in SAME_AS_KEY_FIGURE:
            value = key_figures[lang][SAME_AS_KEY_FIGURE[index]]
            assert re.sub(r"\D", "", shown) == str(value), (lang, index, shown, value)


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_call_to_action_leads_to_pages_that_exist_and_to_the_contact_page(built, lang):
    main = _main(built, lang)
    body = main.one("div", "home-body")
    cta = body.one("div", "home-cta")
    links = [a.attrs["href"] for a in cta.all("a")]
    assert links == list(CALL_TO_ACTION[lang])
    for url in links:
        assert _page(built, url).one("h1").text(), url
    # The contact page; no address or number of our own.
    body_links = [a.attrs["href"] for a in body.all("a")]
    assert CONTACT[lang] in body_links
    assert _page(built, CONTACT[lang]).one("h1").text() == {"en": "Contact us", "nl": "Contact"}[lang]
    assert not [link for link in body_links if link.startswith(("mailto:", "tel:"))]


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_pitch_comes_first_then_the_pillars_figures_and_news_without_the_policy_list(built, lang):
    main = _main(built, lang)
    parts = ("hero", "home-body", "pillars", "figures-strip", "latest-news")
    found = [c for n in main.walk() for c in n.classes if c in parts]
    assert found == list(parts)
    # The long list of reasons lives on Why Amsterdam now; the home page's text stays short.
    body = main.one("div", "home-body")
    assert len(body.all("h2")) == 2, [h.text() for h in body.all("h2")]
    assert len(body.text().split()) < 450, len(body.text().split())
    for gone in ("The action programme lists reasons including", "Het actieprogramma noemt onder meer"):
        assert gone not in body.text()
