"""The language the command line and the preview speak to an editor, and the package's own
catalogue of Dutch messages.

The language is found once, where a command starts (``cli``, ``serve``), from the
environment: ``SITE_BUILDER_LANGUAGE`` if set, else what gettext reads,
``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` (the first one set).
``nl_NL.UTF-8`` or ``nl`` means Dutch; English otherwise. It is the editor's
setting, not the site's: two editors of one site may each read their own.

The catalogue is ``locale/nl/LC_MESSAGES/site_builder.po`` in the package,
distinct from the site's UI catalogues in ``translations/`` (which ``i18n update``
rebuilds from the templates). It is read only for Dutch, and by the small reader
below rather than ``babel.messages.pofile``: importing Babel's reader and reading
the catalogue with it took 33 ms at best on a 2-core machine, a fifth of a build that
finds nothing changed at 1,000 pages per language (about 150 ms); this one takes under 2 ms.
``tests/test_messages.py`` checks that both read the catalogue alike.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from site_builder.errors import ENGLISH, ENGLISH_NUMBERS, Catalogue, Message

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "site_builder"
LANGUAGES = ("en", "nl")  # English is the messages' own language; Dutch has a catalogue
# Each language's decimal and grouping marks, as Babel's CLDR data has them (a test compares):
# set here, since importing Babel would cost every command a few tens of milliseconds.
NUMBER_MARKS = {"en": ENGLISH_NUMBERS, "nl": (",", ".")}
# In the order gettext reads them, after the package's own setting.
LANGUAGE_VARIABLES = ("SITE_BUILDER_LANGUAGE", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def editor_language(environ: Mapping[str, str]) -> str:
    """``nl`` or ``en``, from the first of ``LANGUAGE_VARIABLES`` that is set.

    As gettext does, ``LANGUAGE`` may list several (``fr:nl``), tried in turn; a
    language the package does not speak is passed over, and ``C`` or ``POSIX``
    means English.
    """
    for variable in LANGUAGE_VARIABLES:
        value = environ.get(variable, "")
        if not value:
            continue
        for item in value.split(":"):
            code = item.split(".")[0].split("@")[0].split("_")[0].split("-")[0].strip().lower()
            if code in ("c", "posix"):
                return "en"
            if code in LANGUAGES:
                return code
        return "en"
    return "en"


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_catalogue(language: str) -> Catalogue:
    """The messages in ``language``: English needs no file; a catalogue that cannot be read
    leaves the messages in English rather than stop the command."""
    if language == "en":
        return ENGLISH
    try:
        text = catalogue_path(language).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return ENGLISH
    return Catalogue(language, MappingProxyType(read_po(text)), NUMBER_MARKS.get(language, ENGLISH_NUMBERS))


def read_po(text: str) -> dict[str, str]:
    """msgid → msgstr of a ``.po`` file's translated entries, leaving out its header, obsolete
    (``#~``) and fuzzy entries and those with an empty msgstr.

    Enough of the format for what ``pybabel update`` writes for this package (no plural forms,
    no contexts); ``tests/test_messages.py`` compares the result with ``babel.messages.pofile``.
    """
    result: dict[str, str] = {}
    # pybabel writes one entry per paragraph.
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields: dict[str, list[str]] = {}
        current: list[str] | None = None
        fuzzy = False
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            elif line.startswith(("msgid ", "msgstr ")):
                keyword, _, rest = line.partition(" ")
                current = fields.setdefault(keyword, [])
                current.append(_unquote(rest))
            elif line.startswith('"') and current is not None:
                current.append(_unquote(line))
        msgid, msgstr = "".join(fields.get("msgid", [])), "".join(fields.get("msgstr", []))
        if msgid and msgstr and not fuzzy:
            result[msgid] = msgstr
    return result


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def _unquote(quoted: str) -> str:
    body = quoted.strip()[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    chars = iter(body)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            out.append(_ESCAPES.get(following, following))
        else:
            out.append(char)
    return "".join(out)


class MessageFormatter(logging.Formatter):
    """Shows a log line that is a ``Message`` in the catalogue's language; other lines as
    they are. The stages log messages; the command line and the preview, which know the
    reader's language, install this on their handler."""

    def __init__(self, catalogue: Catalogue) -> None:
        super().__init__("%(message)s")
        self.catalogue = catalogue

    def format(self, record: logging.LogRecord) -> str:
        if isinstance(record.msg, Message):
            record = logging.makeLogRecord({**record.__dict__, "msg": record.msg.show(self.catalogue)})
        return super().format(record)
