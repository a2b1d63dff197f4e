"""The one error type for mistakes a user can make, and how it is shown, in English or Dutch.

A ``SiteError`` names the file (relative to the project root) and, where known,
the line, plus a hint for the fix. Stages collect them and raise ``SiteErrors``
once, so an editor sees every problem of a run together.

What an error says is kept as a ``Message``: an English template and its
parameters, made with ``msg("unknown key '{key}'", key=key)``. It becomes text
only where it is shown, in the language of whoever reads it: the command line
passes the editor's ``Catalogue`` (see ``messages``) to ``format_error``, the
preview each page's. ``pybabel extract -k msg`` collects the templates into the
package's own catalogue, ``site_builder/locale/`` (see docs/translating.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# A parameter's value: text, a number, or a message or a language's name (``LanguageName``)
# shown in the same language.
Param = object


@dataclass(frozen=True, slots=True)
class Message:
    """An English ``str.format`` template with named placeholders, and their values.

    Plain data, so that it is pickled into the cache and across worker processes as it is;
    ``str()`` gives the English text.
    """

    template: str
    params: tuple[tuple[str, Param], ...] = ()

    def show(self, catalogue: Catalogue | None = None) -> str:
        """The text in the catalogue's language; English where it has no translation."""
        catalogue = catalogue if catalogue is not None else ENGLISH
        marks = catalogue.number_marks
        values = {name: _param(value, catalogue, marks) for name, value in self.params}
        translated = catalogue.translations.get(self.template)
        if translated:
            try:
                return translated.format_map(values)
            except (KeyError, IndexError, ValueError):
                pass  # a translation naming a placeholder the message lacks: English rather than nothing
        return self.template.format_map(values)

    def __str__(self) -> str:
        return self.show(ENGLISH)


@dataclass(frozen=True, slots=True)
class LanguageName:
    """The name of the language ``code`` (a site's language, such as "nl") as a message's
    parameter: in the reader's language ("Dutch", "Nederlands"), as Babel names it; ``own``,
    its name in itself, where Babel has none."""

    code: str
    own: str

    def show(self, catalogue: Catalogue | None = None) -> str:
        from babel import Locale  # only where such a message is shown

        reader = (catalogue if catalogue is not None else ENGLISH).language
        return Locale.parse(reader).languages.get(self.code.partition("-")[0], self.own)


_SHOWN = (Message, LanguageName)  # parameters shown in the reader's language
ENGLISH_NUMBERS = (".", ",")  # English's decimal mark and grouping mark, as the templates write them


def _param(value: Param, catalogue: Catalogue, marks: dict[int, str] | None) -> object:
    """A message's parameter as its template formats it: a message or a language's name in the
    catalogue's language; a number as a number, for a format such as {seconds:.2f}, with the
    language's own marks (0,07 s and 1.000.000 in Dutch)."""
    if isinstance(value, _SHOWN):
        return value.show(catalogue)
    if marks is not None and isinstance(value, int | float) and not isinstance(value, bool):
        return _Number(value, marks)
    return value


class _Number:
    """A number as a message's parameter, formatted as the template says ({size:.1f},
    {limit:,}), then with the decimal and grouping marks of the reader's language.

    Made only while a message is shown, never kept: a plain class, since making a data class
    costs every command's start about a millisecond."""

    __slots__ = ("value", "marks")

    def __init__(self, value: int | float, marks: dict[int, str]) -> None:
        self.value = value
        self.marks = marks  # for str.translate: English's "." and "," → the language's

    def __format__(self, spec: str) -> str:
        return format(self.value, spec).translate(self.marks)


def msg(template: str, /, **params: Param) -> Message:
    """A message to show in the reader's language. ``template`` must be a string literal:
    ``pybabel extract -k msg`` finds it there (see the module's description). A value other
    than text, a number, a message or a language's name (a path, an exception) is kept as its
    text: the message stays plain data that the cache can hold."""
    kept = (v if v is None or isinstance(v, (str, int, float, *_SHOWN)) else str(v) for v in params.values())
    return Message(template, tuple(sorted(zip(params, kept, strict=True))))


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The translations of the package's messages into one language: English template → text.

    ``ENGLISH`` has none. ``messages.load_catalogue`` reads the Dutch one.
    """

    language: str
    translations: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    numbers: tuple[str, str] = ENGLISH_NUMBERS  # the language's decimal mark and grouping mark

    @property
    def number_marks(self) -> dict[int, str] | None:
        """English's marks → this language's, for ``str.translate``; None where they are the same."""
        if self.numbers == ENGLISH_NUMBERS:
            return None
        decimal, group = self.numbers
        return {ord("."): decimal, ord(","): group}

    def show(self, text: Message | str) -> str:
        return _shown(text, self)


ENGLISH = Catalogue("en")

# For a file that exists but cannot be read: a folder where a file belongs, a file its owner
# keeps to themselves, a device.
UNREADABLE_HINT = msg("make it a file you may read; ls -l shows what it is and who may read it")


def _shown(value: Param, catalogue: Catalogue) -> str:
    return value.show(catalogue) if isinstance(value, _SHOWN) else str(value)


def placeholders(template: str) -> set[str]:
    """The names of a template's placeholders: ``{path}`` and ``{seconds:.2f}`` → path, seconds."""
    import string  # for the tests: a command never needs it

    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


class SiteError(Exception):
    """A mistake in the site's input: content, configuration, templates or command line.

    ``message`` and ``hint`` are the English text, as the tests and the cache's ordering
    see it; ``message_text`` and ``hint_text`` what was given (a ``Message``, or a string
    that is shown as it is, such as a library's own words), from which ``format_error``
    shows it in another language.
    """

    def __init__(
        self,
        message: Message | str,
        path: str | None = None,
        line: int | None = None,
        hint: Message | str | None = None,
    ) -> None:
        super().__init__(message)
        self.message_text = message
        self.path = path
        self.line = line
        self.hint_text = hint

    @property
    def message(self) -> str:
        return str(self.message_text)

    @property
    def hint(self) -> str | None:
        return None if self.hint_text is None else str(self.hint_text)

    def __str__(self) -> str:
        return format_error(self)

    def __repr__(self) -> str:
        return f"SiteError({format_error(self)!r})"

    def sort_key(self) -> tuple[str, int, str]:
        return (self.path or "", self.line or 0, self.message)


class SiteErrors(Exception):
    """Several ``SiteError``s found by one stage, in a stable order."""

    def __init__(self, errors: Iterable[SiteError]) -> None:
        self.errors = tuple(sorted(errors, key=SiteError.sort_key))
        super().__init__("\n".join(format_error(e) for e in self.errors))


def raise_if_any(errors: list[SiteError]) -> None:
    if errors:
        raise SiteErrors(errors)


def format_error(error: SiteError, catalogue: Catalogue | None = None) -> str:
    """``path:line: message (hint: …)`` — one line, the form editors and CI see, in the
    catalogue's language (default English)."""
    return one_line(error_message(error).show(catalogue))


# Control characters, and those some terminals and CI logs break lines at, as escapes: a value
# from a file (a slug, say) cannot make the one line several, one of them looking like another
# error or like the all-clear.
_LINE_BREAKING = {
    code: (
        "\\n" if code == 10 else "\\r" if code == 13 else f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}"
    )
    for code in (*range(0x00, 0x09), *range(0x0A, 0x20), 0x7F, 0x85, 0x2028, 0x2029)
}


def one_line(text: str) -> str:
    """``text`` with its line breaks and other control characters written as escapes."""
    return text.translate(_LINE_BREAKING)


def error_message(error: SiteError) -> Message:
    """What ``format_error`` shows, as a message: for a log line, shown in the language of
    the handler's catalogue (see ``messages.MessageFormatter``)."""
    where = ""
    if error.path:
        where = f"{error.path}:{error.line}: " if error.line else f"{error.path}: "
    text = error.message_text
    if error.hint_text:
        text = msg("{message} (hint: {hint})", message=text, hint=error.hint_text)
    # The place is not words: this frame has no translation of its own.
    return Message("{where}{text}", (("text", text), ("where", where)))


def warning_message(error: SiteError) -> Message:
    """``warning: path:line: message (hint: …)``: a finding that does not stop the build."""
    return msg("warning: {problem}", problem=error_message(error))


def format_warning(error: SiteError, catalogue: Catalogue | None = None) -> str:
    return one_line(warning_message(error).show(catalogue))


# As JSON, for the build record (see ``incremental.record``), which keeps the last build's
# warnings so that a build with nothing to do repeats them, in the language of that run.


def message_to_json(text: Message | LanguageName | str | None) -> object:
    if isinstance(text, Message):
        return {"template": text.template, "params": [[name, message_to_json(v)] for name, v in text.params]}
    if isinstance(text, LanguageName):
        return {"language": text.code, "own": text.own}
    return text


def message_from_json(value: object) -> Message | LanguageName | str | None:
    if isinstance(value, dict) and "language" in value:
        return LanguageName(str(value["language"]), str(value["own"]))
    if isinstance(value, dict):
        params = tuple((str(name), message_from_json(v)) for name, v in value["params"])
        return Message(str(value["template"]), params)
    return value if value is None or isinstance(value, (str, int, float)) else str(value)


def error_to_json(error: SiteError) -> list:
    return [message_to_json(error.message_text), error.path, error.line, message_to_json(error.hint_text)]


def error_from_json(value: object) -> SiteError:
    if isinstance(value, str):  # a line as printed
        return SiteError(value)
    message, path, line, hint = value
    return SiteError(message_from_json(message), path, line, message_from_json(hint))
