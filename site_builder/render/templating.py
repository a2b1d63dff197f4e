"""One Jinja environment per language: autoescaping, strict undefined, gettext, locale filters.

UI strings come from ``translations/<lang>/LC_MESSAGES/messages.po``, read
directly with Babel (no compiled ``.mo`` is kept in the repository; the build
cache keeps each catalogue compiled until it changes). The filters that format numbers
and dates are in ``formatting``.
"""

from __future__ import annotations

import gettext
import io
import os
import re
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
import jinja2.bccache
from markupsafe import Markup, escape

from site_builder.config import Language
from site_builder.content.frontmatter import Figure, published_iso
from site_builder.content.load import link_outside
from site_builder.errors import SiteError, msg, raise_if_any
from site_builder.project import TEMPLATES_DIR, TRANSLATIONS_DIR
from site_builder.render.assets import AssetManifest
from site_builder.render.cards import CARD_FONT, card_of
from site_builder.render.formatting import (
    FormattedDates,
    figure_blocks,
    figure_chart,
    format_day,
    format_figure,
    format_money,
    format_number,
    format_percentage,
    format_published,
)
from site_builder.render.images import focal_point, hero_name, picture
from site_builder.render.maps import place_map
from site_builder.render.seo import json_ld

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog


def catalog_path(lang: str) -> str:
    return f"{TRANSLATIONS_DIR}/{lang}/LC_MESSAGES/messages.po"


def read_catalog(root: Path, language: Language) -> Catalog | None:
    """The language's message catalogue, or None where it has none."""
    data = _catalog_bytes(root, language)
    return None if data is None else _parse_catalog(data, language)


def compiled_catalog(root: Path, language: Language) -> bytes | None:
    """The language's message catalogue compiled, as the bytes of a ``.mo`` file (fuzzy
    entries left out, as gettext does); None where it has none."""
    data = _catalog_bytes(root, language)
    if data is None:
        return None
    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, _parse_catalog(data, language))
    return buffer.getvalue()


def compiled_catalogs(languages: Sequence[Language], root: Path) -> list[bytes | None]:
    """``compiled_catalog`` of each language."""
    return [compiled_catalog(root, language) for language in languages]


def make_environments(
    root: Path,
    languages: Sequence[Language],
    catalogs: Sequence[bytes | None],
    manifest: AssetManifest,
    compiled: CompiledTemplates | None = None,
    dates: FormattedDates | None = None,
) -> dict[str, jinja2.Environment]:
    """One environment per language (see ``make_environment``), with its compiled catalogue
    from ``catalogs``; ``compiled`` and ``dates`` are shared by all."""
    compiled = compiled if compiled is not None else CompiledTemplates({})
    return {
        language.code: make_environment(root, language, catalog, manifest, compiled, dates)
        for language, catalog in zip(languages, catalogs, strict=True)
    }


def _catalog_bytes(root: Path, language: Language) -> bytes | None:
    display = catalog_path(language.code)
    path = root / display
    outside = link_outside(path, root, TRANSLATIONS_DIR)
    if outside is not None:
        raise outside
    if not path.is_file():
        return None
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SiteError(msg("cannot read the catalogue: {reason}", reason=exc), display) from None


def _parse_catalog(data: bytes, language: Language) -> Catalog:
    # Babel's reader is imported here: most rebuilds find the catalogue compiled in the cache.
    from babel.messages.pofile import PoFileError, read_po

    display = catalog_path(language.code)
    try:
        text = data.decode("utf-8")
        _check_po_lines(text, display)
        raise_if_any(markup_in_translations(text, display) + placeholders_in_translations(text, display))
        _check_charset(text, display)
        catalog = read_po(io.BytesIO(data), locale=language.locale_id, abort_invalid=True)
        _check_plural_rule(catalog, text, display)
        return catalog
    except PoFileError as exc:
        raise SiteError(
            msg("invalid message catalogue: {reason}", reason=exc), display, getattr(exc, "lineno", None)
        ) from None
    except UnicodeDecodeError as exc:
        raise SiteError(msg("cannot read the catalogue: {reason}", reason=exc), display) from None


def _header_line(text: str, setting: str) -> int | None:
    return next((n for n, line in enumerate(text.splitlines(), 1) if setting in line), None)


_CHARSET = re.compile(r"charset=([^\s\"\\;]*)")


def _check_charset(text: str, display: str) -> None:
    """The file is read as UTF-8: a header that names another charset (one Python may not
    even know) would have Babel read it, and gettext the compiled catalogue, otherwise."""
    import codecs

    found = _CHARSET.search(text)
    if found is None:
        return
    try:
        charset = codecs.lookup(found[1]).name
    except LookupError:
        charset = None
    if charset != "utf-8":
        raise SiteError(
            msg("the catalogue says its text is in {charset}, not UTF-8", charset=_shown(found[1])),
            display,
            _header_line(text, found.group()),
            msg("write charset=UTF-8 in its Content-Type line, and save it as UTF-8"),
        )


def _check_plural_rule(catalog: Catalog, text: str, display: str) -> None:
    """The plural rule, which gettext reads when a page is made: refused here, naming its
    line, rather than failing there."""
    try:
        gettext.c2py(catalog.plural_expr)
    except (ValueError, SyntaxError, RecursionError):
        raise SiteError(
            msg("the catalogue's plural rule '{rule}' cannot be read", rule=_shown(catalog.plural_expr)),
            display,
            _header_line(text, "Plural-Forms:"),
            msg("write it as gettext does for the language, such as nplurals=2; plural=(n != 1);"),
        ) from None


_PO_LINE = re.compile(r'(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"(?:[^"\\]|\\.)*"')


def _check_po_lines(text: str, display: str) -> None:
    """Babel's reader accepts an unclosed quote and silently loses a character; refuse it."""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and not _PO_LINE.fullmatch(stripped):
            raise SiteError(
                msg("invalid line in the message catalogue"),
                display,
                number,
                msg('write msgid "…" or msgstr "…" with the text between double quotes'),
            )


# A UI string is text, escaped wherever a template puts it (see ``UiText``), so markup in a
# translation would show as typed, and markup is what an attack through the catalogue (which
# translators, not the site's developers, write) looks like: a tag or anything that starts
# one; a quote followed by what ends a tag or continues one with attributes (text meant to
# break out of an attribute's value); or a character reference such as &amp;.
_MARKUP = re.compile(
    r"<"
    r"""|["'`]\s*(?:[^\W\d][-\w:.]*(?:\s+[^\W\d][-\w:.]*)*\s*)?(?:=|/?>)"""
    r"|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);"
)
_PO_PART = re.compile(r'(?:(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"((?:[^"\\]|\\.)*)"')
_PO_ESCAPE = re.compile(r"\\(.)")
_PO_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


def _entries(text: str) -> list[dict[str, list[tuple[int, str]]]]:
    """The entries of a catalogue's text (lines checked by ``_check_po_lines``): for each, its
    keywords (msgid, msgstr[1], …) → their strings, unescaped, with their lines."""
    entries: list[dict[str, list[tuple[int, str]]]] = []
    keyword = None
    for number, line in enumerate(text.splitlines(), 1):
        part = _PO_PART.fullmatch(line.strip())
        if part is None:  # a comment (obsolete entries too) or a blank line
            continue
        value = _PO_ESCAPE.sub(lambda m: _PO_ESCAPES.get(m[1], m[1]), part[2])
        if part[1] is not None:
            keyword = part[1]
            if not entries or keyword == "msgctxt" or (keyword == "msgid" and "msgid" in entries[-1]):
                entries.append({})
            entries[-1][keyword] = []
        if keyword is not None:
            entries[-1][keyword].append((number, value))
    # The header's msgstr, which no page shows, is not a translation.
    return [entry for entry in entries if "".join(v for _, v in entry.get("msgid", ())) or "msgctxt" in entry]


def _line_of(parts: list[tuple[int, str]], offset: int) -> int:
    """The line of the character at ``offset`` in the joined strings of ``parts``."""
    start = 0
    for number, value in parts:
        if offset < start + len(value):
            return number
        start += len(value)
    return parts[-1][0]


def markup_in_translations(text: str, display: str) -> list[SiteError]:
    """Each translation in a catalogue's text (lines checked by ``_check_po_lines``) that holds
    markup (see ``_MARKUP``), as an error naming the line where the markup starts."""
    problems = []
    for entry in _entries(text):
        msgid = "".join(value for _, value in entry.get("msgid", ()))
        for keyword, parts in entry.items():
            if not keyword.startswith("msgstr"):
                continue
            found = _MARKUP.search("".join(value for _, value in parts))
            if found is None:
                continue
            problems.append(
                SiteError(
                    msg(
                        "the translation of '{msgid}' holds markup: {markup}",
                        msgid=_shown(msgid),
                        markup=_shown(found.group()),
                    ),
                    display,
                    _line_of(parts, found.start()),
                    msg(
                        "a UI string is plain text, shown as written: leave out tags, quotes before "
                        "them and &…; codes (write & itself); the templates add the markup"
                    ),
                )
            )
    return problems


# What a UI string holds of %: a placeholder such as %(topic)s, or %% for a percent sign. Every
# message is %-formatted (Jinja's newstyle gettext, ``ui_string``), so any other use of % (a
# width, as in %(topic)999999999s, which would fill the memory; a placeholder the template does
# not give; "100% nieuws") fails when the page is made.
_PERCENT = re.compile(r"%(?:\(([^()]*)\)[sd]|%)?")
_AS_WRITTEN = re.compile(r"%(?:\([^()]*\))?[^\s%]{0,12}")  # a wrong use of %, as shown in the message


def placeholders_in_translations(text: str, display: str) -> list[SiteError]:
    """Each translation that uses ``%`` for anything but the placeholders of its original
    (``%(name)s``) and ``%%``, as an error naming its line."""
    problems = []
    for entry in _entries(text):
        msgid = "".join(value for _, value in entry.get("msgid", ()))
        originals = msgid + "".join(value for _, value in entry.get("msgid_plural", ()))
        names = {found[1] for found in _PERCENT.finditer(originals) if found[1] is not None}
        for keyword, parts in entry.items():
            if not keyword.startswith("msgstr"):
                continue
            joined = "".join(value for _, value in parts)
            for found in _PERCENT.finditer(joined):
                if found.group() == "%%" or found[1] in names:
                    continue
                written = _AS_WRITTEN.match(joined, found.start()).group()
                problems.append(
                    SiteError(
                        msg(
                            "the translation of '{msgid}' uses % as the original does not: {found}",
                            msgid=_shown(msgid),
                            found=_shown(written),
                        ),
                        display,
                        _line_of(parts, found.start()),
                        msg(
                            "copy each placeholder as the original writes it, such as {example}, "
                            "and write a percent sign as %%",
                            example=f"%({min(names)})s",
                        )
                        if names
                        else msg("write a percent sign as %%"),
                    )
                )
    return problems


def _shown(text: str, limit: int = 60) -> str:
    """``text`` on one line, control characters written as escapes, cut at ``limit``."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[: limit + 1])
    return shown if len(text) <= limit else shown[:limit] + "…"


# --- environment ------------------------------------------------------------


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in ``entries`` (template key → Jinja's bytecode), shared by the
    languages' environments and kept by the preview between builds: a template is compiled
    again only when its text changed (Jinja checks). In memory only: the bytecode is code
    that a build runs, and the build cache on disk, which may come from elsewhere, holds
    none (see ``store``)."""

    def __init__(self, entries: dict[str, bytes]) -> None:
        self.entries = entries

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.entries.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.entries[bucket.key] = bucket.bytecode_to_string()


class _TemplateFiles(jinja2.FileSystemLoader):
    """Jinja's loader, with a template that cannot be read as UTF-8 named as the user's mistake."""

    def get_source(self, environment: jinja2.Environment, template: str):
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as exc:
            raise template_not_text(template, exc) from None


def _links_out(root: Path) -> list[SiteError]:
    """templates/ itself, or every symbolic link in it, that leads outside it (see
    ``link_outside``): a page may include any file there, and what it includes is published."""
    folder = root / TEMPLATES_DIR
    outside = link_outside(folder, root, TEMPLATES_DIR)
    if outside is not None:
        return [outside]
    found = []
    for current, folders, files in os.walk(folder):  # linked folders are not entered
        for name in sorted(folders + files):
            path = Path(current, name)
            if path.is_symlink() and (outside := link_outside(path, root, TEMPLATES_DIR)) is not None:
                found.append(outside)
    return found


def template_not_text(name: str, exc: UnicodeDecodeError) -> SiteError:
    line = exc.object[: exc.start].count(b"\n") + 1 if isinstance(exc.object, bytes) else None
    return SiteError(
        msg("the template is not valid UTF-8 text"),
        f"{TEMPLATES_DIR}/{name}",
        line,
        msg("save the file as UTF-8"),
    )


def make_environment(
    root: Path,
    language: Language,
    messages: bytes | None,
    manifest: AssetManifest,
    compiled: CompiledTemplates | None = None,
    dates: FormattedDates | None = None,
) -> jinja2.Environment:
    """The Jinja environment for one language, with its UI strings from ``messages`` (see
    ``compiled_catalog``), keeping compiled templates in ``compiled`` and formatted dates
    in ``dates`` if given."""
    raise_if_any(_links_out(root))
    env = jinja2.Environment(
        loader=_TemplateFiles(root / TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=compiled,
    )
    translations = (
        gettext.GNUTranslations(io.BytesIO(messages)) if messages is not None else gettext.NullTranslations()
    )
    # Jinja's newstyle gettext marks a message safe where the template escapes, so a
    # translation's markup would reach the page as markup. Given text (``UiText``), what it
    # marks safe is the text escaped: {% trans %}, gettext() and the others escape it too.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        _as_text(translations.gettext),
        _as_text(translations.ngettext),
        newstyle=True,
        pgettext=_as_text(translations.pgettext),
        npgettext=_as_text(translations.npgettext),
    )
    env.globals["_"] = ui_string(translations.gettext)

    def asset_url(name: str) -> str:
        try:
            return manifest.url(name)
        except KeyError:
            raise jinja2.TemplateRuntimeError(f"asset '{name}' is not in assets/") from None

    def chart(chart_id: str, title: str, figures: list[Figure]) -> Markup | None:
        return figure_chart(chart_id, title, figures, language, translations)

    def picture_of(name: str, alt: str, **attributes: object) -> Markup:
        """A photo in assets/ as a ``<picture>`` of its copies (see ``render.images``)."""
        image = manifest.images.get(name)
        if image is None:
            raise jinja2.TemplateRuntimeError(f"'{name}' is not a photo in assets/ (JPEG, PNG or WebP)")
        shown = [("alt", str(alt)), *((key, str(value)) for key, value in attributes.items())]
        return Markup(picture(image, shown if "decoding" in attributes else [*shown, ("decoding", "async")]))

    photos = {name: image.digest for name, image in manifest.images.items()}

    def social_card(site, page):
        """The social card of ``page`` (see ``render.cards``), or None."""
        return card_of(site, page, manifest.urls.get(CARD_FONT, ""), photos)

    def hero(page) -> Markup | None:
        """The page's own photo (``image`` in its front matter) cropped wide around its focal
        point, as the first image of the page: loaded at once, first; None if it has none."""
        front = page.front
        image = manifest.heroes.get(hero_name(front.image, focal_point(front))) if front.image else None
        if image is None:
            return None
        shown = [("alt", front.image_alt or ""), ("class", "hero"), ("fetchpriority", "high")]
        return Markup(picture(image, shown))

    env.globals.update(
        asset_url=asset_url,
        language=language,
        chart=chart,
        place_map=place_map,
        picture=picture_of,
        hero=hero,
        social_card=social_card,
    )
    filters = {
        "number": lambda v: format_number(v, language),
        "percent": lambda v: format_percentage(v, language),
        "money": lambda v, currency="EUR": format_money(v, language, currency),
        "figure": lambda f: format_figure(f, language),
        "day": lambda d, form="long": format_day(d, language, form, dates),
        "isodate": lambda d: d.isoformat(),
        "published": lambda front: format_published(front, language, dates),
        "published_iso": published_iso,
        "figure_blocks": figure_blocks,
        "markup": Markup,
        "json_ld": json_ld,
    }
    env.filters.update({name: _strict(function) for name, function in filters.items()})
    return env


class UiText(str):
    """A UI string: text from the catalogues, which translators write, not the site's
    developers. Escaped wherever a template puts it into HTML, attributes too, and even
    where something marks it safe (``|safe``, ``Markup``, Jinja's gettext): all of them take
    its ``__html__``. Where a template does not escape (autoescape off), it is the text."""

    __slots__ = ()

    def __html__(self) -> str:
        return escape(str(self))


def _as_text(translate: Callable[..., str]) -> Callable[..., UiText]:
    def translated(*args) -> UiText:
        return UiText(translate(*args))

    return translated


def ui_string(translate: Callable[[str], str]):
    """The templates' ``_()``: the message translated, as text (``UiText``), then always
    ``%``-formatted with the keyword arguments, as Jinja's newstyle gettext does; a message
    without arguments formatted once. The arguments become part of the text, escaped with
    it. Templates call it a dozen times on every page."""
    known: dict[str, UiText] = {}

    def ui_string(message: str, **variables) -> UiText:
        if variables:
            return UiText(translate(message) % variables)
        try:
            return known[message]
        except KeyError:
            known[message] = text = UiText(translate(message) % {})
            return text

    return ui_string


def _strict(function):
    """A filter that reports an undefined value by name instead of failing inside Babel."""

    def strict_filter(value, *args, **kwargs):
        if isinstance(value, jinja2.Undefined):
            value._fail_with_undefined_error()
        return function(value, *args, **kwargs)

    return strict_filter


def template_error(exc: BaseException, root: Path) -> SiteError | None:
    """A Jinja failure as a ``SiteError`` naming the template and line; None if not a template's fault."""
    templates = (root / TEMPLATES_DIR).resolve()
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return SiteError(
            msg("template error: {problem}", problem=exc.message),
            _display(exc.filename, templates, exc.name),
            exc.lineno,
            msg(
                "check the {expression} and {statement} tags around this line",
                expression="{{ }}",
                statement="{% %}",
            ),
        )
    frame = None
    for summary in traceback.extract_tb(exc.__traceback__):
        if _display(summary.filename, templates, None):
            frame = summary
    if isinstance(exc, jinja2.TemplateNotFound):
        return SiteError(
            msg("template '{name}' does not exist", name=exc.name),
            _display(frame.filename, templates, None) if frame else TEMPLATES_DIR,
            frame.lineno if frame else None,
            msg("add templates/{name} or correct the name", name=exc.name),
        )
    if frame is None:
        return None
    message = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else str(exc)
    if not message:
        message = type(exc).__name__
    return SiteError(
        msg("template error: {problem}", problem=message),
        _display(frame.filename, templates, None),
        frame.lineno,
        msg("a name may be misspelt, or a value missing"),
    )


def _display(filename: str | None, templates: Path, name: str | None) -> str | None:
    if filename:
        try:
            rel = Path(filename).resolve().relative_to(templates)
        except ValueError:
            return None
        return f"{TEMPLATES_DIR}/{rel.as_posix()}"
    return f"{TEMPLATES_DIR}/{name}" if name else None
