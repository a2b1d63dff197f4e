"""Declarative validation of mappings read from YAML, with the line of every mistake.

Shared by ``config`` (site.yaml) and ``frontmatter`` (pages). The YAML is read
by ``safe_yaml.read_yaml``: every mapping and list it returns (``YamlMap``,
``YamlList``) remembers the line of each of its entries, so a validation error
can name the line of the offending key.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from site_builder.errors import Message, SiteError, msg


class YamlMap(dict):
    """A YAML mapping that knows its own line and the line of every key (1-based, in the file),
    and of every value the first and last line its text is written on (for a block such as
    ``text: |``, the lines below the key)."""

    line: int
    key_lines: dict[str, int]
    value_lines: dict[str, tuple[int, int]]


class YamlList(list):
    """A YAML sequence that knows its own line and the line of every item."""

    line: int
    item_lines: list[int]


class YamlInt(int):
    """A whole number read from YAML that remembers how it was written (``+31``), for a field of text."""

    written: str


class YamlFloat(float):
    """A number with a fraction or exponent read from YAML that remembers how it was written
    (``1.50``, ``2e3``), for a field of text."""

    written: str


# --- validation -------------------------------------------------------------

Check = Callable[[Any], Message | str | None]
"""Returns an error message for a bad value, or None."""


@dataclass(frozen=True, slots=True)
class Field:
    """One front-matter field: its kind, whether it is required and how it is checked."""

    kind: str  # "text", "int", "number", "bool", "date", "list", "map", "any"
    required: bool = False
    check: Check | None = None
    hint: Message | str | None = None
    items: Mapping[str, Field] | None = None  # for a list of mappings
    item_kind: str | None = None  # for a list of scalars


_KIND_NAMES = {
    "text": msg("text"),
    "int": msg("a whole number"),
    "number": msg("a number"),
    "bool": msg("true or false"),
    "date": msg("a date"),
    "list": msg("a list"),
    "map": msg("a mapping (key: value lines)"),
}

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_NUMBER = 10**15


_KIND_HINTS = {
    "int": msg("a whole number such as 10"),
    "number": msg("a plain number such as 65000 or 2.5, without separators"),
    "bool": msg("write true or false"),
    "list": msg("write the items on the lines below it, each after '- '"),
    "map": msg("write 'key: value' lines below it, indented, such as 'en: …'"),
}
# Where text is needed, what YAML read instead tells how to write it. (Nothing at all, as in
# "name:" or "name: ~", is told by the field's own hint, or by _text_hint.)
_TEXT_HINTS = {
    bool: msg('put the word in quotes, such as "true": unquoted, true and false are read as true or false'),
    YamlList: msg(
        'write the text on the same line; text that starts with [ or - goes in quotes, such as "[draft] Plan"'
    ),
    YamlMap: msg("text that contains ': ' or starts with {{ goes in quotes"),
}
# What YAML 1.1 read as true or false and we read as text (see safe_yaml._BOOL), and the Dutch
# words for them: written where true or false is needed, they are refused with the one meant.
_YAML_11_BOOLEANS = {
    **dict.fromkeys(("yes", "y", "on", "ja"), "true"),
    **dict.fromkeys(("no", "n", "off", "nee"), "false"),
}
# What YAML 1.1 read as a number and we read as text (see safe_yaml._INT): written where a
# number is needed, most likely meant as one.
_LEADING_ZERO = re.compile(r"(?P<sign>[-+]?)0+(?P<rest>[0-9]+(?:\.[0-9]*)?)")
_OTHER_BASE = re.compile(r"[-+]?0[xob][0-9a-f_]+", re.IGNORECASE)
_UNDERSCORES = re.compile(r"[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?")
_BASE_60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
# A number with exactly three decimals: 65.000 may be 65000 with a thousands separator, as
# Dutch writes it, and 52.355 a coordinate. YAML reads both as the fraction, so the settings
# refuse it (see safe_yaml) with a hint for each meaning.
THOUSANDS = re.compile(r"[-+]?\d{1,3}(\.\d{3})+")


def shows_nothing(text: str) -> bool:
    """Whether ``text`` is spaces, line breaks and invisible characters (a zero-width space, a
    byte order mark) alone, or nothing."""
    return all(c.isspace() or unicodedata.category(c) == "Cf" for c in text)


def between(low: float, high: float) -> Check:
    """The check of a number from ``low`` to ``high``."""

    def check(value: float) -> Message | None:
        if low <= value <= high:
            return None
        # As typed (5000, 52.350), not in the reader's marks: the hint says to write it so.
        return msg("{value} is not between {low:,} and {high:,}", value=_quoted(value), low=low, high=high)

    return check


def thousands_hint(written: str) -> Message:
    """How to write ``written`` (see ``THOUSANDS``) for either meaning: the decimal point stays
    in a fraction, and a zero after it keeps its value."""
    return msg(
        "if you mean {number}, write it without separators; if you mean a decimal fraction "
        "(a coordinate, say), add a zero: {fraction}",
        number=written.replace(".", ""),
        fraction=written + "0",
    )


def as_written(value: Any) -> str:
    """A value as YAML writes it: nothing as ~, true and false in lower case, a number as typed."""
    if value is None:
        return "~"
    if isinstance(value, bool):
        return str(value).lower()
    return getattr(value, "written", str(value))


def _quoted(value: Any) -> str:
    """A number as typed, for a message to quote; cut after 40 characters (YAML takes thousands)."""
    written = as_written(value)
    return written if len(written) <= 40 else written[:40] + "…"


def _plain(value: Any) -> Any:
    """A number as Python's own int or float: the build cache holds no other kind of number."""
    if isinstance(value, YamlInt):
        return int(value)
    if isinstance(value, YamlFloat):
        return float(value)
    return value


def _unread_number(text: str) -> Message | None:
    """A hint for ``text``, written where a number is needed, if it is a number in a form
    that is read as text (see ``_LEADING_ZERO``); else None."""
    found = _LEADING_ZERO.fullmatch(text)
    if found:
        return msg("write {number} without the leading zero", number=found["sign"] + found["rest"])
    if _OTHER_BASE.fullmatch(text):
        try:
            number = int(text, 0)
        except ValueError:
            return None
        return msg("write the number in decimal digits: {number}", number=str(number))
    if _UNDERSCORES.fullmatch(text) and "_" in text:
        number = text.replace("_", "")
        if THOUSANDS.fullmatch(number):  # written so, it would be refused as well
            return thousands_hint(number)
        return msg("write {number} without separators", number=number)
    if _BASE_60.fullmatch(text):
        return msg("write one plain number, without ':'")
    return None


def _convert(kind: str, value: Any) -> tuple[Any, Message | None, Message | None]:
    """Return (converted value, error message, a hint that fits this mistake better than the field's).
    A number is returned as read, with how it was typed, for its check to quote it so (see ``_plain``)."""
    if kind == "any":
        return value, None, None
    if kind == "text":
        if isinstance(value, str):
            return value, None, None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return as_written(value), None, None
    elif kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value, None, None
    elif kind == "number":
        if isinstance(value, int | float) and not isinstance(value, bool):
            # .inf and .nan are numbers to YAML: a bar of width nan%, a figure shown as ∞;
            # and beyond this, formatting and the charts' arithmetic fail.
            if not math.isfinite(value) or abs(value) > MAX_NUMBER:
                return None, msg("'{value}' is not a number from -10^15 to 10^15", value=_quoted(value)), None
            return value, None, None
    elif kind == "bool":
        if isinstance(value, bool):
            return value, None, None
        meant = _YAML_11_BOOLEANS.get(value.strip().lower()) if isinstance(value, str) else None
        if meant is not None:
            hint = msg("write true or false: {meant}, not {value}", meant=meant, value=value)
            return (
                None,
                msg("is {found}, expected {kind}", found=_describe(value), kind=_KIND_NAMES[kind]),
                hint,
            )
    elif kind == "date":
        # Nothing, true or false, a list or a mapping is described as such below: str() of it
        # said "date 'None' is not a date".
        if (isinstance(value, str) and value.strip()) or _is_number(value):
            text = as_written(value)
            if _DATE.fullmatch(text):
                try:
                    return datetime.date.fromisoformat(text), None, None
                except ValueError:
                    return None, msg("'{text}' is not a valid date", text=text), None
            return None, msg("'{text}' is not a date", text=text), None
    elif kind == "list":
        if isinstance(value, list):
            return value, None, None
    elif kind == "map":
        if isinstance(value, dict):
            return value, None, None
    if kind in _KIND_HINTS and isinstance(value, str):
        hint = _unread_number(value.strip())
        if hint is not None:
            return None, msg("'{value}' is not read as a number", value=value), hint
    hint = text_hint(value) if kind == "text" else None
    return None, msg("is {found}, expected {kind}", found=_describe(value), kind=_KIND_NAMES[kind]), hint


def as_text(value: Any) -> tuple[str | None, Message | None]:
    """``value`` as a field of text takes it (a number as it was written), or None and why not."""
    converted, problem, _ = _convert("text", value)
    return converted, problem


def text_hint(value: Any) -> Message | None:
    """How to write text where YAML read ``value`` (true or false, a list, a mapping) instead; else None."""
    return _TEXT_HINTS.get(type(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text_hint(kind: str, key: str) -> Message | None:
    if kind != "text":
        return None
    return msg("write the text after the colon, such as {key}: Amsterdam", key=key)


def _describe(value: Any) -> Message | str:
    if value is None or (isinstance(value, str) and not value.strip()):  # ~, nothing, or "" in quotes
        return msg("empty")
    if isinstance(value, bool):
        return msg("true/false")
    if isinstance(value, dict):
        return msg("a mapping")
    if isinstance(value, list):
        return msg("a list")
    if isinstance(value, int | float):
        return msg("a number")
    return f"'{value}'"


def validate(
    data: YamlMap,
    fields: Mapping[str, Field],
    path: str,
    errors: list,
    where: str = "",
) -> dict[str, Any]:
    """Check ``data`` against ``fields``; append ``SiteError``s to ``errors``.

    Returns the converted values of the valid keys. ``where`` prefixes
    messages for nested mappings, e.g. ``figures[2].``.
    """
    values: dict[str, Any] = {}
    for key, value in data.items():
        line = data.key_lines.get(key, data.line)
        field = fields.get(key)
        if field is None:
            errors.append(
                SiteError(
                    msg("unknown key '{key}'", key=f"{where}{key}"),
                    path,
                    line,
                    _unknown_key_hint(key, fields),
                )
            )
            continue
        converted, problem, own_hint = _convert(field.kind, value)
        if problem is None and field.kind == "list" and isinstance(converted, list):
            converted = _validate_list(key, converted, field, path, errors, where, line)
        if problem is None and field.check is not None:
            problem = field.check(converted)
        if problem is not None:
            hint = own_hint or field.hint or _KIND_HINTS.get(field.kind) or _text_hint(field.kind, key)
            if field.kind == "date" and hint is None:
                hint = msg("write the date as YYYY-MM-DD")
            errors.append(
                SiteError(msg("{key} {problem}", key=f"{where}{key}", problem=problem), path, line, hint)
            )
            continue
        values[key] = (
            [_plain(item) for item in converted] if isinstance(converted, list) else _plain(converted)
        )
    for key, field in fields.items():
        if field.required and key not in data:
            errors.append(
                SiteError(
                    msg("missing required key '{key}'", key=f"{where}{key}"),
                    path,
                    data.line,
                    field.hint or msg("add a line '{key}: …'", key=key),
                )
            )
    return values


def _validate_list(key, items, field, path, errors, where, line) -> list:
    lines = getattr(items, "item_lines", [line] * len(items))
    result = []
    for index, (item, item_line) in enumerate(zip(items, lines, strict=True)):
        label = f"{where}{key}[{index + 1}]"
        if field.items is not None:
            if not isinstance(item, dict):
                first = next(iter(field.items))
                errors.append(
                    SiteError(
                        msg("{label} is {found}, expected a mapping", label=label, found=_describe(item)),
                        path,
                        item_line,
                        msg(
                            "begin each item with '- {key}: …' and write its other keys below it, indented alike",
                            key=first,
                        ),
                    )
                )
                continue
            result.append((validate(item, field.items, path, errors, f"{label}."), item_line))
        elif field.item_kind is not None:
            converted, problem, hint = _convert(field.item_kind, item)
            if problem:
                errors.append(
                    SiteError(
                        msg("{key} {problem}", key=label, problem=problem),
                        path,
                        item_line,
                        hint
                        or field.hint
                        or _KIND_HINTS.get(field.item_kind)
                        or _text_hint(field.item_kind, key),
                    )
                )
                continue
            result.append(converted)  # made plain once the list's own check has quoted it
    return result


_GLUED = re.compile(r"([A-Za-z_][\w-]*):(?=[^\s/])")  # not https://


def glued_key(written: str) -> str | None:
    """The key at the start of ``written`` (``summary:Een middag``) if no space follows its ':',
    which makes the whole line one word for YAML; else None."""
    found = _GLUED.match(written)
    return found.group(1) if found else None


def space_after_colon(key: str) -> Message:
    return msg("type a space after the ':', as in '{key}: …'", key=key)


def _unknown_key_hint(key: str, fields: Mapping[str, Field]) -> Message:
    if (glued := glued_key(str(key))) in fields:
        return space_after_colon(glued)
    meant = closest(key, fields)
    if meant is not None:
        return did_you_mean(meant)
    return msg("allowed keys: {keys}", keys=", ".join(sorted(fields)))


def closest(key: object, names: Iterable[str]) -> str | None:
    """The one of ``names`` that ``key``, a mistake, most likely stands for; None if none is alike."""
    import difflib  # for a mistake only

    # Compared in lower case: BASE_URL is base_url as surely as base_ulr is.
    lowered = {str(name).lower(): name for name in names}
    close = difflib.get_close_matches(str(key).lower(), list(lowered), n=1)
    return lowered[close[0]] if close else None


def did_you_mean(name: str) -> Message:
    return msg("did you mean '{key}'?", key=name)
