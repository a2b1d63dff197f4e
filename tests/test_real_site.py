"""End to end: build the real content of this repository and check the output itself."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from site_builder import pipeline
from site_builder.cli import main
from site_builder.config import load_config
from site_builder.content.load import load_sources

ROOT = Path(__file__).resolve().parent.parent
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
ATOM = "{http://www.w3.org/2005/Atom}"


class _Page(HTMLParser):
    """The parts of a page the tests look at."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.lang = None
        self.noindex = False
        self.canonical = None
        self.alternates: dict[str, str] = {}
        self.switcher: list[dict[str, str]] = []
        self.links: list[str] = []
        self.title = ""
        self._in_switcher = 0
        self._in_title = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "meta" and attrs.get("name") == "robots":
            self.noindex = "noindex" in attrs.get("content", "")
        elif tag == "link" and attrs.get("rel") == "canonical":
            self.canonical = attrs["href"]
        elif tag == "link" and attrs.get("rel") == "alternate" and "hreflang" in attrs:
            self.alternates[attrs["hreflang"]] = attrs["href"]
        elif tag == "nav" and "language-switcher" in attrs.get("class", ""):
            self._in_switcher = 1
        elif tag == "title":
            self._in_title = True
        if tag == "a" and self._in_switcher:
            self.switcher.append(attrs)
        for name in ("href", "src"):
            if tag in ("a", "link", "script", "img") and attrs.get(name):
                self.links.append(attrs[name])

    def handle_endtag(self, tag):
        if tag == "nav" and self._in_switcher:
            self._in_switcher = 0
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


@pytest.fixture(scope="session")
def config():
    return load_config(ROOT)


@pytest.fixture(scope="session")
def sources(config):
    return load_sources(ROOT, config)


def _pages(built: Path, lang: str) -> dict[str, _Page]:
    return {
        "/" + path.relative_to(built).parent.as_posix() + "/": _Page(path.read_text("utf-8"))
        for path in sorted((built / lang).rglob("index.html"))
    }


def test_both_languages_have_the_same_pages(built, config):
    assert config.codes == ("en", "nl")
    en, nl = _pages(built, "en"), _pages(built, "nl")
    assert len(en) == len(nl) >= 15  # home, about, figures, SWOT, programme and pillars, news
    for lang, pages in (("en", en), ("nl", nl)):
        for url, page in pages.items():
            assert page.lang == lang, url
            assert page.canonical == config.base_url + url


def test_language_switcher_links_to_the_translation_of_the_same_page(built):
    en, nl = _pages(built, "en"), _pages(built, "nl")
    for pages, other, other_lang in ((en, nl, "nl"), (nl, en, "en")):
        for url, page in pages.items():
            if "/page/" in url:
                continue
            [link] = page.switcher
            assert link["hreflang"] == other_lang and link["lang"] == other_lang
            target = other[link["href"]]
            # The target links straight back: the two are translations of each other.
            assert [back["href"] for back in target.switcher] == [url]
            assert page.alternates[other_lang].endswith(link["href"])


def test_hreflang_alternates_agree_with_the_sitemap(built, config):
    sitemap = ET.parse(built / "sitemap.xml").getroot()
    entries = {
        url.find(f"{SITEMAP}loc").text: {
            link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")
        }
        for url in sitemap.findall(f"{SITEMAP}url")
    }
    pages = {**_pages(built, "en"), **_pages(built, "nl")}
    listed = {url for url, page in pages.items() if not page.noindex}  # the news list's later pages too
    assert set(entries) == {config.base_url + url for url in listed}
    for url in listed:
        page = pages[url]
        assert set(page.alternates) == {"en", "nl", "x-default"}
        assert entries[config.base_url + url] == page.alternates, url


def test_feeds_parse_and_list_every_news_item(built, sources, config):
    for lang in config.codes:
        feed = ET.parse(built / lang / "feed.xml").getroot()
        entries = feed.findall(f"{ATOM}entry")
        news = [s for s in sources if s.lang == lang and s.kind == "news" and not s.front.draft]
        assert len(entries) == len(news) >= 6
        dates = [e.find(f"{ATOM}updated").text for e in entries]
        assert dates == sorted(dates, reverse=True)
        assert feed.find(f"{ATOM}updated").text == dates[0]
        for entry in entries:
            href = entry.find(f"{ATOM}link").get("href")
            assert href.startswith(config.base_url + f"/{lang}/")
            assert (built / href[len(config.base_url) + 1 :] / "index.html").is_file()


def test_assets_are_fingerprinted_and_every_internal_link_resolves(built):
    assets = sorted(path for path in (built / "assets").rglob("*") if path.is_file())
    assert assets
    for asset in assets:
        stem, digest, suffix = asset.name.rsplit(".", 2)
        assert re.fullmatch(r"[0-9a-f]{8}", digest)
        if "cards" in asset.parts:  # named by what they are drawn from (test_cards.py)
            continue
        assert hashlib.sha256(asset.read_bytes()).hexdigest()[:8] == digest
    for html in sorted(built.rglob("*.html")):
        page = _Page(html.read_text("utf-8"))
        assert any(link.startswith("/assets/site.") for link in page.links), html
        for link in page.links:
            if link.startswith("/"):
                path = link.split("#")[0]
                target = built / path.lstrip("/")
                assert target.is_file() or (target / "index.html").is_file(), (html, link)


def test_numbers_and_dates_are_formatted_per_locale(built, sources):
    figures = {s.lang: s for s in sources if s.kind == "key-figures"}
    # The text as a reader sees it: the minified pages write & or &amp; as each place allows.
    nl = unescape((built / "nl/kerncijfers/index.html").read_text("utf-8"))
    en = unescape((built / "en/key-figures/index.html").read_text("utf-8"))
    assert "65.000" in nl and "65,000" not in nl
    assert "65,000" in en and "65.000" not in en
    for lang, text in (("nl", nl), ("en", en)):
        for figure in figures[lang].front.figures:
            assert figure.label in text
            assert figure.source in text or figure.source_url in text
    news = {(s.lang, s.rel): s for s in sources if s.kind == "news"}
    months = {
        "nl": "januari februari maart april mei juni juli augustus september oktober november december".split(),
        "en": "January February March April May June July August September October November December".split(),
    }
    for (lang, _rel), source in news.items():
        date = source.front.date
        expected = {
            "day": f"{date.day} {months[lang][date.month - 1]} {date.year}",
            "month": f">{months[lang][date.month - 1]} {date.year}<",
            "year": f">{date.year}<",
        }[source.front.date_precision]
        html = next(
            p
            for p in (built / lang).rglob("index.html")
            if f"<h1>{source.front.title}</h1>" in unescape(p.read_text("utf-8"))
        )
        assert expected in unescape(html.read_text("utf-8")), (source.path, expected)


def test_root_page_offers_both_languages(built, config):
    root = _Page((built / "index.html").read_text("utf-8"))
    assert root.alternates == {
        "en": config.base_url + "/en/",
        "nl": config.base_url + "/nl/",
        "x-default": config.base_url + "/",
    }
    assert "/en/" in root.links and "/nl/" in root.links
    for path in ("404.html", "en/404.html", "nl/404.html", "robots.txt"):
        assert (built / path).is_file()
    assert f"Sitemap: {config.base_url}/sitemap.xml" in (built / "robots.txt").read_text()


def test_real_content_is_complete(sources):
    for lang in ("en", "nl"):
        kinds = [s.kind for s in sources if s.lang == lang]
        assert kinds.count("news") >= 6
        assert {"home", "key-figures", "swot", "news-list", "section"} <= set(kinds)
        swot = next(s for s in sources if s.lang == lang and s.kind == "swot").front.swot
        assert all(items for _, items in swot.quadrants())
        figures = next(s for s in sources if s.lang == lang and s.kind == "key-figures").front.figures
        assert len(figures) >= 10 and all(f.source.strip() for f in figures)
    for source in sources:
        assert "lorem" not in source.doc.body.lower()


def test_key_figures_agree_between_languages(sources):
    figures = {
        s.lang: [(f.id, f.value, f.unit, f.year, f.qualifier, f.group) for f in s.front.figures]
        for s in sources
        if s.kind == "key-figures"
    }
    assert figures["en"] == figures["nl"]


def test_check_passes_on_the_real_content(capsys):
    assert main(["-C", str(ROOT), "check"]) == 0


def test_build_is_deterministic(built, tmp_path):
    again = tmp_path / "again"
    pipeline.build(ROOT, again)
    first = {p.relative_to(built): p.read_bytes() for p in built.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first == second
