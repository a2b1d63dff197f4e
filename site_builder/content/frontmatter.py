"""Front matter: split the ``---`` block off a page and validate it for the page's kind.

Pure: text in, data out. Which keys a page may use depends on its kind, which
follows from its path inside ``content/<lang>/`` (see ``kind_of``), or from the
template of the key figures or the SWOT that it names (see ``kind_with_template``).
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from site_builder.content.schema import Field, as_written, between, shows_nothing, validate
from site_builder.errors import Message, SiteError, msg, raise_if_any

NEWS_SECTION = "news"
KEY_FIGURES_FILE = "key-figures.md"
SWOT_FILE = "swot.md"
# The templates of the kinds of page with keys of their own (see kind_with_template).
KIND_TEMPLATES = {"key_figures.html": "key-figures", "swot.html": "swot"}
INDEX_FILE = "_index.md"
# The real site's longest front matter (a SWOT) is about 11 KiB; text longer than
# this belongs in the page's body, and the YAML parser need never read megabytes.
MAX_FRONT_MATTER_BYTES = 256 * 1024
# A title is shown whole: in the page's heading, its <title>, lists, feeds and link previews
# (search engines show about 60 characters). One longer than LONG_TITLE is warned about; one
# longer than MAX_TITLE is surely text meant for the summary or the body, and refused.
LONG_TITLE = 150
MAX_TITLE = 1000
# About as much of a page's description as search engines show; the rest is cut off there.
DESCRIPTION_LIMIT = 160
# A date further ahead than this is a typo in the year (9999, 2091 for 2019) far more often than
# a plan, and would keep a news item at the top of every list until then: it is warned about.
FUTURE_YEARS = 5

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_HINT = msg("use lower-case letters a-z, digits and single hyphens, such as over-ons")
_KEY = re.compile(r"[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*")
_TEMPLATE = re.compile(r"[A-Za-z0-9_-]+\.html")
_FIGURE_ID = SLUG
UNITS = ("percent", "EUR")
QUALIFIERS = ("about", "more-than")
DATE_PRECISIONS = ("day", "month", "year")
LABEL_SIDES = ("right", "left", "above", "below")  # where a place's label goes, beside its marker
SWOT_QUADRANTS = ("strengths", "weaknesses", "opportunities", "threats")
# "en:3f9a1c2e7b4d": translated from the English page as it was at that version;
# "en:new": created from it and not translated yet.
TRANSLATED_FROM = re.compile(r"(?P<lang>[a-z]{2,3}(?:-[a-z0-9]{2,8})*):(?P<version>[0-9a-f]{12}|new)")
# An old address on this site: absolute path, URL-safe characters, no "." or ".." segments.
_ALIAS = re.compile(r"/(?:[A-Za-z0-9_~-][A-Za-z0-9._~-]*/)*(?:[A-Za-z0-9_~-][A-Za-z0-9._~-]*)?")
_TRANSLATED_FROM_LINE = re.compile(r"^translated_from:.*\n?", re.MULTILINE)
_TOPICS_LINES = re.compile(r"^topics:.*\n?(?:[ \t]*-.*\n?)*", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Figure:
    """A key figure with its source, as written in a page's front matter."""

    id: str
    value: int | float
    label: str
    source: str
    line: int
    unit: str | None = None
    qualifier: str | None = None
    year: int | None = None
    group: str | None = None
    highlight: bool = False
    source_url: str | None = None
    short_label: str | None = None  # a few words for a chart, such as "Medtech"


@dataclass(frozen=True, slots=True)
class Place:
    """A place on the page's map: its name in the page's language and where it is (WGS84)."""

    id: str
    label: str
    lat: float
    lon: float
    line: int
    kind: str | None = None  # a few words, such as "innovation location"
    side: str = "right"  # of the marker, where the label goes: one of LABEL_SIDES


@dataclass(frozen=True, slots=True)
class SwotItem:
    """One point of the SWOT analysis."""

    title: str
    text: str  # Markdown
    line: int  # of the item, its first key
    # The file line the text's first line is written on (below 'text: |'), and the text as
    # written there, to the end of its last line: a line is found in this by what it holds,
    # as a text that YAML folded (text: >, or over several lines unquoted) has fewer lines.
    text_line: int
    written: str


@dataclass(frozen=True, slots=True)
class Swot:
    """The SWOT analysis of a page's front matter, by quadrant."""

    strengths: tuple[SwotItem, ...]
    weaknesses: tuple[SwotItem, ...]
    opportunities: tuple[SwotItem, ...]
    threats: tuple[SwotItem, ...]

    def quadrants(self) -> tuple[tuple[str, tuple[SwotItem, ...]], ...]:
        return tuple((name, getattr(self, name)) for name in SWOT_QUADRANTS)


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """A page's front matter, checked against the schema."""

    title: str
    summary: str = ""
    # What search results and link previews say of the page, where the summary is too long
    # for them (see ``render.seo.description``).
    description: str = ""
    slug: str | None = None
    date: datetime.date | None = None
    draft: bool = False
    translation_key: str | None = None
    template: str | None = None
    weight: int = 0
    menu: bool = False
    translated_from: str | None = None
    menu_title: str | None = None  # a short name for menus and breadcrumbs
    date_precision: str = "day"  # "month" or "year" where only that much of the date is known
    publish_date: datetime.date | None = None  # held back until this day (see ``due``)
    expiry_date: datetime.date | None = None  # taken down from this day
    aliases: tuple[str, ...] = ()
    # Keys of topics declared in site.yaml (news items); each one's line is in ``lines`` as
    # "topics[1]", "topics[2]", … (see ``site.topics``).
    topics: tuple[str, ...] = ()
    figures: tuple[Figure, ...] = ()
    swot: Swot | None = None
    places: tuple[Place, ...] = ()  # drawn as a map (see ``render.maps``)
    image: str | None = None  # the page's own photo, named as in assets/ (see ``render.images``)
    image_alt: str | None = None
    focal_point: list[float] | None = None  # [x, y], percentages from the top left; None: the centre
    lines: Mapping[str, int] = field(default_factory=dict)  # key → line in the file

    @property
    def awaiting_translation(self) -> bool:
        """Whether the page was created to be translated and is not yet (``translated_from:
        <lang>:new``, until ``site-builder translations done``): published only with drafts."""
        return self.translated_from is not None and self.translated_from.endswith(":new")

    @property
    def due(self) -> datetime.date | None:
        """The day the page may be published: the later of ``date`` and ``publish_date``
        (a page dated ahead is news of that day, whatever its publish_date says)."""
        days = [day for day in (self.date, self.publish_date) if day is not None]
        return max(days) if days else None


@dataclass(frozen=True, slots=True)
class Document:
    """A content file split into its front matter and its Markdown."""

    front: FrontMatter
    body: str  # Markdown after the closing ---
    body_line: int  # file line on which the body starts
    front_digest: (
        str  # sha256 of the front matter's text: for a page's file, equal digests, equal front matter
    )


def published_iso(front: FrontMatter) -> str:
    """The date to the precision it is known, in ISO 8601: ``2019-09-25``, ``2019-07`` or ``2018``.

    For ``<time datetime>`` and structured data, which must not claim a day that is not known.
    """
    return front.date.isoformat()[: {"year": 4, "month": 7}.get(front.date_precision, 10)]


def content_version(text: str) -> str:
    """A short hash of a page's text, leaving out its own ``translated_from`` line and its
    ``topics`` (the line, and the items of a list written below it).

    A translation records its source's version; the source's version must not
    change when only its own ``translated_from`` does. Nor when its topics do: they are
    not words to translate, and a translation that lists other topics stops the build
    (see ``site.topics``), so editors change them in both languages at once.
    """
    if "translated_from:" in text:  # looked for first: most pages are not translations
        text = _TRANSLATED_FROM_LINE.sub("", text)
    if "\ntopics:" in text:
        end = text.find("\n---") + 1  # the front matter's closing line
        text = _TOPICS_LINES.sub("", text[:end]) + text[end:]
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def set_front_matter_line(data: bytes, key: str, line: str) -> bytes:
    """The file with ``key``'s line replaced by ``line``, or added last in the front matter.

    Works on the raw bytes so the rest of the file (BOM, line ends) stays as it was.
    """
    newline = b"\r\n" if b"\r\n" in data else b"\n"
    lines = data.split(newline)
    prefix = key.encode() + b":"
    for index in range(1, len(lines)):
        stripped = lines[index].rstrip()
        if stripped == b"---":
            lines.insert(index, line.encode())
            return newline.join(lines)
        if lines[index].startswith(prefix):
            lines[index] = line.encode()
            return newline.join(lines)
    raise ValueError("the front matter is never closed")


def kind_of(rel: str) -> str:
    """The page kind for a "/"-separated path relative to ``content/<lang>/``."""
    parts = tuple(rel.split("/"))
    if parts[-1] == INDEX_FILE:
        if len(parts) == 1:
            return "home"
        if parts[:-1] == (NEWS_SECTION,):
            return "news-list"
        return "section"
    if len(parts) == 2 and parts[0] == NEWS_SECTION:
        return "news"
    if parts == (KEY_FIGURES_FILE,):
        return "key-figures"
    if parts == (SWOT_FILE,):
        return "swot"
    return "page"


def kind_with_template(kind: str, template: object) -> str:
    """The kind of a page of ``kind`` (by its path, see ``kind_of``) whose front matter names
    ``template``: a page that names the key figures' or the SWOT's template is of that kind,
    with its keys, whatever its file's name, so that a language may name the file in its own
    words (``kerncijfers.md``). Elsewhere ``figures`` stays an unknown key, as misplaced."""
    return KIND_TEMPLATES.get(template, kind) if kind == "page" and isinstance(template, str) else kind


def _pattern(regex: re.Pattern, what: Message):
    def check(value: str) -> Message | None:
        return None if regex.fullmatch(value) else msg("'{value}' is not {what}", value=value, what=what)

    return check


# A slug names a folder and, with its section, the page's social card: a file system takes
# names of 255 bytes at most.
MAX_SLUG = 100


def _slug_problem(value: str) -> Message | None:
    if not SLUG.fullmatch(value):
        return msg("'{value}' is not {what}", value=value, what=msg("URL-safe"))
    if len(value) > MAX_SLUG:
        return msg(
            "'{value}…' is {length} characters long, more than {limit}",
            value=value[:40],
            length=len(value),
            limit=MAX_SLUG,
        )
    return None


def _choice(choices: tuple[str, ...]):
    def check(value: str) -> Message | None:
        return (
            None
            if value in choices
            else msg("'{value}' is not one of: {choices}", value=value, choices=", ".join(choices))
        )

    return check


def _nonblank(value: str) -> Message | None:
    return msg("is empty") if shows_nothing(value) else None


_COMMON = {
    "title": Field("text", required=True, check=_nonblank, hint=msg("add 'title: …' with the page title")),
    "summary": Field("text"),
    "description": Field("text"),
    "slug": Field("text", check=lambda value: _slug_problem(value), hint=SLUG_HINT),
    "date": Field("date"),
    "publish_date": Field("date", hint=msg("the first day the page is published, written YYYY-MM-DD")),
    "expiry_date": Field(
        "date", hint=msg("the first day the page is no longer published, written YYYY-MM-DD")
    ),
    "draft": Field("bool", hint=msg("write true or false")),
    "translation_key": Field(
        "text",
        check=_pattern(_KEY, msg("a valid key")),
        hint=msg("letters, digits, hyphens, underscores or dots, such as lsh-programme"),
    ),
    "template": Field(
        "text",
        check=_pattern(_TEMPLATE, msg("a template file name")),
        hint=msg("the name of a file in templates/, such as page.html"),
    ),
    "weight": Field("int", hint=msg("a whole number such as 10")),
    "menu": Field("bool", hint=msg("write true or false")),
    "menu_title": Field("text", check=_nonblank, hint=msg("a short name for the menu, such as Programme")),
    "date_precision": Field(
        "text",
        check=_choice(DATE_PRECISIONS),
        hint=msg("month or year: the date is then shown as 'July 2019' or '2018'"),
    ),
    "aliases": Field(
        "list",
        item_kind="text",
        check=lambda items: next(
            (
                msg("'{address}' is not a site address", address=a)
                for a in items
                if not _ALIAS.fullmatch(a) or "/../" in a or "/./" in a
            ),
            None,
        ),
        hint=msg("old addresses of this page on this site, such as /en/mou/"),
    ),
    "translated_from": Field(
        "text",
        check=_pattern(TRANSLATED_FROM, msg("a source version")),
        hint=msg("written by 'site-builder translations done FILE'; remove the line and run that command"),
    ),
    "image": Field(
        "text",
        check=_nonblank,
        hint=msg("the name of a JPEG, PNG or WebP photo in assets/, such as images/harbour.jpg"),
    ),
    "image_alt": Field(
        "text", check=_nonblank, hint=msg("say what the photo shows, for visitors who cannot see it")
    ),
    "focal_point": Field(
        "list",
        item_kind="any",
        check=lambda point: (
            None
            if len(point) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 100 for v in point)
            else msg(
                "'{value}' is not {what}",
                value=f"[{', '.join(map(as_written, point))}]",
                what=msg("two percentages [x, y]"),
            )
        ),
        hint=msg(
            "how far from the left and from the top the photo's subject is, each 0 to 100, "
            "such as [30, 60]; without it the centre, [50, 50]"
        ),
    ),
}
_FIGURE = {
    "id": Field("text", required=True, check=_pattern(_FIGURE_ID, msg("a valid id")), hint=SLUG_HINT),
    "value": Field(
        "number", required=True, hint=msg("a plain number such as 65000 or 2.5, without separators")
    ),
    "unit": Field("text", check=_choice(UNITS), hint=msg("leave unit out for a count")),
    "qualifier": Field(
        "text",
        check=_choice(QUALIFIERS),
        hint=msg("about or more-than; leave qualifier out for an exact number"),
    ),
    "year": Field(
        "int",
        check=lambda y: None if 1800 <= y <= 2200 else msg("{year} is not a year", year=as_written(y)),
        hint=msg("the year the figure refers to, such as year: 2018"),
    ),
    "group": Field("text", check=_pattern(_FIGURE_ID, msg("a valid group")), hint=SLUG_HINT),
    "highlight": Field("bool", hint=msg("write true or false")),
    "label": Field(
        "text",
        required=True,
        check=_nonblank,
        hint=msg("what the number counts, in this page's language, such as label: jobs in life sciences"),
    ),
    "short_label": Field("text", check=_nonblank, hint=msg("a few words for the chart, such as Medtech")),
    "source": Field("text", required=True, check=_nonblank, hint=msg("name where the number comes from")),
    "source_url": Field(
        "text",
        check=_pattern(re.compile(r"https?://\S+"), msg("a web address")),
        hint=msg("such as https://example.org/report"),
    ),
}
_PLACE = {
    "id": Field("text", required=True, check=_pattern(_FIGURE_ID, msg("a valid id")), hint=SLUG_HINT),
    "label": Field(
        "text",
        required=True,
        check=_nonblank,
        hint=msg("the place's name in this page's language, such as label: Amsterdam Science Park"),
    ),
    "kind": Field("text", check=_nonblank, hint=msg("a few words, such as innovation location")),
    "lat": Field(
        "number",
        required=True,
        check=between(-90, 90),
        hint=msg("the latitude in decimal degrees, north of the equator, such as 52.35"),
    ),
    "lon": Field(
        "number",
        required=True,
        check=between(-180, 180),
        hint=msg("the longitude in decimal degrees, east of Greenwich, such as 4.95"),
    ),
    "side": Field(
        "text", check=_choice(LABEL_SIDES), hint=msg("the side of the marker its label is written on")
    ),
}
_SWOT_ITEM = {
    "title": Field(
        "text",
        required=True,
        check=_nonblank,
        hint=msg("a few words for the point, such as title: Excellent knowledge institutions"),
    ),
    "text": Field(
        "text",
        required=True,
        check=_nonblank,
        hint=msg("the point explained, in Markdown, such as text: Two universities and two medical centres."),
    ),
}
_KIND_FIELDS: dict[str, dict[str, Field]] = {
    "page": {**_COMMON, "places": Field("list", items=_PLACE)},
    "home": _COMMON,
    "section": _COMMON,
    "news-list": _COMMON,
    "news": {
        **_COMMON,
        "date": Field("date", required=True),
        "topics": Field(
            "list",
            item_kind="text",
            check=lambda keys: next(
                (msg("lists '{topic}' twice", topic=key) for key in keys if keys.count(key) > 1), None
            ),
            hint=msg("keys of topics declared in site.yaml, such as [ema, international]"),
        ),
    },
    "key-figures": {**_COMMON, "figures": Field("list", required=True, items=_FIGURE)},
    "swot": {
        **_COMMON,
        **{name: Field("list", required=True, items=_SWOT_ITEM) for name in SWOT_QUADRANTS},
    },
}


def split(text: str, path: str) -> tuple[str, int, str, int]:
    """Split a page into (yaml text, its first line, body, body's first line)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise SiteError(
            msg("the file does not start with front matter"),
            path,
            1,
            msg("begin the file with a line '---', then 'title: …', then another '---'"),
        )
    for index in range(1, len(lines)):
        closing = lines[index].rstrip()
        if closing == "...":
            # YAML's end of a document: whatever follows it up to the closing '---' (a draft
            # setting, say) would be dropped without a word, and the rest read as the page's text.
            raise SiteError(
                msg("a line '...' inside the front matter: the settings after it would be ignored"),
                path,
                index + 1,
                msg("close the front matter with a line '---' and remove the '...'"),
            )
        if closing == "---":
            yaml_text = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1 :])
            return yaml_text, 2, body, index + 2
    raise SiteError(
        msg("the front matter is never closed"), path, 1, msg("add a line '---' after the last setting")
    )


def parse(text: str, path: str, kind: str) -> Document:
    """Parse a whole page (already decoded, ``\\n`` line ends) for a page of ``kind``."""
    yaml_text, yaml_line, body, body_line = split(text, path)
    front_digest = hashlib.sha256(yaml_text.encode("utf-8")).hexdigest()
    return Document(parse_front(yaml_text, path, yaml_line, kind), body, body_line, front_digest)


def parse_front(yaml_text: str, path: str, yaml_line: int, kind: str) -> FrontMatter:
    """A page's front matter (its text between the --- lines, which start on ``yaml_line``),
    checked for a page of ``kind``."""
    size = len(yaml_text.encode("utf-8"))
    if size > MAX_FRONT_MATTER_BYTES:
        raise SiteError(
            msg(
                "the front matter is too large ({size} KiB; the limit is {limit} KiB)",
                size=size // 1024,
                limit=MAX_FRONT_MATTER_BYTES // 1024,
            ),
            path,
            1,
            msg("put long text in the page's body, below the second ---"),
        )
    # Imported when needed: a rebuild after an edit to a page's text reads no YAML (see load),
    # and PyYAML takes longer to import than such a rebuild spends on most stages.
    from site_builder.content.safe_yaml import read_yaml

    # Editors write text, not comments: "title: We are #1" means the whole title.
    data = read_yaml(yaml_text, path, yaml_line, comment_after_text=False)
    if data is None:
        raise SiteError(
            msg("the front matter is empty"), path, 1, msg("add 'title: …' between the --- lines")
        )
    if not isinstance(data, dict):
        raise SiteError(
            msg("the front matter is not a list of settings"),
            path,
            yaml_line,
            msg("write settings as 'key: value' lines, such as 'title: Nieuws'"),
        )
    errors: list[SiteError] = []
    kind = kind_with_template(kind, data.get("template"))
    values = validate(data, _KIND_FIELDS[kind], path, errors)
    for key in ("title", "menu_title"):
        if len(values.get(key) or "") > MAX_TITLE:
            errors.append(
                SiteError(
                    msg(
                        "{key} is {length:,} characters long; the limit is {limit:,}",
                        key=key,
                        length=len(values[key]),
                        limit=MAX_TITLE,
                    ),
                    path,
                    data.key_lines[key],
                    msg("a title is one line; put the rest in summary: or in the body"),
                )
            )
    if values.get("expiry_date") is not None:
        days = [day for day in (values.get("date"), values.get("publish_date")) if day is not None]
        due = max(days) if days else None
        if due is not None and values["expiry_date"] <= due:
            errors.append(
                SiteError(
                    msg(
                        "expiry_date {expiry} is not after the day the page is published, {due}",
                        expiry=values["expiry_date"].isoformat(),
                        due=due.isoformat(),
                    ),
                    path,
                    data.key_lines["expiry_date"],
                    msg("the page would never be shown: write a later expiry_date, or remove the line"),
                )
            )
    raise_if_any(errors)
    figures = tuple(_figure(item, line) for item, line in values.pop("figures", ()))
    _check_unique_ids(figures, path)
    places = tuple(Place(line=line, **item) for item, line in values.pop("places", ()))
    _check_unique_ids(places, path)
    swot = None
    if kind == "swot":
        yaml_lines = yaml_text.split("\n")
        swot = Swot(
            **{
                name: _swot_items(values.pop(name), data[name], yaml_lines, yaml_line)
                for name in SWOT_QUADRANTS
            }
        )
    if "aliases" in values:
        values["aliases"] = tuple(values["aliases"])
    for said in ("summary", "description"):
        if shows_nothing(values.get(said, "")):
            # As if left out: what stands in is used (see render.seo), not blank text.
            values[said] = ""
    lines = dict(data.key_lines)
    if "topics" in values:
        values["topics"] = tuple(values["topics"])
        written = data["topics"]
        item_lines = getattr(written, "item_lines", [lines["topics"]] * len(written))
        lines |= {f"topics[{n}]": line for n, line in enumerate(item_lines, 1)}
    return FrontMatter(**values, figures=figures, swot=swot, places=places, lines=lines)


def doubtful(front: FrontMatter, path: str, today: datetime.date) -> list[SiteError]:
    """Warnings about values that are allowed but most likely mistakes: a summary left empty,
    a description (or the summary standing in for one) longer than search results show, a
    title too long to show well, a date further than ``FUTURE_YEARS`` years after ``today``."""
    found = []
    if "summary" in front.lines and not front.summary:
        # As ``site-builder new`` writes it (summary: ""), to be filled in. Left so, search
        # results and link previews describe the page by its first lines (see ``render.seo``).
        found.append(
            SiteError(
                msg(
                    "the summary is empty: search results and link previews show the start of the page's text instead"
                ),
                path,
                front.lines.get("summary"),
                msg("write one or two sentences after summary:"),
            )
        )
    shown = "description" if front.description else "summary"  # what search results show
    length = len(getattr(front, shown))
    if length > DESCRIPTION_LIMIT:
        if front.description:
            problem = msg(
                "the description is {length:,} characters long; search results show about {limit} of it",
                length=length,
                limit=DESCRIPTION_LIMIT,
            )
            hint = msg("shorten it to one sentence of at most {limit} characters", limit=DESCRIPTION_LIMIT)
        else:
            # The summary is also the page's lead and its text in lists, where it may well be
            # longer: the description is written for search results alone.
            problem = msg(
                "the summary is {length:,} characters long; search results show about {limit} of it",
                length=length,
                limit=DESCRIPTION_LIMIT,
            )
            hint = msg(
                "add description: with one sentence of at most {limit} characters for search results "
                "and link previews; the summary stays the page's lead",
                limit=DESCRIPTION_LIMIT,
            )
        found.append(SiteError(problem, path, front.lines.get(shown), hint))
    if len(front.title) > LONG_TITLE:
        found.append(
            SiteError(
                msg(
                    "the title is {length:,} characters long; over {limit} it is "
                    "cut off in search results and hard to read in lists",
                    length=len(front.title),
                    limit=LONG_TITLE,
                ),
                path,
                front.lines.get("title"),
                msg("shorten it, and put the rest in summary:"),
            )
        )
    if front.date is not None and front.date > _years_after(today, FUTURE_YEARS):
        found.append(
            SiteError(
                msg(
                    "the date {date} is more than {years} years ahead",
                    date=front.date.isoformat(),
                    years=FUTURE_YEARS,
                ),
                path,
                front.lines.get("date"),
                msg("check the year; a news item stays first in every list until its date"),
            )
        )
    return found


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, in a year that has none
        return day.replace(year=day.year + years, day=28)


def _swot_items(
    items: list[tuple[dict[str, Any], int]], written: list, yaml_lines: list[str], yaml_line: int
) -> tuple[SwotItem, ...]:
    """A quadrant's items, from their values (all valid) and the mappings they were read from."""
    found = []
    for (values, line), mapping in zip(items, written, strict=True):
        first, last = mapping.value_lines["text"]
        text_written = "\n".join(yaml_lines[first - yaml_line : last - yaml_line + 1])
        found.append(SwotItem(values["title"], values["text"], line, first, text_written))
    return tuple(found)


def _figure(values: dict[str, Any], line: int) -> Figure:
    return Figure(line=line, **values)


def _check_unique_ids(items: tuple[Figure, ...] | tuple[Place, ...], path: str) -> None:
    seen: dict[str, int] = {}
    errors = []
    for item in items:
        if item.id in seen:
            if isinstance(item, Place):
                message = msg(
                    "place id '{id}' is used twice (first on line {line})", id=item.id, line=seen[item.id]
                )
                hint = msg("give every place its own id")
            else:
                message = msg(
                    "figure id '{id}' is used twice (first on line {line})", id=item.id, line=seen[item.id]
                )
                hint = msg("give every figure its own id")
            errors.append(SiteError(message, path, item.line, hint))
        seen.setdefault(item.id, item.line)
    raise_if_any(errors)
