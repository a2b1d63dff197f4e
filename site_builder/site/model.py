"""Sources → ``Site``: URLs, sections, translations, menus, news order and pagination.

Pure: no I/O, no Markdown, no templates. Every problem found here (an unsafe
or duplicate URL, two pages claiming one translation) is collected and raised
once as ``SiteErrors``.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from site_builder.config import Language, SiteConfig
from site_builder.content.frontmatter import INDEX_FILE, NEWS_SECTION, SLUG, SLUG_HINT
from site_builder.content.load import SourcePage
from site_builder.errors import Message, SiteError, msg, raise_if_any

DEFAULT_TEMPLATES = {
    "home": "home.html",
    "section": "section.html",
    "news-list": "news_list.html",
    "news": "news_item.html",
    "key-figures": "key_figures.html",
    "swot": "swot.html",
    "page": "page.html",
}

# The word before the number in the address of a news list's later pages, per language:
# /en/news/page/2/, /nl/nieuws/pagina/2/. A language not listed uses PAGE_SEGMENT.
PAGE_SEGMENTS = {"en": "page", "nl": "pagina"}
PAGE_SEGMENT = "page"


def page_segment(lang: str) -> str:
    return PAGE_SEGMENTS.get(lang, PAGE_SEGMENT)


@dataclass(frozen=True, slots=True, eq=False)  # one object per page: compared by identity
class Page:
    """A page of the site: its source, its address, its section and its template."""

    source: SourcePage
    key: str  # shared by a page and its translations
    url: str  # "/nl/nieuws/intentieverklaring/"
    section: str  # folder the page lists under, "/"-separated ("" for the home page's children)
    template: str
    # Dated after the build's day (shown only with --future and in the preview, marked as such).
    ahead: bool = False

    @property
    def lang(self) -> str:
        return self.source.lang

    @property
    def kind(self) -> str:
        return self.source.kind

    @property
    def front(self):
        return self.source.doc.front

    @property
    def title(self) -> str:
        return self.front.title

    @property
    def menu_title(self) -> str:
        return self.front.menu_title or self.front.title

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def output_path(self) -> str:
        return url_to_file(self.url)


@dataclass(frozen=True, slots=True)
class LanguageLink:
    """An entry of a page's language switcher."""

    language: Language
    url: str
    is_translation: bool  # False: no translation; the link goes to the nearest section that has one


@dataclass(frozen=True, slots=True)
class Pagination:
    """One page of the news list."""

    number: int  # 1-based
    total: int
    url: str
    items: tuple[Page, ...]
    previous_url: str | None
    next_url: str | None
    # Where the language has a word of its own, the page's address with PAGE_SEGMENT instead
    # (/nl/nieuws/page/2/), unless a page has it: it redirects here (see output/cdn), so that
    # links to it keep working.
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Site:
    """Every page, with the menus, news lists and translations that link them."""

    config: SiteConfig
    pages: tuple[Page, ...]  # sorted by language, then URL
    homes: Mapping[str, Page]
    menus: Mapping[str, tuple[Page, ...]]
    news: Mapping[str, tuple[Page, ...]]  # newest first
    news_pages: Mapping[str, tuple[Pagination, ...]]
    include_drafts: bool
    _translations: Mapping[str, Mapping[str, Page]]
    _by_source: Mapping[tuple[str, str], Page]  # (language, path inside content/<lang>/) → page
    _children: Mapping[tuple[str, str], tuple[Page, ...]]  # (language, folder) → pages listed
    _news_positions: Mapping[str, int]  # news item URL → its index in news[lang]
    urls: frozenset[str]  # every HTML page URL of the site, pagination included
    inputs: str  # a key for everything about the site but its pages' bodies, see site_inputs
    # (translation key, language) → the file of a page left out: a draft (False), or a page not
    # translated yet (True); what a missing translation's hint names.
    held_back: Mapping[tuple[str, str], tuple[str, bool]] = field(default_factory=dict)
    # Pages held back because of their dates: those not due yet (due after ``today``, unless
    # shown with --future) and those expired, as (file, the day it is due or expired).
    scheduled: tuple[tuple[SourcePage, datetime.date], ...] = ()
    # The first day after ``today`` on which a page comes due or expires: a build on that day
    # makes another site even if no file changed (see ``record``).
    next_change: datetime.date | None = None

    def translations_of(self, page: Page) -> tuple[Page, ...]:
        """The page's counterparts in the other languages, by language code."""
        group = self._translations[page.key]
        return tuple(group[code] for code in sorted(group) if code != page.lang)

    def translation(self, page: Page, lang: str) -> Page | None:
        return self._translations[page.key].get(lang)

    def alternates(self, page: Page, number: int = 1) -> tuple[tuple[str, str], ...]:
        """(hreflang, URL) for every language version of the page, then ``x-default``.

        ``x-default`` is the root language chooser for home pages, otherwise the
        default language's version where one exists. Pages and the sitemap both use this.
        For page ``number`` of a news list, each version is that page of the language's
        list, or its last where it has fewer (see ``numbered``).
        """
        group = self._translations[page.key]
        result = [(code, self.numbered(group[code], number)[0]) for code in sorted(group)]
        if page.kind == "home":
            result.append(("x-default", "/"))
        elif self.config.default_language in group:
            result.append(("x-default", self.numbered(group[self.config.default_language], number)[0]))
        return tuple(result)

    def numbered(self, page: Page, number: int) -> tuple[str, bool]:
        """The address of page ``number`` of ``page`` (a news list), or of its last page where
        it has fewer, and whether it has that page; ``page``'s own address for any other page."""
        listing = self.news_pages.get(page.lang, ()) if page.kind == "news-list" else ()
        if number <= 1 or not listing:
            return page.url, True
        return listing[min(number, len(listing)) - 1].url, number <= len(listing)

    def language_links(self, page: Page, number: int = 1) -> tuple[LanguageLink, ...]:
        """One link per other language: the translation (for page ``number`` of a news list,
        that page of the other list, else its last), else that language's nearest section."""
        links = []
        for language in self.config.languages:
            if language.code == page.lang:
                continue
            translation = self.translation(page, language.code)
            if translation is not None:
                links.append(LanguageLink(language, *self.numbered(translation, number)))
                continue
            # The nearest enclosing section that exists in that language.
            for parent in reversed(self.breadcrumbs(page)[:-1]):
                counterpart = self.translation(parent, language.code)
                if counterpart is not None:
                    links.append(LanguageLink(language, counterpart.url, False))
                    break
            else:
                if language.code in self.homes:
                    links.append(LanguageLink(language, self.homes[language.code].url, False))
        return tuple(links)

    def page_for_source(self, lang: str, rel: str) -> Page | None:
        """The page made from ``content/<lang>/<rel>`` (``rel`` "/"-separated), if any."""
        return self._by_source.get((lang, rel))

    def page_named(self, lang: str, rel: str) -> Page | None:
        """The page in ``lang`` made from ``content/<lang>/<rel>``, else the translation in
        ``lang`` of the page made from ``<rel>`` in another language (the default language
        first): templates name pages by one file name, and a language may name its own
        file otherwise (``kerncijfers.md`` for ``key-figures.md``)."""
        found = self._by_source.get((lang, rel))
        if found is not None:
            return found
        default = self.config.default_language
        for code in sorted(self.config.codes, key=lambda code: (code != default, code)):
            other = self._by_source.get((code, rel)) if code != lang else None
            if other is not None and self.translation(other, lang) is not None:
                return self.translation(other, lang)
        return None

    def children(self, page: Page) -> tuple[Page, ...]:
        """Pages listed by a section page (the home page lists the top level)."""
        if page.kind not in ("home", "section", "news-list"):
            return ()
        return self._children.get((page.lang, page.source.folder), ())

    def breadcrumbs(self, page: Page) -> tuple[Page, ...]:
        """Home, then each enclosing section's page, ending with the page itself."""
        trail = [page]
        folder = _enclosing(page.source.folder) if page.source.is_index else page.source.folder
        while folder is not None:
            parent = self._by_source.get((page.lang, f"{folder}/{INDEX_FILE}" if folder else INDEX_FILE))
            if parent is not None:
                trail.append(parent)
            folder = _enclosing(folder)
        return tuple(reversed(trail))

    def news_neighbours(self, page: Page) -> tuple[Page | None, Page | None]:
        """(newer, older) news items next to ``page``."""
        items = self.news.get(page.lang, ())
        index = self._news_positions.get(page.url)
        if index is None:
            return None, None
        newer = items[index - 1] if index > 0 else None
        older = items[index + 1] if index + 1 < len(items) else None
        return newer, older


def site_inputs(
    config: SiteConfig, include_drafts: bool, pages: Iterable[Page], held_back: Iterable[str] = ()
) -> str:
    """A key for everything about a site but its pages' bodies: settings, front matter, addresses,
    and the files of the pages left out (``held_back``)."""
    digest = hashlib.sha256(repr((config, include_drafts)).encode("utf-8"))
    for page in pages:
        digest.update(f"{page.path}\0{page.url}\0{page.source.doc.front_digest}\0".encode())
    for path in held_back:
        digest.update(f"{path}\0".encode())
    return digest.hexdigest()


# Latin letters that Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans({"æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ł": "l", "ı": "i"})


def slugify(text: str) -> str:
    """A URL-safe slug: ASCII lower-case letters, digits and single hyphens."""
    if SLUG.fullmatch(text):
        return text  # already a slug
    # Accents are dropped (é → e, Ø → o); any other character outside a-z0-9,
    # such as the en dash in "2019–2022", separates words.
    decomposed = unicodedata.normalize("NFKD", re.sub("['’]", "", text)).casefold().translate(_LETTERS)
    letters = "".join(c for c in unicodedata.normalize("NFKD", decomposed) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", letters).strip("-")


def url_to_file(url: str) -> str:
    """``/nl/nieuws/`` → ``nl/nieuws/index.html``."""
    return url.strip("/") + "/index.html" if url.strip("/") else "index.html"


def build_site(
    config: SiteConfig,
    sources: Iterable[SourcePage],
    include_drafts: bool = False,
    today: datetime.date | None = None,
    future: bool = False,
) -> Site:
    """The site of ``sources`` as published on ``today`` (None: every page whatever its dates):
    pages due later are held back unless ``future``, expired pages always."""
    # A page created for translation and not translated yet is as unfinished as a draft.
    published: list[SourcePage] = []
    held: list[SourcePage] = []
    scheduled: list[tuple[SourcePage, datetime.date]] = []
    ahead: set[str] = set()
    changes: list[datetime.date] = []
    for source in sources:
        unfinished = source.front.draft or source.front.awaiting_translation
        if unfinished and not include_drafts:
            held.append(source)
            continue
        due, expiry = source.front.due, source.front.expiry_date
        if today is not None and expiry is not None and expiry <= today:
            scheduled.append((source, expiry))
            continue
        if today is not None and due is not None and due > today:
            changes.append(due)
            if not future:
                scheduled.append((source, due))
                continue
            ahead.add(source.path)
        if today is not None and expiry is not None:
            changes.append(expiry)
        published.append(source)
    sources = tuple(published)
    held_back = {(translation_key(s), s.lang): (s.path, not s.front.draft) for s in held}
    errors: list[SiteError] = []
    index_pages = {(s.lang, s.folder): s for s in sources if s.is_index}
    folders: dict[tuple[str, str], str] = {}  # (language, folder) → its URL; pages share their folder's

    pages: list[Page] = []
    for source in sources:
        url = _url(source, index_pages, folders, errors)
        if url is None:
            continue
        template = source.doc.front.template or DEFAULT_TEMPLATES[source.kind]
        # A folder's own page is listed in the folder that holds it, with the folder.
        section = (_enclosing(source.folder) or "") if source.is_index else source.folder
        pages.append(Page(source, translation_key(source), url, section, template, source.path in ahead))
    pages.sort(key=lambda p: (p.lang, p.url))

    translations = _pair_translations(pages, errors)
    news = _news(pages)
    news_pages = _paginate(config, pages, news)
    _check_unique_urls(pages, news_pages, errors)
    raise_if_any(errors)

    homes = {p.lang: p for p in pages if p.kind == "home"}
    in_menu: dict[str, list[Page]] = defaultdict(list)
    for page in pages:
        if page.front.menu:
            in_menu[page.lang].append(page)
    menus = {code: tuple(sorted(in_menu.get(code, ()), key=_order)) for code in config.codes}
    return Site(
        config=config,
        pages=tuple(pages),
        homes=homes,
        menus=menus,
        news=news,
        news_pages=news_pages,
        include_drafts=include_drafts,
        _translations=translations,
        _by_source={(p.lang, p.source.rel): p for p in pages},
        _children=_children(pages, news),
        _news_positions={page.url: index for items in news.values() for index, page in enumerate(items)},
        urls=frozenset([page.url for page in pages] + [p.url for ps in news_pages.values() for p in ps]),
        # The pages held back for their dates, and those shown ahead of them, change with the
        # day: every step keyed by the site sees them.
        inputs=site_inputs(
            config,
            include_drafts,
            pages,
            sorted(path for path, _ in held_back.values())
            + sorted(f"scheduled:{source.path}" for source, _ in scheduled)
            + sorted(f"ahead:{path}" for path in ahead),
        ),
        held_back=held_back,
        scheduled=tuple(sorted(scheduled, key=lambda item: (item[1], item[0].path))),
        next_change=min(changes) if changes else None,
    )


def held_back_line(site: Site) -> Message | None:
    """How many pages are held back until a later day and when the first is due, as one line;
    None if none is. Expired pages are not counted: nothing brings them back."""
    waiting = [(due, source.path) for source, due in site.scheduled if not _expired(source, due)]
    if not waiting:
        return None
    due, path = min(waiting)
    if len(waiting) == 1:
        return msg(
            "held back 1 page dated after today; the next, {path}, is due {day}",
            path=path,
            day=due.isoformat(),
        )
    return msg(
        "held back {count} pages dated after today; the next, {path}, is due {day}",
        count=len(waiting),
        path=path,
        day=due.isoformat(),
    )


def _expired(source: SourcePage, day: datetime.date) -> bool:
    # A page is held back on its expiry day or on the day it is due, never both: the front
    # matter refuses an expiry_date that is not after the day the page is published.
    return source.front.expiry_date == day


def _order(page: Page) -> tuple:
    return (page.front.weight, page.title.casefold(), page.url)


def _slug(source: SourcePage, name: str, errors: list[SiteError]) -> str | None:
    """The URL segment for a page or a folder: its ``slug``, else its name made URL-safe."""
    front = source.doc.front
    if front.slug is not None:
        return front.slug
    if SLUG.fullmatch(name):
        return name
    slug = slugify(name)
    if not SLUG.fullmatch(slug):
        errors.append(
            SiteError(
                msg("cannot make a web address from the name '{name}'", name=name),
                source.path,
                1,
                msg("add a 'slug:' line; {rule}", rule=SLUG_HINT),
            )
        )
        return None
    return slug


def _enclosing(folder: str) -> str | None:
    """The folder that holds ``folder`` ("" for the top); None for the top itself."""
    return folder.rpartition("/")[0] if folder else None


def _url(source: SourcePage, index_pages, folders: dict[tuple[str, str], str], errors) -> str | None:
    """``/<lang>/<section slugs>/<page slug>/``."""
    folder = source.folder
    prefix = folders.get((source.lang, folder))
    if prefix is None:
        segments = [source.lang]
        path = ""
        for part in folder.split("/") if folder else ():
            path = f"{path}/{part}" if path else part
            index = index_pages.get((source.lang, path))
            segment = _slug(index, part, errors) if index is not None else _folder_slug(source, part, errors)
            if segment is None:
                return None  # not remembered: every page in the folder reports it
            segments.append(segment)
        prefix = folders[(source.lang, folder)] = "/" + "/".join(segments) + "/"
    if source.is_index:
        return prefix
    segment = _slug(source, source.rel.rpartition("/")[2].removesuffix(".md"), errors)  # pages are .md files
    return None if segment is None else f"{prefix}{segment}/"


def _folder_slug(source: SourcePage, name: str, errors: list[SiteError]) -> str | None:
    slug = slugify(name)
    if not SLUG.fullmatch(slug):
        errors.append(
            SiteError(
                msg("cannot make a web address from the folder name '{name}'", name=name),
                source.path,
                hint=msg("add an _index.md with a 'slug:' line to the folder; {rule}", rule=SLUG_HINT),
            )
        )
        return None
    return slug


def translation_key(source: SourcePage) -> str:
    """The key shared by a page and its translations: its ``translation_key``, else its path."""
    if source.doc.front.translation_key:
        return "key:" + source.doc.front.translation_key
    return "path:" + source.rel.removesuffix(".md")  # pages are .md files


def _pair_translations(pages: list[Page], errors: list[SiteError]) -> dict[str, dict[str, Page]]:
    groups: dict[str, dict[str, list[Page]]] = defaultdict(lambda: defaultdict(list))
    for page in pages:
        groups[page.key][page.lang].append(page)
    result: dict[str, dict[str, Page]] = {}
    for key, by_lang in groups.items():
        for lang, claimants in by_lang.items():
            if len(claimants) > 1:
                files = ", ".join(p.path for p in claimants)
                for page in claimants:
                    errors.append(
                        SiteError(
                            msg(
                                "translation_key '{key}' is used by {count} '{lang}' pages: {files}",
                                key=key[4:],
                                count=len(claimants),
                                lang=lang,
                                files=files,
                            ),
                            page.path,
                            page.front.lines.get("translation_key"),
                            msg("each language may have one page per translation_key"),
                        )
                    )
        result[key] = {lang: claimants[0] for lang, claimants in by_lang.items()}
    return result


def _news(pages: list[Page]) -> dict[str, tuple[Page, ...]]:
    by_lang: dict[str, list[Page]] = defaultdict(list)
    for page in pages:
        if page.kind == "news":
            by_lang[page.lang].append(page)
    return {
        lang: tuple(sorted(items, key=lambda p: (-p.front.date.toordinal(), p.url)))
        for lang, items in sorted(by_lang.items())
    }


def _paginate(config, pages, news) -> dict[str, tuple[Pagination, ...]]:
    # An old address that a page or an alias now has is that page's, not a redirect.
    claimed = {page.url for page in pages} | {alias for page in pages for alias in page.front.aliases}
    return {
        page.lang: paginate(page.url, page.lang, news.get(page.lang, ()), config.news_page_size, claimed)
        for page in pages
        if page.kind == "news-list"
    }


def paginate(
    url: str, lang: str, items: tuple[Page, ...], size: int, claimed: Collection[str] | None = None
) -> tuple[Pagination, ...]:
    """The list at ``url`` in pages of ``size`` items, the later ones addressed in ``lang``'s
    word (``page_segment``). With ``claimed`` (the addresses pages have), where the language has
    a word of its own, each later page's address with PAGE_SEGMENT that no page claims becomes
    its alias: a list that had those addresses before (the news list); None for a newer list."""
    total = max(1, math.ceil(len(items) / size))
    segment = page_segment(lang)
    urls = [url] + [f"{url}{segment}/{n}/" for n in range(2, total + 1)]
    old = [None] + [f"{url}{PAGE_SEGMENT}/{n}/" for n in range(2, total + 1)]
    return tuple(
        Pagination(
            number=n + 1,
            total=total,
            url=urls[n],
            items=items[n * size : (n + 1) * size],
            previous_url=urls[n - 1] if n > 0 else None,
            next_url=urls[n + 1] if n + 1 < total else None,
            aliases=(
                (old[n],)
                if n and claimed is not None and segment != PAGE_SEGMENT and old[n] not in claimed
                else ()
            ),
        )
        for n in range(total)
    )


def _check_unique_urls(pages, news_pages, errors) -> None:
    claims: dict[str, list[tuple[Page | None, str | None]]] = defaultdict(list)  # URL → (page, its key)
    for page in pages:
        claims[page.url].append((page, "slug"))
        for alias in page.front.aliases:
            claims[alias].append((page, "aliases"))
    for paginations in news_pages.values():
        for pagination in paginations[1:]:
            claims[pagination.url].append((None, None))
    for url in sorted(url for url, claimants in claims.items() if len(claimants) > 1):
        claimants = claims[url]
        files = ", ".join(page.path if page is not None else "(news list page)" for page, _ in claimants)
        for page, key in claimants:
            if page is None:
                continue
            errors.append(
                SiteError(
                    msg(
                        "the address {url} is claimed by {count} pages: {files}",
                        url=url,
                        count=len(claimants),
                        files=files,
                    ),
                    page.path,
                    page.front.lines.get(key),
                    msg("give one of them a different slug"),
                )
            )


def claimed_twice(url: str, page: Page | None, other: str, where: str) -> SiteError:
    """``url``, claimed by ``page`` (by its slug or one of its aliases; None: a news list page,
    reported at ``where``) and by ``other``, which is not a page of the content: a topic, a
    search page."""
    key = "slug" if page is not None and page.url == url else "aliases"
    return SiteError(
        msg(
            "the address {url} is claimed by {count} pages: {files}",
            url=url,
            count=2,
            files=f"{page.path if page is not None else '(news list page)'}, {other}",
        ),
        page.path if page is not None else where,
        page.front.lines.get(key) if page is not None else None,
        msg("give one of them a different slug"),
    )


def _children(pages: list[Page], news) -> dict[tuple[str, str], tuple[Page, ...]]:
    listed: dict[tuple[str, str], list[Page]] = defaultdict(list)
    for page in pages:
        if page.kind == "home":
            continue
        listed[(page.lang, page.section)].append(page)
    news_sections = {(lang, NEWS_SECTION): items for lang, items in news.items()}
    # The news section lists its items newest first, not in menu order.
    result = {
        key: tuple(sorted(items, key=_order)) for key, items in listed.items() if key not in news_sections
    }
    return result | news_sections
