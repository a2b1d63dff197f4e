"""Translations between languages: what is missing, stale or orphaned, and what disagrees.

Pure: works on loaded ``SourcePage``s (drafts included, since translating a
draft is work too). Pages are translations of each other when they share a
path inside ``content/<lang>/`` or a ``translation_key`` (``model.translation_key``).

A translation records the version of the page it was translated from in
``translated_from: <lang>:<version>`` (written by ``site-builder translations
done``); when that page's text changes, its version changes and the
translation is stale.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from site_builder.config import SiteConfig
from site_builder.content.frontmatter import TRANSLATED_FROM
from site_builder.content.load import CONTENT_DIR, SourcePage
from site_builder.errors import ENGLISH, Catalogue, Message, SiteError, msg
from site_builder.site.model import translation_key

# Figure fields that are numbers or codes rather than words: equal in every language.
NEUTRAL_FIGURE_FIELDS = ("value", "unit", "year", "qualifier", "group", "highlight")


@dataclass(frozen=True, slots=True)
class Stale:
    """A translation older than the page it was translated from."""

    path: str
    source: str  # the page it was translated from
    never_translated: bool  # created from the source and not translated yet


@dataclass(frozen=True, slots=True)
class LanguageStatus:
    """The translation status of one language: what is done, missing, stale or orphaned."""

    lang: str
    pages: int
    translated: int  # pages with a counterpart in every other language
    missing: tuple[str, ...]  # files that should exist in this language
    stale: tuple[Stale, ...]
    orphaned: tuple[str, ...]  # translated from a page that no longer exists

    def as_json(self) -> dict:
        return {
            "language": self.lang,
            "pages": self.pages,
            "translated": self.translated,
            "missing": list(self.missing),
            "stale": [
                {"path": s.path, "source": s.source, "never_translated": s.never_translated}
                for s in self.stale
            ],
            "orphaned": list(self.orphaned),
        }


Groups = dict[str, dict[str, SourcePage]]  # translation key → {language: page}


def groups(sources: Iterable[SourcePage]) -> Groups:
    """Translation groups: key → {language: page}. Keys claimed twice are model errors."""
    result: dict[str, dict[str, SourcePage]] = defaultdict(dict)
    for source in sorted(sources, key=lambda s: s.path):
        result[translation_key(source)].setdefault(source.lang, source)
    return dict(result)


def reference(config: SiteConfig, group: Mapping[str, SourcePage]) -> SourcePage:
    """The page others are compared with: the default language's, else the first by code."""
    if config.default_language in group:
        return group[config.default_language]
    return group[sorted(group)[0]]


def status(
    config: SiteConfig, sources: Iterable[SourcePage], found: Groups | None = None
) -> tuple[LanguageStatus, ...]:
    """Per language: pages, translated, missing, stale and orphaned. ``found`` is ``groups(sources)`` where
    the caller has it already."""
    found = found if found is not None else groups(sources)
    languages = len(config.codes)
    rows = []
    for lang in config.codes:
        pages = translated = 0
        missing, stale, orphaned = [], [], []
        for group in found.values():
            page = group.get(lang)
            if page is None:
                missing.append(f"{CONTENT_DIR}/{lang}/{reference(config, group).rel}")
                continue
            pages += 1
            translated += len(group) == languages
            origin = _origin(page)
            if origin is None:
                continue
            source_lang, version = origin
            source = group.get(source_lang)
            if source is None:
                orphaned.append(page.path)
            elif version == "new" or version != source.version:
                stale.append(Stale(page.path, source.path, version == "new"))
        rows.append(
            LanguageStatus(
                lang=lang,
                pages=pages,
                translated=translated,
                missing=tuple(sorted(missing)),
                stale=tuple(sorted(stale, key=lambda s: s.path)),
                orphaned=tuple(sorted(orphaned)),
            )
        )
    return tuple(rows)


def _origin(page: SourcePage) -> tuple[str, str] | None:
    if page.front.translated_from is None:
        return None
    match = TRANSLATED_FROM.fullmatch(page.front.translated_from)
    return match["lang"], match["version"]


def source_problems(
    config: SiteConfig, sources: Iterable[SourcePage], found: Groups | None = None
) -> list[SiteError]:
    """Mistakes in the translation graph: always errors."""
    problems = []
    found = found if found is not None else groups(sources)
    for group in found.values():
        for page in group.values():
            line = page.front.lines.get("translated_from")
            origin = _origin(page)
            if origin is not None and origin[0] not in config.codes:
                problems.append(
                    SiteError(
                        msg(
                            "translated_from names the language '{lang}', which the site does not have",
                            lang=origin[0],
                        ),
                        page.path,
                        line,
                        msg("one of: {codes}", codes=", ".join(config.codes)),
                    )
                )
            elif origin is not None and origin[0] == page.lang:
                problems.append(
                    SiteError(
                        msg("translated_from names the page's own language"),
                        page.path,
                        line,
                        msg("name the language the page was translated from"),
                    )
                )
            if page.front.translation_key and len(group) == 1:
                problems.append(
                    SiteError(
                        msg(
                            "translation_key '{key}' pairs this page with no other page",
                            key=page.front.translation_key,
                        ),
                        page.path,
                        page.front.lines.get("translation_key"),
                        msg("give the translation the same translation_key, or remove the line"),
                    )
                )
    return problems


def inconsistencies(
    config: SiteConfig, sources: Iterable[SourcePage], found: Groups | None = None, kind: str | None = None
) -> list[SiteError]:
    """Language-neutral facts that differ between a page and its translation; with ``kind``
    (``key-figures`` or ``news``), between pages of that kind only."""
    problems: list[SiteError] = []
    for group in (found if found is not None else groups(sources)).values():
        ref = reference(config, group)
        for page in group.values():
            if page is ref or kind not in (None, page.kind):
                continue
            if page.kind == "key-figures" and ref.kind == "key-figures":
                problems += _figure_differences(page, ref)
            if page.kind == "news" and ref.kind == "news":
                problems += _news_differences(page, ref)
    return problems


def _news_differences(page: SourcePage, ref: SourcePage) -> list[SiteError]:
    problems = []
    # Not ``draft``: a translation waits unpublished while its source is out, and a page
    # published in one language only is reported as a missing translation.
    for field in ("date", "date_precision"):
        mine, theirs = getattr(page.front, field), getattr(ref.front, field)
        if mine != theirs:
            problems.append(
                SiteError(
                    msg(
                        "{field} {mine} differs from {where} ({theirs})",
                        field=field,
                        mine=_show(mine),
                        where=_where(ref, ref.front.lines.get(field)),
                        theirs=_show(theirs),
                    ),
                    page.path,
                    page.front.lines.get(field),
                    msg("a news item and its translation have the same {field}", field=field),
                )
            )
    return problems


@dataclass(frozen=True)
class _Wording:
    """How ``_differences_by_id`` names what it finds, for one kind of listed item."""

    not_there: Callable[[str, str], Message]  # (id, other page's path)
    differs: Callable[[str, str, object, str, object], Message]  # (id, field, mine, where, theirs)
    missing: Callable[[str, str], Message]  # (id, where it is in the other page)
    not_there_hint: Message
    differs_hint: Message
    missing_hint: Message


_FIGURES = _Wording(
    lambda id, path: msg("figure '{id}' is not in {path}", id=id, path=path),
    lambda id, field, mine, where, theirs: msg(
        "figure '{id}' {field} {mine} differs from {where} ({theirs})",
        id=id,
        field=field,
        mine=mine,
        where=where,
        theirs=theirs,
    ),
    lambda id, where: msg("figure '{id}' of {where} is missing", id=id, where=where),
    msg("every language has the same figures; add it there or remove it here"),
    msg("numbers, units and years are the same in every language; correct one of the two"),
    msg("every language has the same figures"),
)
_PLACES = _Wording(
    lambda id, path: msg("place '{id}' is not in {path}", id=id, path=path),
    lambda id, field, mine, where, theirs: msg(
        "place '{id}' {field} {mine} differs from {where} ({theirs})",
        id=id,
        field=field,
        mine=mine,
        where=where,
        theirs=theirs,
    ),
    lambda id, where: msg("place '{id}' of {where} is missing", id=id, where=where),
    msg("every language has the same places; add it there or remove it here"),
    msg("positions and label sides are the same in every language; correct one of the two"),
    msg("every language has the same places"),
)
# A place's own fields that are the same in every language (docs/content.md, "A map").
NEUTRAL_PLACE_FIELDS = ("lat", "lon", "side")


def _differences_by_id(
    page: SourcePage, ref: SourcePage, key: str, fields: tuple[str, ...], wording: _Wording
) -> list[SiteError]:
    """The items of front matter list ``key`` (figures, places: each with an ``id`` and a
    ``line``) that one of the two pages lacks, or whose ``fields`` differ."""
    problems = []
    theirs = {item.id: item for item in getattr(ref.front, key)}
    mine = {item.id for item in getattr(page.front, key)}
    for item in getattr(page.front, key):
        other = theirs.get(item.id)
        if other is None:
            problems.append(
                SiteError(wording.not_there(item.id, ref.path), page.path, item.line, wording.not_there_hint)
            )
            continue
        for field in fields:
            if getattr(item, field) != getattr(other, field):
                shown = _show(getattr(item, field)), _show(getattr(other, field))
                message = wording.differs(item.id, field, shown[0], _where(ref, other.line), shown[1])
                problems.append(SiteError(message, page.path, item.line, wording.differs_hint))
    for item in getattr(ref.front, key):
        if item.id not in mine:
            missing = wording.missing(item.id, _where(ref, item.line))
            problems.append(SiteError(missing, page.path, page.front.lines.get(key), wording.missing_hint))
    return problems


def _figure_differences(page: SourcePage, ref: SourcePage) -> list[SiteError]:
    problems = _differences_by_id(page, ref, "figures", NEUTRAL_FIGURE_FIELDS, _FIGURES)
    theirs = {f.id for f in ref.front.figures}
    mine = {f.id for f in page.front.figures}
    shared = [f.id for f in page.front.figures if f.id in theirs]
    if shared != [f.id for f in ref.front.figures if f.id in mine]:
        problems.append(
            SiteError(
                msg("the figures are in another order than in {path}", path=ref.path),
                page.path,
                page.front.lines.get("figures"),
                msg("list the figures in the same order in every language"),
            )
        )
    return problems


def place_inconsistencies(
    config: SiteConfig, sources: Iterable[SourcePage], found: Groups | None = None
) -> list[SiteError]:
    """Places on a page's map whose position or label side differ from its translation's,
    and places one of the two lacks (their order does not matter on a map)."""
    problems: list[SiteError] = []
    for group in (found if found is not None else groups(sources)).values():
        ref = reference(config, group)
        for page in group.values():
            if page is not ref and (page.front.places or ref.front.places):
                problems += _differences_by_id(page, ref, "places", NEUTRAL_PLACE_FIELDS, _PLACES)
    return problems


def _where(page: SourcePage, line: int | None) -> str:
    return f"{page.path}:{line}" if line else page.path


def _show(value) -> Message | str:
    if value is None:
        return msg("(none)")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render_status(
    rows: tuple[LanguageStatus, ...], form: str = "table", catalogue: Catalogue | None = None
) -> str:
    """The status as a table with the pages to act on listed below it, or as JSON; the table's
    words in the catalogue's language (see ``messages``)."""
    if form == "json":
        return json.dumps({"languages": [row.as_json() for row in rows]}, indent=2, sort_keys=True)
    said = (catalogue or ENGLISH).show
    missing, stale, orphaned = said(msg("missing")), said(msg("stale")), said(msg("orphaned"))
    header = (said(msg("language")), said(msg("pages")), said(msg("translated")), missing, stale, orphaned)
    table = [header] + [
        (r.lang, r.pages, r.translated, len(r.missing), len(r.stale), len(r.orphaned)) for r in rows
    ]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    lines = [
        "  ".join(
            str(cell).ljust(w) if i == 0 else str(cell).rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in table
    ]
    width = max(map(len, (missing, stale, orphaned))) + 2
    for row in rows:
        lines += [f"{missing.ljust(width)}{path}" for path in row.missing]
        for s in row.stale:
            if s.never_translated:
                why = msg("not translated yet from {source}", source=s.source)
            else:
                why = msg("changed since: {source}", source=s.source)
            lines.append(f"{stale.ljust(width)}{s.path} ({said(why)})")
        lines += [f"{orphaned.ljust(width)}{path}" for path in row.orphaned]
    return "\n".join(lines)
