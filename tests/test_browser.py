"""The real site as visitors get it: every page type in both languages in Debian's Chromium.

The build is served on a loopback port the way a CDN serves it (an unknown
address gets the 404 page of its language, with status 404). For each page
type and language: no console errors; the language switcher, reached with the
keyboard, leads to the translation and back; nothing sticks out at 360, 768
or 1440 px; axe-core finds no violations.

A 404 page's switcher leads to the other language's home page, whose switcher
leads to the home page of the first language.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from pathlib import Path

import pytest
from conftest import REPO, free_port, serving

AXE = REPO / "node_modules/axe-core/axe.min.js"
LANGUAGES = ("en", "nl")
LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands"}
# Page types by the content file that makes them (the same path in each language).
SOURCES = {
    "home": "_index.md",
    "news-list": "news/_index.md",
    "key-figures": "key-figures.md",
    "swot": "swot.md",
    "programme": "programme/_index.md",
    "pillar": "programme/proposition.md",
    "about": "about.md",
    "why-amsterdam": "why-amsterdam.md",
    "places": "places-and-players.md",
    "partnerships": "partnerships.md",
    "contact": "contact.md",
}
PAGE_TYPES = (
    "home", "news-list", "news-item", "key-figures", "swot", "programme", "pillar", "about",
    "why-amsterdam", "places", "partnerships", "contact", "404",
)  # fmt: skip
PAGES = [pytest.param(kind, lang, id=f"{kind}-{lang}") for kind in PAGE_TYPES for lang in LANGUAGES]
MISSING = "no-such-page/"


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files from the build; an unknown address answers 404 with its language's 404 page."""

    def send_error(self, code, message=None, explain=None):
        lang = self.path.lstrip("/").split("/", 1)[0]
        page = Path(self.directory) / lang / "404.html"
        if code != 404 or lang not in LANGUAGES or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def origin(built):
    """``http://127.0.0.1:PORT`` serving the real build."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", free_port()), functools.partial(_Handler, directory=str(built))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def site():
    from site_builder.config import load_config
    from site_builder.content.load import load_sources
    from site_builder.site.model import build_site

    config = load_config(REPO)
    return build_site(config, load_sources(REPO, config))


def _page(site, kind: str, lang: str):
    """The model's page of this type and language (``None`` for the 404 page)."""
    if kind == "404":
        return None
    if kind == "news-item":
        return site.news[lang][0]
    [page] = [p for p in site.pages if p.source.lang == lang and p.source.rel == SOURCES[kind]]
    return page


def _path(site, kind: str, lang: str) -> str:
    return f"/{lang}/{MISSING}" if kind == "404" else _page(site, kind, lang).url


def _open(browser, url: str) -> list[dict]:
    """Load ``url``; return the console messages the page logged at error level."""
    browser.get_log("browser")  # drop what earlier pages logged
    browser.get(url)
    # get() returns once the document is parsed; its images and styles may still be loading.
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10, poll_frequency=0.05).until(
        lambda b: b.execute_script("return document.readyState") == "complete",
        f"{url} never finished loading",
    )
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


@pytest.mark.parametrize("kind, lang", PAGES)
def test_page_loads_without_console_errors(browser, origin, site, kind, lang):
    url = origin + _path(site, kind, lang)
    errors = _open(browser, url)
    if kind == "404":  # the page itself is meant to answer 404; anything else it loads is not
        errors = [e for e in errors if not (e["message"].startswith(url + " ") and "404" in e["message"])]
    assert browser.execute_script("return document.documentElement.lang") == lang
    assert errors == [], "\n".join(e["message"] for e in errors)


def _switcher(browser, other: str):
    """The link to the other language: labelled with its name, in that language."""
    from selenium.webdriver.common.by import By

    links = [
        link
        for link in browser.find_elements(By.CSS_SELECTOR, f'a[hreflang="{other}"][lang="{other}"]')
        if link.text.strip() == LANGUAGE_NAMES[other]
    ]
    assert len(links) == 1, f"{browser.current_url}: expected one link labelled {LANGUAGE_NAMES[other]!r}"
    return links[0]


def _tab_to(browser, element, limit: int = 60) -> None:
    """Press Tab on a freshly loaded page until ``element`` has the focus."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    for _ in range(limit):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        if browser.switch_to.active_element == element:
            return
    raise AssertionError(f"{browser.current_url}: {limit} Tab presses do not reach the language switcher")


@pytest.mark.parametrize("kind, lang", PAGES)
def test_language_switcher_leads_to_the_translation_and_back(browser, origin, site, kind, lang):
    from selenium.webdriver.common.keys import Keys

    [other] = [code for code in LANGUAGES if code != lang]
    _open(browser, origin + _path(site, kind, lang))
    link = _switcher(browser, other)
    _tab_to(browser, link)
    _follow(browser, lambda: link.send_keys(Keys.ENTER))
    if kind == "404":  # nothing is there in the other language either: its home page is
        expected, back = f"/{other}/", f"/{lang}/"
    else:
        translation = _page(site, kind, other)
        assert translation.key == _page(site, kind, lang).key
        expected, back = translation.url, _path(site, kind, lang)
    assert browser.execute_script("return document.documentElement.lang") == other
    assert browser.current_url.removeprefix(origin) == expected
    _follow(browser, _switcher(browser, lang).click)
    assert browser.execute_script("return document.documentElement.lang") == lang
    assert browser.current_url.removeprefix(origin) == back


@pytest.mark.parametrize("kind, lang", PAGES)
def test_the_focused_language_switcher_is_visibly_marked(browser, origin, site, kind, lang):
    [other] = [code for code in LANGUAGES if code != lang]
    _open(browser, origin + _path(site, kind, lang))
    link = _switcher(browser, other)
    style = """const s = getComputedStyle(arguments[0]);
      return {outline: s.outlineStyle === 'none' ? 'none' : s.outline, shadow: s.boxShadow,
              background: s.backgroundColor, color: s.color, underline: s.textDecorationLine};"""
    resting = browser.execute_script(style, link)
    _tab_to(browser, link)
    focused = browser.execute_script(style, link)
    # An outline or a shadow appears, or the colours change (a changed underline alone is too faint).
    changed = {
        name for name in ("outline", "shadow", "background", "color") if focused[name] != resting[name]
    }
    assert changed, f"the focused switcher looks as it does at rest: {focused}"


def _follow(browser, action, seconds: float = 10.0) -> None:
    """Do ``action`` (which follows a link) and wait until the next page has loaded."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.execute_script("window.leaving = true")
    action()
    WebDriverWait(browser, seconds, poll_frequency=0.05).until(
        lambda b: b.execute_script("return !window.leaving && document.readyState === 'complete'")
    )


OVERFLOW = """
const root = document.documentElement, width = root.clientWidth;
const wide = [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > width + 0.5)
  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
            (e.classList.length ? '.' + [...e.classList].join('.') : '') +
            ' (right edge ' + Math.round(e.getBoundingClientRect().right) + ' px)');
return {scrollWidth: root.scrollWidth, clientWidth: width, wide: wide.slice(0, 10)};
"""


@pytest.fixture
def screen(browser, request):
    """``(browser, width)``: a viewport ``request.param`` CSS px wide (below 400: a phone), for one test."""
    width = request.param
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 740 if width < 400 else 900, "deviceScaleFactor": 2 if width < 400 else 1,
         "mobile": width < 400},
    )  # fmt: skip
    yield browser, width
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.mark.parametrize("screen", [360, 768, 1440], indirect=True, ids=lambda width: f"{width}px")
@pytest.mark.parametrize("kind, lang", PAGES)
def test_no_horizontal_scrolling(screen, origin, site, kind, lang):
    browser, width = screen
    _open(browser, origin + _path(site, kind, lang))
    result = browser.execute_script(OVERFLOW)
    assert width - 20 <= result["clientWidth"] <= width  # laid out for this screen (less a scroll bar)
    assert result["scrollWidth"] <= result["clientWidth"], "too wide: " + ", ".join(result["wide"])


MENU_BUTTON = """
const button = document.querySelector('.menu > summary'), form = document.querySelector('.site-search');
const b = button.getBoundingClientRect(), f = form.getBoundingClientRect();
return {icon: parseFloat(getComputedStyle(button, '::before').width),
        rem: parseFloat(getComputedStyle(document.documentElement).fontSize),
        cut: button.scrollWidth > button.clientWidth,
        covered: b.right > f.left && b.top < f.bottom && f.top < b.bottom};
"""


@pytest.mark.parametrize("screen", [320, 360], indirect=True, ids=lambda width: f"{width}px")
@pytest.mark.parametrize("lang", LANGUAGES)
def test_on_a_narrow_phone_the_menu_button_is_whole_beside_the_search_form(screen, origin, site, lang):
    browser, _ = screen
    _open(browser, origin + _path(site, "home", lang))
    button = browser.execute_script(MENU_BUTTON)
    assert button["icon"] >= button["rem"], f"the menu icon is squeezed to {button['icon']} px"
    assert not button["cut"], "the word Menu does not fit its button"
    assert not button["covered"], "the search form covers the menu button"


# A word, or a figure, that does not fit its line is cut where its letters run out
# ("Geneesmiddelenburea" over "u (EMA)", "€ 2.370.0" over "00") by a browser that has no
# hyphenation for the page's language. A compound breaking at its own hyphen is fine.
BROKEN_WORDS = r"""
const broken = [];
const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
for (let node; (node = walker.nextNode());) {
  for (const word of node.data.matchAll(/[^\s\-\u2010\u2013\u2014\/]+/g)) {
    const range = document.createRange();
    range.setStart(node, word.index);
    range.setEnd(node, word.index + word[0].length);
    const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom)));
    if (lines.size > 1) broken.push(node.parentElement.tagName.toLowerCase() + ': ' + word[0]);
  }
}
return broken;
"""


def _long_word_topic_path(site, lang: str) -> str:
    """The page of the topic whose name has the longest word: ``/nl/themas/europees-geneesmiddelenbureau/``."""
    from site_builder.site.topics import topic_url

    def longest_word(topic) -> int:
        return max(len(word) for word in topic.name(lang).split())

    return topic_url(max(site.config.topics, key=longest_word), lang)


@pytest.mark.parametrize("screen", [360, 768, 1024], indirect=True, ids=lambda width: f"{width}px")
@pytest.mark.parametrize(
    "kind, lang", PAGES + [pytest.param("topic", lang, id=f"topic-{lang}") for lang in LANGUAGES]
)
def test_no_word_or_figure_is_cut_across_two_lines(screen, origin, site, kind, lang):
    browser, width = screen
    path = _long_word_topic_path(site, lang) if kind == "topic" else _path(site, kind, lang)
    _open(browser, origin + path)
    browser.execute_async_script("document.fonts.ready.then(arguments[arguments.length - 1])")
    assert browser.execute_script(BROKEN_WORDS) == []


RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then(r => done({passes: r.passes.length, violations: r.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map(n => n.target.join(' ') + '  ' + n.html.slice(0, 160))}))}))
  .catch(e => done({error: String(e)}));
"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.skip("node_modules/axe-core is not installed: run `npm ci` (.ci/run does)")
    return AXE.read_text("utf-8")


def axe_violations(browser, source: str) -> list[dict]:
    """Run axe-core on the open page with its default rules (WCAG 2.x A/AA and best practices)."""
    browser.execute_script(source)
    browser.set_script_timeout(30)
    result = browser.execute_async_script(RUN_AXE)
    assert "error" not in result, result.get("error")
    assert result["passes"] > 0  # axe really looked at the page
    return result["violations"]


@pytest.mark.parametrize("kind, lang", PAGES)
def test_axe_finds_no_accessibility_violations(browser, origin, site, axe_source, kind, lang):
    _open(browser, origin + _path(site, kind, lang))
    violations = axe_violations(browser, axe_source)
    report = json.dumps(violations, indent=1, ensure_ascii=False)
    assert violations == [], f"{len(violations)} axe violation(s):\n{report}"


def test_axe_reports_what_it_finds(browser, axe_source):
    """The harness itself: an image without a text alternative is reported, with its element."""
    browser.get("data:text/html,<!doctype html><html lang=en><title>t</title><main><img src=x.png></main>")
    [violation] = [v for v in axe_violations(browser, axe_source) if v["id"] == "image-alt"]
    assert violation["nodes"][0].startswith("img")


def test_the_language_chooser_sends_the_browser_on_by_its_preferred_language(browser, mini_built):
    """docs/deploy.md: where the host cannot redirect / by Accept-Language (Cloudflare Pages,
    CloudFront, a plain object store), the chooser there sends the browser on itself."""
    from urllib.parse import urlsplit

    from selenium.webdriver.support.ui import WebDriverWait

    root, _ = mini_built
    try:
        with serving(root / "build") as origin:
            for preferred, lands in [("de-DE,nl", "/nl/"), ("en-GB", "/en/"), ("de,fr", "/")]:
                browser.execute_cdp_cmd(
                    "Emulation.setUserAgentOverride", {"userAgent": "", "acceptLanguage": preferred}
                )
                browser.get(origin + "/")
                WebDriverWait(browser, 10, poll_frequency=0.05).until(
                    lambda b, lands=lands: (
                        urlsplit(b.current_url).path == lands
                        and b.execute_script("return document.readyState") == "complete"
                    ),
                    f"{preferred}: not at {lands} but {browser.current_url}",
                )
                if lands == "/":  # no language of the site: the chooser stays, offering both
                    links = {a.get_attribute("pathname") for a in browser.find_elements("css selector", "a")}
                    assert {"/en/", "/nl/"} <= links
    finally:
        browser.execute_cdp_cmd("Emulation.setUserAgentOverride", {"userAgent": ""})
