"""The brand on the built real site: the self-hosted typeface, the wordmark and the home
page's illustration, all from /assets/ and all within the Content-Security-Policy."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from site_builder.config import load_config

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
FINGERPRINTED = re.compile(r"/assets/(?:[\w-]+/)*[\w-]+\.[0-9a-f]{8}\.\w+")


class _Head(HTMLParser):
    """The links and images of a page, each image with the class of the link it is in."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict[str, str | None]] = []
        self.images: list[tuple[dict[str, str | None], str | None]] = []
        self._in_link: str | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link":
            self.links.append(attrs)
        elif tag == "a":
            self._in_link = attrs.get("class") or ""
        elif tag == "img":
            self.images.append((attrs, self._in_link))

    def handle_endtag(self, tag):
        if tag == "a":
            self._in_link = None

    def link(self, rel: str) -> list[dict[str, str | None]]:
        return [attrs for attrs in self.links if rel in (attrs.get("rel") or "").split()]


def _file(built: Path, url: str) -> Path:
    assert FINGERPRINTED.fullmatch(url), url
    path = built / url.lstrip("/")
    assert path.is_file(), url
    return path


def _stylesheet(built: Path, page: _Head) -> str:
    [sheet] = page.link("stylesheet")
    return _file(built, sheet["href"]).read_text("utf-8")


def _font_faces(css: str) -> list[str]:
    return re.findall(r"@font-face\s*\{([^}]*)\}", css)


@pytest.fixture(scope="module")
def homes(built):
    return {lang: _Head((built / lang / "index.html").read_text("utf-8")) for lang in ("en", "nl")}


def test_the_typeface_is_woff2_in_at_most_two_files_with_its_licence(built):
    fonts = sorted((built / "assets" / "fonts").glob("*.woff2"))
    assert 1 <= len(fonts) <= 2
    for font in fonts:
        assert font.read_bytes()[:4] == b"wOF2", font
        assert font.stat().st_size < 60_000, font  # cut to the characters the site uses
    licence = (ROOT / "assets" / "fonts" / "OFL.txt").read_text("utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and licence.startswith("Copyright")
    assert list((built / "assets" / "fonts").glob("OFL.*.txt"))  # published beside the font


def test_the_home_page_preloads_the_font_the_stylesheet_uses(built, homes):
    for lang, page in homes.items():
        [preload] = page.link("preload")
        assert (preload["as"], preload["type"]) == ("font", "font/woff2"), lang
        assert "crossorigin" in preload, lang  # else the browser fetches the font twice
        assert _file(built, preload["href"]).read_bytes()[:4] == b"wOF2"
        css = _stylesheet(built, page)
        [inter] = [face for face in _font_faces(css) if re.search(r'font-family:\s*"Inter"\s*;', face)]
        assert re.findall(r"url\(([^)]*)\)", inter) == [preload["href"]], lang
        assert re.search(r"font-display:\s*swap", inter), lang


def test_until_the_font_arrives_a_local_font_sized_like_it_stands_in(built, homes):
    css = _stylesheet(built, homes["en"])
    fallbacks = [face for face in _font_faces(css) if '"Inter fallback"' in face]
    assert fallbacks
    for face in fallbacks:
        assert "url(" not in face and 'local("Arial' in face
        size, ascent, descent = (
            float(re.search(rf"{descriptor}:\s*([\d.]+)%", face).group(1))
            for descriptor in ("size-adjust", "ascent-override", "descent-override")
        )
        assert 80 < size < 130, face
        # Scaled back, the stand-in's line box is Inter's: ascent 2728 and descent 680 of
        # its 2816 units to the em.
        assert ascent * size / 100 == pytest.approx(2728 / 2816 * 100, abs=0.05), face
        assert descent * size / 100 == pytest.approx(680 / 2816 * 100, abs=0.05), face
    # The page's text asks for Inter, then the stand-in, then the system's fonts.
    assert re.search(r'--font:\s*"Inter",\s*"Inter fallback",', css)
    # No font from another host.
    for face in _font_faces(css):
        for url in re.findall(r"url\(([^)]*)\)", face):
            assert url.startswith("/assets/"), url


def test_the_header_shows_the_wordmark_named_as_the_site(built):
    config = load_config(ROOT)
    pages = sorted((built / "en").rglob("*.html")) + sorted((built / "nl").rglob("*.html"))
    assert len(pages) >= 30
    for html in pages:
        lang = html.relative_to(built).parts[0]
        page = _Head(html.read_text("utf-8"))
        [(wordmark, link)] = [(a, o) for a, o in page.images if "brand-wordmark" in (a.get("class") or "")]
        assert link == "brand", html  # inside the link home
        assert wordmark["alt"] == config.language(lang).title != "", html
        assert wordmark["width"] and wordmark["height"], html
        svg = _file(built, wordmark["src"])
        assert svg.stat().st_size < 3_000
        _assert_self_contained(svg)


def test_the_home_page_illustration_is_decorative_sized_and_self_contained(built, homes):
    for lang, page in homes.items():
        [(hero, _)] = [(a, o) for a, o in page.images if "hero-art" in (a.get("class") or "")]
        assert "alt" in hero and not hero["alt"], lang  # decorative, alt="": screen readers skip it
        assert int(hero["width"]) > 0 and int(hero["height"]) > 0, lang  # room kept before it loads
        svg = _file(built, hero["src"])
        assert svg.stat().st_size < 8_000
        root = _assert_self_contained(svg)
        assert (root.get("width"), root.get("height")) == (hero["width"], hero["height"])


def _assert_self_contained(path: Path) -> ET.Element:
    """The SVG's elements have no style attribute, no style or script element, and refer
    to nothing but their own parts."""
    text = path.read_text("utf-8")
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg", path
    assert "style=" not in text, path  # the CSP allows no inline styles
    for element in root.iter():
        assert element.tag not in (f"{SVG}style", f"{SVG}script", f"{SVG}image", f"{SVG}foreignObject"), path
        assert "style" not in element.attrib, path
        for name in ("href", XLINK_HREF):
            if name in element.attrib:
                assert element.attrib[name].startswith("#"), (path, element.attrib[name])
        for value in element.attrib.values():
            for url in re.findall(r"url\(([^)]*)\)", value):
                assert url.startswith("#"), (path, url)
    assert not re.search(r"(?:https?:)?//(?!www\.w3\.org/2000/svg\")", text), path
    return root
