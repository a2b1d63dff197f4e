"""The site keeps its own Content-Security-Policy: no inline styles in any built page, and
Chromium, served the build by a real nginx with the headers of ``site-builder nginx-config``,
reports no violation of the policy on any page, in either language.

The test site is this repository's site (news, the key figures with their charts, the SWOT,
the programme, both languages) with a table of every column alignment added to the page
about the programme. Violations are collected two ways: the ``securitypolicyviolation``
events of every document (a listener Chromium adds before any of the page's own code, kept
in the tab's ``sessionStorage`` so that a page that moves on, like the language chooser,
still tells), and the console's errors.
"""

from __future__ import annotations

import http.client
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from conftest import REPO, run_process
from test_nginx import NGINX, NJS, nginx_serving

from site_builder.output.cdn import CONTENT_SECURITY_POLICY, content_security_policy
from site_builder.render.markup import markdown_extensions

ALIGNED_TABLE = """

| column | left | centre | right |
| --- | :-- | :-: | --: |
| one | a | b | 1,000 |
| two | c | d | 20 |
"""


class _InlineStyles(HTMLParser):
    """Every ``style`` attribute and ``<style>`` element of a document, by line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        if tag == "style":
            self.found.append(f"line {line}: a <style> element")
        for name, value in attrs:
            if name == "style":
                self.found.append(f"line {line}: <{tag} style={value!r}>")

    handle_startendtag = handle_starttag


def inline_styles(html: str) -> list[str]:
    finder = _InlineStyles()
    finder.feed(html)
    finder.close()
    return finder.found


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The test site, built: the repository's own, with the aligned table in both languages."""
    root = tmp_path_factory.mktemp("csp") / "site"
    for name in ("content", "templates", "assets", "translations"):
        shutil.copytree(REPO / name, root / name)
    for name in ("site.yaml", "babel.cfg"):
        shutil.copy2(REPO / name, root / name)
    for lang in ("en", "nl"):
        about = root / "content" / lang / "about.md"
        about.write_text(about.read_text("utf-8") + ALIGNED_TABLE, "utf-8")
    built = run_process("-C", root, "build")
    assert built.returncode == 0, built.stderr
    build = root / "build"
    # What the checks below rely on finding in the build (minified, as published).
    pages = {path.relative_to(build).as_posix(): path.read_text("utf-8") for path in build.rglob("*.html")}
    chart = re.compile(r'<svg [^>]*class="?chart')
    assert any(chart.search(html) for path, html in pages.items() if path.startswith("en/"))
    assert any(chart.search(html) for path, html in pages.items() if path.startswith("nl/"))
    assert sum(">1,000<" in html for html in pages.values()) == 2  # the aligned table, in each language
    assert any(path.startswith("en/news/") for path in pages) and any(
        path.startswith("nl/nieuws/") for path in pages
    )
    return root


def test_table_alignment_is_a_class_not_a_style():
    md = markdown.Markdown(extensions=markdown_extensions(), output_format="html")
    html = md.convert(ALIGNED_TABLE)
    assert inline_styles(html) == []
    assert '<th class="align-left">left</th>' in html
    assert '<th class="align-center">centre</th>' in html
    assert '<td class="align-right">1,000</td>' in html
    assert "<th>column</th>" in html and "<td>one</td>" in html  # no alignment given: no class


def test_no_built_page_has_an_inline_style(project):
    build = project / "build"
    found = [
        f"{path.relative_to(build)} {problem}"
        for path in sorted(build.rglob("*.html"))
        for problem in inline_styles(path.read_text("utf-8"))
    ]
    assert found == [], "inline styles, which the site's CSP blocks:\n" + "\n".join(found)


def test_the_stylesheet_aligns_the_table_columns(project):
    [css] = (project / "build" / "assets").glob("site.*.css")
    text = css.read_text("utf-8")
    for alignment in ("left", "center", "right"):
        assert f"td.align-{alignment}" in text and f"th.align-{alignment}" in text, alignment


def test_the_inline_style_check_finds_them():
    html = '<p style="color: red">x</p><svg><rect style="fill: red"/><style>p{}</style></svg>'
    assert inline_styles(html) == [
        "line 1: <p style='color: red'>",
        "line 1: <rect style='fill: red'>",
        "line 1: a <style> element",
    ]


def test_style_src_allows_no_inline_styles():
    directives = {
        part.split()[0]: part.split()[1:] for part in CONTENT_SECURITY_POLICY.split(";") if part.strip()
    }
    assert directives["style-src"] == ["'self'"]
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY


# --- In Chromium, behind nginx --------------------------------------------------------------

needs_nginx = pytest.mark.skipif(
    NGINX is None or NJS is None,
    reason="nginx or its njs module is not installed (Debian: nginx, libnginx-mod-http-js; .ci/run has them)",
)

# Kept per tab, so that what a page records survives its moving on to another page.
LISTENER = """
document.addEventListener('securitypolicyviolation', function (e) {
  var seen = JSON.parse(sessionStorage.getItem('csp-violations') || '[]');
  seen.push({page: location.pathname, directive: e.violatedDirective, blocked: e.blockedURI,
             source: e.sourceFile, line: e.lineNumber, sample: e.sample});
  sessionStorage.setItem('csp-violations', JSON.stringify(seen));
}, true);
"""
# Resolves once the events queued while the page loaded have been dispatched.
SETTLED = """
var done = arguments[arguments.length - 1];
requestAnimationFrame(function () { setTimeout(function () {
  var seen = JSON.parse(sessionStorage.getItem('csp-violations') || '[]');
  sessionStorage.removeItem('csp-violations');
  done(seen);
}, 0); });
"""
MISSING = "no-such-page/"
CANARY = "csp-canary.html"


@pytest.fixture(scope="module")
def origin(project, tmp_path_factory):
    """``http://127.0.0.1:PORT``: the test site behind nginx with its generated configuration."""
    build = project / "build"
    # A page with an inline style, to show that the collection below sees a violation.
    (build / CANARY).write_text(
        '<!doctype html><html lang="en"><title>canary</title><link rel="icon" href="data:,">'
        '<p style="color: red">inline</p></html>'
    )
    with nginx_serving(project, tmp_path_factory.mktemp("csp-nginx")) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def watched(browser):
    """The shared browser, recording every document's CSP violations, and preferring German:
    the language chooser then stays (its script sends a browser on by its preferred language)
    and the root redirect sends it to the default language. Both are undone after the test."""
    added = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": LISTENER})
    browser.execute_cdp_cmd("Emulation.setUserAgentOverride", {"userAgent": "", "acceptLanguage": "de"})
    browser.get_log("browser")  # what earlier tests left
    yield browser
    browser.execute_cdp_cmd("Emulation.setUserAgentOverride", {"userAgent": ""})  # "": the browser's own
    browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": added["identifier"]})


def visit(browser, url: str) -> tuple[list[dict], list[str]]:
    """Load ``url``; the CSP violations its documents reported and the console's errors."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(url)
    WebDriverWait(browser, 10, poll_frequency=0.05).until(
        lambda b: b.execute_script("return document.readyState") == "complete",
        f"{url} never finished loading",
    )
    browser.set_script_timeout(10)
    violations = browser.execute_async_script(SETTLED)
    errors = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    return violations, errors


def published_policies(headers: Path) -> dict[str, str]:
    """The Content-Security-Policy of each address that ``_headers`` gives one."""
    found = {}
    for block in headers.read_text("utf-8").split("\n\n"):
        lines = block.strip().splitlines()
        for line in lines[1:]:
            if line.strip().startswith("Content-Security-Policy:"):
                found[lines[0]] = line.split(":", 1)[1].strip()
    return found


def addresses(build: Path) -> list[str]:
    """Every page of the build by its address; the 404 pages at addresses that do not exist."""
    found = ["/"]  # the root redirect
    for path in sorted(build.rglob("*.html")):
        rel = path.relative_to(build).as_posix()
        if rel == CANARY:
            continue
        if rel == "index.html":  # the language chooser, which / serves when it redirects nowhere
            found.append("/index.html")
        elif rel.endswith("404.html"):
            found.append("/" + rel.removesuffix("404.html") + MISSING)
        elif rel.endswith("index.html"):
            found.append("/" + rel.removesuffix("index.html"))
        else:
            found.append("/" + rel)
    return found


@needs_nginx
def test_no_page_violates_the_content_security_policy(project, origin, watched):
    build = project / "build"
    paths = addresses(build)
    assert "/" in paths and "/index.html" in paths
    assert any(p.startswith("/en/") for p in paths) and any(p.startswith("/nl/") for p in paths)
    # The policy as the build publishes it for each address (``_headers``), which nginx sends
    # too: the pages' own, and the search pages' (see test_search.py).
    policies = published_policies(build / "_headers")
    page_policy = CONTENT_SECURITY_POLICY
    assert set(policies.values()) == {page_policy, content_security_policy(search=True)}
    assert "style-src 'self';" in page_policy and "unsafe-inline" not in page_policy
    problems = []
    for path in paths:
        url = origin + path
        status, csp = _status_and_policy(origin, path)
        expected = page_policy if status == 404 or path == "/" else policies[path.replace("/index.html", "/")]
        assert csp == expected, f"{path}: served without the site's policy"
        violations, errors = visit(watched, url)
        if status == 404:  # the page itself is meant to answer 404; anything else is not
            errors = [e for e in errors if not (e.startswith(url + " ") and "404" in e)]
        problems += [
            f"{path}: {v['directive']} blocked {v['blocked']} ({v['source']}:{v['line']})" for v in violations
        ]
        problems += [f"{path}: console: {e}" for e in errors]
    assert problems == [], "\n".join(problems)


@needs_nginx
def test_the_stylesheet_applies_under_the_policy(project, origin, watched):
    visit(watched, origin + "/en/about/")
    aligned = watched.execute_script(
        "return ['left', 'center', 'right'].map(a => "
        "getComputedStyle(document.querySelector('td.align-' + a)).textAlign)"
    )
    assert aligned == ["left", "center", "right"]
    key_figures = next(p for p in addresses(project / "build") if p.startswith("/nl/kerncijfers"))
    visit(watched, origin + key_figures)
    # A chart's bars are coloured by the stylesheet, not by attributes of their own.
    fill = watched.execute_script("return getComputedStyle(document.querySelector('.chart-bar')).fill")
    assert fill not in ("", "none", "rgb(0, 0, 0)"), fill


@needs_nginx
def test_the_collection_sees_a_violation(origin, watched):
    violations, errors = visit(watched, origin + "/" + CANARY)
    assert [v["directive"] for v in violations] == ["style-src-attr"]
    assert len(errors) == 1  # the console says so too


def _status_and_policy(origin: str, path: str) -> tuple[int, str | None]:
    host, port = origin.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    connection.request("GET", path, headers={"Accept-Language": "en-GB,en;q=0.9"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, response.getheader("Content-Security-Policy")
