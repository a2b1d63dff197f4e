"""Read ``content/<lang>/**/*.md`` into ``SourcePage``s.

The only stage that reads content from disk. It decides which files are pages
(hidden files, editor swap and backup files are skipped), that every language
folder is configured, that each file is UTF-8 text, and parses its front matter.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from site_builder.config import SiteConfig
from site_builder.errors import SiteError, SiteErrors, raise_if_any
from site_builder.frontmatter import INDEX_FILE, Document, content_version, kind_of, parse

CONTENT_DIR = "content"
MAX_PAGE_BYTES = 8 * 1024 * 1024
_BACKUP_SUFFIXES = ("~", ".swp", ".swo", ".swx", ".tmp", ".bak", ".orig")


@dataclass(frozen=True, slots=True)
class SourcePage:
    lang: str
    rel: PurePosixPath  # path inside content/<lang>/, e.g. news/2019-09-26-mou.md
    path: str  # shown to users: content/nl/news/2019-09-26-mou.md
    kind: str  # see frontmatter.kind_of
    doc: Document
    digest: str  # sha256 of the file's bytes, for caches
    version: str  # content_version of the text, for translation tracking

    @property
    def front(self):
        return self.doc.front


def is_ignored(name: str) -> bool:
    """Hidden files, editor swap/backup files and ``_``-prefixed files other than ``_index.md``."""
    if name.startswith(".") or name.startswith("#") or name.endswith(_BACKUP_SUFFIXES):
        return True
    return name.startswith("_") and name != INDEX_FILE


@dataclass
class SourceCache:
    """Parsed pages a long-running process (the preview) keeps between loads.

    A file is read again only when its size or modification time changed (the
    preview notices saves the same way), and parsed again only when its bytes did.
    """

    pages: dict = field(default_factory=dict)  # (file, sha256 of its bytes) → SourcePage
    stamps: dict = field(default_factory=dict)  # file → (size, modification time in ns, sha256)


def load_sources(root: Path, config: SiteConfig, cache: SourceCache | None = None) -> tuple[SourcePage, ...]:
    """Every page of every language, sorted by language folder, then path inside it."""
    content = root / CONTENT_DIR
    if not content.is_dir():
        raise SiteError("no content/ folder", CONTENT_DIR, hint="create content/<language>/ folders")
    errors: list[SiteError] = []
    pages: list[SourcePage] = []
    for entry in sorted(content.iterdir(), key=lambda p: p.name):
        if is_ignored(entry.name):
            continue
        display = f"{CONTENT_DIR}/{entry.name}"
        if not entry.is_dir():
            if entry.suffix == ".md":
                errors.append(
                    SiteError(
                        "the page's language cannot be determined",
                        display,
                        hint="move it into a language folder: " + ", ".join(f"content/{c}/" for c in config.codes),
                    )
                )
            continue
        if entry.name not in config.codes:
            errors.append(
                SiteError(
                    f"'{entry.name}' is not a language of this site",
                    display,
                    hint="add it under languages: in site.yaml, or use one of: " + ", ".join(config.codes),
                )
            )
            continue
        for file, rel in _walk(entry, root, errors):
            page = _read_page(file, entry.name, rel, f"{display}/{rel}", errors, cache)
            if page is not None:
                pages.append(page)
    if cache is not None:
        kept = {page.path for page in pages}
        cache.pages = {(page.path, page.digest): page for page in pages}
        cache.stamps = {path: stamp for path, stamp in cache.stamps.items() if path in kept}
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
    by that path, refusing links that leave the project. Linked folders are not entered."""
    found: list[tuple[str, str]] = []
    project = root.resolve()

    def visit(current: Path, prefix: str) -> None:
        for entry in listing(current):
            try:
                is_dir = entry.is_dir()
                is_link = entry.is_symlink()
            except OSError:
                continue
            if (is_dir or entry.name.endswith(".md")) and is_link and not Path(entry.path).resolve().is_relative_to(project):
                errors.append(_outside(Path(entry.path), root))
            elif is_dir:
                if not is_link:
                    visit(current / entry.name, f"{prefix}{entry.name}/")
            elif entry.name.endswith(".md"):
                found.append((entry.path, prefix + entry.name))

    visit(folder, "")
    return sorted(found, key=lambda item: item[1])


def _outside(path: Path, root: Path) -> SiteError:
    return SiteError(
        "a symbolic link to a file outside the project is not allowed",
        path.relative_to(root).as_posix(),
        hint="copy the file into content/ instead",
    )


def _read_page(file: str, lang: str, rel: str, display: str, errors: list[SiteError], cache=None):
    try:
        stat = os.stat(file)
        if stat.st_size > MAX_PAGE_BYTES:
            errors.append(
                SiteError(
                    f"the file is too large ({stat.st_size // (1024 * 1024)} MiB; the limit is "
                    f"{MAX_PAGE_BYTES // (1024 * 1024)} MiB)",
                    display,
                    hint="split it into several pages",
                )
            )
            return None
        known = cache.stamps.get(display) if cache is not None else None
        if known is not None and known[:2] == (stat.st_size, stat.st_mtime_ns) and (display, known[2]) in cache.pages:
            return cache.pages[(display, known[2])]
        data = Path(file).read_bytes()
    except OSError as exc:
        errors.append(SiteError(f"cannot read the file: {exc.strerror}", display))
        return None
    digest = hashlib.sha256(data).hexdigest()
    if cache is not None:
        cache.stamps[display] = (stat.st_size, stat.st_mtime_ns, digest)
        if (display, digest) in cache.pages:
            return cache.pages[(display, digest)]
    text = decode(data, display)
    if isinstance(text, SiteError):
        errors.append(text)
        return None
    path = PurePosixPath(rel)
    kind = kind_of(path)
    try:
        doc = parse(text, display, kind)
    except SiteError as error:
        errors.append(error)
        return None
    except SiteErrors as found:
        errors.extend(found.errors)
        return None
    page = SourcePage(lang, path, display, kind, doc, digest, content_version(text))
    if cache is not None:
        cache.pages[(display, digest)] = page
    return page


def decode(data: bytes, display: str) -> str | SiteError:
    """UTF-8 (with or without BOM), line ends made ``\\n``; NUL bytes refused."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return SiteError(
            "the file is not valid UTF-8 text", display, line, "save the file as UTF-8"
        )
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return SiteError("the file contains a NUL byte", display, line, "is this a text file?")
    return text.replace("\r\n", "\n").replace("\r", "\n")
