"""Findings about a built site: links that lead nowhere, pages without a translation.

Pure: returns findings as values; the caller decides what stops a build
(broken links, raw HTML the policy refuses and key figures that differ between
languages always do; missing translations are reported by ``check``).
"""

from __future__ import annotations

import datetime
import hashlib
import posixpath
import re
import sys
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from site_builder.checks import html_policy
from site_builder.checks.wellformed import doubtful_values, html_problems, malformed_xml
from site_builder.config import SiteConfig
from site_builder.content.load import SourcePage
from site_builder.content.schema import closest, did_you_mean
from site_builder.errors import LanguageName, SiteError, msg, raise_if_any
from site_builder.render.assets import ASSETS_URL, DIGEST_IN_NAME
from site_builder.render.markup import RenderedPage, linked_file, outside_code
from site_builder.site import translations
from site_builder.site.files import OutputFile
from site_builder.site.model import Page, Site, slugify


@dataclass(frozen=True, slots=True)
class Findings:
    """What the checks found, by kind; which of them stop a build depends on the options."""

    broken_links: tuple[SiteError, ...]
    missing_translations: tuple[SiteError, ...]
    translations: tuple[SiteError, ...] = ()  # stale, orphaned or disagreeing translations
    ui_strings: tuple[SiteError, ...] = ()  # catalogue entries missing, fuzzy or unused
    unsafe_html: tuple[SiteError, ...] = ()  # raw HTML in content that the policy refuses (html_policy)
    doubtful: tuple[SiteError, ...] = ()  # dates far ahead, titles too long to show well
    # A number published as 60000 in one language and 65000 in the other is wrong in one.
    figures: tuple[SiteError, ...] = ()  # key figures that differ between the languages

    @property
    def all(self) -> tuple[SiteError, ...]:
        return (
            self.broken_links
            + self.missing_translations
            + self.translations
            + self.figures
            + self.ui_strings
            + self.unsafe_html
            + self.doubtful
        )

    def blocking(self, missing_translation: str, strict: bool) -> tuple[SiteError, ...]:
        """What stops a build: broken links, refused raw HTML and differing key figures always;
        the rest by policy, or all with ``strict``."""
        if strict:
            return self.all
        if missing_translation == "error":
            return self.broken_links + self.missing_translations + self.figures + self.unsafe_html
        return self.broken_links + self.figures + self.unsafe_html

    def warnings(self, missing_translation: str, strict: bool) -> tuple[SiteError, ...]:
        blocking = set(map(id, self.blocking(missing_translation, strict)))
        return tuple(e for e in self.all if id(e) not in blocking)


# A site-internal address in href="/…" or src="/…", and an id="…", each after a space. The
# patterns start with a literal, which the regular-expression engine finds several times
# faster than a class such as \s; the attribute's name and the space before it are checked
# afterwards (_found). A value may be unquoted where HTML allows it, as minified pages have them.
_ATTRIBUTE_PATH = re.compile(rb'=(?:"(/(?!/)[^"#?]*)|(/(?!/)[^\s"\'=<>`#?]*))')
_HTML_ID = re.compile(rb'id=(?:"([^"]+)"|([^\s"\'=<>`]+))')
_SPACE = frozenset(b" \t\n\r\f\v")  # what \s matches in bytes


def _after_space(data: bytes, name: bytes, start: int) -> bool:
    """Whether ``name`` ends at ``start`` in ``data``, after a space."""
    begin = start - len(name)
    return begin > 0 and data[begin - 1] in _SPACE and data[begin:start] == name


def _found(pattern: re.Pattern, data: bytes, valid: Callable[[re.Match], bool]) -> Iterator[re.Match]:
    """The matches of ``pattern`` for which ``valid`` holds, as a pattern that also required
    that would find them: after a match that is not valid, the search goes on from its
    second byte, not from its end."""
    position = 0
    while (match := pattern.search(data, position)) is not None:
        if valid(match):
            yield match
            position = match.end()
        else:
            position = match.start() + 1


def _html_ids(data: bytes) -> frozenset[str]:
    found = _found(_HTML_ID, data, lambda m: m.start() > 0 and data[m.start() - 1] in _SPACE)
    return frozenset(sys.intern((m.group(1) or m.group(2)).decode("utf-8", "replace")) for m in found)


@dataclass(frozen=True, slots=True)
class FileNames:
    """The paths of the site's files, and a digest of them."""

    names: frozenset[str]
    digest: str

    @staticmethod
    def of(files: Iterable[OutputFile]) -> FileNames:
        names = sorted(file.path for file in files)
        return FileNames(frozenset(names), hashlib.sha256("\0".join(names).encode("utf-8")).hexdigest())


Scan = tuple[tuple[str, ...], frozenset]  # an HTML file's site-internal link targets and element ids


def find_problems(
    site: Site,
    bodies: Mapping[tuple[str, str], RenderedPage],
    files: Iterable[OutputFile],
    translation: Iterable[SiteError] = (),
    ui_strings: Iterable[SiteError] = (),
    figures: Iterable[SiteError] = (),
) -> Findings:
    """Every finding about the built site; ``translation``, ``ui_strings`` and ``figures`` are
    found by ``translation_problems``, ``catalogs.catalog_problems`` and ``figure_problems``.
    (The build runs the same steps through its memo: see ``stages``.)"""
    files = tuple(files)
    # Not a finding: a feed or sitemap that readers cannot parse is never published, whatever the options.
    raise_if_any(malformed_xml(site, files))
    html = [file for file in files if file.path.endswith(".html")]
    raise_if_any([problem for problems in html_problems(html) for problem in problems])
    scans = dict(zip((file.path for file in html), scan_files(html), strict=True))
    items = [(page, bodies[(page.lang, page.url)]) for page in site.pages]
    names = FileNames.of(files)
    looked = [
        _with_scans(item, targets, scans)
        for item, targets in zip(items, fragment_files(items, site), strict=True)
    ]
    return findings(
        site,
        bodies,
        names,
        scans,
        check_links(looked, site, names),
        unsafe_html_each(items, content_policy(site)),
        translation,
        ui_strings,
        figures,
    )


def findings(
    site: Site,
    bodies: Mapping[tuple[str, str], RenderedPage],
    names: FileNames,
    scans: Mapping[str, Scan],
    links: Iterable[Iterable[SiteError]],
    unsafe: Iterable[Iterable[SiteError]],
    translation: Iterable[SiteError],
    ui_strings: Iterable[SiteError],
    figures: Iterable[SiteError] = (),
    today: datetime.date | None = None,
) -> Findings:
    """The findings, from each page's broken links (``check_links``) and unsafe HTML
    (``unsafe_html_each``), and the rest; ``today`` is the build's day (see ``doubtful_values``)."""
    found = [problem for problems in links for problem in problems]
    found += broken_template_links(site, names.names, bodies, scans)
    return Findings(
        _sorted(found),
        _sorted(missing_translations(site)),
        _sorted(translation),
        _sorted(ui_strings),
        _sorted(problem for problems in unsafe for problem in problems),
        _sorted(doubtful_values(site, today)),
        _sorted(figures),
    )


def with_scans(
    items: Iterable[tuple[Page, RenderedPage]], targets: Iterable[tuple[str, ...]], scans: Mapping[str, Scan]
) -> list[tuple[Page, RenderedPage, dict[str, Scan | None]]]:
    """Each page with its converted Markdown and the scans of the files its #fragments point into."""
    return [_with_scans(item, names, scans) for item, names in zip(items, targets, strict=True)]


def _with_scans(item, names, scans):
    return (*item, {name: scans.get(name) for name in names})


def scan_files(files: Iterable[OutputFile]) -> list[Scan]:
    """Each HTML file's site-internal link targets and element ids."""
    scans = []
    for file in files:
        if file.data is None:
            raise ValueError(f"{file.path}: kept from the last build without its links")
        scans.append((_link_targets(file.data), _html_ids(file.data)))
    return scans


def content_policy(site: Site) -> html_policy.Policy:
    """The raw-HTML policy of the site's settings (see ``html_policy``)."""
    return html_policy.Policy.of(site.config.base_url, site.config.embed_hosts)


def unsafe_html(site: Site, bodies: Mapping[tuple[str, str], RenderedPage]) -> list[SiteError]:
    """What editors wrote in the content that the raw-HTML policy refuses (see ``html_policy``):
    HTML that runs code, sends the visitor elsewhere, submits data or loads from another host.
    Pages the build writes itself (its templates) are not judged."""
    items = [(page, bodies[(page.lang, page.url)]) for page in site.pages]
    return [problem for problems in unsafe_html_each(items, content_policy(site)) for problem in problems]


def unsafe_html_each(
    items: Iterable[tuple[Page, RenderedPage]], policy: html_policy.Policy
) -> list[list[SiteError]]:
    """Each page's raw HTML that ``policy`` refuses (see ``unsafe_html``)."""
    return [_unsafe_html_of(page, rendered, policy) for page, rendered in items]


def _unsafe_html_of(page: Page, rendered: RenderedPage, policy: html_policy.Policy) -> list[SiteError]:
    problems = []
    texts = [(rendered.body.html, page.source.doc.body, page.source.doc.body_line)]
    if page.front.swot is not None:
        for quadrant, items in page.front.swot.quadrants():
            for index, item in enumerate(items):
                texts.append((rendered.swot[(quadrant, index)].html, item.text, item.text_line))
    for html, markdown, first_line in texts:
        found = html_policy.violations(html, policy, markdown)
        # Looked for where Markdown reads HTML as HTML first: a copy shown as code is no tag.
        searched = [(text, text.lower(), {}) for text in (outside_code(markdown), markdown)] if found else []
        for violation in found:
            offset = -1
            for text, lower, after in searched:
                offset, address = _written_at(violation, text, lower, after)
                if offset >= 0:
                    break
            line = first_line + markdown[: max(offset, 0)].count("\n")
            # A link or an image that Markdown wrote is named by its address as the editor wrote
            # it, not by a tag the editor never saw.
            problem = violation.message_text if address is None else violation.in_link_or_image(address)
            problems.append(SiteError(problem, page.path, line, violation.hint_message))
    return problems


def _written_at(
    violation: html_policy.Violation, text: str, lower: str, after: dict[str, int]
) -> tuple[int, str | None]:
    """Where in ``text`` (``lower``: in lower case) ``violation`` is written, or -1; ``after``:
    where to look for the next finding with the same text. Second, where the text holds not the
    tag but the address of a link or an image (Markdown wrote the tag), that address."""
    written = violation.written
    if violation.occurrence is not None and written:
        offset = _occurrence(text, written, violation.occurrence)
    else:
        offset = text.find(written, after.get(written, 0)) if written else -1
    if offset >= 0:
        after[written] = offset + 1
        return offset, None
    # Written by Markdown (from a link, say) or changed by it: look for what it holds.
    for needle in violation.needles:
        lowered = needle.lower()
        offset = lower.find(lowered, after.get(lowered, 0))
        if offset >= 0:
            after[lowered] = offset + 1
            # An address after "=" (spaces, a quote) is an attribute's, written in raw HTML;
            # Markdown's follows "](", "]: " or "<".
            made = (
                needle == violation.address
                and written.startswith(_MARKDOWN_TAGS)
                and not _ATTRIBUTE_VALUE_BEFORE.search(lower, max(offset - 8, 0), offset)
            )
            return offset, violation.address if made else None
    return -1, None


# The start tags of the elements Markdown writes with an address the policy judges.
_MARKDOWN_TAGS = ("<a ", "<img ")
_ATTRIBUTE_VALUE_BEFORE = re.compile(r"=\s*[\"']?\Z")


def _occurrence(text: str, piece: str, nth: int) -> int:
    """Where the ``nth`` (from 0) ``piece`` in ``text`` starts; where its last does if it holds
    fewer (Markdown wrote the others: a ``</p>``, say), -1 if none."""
    found = position = -1
    for _ in range(nth + 1):
        position = text.find(piece, position + 1)
        if position < 0:
            break
        found = position
    return found


def _sorted(errors: Iterable[SiteError]) -> tuple[SiteError, ...]:
    return tuple(sorted(errors, key=SiteError.sort_key))


def translation_problems(
    config: SiteConfig,
    sources: tuple[SourcePage, ...],
    found: translations.Groups | None = None,
    status: tuple[translations.LanguageStatus, ...] | None = None,
) -> list[SiteError]:
    """Stale and orphaned translations, and news items whose dates differ (key figures:
    ``figure_problems``).

    ``found`` and ``status`` are ``translations.groups`` and ``translations.status``
    of the sources, where the caller has them already.
    """
    found = found if found is not None else translations.groups(sources)
    problems = translations.inconsistencies(config, sources, found, kind="news")
    by_path = {source.path: source for source in sources}
    for row in status if status is not None else translations.status(config, sources, found):
        for stale in row.stale:
            page = by_path[stale.path]
            if stale.never_translated:
                what = msg("{source} is not translated yet", source=stale.source)
            else:
                what = msg("{source} has changed since this translation", source=stale.source)
            problems.append(
                SiteError(
                    what,
                    stale.path,
                    page.front.lines.get("translated_from"),
                    msg("update this page, then run: site-builder translations done {path}", path=stale.path),
                )
            )
        for path in row.orphaned:
            problems.append(
                SiteError(
                    msg("the page this was translated from no longer exists"),
                    path,
                    by_path[path].front.lines.get("translated_from"),
                    msg("remove the translated_from line, or restore the source page"),
                )
            )
    return problems


def figure_problems(
    config: SiteConfig, sources: tuple[SourcePage, ...], found: translations.Groups | None = None
) -> list[SiteError]:
    """Key figures, and places on a map, that differ between a page and its translation,
    each naming both files."""
    return translations.inconsistencies(config, sources, found, kind="key-figures") + (
        translations.place_inconsistencies(config, sources, found)
    )


def _exists(path: str, urls: frozenset[str], files: Collection[str]) -> bool:
    """Whether the site path ``path`` leads to a page or file; a file's address is
    percent-encoded where its name needs it (see ``files.file_url``)."""
    name = path.lstrip("/")
    return (
        path in urls
        or name in files
        or unquote(name) in files
        or (path.endswith("/") and f"{name}index.html" in files)
    )


def broken_template_links(
    site: Site, paths: Collection[str], bodies: Mapping[tuple[str, str], RenderedPage], scans: Mapping
) -> list[SiteError]:
    """Site-internal links in the rendered HTML (templates included) that lead to no file;
    ``paths`` are the output files, ``scans`` their ``scan_html``. Links written in a page's
    Markdown, as Markdown or as raw HTML, are left to ``check_links``, which names their line."""
    by_output = {page.output_path: page for page in site.pages}
    problems: dict[tuple[str, str], SiteError] = {}
    exists: dict[str, bool] = {}
    written: dict[str, set[str]] = {}  # each page's Markdown targets, gathered once for all its links
    for path, (targets, _ids) in scans.items():
        for target in targets:
            if target not in exists:
                exists[target] = _exists(target, site.urls, paths)
            if exists[target]:
                continue
            page = by_output.get(path)
            where = page.path if page is not None else path
            if page is not None:
                if path not in written:
                    written[path] = _markdown_targets(bodies[(page.lang, page.url)])
                if target in written[path]:
                    continue
            problems.setdefault(
                (where, target),
                SiteError(
                    msg("the page links to '{target}', which does not exist", target=target),
                    where if page is not None else f"build/{path}",
                    hint=msg("the link comes from the template {template}", template=page.template)
                    if page
                    else None,
                ),
            )
    return list(problems.values())


def _markdown_targets(rendered: RenderedPage) -> set[str]:
    return {
        link.target.split("#", 1)[0]
        for body in (rendered.body, *rendered.swot.values())
        for link in body.links
        if link.target
    }


def _link_targets(data: bytes) -> tuple[str, ...]:
    """The site-internal paths an HTML file links to, each once, in order of first appearance."""

    def valid(m: re.Match) -> bool:
        return _after_space(data, b"href", m.start()) or _after_space(data, b"src", m.start())

    found = dict.fromkeys(m.group(1) or m.group(2) for m in _found(_ATTRIBUTE_PATH, data, valid))
    # Interned: most targets (menus, switchers, assets) recur in every file, and the cache
    # then stores and loads each once.
    return tuple(sys.intern(target.decode("utf-8", "replace")) for target in found)


def fragment_files(items: Iterable[tuple[Page, RenderedPage]], site: Site) -> list[tuple[str, ...]]:
    """For each page, the HTML files its Markdown's links with a #fragment point into."""
    result = []
    for page, rendered in items:
        names = {}
        for body in (rendered.body, *rendered.swot.values()):
            for link in body.links:
                address, _, fragment = (link.target or "").partition("#")
                if fragment:
                    names[_file_name(address.split("?", 1)[0] or page.url)] = None
        result.append(tuple(names))
    return result


def _file_name(path: str) -> str:
    """The name in the output folder of the file the site path ``path`` leads to."""
    return path.lstrip("/") + ("index.html" if path.endswith("/") else "")


def check_links(
    items: Iterable[tuple[Page, RenderedPage, Mapping[str, Scan | None]]], site: Site, names: FileNames
) -> list[tuple[SiteError, ...]]:
    """Each page's links written in its Markdown (raw HTML's ``<a href>`` included, and the
    files its images and media show) that lead to no page or file, or to no such #fragment on
    it; each item holds the scans of the files its #fragments point into (see ``fragment_files``)."""
    return [_page_links(page, rendered, site, scans, names.names) for page, rendered, scans in items]


def _page_links(page: Page, rendered: RenderedPage, site: Site, scans: Mapping, files: Collection[str]):
    problems = []
    for body in (rendered.body, *rendered.swot.values()):
        for link in body.links:
            address, _, fragment = (link.target or "").partition("#")
            path = address.split("?", 1)[0] or page.url
            if link.target is None or not _exists(path, site.urls, files):
                message, hint = _link_problem(link.href, site, page, files)
            elif fragment and (name := _file_name(path)).endswith(".html"):
                # A page's #fragment is one of its ids. Another file's (a PDF's #page=3, an
                # SVG's view) is that file's own, read by the browser's viewer: not checked.
                scan = scans.get(name)
                ids = scan[1] if scan is not None else frozenset()
                if unquote(fragment) in ids:
                    continue
                message = msg(
                    "the link '{href}' leads to no '#{fragment}' on its page",
                    href=link.href,
                    fragment=fragment,
                )
                meant = closest(unquote(fragment), ids)
                hint = (
                    did_you_mean(f"#{meant}")
                    if meant is not None
                    else msg("after # comes the id of a heading on that page, such as #swot-strengths")
                )
            else:
                continue
            problems.append(SiteError(message, page.path, link.line, hint))
    return tuple(problems)


def _link_problem(href: str, site: Site, page: Page, files: Collection[str]) -> tuple[str, str]:
    """What is wrong with a link that leads nowhere, and how to mend it (``files``: the names of
    the site's files)."""
    path = href.split("#", 1)[0].split("?", 1)[0]
    if path.endswith(".md"):
        return (
            msg("the link '{href}' leads to no page", href=href),
            _meant_file(site, page, path)
            or msg("link to a page's file relative to this file, such as ../swot.md"),
        )
    if posixpath.splitext(path)[1] not in ("", ".html"):  # an image, a PDF: a file, not a page
        named = _named_otherwise(path, files)
        return (
            msg("'{href}' is not a file of the site", href=href),
            msg("the file is named {address}: write its name as it is, capitals and all", address=named)
            if named is not None
            else msg("put the file in assets/ and write /assets/ before its name"),
        )
    return msg("the link '{href}' leads to no page", href=href), msg(
        "check the address; pages are linked best by their .md file"
    )


def _named_otherwise(path: str, files: Collection[str]) -> str | None:
    """The address of the file in /assets/ that ``path`` names but for its capitals (IMG_1234.JPG
    for img_1234.jpg), as its file is named; None if there is none. An address tells capitals
    from small letters, as the site's host does, where the file systems of macOS and Windows
    do not: a name that finds the file on the editor's computer may find nothing on the web."""
    if not path.startswith(ASSETS_URL):
        return None
    wanted = unicodedata.normalize("NFC", unquote(path)).casefold()
    for name in files:
        if name.startswith(ASSETS_URL[1:]) and DIGEST_IN_NAME.search(name):
            original = "/" + DIGEST_IN_NAME.sub("", name, count=1)
            if unicodedata.normalize("NFC", original).casefold() == wanted:
                return original
    return None


def _meant_file(site: Site, page: Page, path: str) -> str | None:
    """How to link to the page a link to the file ``path`` (which does not exist) most likely
    meant: one whose address the file's name gives (``kerncijfers.md`` for /nl/kerncijfers/,
    made from ``key-figures.md``), or the translation into the link's language of the file of
    that name in another language (``key-figures.md`` for ``kerncijfers.md``)."""
    lang, rel = linked_file(page.source, path)
    if lang not in site.config.codes or not rel:
        return None
    folder, _, name = rel.rpartition("/")
    segment = slugify(name.removesuffix(".md"))
    for other in site.pages:
        last = other.url.rstrip("/").rpartition("/")[2]  # the page's own part of its address
        if (other.lang, other.section, last) == (lang, folder, segment) and other.kind != "home":
            return msg(
                "{path} has the address {url}: link to {link}",
                path=other.path,
                url=other.url,
                link=_relative(page, other),
            )
    for language in site.config.languages:
        named = site.page_for_source(language.code, rel) if language.code != lang else None
        meant = site.translation(named, lang) if named is not None else None
        if meant is not None:
            return msg(
                "{path} is the translation of {source}: link to {link}",
                path=meant.path,
                source=named.path,
                link=_relative(page, meant),
            )
    # The one file of that name in another folder: ``about.md`` written in news/ for ../about.md.
    elsewhere = [
        other for other in site.pages if (other.lang, other.source.rel.rpartition("/")[2]) == (lang, name)
    ]
    if len(elsewhere) == 1:
        return msg(
            "a link starts from the folder of the file it is in: {path} is {link} from here",
            path=elsewhere[0].path,
            link=_relative(page, elsewhere[0]),
        )
    return None


def _relative(page: Page, target: Page) -> str:
    """The link from ``page``'s file to ``target``'s, as an editor writes it."""
    return posixpath.relpath(f"{target.lang}/{target.source.rel}", f"{page.lang}/{page.source.folder}")


def missing_translations(site: Site) -> list[SiteError]:
    problems = []
    for page in site.pages:
        for language in site.config.languages:
            if language.code != page.lang and site.translation(page, language.code) is None:
                expected = f"content/{language.code}/{page.source.rel}"
                hint = msg("add {file}, or give both pages the same translation_key", file=expected)
                held, untranslated = site.held_back.get((page.key, language.code), (None, False))
                if held is not None and untranslated:
                    hint = msg("translate {file}, then run: site-builder translations done {file}", file=held)
                elif held is not None:
                    hint = msg("{file} is a draft: remove its 'draft: true' line when it is ready", file=held)
                problems.append(
                    SiteError(
                        msg("no {language} translation", language=LanguageName(language.code, language.name)),
                        page.path,
                        hint=hint,
                    )
                )
    return problems
