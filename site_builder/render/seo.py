"""What search engines and link previews read: structured data (JSON-LD) and social metadata.

Pure: a page of the ``Site`` in, plain data out. JSON-LD is serialised here,
with sorted keys so the output is the same on every build, and with ``<``,
``>`` and ``&`` escaped as JSON ``\\u`` sequences so that no text from content
can end the ``<script type="application/ld+json">`` element that holds it.
Every URL in it is absolute.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from site_builder.content.frontmatter import published_iso
from site_builder.site.model import Page, Site

SCHEMA = "https://schema.org"


def json_ld(data: dict[str, Any]) -> Markup:
    """``data`` as JSON that is safe inside a ``<script>`` element of an HTML page."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    # U+2028 and U+2029 are valid in JSON but end a line in older JavaScript parsers.
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


def structured_data(site: Site, page: Page, logo_url: str) -> tuple[dict[str, Any], ...]:
    """The JSON-LD documents of a page: the organisation on the home page, an article on a
    news item, the breadcrumb trail on every page below the home page.

    ``logo_url`` is the site path of the logo (a fingerprinted asset).
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
                "description": page.front.summary or language.description,
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
