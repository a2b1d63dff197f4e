"""Shared helpers: write small projects inline, a complete bilingual mini site, run the CLI,
the real site built once, a free loopback port and one headless Chromium for the whole run.

``mini_site`` is the smallest project that exercises every page kind in both
languages (home, news list with three items, key figures, SWOT, a plain page
linking to another by its ``.md`` file). Its templates, assets, translations and
``site.yaml`` are the repository's own; the content is written here, so a test
can see at a glance what it is built from.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import http.server
import logging
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# The tool speaks the language the environment names (site_builder.messages): the tests read
# its English whatever the developer's locale; tests of the Dutch set their own.
for _variable in ("SITE_BUILDER_LANGUAGE", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_variable, None)
os.environ["LANG"] = "C.UTF-8"
# The key that signs build caches (site_builder.incremental.signing): the user's own, kept for
# this run in a folder of its own, so that the tests neither read nor make one in the home folder.
os.environ.pop("SITE_BUILDER_CACHE_KEY", None)
_KEY_HOME = tempfile.mkdtemp(prefix="site-builder-tests-key-")
atexit.register(shutil.rmtree, _KEY_HOME, ignore_errors=True)
os.environ["XDG_CACHE_HOME"] = _KEY_HOME


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write ``{"rel/path": text}`` below ``root`` (text is dedented; bytes written as is)."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8", newline="\n")
    return root


BINARY_SUFFIXES = (
    ".woff2",
    ".png",
    ".jpg",
    ".jpeg",
    ".webp",
    ".avif",
    ".gif",
    ".ico",
    ".pagefind",
    ".pf_fragment",
    ".pf_index",
    ".pf_meta",
    ".pf_filter",
)


def text_files(files) -> dict[str, str]:
    """The text of each of the site's ``files`` (``OutputFile``s) by path: not fonts, photos
    or the search index's binary files, and not those kept as digests alone."""
    return {
        f.path: f.data.decode("utf-8")
        for f in files
        if f.data is not None and not f.path.endswith(BINARY_SUFFIXES)
    }


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` by its "/"-separated relative path, with its bytes; not the mark
    that tells the tool the folder is its own (``write.MARK_FILE``, not a file of the site)."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.relative_to(root).as_posix() != ".site-builder"
    }


def documented(doc: str, words: str) -> str:
    """The example of ``doc`` (README.md, docs/content.md, …) that holds ``words``: the text of the
    one code block that holds them, so that a test can hold the tool to what the documentation
    shows."""
    blocks = (REPO / doc).read_text("utf-8").split("```")[1::2]  # each after its language's name
    (example,) = [block.split("\n", 1)[1] for block in blocks if words in block]
    return textwrap.dedent(example).strip()


def quoted(doc: str, words: str) -> str:
    """The one piece of code quoted in the running text of ``doc`` (between single backticks)
    that holds ``words``, its line breaks read as spaces."""
    text = (REPO / doc).read_text("utf-8")
    spans = [" ".join(span.split()) for span in "".join(text.split("```")[0::2]).split("`")[1::2]]
    (example,) = [span for span in spans if words in span]
    return example


MINI_CONTENT: dict[str, str] = {
    # --- English -------------------------------------------------------------
    "content/en/_index.md": """\
        ---
        title: Amsterdam, where life sciences meet data
        summary: The Amsterdam region works on health with data science and AI.
        ---
        Amsterdam brings together hospitals, universities and companies.
        """,
    "content/en/news/_index.md": """\
        ---
        title: News
        menu: true
        weight: 30
        ---
        News from the Amsterdam life sciences & health community.
        """,
    "content/en/news/2019-09-26-mou.md": """\
        ---
        title: Mayor Halsema signs memorandum of understanding
        summary: The city, the universities and the Board will work together on data and AI.
        slug: memorandum-of-understanding
        date: 2019-09-26
        ---
        The City of Amsterdam, the Amsterdam universities and the Board signed the memorandum.
        """,
    "content/en/news/2019-06-12-ema.md": """\
        ---
        title: The European Medicines Agency opens its Amsterdam office
        slug: ema-opens-office
        date: 2019-06-12
        ---
        About 900 EMA staff now work at the Zuidas.
        """,
    "content/en/news/2018-11-20-action-programme.md": """\
        ---
        title: Action programme 2019-2022 published
        slug: action-programme
        date: 2018-11-20
        ---
        The programme sets out three pillars for the coming years.
        """,
    "content/en/key-figures.md": """\
        ---
        title: Key figures
        menu: true
        weight: 10
        figures:
          - id: lsh-jobs-nl
            value: 65000
            qualifier: about
            group: jobs
            label: jobs in life sciences & health companies in the Netherlands
            source: Action Programme 2019-2022
          - id: lsh-budget
            value: 2370000
            unit: EUR
            highlight: true
            label: programme budget
            source: City of Amsterdam
          - id: cycling-share
            value: 58
            unit: percent
            year: 2018
            label: of commuters cycle to work
            source: Amsterdam in cijfers
        ---
        Figures are updated once a year.
        """,
    "content/en/swot.md": """\
        ---
        title: SWOT analysis
        strengths:
          - title: Excellent knowledge institutions
            text: Two universities and two university medical centres.
        weaknesses:
          - title: Scattered campuses
            text: The institutions are spread over the city.
        opportunities:
          - title: Data and AI
            text: Health data can be combined with *data science*.
        threats:
          - title: Housing
            text: Researchers struggle to find a home.
        ---
        The conclusions follow from the four quadrants.
        """,
    "content/en/about.md": """\
        ---
        title: About us
        menu: true
        weight: 20
        ---
        We publish the [key figures](key-figures.md) of the region.
        """,
    # --- Dutch ---------------------------------------------------------------
    "content/nl/_index.md": """\
        ---
        title: Amsterdam, waar life sciences en data samenkomen
        summary: De regio Amsterdam werkt aan gezondheid met data science en AI.
        ---
        Amsterdam brengt ziekenhuizen, universiteiten en bedrijven samen.
        """,
    "content/nl/news/_index.md": """\
        ---
        title: Nieuws
        slug: nieuws
        menu: true
        weight: 30
        ---
        Nieuws uit de Amsterdamse life sciences & health-gemeenschap.
        """,
    "content/nl/news/2019-09-26-mou.md": """\
        ---
        title: Burgemeester Halsema tekent intentieverklaring
        summary: De gemeente, de universiteiten en de Board gaan samenwerken op data en AI.
        slug: intentieverklaring
        date: 2019-09-26
        ---
        De gemeente Amsterdam, de Amsterdamse universiteiten en de Board tekenden de verklaring.
        """,
    "content/nl/news/2019-06-12-ema.md": """\
        ---
        title: Het Europees Geneesmiddelenbureau opent kantoor in Amsterdam
        slug: ema-opent-kantoor
        date: 2019-06-12
        ---
        Zo'n 900 medewerkers van het EMA werken nu op de Zuidas.
        """,
    "content/nl/news/2018-11-20-action-programme.md": """\
        ---
        title: Actieprogramma 2019-2022 gepubliceerd
        slug: actieprogramma
        date: 2018-11-20
        ---
        Het programma beschrijft drie pijlers voor de komende jaren.
        """,
    "content/nl/key-figures.md": """\
        ---
        title: Kerncijfers
        slug: kerncijfers
        menu: true
        weight: 10
        figures:
          - id: lsh-jobs-nl
            value: 65000
            qualifier: about
            group: jobs
            label: banen bij life sciences & health-bedrijven in Nederland
            source: Actieprogramma 2019-2022
          - id: lsh-budget
            value: 2370000
            unit: EUR
            highlight: true
            label: budget van het programma
            source: Gemeente Amsterdam
          - id: cycling-share
            value: 58
            unit: percent
            year: 2018
            label: van de forenzen fietst naar het werk
            source: Amsterdam in cijfers
        ---
        De cijfers worden eens per jaar bijgewerkt.
        """,
    "content/nl/swot.md": """\
        ---
        title: SWOT-analyse
        strengths:
          - title: Uitstekende kennisinstellingen
            text: Twee universiteiten en twee universitaire medische centra.
        weaknesses:
          - title: Verspreide campussen
            text: De instellingen liggen verspreid over de stad.
        opportunities:
          - title: Data en AI
            text: Gezondheidsdata zijn te combineren met *data science*.
        threats:
          - title: Huisvesting
            text: Onderzoekers vinden moeilijk een woning.
        ---
        De conclusies volgen uit de vier kwadranten.
        """,
    "content/nl/about.md": """\
        ---
        title: Over ons
        slug: over-ons
        menu: true
        weight: 20
        ---
        Wij publiceren de [kerncijfers](key-figures.md) van de regio.
        """,
}


def make_mini_site(root: Path, *, derived: bool = True) -> Path:
    """Create the mini site in ``root`` (which may already exist) and return ``root``.

    ``derived``: with the files a first build keeps in ``.site-images/`` (its social cards)
    already there, as in a project built before: drawing them again would cost each test
    about a second. Those files are named by what they are made from, so a test that
    changes a title still gets that page's card drawn; tests of the drawing itself start
    without them."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("templates", "assets", "translations"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy2(REPO / "site.yaml", root / "site.yaml")
    shutil.copy2(REPO / "babel.cfg", root / "babel.cfg")
    write_tree(root, MINI_CONTENT)
    if derived and (kept := _mini_site_derived()) is not None:
        shutil.copytree(kept, root / kept.name, dirs_exist_ok=True)
    return root


_MINI_SITE_DERIVED: dict[str, Path | None] = {}


def _mini_site_derived() -> Path | None:
    """The ``.site-images/`` of the mini site built once in this test run, in a process of its
    own (what a test patches cannot reach it); None if that build failed (the tests then
    build without it, and show why)."""
    from site_builder.incremental.derived import DERIVED_DIR

    if "folder" not in _MINI_SITE_DERIVED:
        folder = Path(tempfile.mkdtemp(prefix="mini-site-derived-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        site = make_mini_site(folder / "site", derived=False)
        built = subprocess.run(
            [sys.executable, "-m", "site_builder", "-C", str(site), "build", "--no-cache"],
            capture_output=True,
        )
        found = site / DERIVED_DIR
        _MINI_SITE_DERIVED["folder"] = found if built.returncode == 0 and found.is_dir() else None
    return _MINI_SITE_DERIVED["folder"]


@pytest.fixture
def mini_site(tmp_path: Path) -> Path:
    """A complete, valid bilingual project in ``tmp_path``; returns the project folder."""
    return make_mini_site(tmp_path)


@pytest.fixture(scope="session")
def mini_built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini site with its build/, built once per test run; copied by ``mini_built``."""
    from site_builder import pipeline

    root = make_mini_site(tmp_path_factory.mktemp("mini-built"))
    pipeline.build(root)
    return root


@pytest.fixture
def mini_built(tmp_path: Path, mini_built_once: Path) -> tuple[Path, dict[str, bytes]]:
    """The mini site and its build/, in ``tmp_path``; returns the project and the bytes of every file in build/."""
    shutil.copytree(mini_built_once, tmp_path, symlinks=True, dirs_exist_ok=True)
    before = read_tree(tmp_path / "build")
    assert "nl/over-ons/index.html" in before and "en/news/ema-opens-office/index.html" in before
    return tmp_path, before


RunCli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> RunCli:
    """``run_cli(*args) -> (exit code, stdout, stderr)``, running ``cli.main`` in this process.

    Behaves like the real program for the things tests look at: an argparse
    ``SystemExit`` becomes its code, and an exception escaping ``main`` is
    printed as a traceback on stderr with exit code 1, as Python would.
    """
    from site_builder.cli import main

    def run(*args: str | os.PathLike) -> tuple[int, str, str]:
        capsys.readouterr()  # drop anything printed before
        handlers, level = logging.root.handlers[:], logging.root.level  # main() may configure logging
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        except Exception:  # a bug: show it the way the interpreter would
            sys.stderr.write("Traceback (most recent call last):\n" + traceback.format_exc())
            code = 1
        finally:
            logging.root.handlers[:] = handlers
            logging.root.setLevel(level)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def run_process(
    *args: str | os.PathLike,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    memory_limit: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m site_builder *args`` in a real process, for what only a process shows.

    ``env`` adds to (or overrides) the current environment. ``memory_limit``
    (bytes) caps the process's address space, so a build that tries to hold too
    much fails instead of slowing the machine down.
    """
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    return subprocess.run(
        [sys.executable, "-m", "site_builder", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit_memory if memory_limit else None,
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """``folder``'s files over HTTP on a free loopback port, for as long as the block runs;
    yields the origin, ``http://127.0.0.1:PORT``."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", free_port()), functools.partial(_QuietFiles, directory=str(folder))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """This repository's real site, built once per run with ``--strict`` (any warning fails)."""
    from site_builder import pipeline

    out = tmp_path_factory.mktemp("real") / "build"
    pipeline.build(REPO, out, strict=True)
    return out


CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)  # fmt: skip


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven through Debian's chromedriver; one for the whole run.

    The console is recorded (``browser.get_log("browser")`` returns and clears it).
    A test that changes the window or emulation puts it back.
    """
    webdriver = pytest.importorskip("selenium.webdriver")
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("Debian's chromium and chromium-driver are not installed (.ci/run installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.set_window_size(1280, 900)
    yield driver
    driver.quit()
