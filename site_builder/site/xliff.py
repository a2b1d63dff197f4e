"""XLIFF 1.2, the file translation agencies' tools read: the model of what ``translations
export`` writes and ``import`` reads back, and its (de)serialisation.

Pure: bytes in, data out. XLIFF 1.2 rather than 2.x because it is the version the common
translation tools (Trados Studio, memoQ, Phrase) have all imported and exported for longest, with
its inline codes (``<bpt>``, ``<ept>``, ``<ph>``) shown as protected tags; 2.x came later to
each and is not what an agency can be assumed to accept. The output is valid against OASIS's
``xliff-core-1.2-strict.xsd`` (tests/schemas/).

One ``<file>`` per page, named by its source's path (``original``), the source's version in
``build-num``; one ``<trans-unit>`` per unit of ``segments``. Reading refuses what is not
XLIFF 1.2 as written here, any DTD (so no entity can expand or reach outside the file), and
inline markup the export did not write.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.parsers import expat

from site_builder.errors import Message, SiteError, msg
from site_builder.site.segments import Code, Parts, joined

NAMESPACE = "urn:oasis:names:tc:xliff:document:1.2"
_XML = "http://www.w3.org/XML/1998/namespace"
VERSION = "1.2"
DATATYPE = "x-markdown"
TOOL = "site-builder"
MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 50  # xliff, file, body, group …, trans-unit, target, mrk …: a few levels
# States of a target that mean it is done (XLIFF 1.2's state values); any other, or none with
# approved="no", means it still needs work.
DONE = ("translated", "signed-off", "final")
_HINT = msg("send the agency's XLIFF file as their tool saved it, or export again")


@dataclass(frozen=True, slots=True)
class TransUnit:
    id: str
    source: Parts
    target: Parts | None = None
    state: str | None = None  # XLIFF 1.2: "translated", "needs-translation", "needs-review-translation" …
    note: str | None = None
    approved: bool | None = None
    line: int = 0  # in the XLIFF file it was read from

    @property
    def done(self) -> bool:
        """Whether its target is a finished translation."""
        if self.target is None or not any(isinstance(p, str) and p.strip() for p in self.target):
            return False
        if self.approved:
            return True
        return self.state in DONE or (self.state is None and self.approved is None)


@dataclass(frozen=True, slots=True)
class XliffFile:
    original: str  # the source page: content/nl/about.md
    source_language: str
    target_language: str
    version: str  # the source's content version when exported
    units: tuple[TransUnit, ...]
    line: int = 0


# --- writing ---------------------------------------------------------------------------------


def dumps(files: tuple[XliffFile, ...], tool_version: str) -> bytes:
    """An XLIFF 1.2 document of ``files``."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<xliff xmlns="{NAMESPACE}" version="{VERSION}">',
    ]
    for file in files:
        out.append(
            f"  <file original={_attr(file.original)} source-language={_attr(file.source_language)}"
            f" target-language={_attr(file.target_language)} datatype={_attr(DATATYPE)}"
            f" tool-id={_attr(TOOL)} build-num={_attr(file.version)}>"
        )
        out.append("    <header>")
        out.append(
            f"      <tool tool-id={_attr(TOOL)} tool-name={_attr(TOOL)} tool-version={_attr(tool_version)}/>"
        )
        out.append("    </header>")
        out.append("    <body>")
        for unit in file.units:
            out.append(
                f'      <trans-unit id={_attr(unit.id)} resname={_attr(unit.id)} xml:space="preserve">'
            )
            out.append(f"        <source>{_content(unit.source)}</source>")
            if unit.target is not None:
                state = f" state={_attr(unit.state)}" if unit.state else ""
                out.append(f"        <target{state}>{_content(unit.target)}</target>")
            if unit.note:
                out.append(f"        <note>{_text(unit.note)}</note>")
            out.append("      </trans-unit>")
        out.append("    </body>")
        out.append("  </file>")
    out.append("</xliff>")
    return ("\n".join(out) + "\n").encode("utf-8")


def _content(parts: Parts) -> str:
    written = []
    for part in parts:
        if isinstance(part, str):
            written.append(_text(part))
        else:
            ctype = f" ctype={_attr(part.ctype)}" if part.kind != "ept" else ""  # an ept has its bpt's
            written.append(f'<{part.kind} id="{part.id}"{ctype}>{_text(part.native)}</{part.kind}>')
    return "".join(written)


def _text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    escaped = _text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
    return f'"{escaped}"'


# --- reading ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Element:
    tag: str  # "{namespace}name" as "namespace name"
    attrs: dict[str, str]
    line: int
    children: list  # of str and _Element

    @property
    def name(self) -> str:
        return self.tag.rpartition(" ")[2]

    @property
    def namespace(self) -> str:
        return self.tag.rpartition(" ")[0]

    def elements(self, name: str) -> list[_Element]:
        return [c for c in self.children if isinstance(c, _Element) and c.tag == f"{NAMESPACE} {name}"]


class _Refused(Exception):
    def __init__(self, message: Message, hint: Message) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


def loads(data: bytes, display: str) -> tuple[XliffFile, ...]:
    """The files of an XLIFF 1.2 document; ``display`` names it in errors. Raises ``SiteError``."""
    if len(data) > MAX_BYTES:
        raise SiteError(
            msg(
                "the file is too large ({size} MiB; the limit is {limit} MiB)",
                size=len(data) // (1024 * 1024),
                limit=MAX_BYTES // (1024 * 1024),
            ),
            display,
            hint=msg("export fewer pages at a time"),
        )
    root = _tree(data, display)
    if root.name != "xliff" or root.namespace != NAMESPACE:
        version = root.attrs.get("version", "")
        if root.name == "xliff" and version.startswith("2"):
            raise SiteError(
                msg("this is XLIFF {version}; only XLIFF 1.2 is read", version=version),
                display,
                root.line,
                msg("have the agency's tool save the file as XLIFF 1.2, the version it was sent in"),
            )
        raise SiteError(msg("the file is not XLIFF 1.2"), display, root.line, _HINT)
    if root.attrs.get("version") != VERSION:
        raise SiteError(
            msg(
                "XLIFF version {found}; only {version} is read",
                found=repr(root.attrs.get("version", "(none)")),
                version=VERSION,
            ),
            display,
            root.line,
            _HINT,
        )
    files = []
    for file in root.elements("file"):
        files.append(_file(file, display))
    if not files:
        raise SiteError(msg("the file holds no <file> element"), display, root.line, _HINT)
    return tuple(files)


def _file(element: _Element, display: str) -> XliffFile:
    attrs = element.attrs
    missing = [
        name
        for name in ("original", "source-language", "target-language", "build-num")
        if not attrs.get(name)
    ]
    if missing:
        raise SiteError(
            msg(
                "<file> has no {attribute} attribute; it was not exported by site-builder",
                attribute=missing[0],
            ),
            display,
            element.line,
            _HINT,
        )
    units: list[TransUnit] = []
    for body in element.elements("body"):
        _units(body, display, units)
    seen: set[str] = set()
    for unit in units:
        if unit.id in seen:
            raise SiteError(
                msg("unit '{unit}' appears twice in one <file>", unit=unit.id), display, unit.line, _HINT
            )
        seen.add(unit.id)
    return XliffFile(
        attrs["original"],
        attrs["source-language"],
        attrs["target-language"],
        attrs["build-num"],
        tuple(units),
        element.line,
    )


def _units(parent: _Element, display: str, units: list[TransUnit]) -> None:
    for child in parent.children:
        if not isinstance(child, _Element):
            continue
        if child.tag == f"{NAMESPACE} group":  # a tool may group units; they are read all the same
            _units(child, display, units)
        elif child.tag == f"{NAMESPACE} trans-unit":
            unit_id = child.attrs.get("id")
            sources = child.elements("source")
            if not unit_id or not sources:
                raise SiteError(msg("a <trans-unit> without id or <source>"), display, child.line, _HINT)
            targets = child.elements("target")
            approved = child.attrs.get("approved")
            try:
                source = _parts(sources[0])
                target = _parts(targets[0]) if targets else None
            except _Refused as refused:
                raise SiteError(
                    msg("unit '{unit}': {problem}", unit=unit_id, problem=refused.message),
                    display,
                    child.line,
                    refused.hint,
                ) from None
            units.append(
                TransUnit(
                    unit_id,
                    source,
                    target,
                    targets[0].attrs.get("state") if targets else None,
                    None,
                    None if approved is None else approved == "yes",
                    child.line,
                )
            )


def _parts(element: _Element) -> Parts:
    parts: list = []
    for child in element.children:
        if isinstance(child, str):
            parts.append(child)
        elif child.namespace == NAMESPACE and child.name in ("ph", "bpt", "ept"):
            if any(isinstance(c, _Element) for c in child.children):
                raise _Refused(
                    msg("<{name}> holds markup", name=child.name),
                    msg("keep the tags as the export wrote them"),
                )
            number = child.attrs.get("id", "")
            if not number.isdigit():
                raise _Refused(
                    msg(
                        "<{name} id={number}> is not one of the export's tags",
                        name=child.name,
                        number=repr(number),
                    ),
                    msg("keep the tags as the export wrote them; add none"),
                )
            parts.append(Code(child.name, int(number), "".join(child.children), child.attrs.get("ctype", "")))
        elif (
            child.namespace == NAMESPACE and child.name == "mrk"
        ):  # a segment's or a note's mark: its text counts
            parts += _parts(child)
        else:
            raise _Refused(
                msg(
                    "<{name}> (line {line}) is markup the export did not write",
                    name=child.name,
                    line=child.line,
                ),
                msg("keep the tags as the export wrote them; add none"),
            )
    return joined(parts)


def _tree(data: bytes, display: str) -> _Element:
    """The document's elements, with lines; refuses any DTD, so no entity is ever declared."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[_Element] = []
    found: list[_Element] = []

    def refuse(*_args) -> None:
        raise _Refused(
            msg("the file has a document type declaration (<!DOCTYPE …>), which XLIFF does not use"),
            msg(
                "it may try to read other files or expand without end: ask the agency for the file as "
                "their tool saved it"
            ),
        )

    def start(tag: str, attrs: dict[str, str]) -> None:
        if len(stack) >= MAX_DEPTH:
            raise _Refused(
                msg("elements are nested more than {depth} deep", depth=MAX_DEPTH),
                msg("XLIFF as exported nests a few levels"),
            )
        element = _Element(tag, attrs, parser.CurrentLineNumber, [])
        if stack:
            stack[-1].children.append(element)
        else:
            found.append(element)
        stack.append(element)

    def end(_tag: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        if stack:
            stack[-1].children.append(data)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
    except _Refused as refused:
        raise SiteError(refused.message, display, parser.CurrentLineNumber or None, refused.hint) from None
    except expat.ExpatError as error:
        reason = expat.ErrorString(error.code)
        raise SiteError(
            msg("the file is not well-formed XML: {reason}", reason=reason), display, error.lineno, _HINT
        ) from None
    return found[0]
