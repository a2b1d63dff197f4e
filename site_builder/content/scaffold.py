"""Commands that write content files for editors.

``new news "Title" --lang nl [--both]`` creates a news item with today's date;
``translations done FILE`` records that a translation is up to date, and keeps
a copy of the text it was translated from (see ``translated``). Both refuse to
overwrite or guess: every problem is a ``SiteError``.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from site_builder.config import SiteConfig
from site_builder.content.frontmatter import MAX_TITLE, NEWS_SECTION, set_front_matter_line
from site_builder.content.load import CONTENT_DIR, load_sources
from site_builder.content.translated import keep_copy, page_at
from site_builder.errors import SiteError, msg
from site_builder.site.model import slugify, translation_key
from site_builder.site.translations import groups

# A web address and a file name made from a title are kept to its first words: a whole sentence
# makes an address nobody can type or read, and a file name past the system's limit (255 bytes).
MAX_SLUG = 60


def new_news(
    root: Path,
    config: SiteConfig,
    title: str,
    lang: str,
    today: datetime.date,
    both: bool = False,
) -> list[Path]:
    """Create ``content/<lang>/news/<date>-<slug>.md`` as a draft (and with ``both`` the same
    file in every other language, marked as not translated yet); never overwrite a file."""
    check_language(config, lang)
    _check_title(title)
    slug = shortened(slugify(title))
    if not title.strip() or not slug:
        raise SiteError(
            msg("the title gives no usable web address"), hint=msg("use a title with letters or digits")
        )
    name = f"{today.isoformat()}-{slug}.md"
    languages = [lang] + ([code for code in config.codes if code != lang] if both else [])
    paths = [root / CONTENT_DIR / code / NEWS_SECTION / name for code in languages]
    for path in paths:
        if path.exists():
            rel = path.relative_to(root).as_posix()
            raise SiteError(
                msg("the file already exists"),
                rel,
                hint=msg("choose another title, or edit the existing file"),
            )
    # A JSON string is a valid double-quoted YAML scalar, whatever the title contains.
    front = (
        f"title: {json.dumps(title.strip(), ensure_ascii=False)}\n"
        f'summary: ""\n'
        f"slug: {slug}\n"
        f"date: {today.isoformat()}\n"
    )
    for index, path in enumerate(paths):
        # Nothing half-written is published: the item is a draft until its writer removes
        # the line, and each translation waits unpublished until `translations done`.
        extra = f"translated_from: {lang}:new\n" if index else "draft: true\n"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as handle:
                handle.write(f"---\n{front}{extra}---\n")
        except OSError as exc:
            rel = path.relative_to(root).as_posix()
            raise SiteError(msg("cannot write the file: {reason}", reason=exc.strerror), rel) from None
    return paths


def shortened(slug: str) -> str:
    """``slug`` cut to at most ``MAX_SLUG`` characters, after a whole word where there is one."""
    if len(slug) <= MAX_SLUG:
        return slug
    cut = slug[: MAX_SLUG + 1].rpartition("-")[0]  # the hyphen just past the limit still ends a word
    return cut or slug[:MAX_SLUG].rstrip("-")


def _check_title(title: str) -> None:
    """The checks a page's title gets when it is built (see ``frontmatter``), made before the
    file is written: a file the build would refuse is not created."""
    if len(title.strip()) > MAX_TITLE:
        raise SiteError(
            msg(
                "the title is {length:,} characters long; the limit is {limit:,}",
                length=len(title.strip()),
                limit=MAX_TITLE,
            ),
            hint=msg("give the page a short title; the text goes in the page itself"),
        )
    if not title.isprintable():
        from site_builder.content.safe_yaml import forbidden_character

        found = forbidden_character(title)
        if found is not None:
            raise SiteError(
                msg("the title contains {what}", what=found), hint=msg("type the title again without it")
            )


def mark_translated(
    root: Path, config: SiteConfig, file: str, source_lang: str | None = None
) -> tuple[str, str, str]:
    """Record in ``file`` that it is translated from the current version of its source page.

    The source is the language named by ``source_lang``, else the one in the page's
    ``translated_from``, else the default language. Returns the line written, the page's path
    and that of the copy of its source kept in ``.translated/``, both to be committed.
    """
    sources = load_sources(root, config)
    page = page_at(root, sources, file)
    group = groups(sources)[translation_key(page)]
    recorded = page.front.translated_from.split(":", 1)[0] if page.front.translated_from else None
    origin = source_lang or recorded or config.default_language
    check_language(config, origin)
    if origin == page.lang:
        raise SiteError(
            msg("{path} is in the source language {lang}", path=page.path, lang=origin),
            page.path,
            hint=msg("name the translation, or the language it was translated from with --from"),
        )
    if origin not in group:
        raise SiteError(
            msg("{path} has no counterpart in '{lang}' to be translated from", path=page.path, lang=origin),
            page.path,
            hint=msg("add the page in that language, or name another with --from"),
        )
    source = group[origin]
    if source.front.translated_from and source.front.translated_from.split(":", 1)[0] == page.lang:
        # Each would be translated from the other: an edit of either makes the other stale, and
        # the original would be sent to be translated.
        raise SiteError(
            msg(
                "{path} is the source {translation} is translated from",
                path=page.path,
                translation=source.path,
            ),
            page.path,
            hint=msg("mark the translation instead: site-builder translations done {path}", path=source.path),
        )
    line = f"translated_from: {origin}:{source.version}"
    # Kept first: a translation never names a version whose text was not kept.
    kept = keep_copy(root, page, source)
    target = root / page.path
    data = target.read_bytes()
    target.write_bytes(set_front_matter_line(data, "translated_from", line))
    return line, page.path, kept


def check_language(config: SiteConfig, lang: str) -> None:
    """Refuses a language code the site does not have (a command-line mistake named in site.yaml's terms)."""
    if lang not in config.codes:
        raise SiteError(
            msg("'{name}' is not a language of this site", name=lang),
            "site.yaml",
            hint=msg("use one of: {codes}", codes=", ".join(config.codes)),
        )
