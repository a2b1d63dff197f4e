"""Responsive images: a photo in assets/ becomes a <picture> of AVIF, WebP and its own format in
several widths, made once and kept in .site-images/; a broken photo is one line naming it."""

from __future__ import annotations

import functools
import http.server
import io
import re
import threading
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from conftest import free_port, read_tree, serving

from site_builder import pipeline, stages
from site_builder.incremental.derived import DERIVED_DIR
from site_builder.render import images

NEWS = "content/en/news/2019-06-12-ema.md"
PAGE = "en/news/ema-opens-office/index.html"


def _photo(width: int, height: int, kind: str = "JPEG") -> bytes:
    from PIL import Image

    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    out = io.BytesIO()
    image.save(out, kind)
    return out.getvalue()


class _Pictures(HTMLParser):
    """Each <picture>'s sources (type → srcset) and its <img>'s attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.pictures: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "picture":
            self.pictures.append({"sources": {}, "img": None})
        elif tag == "source" and self.pictures:
            self.pictures[-1]["sources"][attrs["type"]] = attrs["srcset"]
        elif tag == "img" and self.pictures and self.pictures[-1]["img"] is None:
            self.pictures[-1]["img"] = attrs


def _pictures(html: str) -> list[dict]:
    parsed = _Pictures()
    parsed.feed(html)
    return parsed.pictures


def _widths(srcset: str) -> list[int]:
    return [int(candidate.split()[1][:-1]) for candidate in srcset.split(", ")]


def _with_photo(root: Path, body: str, data: bytes | None = None, name: str = "images/harbour.jpg") -> None:
    (root / "assets" / name).parent.mkdir(parents=True, exist_ok=True)
    (root / "assets" / name).write_bytes(data if data is not None else _photo(1000, 750))
    page = root / NEWS
    page.write_text(page.read_text("utf-8") + "\n" + body + "\n", "utf-8")


def test_a_photo_becomes_a_picture_of_its_copies(mini_site, tmp_path):
    _with_photo(
        mini_site,
        "![The harbour](/assets/images/harbour.jpg)\n\nText.\n\n"
        '![The harbour, small](/assets/images/harbour.jpg){: width="300"}\n\n'
        '![The harbour, as typed](/assets/images/harbour.jpg){: width="200" height="100"}',
    )
    pipeline.build(mini_site, minify=False)
    html = (mini_site / "build" / PAGE).read_text("utf-8")
    first, small, typed = _pictures(html)
    assert list(first["sources"]) == ["image/avif", "image/webp"]
    for srcset in [*first["sources"].values(), first["img"]["srcset"]]:
        assert _widths(srcset) == [480, 960, 1000]  # never wider than the photo's 1000 pixels
    assert re.fullmatch(r"/assets/images/harbour\.1000\.[0-9a-f]{8}\.jpg", first["img"]["src"])
    assert re.search(r"/assets/images/harbour\.480\.[0-9a-f]{8}\.avif 480w", first["sources"]["image/avif"])
    # The photo's own size, unless typed; one typed size keeps the proportions.
    assert (first["img"]["width"], first["img"]["height"]) == ("1000", "750")
    assert (small["img"]["width"], small["img"]["height"]) == ("300", "225")
    assert (typed["img"]["width"], typed["img"]["height"]) == ("200", "100")
    assert first["img"]["alt"] == "The harbour"
    # The first image of the page is not lazy: it may well be in view when the page opens.
    assert "loading" not in first["img"] and small["img"]["loading"] == "lazy"
    built = read_tree(mini_site / "build")
    for picture in (first, small):
        for srcset in [*picture["sources"].values(), picture["img"]["srcset"]]:
            for candidate in srcset.split(", "):
                assert candidate.split()[0].lstrip("/") in built


@pytest.mark.parametrize(
    ("kind", "suffix", "formats"),
    [
        ("JPEG", "jpg", ["avif", "webp", "jpeg"]),
        ("PNG", "png", ["avif", "webp", "png"]),
        ("WEBP", "webp", ["avif", "webp"]),
    ],
)
def test_a_large_photo_s_copies_are_480_960_and_1600_pixels_wide_in_avif_webp_and_its_own_format(
    kind, suffix, formats
):
    """docs/content.md, Images: "copies of it in the modern formats AVIF and WebP and in its own
    format, 480, 960 and 1600 pixels wide", of a JPEG, PNG or WebP photo."""
    info = images.probe(f"images/wide.{suffix}", _photo(2000, 1000, kind))
    copies = images.plan(info)
    assert [(copy.format, copy.width, copy.height) for copy in copies] == [
        (format, width, width // 2) for format in formats for width in (480, 960, 1600)
    ]


def _candidates(srcset: str) -> list[tuple[str, str]]:
    """A ``srcset`` read as a browser reads it: candidates split at commas, each an address up
    to the first space, then its descriptor."""
    return [tuple(candidate.strip().partition(" ")[::2]) for candidate in srcset.split(",")]


TEAM = "images/team photo.jpg"
# A copy of it, as a browser must find it: the space encoded.
TEAM_COPY = re.compile(r"/assets/images/team%20photo\.[0-9]+\.[0-9a-f]{8}\.(avif|webp|jpg)")


def test_a_photo_whose_name_has_a_space_is_published_at_addresses_a_browser_can_read(mini_site):
    """Written with the space or encoded, in Markdown or raw HTML, and as a page's own photo:
    every <picture> offers copies at encoded addresses, which name files that exist."""
    news = mini_site / NEWS
    news.write_text(
        news.read_text("utf-8").replace("date:", f"image: {TEAM}\nimage_alt: The team\ndate:", 1), "utf-8"
    )
    _with_photo(
        mini_site,
        "![With the space](</assets/images/team photo.jpg>)\n\n"
        "![Encoded](/assets/images/team%20photo.jpg)\n\n"
        '<img src="/assets/images/team photo.jpg" alt="As HTML">\n\n'
        '<img src="/assets/images/team%20photo.jpg" alt="As HTML, encoded">\n\n'
        "[The photo itself](</assets/images/team photo.jpg>)",
        name=TEAM,
    )
    pipeline.build(mini_site)
    built = read_tree(mini_site / "build")
    html = built[PAGE].decode("utf-8")
    pictures = _pictures(html)
    assert [picture["img"]["alt"] for picture in pictures] == [
        "The team",
        "With the space",
        "Encoded",
        "As HTML",
        "As HTML, encoded",
    ]
    for picture in pictures:
        assert TEAM_COPY.fullmatch(picture["img"]["src"]), picture["img"]["src"]
        for srcset in [*picture["sources"].values(), picture["img"]["srcset"]]:
            for address, descriptor in _candidates(srcset):
                assert TEAM_COPY.fullmatch(address) and re.fullmatch(r"[0-9]+w", descriptor), srcset
                assert unquote(address).lstrip("/") in built  # the file keeps its name
    [link] = re.findall(r'href="?(/assets/images/team[^" >]*)', html)
    assert re.fullmatch(r"/assets/images/team%20photo\.[0-9a-f]{8}\.jpg", link)
    assert unquote(link).lstrip("/") in built


def test_a_page_s_own_photo_may_be_named_with_the_space_encoded(mini_site):
    """``image: images/team%20photo.jpg`` is the same photo as ``image: images/team photo.jpg``."""
    _with_photo(mini_site, "Text.", name=TEAM)
    news = mini_site / NEWS
    text = news.read_text("utf-8")
    published = []
    for written in (TEAM, TEAM.replace(" ", "%20")):
        news.write_text(text.replace("date:", f"image: {written}\nimage_alt: The team\ndate:", 1), "utf-8")
        pipeline.build(mini_site)
        published.append(read_tree(mini_site / "build"))
    assert published[0] == published[1]
    [picture] = _pictures(published[1][PAGE].decode("utf-8"))
    assert picture["img"]["alt"] == "The team" and TEAM_COPY.fullmatch(picture["img"]["src"])


def test_a_stylesheet_names_a_file_with_a_space_quoted_or_encoded(mini_site):
    _with_photo(mini_site, "Text.", name=TEAM)
    (mini_site / "assets/extra.css").write_text(
        '.a { background: url("images/team photo.jpg"); }\n.b { background: url(images/team%20photo.jpg); }\n',
        "utf-8",
    )
    pipeline.build(mini_site, minify=False)
    built = read_tree(mini_site / "build")
    [css] = [path for path in built if path.startswith("assets/extra.")]
    addresses = re.findall(r"url\(([^)]*)\)", built[css].decode("utf-8"))
    assert len(addresses) == 2 and len(set(addresses)) == 1
    assert re.fullmatch(r"/assets/images/team%20photo\.[0-9a-f]{8}\.jpg", addresses[0])
    assert unquote(addresses[0]).lstrip("/") in built


def test_a_missing_file_with_a_space_is_reported_at_its_line(mini_site, run_cli):
    _with_photo(
        mini_site,
        "![Gone](</assets/images/gone photo.jpg>)\n\n"
        '<img src="/assets/images/gone%20photo.jpg" alt="Gone too" width="8" height="8">',
        name=TEAM,
    )
    line = len((mini_site / NEWS).read_text("utf-8").splitlines()) - 2
    code, _, err = run_cli("-C", mini_site, "build")
    hint = "(hint: put the file in assets/ and write /assets/ before its name)"
    assert code == 1
    assert err.splitlines() == [
        f"{NEWS}:{line}: '/assets/images/gone photo.jpg' is not a file of the site {hint}",
        f"{NEWS}:{line + 2}: '/assets/images/gone%20photo.jpg' is not a file of the site {hint}",
    ]


CAFE = "images/café.jpg"  # é as one character (NFC), as most editors and file systems write it
CAFE_NFD = unicodedata.normalize("NFD", CAFE)  # e and a combining acute accent, as macOS writes it


@pytest.mark.parametrize(("on_disk", "typed"), [(CAFE, CAFE_NFD), (CAFE_NFD, CAFE)])
def test_a_name_typed_with_its_accents_written_another_way_finds_the_file(mini_site, on_disk, typed):
    """Named in Markdown, in raw HTML and in a link, with the accent written the other way than
    the file's name: every address the page gives names the file as it is named on disk."""
    assert on_disk != typed and unicodedata.normalize("NFC", on_disk) == unicodedata.normalize("NFC", typed)
    _with_photo(
        mini_site,
        f"![The café](/assets/{typed})\n\n"
        f'<img src="/assets/{typed}" alt="The café, as HTML">\n\n'
        f"[The photo itself](/assets/{typed})",
        name=on_disk,
    )
    pipeline.build(mini_site)
    built = read_tree(mini_site / "build")
    html = built[PAGE].decode("utf-8")
    pictures = _pictures(html)
    assert [picture["img"]["alt"] for picture in pictures] == ["The café", "The café, as HTML"]
    stem = quote(on_disk.removesuffix(".jpg"))  # "images/caf%C3%A9" or "images/cafe%CC%81"
    copy = re.compile(rf"/assets/{stem}\.[0-9]+\.[0-9a-f]{{8}}\.(avif|webp|jpg)")
    for picture in pictures:
        assert copy.fullmatch(picture["img"]["src"]), picture["img"]["src"]
        assert unquote(picture["img"]["src"]).lstrip("/") in built
        for srcset in [*picture["sources"].values(), picture["img"]["srcset"]]:
            for address, _ in _candidates(srcset):
                assert copy.fullmatch(address), srcset
                assert unquote(address).lstrip("/") in built
    [link] = re.findall(r'href="?(/assets/images/caf[^" >]*)', html)
    assert re.fullmatch(rf"/assets/{stem}\.[0-9a-f]{{8}}\.jpg", link)
    assert unquote(link).lstrip("/") in built


@pytest.mark.parametrize(("on_disk", "typed"), [(CAFE, CAFE_NFD), (CAFE_NFD, CAFE)])
def test_a_stylesheet_naming_files_with_their_accents_written_another_way_finds_them(
    mini_site, on_disk, typed
):
    """docs/content.md: "A name typed either way in a page's text (Markdown or HTML), in its
    `image:` or in a stylesheet finds the file, and the address given is that of the file as it
    is named." Here a font and a photo, in url()."""
    font_on_disk = on_disk.replace("images/", "fonts/").replace(".jpg", ".woff2")
    font_typed = typed.replace("images/", "fonts/").replace(".jpg", ".woff2")
    _with_photo(mini_site, "Text.", name=on_disk)
    (mini_site / "assets" / font_on_disk).write_bytes(b"wOF2 a font")
    (mini_site / "assets/extra.css").write_text(
        f'@font-face {{ font-family: Café; src: url("{font_typed}") format("woff2"); }}\n'
        f'.a {{ background: url("{typed}"); }}\n',
        "utf-8",
    )
    pipeline.build(mini_site)
    built = read_tree(mini_site / "build")
    [css] = [path for path in built if path.startswith("assets/extra.")]
    font, photo = re.findall(r"url\(([^)]*)\)", built[css].decode("utf-8"))
    assert re.fullmatch(rf"/assets/{quote(font_on_disk.removesuffix('.woff2'))}\.[0-9a-f]{{8}}\.woff2", font)
    assert re.fullmatch(rf"/assets/{quote(on_disk.removesuffix('.jpg'))}\.[0-9a-f]{{8}}\.jpg", photo)
    assert unquote(font).lstrip("/") in built and unquote(photo).lstrip("/") in built


def test_two_files_whose_names_differ_only_in_how_an_accent_is_written_are_refused(mini_built, run_cli):
    root, before = mini_built
    _with_photo(root, f"![The café](/assets/{CAFE})", name=CAFE)
    (root / "assets" / CAFE_NFD).write_bytes(_photo(100, 75))
    code, _, err = run_cli("-C", root, "build")
    assert code == 1
    expected = (
        f"assets/{CAFE}: assets/{CAFE_NFD} has the same name, its accents written another way (as one "
        "character or as a letter and a mark): a page naming either could mean both "
        "(hint: rename one of the two files)"
    )
    assert err.splitlines() == [expected]
    assert read_tree(root / "build") == before


def test_copies_are_made_once_and_kept_apart_from_the_cache(mini_site, run_cli, tmp_path):
    _with_photo(mini_site, "![The harbour](/assets/images/harbour.jpg)")
    assert run_cli("-C", mini_site, "build")[0] == 0
    store = mini_site / DERIVED_DIR
    kept = {path.name: path.stat().st_mtime_ns for path in store.iterdir()}
    first = read_tree(mini_site / "build")
    cards = [path for path in first if path.startswith("assets/cards/")]  # kept there too (test_cards.py)
    assert len(kept) == 9 + len(cards)  # AVIF, WebP and JPEG in three widths
    assert run_cli("-C", mini_site, "build", "--no-cache", "--out", tmp_path / "again")[0] == 0
    assert {path.name: path.stat().st_mtime_ns for path in store.iterdir()} == kept  # none made again
    assert read_tree(tmp_path / "again") == first
    # A copy cut short is not used, and is made again, with the same bytes.
    damaged = sorted(store.iterdir())[0]
    damaged.write_bytes(damaged.read_bytes()[:100])
    assert run_cli("-C", mini_site, "build", "--no-cache", "--out", tmp_path / "third")[0] == 0
    assert read_tree(tmp_path / "third") == first
    # Made from nothing, the copies are the same bytes: the build is reproducible.
    for path in store.iterdir():
        path.unlink()
    assert run_cli("-C", mini_site, "build", "--no-cache", "--out", tmp_path / "fourth")[0] == 0
    assert read_tree(tmp_path / "fourth") == first


def test_a_changed_photo_gets_new_copies(mini_site, run_cli):
    _with_photo(mini_site, "![The harbour](/assets/images/harbour.jpg)")
    assert run_cli("-C", mini_site, "build")[0] == 0
    before = _pictures((mini_site / "build" / PAGE).read_text("utf-8"))[0]
    (mini_site / "assets/images/harbour.jpg").write_bytes(_photo(600, 300))
    assert run_cli("-C", mini_site, "build")[0] == 0
    after = _pictures((mini_site / "build" / PAGE).read_text("utf-8"))[0]
    assert _widths(after["sources"]["image/avif"]) == [480, 600]
    assert after["img"]["src"] != before["img"]["src"]
    assert not (mini_site / "build" / before["img"]["src"].lstrip("/")).exists()


def test_the_preview_uses_the_copies_the_build_made(mini_site, run_cli, monkeypatch):
    _with_photo(mini_site, "![The harbour](/assets/images/harbour.jpg)")
    assert run_cli("-C", mini_site, "build")[0] == 0
    built = _pictures((mini_site / "build" / PAGE).read_text("utf-8"))

    def encode_each(items):
        assert not items, f"the preview made copies again: {[copy.name for copy, _ in items]}"
        return ()

    monkeypatch.setattr(images, "encode_each", encode_each)
    previewed = {f.path: f.data for f in stages.generate(mini_site, preview=True).files}
    assert _pictures(previewed[PAGE].decode("utf-8")) == built


def _truncated() -> bytes:
    return _photo(400, 300)[:300]


def _bomb() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (8000, 7000)).save(out, "PNG")  # 56 million pixels in a few kilobytes
    return out.getvalue()


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("images/notes.jpg", b"these are notes, not a photo\n", "the file is not a readable image"),
        ("images/cut.jpg", None, "the file is not a readable image"),
        (
            "images/huge.png",
            None,
            "the image has 8000 × 7000 pixels, more than the 50,000,000 a web page can use",
        ),
        ("images/wrong.jpg", None, "the file's name says jpeg, but it holds png"),
    ],
)
def test_a_file_that_is_no_usable_photo_is_one_line(mini_built, run_cli, name, data, message):
    root, before = mini_built
    data = {
        "images/cut.jpg": _truncated,
        "images/huge.png": _bomb,
        "images/wrong.jpg": lambda: _photo(40, 30, "PNG"),
    }.get(name, lambda: data)()
    _with_photo(root, f"![A photo](/assets/{name})", data, name)
    code, _, err = run_cli("-C", root, "build")
    assert code == 1
    assert err.startswith(f"assets/{name}: {message} (hint: ")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert read_tree(root / "build") == before


def test_alt_text_is_still_required(mini_site, run_cli):
    """Named as written, at its line, in Markdown and in HTML alike."""
    _with_photo(mini_site, '![](/assets/images/harbour.jpg)\n\n<img src="/assets/images/harbour.jpg">')
    line = len((mini_site / NEWS).read_text("utf-8").splitlines()) - 2
    code, _, err = run_cli("-C", mini_site, "build")
    hints = (  # docs/content.md: "There is no size to type"
        "write ![what the image shows](/assets/images/harbour.jpg)",
        'write <img src="/assets/images/harbour.jpg" alt="what the image shows">',
    )
    assert code == 1
    assert err.splitlines() == [
        f"{NEWS}:{line + number * 2}: image '/assets/images/harbour.jpg' has no alt text (hint: {hint})"
        for number, hint in enumerate(hints)
    ]


def test_a_phone_s_heic_photo_is_refused_with_what_to_do(mini_site, run_cli):
    """Not "no width and height": typing them would publish a photo most browsers cannot show."""
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
    _with_photo(
        mini_site,
        '![The harbour](/assets/images/IMG_0042.HEIC)\n\n<img src="/assets/images/IMG_0042.HEIC" alt="The harbour"'
        ' width="800" height="600">',
        heic,
        "images/IMG_0042.HEIC",
    )
    line = len((mini_site / NEWS).read_text("utf-8").splitlines()) - 2
    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 1
    assert err.splitlines() == [
        f"{NEWS}:{line + number * 2}: '/assets/images/IMG_0042.HEIC' is a HEIC photo, which most browsers "
        "cannot show (hint: export it as JPEG into assets/ and name that file instead)"
        for number in range(2)
    ]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def test_the_browser_shows_the_avif_copy_that_fits(mini_site, browser):
    _with_photo(mini_site, "![The harbour](/assets/images/harbour.jpg)", _photo(2000, 1000))
    pipeline.build(mini_site)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", free_port()), functools.partial(_Quiet, directory=str(mini_site / "build"))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        browser.set_window_size(500, 800)
        browser.get(f"http://127.0.0.1:{server.server_address[1]}/{PAGE[: -len('index.html')]}")
        from selenium.webdriver.support.ui import WebDriverWait

        shown = WebDriverWait(browser, 10, poll_frequency=0.05).until(
            lambda b: b.execute_script(
                "const i = document.querySelector('picture img');"
                "return i && i.complete && i.naturalWidth ? [i.currentSrc, i.naturalWidth, i.clientWidth] : null"
            ),
            "the picture never loaded",
        )
        current, natural, width = shown
        # A narrow window takes a smaller copy than the largest (1600 pixels).
        assert re.search(r"/harbour\.(480|960)\.[0-9a-f]{8}\.avif$", current), current
        assert natural > 0 and 0 < width <= 500
    finally:
        browser.set_window_size(1280, 1024)
        server.shutdown()
        server.server_close()


def test_the_browser_loads_a_photo_whose_name_has_a_space(mini_site, browser):
    _with_photo(mini_site, "![The team](</assets/images/team photo.jpg>)", name=TEAM)
    pipeline.build(mini_site)
    with serving(mini_site / "build") as origin:
        browser.get(f"{origin}/{PAGE[: -len('index.html')]}")
        from selenium.webdriver.support.ui import WebDriverWait

        shown = WebDriverWait(browser, 10, poll_frequency=0.05).until(
            lambda b: b.execute_script(
                "const i = document.querySelector('picture img');"
                "return i && i.complete ? [i.currentSrc, i.naturalWidth] : null"
            ),
            "the picture never loaded",
        )
    current, natural = shown
    # An AVIF copy: the browser could read the srcsets (else it shows the <img>'s src, a JPEG).
    assert re.search(r"/team%20photo\.[0-9]+\.[0-9a-f]{8}\.avif$", current) and natural > 0, shown


def test_a_template_shows_a_photo_with_picture(mini_site):
    _with_photo(mini_site, "Text.")
    base = mini_site / "templates/base.html"
    call = "{{ picture('images/harbour.jpg', _('News'), loading='lazy', class='banner') }}\n"
    base.write_text(base.read_text("utf-8").replace("</main>\n", "</main>\n" + call), "utf-8")
    pipeline.build(mini_site, minify=False)
    (shown,) = _pictures((mini_site / "build/nl/index.html").read_text("utf-8"))
    assert shown["img"]["alt"] == "Nieuws" and shown["img"]["class"] == "banner"
    assert (shown["img"]["width"], shown["img"]["height"], shown["img"]["loading"]) == ("1000", "750", "lazy")
    assert _widths(shown["sources"]["image/avif"]) == [480, 960, 1000]


def test_a_template_naming_no_photo_is_one_line(mini_site, run_cli):
    base = mini_site / "templates/base.html"
    text = base.read_text("utf-8").replace("</main>\n", "</main>\n{{ picture('images/none.jpg', 'x') }}\n")
    base.write_text(text, "utf-8")
    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 1
    assert err.splitlines()[0].startswith("templates/base.html:")
    assert "'images/none.jpg' is not a photo in assets/" in err


def test_a_copies_folder_that_cannot_be_written_still_builds(mini_site, run_cli, tmp_path):
    """.site-images/ taken by a file: the copies are made in memory, the build is the same,
    and nothing is kept (the next build makes them again)."""
    _with_photo(mini_site, "![The harbour](/assets/images/harbour.jpg)")
    assert run_cli("-C", mini_site, "build", "--no-cache", "--out", tmp_path / "first")[0] == 0
    first = read_tree(tmp_path / "first")
    store = mini_site / DERIVED_DIR
    for path in store.iterdir():
        path.unlink()
    store.rmdir()
    store.write_bytes(b"not a folder")
    code, _, err = run_cli("-C", mini_site, "build", "--no-cache", "--out", tmp_path / "second")
    assert (code, err) == (0, "")
    assert read_tree(tmp_path / "second") == first
    assert store.read_bytes() == b"not a folder"
