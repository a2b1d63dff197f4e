"""YAML read safely, with line numbers (for ``schema.parse_yaml``).

PyYAML's safe loader, with these changes that matter to editors:

* duplicate keys are an error instead of "last one wins";
* aliases are refused, so an alias bomb cannot expand (front matter has no use for them);
* dates stay text until validated, so ``2017-11-31`` is reported with its line
  instead of crashing the YAML parser;
* lists and mappings nested more than ``MAX_DEPTH`` deep are refused before
  they are built, so ``[[[[…]]]]`` cannot exhaust Python's recursion limit.

Every mapping and list remembers the line of each of its entries, so a
validation error can name the line of the offending key.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from site_builder.errors import SiteError
from site_builder.schema import YamlList, YamlMap

MAX_DEPTH = 20  # the deepest real settings (a key figure's keys) are 3 levels down
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _YamlProblem(Exception):
    def __init__(self, message: str, line: int, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.hint = message, line, hint


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    line_offset = 1
    source_text = ""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            # An alias shares its anchor's node, so the node's line is the
            # anchor's; the alias itself is found by scanning (error path only).
            raise _YamlProblem(
                "YAML aliases (*name) are not supported",
                _first_alias_line(self.source_text) + self.line_offset,
                "write the value out in full",
            )
        return super().construct_object(node, deep=deep)


def _first_alias_line(text: str) -> int:
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(token, yaml.AliasToken):
            return token.start_mark.line
    return 0


_THOUSANDS = re.compile(r"[-+]?\d{1,3}(\.\d{3})+")


def _construct_float(loader: _Loader, node: yaml.ScalarNode) -> float:
    if _THOUSANDS.fullmatch(node.value):
        raise _YamlProblem(
            f"'{node.value}' reads as a decimal fraction, not as a number with thousands separators",
            node.start_mark.line + loader.line_offset,
            f"write {node.value.replace('.', '')} without separators",
        )
    return loader.construct_yaml_float(node)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> YamlMap:
    loader.flatten_mapping(node)
    result = YamlMap()
    result.line = node.start_mark.line + loader.line_offset
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + loader.line_offset
        if not isinstance(key, str):
            raise _YamlProblem(f"key {key!r} is not text", line, "keys are words such as title:")
        if key in result:
            raise _YamlProblem(
                f"duplicate key '{key}' (first on line {result.key_lines[key]})",
                line,
                "remove one of the two",
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_list(loader: _Loader, node: yaml.SequenceNode) -> YamlList:
    result = YamlList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + loader.line_offset
    result.item_lines = [child.start_mark.line + loader.line_offset for child in node.value]
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_list)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)


def read_yaml(text: str, path: str, first_line: int = 1) -> Any:
    """Parse one YAML document; ``first_line`` is the file line the text starts on."""
    loader = _Loader(text)
    loader.line_offset = first_line
    loader.source_text = text
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
            f"invalid YAML: the control character {what} is not allowed",
            path,
            line,
            "delete it; it is invisible in most editors and often comes with copied text",
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else None
        message = " ".join(filter(None, [exc.context, exc.problem])) or "invalid YAML"
        at_tab = bool(mark) and _char_at(text, mark.line, mark.column) == "\t"
        raise SiteError(f"invalid YAML: {message}", path, line, _yaml_hint(message, at_tab)) from None
    except yaml.YAMLError as exc:
        raise SiteError(f"invalid YAML: {exc}", path, first_line) from None
    finally:
        loader.dispose()


def _check_depth(text: str, first_line: int) -> None:
    """Refuse nesting deeper than ``MAX_DEPTH``, reading events (a flat stream) before any node is built."""
    if sum(text.count(indicator) for indicator in ":?-[{") <= MAX_DEPTH:
        return  # each level needs one of these: a key's ":" or "?", a list's "-", or "[" or "{"
    events = _BaseLoader(text)
    try:
        depth = 0
        while events.check_event():
            event = events.get_event()
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _YamlProblem(
                        f"settings are nested more than {MAX_DEPTH} levels deep",
                        event.start_mark.line + first_line,
                        "write settings as 'key: value' lines, with lists one or two levels deep",
                    )
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
    finally:
        events.dispose()


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    return lines[line][column : column + 1] if line < len(lines) else ""


def _yaml_hint(message: str, at_tab: bool) -> str:
    if at_tab or "tab" in message:
        return "indent with spaces, not tabs"
    if "could not determine a constructor" in message:
        return "tags such as !!python/object are not allowed"
    if "mapping values are not allowed" in message:
        return "put text that contains ': ' in quotes"
    return "check indentation, and put text with special characters in quotes"
