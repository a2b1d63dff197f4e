"""Pages → HTML files, through the language's Jinja environment.

Pure apart from the templates the environments read: each page's context is
built from the ``Site`` and the rendered Markdown, and the result is a tuple
of ``OutputFile``s in a stable order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from itertools import islice
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
from markupsafe import Markup, escape

from site_builder.errors import SiteError, format_error, msg, raise_if_any
from site_builder.render.markup import RenderedPage
from site_builder.render.minify import minified_files
from site_builder.render.search import SEARCH_FOLDER, search_url
from site_builder.render.seo import description, locale_alternates, structured_data
from site_builder.render.templating import template_error
from site_builder.render.workers import can_fork, in_workers
from site_builder.site.files import OutputFile
from site_builder.site.model import LanguageLink, Page, Pagination, Site, url_to_file
from site_builder.site.topics import index_url, topic_links, topics_of

LANGUAGE_CHOICE_TEMPLATE = "language_choice.html"
NOT_FOUND_TEMPLATE = "404.html"
NOT_FOUND_FILE = "404.html"  # at the root and in each language's folder
# Below this, starting the workers costs about as much as they save (measured on 2 cores
# with benchmarks/generate_site.py: even at about 150 pages, a fifth faster at 256).
IN_WORKERS_FROM = 256


def render_each(
    items: Sequence[tuple[Page, RenderedPage]],
    site: Site,
    environments: Mapping[str, jinja2.Environment],
    root: Path,
    minify: bool = False,
    jobs: int = 1,
    dates: MutableMapping | None = None,
) -> list[tuple[tuple[OutputFile, ...], SiteError | None]]:
    """Each page's files (with its converted Markdown), or the user's mistake that stopped it.

    Templates see other pages only through ``site``: their front matter and addresses
    (menus, lists, neighbours, translations).

    With ``jobs`` > 1, where workers can be copies of this process (see
    ``workers.can_fork``), ``IN_WORKERS_FROM`` pages or more are rendered in
    that many processes. ``dates`` is the dictionary the environments keep
    formatted dates in (see ``templating.make_environment``): dates that workers
    format are added to it, as if they had been formatted here. With ``minify``, the
    HTML is minified (see ``minify``), in the workers too.
    """
    job = (items, environments, site, root, minify)
    if jobs > 1 and len(items) >= IN_WORKERS_FROM and can_fork():
        _load_templates(environments)
        results = []
        for files, error, formatted in in_workers(
            range(len(items)), jobs, _render_chunk, _start_worker, (job, dates), fork=True
        ):
            results.append((files, error))
            if dates is not None:
                dates.update(formatted)
        return results
    return [_page_result(job, index) for index in range(len(items))]


def collect(
    results: Sequence[tuple[tuple[OutputFile, ...], SiteError | None]],
    site_pages: tuple[tuple[OutputFile, ...], tuple[SiteError, ...]],
) -> tuple[OutputFile, ...]:
    """The pages' files (``render_each``'s results) with ``render_site_pages``', sorted by
    path; raises the mistakes found in any, each once."""
    errors: dict[tuple, SiteError] = {}
    outputs: list[OutputFile] = []
    for files, error in results:
        if error is not None:
            errors.setdefault((error.path, error.line, error.message), error)
        outputs.extend(files)
    files, mistakes = site_pages
    outputs.extend(files)
    for error in mistakes:
        errors.setdefault((error.path, error.line, error.message), error)
    raise_if_any(list(errors.values()))
    return tuple(sorted(outputs, key=lambda f: f.path))


def render_site_pages(
    site: Site, environments: Mapping[str, jinja2.Environment], root: Path, minify: bool = False
) -> tuple[tuple[OutputFile, ...], tuple[SiteError, ...]]:
    """The 404 page of each language and of the root, and the root's language chooser
    (minified with ``minify``), with the mistakes found in their templates: the pages no
    source file stands for, made again only when the site or the templates change."""
    outputs: list[OutputFile] = []
    errors: list[SiteError] = []

    def attempt(template: str, render: Callable[..., OutputFile], *args: object) -> None:
        try:
            outputs.extend(minified_files((render(*args),), minify))
        except Exception as exc:
            error = _as_site_error(exc, root, None, template)
            if error is None:
                raise
            errors.append(error)

    for code in site.config.codes:
        attempt(NOT_FOUND_TEMPLATE, _not_found, site, environments[code], code)
    default = site.config.default_language
    attempt(NOT_FOUND_TEMPLATE, _not_found, site, environments[default], default, True)
    attempt(LANGUAGE_CHOICE_TEMPLATE, _language_choice, site, environments[default])
    return tuple(outputs), tuple(errors)


def rendered(result: tuple[tuple[OutputFile, ...], SiteError | None]) -> bool:
    """Whether ``render_each`` rendered the page (a mistake is not kept: it is reported again)."""
    return result[1] is None


def _load_templates(environments: Mapping[str, jinja2.Environment]) -> None:
    """Every template loaded (compiled, or taken from the compiled ones) once, here, so that
    workers that are copies of this process share them instead of each compiling its own;
    a template with a mistake is reported where a page uses it."""
    for env in environments.values():
        for name in env.list_templates(filter_func=lambda name: name.endswith(".html")):
            try:
                env.get_template(name)
            except (jinja2.TemplateError, SiteError):
                pass


_Job = tuple  # (items, environments, site, root, minify): what rendering any page of one build needs


def _page_result(job: _Job, index: int) -> tuple[tuple[OutputFile, ...], SiteError | None]:
    """The files of the page ``items[index]``, or the user's mistake that stopped it (as a value,
    so that it travels back from a worker like a result)."""
    items, environments, site, root, minify = job
    page, body = items[index]
    try:
        return minified_files(_render_page(site, page, body, environments[page.lang]), minify), None
    except Exception as exc:
        error = _as_site_error(exc, root, page, page.template)
        if error is None:
            raise
        return (), error


# A worker process's build and its copy of the formatted dates, set once by _start_worker in
# a copy of the building process: the worker exists only to run _render_chunk, and nothing
# else in it reads or changes this.
_worker: tuple[_Job, MutableMapping | None] | None = None


def _start_worker(job: _Job, dates: MutableMapping | None) -> None:
    global _worker
    _worker = (job, dates)


def _render_chunk(indexes: tuple[int, ...]) -> tuple:
    """Each page's result, with the dates formatted for it: they would otherwise end with
    the worker, and the next build, rendering a page or two, would format them again
    (loading Babel's data for the locale, which takes longer than the page)."""
    assert _worker is not None
    job, dates = _worker
    results = []
    for index in indexes:
        known = len(dates) if dates is not None else 0
        files, error = _page_result(job, index)
        # Dictionaries keep their order: what this page added is last, read from the end.
        added = len(dates) - known if dates is not None else 0
        formatted = tuple(islice(reversed(dates.items()), added))[::-1] if added else ()
        results.append((files, error, formatted))
    return tuple(results)


def _as_site_error(exc: Exception, root: Path, page: Page | None, template: str | None) -> SiteError | None:
    if isinstance(exc, SiteError):
        return exc
    if isinstance(exc, jinja2.TemplateNotFound) and exc.name == template:
        if page is not None and page.front.template:
            return SiteError(
                msg("template '{name}' does not exist", name=template),
                page.path,
                page.front.lines.get("template"),
                msg("name a file in templates/, such as page.html"),
            )
        return SiteError(
            msg("template '{name}' does not exist", name=template),
            f"templates/{template}",
            hint=msg("add the template"),
        )
    return template_error(exc, root)


def _base_context(site: Site, code: str) -> dict[str, Any]:
    language = site.config.language(code)

    def page_at(rel: str) -> Page | None:
        return site.page_named(code, str(PurePosixPath(rel)))  # "./a//b.md" is "a/b.md"

    return {
        "site": site,
        "config": site.config,
        "lang": language,
        "languages": site.config.languages,
        "home": site.homes.get(code),
        "menu": site.menus.get(code, ()),
        "page_at": page_at,
        "absolute": lambda url: site.config.base_url + url,
        # Asked for by the templates that show it (a scan of the language's news items).
        "topics_index_url": lambda: index_url(site, code),
        "search_url": search_url(code) if site.config.search else None,
        "searchable": False,  # whether the search indexes the page (see render.search)
        "description": language.description,  # the page's, for search results and link previews
    }


def _render_page(site: Site, page: Page, rendered: RenderedPage, env: jinja2.Environment) -> list[OutputFile]:
    newer, older = site.news_neighbours(page)
    site_description = site.config.language(page.lang).description
    said = description(page, rendered.body.html, site_description)
    context = _base_context(site, page.lang) | {
        "page": page,
        "description": said,
        # The same with a suffix, such as a list page's number, within the length of one. The
        # suffix is counted as the reader sees it: joined to a UI string, it is escaped HTML.
        "description_with": lambda suffix: description(
            page, rendered.body.html, site_description, escape(suffix).unescape()
        ),
        "content": Markup(rendered.body.html),
        "swot_text": lambda quadrant, index: Markup(rendered.swot[(quadrant, index)].html),
        "alternates": site.alternates(page),
        "language_links": site.language_links(page),
        "breadcrumbs": site.breadcrumbs(page),
        "children": site.children(page),
        "newer": newer,
        "older": older,
        "pagination": None,
        "og_type": "article" if page.kind == "news" else "website",
        "locale_alternates": locale_alternates(site, page),
        "structured_data": lambda logo_url: structured_data(site, page, logo_url, said),
        "topics": topic_links(site.config, page),
        # Drafts and pages held back are never indexed; news lists repeat their items' summaries.
        "searchable": site.config.search and not (page.front.draft or page.ahead or page.kind == "news-list"),
    }
    template = env.get_template(page.template)
    paginations: tuple[Pagination, ...] = (
        site.news_pages.get(page.lang, ()) if page.kind == "news-list" else ()
    )
    if not paginations:
        return [
            _file(page.output_path, _whole_page(page, template.render(context | {"canonical": page.url})))
        ]
    return [
        _file(
            url_to_file(p.url),
            _whole_page(
                page,
                template.render(
                    context
                    | {
                        "pagination": p,
                        "canonical": p.url,
                        "alternates": site.alternates(page, p.number),
                        "language_links": site.language_links(page, p.number),
                    }
                ),
            ),
        )
        for p in paginations
    ]


def _whole_page(page: Page, html: str) -> str:
    """``html``, if it is a page: a page that names a template of pieces (macros.html, say)
    was published empty."""
    if "<html" not in html:
        raise SiteError(
            msg("the template {name} made no page: it holds pieces of pages, not a page", name=page.template),
            page.path,
            page.front.lines.get("template"),
            msg("name a template that extends base.html, such as page.html"),
        )
    return html


TOPIC_TEMPLATE = "topic_list.html"
TOPICS_INDEX_TEMPLATE = "topics_index.html"


def render_topics(
    site: Site, environments: Mapping[str, jinja2.Environment], root: Path, minify: bool = False
) -> tuple[OutputFile, ...]:
    """Each language's index of topics and every page of each topic (see ``site.topics``),
    minified with ``minify``, sorted by path; raises the mistakes found in any."""
    found = topics_of(site)
    outputs: list[OutputFile] = []
    errors: dict[tuple, SiteError] = {}
    for code, index in sorted(found.indexes.items()):
        context = _base_context(site, code) | {
            "page": None,
            "og_type": "website",
            "structured_data": lambda logo_url: (),
            "topic_index": index,
        }
        renders = [(TOPICS_INDEX_TEMPLATE, index, 1, index.url, context)]
        for topic in index.topics:
            renders += [
                (TOPIC_TEMPLATE, topic, p.number, p.url, context | {"topic": topic, "pagination": p})
                for p in topic.paginations
            ]
        for template, shown, number, url, values in renders:
            versions = found.versions(shown)
            try:
                html = (
                    environments[code]
                    .get_template(template)
                    .render(
                        values
                        | {
                            "canonical": url,
                            "alternates": found.alternates(shown, number),
                            "language_links": found.language_links(shown, number),
                            "locale_alternates": tuple(
                                site.config.language(other).locale_id
                                for other in sorted(versions)
                                if other != code
                            ),
                        }
                    )
                )
            except Exception as exc:
                error = _as_site_error(exc, root, None, template)
                if error is None:
                    raise
                errors.setdefault((error.path, error.line, error.message), error)
                continue
            outputs.extend(minified_files((_file(url_to_file(url), html),), minify))
    raise_if_any(list(errors.values()))
    return tuple(sorted(outputs, key=lambda f: f.path))


SEARCH_TEMPLATE = "search.html"


def render_search_pages(
    site: Site,
    environments: Mapping[str, jinja2.Environment],
    root: Path,
    bundles: Mapping[str, tuple[str, ...]],
    minify: bool = False,
) -> tuple[OutputFile, ...]:
    """Each language's search page, which merges the index ``bundles`` of its language (their
    addresses, the primary first; none: the search page says that search is not available, as
    in the preview)."""
    outputs = []
    for code in sorted(site.homes):
        url = search_url(code)
        others = [other for other in sorted(site.homes) if other != code]
        context = _base_context(site, code) | {
            "page": None,
            "og_type": "website",
            "structured_data": lambda logo_url: (),
            "canonical": url,
            "alternates": tuple((other, search_url(other)) for other in sorted(site.homes))
            + (("x-default", search_url(site.config.default_language)),),
            "language_links": tuple(
                LanguageLink(site.config.language(other), search_url(other), True) for other in others
            ),
            "locale_alternates": tuple(site.config.language(other).locale_id for other in others),
            "bundles": bundles.get(code, ()),
            "search_folder": SEARCH_FOLDER,
        }
        try:
            html = environments[code].get_template(SEARCH_TEMPLATE).render(context)
        except Exception as exc:
            error = _as_site_error(exc, root, None, SEARCH_TEMPLATE)
            if error is None:
                raise
            raise error from None
        outputs.extend(minified_files((_file(url_to_file(url), html),), minify))
    return tuple(outputs)


def _not_found(site: Site, env: jinja2.Environment, code: str, at_root: bool = False) -> OutputFile:
    # A language's 404 page switches to the other languages' home pages (their 404 pages
    # would only say again that nothing is here), or to the root language chooser.
    homes = {other: home.url for other, home in site.homes.items()}
    language_links = (
        ()
        if at_root
        else tuple(
            LanguageLink(language, homes.get(language.code, "/"), True)
            for language in site.config.languages
            if language.code != code
        )
    )
    context = _base_context(site, code) | {"page": None, "is_root": at_root, "language_links": language_links}
    path = NOT_FOUND_FILE if at_root else f"{code}/{NOT_FOUND_FILE}"
    return _file(path, env.get_template(NOT_FOUND_TEMPLATE).render(context))


def _language_choice(site: Site, env: jinja2.Environment) -> OutputFile:
    homes = [(site.config.language(code), page) for code, page in sorted(site.homes.items())]
    context = _base_context(site, site.config.default_language) | {"page": None, "homes": homes, "menu": ()}
    return _file("index.html", env.get_template(LANGUAGE_CHOICE_TEMPLATE).render(context))


STATUS_TEMPLATE = "translation_status.html"
STATUS_PATH = "_status/index.html"


def render_status_page(
    site: Site, rows, environment: jinja2.Environment, root: Path, changes: Mapping | None = None
) -> OutputFile:
    """The translation status for editors (preview only): what is missing, stale or orphaned.

    ``changes``: per stale translation's path, the ``translation_diff.Hunk``s of its source
    since it was translated, or why they cannot be shown (see ``translated.stale_changes``)."""

    def url_of(path: str) -> str | None:
        _content, lang, rel = path.split("/", 2)
        page = site.page_for_source(lang, rel)
        return page.url if page is not None else None

    context = _base_context(site, site.config.default_language) | {
        "page": None,
        "rows": rows,
        "url_of": url_of,
        "changes": changes or {},
    }
    try:
        return _file(STATUS_PATH, environment.get_template(STATUS_TEMPLATE).render(context))
    except Exception as exc:
        error = _as_site_error(exc, root, None, STATUS_TEMPLATE)
        if error is None:
            raise
        raise error from None


ERROR_NOTICE_TEMPLATE = "preview_error.html"
ERROR_HEADING = "The last save could not be built; this is the last good version. Fix this, and save again:"
_BODY_TAG = re.compile(rb"<body[^>]*>")
_HTML_LANG = re.compile(rb"<html[^>]*\slang=\"([^\"]+)\"")


def render_error_notice(environment: jinja2.Environment, errors: list[str], root: Path) -> bytes:
    """Why the latest save did not build, in the environment's language (``preview_error.html``).

    Where that template itself cannot be rendered, a plain notice in English
    that names its fault too.
    """
    try:
        return environment.get_template(ERROR_NOTICE_TEMPLATE).render(errors=errors).encode("utf-8")
    except Exception as exc:
        error = _as_site_error(exc, root, None, ERROR_NOTICE_TEMPLATE)
        if error is None:
            raise
        return _plain_error_notice([*errors, format_error(error)])


def _plain_error_notice(errors: list[str]) -> bytes:
    items = "".join(f"<li><code>{escape(line)}</code></li>" for line in errors)
    return (
        '<div class="preview-error" role="alert" style="position:sticky;top:0;z-index:1000;'
        "background:#fff3f3;color:#600;border-bottom:3px solid #d40000;padding:.75rem 1rem;"
        'font:15px/1.4 system-ui,sans-serif">'
        f'<strong>{escape(ERROR_HEADING)}</strong><ul style="margin:.25rem 0 0;padding-left:1.25rem">{items}</ul></div>'
    ).encode()


def with_error_notice(
    files: tuple[OutputFile, ...], errors: list[str], notices: Mapping[str, bytes]
) -> tuple[OutputFile, ...]:
    """The last good preview, every page showing at its top why the latest save did not build.

    ``notices`` holds the notice per language code (see ``render_error_notice``);
    each page gets the one in its ``<html lang>``, else the plain English one.
    Preview only: the notice has inline styles, which the published site's CSP forbids.
    """
    plain = None
    result = []
    for file in files:
        if file.path.endswith(".html"):
            match = _BODY_TAG.search(file.data)
            if match:
                lang = _HTML_LANG.search(file.data, 0, match.start())
                notice = notices.get(lang.group(1).decode("ascii", "replace")) if lang else None
                if notice is None:
                    plain = notice = plain or _plain_error_notice(errors)
                file = OutputFile(file.path, file.data[: match.end()] + notice + file.data[match.end() :])
        result.append(file)
    return tuple(result)


def _file(path: str, html: str) -> OutputFile:
    return OutputFile(path, html.encode("utf-8"))
