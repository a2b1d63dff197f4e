"""Properties that hold for every input, checked on generated ones (Hypothesis).

* Front matter: any text or bytes give a page or our own errors (``SiteError``,
  ``SiteErrors``) naming the file and a line inside it, never another exception;
  a byte order mark and Windows line ends change nothing.
* Slugs: always URL-safe; addresses built from file names are unique, or the
  build says which files collide.
* Addresses: always under the page's language, never leaving the output folder;
  links between pages and old addresses (``aliases``) never lead off the site.
* The output's links and ids: found exactly as their definition says.

Runs are reproducible (``derandomize``, no example database) and small, so the
suite stays fast; ``HYPOTHESIS_EXAMPLES`` raises the count for a deeper local run.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import os
import re
from urllib.parse import urlsplit

from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.checks.findings import scan_files
from site_builder.config import load_config
from site_builder.content.frontmatter import SLUG, Document, FrontMatter, kind_of, parse
from site_builder.content.load import SourcePage, decode, is_ignored
from site_builder.errors import SiteError, SiteErrors
from site_builder.output.publish import _safe_relative
from site_builder.render.markup import markup_renderer
from site_builder.site.files import OutputFile
from site_builder.site.model import build_site, slugify, url_to_file

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "100"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
PATH = "content/nl/over.md"
KINDS = ["page", "home", "section", "news-list", "news", "key-figures", "swot"]
CONFIG = load_config(REPO)


# --- front matter ---------------------------------------------------------------------

KEYS = [
    "title",
    "summary",
    "slug",
    "date",
    "draft",
    "translation_key",
    "template",
    "weight",
    "menu",
    "menu_title",
    "date_precision",
    "aliases",
    "translated_from",
    "figures",
    "strengths",
    "weaknesses",
    "opportunities",
    "threats",
    "id",
    "value",
    "unit",
    "label",
    "source",
    "text",
    "<<",
    "? x",
    "titel",
    "1",
]
SCALARS = st.one_of(
    st.sampled_from(
        [
            "Over ons",
            "over-ons",
            "2019-09-26",
            "2017-11-31",
            "true",
            "maybe",
            "65000",
            "65.000",
            "2.5",
            "1e400",
            ".inf",
            ".nan",
            "~",
            "null",
            "''",
            '""',
            "'it''s'",
            '"\\x00"',
            '"\\ud800"',
            "EUR",
            "percent",
            "page.html",
            "../x",
            "/etc/passwd",
            "https://lsh.amsterdam/",
            "en:new",
            "&a x",
            "*a",
            "!!python/object/apply:os.system [x]",
            "!!binary aGk=",
            "!!set {a}",
            "!foo x",
            "|",
            ">-",
            "[1, [2, [3]]]",
            "{a: b}",
            "[",
            "{",
            "- x",
            "a: b: c",
            "#",
            "%",
            "@",
            "`",
            "\t",
            "x\ty",
            "\\",
            "'",
            '"',
            "---",
            "...",
        ]
    ),
    st.text(max_size=20),
)


@st.composite
def front_matter_text(draw) -> str:
    """Text shaped like a page: YAML-ish lines (keys, values, lists, indents, tabs) between --- lines."""
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        indent = draw(st.sampled_from(["", "", "  ", "    ", "\t", " "]))
        shape = draw(st.sampled_from(["key: value", "key:", "- value", "- key: value", "value"]))
        line = shape.replace("key", draw(st.sampled_from(KEYS))).replace("value", draw(SCALARS))
        lines.append(indent + line)
    opening = draw(st.sampled_from(["---\n", "---\n", "--- \n", "\ufeff---\n", "\n---\n", ""]))
    closing = draw(st.sampled_from(["---\n", "---\n", "...\n", "", "--\n"]))
    return opening + "".join(line + "\n" for line in lines) + closing + draw(st.text(max_size=30))


def assert_parses_or_reports(text: str, kind: str) -> None:
    """The property itself: a Document, or our errors with this file and a line of the text."""
    try:
        doc = parse(text, PATH, kind)
    except (SiteError, SiteErrors) as failure:
        errors = failure.errors if isinstance(failure, SiteErrors) else (failure,)
        assert errors
        lines = text.count("\n") + 1
        for error in errors:
            assert error.path == PATH
            assert error.line is None or 1 <= error.line <= lines, (error, lines)
            assert "\n" not in str(error)
        return
    assert isinstance(doc, Document) and isinstance(doc.front, FrontMatter)
    assert doc.front.title.strip()
    written = text.split("\n")
    for key, line in doc.front.lines.items():
        assert key in written[line - 1], (key, line)


@PROPERTY
@given(text=st.text(max_size=200), kind=st.sampled_from(KINDS))
def test_any_text_parses_or_gives_our_errors(text, kind):
    assert_parses_or_reports("---\n" + text, kind)


@PROPERTY
@given(text=front_matter_text(), kind=st.sampled_from(KINDS))
def test_page_shaped_text_parses_or_gives_our_errors(text, kind):
    assert_parses_or_reports(text, kind)


@PROPERTY
@given(data=st.binary(max_size=120), kind=st.sampled_from(KINDS))
def test_any_bytes_decode_and_parse_or_give_our_errors(data, kind):
    text = decode(b"---\ntitle: x\n" + data, PATH)
    if isinstance(text, SiteError):
        assert text.path == PATH and text.line >= 1
        return
    assert "\r" not in text and "\x00" not in text
    assert_parses_or_reports(text, kind)


def outcome(data: bytes, kind: str):
    """What a page's bytes become: its front matter and body, or the formatted errors."""
    text = decode(data, PATH)
    if isinstance(text, SiteError):
        return [str(text)]
    try:
        doc = parse(text, PATH, kind)
    except (SiteError, SiteErrors) as failure:
        return [str(e) for e in (failure.errors if isinstance(failure, SiteErrors) else (failure,))]
    return doc


@PROPERTY
@given(text=front_matter_text(), kind=st.sampled_from(KINDS))
def test_bom_and_crlf_change_nothing(text, kind):
    plain = text.lstrip("\ufeff").replace("\r", "")
    windows = "\ufeff" + plain.replace("\n", "\r\n")
    assert outcome(windows.encode("utf-8"), kind) == outcome(plain.encode("utf-8"), kind)


@PROPERTY
@given(alias=st.text(alphabet=st.sampled_from("/.-_~:%?#@ azAZ09\\é\t"), max_size=24))
def test_accepted_aliases_stay_on_the_site(alias):
    try:
        doc = parse(f"---\ntitle: x\naliases: [{json.dumps(alias)}]\n---\n", PATH, "page")
    except (SiteError, SiteErrors):
        return
    (accepted,) = doc.front.aliases
    assert re.fullmatch(r"/[A-Za-z0-9._~/-]*", accepted)
    assert not {".", ".."} & set(accepted.split("/")) and "//" not in accepted
    _safe_relative(url_to_file(accepted))  # raises if the redirect's file could leave the output folder


# --- slugs and addresses -----------------------------------------------------------------


@PROPERTY
@given(st.text(max_size=60))
def test_slugify_is_url_safe_and_stable(text):
    slug = slugify(text)
    assert slug == "" or SLUG.fullmatch(slug)
    assert slugify(slug) == slug


NAME = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
    min_size=1,
    max_size=12,
).filter(lambda name: name not in (".", "..") and not is_ignored(name))


def source(lang: str, parts: tuple[str, ...], slug: str | None = None) -> SourcePage:
    rel = "/".join((*parts[:-1], parts[-1] + ".md"))
    front = FrontMatter(title="Titel", slug=slug, date=datetime.date(2019, 9, 26))
    kind = kind_of(rel)
    doc = Document(front, "", 5, hashlib.sha256(repr(front).encode()).hexdigest())
    return SourcePage(lang, rel, f"content/{lang}/{rel}", kind, doc, "0" * 64, "0" * 12)


def assert_addresses_are_safe(site) -> None:
    urls = [page.url for page in site.pages]
    assert len(urls) == len(set(urls))
    for page in site.pages:
        assert re.fullmatch(rf"/{page.lang}/(?:[a-z0-9]+(?:-[a-z0-9]+)*/)*", page.url), page.url
        file = _safe_relative(url_to_file(page.url))
        assert file.parts[0] == page.lang and ".." not in file.parts


@PROPERTY
@given(
    st.lists(
        st.tuples(st.sampled_from(["nl", "en"]), st.lists(NAME, min_size=1, max_size=3).map(tuple)),
        max_size=12,
        unique_by=lambda item: (item[0], tuple(slugify(part) for part in item[1])),
    ).filter(lambda items: all(slugify(part) for _, parts in items for part in parts))
)
def test_distinct_names_give_distinct_safe_addresses(items):
    sources = [source(lang, parts) for lang, parts in items]
    site = build_site(CONFIG, sources)
    assert len(site.pages) == len(sources)
    assert_addresses_are_safe(site)


@PROPERTY
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["nl", "en"]),
            st.lists(
                st.one_of(NAME, st.sampled_from(["news", "_index", "Nieuws", "news "])),
                min_size=1,
                max_size=3,
            ).map(tuple),
            st.one_of(st.none(), st.sampled_from(["over-ons", "news", "a", "2019"])),
        ),
        max_size=10,
        unique_by=lambda item: (item[0], item[1]),
    )
)
def test_any_names_give_safe_unique_addresses_or_name_the_files(items):
    sources = [source(lang, parts, slug) for lang, parts, slug in items]
    try:
        site = build_site(CONFIG, sources)
    except SiteErrors as failure:
        files = {s.path for s in sources}
        for error in failure.errors:
            assert error.path in files
            assert re.match(
                r"cannot make a web address|the address /\S+/ is claimed by \d+ pages", error.message
            )
        return
    assert_addresses_are_safe(site)


SMALL_SITE = build_site(
    CONFIG,
    [
        source(lang, parts)
        for lang in ("nl", "en")
        for parts in [("_index",), ("about",), ("news", "_index"), ("news", "mou"), ("programma", "data")]
    ],
)


@PROPERTY
@given(
    href=st.one_of(
        st.text(alphabet=st.sampled_from("./_-#?:abnews"), max_size=20).map(lambda h: h + ".md"),
        st.builds(
            lambda ups, rest: "../" * ups + rest,
            st.integers(0, 6),
            st.sampled_from(
                [
                    "about.md",
                    "news/mou.md",
                    "etc/passwd.md",
                    "en/about.md",
                    "nl/news/mou.md#x",
                    "/etc/passwd",
                    "x",
                ]
            ),
        ),
        st.text(max_size=20),
    )
)
def test_links_to_pages_lead_to_pages_of_the_site_or_are_broken(href):
    """A link to a ``.md`` file becomes the address of a page of this site, or is recorded as broken
    (which ``check`` reports); however many ``..`` it has, it never becomes a path outside the site."""
    page = next(p for p in SMALL_SITE.pages if p.source.rel == "news/mou.md" and p.lang == "nl")
    doc = dataclasses.replace(page.source.doc, body=f"[link](<{href}>) and ![image](<{href}>)\n")
    written = dataclasses.replace(page, source=dataclasses.replace(page.source, doc=doc))
    rendered = markup_renderer(SMALL_SITE).render_page(written)
    for link in rendered.body.links:
        assert link.target is None or link.target.startswith(("/", "#")), link
        path = urlsplit(link.href).path
        if link.target is not None and path.endswith(".md") and not link.target.startswith("#"):
            assert urlsplit(link.target).path in SMALL_SITE.urls, link


# --- links and ids found in the output ------------------------------------------

# What the link check reads from each HTML file, by its definition: a site-internal address
# in href="…" or src="…", and an id="…", each attribute after a space.
_LINK_DEFINITION = re.compile(rb"""\s(?:href|src)="(/(?!/)[^"#?]*)""")
_ID_DEFINITION = re.compile(rb'\sid="([^"]+)"')
_HTML_PIECES = [
    b' href="',
    b'\thref="',
    b'xhref="',
    b'href="',
    b' src="',
    b'\nsrc="',
    b'data-src="',
    b' id="',
    b'\x0bid="',
    b'xid="',
    b'id="',
    b"<a",
    b">",
    b" ",
    b"=",
    b'"',
    b"/",
    b"//",
    b"/news",
    b"#f",
    b"?q",
    b"\xc3\xa9",
    b"\xff",
]


@PROPERTY
@given(st.lists(st.sampled_from(_HTML_PIECES), max_size=40).map(b"".join))
def test_output_scan_finds_exactly_the_defined_links_and_ids(data):
    [(targets, ids)] = scan_files([OutputFile("page.html", data)])
    defined = dict.fromkeys(m.group(1).decode("utf-8", "replace") for m in _LINK_DEFINITION.finditer(data))
    assert targets == tuple(defined)
    assert ids == {m.group(1).decode("utf-8", "replace") for m in _ID_DEFINITION.finditer(data)}


# --- control characters -----------------------------------------------------------

_CONTROL_DEFINITION = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@PROPERTY
@given(
    st.text(
        st.sampled_from(["a", "é", " ", "\t", "\n", "\r", "\x00", "\x1b", "\x0c", "\x7f", "\ufffe", "\u0086"])
    )
)
def test_text_is_refused_exactly_for_the_defined_control_characters(text):
    result = decode(text.encode("utf-8"), PATH)
    assert isinstance(result, SiteError) == bool(_CONTROL_DEFINITION.search(text))
