"""Topics: the taxonomy news items list in their front matter (``topics: [ema, international]``),
declared once in site.yaml with a name and a slug per language (``config.Topic``).

Every topic that a published news item lists has a page in that item's language, in the
section of topics named in the language's own word (``TOPIC_SECTIONS``): ``/en/topics/ema/``
and ``/nl/themas/ema-en-regelgeving/`` are one topic's twins. A topic's list has pages of
``news_page_size`` items, numbered as the news list's are (``model.paginate``), and a feed of
its own; the section's own address is the index of the language's topics. Twins pair page by
page: page N of a topic links to page N of its twin, or to the twin's last page where it has
fewer, as the news list's pages do (``Site.numbered``).

Pure, and derived from the ``Site`` alone: from its settings and its pages' front matter,
which ``Site.inputs`` covers, so every step keyed by the site sees a change to a topic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from site_builder.config import SiteConfig, Topic
from site_builder.content.load import SourcePage
from site_builder.errors import Message, SiteError, msg
from site_builder.project import CONFIG_FILE
from site_builder.site.model import LanguageLink, Page, Pagination, Site, claimed_twice, paginate

# The section holding the topic pages, in each language's word: /en/topics/, /nl/themas/.
# A language not listed uses TOPIC_SECTION.
TOPIC_SECTIONS = {"en": "topics", "nl": "themas"}
TOPIC_SECTION = "topics"
FEED_FILE = "feed.xml"


def section_url(lang: str) -> str:
    """The address of the index of ``lang``'s topics: ``/nl/themas/``."""
    return f"/{lang}/{TOPIC_SECTIONS.get(lang, TOPIC_SECTION)}/"


def topic_url(topic: Topic, lang: str) -> str:
    """The address of the first page of ``topic`` in ``lang``: ``/nl/themas/ema-en-regelgeving/``."""
    return f"{section_url(lang)}{topic.slug(lang)}/"


@dataclass(frozen=True, slots=True)
class TopicLink:
    """A topic as a news item names it: its name and its page in the item's language."""

    name: str
    url: str


@dataclass(frozen=True, slots=True)
class TopicPage:
    """One topic in one language: the news items that list it, newest first, in pages."""

    topic: Topic
    lang: str
    items: tuple[Page, ...]
    paginations: tuple[Pagination, ...]

    @property
    def name(self) -> str:
        return self.topic.name(self.lang)

    @property
    def url(self) -> str:
        return self.paginations[0].url

    @property
    def feed_path(self) -> str:
        """The topic's Atom feed, beside its first page: ``nl/themas/ema-en-regelgeving/feed.xml``."""
        return self.url.strip("/") + "/" + FEED_FILE


@dataclass(frozen=True, slots=True)
class TopicIndex:
    """The index of one language's topics, at its section's address."""

    lang: str
    url: str
    topics: tuple[TopicPage, ...]  # by name


@dataclass(frozen=True, slots=True)
class Topics:
    """Every topic page of a site, with the twins that link them across the languages."""

    config: SiteConfig
    homes: Mapping[str, str]  # language code → its home page's address
    indexes: Mapping[str, TopicIndex]  # by language code; none where no item lists a topic

    def pages(self) -> tuple[TopicPage, ...]:
        """Every topic page, by language, then by name."""
        return tuple(page for code in sorted(self.indexes) for page in self.indexes[code].topics)

    def urls(self) -> frozenset[str]:
        """Every address the topics take: the indexes and each page of each topic."""
        return frozenset(
            [index.url for index in self.indexes.values()]
            + [pagination.url for page in self.pages() for pagination in page.paginations]
        )

    def versions(self, page: TopicPage | TopicIndex) -> dict[str, TopicPage | TopicIndex]:
        """The page in each language that has it, by language code: a topic's twins, or the indexes."""
        if isinstance(page, TopicIndex):
            return dict(self.indexes)
        return {
            code: twin
            for code, index in self.indexes.items()
            for twin in index.topics
            if twin.topic.key == page.topic.key
        }

    def alternates(self, page: TopicPage | TopicIndex, number: int = 1) -> tuple[tuple[str, str], ...]:
        """(hreflang, URL) for every language version of page ``number`` of ``page`` (each
        version's page ``number``, or its last where it has fewer), then ``x-default``: the
        default language's version, where there is one (as ``Site.alternates``)."""
        versions = self.versions(page)
        result = [(code, _numbered(versions[code], number)[0]) for code in sorted(versions)]
        default = versions.get(self.config.default_language)
        if default is not None:
            result.append(("x-default", _numbered(default, number)[0]))
        return tuple(result)

    def language_links(self, page: TopicPage | TopicIndex, number: int = 1) -> tuple[LanguageLink, ...]:
        """One link per other language: page ``number`` of the twin (else its last page), else
        that language's index of topics, else its home page (as ``Site.language_links``)."""
        versions = self.versions(page)
        links = []
        for language in self.config.languages:
            if language.code == page.lang:
                continue
            if language.code in versions:
                links.append(LanguageLink(language, *_numbered(versions[language.code], number)))
            elif language.code in self.indexes:
                links.append(LanguageLink(language, self.indexes[language.code].url, False))
            elif language.code in self.homes:
                links.append(LanguageLink(language, self.homes[language.code], False))
        return tuple(links)


def _numbered(page: TopicPage | TopicIndex, number: int) -> tuple[str, bool]:
    """The address of page ``number`` of ``page``, or of its last where it has fewer, and
    whether it has that page."""
    if isinstance(page, TopicIndex):
        return page.url, number <= 1
    listing = page.paginations
    return listing[min(number, len(listing)) - 1].url, number <= len(listing)


def topics_of(site: Site) -> Topics:
    """The site's topic pages: for each language, each declared topic that a published news
    item in that language lists."""
    listed: dict[tuple[str, str], list[Page]] = defaultdict(list)
    for code, items in site.news.items():
        for page in items:  # newest first
            for key in page.front.topics:
                listed[(code, key)].append(page)
    indexes = {}
    size = site.config.news_page_size
    for code in site.config.codes:
        pages = [
            TopicPage(topic, code, items, paginate(topic_url(topic, code), code, items, size))
            for topic in site.config.topics
            for items in [tuple(listed.get((code, topic.key), ()))]
            if items
        ]
        if pages:
            by_name = tuple(sorted(pages, key=lambda page: (page.name.casefold(), page.topic.key)))
            indexes[code] = TopicIndex(code, section_url(code), by_name)
    return Topics(site.config, {code: home.url for code, home in site.homes.items()}, indexes)


def topic_links(config: SiteConfig, page: Page) -> tuple[TopicLink, ...]:
    """The topics ``page`` lists, each with its page in the page's language (which exists:
    ``page`` is on it), in the order the page lists them."""
    declared = {topic.key: topic for topic in config.topics}
    return tuple(
        TopicLink(declared[key].name(page.lang), topic_url(declared[key], page.lang))
        for key in page.front.topics
        if key in declared
    )


def index_url(site: Site, lang: str) -> str | None:
    """The address of ``lang``'s index of topics, if it has one (see ``topics_of``)."""
    declared = {topic.key for topic in site.config.topics}
    listed = any(key in declared for page in site.news.get(lang, ()) for key in page.front.topics)
    return section_url(lang) if listed else None


def topic_problems(site: Site, sources: Iterable[SourcePage]) -> list[SiteError]:
    """Topics that ``sources`` list and site.yaml does not declare (drafts' too: the preview
    shows them), news items whose topics differ from their translation's (the twins of a
    topic page list the same items), and addresses a topic page shares with a page."""
    declared = [topic.key for topic in site.config.topics]
    errors = []
    for source in sources:
        for number, key in enumerate(source.front.topics, 1):
            if key not in declared:
                errors.append(
                    SiteError(
                        msg("unknown topic '{topic}'", topic=key),
                        source.path,
                        source.front.lines.get(f"topics[{number}]"),
                        _declared(declared),
                    )
                )
    if errors:  # a translation then mostly differs for the same mistake: one line says it
        return errors
    errors += _differences(site)
    errors += _shared_addresses(site, topics_of(site))
    return errors


def _declared(keys: list[str]) -> Message:
    if not keys:
        return msg("site.yaml declares no topics: add them under topics: there (docs/content.md#topics)")
    return msg("the topics declared in site.yaml are: {topics}", topics=", ".join(keys))


def _differences(site: Site) -> list[SiteError]:
    """A translation that lists other topics than its reference (the default language's
    version, else the first by code): an error, as key figures that differ are, since the
    twins of a topic page would list other items."""
    errors = []
    for page in site.pages:
        if page.kind != "news":
            continue
        group = {other.lang: other for other in site.translations_of(page)} | {page.lang: page}
        ref = group.get(site.config.default_language) or group[min(group)]
        if ref is page or ref.kind != "news" or sorted(page.front.topics) == sorted(ref.front.topics):
            continue
        where = ref.path
        if "topics" in ref.front.lines:
            where = f"{ref.path}:{ref.front.lines['topics']}"
        errors.append(
            SiteError(
                msg(
                    "{field} {mine} differs from {where} ({theirs})",
                    field="topics",
                    mine=", ".join(page.front.topics) or msg("(none)"),
                    where=where,
                    theirs=", ".join(ref.front.topics) or msg("(none)"),
                ),
                page.path,
                page.front.lines.get("topics"),
                msg("a news item and its translation have the same {field}", field="topics"),
            )
        )
    return errors


def _shared_addresses(site: Site, topics: Topics) -> list[SiteError]:
    taken = topics.urls() & (site.urls | {alias for page in site.pages for alias in page.front.aliases})
    errors = []
    for url in sorted(taken):
        page = next((p for p in site.pages if p.url == url or url in p.front.aliases), None)
        errors.append(claimed_twice(url, page, f"{CONFIG_FILE} (topics)", CONFIG_FILE))
    return errors
