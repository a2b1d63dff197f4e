"""What the README, docs/content.md, docs/translating.md and docs/deploy.md promise editors,
translators and whoever publishes, where no other test held the tool to the promise: each test's
docstring quotes the sentence it covers. The examples of what the tool prints are read from the
documentation itself (``conftest.documented``, ``conftest.quoted``) and compared with its output,
the mistake each shows made in a copy of the real site.

The sites are the mini site of conftest.py, built and checked through the command line as an
editor runs it, and the repository's own content where the documentation names its pages.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import logging
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import pytest
from conftest import REPO, documented, quoted, read_tree, run_process, write_tree
from test_bad_input import ABOUT_EN, ABOUT_NL, about_en, assert_failed_cleanly
from test_cards import meta
from test_hostile_input import assert_builds_the_same_site
from test_html_policy import NOT_ALLOWED, SUBMISSION, VIDEO_HOST
from test_input_safety import OUTSIDE, URL_HINT, _moved_away, assert_refused
from test_preview_safety import WARNING as PREVIEW_WARNING
from test_real_site import ATOM
from test_schedule import LINE as HELD_BACK
from test_search import fragments_text
from test_translation_diff import EN_MOU, NL_MOU, commit, git, mark_by_hand, needs_git, repository
from test_twins import edit
from test_xliff import NS, _version, etree, export, import_, real_site, schema, set_target, units

from site_builder.checks.html_policy import Policy, violations
from site_builder.config import load_config, load_deploy_targets
from site_builder.content.load import load_sources
from site_builder.errors import SiteError, format_error, msg
from site_builder.site.model import build_site

EMA_EN, EMA_NL = "content/en/news/2019-06-12-ema.md", "content/nl/news/2019-06-12-ema.md"
PO_NL = "translations/nl/LC_MESSAGES/messages.po"


def built_cli(run_cli, *args) -> subprocess.CompletedProcess:
    """``run_cli(*args)`` as the completed process ``assert_failed_cleanly`` reads."""
    return subprocess.CompletedProcess(args, *run_cli(*args))


def html(root: Path, path: str) -> str:
    return (root / "build" / path).read_text("utf-8")


# --- content.md: where pages live ---------------------------------------------------------------


def documented_tree() -> dict[str, list[str]]:
    """The tree of docs/content.md, "Where pages live": each file below content/ that it gives an address,
    with the addresses it gives."""
    docs = (REPO / "docs/content.md").read_text("utf-8")
    block = docs.split("## Where pages live\n\n```\n", 1)[1].split("```", 1)[0]
    tree: dict[str, list[str]] = {}
    folders: list[str] = []
    for line in block.splitlines():
        depth = (len(line) - len(line.lstrip())) // 2
        folders[depth:] = [line.split()[0].rstrip("/")]
        if "→" in line:
            tree["/".join(folders[1:])] = line.split("→")[1].strip().split(", ")
    return tree


def test_the_real_pages_are_at_the_addresses_the_tree_shows():
    """Each line of the tree in "Where pages live", such as "about.md  a page  → /nl/over-ons/" and "_index.md
    the news list  → /nl/nieuws/, /nl/nieuws/pagina/2/"; and "A file in `content/nl/` and the file with **the
    same path** in `content/en/` are translations of each other:
    `content/nl/news/2019-09-25-intentieverklaring.md` and
    `content/en/news/2019-09-25-intentieverklaring.md`". (content.md)"""
    config = load_config(REPO)
    sources = load_sources(REPO, config)
    site = build_site(config, sources)
    tree = documented_tree()
    assert len(tree) == 12
    for path, (address, *_) in tree.items():
        lang, rel = path.split("/", 1)
        assert site.page_for_source(lang, rel).url == address, path
        assert site.page_for_source("en", rel) is not None, path  # "English pages, the same files"
    # The list's later pages: the real news fits on one page of ten.
    paged = build_site(dataclasses.replace(config, news_page_size=1), sources)
    later = tree["nl/news/_index.md"][1:]
    assert [pagination.url for pagination in paged.news_pages["nl"][1 : 1 + len(later)]] == later
    item = "news/2019-09-25-intentieverklaring.md"
    assert site.translations_of(site.page_for_source("nl", item)) == (site.page_for_source("en", item),)


def test_editor_swap_backup_and_hash_files_and_folders_are_ignored(mini_built, run_cli):
    """Where pages live: "Files and folders whose name starts with `.` (such as `.DS_Store`), `#` or `_`
    (other than `_index.md`), and editor swap and backup files (ending in `~`, `.swp`, `.swo`, `.swx`, `.tmp`,
    `.bak` or `.orig`) are ignored." (content.md)"""
    root, before = mini_built
    junk = b"\x00 not a page \xff"
    names = ["about.md" + suffix for suffix in ("~", ".swp", ".swo", ".swx", ".tmp", ".bak", ".orig")]
    names += [".about.md", "#about.md", "_about.md", "#old/page.md", "_old/page.md", ".old/page.md"]
    write_tree(root, {f"content/nl/{name}": junk for name in names})
    assert_builds_the_same_site(root, before, run_cli)


def test_content_or_translations_as_a_link_stops_the_build(mini_built, run_cli):
    """Where pages live: "A symbolic link in `content/` may point to another file or folder in `content/`,
    never outside it, not even elsewhere in the project; the same holds for `templates/`, `assets/` and
    `translations/`, and none of these folders may itself be a link. A link that leads out stops the build,
    naming it." (content.md)"""
    root, before = mini_built
    _moved_away(root, "content")
    assert_refused(root, before, run_cli, [f"content: {OUTSIDE.format('content')}"])
    os.unlink(root / "content")
    os.rename(root.parent / f"{root.name}-elsewhere/content", root / "content")
    (root.parent / f"{root.name}-elsewhere").rmdir()
    _moved_away(root, "translations")
    assert_refused(root, before, run_cli, [f"translations: {OUTSIDE.format('translations')}"])


def test_a_base_url_with_a_fragment_is_refused(mini_built, run_cli):
    """`base_url`: "no quotes, spaces, markup, control characters, `?` or `#`." (content.md)"""
    root, before = mini_built
    edit(root, "site.yaml", "base_url: https://lsh.amsterdam", "base_url: https://lsh.amsterdam/#top")
    expected = f"site.yaml:2: base_url 'https://lsh.amsterdam/#top' is not a web address {URL_HINT}"
    assert_refused(root, before, run_cli, [expected])


# --- content.md: front matter -------------------------------------------------------------------

MOU_SUMMARY = "The city, the universities and the Board will work together on data and AI."
MOU_TITLE = "Mayor Halsema signs memorandum of understanding"


def test_a_summary_is_shown_in_lists_search_results_link_previews_and_the_feed(mini_built):
    """`summary`: "One or two sentences: shown in lists, in search results and link previews, and in the news
    feed." (content.md)"""
    root, built = mini_built
    for listing in ("en/news/index.html", "en/index.html"):  # the news list, the latest news
        assert MOU_SUMMARY in unescape(built[listing].decode()), listing
    page = built["en/news/memorandum-of-understanding/index.html"].decode()
    assert unescape(meta(page)["og:description"]) == MOU_SUMMARY
    entries = ET.fromstring(built["en/feed.xml"]).findall(f"{ATOM}entry")
    entry = next(e for e in entries if e.findtext(f"{ATOM}title") == MOU_TITLE)
    assert entry.findtext(f"{ATOM}summary") == MOU_SUMMARY
    assert MOU_SUMMARY in fragments_text(root / "build/pagefind/en")


def test_an_expiry_date_not_after_the_date_is_refused(mini_built, run_cli):
    """`expiry_date`: "The first day the page is no longer published, `YYYY-MM-DD`: it is taken down from that
    day on. Must be after `date` and `publish_date`." (content.md)"""
    root, before = mini_built
    for expiry in ("2019-06-01", "2019-06-12"):
        edit(root, EMA_EN, "date: 2019-06-12\n", f"date: 2019-06-12\nexpiry_date: {expiry}\n")
        expected = (
            f"{EMA_EN}:5: expiry_date {expiry} is not after the day the page is published, 2019-06-12 "
            "(hint: the page would never be shown: write a later expiry_date, or remove the line)"
        )
        assert_failed_cleanly(root, before, built_cli(run_cli, "-C", root, "build"), [expected])
        edit(root, EMA_EN, f"expiry_date: {expiry}\n", "")


def test_a_menu_title_names_the_page_in_the_navigation_and_the_breadcrumbs_below_it(mini_site, run_cli):
    """`menu_title`: "A short name for the page in the navigation and in the breadcrumbs of the pages below it
    (its own page shows the title)" (content.md)"""
    edit(
        mini_site,
        "content/en/news/_index.md",
        "title: News\n",
        "title: News from the region\nmenu_title: News\n",
    )
    code, _, err = run_cli("-C", mini_site, "-q", "build", "--no-minify")
    assert (code, err) == (0, "")
    item, listing = (
        html(mini_site, "en/news/ema-opens-office/index.html"),
        html(mini_site, "en/news/index.html"),
    )
    main_nav = re.search(r'<nav class="main-nav".*?</nav>', item, re.DOTALL).group()
    assert (
        re.search(r'<a href="/en/news/"[^>]*>News</a>', main_nav) and "News from the region" not in main_nav
    )
    crumbs = re.search(r'<nav class="breadcrumbs.*?</nav>', item, re.DOTALL).group()
    assert '<a href="/en/news/">News</a>' in crumbs
    crumbs = re.search(r'<nav class="breadcrumbs.*?</nav>', listing, re.DOTALL).group()
    assert '<span aria-current="page">News from the region</span>' in crumbs


def test_an_alias_another_page_has_too_is_refused(mini_built, run_cli):
    """`aliases`: "An address another page has (a language's search page too), another page's alias, or an
    address where the site serves a file of its own … is an error." (content.md)"""
    root, before = mini_built
    for rel in (ABOUT_EN, "content/en/swot.md"):
        edit(root, rel, "---\n", "---\naliases: [/en/old/]\n")
    claimed = "the address /en/old/ is claimed by 2 pages: content/en/about.md, content/en/swot.md"
    expected = [
        f"{rel}:2: {claimed} (hint: give one of them a different slug)"
        for rel in (ABOUT_EN, "content/en/swot.md")
    ]
    assert_failed_cleanly(root, before, built_cli(run_cli, "-C", root, "build"), expected)


def test_topics_belong_to_news_items_alone(mini_built, run_cli):
    """`topics`: "News items only: the topics the item is about" (content.md)"""
    root, before = mini_built
    edit(root, ABOUT_EN, "title: About us\n", "title: About us\ntopics: [ema]\n")
    result = built_cli(run_cli, "-C", root, "build")
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"{ABOUT_EN}:3: unknown key 'topics' (hint: allowed keys: aliases, date, "
    )
    assert read_tree(root / "build") == before


# --- content.md: key figures, the SWOT, a map -------------------------------------------------

ID_HINT = "(hint: use lower-case letters a-z, digits and single hyphens, such as over-ons)"


def test_a_figure_id_is_lower_case_letters_digits_and_hyphens(mini_built, run_cli):
    """`id`: "A short name such as `lsh-companies-region`: lower-case letters, digits, hyphens." (content.md)"""
    root, before = mini_built
    for lang in ("en", "nl"):
        edit(root, f"content/{lang}/key-figures.md", "id: lsh-budget", "id: LSH_Budget")
    expected = [
        f"content/en/key-figures.md:12: figures[2].id 'LSH_Budget' is not a valid id {ID_HINT}",
        f"content/nl/key-figures.md:13: figures[2].id 'LSH_Budget' is not a valid id {ID_HINT}",
    ]
    assert_failed_cleanly(root, before, built_cli(run_cli, "-C", root, "build"), expected)


FIGURE_IDS = re.compile(r'id="(lsh-jobs-nl|lsh-budget|cycling-share)"')


def test_a_highlighted_figure_is_shown_on_the_home_page(mini_site, run_cli):
    """`highlight`: "`true` shows the figure on the home page." (content.md)"""
    assert run_cli("-C", mini_site, "-q", "build", "--no-minify")[0] == 0
    assert FIGURE_IDS.findall(html(mini_site, "en/index.html")) == ["lsh-budget"]
    for lang in ("en", "nl"):
        edit(
            mini_site,
            f"content/{lang}/key-figures.md",
            "    year: 2018\n",
            "    year: 2018\n    highlight: true\n",
        )
    assert run_cli("-C", mini_site, "-q", "build", "--no-minify")[0] == 0
    for lang in ("en", "nl"):
        assert FIGURE_IDS.findall(html(mini_site, f"{lang}/index.html")) == ["lsh-budget", "cycling-share"]


def test_a_figure_s_source_url_links_its_source(mini_site, run_cli):
    """`source_url`: "A web address for the source." (content.md)"""
    edit(
        mini_site,
        "content/en/key-figures.md",
        "    source: Amsterdam in cijfers\n",
        "    source: Amsterdam in cijfers\n    source_url: https://example.org/ois\n",
    )
    assert run_cli("-C", mini_site, "-q", "build", "--no-minify")[0] == 0
    page = html(mini_site, "en/key-figures/index.html")
    assert 'Source: <a href="https://example.org/ois">Amsterdam in cijfers</a>' in page
    assert "example.org" not in html(mini_site, "nl/kerncijfers/index.html")


def test_the_figures_appear_in_the_order_written(mini_site, run_cli):
    """Key figures: "The figures appear in the order written; write them in the same order in both languages."
    (content.md)"""
    for lang in ("en", "nl"):
        path = mini_site / f"content/{lang}/key-figures.md"
        text = path.read_text("utf-8")
        jobs, budget, cycling = (
            text.index(f"  - id: {id}") for id in ("lsh-jobs-nl", "lsh-budget", "cycling-share")
        )
        end = text.index("---", cycling)
        path.write_text(
            text[:jobs] + text[cycling:end] + text[budget:cycling] + text[jobs:budget] + text[end:], "utf-8"
        )
    assert run_cli("-C", mini_site, "-q", "build", "--no-minify")[0] == 0
    for page in ("en/key-figures/index.html", "nl/kerncijfers/index.html"):
        assert FIGURE_IDS.findall(html(mini_site, page)) == ["cycling-share", "lsh-budget", "lsh-jobs-nl"]


def test_the_swot_texts_are_markdown_and_the_body_follows_the_quadrants(mini_built):
    """SWOT: "Each is a list of items with a `title` and a `text` (the explanation; Markdown is allowed)";
    "The Markdown below the front matter is shown after the four quadrants (for example the conclusions)."
    (content.md)"""
    _, built = mini_built
    page = built["en/swot/index.html"].decode()
    assert "<em>data science</em>" in page  # "with *data science*" in the text of an opportunity
    quadrants = [match.start() for match in re.finditer("swot-quadrant", page)]
    assert len(quadrants) >= 4
    assert page.rindex("The conclusions follow from the four quadrants.") > quadrants[-1]


def with_places(root: Path, *lines: str) -> None:
    """The about page in both languages with ``places:`` from line 5 on (a place is in each)."""
    for rel in (ABOUT_EN, "content/nl/about.md"):
        edit(root, rel, "weight: 20\n", "weight: 20\nplaces:\n" + "".join(f"{line}\n" for line in lines))


def test_a_place_id_is_lower_case_letters_digits_and_hyphens(mini_built, run_cli):
    """A place's `id`: "A short name such as `science-park`: lower-case letters, digits, hyphens."
    (content.md)"""
    root, before = mini_built
    with_places(root, "  - id: Science Park", "    label: Science Park", "    lat: 52.35", "    lon: 4.96")
    expected = [
        f"{rel}:{line}: places[1].id 'Science Park' is not a valid id {ID_HINT}"
        for rel, line in ((ABOUT_EN, 6), ("content/nl/about.md", 7))
    ]
    assert_failed_cleanly(root, before, built_cli(run_cli, "-C", root, "build"), expected)


def test_a_coordinate_with_three_decimals_is_refused_and_four_are_not(mini_built, run_cli):
    """A map: "Write coordinates with two decimals (about 1 km, enough for a schematic map) or four; a number
    with exactly three decimals, such as `52.355`, is refused, since it could be 52355 written with a
    thousands separator; write `52.3550` instead, as the message says." (content.md)"""
    root, before = mini_built
    with_places(root, "  - id: sp", "    label: Science Park", "    lat: 52.355", "    lon: 4.96")
    result = built_cli(run_cli, "-C", root, "build")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{rel}:{line}: '52.355' reads as a decimal fraction, not as a number with thousands separators "
        "(hint: if you mean 52355, write it without separators; if you mean a decimal fraction "
        "(a coordinate, say), add a zero: 52.3550)"
        for rel, line in ((ABOUT_EN, 8), ("content/nl/about.md", 9))
    ]
    assert read_tree(root / "build") == before
    for rel in (ABOUT_EN, "content/nl/about.md"):
        edit(root, rel, "lat: 52.355\n", "lat: 52.3550\n")
    assert run_cli("-C", root, "-q", "build")[0] == 0
    assert "Science Park" in html(root, "en/about/index.html")


# --- content.md: search, links, a table of contents -------------------------------------------


def test_the_search_index_holds_each_page_s_main_text_not_its_menu_or_footer(mini_built):
    """Search: "What is searched is each page's main text, not the menu or the footer." (content.md)"""
    root, _ = mini_built
    english = fragments_text(root / "build/pagefind/en")
    assert '"content":"About us. We publish the key figures of the region."' in english
    footer = ("News feed (Atom)", "Amsterdam, where life sciences & health meet data science")
    assert not [words for words in footer if words in english]


def test_check_reports_links_to_files_and_headings_that_do_not_exist(mini_site, run_cli):
    """Links between pages: "The build replaces this with the page's web address in the right language, and
    `site-builder check` reports links to files that do not exist." (content.md)"""
    write_tree(
        mini_site,
        about_en(
            "We publish the figures.\n\nSee [the plan](plan.md) and [the budget](key-figures.md#nowhere).\n"
        ),
    )
    code, out, err = run_cli("-C", mini_site, "-q", "check")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        (
            f"{ABOUT_EN}:8: the link 'key-figures.md#nowhere' leads to no '#nowhere' on its page "
            "(hint: after # comes the id of a heading on that page, such as #swot-strengths)"
        ),
        (
            f"{ABOUT_EN}:8: the link 'plan.md' leads to no page "
            "(hint: link to a page's file relative to this file, such as ../swot.md)"
        ),
    ]
    assert not (mini_site / "build").exists()


def test_toc_lists_the_headings_which_other_pages_link_to(mini_site, run_cli):
    """A table of contents: "Write `[TOC]` on a line of its own where a long page should list its sections:
    the build puts there a list of links to the page's headings (`##` and deeper), each heading getting an
    address of its own (`#the-heading`) that other pages can link to" (content.md)"""
    body = "We publish the figures.\n\n[TOC]\n\n## First part\n\nText.\n\n### A detail\n\nMore.\n\n"
    body += "## Second part\n\nEnd.\n"
    write_tree(mini_site, about_en(body))
    edit(
        mini_site,
        "content/en/swot.md",
        "The conclusions follow",
        "See [the detail](about.md#a-detail). The conclusions follow",
    )
    code, _, err = run_cli("-C", mini_site, "-q", "build", "--no-minify")
    assert (code, err) == (0, "")
    page = html(mini_site, "en/about/index.html")
    toc = re.search(r'<div class="toc">.*?</div>', page, re.DOTALL).group()
    assert re.findall(r'<a href="(#[^"]+)">([^<]+)</a>', toc) == [
        ("#first-part", "First part"),
        ("#a-detail", "A detail"),
        ("#second-part", "Second part"),
    ]
    assert '<h2 id="first-part">First part</h2>' in page and '<h3 id="a-detail">A detail</h3>' in page
    assert '<a href="/en/about/#a-detail">the detail</a>' in html(mini_site, "en/swot/index.html")


# --- content.md: raw HTML -------------------------------------------------------------------------

POLICY = Policy.of("https://lsh.amsterdam", [VIDEO_HOST])


def documented_elements() -> list[str]:
    """The elements docs/content.md, "Raw HTML", lists as allowed (`h1`–`h6` as six)."""
    docs = (REPO / "docs/content.md").read_text("utf-8")
    listed = docs.split("**Allowed elements**:", 1)[1].split("comments", 1)[0]
    headings = " ".join(f"`h{level}`" for level in range(1, 7))
    return re.findall(r"`([a-z0-9]+)`", listed.replace("`h1`–`h6`", headings))


ALLOWED_ELEMENTS = documented_elements()
GLOBAL_ATTRIBUTES = (
    'id="x" class="x" title="x" lang="nl" dir="ltr" role="note" hidden translate="no" aria-label="x"'
)
OWN_ATTRIBUTES = {  # the usual ones of each element, as "Allowed attributes" lists them
    "a": 'href="/en/" hreflang="nl" rel="noopener" target="_blank" type="text/html"',
    "img": (
        'src="/assets/x.png" srcset="/assets/x.png 2x" sizes="50vw" alt="x" width="8" height="8" '
        'loading="lazy" decoding="async"'
    ),
    "td": 'colspan="2" rowspan="2" headers="x"',
    "th": 'colspan="2" rowspan="2" headers="x" scope="col" abbr="x"',
    "blockquote": 'cite="https://example.org/"',
    "q": 'cite="https://example.org/"',
    "del": 'cite="https://example.org/" datetime="2019-06-12"',
    "ins": 'cite="https://example.org/" datetime="2019-06-12"',
    "time": 'datetime="2019-06-12"',
    "data": 'value="5"',
    "li": 'value="5"',
    "details": "open",
    "ol": 'start="3" reversed type="a"',
    "col": 'span="2"',
    "colgroup": 'span="2"',
    "audio": 'controls width="8" height="8" loop muted preload="none" autoplay playsinline',
    "video": (
        'controls width="8" height="8" loop muted preload="none" autoplay playsinline poster="/assets/x.png"'
    ),
    "source": (
        'src="/assets/x.mp4" srcset="/assets/x.webp" type="video/mp4" media="(min-width: 1px)" sizes="50vw" '
        'width="8" height="8"'
    ),
    "track": 'src="/assets/x.vtt" kind="captions" srclang="nl" label="x" default',
    "iframe": (
        f'src="https://{VIDEO_HOST}/embed/x" title="x" width="8" height="8" allow="autoplay" allowfullscreen '
        'frameborder="0" loading="lazy" referrerpolicy="no-referrer" sandbox="allow-scripts"'
    ),
}
VOID = {"br", "col", "hr", "img", "source", "track", "wbr"}
EMPTY = {"iframe", "table", "thead", "tbody", "tfoot", "tr", "colgroup"}  # no text straight inside
TABLE_ROW = "<table><tbody><tr>{}</tr></tbody></table>"
INSIDE = {  # where HTML puts the elements that belong in another
    **dict.fromkeys(("caption", "colgroup", "tbody", "thead", "tfoot"), "<table>{}</table>"),
    "col": "<table><colgroup>{}</colgroup></table>",
    "tr": "<table><tbody>{}</tbody></table>",
    **dict.fromkeys(("td", "th"), TABLE_ROW),
    **dict.fromkeys(("dd", "dt"), "<dl>{}</dl>"),
    "figcaption": "<figure>{}</figure>",
    "li": "<ul>{}</ul>",
    **dict.fromkeys(("rp", "rt"), "<ruby>x{}</ruby>"),
    **dict.fromkeys(("source", "track"), "<video>{}</video>"),
    "summary": "<details>{}</details>",
}


@pytest.mark.parametrize("element", ALLOWED_ELEMENTS)
def test_each_allowed_element_passes_with_every_allowed_attribute(element):
    """Raw HTML: "**Allowed elements**: `a`, `abbr`, …, `wbr`, and comments"; "**Allowed attributes**: on
    every element `id`, `class`, `title`, `lang`, `dir`, `role`, `hidden`, `translate` and `aria-…`; besides,
    the usual ones of each element: …" (content.md)"""
    attributes = f"{GLOBAL_ATTRIBUTES} {OWN_ATTRIBUTES.get(element, '')}".strip()
    tag = f"<{element} {attributes}>" + (
        "" if element in VOID else f"{'' if element in EMPTY else 'x'}</{element}>"
    )
    markup = INSIDE.get(element, "{}").format(tag) + "\n<!-- a note for the next editor -->\n"
    assert [(v.kind, v.what) for v in violations(markup, POLICY)] == []


def test_media_may_come_from_the_site_s_own_host(mini_site, run_cli):
    """Raw HTML: "**Images, video and sound** come from the site itself: a path such as `/assets/…`, or an
    address on the site's own host (`base_url`)." (content.md) Links: "An address of the site itself
    written in full [...] is read as its path: [...] a file of `assets/` named so gets its published
    copy." (content.md)"""
    own = "https://lsh.amsterdam/assets/favicon.svg"
    image = f'<img src="{own}" srcset="{own} 2x" alt="The logo" width="8" height="8">'
    body = f"We publish the figures.\n\n<p>{image}</p>\n"
    write_tree(mini_site, about_en(body))
    code, _, err = run_cli("-C", mini_site, "-q", "build")
    assert (code, err) == (0, "")
    page = html(mini_site, "en/about/index.html")
    [published] = re.findall(r"/assets/favicon\.[0-9a-f]{8}\.svg", page)[:1]
    assert (mini_site / "build" / published.lstrip("/")).is_file()
    assert f"src={published}" in page and f"{published} 2x" in page and own not in page


def test_a_style_attribute_is_refused(mini_built, run_cli):
    """Raw HTML: "**Styles** belong in `assets/site.css`: a `style` attribute is refused, since the site's
    content security policy makes browsers ignore it. Give the element a class and style the class."
    (content.md)"""
    root, before = mini_built
    write_tree(root, about_en('We publish the figures.\n\n<p style="color: red">Red.</p>\n'))
    expected = (
        f"{ABOUT_EN}:8: raw HTML that is not allowed ('style=\"') in the content (hint: browsers ignore "
        "inline styles under the site's CSP: give the element a class and style it in assets/site.css)"
    )
    assert_failed_cleanly(root, before, built_cli(run_cli, "-C", root, "build"), [expected])


@pytest.mark.parametrize(
    ("markup", "refused"),
    [
        ('<select name="x"><option>a</option></select>', (SUBMISSION, "<select")),
        ("<textarea>x</textarea>", (SUBMISSION, "<textarea")),
        ("<template><p>x</p></template>", (NOT_ALLOWED, "<template")),
        ('<p>x</p class="y">', (NOT_ALLOWED, "</p")),
    ],
    ids=["select", "textarea", "template", "end tag with more than its name"],
)
def test_what_the_list_of_refused_html_names_is_refused(markup, refused):
    """Raw HTML: "**Refused**, among others: … forms and their fields (`<form>`, `<input>`, `<button>`,
    `<select>`, `<textarea>`, …); … `<noscript>`, `<template>` and `<![CDATA[`; a tag left without its closing
    `>`, an end tag with more than its name, and a comment that ends other than with `-->`." (content.md)"""
    assert refused in [(v.kind, v.what) for v in violations(markup, POLICY)]


# --- content.md: the examples of what the build says -----------------------------------------------


def on_line(root: Path, example: str, old: str, new: str) -> None:
    """In the file an example names (``path:line: …``), the first line with ``old`` on it made ``new``
    (an empty ``old``: the first empty line below the front matter becomes ``new``). The line is found by
    what is on it, not by the example's number, so that editing the content above it breaks no test."""
    path = root / example.split(":")[0]
    lines = path.read_text("utf-8").split("\n")
    body = lines.index("---", 1) + 1 if lines[0] == "---" else 0
    if old:
        (index,) = [n for n, line in enumerate(lines) if old in line][:1]
    else:
        index = lines.index("", body)
    lines[index] = lines[index].replace(old, new, 1) if old else new
    path.write_text("\n".join(lines), "utf-8")


def unnumbered(lines: list[str] | str) -> list[str]:
    """``lines`` (or the lines of a text) with the line number each names after its file (``path:12:``)
    left out: the examples show lines of the real content, which editors change."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    return [re.sub(r"^(\S+?):\d+:", r"\1:…:", line) for line in lines]


def test_the_links_of_the_examples_that_lead_nowhere_are_reported_as_shown(tmp_path, run_cli):
    """Translations: "A link to a file that does not exist is reported with the file that was most likely
    meant ... (a link to `kerncijfers.md` while the Dutch key figures are `key-figures.md`)" and "A link to a
    place on a page (`swot.md#strength`) whose page has no element of that id is reported with the id most
    like it" (content.md): each example, its link written so in the real content, is what check says."""
    root = real_site(tmp_path)
    misnamed = documented("docs/content.md", "the link 'kerncijfers.md'")
    misplaced = documented("docs/content.md", "the link 'swot.md#strength'")
    on_line(root, misnamed, "(key-figures.md)", "(kerncijfers.md)")
    on_line(root, misplaced, "(swot.md)", "(swot.md#strength)")
    code, _, err = run_cli("-C", root, "check")
    assert code == 1
    assert set(unnumbered([misnamed, misplaced])) <= set(unnumbered(err))


def test_the_contact_example_builds_and_an_address_that_is_not_one_is_refused_as_shown(tmp_path, run_cli):
    """Contact: the example of `contact:` is a valid setting, and "an e-mail address that is not one ...
    stops the build, naming the line in `site.yaml`" as the example shows, in the real site.yaml."""
    root = real_site(tmp_path)
    settings = (root / "site.yaml").read_text("utf-8")
    (root / "site.yaml").write_text(
        settings.split("\ncontact:\n")[0] + "\n" + documented("docs/content.md", "contact:") + "\n", "utf-8"
    )
    assert [(entry.name, entry.email, entry.signup) for entry in load_config(root).contact_entries("nl")] == [
        ("LSH-programmateam", "lsh@example.org", ""),
        ("Smart Health Amsterdam", "", "https://example.org/newsletter"),
    ]
    (root / "site.yaml").write_text(settings, "utf-8")
    example = documented("docs/content.md", "is not an e-mail address")
    on_line(root, example, "email:", "email: lsh(at)example.org")
    code, _, err = run_cli("-C", root, "build")
    assert (code, unnumbered(err)) == (1, unnumbered(example))


def test_an_unknown_topic_is_refused_as_the_example_shows(tmp_path, run_cli):
    """Topics: "a key a news item lists that `site.yaml` does not declare:
    `content/en/news/2021-01-01-webinar-ema.md:7: unknown topic 'regulation' (hint: …)`" (content.md)"""
    root = real_site(tmp_path)
    example = quoted("docs/content.md", "unknown topic 'regulation'")
    on_line(root, example, "topics: [ema,", "topics: [regulation,")
    code, _, err = run_cli("-C", root, "build")
    assert (code, unnumbered(err)) == (1, unnumbered(example))


def test_the_raw_html_examples_are_what_the_build_says(tmp_path, run_cli):
    """Raw HTML: "The build ... refuse[s] a page that breaks these limits, with one line per problem:"
    `content/en/about.md:12: raw HTML that loads from another host (…)`; "The same limits hold for
    Markdown's links and images, whose problem is named by the address as you wrote it: `a link or image
    that runs code ('javascript:alert(1)') in the content`" (content.md)"""
    root = real_site(tmp_path)
    example = documented("docs/content.md", "raw HTML that loads from another host")
    image = '<img src="https://example.org/logo.png" alt="The logo" width="80" height="40">'
    on_line(root, example, "", image + "\n")
    code, _, err = run_cli("-C", root, "build")
    assert (code, unnumbered(err)) == (1, unnumbered(example))
    edit(root, ABOUT_EN, image, "[The logo](javascript:alert(1))")
    code, _, err = run_cli("-C", root, "build")
    (line,) = err.splitlines()
    assert code == 1 and f": {quoted('docs/content.md', 'runs code')} (hint: " in line


def test_what_the_build_held_back_is_said_as_the_example_shows():
    """Scheduled publishing: "`site-builder build` says what it held back and when the next page is due"
    (content.md): the example is the line tests/test_schedule.py finds the build printing."""
    assert documented("docs/content.md", "held back") == HELD_BACK


def test_the_examples_of_when_something_is_wrong_are_what_an_editor_sees(tmp_path, run_cli):
    """When something is wrong: "The build stops and names the file and line, for example:" a date that is
    no date and a quote left open, each in the real news item the example names; and the date's message in
    Dutch "when your computer is set to Dutch (`LANG=nl_NL.UTF-8`, or `LANGUAGE=nl`)" (content.md)"""
    root = real_site(tmp_path)
    example = documented("docs/content.md", "is not a valid date")
    quote, date = example.splitlines()
    on_line(root, quote, "title: ", 'title: "')
    on_line(root, date, "date: 2017-11-20", "date: 2017-11-31")
    code, _, err = run_cli("-C", root, "build")
    assert (code, unnumbered(err)) == (1, unnumbered(example))
    on_line(root, quote, 'title: "', "title: ")
    dutch = documented("docs/content.md", "is geen geldige datum")
    for setting in ({"LANG": "nl_NL.UTF-8"}, {"LANGUAGE": "nl"}):
        done = run_process("-C", root, "build", env=setting)
        assert (done.returncode, unnumbered(done.stderr)) == (1, unnumbered(dutch)), setting


# --- translating.md: what needs translating -------------------------------------------------------


def test_the_translation_table_counts_as_its_example_shows(mini_site, run_cli, tmp_path_factory):
    """What needs translating?: "prints a table per language, then the files to act on:" "language  pages
    translated missing  stale  orphaned" … "stale     content/en/about.md (changed since:
    content/nl/about.md)"; the example is what the real site shows with an English news item missing and
    the English about page stale. (translating.md)"""
    assert run_cli("-C", mini_site, "translations", "done", mini_site / ABOUT_EN, "--from", "nl")[0] == 0
    edit(mini_site, "content/nl/about.md", "van de regio.", "van de regio Amsterdam.")
    (mini_site / "content/en/swot.md").unlink()
    code, out, _ = run_cli("-C", mini_site, "translations")
    assert code == 0
    assert out.splitlines() == [
        "language  pages  translated  missing  stale  orphaned",
        "en            7           7        1      1         0",
        "nl            8           7        0      0         0",
        "missing   content/en/swot.md",
        "stale     content/en/about.md (changed since: content/nl/about.md)",
    ]
    root = stale_about(tmp_path_factory.mktemp("real"))
    example = documented("docs/translating.md", "language  pages  translated")
    missing = example.splitlines()[3].split()[1]
    (root / missing).unlink()
    code, out, _ = run_cli("-C", root, "translations")
    # The counts are the real site's, which grow with every page added.
    assert (code, re.sub(r"\b\d+\b", "N", out.strip())) == (0, re.sub(r"\b\d+\b", "N", example))


TABLE_HINT_STALE = "(hint: update this page, then run: site-builder translations done {})"


def _stale(root: Path, run_cli) -> list[str]:
    assert run_cli("-C", root, "translations", "done", root / EN_MOU, "--from", "nl")[0] == 0
    edit(root, NL_MOU, "De gemeente", "De Gemeente")
    return [f"{EN_MOU}:6: {NL_MOU} has changed since this translation {TABLE_HINT_STALE.format(EN_MOU)}"]


def _orphaned(root: Path, run_cli) -> list[str]:
    assert run_cli("-C", root, "translations", "done", root / EN_MOU, "--from", "nl")[0] == 0
    (root / NL_MOU).unlink()
    return [
        f"{EN_MOU}: no Dutch translation (hint: add {NL_MOU}, or give both pages the same translation_key)",
        (
            f"{EN_MOU}:6: the page this was translated from no longer exists "
            "(hint: remove the translated_from line, or restore the source page)"
        ),
    ]


def _news_date(root: Path, run_cli) -> list[str]:
    edit(root, NL_MOU, "date: 2019-09-26", "date: 2019-09-25")
    return [
        (
            f"{NL_MOU}:5: date 2019-09-25 differs from {EN_MOU}:5 (2019-09-26) "
            "(hint: a news item and its translation have the same date)"
        )
    ]


def _date_precision(root: Path, run_cli) -> list[str]:
    edit(root, NL_MOU, "date: 2019-09-26", "date: 2019-09-26\ndate_precision: month")
    return [
        (
            f"{NL_MOU}:6: date_precision month differs from {EN_MOU} (day) "
            "(hint: a news item and its translation have the same date_precision)"
        )
    ]


def _ui_string(root: Path, run_cli) -> list[str]:
    edit(root, PO_NL, 'msgstr "Kruimelpad"', 'msgstr ""')
    line = (root / PO_NL).read_text("utf-8").splitlines().index('msgid "Breadcrumb"') + 1
    return [f"{PO_NL}:{line}: 'Breadcrumb' has no translation (hint: fill in its msgstr)"]


def _missing(root: Path, run_cli) -> list[str]:
    (root / "content/en/swot.md").unlink()
    return [
        (
            "content/nl/swot.md: no English translation "
            "(hint: add content/en/swot.md, or give both pages the same translation_key)"
        )
    ]


@pytest.mark.parametrize(
    "problem",
    [_stale, _orphaned, _news_date, _date_precision, _ui_string, _missing],
    ids=["stale", "orphaned", "news dates", "news date precision", "UI string", "missing translation"],
)
def test_a_warning_of_the_build_is_an_error_of_strict_and_check(mini_site, run_cli, problem):
    """Warnings, errors and `--strict`: "stale or orphaned translation, news dates that differ | warning |
    error"; "UI strings missing, empty, fuzzy or unused in a catalogue | warning | error"; "missing
    translation | warning … | error"; "news items: the same `date` and `date_precision`" (translating.md)"""
    lines = problem(mini_site, run_cli)
    code, _, err = run_cli("-C", mini_site, "-q", "build")
    assert (code, err.splitlines()) == (0, [f"warning: {line}" for line in lines])
    for command in (("build", "--strict"), ("check",)):
        code, _, err = run_cli("-C", mini_site, "-q", *command)
        assert (code, err.splitlines()) == (1, lines), command


@needs_git
def test_a_shallow_clone_cannot_show_what_changed_and_says_so(tmp_path, run_cli, monkeypatch):
    """Where the earlier text comes from: "When neither has that text, `translations diff` says so in one line
    and exits with status 1 … That happens when a page was marked done, before copies were kept, while …; or
    in a shallow clone (`git clone --depth …`: run `git fetch --unshallow` first)" (translating.md)"""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = repository(tmp_path / "site")
    version = mark_by_hand(root, EN_MOU, NL_MOU)
    commit(root, "Translated")
    edit(root, NL_MOU, "tekenden", "ondertekenden")
    commit(root, "Changed")
    assert run_cli("-C", root, "translations", "diff", root / EN_MOU)[0] == 0  # the history holds it
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", root.as_uri(), str(clone))
    code, out, err = run_cli("-C", clone, "translations", "diff", clone / EN_MOU)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        (
            f"{EN_MOU}:6: .translated/en/news/2019-09-26-mou.md holds no copy of {NL_MOU} as it was translated "
            f"(nl:{version}), and no commit in the git history holds that version (hint: compare the two pages "
            "by hand, then run site-builder translations done: from then on a copy is kept)"
        )
    ]


# --- translating.md: a translation agency ---------------------------------------------------------


def test_an_export_without_o_goes_to_standard_output_and_says_what_it_holds(mini_site, run_cli, caplog):
    """Sending the work out: "writes one file with every English page that is missing or stale
    (`--changed`); without it, also every English page translated and up to date, [...] Without `-o` the
    file goes to standard output. The command says how many pages and units it holds" (translating.md)"""
    assert run_cli("-C", mini_site, "translations", "done", mini_site / EMA_EN, "--from", "nl")[0] == 0
    (mini_site / "content/en/swot.md").unlink()
    with caplog.at_level(logging.INFO, logger="site_builder"):
        code, out, _ = run_cli("-C", mini_site, "translations", "export", "--to", "en")
    assert code == 0
    document = etree.fromstring(out.encode("utf-8"))
    files = [file.get("original") for file in document.xpath("//x:file", namespaces=NS)]
    assert files == [EMA_NL, "content/nl/swot.md"]
    count = len(document.xpath("//x:trans-unit", namespaces=NS))
    assert caplog.messages == [f"pages to translate into 'en': 2 (units: {count})"]


def test_an_export_with_nothing_to_translate_writes_no_file(mini_site, run_cli, caplog):
    """Sending the work out: "if nothing needs translating it says so and writes no file." (translating.md)"""
    out = mini_site.parent / "lsh-en.xlf"
    with caplog.at_level(logging.INFO, logger="site_builder"):
        code, _, _ = run_cli("-C", mini_site, "translations", "export", "--to", "en", "--changed", "-o", out)
    assert (code, caplog.messages) == (0, ["nothing to translate into 'en'"])
    assert not out.exists()


def test_a_translation_formatted_otherwise_than_its_source_goes_out_as_a_note(mini_site, run_cli):
    """Sending the work out: "Where the translation's formatting differs from the source's (a word in italics
    in one language only), the unit has no target and the current translation is in its note."
    (translating.md)"""
    edit(mini_site, EMA_EN, "staff now work", "staff *now* work")
    assert run_cli("-C", mini_site, "translations", "done", mini_site / EMA_EN, "--from", "nl")[0] == 0
    found = units(export(run_cli, mini_site), EMA_NL)
    assert (
        found["title"].findtext("x:target", namespaces=NS)
        == "The European Medicines Agency opens its Amsterdam office"
    )
    assert found["body/1"].find("x:target", NS) is None
    assert found["body/1"].findtext("x:note", namespaces=NS) == (
        "The current translation, whose formatting or links differ from the source's: "
        "About 900 EMA staff *now* work at the Zuidas."
    )


def test_the_current_translation_goes_out_though_only_one_page_has_a_setting(mini_site, run_cli):
    """Sending the work out: "the current translation as the target of each unit, where there is one [...]
    Where the translation's formatting differs from the source's [...] the current translation is in its
    note." (translating.md): the Dutch about page has a slug, the English one none, and that takes neither
    the target nor the note from the text's blocks."""
    assert run_cli("-C", mini_site, "translations", "done", mini_site / ABOUT_EN, "--from", "nl")[0] == 0
    data = export(run_cli, mini_site)
    assert schema().validate(etree.fromstring(data))
    found = units(data, ABOUT_NL)
    assert found["slug"].find("x:target", NS) is None  # English has no slug to be its translation
    target = found["body/1"].find("x:target", NS)
    assert target.get("state") == "translated"
    assert "".join(target.itertext()) == "We publish the [key figures](key-figures.md) of the region."
    edit(mini_site, ABOUT_EN, "of the region", "of the *region*")
    assert run_cli("-C", mini_site, "translations", "done", mini_site / ABOUT_EN, "--from", "nl")[0] == 0
    data = export(run_cli, mini_site)
    assert schema().validate(etree.fromstring(data))
    found = units(data, ABOUT_NL)
    assert found["body/1"].find("x:target", NS) is None
    assert found["body/1"].findtext("x:note", namespaces=NS) == (
        "The current translation, whose formatting or links differ from the source's: "
        "We publish the [key figures](key-figures.md) of the *region*."
    )


LINK = '<bpt id="1">[</bpt>EMA<ept id="1">](../about.md)</ept>'
NEW_TEXT = f"About 900 {LINK} staff now work at the Zuidas in Amsterdam."


def stale_export(root: Path, run_cli) -> bytes:
    """The mini site's EMA item, translated (its English with an old address and held back as a draft), then
    changed in Dutch: the export of what needs translating again."""
    edit(root, EMA_EN, "900 EMA staff", "900 [EMA](../about.md) staff")
    edit(root, EMA_EN, "date: 2019-06-12\n", "date: 2019-06-12\naliases: [/en/ema/]\ndraft: true\n")
    edit(root, EMA_NL, "van het EMA", "van het [EMA](../about.md)")
    assert run_cli("-C", root, "translations", "done", root / EMA_EN, "--from", "nl")[0] == 0
    edit(root, EMA_NL, "op de Zuidas.", "op de Zuidas in Amsterdam.")
    data = export(run_cli, root, "--changed")
    assert units(data, EMA_NL)["body/1"].find("x:target", NS).get("state") == "needs-review-translation"
    return data


@pytest.mark.parametrize("state", ["translated", "signed-off", "final"])
def test_a_page_whose_units_are_confirmed_is_taken_in(mini_site, run_cli, state):
    """For the agency: "Confirm each unit (state `translated`, `signed-off` or `final`, or approved): a page
    is taken in when all its units are." (translating.md)"""
    data = set_target(stale_export(mini_site, run_cli), EMA_NL, "body/1", NEW_TEXT, state)
    code, out, err = import_(run_cli, mini_site, data)
    assert (code, out.splitlines()) == (0, [EMA_EN]), err
    assert "staff now work at the Zuidas in Amsterdam.\n" in (mini_site / EMA_EN).read_text("utf-8")


@pytest.mark.parametrize("state", [None, "new", "needs-translation", "needs-review-translation"])
def test_a_page_with_a_unit_not_translated_yet_is_left_as_it_is_and_named(mini_site, run_cli, caplog, state):
    """Taking the work in: "A page of which some units are not translated yet (a target missing, or marked
    `new`, `needs-translation` or `needs-review-…`) is left as it is and named" (translating.md)"""
    data = set_target(stale_export(mini_site, run_cli), EMA_NL, "body/1", NEW_TEXT, state)
    if state is None:  # no target at all
        document = etree.fromstring(data)
        for target in document.xpath("//x:trans-unit[@id='body/1']/x:target", namespaces=NS):
            target.getparent().remove(target)
        data = etree.tostring(document)
    before = (mini_site / EMA_EN).read_bytes()
    caplog.clear()
    code, out, _ = import_(run_cli, mini_site, data)
    assert (code, out) == (0, "")
    assert f"not imported, not finished: {EMA_EN} (1 of 3 units not translated)" in caplog.messages
    assert (mini_site / EMA_EN).read_bytes() == before


def test_an_imported_translation_keeps_its_own_aliases_and_draft_lines(mini_site, run_cli):
    """Taking the work in: "an existing translation keeps its own `aliases` and `draft` lines"
    (translating.md)"""
    data = set_target(stale_export(mini_site, run_cli), EMA_NL, "body/1", NEW_TEXT)
    assert import_(run_cli, mini_site, data)[0] == 0
    text = (mini_site / EMA_EN).read_text("utf-8")
    assert "\naliases: [/en/ema/]\ndraft: true\n" in text
    assert text.endswith("---\nAbout 900 [EMA](../about.md) staff now work at the Zuidas in Amsterdam.\n")


def test_an_imported_translation_keeps_the_settings_its_source_has_none_of(mini_site, run_cli):
    """Taking the work in: "an existing translation keeps its own `aliases` and `draft` lines, and every
    setting its source has none of (a `menu_title` of its own, say)" (translating.md): the English page
    has a summary and aliases the Dutch translation lacks, which has a menu_title of its own."""
    edit(
        mini_site,
        EMA_EN,
        "date: 2019-06-12\n",
        "date: 2019-06-12\nsummary: EMA moved.\naliases: [/en/ema/]\n",
    )
    edit(mini_site, EMA_NL, "slug: ema-opent-kantoor\n", "slug: ema-opent-kantoor\nmenu_title: EMA-kantoor\n")
    assert run_cli("-C", mini_site, "translations", "done", mini_site / EMA_NL, "--from", "en")[0] == 0
    data = export(run_cli, mini_site, to="nl")
    data = set_target(data, EMA_EN, "summary", "Het EMA is verhuisd.")
    data = set_target(data, EMA_EN, "body/1", "Ongeveer 900 medewerkers van het EMA werken nu op de Zuidas.")
    code, out, err = import_(run_cli, mini_site, data)
    assert (code, out.split()) == (0, [EMA_NL]), err
    text = (mini_site / EMA_NL).read_text("utf-8")
    assert "\nmenu_title: EMA-kantoor\n" in text  # no unit of the import is its text
    assert "\nsummary: Het EMA is verhuisd.\n" in text and "aliases" not in text  # nor the English addresses
    assert text.endswith("---\nOngeveer 900 medewerkers van het EMA werken nu op de Zuidas.\n")


@pytest.mark.parametrize("blocks", ["the same", "one more in English"])
def test_an_imported_translation_keeps_its_own_settings_that_are_not_text(mini_site, run_cli, blocks):
    """Taking the work in: "it writes the page (replacing the text of each unit and nothing else)",
    and an existing translation keeps "its own value of each setting that holds no words (a `weight`,
    an `image`)" (translating.md): the Dutch item keeps its own weight, and its own photo without the English one's
    focal point, whether its blocks are the English item's (its units written in place) or not (the page
    made again from the English one); the photo's description is a unit and takes the agency's text."""
    edit(
        mini_site,
        EMA_EN,
        "date: 2019-06-12\n",
        "date: 2019-06-12\nweight: 3\nimage: images/office.jpg\nimage_alt: The office\nfocal_point: [10, 20]\n",
    )
    if blocks == "one more in English":
        edit(mini_site, EMA_EN, "at the Zuidas.\n", "at the Zuidas.\n\nIt opened in June.\n")
    edit(
        mini_site,
        EMA_NL,
        "date: 2019-06-12\n",
        "date: 2019-06-12\nweight: 7\nimage: images/kantoor.jpg\nimage_alt: Het kantoor\n",
    )
    assert run_cli("-C", mini_site, "translations", "done", mini_site / EMA_NL, "--from", "en")[0] == 0
    data = export(run_cli, mini_site, to="nl")
    data = set_target(data, EMA_EN, "image_alt", "Het kantoor van het EMA")
    data = set_target(data, EMA_EN, "body/1", "Ongeveer 900 medewerkers van het EMA werken nu op de Zuidas.")
    if blocks == "one more in English":
        data = set_target(data, EMA_EN, "body/2", "Het opende in juni.")
    code, out, err = import_(run_cli, mini_site, data)
    assert (code, out.split()) == (0, [EMA_NL]), err
    text = (mini_site / EMA_NL).read_text("utf-8")
    front, body = text.removeprefix("---\n").split("---\n", 1)
    assert front == (  # both ways the same, the translation's but for the photo's description
        "title: Het Europees Geneesmiddelenbureau opent kantoor in Amsterdam\nslug: ema-opent-kantoor\n"
        "date: 2019-06-12\nweight: 7\nimage: images/kantoor.jpg\nimage_alt: Het kantoor van het EMA\n"
        f"translated_from: en:{_version(mini_site / EMA_EN)}\n"
    )
    assert body.startswith("Ongeveer 900 medewerkers van het EMA werken nu op de Zuidas.\n")
    assert body.endswith("Het opende in juni.\n") == (blocks == "one more in English")


REFUSED = {
    "a tag put after its partner": (
        lambda data: set_target(
            data,
            EMA_NL,
            "body/1",
            NEW_TEXT.replace(LINK, '<ept id="1">](../about.md)</ept>EMA<bpt id="1">[</bpt>'),
        ),
        (
            "unit 'body/1': tag 1 closes before it opens "
            "(hint: keep the opening tag of a pair before its closing tag)"
        ),
    ),
    "a slug that is no web address": (
        lambda data: set_target(set_target(data, EMA_NL, "body/1", NEW_TEXT), EMA_NL, "slug", "EMA Opens!"),
        (
            f"{EMA_EN} would not be a valid page: slug 'EMA Opens!' is not URL-safe "
            "(hint: use lower-case letters a-z, digits and single hyphens, such as over-ons)"
        ),
    ),
    "a document type declaration holding nothing": (
        lambda data: set_target(data, EMA_NL, "body/1", NEW_TEXT).replace(
            b"<xliff ", b"<!DOCTYPE xliff>\n<xliff ", 1
        ),
        "the file has a document type declaration (<!DOCTYPE …>), which XLIFF does not use (hint: ",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_the_import_refuses_a_file_in_one_line_and_writes_nothing(mini_site, run_cli, case):
    """Taking the work in: "The import refuses a file, in one line naming it (and the line in it where that is
    known), with a hint, when: … a tag was dropped, added or put after its partner …; a target would make the
    page invalid (a slug that is no web address, …); the file is not XLIFF 1.2 as exported: … a `<!DOCTYPE`
    (refused whatever it holds …)" (translating.md)"""
    spoil, said = REFUSED[case]
    data = spoil(stale_export(mini_site, run_cli))
    before = read_tree(mini_site / "content")
    code, out, err = import_(run_cli, mini_site, data)
    assert (code, out) == (1, "")
    (line,) = err.splitlines()
    assert re.fullmatch(re.escape(str(mini_site.parent / "agency.xlf")) + r":\d+: .*", line)
    assert said in line
    assert read_tree(mini_site / "content") == before


# --- translating.md: the examples of what the tool says ------------------------------------------


def as_pattern(example: str) -> str:
    """``example`` as a regular expression: a page's version there (`nl:3f9a1c2e7b4d`) stands for any
    version, a line number for any, and `…` (with the space before it) for any text on its line."""
    pattern = re.sub(r"(nl|en):[0-9a-f]{12}", r"\1:[0-9a-f]{12}", re.escape(example))
    # The line numbers of the real content, which editors change.
    pattern = re.sub(r"(line\\ |:)\d+", r"\1\\d+", pattern)
    return pattern.replace("\\ …", ".*").replace("…", ".*")


def stale_about(tmp_path: Path) -> Path:
    """The real site, its Dutch about page changed since the English one was translated as the
    examples of translating.md show: a weight and a sentence."""
    root = real_site(tmp_path)
    edit(root, ABOUT_NL, "\nweight: 50\n", "\nweight: 55\n")
    edit(root, ABOUT_NL, "met bedrijven.", "met bedrijven. Dit is een nieuwe zin.")
    return root


def test_the_example_of_what_changed_since_the_translation_is_what_diff_shows(tmp_path, run_cli):
    """What changed since the translation?: "Every change is shown with the line it is on in the source now,
    in the front matter or in the text below it" as the example shows (translating.md), for the real
    about page."""
    root = stale_about(tmp_path)
    code, out, err = run_cli("-C", root, "translations", "diff", root / ABOUT_EN)
    assert (code, err) == (0, "")
    assert re.fullmatch(as_pattern(documented("docs/translating.md", "front matter, line")), out.strip())


@needs_git
def test_the_example_of_a_translation_whose_earlier_source_is_nowhere(tmp_path, run_cli, monkeypatch):
    """Where the earlier text comes from: "When neither has that text, `translations diff` says so in one
    line and exits with status 1:" as the example shows (translating.md), for the real about page
    committed after its source changed, without its copy."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = stale_about(tmp_path)
    (root / ".translated/en/about.md").unlink()
    git(root, "init", "-q", "-b", "main")
    commit(root, "The site")
    code, out, err = run_cli("-C", root, "translations", "diff", root / ABOUT_EN)
    assert (code, out) == (1, "")
    assert re.fullmatch(as_pattern(documented("docs/translating.md", "holds no copy of")), err.strip())


def test_the_examples_of_an_import_are_what_it_says(tmp_path, run_cli, caplog, monkeypatch):
    """Taking the work in: "A page of which some units are not translated yet ... is left as it is and
    named:" and "a source page has changed since the export: the line names the units whose text
    changed, for example `lsh-en.xlf:3: …`" (translating.md): the real about page, exported with
    `--changed` as "Sending the work out" shows, then changed in its title and third block."""
    root = stale_about(tmp_path)
    monkeypatch.chdir(root)
    assert run_cli("translations", "export", "--to", "en", "--changed", "-o", "lsh-en.xlf")[0] == 0
    caplog.clear()
    code, out, _ = run_cli("translations", "import", "lsh-en.xlf")  # the changed block still needs review
    assert (code, out) == (0, "")
    # The counts of units are the real page's, which editors change.
    count = re.compile(r"\d+ of \d+ units")
    expected = count.sub("N of N units", documented("docs/translating.md", "not imported, not finished"))
    assert expected in [count.sub("N of N units", message) for message in caplog.messages]
    edit(root, ABOUT_NL, "title: Over het programma", "title: Over ons programma")
    edit(root, ABOUT_NL, "### De gemeente Amsterdam", "### De gemeente")
    code, out, err = run_cli("translations", "import", "lsh-en.xlf")
    assert (code, out) == (1, "")
    assert re.fullmatch(
        as_pattern(quoted("docs/translating.md", "has changed since the export")), err.strip()
    )


def test_the_example_of_a_key_figure_that_differs_is_what_the_build_says(tmp_path, run_cli):
    """Facts that must agree: "A difference names both files, for example:" (translating.md), the real key
    figure's value changed in Dutch."""
    root = real_site(tmp_path)
    example = documented("docs/translating.md", "differs from content/en/key-figures.md")
    edit(
        root,
        "content/nl/key-figures.md",
        "  - id: lsh-jobs-nl\n    value: 65000",
        "  - id: lsh-jobs-nl\n    value: 60000",
    )
    code, _, err = run_cli("-C", root, "build")
    assert (code, unnumbered(err)) == (1, unnumbered(example))


# --- translating.md: the tool's own messages -----------------------------------------------------


def test_argparse_s_own_words_stay_english_in_dutch_help():
    """The tool's own messages: "Argparse's own words ("usage:", "options:") stay English." (translating.md)"""
    dutch = run_process("build", "--help", env={"LANG": "nl_NL.UTF-8", "COLUMNS": "200"})
    assert dutch.returncode == 0
    assert dutch.stdout.startswith("usage: site-builder build ") and "\noptions:\n" in dutch.stdout
    assert "uitvoermap (standaard: build/ in de map van de site)" in dutch.stdout


# --- deploy.md: the examples of what the tool says ------------------------------------------------


def with_deploy_targets(root: Path) -> Path:
    """``root`` with the `deploy:` of the example in "The target, in site.yaml" after its settings."""
    with (root / "site.yaml").open("a", encoding="utf-8") as settings:
        settings.write(documented("docs/deploy.md", "bucket: lsh-site") + "\n")
    return root


def test_the_deploy_examples_of_the_targets_and_a_secret_in_them(tmp_path, run_cli):
    """The target, in site.yaml: the example is a valid setting; "A key in site.yaml that would hold one
    [...] is refused:" as the example shows, the targets after the real settings (deploy.md)."""
    root = with_deploy_targets(real_site(tmp_path))
    targets = load_deploy_targets(root)
    assert [(t.name, t.bucket, t.prefix, t.endpoint) for t in targets] == [
        ("production", "lsh-site", "www/", None),
        ("staging", "lsh-staging", "", "https://s3.example.org"),
    ]
    example = documented("docs/deploy.md", "credentials do not belong in site.yaml")
    on_line(root, example, "    region:", "    aws_secret_access_key: 4F9dE1x0Q\n    region:")
    code, _, err = run_cli("-C", root, "build")
    assert (code, unnumbered(err)) == (1, unnumbered(example))


def test_the_deploy_examples_of_its_summary_and_of_refused_credentials(tmp_path):
    """What a deploy does: "at the end one line says what was done:" and "Mistakes change nothing and take
    one line [...] For example:" (deploy.md), for the production target of the example."""
    from botocore.exceptions import ClientError

    from site_builder.output import deploy

    summary = deploy.Summary(
        uploaded=7, unchanged=38, deleted=1, bytes=41_300, seconds=0.9, invalidated=("/en/",) * 9
    )
    said = summary.line(msg("deploy to {name}", name="production")).show()
    assert said == documented("docs/deploy.md", "deploy to production:")
    production = load_deploy_targets(with_deploy_targets(real_site(tmp_path)))[0]
    with pytest.raises(SiteError) as refused, deploy._store_errors(production):
        raise ClientError({"Error": {"Code": "InvalidAccessKeyId"}}, "ListObjectsV2")
    assert format_error(refused.value) == documented("docs/deploy.md", "refused the credentials")


def test_the_preview_s_warning_is_the_example_s():
    """The preview is not a server for visitors: with `--host 0.0.0.0` it "prints" the example's warning
    (deploy.md), the line tests/test_preview_safety.py finds the preview printing."""
    assert documented("docs/deploy.md", "the preview listens on") == PREVIEW_WARNING.format(host="0.0.0.0")


# --- the documentation's own links ----------------------------------------------------------------

DOCS = ("README.md", "docs/content.md", "docs/translating.md", "docs/deploy.md")


def prose(path: Path) -> str:
    """The text of a Markdown file without its code: the blocks between ``` and the spans between `."""
    return "".join("".join(path.read_text("utf-8").split("```")[0::2]).split("`")[0::2])


def anchors(path: Path) -> set[str]:
    """The places a link to ``path`` may name after #: its headings' ids, as GitHub makes them, and its
    own ``<a id="…">``."""
    text = "".join(path.read_text("utf-8").split("```")[0::2])
    headings = re.findall(r"^#+ (.+)$", text, re.MULTILINE)
    made = {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}
    return made | set(re.findall(r'<a id="([^"]+)"', text))


@pytest.mark.parametrize("doc", DOCS)
def test_each_link_of_the_documentation_leads_to_a_file_and_a_heading_that_exist(doc):
    """The README and the documents for editors and whoever publishes link to each other, to the
    benchmarks' results and to their own sections: each such link leads to a file of the repository, and
    its #part to a heading (or an ``<a id>``) of that file."""
    source = REPO / doc
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", prose(source)):
        if re.match(r"[a-z]+:", target):  # https:, mailto:: not the repository's
            continue
        file, _, part = target.partition("#")
        path = (source.parent / file).resolve() if file else source
        if not path.exists() or (part and part not in anchors(path)):
            broken.append(target)
    assert broken == []


# --- README: commands ------------------------------------------------------------------------------


def test_check_reports_the_mistakes_of_drafts_with_drafts(mini_site, run_cli):
    """README: `site-builder check [--drafts]` reports ... "(`--drafts`: drafts too)": a draft's
    broken link, which the preview shows, is left out of check without the option."""
    draft = mini_site / "content/en/news/2020-01-01-draft.md"
    draft.write_text(
        "---\ntitle: A draft\ndate: 2020-01-01\ndraft: true\n---\nSee [gone](nothing.md).\n", "utf-8"
    )
    code, _, err = run_cli("-C", mini_site, "check")
    assert code == 0 and "nothing.md" not in err, err
    code, _, err = run_cli("-C", mini_site, "check", "--drafts")
    assert code == 1
    assert "content/en/news/2020-01-01-draft.md:6: the link 'nothing.md' leads to no page (hint: " in err


def commands(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command of ``parser`` and its subcommands, as the words that name it (a command's own
    arguments, its subcommands among them, are added as it is used: ``cli._CommandParser``)."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                add, sub._arguments = getattr(sub, "_arguments", None), None
                if add is not None:
                    add(sub)
                found += [(*words, name), *commands(sub, (*words, name))]
    return found


def test_every_command_has_help(run_cli):
    """README, Commands: "every command has `--help`"."""
    from site_builder.cli import _parser

    every = commands(_parser())
    assert {("build",), ("serve",), ("translations", "import"), ("deploy",), ("i18n",)} <= set(every)
    for words in every:
        code, out, err = run_cli(*words, "--help")
        assert (code, err) == (0, ""), words
        assert out.startswith(f"usage: site-builder {' '.join(words)} "), words


class CountedPool(concurrent.futures.ProcessPoolExecutor):
    """A pool of worker processes that notes how many workers each was given."""

    started: list[int] = []

    def __init__(self, max_workers=None, *args, **kwargs):
        CountedPool.started.append(max_workers)
        super().__init__(max_workers, *args, **kwargs)


def test_jobs_1_builds_in_this_process_alone_and_the_default_is_one_process_per_core(
    mini_site, run_cli, monkeypatch
):
    """README, Commands: "`--jobs N` converts Markdown, and on Linux renders pages (from 256 on), in `N`
    processes (default: one per core; `--jobs 1`: this process alone)." The mini site's 16 pages are
    converted in as many processes as asked for, up to one a page."""
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", CountedPool)
    monkeypatch.setattr(CountedPool, "started", [])
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    out = mini_site.parent / "out"
    for jobs, started in ((["--jobs", "1"], []), (["--jobs", "2"], [2]), ([], [3])):
        CountedPool.started.clear()
        code, _, err = run_cli("-C", mini_site, "-q", "build", "--no-cache", "--out", out, *jobs)
        assert (code, err) == (0, ""), jobs
        assert CountedPool.started == started, jobs


def test_a_build_with_nothing_changed_says_build_is_up_to_date(mini_site):
    """README, the build cache: "The next build reuses what its inputs did not change; with nothing changed
    it says `build is up to date` and writes nothing." """
    assert run_process("-C", mini_site, "build").returncode == 0
    before = read_tree(mini_site / "build")
    again = run_process("-C", mini_site, "build")
    assert again.returncode == 0
    assert again.stderr.startswith(f"{mini_site / 'build'} is up to date: ")
    assert quoted("README.md", "is up to date") in again.stderr.splitlines()[0]
    assert read_tree(mini_site / "build") == before
