"""The build: every stage in order, from the project folder to the files of the site.

``generate`` produces the site in memory; ``build`` also writes it. The command
line and the preview server call these two and nothing else.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from site_builder.assets import ASSETS_DIR, fingerprint, read_assets
from site_builder.check import CheckCache, Findings, find_problems, translation_problems
from site_builder.config import load_config
from site_builder import translations
from site_builder.catalogs import MAPPING_FILE, catalog_problems
from site_builder.cdn import deploy_files
from site_builder.errors import SiteError, SiteErrors, format_error, raise_if_any
from site_builder.feeds import FEED_ITEMS, render_feeds
from site_builder.load import CONTENT_DIR, SourceCache, load_sources
from site_builder.markup import render_bodies
from site_builder.model import Site, build_site
from site_builder.render import render_error_notice, render_pages, render_status_page
from site_builder import record
from site_builder.write import DEFAULT_OUTPUT
from site_builder.store import CacheDamaged, Stored, check_cache_folder, read_cache, write_cache
from site_builder.templating import (
    TEMPLATES_DIR,
    TRANSLATIONS_DIR,
    CompiledTemplates,
    compiled_catalog,
    make_environment,
)
from site_builder.write import Known, OutputFile, check_output_folder, output_lock, publish

log = logging.getLogger(__name__)

INPUT_DIRS = (CONTENT_DIR, TEMPLATES_DIR, ASSETS_DIR, TRANSLATIONS_DIR)
# Everything a build reads from the project folder.
INPUTS = ("site.yaml", MAPPING_FILE) + INPUT_DIRS


@dataclass
class BuildCache:
    """Results of pure stages that a long-running process (the preview) keeps between builds.

    Each entry is stored with a key made of all the inputs it was computed
    from, so a hit is exactly what a fresh build would compute. (Content files
    are read again when their size or modification time changed: that is how
    the preview notices a save at all.)
    """

    sources: SourceCache = field(default_factory=SourceCache)  # see load.load_sources
    bodies: dict = field(default_factory=dict)  # see markup.render_bodies
    environments: tuple[str, dict] | None = None  # (inputs key, {lang: Environment})
    ui_strings: tuple[str, list] | None = None  # (inputs key, catalogue problems)
    pages: dict = field(default_factory=dict)  # see render.render_pages
    pages_key: str | None = None  # the environments' inputs key that `pages` were rendered with
    checks: CheckCache = field(default_factory=CheckCache)  # see check.find_problems
    feeds: tuple | None = None  # (inputs key, sitemap, robots and feed files)
    published: dict = field(default_factory=dict)  # path → digest of the bytes now in the output folder
    spare_published: dict = field(default_factory=dict)  # the same, of the spare folder beside it
    # See templating.CompiledTemplates. Code that builds run, so kept in memory only, never stored
    # with the rest (see store).
    compiled_templates: dict = field(default_factory=dict)
    catalogs: dict = field(default_factory=dict)  # see templating.compiled_catalog
    dates: dict = field(default_factory=dict)  # see templating.FormattedDates
    configs: dict = field(default_factory=dict)  # see config.load_config


def _files_key(root: Path, *names: str, extra: object = None) -> str:
    """A digest of the named files and folders (names and bytes), plus ``extra``."""
    digest = hashlib.sha256(repr(extra).encode())
    for name in names:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(file.relative_to(root).as_posix().encode("utf-8", "surrogateescape") + b"\0")
            try:
                digest.update(file.read_bytes())
            except OSError:
                digest.update(b"\1")
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Generated:
    """The site in memory: its model, its files and what the checks found."""

    site: Site
    files: tuple[OutputFile, ...]
    findings: Findings


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build published, for the command line and the preview to report."""

    out: Path
    pages: dict[str, int]  # HTML pages per language
    files: int
    seconds: float
    warnings: tuple  # findings that do not stop a build
    outputs: tuple[OutputFile, ...] = ()  # what was published
    up_to_date: bool = False  # nothing changed since the last build: nothing was done
    warning_lines: tuple[str, ...] = ()  # with up_to_date, the last build's warnings as printed


def generate(
    root: Path,
    *,
    drafts: bool = False,
    base_url: str | None = None,
    preview: bool = False,
    cache: BuildCache | None = None,
    jobs: int | None = 1,
    found: Mapping[str, tuple[int, int]] | None = None,
) -> Generated:
    """Run every stage but writing. Raises ``SiteError``/``SiteErrors`` for the user's mistakes.

    ``preview`` adds what only editors see: the translation status at /_status/.
    ``cache`` lets a long-running process skip work whose inputs did not change.
    ``jobs`` is the number of processes converting Markdown and rendering pages (None: one per core).
    ``found``: the input files' sizes and times as just seen (see ``load.load_sources``).
    """
    config = load_config(root, cache.configs if cache is not None else None)
    if base_url:
        config = config.with_base_url(base_url)
    sources = load_sources(root, config, cache.sources if cache is not None else None, found)
    groups = translations.groups(sources)
    raise_if_any(translations.source_problems(config, sources, groups))
    site = build_site(config, sources, include_drafts=drafts)
    manifest, asset_files = fingerprint(read_assets(root))
    bodies = render_bodies(site, cache.bodies if cache is not None else None, manifest.urls, _jobs(jobs))
    environments = _environments(root, config, manifest, cache)
    pages = render_pages(
        site,
        bodies,
        environments,
        root,
        cache.pages if cache is not None else None,
        _jobs(jobs),
        cache.dates if cache is not None else None,
    )
    rows = translations.status(config, sources, groups)
    if preview:
        pages += (render_status_page(site, rows, environments[config.default_language], root),)
    files = pages + _feeds(site, bodies, cache) + asset_files
    files = tuple(sorted(files + deploy_files(site, files), key=lambda f: f.path))
    findings = find_problems(
        site,
        bodies,
        files,
        translation_problems(config, sources, groups, rows),
        _ui_strings(root, config, cache),
        cache.checks if cache else None,
    )
    return Generated(site, files, findings)


def _jobs(jobs: int | None) -> int:
    if jobs is not None:
        return jobs
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use
    except AttributeError:  # not on every system
        return os.cpu_count() or 1


def _environments(root: Path, config, manifest, cache: BuildCache | None) -> dict:
    """One Jinja environment per language; reused while templates, catalogues and assets are unchanged,
    so templates are not compiled again."""
    key = _files_key(root, TEMPLATES_DIR, TRANSLATIONS_DIR, extra=(config.languages, sorted(manifest.urls.items())))
    if cache is not None and cache.environments is not None and cache.environments[0] == key:
        return cache.environments[1]
    if cache is not None and cache.pages_key != key:
        cache.pages.clear()  # rendered with other templates
        cache.pages_key = key
    # Shared by the languages' environments: each template is compiled once, not once per language.
    compiled = CompiledTemplates(cache.compiled_templates if cache is not None else {})
    environments = {
        language.code: make_environment(
            root,
            language,
            compiled_catalog(root, language, cache.catalogs if cache else None),
            manifest,
            compiled,
            cache.dates if cache is not None else {},
        )
        for language in config.languages
    }
    if cache is not None:
        cache.environments = (key, environments)
    return environments


def _feeds(site: Site, bodies, cache: BuildCache | None) -> tuple[OutputFile, ...]:
    """Sitemap, robots.txt and feeds, made from the settings, every page's front matter and
    address (``site.inputs``) and the HTML of the feed items' bodies."""
    items = [page for listed in site.news.values() for page in listed[:FEED_ITEMS]]
    # A body's HTML is its file's Markdown with each link's target filled in: a page's
    # address, an asset's fingerprinted name (see markup.MarkupRenderer._rewrite). The file's
    # digest and those targets stand for the HTML, which may still be in the cache file
    # (see ``deferred``) and need not be read to know that it did not change.
    key = (site.inputs, tuple((page.source.digest, bodies[(page.lang, page.url)].body.links) for page in items))
    if cache is not None and cache.feeds is not None and cache.feeds[0] == key:
        return cache.feeds[1]
    files = render_feeds(site, bodies)
    if cache is not None:
        cache.feeds = (key, files)
    return files


def _ui_strings(root: Path, config, cache: BuildCache | None) -> list:
    key = _files_key(root, TEMPLATES_DIR, TRANSLATIONS_DIR, MAPPING_FILE, extra=config.languages)
    if cache is not None and cache.ui_strings is not None and cache.ui_strings[0] == key:
        return cache.ui_strings[1]
    problems = catalog_problems(root, config)
    if cache is not None:
        cache.ui_strings = (key, problems)
    return problems


def _stored_cache(cache_dir: Path, published: Mapping[str, str]) -> tuple[BuildCache, Stored | None]:
    """The cache the last successful build stored (or an empty one), and what was read (see ``store``).

    Rendered pages and feeds are kept as digests; only those still in the
    output folder (``published``: path → digest of what is there) are used.
    Templates are compiled from their files: the cache holds no code.
    """
    cache = BuildCache()
    found = read_cache(cache_dir)
    if found is None:
        return cache, None
    parts, stored = found
    cache.sources = SourceCache(parts["sources.pages"], parts["sources.stamps"])
    cache.bodies = parts["bodies"]
    cache.checks = CheckCache(parts["checks.unsafe_html"], parts["checks.html_links"], parts["checks.markdown_links"])
    scans = cache.checks.html_links

    def still_there(files) -> bool:
        return all(
            published.get(f.path) == f.digest
            and (not f.path.endswith(".html") or scans.get(f.path, ("",))[0] == f.digest)
            for f in files
        )

    cache.pages_key = parts["pages_key"]
    cache.pages = {key: files for key, files in parts["pages"].items() if still_there(files)}
    feeds = parts["feeds"]
    cache.feeds = feeds if feeds is not None and still_there(feeds[1]) else None
    cache.ui_strings = parts["ui_strings"]
    cache.catalogs = parts["catalogs"]
    cache.dates = parts["dates"]
    cache.configs = parts["configs"]
    return cache, stored


def _store_cache(cache_dir: Path, cache: BuildCache, stored: Stored | None) -> None:
    write_cache(
        cache_dir,
        {
            "sources.pages": cache.sources.pages,
            "sources.stamps": cache.sources.stamps,
            "bodies": cache.bodies,
            "pages_key": cache.pages_key,
            "pages": {key: _kept(files) for key, files in cache.pages.items()},
            "checks.unsafe_html": cache.checks.unsafe_html,
            "checks.html_links": cache.checks.html_links,
            "checks.markdown_links": cache.checks.markdown_links,
            "feeds": None if cache.feeds is None else (cache.feeds[0], _kept(cache.feeds[1])),
            "ui_strings": cache.ui_strings,
            "catalogs": cache.catalogs,
            "dates": cache.dates,
            "configs": cache.configs,
        },
        stored,
    )


def _kept(files: tuple[OutputFile, ...]) -> tuple[OutputFile, ...]:
    """``files`` as the cache keeps them once written: digests, not bytes (the same tuple if so already)."""
    if all(f.data is None for f in files):
        return files
    return tuple(f.kept() for f in files)


def error_notices(root: Path, errors: list[str], cache: BuildCache) -> dict[str, bytes]:
    """For the preview: why the latest build failed, per language code, rendered with the Jinja
    environments last made (the latest templates and catalogues that could be read)."""
    if cache.environments is None:
        return {}
    return {code: render_error_notice(env, errors, root) for code, env in cache.environments[1].items()}


def publish_preview(files: tuple[OutputFile, ...], out: Path, cache: BuildCache) -> None:
    """Publish to the preview's private folder, which this process alone writes: what each of
    its two folders holds is known from memory."""
    spare = Known(cache.spare_published, frozenset(cache.spare_published)) if cache.spare_published else None
    publish(files, out, output=Known(cache.published), spare=spare)
    cache.spare_published, cache.published = cache.published, {file.path: file.digest for file in files}


def build(
    root: Path,
    out: Path | None = None,
    *,
    drafts: bool = False,
    base_url: str | None = None,
    strict: bool = False,
    preview: bool = False,
    cache: BuildCache | None = None,
    jobs: int | None = 1,
    cache_dir: Path | None = None,
) -> BuildReport:
    """Generate the site and publish it to ``out`` (default ``build/``); nothing is written on failure.

    ``cache`` (the preview's) keeps results in memory between builds.
    ``cache_dir`` keeps a ``BuildCache`` on disk between builds (see ``store``),
    with a record of what the build read and wrote (see ``record``), both
    written again after each successful build. When the record shows that
    neither the inputs nor the output folder changed, nothing is done at all
    (``BuildReport.up_to_date``).
    """
    started = time.perf_counter()
    out = (out if out is not None else root / DEFAULT_OUTPUT).absolute()
    check_output_folder(out, root, INPUT_DIRS + ("site.yaml",))
    persistent = cache is None and cache_dir is not None
    if persistent:
        check_cache_folder(cache_dir, out, root, INPUT_DIRS + ("site.yaml",))
    with output_lock(out):
        observed, stored, stored_state = None, None, None
        if persistent:
            options = record.build_options(root, out, cache_dir, drafts=drafts, base_url=base_url, strict=strict)
            observed = record.observe(root, out, cache_dir, options)
            if observed.unchanged(root):
                return _up_to_date(out, observed.last, started)
            stored, stored_state = _stored_cache(cache_dir, observed.published or {})
        # Found before anything is read, so that a save during the build is seen by the next one.
        inputs = record.find_inputs(root, INPUTS) if persistent else None
        memo = cache if cache is not None else stored
        found = inputs.stats if inputs is not None else None
        run = partial(generate, root, drafts=drafts, base_url=base_url, preview=preview, jobs=jobs, found=found)
        try:
            generated = run(cache=memo)
        except CacheDamaged:
            if stored is None or memo is not stored:
                raise
            # A text in the cache file was changed since it was written (see ``store``):
            # nothing of the file is used, and it is written anew.
            stored, stored_state = BuildCache(), None
            generated = run(cache=stored)
        policy = generated.site.config.missing_translation
        blocking = generated.findings.blocking(policy, strict)
        if blocking:
            raise SiteErrors(blocking)
        kept: dict = {}
        if cache is not None:
            publish_preview(generated.files, out, cache)
        elif observed is not None:
            spare, kept = record.spare_state(out, observed.last)
            publish(generated.files, out, output=observed.known_output(), spare=spare)
        else:
            publish(generated.files, out)
        html = Counter(
            f.path.split("/", 1)[0] for f in generated.files if f.path.endswith(".html") and "/" in f.path
        )
        report = BuildReport(
            out=out,
            pages={code: html.get(code, 0) for code in generated.site.config.codes},
            files=len(generated.files),
            seconds=0.0,
            warnings=generated.findings.warnings(policy, strict),
            outputs=generated.files,
        )
        if persistent:
            _store_cache(cache_dir, stored, stored_state)
            _store_record(root, out, cache_dir, (options, inputs), report, observed, kept)
    report = dataclasses.replace(report, seconds=time.perf_counter() - started)
    log.info("built %s: %s in %.2f s", out, record.pages_summary(report.pages, report.files), report.seconds)
    return report


def _up_to_date(out: Path, last: record.Record, started: float) -> BuildReport:
    pages, files, warnings = last.summary
    seconds = time.perf_counter() - started
    log.info("%s is up to date: %s; checked in %.2f s", out, record.pages_summary(pages, files), seconds)
    return BuildReport(out, dict(pages), files, seconds, (), up_to_date=True, warning_lines=tuple(warnings))


def _store_record(
    root: Path, out: Path, cache_dir: Path, read: tuple, report: BuildReport, observed, kept: dict
) -> None:
    """Record what this build read and wrote, for the next build to compare with (see ``record``).

    ``read`` is the build's options and inputs. The output folder now holds what the spare
    folder was made into, where the files of ``kept`` (path → row) were left untouched; the
    spare folder holds what the output folder held when the build began (``observed``).
    """
    options, inputs = read
    output = record.listing(out, {file.path: file.digest for file in report.outputs}, kept)
    summary = (report.pages, report.files, tuple(format_error(w) for w in report.warnings))
    new = record.Record(options, inputs, inputs.racy(root), output, observed.spare_rows(), summary)
    try:
        record.write_record(cache_dir, new)
    except OSError as error:
        raise SiteError(
            f"cannot write the build record to {cache_dir}: {error.strerror}",
            hint="choose another folder with --cache-dir, or build with --no-cache",
        ) from None
