"""Markdown → HTML: ``.md`` links become page URLs, internal links are recorded and checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import write_tree

from site_builder.checks import findings as check
from site_builder.checks.html_policy import own_site_path
from site_builder.config import load_config
from site_builder.content.load import load_sources
from site_builder.errors import SiteErrors, format_error
from site_builder.incremental.memo import Memo
from site_builder.render.markup import markup_renderer, render_bodies
from site_builder.site.model import Site, build_site
from site_builder.stages import generate

SECTION = {
    "content/en/programme/_index.md": "---\ntitle: Programme\n---\n",
    "content/nl/programme/_index.md": "---\ntitle: Programma\nslug: programma\n---\n",
    "content/en/programme/health.md": "---\ntitle: Health\n---\nHealth.\n",
    "content/nl/programme/health.md": "---\ntitle: Gezondheid\nslug: gezondheid\n---\nGezondheid.\n",
}


def make_site(root: Path, files: dict[str, str]) -> Site:
    write_tree(root, {**SECTION, **files})
    config = load_config(root)
    return build_site(config, load_sources(root, config))


def en_page(body: str) -> dict[str, str]:
    """``content/en/programme/data.md`` (front matter on lines 1-3, body from line 4) and its translation."""
    return {
        "content/en/programme/data.md": "---\ntitle: Data\n---\n" + body,
        "content/nl/programme/data.md": "---\ntitle: Data\n---\nData.\n",
    }


def body_of(site: Site, lang: str, url: str):
    return render_bodies(site)[(lang, url)].body


def broken(root: Path) -> list[str]:
    """The links-leading-nowhere findings of a full run (templates rendered, so #ids are known)."""
    return [format_error(e) for e in generate(root).findings.broken_links]


DATA = "content/en/programme/data.md"
MD_HINT = "(hint: link to a page's file relative to this file, such as ../swot.md)"
FRAGMENT_HINT = "(hint: after # comes the id of a heading on that page, such as #swot-strengths)"
IMAGE_HINT = 'write ![what the image shows](/path.png){: width="800" height="450"}'
URL_HINT = "(hint: check the address; pages are linked best by their .md file)"
FILE_HINT = "(hint: put the file in assets/ and write /assets/ before its name)"


# --- .md links ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("href", "url"),
    [
        ("health.md", "/en/programme/health/"),
        ("./health.md", "/en/programme/health/"),
        ("../swot.md", "/en/swot/"),
        ("../key-figures.md#lsh-budget", "/en/key-figures/#lsh-budget"),
        ("../news/2019-06-12-ema.md", "/en/news/ema-opens-office/"),
        ("../news/_index.md", "/en/news/"),
        ("../../nl/about.md", "/nl/over-ons/"),
    ],
)
def test_md_link_resolved_to_url(mini_site, href, url):
    site = make_site(mini_site, en_page(f"See [this]({href}).\n"))
    body = body_of(site, "en", "/en/programme/data/")
    assert f'<a href="{url}">this</a>' in body.html
    (link,) = body.links
    assert (link.href, link.target, link.line) == (href, url, 4)
    assert broken(mini_site) == []


def test_md_link_in_the_other_language_uses_its_slugs(mini_site):
    site = make_site(mini_site, {})
    assert '<a href="/nl/kerncijfers/">kerncijfers</a>' in body_of(site, "nl", "/nl/over-ons/").html
    assert '<a href="/en/key-figures/">key figures</a>' in body_of(site, "en", "/en/about/").html


def test_md_link_in_a_swot_item(mini_site):
    text = (mini_site / "content/en/swot.md").read_text()
    text = text.replace("Two universities", "Two [universities](about.md)")
    write_tree(mini_site, {"content/en/swot.md": text})
    site = make_site(mini_site, {})
    rendered = render_bodies(site)[("en", "/en/swot/")]
    assert '<a href="/en/about/">universities</a>' in rendered.swot[("strengths", 0)].html


@pytest.mark.parametrize(
    ("href", "line", "hint"),
    [
        ("nope.md", 6, MD_HINT),
        ("../programme/nope.md#top", 6, MD_HINT),
        ("../../../outside.md", 6, MD_HINT),
        ("../../de/about.md", 6, MD_HINT),
        ("notes.html", 6, URL_HINT),
    ],
)
def test_broken_link_reported_with_its_line(mini_site, href, line, hint):
    site = make_site(mini_site, en_page(f"Intro.\n\nSee [this]({href}).\n"))
    body = body_of(site, "en", "/en/programme/data/")
    assert f'href="{href}"' in body.html  # left as written
    assert broken(mini_site) == [
        f"content/en/programme/data.md:{line}: the link '{href}' leads to no page {hint}"
    ]


def test_link_to_a_draft_is_broken(mini_site):
    make_site(
        mini_site,
        {
            **en_page("See [plans](../plans.md).\n"),
            "content/en/plans.md": "---\ntitle: Plans\ndraft: true\n---\n",
        },
    )
    assert broken(mini_site) == [f"{DATA}:4: the link '../plans.md' leads to no page {MD_HINT}"]


def test_broken_link_line_when_the_same_text_appears_earlier(mini_site):
    make_site(mini_site, en_page("See [the SWOT](../swot.md).\n\nAnd [gone](swot.md).\n"))
    assert broken(mini_site) == [
        "content/en/programme/data.md:6: the link 'swot.md' leads to no page (hint: a link starts from "
        "the folder of the file it is in: content/en/swot.md is ../swot.md from here)"
    ]


# --- absolute and external links --------------------------------------------------


def test_absolute_site_links_are_checked(mini_site):
    site = make_site(mini_site, en_page("[ok](/en/about/) and [list](/nl/nieuws/)\n\n[gone](/en/nothing/)\n"))
    body = body_of(site, "en", "/en/programme/data/")
    assert [(link.href, link.target, link.line) for link in body.links] == [
        ("/en/about/", "/en/about/", 4),
        ("/nl/nieuws/", "/nl/nieuws/", 4),
        ("/en/nothing/", "/en/nothing/", 6),
    ]
    assert broken(mini_site) == [f"{DATA}:6: the link '/en/nothing/' leads to no page {URL_HINT}"]


def test_absolute_link_to_an_output_file_is_accepted(mini_site):
    site = make_site(mini_site, en_page("[feed](/en/feed.xml)\n"))
    bodies = render_bodies(site)
    items = [(page, bodies[(page.lang, page.url)], {}) for page in site.pages]

    def found(*names: str) -> list:
        return [
            p
            for problems in check.check_links(items, site, check.FileNames(frozenset(names), ""))
            for p in problems
        ]

    assert found("en/feed.xml") == []
    assert len(found()) == 1


@pytest.mark.parametrize(
    "href",
    [
        "https://example.org/report.md",
        "http://ois.amsterdam.nl/",
        "mailto:info@lsh.amsterdam",
        "//cdn.example/x",
    ],
)
def test_external_links_untouched_and_not_recorded(mini_site, href):
    site = make_site(mini_site, en_page(f"[x]({href})\n"))
    body = body_of(site, "en", "/en/programme/data/")
    assert f'<a href="{href}">x</a>' in body.html
    assert body.links == ()
    assert broken(mini_site) == []


def test_image_src_is_resolved_like_a_link(mini_site):
    site = make_site(mini_site, en_page('![map](/assets/map.png){: width="600" height="400"}\n'))
    body = body_of(site, "en", "/en/programme/data/")
    assert [(link.href, link.line) for link in body.links] == [("/assets/map.png", 4)]
    assert broken(mini_site) == [f"{DATA}:4: '/assets/map.png' is not a file of the site {FILE_HINT}"]


@pytest.mark.parametrize("href", ["map.png", "../assets/map.png", "/files/report.pdf", "/assets/map.png?v=2"])
def test_missing_file_named_as_a_file(mini_site, href):
    make_site(mini_site, en_page(f"Intro.\n\nSee [the report]({href}).\n"))
    assert broken(mini_site) == [f"{DATA}:6: '{href}' is not a file of the site {FILE_HINT}"]


# --- links written as raw HTML -------------------------------------------------------


def test_raw_html_links_resolved_and_recorded_where_written(mini_site):
    """In an HTML block, inline, and in a block whose Markdown is read (markdown="1"), in the
    order the page shows them; one shown as code is no link."""
    body = (
        '<div class="box">\n<p><a href="health.md">a</a></p>\n</div>\n\n'
        '```\n<a href="nowhere.md">code</a>\n```\n\n'
        "Inline <a href='/en/news/'>c</a>.\n\n"
        '<div markdown="1">\nSee <a href="../swot.md#top">b</a>.\n</div>\n'
    )
    site = make_site(mini_site, en_page(body))
    found = body_of(site, "en", "/en/programme/data/")
    assert [(link.href, link.target, link.line) for link in found.links] == [
        ("health.md", "/en/programme/health/", 5),
        ("/en/news/", "/en/news/", 12),
        ("../swot.md#top", "/en/swot/#top", 15),
    ]
    assert '<p><a href="/en/programme/health/">a</a></p>' in found.html
    assert '<a href="/en/swot/#top">b</a>' in found.html
    assert "&lt;a href=&quot;nowhere.md&quot;&gt;code" in found.html


def test_a_markdown_link_keeps_its_query_once_resolved(mini_site):
    """A link to the search page with a query, or to a page's file with one, keeps it."""
    body = "[AI](/en/news/?q=ai#list) and [health](health.md?from=data#top).\n"
    site = make_site(mini_site, en_page(body))
    found = body_of(site, "en", "/en/programme/data/")
    assert '<a href="/en/news/?q=ai#list">AI</a>' in found.html
    assert '<a href="/en/programme/health/?from=data#top">health</a>' in found.html
    assert [link.target for link in found.links] == ["/en/news/#list", "/en/programme/health/#top"]


def test_raw_html_link_in_a_swot_item_named_at_its_line(mini_site):
    text = (mini_site / "content/en/swot.md").read_text()
    old = "text: Health data can be combined with *data science*."
    new = 'text: |\n      Health data can be combined\n      with <a href="nothing.md">data science</a>.'
    write_tree(mini_site, {"content/en/swot.md": text.replace(old, new)})
    assert broken(mini_site) == [f"content/en/swot.md:13: the link 'nothing.md' leads to no page {MD_HINT}"]


LOGO = "/assets/favicon.1a2b3c4d.svg"  # favicon.svg as published


def _with_the_logo(mini_site: Path, body: str):
    """The Markdown ``body`` of a page converted, with the assets' favicon.svg published as LOGO."""
    site = make_site(mini_site, en_page(body))
    return render_bodies(site, {"favicon.svg": LOGO})[("en", "/en/programme/data/")].body


def test_an_address_of_the_site_s_own_host_written_in_full_leads_where_its_path_does(mini_site):
    """docs/content.md: an address of the site's own host written in full is resolved and checked
    as its path: an asset gets its published copy (its name there carries a digest, so the
    address as written would lead nowhere), a page that does not exist is reported at its line."""
    body = (
        '![A logo](https://lsh.amsterdam/assets/favicon.svg){: width="8" height="8"}\n\n'
        "[Page](HTTPS://LSH.amsterdam/en/programme/?q=1) and <a href='//lsh.amsterdam/assets/favicon.svg'>logo</a>.\n\n"
        "[Gone](https://lsh.amsterdam/en/nothing-here/) and [out](https://example.org/en/nothing-here/).\n"
    )
    found = _with_the_logo(mini_site, body)
    assert [(link.href, link.target, link.line) for link in found.links] == [
        ("https://lsh.amsterdam/assets/favicon.svg", LOGO, 4),
        ("HTTPS://LSH.amsterdam/en/programme/?q=1", "/en/programme/", 6),
        ("https://lsh.amsterdam/en/nothing-here/", "/en/nothing-here/", 8),
        ("//lsh.amsterdam/assets/favicon.svg", LOGO, 6),  # raw HTML's are read after Markdown's
    ]
    assert f'src="{LOGO}"' in found.html and f"href='{LOGO}'" in found.html
    assert (
        'href="/en/programme/?q=1"' in found.html
        and 'href="https://example.org/en/nothing-here/"' in found.html
    )
    assert broken(mini_site) == [
        f"{DATA}:8: the link 'https://lsh.amsterdam/en/nothing-here/' leads to no page {URL_HINT}"
    ]


@pytest.mark.parametrize(
    ("address", "base_url", "path"),
    [
        ("https://lsh.amsterdam/en/", "https://lsh.amsterdam", "/en/"),
        ("HTTP://LSH.Amsterdam", "https://lsh.amsterdam", "/"),
        ("//lsh.amsterdam/x.pdf?v=2#p3", "https://lsh.amsterdam", "/x.pdf?v=2#p3"),
        (" https:\\\\lsh.amsterdam/en/", "https://lsh.amsterdam", "/en/"),  # as a browser reads it
        ("https://lsh.amsterdam.example.org/en/", "https://lsh.amsterdam", None),
        ("https://me@lsh.amsterdam/en/", "https://lsh.amsterdam", None),
        ("mailto:info@lsh.amsterdam", "https://lsh.amsterdam", None),
        ("/en/", "https://lsh.amsterdam", None),
        # A site published below a path: only what is below it is the site's.
        ("https://example.org/lsh/en/", "https://example.org/lsh", "/en/"),
        ("https://example.org/lsh?q=1", "https://example.org/lsh", "/?q=1"),
        ("https://example.org/lshx/en/", "https://example.org/lsh", None),
        ("https://example.org/other/", "https://example.org/lsh", None),
    ],
)
def test_which_addresses_written_in_full_are_the_site_s_own(address, base_url, path):
    assert own_site_path(address, base_url) == path


# --- media written as raw HTML ------------------------------------------------------


def test_raw_html_media_resolved_and_recorded_where_written(mini_site):
    """Each address of an image, video or audio written as raw HTML (each of a srcset's), at
    the line its tag starts on: in an HTML block, inline, and in a markdown="1" block; a file
    of assets/ is resolved to its published copy, as in a Markdown image."""
    body = (
        '<video controls width="640" height="360"\n  poster="/assets/favicon.svg">\n'
        '<source src="/assets/clip.webm" type="video/webm">\n'
        "<track src='/assets/clip.vtt' kind=captions>\n</video>\n\n"
        'Listen: <audio controls src="/assets/talk.mp3"></audio>.\n\n'
        '<div markdown="1">\n<picture><source srcset="/assets/favicon.svg 1x, /assets/logo-2x.png 2x">'
        '<img src="/assets/favicon.svg" alt="Logo" width="64" height="64"></picture>\n</div>\n'
    )
    found = _with_the_logo(mini_site, body)
    assert [(link.href, link.target, link.line) for link in found.links] == [
        ("/assets/favicon.svg", LOGO, 4),
        ("/assets/clip.webm", "/assets/clip.webm", 6),
        ("/assets/clip.vtt", "/assets/clip.vtt", 7),
        ("/assets/talk.mp3", "/assets/talk.mp3", 10),
        ("/assets/favicon.svg", LOGO, 13),
        ("/assets/logo-2x.png", "/assets/logo-2x.png", 13),
        ("/assets/favicon.svg", LOGO, 13),
    ]
    assert f'<video controls width="640" height="360"\n  poster="{LOGO}">' in found.html
    assert (
        f'<picture><source srcset="{LOGO} 1x, /assets/logo-2x.png 2x"><img decoding="async" src="{LOGO}"'
        in (found.html)
    )
    assert broken(mini_site) == [
        f"{DATA}:6: '/assets/clip.webm' is not a file of the site {FILE_HINT}",
        f"{DATA}:7: '/assets/clip.vtt' is not a file of the site {FILE_HINT}",
        f"{DATA}:10: '/assets/talk.mp3' is not a file of the site {FILE_HINT}",
        f"{DATA}:13: '/assets/logo-2x.png' is not a file of the site {FILE_HINT}",
    ]


RAW_IMAGE_HINT = 'write <img src="/path.png" alt="what the image shows" width="800" height="450">'


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        # A file the site lacks is named as such by the link check, not as an image without a size.
        ("/assets/nothing.jpg", f"'/assets/nothing.jpg' is not a file of the site {FILE_HINT}"),
        ("photo.jpg", f"'photo.jpg' is not a file of the site {FILE_HINT}"),
        ("/images/photo.jpg", f"'/images/photo.jpg' is not a file of the site {FILE_HINT}"),
        # A drawing has no size to take: the hint is written as the image is, in HTML.
        (
            "/assets/favicon.svg",
            f"image '/assets/favicon.svg' has no width and height in pixels (hint: {RAW_IMAGE_HINT})",
        ),
    ],
)
def test_a_raw_html_image_without_a_size(mini_site, src, expected):
    make_site(mini_site, en_page(f'Intro.\n\n<p class="wide"><img alt="A photo"\n  src="{src}"></p>\n'))
    try:
        found = broken(mini_site)
    except SiteErrors as failure:
        found = [format_error(error) for error in failure.errors]
    assert found == [f"{DATA}:6: {expected}"]


ELSEWHERE_HINT = (
    "save the image in assets/ and write its path, such as /assets/images/photo.jpg: the site shows"
    " only its own files, and takes a photo's size from its file"
)


@pytest.mark.parametrize(
    "image",
    [
        "![A photo](https://example.org/photo.jpg)",
        '<img src="//example.org/photo.jpg" alt="A photo">',
    ],
)
def test_an_image_named_by_a_full_address_without_a_size_is_told_to_be_saved_in_assets(mini_site, image):
    """Typing its size would only lead to the next refusal: the site loads no image from another host."""
    src = image.split("(")[-1].rstrip(")") if image.startswith("!") else image.split('"')[1]
    make_site(mini_site, en_page(f"Intro.\n\n{image}\n"))
    with pytest.raises(SiteErrors) as failure:
        broken(mini_site)
    assert [format_error(error) for error in failure.value.errors] == [
        f"{DATA}:6: image '{src}' has no width and height in pixels (hint: {ELSEWHERE_HINT})"
    ]


# The same tag or link shown as code before it is written for real: in a fenced code block, in an
# indented code block, in a code span (the page's line 4 on; the real one is on line 12).
SHOWN_AS_CODE = {
    "fenced": "Write it so:\n\n```\n{tag}\n```\n\nThat is all.\n\n",
    "indented": "Write it so:\n\n    {tag}\n\nThat is all.\n\nMore.\n\n",
    "code span": "Write it\nso: `{tag}`,\nas we said.\n\nThat is all.\n\nMore.\n\n",
}
UNCLOSED = "raw HTML that breaks the page's structure ('<div markdown=\"1\">') in the content"
DIV_HINT = "(hint: close each element you open, in the order you opened it: <div> … </div>)"


@pytest.mark.parametrize("code", list(SHOWN_AS_CODE))
@pytest.mark.parametrize(
    ("tag", "real", "expected"),
    [
        (
            '<img src="/assets/images/nothere.jpg" alt="x">',
            "{tag}\n",
            f"'/assets/images/nothere.jpg' is not a file of the site {FILE_HINT}",
        ),
        ('<a href="/nothing/">it</a>', "See {tag}.\n", f"the link '/nothing/' leads to no page {URL_HINT}"),
        ("[it](/nothing/)", "See {tag}.\n", f"the link '/nothing/' leads to no page {URL_HINT}"),
        ('<div markdown="1">', "{tag}\nText.\n", f"{UNCLOSED} {DIV_HINT}"),
    ],
)
def test_a_problem_is_named_at_its_line_not_at_a_copy_shown_as_code(mini_site, code, tag, real, expected):
    body = SHOWN_AS_CODE[code].format(tag=tag) + real.format(tag=tag)
    assert body.splitlines()[8] == real.format(tag=tag).splitlines()[0]  # the body starts on line 4
    make_site(mini_site, en_page(body))
    try:
        found = broken(mini_site)
    except SiteErrors as failure:
        found = [format_error(error) for error in failure.errors]
    assert found == [f"{DATA}:12: {expected}"]


# --- ids and state ------------------------------------------------------------------


def test_heading_ids(mini_site):
    site = make_site(mini_site, en_page("# Data & AI\n\n## Café Ünïcode\n\n## Data & AI\n"))
    body = body_of(site, "en", "/en/programme/data/")
    assert '<h1 id="data-ai">Data &amp; AI</h1>' in body.html
    assert '<h2 id="data-ai_1">Data &amp; AI</h2>' in body.html
    assert re.findall(r'id="([^"]*)"', body.html) == ["data-ai", "café-ünïcode", "data-ai_1"]


def test_markdown_state_does_not_leak_between_documents(mini_site):
    site = make_site(
        mini_site,
        {
            **en_page("# Data\n\nA claim.[^1]\n\n[^1]: The source.\n"),
            "content/en/programme/health.md": "---\ntitle: Health\n---\n# Data\n\nNo note here [^1].\n",
        },
    )
    data = site.page_for_source("en", "programme/data.md")
    health = site.page_for_source("en", "programme/health.md")

    renderer = markup_renderer(site)
    first = renderer.render_page(data).body
    after = renderer.render_page(health).body
    fresh = markup_renderer(site).render_page(health).body

    assert 'class="footnote"' in first.html
    assert 'id="fn:1"' in first.html
    assert after.html == fresh.html
    assert 'class="footnote"' not in after.html
    assert "[^1]" in after.html
    assert re.findall(r'id="([^"]*)"', after.html) == [
        "data"
    ]  # not "data_1": the toc's seen ids were reset too


def test_link_to_a_missing_fragment_is_reported(mini_site):
    make_site(mini_site, en_page("See [health](health.md#no-such-heading).\n"))
    assert len(broken(mini_site)) == 1


def test_a_fragment_of_a_file_that_is_no_page_is_the_file_s_own(mini_site):
    """docs/content.md: what follows # in a link to a file that is no page (a PDF's #page=3, an
    SVG's view) is the file's own and not checked; a page's missing #id and a missing file are."""
    body = (
        "[Page 3](/assets/report.pdf#page=3), <a href='https://lsh.amsterdam/assets/report.pdf#page=4'>4</a>, "
        "[gone](/assets/gone.pdf#page=2) and [health](health.md#nothing).\n\n"
        '![A logo](/assets/favicon.svg#view){: width="8" height="8"}\n'
    )
    make_site(mini_site, {**en_page(body), "assets/report.pdf": "%PDF-1.4\n%%EOF\n"})
    assert broken(mini_site) == [
        f"{DATA}:4: '/assets/gone.pdf#page=2' is not a file of the site {FILE_HINT}",
        f"{DATA}:4: the link 'health.md#nothing' leads to no '#nothing' on its page {FRAGMENT_HINT}",
    ]


def test_a_fragment_link_is_checked_again_when_only_the_page_it_points_into_changed(mini_site):
    health = mini_site / "content/en/programme/health.md"
    make_site(mini_site, en_page("See [care](health.md#care).\n"))
    health.write_text("---\ntitle: Health\n---\n## Care\n", "utf-8")
    memo = Memo()
    missing = [
        f"{DATA}:4: the link 'health.md#care' leads to no '#care' on its page (hint: did you mean '#cure'?)"
    ]
    for heading, expected in (("## Care", []), ("## Cure", missing), ("## Care", [])):
        health.write_text(f"---\ntitle: Health\n---\n{heading}\n", "utf-8")
        found = generate(mini_site, memo=memo).findings.broken_links
        assert [format_error(e) for e in found] == expected
        assert [format_error(e) for e in generate(mini_site).findings.broken_links] == expected


def test_the_links_of_a_page_checked_before_are_not_read_again(mini_site):
    make_site(mini_site, en_page("See [care](health.md#nowhere) and [x](nowhere.md).\n"))
    memo = Memo()
    first = generate(mini_site, memo=memo).findings.broken_links
    assert len(first) == 2
    checked = dict(memo.tables["markdown links"])
    again = generate(mini_site, memo=memo).findings.broken_links
    assert again == first
    assert all(memo.tables["markdown links"][key] is found for key, found in checked.items())


# --- images -----------------------------------------------------------------------


def test_content_images_keep_their_size_and_load_lazily_after_the_first(mini_site):
    body = 'Intro.\n\n![The Zuidas at night](/zuidas.jpg){: width="800" height="450"}\n\n![Again](/z.jpg){: width="8" height="4"}\n'
    html = body_of(make_site(mini_site, en_page(body)), "en", "/en/programme/data/").html
    assert (
        '<img decoding="async" alt="The Zuidas at night" height="450" src="/zuidas.jpg" width="800">' in html
    )
    assert '<img loading="lazy" decoding="async" alt="Again" height="4" src="/z.jpg" width="8">' in html


def test_every_image_without_alt_text_or_size_is_reported_with_its_line(mini_site):
    body = 'Intro.\n\n![](/a.jpg){: width="8" height="4"}\n\n<img src="/assets/b.svg" alt="B" width="8">\n'
    site = make_site(mini_site, en_page(body))
    with pytest.raises(SiteErrors) as failure:
        render_bodies(site, {"b.svg": "/assets/b.1a2b3c4d.svg"})
    assert [format_error(e) for e in failure.value.errors] == [
        f"{DATA}:6: image '/a.jpg' has no alt text (hint: {IMAGE_HINT})",
        f"{DATA}:8: image '/assets/b.svg' has no height in pixels (hint: {RAW_IMAGE_HINT})",
    ]


@pytest.mark.parametrize("alt", ["\u200b", "&#8203;", " \u00a0"])
def test_alt_text_of_invisible_characters_alone_is_none(mini_site, alt):
    """A zero-width space, written or as a reference, describes nothing to a screen reader."""
    site = make_site(mini_site, en_page(f'Intro.\n\n<img src="/a.jpg" alt="{alt}" width="8" height="4">\n'))
    with pytest.raises(SiteErrors) as failure:
        render_bodies(site, {})
    assert [format_error(e) for e in failure.value.errors] == [
        f"{DATA}:6: image '/a.jpg' has no alt text (hint: {RAW_IMAGE_HINT})"
    ]


def test_a_file_whose_name_needs_encoding_is_linked_at_its_encoded_address(mini_site):
    """An accent, a space, a # and a ? (written %23 and %3F, else they start a #fragment or a
    query): linked as written, published encoded, the file keeping its name."""
    write_tree(mini_site, {"assets/docs/Jaarverslag café #2?.pdf": b"%PDF-1.4\n"})
    make_site(mini_site, en_page("[The report](</assets/docs/Jaarverslag café %232%3F.pdf>)\n"))
    generated = generate(mini_site)
    assert generated.findings.broken_links == ()
    [report] = [f.path for f in generated.files if f.path.startswith("assets/docs/")]
    assert re.fullmatch(r"assets/docs/Jaarverslag café #2\?\.[0-9a-f]{8}\.pdf", report)
    page = next(f for f in generated.files if f.path == "en/programme/data/index.html").data.decode()
    address = "/" + report.replace(" ", "%20").replace("é", "%C3%A9").replace("#", "%23").replace("?", "%3F")
    assert f'<a href="{address}">The report</a>' in page


def test_an_image_from_assets_gets_its_fingerprinted_address(mini_site):
    make_site(mini_site, en_page('![The site logo](/assets/favicon.svg){: width="64" height="64"}\n'))
    generated = generate(mini_site)
    assert generated.findings.broken_links == ()
    [logo] = [f.path for f in generated.files if f.path.startswith("assets/favicon.")]
    page = next(f for f in generated.files if f.path == "en/programme/data/index.html").data.decode()
    assert f'<img decoding="async" alt="The site logo" height="64" src="/{logo}" width="64">' in page
