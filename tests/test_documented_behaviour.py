"""What docs/content.md and docs/translating.md promise editors and translators, where no other
test held the tool to the promise: each test's docstring quotes the sentence it covers.

The sites are the mini site of conftest.py, built and checked through the command line as an
editor runs it, and the repository's own content where the documentation names its pages.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from conftest import REPO
from test_bad_input import ABOUT_EN
from test_twins import edit

from site_builder.config import load_config
from site_builder.content.load import load_sources
from site_builder.site.model import build_site


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


# --- translating.md: what needs translating -------------------------------------------------------


def test_the_translation_table_counts_as_its_example_shows(mini_site, run_cli):
    """What needs translating?: "prints a table per language, then the files to act on:" "language  pages
    translated missing  stale  orphaned" … "stale     content/en/about.md (changed since:
    content/nl/about.md)"; in the example, the language with a page missing has that many pages less, and the
    other as many untranslated ones. (translating.md)"""
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
    docs = (REPO / "docs/translating.md").read_text("utf-8")
    example = docs.split("## What needs translating?", 1)[1].split("```\nlanguage", 1)[1].split("```", 1)[0]
    rows = {
        fields[0]: [int(n) for n in fields[1:]]
        for fields in (line.split() for line in example.splitlines()[1:3])
    }
    (en_pages, en_translated, en_missing, *_), (nl_pages, nl_translated, nl_missing, *_) = (
        rows["en"],
        rows["nl"],
    )
    assert en_pages + en_missing == nl_pages + nl_missing  # one group of translations each
    assert (en_translated, nl_translated) == (en_pages - nl_missing, nl_pages - en_missing)
