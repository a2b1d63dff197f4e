"""What changed in a page's text between two versions, word by word: what a translator has to
carry over since the translation was last marked done.

Pure: two texts in, data out. Lines are matched first (``difflib``), then the words of the
lines that differ, so that an added sentence shows as itself rather than as a rewritten
paragraph. Front matter and body are compared apart, each change placed by its line in the
page as it is now. ``render_text`` writes the changes for a terminal; the preview's status
page renders the same ``Hunk``s with its template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from site_builder.content.frontmatter import split
from site_builder.errors import Catalogue, SiteError, msg

FRONT_MATTER = "front matter"
BODY = "body"
SAME, ADDED, REMOVED = " ", "+", "-"
_TOKENS = re.compile(r"\s+|\S+")
# What marks words in plain text (git's own ``--word-diff`` marks), and in colour: green for
# added, red for removed (ANSI SGR codes), as ``git diff --color-words`` shows them.
_MARKS = {ADDED: ("{+", "+}"), REMOVED: ("[-", "-]")}
_PART_NAMES = {FRONT_MATTER: msg("front matter"), BODY: msg("body")}
_COLOURS = {ADDED: ("\x1b[32m", "\x1b[0m"), REMOVED: ("\x1b[31m", "\x1b[0m")}


@dataclass(frozen=True, slots=True)
class Hunk:
    """Lines that differ, with the words that were added and removed marked."""

    part: str  # FRONT_MATTER or BODY
    line: int  # where it is in the page as it is now
    # (SAME, ADDED or REMOVED, text); text may span lines
    segments: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Comparison:
    """A translation's source as it was translated and as it is now, and what changed between."""

    translation: str  # content/en/about.md
    source: str  # content/nl/about.md
    recorded: str  # the version translated_from names: "nl:3f9a1c2e7b4d"
    current: str  # the source's version now, in the same form
    hunks: tuple[Hunk, ...]  # none: no words changed (only spaces, if the versions differ)

    def render_text(self, colour: bool = False, catalogue: Catalogue | None = None) -> str:
        """What ``site-builder translations diff`` prints for this translation, in the
        catalogue's language (see ``messages``)."""
        versions = {"source": self.source, "translation": self.translation}
        if self.recorded == self.current:
            said = msg(
                "no changes since the translation: {translation} is up to date with {source}", **versions
            )
            return said.show(catalogue)
        versions.update(recorded=self.recorded, current=self.current)
        if not self.hunks:
            said = msg(
                "only spaces and line breaks changed in {source} since {translation} "
                "was translated from it ({recorded}, now {current})",
                **versions,
            )
            return said.show(catalogue)
        said = msg(
            "{source} has changed since {translation} was translated from it ({recorded}, now {current}):",
            **versions,
        )
        return f"{said.show(catalogue)}\n\n{render_text(self.hunks, colour, catalogue)}"


def changes(old: str, new: str) -> tuple[Hunk, ...]:
    """The changes from ``old`` to ``new``, two texts of one page (decoded, ``\\n`` line ends);
    none if they differ only in spaces and line breaks."""
    hunks: list[Hunk] = []
    old_parts, new_parts = _parts(old), _parts(new)
    for part in (FRONT_MATTER, BODY):
        (old_text, _), (new_text, first_line) = old_parts[part], new_parts[part]
        hunks += _part_changes(part, old_text, new_text, first_line)
    return tuple(hunks)


def _parts(text: str) -> dict[str, tuple[str, int]]:
    """Front matter and body, each with the line of the page it starts on."""
    try:
        front, front_line, body, body_line = split(text, "")
    except SiteError:  # a version without front matter: all of it is body
        return {FRONT_MATTER: ("", 2), BODY: (text, 1)}
    return {FRONT_MATTER: (front, front_line), BODY: (body, body_line)}


def _part_changes(part: str, old: str, new: str, first_line: int) -> list[Hunk]:
    old_lines, new_lines = old.split("\n"), new.split("\n")
    hunks = []
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        segments = words("\n".join(old_lines[i1:i2]), "\n".join(new_lines[j1:j2]))
        if any(kind != SAME for kind, _ in segments):
            hunks.append(_trimmed(Hunk(part, first_line + j1, segments)))
    return hunks


def _trimmed(hunk: Hunk) -> Hunk:
    """``hunk`` without the blank lines around it (a paragraph comes with the empty line that
    separates it): its line is then that of its first word."""
    segments, line = list(hunk.segments), hunk.line
    kind, text = segments[0]
    if kind == SAME and not text.strip() and "\n" in text:
        line += text.count("\n")
        segments[0] = (SAME, text.rpartition("\n")[2])  # the indent of the first line stays
    kind, text = segments[-1]
    if kind == SAME and not text.strip() and "\n" in text:
        segments.pop()
    return Hunk(hunk.part, line, _joined(segments))


def words(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """``new`` as segments (SAME, ADDED or REMOVED, text), with the words of ``old`` it lost.

    Spaces at the edges of a change are shown as unchanged, so that an added sentence
    reads ``{+It opens in May.+}``, not ``{+ It opens in May.+}``; a change of spaces alone
    is no change.
    """
    old_tokens, new_tokens = _TOKENS.findall(old), _TOKENS.findall(new)
    segments: list[tuple[str, str]] = []
    matcher = SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    for op, i1, i2, j1, j2 in _merged(matcher.get_opcodes(), old_tokens):
        removed, added = "".join(old_tokens[i1:i2]), "".join(new_tokens[j1:j2])
        if op == "equal" or removed.split() == added.split():  # the same, or in spaces only
            segments.append((SAME, added))
        elif not removed.strip() or not added.strip():
            kind, text = (ADDED, added) if added else (REMOVED, removed)
            before, core, after = _edges(text)
            if kind == REMOVED:  # spaces the new text lacks: shown only between words, or as an indent
                before = before if i1 else before.rpartition("\n")[2]
                after = after if i2 < len(old_tokens) else ""
            segments += [(SAME, before), (kind, core), (SAME, after)]
        else:
            segments += _replaced(removed, added)
    return _joined(segments)


def _merged(opcodes: list[tuple[str, int, int, int, int]], old_tokens: list[str]) -> list:
    """Changes on one line with nothing but a space between them made one change, which reads
    as the phrase it is: ``[-de Board-]{+het bestuur+}``, not ``[-de-]{+het+} [-Board-]{+bestuur+}``."""
    merged: list[tuple[str, int, int, int, int]] = []
    for op in opcodes:
        if op[0] != "equal" and len(merged) >= 2 and merged[-1][0] == "equal" and merged[-2][0] != "equal":
            between = "".join(old_tokens[merged[-1][1] : merged[-1][2]])
            if not between.strip() and "\n" not in between:
                merged.pop()
                first = merged.pop()
                merged.append(("replace", first[1], op[2], first[3], op[4]))
                continue
        merged.append(op)
    return merged


def _replaced(removed: str, added: str) -> list[tuple[str, str]]:
    """Words replaced by others; spaces that both have at an edge are shown as unchanged."""
    old_before, old_core, old_after = _edges(removed)
    new_before, new_core, new_after = _edges(added)
    before = new_before if old_before and new_before else ""
    after = new_after if old_after and new_after else ""
    old_core = (old_before if not before else "") + old_core + (old_after if not after else "")
    new_core = (new_before if not before else "") + new_core + (new_after if not after else "")
    return [(SAME, before), (REMOVED, old_core), (ADDED, new_core), (SAME, after)]


def _edges(text: str) -> tuple[str, str, str]:
    """(the spaces before, the text, the spaces after)."""
    core = text.strip()
    if not core:
        return text, "", ""
    start = len(text) - len(text.lstrip())
    return text[:start], core, text[start + len(core) :]


def _joined(segments: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Without empty segments, neighbours of one kind made one."""
    joined: list[tuple[str, str]] = []
    for kind, text in segments:
        if not text:
            continue
        if joined and joined[-1][0] == kind:
            joined[-1] = (kind, joined[-1][1] + text)
        else:
            joined.append((kind, text))
    return tuple(joined)


def render_text(hunks: tuple[Hunk, ...], colour: bool = False, catalogue: Catalogue | None = None) -> str:
    """The changes for a terminal: a heading per change (``body, line 7:``), then its lines,
    indented, with added words as ``{+…+}`` and removed ones as ``[-…-]``, or in green and
    red with ``colour``. A mark is closed at the end of each line and opened again on the
    next, so every line reads on its own."""
    styles = _COLOURS if colour else _MARKS
    blocks = []
    for hunk in hunks:
        lines = [""]
        for kind, text in hunk.segments:
            for index, piece in enumerate(text.split("\n")):
                if index:
                    lines.append("")
                if not lines[-1] and kind != SAME:  # a line's indent, left outside the mark
                    indent = piece[: len(piece) - len(piece.lstrip())]
                    lines[-1], piece = indent, piece[len(indent) :]
                if piece:
                    opening, closing = styles.get(kind, ("", ""))
                    lines[-1] += f"{opening}{piece}{closing}"
        part = _PART_NAMES.get(hunk.part, hunk.part)
        heading = msg("{part}, line {line}:", part=part, line=hunk.line).show(catalogue)
        blocks.append(f"{heading}\n" + "\n".join(f"  {line}".rstrip() for line in lines))
    return "\n\n".join(blocks)
