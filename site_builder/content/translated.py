"""The text a translation was made from: what its source page said when the translation was last
marked done, for ``site-builder translations diff`` and the preview's status page.

``translations done`` keeps a copy of the source file in ``.translated/<lang>/<path>``, named
after the translation: ``.translated/en/about.md`` holds ``content/nl/about.md`` as
``content/en/about.md`` was translated from it. It is committed with the translation, so every
clone has it. For a translation marked done before such copies were kept, the text is looked
up in the history of the git repository that holds the project: the committed version of the
source file whose ``content_version`` is the one ``translated_from`` records.

A copy, or a version from the history, is used only when its ``content_version`` is the one
the translation records: whatever it was found in, the text found for a version is the text
that version had.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from site_builder.config import SiteConfig
from site_builder.content.frontmatter import TRANSLATED_FROM, content_version
from site_builder.content.load import MAX_PAGE_BYTES, SourcePage, decode, link_outside, load_sources
from site_builder.errors import UNREADABLE_HINT, SiteError, msg
from site_builder.project import TRANSLATED_DIR
from site_builder.site.model import translation_key
from site_builder.site.translation_diff import Comparison, Hunk, changes
from site_builder.site.translations import LanguageStatus, groups

_CHUNK = 1024 * 1024


class _Unavailable(Exception):
    """Why the history cannot say what a file held (a clause of a sentence)."""


def copy_path(translation: SourcePage) -> str:
    """Where the text ``translation`` was made from is kept, relative to the project."""
    return f"{TRANSLATED_DIR}/{translation.lang}/{translation.rel}"


def keep_copy(root: Path, translation: SourcePage, source: SourcePage) -> str:
    """Copy ``source``'s file, as it is now, to ``translation``'s place in ``.translated/``; returns
    that place. Called as the translation is marked translated from this version."""
    data = _read(root, source.path)
    text = decode(data, source.path)
    if isinstance(text, SiteError):
        raise text
    if content_version(text) != source.version:
        raise SiteError(
            msg("the file changed while it was read"), source.path, hint=msg("run the command again")
        )
    rel = copy_path(translation)
    target = root / rel
    # The rule of every input folder: a link that leads elsewhere would write outside the project.
    problem = link_outside(target, root, TRANSLATED_DIR)
    if problem is not None:
        raise problem
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except OSError as exc:
        raise SiteError(
            msg("cannot write the copy of its source: {reason}", reason=exc.strerror), rel
        ) from None
    return rel


def comparisons(root: Path, config: SiteConfig, file: str) -> list[Comparison]:
    """What changed in the source of ``file`` since it was translated; ``file`` may also be the
    source, then every page translated from it is compared. Raises ``SiteError`` where that
    cannot be known."""
    sources = load_sources(root, config)
    page = page_at(root, sources, file)
    group = groups(sources)[translation_key(page)]
    if page.front.translated_from is not None:
        translations = [page]
    else:
        translations = [other for other in group.values() if _origin(other)[0] == page.lang]
        if not translations:
            raise SiteError(
                msg("the page is not a translation, and no page records being translated from it"),
                page.path,
                hint=msg("name a page with a translated_from line; see docs/translating.md"),
            )
    return [compare(root, translation, group) for translation in translations]


def compare(root: Path, translation: SourcePage, group: Mapping[str, SourcePage]) -> Comparison:
    """``translation``'s source (found in ``group``, its translation group) as it was translated
    and as it is now."""
    lang, version = _origin(translation)
    line = translation.front.lines.get("translated_from")
    source = group.get(lang)
    if source is None:
        raise SiteError(
            msg("it was translated from '{lang}', where the page no longer exists", lang=lang),
            translation.path,
            line,
            msg("translate it from the page it now has in another language, with translations done --from"),
        )
    if version == "new":
        raise SiteError(
            msg(
                "the page is not translated yet: there is no earlier text of {source} to compare with",
                source=source.path,
            ),
            translation.path,
            line,
            msg(
                "translate all of it, then run: site-builder translations done {path}", path=translation.path
            ),
        )
    recorded, current = f"{lang}:{version}", f"{lang}:{source.version}"
    if version == source.version:
        return Comparison(translation.path, source.path, recorded, current, ())
    try:
        old = _text_as_translated(root, translation, source.path, version)
    except _Unavailable as reason:
        raise SiteError(
            msg(
                "{copy} holds no copy of {source} as it was translated ({recorded}), and {reason}",
                copy=copy_path(translation),
                source=source.path,
                recorded=recorded,
                reason=reason.args[0],
            ),
            translation.path,
            line,
            msg(
                "compare the two pages by hand, then run site-builder translations done: from then on a copy is kept"
            ),
        ) from None
    new = decode(_read(root, source.path), source.path)
    if isinstance(new, SiteError):
        raise new
    return Comparison(translation.path, source.path, recorded, current, changes(old, new))


def _text_as_translated(root: Path, translation: SourcePage, source: str, version: str) -> str:
    """The text of ``source`` (a path) at ``version``: the copy kept for ``translation``, else the
    version in git's history. Raises ``_Unavailable`` with the reason the history cannot say."""
    kept = _kept_copy(root, translation, version)
    if kept is not None:
        return kept
    found = _in_history(root, source, version)
    if found is None:
        raise _Unavailable(msg("no commit in the git history holds that version"))
    return found


def stale_changes(
    root: Path,
    sources: Iterable[SourcePage],
    found: Mapping[str, Mapping[str, SourcePage]],
    rows: tuple[LanguageStatus, ...],
) -> dict[str, tuple[Hunk, ...] | str]:
    """For the preview's status page: per stale translation (by path), what changed in its source
    since it was translated, or why that cannot be shown. ``found``: the translation groups."""
    by_path = {source.path: source for source in sources}
    result: dict[str, tuple[Hunk, ...] | str] = {}
    for row in rows:
        for stale in row.stale:
            if stale.never_translated:  # all of it is to be translated: there is nothing to compare
                continue
            page = by_path[stale.path]
            try:
                result[stale.path] = compare(root, page, found[translation_key(page)]).hunks
            except SiteError as error:
                result[stale.path] = f"{error.message} ({error.hint})" if error.hint else error.message
    return result


def page_at(root: Path, sources: tuple[SourcePage, ...], file: str) -> SourcePage:
    """The page whose file is ``file`` (a path as typed: relative to the current folder)."""
    wanted = Path(file)
    wanted = (wanted if wanted.is_absolute() else Path.cwd() / wanted).resolve()
    for source in sources:
        if (root / source.path).resolve() == wanted:
            return source
    raise SiteError(
        msg("'{file}' is not a page of this site", file=file),
        hint=msg("name a file such as content/nl/news/2019-09-26-mou.md"),
    )


def _origin(page: SourcePage) -> tuple[str | None, str | None]:
    """(language, version) that ``translated_from`` records; (None, None) on a page without one."""
    if page.front.translated_from is None:
        return None, None
    match = TRANSLATED_FROM.fullmatch(page.front.translated_from)  # checked as the page was read
    return match["lang"], match["version"]


def _read(root: Path, path: str) -> bytes:
    try:
        return (root / path).read_bytes()
    except OSError as exc:
        raise SiteError(
            msg("cannot read the file: {reason}", reason=exc.strerror), path, hint=UNREADABLE_HINT
        ) from None


def _kept_copy(root: Path, translation: SourcePage, version: str) -> str | None:
    """The copy in ``.translated/`` if it is of ``version``; else None."""
    rel = copy_path(translation)
    path = root / rel
    problem = link_outside(path, root, TRANSLATED_DIR)
    if problem is not None:
        raise problem
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_PAGE_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    text = decode(data, rel)
    if isinstance(text, SiteError) or content_version(text) != version:
        return None
    return text


def _in_history(root: Path, path: str, version: str) -> str | None:
    """The text of the file ``path`` (relative to ``root``) at ``version``, from the newest commit
    that holds it, following the file through renames; None if none does. Raises ``_Unavailable``."""
    versions = _commits(root, path)
    if not versions:
        return None
    try:
        git = subprocess.Popen(
            ["git", "-C", str(root), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_git_env(),
        )
    except OSError as exc:
        raise _Unavailable(msg("git cannot be run ({reason})", reason=exc.strerror)) from None
    # One process answers for every version, each read whole before the next is asked for, and
    # the search stops at the first that matches: most translations are of a recent version.
    with git:
        try:
            for commit, name in versions:
                git.stdin.write(commit + b":" + name + b"\n")
                git.stdin.flush()
                header = git.stdout.readline()
                if not header:
                    break
                if header.endswith(b" missing\n"):
                    continue
                size = int(header.split()[-1])
                if size > MAX_PAGE_BYTES:  # no page the build would read
                    _skip(git.stdout, size + 1)
                    continue
                data = git.stdout.read(size)
                git.stdout.read(1)  # the line end after each object
                text = decode(data, path)
                if not isinstance(text, SiteError) and content_version(text) == version:
                    return text
        except BrokenPipeError:
            raise _Unavailable(msg("git stopped answering")) from None
        finally:
            git.stdin.close()
    return None


def _commits(root: Path, path: str) -> list[tuple[bytes, bytes]]:
    """(commit, the file's path in the repository then) for each commit that changed the file."""
    command = [
        "git", "-C", str(root), "log", "--follow", "--no-color", "--no-show-signature",
        "--format=%x00%H", "--name-only", "-z", "--", path,
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, env=_git_env(), check=False)
    except FileNotFoundError:
        raise _Unavailable(msg("git is not installed to look in the history")) from None
    except OSError as exc:
        raise _Unavailable(msg("git cannot be run ({reason})", reason=exc.strerror)) from None
    if done.returncode:
        said = done.stderr.decode("utf-8", "replace").strip()
        if "not a git repository" in said:
            raise _Unavailable(msg("the project is not in a git repository"))
        if "does not have any commits yet" in said:
            return []
        first = said.splitlines()[0].removeprefix("fatal: ") if said else f"exit status {done.returncode}"
        raise _Unavailable(msg("git cannot read the history ({reason})", reason=first))
    # "\0<commit>\0\n<path>\0" per commit; a commit that names no path (a merge) is passed over.
    found, commit = [], None
    for field in done.stdout.split(b"\0"):
        if field.startswith(b"\n"):
            if commit is not None:
                found.append((commit, field[1:]))
            commit = None
        elif field:
            commit = field
    return found


def _git_env() -> dict[str, str]:
    # git's messages in English, which ``_commits`` tells apart; it never asks for anything.
    return {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}


def _skip(stream, size: int) -> None:
    while size > 0:
        read = len(stream.read(min(size, _CHUNK)))
        if not read:
            return
        size -= read
