"""Social cards: the picture a link to a page shows when it is shared (``og:image``), one
per page and language, 1200 × 630 PNG, drawn at build time with Pillow from the page's own
title and the brand: the ××× of Amsterdam's arms, the site's title and the site's typeface.
A page with a photo of its own (``image:`` in its front matter) shows it on the card's right,
cropped around its focal point.

A card is named by what it is drawn from (``Card.path``), so a page knows its card's
address without the card being drawn first, and a card is drawn again only when its
title, label, typeface, photo or this drawing changes. Cards are kept beside photos' copies in
``.site-images/`` (see ``incremental.derived``): a build without its cache draws none again.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from site_builder.errors import SiteError, msg
from site_builder.project import ASSETS_DIR
from site_builder.render.images import CENTRE, crop_box, focal_point
from site_builder.render.workers import in_workers
from site_builder.site.files import OutputFile, file_url

WIDTH, HEIGHT = 1200, 630
CARD_FONT = "fonts/inter-latin.woff2"  # in assets/; without it Pillow's own typeface
CARDS_FOLDER = "assets/cards/"
# Changed with the drawing below: every card is drawn again.
RECIPE = 1
INK, RED, WHITE, GREY = (17, 17, 17), (212, 0, 0), (255, 255, 255), (200, 200, 200)
MARGIN = 72
TITLE_SIZES = (68, 60, 52, 46, 40)  # the largest that fits the title in four lines is used
TITLE_LINES = 4
# A card with a photo: the photo fills the card's right from here, above the red band, and
# the text keeps to the dark part on its left, where it stays legible.
PHOTO_LEFT = 760
BAND = 16  # the red band along the bottom
PHOTO_COLOURS = 256  # a photo in the 32 colours of a card of text alone would look posterised


@dataclass(frozen=True, slots=True)
class Card:
    """What one page's card shows, and the typeface it is drawn with (by the font's
    fingerprinted address, which changes with its bytes; "" for Pillow's own)."""

    lang: str
    stem: str  # the page's address as a file name: "news-ema"
    title: str
    label: str  # what the page is: "News · 20 November 2017", a section's name
    site_title: str
    font: str
    photo: str = ""  # the digest of the bytes of the page's own photo; "": none
    focal_point: tuple[float, float] = CENTRE  # of the photo, see ``images.focal_point``

    @property
    def path(self) -> str:
        """Named by what the card is drawn from, and by what draws it (this code and Pillow's
        version): a card's name changes whenever its bytes may, as a fingerprinted asset's does."""
        return f"{CARDS_FOLDER}{self.lang}/{self.stem}.{self.key[:8]}.png"

    @property
    def url(self) -> str:
        return file_url(self.path)

    @property
    def key(self) -> str:
        """What the card is drawn from, as the key of its PNG in ``.site-images/``."""
        parts = ("card", str(RECIPE), _pillow(), self.title, self.label, self.site_title, self.font)
        if self.photo:  # a card without a photo keeps the name it had before cards had photos
            parts += ("photo", self.photo, "{:g},{:g}".format(*self.focal_point))
        key = "\0".join(parts)
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def card_of(site, page, font: str, photos: Mapping[str, str] | None = None) -> Card | None:
    """The card of ``page`` (None: no page), drawn with the typeface at the address ``font``.
    The home page's shows the site's description; every other page's its title, with the
    section it is in (and a news item's year), and the page's own photo, found in ``photos``
    (each photo's name in assets/ → the digest of its bytes)."""
    if page is None:
        return None
    language = site.config.language(page.lang)
    if page.kind == "home":
        title, label = language.description or page.title, ""
    else:
        crumbs = site.breadcrumbs(page)
        label = crumbs[-2].menu_title if len(crumbs) > 2 else ""
        if page.kind == "news" and page.front.date is not None:
            label = f"{label} · {page.front.date.year}" if label else str(page.front.date.year)
        title = page.title
    photo = (photos or {}).get(page.front.image, "") if page.front.image else ""
    focal = focal_point(page.front) if photo else CENTRE
    return Card(page.lang, stem_of(page.url), title, label, language.title, font, photo, focal)


@lru_cache(maxsize=1)
def _pillow() -> str:
    # PIL's own attribute: importlib.metadata would add its import to every build.
    import PIL

    return PIL.__version__


def cards_of(site, font: str, photos: Mapping[str, str]) -> tuple[Card, ...]:
    """The card of every page of ``site``, sorted by file (``photos``: see ``card_of``)."""
    return tuple(
        sorted({card_of(site, page, font, photos) for page in site.pages}, key=lambda card: card.path)
    )


def stem_of(url: str) -> str:
    """``/en/news/ema/`` → ``news-ema`` (the language is the card's folder); a home page → ``home``."""
    return "-".join(part for part in url.split("/")[2:] if part) or "home"


def draw_each(
    cards: Sequence[Card],
    font: bytes | None,
    photos: Sequence[OutputFile] = (),
    store=None,
    jobs: int = 1,
) -> list[tuple[OutputFile, ...]]:
    """The PNG of each card, drawn with ``font`` (the bytes of the typeface its ``font`` names)
    and its photo (the one of ``photos`` whose digest it names), or taken from ``store``
    (``incremental.derived.DerivedFiles``), where each is kept once drawn, as a file whose
    bytes stay there (``OutputFile.origin``). Drawing is deterministic: a card from the store
    is the card drawn again. Cards not in the store are drawn in ``jobs`` processes (see
    ``workers``): a site's first build draws one per page, about 20 ms each."""
    by_digest = {file.digest: file.data for file in photos}
    # A card kept in the store stays there until it is published: thousands of them would
    # otherwise be held in memory.
    made = [store.file(card.key, card.path) if store is not None else None for card in cards]
    missing = [index for index, kept in enumerate(made) if kept is None]
    wanted = [cards[index] for index in missing]
    if wanted:
        check_font(font)  # before drawing: Pillow's own error, in a worker or here, would be a traceback
    if jobs > 1 and len(wanted) > 1:
        shown = {card.photo for card in wanted if card.photo}
        photos_shown = {digest: data for digest, data in by_digest.items() if digest in shown}
        drawn = in_workers(wanted, jobs, _draw_chunk, _start_drawing, (font, photos_shown))
    else:
        drawn = [_draw_with(card, font, by_digest) for card in wanted]
    for index, card, data in zip(missing, wanted, drawn, strict=True):
        if store is not None:
            store.put(card.key, ".png", data)
        made[index] = OutputFile(card.path, data)
    return [(kept,) for kept in made]


def check_font(font: bytes | None) -> None:
    """Raise ``SiteError`` if ``font`` (the bytes of ``CARD_FONT``) is not a typeface the
    cards can be drawn with: a file replaced by another, or damaged."""
    if font is None:
        return
    try:
        _font(font, 12, 400)
    except OSError:  # Pillow's answer to bytes it cannot read as a font
        raise SiteError(
            msg("the social cards' typeface cannot be read"),
            f"{ASSETS_DIR}/{CARD_FONT}",
            hint=msg("replace it with a font file: WOFF2, TrueType or OpenType"),
        ) from None


def _draw_with(card: Card, font: bytes | None, photos: Mapping[str, bytes]) -> bytes:
    return draw(card, font, photos.get(card.photo) if card.photo else None)


# A worker process's font and photos (by digest), set once by _start_drawing: the process
# exists only to run _draw_chunk, and nothing else in it reads or changes this.
_worker_drawing: tuple[bytes | None, dict[str, bytes]] | None = None


def _start_drawing(font: bytes | None, photos: dict[str, bytes]) -> None:
    global _worker_drawing
    _worker_drawing = (font, photos)


def _draw_chunk(cards: tuple[Card, ...]) -> tuple[bytes, ...]:
    assert _worker_drawing is not None
    font, photos = _worker_drawing
    return tuple(_draw_with(card, font, photos) for card in cards)


def draw(card: Card, font: bytes | None, photo: bytes | None = None) -> bytes:
    """The card as PNG (``photo``: the bytes of the photo it names)."""
    return encode(picture(card, font, photo), PHOTO_COLOURS if photo is not None else 32)


def encode(image, colours: int = 32) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    # A few colours: a third of the bytes, drawn as fast (benchmarks/RESULTS.md#social-cards).
    image.quantize(colours, method=Image.Quantize.FASTOCTREE).save(out, "PNG", compress_level=6)
    return out.getvalue()


def picture(card: Card, font: bytes | None, photo: bytes | None = None):
    """The card as a Pillow image, in full colour."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), INK)
    text_width = WIDTH - 2 * MARGIN
    if photo is not None:
        area = (WIDTH - PHOTO_LEFT, HEIGHT - BAND)
        image.paste(_cropped(photo, area, card.focal_point), (PHOTO_LEFT, 0))
        text_width = PHOTO_LEFT - 2 * MARGIN
    pen = ImageDraw.Draw(image)
    # The three crosses of Amsterdam's arms, white on a red band, as in the wordmark.
    pen.rectangle((MARGIN, MARGIN - 8, MARGIN + 40, MARGIN + 128), fill=RED)
    for top in (MARGIN, MARGIN + 44, MARGIN + 88):
        x0, y0, x1, y1 = MARGIN + 10, top + 2, MARGIN + 30, top + 22
        pen.line((x0, y0, x1, y1), fill=WHITE, width=6)
        pen.line((x0, y1, x1, y0), fill=WHITE, width=6)
    beside = text_width - 64  # from beside the crosses to the text's right edge
    # Each on one line: a line break written in the site's title or a menu title (as "\n" in
    # quotes, or below "title: |") is a space here, as it is in HTML; Pillow measures no such text.
    site_title, label = " ".join(card.site_title.split()), " ".join(card.label.split())
    pen.text(
        (MARGIN + 64, MARGIN - 6),
        site_title,
        font=_shrunk(pen, site_title, font, 34, 700, beside),
        fill=WHITE,
    )
    pen.text(
        (MARGIN + 64, MARGIN + 44),
        label,
        font=_shrunk(pen, label, font, 28, 400, beside),
        fill=GREY,
    )
    size, lines = _fitted(pen, card.title, font, text_width)
    face = _font(font, size, 700)
    y = HEIGHT - MARGIN - 24 - len(lines) * int(size * 1.18)
    for line in lines:
        pen.text((MARGIN, y), line, font=face, fill=WHITE)
        y += int(size * 1.18)
    pen.rectangle((0, HEIGHT - BAND, WIDTH, HEIGHT), fill=RED)
    return image


def _cropped(photo: bytes, size: tuple[int, int], focal: tuple[float, float]):
    """The photo as the camera held it, cropped to the proportions of ``size`` around
    ``focal`` (see ``images.crop_box``) and scaled to it; a transparent part on the card's ink."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(photo)) as opened:
        image = ImageOps.exif_transpose(opened).convert("RGBA")
    box = crop_box(image.width, image.height, focal, size[0] / size[1])
    shown = image.crop(box).resize(size, Image.Resampling.LANCZOS)
    return Image.alpha_composite(Image.new("RGBA", size, (*INK, 255)), shown).convert("RGB")


def _shrunk(pen, text: str, font: bytes | None, size: int, weight: int, width: int):
    """The typeface at ``size``, or smaller where ``text`` would be wider than ``width``
    (beside a photo), down to 20."""
    while size > 20 and pen.textlength(text, font=_font(font, size, weight)) > width:
        size -= 2
    return _font(font, size, weight)


def _fitted(pen, title: str, font: bytes | None, width: int) -> tuple[int, list[str]]:
    for size in TITLE_SIZES:
        lines = _wrapped(pen, title, _font(font, size, 700), width)
        if len(lines) <= TITLE_LINES:
            return size, lines
    size = TITLE_SIZES[-1]
    lines = _wrapped(pen, title, _font(font, size, 700), width)
    return size, lines[: TITLE_LINES - 1] + [lines[TITLE_LINES - 1].rstrip(" ,.;:") + " …"]


def _wrapped(pen, text: str, face, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and pen.textlength(f"{lines[-1]} {word}", font=face) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


@lru_cache(maxsize=32)
def _font(data: bytes | None, size: int, weight: int):
    from PIL import ImageFont

    if data is None:
        return ImageFont.load_default(size)
    face = ImageFont.truetype(io.BytesIO(data), size)
    try:
        face.set_variation_by_axes([weight])  # a variable font: its weight axis
    except (OSError, ValueError):
        pass  # a font of one weight
    return face
