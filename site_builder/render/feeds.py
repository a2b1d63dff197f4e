"""Machine-readable outputs: ``sitemap.xml`` with hreflang alternates, Atom feeds, ``robots.txt``.

URLs and alternates come from the ``Site``, the same source the HTML ``<head>``
uses, so the two always agree. No clock is read: a feed's ``updated`` is its
newest item's date.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from collections.abc import Mapping

from site_builder.render.markup import RenderedPage
from site_builder.site.files import OutputFile
from site_builder.site.model import Site
from site_builder.site.topics import TopicIndex, TopicPage, topics_of

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
ATOM_NS = "http://www.w3.org/2005/Atom"
ET.register_namespace("", SITEMAP_NS)
ET.register_namespace("xhtml", XHTML_NS)


# Feed readers poll the feed often; the newest items are what they need, and
# the size of the file stays the same however large the archive grows.
FEED_ITEMS = 50


def feed_path(lang: str) -> str:
    return f"{lang}/feed.xml"


def render_feeds(site: Site, bodies: Mapping[tuple[str, str], RenderedPage]) -> tuple[OutputFile, ...]:
    files = [sitemap(site), robots(site)]
    files += [atom_feed(site, code, bodies) for code in site.config.codes]
    files += [topic_feed(site, topic, bodies) for topic in topics_of(site).pages()]
    return tuple(sorted(files, key=lambda f: f.path))


def sitemap(site: Site) -> OutputFile:
    base = site.config.base_url
    urlset = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    # Every page, and the news lists' later pages, each with the alternates its <head> names.
    listed = [(page.url, page, 1) for page in site.pages] + [
        (pagination.url, page, pagination.number)
        for page in site.pages
        if page.kind == "news-list"
        for pagination in site.news_pages.get(page.lang, ())[1:]
    ]
    # The topic pages (see site.topics), each with its twins as its <head> names them.
    topics = topics_of(site)
    listed += [(index.url, index, 1) for index in topics.indexes.values()]
    listed += [(p.url, topic, p.number) for topic in topics.pages() for p in topic.paginations]
    for address, page, number in sorted(listed, key=lambda item: item[0]):
        entry = ET.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(entry, f"{{{SITEMAP_NS}}}loc").text = base + address
        if isinstance(page, TopicPage | TopicIndex):
            alternates = topics.alternates(page, number) if len(topics.versions(page)) > 1 else ()
        else:
            if page.front.date is not None and number == 1:
                ET.SubElement(entry, f"{{{SITEMAP_NS}}}lastmod").text = page.front.date.isoformat()
            alternates = site.alternates(page, number) if site.translations_of(page) else ()
        for hreflang, url in alternates:
            ET.SubElement(
                entry,
                f"{{{XHTML_NS}}}link",
                {"rel": "alternate", "hreflang": hreflang, "href": base + url},
            )
    return OutputFile("sitemap.xml", _xml(urlset))


def robots(site: Site) -> OutputFile:
    text = f"User-agent: *\nAllow: /\n\nSitemap: {site.config.base_url}/sitemap.xml\n"
    return OutputFile("robots.txt", text.encode("utf-8"))


def atom_feed(site: Site, code: str, bodies: Mapping[tuple[str, str], RenderedPage]) -> OutputFile:
    language = site.config.language(code)
    listing = site.news_pages.get(code)
    html_url = listing[0].url if listing else f"/{code}/"
    items = site.news.get(code, ())
    return _feed(site, code, feed_path(code), language.title, language.description, html_url, items, bodies)


def topic_feed(site: Site, topic: TopicPage, bodies: Mapping[tuple[str, str], RenderedPage]) -> OutputFile:
    """The feed of one topic's news items in one language, beside the topic's first page."""
    title = f"{topic.name} | {site.config.language(topic.lang).title}"
    return _feed(site, topic.lang, topic.feed_path, title, "", topic.url, topic.items, bodies)


def _feed(
    site: Site, code: str, path: str, title: str, subtitle: str, html_url: str, items, bodies
) -> OutputFile:
    """The Atom feed at ``path`` of ``items`` (newest first, the first ``FEED_ITEMS``), whose
    page is ``html_url``."""
    base = site.config.base_url
    language = site.config.language(code)
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": code})
    ET.SubElement(feed, f"{{{ATOM_NS}}}id").text = base + "/" + path
    ET.SubElement(feed, f"{{{ATOM_NS}}}title").text = title
    if subtitle:
        ET.SubElement(feed, f"{{{ATOM_NS}}}subtitle").text = subtitle
    newest = items[0].front.date if items else datetime.date(1970, 1, 1)
    ET.SubElement(feed, f"{{{ATOM_NS}}}updated").text = _timestamp(newest)
    ET.SubElement(feed, f"{{{ATOM_NS}}}link", {"rel": "self", "href": base + "/" + path})
    ET.SubElement(
        feed, f"{{{ATOM_NS}}}link", {"rel": "alternate", "type": "text/html", "href": base + html_url}
    )
    author = ET.SubElement(feed, f"{{{ATOM_NS}}}author")
    ET.SubElement(author, f"{{{ATOM_NS}}}name").text = language.title
    for page in items[:FEED_ITEMS]:
        entry = ET.SubElement(feed, f"{{{ATOM_NS}}}entry")
        ET.SubElement(entry, f"{{{ATOM_NS}}}id").text = base + page.url
        ET.SubElement(entry, f"{{{ATOM_NS}}}title").text = page.title
        ET.SubElement(
            entry, f"{{{ATOM_NS}}}link", {"rel": "alternate", "type": "text/html", "href": base + page.url}
        )
        ET.SubElement(entry, f"{{{ATOM_NS}}}published").text = _timestamp(page.front.date)
        ET.SubElement(entry, f"{{{ATOM_NS}}}updated").text = _timestamp(page.front.date)
        if page.front.summary:
            ET.SubElement(entry, f"{{{ATOM_NS}}}summary").text = page.front.summary
        body = bodies[(page.lang, page.url)].body.html
        ET.SubElement(entry, f"{{{ATOM_NS}}}content", {"type": "html"}).text = _absolute_links(body, base)
    return OutputFile(path, _xml(feed, default_namespace=ATOM_NS))


def _absolute_links(html: str, base: str) -> str:
    """Feed readers resolve relative links against the feed, not the page: make them absolute."""
    return html.replace('href="/', f'href="{base}/').replace('src="/', f'src="{base}/')


def _timestamp(day: datetime.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _xml(element: ET.Element, default_namespace: str | None = None) -> bytes:
    if default_namespace:
        _strip_namespace(element, default_namespace)
        element.set("xmlns", default_namespace)
    ET.indent(element)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True) + b"\n"


def _strip_namespace(element: ET.Element, namespace: str) -> None:
    prefix = f"{{{namespace}}}"
    for node in element.iter():
        if isinstance(node.tag, str) and node.tag.startswith(prefix):
            node.tag = node.tag[len(prefix) :]
