"""The pages that sell Amsterdam, in the real site: Why Amsterdam, the partnerships and the places
and players, each at its address in both languages and paired with its translation; a main menu
that opens with the pitch and leaves the SWOT analysis out, which the programme page links to."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import REPO
from test_real_site import _Page

from site_builder.config import load_config

BASE_URL = load_config(REPO).base_url

# Each page's address in English and in Dutch.
SALES_PAGES = {
    "why-amsterdam": ("/en/why-amsterdam/", "/nl/waarom-amsterdam/"),
    "partnerships": ("/en/partnerships/", "/nl/partnerschappen/"),
    "places-and-players": ("/en/places-and-players/", "/nl/plekken-en-spelers/"),
}
SWOT = {"en": "/en/swot/", "nl": "/nl/swot/"}
PROGRAMME = {"en": "/en/programme/", "nl": "/nl/programma/"}
HOME = {"en": "/en/", "nl": "/nl/"}
# The news items on the three partnerships, in each language.
PARTNERSHIP_NEWS = {
    "en": (
        "/en/news/massachusetts-mou/",
        "/en/news/flanders-personalised-medicine-mou/",
        "/en/news/swiss-dutch-ehealth-call/",
    ),
    "nl": (
        "/nl/nieuws/mou-massachusetts/",
        "/nl/nieuws/mou-vlaanderen-gepersonaliseerde-geneeskunde/",
        "/nl/nieuws/call-ehealth-zwitserland/",
    ),
}


class _MainMenu(HTMLParser):
    """The addresses the main navigation links to, in order."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self._inside = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "nav" and "main-nav" in attrs.get("class", "").split():
            self._inside = True
        elif tag == "a" and self._inside:
            self.links.append(attrs.get("href", ""))

    def handle_endtag(self, tag):
        if tag == "nav":
            self._inside = False


def _html(built: Path, url: str) -> str:
    page = built / url.strip("/") / "index.html"
    assert page.is_file(), f"{url} was not built"
    return page.read_text("utf-8")


@pytest.mark.parametrize("name", sorted(SALES_PAGES))
def test_each_page_is_at_its_address_and_names_its_translation(built, name):
    en, nl = SALES_PAGES[name]
    for url, lang, other, other_lang in ((en, "en", nl, "nl"), (nl, "nl", en, "en")):
        page = _Page(_html(built, url))
        assert page.lang == lang
        assert page.canonical == BASE_URL + url
        # Search engines learn of the translation, and the language switcher leads to it.
        assert page.alternates[other_lang] == BASE_URL + other, url
        assert page.alternates[lang] == BASE_URL + url
        assert [link["href"] for link in page.switcher] == [other], url


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_main_menu_opens_with_the_pitch_and_leaves_the_swot_out(built, lang):
    why = SALES_PAGES["why-amsterdam"][0 if lang == "en" else 1]
    for url in (HOME[lang], SWOT[lang], PROGRAMME[lang], why):
        menu = _MainMenu(_html(built, url)).links
        assert menu and menu[0] == why, (url, menu)
        assert SWOT[lang] not in menu, (url, menu)
        assert PROGRAMME[lang] in menu, (url, menu)


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_swot_stays_at_its_address_and_the_programme_page_links_to_it(built, lang):
    swot = _Page(_html(built, SWOT[lang]))
    assert swot.lang == lang
    programme = _Page(_html(built, PROGRAMME[lang]))
    assert SWOT[lang] in programme.links


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_partnerships_page_links_each_partnership_s_news_item(built, lang):
    url = SALES_PAGES["partnerships"][0 if lang == "en" else 1]
    links = _Page(_html(built, url)).links
    for item in PARTNERSHIP_NEWS[lang]:
        assert item in links, item
        _html(built, item)  # and the item is there


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_about_page_points_its_top_sector_sources_to_the_partnerships_page(built, lang):
    about = {"en": "/en/about/", "nl": "/nl/over-ons/"}[lang]
    partnerships = SALES_PAGES["partnerships"][0 if lang == "en" else 1]
    links = _Page(_html(built, about)).links
    assert any(link.split("#")[0] == partnerships for link in links), links
