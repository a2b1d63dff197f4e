"""UI strings: the messages the templates use, checked against each language's catalogue.

Extraction and updating wrap Babel's own ``pybabel extract`` and ``pybabel
update`` with this project's settings (``babel.cfg``, ``translations/``), so
editors need not learn Babel and the files stay as Babel writes them.
"""

from __future__ import annotations

from pathlib import Path

from site_builder.config import SiteConfig
from site_builder.content.load import link_outside
from site_builder.errors import LanguageName, SiteError, msg
from site_builder.project import MAPPING_FILE
from site_builder.render.templating import (
    TEMPLATES_DIR,
    TRANSLATIONS_DIR,
    catalog_path,
    read_catalog,
    template_not_text,
)

TEMPLATE_FILE = "messages.pot"
PROJECT = "Life Sciences & Health Amsterdam"
COPYRIGHT_HOLDER = "Amsterdam Economic Board, City of Amsterdam"


# Babel's extraction and command line are imported where used: a build whose templates and
# catalogues did not change reuses the last findings and needs neither.


def _mapping(root: Path):
    """Babel's extraction settings, from the same ``babel.cfg`` that ``pybabel extract -F`` reads."""
    from babel.messages.frontend import parse_mapping_cfg

    try:
        with (root / MAPPING_FILE).open(encoding="utf-8") as handle:
            return parse_mapping_cfg(handle)
    except OSError as exc:
        raise SiteError(
            msg("cannot read the extraction settings: {reason}", reason=exc.strerror),
            MAPPING_FILE,
            hint=msg("it says which templates hold UI strings; see the README"),
        ) from None


def used_messages(root: Path) -> dict[str, tuple[str, int]]:
    """Every message the templates use → where it is first used (template path, line)."""
    from babel.messages.extract import extract_from_dir

    used: dict[str, tuple[str, int]] = {}
    method_map, options_map = _mapping(root)
    reading: list[str] = []  # the file being read

    def note(filename: str, _method: str, _options: dict) -> None:
        reading[:] = [filename]

    try:
        found = list(extract_from_dir(root / TEMPLATES_DIR, method_map, options_map, callback=note))
    except UnicodeDecodeError as exc:
        raise template_not_text(reading[0] if reading else "", exc) from None
    for filename, lineno, message, _comments, _context in sorted(found, key=lambda m: (m[0], m[1])):
        msgid = message if isinstance(message, str) else message[0]
        used.setdefault(msgid, (f"{TEMPLATES_DIR}/{filename}", lineno))
    return used


def catalog_problems(root: Path, config: SiteConfig) -> list[SiteError]:
    """Messages missing, untranslated or fuzzy in a catalogue, and entries no template uses."""
    try:
        used = used_messages(root)
    except (
        SiteError
    ) as error:  # without babel.cfg the check cannot run; that is worth a warning, not a failed build
        return [error]
    problems = []
    for language in config.languages:
        display = catalog_path(language.code)
        catalog = read_catalog(root, language)
        if catalog is None:
            if used:
                problems.append(
                    SiteError(
                        msg(
                            "no catalogue of UI strings for {language}",
                            language=LanguageName(language.code, language.name),
                        ),
                        display,
                        hint=msg("run: site-builder i18n update (it creates {file})", file=display),
                    )
                )
            continue
        for msgid, (template, line) in used.items():
            entry = catalog.get(msgid)
            if entry is None:
                problems.append(
                    SiteError(
                        msg(
                            "'{msgid}' (used in {template}:{line}) is not in the catalogue",
                            msgid=msgid,
                            template=template,
                            line=line,
                        ),
                        display,
                        hint=msg("run: site-builder i18n update, then translate it"),
                    )
                )
            elif entry.fuzzy:
                problems.append(
                    SiteError(
                        msg("the translation of '{msgid}' is marked fuzzy", msgid=msgid),
                        display,
                        entry.lineno,
                        msg("check it, then remove the '#, fuzzy' line"),
                    )
                )
            elif not all(entry.string) if isinstance(entry.string, tuple) else not entry.string:
                problems.append(
                    SiteError(
                        msg("'{msgid}' has no translation", msgid=msgid),
                        display,
                        entry.lineno,
                        msg("fill in its msgstr"),
                    )
                )
        for entry in catalog:
            if entry.id and entry.id not in used:
                problems.append(
                    SiteError(
                        msg("'{msgid}' is no longer used in the templates", msgid=entry.id),
                        display,
                        entry.lineno,
                        msg("run: site-builder i18n update (it keeps the entry as obsolete)"),
                    )
                )
    return problems


def extract(root: Path) -> Path:
    """Write ``translations/messages.pot`` from the templates, as ``pybabel extract`` does."""
    target = root / TRANSLATIONS_DIR / TEMPLATE_FILE
    _mapping(root)  # a clear error if it is missing
    _refuse_link_out(target, root)
    _pybabel(
        "extract", "-F", str(root / MAPPING_FILE), "--no-location", "--sort-output",
        "--project", PROJECT, "--copyright-holder", COPYRIGHT_HOLDER,
        "-o", str(target), str(root / TEMPLATES_DIR),
    )  # fmt: skip
    return target


def update(root: Path, config: SiteConfig) -> list[Path]:
    """Extract, then bring every language's catalogue up to date, as ``pybabel update/init`` do."""
    template = extract(root)
    written = []
    for language in config.languages:
        path = root / catalog_path(language.code)
        _refuse_link_out(path, root)
        command = "update" if path.is_file() else "init"
        _pybabel(
            command, "-i", str(template), "-d", str(root / TRANSLATIONS_DIR), "-l", language.code,
            "--no-wrap",
        )  # fmt: skip
        written.append(path)
    return written


def _refuse_link_out(path: Path, root: Path) -> None:
    """pybabel writes through a symbolic link: one that leads outside translations/ would have
    it overwrite a file elsewhere (see ``link_outside``)."""
    outside = link_outside(path, root, TRANSLATIONS_DIR)
    if outside is not None:
        raise outside


def _pybabel(*args: str) -> None:
    from babel.messages.frontend import CommandLineInterface

    try:
        CommandLineInterface().run(["pybabel", "-q", *args])
    except SystemExit as exit:  # Babel exits on bad input
        if exit.code:
            raise SiteError(
                msg("pybabel {command} failed", command=args[0]), hint=msg("see the message above")
            ) from None
