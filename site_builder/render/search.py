"""Site search: a Pagefind index of the built pages, one per language, in bundles that the
search page merges in the browser.

Pagefind (PyPI ``pagefind-bin``, its binary in the wheel) indexes HTML files on disk. A site
of thousands of pages takes it seconds, so the index is cut into bundles, each indexed on its
own and kept by the memo: a language's pages that are not news, and its news of each year.
An edit then indexes the one bundle its page is in again. The search page loads the first
bundle's scripts and merges the others into it (Pagefind's ``mergeIndex``).

A page is indexed when its template marks its main content with ``data-pagefind-body`` (see
base.html): drafts, pages held back until a later day, lists and the status page are not.
What Pagefind gets of a page is that content alone, in a document of the page's language
(``SearchRecord``), so that it stems the words in that language.

Pure but for ``index_bundles``, which runs Pagefind on a scratch folder of its own.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import zlib
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from site_builder.errors import SiteError, msg
from site_builder.site.files import OutputFile
from site_builder.site.model import Site, claimed_twice

SEARCH_FOLDER = "pagefind"  # in the output folder: pagefind/<language>/<bundle>/
# The search page, in each language's word: /en/search/, /nl/zoeken/ (SEARCH_SECTION otherwise).
SEARCH_SECTIONS = {"en": "search", "nl": "zoeken"}
SEARCH_SECTION = "search"
PRIMARY_BUNDLE = "pages"  # the bundle whose scripts the search page loads
# Made in the scratch folder (``scratch_folder``) and removed at once; memo.Memo's guard lets
# a step open files there.
SCRATCH_PREFIX = "site-builder-search-"
# Linux's file system in memory: each bundle's pages are written out for Pagefind, one
# folder each, and read back; on a disk file system that costs as much as indexing them.
MEMORY_FOLDER = "/dev/shm"
# What only the primary bundle needs: the scripts and the search code for the browser. The
# other bundles are data merged into it. (Pagefind's ready-made interfaces are left out: the
# search page has its own, in the site's words.)
_PRIMARY_ONLY = re.compile(r"(pagefind\.js|pagefind-worker\.js|wasm\.[a-z_-]+\.pagefind)\Z")
_DATA = re.compile(
    r"(pagefind-entry\.json|pagefind\.[\w-]+\.pf_meta|(index|fragment|filter)/[\w-]+\.pf_\w+)\Z"
)
_BODY_START = re.compile(rb"<main\b[^>]*\sdata-pagefind-body[\s>=]")
_BODY_END = b"</main>"
# Pagefind ends a sentence where a paragraph, a table cell or a list item ends, but runs the text
# of a caption, a heading cell or a term and its definition into what follows ("2019-2022LSH
# companies by segmentSegmentNumber", Pagefind/pagefind#736): in the copy it indexes, they are
# paragraphs and cells. Matched as tags only: text holds a "<" as "&lt;".
_RUN_ON = re.compile(r"<(/?)(figcaption|caption|th|dt|dd)(?=[\s/>])")
_ENDS_A_SENTENCE = {"th": "td"}  # the others: "p"
TIMEOUT_SECONDS = 600


@dataclass(frozen=True, slots=True)
class SearchRecord:
    """What Pagefind indexes of one page: its main content, in a document of its language.

    Made from the page's file alone, so the memo knows it by that file's path and digest
    (see ``memo.identity``). Its document is kept compressed, to about a third: a build
    holds, and the cache keeps, the record of every page."""

    path: str  # the page's file in the output folder: "en/news/ema/index.html"
    lang: str
    page: str  # the sha256 of the page's bytes
    packed: bytes  # the document, UTF-8, compressed with zlib


@dataclass(frozen=True, slots=True)
class Bundle:
    """Pages of one language indexed together: ``pages``, or the news of one year (``news-2019``)."""

    lang: str
    name: str
    records: tuple[SearchRecord, ...]

    @property
    def folder(self) -> str:
        return f"{SEARCH_FOLDER}/{self.lang}/{self.name}/"


def search_url(lang: str) -> str:
    """The address of ``lang``'s search page: ``/nl/zoeken/``."""
    return f"/{lang}/{SEARCH_SECTIONS.get(lang, SEARCH_SECTION)}/"


def address_problems(site: Site) -> list[SiteError]:
    """A page, or one of its ``aliases``, at a search page's address: two files would be
    written there, or a redirect would hide the search page."""
    if not site.config.search:
        return []
    searches = {search_url(code) for code in site.homes}
    return [
        claimed_twice(url, page, "(search page)", page.path)
        for page in site.pages
        for url in (page.url, *page.front.aliases)
        if url in searches
    ]


def bundle_url(lang: str, name: str) -> str:
    return f"/{SEARCH_FOLDER}/{lang}/{name}/"


# Pagefind takes about 70 ms and 2 ms a page (benchmarks/RESULTS.md#search): a year of news
# with more items than this is indexed per quarter, a quarter with more per month, so that an
# edit indexes a hundred pages or so again, not thousands. A language with no more news items
# than this has them in its first bundle: one run then costs less than one per year.
BUNDLE_PAGES = 120


def bundle_names(site) -> dict[str, str]:
    """The bundle of each page of ``site``, by its file: ``pages`` for all
    but news items; a news item's year (``news-2019``), or its quarter (``news-2019-q3``) or
    month (``news-2019-09``) where its year or quarter has more than ``BUNDLE_PAGES`` items.
    In a language of at most ``BUNDLE_PAGES`` news items, every page is in ``pages``."""
    pages = site.pages
    news: dict[str, int] = {}
    for page in pages:
        if page.kind == "news":
            news[page.lang] = news.get(page.lang, 0) + 1
    dated = [
        (page, page.front.date)
        for page in pages
        if page.kind == "news" and page.front.date is not None and news[page.lang] > BUNDLE_PAGES
    ]
    per_year: dict[tuple, int] = {}
    per_quarter: dict[tuple, int] = {}
    for page, day in dated:
        per_year[(page.lang, day.year)] = per_year.get((page.lang, day.year), 0) + 1
        quarter = (page.lang, day.year, (day.month - 1) // 3 + 1)
        per_quarter[quarter] = per_quarter.get(quarter, 0) + 1
    names = {page.output_path: PRIMARY_BUNDLE for page in pages}
    for page, day in dated:
        quarter = (day.month - 1) // 3 + 1
        if per_year[(page.lang, day.year)] <= BUNDLE_PAGES:
            names[page.output_path] = f"news-{day.year}"
        elif per_quarter[(page.lang, day.year, quarter)] <= BUNDLE_PAGES:
            names[page.output_path] = f"news-{day.year}-q{quarter}"
        else:
            names[page.output_path] = f"news-{day.year}-{day.month:02d}"
    return names


def record_each(files: Sequence[OutputFile]) -> list[SearchRecord | None]:
    """The record of each page in ``files`` (HTML files of the output folder, ``path`` starting
    with the language), or None for one its template does not mark for search."""
    return [_record(file) for file in files]


def _record(file: OutputFile) -> SearchRecord | None:
    data = file.data
    if data is None:
        raise ValueError(f"{file.path}: a page's bytes are needed for its search record")
    start = _BODY_START.search(data)
    if start is None:
        return None
    end = data.rfind(_BODY_END)
    if end < start.end():
        return None
    lang = file.path.split("/", 1)[0]
    body = data[start.start() : end + len(_BODY_END)].decode("utf-8")
    body = _RUN_ON.sub(lambda found: f"<{found[1]}{_ENDS_A_SENTENCE.get(found[2], 'p')}", body)
    html = f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"></head><body>{body}</body></html>'
    # Level 1: within a tenth of the default level's size, in about half its time.
    return SearchRecord(file.path, lang, file.digest, zlib.compress(html.encode("utf-8"), 1))


def bundles_of(records: Sequence[SearchRecord], names: Mapping[str, str]) -> tuple[Bundle, ...]:
    """``records`` in their bundles (``names``: page path → bundle name), sorted; every language
    with a record has its primary bundle first."""
    grouped: dict[tuple[str, str], list[SearchRecord]] = {}
    for record in records:
        grouped.setdefault((record.lang, names.get(record.path, PRIMARY_BUNDLE)), []).append(record)
    for lang in {lang for lang, _ in grouped}:
        grouped.setdefault((lang, PRIMARY_BUNDLE), [])
    order = sorted(grouped, key=lambda key: (key[0], key[1] != PRIMARY_BUNDLE, key[1]))
    return tuple(
        Bundle(lang, name, tuple(sorted(grouped[(lang, name)], key=lambda r: r.path))) for lang, name in order
    )


@lru_cache(maxsize=1)
def pagefind_version() -> str:
    """The version of the Pagefind binary: part of each bundle's key."""
    from importlib.metadata import version

    return version("pagefind-bin")


def index_bundles(bundles: Sequence[Bundle], version: str, jobs: int = 1) -> list[tuple[OutputFile, ...]]:
    """The files of each bundle's index, made by Pagefind ``version`` (the one installed), up to
    ``jobs`` bundles at a time. Raises ``SiteError`` if Pagefind fails."""
    if version != pagefind_version():
        raise ValueError(f"Pagefind {pagefind_version()} is installed, not {version}")
    if jobs > 1 and len(bundles) > 1:
        with ThreadPoolExecutor(min(jobs, len(bundles))) as pool:
            return list(pool.map(_index, bundles))
    return [_index(bundle) for bundle in bundles]


def _index(bundle: Bundle) -> tuple[OutputFile, ...]:
    from pagefind_bin import get_executable

    scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=scratch_folder()))
    try:
        site, out = scratch / "site", scratch / "out"
        for record in bundle.records:
            page = site / record.path
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_bytes(zlib.decompress(record.packed))
        site.mkdir(exist_ok=True)
        if not bundle.records:  # a language with news alone: its primary bundle holds the scripts
            (site / "index.html").write_text(
                f'<!doctype html><html lang="{bundle.lang}"><body></body></html>', encoding="utf-8"
            )
        command = [str(get_executable()), "--site", str(site), "--output-path", str(out), "--silent"]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                timeout=TIMEOUT_SECONDS,
                env=_environment(),
                stdin=subprocess.DEVNULL,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise _failed(bundle, str(error)) from None
        if done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise _failed(bundle, said[-1] if said else f"exit status {done.returncode}")
        return tuple(_collect(out, bundle))
    finally:
        _remove(scratch)


@lru_cache(maxsize=1)
def scratch_folder() -> str:
    """Where Pagefind's scratch folders are made: ``MEMORY_FOLDER`` where this process may
    write there, else the system's temporary folder."""
    if os.path.isdir(MEMORY_FOLDER) and os.access(MEMORY_FOLDER, os.W_OK | os.X_OK):
        return MEMORY_FOLDER
    return tempfile.gettempdir()


def _remove(folder: Path) -> None:
    # Not shutil.rmtree, which opens names relative to a folder's descriptor: memo.Memo's
    # guard, which sees only the name, could not tell they are in the scratch folder.
    for parent, folders, files in os.walk(folder, topdown=False):
        for name in files:
            os.remove(os.path.join(parent, name))
        for name in folders:
            os.rmdir(os.path.join(parent, name))
    os.rmdir(folder)


def _environment() -> dict[str, str]:
    # Pagefind reads settings from PAGEFIND_* variables and pagefind.yml in the working
    # folder: neither may change the index.
    return {name: value for name, value in os.environ.items() if not name.startswith("PAGEFIND")}


def _collect(out: Path, bundle: Bundle) -> list[OutputFile]:
    primary = bundle.name == PRIMARY_BUNDLE
    files = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        name = path.relative_to(out).as_posix()
        if _PRIMARY_ONLY.match(name):
            if not primary:
                continue
        elif not _DATA.match(name):
            continue
        data = path.read_bytes()
        if name == "pagefind-entry.json":
            data = _normalised_entry(data)
        files.append(OutputFile(bundle.folder + name, data))
    return files


def _normalised_entry(data: bytes) -> bytes:
    """Pagefind writes its entry file's languages in any order: sorted, it is the same each time."""
    entry = json.loads(data)
    return json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _failed(bundle: Bundle, reason: str) -> SiteError:
    return SiteError(
        msg("the search index of {folder} could not be made: {reason}", folder=bundle.folder, reason=reason),
        hint=msg("run the build again; if it fails again, reinstall the locked versions (see README)"),
    )
