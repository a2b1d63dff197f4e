"""``translations export`` and ``import``: pages to translate out to an agency as XLIFF, and
their translations back in as pages marked translated.

Export writes, for every page of the target language that is a translation (or missing),
a ``<file>`` with its source's units (see ``segments``), the current translation as target
where the translation has the same blocks, marked ``needs-review-translation`` where the
source changed since it was translated (what ``translations diff`` shows), and the source's
version. Import checks the whole file before it writes anything: the sources must say what
they said at the export (else the units that changed are named), every tag must be the
export's; then each finished page is written (atomically), with the copy of its source
``translations done`` keeps, and marked translated. A page whose text comes back as it is
is left alone, byte for byte.
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from site_builder import __version__
from site_builder.config import SiteConfig
from site_builder.content.frontmatter import (
    TRANSLATED_FROM,
    content_version,
    kind_of,
    parse,
    set_front_matter_line,
)
from site_builder.content.load import CONTENT_DIR, SourcePage, decode, link_outside, load_sources
from site_builder.content.scaffold import check_language
from site_builder.content.translated import compare, copy_path
from site_builder.errors import UNREADABLE_HINT, Message, SiteError, SiteErrors, msg, raise_if_any
from site_builder.project import CONFIG_FILE, INPUT_DIRS, TRANSLATED_DIR
from site_builder.site.model import translation_key
from site_builder.site.segments import (
    BELONGS_TO,
    FIELD_NOTES,
    OWN_FIELDS,
    TEXT_SETTINGS,
    Code,
    PageText,
    Parts,
    Unit,
    Unwritable,
    codes,
    markdown,
    own_fields_text,
    page_text,
    rewritten,
    with_own_fields,
    with_settings_of,
)
from site_builder.site.translation_diff import REMOVED
from site_builder.site.translations import Groups, groups, reference
from site_builder.site.xliff import TransUnit, XliffFile, dumps, loads

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Exported:
    data: bytes | None  # None: nothing to translate
    pages: int
    units: int


@dataclass(slots=True)
class Imported:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    unfinished: list[Message] = field(default_factory=list)  # "content/en/about.md (3 of 40 units …)"


# --- export ----------------------------------------------------------------------------------


def export_xliff(root: Path, config: SiteConfig, lang: str, changed: bool = False) -> Exported:
    """XLIFF for every page to translate into ``lang``; with ``changed``, only missing and stale ones."""
    check_language(config, lang)
    sources = load_sources(root, config)
    found = groups(sources)
    files: list[XliffFile] = []
    for group in sorted(found.values(), key=lambda g: min(page.path for page in g.values())):
        pair = _pair(config, group, lang)
        if pair is None:
            continue
        source, translation = pair
        up_to_date = (
            translation is not None and translation.front.translated_from == f"{source.lang}:{source.version}"
        )
        if changed and up_to_date:
            continue
        source_text = _read(root, source)
        page = page_text(source_text)
        targets: dict[str, Parts] = {}
        notes: dict[str, str] = {}
        review: set[str] = set()
        if translation is not None and not translation.front.awaiting_translation:
            current = page_text(_read(root, translation))
            targets = _current_targets(page, current)
            notes = _differing(page, current, targets)
            if not up_to_date:
                review = _changed_units(root, translation, group, source_text, page)
        units = []
        for unit in page.units:
            target = targets.get(unit.id)
            state = None
            if target is not None:
                state = "needs-review-translation" if unit.id in review else "translated"
            note = " ".join(filter(None, (FIELD_NOTES.get(unit.id), notes.get(unit.id)))) or None
            if unit.id == "image_alt" and _own_photo(source, translation):
                note = _own_photo_note(translation, note)
            units.append(TransUnit(unit.id, unit.parts, target, state, note))
        if units:
            files.append(XliffFile(source.path, source.lang, lang, source.version, tuple(units)))
    if not files:
        return Exported(None, 0, 0)
    return Exported(dumps(tuple(files), __version__), len(files), sum(len(f.units) for f in files))


def _own_photo(source: SourcePage, translation: SourcePage | None) -> bool:
    """Whether the translation shows a photo of its own, whose description is therefore not the
    source's ``image_alt`` translated: not the source's photo, however either writes its name."""
    own = translation.front.image if translation is not None else None
    theirs = source.front.image
    return own is not None and (theirs is None or _photo_named(own) != _photo_named(theirs))


def _photo_named(written: str) -> str:
    """The photo ``written`` names, as ``render.assets.asset_name`` finds its file: a space may
    be written %20, and an accent as one character or as a letter and a mark."""
    return unicodedata.normalize("NFC", unquote(written))


def _own_photo_note(translation: SourcePage, note: str | None) -> str:
    own = (
        f"The translation shows a photo of its own, {translation.front.image}, not this one: "
        "describe that photo (the target is its current description)."
    )
    return f"{own} {note}" if note else own


def _pair(
    config: SiteConfig, group: dict[str, SourcePage], lang: str
) -> tuple[SourcePage, SourcePage | None] | None:
    """(the page to translate from, the translation in ``lang`` or None) for a translation group;
    None where ``lang``'s page is no translation (an original, or one whose source is gone)."""
    translation = group.get(lang)
    if translation is None:
        others = {code: page for code, page in group.items() if code != lang}
        return (reference(config, others), None) if others else None
    if translation.front.translated_from is None:
        return None
    origin = TRANSLATED_FROM.fullmatch(translation.front.translated_from)["lang"]
    source = group.get(origin)
    return (source, translation) if source is not None and origin != lang else None


def _current_targets(source: PageText, translation: PageText) -> dict[str, Parts]:
    """The translation's text of each unit of ``source``, with the source's tags; in a field
    (the body, a SWOT point's text) whose blocks differ from the source's, none."""
    aligned = _aligned(source, translation, _id_and_kind)
    targets = {}
    for unit in source.units:
        counterpart = translation.unit(unit.id)
        if counterpart is None or unit.field not in aligned:
            continue
        mapped = _mapped(unit.parts, counterpart.parts)
        if mapped is not None:
            targets[unit.id] = mapped
    return targets


def _differing(source: PageText, translation: PageText, targets: dict[str, Parts]) -> dict[str, str]:
    """For the translator: the current translation of the units it has with other formatting or
    links than the source's, which can therefore not be the target."""
    aligned = _aligned(source, translation, lambda unit: unit.id)
    return {
        unit.id: f"The current translation, whose formatting or links differ from the source's: {unit.text}"
        for unit in translation.units
        if unit.field in aligned and unit.id not in targets
    }


def _aligned(source: PageText, translation: PageText, key: Callable[[Unit], object]) -> set[str]:
    """The fields whose units are the same, by ``key``, in both pages: each field on its own, so
    that a setting only one page has (a Dutch slug) does not unpair the body's blocks."""
    theirs = _by_field(translation, key)
    return {name for name, keys in _by_field(source, key).items() if theirs.get(name) == keys}


def _by_field(page: PageText, key: Callable[[Unit], object]) -> dict[str, list]:
    found: dict[str, list] = {}
    for unit in page.units:
        found.setdefault(unit.field, []).append(key(unit))
    return found


def _id_and_kind(unit: Unit) -> tuple[str, str]:
    return unit.id, unit.kind


def _mapped(source: Parts, translation: Parts) -> Parts | None:
    """``translation`` with each tag replaced by the source's same tag (same Markdown); None if
    one has a tag the other lacks."""
    free = list(codes(source))
    ids: dict[int, int] = {}
    mapped: list = []
    for part in translation:
        if isinstance(part, str):
            mapped.append(part)
            continue
        if part.kind == "ept":
            match = next(
                (c for c in free if c.kind == "ept" and c.id == ids.get(part.id) and c.native == part.native),
                None,
            )
        else:
            match = next((c for c in free if c.kind == part.kind and c.native == part.native), None)
        if match is None:
            return None
        free.remove(match)
        ids[part.id] = match.id
        mapped.append(match)
    return tuple(mapped) if not free else None


def _changed_units(
    root: Path, translation: SourcePage, group: dict[str, SourcePage], source_text: str, page: PageText
) -> set[str]:
    """The units of ``page`` (the source as it is now) that changed since ``translation`` was
    made from it; all of them where that cannot be known."""
    try:
        hunks = compare(root, translation, group).hunks
    except SiteError:
        return {unit.id for unit in page.units}
    spans = [
        (hunk.line, hunk.line + sum(text.count("\n") for kind, text in hunk.segments if kind != REMOVED))
        for hunk in hunks
    ]
    changed = set()
    for unit in page.units:
        field_ = page.fields[unit.field]
        if unit.field == "body":
            first, last = field_.start + unit.start, field_.start + unit.end
        else:
            first, last = field_.start, field_.end
        top, bottom = source_text.count("\n", 0, first) + 1, source_text.count("\n", 0, last) + 1
        if any(start <= bottom and top <= end for start, end in spans):
            changed.add(unit.id)
    return changed


# --- import ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Plan:
    path: str  # the translation to write
    data: bytes
    copy: str  # its source's copy in .translated/
    source_data: bytes


def import_xliff(root: Path, config: SiteConfig, data: bytes, display: str) -> Imported:
    """Write the finished translations of the XLIFF document ``data`` (named ``display`` in
    messages) and mark them translated; nothing is written if anything is wrong."""
    files = loads(data, display)
    sources = load_sources(root, config)
    found = groups(sources)
    by_path = {source.path: source for source in sources}
    errors: list[SiteError] = []
    plans: list[_Plan] = []
    report = Imported()
    seen: set[tuple[str, str]] = set()
    for file in files:
        try:
            if (file.original, file.target_language) in seen:
                raise SiteError(
                    msg("{file} appears twice for '{lang}'", file=file.original, lang=file.target_language),
                    display,
                    file.line,
                    _again(file.target_language),
                )
            seen.add((file.original, file.target_language))
            plan = _plan(root, config, file, display, by_path, found, report)
        except SiteError as error:
            errors.append(error)
            continue
        if plan is not None:
            plans.append(plan)
    raise_if_any(errors)
    for plan in plans:
        _write(
            root, plan.copy, plan.source_data
        )  # first: a translation never names a version whose text was not kept
        _write(root, plan.path, plan.data)
        report.written.append(plan.path)
    return report


_AGAIN = msg(
    "export again: site-builder translations export --to LANG --changed, and send the agency the new file"
)


def _again(lang: str) -> Message:
    """``_AGAIN`` for a file into ``lang``, one of the site's languages."""
    return msg(
        "export again: site-builder translations export --to {lang} --changed, and send the agency the new file",
        lang=lang,
    )


def _plan(
    root: Path,
    config: SiteConfig,
    file: XliffFile,
    display: str,
    by_path: dict[str, SourcePage],
    found: Groups,
    report: Imported,
) -> _Plan | None:
    source = by_path.get(file.original)
    if source is None:
        raise SiteError(
            msg('<file original="{file}"> names no page of this site', file=file.original),
            display,
            file.line,
            msg(
                "import the file into the site it was exported from; a page renamed since needs a new export"
            ),
        )
    lang = file.target_language
    if lang not in config.codes or lang == source.lang or file.source_language != source.lang:
        raise SiteError(
            msg(
                "{file} is exported from '{from_lang}' into '{lang}', which this site cannot take "
                "({source} is in '{source_lang}'; the languages are {codes})",
                file=file.original,
                from_lang=file.source_language,
                lang=lang,
                source=source.path,
                source_lang=source.lang,
                codes=", ".join(config.codes),
            ),
            display,
            file.line,
            _AGAIN,
        )
    group = found[translation_key(source)]
    translation = group.get(lang)
    if translation is not None and translation.front.translated_from is None:
        raise SiteError(
            msg(
                "{path} is not a translation (it has no translated_from line), so it is not "
                "overwritten with a translation of {source}",
                path=translation.path,
                source=source.path,
            ),
            display,
            file.line,
            msg(
                "if it is one, run site-builder translations done {path} --from {lang} first",
                path=translation.path,
                lang=source.lang,
            ),
        )
    source_data = _read_bytes(root, source.path)
    source_text = _decoded(source_data, source.path)
    page = page_text(source_text)
    if file.version != source.version:
        _check_unchanged(file, page, source, display)
    targets, unfinished = _targets(file, page, display)
    rel = translation.rel if translation is not None else source.rel
    path = f"{CONTENT_DIR}/{lang}/{rel}"
    if unfinished:
        report.unfinished.append(
            msg(
                "{path} ({count} of {total} units not translated)",
                path=path,
                count=unfinished,
                total=len(page.units),
            )
        )
        return None
    if translation is None and (root / path).exists():
        raise SiteError(
            msg("{path} exists but is not paired with {source}", path=path, source=source.path), display, file.line,
            msg("give both pages the same translation_key, or move the file"),
        )  # fmt: skip
    for folder, where in ((CONTENT_DIR, path), (TRANSLATED_DIR, f"{TRANSLATED_DIR}/{lang}/{rel}")):
        problem = link_outside(root / where, root, folder)
        if problem is not None:
            raise problem
    old_data = _read_bytes(root, path) if translation is not None else None
    try:
        text = _translated_text(source_text, page, translation, old_data, targets)
    except Unwritable as reason:
        raise SiteError(
            str(reason), display, _line_of(file, reason.unit_id), msg("translate the text as one block")
        ) from None
    line = f"translated_from: {source.lang}:{source.version}"
    new_data = set_front_matter_line(text.encode("utf-8"), "translated_from", line)
    if old_data is not None:
        if b"\r\n" in old_data:
            new_data = new_data.replace(b"\n", b"\r\n")
        if old_data.startswith(_BOM):
            new_data = _BOM + new_data
    _check_page(new_data, path, rel, targets, file, display)
    if new_data == old_data:
        report.unchanged.append(path)
        return None
    copy = copy_path(translation) if translation is not None else f"{TRANSLATED_DIR}/{lang}/{rel}"
    return _Plan(path, new_data, copy, source_data)


def _check_unchanged(file: XliffFile, page: PageText, source: SourcePage, display: str) -> None:
    """Refuses ``file`` if the text of any unit of its source changed since it was exported."""
    exported = {unit.id: markdown(unit.source) for unit in file.units}
    current = {unit.id: unit.text for unit in page.units}
    changed = sorted(
        (
            unit_id
            for unit_id in exported.keys() | current.keys()
            if exported.get(unit_id) != current.get(unit_id)
        ),
        key=lambda unit_id: [u.id for u in page.units].index(unit_id) if unit_id in current else 10**9,
    )
    if changed:
        shown: Message | str = ", ".join(changed[:10])
        if len(changed) > 10:
            shown = msg("{units} and {count} more", units=shown, count=len(changed) - 10)
        raise SiteError(
            msg(
                "{path} has changed since the export ({exported}, now {current}): units {units}",
                path=source.path,
                exported=f"{source.lang}:{file.version}",
                current=f"{source.lang}:{source.version}",
                units=shown,
            ),
            display,
            file.line,
            msg(
                "export again: site-builder translations export --to {lang} --changed, and send the agency "
                "the new file (site-builder translations diff shows what changed)",
                lang=file.target_language,
            ),
        )


def _targets(file: XliffFile, page: PageText, display: str) -> tuple[dict[str, str], int]:
    """The Markdown of each finished unit, with the source's tags; and how many are not finished."""
    targets: dict[str, str] = {}
    unfinished = 0
    for unit in file.units:
        current = page.unit(unit.id)
        if current is None:
            raise SiteError(
                msg("unit '{unit}' is not a unit of {file}", unit=unit.id, file=file.original),
                display,
                unit.line,
                _again(file.target_language),
            )
        if not unit.done:
            unfinished += 1
            continue
        targets[unit.id] = _with_source_tags(unit, current.parts, display).strip()
    exported = {unit.id for unit in file.units}
    unfinished += sum(1 for unit in page.units if unit.id not in exported)
    return targets, unfinished


def _with_source_tags(unit: TransUnit, source: Parts, display: str) -> str:
    expected = Counter((code.kind, code.id) for code in codes(source))
    found = Counter((code.kind, code.id) for code in codes(unit.target))
    by_tag = {(code.kind, code.id): code for code in codes(source)}
    if found != expected:
        dropped = sorted(expected - found)
        added = sorted(found - expected)
        if dropped and added:
            what = msg(
                "dropped {dropped}; added {added}", dropped=_tags(dropped, by_tag), added=_tags(added, by_tag)
            )
        elif dropped:
            what = msg("dropped {tags}", tags=_tags(dropped, by_tag))
        else:
            what = msg("added {tags}", tags=_tags(added, by_tag))
        raise SiteError(
            msg(
                "unit '{unit}': the translation's tags are not the source's: {what}", unit=unit.id, what=what
            ),
            display,
            unit.line,
            msg("every tag of the source stands for a link or formatting: keep each once, and add none"),
        )
    opened: set[int] = set()
    written = []
    for part in unit.target:
        if isinstance(part, str):
            written.append(part)
            continue
        if part.kind == "bpt":
            opened.add(part.id)
        elif part.kind == "ept" and part.id not in opened:
            raise SiteError(
                msg("unit '{unit}': tag {tag} closes before it opens", unit=unit.id, tag=part.id),
                display,
                unit.line,
                msg("keep the opening tag of a pair before its closing tag"),
            )
        written.append(by_tag[(part.kind, part.id)].native)
    return "".join(written)


def _tags(found: list[tuple[str, int]], by_tag: dict[tuple[str, int], Code]) -> str:
    return ", ".join(
        f'<{kind} id="{number}">'
        + (f" ({by_tag[(kind, number)].native})" if (kind, number) in by_tag else "")
        for kind, number in found
    )


def _translated_text(
    source_text: str,
    page: PageText,
    translation: SourcePage | None,
    old_data: bytes | None,
    targets: dict[str, str],
) -> str:
    """The translated page: the translation with its units' text replaced where it has the
    source's blocks in every field of the source (its settings of its own, such as a
    ``menu_title`` the source lacks, stay), else the source with its units translated and the
    translation's own settings: its aliases and draft, every setting the source has none of
    (a ``menu_title`` of its own), which no unit translates, and every setting that holds no
    words (a ``weight``, an ``image``), in the source's place; either way nothing but the
    units' text changes."""
    if translation is not None and old_data is not None:
        old_text = _decoded(old_data, translation.path)
        old_page = page_text(old_text)
        if _aligned(page, old_page, _id_and_kind) == {unit.field for unit in page.units}:
            return rewritten(old_text, old_page, targets)
        own = own_fields_text(
            old_text, old_page, {"aliases", "draft", *(old_page.settings.keys() - page.settings.keys())}
        )
        text = rewritten(source_text, page, targets)
        text = with_settings_of(text, page_text(text), old_text, old_page, _wordless(page, old_page))
    else:
        own = own_fields_text(source_text, page, ("draft",))
        text = rewritten(source_text, page, targets)
    return with_own_fields(text, page_text(text), own)


def _wordless(source: PageText, translation: PageText) -> set[str]:
    """The settings of ``source`` that hold no words (see ``TEXT_SETTINGS``) and that the
    translation has, or goes without as it has none of the setting they belong to (the focal
    point of its own photo): each takes the translation's value."""
    return {
        name
        for name in source.settings.keys() - TEXT_SETTINGS - set(OWN_FIELDS)
        if BELONGS_TO.get(name, name) in translation.settings
    }


def _check_page(
    data: bytes, path: str, rel: str, targets: dict[str, str], file: XliffFile, display: str
) -> None:
    """The page is one the build reads, and says what the XLIFF file says."""
    text = _decoded(data, path)
    try:
        parse(text, path, kind_of(rel))
    except (SiteError, SiteErrors) as problem:
        error = problem.errors[0] if isinstance(problem, SiteErrors) else problem
        raise SiteError(
            msg("{path} would not be a valid page: {problem}", path=path, problem=error.message_text),
            display,
            file.line,
            error.hint_text or msg("correct the translation in the agency's tool"),
        ) from None
    page = page_text(text)
    for unit_id, expected in targets.items():
        unit = page.unit(unit_id)
        if unit is None or unit.text != expected:
            raise SiteError(
                msg(
                    "unit '{unit}': its translation would not read back as written "
                    "(it holds Markdown that starts another block, such as a list or a heading)",
                    unit=unit_id,
                ),
                display,
                _line_of(file, unit_id),
                msg("translate the text as running text, without Markdown of its own"),
            )


def _line_of(file: XliffFile, unit_id: str) -> int:
    return next((unit.line for unit in file.units if unit.id == unit_id), file.line)


# --- files -----------------------------------------------------------------------------------


def _read(root: Path, page: SourcePage) -> str:
    text = _decoded(_read_bytes(root, page.path), page.path)
    if content_version(text) != page.version:
        raise SiteError(
            msg("the file changed while it was read"), page.path, hint=msg("run the command again")
        )
    return text


# Far beyond an agency's file for this site (a few hundred kilobytes): what is larger is not one.
MAX_XLIFF_BYTES = 64 * 1024 * 1024


def read_xliff_file(path: Path) -> bytes:
    """The bytes of an XLIFF file to import: a regular file (not a device or a pipe, which
    could be read for ever) of at most ``MAX_XLIFF_BYTES``."""
    import stat

    try:
        # Opened without waiting: opening a named pipe waits for a writer.
        with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise SiteError(
                    msg("this is not a file but a device, a pipe or a folder"),
                    str(path),
                    hint=msg("give the XLIFF file the agency sent back"),
                )
            data = file.read(MAX_XLIFF_BYTES + 1)
    except OSError as exc:
        raise SiteError(
            msg("cannot read the file: {reason}", reason=exc.strerror), str(path), hint=UNREADABLE_HINT
        ) from None
    if len(data) > MAX_XLIFF_BYTES:
        raise SiteError(
            msg("the file is larger than {size} MiB", size=MAX_XLIFF_BYTES // (1024 * 1024)),
            str(path),
            hint=msg("give the XLIFF file the agency sent back"),
        )
    return data


def check_export_target(root: Path, target: Path) -> None:
    """Refuse to write an export over the project's own inputs (a page, say)."""
    resolved = target.resolve()
    for name in (*INPUT_DIRS, CONFIG_FILE):
        if resolved == (root / name).resolve() or resolved.is_relative_to((root / name).resolve()):
            raise SiteError(
                msg("the export would be written over the project's {name}", name=name),
                str(target),
                hint=msg(
                    "write it outside content/, templates/, assets/ and translations/, such as lsh-nl.xlf"
                ),
            )


def _read_bytes(root: Path, path: str) -> bytes:
    try:
        return (root / path).read_bytes()
    except OSError as exc:
        raise SiteError(
            msg("cannot read the file: {reason}", reason=exc.strerror), path, hint=UNREADABLE_HINT
        ) from None


def _decoded(data: bytes, path: str) -> str:
    text = decode(data, path)
    if isinstance(text, SiteError):
        raise text
    return text


def _write(root: Path, path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` (relative to ``root``) at once: to a new file beside it, then
    put in its place, so the file is either as it was or whole."""
    target = root / path
    temporary = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            dir=target.parent, prefix=f".{target.name}.", delete=False
        ) as handle:
            temporary = handle.name
            handle.write(data)
        mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask()
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as exc:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)
        raise SiteError(msg("cannot write the file: {reason}", reason=exc.strerror), path) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
