"""Topics (docs/content.md#topics): declared in site.yaml with a name and a slug per language,
listed by news items, each with pages per language in that language's words, paired with its
twins page by page (the mistake of gohugoio/hugo#12261 avoided), an index, a feed, and every
mistake one line naming the file and the line."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import REPO, read_tree, text_files, write_tree
from test_cards import meta
from test_twins import BASE, Head, edit, sitemap_entries

from site_builder import pipeline, stages
from site_builder.checks import wellformed
from site_builder.config import load_config
from site_builder.content.frontmatter import content_version

ATOM = "{http://www.w3.org/2005/Atom}"
TOPICS = """\
topics:
  ai:
    en: {name: Artificial intelligence, slug: artificial-intelligence}
    nl: {name: Kunstmatige intelligentie, slug: kunstmatige-intelligentie}
  regulation:
    en: {name: Regulation, slug: regulation}
    nl: {name: Regelgeving, slug: regelgeving}
"""
AI_PAGES = {  # seven English items, four Dutch: three pages and two
    "/en/topics/artificial-intelligence/": ("/nl/themas/kunstmatige-intelligentie/", True),
    "/en/topics/artificial-intelligence/page/2/": ("/nl/themas/kunstmatige-intelligentie/pagina/2/", True),
    "/en/topics/artificial-intelligence/page/3/": ("/nl/themas/kunstmatige-intelligentie/pagina/2/", False),
    "/nl/themas/kunstmatige-intelligentie/": ("/en/topics/artificial-intelligence/", True),
    "/nl/themas/kunstmatige-intelligentie/pagina/2/": ("/en/topics/artificial-intelligence/page/2/", True),
}


def with_topics(root: Path, declared: str = TOPICS) -> None:
    """site.yaml with ``declared`` instead of the real site's topics."""
    text = (root / "site.yaml").read_text(encoding="utf-8")
    (root / "site.yaml").write_text(text.split("topics:\n")[0] + declared, encoding="utf-8")


def topical_item(lang: str, number: int, topics: str) -> dict[str, str]:
    return {
        f"content/{lang}/news/2020-01-0{number}-item-{number}.md": (
            f"---\ntitle: Item {number}\nslug: item-{number}\ndate: 2020-01-0{number}\ntopics: {topics}\n---\n"
            f"Text {number}.\n"
        )
    }


@pytest.fixture
def topical(mini_site: Path) -> Path:
    """Three news items a page; items 1 to 7 in English, 1 to 4 in Dutch, about AI, and
    items 1 and 2 about regulation too."""
    edit(mini_site, "site.yaml", "news_page_size: 10", "news_page_size: 3")
    with_topics(mini_site)
    for number in range(1, 8):
        topics = "[ai, regulation]" if number <= 2 else "[ai]"
        write_tree(mini_site, topical_item("en", number, topics))
        if number <= 4:
            write_tree(mini_site, topical_item("nl", number, topics))
    return mini_site


def generated(root: Path) -> dict[str, str]:
    """The site's text files by path, as rendered (not minified)."""
    return text_files(stages.generate(root).files)


class Links(HTMLParser):
    """The links inside the element with ``class_`` (the first), and the text of each."""

    def __init__(self, text: str, class_: str) -> None:
        super().__init__(convert_charrefs=True)
        self.class_, self.depth, self.in_link, self.links = class_, 0, False, []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if self.depth:
            self.depth += tag not in ("br", "img", "link", "meta")
            if tag == "a":
                self.links.append([attrs["href"], ""])
                self.in_link = True
        elif self.class_ in attrs.get("class", "").split() and not self.links:
            self.depth = 1

    def handle_endtag(self, tag):
        self.in_link = self.in_link and tag != "a"
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.in_link:
            self.links[-1][1] += data


def cards(html: str) -> list[str]:
    return [href for href, _ in Links(html, "news-grid").links]


def file_of(url: str) -> str:
    return url.strip("/") + "/index.html"


# --- pages, their addresses and their twins ------------------------------------------------------


def test_each_topic_has_pages_in_each_language_s_words(topical):
    html = generated(topical)
    english = [cards(html[file_of(url)]) for url in AI_PAGES if url.startswith("/en/")]
    assert english == [
        ["/en/news/item-7/", "/en/news/item-6/", "/en/news/item-5/"],
        ["/en/news/item-4/", "/en/news/item-3/", "/en/news/item-2/"],
        ["/en/news/item-1/"],
    ]
    dutch = [cards(html[file_of(url)]) for url in AI_PAGES if url.startswith("/nl/")]
    assert dutch == [
        ["/nl/nieuws/item-4/", "/nl/nieuws/item-3/", "/nl/nieuws/item-2/"],
        ["/nl/nieuws/item-1/"],
    ]
    assert cards(html["nl/themas/regelgeving/index.html"]) == ["/nl/nieuws/item-2/", "/nl/nieuws/item-1/"]
    page = html["nl/themas/kunstmatige-intelligentie/pagina/2/index.html"]
    assert "<title>Kunstmatige intelligentie (pagina 2 van 2) | " in page
    assert '<a rel="prev" href="/nl/themas/kunstmatige-intelligentie/">' in page


def test_topic_pages_link_to_their_twins_page_by_page(topical):
    html = generated(topical)
    for url, (other, same_page) in AI_PAGES.items():
        head = Head(html[file_of(url)])
        lang, other_lang = ("en", "nl") if url.startswith("/en/") else ("nl", "en")
        english = url if lang == "en" else other
        assert head.canonical == BASE + url
        assert head.alternates == {lang: BASE + url, other_lang: BASE + other, "x-default": BASE + english}, (
            url
        )
        [link] = head.switcher
        assert (link["href"], link["hreflang"]) == (other, other_lang), url
        assert ("rel" in link, "title" in link) == (same_page, not same_page), url
    # Slugs differ between the languages; the twin is the same topic, not the same slug.
    [link] = Head(html["en/topics/regulation/index.html"]).switcher
    assert link["href"] == "/nl/themas/regelgeving/"
    for lang, other in (("en/topics", "/nl/themas/"), ("nl/themas", "/en/topics/")):
        [link] = Head(html[f"{lang}/index.html"]).switcher
        assert (link["href"], "rel" in link) == (other, True)


def test_the_sitemap_lists_every_topic_page_with_the_alternates_its_head_names(topical):
    files = {f.path: f.data for f in stages.generate(topical).files}
    entries = sitemap_entries(files["sitemap.xml"])
    for url in [*AI_PAGES, "/en/topics/", "/nl/themas/", "/nl/themas/regelgeving/"]:
        assert entries[BASE + url] == Head(files[file_of(url)].decode()).alternates, url


def test_only_published_news_items_make_topic_pages(topical):
    for lang in ("en", "nl"):
        for number in (1, 2):
            edit(
                topical,
                f"content/{lang}/news/2020-01-0{number}-item-{number}.md",
                "---\n",
                "---\ndraft: true\n",
            )
    html = generated(topical)
    assert not [path for path in html if "regulation" in path or "regelgeving" in path]
    assert "/en/topics/regulation/" not in html["en/topics/index.html"]
    preview = {f.path for f in stages.generate(topical, drafts=True).files}
    assert "en/topics/regulation/index.html" in preview


def test_a_topic_has_pages_in_the_languages_of_its_items_alone(topical):
    """A topic that only English items list (their Dutch translations are drafts) has English
    pages alone, and only the English index lists it."""
    for number in (1, 2):
        edit(topical, f"content/nl/news/2020-01-0{number}-item-{number}.md", "---\n", "---\ndraft: true\n")
    html = generated(topical)
    assert cards(html["en/topics/regulation/index.html"]) == ["/en/news/item-2/", "/en/news/item-1/"]
    assert not [path for path in html if "regelgeving" in path]
    assert [href for href, _ in Links(html["nl/themas/index.html"], "topic-index").links] == [
        "/nl/themas/kunstmatige-intelligentie/"
    ]
    assert "/en/topics/regulation/" in [
        href for href, _ in Links(html["en/topics/index.html"], "topic-index").links
    ]


def test_the_topic_pages_show_their_language_s_home_card(topical):
    html = generated(topical)
    for lang, pages in (
        ("en", ("en/topics/index.html", "en/topics/regulation/index.html")),
        ("nl", ("nl/themas/index.html", "nl/themas/kunstmatige-intelligentie/pagina/2/index.html")),
    ):
        home = meta(html[f"{lang}/index.html"])["og:image"]
        assert f"/assets/cards/{lang}/home." in home
        for path in pages:
            assert meta(html[path])["og:image"] == home, path


def test_the_index_lists_each_topic_and_news_items_link_to_theirs(topical):
    html = generated(topical)
    index = Links(html["nl/themas/index.html"], "topic-index").links
    assert index == [
        ["/nl/themas/kunstmatige-intelligentie/", "Kunstmatige intelligentie"],
        ["/nl/themas/regelgeving/", "Regelgeving"],
    ]
    assert Links(html["en/news/item-1/index.html"], "topics").links == [
        ["/en/topics/artificial-intelligence/", "Artificial intelligence"],
        ["/en/topics/regulation/", "Regulation"],
    ]
    assert (
        Links(html["nl/nieuws/index.html"], "news-grid")
        and '<a href="/nl/themas/">' in html["nl/nieuws/index.html"]
    )


def test_each_topic_has_a_feed_per_language(topical):
    generated_site = stages.generate(topical)
    files = {f.path: f.data for f in generated_site.files}
    feed = ET.fromstring(files["nl/themas/kunstmatige-intelligentie/feed.xml"])
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "nl"
    assert [entry.find(f"{ATOM}id").text for entry in feed.findall(f"{ATOM}entry")] == [
        f"{BASE}/nl/nieuws/item-{n}/" for n in (4, 3, 2, 1)
    ]
    assert (
        feed.find(f"{ATOM}link[@rel='self']").get("href")
        == f"{BASE}/nl/themas/kunstmatige-intelligentie/feed.xml"
    )
    assert "<p>Text 4.</p>" in feed.find(f"{ATOM}entry/{ATOM}content").text
    # The build's own check of its XML reads the topic feeds too.
    checked = {f.path for f in wellformed.xml_files(generated_site.site, generated_site.files)}
    assert {"en/topics/regulation/feed.xml", "nl/themas/regelgeving/feed.xml"} <= checked
    page = files["en/topics/regulation/index.html"].decode()
    assert '<link rel="alternate" type="application/atom+xml" href="/en/topics/regulation/feed.xml"' in page


# --- mistakes ------------------------------------------------------------------------------------------


def test_an_unknown_topic_names_the_file_and_the_line_and_leaves_the_build(mini_built, run_cli):
    root, before = mini_built
    rel = "content/en/news/2019-06-12-ema.md"
    edit(root, rel, "date: 2019-06-12\n", "date: 2019-06-12\ntopics:\n  - ema\n  - robots\n")
    code, _, err = run_cli("-C", root, "build")
    assert code == 1
    assert err.splitlines() == [
        (
            f"{rel}:7: unknown topic 'robots' (hint: the topics declared in site.yaml are: "
            "action-programme, data-ai, ema, international, personalised-health)"
        )
    ]
    assert read_tree(root / "build") == before


def test_a_translation_with_other_topics_stops_the_build(mini_site, run_cli):
    with_topics(mini_site)
    for lang, topics in (("en", "[ai, regulation]"), ("nl", "[ai]")):
        edit(
            mini_site,
            f"content/{lang}/news/2019-06-12-ema.md",
            "date: 2019-06-12\n",
            f"date: 2019-06-12\ntopics: {topics}\n",
        )
    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 1
    assert err.splitlines() == [
        (
            "content/nl/news/2019-06-12-ema.md:5: topics ai differs from content/en/news/2019-06-12-ema.md:5"
            " (ai, regulation) (hint: a news item and its translation have the same topics)"
        )
    ]


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        (
            "topics:\n  ai:\n    en: {name: AI, slug: A I}\n    nl: {name: AI, slug: ai}\n",
            (
                "site.yaml:{+2}: topics.ai.en.slug 'A I' is not URL-safe"
                " (hint: use lower-case letters a-z, digits and single hyphens, such as over-ons)"
            ),
        ),
        (
            "topics:\n  ai:\n    en: {slug: ai}\n    nl: {name: AI, slug: ai}\n",
            "site.yaml:{+2}: missing required key 'topics.ai.en.name' "
            "(hint: the topic's name in that language, such as name: Regulation)",
        ),
        (
            "topics:\n  ai:\n    en: {name: AI, slug: ai}\n    nl: {name: AI}\n",
            "site.yaml:{+3}: missing required key 'topics.ai.nl.slug' "
            "(hint: use lower-case letters a-z, digits and single hyphens, such as over-ons)",
        ),
        (
            (
                "topics:\n  ai:\n    en: {name: AI, slug: ai}\n    nl: {name: AI, slug: ai}\n"
                "  data:\n    en: {name: Data, slug: data}\n    nl: {name: ai, slug: data}\n"
            ),
            (
                "site.yaml:{+6}: topics.data.nl.name 'ai' is another topic's too (line {+3})"
                " (hint: give every topic a name and a slug of its own in each language)"
            ),
        ),
        (
            "topics:\n  ai:\n    en: {name: AI, slug: ai}\n    nk: {name: AI, slug: ai}\n",
            "site.yaml:{+3}: topics.ai.nk: 'nk' is not one of the languages (hint: did you mean 'nl'?)",
        ),
        (
            "topics:\n  ai:\n    en: {name: AI, slug: ai}\n",
            (
                "site.yaml:{+1}: topics.ai has no entry for language 'nl'"
                " (hint: a name and a slug per language, such as 'en: {name: Regulation, slug: regulation}')"
            ),
        ),
        (
            (
                "topics:\n  ai:\n    en: {name: AI, slug: ai}\n    nl: {name: AI, slug: ai}\n"
                "  data:\n    en: {name: Data, slug: ai}\n    nl: {name: Data, slug: data}\n"
            ),
            (
                "site.yaml:{+5}: topics.data.en.slug 'ai' is another topic's too (line {+2})"
                " (hint: give every topic a name and a slug of its own in each language)"
            ),
        ),
    ],
)
def test_a_bad_declaration_names_its_line_in_site_yaml(mini_built, run_cli, declared, expected):
    root, before = mini_built
    with_topics(root, declared)
    # "{+N}" in ``expected``: the Nth line after "topics:".
    topics = (root / "site.yaml").read_text(encoding="utf-8").splitlines().index("topics:") + 1
    expected = re.sub(r"\{\+(\d)\}", lambda m: str(topics + int(m[1])), expected)
    code, _, err = run_cli("-C", root, "build")
    assert (code, err.splitlines()) == (1, [expected])
    assert read_tree(root / "build") == before


def test_topic_names_are_text_wherever_they_are_shown(mini_site):
    hostile = "<script>alert(1)</script> \\\"Quotes\\\" & 'more'"
    with_topics(
        mini_site,
        f'topics:\n  x:\n    en: {{name: "{hostile}", slug: x}}\n    nl: {{name: "{hostile}", slug: x}}\n',
    )
    for lang in ("en", "nl"):
        edit(
            mini_site,
            f"content/{lang}/news/2019-06-12-ema.md",
            "date: 2019-06-12\n",
            "date: 2019-06-12\ntopics: [x]\n",
        )
    files = generated(mini_site)
    shown = "<script>alert(1)</script> \"Quotes\" & 'more'"
    for path in ("en/topics/x/index.html", "en/topics/index.html", "en/news/ema-opens-office/index.html"):
        assert "<script>alert" not in files[path], path
    assert Links(files["en/topics/index.html"], "topic-index").links == [["/en/topics/x/", shown]]
    title = ET.fromstring(files["nl/themas/x/feed.xml"].encode()).find(f"{ATOM}title").text
    assert title.startswith(shown + " | ")


# --- the real site, a generated one, translations and the cache ---------------------------------------


def test_the_real_news_items_have_topics_in_both_languages(built):
    # The built site is minified (end tags such as </li> left out): links are found by address.
    declared = load_config(REPO).topics
    for lang, section in (("en", "topics"), ("nl", "themas")):
        topic_page = re.compile(rf'href="?/{lang}/{section}/[a-z0-9-]+/[ ">]')
        # Every topic site.yaml declares is some item's, in both languages.
        assert len(set(topic_page.findall((built / lang / section / "index.html").read_text()))) == len(
            declared
        )
        items = [
            p for p in (built / lang).glob("*/*/index.html") if p.parent.parent.name in ("news", "nieuws")
        ]
        assert items
        for item in items:
            assert topic_page.search(item.read_text()), item


def test_a_generated_site_has_topic_pages(tmp_path):
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from generate_site import generate
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    root = generate(60, tmp_path / "site")
    files = {f.path for f in stages.generate(root).files}
    assert "en/topics/index.html" in files and "nl/themas/index.html" in files
    assert "nl/themas/internationale-samenwerking/pagina/2/index.html" in files
    assert "en/topics/international-partnerships/feed.xml" in files


def test_topics_are_not_words_to_translate():
    # A topic changed in both languages leaves the translation as up to date as it was.
    text = "---\ntitle: Nieuws\ndate: 2020-01-01\n---\nTekst.\n"
    listed = text.replace("---\nT", "---\nT").replace(
        "date: 2020-01-01\n", "date: 2020-01-01\ntopics: [ai]\n"
    )
    block = text.replace("date: 2020-01-01\n", "date: 2020-01-01\ntopics:\n  - ai\n  - data\n")
    assert content_version(text) == content_version(listed) == content_version(block)
    assert content_version(text) != content_version(text + "topics:\n- ai\n")  # the body's words are


def test_a_renamed_topic_is_seen_by_a_cached_build(topical, tmp_path):
    cache = topical / ".site-cache"
    pipeline.build(topical, cache_dir=cache)
    text = (topical / "site.yaml").read_text(encoding="utf-8")
    (topical / "site.yaml").write_text(text.replace("Regelgeving", "Wetgeving"), encoding="utf-8")
    pipeline.build(topical, cache_dir=cache)
    cached = read_tree(topical / "build")
    pipeline.build(topical, tmp_path / "cold")
    assert cached == read_tree(tmp_path / "cold")
    for path in ("nl/themas/regelgeving/index.html", "nl/nieuws/item-1/index.html", "nl/themas/index.html"):
        assert b"Wetgeving" in cached[path], path
    assert b"<title>Wetgeving | " in cached["nl/themas/regelgeving/feed.xml"]
