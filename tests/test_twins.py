"""Every page and its twin in the other language: what is published before it is translated,
news list pages in each language's words and paired page by page, the 404 pages' switcher,
pages whose file names differ between the languages, and the old addresses of news list pages."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import read_tree, text_files, write_tree

from site_builder import stages
from site_builder.output.cdn import nginx_config

BASE = "https://lsh.amsterdam"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


class Head(HTMLParser):
    """A page's canonical address, its hreflang alternates and its language switcher's links."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.canonical: str | None = None
        self.alternates: dict[str, str] = {}
        self.switcher: list[dict[str, str]] = []
        self._in_switcher = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "link" and attrs.get("rel") == "canonical":
            self.canonical = attrs["href"]
        elif tag == "link" and attrs.get("rel") == "alternate" and "hreflang" in attrs:
            self.alternates[attrs["hreflang"]] = attrs["href"]
        elif tag == "nav" and "language-switcher" in attrs.get("class", ""):
            self._in_switcher = True
        elif tag == "a" and self._in_switcher:
            self.switcher.append(attrs)

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_switcher = False


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def html_files(root: Path) -> dict[str, str]:
    return {f.path: f.data.decode() for f in stages.generate(root).files if f.path.endswith(".html")}


# --- nothing half-finished is published ------------------------------------------------------


def test_a_new_news_item_is_a_draft_until_its_writer_removes_the_line(mini_site, run_cli):
    code, out, err = run_cli("-C", mini_site, "new", "news", "Nieuwe campus", "--lang", "nl")
    assert code == 0, err
    item = Path(out.strip())
    assert "\ndraft: true\n" in item.read_text(encoding="utf-8")
    assert run_cli("-C", mini_site, "build")[0] == 0
    assert not (mini_site / "build/nl/nieuws/nieuwe-campus").exists()

    edit(mini_site, item.relative_to(mini_site).as_posix(), "draft: true\n", "")
    assert run_cli("-C", mini_site, "build")[0] == 0
    assert (mini_site / "build/nl/nieuws/nieuwe-campus/index.html").is_file()


def test_a_page_created_for_translation_is_published_once_translated(mini_site, run_cli):
    code, out, err = run_cli("-C", mini_site, "new", "news", "Nieuwe campus", "--lang", "nl", "--both")
    assert code == 0, err
    nl_item, en_item = (Path(line).relative_to(mini_site).as_posix() for line in out.split())
    edit(mini_site, nl_item, "draft: true\n", "")  # the Dutch text is written and published

    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 0
    assert (mini_site / "build/nl/nieuws/nieuwe-campus/index.html").is_file()
    assert not (mini_site / "build/en/news/nieuwe-campus").exists()  # the title and nothing else
    assert f"warning: {en_item}:6: {nl_item} is not translated yet" in err
    assert (
        f"warning: {nl_item}: no English translation "
        f"(hint: translate {en_item}, then run: site-builder translations done {en_item})"
    ) in err.splitlines()

    # Drafts and the preview show it, marked as not published.
    preview = text_files(stages.generate(mini_site, drafts=True).files)
    assert '<p class="draft-marker wrap">' in preview["en/news/nieuwe-campus/index.html"]

    with (mini_site / en_item).open("a", encoding="utf-8") as translation:
        translation.write("The new campus opens in the spring.\n")
    assert run_cli("-C", mini_site, "translations", "done", mini_site / en_item)[0] == 0
    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 0, err
    page = (mini_site / "build/en/news/nieuwe-campus/index.html").read_text()
    assert "The new campus opens in the spring." in page and "draft-marker" not in page
    assert Head(page).switcher[0]["href"] == "/nl/nieuws/nieuwe-campus/"


def test_a_translation_that_is_a_draft_is_named_as_such(mini_site, run_cli):
    edit(mini_site, "content/en/about.md", "title: About us", "title: About us\ndraft: true")
    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 0
    assert err.splitlines() == [
        "warning: content/nl/about.md: no English translation"
        + " (hint: content/en/about.md is a draft: remove its 'draft: true' line when it is ready)"
    ]


def test_a_differing_news_date_is_still_only_a_warning(mini_site, run_cli):
    # Only key figures stop every build (tests/test_translations.py): a date is corrected at leisure.
    edit(mini_site, "content/nl/news/2019-09-26-mou.md", "date: 2019-09-26", "date: 2019-09-25")
    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 0
    assert "warning: content/nl/news/2019-09-26-mou.md:5: date 2019-09-25 differs from" in err


# --- news list pages ---------------------------------------------------------------------------


def news_item(lang: str, number: int) -> dict[str, str]:
    return {
        f"content/{lang}/news/2020-01-0{number}-item-{number}.md": (
            f"---\ntitle: Item {number}\ndate: 2020-01-0{number}\n---\nText {number}.\n"
        )
    }


LIST_PAGES = ("/en/news/", "/en/news/page/2/", "/en/news/page/3/", "/nl/nieuws/", "/nl/nieuws/pagina/2/")


@pytest.fixture
def paged(mini_site: Path) -> Path:
    """Three news items a page: seven in English (three pages), four in Dutch (two pages)."""
    edit(mini_site, "site.yaml", "news_page_size: 10", "news_page_size: 3")
    for number in (1, 2, 3, 4):
        write_tree(mini_site, news_item("en", number))
    write_tree(mini_site, news_item("nl", 1))
    return mini_site


def test_news_list_pages_are_addressed_in_their_language_and_paired_page_by_page(paged):
    site = stages.generate(paged).site
    assert [p.url for p in site.news_pages["en"]] == ["/en/news/", "/en/news/page/2/", "/en/news/page/3/"]
    assert [p.url for p in site.news_pages["nl"]] == ["/nl/nieuws/", "/nl/nieuws/pagina/2/"]

    html = html_files(paged)
    heads = {url: Head(html[url.strip("/") + "/index.html"]) for url in LIST_PAGES}
    expected = {  # every page names itself for its own language; the other's page N, else its last
        "/en/news/": ("/nl/nieuws/", True),
        "/en/news/page/2/": ("/nl/nieuws/pagina/2/", True),
        "/en/news/page/3/": ("/nl/nieuws/pagina/2/", False),
        "/nl/nieuws/": ("/en/news/", True),
        "/nl/nieuws/pagina/2/": ("/en/news/page/2/", True),
    }
    for url, (other, same_page) in expected.items():
        head = heads[url]
        lang, other_lang = ("en", "nl") if url.startswith("/en/") else ("nl", "en")
        assert head.canonical == BASE + url
        english = url if lang == "en" else other
        expected_alternates = {lang: BASE + url, other_lang: BASE + other, "x-default": BASE + english}
        assert head.alternates == expected_alternates, url
        [link] = head.switcher
        assert (link["href"], link["hreflang"]) == (other, other_lang), url
        # Page 3 has no Dutch twin: the link says it leads to the nearest page instead.
        assert ("rel" in link, "title" in link) == (same_page, not same_page), url


def sitemap_entries(sitemap: bytes) -> dict[str, dict[str, str]]:
    """Each address the sitemap lists → its alternates, by hreflang."""
    return {
        entry.find(f"{SITEMAP}loc").text: {
            link.get("hreflang"): link.get("href") for link in entry.findall(f"{XHTML}link")
        }
        for entry in ET.fromstring(sitemap).findall(f"{SITEMAP}url")
    }


def test_the_sitemap_lists_every_news_list_page_with_the_alternates_its_head_names(paged):
    files = {f.path: f.data for f in stages.generate(paged).files}
    entries = sitemap_entries(files["sitemap.xml"])
    for path in LIST_PAGES:
        head = Head(files[path.strip("/") + "/index.html"].decode())
        assert entries[BASE + path] == head.alternates, path
    assert entries[BASE + "/nl/nieuws/pagina/2/"]["nl"] == BASE + "/nl/nieuws/pagina/2/"
    assert entries[BASE + "/en/news/page/3/"]["nl"] == BASE + "/nl/nieuws/pagina/2/"


def test_old_addresses_of_news_list_pages_redirect_to_their_new_ones(paged):
    generated = stages.generate(paged)
    files = text_files(generated.files)
    assert "nl/nieuws/pagina/2/index.html" in files
    # The old address's page only redirects (for hosts without _redirects; see redirect_pages).
    assert f'<link rel="canonical" href="{BASE}/nl/nieuws/pagina/2/">' in files["nl/nieuws/page/2/index.html"]
    assert 'content="0; url=/nl/nieuws/pagina/2/"' in files["nl/nieuws/page/2/index.html"]
    redirects = files["_redirects"].splitlines()
    assert "/nl/nieuws/page/2/ /nl/nieuws/pagina/2/ 301!" in redirects  # before that page
    assert not any(line.startswith("/en/news/page/") for line in redirects)  # still its address
    config = nginx_config(generated.site, "/srv/site")
    assert "    location = /nl/nieuws/page/2/ {" in config
    assert "        return 301 /nl/nieuws/pagina/2/;" in config


def test_an_old_news_list_address_that_a_page_now_has_stays_the_page_s(paged):
    write_tree(paged, {"content/nl/news/page/2.md": "---\ntitle: Pagina twee\n---\n"})
    files = text_files(stages.generate(paged).files)
    assert "nl/nieuws/page/2/index.html" in files
    assert not any(line.startswith("/nl/nieuws/page/") for line in files["_redirects"].splitlines())


# --- the 404 pages ----------------------------------------------------------------------------------


def test_the_404_pages_switch_to_the_other_language_s_home_page(mini_site):
    html = html_files(mini_site)
    for lang, other in (("nl", "en"), ("en", "nl")):
        [link] = Head(html[f"{lang}/404.html"]).switcher
        assert (link["href"], link["hreflang"]) == (f"/{other}/", other)


# --- file names in each language's words ------------------------------------------------------


@pytest.fixture
def dutch_names(mini_site: Path) -> Path:
    """The Dutch key figures and SWOT in files with Dutch names, which name their templates, and
    paired with the English ones by translation_key."""
    for english, dutch, key in (
        ("key-figures", "kerncijfers", "key_figures"),
        ("swot", "swot-analyse", "swot"),
    ):
        (mini_site / f"content/nl/{english}.md").rename(mini_site / f"content/nl/{dutch}.md")
        edit(mini_site, f"content/en/{english}.md", "---\n", f"---\ntranslation_key: {english}\n")
        front = f"---\ntranslation_key: {english}\ntemplate: {key}.html\n"
        edit(mini_site, f"content/nl/{dutch}.md", "---\n", front)
    edit(mini_site, "content/nl/about.md", "(key-figures.md)", "(kerncijfers.md)")
    return mini_site


def test_a_dutch_page_may_have_a_dutch_file_name(dutch_names, run_cli):
    code, _, err = run_cli("-C", dutch_names, "build", "--no-minify")
    assert (code, err) == (0, "")
    built = read_tree(dutch_names / "build")
    figures = built["nl/kerncijfers/index.html"].decode()
    assert "banen bij life sciences &amp; health-bedrijven in Nederland" in figures
    assert Head(figures).alternates["en"] == BASE + "/en/key-figures/"
    assert Head(built["en/key-figures/index.html"].decode()).switcher[0]["href"] == "/nl/kerncijfers/"
    swot = built["nl/swot-analyse/index.html"].decode()
    assert swot.count('<section class="swot-quadrant') == 4
    assert Head(swot).alternates["en"] == BASE + "/en/swot/"
    # The home page's templates name the file key-figures.md: the Dutch home finds its own.
    home = built["nl/index.html"].decode()
    assert '<a class="more" href="/nl/kerncijfers/">' in home and 'id="lsh-budget"' in home

    edit(dutch_names, "content/nl/kerncijfers.md", "value: 65000", "value: 60000")
    code, _, err = run_cli("-C", dutch_names, "build")
    assert code == 1
    assert err.startswith(
        "content/nl/kerncijfers.md:9: figure 'lsh-jobs-nl' value 60000 differs from content/en/key-figures.md:7"
    )


def link_line(root: Path, rel: str, link: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if link in line)


def test_a_link_to_the_address_s_name_names_the_file_that_has_the_address(mini_site, run_cli):
    rel = "content/nl/news/2019-06-12-ema.md"
    edit(mini_site, rel, "Zuidas.\n", "Zuidas.\n\nZie de [kerncijfers](../kerncijfers.md).\n")
    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 1
    line = link_line(mini_site, rel, "../kerncijfers.md")
    assert err.splitlines() == [
        f"{rel}:{line}: the link '../kerncijfers.md' leads to no page (hint: content/nl/key-figures.md"
        + " has the address /nl/kerncijfers/: link to ../key-figures.md)"
    ]


def test_a_link_to_the_other_language_s_file_name_names_the_translation(dutch_names, run_cli):
    rel = "content/nl/about.md"
    edit(dutch_names, rel, "(kerncijfers.md)", "(key-figures.md)")
    code, _, err = run_cli("-C", dutch_names, "build")
    assert code == 1
    line = link_line(dutch_names, rel, "key-figures.md")
    assert err.splitlines() == [
        f"{rel}:{line}: the link 'key-figures.md' leads to no page (hint: content/nl/kerncijfers.md"
        + " is the translation of content/en/key-figures.md: link to kerncijfers.md)"
    ]


def test_a_link_to_a_file_nobody_meant_keeps_the_general_hint(mini_site, run_cli):
    edit(mini_site, "content/nl/about.md", "(key-figures.md)", "(cijfers.md)")
    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 1
    assert err.rstrip().endswith(
        "the link 'cijfers.md' leads to no page (hint: link to a page's file relative to this file, such as ../swot.md)"
    )
    assert re.fullmatch(r"content/nl/about\.md:\d+: .*\n", err)
