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
from html import unescape
from typing import Any

from markupsafe import Markup

from site_builder.content.frontmatter import published_iso
from site_builder.site.model import Page, Site

SCHEMA = "https://schema.org"
# About as much of a description as search engines show; a longer one is cut off there.
DESCRIPTION_LIMIT = 160
_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.S)
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")


def description(page: Page, body_html: str, site_description: str) -> str:
    """What search results and link previews say of ``page``: its summary; without one, the
    start of its text (its first paragraph with words, shortened to ``DESCRIPTION_LIMIT``),
    as Hugo describes a page; without text either, the site's description. The home page
    without a summary is described as the site is."""
    if page.front.summary:
        return page.front.summary
    if page.kind == "home":
        return site_description
    for paragraph in _PARAGRAPH.finditer(body_html):
        text = " ".join(unescape(_TAG.sub("", paragraph.group(1))).split())
        if text:
            return _shortened(text, DESCRIPTION_LIMIT)
    return site_description


def _shortened(text: str, limit: int) -> str:
    """``text`` if it has at most ``limit`` characters, else cut after a whole word, with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:  # a word longer than half the limit is cut inside
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


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
