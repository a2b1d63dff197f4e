"""Read ``content/<lang>/**/*.md`` into ``SourcePage``s.

The only stage that reads content from disk. It decides which files are pages
(hidden files, editor swap and backup files are skipped), that every language
folder is configured, that each file is UTF-8 text, and parses its front matter.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from site_builder.config import SiteConfig
from site_builder.content.frontmatter import (
    INDEX_FILE,
    Document,
    FrontMatter,
    content_version,
    kind_of,
    kind_with_template,
    parse_front,
    split,
)
from site_builder.errors import UNREADABLE_HINT, SiteError, SiteErrors, msg, raise_if_any
from site_builder.project import CONFIG_FILE, CONTENT_DIR, INPUT_DIRS, stamp

MAX_PAGE_BYTES = 8 * 1024 * 1024
# Characters that XML (the feeds, the sitemap) cannot carry and HTML treats as errors;
# tab, line feed and carriage return are text.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ASCII_CONTROLS = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r")
# Python-Markdown's time grows with the square of how deeply quotes and lists are
# nested, and each '[' or '(' makes it read on to the closing bracket, or to the end
# of the paragraph if there is none. Far past these limits a page takes minutes to
# render, or its nesting exhausts Python's recursion limit; real pages stay far below.
MAX_NESTING = 20
MAX_BRACKET_READING = 2_000_000  # characters read looking for closing brackets: about a second
# Tags begun with '<' and a letter and never closed with '>' before the next '<': Python-Markdown
# reads the page's raw HTML again from each of them, so the time grows with their square
# (1,000: about 0.2 s; 8,000: 12 s), however they are spread over the page.
MAX_UNCLOSED_TAGS = 1_000
_UNCLOSED_TAG = re.compile(r"<[A-Za-z/!?][^<>]*(?=<|\Z)")
# Python-Markdown rewrites a paragraph's whole text at each piece of inline markup it finds
# (an &…; reference, emphasis, code, a link, an escape), so a paragraph costs about its marks
# times its length: 2 × 10^9 is about a second (20,000 references in a 120 KB paragraph).
MAX_MARKUP_READING = 2_000_000_000
_MARKS = "&*_`[<!\\"
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_LEAD = re.compile(r"[ \t>]*")
# Each level of nesting takes at least one character of a line's start from this set: four
# spaces or a tab of indentation, a ">", or a list marker ("-", "*", "+", "1." or "1)", then a
# space): a line that starts with fewer of them cannot be nested too deeply. Looked for at the
# start, then after a line break (a pattern that starts with a literal is found many times
# faster than one that starts with ^).
_DEEP_LEAD = re.compile(rf"[ \t>*+\-.)0-9]{{{MAX_NESTING},}}")
_DEEP_LEAD_AFTER_BREAK = re.compile(rf"\n[ \t>*+\-.)0-9]{{{MAX_NESTING},}}")
# A list item, or a definition (": "), which Python-Markdown nests by indentation as it nests lists.
_LIST_ITEM = re.compile(r"(?:[-*+:]|\d{1,9}[.)])(?:[ \t]|$)")
# A quote or a list written inside a list item on the same line: "- - x" is a list in a list,
# "1. > x" a quote in a list, each one level deeper, and Python-Markdown recurses once more for each.
_INNER_CONTAINER = re.compile(r"[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$))")
_FOOTNOTE = re.compile(r"\[\^[^\]\n]+\]:(?:[ \t]|$)")
# Raw HTML marked markdown="1" (or "block", "span") has its content read as Markdown, by one
# more level of recursion for each such element inside another.
_MARKED_HTML = "markdown="
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)([^<>]*)>")
_MARKED = re.compile(r"\smarkdown\s*=", re.IGNORECASE)
_BRACKET = re.compile(r"\\.|[\[\]()]")
_BACKUP_SUFFIXES = ("~", ".swp", ".swo", ".swx", ".tmp", ".bak", ".orig")
# What editors and other tools name Markdown files, in any case: a page named so (news/item.MD,
# about.markdown) is meant as one, and would be missing from the site without a word.
_MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".mdtxt", ".mdtext")


@dataclass(frozen=True, slots=True)
class SourcePage:
    """A content file as read: where it is, what it holds and digests of it."""

    lang: str
    # Path inside content/<lang>/, "/"-separated, e.g. news/2019-09-26-mou.md. A string, not a
    # PurePosixPath: every build handles it for every page, and a path object costs several
    # times as much to make, hash and take apart.
    rel: str
    path: str  # shown to users: content/nl/news/2019-09-26-mou.md
    kind: str  # see frontmatter.kind_of
    doc: Document
    digest: str  # sha256 of the file's bytes, for caches
    version: str  # content_version of the text, for translation tracking

    @property
    def front(self):
        return self.doc.front

    @property
    def folder(self) -> str:
        """The folder of ``rel``: "news" for news/2019-09-26-mou.md, "" at the top."""
        return self.rel.rpartition("/")[0]

    @property
    def is_index(self) -> bool:
        """Whether this is a folder's own page, its ``_index.md``."""
        return self.rel.rpartition("/")[2] == INDEX_FILE


def is_ignored(name: str) -> bool:
    """Hidden files, editor swap/backup files and ``_``-prefixed files other than ``_index.md``."""
    if name.startswith(".") or name.startswith("#") or name.endswith(_BACKUP_SUFFIXES):
        return True
    return name.startswith("_") and name != INDEX_FILE


@dataclass(frozen=True, slots=True)
class ContentFile:
    """A content file as ``content_files`` found it."""

    path: str  # shown to users: content/nl/news/2019-09-26-mou.md
    file: str  # where it is read from
    # See ``stamp``; None when the file changed too recently for its stamp to tell its
    # versions apart (file systems keep times in coarse ticks).
    stamp: tuple[int, int, int, int] | None


@dataclass(frozen=True, slots=True)
class FrontText:
    """A content file's front matter as written, before it is parsed."""

    path: str
    kind: str
    text: str
    line: int  # the file's line on which it starts
    digest: str  # sha256 of ``text``


@dataclass(frozen=True, slots=True)
class SourceText:
    """A content file read and split into its front matter and its Markdown."""

    lang: str
    rel: str
    path: str
    kind: str
    front: FrontText
    body: str
    body_line: int
    digest: str  # sha256 of the file's bytes
    version: str  # content_version of the text


def load_sources(root: Path, config: SiteConfig) -> tuple[SourcePage, ...]:
    """Every page of every language, sorted by language folder, then path inside it: the
    three steps below in a row (the build runs them through its memo instead)."""
    files, errors = content_files(root, config)
    texts = read_sources(files)
    return source_pages(
        texts, parse_fronts([text.front for text in texts if isinstance(text, SourceText)]), errors
    )


def content_files(
    root: Path,
    config: SiteConfig,
    found: Mapping[str, tuple[int, int, int, int]] | None = None,
    changed_since_ns: int | None = None,
) -> tuple[tuple[ContentFile, ...], list[SiteError]]:
    """Every content file, sorted by language folder, then path inside it, and what is wrong
    with the folders and names (reported with what is wrong with the files, see ``source_pages``).

    ``found`` maps files ("content/en/about.md") to their stamps (see ``stamp``) as the
    caller has just seen them; others are looked at here. A file changed at or after
    ``changed_since_ns`` gets no stamp: it is read again by every build until it is older.
    """
    content = root / CONTENT_DIR
    if not content.is_dir():
        raise SiteError(
            msg("no content/ folder"), CONTENT_DIR, hint=msg("create content/<language>/ folders")
        )
    outside = link_outside(content, root, CONTENT_DIR)
    if outside is not None:
        raise outside
    errors: list[SiteError] = []
    files: list[ContentFile] = []
    for entry in sorted(content.iterdir(), key=lambda p: p.name):
        if is_ignored(entry.name):
            continue
        problem = bad_name(entry, root)
        if problem is None and entry.is_symlink() and (entry.is_dir() or entry.suffix == ".md"):
            problem = link_outside(entry, root, CONTENT_DIR)
        if problem is not None:
            errors.append(problem)
            continue
        display = f"{CONTENT_DIR}/{entry.name}"
        if not entry.is_dir():
            misnamed = _misnamed_page(entry, root)
            if misnamed is not None:
                errors.append(misnamed)
            elif entry.suffix == ".md":
                errors.append(
                    SiteError(
                        msg("the page's language cannot be determined"),
                        display,
                        hint=msg(
                            "move it into a language folder: {folders}",
                            folders=", ".join(f"content/{c}/" for c in config.codes),
                        ),
                    )
                )
            continue
        if entry.name not in config.codes:
            errors.append(
                SiteError(
                    msg("'{name}' is not a language of this site", name=entry.name),
                    display,
                    hint=msg(
                        "add it under languages: in site.yaml, or use one of: {codes}",
                        codes=", ".join(config.codes),
                    ),
                )
            )
            continue
        for file, rel in _walk(entry, root, errors):
            path = f"{display}/{rel}"
            known = found.get(path) if found is not None else None
            if known is None:
                try:
                    known = stamp(os.stat(file))
                except OSError:
                    known = None  # reported when it is read
            if known is not None and changed_since_ns is not None and known[2] >= changed_since_ns:
                known = None
            files.append(ContentFile(path, file, known))
    return tuple(files), errors


def read_sources(files: Sequence[ContentFile]) -> list[SourceText | tuple[SiteError, ...]]:
    """Each file read and split, or what is wrong with it."""
    results: list[SourceText | tuple[SiteError, ...]] = []
    for file in files:
        errors: list[SiteError] = []
        text = _read_text(file, errors)
        results.append(text if text is not None else tuple(errors))
    return results


def parse_fronts(fronts: Sequence[FrontText]) -> list[FrontMatter | tuple[SiteError, ...]]:
    """Each front matter parsed and checked, or what is wrong with it."""
    results: list[FrontMatter | tuple[SiteError, ...]] = []
    for front in fronts:
        try:
            results.append(parse_front(front.text, front.path, front.line, front.kind))
        except SiteError as error:
            results.append((error,))
        except SiteErrors as found:
            results.append(tuple(found.errors))
    return results


def source_pages(
    texts: Sequence[SourceText | tuple[SiteError, ...]],
    fronts: Sequence[FrontMatter | tuple[SiteError, ...]],
    errors: Sequence[SiteError] = (),
) -> tuple[SourcePage, ...]:
    """The pages, from the files' texts (``read_sources``) and the front matter of those read
    (``parse_fronts``); raises ``errors`` and what is wrong with any file, all at once."""
    errors = list(errors)
    pages: list[SourcePage] = []
    read = []
    for text in texts:
        if isinstance(text, SourceText):
            read.append(text)
        else:
            errors.extend(text)
    for text, front in zip(read, fronts, strict=True):
        if not isinstance(front, FrontMatter):
            errors.extend(front)
            continue
        if front.swot is not None:
            found = [
                SiteError(message, text.path, item.text_line + offset, hint)
                for _, items in front.swot.quadrants()
                for item in items
                if (problem := markdown_problem(item.text)) is not None
                for offset, message, hint in [problem]
            ]
            if found:
                errors.extend(found)
                continue
        doc = Document(front, text.body, text.body_line, text.front.digest)
        kind = kind_with_template(text.kind, front.template)  # as parse_front chose it
        pages.append(SourcePage(text.lang, text.rel, text.path, kind, doc, text.digest, text.version))
    raise_if_any(errors)
    return tuple(pages)


def listing(folder: Path) -> list[os.DirEntry]:
    """The entries of ``folder`` that are not ignored (see ``is_ignored``), sorted by name;
    none if it cannot be read."""
    try:
        with os.scandir(folder) as entries:
            return sorted((e for e in entries if not is_ignored(e.name)), key=lambda e: e.name)
    except OSError:
        return []


def _walk(folder: Path, root: Path, errors: list[SiteError]) -> list[tuple[str, str]]:
    """All Markdown files below ``folder`` as (file, "/"-separated path inside ``folder``), sorted
    by that path, refusing links that lead outside content/ (see ``link_outside``) and names
    that cannot be shown. Linked folders are not entered."""
    found: list[tuple[str, str]] = []

    def visit(current: Path, prefix: str) -> None:
        for entry in listing(current):
            is_link = entry.is_symlink()
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False  # a loop of links: reported when the file is read
            if not (is_dir or entry.name.endswith(".md")):
                misnamed = _misnamed_page(Path(entry.path), root)
                if misnamed is not None:
                    errors.append(misnamed)
                continue  # other files in content/ are not pages: left out, as documented
            plain = entry.name.isascii() and entry.name.isprintable()  # the usual case, decided at C speed
            problem = None if plain else bad_name(Path(entry.path), root)
            if problem is None and is_link:
                problem = link_outside(Path(entry.path), root, CONTENT_DIR)
            if problem is not None:
                errors.append(problem)
            elif is_dir:
                if not is_link:
                    visit(Path(entry.path), f"{prefix}{entry.name}/")
            else:
                found.append((entry.path, prefix + entry.name))

    visit(folder, "")
    return sorted(found, key=lambda item: item[1])


def bad_name(path: Path, root: Path, in_address: bool = False) -> SiteError | None:
    """A name that is not UTF-8 (Python holds its bytes as lone surrogates) or holds a control
    character cannot be shown on one line or written in a page; the error shows it escaped.
    With ``in_address`` (a file published by its name, such as an asset), a backslash neither:
    browsers read it as a / in an address, and the preview refuses it (``serve.malformed_path``)."""
    name = path.name
    if any("\udc80" <= c <= "\udcff" for c in name):
        problem = msg("the name is not valid UTF-8 text")
    elif any(unicodedata.category(c) == "Cc" for c in name):
        problem = msg("the name contains a control character")
    elif in_address and "\\" in name:
        problem = msg("the name contains a backslash, which browsers read as / in an address")
    else:
        return None
    shown = "".join(map(_escaped, path.relative_to(root).as_posix()))
    return SiteError(problem, shown, hint=msg("rename it using letters, digits, spaces and hyphens"))


def _misnamed_page(path: Path, root: Path) -> SiteError | None:
    """The error for a Markdown file whose name does not end in ``.md`` as written (``.MD``,
    ``.markdown``): only ``.md`` files are read, so the page would be left out; else None."""
    name = path.name
    suffix = next((s for s in _MARKDOWN_SUFFIXES if name.lower().endswith(s)), None)
    if suffix is None or name.endswith(".md") or len(name) == len(suffix):
        return None
    return SiteError(
        msg("this file is not read as a page: a page's file name ends in .md, in lower case"),
        "".join(map(_escaped, path.relative_to(root).as_posix())),
        hint=msg("rename it to {name}", name="".join(map(_escaped, name[: -len(suffix)] + ".md"))),
    )


def _escaped(c: str) -> str:
    if "\udc80" <= c <= "\udcff":
        return f"\\x{ord(c) - 0xDC00:02x}"  # the byte that is not UTF-8
    return c if c.isprintable() else repr(c)[1:-1]


def link_outside(path: Path, root: Path, folder: str) -> SiteError | None:
    """The one rule for symbolic links in every input folder (content/, templates/, assets/,
    translations/): ``path``, a file or folder in the project ``root``'s ``folder``, must
    resolve inside that folder, where it sits in the project; else the error naming it.

    A link may lead anywhere: to /etc/passwd, or to a file of the project that is no input,
    such as the build cache or a file of secrets. Followed, it would be read and perhaps
    published, so it is refused before anything reads it; and so is the input folder itself
    when it is a link. The error names the link that leads out: the input folder, or the
    folder on the way to ``path``, where that is the link. ``realpath`` does not raise on a
    loop of links; such a link stays inside and is reported when it cannot be read.
    """
    inside = Path(os.path.realpath(root)) / folder
    if Path(os.path.realpath(path)).is_relative_to(inside):
        return None
    parts = path.relative_to(root).parts
    link = next(
        (
            Path(*parts[:end])
            for end in range(len(Path(folder).parts), len(parts))
            if not Path(os.path.realpath(root.joinpath(*parts[:end]))).is_relative_to(inside)
        ),
        Path(*parts),
    )
    return SiteError(
        msg("a symbolic link that leads outside {folder}/ is not allowed", folder=folder),
        "".join(map(_escaped, link.as_posix())),
        hint=msg("copy the file into {folder}/ instead", folder=folder),
    )


def irregular_inputs(root: Path) -> list[SiteError]:
    """Each named pipe, device or socket that is ``site.yaml`` or lies below ``templates/``,
    ``assets/`` or ``translations/``: reading one would block the build or never end. (A
    content file is checked as it is read, see ``_read_text``.) Found from the folders'
    listings, with a ``stat`` only for links: every build looks."""
    found = []
    try:
        mode = os.stat(os.path.join(root, CONFIG_FILE)).st_mode
        # A folder is read without waiting: loading the settings says what it is.
        if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            found.append((CONFIG_FILE, CONFIG_FILE))
    except OSError:
        pass  # missing: loading the settings says so
    for name in INPUT_DIRS:
        if name == CONTENT_DIR:
            continue
        pending = [(os.path.join(root, name), name)]
        while pending:
            folder, rel = pending.pop()
            try:
                with os.scandir(folder) as entries:
                    listed = list(entries)
            except OSError:
                continue
            for entry in listed:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, f"{rel}/{entry.name}"))
                elif entry.is_file() or (
                    entry.is_symlink() and (entry.is_dir() or not os.path.exists(entry.path))
                ):
                    continue  # a file; or a link to a folder or to nothing, which the stage reading it reports
                else:
                    found.append((f"{rel}/{entry.name}", name))
    return [
        SiteError(
            msg("this is not a file but a named pipe, a device or a socket"),
            path,
            hint=(
                msg("make {file} a file of settings again", file=name)
                if name == CONFIG_FILE
                else msg("keep only files and folders in {folder}/", folder=name)
            ),
        )
        for path, name in sorted(found)
    ]


def _read_text(file: ContentFile, errors: list[SiteError]) -> SourceText | None:
    display = file.path
    try:
        status = os.stat(file.file)
        if not stat.S_ISREG(status.st_mode):
            # A named pipe or a device would block the build or never end.
            errors.append(
                SiteError(
                    msg("the file is not a regular file"),
                    display,
                    hint=msg("content/ holds Markdown files only"),
                )
            )
            return None
        size = status.st_size
        if size > MAX_PAGE_BYTES:
            errors.append(
                SiteError(
                    msg(
                        "the file is too large ({size} MiB; the limit is {limit} MiB)",
                        size=size // (1024 * 1024),
                        limit=MAX_PAGE_BYTES // (1024 * 1024),
                    ),
                    display,
                    hint=msg("split it into several pages"),
                )
            )
            return None
        data = Path(file.file).read_bytes()
    except OSError as exc:
        errors.append(
            SiteError(
                msg("cannot read the file: {reason}", reason=exc.strerror), display, hint=UNREADABLE_HINT
            )
        )
        return None
    digest = hashlib.sha256(data).hexdigest()
    text = decode(data, display)
    if isinstance(text, SiteError):
        errors.append(text)
        return None
    lang, rel = display[len(CONTENT_DIR) + 1 :].split("/", 1)
    kind = kind_of(rel)
    try:
        yaml_text, yaml_line, body, body_line = split(text, display)
    except SiteError as error:
        errors.append(error)
        return None
    found = markdown_problem(body)
    if found is not None:
        offset, message, hint = found
        errors.append(SiteError(message, display, body_line + offset, hint))
        return None
    front_digest = hashlib.sha256(yaml_text.encode("utf-8")).hexdigest()
    front = FrontText(display, kind, yaml_text, yaml_line, front_digest)
    return SourceText(lang, rel, display, kind, front, body, body_line, digest, content_version(text))


def markdown_problem(text: str) -> tuple[int, str, str] | None:
    """(line offset, message, hint) for Markdown past the limits above, else None.

    Linear: looks at each line's leading ``>``, indentation and list markers, and at
    brackets, outside fenced code blocks; and at HTML tags where many are marked ``markdown=``.
    """
    if text.count(_MARKED_HTML) > MAX_NESTING:
        found = _marked_html_problem(text)
        if found is not None:
            return found
    if text.count("<") > MAX_UNCLOSED_TAGS:
        found = _unclosed_tags_problem(text)
        if found is not None:
            return found
    if sum(map(text.count, _MARKS)) * len(text) > MAX_MARKUP_READING:
        found = _markup_reading_problem(text)
        if found is not None:
            return found
    brackets = text.count("[") + text.count("(")
    deep_lead = _DEEP_LEAD.match(text) or _DEEP_LEAD_AFTER_BREAK.search(text) or "[^" in text
    if brackets * len(text) <= MAX_BRACKET_READING and not deep_lead:
        return None  # each character of a line's lead adds at most one level
    fence = None
    opened: dict[str, list[tuple[int, int]]] = {"[": [], "(": []}  # (position, line offset)
    read = position = 0
    for offset, line in enumerate(text.split("\n")):
        start, position = position, position + len(line) + 1
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            continue
        opening = _FENCE.match(line)
        if opening or not line.strip():  # the end of a paragraph
            read, first = _close_paragraph(opened, start, read)
            if read > MAX_BRACKET_READING:
                return first, *_BRACKETS_LEFT_OPEN
            fence = opening.group(1) if opening else None
            continue
        if _line_depth(line) > MAX_NESTING:
            return (
                offset,
                msg("quotes and lists are nested more than {depth} levels deep", depth=MAX_NESTING),
                msg("use fewer levels; deeper ones are hard to read anyway"),
            )
        for match in _BRACKET.finditer(line):
            bracket = match.group()
            if bracket in opened:
                opened[bracket].append((start + match.start(), offset))
            elif bracket in "])":
                waiting = opened["[" if bracket == "]" else "("]
                if waiting:
                    begin, begin_line = waiting.pop()
                    if opened["["] or opened["("]:  # inside another: read again (outermost pairs read once)
                        read += start + match.start() - begin
                    if read > MAX_BRACKET_READING:
                        return begin_line, *_BRACKETS_LEFT_OPEN
    read, first = _close_paragraph(opened, position, read)
    if read > MAX_BRACKET_READING:
        return first, *_BRACKETS_LEFT_OPEN
    return None


def _outside_fences(text: str) -> str:
    """``text`` with the lines of fenced code blocks (which Python-Markdown sets apart before
    it reads the rest) left empty: the same lines, without their code."""
    lines = text.split("\n")
    fence = None
    for index, line in enumerate(lines):
        if fence is not None:
            lines[index] = ""
            if line.strip().startswith(fence):
                fence = None
        elif (opening := _FENCE.match(line)) is not None:
            fence, lines[index] = opening.group(1), ""
    return "\n".join(lines)


def _markup_reading_problem(text: str) -> tuple[int, str, str] | None:
    """The first paragraph outside fenced code whose marks times length passes
    ``MAX_MARKUP_READING``, at its first line."""
    line = 0
    for paragraph in _outside_fences(text).split("\n\n"):
        if sum(map(paragraph.count, _MARKS)) * len(paragraph) > MAX_MARKUP_READING:
            return (
                line + len(paragraph) - len(paragraph.lstrip("\n")),
                msg(
                    "a paragraph of {size} KiB holds too much markup to convert in good time",
                    size=len(paragraph) // 1024,
                ),
                msg("split it into shorter paragraphs"),
            )
        line += paragraph.count("\n") + 2
    return None


def _unclosed_tags_problem(text: str) -> tuple[int, str, str] | None:
    """More than ``MAX_UNCLOSED_TAGS`` tags left open outside fenced code blocks (which
    Python-Markdown sets apart first), at the line of the first."""
    outside = _outside_fences(text)
    unclosed = [found.start() for found in _UNCLOSED_TAG.finditer(outside)]
    if len(unclosed) <= MAX_UNCLOSED_TAGS:
        return None
    return (
        outside.count("\n", 0, unclosed[0]),
        msg("{count} tags are begun with '<' and never closed with '>'", count=len(unclosed)),
        msg("write &lt; for a < that is text, or close each tag with >"),
    )


def _line_depth(line: str) -> int:
    """How deeply the start of ``line`` nests quotes and lists: its ">"s, its indentation
    (four columns a level) before a list item, and the quotes and lists that follow the
    item's marker on the same line. Stops counting once past ``MAX_NESTING``."""
    lead = _LEAD.match(line).group()
    depth = lead.count(">")
    position = len(lead)
    item = _LIST_ITEM.match(line, position)
    if item is not None and not _is_rule(line, position):
        depth += len(lead.replace(">", "").expandtabs(4)) // 4 + 1
        position = item.end()
    elif (note := _FOOTNOTE.match(line, position)) is not None:
        depth += 1  # a footnote's text is a block of its own, which may hold lists
        position = note.end()
    else:
        return depth
    while depth <= MAX_NESTING and (inner := _INNER_CONTAINER.match(line, position)) is not None:
        if _is_rule(line, position):  # "- - - -" ends in a rule, not in more lists
            break
        depth += 1
        position = inner.end()
    return depth


def _is_rule(line: str, start: int) -> bool:
    """Whether ``line`` from ``start`` is a horizontal rule as Python-Markdown reads one:
    three or more of one of "-", "*", "_", with at most two spaces between them."""
    rest = line[start:].strip(" ")
    if len(rest) < 3 or rest[0] not in "-*_" or "   " in rest:
        return False
    marks = rest.replace(" ", "")
    return marks == rest[0] * len(marks) and len(marks) >= 3


def _marked_html_problem(text: str) -> tuple[int, str, str] | None:
    """(line offset, message, hint) where elements marked ``markdown=`` are nested more than
    ``MAX_NESTING`` deep, else None. Elements of the same names without the mark are counted
    too, so that their end tags do not end a marked one."""
    marked: list[str] = []  # the names of the marked elements open, innermost last
    unmarked: dict[str, int] = {}  # of those names, how many elements without the mark are open
    for tag in _TAG.finditer(text):
        closing, name, attributes = tag.group(1), tag.group(2).lower(), tag.group(3)
        if closing:
            if unmarked.get(name):
                unmarked[name] -= 1
            elif marked and marked[-1] == name:
                marked.pop()
        elif attributes.rstrip().endswith("/"):
            continue
        elif _MARKED.search(attributes):
            marked.append(name)
            if len(marked) > MAX_NESTING:
                return (
                    text.count("\n", 0, tag.start()),
                    msg(
                        "HTML blocks marked markdown= are nested more than {depth} levels deep",
                        depth=MAX_NESTING,
                    ),
                    msg("use fewer levels; deeper ones are hard to read anyway"),
                )
        elif name in marked:
            unmarked[name] = unmarked.get(name, 0) + 1
    return None


_BRACKETS_LEFT_OPEN = (
    msg("too many brackets without a closing one ('[' needs ']', '(' needs ')')"),
    msg("close them, or write a bracket that is just text with a backslash, as \\["),
)


def _close_paragraph(opened: dict[str, list[tuple[int, int]]], end: int, read: int) -> tuple[int, int]:
    """Add what the brackets still open read up to ``end``; return it and the first such bracket's line."""
    waiting = opened["["] + opened["("]
    read += sum(end - begin for begin, _ in waiting)
    first = min((line for _, line in waiting), default=0)
    for stack in opened.values():
        stack.clear()
    return read, first


def decode(data: bytes, display: str) -> str | SiteError:
    """UTF-8 (with or without BOM), line ends made ``\\n``; NUL bytes and other control characters refused."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return SiteError(
            msg("the file is not valid UTF-8 text"), display, line, msg("save the file as UTF-8")
        )
    # Most text is ASCII without control characters, which looking for each is the fastest way
    # to rule out; the pattern then finds the first.
    clean = text.isascii() and not any(c in text for c in _ASCII_CONTROLS)
    control = None if clean else _CONTROL.search(text)
    if control:
        line = text[: control.start()].count("\n") + 1
        if control.group() == "\x00":
            return SiteError(msg("the file contains a NUL byte"), display, line, msg("is this a text file?"))
        return SiteError(
            msg("the file contains the control character {code}", code=f"U+{ord(control.group()):04X}"),
            display,
            line,
            msg("delete it; it is invisible in most editors and often comes with copied text"),
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")
