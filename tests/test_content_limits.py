"""Limits on what a page may hold, end to end through the command line and the preview.

Nesting past ``MAX_NESTING`` however it is written, characters that XML and HTML
cannot carry however they are written in the front matter, feeds and a sitemap
checked by a strict XML parser, titles and dates that are surely mistakes, and
``new`` with a title of a hundred words. Each refused input gives one line naming
the file and line, exit status 1 and the previous ``build/`` unchanged; the
preview reports the same line and stays up.
"""

from __future__ import annotations

import datetime
import logging
import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import free_port, make_mini_site, read_tree, run_process, write_tree
from test_bad_input import ERROR_LINE, assert_failed_cleanly, break_site, replace_in
from test_cards import meta
from test_serve import _get, _start, _stop, _wait_for

EMA_EN = "content/en/news/2019-06-12-ema.md"
EMA_NL = "content/nl/news/2019-06-12-ema.md"
EMA_TITLE = "The European Medicines Agency opens its Amsterdam office"
EMA_BODY = "About 900 EMA staff now work at the Zuidas.\n"
MEMORY_LIMIT = 256 * 1024 * 1024


def ema_en(*extra: str, title: str = EMA_TITLE, date: str = "2019-06-12", body: str = EMA_BODY) -> dict:
    """The English EMA item: title on line 2, date on line 4, ``extra`` from line 5, then the body."""
    front = f"title: {title}\nslug: ema-opens-office\ndate: {date}\n" + "".join(f"{x}\n" for x in extra)
    return {EMA_EN: f"---\n{front}---\n{body}"}


# --- nesting --------------------------------------------------------------------------------

NESTED = "quotes and lists are nested more than 20 levels deep (hint: use fewer levels; deeper ones are hard to read anyway)"
MARKED = (
    "HTML blocks marked markdown= are nested more than 20 levels deep "
    "(hint: use fewer levels; deeper ones are hard to read anyway)"
)

# body → (line of the error, message); the body starts on line 6.
NESTING = {
    "lists 500 deep on one line": ("- " * 500 + "x\n", 6, NESTED),  # Python-Markdown's recursion ran out
    "lists 300 deep on one line": ("- " * 300 + "x\n", 6, NESTED),
    "numbered lists 400 deep": ("1. " * 400 + "x\n", 6, NESTED),
    "quotes 500 deep": ("> " * 500 + "x\n", 6, NESTED),
    "quotes and lists 30 deep": ("Intro.\n\n" + "> - " * 15 + "x\n", 8, NESTED),
    "lists 25 deep in a footnote": ("See the note.[^1]\n\n[^1]: " + "- " * 25 + "x\n", 8, NESTED),
    "definitions 25 deep": ("Term\n" + "".join("    " * i + ": definition\n" for i in range(25)), 27, NESTED),
    "HTML blocks marked markdown= 25 deep": (
        '<div markdown="1">\n' * 25 + "x\n" + "</div>\n" * 25,
        26,
        MARKED,
    ),
    # Only the parsed document shows these 25 levels: each line on its own nests less than 20.
    "lists 10 deep in quotes of HTML 15 deep": (
        "Intro.\n\n" + '<blockquote markdown="1">\n' * 15 + "- " * 10 + "deepest\n" + "</blockquote>\n" * 15,
        23,
        NESTED,
    ),
}


@pytest.mark.parametrize("case", list(NESTING))
def test_nesting_past_the_limit_is_refused_with_one_line(mini_built, run_cli, case):
    root, before = mini_built
    body, line, message = NESTING[case]
    break_site(root, ema_en(body=body))
    if case == "lists 500 deep on one line":  # as an editor's shell runs it, with Python's own stack
        result = run_process("-C", root, "build", cwd=root, memory_limit=MEMORY_LIMIT)
    else:
        result = subprocess.CompletedProcess("build", *run_cli("-C", root, "build"))
    assert_failed_cleanly(root, before, result, [f"{EMA_EN}:{line}: {message}"])


def test_nesting_up_to_the_limit_and_rules_of_dashes_are_published(mini_built, run_cli):
    root, before = mini_built
    body = (
        "- " * 20 + "twenty lists\n\n"
        + "> - " * 10 + "ten quotes and ten lists\n\n"
        + "Text\n\n" + "- " * 40 + "\n\n"  # a rule: dashes with spaces between, however many
        + "* " * 40 + "\n"
    )  # fmt: skip
    break_site(root, ema_en(body=body))
    code, _, err = run_cli("-C", root, "-q", "build")
    assert (code, err) == (0, "")
    page = "en/news/ema-opens-office/index.html"
    html, earlier = (root / "build" / page).read_text("utf-8"), before[page].decode("utf-8")
    added = {tag: html.count(tag) - earlier.count(tag) for tag in ("<ul>", "<blockquote>", "<hr")}
    assert added == {"<ul>": 30, "<blockquote>": 10, "<hr": 2}


def test_nesting_that_only_recursion_finds_is_refused_and_the_renderer_goes_on():
    """The last net: Markdown that reaches the renderer without the check of its lines (which
    the build always makes) fails as one error, not a traceback, and the next page converts."""
    from site_builder.content.frontmatter import parse
    from site_builder.content.load import SourcePage
    from site_builder.render.markup import MarkupRenderer

    def source(body: str) -> SourcePage:
        doc = parse(f"---\ntitle: T\n---\n{body}", "content/en/t.md", "page")
        return SourcePage("en", "t.md", "content/en/t.md", "page", doc, "digest", "version")

    renderer = MarkupRenderer(lambda lang, rel: None)
    failed = renderer.render_source(source("Intro.\n\n" + "- " * 3000 + "x\n")).body
    assert failed.html == ""
    assert [str(e) for e in failed.problems] == [
        (
            "content/en/t.md:4: the text is nested too deeply to be converted "
            "(hint: use fewer levels of quotes, lists and HTML blocks)"
        )
    ]
    after = renderer.render_source(source("- a\n    - b\n\nText\n")).body
    assert after.problems == ()
    assert after.html == "<ul>\n<li>a<ul>\n<li>b</li>\n</ul>\n</li>\n</ul>\n<p>Text</p>"


# --- characters in the front matter ---------------------------------------------------------

ESCAPE_HINT = "(hint: remove the escape that writes it, such as \\x01 or \\u001b, from the quoted text)"
TYPED_HINT = "(hint: delete it; it is invisible in most editors and often comes with copied text)"

# As written between double quotes in YAML → what the error calls it.
ESCAPES = {
    r"\x01": "the control character U+0001",
    r"\x1b": "the control character U+001B",
    r"\e": "the control character U+001B",
    r"\x0b": "the control character U+000B",
    r"\v": "the control character U+000B",
    r"\x0c": "the control character U+000C",
    r"\r": "the control character U+000D",
    r"\x7f": "the control character U+007F",
    r"\N": "the control character U+0085",
    r"\u0000": "the control character U+0000",
    r"\ufffe": "the noncharacter U+FFFE",
    r"\uffff": "the noncharacter U+FFFF",
    r"\ufdd0": "the noncharacter U+FDD0",
    r"\U0001FFFF": "the noncharacter U+1FFFF",
}


@pytest.mark.parametrize("escape", list(ESCAPES))
def test_characters_xml_cannot_carry_are_refused_when_written_as_escapes(mini_built, run_cli, escape):
    root, before = mini_built
    break_site(root, ema_en(title=f'"The European{escape} Medicines Agency"'))
    result = subprocess.CompletedProcess("build", *run_cli("-C", root, "build"))
    assert_failed_cleanly(
        root, before, result, [f"{EMA_EN}:2: the text contains {ESCAPES[escape]} {ESCAPE_HINT}"]
    )


def test_half_a_surrogate_pair_is_refused_in_plain_words(mini_built, run_cli):
    root, before = mini_built
    break_site(root, ema_en(title='"The European\\ud800 Medicines Agency"'))
    result = subprocess.CompletedProcess("build", *run_cli("-C", root, "build"))
    expected = (
        f"{EMA_EN}:2: invalid YAML: an escape \\u… or \\U… that names no character "
        "(hint: type the character itself; \\ud800 to \\udfff are halves of a pair, not characters)"
    )
    assert_failed_cleanly(root, before, result, [expected])


def test_every_text_of_the_front_matter_and_site_yaml_is_checked_on_its_own_line(mini_built, run_cli):
    root, before = mini_built
    break_site(root, ema_en('summary: "The agency moved from London', '  to Amsterdam\\x01 in 2019."'))
    figures = root / "content/en/key-figures.md"
    typed = "\ufdd0"  # a noncharacter typed as it is: valid UTF-8, so the file's own check lets it pass
    figures.write_text(
        figures.read_text("utf-8").replace("label: programme budget", f"label: programme{typed} budget")
    )
    replace_in(
        "site.yaml", "  nl: Life Sciences & Health Amsterdam\n", '  nl: "Life Sciences\\u001b & Health"\n'
    )(root)
    result = subprocess.CompletedProcess("build", *run_cli("-C", root, "build"))
    site_line = next(
        n for n, x in enumerate((root / "site.yaml").read_text().splitlines(), 1) if "\\u001b" in x
    )
    figure_line = next(n for n, x in enumerate(figures.read_text("utf-8").splitlines(), 1) if typed in x)
    # site.yaml is read first, and stops the build on its own.
    assert_failed_cleanly(
        root,
        before,
        result,
        [f"site.yaml:{site_line}: the text contains the control character U+001B {ESCAPE_HINT}"],
    )
    replace_in("site.yaml", '"Life Sciences\\u001b & Health"', "Life Sciences & Health Amsterdam")(root)
    result = subprocess.CompletedProcess("build", *run_cli("-C", root, "build"))
    assert_failed_cleanly(
        root,
        before,
        result,
        [
            f"content/en/key-figures.md:{figure_line}: the text contains the noncharacter U+FDD0 {TYPED_HINT}",
            f"{EMA_EN}:6: the text contains the control character U+0001 {ESCAPE_HINT}",
        ],
    )


# --- the XML files, as a strict parser reads them ----------------------------------------

XML_HINT = "(hint: a page's text broke the file: look in the page named here for unusual characters)"


def test_a_feed_a_reader_could_not_parse_stops_the_build(mini_built, run_cli, monkeypatch):
    """The sources are refused first; here the feed is broken after them, as a gap in those checks would."""
    from site_builder.render import feeds

    absolute = feeds._absolute_links
    monkeypatch.setattr(
        feeds, "_absolute_links", lambda html, base: absolute(html, base).replace("EMA staff", "EMA\x01staff")
    )
    root, before = mini_built
    result = subprocess.CompletedProcess("build", *run_cli("-C", root, "build"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.fullmatch(
        r"build/en/feed\.xml:\d+: the character U\+0001 is not allowed in XML, "
        rf"near https://lsh\.amsterdam/en/news/ema-opens-office/ {re.escape(XML_HINT)}\n",
        result.stderr,
    ), result.stderr
    assert read_tree(root / "build") == before


def test_a_sitemap_that_is_not_well_formed_stops_the_build(mini_built, run_cli, monkeypatch):
    from site_builder.render import feeds
    from site_builder.site.files import OutputFile

    sitemap = feeds.sitemap
    monkeypatch.setattr(
        feeds,
        "sitemap",
        lambda site: OutputFile("sitemap.xml", sitemap(site).data.replace(b"</urlset>", b"")),
    )
    root, before = mini_built
    result = subprocess.CompletedProcess("build", *run_cli("-C", root, "build"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.fullmatch(
        r"build/sitemap\.xml:\d+: it is not well-formed XML \([^()]+\), near https://lsh\.amsterdam/\S+ "
        + re.escape(XML_HINT) + "\n",
        result.stderr,
    ), result.stderr  # fmt: skip
    assert read_tree(root / "build") == before


@pytest.mark.parametrize(
    "character, shown",
    [("\x01", "U+0001"), ("\x1b", "U+001B"), ("\ufffe", "U+FFFE"), ("\U0001ffff", "U+1FFFF")],
)
def test_a_page_with_a_character_html_does_not_allow_stops_the_build(mini_built, run_cli, character, shown):
    """Inputs refuse these characters; a template can still carry one into every page."""
    root, before = mini_built
    template = root / "templates/base.html"
    text = template.read_text("utf-8")
    # In the text, not in a comment, which minifying leaves out.
    template.write_text(text.replace("</body>", f"<span>{character}</span></body>", 1), "utf-8")
    result = subprocess.CompletedProcess("build", *run_cli("-C", root, "build"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines and all(
        re.fullmatch(
            rf"build/\S+\.html:\d+: the character {re.escape(shown)} is not allowed in a web page "
            r"\(hint: a template or a translation put it there: delete it \(it is invisible in most editors\)\)",
            line,
        )
        for line in lines
    ), lines
    assert read_tree(root / "build") == before


def test_the_feeds_and_sitemap_of_a_build_are_well_formed(mini_built):
    from site_builder.checks.wellformed import SITEMAP, malformed_xml
    from site_builder.stages import generate

    generated = generate(mini_built[0])
    checked = {f.path for f in generated.files if f.path == SITEMAP or f.path.endswith("/feed.xml")}
    assert checked == {"sitemap.xml", "en/feed.xml", "nl/feed.xml"}
    assert malformed_xml(generated.site, generated.files) == []


# --- titles and dates that are surely mistakes -------------------------------------------


def assert_refused_after_a_build(root: Path, before: dict[str, bytes], result, expected: list[str]) -> None:
    """``assert_failed_cleanly`` for a project built successfully just before (which leaves the
    folder the tool keeps beside build/)."""
    assert "Traceback" not in result.stderr
    assert (result.returncode, result.stdout, result.stderr.splitlines()) == (1, "", expected)
    assert all(ERROR_LINE.fullmatch(line) for line in expected)
    assert read_tree(root / "build") == before


FUTURE_HINT = "(hint: check the year; a news item stays first in every list until its date)"
LONG_HINT = "(hint: shorten it, and put the rest in summary:)"


def test_a_date_more_than_five_years_ahead_is_warned_about(mini_built, run_cli):
    root, _ = mini_built
    for rel in (EMA_EN, EMA_NL):  # both languages, so that their dates agree
        replace_in(rel, "date: 2019-06-12", "date: 9999-12-31")(root)
    expected = [
        f"{rel}:4: the date 9999-12-31 is more than 5 years ahead {FUTURE_HINT}" for rel in (EMA_EN, EMA_NL)
    ]
    code, _, err = run_cli("-C", root, "-q", "build")
    assert code == 0
    assert err.splitlines() == [f"warning: {line}" for line in expected]
    before = read_tree(root / "build")
    result = subprocess.CompletedProcess("build", *run_cli("-C", root, "build", "--strict"))
    assert_refused_after_a_build(root, before, result, expected)

    soon = datetime.date.today() + datetime.timedelta(days=4 * 365)
    for rel in (EMA_EN, EMA_NL):
        replace_in(rel, "date: 9999-12-31", f"date: {soon.isoformat()}")(root)
    assert run_cli("-C", root, "-q", "build", "--strict")[::2] == (0, "")


SUMMARY_HINT = (
    "(hint: add description: with one sentence of at most 160 characters for search results and link "
    "previews; the summary stays the page's lead)"
)


def test_a_summary_longer_than_search_results_show_is_warned_about_unless_a_description_stands_in(
    mini_built, run_cli
):
    """docs/content.md: a summary over 160 characters, with no description, is warned about at its
    line; a description in its place (or a summary of 160) is not; a description over 160 is, at
    its own line. ``--strict`` makes each warning an error that keeps the last build."""
    root, _ = mini_built
    break_site(root, ema_en(f"summary: {'S' * 160}"))
    assert run_cli("-C", root, "-q", "build", "--strict")[::2] == (0, "")

    break_site(root, ema_en(f"summary: {'S' * 161}"))
    code, _, err = run_cli("-C", root, "-q", "build")
    warning = (
        f"{EMA_EN}:5: the summary is 161 characters long; search results show about 160 of it {SUMMARY_HINT}"
    )
    assert (code, err.splitlines()) == (0, [f"warning: {warning}"])
    before = read_tree(root / "build")
    result = subprocess.CompletedProcess("build", *run_cli("-C", root, "build", "--strict"))
    assert_refused_after_a_build(root, before, result, [warning])

    break_site(root, ema_en(f"summary: {'S' * 400}", f"description: {'D' * 160}"))
    assert run_cli("-C", root, "-q", "build", "--strict")[::2] == (0, "")

    break_site(root, ema_en(f"summary: {'S' * 400}", f"description: {'D' * 1200}"))
    code, _, err = run_cli("-C", root, "-q", "build")
    warning = (
        f"{EMA_EN}:6: the description is 1,200 characters long; search results show about 160 of it "
        "(hint: shorten it to one sentence of at most 160 characters)"
    )
    assert (code, err.splitlines()) == (0, [f"warning: {warning}"])
    assert ERROR_LINE.fullmatch(warning)


def test_check_counts_the_settings_that_look_like_mistakes_it_reports(mini_built, run_cli, caplog):
    """check fails on a description too long for search results, as on every warning; its last
    line counts it, rather than 0 of everything beside a failure."""
    root, _ = mini_built
    break_site(root, ema_en(f"description: {'D' * 200}"))
    with caplog.at_level(logging.INFO, logger="site_builder"):
        code, _, err = run_cli("-C", root, "check")
    assert code == 1
    assert err.splitlines() == [
        f"{EMA_EN}:5: the description is 200 characters long; search results show about 160 of it "
        "(hint: shorten it to one sentence of at most 160 characters)"
    ]
    counts = caplog.records[-1].getMessage()
    assert counts.startswith("0 links leading nowhere, ")
    assert counts.endswith(", 1 settings that look like mistakes")


def test_a_long_title_is_warned_about_and_an_absurd_one_refused(mini_built, run_cli):
    root, _ = mini_built
    break_site(root, ema_en(title="T" * 150))
    assert run_cli("-C", root, "-q", "build", "--strict")[::2] == (0, "")

    break_site(root, ema_en(title="T" * 1000))
    code, _, err = run_cli("-C", root, "-q", "build")
    warning = f"{EMA_EN}:2: the title is 1,000 characters long; over 150 it is cut off in search results and hard to read in lists {LONG_HINT}"
    assert (code, err.splitlines()) == (0, [f"warning: {warning}"])
    assert ERROR_LINE.fullmatch(warning)

    before = read_tree(root / "build")
    break_site(root, ema_en(title="T" * 200_000))
    result = subprocess.CompletedProcess("build", *run_cli("-C", root, "build"))
    expected = (
        f"{EMA_EN}:2: title is 200,000 characters long; the limit is 1,000 "
        "(hint: a title is one line; put the rest in summary: or in the body)"
    )
    assert_refused_after_a_build(root, before, result, [expected])


def test_a_summary_left_empty_is_warned_about_and_one_left_out_is_not(mini_built, run_cli):
    """docs/content.md: "Left empty (`summary: ""`, as `site-builder new` writes it), the build
    warns." """
    root, _ = mini_built
    assert run_cli("-C", root, "-q", "build", "--strict")[::2] == (0, "")  # the item has no summary line
    break_site(root, ema_en('summary: ""'))
    code, _, err = run_cli("-C", root, "-q", "build")
    warning = (
        f"{EMA_EN}:5: the summary is empty: search results and link previews show the start of the page's "
        "text instead (hint: write one or two sentences after summary:)"
    )
    assert (code, err.splitlines()) == (0, [f"warning: {warning}"])
    assert ERROR_LINE.fullmatch(warning)
    code, _, err = run_cli("-C", root, "-q", "build", "--strict")
    assert (code, err.splitlines()) == (1, [warning])


@pytest.mark.parametrize("summary", ['" "', '"\\u00a0"', '"\\u200b"', '"\\ufeff"', '"\\n"', "|\n  \n"])
def test_a_summary_of_spaces_or_invisible_characters_is_warned_about_as_empty(mini_built, run_cli, summary):
    """As the warning says, the start of the page's text stands in: not a blank description in
    search results and link previews, nor a blank lead paragraph."""
    root, before = mini_built
    break_site(root, ema_en(f"summary: {summary}"))
    code, _, err = run_cli("-C", root, "-q", "build")
    assert (code, err.splitlines()) == (
        0,
        [
            f"warning: {EMA_EN}:5: the summary is empty: search results and link previews show the start of "
            "the page's text instead (hint: write one or two sentences after summary:)"
        ],
    )
    page = "en/news/ema-opens-office/index.html"
    html, earlier = (root / "build" / page).read_text("utf-8"), before[page].decode("utf-8")
    assert meta(html)["og:description"] == EMA_BODY.strip()
    assert html.count(f'content="{EMA_BODY.strip()}"') == earlier.count(f'content="{EMA_BODY.strip()}"') == 3
    assert html.count("lead") == earlier.count("lead")


def test_new_says_what_to_do_next_with_the_draft_and_its_translation(mini_site, run_cli, caplog):
    """An editor who has run `new` is told what makes the draft a page, and a translator's page
    what makes it one: the paths alone are on stdout, for scripts."""
    caplog.set_level(logging.INFO, logger="site_builder")
    code, out, err = run_cli("-C", mini_site, "new", "news", "A new lab opens", "--lang", "en", "--both")
    assert code == 0, err
    english, dutch = out.split()
    assert caplog.messages == [
        "a draft: the preview shows it; write its summary and text, then delete the line 'draft: true' "
        "to publish it",
        f"{dutch} waits for its translation, kept out of the site until then: translate it, then run "
        f"site-builder translations done {dutch}",
    ]
    assert english.endswith("content/en/news/" + Path(dutch).name)


def test_new_writes_an_empty_summary_that_warns_only_once_the_page_is_published(mini_site, run_cli):
    """The new page is a draft, its translation waits for its translator: neither is published,
    so neither is warned about; the English page is once it is no draft."""
    code, out, err = run_cli("-C", mini_site, "new", "news", "A new lab opens", "--lang", "en", "--both")
    assert code == 0, err
    english = mini_site / out.split()[0]
    code, _, err = run_cli("-C", mini_site, "-q", "build")
    assert code == 0 and "summary" not in err, err
    english.write_text(english.read_text("utf-8").replace("draft: true\n", ""), "utf-8")
    code, _, err = run_cli("-C", mini_site, "-q", "build")
    rel = english.relative_to(mini_site).as_posix()
    assert code == 0 and f"warning: {rel}:3: the summary is empty" in err, err


# --- new --------------------------------------------------------------------------------------

SENTENCE = (
    "Burgemeester Halsema en de besturen van de Amsterdamse universiteiten tekenen "
    "een verklaring over data en gezondheid"
)
HUNDRED_WORDS = " ".join((SENTENCE.split() * 7)[:100])


def test_new_with_a_title_of_a_hundred_words_gets_a_short_address(mini_site, run_cli):
    code, out, err = run_cli("-C", mini_site, "new", "news", HUNDRED_WORDS, "--lang", "nl")
    assert code == 0, err
    path = mini_site / out.strip()
    slug = "burgemeester-halsema-en-de-besturen-van-de-amsterdamse"  # "-universiteiten" would pass 60
    assert re.fullmatch(rf"\d{{4}}-\d{{2}}-\d{{2}}-{slug}\.md", path.name), path.name
    text = path.read_text("utf-8")
    assert f'title: "{HUNDRED_WORDS}"\n' in text and f"slug: {slug}\n" in text

    code, _, err = run_cli("-C", mini_site, "-q", "build", "--drafts")  # a new item is a draft
    assert code == 0
    rel = path.relative_to(mini_site).as_posix()
    assert err.splitlines() == [
        f"warning: {rel}: no English translation (hint: add content/en/news/{path.name}, or give both pages the same translation_key)",
        f"warning: {rel}:2: the title is 728 characters long; over 150 it is cut off in search results and hard to read in lists {LONG_HINT}",
        f"warning: {rel}:3: the summary is empty: search results and link previews show the start of the "
        "page's text instead (hint: write one or two sentences after summary:)",
    ]
    assert (mini_site / f"build/nl/nieuws/{slug}/index.html").is_file()


def test_new_cuts_one_long_word_and_refuses_what_the_build_would(mini_site, run_cli):
    code, out, err = run_cli("-C", mini_site, "new", "news", "Ziekenhuis" * 40, "--lang", "nl")
    assert code == 0, err
    assert Path(out.strip()).name.endswith("-" + ("ziekenhuis" * 6) + ".md")

    news = sorted((mini_site / "content/nl/news").iterdir())
    code, out, err = run_cli("-C", mini_site, "new", "news", "Nieuws " * 300, "--lang", "nl")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "the title is 2,099 characters long; the limit is 1,000 (hint: give the page a short title; the text goes in the page itself)"
    ]
    code, out, err = run_cli("-C", mini_site, "new", "news", "Nieuws\x1b[31m vandaag", "--lang", "nl")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "the title contains the control character U+001B (hint: type the title again without it)"
    ]
    assert sorted((mini_site / "content/nl/news").iterdir()) == news


# --- the preview ------------------------------------------------------------------------------


def test_the_preview_reports_each_limit_as_one_line_and_stays_up(tmp_path, caplog):
    from site_builder.serve import Preview

    root = make_mini_site(tmp_path / "site")
    preview = Preview(root, tmp_path / "preview")
    assert preview.poll()
    saves = [
        (ema_en(body="- " * 500 + "x\n"), f"{EMA_EN}:6: {NESTED}"),
        (ema_en(title='"The EMA\\x01 opens"'), f"{EMA_EN}:2: the text contains the control character U+0001 {ESCAPE_HINT}"),
        (ema_en(title="T" * 200_000), (f"{EMA_EN}:2: title is 200,000 characters long; the limit is 1,000 "
         "(hint: a title is one line; put the rest in summary: or in the body)")),
    ]  # fmt: skip
    for files, expected in saves:
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="site_builder"):
            write_tree(root, files)
            assert preview.poll()  # the last good pages, with the error at their top
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert errors == [expected]
        assert "Traceback" not in caplog.text
        shown = (preview.out / "en/news/ema-opens-office/index.html").read_text("utf-8")
        assert "preview-error" in shown

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="site_builder"):
        write_tree(root, ema_en(date="9999-12-31"))
        assert preview.poll()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert f"warning: {EMA_EN}:4: the date 9999-12-31 is more than 5 years ahead {FUTURE_HINT}" in warnings
    assert "preview-error" not in (preview.out / "en/news/ema-opens-office/index.html").read_text("utf-8")


def test_the_preview_process_reports_lists_500_deep_as_one_line(tmp_path):
    """As an editor runs it: a real process, with Python's own stack, whose output is the terminal."""
    root = make_mini_site(tmp_path / "site")
    log = tmp_path / "serve.log"
    port = free_port()
    process = _start(root, port, log)
    try:
        url = f"http://127.0.0.1:{port}/en/news/ema-opens-office/"
        _wait_for(lambda: _get(url))
        # Written whole, then renamed into place: the preview never sees half a file.
        ((_, text),) = ema_en(body="- " * 500 + "x\n").items()
        (root / f"{EMA_EN}.tmp").write_text(text, encoding="utf-8")
        os.replace(root / f"{EMA_EN}.tmp", root / EMA_EN)
        _wait_for(lambda: "preview-error" in (_get(url) or ""))
        assert process.poll() is None
    finally:
        code = _stop(process)
    assert code == 0, log.read_text()
    terminal = log.read_text()
    assert "Traceback" not in terminal and "RecursionError" not in terminal
    assert [line for line in terminal.splitlines() if EMA_EN in line] == [f"{EMA_EN}:6: {NESTED}"]


@pytest.mark.parametrize(
    "text, refused",
    [
        ("plain <p>text</p>\n\ttabbed\r\n", None),
        ("€ ﷺ \ufffd \U0001f600 \U0010fffd", None),  # characters near the noncharacters, allowed
        ("a\x0bb", "U+000B"),
        ("a\x7fb\x1fc", "U+001F"),  # DEL is allowed in HTML text; U+001F is not
        ("a\ufdd0b", "U+FDD0"),
        ("a\ufdefb", "U+FDEF"),
        ("a\uffffb", "U+FFFF"),
        ("a\U0010fffeb", "U+10FFFE"),
    ],
)
def test_the_page_check_finds_exactly_what_html_does_not_allow(text, refused):
    from site_builder.checks.wellformed import html_problems
    from site_builder.site.files import OutputFile

    [problems] = html_problems([OutputFile("en/index.html", text.encode("utf-8", "surrogatepass"))])
    assert [p.message.split()[2] for p in problems] == ([refused] if refused else [])
