"""Minified output: `build` minifies HTML, CSS and JavaScript and says how much it saved;
`--no-minify` and the preview write them as rendered; both builds link the same pages."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from conftest import read_tree

from site_builder import pipeline
from site_builder.checks import findings
from site_builder.site.files import OutputFile

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "benchmarks" / "generate_site.py"
SAVED = re.compile(r"minified HTML, CSS and JavaScript: ([\d.]+) KiB less to send")
MINIFIED = (".html", ".css", ".js")


def _sizes(tree: dict[str, bytes]) -> int:
    return sum(len(data) for path, data in tree.items() if path.endswith(MINIFIED))


def _assets(tree: dict[str, bytes], suffix: str) -> bytes:
    (data,) = [data for path, data in tree.items() if path.startswith("assets/") and path.endswith(suffix)]
    return data


def _logged(caplog) -> str:
    return "\n".join(record.getMessage() for record in caplog.records)


def test_build_minifies_and_reports_the_bytes_it_saved(mini_site, run_cli, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="site_builder")
    code, _, err = run_cli("-C", mini_site, "build", "--no-cache", "--out", tmp_path / "small")
    assert code == 0, err
    code, _, err = run_cli("-C", mini_site, "build", "--no-cache", "--no-minify", "--out", tmp_path / "full")
    assert code == 0, err
    small, full = read_tree(tmp_path / "small"), read_tree(tmp_path / "full")
    page = "en/news/ema-opens-office/index.html"
    assert b"\n  <" in full[page] and b"\n  <" not in small[page]
    assert len(small[page]) < len(full[page])
    assert b"/*" in _assets(full, ".css") and b"/*" not in _assets(small, ".css")
    # The same files apart from the assets' digests, and the report tells the difference.
    assert len(small) == len(full)
    (reported,) = SAVED.findall(_logged(caplog))
    assert abs(float(reported) - (_sizes(full) - _sizes(small)) / 1024) < 0.1
    # A rebuild that takes most pages from the cache reports the same.
    page_source = mini_site / "content/en/news/2019-06-12-ema.md"
    page_source.write_text(page_source.read_text() + "\nOne more sentence.\n")
    caplog.clear()
    assert run_cli("-C", mini_site, "build", "--out", tmp_path / "small")[0] == 0
    (again,) = SAVED.findall(_logged(caplog))
    assert abs(float(again) - float(reported)) < 0.2


def test_the_preview_writes_pages_as_rendered(mini_site, tmp_path):
    pipeline.build(mini_site, tmp_path / "preview", preview=True, drafts=True)
    page = (tmp_path / "preview/en/news/ema-opens-office/index.html").read_bytes()
    assert b'<html lang="en">' in page and b"\n  <" in page


def test_minified_pages_link_the_same_addresses_and_ids(tmp_path):
    site = tmp_path / "site"
    subprocess.run([sys.executable, GENERATOR, "12", site], check=True, capture_output=True)
    pipeline.build(site, tmp_path / "small")
    pipeline.build(site, tmp_path / "full", minify=False)
    small, full = read_tree(tmp_path / "small"), read_tree(tmp_path / "full")
    pages = sorted(path for path in full if path.endswith(".html"))
    assert pages == sorted(path for path in small if path.endswith(".html"))
    scanned_small = findings.scan_files(OutputFile(p, small[p]) for p in pages)
    scanned_full = findings.scan_files(OutputFile(p, full[p]) for p in pages)
    assets = re.compile(r"^/assets/[^.]+\.[0-9a-f]{8}\.")  # the CSS's digest differs

    def same(scans):
        return [(tuple(assets.sub("/assets/", t) for t in targets), ids) for targets, ids in scans]

    assert same(scanned_small) == same(scanned_full)
    assert any(targets for targets, _ in scanned_small) and any(ids for _, ids in scanned_small)
    assert any(b"href=/" in small[p] for p in pages)  # unquoted values were there to read


def test_a_broken_link_is_found_in_a_minified_build(mini_site, run_cli):
    page = mini_site / "content/en/news/2019-06-12-ema.md"
    page.write_text(page.read_text() + "\nSee [the plan](../nowhere.md).\n")
    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 1
    assert "content/en/news/2019-06-12-ema.md" in err and "nowhere.md" in err


def test_switching_minify_off_rewrites_the_pages_from_the_cache(mini_site, run_cli):
    assert run_cli("-C", mini_site, "build")[0] == 0
    page = mini_site / "build/en/news/ema-opens-office/index.html"
    assert b"\n  <" not in page.read_bytes()
    assert run_cli("-C", mini_site, "build", "--no-minify")[0] == 0
    assert b"\n  <" in page.read_bytes()
    assert run_cli("-C", mini_site, "build")[0] == 0
    assert b"\n  <" not in page.read_bytes()


class _Probe(HTMLParser):
    """The title and text of the element with id="probe"."""

    def __init__(self) -> None:
        super().__init__()
        self.title, self.text, self._inside = None, "", False

    def handle_starttag(self, tag, attrs):
        self._inside = False  # the next element ends the text (minified, the </p> is left out)
        if dict(attrs).get("id") == "probe":
            self.title, self._inside = dict(attrs)["title"], True

    def handle_endtag(self, tag):
        self._inside = self._inside and tag != "p"

    def handle_data(self, data):
        if self._inside:
            self.text += data


def test_escaped_text_stays_text_once_minified(mini_site, run_cli):
    """A translation with quotes, > and & in an attribute and in text: after minifying it is
    still one attribute's value and plain text."""
    base = mini_site / "templates/base.html"
    probe = "<p id=\"probe\" title=\"{{ _('News') }}\">{{ _('News') }}|{{ _('News')|safe }}</p>\n"
    base.write_text(base.read_text("utf-8").replace("</main>\n", "</main>\n" + probe), "utf-8")
    po = mini_site / "translations/nl/LC_MESSAGES/messages.po"
    hostile = r"Nieuws & \"meer\", 5 > 3, R&D"
    po.write_text(po.read_text("utf-8").replace('msgstr "Nieuws"', f'msgstr "{hostile}"'), "utf-8")
    code, _, err = run_cli("-C", mini_site, "-q", "build", "--strict")
    assert code == 0, err
    parsed = _Probe()
    parsed.feed((mini_site / "build/nl/index.html").read_text("utf-8"))
    shown = 'Nieuws & "meer", 5 > 3, R&D'
    assert parsed.title == shown and parsed.text == f"{shown}|{shown}"
