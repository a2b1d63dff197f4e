"""How the site is served: cache policy, security headers, redirects.

One policy, written in two forms: ``_headers`` and ``_redirects`` in the
Netlify / Cloudflare Pages format (published with the site), and an nginx
server block (printed by ``site-builder nginx-config``) for an origin server.
``site-builder deploy`` (``output.deploy``) takes each object's headers from the same
rules, and the CDN in front of an object store the security headers
(``cloudfront_headers_policy``).
Pure: the site and its output files in, text out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from site_builder.errors import SiteError, msg
from site_builder.output.publish import MARK_FILE
from site_builder.render.assets import ASSETS_URL
from site_builder.render.search import SEARCH_FOLDER, search_url
from site_builder.site.files import OutputFile
from site_builder.site.model import Site, url_to_file
from site_builder.site.topics import topics_of

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=300, must-revalidate"
ASSETS_FOLDER = ASSETS_URL.strip("/") + "/"  # fingerprinted assets' paths in the output folder


SEARCH_FOLDER_PATH = SEARCH_FOLDER + "/"


def is_fingerprinted(path: str) -> bool:
    """Whether the file at ``path`` (in the output folder) carries its content's hash in its name.

    The search index's files (``pagefind/``) are not counted: its scripts are named by what
    they are, and with one rule for its whole folder, ``_headers`` stays as it was when an
    edit renames the index's files."""
    return path.startswith(ASSETS_FOLDER)


def cache_control(path: str) -> str:
    """The Cache-Control of the file at ``path``: every form of the policy (``_headers``, the
    nginx block, the object store's metadata on deploy) takes it from here."""
    return IMMUTABLE if is_fingerprinted(path) else REVALIDATE


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


# The search page runs Pagefind's WebAssembly (in a worker, whose policy is that of the
# worker's script, or on the page): there, and on the files of the index alone, script-src
# allows compiling it. It still allows no script but the site's own.
_SCRIPT_SRC = "script-src 'self';"
SEARCH_SCRIPT_SRC = "script-src 'self' 'wasm-unsafe-eval';"
assert CONTENT_SECURITY_POLICY.count(_SCRIPT_SRC) == 1


def content_security_policy(embed_hosts: Iterable[str] = (), search: bool = False) -> str:
    """The CSP, with ``frame-src`` for exactly the hosts whose https pages the content may
    embed (``embed_hosts`` in site.yaml). Without any, frames fall under ``default-src 'self'``
    as before; with some, 'self' is not added: no page of the site may be framed anyway
    (``frame-ancestors 'none'``). ``search``: the search page's and its index's policy."""
    policy = (
        CONTENT_SECURITY_POLICY.replace(_SCRIPT_SRC, SEARCH_SCRIPT_SRC) if search else CONTENT_SECURITY_POLICY
    )
    hosts = sorted(set(embed_hosts))
    if not hosts:
        return policy
    return f"{policy}; frame-src " + " ".join(f"https://{host}" for host in hosts)


def security_headers(embed_hosts: Iterable[str] = (), search: bool = False) -> tuple[tuple[str, str], ...]:
    """``SECURITY_HEADERS`` with the CSP for ``embed_hosts`` (and ``search``, see
    ``content_security_policy``)."""
    csp = content_security_policy(embed_hosts, search)
    return tuple(
        (name, csp if name == "Content-Security-Policy" else value) for name, value in SECURITY_HEADERS
    )


def search_paths(site: Site) -> frozenset[str]:
    """The files of the search pages, which get the search policy (as the index does)."""
    if not site.config.search:
        return frozenset()
    return frozenset(url_to_file(search_url(code)) for code in site.homes)


def runs_search(path: str, search_pages: frozenset[str]) -> bool:
    """Whether the file at ``path`` gets the search policy: a search page or the index's."""
    return path in search_pages or path.startswith(SEARCH_FOLDER_PATH)


def headers_file(
    files: Iterable[OutputFile], embed_hosts: Iterable[str] = (), search_pages: frozenset[str] = frozenset()
) -> OutputFile:
    """``_headers``: security headers everywhere, then one cache rule per kind of file.

    Netlify and Cloudflare join the values of a header set by two matching
    rules, so no address gets Cache-Control from more than one rule: assets by
    their folder, every other file by its own address. The CSP is one of two (see
    ``content_security_policy``), so it too is set by those rules, never for every address;
    the policy of the site's pages then stands in ``/*`` as well while the site has no
    search, as it did before (``search_pages``: the search pages' files).
    """
    searching = bool(search_pages) or any(f.path.startswith(SEARCH_FOLDER_PATH) for f in files)
    everywhere = [
        (name, value)
        for name, value in security_headers(embed_hosts)
        if not (searching and name == "Content-Security-Policy")
    ]
    strict = f"  Content-Security-Policy: {content_security_policy(embed_hosts)}"
    loose = f"  Content-Security-Policy: {content_security_policy(embed_hosts, search=True)}"
    lines = ["/*"] + [f"  {name}: {value}" for name, value in everywhere] + [""]
    lines += [f"{ASSETS_URL}*", f"  Cache-Control: {cache_control(ASSETS_FOLDER)}"]
    lines += [strict, ""] if searching else [""]
    if any(f.path.startswith(SEARCH_FOLDER_PATH) for f in files):
        lines += [
            f"/{SEARCH_FOLDER_PATH}*",
            f"  Cache-Control: {cache_control(SEARCH_FOLDER_PATH)}",
            loose,
            "",
        ]
    for file in sorted(files, key=lambda f: f.path):
        if file.path.startswith((ASSETS_FOLDER, SEARCH_FOLDER_PATH, "_")):
            continue
        lines += [_url_of(file.path), f"  Cache-Control: {cache_control(file.path)}"]
        if searching:
            lines.append(loose if runs_search(file.path, search_pages) else strict)
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
    return (
        headers_file(files, site.config.embed_hosts, search_paths(site)),
        redirects_file(site, (f.path for f in files)),
    )


def nginx_config(site: Site, root: str, listen: str = "127.0.0.1:8080") -> str:
    """An nginx ``server`` block serving ``root`` (the build folder) with the same policy.

    Include it in nginx's ``http`` block (e.g. as ``conf.d/site.conf``). Its root redirect
    runs ``ACCEPT_LANGUAGE_SCRIPT`` in nginx's njs module, which must be loaded.
    """
    # In nginx's quoted string a quote or backslash would end or change it, and $ name a variable.
    odd = next((c for c in root if c in '"\\$' or not c.isprintable()), None)
    if odd is not None:
        raise SiteError(
            msg(
                "the folder {folder} has a character nginx would read otherwise: {char}",
                folder=root,
                char=repr(odd),
            ),
            hint=msg("serve a folder whose path has no quote, backslash, $ or control character"),
        )
    security = [
        f'add_header {name} "{value}" always;' for name, value in security_headers(site.config.embed_hosts)
    ]
    searching = [
        f'add_header {name} "{value}" always;'
        for name, value in security_headers(site.config.embed_hosts, search=True)
    ]

    def block(head: str, *body: str, cache: str | None = REVALIDATE, search: bool = False) -> list[str]:
        inner = list(searching if search else security)
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
    out += block(f"location {ASSETS_URL}", "try_files $uri =404;", cache=cache_control(ASSETS_FOLDER))
    out += block(f"location = /{MARK_FILE}", "return 404;", cache=None)  # the build's mark, not the site's
    for redirect in redirects(site):
        out += block(
            f"location = {redirect.source}", f"return {redirect.status} {redirect.target};", cache=None
        )
    topic_feeds = [topic.feed_path for topic in topics_of(site).pages()]
    for feed in [f"{code}/feed.xml" for code in site.config.codes] + topic_feeds:
        out += block(f"location = /{feed}", 'types { } default_type "application/atom+xml";')
    # The search pages and the index, with the search policy (nginx takes a location's headers
    # from the location that serves the file, so a search page's address and its file both).
    for path in sorted(search_paths(site)):
        for address in (_url_of(path), "/" + path):
            out += block(f"location = {address}", f"try_files /{path} =404;", search=True)
    if site.config.search:
        out += block(f"location /{SEARCH_FOLDER_PATH}", "try_files $uri =404;", search=True)
    for code in site.config.codes:
        out += block(f"location /{code}/", f"error_page 404 /{code}/404.html;", "try_files $uri $uri/ =404;")
    out += block("location /", "try_files $uri $uri/ =404;")
    out[-1:] = ["}", ""]
    return "\n".join(out)


# The media types of the files a build writes, fixed here rather than read from the machine's
# /etc/mime.types, so that every machine deploys the same headers. Text is UTF-8 throughout.
_MEDIA_TYPES = {
    ".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".mjs": "text/javascript",
    ".txt": "text/plain", ".csv": "text/csv", ".xml": "application/xml", ".json": "application/json",
    ".webmanifest": "application/manifest+json", ".svg": "image/svg+xml", ".png": "image/png",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
    ".avif": "image/avif", ".ico": "image/vnd.microsoft.icon", ".woff": "font/woff",
    ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf", ".pdf": "application/pdf",
    ".mp4": "video/mp4", ".webm": "video/webm", ".zip": "application/zip",
}  # fmt: skip
_TEXT_TYPES = ("application/xml", "application/json", "application/manifest+json", "image/svg+xml")
FEED_FILE = "feed.xml"


def content_type(path: str) -> str:
    """The Content-Type of the file at ``path``, with ``charset=utf-8`` for text (the same
    types nginx's ``charset_types`` above names)."""
    if path.rsplit("/", 1)[-1] == FEED_FILE:
        return ATOM_TYPE
    media = _MEDIA_TYPES.get(PurePosixPath(path).suffix.lower(), "application/octet-stream")
    return f"{media}; charset=utf-8" if media.startswith("text/") or media in _TEXT_TYPES else media


def read_redirects(text: str) -> tuple[Redirect, ...]:
    """The permanent redirects (301) of a ``_redirects`` file that ``redirects_file`` wrote."""
    found = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2].rstrip("!") == "301":
            found.append(Redirect(parts[0], parts[1], 301))
    return tuple(found)


def cloudfront_headers_policy(name: str, embed_hosts: Iterable[str] = (), search: bool = False) -> dict:
    """``SECURITY_HEADERS`` as a CloudFront response headers policy (the
    ``ResponseHeadersPolicyConfig`` of ``aws cloudfront create-response-headers-policy``): an
    object store ignores ``_headers``, so the CDN in front of it adds them. Each header goes
    where CloudFront has a field for it, the others as custom headers; every one overrides
    whatever the origin sends."""
    headers = dict(security_headers(embed_hosts, search))
    directives = (part.strip().partition("=") for part in headers.pop("Strict-Transport-Security").split(";"))
    hsts = {directive.lower(): value for directive, _, value in directives}
    security = {
        "ContentSecurityPolicy": {
            "Override": True,
            "ContentSecurityPolicy": headers.pop("Content-Security-Policy"),
        },
        "StrictTransportSecurity": {
            "Override": True,
            "AccessControlMaxAgeSec": int(hsts["max-age"]),
            "IncludeSubdomains": "includesubdomains" in hsts,
            "Preload": "preload" in hsts,
        },
        "ReferrerPolicy": {"Override": True, "ReferrerPolicy": headers.pop("Referrer-Policy")},
        "FrameOptions": {"Override": True, "FrameOption": headers.pop("X-Frame-Options")},
    }
    if headers.pop("X-Content-Type-Options") == "nosniff":
        security["ContentTypeOptions"] = {"Override": True}
    custom = [{"Header": header, "Value": value, "Override": True} for header, value in headers.items()]
    return {
        "Name": name,
        "Comment": "Security headers of site-builder's _headers",
        "SecurityHeadersConfig": security,
        "CustomHeadersConfig": {"Quantity": len(custom), "Items": custom},
    }
