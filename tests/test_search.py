"""Site search (render/search.py): a Pagefind index per language, in bundles that the search
page merges, made by every build but the preview's.

The test site is this repository's own, with a Dutch draft, a news item held back until a
later day and a news item with a word of its own added. Searches run in Chromium, served by a
real nginx with the headers of ``site-builder nginx-config``.
"""

from __future__ import annotations

import datetime
import gzip
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import REPO, read_tree, run_process, write_tree
from test_csp_browser import LISTENER, SETTLED, needs_nginx
from test_nginx import nginx_serving

from site_builder.output.cdn import SEARCH_SCRIPT_SRC, content_security_policy
from site_builder.render import search

DRAFT_WORD = "zebravinkconcept"  # only in a draft: never found
LATER_WORD = "okapiboslater"  # only in a news item held back until a later day: never found
OWN_WORD = "ijsvogel"  # in a published news item of 2019: found


def make_project(root: Path) -> Path:
    for name in ("content", "templates", "assets", "translations"):
        shutil.copytree(REPO / name, root / name)
    for name in ("site.yaml", "babel.cfg"):
        shutil.copy2(REPO / name, root / name)
    later = datetime.date.today() + datetime.timedelta(days=400)
    write_tree(
        root / "content" / "nl",
        {
            "concept.md": f"""\
                ---
                title: Concept
                draft: true
                ---
                Een {DRAFT_WORD} in een concept.
                """,
            "news/later.md": f"""\
                ---
                title: Later nieuws
                date: {later.isoformat()}
                ---
                Een {LATER_WORD} die nog niet mag verschijnen.
                """,
            "news/2019-03-01-eigen.md": f"""\
                ---
                title: Een eigen bericht
                date: 2019-03-01
                ---
                Een {OWN_WORD} boven de gracht.
                """,
        },
    )
    return root


def fragments_text(folder: Path) -> str:
    """Everything the index holds of the pages' text (Pagefind's fragments are gzipped JSON)."""
    return "\n".join(
        gzip.decompress(path.read_bytes()).decode("utf-8") for path in sorted(folder.rglob("*.pf_fragment"))
    )


# A few news items a bundle: the test site's news is then cut into bundles by year, as a
# large site's is, and the search page merges them.
FEW = 4


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    from site_builder import pipeline

    root = make_project(tmp_path_factory.mktemp("search") / "site")
    # drafts and future: the draft and the later item have pages of their own, and still
    # are not indexed.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "BUNDLE_PAGES", FEW)
        pipeline.build(root, drafts=True, future=True)
    return root


def test_each_language_has_its_search_page_and_every_page_a_search_form(project):
    build = project / "build"
    assert (build / "en/search/index.html").is_file() and (build / "nl/zoeken/index.html").is_file()
    for lang, address in (("en", "/en/search/"), ("nl", "/nl/zoeken/")):
        pages = [p for p in (build / lang).rglob("*.html") if "404" not in p.name]
        assert len(pages) > 10
        for page in pages:
            html = page.read_text("utf-8")
            if page.parent.name in ("search", "zoeken"):
                assert f'action="{address}"' in html or f"action={address}" in html
                continue
            # The header's plain GET form (the minifier drops method=get, the default).
            [form] = re.findall(r"<form [^>]*class=site-search[^>]*>", html)
            assert f"action={address}" in form and "method" not in form, page
            assert re.search(r"<input [^>]*name=q", html)


def test_the_index_holds_published_pages_alone(project):
    index = project / "build" / search.SEARCH_FOLDER
    dutch, english = fragments_text(index / "nl"), fragments_text(index / "en")
    assert OWN_WORD in dutch and OWN_WORD not in english
    assert DRAFT_WORD not in dutch and LATER_WORD not in dutch
    # ... while their pages were built (--drafts --future).
    assert DRAFT_WORD in (project / "build/nl/concept/index.html").read_text("utf-8")
    # No list, search page or 404 page is in the index: each page once, by its own address.
    urls = [json.loads(text.split("pagefind_dcd", 1)[1])["url"] for text in dutch.split("\n") if text]
    assert len(urls) == len(set(urls))
    assert not any(u.startswith(("/nl/nieuws/pagina/", "/nl/zoeken/", "/nl/themas/")) for u in urls)
    assert "/nl/nieuws/" not in urls and "/nl/" in urls


def test_the_index_keeps_paragraphs_apart_in_the_minified_pages(project):
    """The index is made from the published pages, minified: a paragraph and a list item keep their
    end tags there, without which Pagefind ran one's text into the next one's in every result
    ("Published on 20 November 2017The Council of the European Union")."""
    index = project / "build" / search.SEARCH_FOLDER
    page = (project / "build/en/news/ema-comes-to-amsterdam/index.html").read_text("utf-8")
    assert "</p>" in page and "</li>" in page
    for text in (fragments_text(index / "en"), fragments_text(index / "nl")):
        assert re.search(r"(?:Published on|Gepubliceerd op) \d+ \w+ \d{4}\. ", text)
        assert not re.search(r"(?:19|20)\d\d[A-Z]", text)


def test_a_page_is_found_by_its_own_text_not_by_its_card_on_another(project):
    """The home page's latest news, a section's cards and a news item's links to its neighbours
    show other pages' titles and summaries: they are left out of the index, so that a search for
    a news item lists that item alone."""
    index = project / "build" / search.SEARCH_FOLDER
    found = {}
    for text in fragments_text(index / "en").split("\n"):
        if text:
            fragment = json.loads(text.split("pagefind_dcd", 1)[1])
            found[fragment["url"]] = fragment["content"]
    home = (project / "build/en/index.html").read_text("utf-8")
    assert "Latest news" in found["/en/"] and "news-card" in home
    assert "EMA comes to Amsterdam" in found["/en/news/ema-comes-to-amsterdam/"]
    holding = [url for url, content in found.items() if "EMA comes to Amsterdam" in content]
    assert holding == ["/en/news/ema-comes-to-amsterdam/"]
    card = "Amsterdam stakes out a distinctive proposition"  # the first pillar's summary, on its card
    assert card in found["/en/programme/proposition/"] and card not in found["/en/programme/"]


def test_each_language_has_a_bundle_per_year_of_news(project):
    index = project / "build" / search.SEARCH_FOLDER
    years = sorted(p.name for p in (index / "nl").iterdir())
    assert years[-1] == "pages" and "news-2019" in years and "news-2017" in years
    # The scripts and the WebAssembly are in the first bundle alone; the others are data.
    assert (index / "nl/pages/pagefind.js").is_file() and (index / "nl/pages/wasm.nl.pagefind").is_file()
    assert not list((index / "nl/news-2019").glob("*.js"))
    entry = (index / "nl/news-2019/pagefind-entry.json").read_text("utf-8")
    assert list(json.loads(entry)["languages"]) == ["nl"]
    html = (project / "build/nl/zoeken/index.html").read_text("utf-8")
    bundles = [f"/pagefind/nl/{name}/" for name in years]
    assert 'data-bundles="' + " ".join([bundles[-1]] + bundles[:-1]) + '"' in html


def test_the_index_is_the_same_from_build_to_build(project, tmp_path, monkeypatch):
    from site_builder import pipeline

    again = tmp_path / "again"
    monkeypatch.setattr(search, "BUNDLE_PAGES", FEW)
    pipeline.build(project, again, drafts=True, future=True)
    first = {p: d for p, d in read_tree(project / "build").items() if p.startswith("pagefind/")}
    second = {p: d for p, d in read_tree(again).items() if p.startswith("pagefind/")}
    assert len(first) > 20 and first == second


def test_an_edit_indexes_its_bundle_again_and_no_other(tmp_path, monkeypatch):
    from site_builder import pipeline

    root = make_project(tmp_path / "site")
    cache = tmp_path / "cache"
    monkeypatch.setattr(search, "BUNDLE_PAGES", FEW)
    pipeline.build(root, cache_dir=cache)
    before = read_tree(root / "build")
    indexed: list[str] = []
    index = search._index
    monkeypatch.setattr(search, "_index", lambda bundle: indexed.append(bundle.folder) or index(bundle))
    item = root / "content/nl/news/2019-03-01-eigen.md"
    item.write_text(item.read_text("utf-8").replace(OWN_WORD, "lepelaar"), "utf-8")
    pipeline.build(root, cache_dir=cache)
    assert indexed == ["pagefind/nl/news-2019/"]
    after = read_tree(root / "build")
    changed = {
        p for p in set(before) | set(after) if before.get(p) != after.get(p) and p.startswith("pagefind/")
    }
    assert changed and all(p.startswith("pagefind/nl/news-2019/") for p in changed)
    assert "lepelaar" in fragments_text(root / "build/pagefind/nl/news-2019")
    # What a cold build makes of the same files.
    cold = tmp_path / "cold"
    pipeline.build(root, cold)
    assert {p: d for p, d in read_tree(cold).items() if p.startswith("pagefind/")} == {
        p: d for p, d in after.items() if p.startswith("pagefind/")
    }


def test_pagefind_works_in_memory_and_leaves_nothing_there(tmp_path, monkeypatch):
    """Each bundle's pages are written out for Pagefind in a file system in memory where there
    is one (a disk's file system took as long to make their folders as Pagefind to index
    them), and removed once indexed: also when Pagefind fails."""
    import pagefind_bin

    from site_builder.stages import generate

    folder = search.scratch_folder()
    if os.access(search.MEMORY_FOLDER, os.W_OK | os.X_OK):
        assert folder == search.MEMORY_FOLDER
    else:
        assert folder == tempfile.gettempdir()
    root = make_project(tmp_path / "site")
    # Only this test's own scratch folders are looked at: other builds on the machine (tests
    # run side by side) make and remove theirs in the same place meanwhile.
    made_here: list[Path] = []
    make_folder = tempfile.mkdtemp
    monkeypatch.setattr(
        search.tempfile, "mkdtemp", lambda **how: made_here.append(Path(make_folder(**how))) or made_here[-1]
    )
    removed: list[Path] = []
    remove = search._remove
    monkeypatch.setattr(search, "_remove", lambda scratch: removed.append(scratch) or remove(scratch))
    made = generate(root)
    assert any(file.path.startswith("pagefind/") for file in made.files)
    assert made_here and {str(scratch.parent) for scratch in made_here} == {folder}
    assert set(removed) == set(made_here) and not any(scratch.exists() for scratch in made_here)
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setattr(pagefind_bin, "get_executable", lambda: broken)
    from site_builder.errors import SiteError

    made_here.clear()
    removed.clear()
    with pytest.raises(SiteError):
        generate(root)
    assert made_here and set(removed) == set(made_here) and not any(scratch.exists() for scratch in made_here)


def test_without_a_file_system_in_memory_pagefind_works_in_the_temporary_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "MEMORY_FOLDER", str(tmp_path / "no-such-folder"))
    search.scratch_folder.cache_clear()
    try:
        assert search.scratch_folder() == tempfile.gettempdir()
    finally:
        search.scratch_folder.cache_clear()


def test_the_preview_makes_no_index_and_says_so(tmp_path):
    from site_builder.stages import generate

    root = make_project(tmp_path / "site")
    made = generate(root, preview=True)
    paths = {file.path for file in made.files}
    assert not any(path.startswith("pagefind/") for path in paths)
    pages = {file.path: file.data.decode("utf-8") for file in made.files if file.path.endswith("index.html")}
    assert "data-bundles" not in pages["nl/zoeken/index.html"]
    assert "Search works on the built site: the preview does not make" in pages["en/search/index.html"]
    assert "Zoeken werkt op de gebouwde site: het voorbeeld maakt" in pages["nl/zoeken/index.html"]


def test_search_can_be_turned_off(tmp_path):
    root = make_project(tmp_path / "site")
    config = root / "site.yaml"
    config.write_text(config.read_text("utf-8") + "search: false\n", "utf-8")
    built = run_process("-C", root, "build", "--no-cache")
    assert built.returncode == 0, built.stderr
    build = root / "build"
    assert not (build / "pagefind").exists() and not (build / "en/search").exists()
    assert "name=q" not in (build / "en/index.html").read_text("utf-8")
    # The pages' policy then stands for every address, as it did before search.
    assert f"/*\n  Content-Security-Policy: {content_security_policy()}" in (build / "_headers").read_text()


def test_a_failing_pagefind_is_one_line(tmp_path, monkeypatch):
    import pagefind_bin

    root = make_project(tmp_path / "site")
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\necho 'Error: something broke' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setattr(pagefind_bin, "get_executable", lambda: broken)
    from site_builder.errors import SiteError
    from site_builder.stages import generate

    with pytest.raises(SiteError) as caught:
        generate(root)
    assert caught.value.message.startswith("the search index of pagefind/")
    assert "something broke" in caught.value.message


def test_only_the_search_pages_and_the_index_may_compile_webassembly(project):
    headers = (project / "build" / "_headers").read_text("utf-8")
    rules = {}
    for block in headers.split("\n\n"):
        lines = block.strip().splitlines()
        if lines:
            rules[lines[0]] = dict(line.strip().split(": ", 1) for line in lines[1:])
    assert "Content-Security-Policy" not in rules["/*"]
    loose = {
        address
        for address, rule in rules.items()
        if SEARCH_SCRIPT_SRC in rule.get("Content-Security-Policy", "")
    }
    assert "/en/search/" in loose and "/nl/zoeken/" in loose
    assert loose - {"/en/search/", "/nl/zoeken/"} and all(
        address.startswith("/pagefind/") for address in loose - {"/en/search/", "/nl/zoeken/"}
    )
    pages = [address for address in rules if address.endswith("/") or address.endswith(".html")]
    assert len(pages) > 30
    for address in pages:
        if address not in loose:
            assert rules[address]["Content-Security-Policy"] == content_security_policy(), address


# --- In Chromium, behind nginx --------------------------------------------------------------


@pytest.fixture(scope="module")
def origin(project, tmp_path_factory):
    with nginx_serving(project, tmp_path_factory.mktemp("search-nginx")) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def watched(browser):
    added = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": LISTENER})
    browser.get_log("browser")
    yield browser
    browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": added["identifier"]})


def search_in(browser, origin: str, address: str, query: str) -> dict:
    """Open the search page at ``address`` with ``query``; what it shows once done."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{origin}{address}?q={quote(query)}")
    WebDriverWait(browser, 20, poll_frequency=0.05).until(
        lambda b: b.execute_script(
            "const s = document.querySelector('.search-status');"
            "return s && s.textContent && s.textContent !== s.closest('[data-searching]').dataset.searching"
        ),
        f"the search for {query!r} never finished",
    )
    browser.set_script_timeout(10)
    violations = browser.execute_async_script(SETTLED)
    shown = browser.execute_script(
        "return {status: document.querySelector('.search-status').textContent,"
        " links: Array.from(document.querySelectorAll('.search-list a'), a => a.getAttribute('href')),"
        " marks: Array.from(document.querySelectorAll('.search-list mark'), m => m.textContent.toLowerCase()),"
        " field: document.getElementById('search-query').value}"
    )
    errors = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    return shown | {"violations": violations, "errors": errors}


@needs_nginx
def test_dutch_search_finds_other_forms_of_a_word(origin, watched):
    found = search_in(watched, origin, "/nl/zoeken/", "onderzoeker")
    assert found["violations"] == [] and found["errors"] == []
    assert found["field"] == "onderzoeker"
    assert found["links"] and all(link.startswith("/nl/") for link in found["links"])
    assert "onderzoekers" in found["marks"]  # stemmed: the plural found for the singular
    assert found["status"].endswith("gevonden voor “onderzoeker”.")


@needs_nginx
def test_english_search_finds_no_dutch_page(origin, watched):
    found = search_in(watched, origin, "/en/search/", "Amsterdam")
    assert found["violations"] == [] and found["errors"] == []
    assert len(found["links"]) >= 10 and all(link.startswith("/en/") for link in found["links"])
    assert search_in(watched, origin, "/en/search/", OWN_WORD)["links"] == []  # a Dutch page's word


@needs_nginx
def test_the_other_language_s_search_page_is_linked_with_the_same_words(origin, watched):
    """A visitor who switches language on the search page sees the same words searched there."""
    found = search_in(watched, origin, "/en/search/", "EMA & Amsterdam")
    assert found["violations"] == [] and found["errors"] == []
    switch = watched.execute_script(
        "return Array.from(document.querySelectorAll('.language-switcher a[hreflang]'),"
        " a => [a.hreflang, a.getAttribute('href')])"
    )
    assert ["nl", "/nl/zoeken/?q=EMA+%26+Amsterdam"] in switch
    watched.get(f"{origin}/nl/zoeken/")  # no words: nothing to carry
    assert ["en", "/en/search/"] in watched.execute_script(
        "return Array.from(document.querySelectorAll('.language-switcher a[hreflang]'),"
        " a => [a.hreflang, a.getAttribute('href')])"
    )


@needs_nginx
def test_drafts_and_later_pages_are_not_found(origin, watched):
    assert search_in(watched, origin, "/nl/zoeken/", OWN_WORD)["links"] == ["/nl/nieuws/2019-03-01-eigen/"]
    for word, address in ((DRAFT_WORD, "/nl/concept/"), (LATER_WORD, "/nl/nieuws/later/")):
        found = search_in(watched, origin, "/nl/zoeken/", word)
        # (Pagefind may offer pages with words like it, never the page that has it.)
        assert address not in found["links"] and word not in found["marks"]
        assert found["violations"] == [] and found["errors"] == []


@needs_nginx
def test_the_header_form_leads_to_the_search_page(origin, watched):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    watched.get(origin + "/en/about/")
    field = watched.find_element(By.ID, "site-search-query")
    field.send_keys("medicines", Keys.ENTER)
    WebDriverWait(watched, 10, poll_frequency=0.05).until(
        lambda b: b.execute_script("return location.pathname + location.search") == "/en/search/?q=medicines"
    )
    WebDriverWait(watched, 20, poll_frequency=0.05).until(
        lambda b: b.execute_script("return document.querySelectorAll('.search-list a').length") > 0
    )


def test_a_site_of_few_news_items_has_one_bundle_per_language(tmp_path):
    from site_builder.stages import generate

    root = make_project(tmp_path / "site")
    site = generate(root).site
    news = [page for page in site.pages if page.kind == "news"]
    assert search.BUNDLE_PAGES == 120  # "Once a language has more than 120 news items" (docs/content.md)
    assert news and len(news) <= 2 * search.BUNDLE_PAGES
    assert set(search.bundle_names(site).values()) == {search.PRIMARY_BUNDLE}
    # One more Dutch news item than a bundle holds: the Dutch news is cut by year, the English is not.
    dutch = sum(page.lang == "nl" for page in news)
    write_tree(
        root / "content/nl/news",
        {
            f"extra-{n}.md": f"---\ntitle: Extra {n}\ndate: 2016-05-0{n % 9 + 1}\n---\nTekst.\n"
            for n in range(search.BUNDLE_PAGES + 1 - dutch)
        },
    )
    names = search.bundle_names(generate(root).site)
    assert names["nl/nieuws/extra-0/index.html"] == "news-2016"
    assert {name for path, name in names.items() if path.startswith("en/")} == {search.PRIMARY_BUNDLE}


def test_a_year_with_many_news_items_is_indexed_by_quarter_or_month(tmp_path, monkeypatch):
    from site_builder.stages import generate

    root = make_project(tmp_path / "site")
    # Four items in one quarter of 2016, one in another: with three allowed a bundle, the year
    # is cut into quarters, and its crowded quarter into months.
    for number, day in enumerate(("2016-01-05", "2016-01-20", "2016-02-03", "2016-03-30", "2016-11-11")):
        write_tree(
            root / "content/nl/news",
            {f"2016-{number}.md": f"---\ntitle: Bericht {number}\ndate: {day}\n---\nTekst.\n"},
        )
    monkeypatch.setattr(search, "BUNDLE_PAGES", 3)
    site = generate(root).site
    names = search.bundle_names(site)
    assert names["nl/nieuws/2016-0/index.html"] == names["nl/nieuws/2016-1/index.html"] == "news-2016-01"
    assert names["nl/nieuws/2016-3/index.html"] == "news-2016-03"
    assert names["nl/nieuws/2016-4/index.html"] == "news-2016-q4"
    assert names["nl/over-ons/index.html"] == "pages"
    assert (
        names["nl/nieuws/intentieverklaring-life-sciences/index.html"] == "news-2019"
    )  # a year of few items
