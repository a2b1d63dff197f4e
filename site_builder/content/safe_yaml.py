"""YAML read safely, with line numbers (for ``config`` and ``frontmatter``, validated by ``schema``).

PyYAML's safe loader, with these changes that matter to editors:

* duplicate keys are an error instead of "last one wins";
* aliases are refused, so an alias bomb cannot expand (front matter has no use for them);
  so are YAML 1.1's merge keys (``<<: …``), which YAML 1.2 does not have and which only
  copy from an alias; ``=`` (YAML 1.1's "value" key) is text, as in YAML 1.2;
* dates stay text until validated, so ``2017-11-31`` is reported with its line
  instead of crashing the YAML parser;
* numbers are read as YAML 1.2 reads them, in decimal digits only (see ``_INT``), never as
  YAML 1.1 does: ``010`` was 8, ``1_000`` 1000, ``1:30`` 90; a number remembers how it was
  written, so a field of text keeps ``007`` or ``1.50`` as typed;
* true and false are as YAML 1.2 writes them (``true``, ``True``, ``TRUE``, and so for
  false), never YAML 1.1's ``yes``, ``no``, ``on``, ``off``: those are text, so
  ``summary: yes`` means the word, and ``draft: no`` is refused with a hint, not read as false;
* lists and mappings nested more than ``MAX_DEPTH`` deep are refused before
  they are built, so ``[[[[…]]]]`` cannot exhaust Python's recursion limit;
* text holding a control character (other than tab and line break) or a noncharacter
  is refused, however it was written: typed, or as an escape such as ``"\x01"``, which
  the file's own check of its bytes cannot see;
* where asked (a page's front matter), text followed by a comment on its line is
  refused: ``title: We are #1`` would silently lose its end;
* a quote or bracket left open, or text after a closing one, is reported in plain
  words at the line where the mistake is, not where YAML noticed it, often lines later.

Every mapping and list remembers the line of each of its entries, so a
validation error can name the line of the offending key.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import yaml

from site_builder.content.schema import (
    THOUSANDS,
    YamlFloat,
    YamlInt,
    YamlList,
    YamlMap,
    glued_key,
    space_after_colon,
    thousands_hint,
)
from site_builder.errors import Message, SiteError, msg

MAX_DEPTH = 20  # the deepest real settings (a key figure's keys) are 3 levels down
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _YamlProblem(Exception):
    def __init__(self, message: Message, line: int, hint: Message | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.hint = message, line, hint


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    line_offset = 1
    source_text = ""
    comment_after_text = True  # see _construct_str
    source_lines: list[str] | None = None  # of source_text, split when needed

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            # An alias shares its anchor's node, so the node's line is the
            # anchor's; the alias itself is found by scanning (error path only).
            raise _YamlProblem(
                msg("YAML aliases (*name) are not supported"),
                _first_alias_line(self.source_text) + self.line_offset,
                msg("write the value out in full"),
            )
        return super().construct_object(node, deep=deep)


_KEY_HINT = msg("keys are words such as title:")


def _first_alias_line(text: str) -> int:
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(token, yaml.AliasToken):
            return token.start_mark.line
    return 0


# Numbers as YAML 1.2's core schema reads them, but in decimal digits only: its 0o (octal) and
# 0x (hexadecimal) forms are left out, as YAML 1.1's 0b, 0…, 1_000 and 1:30 (base 60) are. No
# figure, year or coordinate is written so, and each reads as a number other than the one an
# editor sees: 010 was 8. A digit string that starts with 0 (010, 007) is no number either:
# YAML 1.1 read it as octal and 1.2 as decimal, so a reader cannot tell what was meant. All of
# these are text, kept as written (a label "007"), and refused with a hint where a number is
# needed (see schema's _unread_number).
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_FLOAT = re.compile(
    r"[-+]?(?:(?:\.[0-9]+|(?:0|[1-9][0-9]*)\.[0-9]*)(?:[eE][-+]?[0-9]+)?|(?:0|[1-9][0-9]*)[eE][-+]?[0-9]+)\Z"
    r"|[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z"
)
_INT_TAG, _FLOAT_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
# True and false as YAML 1.2's core schema writes them. YAML 1.1 also read yes, no, on and off
# (any case) so: "menu: on" put a page in the menu, "draft: no" published it, and a language
# code no (Norwegian) was false. Each is text now, and where true or false is needed, refused
# with a hint (see schema's _YAML_11_BOOLEANS).
_BOOL = re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z")
_BOOL_TAG = "tag:yaml.org,2002:bool"
# YAML 1.1's merge key << and value key =, read as text: each resolved to a tag of its own, so
# "summary: =" was refused as "the tag '!!value' is not allowed".
_MERGE_TAG, _VALUE_TAG = "tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    if not _INT.match(node.value):  # with the tag !!int written before it
        raise _not_a_number(loader, node, msg("a whole number"))
    try:
        number = YamlInt(node.value)
    except ValueError:  # more digits than Python converts (4,300): far beyond any limit of ours
        return _construct_float(loader, node)
    number.written = node.value
    return number


def _construct_float(loader: _Loader, node: yaml.ScalarNode) -> float:
    if THOUSANDS.fullmatch(node.value):
        raise _YamlProblem(
            msg(
                "'{value}' reads as a decimal fraction, not as a number with thousands separators",
                value=node.value,
            ),
            node.start_mark.line + loader.line_offset,
            thousands_hint(node.value),
        )
    if not (_FLOAT.match(node.value) or _INT.match(node.value)):  # with the tag !!float written before it
        raise _not_a_number(loader, node, msg("a number"))
    number = YamlFloat(loader.construct_yaml_float(node))
    number.written = node.value
    return number


def _construct_bool(loader: _Loader, node: yaml.ScalarNode) -> bool:
    if not _BOOL.match(node.value):  # with the tag !!bool written before it
        raise _YamlProblem(
            msg("'{value}' is not {what}", value=node.value, what=msg("true or false")),
            node.start_mark.line + loader.line_offset,
            msg("write true or false, and leave out the tag"),
        )
    return node.value.lower() == "true"


def _not_a_number(loader: _Loader, node: yaml.ScalarNode, what: Message) -> _YamlProblem:
    return _YamlProblem(
        msg("'{value}' is not {what}", value=node.value, what=what),
        node.start_mark.line + loader.line_offset,
        msg("write the number in plain decimal digits, such as 65000 or 2.5, and leave out the tag"),
    )


def _resolvers() -> dict[str, list]:
    """PyYAML's resolvers without its dates (see the module's description) and YAML 1.1's
    numbers, true and false, merge key and value key; with ``_BOOL``, ``_INT`` and ``_FLOAT``,
    tried in that order."""
    left_out = (_TIMESTAMP, _INT_TAG, _FLOAT_TAG, _BOOL_TAG, _MERGE_TAG, _VALUE_TAG)
    resolvers = {
        first: [(tag, regexp) for tag, regexp in found if tag not in left_out]
        for first, found in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    for first in "tTfF":
        resolvers.setdefault(first, []).append((_BOOL_TAG, _BOOL))
    for first in "-+.0123456789":
        resolvers.setdefault(first, [])
        if first != ".":
            resolvers[first].append((_INT_TAG, _INT))
        resolvers[first].append((_FLOAT_TAG, _FLOAT))
    return resolvers


_Loader.yaml_implicit_resolvers = _resolvers()


_COMMENT = re.compile(r"[ \t]+#")
# What no text of the site may hold: XML (the feeds, the sitemap) cannot carry the C0 controls
# but tab, line feed and carriage return, nor U+FFFE and U+FFFF, nor half of a surrogate pair;
# HTML counts every control character and noncharacter as an error. A carriage return is refused
# too: in a page a line break is a line feed, so one here was written as the escape "\r".
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000)
)
_FORBIDDEN = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> str:
    """Text; unless ``comment_after_text``, refused where the rest of its line is a comment:
    in ``title: We are #1`` the title would be "We are", unseen until it is published."""
    value = loader.construct_yaml_str(node)
    if not value.isprintable():  # rare: most text is printable, which rules everything out
        _check_characters(loader, node, value)
    # A plain scalar's style is "" from libyaml, None from PyYAML.
    if not loader.comment_after_text and not node.style:
        if loader.source_lines is None:
            loader.source_lines = loader.source_text.split("\n")
        rest = loader.source_lines[node.end_mark.line][node.end_mark.column :]
        if _COMMENT.match(rest):
            whole = (value + rest).rstrip().replace('"', '\\"')
            raise _YamlProblem(
                msg("the text after ' #' is read as a comment, leaving '{value}'", value=value),
                node.end_mark.line + loader.line_offset,
                msg(
                    'to keep it, put the whole text in quotes: "{whole}"; a comment goes on a line of its own',
                    whole=whole,
                ),
            )
    return value


def forbidden_character(text: str) -> Message | None:
    """The first character of ``text`` that no text of the site may hold, described
    ("the control character U+0001"), or None."""
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    code = ord(found.group())
    if 0xD800 <= code <= 0xDFFF:
        return msg("half of a surrogate pair ({code})", code=f"U+{code:04X}")
    if unicodedata.category(found.group()) == "Cc":
        return msg("the control character {code}", code=f"U+{code:04X}")
    return msg("the noncharacter {code}", code=f"U+{code:04X}")


def _check_characters(loader: _Loader, node: yaml.ScalarNode, value: str) -> None:
    what = forbidden_character(value)
    if what is None:
        return
    character = _FORBIDDEN.search(value).group()
    code = ord(character)
    if loader.source_lines is None:
        loader.source_lines = loader.source_text.split("\n")
    lines = range(node.start_mark.line, min(node.end_mark.line + 1, len(loader.source_lines)))
    typed = next((n for n in lines if character in loader.source_lines[n]), None)
    if typed is not None:
        line, hint = typed, msg("delete it; it is invisible in most editors and often comes with copied text")
    else:  # written as an escape between double quotes
        spellings = _escapes(code)
        line = next(
            (n for n in lines if any(e in loader.source_lines[n].lower() for e in spellings)),
            node.start_mark.line,
        )
        hint = msg("remove the escape that writes it, such as \\x01 or \\u001b, from the quoted text")
    raise _YamlProblem(msg("the text contains {what}", what=what), line + loader.line_offset, hint)


# YAML's escapes for single characters, other than \x, \u and \U with the code; in lower case,
# as lines are compared (\N, for U+0085, is "\\n" then).
_NAMED_ESCAPES = {
    0x00: "\\0",
    0x07: "\\a",
    0x08: "\\b",
    0x0B: "\\v",
    0x0C: "\\f",
    0x0D: "\\r",
    0x1B: "\\e",
    0x85: "\\n",
}


def _escapes(code: int) -> list[str]:
    """The ways of writing the character ``code`` as an escape in YAML, in lower case."""
    found = [f"\\u{code:04x}", f"\\u{code:08x}"]
    if code < 0x100:
        found.append(f"\\x{code:02x}")
    if code in _NAMED_ESCAPES:
        found.append(_NAMED_ESCAPES[code])
    return found


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> YamlMap:
    # Not loader.flatten_mapping(node): merge keys are refused below, so there is nothing to merge.
    result = YamlMap()
    result.line = node.start_mark.line + loader.line_offset
    result.key_lines, result.value_lines = {}, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + loader.line_offset
        if key == "<<" and not key_node.style:  # written "<<" in quotes, it is a key like any other
            raise _YamlProblem(
                msg("YAML merge keys (<<) are not supported"),
                line,
                msg("write each setting out in full, on a line of its own"),
            )
        if not isinstance(key, str):  # shown as written: ~, not Python's None
            written = loader.source_text[key_node.start_mark.index : key_node.end_mark.index]
            raise _YamlProblem(msg("key {key} is not text", key=written.strip() or "~"), line, _KEY_HINT)
        if key in result:
            raise _YamlProblem(
                msg("duplicate key '{key}' (first on line {line})", key=key, line=result.key_lines[key]),
                line,
                msg("remove one of the two"),
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
        result.value_lines[key] = _written_lines(value_node, loader.line_offset)
    return result


def _written_lines(node: yaml.Node, offset: int) -> tuple[int, int]:
    """The first and last file line of a value's text: a block (``|`` or ``>``) begins on the
    line after its indicator, and ends before the line its end mark is at the start of."""
    first = node.start_mark.line + (1 if getattr(node, "style", None) in ("|", ">") else 0)
    last = node.end_mark.line - (1 if node.end_mark.column == 0 and node.end_mark.line > first else 0)
    return first + offset, max(first, last) + offset


def _construct_list(loader: _Loader, node: yaml.SequenceNode) -> YamlList:
    result = YamlList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + loader.line_offset
    result.item_lines = [child.start_mark.line + loader.line_offset for child in node.value]
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_list)
_Loader.add_constructor(_INT_TAG, _construct_int)
_Loader.add_constructor(_FLOAT_TAG, _construct_float)
_Loader.add_constructor(_BOOL_TAG, _construct_bool)
_Loader.add_constructor("tag:yaml.org,2002:str", _construct_str)
# No setting is bytes, a set, an ordered mapping or a list of pairs, and a date is text until it
# is validated: written with its tag (!!binary, !!set, …), each is refused as any other tag is,
# rather than met by a check as a Python object, and shown as one ("search is 'b'hello''").
for _tag in ("binary", "set", "omap", "pairs", "timestamp"):
    del _Loader.yaml_constructors[f"tag:yaml.org,2002:{_tag}"]


# Line breaks to YAML (1.1), but not to editors, nor to the lines our messages count: NEL, and
# Unicode's line and paragraph separators, which come with text copied from a word processor.
# "title: A<U+2028>B" was read as two lines, and refused as a line without ':' on the next.
_OTHER_BREAK = re.compile("[\x85\u2028\u2029]")


def read_yaml(text: str, path: str, first_line: int = 1, *, comment_after_text: bool = True) -> Any:
    """Parse one YAML document; ``first_line`` is the file line the text starts on."""
    other_break = _OTHER_BREAK.search(text)
    if other_break is not None:
        raise SiteError(
            msg(
                "the character {code} ends a line for YAML, though most editors show none",
                code=f"U+{ord(other_break[0]):04X}",
            ),
            path,
            text.count("\n", 0, other_break.start()) + first_line,
            msg("delete it, or type a space in its place; it often comes with copied text"),
        )
    loader = _Loader(text)
    loader.line_offset = first_line
    loader.source_text = text
    loader.comment_after_text = comment_after_text or "#" not in text  # else each text is looked at
    try:
        _check_depth(text, first_line)
        return loader.get_single_data()
    except _YamlProblem as problem:
        raise SiteError(problem.message, path, problem.line, problem.hint) from None
    except yaml.reader.ReaderError as exc:
        # libyaml counts the position in UTF-8 bytes.
        line = text.encode("utf-8")[: exc.position].count(b"\n") + first_line
        what = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        raise SiteError(
            msg("invalid YAML: the control character {code} is not allowed", code=what),
            path,
            line,
            msg("delete it; it is invisible in most editors and often comes with copied text"),
        ) from None
    except yaml.MarkedYAMLError as exc:
        explained = _explained(exc, text, first_line)
        if explained is not None:
            line, message, hint = explained
            raise SiteError(msg("invalid YAML: {problem}", problem=message), path, line, hint) from None
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else None
        message = " ".join(filter(None, [exc.context, exc.problem])) or "invalid YAML"
        at_tab = bool(mark) and _char_at(text, mark.line, mark.column) == "\t"
        words = _in_plain_words(message, at_tab)
        hint = _yaml_hint(message, at_tab)
        if "mapping values are not allowed" in message and mark is not None:
            hint = _straight_quotes_hint(text, mark.line) or hint
        raise SiteError(msg("invalid YAML: {problem}", problem=words), path, line, hint) from None
    except yaml.YAMLError as exc:
        raise SiteError(
            msg("invalid YAML: {problem}", problem=exc), path, first_line, _yaml_hint(str(exc), False)
        ) from None
    finally:
        loader.dispose()


def _check_depth(text: str, first_line: int) -> None:
    """Refuse nesting deeper than ``MAX_DEPTH``, reading events (a flat stream) before any node is built."""
    if sum(text.count(indicator) for indicator in ":?-[{") <= MAX_DEPTH:
        return  # each level needs one of these: a key's ":" or "?", a list's "-", or "[" or "{"
    try:
        _deepest_within_limit(text, first_line, _BaseLoader)
    except yaml.YAMLError:
        # libyaml refuses deep brackets itself, at a depth that changes with its version, and
        # may do so before the events of the first 20 levels arrive. PyYAML's own parser has
        # no such limit, so it finds which problem this is: ours, or a mistake of another kind
        # (then raised again, with the line and words of the same parser as the loading).
        _deepest_within_limit(text, first_line, yaml.SafeLoader)
        raise


def _deepest_within_limit(text: str, first_line: int, loader_class: type) -> None:
    events = loader_class(text)
    try:
        depth = 0
        while events.check_event():
            event = events.get_event()
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _YamlProblem(
                        msg("settings are nested more than {depth} levels deep", depth=MAX_DEPTH),
                        event.start_mark.line + first_line,
                        msg("write settings as 'key: value' lines, with lists one or two levels deep"),
                    )
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
    finally:
        events.dispose()


# Something opened and never closed: YAML finds out only further on (a quoted text may go
# on over several lines), often at the end of the text, but the mistake is where it opened.
# (context, words of the problem) → (message, hint), for libyaml and for PyYAML's own parser.
_UNCLOSED = {
    ("while scanning a quoted scalar", "found unexpected end of stream"): (
        msg("the quoted text that starts on this line has no closing quote"),
        msg("end it with the quote mark it starts with"),
    ),
    ("while parsing a flow sequence", "expected ',' or ']'"): (
        msg("the '[' on this line is not closed"),
        msg("close the list with ']', or put text that starts with '[' in quotes"),
    ),
    ("while parsing a flow mapping", "expected ',' or '}'"): (
        msg("the '{{' on this line is not closed"),
        msg("close it with '}}', or put text that starts with '{{' in quotes"),
    ),
    ("while scanning a simple key", "could not find expected ':'"): (
        msg("this line has no ':' after its key"),
        msg("write each setting as 'key: value'"),
    ),
}
_QUOTE_INSIDE = msg(
    "put the whole text in quotes; inside \"…\" write \\\" for a quote mark, inside '…' write ''"
)


def _explained(exc: yaml.MarkedYAMLError, text: str, first_line: int) -> tuple[int, Message, Message] | None:
    """Plain words for the mistakes editors make most, and the file line where the mistake
    is, which is not always where YAML noticed it."""
    for (context, problem), (message, hint) in _UNCLOSED.items():
        if exc.context == context and problem in (exc.problem or "") and exc.context_mark is not None:
            if context == "while scanning a simple key" and _key_too_long(text, exc.context_mark):
                message, hint = msg("the key on this line is longer than 1,024 characters"), _KEY_HINT
            elif context == "while scanning a simple key" and (key := _glued(text, exc.context_mark)):
                message, hint = msg("no space follows the ':' after '{key}'", key=key), space_after_colon(key)
            return exc.context_mark.line + first_line, message, hint
    noticed = exc.problem_mark
    if exc.context != "while parsing a block mapping" or noticed is None:
        return None
    if _char_at(text, noticed.line, noticed.column) == ":":  # ": value", its key deleted or never written
        return noticed.line + first_line, msg("this line has no key before its ':'"), _KEY_HINT
    # More text where the next key should be: what came just before it on that line says why.
    before = _token_before(text, (noticed.line, noticed.column))
    if before is None or before.end_mark.line != noticed.line:
        return None
    if isinstance(before, yaml.ScalarToken) and before.style in ("'", '"'):
        opened, closed = before.start_mark.line + first_line, noticed.line + first_line
        if opened < closed:  # a quote left open, closed by the next quote mark in the text
            message = msg("the quote opened on this line is closed only on line {line}", line=closed)
            return opened, message, msg("end the text with the quote mark it starts with")
        return closed, msg("text follows the closing quote"), _QUOTE_INSIDE
    for token, closing, opening in (
        (yaml.FlowSequenceEndToken, "]", "["),
        (yaml.FlowMappingEndToken, "}", "{"),
    ):
        if isinstance(before, token):
            hint = msg("put text that starts with '{opening}' in quotes", opening=opening)
            return (
                noticed.line + first_line,
                msg("text follows the closing '{closing}'", closing=closing),
                hint,
            )
    return None


def _key_too_long(text: str, mark: yaml.Mark) -> bool:
    """Whether the key at ``mark`` has its ':' after all, further on than YAML looks for one."""
    lines = text.split("\n")
    rest = lines[mark.line][mark.column :] if mark.line < len(lines) else ""
    colon = re.search(r":(?:\s|$)", rest)
    return colon is not None and colon.start() > 1024


def _glued(text: str, mark: yaml.Mark) -> str | None:
    """The key of the line at ``mark`` if its ':' has no space after it (``summary:Een``)."""
    lines = text.split("\n")
    return glued_key(lines[mark.line][mark.column :]) if mark.line < len(lines) else None


def _token_before(text: str, position: tuple[int, int]):
    """The last token of ``text`` that ends at or before ``position`` (line, column)."""
    scanner = _BaseLoader(text)
    found = None
    try:
        while scanner.check_token():
            token = scanner.peek_token()
            if (token.end_mark.line, token.end_mark.column) > position:
                break
            found = scanner.get_token()
    except yaml.YAMLError:
        pass  # a later mistake in the text
    finally:
        scanner.dispose()
    return found


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    return lines[line][column : column + 1] if line < len(lines) else ""


_YAML_TAG = re.compile(r"tag '([^']*)'")


# A value in a word processor's quotes (“…”, ‘…’, „…”, «…»): YAML reads them as letters,
# so "Amsterdam: a hub" in them is a key and a value, although the editor quoted it.
_TYPOGRAPHIC = re.compile(r"(\s*(?:-\s+)?[^\s:#][^:]*:\s+)[“‘„‚«‹”’](.*)[”’“‘»›]\s*")


def _straight_quotes_hint(text: str, line: int) -> Message | None:
    """The line ``line`` of ``text`` with its value's typographic quotes made straight, as a
    hint, if the value is in such quotes; else None."""
    lines = text.split("\n")
    found = _TYPOGRAPHIC.fullmatch(lines[line]) if line < len(lines) else None
    if found is None:
        return None
    inside = found.group(2).replace("\\", "\\\\").replace('"', '\\"')
    return msg(
        'type straight quotes " in place of the curly ones a word processor typed: {line}',
        line=f'{found.group(1).strip()} "{inside}"',
    )


def _in_plain_words(message: str, at_tab: bool) -> Message | str:
    """Our own words for the YAML mistakes editors make most; other mistakes in YAML's.
    (The parser's words change between its versions; these do not.)"""
    if at_tab or "tab character" in message:
        return msg("a tab is used to indent this line")
    if "could not determine a constructor" in message:
        tag = _YAML_TAG.search(message)
        if tag is None:
            return msg("a YAML tag is not allowed here")
        name = tag.group(1)
        if name.startswith("tag:yaml.org,2002:"):  # how YAML spells a tag written '!!name'
            name = "!!" + name.removeprefix("tag:yaml.org,2002:")
        return msg("the tag '{name}' is not allowed", name=name)
    if "mapping values are not allowed" in message:
        return msg("a ': ' inside text that is not in quotes")
    if "found another document" in message:  # a closing --- as front matter has, written in site.yaml
        return msg("the '---' on this line begins a second document")
    if "invalid Unicode character escape" in message:
        return msg("an escape \\u… or \\U… that names no character")
    return message


def _yaml_hint(message: str, at_tab: bool) -> Message:
    if at_tab or "tab" in message:
        return msg("indent with spaces, not tabs")
    if "could not determine a constructor" in message:
        return msg("tags such as !!python/object are not allowed")
    if "mapping values are not allowed" in message:
        return msg("put text that contains ': ' in quotes")
    if "found another document" in message:
        return msg("remove the line: the settings are one document, with no '---' below them")
    if "invalid Unicode character escape" in message:
        return msg("type the character itself; \\ud800 to \\udfff are halves of a pair, not characters")
    return msg("check indentation, and put text with special characters in quotes")
