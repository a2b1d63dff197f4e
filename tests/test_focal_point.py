"""A page's own photo (``image``, ``image_alt``, ``focal_point`` in its front matter): shown at
the top of the page cropped wide around its focal point, and on the page's social card cropped
around the same point; a mistake in those keys is one line naming the file and line."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from conftest import make_mini_site, read_tree
from PIL import Image
from test_cards import meta
from test_images import CAFE, CAFE_NFD, _candidates, _pictures, _widths

from site_builder import pipeline
from site_builder.incremental.derived import DERIVED_DIR
from site_builder.incremental.memo import Memo
from site_builder.render import cards

NEWS = "content/en/news/2019-06-12-ema.md"
NEWS_NL = "content/nl/news/2019-06-12-ema.md"
ABOUT = "content/en/about.md"
NEWS_PAGE = "en/news/ema-opens-office/index.html"
NEWS_PAGE_NL = "nl/nieuws/ema-opent-kantoor/index.html"
ABOUT_PAGE = "en/about/index.html"
PHOTO = "images/quarters.jpg"
SIDE = 1200  # the test photo is square
# Its quarters, each one colour: where a crop is taken shows in the colours it keeps.
BLUE, YELLOW = (0, 0, 255), (255, 255, 0)  # top left, top right
RED, GREEN = (255, 0, 0), (0, 255, 0)  # bottom left, bottom right


def _quarters() -> bytes:
    image = Image.new("RGB", (SIDE, SIDE))
    half = SIDE // 2
    for box, colour in (
        ((0, 0, half, half), BLUE),
        ((half, 0, SIDE, half), YELLOW),
        ((0, half, half, SIDE), RED),
        ((half, half, SIDE, SIDE), GREEN),
    ):
        image.paste(colour, box)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def _with_photo(root: Path, page: str, lines: str) -> None:
    """The test photo in assets/, and ``lines`` added to the front matter of ``page`` after its
    title, so that they start on line 3."""
    (root / "assets" / PHOTO).parent.mkdir(parents=True, exist_ok=True)
    (root / "assets" / PHOTO).write_bytes(_quarters())
    path = root / page
    opening, title, rest = path.read_text("utf-8").split("\n", 2)
    path.write_text(f"{opening}\n{title}\n{lines}\n{rest}", "utf-8")


def _near(found: tuple, colour: tuple, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(found[:3], colour, strict=True))


def _decoded(build: Path, url: str) -> Image.Image:
    with Image.open(build / url.lstrip("/")) as image:
        return image.convert("RGB")


def _hero(build: Path, page: str) -> dict:
    return _pictures((build / page).read_text("utf-8"))[0]


def _card(build: Path, page: str) -> Image.Image:
    url = meta((build / page).read_text("utf-8"))["og:image"]
    return _decoded(build, "/" + url.split("/", 3)[3])


@pytest.fixture(scope="module")
def photo_site(tmp_path_factory) -> Path:
    """The mini site with the photo on three pages: the English news item with its subject at
    the bottom right, the Dutch one at the top left, the English about page (page.html) with
    none given (the centre)."""
    root = make_mini_site(tmp_path_factory.mktemp("focal") / "site")
    _with_photo(root, NEWS, "image: images/quarters.jpg\nimage_alt: Four quarters\nfocal_point: [90, 95]")
    _with_photo(root, NEWS_NL, "image: images/quarters.jpg\nimage_alt: Vier kwarten\nfocal_point: [10, 2]")
    _with_photo(root, ABOUT, "image: images/quarters.jpg\nimage_alt: Four quarters, centred")
    news = root / NEWS
    news.write_text(
        news.read_text("utf-8") + "\n![The quarters, whole](/assets/images/quarters.jpg)\n", "utf-8"
    )
    pipeline.build(root, minify=False)
    return root


def test_the_photo_tops_the_page_cropped_wide_around_its_focal_point(photo_site):
    build = photo_site / "build"
    hero, in_text = _pictures((build / NEWS_PAGE).read_text("utf-8"))
    img = hero["img"]
    # The first image of the page: loaded at once and first, at the crop's size (2:1).
    assert img["alt"] == "Four quarters" and img["class"] == "hero" and img["fetchpriority"] == "high"
    assert "loading" not in img and (img["width"], img["height"]) == ("1200", "600")
    # The photo in the text, whole, below it: no longer the first, so lazy.
    assert (in_text["img"]["width"], in_text["img"]["height"], in_text["img"]["loading"]) == (
        "1200",
        "1200",
        "lazy",
    )
    assert list(hero["sources"]) == ["image/avif", "image/webp"]
    for srcset in [*hero["sources"].values(), img["srcset"]]:
        assert _widths(srcset) == [480, 960, 1200]
    assert re.fullmatch(r"/assets/images/quarters\.1200\.[0-9a-f]{8}\.jpg", img["src"])
    for url in [
        candidate.split()[0] for srcset in hero["sources"].values() for candidate in srcset.split(", ")
    ]:
        assert (build / url.lstrip("/")).is_file()
    # [90, 95]: the subject near the bottom edge, so the crop is the photo's lower half.
    crop = _decoded(build, img["src"])
    assert crop.size == (1200, 600)
    assert _near(crop.getpixel((300, 20)), RED) and _near(crop.getpixel((900, 20)), GREEN)
    assert _near(crop.getpixel((300, 580)), RED) and _near(crop.getpixel((900, 580)), GREEN)
    # Every copy shows the same crop, whatever its format and width.
    webp = hero["sources"]["image/webp"].split(", ")[0].split()[0]
    small = _decoded(build, webp)
    assert small.size == (480, 240) and _near(small.getpixel((120, 10)), RED)


def test_a_focal_point_at_an_edge_stops_the_crop_there_and_none_is_the_centre(photo_site):
    build = photo_site / "build"
    # [10, 2]: the top half.
    top = _decoded(build, _hero(build, NEWS_PAGE_NL)["img"]["src"])
    assert _near(top.getpixel((300, 20)), BLUE) and _near(top.getpixel((900, 580)), YELLOW)
    # No focal point (page.html): the middle half, a quarter of the photo cut off above and below.
    middle = _decoded(build, _hero(build, ABOUT_PAGE)["img"]["src"])
    assert _near(middle.getpixel((300, 280)), BLUE) and _near(middle.getpixel((300, 320)), RED)
    assert _near(middle.getpixel((900, 280)), YELLOW) and _near(middle.getpixel((900, 320)), GREEN)
    # A page without a photo of its own shows none.
    assert not _pictures((build / "en/news/memorandum-of-understanding/index.html").read_text("utf-8"))


# Two columns of the card's photo part. Its crop is 860 of the photo's 1200 columns, shown
# 440 wide: at x = 10 it is the photo's columns 0-860, at 90 those of 340-1200, at the centre
# 170-1030; the first column here shows the photo's column 391 beyond that, the second 547.
NEAR, FAR = cards.PHOTO_LEFT + 200, cards.PHOTO_LEFT + 280


def test_the_card_shows_the_photo_around_the_same_point(photo_site):
    build = photo_site / "build"
    right, left, middle = (_card(build, page) for page in (NEWS_PAGE, NEWS_PAGE_NL, ABOUT_PAGE))
    assert right.size == (1200, 630)
    # The photo fills the card's right part, cropped tall: its full height shows, top and bottom.
    assert _near(right.getpixel((NEAR, 100)), YELLOW) and _near(right.getpixel((FAR, 500)), GREEN)
    assert _near(left.getpixel((NEAR, 100)), BLUE) and _near(left.getpixel((FAR, 500)), RED)
    assert _near(middle.getpixel((NEAR, 100)), BLUE) and _near(middle.getpixel((FAR, 100)), YELLOW)
    # The text stays on the card's ink; a page without a photo keeps the card of text alone.
    assert _near(right.getpixel((20, 300)), cards.INK, 8)
    plain = _card(build, "en/news/memorandum-of-understanding/index.html")
    assert _near(plain.getpixel((FAR, 100)), cards.INK, 8)


def test_a_new_focal_point_makes_new_crops_and_a_cached_build_equals_a_cold_one(tmp_path, run_cli):
    root = make_mini_site(tmp_path / "site")
    _with_photo(root, NEWS, "image: images/quarters.jpg\nimage_alt: Four quarters\nfocal_point: [90, 95]")
    cache, out = tmp_path / "cache", tmp_path / "out"
    assert run_cli("-C", root, "build", "--cache-dir", cache, "--out", out)[0] == 0
    before_hero, before_card = _hero(out, NEWS_PAGE), meta((out / NEWS_PAGE).read_text("utf-8"))["og:image"]
    page = root / NEWS
    page.write_text(page.read_text("utf-8").replace("[90, 95]", "[10, 2]"), "utf-8")
    assert run_cli("-C", root, "build", "--cache-dir", cache, "--out", out)[0] == 0
    after_hero, after_card = _hero(out, NEWS_PAGE), meta((out / NEWS_PAGE).read_text("utf-8"))["og:image"]
    for mime in ("image/avif", "image/webp"):
        assert not set(before_hero["sources"][mime].split(", ")) & set(
            after_hero["sources"][mime].split(", ")
        )
    assert after_hero["img"]["src"] != before_hero["img"]["src"] and after_card != before_card
    assert not (out / before_hero["img"]["src"].lstrip("/")).exists()  # the old crop is gone
    assert _near(_decoded(out, after_hero["img"]["src"]).getpixel((300, 20)), BLUE)
    assert _near(_card(out, NEWS_PAGE).getpixel((NEAR, 100)), BLUE)
    # Made from nothing (no cache, no kept copies or cards), the site is the same, byte for byte.
    shutil.rmtree(root / DERIVED_DIR)
    assert run_cli("-C", root, "build", "--no-cache", "--out", tmp_path / "cold")[0] == 0
    assert read_tree(tmp_path / "cold") == read_tree(out)


def test_the_card_step_reads_the_photo_only_as_its_declared_input(tmp_path):
    """Under the memo's guard, with no card kept: the step that draws the cards gets the
    photo's bytes as an input and opens no file of the project."""
    root = make_mini_site(tmp_path / "site")
    _with_photo(root, NEWS, "image: images/quarters.jpg\nimage_alt: Four quarters")
    preview = pipeline.PreviewState(memo=Memo(guard=True))
    pipeline.build(root, tmp_path / "guarded", cache=preview)
    assert preview.memo.tables["social cards"]
    pipeline.build(root, tmp_path / "cold")
    assert read_tree(tmp_path / "guarded") == read_tree(tmp_path / "cold")


@pytest.mark.parametrize(
    "lines, line, message",
    [
        (
            "image: images/quarters.jpg\nimage_alt: Four quarters\nfocal_point: [120, 5]",
            5,
            "focal_point '[120, 5]' is not two percentages [x, y] (hint: how far from the left",
        ),
        (
            "image: images/quarters.jpg\nimage_alt: Four quarters\nfocal_point: [50]",
            5,
            "focal_point '[50]' is not two percentages [x, y] (hint: how far from the left",
        ),
        (
            "image: images/quarters.jpg\nimage_alt: Four quarters\nfocal_point: middle",
            5,
            "focal_point is 'middle', expected a list (hint: how far from the left",
        ),
        (
            "image: images/quarters.jpg\nfocal_point: [50, 50]",
            3,
            "missing required key 'image_alt' (hint: add 'image_alt: …' saying what the photo shows",
        ),
        (
            "image: images/quartres.jpg\nimage_alt: Four quarters",
            3,
            "image 'images/quartres.jpg' is not a photo in assets/ (hint: did you mean 'images/quarters.jpg'?)",
        ),
        (
            "image: IMAGES/QUARTERS.JPG\nimage_alt: Four quarters",
            3,
            "image 'IMAGES/QUARTERS.JPG' is not a photo in assets/ (hint: did you mean 'images/quarters.jpg'?)",
        ),
        (
            "image: images/IMG_0042.heic\nimage_alt: Four quarters",
            3,
            "'images/IMG_0042.heic' is a HEIC photo, which most browsers cannot show "
            "(hint: export it as JPEG into assets/ and name that file instead)",
        ),
        (
            "image: fonts/inter-latin.woff2\nimage_alt: A font",
            3,
            "image 'fonts/inter-latin.woff2' is not a photo in assets/ (hint: ",
        ),
    ],
)
def test_a_mistake_in_the_photo_s_keys_is_one_line(mini_built, run_cli, lines, line, message):
    root, before = mini_built
    _with_photo(root, NEWS, lines)
    code, _, err = run_cli("-C", root, "build")
    assert code == 1
    assert err.startswith(f"{NEWS}:{line}: {message}"), err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert read_tree(root / "build") == before


def test_the_alt_text_is_translated_and_the_photo_and_its_point_are_not():
    """In the units ``translations export`` hands to translators (see ``site.segments``)."""
    from site_builder.site.segments import page_text, rewritten

    text = (
        "---\ntitle: EMA\nimage: images/quarters.jpg\nimage_alt: Four quarters\n"
        "focal_point: [90, 95]\n---\nText.\n"
    )
    page = page_text(text)
    assert page.unit("image_alt").text == "Four quarters"
    assert page.unit("image") is None and page.unit("focal_point") is None
    assert rewritten(text, page, {"image_alt": "Vier kwarten"}) == text.replace(
        "Four quarters", "Vier kwarten"
    )


@pytest.mark.parametrize(("on_disk", "typed"), [(CAFE, CAFE_NFD), (CAFE_NFD, CAFE)])
def test_a_photo_typed_with_its_accents_written_another_way_is_the_file(tmp_path, on_disk, typed):
    """docs/content.md: "A name typed either way in a page's text (Markdown or HTML), in its
    `image:` or in a stylesheet finds the file, and the address given is that of the file as it
    is named." The photo at the page's top and its card are the file's, and the site is the one built with the
    name typed as on disk, byte for byte."""
    built = {}
    for name, written in (("typed", typed), ("as on disk", on_disk)):
        root = make_mini_site(tmp_path / name)
        _with_photo(root, NEWS, f"image: {written}\nimage_alt: The café\nfocal_point: [90, 95]")
        (root / "assets" / PHOTO).rename(root / "assets" / on_disk)
        pipeline.build(root, minify=False)
        built[name] = read_tree(root / "build")
    site = built["typed"]
    html = site[NEWS_PAGE].decode("utf-8")
    hero = _pictures(html)[0]
    stem = quote(on_disk.removesuffix(".jpg"))  # "images/caf%C3%A9" or "images/cafe%CC%81"
    addresses = [hero["img"]["src"]] + [
        address
        for srcset in [*hero["sources"].values(), hero["img"]["srcset"]]
        for address, _ in _candidates(srcset)
    ]
    for address in addresses:
        assert re.fullmatch(rf"/assets/{stem}\.[0-9]+\.[0-9a-f]{{8}}\.(avif|webp|jpg)", address), address
        assert unquote(address).lstrip("/") in site
    card = meta(html)["og:image"].split("/", 3)[3]
    assert card in site
    assert site == built["as on disk"]
