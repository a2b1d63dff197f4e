"""How the site is served: cache policy, security headers, redirects.

One policy, written in two forms: ``_headers`` and ``_redirects`` in the
Netlify / Cloudflare Pages format (published with the site), and an nginx
server block (printed by ``site-builder nginx-config``) for an origin server.
Pure: the site and its output files in, text out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from site_builder.output.publish import MARK_FILE
from site_builder.render.assets import ASSETS_URL
from site_builder.site.files import OutputFile
from site_builder.site.model import Site, url_to_file

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=300, must-revalidate"

# Every page's scripts and styles come from the site's own files: no inline
# scripts or styles, no third parties. (A Markdown table's column alignment is a
# class, render/table_classes.py; charts use SVG presentation attributes and
# classes; tests/test_csp_browser.py checks every built page and, in Chromium, the
# violations the policy reports.)
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'; upgrade-insecure-requests"
)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("Strict-Transport-Security", "max-age=63072000; includeSubDomains"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    (
        "Permissions-Policy",
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    ),
    ("X-Frame-Options", "DENY"),
)

ATOM_TYPE = "application/atom+xml; charset=utf-8"
# The root redirect's choice of language, run by nginx's njs module (see the script for why).
ACCEPT_LANGUAGE_SCRIPT = Path(__file__).resolve().with_name("accept_language.js")
NJS_PACKAGE = "libnginx-mod-http-js"  # Debian's njs module; installing it loads it too
NJS_MODULE = "modules/ngx_http_js_module.so"  # for load_module where no package loads it


@dataclass(frozen=True, slots=True)
class Redirect:
    """One line of ``_redirects``: a path, where it leads and the HTTP status."""

    source: str
    target: str
    status: int


def redirects(site: Site) -> tuple[Redirect, ...]:
    """Old addresses (pages' ``aliases``, news list pages' ``Pagination.aliases``) → the
    page's address, sorted by old address."""
    found = [Redirect(alias, page.url, 301) for page in site.pages for alias in page.front.aliases]
    found += [
        Redirect(alias, pagination.url, 301)
        for listing in site.news_pages.values()
        for pagination in listing
        for alias in pagination.aliases
    ]
    return tuple(sorted(found, key=lambda r: r.source))


def _url_of(path: str) -> str:
    if path == "index.html":
        return "/"
    if path.endswith("/index.html"):
        return "/" + path[: -len("index.html")]
    return "/" + path


def content_security_policy(embed_hosts: Iterable[str] = ()) -> str:
    """The CSP, with ``frame-src`` for exactly the hosts whose https pages the content may
    embed (``embed_hosts`` in site.yaml). Without any, frames fall under ``default-src 'self'``
    as before; with some, 'self' is not added: no page of the site may be framed anyway
    (``frame-ancestors 'none'``)."""
    hosts = sorted(set(embed_hosts))
    if not hosts:
        return CONTENT_SECURITY_POLICY
    return f"{CONTENT_SECURITY_POLICY}; frame-src " + " ".join(f"https://{host}" for host in hosts)


def security_headers(embed_hosts: Iterable[str] = ()) -> tuple[tuple[str, str], ...]:
    """``SECURITY_HEADERS`` with the CSP for ``embed_hosts``."""
    csp = content_security_policy(embed_hosts)
    return tuple(
        (name, csp if name == "Content-Security-Policy" else value) for name, value in SECURITY_HEADERS
    )


def headers_file(files: Iterable[OutputFile], embed_hosts: Iterable[str] = ()) -> OutputFile:
    """``_headers``: security headers everywhere, then one cache rule per kind of file.

    Netlify and Cloudflare join the values of a header set by two matching
    rules, so no address gets Cache-Control from more than one rule: assets by
    their folder, every other file by its own address.
    """
    lines = ["/*"] + [f"  {name}: {value}" for name, value in security_headers(embed_hosts)] + [""]
    lines += [f"{ASSETS_URL}*", f"  Cache-Control: {IMMUTABLE}", ""]
    for file in sorted(files, key=lambda f: f.path):
        if file.path.startswith(ASSETS_URL.strip("/") + "/") or file.path.startswith("_"):
            continue
        lines += [_url_of(file.path), f"  Cache-Control: {REVALIDATE}"]
        if file.path.endswith("/feed.xml"):
            lines.append(f"  Content-Type: {ATOM_TYPE}")
        if file.path == "index.html":
            lines.append("  Vary: Accept-Language")
        lines.append("")
    return OutputFile("_headers", "\n".join(lines).encode("utf-8"))


def redirects_file(site: Site, paths: Iterable[str] = ()) -> OutputFile:
    """``_redirects``: the root by browser language, old addresses, per-language 404 pages.

    ``paths``: the site's files. Netlify serves a file at an address rather than a rule's
    redirect unless the rule is forced (``301!``); an old address with a redirect page
    (``redirect_pages``, for hosts without ``_redirects``) is forced, so that the 301 answers
    there as before. Cloudflare Pages follows a rule whatever the files. (``/index.html`` is
    the language chooser, never a redirect page.)
    """
    files = set(paths) - {"index.html"}
    lines = [
        f"{r.source} {r.target} {r.status}{'!' if url_to_file(r.source) in files else ''}"
        for r in redirects(site)
    ]
    for code in site.config.codes:
        if code in site.homes:
            lines.append(f"/ /{code}/ 302 Language={code}")
    for code in site.config.codes:
        lines.append(f"/{code}/* /{code}/404.html 404")
    return OutputFile("_redirects", ("\n".join(lines) + "\n").encode("utf-8"))


def deploy_files(site: Site, files: Iterable[OutputFile]) -> tuple[OutputFile, ...]:
    files = tuple(files)
    return (headers_file(files, site.config.embed_hosts), redirects_file(site, (f.path for f in files)))


def nginx_config(site: Site, root: str, listen: str = "127.0.0.1:8080") -> str:
    """An nginx ``server`` block serving ``root`` (the build folder) with the same policy.

    Include it in nginx's ``http`` block (e.g. as ``conf.d/site.conf``). Its root redirect
    runs ``ACCEPT_LANGUAGE_SCRIPT`` in nginx's njs module, which must be loaded.
    """
    security = [
        f'add_header {name} "{value}" always;' for name, value in security_headers(site.config.embed_hosts)
    ]

    def block(head: str, *body: str, cache: str | None = REVALIDATE) -> list[str]:
        inner = list(security)
        if cache:
            inner.append(f'add_header Cache-Control "{cache}" always;')
        inner += list(body)
        return [f"    {head} {{"] + [f"        {line}" for line in inner] + ["    }", ""]

    # The languages the root may redirect to, the default first: the script's fallback.
    languages = sorted(
        (code for code in site.config.codes if code in site.homes),
        key=lambda code: code != site.config.default_language,
    )
    out = [
        "# Generated by site-builder nginx-config: serves the built site with its cache,",
        "# security and redirect policy (the same as _headers and _redirects).",
        "# The root redirect weighs Accept-Language in nginx's njs module: on Debian install",
        f"# {NJS_PACKAGE} (which loads it), elsewhere put `load_module {NJS_MODULE};`",
        "# at the top of nginx.conf.",
        "server {",
        f"    listen {listen};",
        "    server_name _;",
        f'    root "{root}";',
        "    index index.html;",
        "    charset utf-8;",
        "    charset_types text/css text/plain text/xml application/javascript application/atom+xml image/svg+xml;",
        "    server_tokens off;",
        "    absolute_redirect off;",
        "    error_page 404 /404.html;",
        f'    js_import site_language from "{ACCEPT_LANGUAGE_SCRIPT}";',
        "    js_set $site_language_home site_language.home;",
        "",
    ]
    out += block(
        "location = /",
        "add_header Vary Accept-Language always;",
        f'set $site_languages "{" ".join(languages)}";',
        "if ($site_language_home) { return 302 $site_language_home; }",
        "try_files /index.html =404;",
    )
    out += block(f"location {ASSETS_URL}", "try_files $uri =404;", cache=IMMUTABLE)
    out += block(f"location = /{MARK_FILE}", "return 404;", cache=None)  # the build's mark, not the site's
    for redirect in redirects(site):
        out += block(
            f"location = {redirect.source}", f"return {redirect.status} {redirect.target};", cache=None
        )
    for code in site.config.codes:
        out += block(f"location = /{code}/feed.xml", 'types { } default_type "application/atom+xml";')
        out += block(f"location /{code}/", f"error_page 404 /{code}/404.html;", "try_files $uri $uri/ =404;")
    out += block("location /", "try_files $uri $uri/ =404;")
    out[-1:] = ["}", ""]
    return "\n".join(out)
