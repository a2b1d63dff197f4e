"""The stages of a build in order, in memory: from the project folder to the files of the site.

``generate`` runs them and returns the site's files and what the checks found;
``pipeline.build`` publishes them. Each step whose result the next build may reuse
runs through the build's ``Memo`` (see ``incremental.memo``), which derives its key
from the inputs the step is given; the stages themselves keep nothing.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from site_builder.checks import findings as checks
from site_builder.checks import wellformed
from site_builder.checks.catalogs import MAPPING_FILE, catalog_problems
from site_builder.config import load_config
from site_builder.content import load
from site_builder.content.translated import stale_changes
from site_builder.errors import Catalogue, SiteError, format_error, raise_if_any
from site_builder.incremental.derived import DERIVED_DIR, DerivedFiles
from site_builder.incremental.memo import Files, Memo
from site_builder.incremental.record import build_clock
from site_builder.incremental.store import Stored, read_cache, write_cache
from site_builder.output.cdn import deploy_files
from site_builder.output.redirect_pages import alias_problems, redirect_pages
from site_builder.project import CONFIG_FILE
from site_builder.render import cards, images, markup, pages, search
from site_builder.render.assets import AssetManifest, fingerprint, photos_as_named, read_assets
from site_builder.render.feeds import FEED_ITEMS, render_feeds
from site_builder.render.templating import (
    TEMPLATES_DIR,
    TRANSLATIONS_DIR,
    CompiledTemplates,
    compiled_catalogs,
    make_environments,
)
from site_builder.render.workers import in_workers
from site_builder.site import topics, translations
from site_builder.site.files import OutputFile
from site_builder.site.model import Site, build_site

# Kept in the memory of the process only, never stored: Jinja environments and compiled
# templates are code that builds run, and the cache on disk may come from elsewhere.
IN_MEMORY = ("environments", "compiled templates")
# Steps whose results are files, kept as their digests once published.
KEPT_AS_DIGESTS = ("feeds", "topic pages", "search index", "search pages", "social cards")
# Steps whose results are (files, mistakes), the files kept as their digests once published.
PAGES_KEPT_AS_DIGESTS = ("pages", "site pages")
# What a formatted date is, by (locale, form, date): see templating.FormattedDates. Not a
# step: the templates fill it as they format dates.
DATES = "dates"


@dataclass(frozen=True, slots=True)
class Generated:
    """The site in memory: its model, its files and what the checks found."""

    site: Site
    files: tuple[OutputFile, ...]
    findings: checks.Findings


def generate(
    root: Path,
    *,
    drafts: bool = False,
    base_url: str | None = None,
    preview: bool = False,
    memo: Memo | None = None,
    jobs: int | None = 1,
    found: Mapping[str, tuple[int, int, int, int]] | None = None,
    changed_since_ns: int | None = None,
    now: float | None = None,
    future: bool = False,
    minify: bool = False,
) -> Generated:
    """Run every stage but writing. Raises ``SiteError``/``SiteErrors`` for the user's mistakes.

    ``preview`` adds what only editors see: the translation status at /_status/.
    ``memo`` holds the results of the builds before (none: a cold build).
    ``jobs`` is the number of processes converting Markdown and rendering pages (None: one per core).
    ``found``: the input files' stamps as just seen; ``changed_since_ns``: a file changed
    since then is read whatever its stamp (see ``load.content_files``).
    ``now``: the build's moment (seconds since 1970; None: ``record.build_clock``), which
    decides in the site's time zone which scheduled pages are due; ``future`` shows those
    that are not yet, as the preview does. ``minify``: the HTML, CSS and JavaScript
    minified (see ``render.minify``); the checks read the minified pages, as published.
    """
    memo = memo if memo is not None else Memo()
    workers = _jobs(jobs)
    seen: dict[str, str] = {}  # the digests of the project's files and folders, made once per build
    raise_if_any(load.irregular_inputs(root))
    config = memo.one("config", load_config, root, reads=Files(root, (CONFIG_FILE,), seen))
    if base_url:
        config = config.with_base_url(base_url)
    files, errors = load.content_files(root, config, found, changed_since_ns)
    texts = memo.each("texts", load.read_sources, files, keep=_read)
    fronts = memo.each(
        "front matter", load.parse_fronts, [text.front for text in texts if _read(text)], keep=_read
    )
    sources = load.source_pages(texts, fronts, errors)
    assets = read_assets(root)
    sources = photos_as_named(sources, assets)  # before any stage reads a page's photo
    groups = translations.groups(sources)
    raise_if_any(translations.source_problems(config, sources, groups))
    today = config.today(now if now is not None else build_clock())
    site = build_site(config, sources, include_drafts=drafts, today=today, future=future or preview)
    raise_if_any(topics.topic_problems(site, sources) + search.address_problems(site))
    raise_if_any(images.photo_problems(sources, assets))
    manifest, asset_files = fingerprint(assets, minify)
    heroes = images.page_photos(site.pages)
    manifest, image_files = responsive_images(root, memo, assets, manifest, workers, heroes)
    converted = memo.each(
        "bodies",
        markup.convert_sources,
        sources_of(site),
        markup.Addresses.of(site),
        manifest.urls,
        {manifest.urls[name]: image for name, image in manifest.images.items()},
        jobs=workers,
    )
    bodies = markup.bodies_by_address(site, converted)
    catalogs = memo.one(
        "catalogs", compiled_catalogs, config.languages, root, reads=Files(root, (TRANSLATIONS_DIR,), seen)
    )
    templates = Files(root, (TEMPLATES_DIR,), seen)
    environments = memo.one(
        "environments",
        make_environments,
        root,
        config.languages,
        catalogs,
        manifest,
        reads=templates,
        compiled=CompiledTemplates(memo.tables.setdefault("compiled templates", {})),
        dates=memo.tables.setdefault(DATES, {}),
    )
    items = [(page, bodies[(page.lang, page.url)]) for page in site.pages]
    results = memo.each(
        "pages",
        pages.render_each,
        items,
        site,
        environments,
        root,
        minify,
        # Jinja reads a template the first time a page uses it (the environments' key holds them too).
        reads=templates,
        keep=pages.rendered,
        jobs=workers,
        dates=memo.tables[DATES],
    )
    site_pages = memo.one(
        "site pages", pages.render_site_pages, site, environments, root, minify, reads=templates
    )
    site_files = pages.collect(results, site_pages)
    site_files += social_cards(root, memo, site, assets, manifest, workers)
    site_files += memo.one(
        "topic pages", pages.render_topics, site, environments, root, minify, reads=templates
    )
    if config.search:
        made = (environments, templates, minify)
        site_files += site_search(memo, site, site_files, made, root, workers, index=not preview)
    rows = translations.status(config, sources, groups)
    if preview:
        # Read from .translated/ and git's history for the stale pages alone, never kept: the
        # text found for a version is that version's, and the page is made again at each build.
        changes = stale_changes(root, sources, groups, rows)
        environment = environments[config.default_language]
        site_files += (pages.render_status_page(site, rows, environment, root, changes),)
    feed_bodies = {key: bodies[key] for key in _feed_items(site)}
    site_files += memo.one("feeds", render_feeds, site, feed_bodies) + asset_files + image_files
    # Before deploy_files, whose _headers then gives the redirect pages the HTML pages' caching.
    others = tuple(sorted([f.path for f in site_files] + ["_headers", "_redirects"]))
    raise_if_any(alias_problems(site, others))
    site_files += memo.one("redirect pages", redirect_pages, site, others)
    site_files = tuple(sorted(site_files + deploy_files(site, site_files), key=lambda f: f.path))
    ui_strings = memo.one(
        "ui strings",
        catalog_problems,
        root,
        config,
        reads=Files(root, (TEMPLATES_DIR, TRANSLATIONS_DIR, MAPPING_FILE), seen),
    )
    translated = (config, sources, groups, rows)
    findings = _check(memo, site, bodies, items, site_files, ui_strings, translated, today)
    return Generated(site, site_files, findings)


def _check(memo: Memo, site: Site, bodies, items, files, ui_strings, translated, today) -> checks.Findings:
    # Not a finding: a feed or sitemap that readers cannot parse is never published, whatever the options.
    # The preview builds after every save, and the sitemap and feeds, megabytes on a large
    # site, mostly hold the bytes of the build before: those are not parsed again.
    xml = memo.each("well-formed xml", wellformed.xml_problems, wellformed.xml_files(site, files))
    raise_if_any([problem for problems in xml for problem in problems])
    html = [file for file in files if file.path.endswith(".html")]
    unsafe = memo.each("unsafe html", checks.unsafe_html_each, items, checks.content_policy(site))
    characters = memo.each("html characters", wellformed.html_problems, html)
    if any(characters):
        # A character the content names (&#1;) is refused there, at the editor's line: that
        # error, not the published page's, says what to mend.
        refused = [problem for problems in unsafe for problem in problems]
        raise_if_any(refused or [problem for problems in characters for problem in problems])
    scans = dict(
        zip((file.path for file in html), memo.each("html scans", checks.scan_files, html), strict=True)
    )
    names = checks.FileNames.of(files)
    targets = memo.each("fragment files", checks.fragment_files, items, site)
    links = memo.each(
        "markdown links", checks.check_links, checks.with_scans(items, targets, scans), site, names
    )
    translation = checks.translation_problems(*translated)
    figures = checks.figure_problems(*translated[:3])
    return checks.findings(site, bodies, names, scans, links, unsafe, translation, ui_strings, figures, today)


def site_search(
    memo: Memo,
    site: Site,
    files: tuple[OutputFile, ...],
    made: tuple,
    root: Path,
    jobs: int,
    index: bool = True,
) -> tuple[OutputFile, ...]:
    """The search pages and, with ``index`` (not in the preview, whose saves do not wait for
    it), the index they search: each page of ``files`` its template marks for search, in its
    language's bundles (see ``render.search``). ``made``: the Jinja environments, the
    templates they read and whether pages are minified."""
    environments, templates, minify = made
    bundles: tuple[search.Bundle, ...] = ()
    indexed: list[tuple[OutputFile, ...]] = []
    if index:
        html = [file for file in files if file.path.endswith(".html")]
        records = [found for found in memo.each("search records", search.record_each, html) if found]
        names = memo.one("search bundles", search.bundle_names, site)
        bundles = search.bundles_of(records, names)
        indexed = memo.each(
            "search index", search.index_bundles, bundles, search.pagefind_version(), jobs=jobs
        )
    urls: dict[str, tuple[str, ...]] = {}
    for bundle in bundles:
        urls[bundle.lang] = urls.get(bundle.lang, ()) + (search.bundle_url(bundle.lang, bundle.name),)
    search_pages = memo.one(
        "search pages",
        pages.render_search_pages,
        site,
        environments,
        root,
        urls,
        minify,
        reads=templates,
    )
    return search_pages + tuple(file for made in indexed for file in made)


def social_cards(
    root: Path, memo: Memo, site: Site, assets: Mapping[str, bytes], manifest: AssetManifest, jobs: int = 1
) -> tuple[OutputFile, ...]:
    """Each page's social card (see ``render.cards``): drawn once, in ``jobs`` processes,
    then kept in ``.site-images/`` beside the photos' copies."""
    digests = {name: image.digest for name, image in manifest.images.items()}
    font = manifest.urls.get(cards.CARD_FONT, "")
    wanted = memo.one("card list", cards.cards_of, site, font, digests)
    # The photos the cards show, as files: a step's key names each by its digest alone.
    shown = sorted({page.front.image for page in site.pages if page.front.image in digests})
    drawn = memo.each(
        "social cards",
        cards.draw_each,
        wanted,
        assets.get(cards.CARD_FONT),
        tuple(OutputFile(name, assets[name]) for name in shown),
        store=DerivedFiles(root / DERIVED_DIR),
        jobs=jobs,
    )
    return tuple(file for made in drawn for file in made)


def responsive_images(
    root: Path,
    memo: Memo,
    assets: Mapping[str, bytes],
    manifest: AssetManifest,
    jobs: int,
    heroes: Sequence[tuple[str, tuple[float, float]]] = (),
) -> tuple[AssetManifest, tuple[OutputFile, ...]]:
    """The photos in ``assets`` with their copies (see ``render.images``): ``manifest`` with
    each photo's copies, and those of the crop of each photo of ``heroes`` around its focal
    point (pages' own photos, see ``images.page_photos``), and the copies' files. Copies made
    before are taken from ``.site-images/`` (see ``incremental.derived``); the others are
    made, in ``jobs`` processes, and kept there."""
    photos = [OutputFile(name, data) for name, data in assets.items() if images.is_raster(name)]
    if not photos:
        return manifest, ()
    probed = memo.each("image sizes", images.probe_each, photos, keep=images.readable)
    raise_if_any([found for found in probed if isinstance(found, SiteError)])
    store = DerivedFiles(root / DERIVED_DIR)
    infos = {info.name: info for info in probed}
    wanted = [derivative for info in probed for derivative in images.plan(info)]
    wanted += [derivative for name, focal in heroes for derivative in images.hero_plan(infos[name], focal)]
    made = {derivative: store.get(derivative.key) for derivative in wanted}
    missing = [(derivative, assets[derivative.name]) for derivative, data in made.items() if data is None]
    if jobs > 1 and len(missing) > 1:
        encoded = in_workers(missing, jobs, images.encode_each, images.no_setup, ())
    else:
        encoded = list(images.encode_each(missing))
    for (derivative, _), data in zip(missing, encoded, strict=True):
        store.put(derivative.key, images.SUFFIXES[derivative.format], data)
        made[derivative] = data
    files = {derivative: OutputFile(derivative.path(data), data) for derivative, data in made.items()}
    published = {derivative: file.path for derivative, file in files.items()}
    sets = {info.name: images.image_set(info, published) for info in probed}
    crops = {
        images.hero_name(name, focal): images.hero_set(infos[name], focal, published)
        for name, focal in heroes
    }
    # Two crops of a plain photo may be the same bytes, and so the same file.
    unique = {file.path: file for file in files.values()}
    return (
        dataclasses.replace(manifest, images=sets, heroes=crops),
        tuple(sorted(unique.values(), key=lambda f: f.path)),
    )


def sources_of(site: Site) -> list:
    return [page.source for page in site.pages]


def _read(result: object) -> bool:
    """Whether a step of ``load`` read its item (else it returned what is wrong with it)."""
    return not isinstance(result, tuple)


def _feed_items(site: Site) -> list[tuple[str, str]]:
    """The pages whose HTML the feeds carry, by (language, URL): the news feeds' and the topics'."""
    listed = list(site.news.values()) + [topic.items for topic in topics.topics_of(site).pages()]
    return sorted({(page.lang, page.url) for items in listed for page in items[:FEED_ITEMS]})


def _jobs(jobs: int | None) -> int:
    if jobs is not None:
        return jobs
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use
    except AttributeError:  # not on every system
        return os.cpu_count() or 1


def stored_memo(
    cache_dir: Path, published: Mapping[str, str], key: bytes | None = None
) -> tuple[Memo, Stored | None]:
    """The memo the last successful build stored (or an empty one), and what was read (see
    ``store``; ``key``: see ``signing``).

    Rendered pages and feeds are kept as digests; only those still in the output folder
    (``published``: path → digest of what is there) are used.
    """
    found = read_cache(cache_dir, key)
    if found is None:
        return Memo(), None
    tables, stored = found
    scanned = tables.get("html scans", {})
    scanned_paths = {key[1][1]: key[1][2] for key in scanned}  # (shared, ("OutputFile", path, digest))
    # A page's search record is made from its bytes, which a page kept as digests no longer has.
    recorded = {key[1][1]: key[1][2] for key in tables.get("search records", {})}

    def still_there(files) -> bool:
        return all(
            published.get(f.path) == f.digest
            and (not f.path.endswith(".html") or scanned_paths.get(f.path) == f.digest)
            for f in files
        )

    kept = dict(tables)

    def searchable(files) -> bool:
        return not recorded or all(
            recorded.get(f.path) == f.digest for f in files if f.path.endswith(".html")
        )

    for step in PAGES_KEPT_AS_DIGESTS:
        kept[step] = {
            key: result
            for key, result in tables.get(step, {}).items()
            if still_there(result[0]) and searchable(result[0])
        }
    for step in KEPT_AS_DIGESTS:
        kept[step] = {key: files for key, files in tables.get(step, {}).items() if still_there(files)}
    return Memo(kept), stored


def store_memo(cache_dir: Path, memo: Memo, stored: Stored | None, key: bytes | None = None) -> None:
    tables = {step: table for step, table in memo.tables.items() if step not in IN_MEMORY}
    # A result already kept as digests is the same object as the one read: the cache file
    # then appends only what changed (see ``store.write_cache``).
    for step in PAGES_KEPT_AS_DIGESTS:
        tables[step] = {key: _kept_result(result) for key, result in tables.get(step, {}).items()}
    for step in KEPT_AS_DIGESTS:
        tables[step] = {key: _kept(files) for key, files in tables.get(step, {}).items()}
    write_cache(cache_dir, tables, stored, key)


def _kept_result(result: tuple) -> tuple:
    files, mistakes = result
    kept = _kept(files)
    return result if kept is files else (kept, mistakes)


def _kept(files: tuple[OutputFile, ...]) -> tuple[OutputFile, ...]:
    """``files`` as the cache keeps them once written: digests, not bytes nor where the bytes
    were copied from (the same tuple if so already)."""
    if all(f.data is None and not f.origin for f in files):
        return files
    return tuple(f.kept() for f in files)


def error_notices(
    root: Path, errors: tuple[SiteError, ...], memo: Memo | None, catalogues: Mapping[str, Catalogue]
) -> dict[str, bytes]:
    """For the preview: why the latest build failed, per language code, rendered with the Jinja
    environments last made (the latest templates and catalogues that could be read), the
    errors worded in that language where ``catalogues`` has it (see ``messages``), else English."""
    made = list(memo.tables.get("environments", {}).values()) if memo is not None else []
    if not made:
        return {}
    return {
        code: pages.render_error_notice(env, [format_error(e, catalogues.get(code)) for e in errors], root)
        for code, env in made[-1].items()
    }
