"""End to end through the command line: one broken input → exact message, exit 1, old build/ intact.

Each case builds the mini site successfully, records every byte in ``build/``,
breaks one thing and builds again in a real process (``python -m site_builder``),
so the exit status and stderr are exactly what an editor or CI sees.
"""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, read_tree, run_process, write_tree

from site_builder import pipeline
from site_builder.config import load_config
from site_builder.content.frontmatter import parse
from site_builder.content.load import decode, load_sources
from site_builder.errors import SiteErrors, format_error

# ``path:line: message (hint: …)``; the line is left out where a file has none to name.
ERROR_LINE = re.compile(r"[\w./-]+(:\d+)?: \S.* \(hint: [^()]*(\([^()]*\)[^()]*)*\)")

ABOUT_NL = "content/nl/about.md"
EMA_NL = "content/nl/news/2019-06-12-ema.md"
SLUG_HINT = "(hint: use lower-case letters a-z, digits and single hyphens, such as over-ons)"


def about_nl(*front: str, body: str = "Wij zijn de regio.\n") -> dict[str, str]:
    return {ABOUT_NL: "---\n" + "".join(f"{line}\n" for line in front) + "---\n" + body}


ABOUT_EN = "content/en/about.md"


def about_en(body: str) -> dict[str, str]:
    """The mini site's English about page with ``body`` from line 6 on."""
    return {ABOUT_EN: "---\ntitle: About us\nmenu: true\nweight: 20\n---\n" + body}


def replace_in(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


def append_bytes(path: Path, data: bytes) -> None:
    path.write_bytes(path.read_bytes() + data)


def lines_in(rel: str) -> int:
    """The lines of the repository's file ``rel``, which the mini site copies."""
    return (REPO / rel).read_bytes().count(b"\n")


PAGE_TEMPLATE = '{% extends "base.html" %}\n{% block main %}\n<h1>{{ page.title }}</h1>\n{% endblock %}\n'

URL_HINT = "(hint: check the address; pages are linked best by their .md file)"
MD_HINT = "(hint: link to a page's file relative to this file, such as ../swot.md)"
FRAGMENT_HINT = "(hint: after # comes the id of a heading on that page, such as #swot-strengths)"
FILE_HINT = "(hint: put the file in assets/ and write /assets/ before its name)"

CASES: dict[str, tuple[dict | Callable[[Path], None], list[str]]] = {
    "malformed YAML": (
        about_nl("title: Over ons", "summary: Amsterdam: de regio"),
        [
            f"{ABOUT_NL}:3: invalid YAML: a ': ' inside text that is not in quotes "
            "(hint: put text that contains ': ' in quotes)"
        ],
    ),
    "a word processor's curly quotes around text with ': '": (
        about_nl("title: Over ons", 'summary: “Amsterdam: de "regio"”'),
        [
            f"{ABOUT_NL}:3: invalid YAML: a ': ' inside text that is not in quotes "
            '(hint: type straight quotes " in place of the curly ones a word processor typed: '
            'summary: "Amsterdam: de \\"regio\\"")'
        ],
    ),
    "no space after a key's ':'": (
        about_nl("title: Over ons", "summary:Wie wij zijn"),
        [
            f"{ABOUT_NL}:3: invalid YAML: no space follows the ':' after 'summary' "
            "(hint: type a space after the ':', as in 'summary: …')"
        ],
    ),
    "no space after a key's ':', the rest a key of its own": (
        about_nl("title: Over ons", "slug:over-ons: de regio"),
        [f"{ABOUT_NL}:3: unknown key 'slug:over-ons' (hint: type a space after the ':', as in 'slug: …')"],
    ),
    "a '...' line ending the front matter early": (
        about_nl("title: Over ons", "...", "draft: true"),
        [
            f"{ABOUT_NL}:3: a line '...' inside the front matter: the settings after it would be ignored "
            "(hint: close the front matter with a line '---' and remove the '...')"
        ],
    ),
    "front matter not a mapping": (
        about_nl("- Over ons"),
        [
            f"{ABOUT_NL}:2: the front matter is not a list of settings "
            "(hint: write settings as 'key: value' lines, such as 'title: Nieuws')"
        ],
    ),
    "missing title": (
        about_nl("summary: Wie wij zijn", "slug: over-ons"),
        [f"{ABOUT_NL}:2: missing required key 'title' (hint: add 'title: …' with the page title)"],
    ),
    "news without date": (
        {EMA_NL: "---\ntitle: EMA opent kantoor\nslug: ema-opent-kantoor\n---\nTekst.\n"},
        [f"{EMA_NL}:2: missing required key 'date' (hint: add a line 'date: …')"],
    ),
    "impossible date": (
        {EMA_NL: "---\ntitle: EMA opent kantoor\nslug: ema-opent-kantoor\ndate: 2017-11-31\n---\n"},
        [f"{EMA_NL}:4: date '2017-11-31' is not a valid date (hint: write the date as YYYY-MM-DD)"],
    ),
    "unknown front matter key": (
        about_nl("title: Over ons", "slug: over-ons", "sumary: Wie wij zijn"),
        [f"{ABOUT_NL}:4: unknown key 'sumary' (hint: did you mean 'summary'?)"],
    ),
    "slug with a slash": (
        about_nl("title: Over ons", "slug: over/ons"),
        [f"{ABOUT_NL}:3: slug 'over/ons' is not URL-safe {SLUG_HINT}"],
    ),
    "slug with dot-dot": (
        about_nl("title: Over ons", "slug: .."),
        [f"{ABOUT_NL}:3: slug '..' is not URL-safe {SLUG_HINT}"],
    ),
    "slug with line breaks that would print a line like another error's": (
        about_nl("title: Over ons", 'slug: "over\\nfake.md:1: all good\\u2028x"'),
        [f"{ABOUT_NL}:3: slug 'over\\nfake.md:1: all good\\u2028x' is not URL-safe {SLUG_HINT}"],
    ),
    "slug longer than a file name may be": (
        about_nl("title: Over ons", "slug: " + "a" * 249),
        [f"{ABOUT_NL}:3: slug '{'a' * 40}…' is 249 characters long, more than 100 {SLUG_HINT}"],
    ),
    "a template of pieces named as a page's": (  # the page was published empty
        about_nl("title: Over ons", "template: macros.html"),
        [
            f"{ABOUT_NL}:3: the template macros.html made no page: it holds pieces of pages, not a page "
            "(hint: name a template that extends base.html, such as page.html)"
        ],
    ),
    "tags begun and never closed, which Markdown reads in a time that grows with their square": (
        about_nl("title: Over ons", body="Wij zijn de regio.\n\n" + "a <b " * 1001 + "\n"),
        [
            f"{ABOUT_NL}:6: 1001 tags are begun with '<' and never closed with '>' "
            "(hint: write &lt; for a < that is text, or close each tag with >)"
        ],
    ),
    "a long paragraph of references, which Markdown reads in a time that grows with their square": (
        about_nl("title: Over ons", body="Wij zijn de regio.\n\n" + "&#x41;" * 40_000 + "\n"),
        [
            f"{ABOUT_NL}:6: a paragraph of 234 KiB holds too much markup to convert in good time "
            "(hint: split it into shorter paragraphs)"
        ],
    ),
    "slug with a space": (
        about_nl("title: Over ons", "slug: over ons"),
        [f"{ABOUT_NL}:3: slug 'over ons' is not URL-safe {SLUG_HINT}"],
    ),
    "slug with an accent": (
        about_nl("title: Over ons", "slug: café"),
        [f"{ABOUT_NL}:3: slug 'café' is not URL-safe {SLUG_HINT}"],
    ),
    "two pages claim one URL": (
        {"content/nl/contact.md": "---\ntitle: Contact\nslug: over-ons\n---\n"},
        [
            f"{path}:3: the address /nl/over-ons/ is claimed by 2 pages: content/nl/about.md, "
            "content/nl/contact.md (hint: give one of them a different slug)"
            for path in ("content/nl/about.md", "content/nl/contact.md")
        ],
    ),
    "language folder not in site.yaml": (
        {"content/de/_index.md": "---\ntitle: Willkommen\n---\n"},
        [
            "content/de: 'de' is not a language of this site "
            "(hint: add it under languages: in site.yaml, or use one of: en, nl)"
        ],
    ),
    "template syntax error": (
        {"templates/page.html": PAGE_TEMPLATE.replace("{{ page.title }}", "{{ page.title }")},
        [
            "templates/page.html:3: template error: unexpected '}' "
            "(hint: check the {{ }} and {% %} tags around this line)"
        ],
    ),
    "template runtime error": (
        {"templates/page.html": PAGE_TEMPLATE.replace("</h1>\n", "</h1>\n<p>{{ page_summary }}</p>\n")},
        [
            "templates/page.html:4: template error: 'page_summary' is undefined "
            "(hint: a name may be misspelt, or a value missing)"
        ],
    ),
    "template runtime error in a macro": (
        replace_in("templates/macros.html", "{{ item.title }}", "{{ item.titel }}"),
        [
            "templates/macros.html:3: template error: 'site_builder.site.model.Page object' has no "
            "attribute 'titel' (hint: a name may be misspelt, or a value missing)"
        ],
    ),
    "template key names a missing template": (
        about_nl("title: Over ons", "slug: over-ons", "template: over.html"),
        [
            f"{ABOUT_NL}:4: template 'over.html' does not exist "
            "(hint: name a file in templates/, such as page.html)"
        ],
    ),
    "file that is not UTF-8": (
        {ABOUT_NL: "---\ntitle: Over ons\nslug: over-ons\n---\nCafé Amsterdam\n".encode("latin-1")},
        [f"{ABOUT_NL}:5: the file is not valid UTF-8 text (hint: save the file as UTF-8)"],
    ),
    "template that is not UTF-8": (
        {"templates/page.html": (PAGE_TEMPLATE + "{# café #}\n").encode("latin-1")},
        [
            f"templates/page.html:{PAGE_TEMPLATE.count(chr(10)) + 1}: the template is not valid UTF-8 text "
            "(hint: save the file as UTF-8)"
        ],
    ),
    "file with a NUL byte": (
        {ABOUT_NL: b"---\ntitle: Over ons\nslug: over-ons\n---\nA\x00B\n"},
        [f"{ABOUT_NL}:5: the file contains a NUL byte (hint: is this a text file?)"],
    ),
    "broken .md link": (
        about_nl("title: Over ons", "slug: over-ons", body="Intro.\n\nZie de [cijfers](kerncijfers.md).\n"),
        [
            f"{ABOUT_NL}:7: the link 'kerncijfers.md' leads to no page "
            "(hint: content/nl/key-figures.md has the address /nl/kerncijfers/: link to key-figures.md)"
        ],
    ),
    # Written in news/ as if it were beside the page linked to.
    "link to a page's file written as if from its folder": (
        replace_in("content/en/news/2019-06-12-ema.md", "at the Zuidas.", "at the [Zuidas](about.md)."),
        [
            "content/en/news/2019-06-12-ema.md:6: the link 'about.md' leads to no page (hint: a link starts "
            "from the folder of the file it is in: content/en/about.md is ../about.md from here)"
        ],
    ),
    # Links written as raw HTML: named at their line, never blamed on the page's template.
    "raw HTML link to no page, in an HTML block": (
        about_en('We publish the figures.\n\n<p class="more">See <a href="/nothing/">this</a>.</p>\n'),
        [f"{ABOUT_EN}:8: the link '/nothing/' leads to no page {URL_HINT}"],
    ),
    "raw HTML link to a page's file that does not exist, inline": (
        about_en('We publish the figures.\n\nSee <a class="more" href="nothing.md">this</a>.\n'),
        [f"{ABOUT_EN}:8: the link 'nothing.md' leads to no page {MD_HINT}"],
    ),
    "raw HTML link to no such heading on its page": (
        about_en('<p id="here">We publish the figures.</p>\n\n<a href="#missing-id">Up</a>\n'),
        [f"{ABOUT_EN}:8: the link '#missing-id' leads to no '#missing-id' on its page {FRAGMENT_HINT}"],
    ),
    "raw HTML link to no such heading on another page": (
        about_en('We publish\nthe <a href="/en/key-figures/#missing">figures</a>.\n'),
        [
            f"{ABOUT_EN}:7: the link '/en/key-figures/#missing' leads to no '#missing' on its page "
            + FRAGMENT_HINT
        ],
    ),
    # An address tells capitals from small letters, where macOS and Windows find the file either way.
    "image named with other capitals than its file": (
        about_en('We publish ![The logo](/assets/Favicon.SVG){: width="8" height="8"}.\n'),
        [
            f"{ABOUT_EN}:6: '/assets/Favicon.SVG' is not a file of the site "
            "(hint: the file is named /assets/favicon.svg: write its name as it is, capitals and all)"
        ],
    ),
    # The id most like the one written is named: the SWOT's quadrants are #swot-strengths and so on.
    "link to a heading by a name like its id": (
        about_en("We publish the [strengths](swot.md#strength).\n"),
        [
            f"{ABOUT_EN}:6: the link 'swot.md#strength' leads to no '#strength' on its page "
            "(hint: did you mean '#swot-strengths'?)"
        ],
    ),
    "the same broken raw HTML link on two lines": (
        about_en('A <a href="/nothing/">link</a>.\n\n<p>\nAnd <a href="/nothing/">link</a>.\n</p>\n'),
        [
            f"{ABOUT_EN}:6: the link '/nothing/' leads to no page {URL_HINT}",
            f"{ABOUT_EN}:9: the link '/nothing/' leads to no page {URL_HINT}",
        ],
    ),
    # Media written as raw HTML: a file the site lacks is named at the tag's line, as a Markdown
    # image's is, never blamed on the page's template nor taken for an image without a size.
    "raw HTML image of a file that does not exist, in an HTML block": (
        about_en(
            'We publish the figures.\n\n<p class="wide"><img src="/assets/images/nothere.jpg" alt="x"></p>\n'
        ),
        [f"{ABOUT_EN}:8: '/assets/images/nothere.jpg' is not a file of the site {FILE_HINT}"],
    ),
    "raw HTML image of a file that does not exist, shown as code before": (
        about_en(
            'Write `<img src="/assets/images/nothere.jpg" alt="x">`,\nor:\n\n'
            '    <img src="/assets/images/nothere.jpg" alt="x">\n\n<img src="/assets/images/nothere.jpg" alt="x">\n'
        ),
        [f"{ABOUT_EN}:11: '/assets/images/nothere.jpg' is not a file of the site {FILE_HINT}"],
    ),
    "raw HTML image of a file that does not exist, inline, with its size": (
        about_en('We publish\nthe <img src="/assets/nothere.png" alt="x" width="10" height="10"> figures.\n'),
        [f"{ABOUT_EN}:7: '/assets/nothere.png' is not a file of the site {FILE_HINT}"],
    ),
    "raw HTML image of a file that does not exist, in a markdown=1 block": (
        about_en('<div markdown="1">\nWe *publish*:\n\n<img src="/assets/nothere.png" alt="x">\n</div>\n'),
        [f"{ABOUT_EN}:9: '/assets/nothere.png' is not a file of the site {FILE_HINT}"],
    ),
    "Markdown image of a file that does not exist, without a size": (
        about_en("We publish the figures.\n\n![A photo](/assets/images/nothere.jpg)\n"),
        [f"{ABOUT_EN}:8: '/assets/images/nothere.jpg' is not a file of the site {FILE_HINT}"],
    ),
    "raw HTML picture source of a file that does not exist, one of a srcset": (
        about_en(
            "A logo:\n<picture>\n"
            '<source srcset="/assets/favicon.svg 1x, /assets/logo-2x.png 2x">\n'
            '<img src="/assets/favicon.svg" alt="Logo" width="64" height="64"></picture>\n'
        ),
        [f"{ABOUT_EN}:8: '/assets/logo-2x.png' is not a file of the site {FILE_HINT}"],
    ),
    "raw HTML video, its poster, source and track of files that do not exist": (
        about_en(
            'A film:\n\n<video controls width="640" height="360"\n    poster="/assets/poster.jpg">\n'
            '<source src="/assets/clip.webm" type="video/webm">\n'
            '<track src="/assets/clip.vtt" kind="captions" srclang="en">\n</video>\n'
        ),
        [
            f"{ABOUT_EN}:8: '/assets/poster.jpg' is not a file of the site {FILE_HINT}",
            f"{ABOUT_EN}:10: '/assets/clip.webm' is not a file of the site {FILE_HINT}",
            f"{ABOUT_EN}:11: '/assets/clip.vtt' is not a file of the site {FILE_HINT}",
        ],
    ),
    "raw HTML audio of a file that does not exist": (
        about_en('We talked.\n\nListen: <audio controls src="/assets/talk.mp3"></audio>\n'),
        [f"{ABOUT_EN}:8: '/assets/talk.mp3' is not a file of the site {FILE_HINT}"],
    ),
    "raw HTML image without a size": (
        about_en('We publish the figures.\n\n<img src="/assets/favicon.svg" alt="Logo">\n'),
        [
            f"{ABOUT_EN}:8: image '/assets/favicon.svg' has no width and height in pixels "
            '(hint: write <img src="/path.png" alt="what the image shows" width="800" height="450">)'
        ],
    ),
    "image without alt text": (
        about_nl(
            "title: Over ons", "slug: over-ons", body='Intro.\n\n![](/logo.png){: width="64" height="64"}\n'
        ),
        [
            f"{ABOUT_NL}:7: image '/logo.png' has no alt text "
            '(hint: write ![what the image shows](/path.png){: width="800" height="450"})'
        ],
    ),
    "image without width and height": (
        about_nl(
            "title: Over ons", "slug: over-ons", body="Intro.\n\nTekst.\n\n![Het logo](/assets/favicon.svg)\n"
        ),
        [
            f"{ABOUT_NL}:9: image '/assets/favicon.svg' has no width and height in pixels "
            '(hint: write ![what the image shows](/path.png){: width="800" height="450"})'
        ],
    ),
    # Outside /assets/ the build writes no image: one there is no file of the site, whatever its size.
    "Markdown image of a file outside assets/ that does not exist, without a size": (
        about_nl("title: Over ons", "slug: over-ons", body="Intro.\n\nTekst.\n\n![Het logo](/logo.png)\n"),
        [f"{ABOUT_NL}:9: '/logo.png' is not a file of the site {FILE_HINT}"],
    ),
    "raw HTML image of a file outside assets/ that does not exist, without a size": (
        about_en('We publish the figures.\n\n<img src="/images/Logo.PNG" alt="Logo">\n'),
        [f"{ABOUT_EN}:8: '/images/Logo.PNG' is not a file of the site {FILE_HINT}"],
    ),
    "a page whose file name ends in .MD, which was left out without a word": (
        {"content/nl/news/2019-07-01-item.MD": "---\ntitle: Nieuws\ndate: 2019-07-01\n---\nTekst.\n"},
        [
            "content/nl/news/2019-07-01-item.MD: this file is not read as a page: a page's file name ends "
            "in .md, in lower case (hint: rename it to 2019-07-01-item.md)"
        ],
    ),
    "unknown key in site.yaml": (
        replace_in("site.yaml", "news_page_size: 10\n", "news_page_size: 10\nnews_size: 3\n"),
        ["site.yaml:5: unknown key 'news_size' (hint: did you mean 'news_page_size'?)"],
    ),
    "a page kept back with draft: yes, which YAML 1.1 read as true": (
        about_nl("title: Over ons", "draft: yes"),
        [f"{ABOUT_NL}:3: draft is 'yes', expected true or false (hint: write true or false: true, not yes)"],
    ),
    "site.yaml: search switched off with no": (
        replace_in("site.yaml", "news_page_size: 10\n", "news_page_size: 10\nsearch: no\n"),
        ["site.yaml:5: search is 'no', expected true or false (hint: write true or false: false, not no)"],
    ),
    "site.yaml: a title left empty": (
        replace_in("site.yaml", "  nl: Life Sciences & Health Amsterdam\n", "  nl:\n"),
        [
            "site.yaml:7: title.nl must be text "
            "(hint: the site's title in that language, such as nl: Life Sciences Amsterdam)"
        ],
    ),
    "site.yaml: a description in a language the site does not have": (
        replace_in(
            "site.yaml",
            "description:\n",
            "description:\n  de: Wo Lebenswissenschaften und Daten sich treffen.\n",
        ),
        ["site.yaml:9: description.de: 'de' is not one of the languages (hint: one of: en, nl)"],
    ),
    "site.yaml: a language without its locale and name": (
        replace_in("site.yaml", "  nl:\n    locale: nl_NL\n    name: Nederlands\n", "  nl: Nederlands\n"),
        [
            "site.yaml:15: languages.nl must have locale and name "
            "(hint: write them on indented lines below it, such as 'locale: nl_NL' and 'name: Nederlands')"
        ],
    ),
    "site.yaml: a list, not settings": (
        {"site.yaml": "- base_url: https://lsh.amsterdam\n"},
        [
            "site.yaml:1: site.yaml must be a mapping of settings "
            "(hint: write settings as 'key: value' lines, such as 'base_url: https://example.org')"
        ],
    ),
    "site.yaml not UTF-8": (
        lambda root: append_bytes(root / "site.yaml", b"# caf\xe9\n"),
        [
            f"site.yaml:{lines_in('site.yaml') + 1}: the file is not valid UTF-8 text "
            "(hint: save the file as UTF-8)"
        ],
    ),
    "stylesheet not UTF-8": (
        lambda root: append_bytes(root / "assets/site.css", b"/* caf\xe9 */\n"),
        [
            f"assets/site.css:{lines_in('assets/site.css') + 1}: the file is not valid UTF-8 text "
            "(hint: save the file as UTF-8)"
        ],
    ),
    "script not UTF-8": (
        lambda root: append_bytes(root / "assets/search.js", b"// caf\xe9\n"),
        [
            f"assets/search.js:{lines_in('assets/search.js') + 1}: the file is not valid UTF-8 text "
            "(hint: save the file as UTF-8)"
        ],
    ),
    # The cards are drawn in worker processes, where Pillow's own error would become a traceback.
    "social cards' typeface not a font": (
        {"assets/fonts/inter-latin.woff2": "not a font\n"},
        [
            "assets/fonts/inter-latin.woff2: the social cards' typeface cannot be read "
            "(hint: replace it with a font file: WOFF2, TrueType or OpenType)"
        ],
    ),
}


def break_site(root: Path, change: dict | Callable[[Path], None]) -> None:
    if callable(change):
        change(root)
    else:
        write_tree(root, change)


def assert_failed_cleanly(root: Path, before: dict[str, bytes], result, expected: list[str]) -> None:
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == expected
    assert result.stdout == ""
    for line in expected:
        assert ERROR_LINE.fullmatch(line), line
    assert read_tree(root / "build") == before
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".build")) == []


@pytest.mark.parametrize("case", list(CASES))
def test_broken_input_is_reported_and_build_kept(mini_built, case):
    root, before = mini_built
    change, expected = CASES[case]
    break_site(root, change)
    result = run_process("-C", root, "build", cwd=root)
    assert_failed_cleanly(root, before, result, expected)


def built_about_en(root: Path, body: str) -> str:
    """The English about page's HTML, built (not minified) with ``body`` as its text."""
    write_tree(root, about_en(body))
    result = run_process("-C", root, "build", "--no-minify", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return (root / "build/en/about/index.html").read_text(encoding="utf-8")


def test_links_written_as_raw_html_are_resolved_and_pass(mini_built):
    """A link to a page's file written in HTML leads to the page, as in Markdown; links that
    lead somewhere, and links to other sites, mail and phones, pass as written."""
    root, _ = mini_built
    body = (
        '<p id="here">We publish the <a class="more" href="key-figures.md#lsh-budget">figures</a>,\n'
        '<a href=\'swot.md\' title="not href=x">the SWOT</a>, <a href="#here">this</a>,\n'
        '<a href="/en/news/">news</a>, <a href="https://example.org/">a site</a>,\n'
        '<a href="mailto:info@example.org">mail</a> and <a href="tel:+31200000000">a phone</a>.</p>\n\n'
        "Inline: <a href='../en/about.md?from=here'>this page</a>.\n"
    )
    html = built_about_en(root, body)
    for tag in (
        '<a class="more" href="/en/key-figures/#lsh-budget">',
        "<a href='/en/swot/' title=\"not href=x\">",
        '<a href="#here">',
        '<a href="/en/news/">',
        '<a href="https://example.org/">',
        '<a href="mailto:info@example.org">',
        '<a href="tel:+31200000000">',
        "<a href='/en/about/?from=here'>",
    ):
        assert tag in html
    assert ".md" not in "".join(re.findall(r"<a [^>]*>", html))


def test_media_written_as_raw_html_are_resolved_and_pass(mini_built):
    """Images, video and audio written in HTML show the published copies of files in assets/,
    as Markdown images do; a photo without a size gets its own, and is offered as a <picture>
    of its copies unless the HTML offers copies itself."""
    from PIL import Image

    root, _ = mini_built
    (root / "assets/images").mkdir()
    Image.new("RGB", (600, 450), "teal").save(root / "assets/images/harbour.jpg")
    (root / "assets/clip.webm").write_bytes(b"a film")
    (root / "assets/clip.vtt").write_text("WEBVTT\n")
    body = (
        '<p><img class="wide" src="/assets/images/harbour.jpg" alt="The harbour"></p>\n\n'
        '<video controls width="640" height="480" poster="/assets/images/harbour.jpg">\n'
        '<source src="/assets/clip.webm" type="video/webm">\n'
        "<track src='/assets/clip.vtt' kind=captions srclang=en>\n</video>\n\n"
        'Ours: <picture><source srcset="/assets/favicon.svg">'
        '<img src="/assets/images/harbour.jpg?v=2" alt="Logo"></picture>\n\n'
        'Again: <img srcset="/assets/images/harbour.jpg 600w" src="/assets/images/harbour.jpg" alt="Again">\n'
    )
    html = built_about_en(root, body)
    built = read_tree(root / "build")
    photo, film, captions, logo = (
        re.search(rf"/assets/{name}\.[0-9a-f]{{8}}\.{suffix}", html).group(0)
        for name, suffix in (("images/harbour", "jpg"), ("clip", "webm"), ("clip", "vtt"), ("favicon", "svg"))
    )
    assert all(address.lstrip("/") in built for address in (photo, film, captions, logo))
    [picture] = re.findall(r"<picture><source [^>]*avif.*?</picture>", html)
    assert '<img src="/assets/images/harbour.600.' in picture and 'class="wide" alt="The harbour"' in picture
    assert 'width="600" height="450"' in picture
    assert f'<video controls width="640" height="480" poster="{photo}">' in html
    assert f'<source src="{film}" type="video/webm">' in html and f"<track src='{captions}' kind=" in html
    assert (
        f'<picture><source srcset="{logo}"><img width="600" height="450" loading="lazy" decoding="async" '
        f'src="{photo}?v=2" alt="Logo"></picture>'
    ) in html
    assert (
        f'Again: <img width="600" height="450" loading="lazy" decoding="async" srcset="{photo} 600w" '
        f'src="{photo}" alt="Again">'
    ) in html


UNREADABLE = "(hint: make it a file you may read; ls -l shows what it is and who may read it)"


def test_unreadable_file(mini_built):
    root, before = mini_built
    path = root / ABOUT_NL
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running with privileges that read any file (root)")
        result = run_process("-C", root, "build", cwd=root)
    finally:
        path.chmod(0o644)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"{ABOUT_NL}: cannot read the file: Permission denied {UNREADABLE}"]
    assert read_tree(root / "build") == before


def test_unreadable_file_even_as_root(mini_built, run_cli, monkeypatch):
    """The same failure where chmod cannot produce it: reading the page raises PermissionError."""
    root, before = mini_built
    target = (root / ABOUT_NL).resolve()
    real_read_bytes = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.resolve() == target:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    code, out, err = run_cli("-C", root, "build")
    assert "Traceback" not in err
    assert code == 1
    assert err.splitlines() == [f"{ABOUT_NL}: cannot read the file: Permission denied {UNREADABLE}"]
    monkeypatch.undo()
    assert read_tree(root / "build") == before


def test_a_folder_where_site_yaml_belongs_is_one_line(mini_built, run_cli):
    root, before = mini_built
    settings = root / "site.yaml"
    text = settings.read_text("utf-8")
    settings.unlink()
    settings.mkdir()
    code, _, err = run_cli("-C", root, "build")
    assert code == 1 and "Traceback" not in err
    assert err.splitlines() == [f"site.yaml: cannot read the file: Is a directory {UNREADABLE}"]
    assert read_tree(root / "build") == before
    settings.rmdir()
    settings.write_text(text, "utf-8")


def test_every_problem_in_one_run(mini_built):
    root, before = mini_built
    for case in ("missing title", "impossible date", "language folder not in site.yaml"):
        break_site(root, CASES[case][0])
    result = run_process("-C", root, "build", cwd=root)
    expected = sorted(
        CASES["language folder not in site.yaml"][1] + CASES["missing title"][1] + CASES["impossible date"][1]
    )
    assert_failed_cleanly(root, before, result, expected)


def test_out_below_a_file(mini_built, tmp_path_factory):
    root, _ = mini_built
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "notes.txt").write_text("a file")
    result = run_process("-C", root, "build", "--out", elsewhere / "notes.txt" / "site", cwd=root)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1


def test_undefined_value_through_a_filter_is_named(mini_built):
    root, before = mini_built
    replace_in("templates/macros.html", "{{ item.front|published }}", "{{ item.front.published|published }}")(
        root
    )
    result = run_process("-C", root, "build", cwd=root)
    assert_failed_cleanly(
        root,
        before,
        result,
        [
            "templates/macros.html:4: template error: 'site_builder.content.frontmatter.FrontMatter object' has no "
            "attribute 'published' (hint: a name may be misspelt, or a value missing)"
        ],
    )


# --- usage and commands -----------------------------------------------------------


def test_unknown_command_is_a_usage_error(mini_site, run_cli):
    code, out, err = run_cli("-C", mini_site, "publish")
    assert code == 2
    assert "invalid choice: 'publish'" in err
    assert not (mini_site / "build").exists()


@pytest.mark.parametrize("url", ["lsh.amsterdam", "ftp://lsh.amsterdam", "https://"])
def test_bad_base_url_is_a_usage_error(mini_site, run_cli, url):
    code, out, err = run_cli("-C", mini_site, "build", "--base-url", url)
    assert code == 2
    assert f"argument --base-url: '{url}' is not a web address" in err
    assert not (mini_site / "build").exists()


def test_base_url_option_is_used(mini_site, run_cli):
    code, _, err = run_cli("-C", mini_site, "build", "--base-url", "https://preview.example.org/")
    assert code == 0, err
    sitemap = (mini_site / "build" / "sitemap.xml").read_text()
    assert "<loc>https://preview.example.org/nl/over-ons/</loc>" in sitemap
    assert "lsh.amsterdam" not in sitemap


@pytest.mark.parametrize("where", [".", "..", "content/build", "templates"])
def test_out_must_not_hold_or_sit_in_the_project(mini_site, run_cli, where):
    before = read_tree(mini_site)
    out = (mini_site / where).resolve()
    code, _, err = run_cli("-C", mini_site, "build", "--out", out)
    assert code == 1
    (line,) = err.splitlines()
    assert line.startswith(f"the output folder {out} ")
    assert line.endswith("(hint: choose an output folder such as build/)")
    assert read_tree(mini_site) == before  # nothing deleted, nothing written


TITLE = "Nieuwe samenwerking met Amsterdam UMC"


def test_new_news_item(mini_site, run_cli):
    # Today where the site is published (site.yaml's time zone), not on this machine: the two
    # differ for an hour or two each night.
    config = load_config(mini_site)
    days = {config.today(time.time())}
    code, out, err = run_cli("-C", mini_site, "new", "news", TITLE, "--lang", "nl")
    days.add(config.today(time.time()))  # in case the test ran across midnight
    assert code == 0, err
    created = sorted((mini_site / "content/nl/news").glob("*-nieuwe-samenwerking-met-amsterdam-umc.md"))
    assert len(created) == 1
    path = created[0]
    day = datetime.date.fromisoformat(path.name[:10])
    assert day in days
    assert (mini_site / out.strip()).resolve() == path.resolve()  # printed relative to -C, or absolute
    text = decode(path.read_bytes(), "x")
    doc = parse(text, "x", "news")
    assert doc.front.title == TITLE
    assert doc.front.date == day
    assert doc.front.slug == "nieuwe-samenwerking-met-amsterdam-umc"
    assert doc.front.draft is True

    # the new item builds as a draft (it only lacks a translation, which is a warning)
    report = pipeline.build(mini_site, drafts=True)
    assert report.pages["nl"] == 11  # the mini site's 9, its search page and the new item
    assert (mini_site / "build/nl/nieuws/nieuwe-samenwerking-met-amsterdam-umc/index.html").is_file()

    path.write_text(text + "Het eerste nieuws.\n", encoding="utf-8")
    code, out, err = run_cli("-C", mini_site, "new", "news", TITLE, "--lang", "nl")
    assert code == 1
    rel = path.relative_to(mini_site).as_posix()
    assert err.splitlines() == [
        f"{rel}: the file already exists (hint: choose another title, or edit the existing file)"
    ]
    assert path.read_text(encoding="utf-8").endswith("Het eerste nieuws.\n")


def test_new_title_with_quotes_and_colon_is_valid_yaml(mini_site, run_cli):
    title = 'EMA: "Amsterdam is ready" #1'
    code, out, err = run_cli("-C", mini_site, "new", "news", title, "--lang", "en")
    assert code == 0, err
    path = mini_site / out.strip()
    doc = parse(decode(path.read_bytes(), "x"), "x", "news")
    assert doc.front.title == title
    assert path.name.endswith("-ema-amsterdam-is-ready-1.md")


def test_new_with_unknown_language(mini_site, run_cli):
    code, out, err = run_cli("-C", mini_site, "new", "news", "Neuigkeiten", "--lang", "de")
    assert code == 1
    assert err.splitlines() == ["site.yaml: 'de' is not a language of this site (hint: use one of: en, nl)"]
    assert not (mini_site / "content/de").exists()


def test_check_passes_on_the_mini_site(mini_site, run_cli):
    code, out, err = run_cli("-C", mini_site, "check")
    assert code == 0
    assert [line for line in err.splitlines() if ": " in line and "hint" in line] == []


def test_check_reports_a_missing_translation(mini_site, run_cli):
    (mini_site / "content/en/swot.md").unlink()
    code, out, err = run_cli("-C", mini_site, "check")
    assert code == 1
    assert (
        "content/nl/swot.md: no English translation "
        "(hint: add content/en/swot.md, or give both pages the same translation_key)"
    ) in err.splitlines()
    assert not (mini_site / "build").exists()  # check writes nothing


def test_missing_translation_does_not_stop_a_build(mini_site):
    (mini_site / "content/en/swot.md").unlink()
    result = run_process("-C", mini_site, "build", cwd=mini_site)
    assert result.returncode == 0, result.stderr
    assert (
        "warning: content/nl/swot.md: no English translation "
        "(hint: add content/en/swot.md, or give both pages the same translation_key)"
    ) in result.stderr.splitlines()
    assert (mini_site / "build/nl/swot/index.html").is_file()


def test_drafts_only_with_the_option(mini_site, run_cli):
    write_tree(
        mini_site,
        {
            "content/en/news/2019-12-01-campus.md": (
                "---\ntitle: New campus\ndate: 2019-12-01\ndraft: true\n---\nSoon.\n"
            ),
        },
    )
    code, _, err = run_cli("-C", mini_site, "build", "--out", mini_site.parent / "published")
    assert code == 0, err
    published = read_tree(mini_site.parent / "published")
    assert "en/news/2019-12-01-campus/index.html" not in published
    assert b"New campus" not in published["en/news/index.html"] + published["en/feed.xml"]

    code, _, err = run_cli("-C", mini_site, "build", "--drafts", "--out", mini_site.parent / "preview")
    assert code == 0, err
    preview = read_tree(mini_site.parent / "preview")
    page = preview["en/news/2019-12-01-campus/index.html"].decode()
    assert "<h1>New campus</h1>" in page
    assert 'class="draft-marker' in page
    assert b"New campus" in preview["en/news/index.html"]


def test_python_dash_m_builds(mini_site):
    result = run_process("-C", mini_site, "build", cwd=mini_site)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (mini_site / "build/index.html").is_file()


def test_build_is_deterministic(mini_site):
    first = run_process(
        "-C",
        mini_site,
        "-q",
        "build",
        "--no-cache",
        "--out",
        mini_site.parent / "one",
        cwd=mini_site,
        env={"PYTHONHASHSEED": "1"},
    )
    second = run_process(
        "-C",
        mini_site,
        "-q",
        "build",
        "--no-cache",
        "--out",
        mini_site.parent / "two",
        cwd=mini_site.parent,
        env={"PYTHONHASHSEED": "2"},
    )
    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    one = read_tree(mini_site.parent / "one")
    two = read_tree(mini_site.parent / "two")
    assert len(one) > 20
    assert one == two


def test_links_out_of_content_are_refused_and_editor_files_skipped(tmp_path):
    """A linked file or folder outside content/ is an error; one inside is read; swap files are not."""
    from conftest import make_mini_site

    from site_builder.config import load_config
    from site_builder.content.load import load_sources
    from site_builder.errors import SiteErrors

    root = make_mini_site(tmp_path / "site")
    outside = write_tree(
        tmp_path / "elsewhere",
        {"secret.md": "---\ntitle: Secret\n---\n", "folder/x.md": "---\ntitle: X\n---\n"},
    )
    nl = root / "content/nl"
    (nl / "secret.md").symlink_to(outside / "secret.md")
    (nl / "map").symlink_to(outside / "folder")
    (nl / "kopie.md").symlink_to(nl / "about.md")
    for name in (".about.md.swp", "about.md~", ".#about.md", "_concept.md", "notes.txt"):
        (nl / name).write_text("no front matter")
    config = load_config(root)
    with pytest.raises(SiteErrors) as failure:
        load_sources(root, config)
    assert [(e.path, e.message) for e in failure.value.errors] == [
        ("content/nl/map", "a symbolic link that leads outside content/ is not allowed"),
        ("content/nl/secret.md", "a symbolic link that leads outside content/ is not allowed"),
    ]
    (nl / "secret.md").unlink()
    (nl / "map").unlink()
    paths = [source.path for source in load_sources(root, config)]
    assert "content/nl/kopie.md" in paths and paths == sorted(paths)
    assert not [
        path for path in paths if path.endswith(("~", ".swp", ".txt")) or "/." in path or "/_c" in path
    ]


@pytest.mark.parametrize(
    ("name", "renamed"),
    [
        ("content/nl/over.MD", "over.md"),
        ("content/nl/news/item.Md", "item.md"),
        ("content/en/news/item.markdown", "item.md"),
        ("content/en/item.mdown", "item.md"),
        ("content/en/Item.MKD", "Item.md"),
        ("content/about.MD", "about.md"),  # outside the language folders too
    ],
)
def test_a_page_named_other_than_md_is_reported_not_left_out(tmp_path, name, renamed):
    from conftest import make_mini_site

    root = make_mini_site(tmp_path / "site")
    write_tree(root, {name: "---\ntitle: Over\n---\nTekst.\n"})
    with pytest.raises(SiteErrors) as failure:
        load_sources(root, load_config(root))
    assert [format_error(error) for error in failure.value.errors] == [
        f"{name}: this file is not read as a page: a page's file name ends in .md, in lower case "
        f"(hint: rename it to {renamed})"
    ]


def test_files_skipped_as_before_stay_skipped_whatever_their_case(tmp_path):
    """Hidden files, editor backups and files begun with '_' are left out, .MD or not; and so,
    as documented, are files in content/ that are no Markdown, such as notes.txt."""
    from conftest import make_mini_site

    root = make_mini_site(tmp_path / "site")
    skipped = (
        ".over.MD",
        "_concept.MD",
        "over.MD~",
        "over.markdown.bak",
        ".#over.Md",
        "notes.txt",
        "foto.jpg",
    )
    write_tree(root, {f"content/nl/{name}": "no front matter" for name in skipped})
    paths = [source.path for source in load_sources(root, load_config(root))]
    assert not [path for path in paths if path.rpartition("/")[2] in skipped]


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("assets/fifo.css", "keep only files and folders in assets/"),
        ("templates/x.html", "keep only files and folders in templates/"),
        ("translations/nl/LC_MESSAGES/x.po", "keep only files and folders in translations/"),
        ("site.yaml", "make site.yaml a file of settings again"),
    ],
)
def test_a_named_pipe_among_the_inputs_is_refused_not_waited_on(mini_built, name, hint):
    """Reading one blocks until something writes to it: the build waited for ever."""
    root, before = mini_built
    (root / name).unlink(missing_ok=True)
    os.mkfifo(root / name)
    result = subprocess.run(
        [sys.executable, "-m", "site_builder", "-C", root, "build"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert_failed_cleanly(
        root,
        before,
        result,
        [f"{name}: this is not a file but a named pipe, a device or a socket (hint: {hint})"],
    )


SWOT_WITH_LINKS = """\
---
title: SWOT analysis
strengths:
  - title: Excellent knowledge institutions
    text: Two universities and [a link](nothing-a.md).
weaknesses:
  - title: Scattered campuses
    text: |
      The institutions are spread over the city.

      See [a link](nothing-b.md) and [a heading](#nowhere-b).

      <script>alert(1)</script>
opportunities:
  - text: >
      Folded text with
      [a link](nothing-c.md) here.
    title: Data and AI
threats:
  - title: Housing
    text: "Researchers [a link](nothing-d.md)"
---
The conclusions follow from the four quadrants.

A [link](nothing-e.md), a [heading](#nowhere-e), and [an escaped one](noth\\_ing-f.md).
"""


def test_link_findings_name_the_line_the_link_is_written_on(tmp_path):
    """In a SWOT item's text, the line of the text, not of its item's first key: below 'text: |',
    and in text that YAML folds; in the body, a link written with a backslash escape too."""
    from conftest import make_mini_site

    root = make_mini_site(tmp_path / "site")
    write_tree(root, {"content/en/swot.md": SWOT_WITH_LINKS})
    with pytest.raises(SiteErrors) as failure:
        pipeline.build(root)
    found = {
        (error.line, error.message) for error in failure.value.errors if error.path == "content/en/swot.md"
    }
    no_page = "the link '{}' leads to no page"
    no_heading = "the link '{0}' leads to no '{0}' on its page"
    assert found == {
        (5, no_page.format("nothing-a.md")),
        (11, no_page.format("nothing-b.md")),
        (11, no_heading.format("#nowhere-b")),
        (13, "raw HTML that runs code ('<script') in the content"),
        (17, no_page.format("nothing-c.md")),
        (21, no_page.format("nothing-d.md")),
        (25, no_page.format("nothing-e.md")),
        (25, no_heading.format("#nowhere-e")),
        (25, no_page.format("noth_ing-f.md")),
    }
