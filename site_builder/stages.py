"""The stages of a build in order, in memory: from the project folder to the files of the site.

``generate`` runs them and returns the site's files and what the checks found;
``pipeline.build`` publishes them. ``BuildCache`` holds what a stage may reuse
from the build before, under keys made of its inputs.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.checks.catalogs import MAPPING_FILE, catalog_problems
from site_builder.checks.findings import CheckCache, Findings, find_problems, translation_problems
from site_builder.config import load_config
from site_builder.content.load import SourceCache, load_sources
from site_builder.errors import raise_if_any
from site_builder.incremental.store import Stored, read_cache, write_cache
from site_builder.output.cdn import deploy_files
from site_builder.render.assets import fingerprint, read_assets
from site_builder.render.feeds import FEED_ITEMS, render_feeds
from site_builder.render.markup import render_bodies
from site_builder.render.pages import render_error_notice, render_pages, render_status_page
from site_builder.render.templating import (
    TEMPLATES_DIR,
    TRANSLATIONS_DIR,
    CompiledTemplates,
    compiled_catalog,
    make_environment,
)
from site_builder.site import translations
from site_builder.site.files import OutputFile
from site_builder.site.model import Site, build_site


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


def generate(
    root: Path,
    *,
    drafts: bool = False,
    base_url: str | None = None,
    preview: bool = False,
    cache: BuildCache | None = None,
    jobs: int | None = 1,
    found: Mapping[str, tuple[int, int, int, int]] | None = None,
) -> Generated:
    """Run every stage but writing. Raises ``SiteError``/``SiteErrors`` for the user's mistakes.

    ``preview`` adds what only editors see: the translation status at /_status/.
    ``cache`` lets a long-running process skip work whose inputs did not change.
    ``jobs`` is the number of processes converting Markdown and rendering pages (None: one per core).
    ``found``: the input files' stamps as just seen (see ``load.load_sources``).
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
    key = _files_key(
        root, TEMPLATES_DIR, TRANSLATIONS_DIR, extra=(config.languages, sorted(manifest.urls.items()))
    )
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
    key = (
        site.inputs,
        tuple((page.source.digest, bodies[(page.lang, page.url)].body.links) for page in items),
    )
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


def stored_cache(cache_dir: Path, published: Mapping[str, str]) -> tuple[BuildCache, Stored | None]:
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
    cache.checks = CheckCache(
        parts["checks.unsafe_html"], parts["checks.html_links"], parts["checks.markdown_links"]
    )
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


def store_cache(cache_dir: Path, cache: BuildCache, stored: Stored | None) -> None:
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
