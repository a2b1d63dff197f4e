"""A page's translatable text as units: one per translatable front-matter field and one per
block of Markdown (heading, paragraph, list item, table cell), with Markdown's inline syntax
and links as codes a translator moves but does not edit; and the page written back with other
text in those units. What ``translations export`` and ``import`` exchange (see ``xliff``).

Pure: text in, data out. Every unit knows where it is in the page, so the page is written
back by replacing those places only: a unit whose text is unchanged leaves its bytes as they
were, and the rest of the page (settings that are not text, code, the blank lines) is kept.
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import yaml

from site_builder.content.frontmatter import DESCRIPTION_LIMIT, SWOT_QUADRANTS, split
from site_builder.content.load import MAX_NESTING

# The front-matter fields that are words in a language; every other field is the same in every
# language (dates, numbers, codes) or belongs to one page only (aliases, draft), see
# ``OWN_FIELDS``. tests/test_xliff.py holds every field of the schema to this list.
PAGE_FIELDS = ("title", "summary", "description", "menu_title", "slug", "image_alt")
FIGURE_FIELDS = ("label", "short_label", "source")
PLACE_FIELDS = ("label", "kind")
SWOT_FIELDS = ("title", "text")  # text is Markdown
MARKDOWN_FIELDS = ("text",)
# Fields of a page's own, not of its source: a translation written from its source's text keeps
# the translation's own (or, for a new page, leaves aliases out: they are the source's addresses).
OWN_FIELDS = ("aliases", "draft", "translated_from")
# The settings that hold units, whole (a title) or in part (a figure's label); every other one
# holds no words: a translation written again from its source's text keeps its own of those.
TEXT_SETTINGS = frozenset((*PAGE_FIELDS, "figures", "places", *SWOT_QUADRANTS))
# Settings that belong to another one (the focal point of the photo ``image`` names): a page has
# them as it has that one, or goes without.
BELONGS_TO = {"focal_point": "image", "date_precision": "date"}
# What a translator is told of a field, whatever the page: how it is shown limits what it may be.
FIELD_NOTES = {
    "slug": (
        "The page's web address: lower-case letters a-z, digits and single hyphens, such as "
        "about-the-programme."
    ),
    "description": (
        "What search results and link previews show of the page: one sentence of at most "
        f"{DESCRIPTION_LIMIT} characters."
    ),
}


@dataclass(frozen=True, slots=True)
class Code:
    """Markdown syntax in a unit's text: a placeholder (``ph``), or the opening (``bpt``) or
    closing (``ept``) half of a pair around text (emphasis, a link's text)."""

    kind: str  # "ph", "bpt" or "ept"
    id: int  # numbered within the unit; a bpt and its ept share it
    native: str  # the Markdown it stands for, such as "](../swot.md)"
    ctype: str  # what it is, in XLIFF 1.2's words: "bold", "italic", "link", "x-code" …


Parts = tuple["str | Code", ...]


def markdown(parts: Parts) -> str:
    """The Markdown a unit's parts stand for."""
    return "".join(part if isinstance(part, str) else part.native for part in parts)


def codes(parts: Parts) -> tuple[Code, ...]:
    return tuple(part for part in parts if isinstance(part, Code))


@dataclass(frozen=True, slots=True)
class Unit:
    """One piece of a page to translate, and where it is."""

    id: str  # "title", "figures/lsh-jobs-nl/label", "strengths/2/text/1", "body/7"
    kind: str  # "field", "heading", "paragraph", "item", "cell"
    parts: Parts
    field: str  # the field that holds it: "body" or a front-matter field's name
    start: int  # where its text is in the field's text
    end: int
    indent: str  # what starts each of its lines after the first, in the field's text

    @property
    def text(self) -> str:
        return markdown(self.parts)


@dataclass(frozen=True, slots=True)
class Field:
    """A front-matter value (or the body) that holds units."""

    name: str
    value: str  # its text, as YAML reads it
    start: int  # its place in the page's text (for YAML, the scalar as written)
    end: int
    style: str | None  # "body", or YAML's scalar style: None (plain), '"', "'", "|", ">"
    indent: str  # a block scalar's indentation


@dataclass(frozen=True, slots=True)
class PageText:
    fields: Mapping[str, Field]
    units: tuple[Unit, ...]
    settings: Mapping[str, tuple[int, int]]  # every front-matter setting: its lines' place in the page

    def unit(self, unit_id: str) -> Unit | None:
        return next((unit for unit in self.units if unit.id == unit_id), None)

    @property
    def own(self) -> dict[str, tuple[int, int]]:
        """The ``OWN_FIELDS`` present, and their lines' place in the page."""
        return {name: span for name, span in self.settings.items() if name in OWN_FIELDS}


def page_text(text: str) -> PageText:
    """The units of a page (decoded text, ``\\n`` line ends, front matter already valid)."""
    front, _, body, _body_line = split(text, "")
    front_start = text.index("\n") + 1
    body_start = len(text) - len(body) if body else len(text)
    fields: dict[str, Field] = {}
    settings: dict[str, tuple[int, int]] = {}
    _front_fields(front, front_start, text, fields, settings)
    fields["body"] = Field("body", body, body_start, len(text), "body", "")
    units: list[Unit] = []
    for field in fields.values():
        if field.name == "body" or field.name.rpartition("/")[2] in MARKDOWN_FIELDS:
            for number, (kind, start, end, indent) in enumerate(blocks(field.value), 1):
                units.append(
                    _unit(f"{field.name}/{number}", kind, field.value, start, end, indent, field.name, True)
                )
        else:
            units.append(_unit(field.name, "field", field.value, 0, len(field.value), "", field.name, False))
    return PageText(fields, tuple(unit for unit in units if unit is not None), settings)


def _unit(
    unit_id: str, kind: str, value: str, start: int, end: int, indent: str, field: str, is_markdown: bool
) -> Unit | None:
    raw = value[start:end]
    if indent:
        raw = raw.replace("\n" + indent, "\n")
    parts = inline(raw) if is_markdown else ((raw,) if raw else ())
    if not any(isinstance(part, str) and part.strip() for part in parts):
        return None  # nothing to translate: an image without words, a rule, a code
    return Unit(unit_id, kind, parts, field, start, end, indent)


def _front_fields(
    front: str, offset: int, text: str, fields: dict[str, Field], settings: dict[str, tuple[int, int]]
) -> None:
    root = yaml.compose(front, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return
    for key, value in root.value:
        name = key.value
        start = offset + key.start_mark.index - key.start_mark.column
        end = offset + value.end_mark.index
        end = end if text[end - 1 : end] == "\n" else text.find("\n", end) + 1 or len(text)
        settings[name] = (start, end)
        if name in OWN_FIELDS:
            continue
        if name in PAGE_FIELDS and isinstance(value, yaml.ScalarNode):
            fields[name] = _field(name, value, offset, text)
        elif name in ("figures", "places") and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                values = _mapping(item)
                item_id = values.get("id")
                if item_id is None:
                    continue
                for child in FIGURE_FIELDS if name == "figures" else PLACE_FIELDS:
                    if child in values:
                        fields[f"{name}/{item_id.value}/{child}"] = _field(
                            f"{name}/{item_id.value}/{child}", values[child], offset, text
                        )
        elif name in SWOT_QUADRANTS and isinstance(value, yaml.SequenceNode):
            for number, item in enumerate(value.value, 1):
                values = _mapping(item)
                for child in SWOT_FIELDS:
                    if child in values:
                        fields[f"{name}/{number}/{child}"] = _field(
                            f"{name}/{number}/{child}", values[child], offset, text
                        )


def _mapping(node: yaml.Node) -> dict[str, yaml.ScalarNode]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: v for k, v in node.value if isinstance(v, yaml.ScalarNode)}


def _field(name: str, node: yaml.ScalarNode, offset: int, text: str) -> Field:
    start, end = offset + node.start_mark.index, offset + node.end_mark.index
    indent = ""
    if node.style in ("|", ">"):
        body = text[start:end].split("\n", 1)[1] if "\n" in text[start:end] else ""
        first = next((line for line in body.split("\n") if line.strip()), "")
        indent = first[: len(first) - len(first.lstrip(" "))]
    return Field(name, node.value, start, end, node.style, indent)


# --- writing back -------------------------------------------------------------------------


class Unwritable(ValueError):
    """A unit's new text cannot be written where it goes."""

    def __init__(self, unit_id: str, reason: str) -> None:
        super().__init__(f"unit '{unit_id}': {reason}")
        self.unit_id = unit_id


def rewritten(text: str, page: PageText, new: Mapping[str, str]) -> str:
    """``text`` (the page ``page`` was read from) with the units named in ``new`` holding that
    Markdown instead. Raises ``Unwritable``."""
    by_field: dict[str, list[tuple[Unit, str]]] = {}
    for unit_id, markdown_text in new.items():
        unit = page.unit(unit_id)
        if unit is None:
            raise KeyError(unit_id)
        if markdown_text != unit.text:
            by_field.setdefault(unit.field, []).append((unit, markdown_text))
    edits: list[tuple[int, int, str]] = []
    for name, changes in by_field.items():
        field = page.fields[name]
        value = field.value
        for unit, markdown_text in sorted(changes, key=lambda change: -change[0].start):
            if unit.kind != "field" and _BLANK_LINE.search(markdown_text.strip()):
                raise Unwritable(unit.id, "a block of text cannot be split into several")
            if unit.kind in ("heading", "cell") and "\n" in markdown_text:
                raise Unwritable(unit.id, f"a {unit.kind} is one line")
            if unit.kind == "cell" and "|" in markdown_text.replace("\\|", ""):
                raise Unwritable(unit.id, "a table cell cannot hold '|' (write \\| instead)")
            placed = markdown_text.replace("\n", "\n" + unit.indent) if unit.indent else markdown_text
            value = value[: unit.start] + placed + value[unit.end :]
        if field.style == "body":
            edits.append((field.start, field.end, value))
        else:
            edits.append((field.start, field.end, _scalar(text[field.start : field.end], field, value)))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def with_own_fields(text: str, page: PageText, own_text: str) -> str:
    """``text`` (whose units ``page`` describes) without its ``OWN_FIELDS`` lines, and with
    ``own_text`` (another page's such lines, and any of its settings ``text`` lacks, as
    ``own_fields_text`` gives them) at the end of its front matter."""
    for start, end in sorted(page.own.values(), reverse=True):
        text = text[:start] + text[end:]
    if not own_text:
        return text
    lines = text.split("\n")
    closing = next(index for index in range(1, len(lines)) if lines[index].rstrip() == "---")
    head = "\n".join(lines[:closing]) + "\n"
    return head + own_text + "\n".join(lines[closing:])


def with_settings_of(
    text: str, page: PageText, other_text: str, other: PageText, names: Collection[str]
) -> str:
    """``text`` (which ``page`` describes) with the lines of each of its settings ``names`` as
    ``other_text`` (which ``other`` describes) has them, in their place; left out where ``other``
    has none."""
    for (start, end), name in sorted(((span, name) for name, span in page.settings.items()), reverse=True):
        if name in names:
            theirs = other.settings.get(name)
            text = text[:start] + (other_text[theirs[0] : theirs[1]] if theirs else "") + text[end:]
    return text


def own_fields_text(text: str, page: PageText, names: Collection[str]) -> str:
    """The lines of the settings ``names`` in ``text``, as written, in its order."""
    spans = sorted(span for name, span in page.settings.items() if name in names)
    return "".join(text[start:end] for start, end in spans)


def _scalar(written: str, field: Field, value: str) -> str:
    """``value`` as a YAML scalar in the place of ``written``, in its style where it can be."""
    if field.style in ("|", ">") and value and not value[0].isspace() and "\r" not in value:
        indent = field.indent or "  "
        header = "|" if value.endswith("\n") else "|-"
        body = value.removesuffix("\n")
        lines = [indent + line if line else "" for line in body.split("\n")]
        return header + "\n" + "\n".join(lines) + written[len(written.rstrip("\n")) :]
    if "\n" not in value and value == value.strip() and value and field.style is None:
        try:
            if yaml.safe_load(f"key: {value}") == {"key": value} and "#" not in value:
                return value
        except yaml.YAMLError:
            pass
    if field.style == "'" and "\n" not in value:
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value, ensure_ascii=False)


# --- Markdown blocks -----------------------------------------------------------------------

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_HEADING = re.compile(r"( {0,3}#{1,6}[ \t]+)(.*?)(?:[ \t]+#+)?[ \t]*$")
_RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_ITEM = re.compile(r"([ \t]*(?:[-*+:]|\d{1,9}[.)])[ \t]+)(?=\S)")
_QUOTE = re.compile(r"[ \t]{0,3}>[ \t]?")
_SKELETON = re.compile(
    r" {0,3}(?:\[[^\]^][^\]]*\]:\s|\*\[[^\]]+\]:|\{:?[ \t]*[.#:][^}]*\}[ \t]*$|<!--.*-->[ \t]*$)"
)
_FOOTNOTE = re.compile(r"( {0,3}\[\^[^\]]+\]:[ \t]+)(?=\S)")
_TABLE_SEPARATOR = re.compile(r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")


def blocks(text: str) -> list[tuple[str, int, int, str]]:
    """The blocks of Markdown ``text`` that hold text: (kind, start, end, indent of the lines
    after the first), in order; fenced code, rules, blank lines and definitions of links are
    left out."""
    found: list[tuple[str, int, int, str]] = []
    lines = text.split("\n")
    starts, position = [], 0
    for line in lines:
        starts.append(position)
        position += len(line) + 1
    fence: str | None = None
    index = 0
    while index < len(lines):
        line, start = lines[index], starts[index]
        if fence is not None:
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
            index += 1
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening.group(1)
            index += 1
            continue
        if not line.strip() or _RULE.match(line) or _SKELETON.match(line) or _TABLE_SEPARATOR.match(line):
            index += 1
            continue
        quote = _QUOTE.match(line)
        prefix = quote.group() if quote else ""
        content = line[len(prefix) :]
        heading = _HEADING.match(content)
        if heading:
            offset = start + len(prefix) + heading.start(2)
            found.append(("heading", offset, offset + len(heading.group(2)), ""))
            index += 1
            continue
        if content.lstrip().startswith("|"):
            found += _cells(content, start + len(prefix))
            index += 1
            continue
        marker = _ITEM.match(content) or _FOOTNOTE.match(content)
        kind = "item" if marker else "paragraph"
        first = start + len(prefix) + (marker.end() if marker else len(content) - len(content.lstrip()))
        last = index
        while last + 1 < len(lines) and _continues(lines[last + 1], prefix):
            last += 1
        end = (
            starts[last] + len(lines[last].rstrip(" \t")) if last > index else start + len(line.rstrip(" \t"))
        )
        indent = _common_indent(lines[index + 1 : last + 1])
        found.append((kind, first, max(first, end), indent))
        index = last + 1
    return found


def _continues(line: str, prefix: str) -> bool:
    """Whether ``line`` goes on with the paragraph or item above it."""
    if not line.strip():
        return False
    quote = _QUOTE.match(line)
    if bool(quote) != bool(prefix):
        return False
    content = line[len(quote.group()) :] if quote else line
    return not (
        _FENCE.match(content)
        or _HEADING.match(content)
        or _RULE.match(content)
        or _ITEM.match(content)
        or _FOOTNOTE.match(content)
        or _SKELETON.match(content)
        or content.lstrip().startswith("|")
    )


def _common_indent(lines: list[str]) -> str:
    """What every line in ``lines`` starts with (spaces, a quote's ``>``), if they agree."""
    if not lines:
        return ""
    leads = {line[: len(line) - len(line.lstrip(" \t>"))] for line in lines}
    return leads.pop() if len(leads) == 1 else ""


def _cells(row: str, offset: int) -> list[tuple[str, int, int, str]]:
    """The cells of a table's row (``| a | b |``) that hold text."""
    bars, index, code = [], 0, False
    while index < len(row):
        char = row[index]
        if char == "\\":
            index += 2
            continue
        if char == "`":
            code = not code
        elif char == "|" and not code:
            bars.append(index)
        index += 1
    lead, end = len(row) - len(row.lstrip()), len(row.rstrip())
    edges = bars if bars and bars[0] == lead else [lead - 1, *bars]
    if edges[-1] != end - 1:
        edges.append(end)
    cells = []
    for left, right in itertools.pairwise(edges):
        cell = row[left + 1 : right]
        if cell.strip():
            first = left + 1 + len(cell) - len(cell.lstrip())
            cells.append(("cell", offset + first, offset + first + len(cell.strip()), ""))
    return cells


# --- inline Markdown -------------------------------------------------------------------------

_ESCAPE = re.compile(r"\\[\\`*_{}\[\]()#+\-.!|<>~\"'\n]")
_AUTOLINK = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--.*?-->", re.DOTALL)
_ATTRIBUTES = re.compile(r"\{:?[ \t]*[.#:][^}\n]*\}")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")
_PAIRS = (
    ("***", "x-bold-italic"),
    ("___", "x-bold-italic"),
    ("**", "bold"),
    ("__", "bold"),
    ("*", "italic"),
    ("_", "italic"),
)


def inline(text: str) -> Parts:
    """``text`` (inline Markdown) as text and codes: links, emphasis, code, HTML and escapes are
    codes, numbered in order; everything else is text."""
    counter = [0]
    return joined(_inline(text, counter))


def _next_id(counter: list[int]) -> int:
    counter[0] += 1
    return counter[0]


def _inline(text: str, counter: list[int], depth: int = 0) -> list:
    if depth > MAX_NESTING:  # links in links in emphasis …: the rest is text
        return [text]
    parts: list = []
    index, plain = 0, 0
    brackets = parens = None
    closers: dict[str, list[int]] = {}
    while index < len(text):
        char = text[index]
        found = None
        if char == "\\":
            match = _ESCAPE.match(text, index)
            if match:
                found = (match.end(), [Code("ph", _next_id(counter), match.group(), "x-escape")])
        elif char == "`":
            run = len(text[index:]) - len(text[index:].lstrip("`"))
            close = text.find("`" * run, index + run)
            while close != -1 and text[close + run : close + run + 1] == "`":
                close = text.find("`" * run, close + run + 1)
            if close != -1:
                end = close + run
                found = (end, [Code("ph", _next_id(counter), text[index:end], "x-code")])
        elif char == "<":
            match = _AUTOLINK.match(text, index) or _TAG.match(text, index)
            if match:
                found = (match.end(), [Code("ph", _next_id(counter), match.group(), "x-html")])
        elif char == "{":
            match = _ATTRIBUTES.match(text, index)
            if match:
                found = (match.end(), [Code("ph", _next_id(counter), match.group(), "x-attributes")])
        elif char == "[" or (char == "!" and text.startswith("[", index + 1)):
            if brackets is None:  # found once for the whole text, when it has a link at all
                brackets, parens = _pairs(text, "[", "]"), _pairs(text, "(", ")")
            found = _link(text, index, counter, depth, brackets, parens)
        elif char in "*_":
            found = _emphasis(text, index, counter, depth, closers)
        if found is None:
            index += 1
            continue
        if plain < index:
            parts.append(text[plain:index])
        end, made = found
        parts += made
        index = plain = end
    if plain < len(text):
        parts.append(text[plain:])
    return parts


def _link(text: str, index: int, counter: list[int], depth: int, brackets: dict, parens: dict):
    footnote = _FOOTNOTE_REF.match(text, index)
    if footnote:
        return footnote.end(), [Code("ph", _next_id(counter), footnote.group(), "x-footnote")]
    image = text[index] == "!"
    opening = index + (2 if image else 1)
    close = brackets.get(opening - 1)
    if close is None:
        return None
    after = close + 1
    if text.startswith("(", after):
        end = parens.get(after)
    elif text.startswith("[", after):
        end = brackets.get(after)
    else:
        return None  # [text] alone: a reference link is rare, and square brackets are words
    if end is None:
        return None
    end += 1
    number = _next_id(counter)
    ctype = "x-image" if image else "link"
    inner = _inline(text[opening:close], counter, depth + 1)
    return end, [
        Code("bpt", number, text[index:opening], ctype),
        *inner,
        Code("ept", number, text[close:end], ctype),
    ]


def _pairs(text: str, opening: str, closing: str) -> dict[int, int]:
    """Where each bracket of ``text`` that is closed closes, found in one pass (escapes passed
    over; a blank line closes nothing that opened before it)."""
    found: dict[int, int] = {}
    opened: list[int] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char == "\\":
            position += 2
            continue
        if char == opening:
            opened.append(position)
        elif char == closing and opened:
            found[opened.pop()] = position
        elif char == "\n" and text.startswith("\n", position + 1):
            opened.clear()
        position += 1
    return found


def _emphasis(text: str, index: int, counter: list[int], depth: int, closers: dict[str, list[int]]):
    for delimiter, ctype in _PAIRS:
        if not text.startswith(delimiter, index):
            continue
        after = index + len(delimiter)
        if after >= len(text) or text[after].isspace() or text[after] == delimiter[0]:
            continue
        if delimiter[0] == "_" and index and text[index - 1].isalnum():
            continue
        if delimiter not in closers:  # found once for the whole text
            closers[delimiter] = _closers(text, delimiter)
        ends = closers[delimiter]
        found = bisect.bisect_right(ends, after)
        if found == len(ends):
            return None
        close = ends[found]
        number = _next_id(counter)
        inner = _inline(text[after:close], counter, depth + 1)
        return close + len(delimiter), [
            Code("bpt", number, delimiter, ctype),
            *inner,
            Code("ept", number, delimiter, ctype),
        ]
    return None


def _closers(text: str, delimiter: str) -> list[int]:
    """Where in ``text`` emphasis marked with ``delimiter`` can end, in order: after a character
    that is no space, and not before another of its marks (nor, for ``_``, inside a word)."""
    ends = []
    close = text.find(delimiter, 1)
    while close != -1:
        beyond = close + len(delimiter)
        following = text[beyond : beyond + 1]
        inside_word = delimiter[0] == "_" and following.isalnum()
        if not text[close - 1].isspace() and following != delimiter[0] and not inside_word:
            ends.append(close)
        close = text.find(delimiter, close + 1)
    return ends


def joined(parts: list) -> Parts:
    """``parts`` with neighbouring text made one, empty text left out."""
    joined: list = []
    for part in parts:
        if isinstance(part, str) and joined and isinstance(joined[-1], str):
            joined[-1] += part
        elif part != "":
            joined.append(part)
    return tuple(joined)
