"""What search engines and link previews read: structured data (JSON-LD) and social metadata.

Pure: a page of the ``Site`` in, plain data out. JSON-LD is serialised here,
with sorted keys so the output is the same on every build, and with ``<``,
``>`` and ``&`` escaped as JSON ``\\u`` sequences so that no text from content
can end the ``<script type="application/ld+json">`` element that holds it.
Every URL in it is absolute.
"""

from __future__ import annotations

import json
import re
import unicodedata
from html.parser import HTMLParser
from typing import Any

from markupsafe import Markup

from site_builder.checks.html_policy import ENDS_P, VOID_ELEMENTS
from site_builder.content.frontmatter import published_iso
from site_builder.site.model import Page, Site

SCHEMA = "https://schema.org"
# About as much of a description as search engines show; a longer one is cut off there.
DESCRIPTION_LIMIT = 160
# The marks of footnotes in the text and the links back to them, which are no words of it.
_FOOTNOTE_LINKS = frozenset({"footnote-ref", "footnote-backref"})
# Spaces and line breaks, read as one space: not the spaces that join words (10&nbsp;km).
_SPACES = re.compile(r"[^\S\xa0\u2007\u202f]+")
_JOINER = "\u200d"  # joins emoji into one: 👩 + U+200D + 💻 is 👩‍💻


def description(page: Page, body_html: str, site_description: str) -> str:
    """What search results and link previews say of ``page``: its summary; without one, the
    start of its text (its first paragraph with words, shortened to ``DESCRIPTION_LIMIT``),
    as Hugo describes a page; without text either, the site's description. The home page
    without a summary is described as the site is."""
    if page.front.summary:
        return page.front.summary
    if page.kind == "home":
        return site_description
    text = _FirstParagraph(body_html).text
    return _shortened(text, DESCRIPTION_LIMIT) if text else site_description


class _Found(Exception):
    """The first paragraph with words has ended: the rest of the page need not be read."""


class _FirstParagraph(HTMLParser):
    """The text of the first paragraph of ``body_html`` with a letter or digit in it, as a
    browser shows it: its tags read as a browser reads them (an attribute's value may hold
    ">", a comment is no text, a paragraph's end tag may be left out), a line break as a
    space, a non-breaking space kept, without footnote marks; "" if there is none."""

    def __init__(self, body_html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self._words: list[str] | None = None  # in a paragraph: its text so far
        # The elements open in the paragraph, each with whether it is (in) a footnote mark.
        self._open: list[tuple[str, bool]] = []
        try:
            self.feed(body_html)
            self.close()
            self._end()
        except _Found:
            pass

    def _end(self) -> None:
        if self._words is not None:
            text = _SPACES.sub(" ", "".join(self._words)).strip()
            if any(c.isalnum() for c in text):
                self.text = text
                raise _Found
        self._words, self._open = None, []

    def _skipping(self) -> bool:
        return bool(self._open) and self._open[-1][1]

    def handle_starttag(self, tag, attrs):
        if tag in ENDS_P:  # <p> among them
            self._end()
            self._words = [] if tag == "p" else None
        elif self._words is not None:
            if tag == "br":
                self._words.append(" ")
            elif tag not in VOID_ELEMENTS:
                classes = (dict(attrs).get("class") or "").split()
                self._open.append((tag, self._skipping() or not _FOOTNOTE_LINKS.isdisjoint(classes)))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)  # "/>" ends nothing in HTML

    def handle_endtag(self, tag):
        if self._words is None or tag in VOID_ELEMENTS:
            return
        if tag == "p" or all(name != tag for name, _ in self._open):
            self._end()  # the paragraph's end tag, or its parent's
            return
        while self._open.pop()[0] != tag:  # and the elements in it whose end tags were left out
            pass

    def handle_data(self, data):
        if self._words is not None and not self._skipping():
            self._words.append(data)


def _shortened(text: str, limit: int) -> str:
    """``text`` if it has at most ``limit`` characters, else cut after a whole word, with "…".
    A word longer than half the limit is cut inside, but not between a letter and its marks
    (an accent written after it) nor inside an emoji made of several joined by U+200D."""
    if len(text) <= limit:
        return text
    end = text.rfind(" ", 0, limit)  # the space after the last word that fits, "…" in its place
    if end <= limit // 2:  # (a letter with a hundred marks is cut among them)
        end = next((at for at in range(limit - 1, 0, -1) if not _parts_a_character(text, at)), limit - 1)
    return text[:end].rstrip(" ,;:-–—") + "…"


def _parts_a_character(text: str, at: int) -> bool:
    """Whether ``text`` cut before ``at`` parts a letter from its mark or an emoji from those
    joined to it."""
    return unicodedata.category(text[at]).startswith("M") or _JOINER in text[at - 1 : at + 1]


def json_ld(data: dict[str, Any]) -> Markup:
    """``data`` as JSON that is safe inside a ``<script>`` element of an HTML page."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    # U+2028 and U+2029 are valid in JSON but end a line in older JavaScript parsers.
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


def structured_data(site: Site, page: Page, logo_url: str, said: str) -> tuple[dict[str, Any], ...]:
    """The JSON-LD documents of a page: the organisation on the home page, an article on a
    news item, the breadcrumb trail on every page below the home page.

    ``logo_url`` is the site path of the logo (a fingerprinted asset); ``said``, the page's
    ``description``.
    """
    base = site.config.base_url
    language = site.config.language(page.lang)
    home = site.homes.get(page.lang)
    publisher = {
        "@type": "Organization",
        "name": language.title,
        "url": base + (home.url if home else "/"),
        "logo": {"@type": "ImageObject", "url": base + logo_url},
    }
    documents: list[dict[str, Any]] = []
    if page.kind == "home":
        documents.append({"@context": SCHEMA, **publisher, "description": language.description})
    if page.kind == "news":
        published = published_iso(page.front)
        documents.append(
            {
                "@context": SCHEMA,
                "@type": "NewsArticle",
                "headline": page.title,
                "description": said,
                "datePublished": published,
                "dateModified": published,
                "inLanguage": page.lang,
                "mainEntityOfPage": base + page.url,
                "url": base + page.url,
                "author": publisher,
                "publisher": publisher,
            }
        )
    trail = site.breadcrumbs(page)
    if len(trail) > 1:
        documents.append(
            {
                "@context": SCHEMA,
                "@type": "BreadcrumbList",
                "itemListElement": [
                    {
                        "@type": "ListItem",
                        "position": position,
                        "name": crumb.menu_title if position < len(trail) else crumb.title,
                        "item": base + crumb.url,
                    }
                    for position, crumb in enumerate(trail, 1)
                ],
            }
        )
    return tuple(documents)


def locale_alternates(site: Site, page: Page) -> tuple[str, ...]:
    """``og:locale:alternate``: the locales of the page's translations, such as ``nl_NL``."""
    return tuple(site.config.language(other.lang).locale_id for other in site.translations_of(page))
