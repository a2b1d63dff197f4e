"""Old addresses as HTML redirect pages: ``<old address>/index.html`` for hosts that read
neither ``_redirects`` nor the nginx configuration (see output/redirect_pages.py)."""

from __future__ import annotations

import functools
import http.client
import json
import subprocess
import threading
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import read_tree, run_process, text_files, write_tree
from test_validators import JAVA, VNU

from site_builder import stages
from site_builder.errors import SiteErrors, format_error

BASE = "https://lsh.amsterdam"
MOU_EN = "content/en/news/2019-09-26-mou.md"
MOU_NL = "content/nl/news/2019-09-26-mou.md"
MOU_URL = "/en/news/memorandum-of-understanding/"
VOID = {"meta", "link", "br", "img", "input", "hr", "source", "wbr", "area", "base", "col", "embed", "track"}


def add_aliases(root: Path, rel: str, aliases: str) -> None:
    file = root / rel
    file.write_text(
        file.read_text("utf-8").replace("date: 2019-09-26", f"date: 2019-09-26\naliases: {aliases}")
    )


class Parsed(HTMLParser):
    """A page's elements with their attributes and its visible text, checking that every
    element it opens it closes, in order."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.open: list[str] = []
        self.text: list[str] = []
        self.doctype: str | None = None
        self.feed(text)
        self.close()
        assert self.open == [], self.open

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag, attrs) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag) -> None:
        assert self.open and self.open[-1] == tag, (tag, self.open)
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if "body" in self.open:
            self.text.append(data)

    def first(self, tag: str, **wanted: str) -> dict[str, str | None]:
        return next(a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in wanted.items()))


@pytest.fixture
def aliased(mini_site: Path) -> tuple[Path, dict[str, bytes]]:
    """The mini site with two English aliases and a Dutch one, and its generated files."""
    add_aliases(mini_site, MOU_EN, "[/en/mou/, /old/mou.html]")
    add_aliases(mini_site, MOU_NL, "[/nl/nieuws/mou/]")
    return mini_site, {f.path: f.data for f in stages.generate(mini_site).files}


def test_each_alias_gets_a_page_leading_to_its_target(aliased):
    _, files = aliased
    nl_url = "/nl/nieuws/intentieverklaring/"
    for alias, target, lang in [
        ("/en/mou/", MOU_URL, "en"),
        ("/old/mou.html", MOU_URL, "en"),  # an old file name: the folder of that name
        ("/nl/nieuws/mou/", nl_url, "nl"),
    ]:
        page = Parsed(files[alias.strip("/") + "/index.html"].decode("utf-8"))
        assert page.doctype and page.doctype.lower() == "doctype html"
        assert page.first("html")["lang"] == lang, alias
        assert page.first("link", rel="canonical")["href"] == BASE + target, alias
        assert page.first("meta", name="robots")["content"] == "noindex"
        assert page.first("meta", **{"http-equiv": "refresh"})["content"] == f"0; url={target}"
        assert page.first("a")["href"] == target, alias
        assert "".join(page.text).strip(), alias  # the link shows words for browsers without refresh


def test_the_link_names_its_target_escaped(mini_site):
    mou = mini_site / MOU_EN
    text = mou.read_text("utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    mou.write_text(text.replace(title, 'title: "R&D <b>\\"quoted\\"</b>"'))
    add_aliases(mini_site, MOU_EN, "[/en/mou/]")
    files = text_files(stages.generate(mini_site).files)
    page = files["en/mou/index.html"]
    assert "<b>" not in page and "R&amp;D &lt;b&gt;&quot;quoted&quot;&lt;/b&gt;" in page
    assert Parsed(page).first("a")["href"] == MOU_URL


def test_the_page_holds_to_the_content_security_policy(aliased):
    _, files = aliased
    page = files["en/mou/index.html"].decode("utf-8")
    parsed = Parsed(page)
    assert not {"script", "style"} & {tag for tag, _ in parsed.elements}
    assert not any(
        "style" in attrs or any(name.startswith("on") for name in attrs) for _, attrs in parsed.elements
    )


def test_the_page_is_valid_html(aliased, tmp_path):
    if JAVA is None or not VNU.is_file():
        pytest.skip("the Nu HTML Checker needs java and node_modules/vnu-jar (.ci/run installs both)")
    _, files = aliased
    page = tmp_path / "redirect.html"
    page.write_bytes(files["en/mou/index.html"])
    result = subprocess.run(
        [JAVA, "-jar", str(VNU), "--format", "json", "--stdout", str(page)],
        check=False,  # vnu exits 1 on an error: the report below says which
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(result.stdout)["messages"] == []  # no error, and no warning either


def test_redirect_pages_are_not_in_the_sitemap_or_the_feeds(aliased):
    _, files = aliased
    for path in ("sitemap.xml", "en/feed.xml", "nl/feed.xml"):
        text = files[path].decode("utf-8")
        ET.fromstring(text)
        assert "/en/mou/" not in text and "/old/mou.html" not in text and "/nl/nieuws/mou/" not in text, path
    assert b'property="og:' not in files["en/mou/index.html"]  # no social card either


def test_the_redirects_still_answer_where_they_apply(aliased):
    """Netlify serves a file before a rule that is not forced; Cloudflare Pages and nginx
    (tests/test_nginx.py) answer with the rule anyway."""
    _, files = aliased
    lines = files["_redirects"].decode("utf-8").splitlines()
    assert f"/en/mou/ {MOU_URL} 301!" in lines
    assert f"/old/mou.html {MOU_URL} 301!" in lines
    # not forced: the site's own pages come first
    assert "/en/* /en/404.html 404" in lines and "/nl/* /nl/404.html 404" in lines
    # deploy.md: "the root `/` by browser language with 302"
    assert "/ /en/ 302 Language=en" in lines and "/ /nl/ 302 Language=nl" in lines


def test_the_build_publishes_them_and_its_checks_pass(mini_site, run_cli):
    """Written by the same publishing step as every page; the raw-HTML policy, which judges
    editors' content, does not judge them, and a link to an old address is not broken."""
    add_aliases(mini_site, MOU_EN, "[/en/mou/]")
    about = mini_site / "content/en/about.md"
    about.write_text(about.read_text("utf-8") + "\nSee the [old address](/en/mou/).\n")
    code, _, err = run_cli("-C", mini_site, "-q", "build")
    assert (code, err) == (0, "")
    built = read_tree(mini_site / "build")
    assert b'content="0; url=/en/news/memorandum-of-understanding/"' in built["en/mou/index.html"]
    assert b"Cache-Control" in built["_headers"].split(b"\n/en/mou/\n", 1)[1].split(b"\n\n", 1)[0]
    code, _, err = run_cli("-C", mini_site, "check")
    assert code == 0, err


def test_an_alias_that_is_a_page_s_address_is_refused(mini_site):
    add_aliases(mini_site, MOU_EN, "[/en/about/]")
    with pytest.raises(SiteErrors) as raised:
        stages.generate(mini_site)
    assert "the address /en/about/ is claimed by 2 pages" in str(raised.value)


def test_a_page_or_an_alias_at_a_search_page_s_address_is_refused(mini_site):
    # The alias would hide the search page behind a redirect; the page would be a second file there.
    add_aliases(mini_site, MOU_EN, "[/nl/zoeken/]")
    write_tree(mini_site, {"content/en/search.md": "---\ntitle: Search\n---\nText.\n"})
    with pytest.raises(SiteErrors) as raised:
        stages.generate(mini_site)
    hint = "(hint: give one of them a different slug)"
    assert sorted(format_error(error) for error in raised.value.errors) == [
        f"{MOU_EN}:6: the address /nl/zoeken/ is claimed by 2 pages: {MOU_EN}, (search page) {hint}",
        f"content/en/search.md: the address /en/search/ is claimed by 2 pages: content/en/search.md, "
        f"(search page) {hint}",
    ]


def test_an_old_news_list_address_that_a_page_has_gets_no_redirect_page(mini_site):
    write_tree(
        mini_site,
        {
            "content/nl/news/page/2.md": "---\ntitle: Pagina twee\n---\nTekst.\n",
            "site.yaml": (mini_site / "site.yaml")
            .read_text("utf-8")
            .replace("news_page_size: 10", "news_page_size: 1"),
        },
    )
    files = text_files(stages.generate(mini_site).files)
    assert "nl/nieuws/pagina/2/index.html" in files
    page = files["nl/nieuws/page/2/index.html"]
    assert "Pagina twee" in page and 'http-equiv="refresh"' not in page


def test_an_alias_below_a_file_of_the_site_gets_no_page(mini_site, run_cli):
    """A folder cannot share a file's name: /sitemap.xml stays the sitemap on a host without rules."""
    add_aliases(mini_site, MOU_EN, "[/sitemap.xml/old/]")
    code, _, err = run_cli("-C", mini_site, "-q", "build")
    assert (code, err) == (0, "")
    assert (mini_site / "build/sitemap.xml").is_file()
    # Not forced: without a redirect page there, no file of the site is at that address.
    assert "/sitemap.xml/old/ /en/news/memorandum-of-understanding/ 301" in (
        (mini_site / "build/_redirects").read_text("utf-8").splitlines()
    )


@pytest.mark.parametrize(
    ("alias", "path"),
    [
        ("/", "index.html"),  # the language chooser: the forced rule took the whole site's root
        ("/en/feed.xml", "en/feed.xml"),  # nginx: a second "location =", which it refuses to start with
        ("/404.html", "404.html"),
        ("/en", "en/index.html"),
        # The page's own file: on nginx, /en/news/memorandum-of-understanding/ redirected to itself.
        ("/en/news/memorandum-of-understanding/index.html", "en/news/memorandum-of-understanding/index.html"),
    ],
)
def test_an_alias_where_the_site_serves_a_file_is_refused(mini_built, alias, path):
    root, before = mini_built
    add_aliases(root, MOU_EN, f"[{alias}]")
    result = run_process("-C", root, "build")
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        f"{MOU_EN}:6: the alias {alias} is where the site serves its own file {path} "
        "(hint: list in aliases only old addresses that nothing on the site has now)"
    ]
    assert read_tree(root / "build") == before


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the test's output shows its own failures only
        pass


def test_a_host_without_rules_serves_the_redirect_page(mini_site, run_cli):
    """As S3's website hosting does: a folder's index.html, and an address without the
    final slash sent on to the folder first."""
    add_aliases(mini_site, MOU_EN, "[/en/mou/, /old/mou.html]")
    assert run_cli("-C", mini_site, "-q", "build")[0] == 0
    handler = functools.partial(Quiet, directory=str(mini_site / "build"))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)
            connection.request("GET", "/old/mou.html")
            response = connection.getresponse()
            response.read()
            assert (response.status, response.getheader("Location")) == (301, "/old/mou.html/")
            for path in ("/old/mou.html/", "/en/mou/"):
                connection.request("GET", path)
                response = connection.getresponse()
                page = Parsed(response.read().decode("utf-8"))
                assert response.status == 200, path
                assert page.first("meta", **{"http-equiv": "refresh"})["content"] == f"0; url={MOU_URL}"
            connection.close()
        finally:
            server.shutdown()
