"""What the built site must be beyond what each stage checks of its own part.

``malformed_xml``: the sitemap and every feed parsed by a strict XML parser, as
the readers and search engines that fetch them do. A feed reader drops a feed
that is not well-formed, whole and silently. The build refuses the characters
that could break them where they are written (see ``safe_yaml`` and ``load``);
this is the net below that, and names the file, the line and what is wrong.

``html_problems``: every page holds only characters HTML allows: no control
characters but tab and line breaks, no noncharacters. Inputs refuse them; a
template or a catalogue could still carry one in.

``doubtful_values``: warnings about pages whose values are allowed but most
likely mistakes (see ``frontmatter.doubtful``).
"""

from __future__ import annotations

import datetime
import re
import xml.parsers.expat
from collections.abc import Iterable

from site_builder.content.frontmatter import doubtful
from site_builder.errors import SiteError, msg
from site_builder.render.feeds import feed_path
from site_builder.site.files import OutputFile
from site_builder.site.model import Site
from site_builder.site.topics import topics_of

SITEMAP = "sitemap.xml"
_HINT = msg("a page's text broke the file: look in the page named here for unusual characters")


def xml_files(site: Site, files: Iterable[OutputFile]) -> list[OutputFile]:
    """The sitemap and the feeds among ``files``; a file kept from the last build without its
    bytes was checked when that build made it."""
    wanted = {SITEMAP, *(feed_path(code) for code in site.config.codes)}
    wanted |= {topic.feed_path for topic in topics_of(site).pages()}
    return [file for file in files if file.path in wanted and file.data is not None]


def xml_problems(files: Iterable[OutputFile]) -> list[tuple[SiteError, ...]]:
    """Each file's fault, if a strict XML parser refuses it."""
    return [tuple(filter(None, [_xml_problem(file.path, file.data)])) for file in files]


def malformed_xml(site: Site, files: Iterable[OutputFile]) -> list[SiteError]:
    """The sitemap's and the feeds' faults: each file that a strict XML parser refuses."""
    return [problem for problems in xml_problems(xml_files(site, files)) for problem in problems]


def _xml_problem(path: str, data: bytes) -> SiteError | None:
    # With namespaces on, as feed readers parse: a prefix without its declaration is an error too.
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as error:
        lines = data.split(b"\n")
        line = lines[error.lineno - 1] if 0 < error.lineno <= len(lines) else b""
        offset = sum(len(before) + 1 for before in lines[: error.lineno - 1])
        text = line.decode("utf-8", "replace")
        bad = next((index for index, c in enumerate(text) if not _xml_char(c)), None)
        if bad is not None:
            what = msg("the character {code} is not allowed in XML", code=f"U+{ord(text[bad]):04X}")
            offset += len(text[:bad].encode("utf-8"))
        else:
            what = msg(
                "it is not well-formed XML ({reason})", reason=xml.parsers.expat.errors.messages[error.code]
            )
            offset += error.offset
        where = _entry_at(data, offset)
        if where:
            what = msg("{problem}, near {entry}", problem=what, entry=where)
        return SiteError(what, f"build/{path}", error.lineno, _HINT)
    return None


def _xml_char(c: str) -> bool:
    """Whether XML 1.0 allows ``c`` (its production Char)."""
    code = ord(c)
    if code < 0x20:
        return c in "\t\n\r"
    return not (0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF))


def _entry_at(data: bytes, offset: int) -> str:
    """Where in the file ``offset`` is: the address in the nearest <id> (a feed) or <loc> (the
    sitemap) before it, which is the page's address in an entry."""
    for opening, closing in ((b"<id>", b"</id>"), (b"<loc>", b"</loc>")):
        start = data.rfind(opening, 0, offset)
        if start >= 0:
            end = data.find(closing, start)
            if end >= 0:
                return data[start + len(opening) : end].decode("utf-8", "replace")
    return ""


# What no HTML page may hold, as UTF-8: the C0 controls but tab, line feed and carriage return
# (parse errors, shown as boxes or not at all), and the noncharacters U+FDD0–U+FDEF and
# U+xFFFE, U+xFFFF of every plane.
_CONTROLS = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_NOT_IN_HTML = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xb7[\x90-\xaf]|\xef\xbf[\xbe\xbf]|[\xf0-\xf4][\x8f\x9f\xaf\xbf]\xbf[\xbe\xbf]"
)
# Byte pairs every noncharacter's UTF-8 holds.
_NONCHARACTER_PARTS = (b"\xef\xb7", b"\xbf\xbe", b"\xbf\xbf")


def _may_hold_what_html_does_not_allow(data: bytes) -> bool:
    """A quick test that clears almost every page (the pattern above reads a page many times
    slower than deleting bytes does)."""
    return len(data.translate(None, _CONTROLS)) != len(data) or any(
        part in data for part in _NONCHARACTER_PARTS
    )


def html_problems(files: Iterable[OutputFile]) -> list[tuple[SiteError, ...]]:
    """Each HTML file's first character that HTML does not allow, if any."""
    results = []
    for file in files:
        data = file.data
        found = (
            _NOT_IN_HTML.search(data)
            if data is not None and _may_hold_what_html_does_not_allow(data)
            else None
        )
        if found is None:
            results.append(())
            continue
        line = data.count(b"\n", 0, found.start()) + 1
        character = ord(found.group().decode("utf-8", "surrogateescape")[0])
        results.append(
            (
                SiteError(
                    msg("the character {code} is not allowed in a web page", code=f"U+{character:04X}"),
                    f"build/{file.path}",
                    line,
                    msg(
                        "a template or a translation put it there: delete it (it is invisible in most editors)"
                    ),
                ),
            )
        )
    return results


def doubtful_values(site: Site, today: datetime.date | None = None) -> list[SiteError]:
    """Warnings about the site's pages; ``today`` (default: the clock's) is what a date is
    compared with: the only finding that depends on when the build runs. Pages held back
    until a later day are looked at too: a year typed wrong holds a page back for years."""
    today = today if today is not None else datetime.date.today()
    shown = [(page.path, page.front) for page in site.pages]
    held = [(source.path, source.front) for source, _ in site.scheduled]
    return site.config.doubtful() + [
        problem for path, front in sorted(shown + held) for problem in doubtful(front, path, today)
    ]
