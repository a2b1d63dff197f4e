"""The preview server, run as an editor runs it: a real process on a loopback port."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import free_port, write_tree

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ("content", "templates", "assets", "translations", "site.yaml", "babel.cfg")


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _wait_for(predicate, seconds: float = 15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


@pytest.fixture
def project(tmp_path) -> Path:
    for name in INPUTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name)
        else:
            shutil.copy(source, tmp_path / name)
    return tmp_path


def _start(project: Path, port: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "site_builder", "-C", str(project), "serve", "--port", str(port)],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )


def _stop(process: subprocess.Popen) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    return process.wait(timeout=10)


def test_preview_reloads_on_save_survives_a_bad_save_and_recovers(project, tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    process = _start(project, port, log)
    base = f"http://127.0.0.1:{port}"
    page_file = project / "content/en/about.md"
    try:
        first = _wait_for(lambda: _get(f"{base}/en/about/"))
        assert "livereload.js" in first  # the browser is told to reload after a rebuild
        assert not (project / "build").exists()  # the preview never writes the deployable build

        original = page_file.read_text("utf-8")
        page_file.write_text(original + "\nA sentence added while previewing.\n", "utf-8")
        _wait_for(lambda: "A sentence added while previewing." in (_get(f"{base}/en/about/") or ""))

        # A typo in the front matter: the server stays up, keeps the last good page
        # and names the file and line in the terminal.
        page_file.write_text(original.replace("title:", "titel:", 1), "utf-8")
        _wait_for(lambda: "content/en/about.md:" in log.read_text())
        assert process.poll() is None
        shown = _wait_for(lambda: (page := _get(f"{base}/en/about/")) and "preview-error" in page and page)
        assert "A sentence added while previewing." in shown  # the last good page, with the error on top
        assert "content/en/about.md:" in shown and "missing required key &#39;title&#39;" in shown
        assert "Traceback" not in log.read_text()

        page_file.write_text(original + "\nFixed again.\n", "utf-8")
        recovered = _wait_for(lambda: (page := _get(f"{base}/en/about/")) and "Fixed again." in page and page)
        assert "preview-error" not in recovered
    finally:
        code = _stop(process)
    assert code == 0, log.read_text()
    terminal = log.read_text()
    assert "GET /en/about/" not in terminal  # the editor's terminal is not filled with requests
    errors = [line for line in terminal.splitlines() if line.startswith("content/en/about.md:")]
    assert errors and len(errors) == len(set(errors))  # each error once, on a line of its own


def test_only_saves_of_inputs_reload_the_browser(project, tmp_path):
    """A connected livereload client hears of a saved page, not of other files in the working folder."""
    import asyncio
    import json

    from tornado.websocket import websocket_connect

    port = free_port()
    log = tmp_path / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "site_builder", "serve", "--port", str(port)],
        cwd=project,  # the folder an editor starts the preview in
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )

    async def session() -> tuple[list, list]:
        socket = await websocket_connect(f"ws://127.0.0.1:{port}/livereload")
        await socket.write_message(
            json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]})
        )
        await socket.read_message()
        await socket.write_message(
            json.dumps({"command": "info", "url": f"http://127.0.0.1:{port}/en/about/"})
        )

        async def heard(seconds: float) -> list:
            messages = []
            try:
                while True:
                    messages.append(json.loads(await asyncio.wait_for(socket.read_message(), seconds)))
            except TimeoutError:
                return messages

        await asyncio.sleep(3.5)  # livereload skips reloads within 3 s of the last one
        (project / "notes.txt").write_text("not part of the site")
        (project / "build").mkdir(exist_ok=True)
        (project / "build/index.html").write_text("<p>an old build</p>")
        unrelated = await heard(2.5)
        page = project / "content/en/about.md"
        page.write_text(page.read_text("utf-8") + "\nSaved.\n", "utf-8")
        saved = await heard(2.5)
        socket.close()
        return unrelated, saved

    try:
        _wait_for(lambda: _get(f"http://127.0.0.1:{port}/en/about/"))
        unrelated, saved = asyncio.run(session())
    finally:
        assert _stop(process) == 0, log.read_text()
    assert unrelated == []
    assert [message["command"] for message in saved] == ["reload"]


def test_the_system_reports_saves_of_inputs_and_nothing_else(tmp_path):
    """Without polling: a saved page, a new folder's page and site.yaml are noticed; reading a page,
    an editor's swap file and files that are not inputs are not."""
    import asyncio

    from conftest import make_mini_site
    from tornado.ioloop import IOLoop

    from site_builder.serve import _watch

    root = make_mini_site(tmp_path / "site")
    (root / "assets").rename(tmp_path / "assets")  # an input folder added while the preview runs
    looks = []

    async def until_looked(seconds: float = 10.0) -> bool:
        deadline = time.monotonic() + seconds
        while not looks and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        found = bool(looks)
        await asyncio.sleep(0.2)  # the rest of the save's events
        looks.clear()
        return found

    async def session() -> None:
        watching = _watch(root, IOLoop.current(), lambda: looks.append(True))
        assert watching is not None
        try:
            (root / "content/nl/about.md").read_text("utf-8")
            (root / "content/nl/.about.md.swp").write_text("swap")
            (root / "notes.txt").write_text("not an input")
            assert not await until_looked(1.0)
            page = root / "content/nl/about.md"
            page.write_text(page.read_text("utf-8") + "\nOpgeslagen.\n", "utf-8")
            assert await until_looked()
            (root / "site.yaml").write_text((root / "site.yaml").read_text("utf-8"), "utf-8")
            assert await until_looked()
            write_tree(root, {"content/nl/nieuw/eerste.md": "---\ntitle: Eerste\n---\n"})
            assert await until_looked()
            (root / "content/nl/nieuw/eerste.md").write_text("---\ntitle: Eerste bericht\n---\n")
            assert await until_looked()
            (tmp_path / "assets").rename(root / "assets")
            assert await until_looked()
            watching.follow()  # what the preview does on each look
            (root / "assets/site.css").write_text((root / "assets/site.css").read_text() + "\n/* saved */\n")
            assert await until_looked()
        finally:
            watching.stop()

    asyncio.run(session())


def test_a_second_server_on_a_busy_port_gets_a_clear_message(project, tmp_path):
    port = free_port()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        result = subprocess.run(
            [sys.executable, "-m", "site_builder", "-C", str(project), "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
    assert result.returncode == 1
    # One line, and no announcement of an address that is not served.
    assert result.stderr.splitlines() == [
        (
            f"port {port} on 127.0.0.1 is already in use "
            f"(hint: stop the other server, or choose another port: site-builder serve --port {port + 1})"
        )
    ]


def test_preview_after_any_edits_equals_a_fresh_build(tmp_path):
    """The preview reuses Markdown, templates and catalogues between builds; the result must not show it."""
    import random

    from conftest import make_mini_site, read_tree
    from markupsafe import escape

    from site_builder.errors import SiteErrors, format_error
    from site_builder.messages import load_catalogue
    from site_builder.pipeline import build
    from site_builder.serve import Preview

    root = make_mini_site(tmp_path / "site")
    (root / "content/nl/news/2019-06-12-ema.md").write_text(
        (root / "content/nl/news/2019-06-12-ema.md").read_text() + "\nZie ook [over ons](../about.md).\n"
    )
    preview = Preview(root, tmp_path / "preview")
    assert preview.poll()

    def append(rel, text):
        return lambda: (root / rel).write_text((root / rel).read_text() + text)

    def replace(rel, old, new):
        def edit():
            content = (root / rel).read_text()
            assert old in content, (rel, old)
            (root / rel).write_text(content.replace(old, new, 1))

        return edit

    edits = [
        append("content/en/about.md", "\nA new sentence.\n"),
        append("content/en/news/2019-09-26-mou.md", "\nA sentence for the feed.\n"),
        replace("templates/base.html", "</footer>", "<p>Footer note</p></footer>"),
        replace("translations/nl/LC_MESSAGES/messages.po", 'msgstr "Kruimelpad"', 'msgstr "Broodkruimels"'),
        lambda: (root / "content/en/news/2018-11-20-action-programme.md").unlink(),
        lambda: (root / "content/nl/news/2019-10-01-nieuw.md").write_text(
            "---\ntitle: Nieuw bericht\ndate: 2019-10-01\n---\nTekst met een [link](../about.md).\n"
        ),
        replace("content/nl/about.md", "slug: over-ons", "slug: over-het-programma"),
        replace("content/en/key-figures.md", "value: 65000", "value: 66000"),  # same size: a new time
        append("assets/site.css", "\n.extra { color: red; }\n"),
        # A link in a template to a page that does not exist fails every build until the page is added.
        replace("templates/base.html", "</footer>", '<a href="/nl/colofon/">Colofon</a></footer>'),
        lambda: (root / "content/nl/colofon.md").write_text(
            "---\ntitle: Colofon\n---\nGemaakt in Amsterdam.\n"
        ),
    ]
    random.Random(2026).shuffle(edits)
    failures = 0
    for edit in edits:
        edit()
        preview.poll()
        fresh = tmp_path / "fresh"
        try:
            build(root, fresh, drafts=True, preview=True)
        except SiteErrors as failure:  # the preview shows the same errors on top of its last good pages
            failures += 1
            shown = (preview.out / "nl/index.html").read_text("utf-8")
            assert "preview-error" in shown
            dutch = load_catalogue("nl")  # a Dutch page shows them in Dutch
            assert all(str(escape(format_error(error, dutch))) in shown for error in failure.errors)
            continue
        assert read_tree(preview.out) == read_tree(fresh)
    assert failures  # the order of the edits leaves the site broken for a while


def test_a_page_that_cannot_be_rendered_keeps_failing_while_other_pages_change(tmp_path, caplog):
    """A rendering failure is not remembered as an empty page: the next build reports it again."""
    from conftest import make_mini_site

    from site_builder.errors import SiteErrors
    from site_builder.pipeline import build
    from site_builder.serve import Preview

    root = make_mini_site(tmp_path / "site")
    preview = Preview(root, tmp_path / "preview")
    assert preview.poll()
    about = root / "content/en/about.md"
    about.write_text(about.read_text().replace("menu: true", "menu: true\ntemplate: missing.html", 1))
    assert preview.poll()  # the last good pages, with the error on top
    other = root / "content/nl/about.md"
    other.write_text(other.read_text() + "\nEen nieuwe zin.\n")
    caplog.clear()
    assert preview.poll()
    with pytest.raises(SiteErrors):
        build(root, tmp_path / "fresh", drafts=True, preview=True)
    assert "content/en/about.md:" in caplog.text and "'missing.html' does not exist" in caplog.text
    shown = (preview.out / "nl/over-ons/index.html").read_text("utf-8")
    assert "preview-error" in shown and "Een nieuwe zin." not in shown


def test_a_page_named_other_than_md_is_reported_in_the_preview(tmp_path):
    """The preview builds as the build does: a page saved as .MD is named, not left out."""
    from conftest import make_mini_site

    from site_builder.serve import Preview

    root = make_mini_site(tmp_path / "site")
    preview = Preview(root, tmp_path / "preview")
    assert preview.poll()
    (root / "content/en/updates.MD").write_text("---\ntitle: Updates\n---\nText.\n")
    assert preview.poll()
    html = (preview.out / "en/about/index.html").read_text("utf-8")
    assert html.count('class="preview-error"') == 1
    assert "content/en/updates.MD" in html
    assert "a page&#39;s file name ends in .md, in lower case" in html and "rename it to updates.md" in html
    (root / "content/en/updates.MD").rename(root / "content/en/updates.md")
    assert preview.poll()
    assert "preview-error" not in (preview.out / "en/about/index.html").read_text("utf-8")
    assert (preview.out / "en/updates/index.html").is_file()


def test_the_error_notice_speaks_the_language_of_each_page(tmp_path):
    """Dutch pages say in Dutch, English pages in English, that the save did not build (the UI catalogues)."""
    from conftest import make_mini_site

    from site_builder.serve import Preview

    root = make_mini_site(tmp_path / "site")
    preview = Preview(root, tmp_path / "preview")
    assert preview.poll()
    page = root / "content/en/about.md"
    page.write_text(page.read_text().replace("title:", "titel:", 1))
    assert preview.poll()
    dutch = "Herstel dit en sla opnieuw op:"
    english = "Fix this, and save again:"
    # The errors themselves too (the package's own catalogue, see test_messages.py).
    dutch_error = "de verplichte instelling &#39;title&#39; ontbreekt"
    english_error = "missing required key &#39;title&#39;"
    for path, shown, hidden, error in (
        ("nl/over-ons/index.html", dutch, english, dutch_error),
        ("nl/index.html", dutch, english, dutch_error),
        ("en/about/index.html", english, dutch, english_error),
        ("en/404.html", english, dutch, english_error),
    ):
        html = (preview.out / path).read_text("utf-8")
        assert html.count('class="preview-error"') == 1, path
        assert shown in html and hidden not in html, path
        assert "content/en/about.md:" in html and error in html, path

    # A fault in the notice's own template: a plain notice in English that names it as well.
    page.write_text(page.read_text().replace("titel:", "title:", 1) + "\nSee [nothing](nothing.md).\n")
    (root / "templates/preview_error.html").write_text("{% for error in errors %}\n")
    assert preview.poll()
    html = (preview.out / "nl/over-ons/index.html").read_text("utf-8")
    assert english in html and dutch not in html
    assert "content/en/about.md:" in html and "templates/preview_error.html:" in html

    page.write_text(page.read_text().replace("See [nothing](nothing.md).", ""))
    assert preview.poll()
    assert "preview-error" not in (preview.out / "nl/over-ons/index.html").read_text("utf-8")


def test_a_browser_showing_a_page_reloads_it_after_a_save(project, tmp_path, browser):
    """Debian's Chromium, driven by Selenium: the open page shows the saved text with no click."""
    port = free_port()
    process = _start(project, port, tmp_path / "serve.log")
    try:
        _wait_for(lambda: _get(f"http://127.0.0.1:{port}/nl/over-ons/"))
        browser.get(f"http://127.0.0.1:{port}/nl/over-ons/")
        browser.execute_script("window.notReloaded = true")
        _wait_for(lambda: browser.execute_script(
            "return [...document.scripts].some(s => s.src.includes('livereload.js'))"))  # fmt: skip
        time.sleep(0.5)  # let livereload.js open its socket
        page_file = project / "content/nl/about.md"
        page_file.write_text(page_file.read_text("utf-8") + "\nZojuist opgeslagen.\n", "utf-8")
        # One script call reads the text, so a reload in between cannot leave a stale element.
        _wait_for(lambda: "Zojuist opgeslagen." in (browser.execute_script(
            "const main = document.querySelector('main'); return main ? main.innerText : ''") or ""))  # fmt: skip
        assert browser.execute_script("return window.notReloaded === undefined")  # a real reload happened
    finally:
        browser.get("about:blank")  # leave no live-reload socket to a server that is gone
        assert _stop(process) == 0


def test_open_shows_the_preview_in_a_browser_and_a_build_runs_beside_it(tmp_path):
    """README, Commands: "`site-builder serve [--port 8000] [--host 127.0.0.1] [--open]`"; "The preview builds
    into a temporary folder of its own, so `build` and `serve` may run together." The browser is a script
    (``BROWSER``, which Python's webbrowser runs) that writes down the address it was given."""
    from conftest import make_mini_site, run_process

    site = make_mini_site(tmp_path / "site")
    opened = tmp_path / "opened"
    browser = write_tree(tmp_path, {"browser": f'#!/bin/sh\nprintf %s "$1" > {opened}\n'}) / "browser"
    browser.chmod(0o755)
    port, log = free_port(), tmp_path / "serve.log"
    command = [sys.executable, "-m", "site_builder", "-C", str(site), "serve", "--port", str(port), "--open"]
    server = subprocess.Popen(
        command, stdout=log.open("w"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        env={**os.environ, "BROWSER": str(browser)},
    )  # fmt: skip
    try:
        _wait_for(lambda: opened.exists() and opened.read_text(), 60)
        assert opened.read_text() == f"http://127.0.0.1:{port}/"
        assert not (site / "build").exists()  # the preview's pages are elsewhere
        built = run_process("-C", site, "-q", "build")
        assert (built.returncode, built.stderr) == (0, "")
        assert "Key figures" in (site / "build/en/key-figures/index.html").read_text("utf-8")
        assert "Key figures" in _get(f"http://127.0.0.1:{port}/en/key-figures/")
    finally:
        assert _stop(server) == 0, log.read_text()
