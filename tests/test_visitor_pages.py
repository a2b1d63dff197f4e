"""What visitors get, checked on the built real content in both languages: structure,
accessibility basics, the chart, the SWOT, page weight and no third-party requests."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from site_builder import stages

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Outline(HTMLParser):
    """Element order, ids, headings, landmarks and the resources a page loads."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.starts: list[tuple[str, dict[str, str]]] = []
        self.ids: list[str] = []
        self.headings: list[int] = []
        self.resources: list[str] = []  # what the browser fetches by itself
        self.open: list[str] = []
        self.stray_end_tags: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        self.starts.append((tag, attrs))
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag in ("script", "img", "iframe", "source", "audio", "video") and attrs.get("src"):
            self.resources.append(attrs["src"])
        if tag == "link" and set(attrs.get("rel", "").split()) & {
            "stylesheet",
            "icon",
            "preload",
            "modulepreload",
        }:
            self.resources.append(attrs["href"])
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag):
        if tag in self.open:
            while self.open.pop() != tag:
                pass
        else:
            self.stray_end_tags.append(tag)

    def first(self, tag: str, **attrs: str) -> dict[str, str] | None:
        for name, found in self.starts:
            if name == tag and all(found.get(k) == v for k, v in attrs.items()):
                return found
        return None


@pytest.fixture(scope="module")
def files():
    return {f.path: f.data for f in stages.generate(ROOT).files}


@pytest.fixture(scope="module")
def html_pages(files):
    return {path: data.decode("utf-8") for path, data in files.items() if path.endswith(".html")}


def test_every_page_has_skip_link_landmarks_one_h1_and_no_skipped_heading_level(html_pages):
    assert len(html_pages) >= 38
    for path, html in html_pages.items():
        outline = Outline(html)
        body = [tag for tag, _ in outline.starts].index("body")
        tag, attrs = outline.starts[body + 1]
        assert (tag, attrs.get("class"), attrs.get("href")) == ("a", "skip-link", "#main"), path
        assert outline.first("main", id="main") is not None, path
        assert outline.first("header") is not None and outline.first("footer") is not None, path
        assert outline.headings.count(1) == 1 and outline.headings[0] == 1, (path, outline.headings)
        for before, after in itertools.pairwise(outline.headings):
            assert after <= before + 1, (path, outline.headings)
        assert all(attrs.get("aria-label") for tag, attrs in outline.starts if tag == "nav"), path


def test_markup_has_unique_ids_and_no_stray_end_tags(html_pages):
    for path, html in html_pages.items():
        outline = Outline(html)
        assert len(outline.ids) == len(set(outline.ids)), (
            path,
            sorted(i for i in outline.ids if outline.ids.count(i) > 1),
        )
        assert outline.stray_end_tags == [], path
        assert outline.open == [], path


def test_language_switcher_is_labelled_in_the_target_language(html_pages):
    names = {"en": "English", "nl": "Nederlands"}
    for path, html in html_pages.items():
        lang = path.split("/", 1)[0]
        if lang not in names or path.endswith("404.html"):
            continue
        other = "nl" if lang == "en" else "en"
        switcher = re.search(r'<nav class="language-switcher" aria-label="([^"]+)">(.*?)</nav>', html, re.S)
        assert switcher, path
        assert switcher.group(1) == {"en": "Language", "nl": "Taal"}[lang]
        link = re.search(r'<a href="[^"]+" hreflang="(\w+)" lang="(\w+)"[^>]*>([^<]+)', switcher.group(2))
        assert link.groups() == (other, other, names[other]), path


def test_no_request_leaves_the_site(files, html_pages):
    for path, html in html_pages.items():
        for resource in Outline(html).resources:
            assert resource.startswith("/") and not resource.startswith("//"), (path, resource)
    for path, data in files.items():
        if path.endswith(".css"):
            css = data.decode("utf-8")
            assert "@import" not in css
            # Fonts too are the site's own: every url() in the CSS is under /assets/.
            for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css):
                assert url.startswith("/assets/") or url.startswith("data:"), (path, url)


def test_every_page_weighs_under_100_kb_with_its_css_and_javascript(files, html_pages):
    weights = {}
    for path, html in html_pages.items():
        own = [r for r in Outline(html).resources if r.endswith((".css", ".js"))]
        weights[path] = len(files[path]) + sum(len(files[r.lstrip("/")]) for r in own)
        assert any(r.endswith(".css") for r in own), path
    heaviest = max(weights, key=weights.get)
    assert weights[heaviest] < 100_000, (heaviest, weights[heaviest])


def _chart(html: str, chart_id: str) -> ET.Element:
    match = re.search(rf'<svg class="chart" id="{chart_id}".*?</svg>', html, re.S)
    assert match, chart_id
    return ET.fromstring(match.group(0))


@pytest.mark.parametrize(
    ("path", "title", "labels", "values", "budget_values", "source"),
    [
        (
            "en/key-figures/index.html",
            "LSH companies in the Amsterdam region by segment",
            [
                "Biotech: therapeutics & diagnostics",
                "Biotech: R&D services",
                "Biotech: other",
                "Medtech",
                "Pharma",
                "Suppliers, investors & others",
            ],
            ["35", "25", "14", "23", "7", "195"],
            ["€390,000", "€500,000", "€1,360,000", "€120,000"],
            "Monitor Deloitte (2018), annex 1 of the Life Sciences &amp; Health Amsterdam Action Programme 2019-2022",
        ),
        (
            "nl/kerncijfers/index.html",
            "LSH-bedrijven in de regio Amsterdam per segment",
            [
                "Biotech: therapeutica en diagnostiek",
                "Biotech: R&D-dienstverlening",
                "Biotech: overig",
                "Medtech",
                "Farma",
                "Toeleveranciers, investeerders en overig",
            ],
            ["35", "25", "14", "23", "7", "195"],
            ["€\xa0390.000", "€\xa0500.000", "€\xa01.360.000", "€\xa0120.000"],
            "Monitor Deloitte (2018), bijlage 1 van het Life Sciences &amp; Health Amsterdam Actieprogramma 2019-2022",
        ),
    ],
)
def test_key_figures_charts_speak_the_page_language_and_name_their_source(
    html_pages, path, title, labels, values, budget_values, source
):
    html = html_pages[path]
    svg = _chart(html, "chart-companies-by-segment")
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-companies-by-segment-title chart-companies-by-segment-desc"
    assert svg.find(f"{SVG}title").text == title
    assert [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-label"] == labels
    assert [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-value"] == values
    assert svg.find(f"{SVG}desc").text == "; ".join(
        f"{label}: {value}" for label, value in zip(labels, values, strict=True)
    )
    # The same numbers as a table, for readers who cannot see the chart, and the source under it.
    table = html[html.index("chart-companies-by-segment") :].split("</table>", 1)[0]
    assert re.findall(r'<td class="num"><span class="number">([^<]+)</span></td>', table) == values
    assert source in html[html.index('id="chart-companies-by-segment"') :].split("</figure>", 1)[0]
    budget = _chart(html, "chart-programme-budget")
    assert [t.text for t in budget.iter(f"{SVG}text") if t.get("class") == "chart-value"] == budget_values


@pytest.mark.parametrize("path", ["en/key-figures/index.html", "nl/kerncijfers/index.html"])
def test_key_figures_below_the_headline_tiles_sit_under_their_own_heading(html_pages, path):
    """Only the headline figures come before the first heading; no later figure seems to belong
    to the group above it."""
    html = html_pages[path]
    rest = html[html.index('<section class="figure-group"') :]
    assert re.search(r"</section>\s*<div class=\"figure-grid\">", rest) is None
    headings = re.findall(
        r'<section class="figure-group" aria-labelledby="group-([a-z-]+)">\s*<h2 id="group-\1">', rest
    )
    assert len(set(headings)) == len(headings) >= 5


def test_swot_has_four_quadrants_whose_entries_are_the_only_separated_items(html_pages, files):
    css = next(
        data.decode()
        for path, data in files.items()
        if path.startswith("assets/site.") and path.endswith(".css")
    )
    for path in ("en/swot/index.html", "nl/swot/index.html"):
        html = html_pages[path]
        quadrants = re.findall(r'<section class="swot-quadrant swot-(\w+)" aria-labelledby="swot-\1">', html)
        assert quadrants == ["strengths", "weaknesses", "opportunities", "threats"]
        assert html.count('<ul class="swot-entries">') == 4
        assert re.search(r'<ul class="swot-entries">\s*<li>\s*<h3>', html)
        assert re.search(
            r"<li>\s*<h3>[^<]+</h3>\s*<p>[^<]+</p>\s*<ul>\s*<li>", html
        )  # a list inside an entry
    separators = re.findall(r"([^{}]*)\{[^}]*border-top: 1px", css)
    swot_rules = [rule.strip() for rule in separators if "swot" in rule]
    assert swot_rules == [".swot-entries > li + li"]


def test_print_style_prints_the_content_not_the_navigation(files):
    css = next(
        data.decode()
        for path, data in files.items()
        if path.startswith("assets/site.") and path.endswith(".css")
    )
    print_rules = css[css.index("@media print") :]
    hidden = {s.strip() for s in re.search(r"([^{]+)\{\s*display: none;", print_rules).group(1).split(",")}
    assert {
        ".site-header",
        ".main-nav",
        ".site-footer",
        ".breadcrumbs",
        ".language-switcher",
        ".skip-link",
    } <= hidden
    assert not hidden & {"main", "#main", "article", ".wrap", ".prose"}


def test_the_main_navigation_lines_up_with_the_page(html_pages):
    # The red bar spans the window; its list sits in a .wrap container like the header's and the
    # page's, not on the list itself (where the list's own padding: 0 cancelled the container's).
    for path in ("en/index.html", "nl/kerncijfers/index.html"):
        html = html_pages[path]
        assert re.search(
            r'<nav class="main-nav" aria-label="[^"]+">\s*<div class="wrap nav-inner">\s*'
            r'<details class="menu">\s*<summary>[^<]+</summary>\s*<ul>',
            html,
        )
        assert re.search(r'<header class="site-header">\s*<div class="wrap header-inner">', html)
        assert '<ul class="wrap">' not in html


def test_every_link_to_a_place_on_a_page_finds_it(html_pages):
    checked = 0
    for path, html in html_pages.items():
        for url, fragment in re.findall(r'href="(/[^"#]*)#([^"]+)"', html):
            target = html_pages[url.strip("/") + "/index.html" if url.strip("/") else "index.html"]
            assert f'id="{fragment}"' in target, (path, url, fragment)
            checked += 1
    assert checked >= 6  # the about pages' links to sections of the partnerships page, at least


def test_news_list_pages_show_cards_link_each_other_and_have_their_own_title(mini_site):
    site_yaml = mini_site / "site.yaml"
    site_yaml.write_text(site_yaml.read_text().replace("news_page_size: 10", "news_page_size: 2"))
    files = {f.path: f.data.decode() for f in stages.generate(mini_site).files if f.path.endswith(".html")}
    first, second = files["en/news/index.html"], files["en/news/page/2/index.html"]
    assert first.count('<article class="card news-card" data-pagefind-ignore>') == 2
    assert second.count('<article class="card news-card" data-pagefind-ignore>') == 1
    assert re.search(
        r'<nav class="pagination" aria-label="Pages">\s*<span>page 1 of 2</span>\s*<a rel="next" href="/en/news/page/2/">',
        first,
    )
    assert re.search(
        r'<nav class="pagination" aria-label="Pages">\s*<a rel="prev" href="/en/news/">[^<]+</a>\s*<span>page 2 of 2</span>',
        second,
    )
    heads = [Outline(page) for page in (first, second)]
    titles = [re.search(r"<title>([^<]+)</title>", page).group(1) for page in (first, second)]
    descriptions = [
        re.search(r'<meta name="description" content="([^"]+)">', page).group(1) for page in (first, second)
    ]
    assert len(set(titles)) == len(set(descriptions)) == 2
    assert [h.first("link", rel="canonical")["href"] for h in heads] == [
        "https://lsh.amsterdam/en/news/",
        "https://lsh.amsterdam/en/news/page/2/",
    ]
