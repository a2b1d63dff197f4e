"""An HTML page at every old address the site redirects, for hosts that read neither
``_redirects`` nor an nginx configuration (an S3 bucket's website endpoint, say).

Each page is ``<old address>/index.html``: a minimal HTML5 page in the target's language
that sends the browser on at once (``<meta http-equiv="refresh">``), names the new address
as canonical, asks search engines not to index it, and shows a link to the target for
browsers that do not follow the refresh. No script and no style, so the site's
Content-Security-Policy holds for it as for every page. Where ``_redirects`` or the nginx
configuration applies, their 301 answers first (see ``cdn``) and these pages are never
served.

Pure: the site and the paths of its other files in, files out.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from site_builder.errors import SiteError, msg
from site_builder.output.cdn import redirects
from site_builder.site.files import OutputFile
from site_builder.site.model import Page, Site, url_to_file

PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<meta name="robots" content="noindex">
<link rel="canonical" href="{canonical}">
<meta http-equiv="refresh" content="0; url={target}">
</head>
<body>
<p><a href="{target}">{title}</a></p>
</body>
</html>
"""


def redirect_pages(site: Site, others: Iterable[str]) -> tuple[OutputFile, ...]:
    """One page per redirect of ``cdn.redirects``, sorted by path. ``others``: the paths of
    the site's other files. An old address where the site has a file already, or below one
    (``/en/feed.xml/``), gets no page: that file is what a host serves there, and a folder
    cannot share a file's name."""
    taken = set(others)
    targets = _targets(site)
    files = []
    for redirect in redirects(site):
        path = url_to_file(redirect.source)
        folders = path.split("/")[:-1]
        if path in taken or any("/".join(folders[: n + 1]) in taken for n in range(len(folders))):
            continue
        page = targets[redirect.target]
        files.append(OutputFile(path, page_for(site, page, redirect.target)))
    return tuple(files)


def alias_problems(site: Site, others: Iterable[str]) -> list[SiteError]:
    """Each alias that is an address the site serves a file of its own at (``others``: the
    paths of its files): ``/``, ``/en/feed.xml``, ``/en/about/index.html``. The redirect would
    take that file's place on every host that reads ``_redirects`` or the nginx configuration
    (the site's root, its feed), or send a page to itself for ever. The addresses of pages,
    topics and search pages are checked with the site (``model.claimed_twice``)."""
    taken = set(others)
    problems = []
    for page in site.pages:
        for alias in page.front.aliases:
            served = next((path for path in (alias.strip("/"), url_to_file(alias)) if path in taken), None)
            if served is not None:
                problems.append(
                    SiteError(
                        msg(
                            "the alias {address} is where the site serves its own file {path}",
                            address=alias,
                            path=served,
                        ),
                        page.path,
                        page.front.lines.get("aliases"),
                        msg("list in aliases only old addresses that nothing on the site has now"),
                    )
                )
    return problems


def page_for(site: Site, page: Page, target: str) -> bytes:
    """The redirect page leading to ``target``, an address of ``page`` (its own, or one of
    its news list's later pages), in ``page``'s language and named by its title."""
    text = PAGE.format(
        lang=escape(page.lang),
        title=escape(page.title),
        canonical=escape(site.config.base_url + target),
        target=escape(target),
    )
    return text.encode("utf-8")


def _targets(site: Site) -> dict[str, Page]:
    """Every address a redirect may lead to → the page it shows (a news list's later pages:
    the list's page)."""
    found = {page.url: page for page in site.pages}
    for page in site.pages:
        if page.kind == "news-list":
            for pagination in site.news_pages.get(page.lang, ()):
                found[pagination.url] = page
    return found
