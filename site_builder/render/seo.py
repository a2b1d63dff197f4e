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

from site_builder.checks.html_policy import Structure
from site_builder.content.frontmatter import DESCRIPTION_LIMIT, published_iso
from site_builder.site.model import Page, Site

SCHEMA = "https://schema.org"
# The marks of footnotes in the text and the links back to them, which are no words of it.
_FOOTNOTE_LINKS = frozenset({"footnote-ref", "footnote-backref"})
# Spaces and line breaks, read as one space: not the spaces that join words (10&nbsp;km).
_SPACES = re.compile(r"[^\S\xa0\u2007\u202f]+")
_JOINER = "\u200d"  # joins emoji into one: 👩 + U+200D + 💻 is 👩‍💻
# An element open at some point of the page, with its place among those open (see Structure).
_Marked = tuple[int, object] | None
# A list and its items: a paragraph in them is a piece of the list, not the start of the text.
_LISTS = frozenset({"ul", "ol", "li", "dl", "dt", "dd"})
# A word that is a web or e-mail address, such as Markdown makes a link of: <https://…>, <me@…>.
_ADDRESS = re.compile(r"(?:[a-z][a-z\d+.-]*://|www\.|mailto:)\S*|[^\s@]+@[^\s@]+\.[^\s@]+", re.IGNORECASE)


def description(page: Page, body_html: str, site_description: str, suffix: str = "") -> str:
    """What search results and link previews say of ``page``: its description; without one, its
    summary; without either, the start of its text (its first paragraph with words, shortened
    to ``DESCRIPTION_LIMIT``), as Hugo describes a page; without text either, the site's
    description. The home page without either is described as the site is. ``suffix`` (a list
    page's number, say) follows, and the text is shortened to leave room for it."""
    written = page.front.description or page.front.summary
    if written:
        # Whole, as written (the build warns about one too long), unless only the suffix
        # makes it so.
        if not suffix or len(written) + len(suffix) <= DESCRIPTION_LIMIT:
            return written + suffix
        text = written
    elif page.kind == "home":
        return site_description + suffix
    else:
        text = _FirstParagraph(body_html).text
        if not text:
            return site_description + suffix
    # A suffix longer than half the limit (a translator's slip) leaves the text half of it.
    return _shortened(text, max(DESCRIPTION_LIMIT - len(suffix), DESCRIPTION_LIMIT // 2)) + suffix


class _Found(Exception):
    """The first paragraph with words has ended: the rest of the page need not be read."""


class _FirstParagraph(HTMLParser):
    """The text of the first paragraph of ``body_html`` that says something of the page, as a
    browser shows it; "" if there is none.

    Such a paragraph has a letter or digit in it, and words that are not all web or e-mail
    addresses (an autolink alone on its line says nothing of the page). It is in no list: an
    item is a piece of a list, whether or not Markdown puts it in a <p> (as it does when a blank
    line separates the items), and rarely a sentence saying what the page is about. Its tags
    are read as a browser reads them (an attribute's value may hold ">", a comment is no text,
    end tags may be left out, see ``Structure``); a line break is a space, a non-breaking space
    is kept; what a reader is not shown (``hidden``, ``aria-hidden="true"``) and footnote marks
    are left out."""

    def __init__(self, body_html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self._elements = Structure()  # the elements open at this point of the page
        self._words: list[str] | None = None  # in a paragraph: its text so far
        self._paragraph: _Marked = None  # the paragraph being read
        self._unread: _Marked = None  # the outermost open element whose text is not read
        try:
            self.feed(body_html)
            self.close()
            if self._words is not None:
                self._end()
        except _Found:
            pass

    def _is_open(self, marked: _Marked) -> bool:
        open_ = self._elements.stack
        return marked is not None and len(open_) > marked[0] and open_[marked[0]] is marked[1]

    def _end(self) -> None:
        text = _SPACES.sub(" ", "".join(self._words or ())).strip()
        self._words = None
        if any(c.isalnum() for c in text) and not all(map(_ADDRESS.fullmatch, text.split(" "))):
            self.text = text
            raise _Found

    def handle_starttag(self, tag, attrs):
        # What is written and where only name a problem, which the raw-HTML policy reports.
        self._elements.start(tag, "", 0)
        if self._words is not None and not self._is_open(self._paragraph):
            self._end()  # the start tag of a block, such as <p>, ended the paragraph
        if self._is_open(self._unread):
            return
        open_ = self._elements.stack
        if tag == "br" and self._words is not None:
            self._words.append(" ")
        elif open_ and open_[-1].tag == tag:  # not an element without content, such as <img>
            here = (len(open_) - 1, open_[-1])
            if attrs and _left_out(dict(attrs)):
                self._unread = here
            elif tag == "p" and _LISTS.isdisjoint(element.tag for element in open_):
                self._paragraph, self._words = here, []

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)  # "/>" ends nothing in HTML

    def handle_endtag(self, tag):
        self._elements.end(tag, "", 0)
        if self._words is not None and not self._is_open(self._paragraph):
            self._end()  # the paragraph's end tag, or its parent's

    def handle_data(self, data):
        if self._words is not None and not self._is_open(self._unread):
            self._words.append(data)


def _left_out(attributes: dict[str, str | None]) -> bool:
    """Whether an element with ``attributes`` holds no text of the page's: what readers are
    not shown (``hidden``, even until found; ``aria-hidden`` to those who listen to the page),
    and the marks of footnotes and links back to them."""
    return (
        "hidden" in attributes
        or (attributes.get("aria-hidden") or "").lower() == "true"
        or not _FOOTNOTE_LINKS.isdisjoint((attributes.get("class") or "").split())
    )


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
