"""What search engines and link previews read, checked on the built real content in both languages."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import text_files

from site_builder import stages
from site_builder.config import load_config
from site_builder.content.frontmatter import published_iso
from site_builder.render.seo import DESCRIPTION_LIMIT, json_ld

ROOT = Path(__file__).resolve().parent.parent


class Head(HTMLParser):
    """Title, meta tags, canonical link and JSON-LD documents of a page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.meta: dict[str, list[str]] = {}
        self.canonical = None
        self.json_ld: list[str] = []
        self._in: str | None = None
        self.feed(text.split("</head>", 1)[0])

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "title":
            self._in = "title"
        elif tag == "meta" and ("name" in attrs or "property" in attrs):
            self.meta.setdefault(attrs.get("name") or attrs["property"], []).append(attrs["content"])
        elif tag == "link" and attrs.get("rel") == "canonical":
            self.canonical = attrs["href"]
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in = "json"
            self.json_ld.append("")

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "json":
            self.json_ld[-1] += data

    def one(self, name: str) -> str:
        [value] = self.meta[name]
        return value


@pytest.fixture(scope="module")
def generated():
    return stages.generate(ROOT)


@pytest.fixture(scope="module")
def pages(generated):
    """Every published page of the site (not the 404s or the root chooser): (Page, Head, html)."""
    files = text_files(generated.files)
    result = []
    for page in generated.site.pages:
        html = files[page.output_path]
        result.append((page, Head(html), html))
    return result


def test_every_page_has_its_own_title_and_a_description_search_results_show_whole(pages):
    """Each page's description, or its summary where it has none, whole: none is longer than
    search results show."""
    titles = [head.title for _, head, _ in pages]
    descriptions = [head.one("description") for _, head, _ in pages]
    assert len(pages) >= 30
    assert len(set(titles)) == len(titles)
    assert len(set(descriptions)) == len(descriptions)
    described = 0
    for page, head, _ in pages:
        assert page.front.summary, page.path
        assert head.one("description") == (page.front.description or page.front.summary)
        assert len(head.one("description")) <= DESCRIPTION_LIMIT, page.path
        assert page.title in head.title
        described += bool(page.front.description)
    assert described >= 20  # the pages whose summaries are longer


def test_canonical_open_graph_and_twitter_tags(pages, generated):
    config = generated.site.config
    locales = {"en": "en_GB", "nl": "nl_NL"}
    for page, head, _ in pages:
        url = config.base_url + page.url
        assert head.canonical == url
        assert head.one("og:url") == url
        assert head.one("og:title") == head.title
        assert head.one("og:description") == head.one("description")
        assert head.one("og:site_name") == config.language(page.lang).title
        assert head.one("og:type") == ("article" if page.kind == "news" else "website")
        assert head.one("og:locale") == locales[page.lang]
        assert head.meta["og:locale:alternate"] == [locales[other] for other in locales if other != page.lang]
        assert head.one("twitter:card") == "summary_large_image"  # the page's card (test_cards.py)
        assert head.one("twitter:title") == head.title
        if page.kind == "news":
            assert head.one("article:published_time") == published_iso(page.front)


def _documents(head: Head) -> dict[str, dict]:
    documents = [json.loads(text) for text in head.json_ld]
    by_type = {document["@type"]: document for document in documents}
    assert len(by_type) == len(documents)
    return by_type


def _urls(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("url", "item", "mainEntityOfPage", "@context"):
                yield item
            else:
                yield from _urls(item)
    elif isinstance(value, list):
        for item in value:
            yield from _urls(item)


def test_json_ld_is_valid_deterministic_and_uses_absolute_urls(pages, generated):
    base = generated.site.config.base_url
    for page, head, _ in pages:
        assert head.json_ld, page.path
        for text in head.json_ld:
            data = json.loads(text)
            assert data["@context"] == "https://schema.org"
            assert json_ld(data) == text  # sorted keys, compact, escaped: the same bytes again
            assert "<" not in text
            for url in _urls(data):
                assert url.startswith(("https://schema.org", base + "/")), (page.path, url)


def test_organization_on_home_pages_article_on_news_breadcrumbs_elsewhere(pages, generated):
    site = generated.site
    base = site.config.base_url
    for page, head, _ in pages:
        documents = _documents(head)
        assert ("Organization" in documents) == (page.kind == "home"), page.path
        assert ("NewsArticle" in documents) == (page.kind == "news"), page.path
        trail = site.breadcrumbs(page)
        assert ("BreadcrumbList" in documents) == (len(trail) > 1), page.path
        if page.kind == "home":
            organization = documents["Organization"]
            assert organization["url"] == base + page.url
            assert organization["name"] == site.config.language(page.lang).title
        if page.kind == "news":
            article = documents["NewsArticle"]
            assert article["headline"] == page.title
            assert article["datePublished"] == article["dateModified"] == published_iso(page.front)
            assert article["inLanguage"] == page.lang
            assert article["mainEntityOfPage"] == base + page.url
            assert article["publisher"]["logo"]["url"].startswith(base + "/assets/favicon.")
        if len(trail) > 1:
            items = documents["BreadcrumbList"]["itemListElement"]
            assert [item["position"] for item in items] == list(range(1, len(trail) + 1))
            assert [item["item"] for item in items] == [base + crumb.url for crumb in trail]
            assert items[-1]["name"] == page.title


def test_json_ld_cannot_end_its_script_element():
    hostile = {"headline": "</script><script>alert(1)</script> & <!-- \u2028", "b": 1, "a": [2]}
    text = str(json_ld(hostile))
    assert "</" not in text and "<!--" not in text and "\u2028" not in text
    assert json.loads(text) == hostile
    assert text.index('"a"') < text.index('"b"') < text.index('"headline"')


def test_structured_data_claims_no_more_of_a_date_than_is_known(pages):
    precisions = {}
    for page, head, _ in pages:
        if page.kind == "news":
            published = _documents(head)["NewsArticle"]["datePublished"]
            precisions[page.front.date_precision] = published
            assert len(published) == {"day": 10, "month": 7, "year": 4}[page.front.date_precision]
    assert set(precisions) == {"day", "month", "year"}  # the real news has all three


def test_the_404_pages_are_not_indexed(generated):
    files = text_files(generated.files)
    for path, lang, text in (
        ("en/404.html", "en", "Page not found"),
        ("nl/404.html", "nl", "Pagina niet gevonden"),
    ):
        head = Head(files[path])
        assert head.one("robots") == "noindex"
        assert f'<html lang="{lang}">' in files[path]
        assert text in head.title


LONG_PARAGRAPH = (
    "The **European Medicines Agency** moved from London to Amsterdam in 2019, bringing some 900 staff "
    "&amp; their families to a new building at the Zuidas, next to the station and the ring road, "
    "where it now assesses medicines for the whole European Union."
)


def test_a_page_without_a_summary_is_described_by_the_start_of_its_text(mini_site):
    """docs/content.md: "Without a summary or a description, search results and link previews show the start of the page's
    text (its first paragraph with words, cut after a word at about 160 characters), and the home
    page, or a page without text, the site's description." A photo alone is no paragraph with
    words, and markup and entities become text."""

    def write(rel: str, front: str, body: str) -> None:
        (mini_site / "content/en" / rel).write_text(f"---\n{front}---\n{body}", "utf-8")

    ema_front = "title: The EMA opens its Amsterdam office\nslug: ema-opens-office\ndate: 2019-06-12\n"
    write(
        "news/2019-06-12-ema.md",
        ema_front,
        f"![The building](/assets/logo.svg){{: width=8 height=8}}\n\n{LONG_PARAGRAPH}\n",
    )
    write(
        "_index.md",
        "title: Amsterdam, where life sciences meet data\n",
        "Amsterdam brings together hospitals.\n",
    )
    write("about.md", "title: About\n", "")
    generated = stages.generate(mini_site)
    files = text_files(generated.files)
    news = Head(files["en/news/ema-opens-office/index.html"])
    said = news.one("description")
    plain = LONG_PARAGRAPH.replace("**", "").replace("&amp;", "&")
    assert len(said) <= DESCRIPTION_LIMIT and said.endswith("…")
    assert plain.startswith(said[:-1]) and plain[len(said) - 1] == " "  # cut after a whole word
    assert news.one("og:description") == news.one("twitter:description") == said
    assert _documents(news)["NewsArticle"]["description"] == said
    news_list = Head(files["en/news/index.html"])
    assert news_list.one("description") == "News from the Amsterdam life sciences & health community."
    site_description = generated.site.config.language("en").description
    assert Head(files["en/index.html"]).one("description") == site_description  # text, but the home page
    assert Head(files["en/about/index.html"]).one("description") == site_description  # no text at all


def test_a_description_is_what_search_results_show_and_the_summary_stays_the_lead(mini_site):
    """docs/content.md: `description` is what search results and link previews show in place of
    the summary, which is still the page's lead, its text in lists and in the feed."""
    summary = "The European Medicines Agency opened its office at the Zuidas, " * 4
    said = "The EMA opened its Amsterdam office in 2019."
    (mini_site / "content/en/news/2019-06-12-ema.md").write_text(
        "---\ntitle: The EMA opens its Amsterdam office\nslug: ema-opens-office\ndate: 2019-06-12\n"
        f'summary: "{summary.strip()}"\ndescription: "{said}"\n---\nSome 900 staff.\n',
        "utf-8",
    )
    files = text_files(stages.generate(mini_site).files)
    html = files["en/news/ema-opens-office/index.html"]
    news = Head(html)
    assert news.one("description") == news.one("og:description") == news.one("twitter:description") == said
    assert _documents(news)["NewsArticle"]["description"] == said
    assert f'<p class="lead">{summary.strip()}</p>' in html and said not in html.split("</head>", 1)[1]
    assert summary.strip() in files["en/news/index.html"] and said not in files["en/news/index.html"]
    assert (
        f"<summary>{summary.strip()}</summary>" in files["en/feed.xml"] and said not in files["en/feed.xml"]
    )


@pytest.mark.parametrize("empty", ['""', '" "', '"\\u200b"'])
def test_a_description_left_empty_is_as_if_left_out(mini_site, empty):
    """docs/content.md: a description left empty (`description: ""`) is as if left out: the
    summary is what search results show."""
    (mini_site / "content/en/news/2019-06-12-ema.md").write_text(
        "---\ntitle: The EMA opens its Amsterdam office\nslug: ema-opens-office\ndate: 2019-06-12\n"
        f'summary: "The EMA opened its office."\ndescription: {empty}\n---\nSome 900 staff.\n',
        "utf-8",
    )
    files = text_files(stages.generate(mini_site).files)
    news = Head(files["en/news/ema-opens-office/index.html"])
    assert news.one("description") == news.one("og:description") == "The EMA opened its office."


def _described(root: Path, bodies: dict[str, str]) -> dict[str, str]:
    """The description of each English page ``bodies`` names, made with its body and no summary."""
    for name, body in bodies.items():
        (root / f"content/en/{name}.md").write_text(f"---\ntitle: {name}\n---\n{body}", "utf-8")
    files = text_files(stages.generate(root).files)
    return {name: Head(files[f"en/{name}/index.html"]).one("description") for name in bodies}


def assert_described(root: Path, cases: dict[str, tuple[str, str]]) -> None:
    """That each English page ``cases`` names, with its body and no summary, is described as expected."""
    said = _described(root, {name: body for name, (body, _) in cases.items()})
    assert said == {name: expected for name, (_, expected) in cases.items()}


# Bodies whose first paragraph holds markup that is no text, and what describes each page.
MARKUP_IN_TEXT = {
    "attribute": ('<p title="a > b">The <span title="x>y">agency</span> moved.</p>\n', "The agency moved."),
    "unquoted": ("<p>It's <span title=a'b>here</span>, isn't it?</p>\n", "It's here, isn't it?"),
    "comment": ("Staff <!-- a > b --> moved.\n", "Staff moved."),
    "line-break": ("First line<br>second line.\n", "First line second line."),
    "footnote": ("Some 900 staff[^1] moved.\n\n[^1]: In 2019.\n", "Some 900 staff moved."),
    "end-left-out": ("<div>\n<p>First paragraph<p>Second\n</div>\n", "First paragraph"),
    "invisible": ("&#8203;\n\n\u200f\u200b\n\n…\n\nThe first words.\n", "The first words."),
}


def test_a_page_is_described_by_the_words_of_its_first_paragraph_not_its_markup(mini_site):
    """docs/content.md: "its first paragraph with words": a paragraph of invisible characters or
    punctuation alone has none, and the next one describes the page. Its words are what a reader
    sees: no attribute or comment whose ">" ends a tag early, no footnote mark glued to the word
    before it, a line break as a space, a paragraph ended without </p> ended all the same."""
    assert_described(mini_site, MARKUP_IN_TEXT)


def test_the_start_of_a_text_is_cut_after_the_last_word_that_fits(mini_site):
    """docs/content.md: "cut after a word at about 160 characters": the last word that fits with
    its "…" is kept, not only the one before it."""
    fits = "word " * 31 + "fits"  # 159 characters, then a space
    assert len(fits) + len("…") == DESCRIPTION_LIMIT
    assert _described(mini_site, {"fits": f"{fits} and more words after it.\n"}) == {"fits": f"{fits}…"}


def test_words_joined_by_a_non_breaking_space_are_kept_together(mini_site):
    """A non-breaking space is kept, and the start of a text is not cut there: "€ 5 000 000"
    written with them is one word."""
    words = "word " * 30 + "a"
    said = _described(
        mini_site,
        {
            "short": "It is 10&nbsp;km away.\n",
            "cut": f"{words} €&nbsp;5&nbsp;000&nbsp;000 fee is paid by the region each year.\n",
        },
    )
    assert said == {"short": "It is 10\xa0km away.", "cut": f"{words}…"}


def test_a_word_too_long_to_end_on_is_not_cut_between_a_letter_and_its_marks(mini_site):
    """A word longer than half the limit is cut inside: not between a letter and the accent
    written after it, nor inside an emoji of several joined into one."""
    accented, coder = "e\u0301", "\U0001f469\u200d\U0001f4bb"  # é as e and its accent; 👩‍💻
    said = _described(mini_site, {"accents": accented * 100 + "\n", "emoji": "x" + coder * 60 + "\n"})
    assert said == {"accents": accented * 79 + "…", "emoji": "x" + coder * 52 + "…"}


# Bodies whose first paragraph, or part of it, is not shown to readers, and what describes each page.
NOT_SHOWN = {
    "hidden": (
        "<div hidden>\n<p>Notes for the editors.</p>\n</div>\n\nThe agency moved.\n",
        "The agency moved.",
    ),
    "hidden-paragraph": ('<p hidden="until-found">Found on a search.\n<p>Staff moved.</p>\n', "Staff moved."),
    "hidden-words": ("<p>The agency <span hidden>(draft)</span>moved.</p>\n", "The agency moved."),
    "aria-hidden": ('<p>Staff <span aria-hidden="TRUE">👋</span>moved.</p>\n', "Staff moved."),
    "aria-shown": ('<p>Staff <span aria-hidden="false">all</span> moved.</p>\n', "Staff all moved."),
}


def test_what_readers_are_not_shown_does_not_describe_a_page(mini_site):
    """docs/content.md: "What readers are not shown (`hidden`, `aria-hidden="true"`) does not
    count": neither an element so marked nor anything in it, where its end tag is left out too."""
    assert_described(mini_site, NOT_SHOWN)


# Bodies that start with web or e-mail addresses, and what describes each page.
ADDRESSES = {
    "autolink": ("<https://example.org/report-2019>\n\nThe report is out.\n", "The report is out."),
    "e-mail": ("<info@example.org>\n\nWrite to us.\n", "Write to us."),
    "several": ("[www.example.org](https://www.example.org) <https://example.org>\n\nOn.\n", "On."),
    "link-words": ("[The annual report](https://example.org/report)\n\nIt is out.\n", "The annual report"),
    "in-words": ("See <https://example.org> for more.\n", "See https://example.org for more."),
}


def test_a_paragraph_of_addresses_alone_does_not_describe_a_page(mini_site):
    """docs/content.md: "nor does a paragraph of nothing but web or e-mail addresses (a link
    written `<https://…>` alone on its line)". A link whose text is words is words."""
    assert_described(mini_site, ADDRESSES)


def test_a_list_does_not_describe_a_page_tight_or_loose(mini_site):
    """docs/content.md: "A list's items do not count, with or without blank lines between them".
    Markdown puts the items of a list with blank lines in paragraphs, the others not; a page of
    lists alone is described as the site is."""
    site_description = load_config(mini_site).language("en").description
    assert_described(
        mini_site,
        {
            "tight": ("- First item\n- Second item\n\nThe text.\n", "The text."),
            "loose": ("- First item\n\n- Second item\n\nThe text.\n", "The text."),
            "numbered": ("1. First step\n\n2. Second step\n\nThe text.\n", "The text."),
            "terms": ("Term\n\n:   Its definition.\n\nThe text.\n", "The text."),
            "lists": ("- First item\n\n- Second item\n", site_description),
        },
    )


def test_a_news_list_pages_number_fits_in_its_description(mini_site):
    """docs/content.md: "on a news list's later pages, with the page's number, in the same
    length": the start of the text is cut shorter to leave room for " (page 2 of 3)"."""
    site_yaml = mini_site / "site.yaml"
    site_yaml.write_text(site_yaml.read_text().replace("news_page_size: 10", "news_page_size: 1"))
    (mini_site / "content/en/news/_index.md").write_text(
        f"---\ntitle: News\n---\n{LONG_PARAGRAPH}\n", "utf-8"
    )
    files = text_files(stages.generate(mini_site).files)
    plain = LONG_PARAGRAPH.replace("**", "").replace("&amp;", "&")
    first = Head(files["en/news/index.html"]).one("description")
    assert len(first) <= DESCRIPTION_LIMIT and plain.startswith(first[:-1]) and first.endswith("…")
    total = sum(path.startswith("en/news/page/") for path in files) + 1
    assert total >= 3
    for number in range(2, total + 1):
        head = Head(files[f"en/news/page/{number}/index.html"])
        said, suffix = head.one("description"), f" (page {number} of {total})"
        assert len(said) <= DESCRIPTION_LIMIT and said.endswith("…" + suffix)
        text = said.removesuffix("…" + suffix)
        assert plain.startswith(text) and not plain[len(text)].isalnum()  # cut after a whole word
        assert head.one("og:description") == head.one("twitter:description") == said


def test_a_written_description_is_shortened_only_where_a_list_pages_number_would_not_fit(mini_site):
    """docs/content.md: "On a news list's later pages the page's number follows it, and one too long
    to leave the number room is cut after a word"; the first page's is whole."""
    site_yaml = mini_site / "site.yaml"
    site_yaml.write_text(site_yaml.read_text().replace("news_page_size: 10", "news_page_size: 1"))
    summary = (
        "News from the Amsterdam life sciences & health community: agencies, hospitals, universities, "
        "start-ups and investors, in the city and the metropolitan area."
    )
    assert DESCRIPTION_LIMIT - len(" (page 2 of 3)") < len(summary) <= DESCRIPTION_LIMIT
    (mini_site / "content/en/news/_index.md").write_text(
        f'---\ntitle: News\nsummary: "{summary}"\n---\n', "utf-8"
    )
    files = text_files(stages.generate(mini_site).files)
    assert Head(files["en/news/index.html"]).one("description") == summary
    said = Head(files["en/news/page/2/index.html"]).one("description")
    total = sum(path.startswith("en/news/page/") for path in files) + 1
    suffix = f" (page 2 of {total})"
    assert len(said) <= DESCRIPTION_LIMIT and said.endswith("…" + suffix)
    text = said.removesuffix("…" + suffix)
    assert summary.startswith(text) and summary[len(text)] == " "  # cut after a whole word
