"""Photos in ``assets/`` → responsive images: AVIF and WebP copies in several widths, a
fallback in the photo's own format, and the ``<picture>`` that offers them. A page's own
photo (``image:`` in its front matter) is also cropped to a wide frame around its focal
point (``hero_plan``), to be shown at the top of the page.

An image is known by its bytes: ``plan`` names every copy (``Derivative``) by a digest of
the source's bytes and the encoder's settings, so a copy is made once and found again by
any build that needs it (see ``incremental.derived``). Encoding is pure (bytes in, bytes
out) and runs in worker processes; only the wiring in ``stages`` reads and writes.

Encoder settings were chosen by measurement (benchmarks/RESULTS.md, "Responsive images"):
AVIF at speed 8 is about three times as fast as speed 6 for files some 3 % larger.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import escape

from site_builder.content.schema import closest, did_you_mean
from site_builder.errors import Message, SiteError, msg
from site_builder.project import ASSETS_DIR
from site_builder.site.files import file_url

# The sources this turns into responsive images, by suffix; SVG and GIF stay as they are.
RASTER_FORMATS = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".webp": "webp"}
WIDTHS = (480, 960, 1600)  # pixels; never wider than the source
# A photo of more pixels than this is refused before it is decoded: 50 megapixels is more
# than any camera's photo needs for a web page, and a small file claiming billions of
# pixels (a decompression bomb) would otherwise take the machine's memory.
MAX_PIXELS = 50_000_000
ENCODERS: dict[str, tuple[str, dict]] = {
    "avif": ("AVIF", {"quality": 55, "speed": 8}),
    "webp": ("WEBP", {"quality": 75, "method": 4}),
    "jpeg": ("JPEG", {"quality": 80, "optimize": True, "progressive": True}),
    "png": ("PNG", {"optimize": True}),
}
MIME_TYPES = {"avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg", "png": "image/png"}
SUFFIXES = {"avif": ".avif", "webp": ".webp", "jpeg": ".jpg", "png": ".png"}
# The column content images are shown in: 46rem at most (site.css, .prose).
SIZES = "(min-width: 46rem) 46rem, 100vw"
# Changed whenever what an encoder writes for the same settings may change.
RECIPE = "1"
# Width to height of a page's own photo at the top of the page: wide, so that the title and
# the first lines of text stay in view on a laptop's screen.
HERO_ASPECT = 2.0
CENTRE = (50.0, 50.0)  # the focal point of a photo whose page names none
_HINT = msg("save it again as a JPEG, PNG or WebP photo, or remove it")
# The EXIF tag saying how the camera was held, and its values for a photo turned a quarter.
_ORIENTATION = 0x0112
_TURNED = (5, 6, 7, 8)


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """A photo in ``assets/``: its name there, the digest of its bytes, its size in pixels
    and its format."""

    name: str  # "images/harbour.jpg"
    digest: str
    width: int
    height: int
    format: str  # a key of ENCODERS


@dataclass(frozen=True, slots=True)
class Derivative:
    """One copy of a photo: its width and format, and the part of the photo it shows (``crop``:
    left, top, right, bottom in the photo's pixels; None: the whole photo). ``key`` names it by
    everything that decides its bytes."""

    name: str
    source_digest: str
    width: int
    height: int
    format: str
    crop: tuple[int, int, int, int] | None = None

    @property
    def key(self) -> str:
        settings = repr(sorted(ENCODERS[self.format][1].items()))
        text = f"{RECIPE}\0{self.source_digest}\0{self.width}\0{self.format}\0{settings}"
        if self.crop is not None:  # a whole photo's copies keep the keys they had before crops
            text += "\0crop {},{},{},{}".format(*self.crop)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def path(self, data: bytes) -> str:
        """Where the copy is published: beside its source, its name keeping the source's stem,
        with its width and the digest of its bytes (so a CDN may cache it forever)."""
        folder, file = posixpath.split(self.name)
        stem = file.rsplit(".", 1)[0]
        digest = hashlib.sha256(data).hexdigest()[:8]
        return posixpath.join(ASSETS_DIR, folder, f"{stem}.{self.width}.{digest}{SUFFIXES[self.format]}")


@dataclass(frozen=True, slots=True)
class ImageSet:
    """What a ``<picture>`` offers for one photo: its size, and for each format (the best
    first, the fallback last) the published copies by width."""

    width: int
    height: int
    sources: tuple[tuple[str, tuple[tuple[int, str], ...]], ...]  # (MIME type, ((width, URL), …))
    digest: str = ""  # of the bytes of the photo the copies are made from

    @property
    def fallback(self) -> str:
        """The largest copy in the last format: what a browser without ``srcset`` shows."""
        return self.sources[-1][1][-1][1]


def is_raster(name: str) -> bool:
    return posixpath.splitext(name)[1].lower() in RASTER_FORMATS


# Formats phones and cameras save photos in that browsers do not show (HEIC: Safari alone).
UNSHOWN_FORMATS = {".heic": "HEIC", ".heif": "HEIF", ".tif": "TIFF", ".tiff": "TIFF"}


def unshown_photo(name: str) -> tuple[Message, Message] | None:
    """What is wrong with ``name`` and what to do, if it is a photo in a format browsers do not
    show (an iPhone's HEIC), rather than one that is merely missing; else None."""
    kind = UNSHOWN_FORMATS.get(posixpath.splitext(name)[1].lower())
    if kind is None:
        return None
    return (
        msg("'{name}' is a {kind} photo, which most browsers cannot show", name=name, kind=kind),
        msg("export it as JPEG into assets/ and name that file instead"),
    )


def probe(name: str, data: bytes) -> ImageInfo:
    """The photo's size and format, read from its header and checked by decoding it whole;
    a file that is not such an image, is cut short or has too many pixels is the user's mistake."""
    from PIL import Image, UnidentifiedImageError

    path = f"{ASSETS_DIR}/{name}"
    expected = RASTER_FORMATS[posixpath.splitext(name)[1].lower()]
    try:
        with Image.open(io.BytesIO(data)) as image:
            found = (image.format or "").lower()
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise SiteError(
                    msg(
                        "the image has {pixels} pixels, more than the {limit:,} a web page can use",
                        pixels=f"{width} × {height}",
                        limit=MAX_PIXELS,
                    ),
                    path,
                    hint=msg("make it smaller, at most 1600 pixels wide is enough"),
                )
            image.load()  # a file cut short fails here, not in a worker later
            if image.getexif().get(_ORIENTATION) in _TURNED:  # shown as the camera held it (see encode)
                width, height = height, width
    except SiteError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise SiteError(msg("the file is not a readable image"), path, hint=_HINT) from None
    if found != expected and {found, expected} != {"jpeg"}:
        raise SiteError(
            msg(
                "the file's name says {expected}, but it holds {found}", expected=expected, found=found or "?"
            ),
            path,
            hint=msg("give the file the suffix of its format"),
        )
    return ImageInfo(name, hashlib.sha256(data).hexdigest(), width, height, found)


def plan(info: ImageInfo) -> tuple[Derivative, ...]:
    """Every copy of the photo: AVIF, WebP and its own format, each in the widths of ``WIDTHS``
    below its own, and at its own width up to the largest."""
    return _copies(info, info.width, info.height, None)


def hero_plan(info: ImageInfo, focal: tuple[float, float]) -> tuple[Derivative, ...]:
    """Every copy of the photo's wide crop around ``focal`` (see ``crop_box``), as ``plan``
    makes them of the whole photo: the widths are the crop's."""
    box = crop_box(info.width, info.height, focal, HERO_ASPECT)
    # A photo of that shape already is shown whole: its crop is its copies.
    whole = box == (0, 0, info.width, info.height)
    return _copies(info, box[2] - box[0], box[3] - box[1], None if whole else box)


def _copies(
    info: ImageInfo, width: int, height: int, box: tuple[int, int, int, int] | None
) -> tuple[Derivative, ...]:
    widths = sorted({w for w in WIDTHS if w < width} | {min(width, WIDTHS[-1])})
    formats = ("avif", "webp", info.format) if info.format not in ("avif", "webp") else ("avif", "webp")
    return tuple(
        Derivative(info.name, info.digest, w, round(height * w / width) or 1, fmt, box)
        for fmt in formats
        for w in widths
    )


def crop_box(width: int, height: int, focal: tuple[float, float], aspect: float) -> tuple[int, int, int, int]:
    """The largest window of ``aspect`` (width to height) that fits a photo of ``width`` ×
    ``height`` pixels, centred on ``focal`` (percentages of the width and height from the top
    left) as far as the photo's edges allow: (left, top, right, bottom)."""
    crop_width = max(1, min(width, round(height * aspect)))
    crop_height = max(1, min(height, round(width / aspect)))
    left = round(width * focal[0] / 100 - crop_width / 2)
    top = round(height * focal[1] / 100 - crop_height / 2)
    left = min(max(left, 0), width - crop_width)
    top = min(max(top, 0), height - crop_height)
    return left, top, left + crop_width, top + crop_height


def encode(derivative: Derivative, data: bytes) -> bytes:
    """The copy's bytes (pure: the same source and settings give the same bytes)."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        image = ImageOps.exif_transpose(image)  # as the camera held it; the copies carry no EXIF
        if derivative.format == "jpeg" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        elif image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert(
                "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
            )
        if derivative.crop is not None:
            image = image.crop(derivative.crop)
        if image.size != (derivative.width, derivative.height):
            image = image.resize((derivative.width, derivative.height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        encoder, options = ENCODERS[derivative.format]
        image.save(out, encoder, **options)
        return out.getvalue()


def encode_each(items: Sequence[tuple[Derivative, bytes]]) -> tuple[bytes, ...]:
    return tuple(encode(derivative, data) for derivative, data in items)


def image_set(info: ImageInfo, published: Mapping[Derivative, str]) -> ImageSet:
    """The ``<picture>``'s sources from the copies' published paths (below the site's root)."""
    return _image_set(info, info.width, info.height, plan(info), published)


def hero_set(info: ImageInfo, focal: tuple[float, float], published: Mapping[Derivative, str]) -> ImageSet:
    """The ``<picture>``'s sources of the photo's wide crop around ``focal`` (see ``hero_plan``)."""
    box = crop_box(info.width, info.height, focal, HERO_ASPECT)
    return _image_set(info, box[2] - box[0], box[3] - box[1], hero_plan(info, focal), published)


def _image_set(
    info: ImageInfo,
    width: int,
    height: int,
    copies: Sequence[Derivative],
    published: Mapping[Derivative, str],
) -> ImageSet:
    by_format: dict[str, list[tuple[int, str]]] = {}
    for derivative in copies:
        by_format.setdefault(derivative.format, []).append(
            (derivative.width, file_url(published[derivative]))
        )
    order = [fmt for fmt in ("avif", "webp") if fmt in by_format] + [
        fmt for fmt in by_format if fmt not in ("avif", "webp")
    ]
    sources = tuple((MIME_TYPES[fmt], tuple(sorted(by_format[fmt]))) for fmt in order)
    return ImageSet(width, height, sources, info.digest)


def hero_name(name: str, focal: tuple[float, float]) -> str:
    """How ``AssetManifest.heroes`` names the crop of the photo ``name`` around ``focal``."""
    return f"{name}@{focal[0]:g},{focal[1]:g}"


def picture(image: ImageSet, attributes: Sequence[tuple[str, str]]) -> str:
    """``<picture>`` around an ``<img>`` with ``attributes`` (escaped here): its ``src`` and
    ``srcset`` are the fallback copies; ``width`` and ``height`` are the photo's unless given."""
    given = dict(attributes)
    sources = "".join(
        f'<source type="{mime}" srcset="{_srcset(copies)}" sizes="{SIZES}">'
        for mime, copies in image.sources[:-1]
    )
    fallback_copies = image.sources[-1][1]
    img = [("src", image.fallback), ("srcset", _srcset(fallback_copies)), ("sizes", SIZES)]
    img += [
        (name, value)
        for name, value in attributes
        if name not in ("src", "srcset", "sizes", "width", "height")
    ]
    img += list(
        zip(
            ("width", "height"),
            shown_size(image, given.get("width", ""), given.get("height", "")),
            strict=True,
        )
    )
    shown = " ".join(f'{name}="{escape(value)}"' for name, value in img)
    return f"<picture>{sources}<img {shown}></picture>"


def _srcset(copies: tuple[tuple[int, str], ...]) -> str:
    return ", ".join(f"{url} {width}w" for width, url in copies)


def shown_size(image: ImageSet, width: str, height: str) -> tuple[str, str]:
    """The size to show: as typed (both, or one with the other in the photo's proportions),
    else the photo's own."""
    if width.isdigit() and height.isdigit():
        return width, height
    if width.isdigit():
        return width, str(round(int(width) * image.height / image.width))
    if height.isdigit():
        return str(round(int(height) * image.width / image.height)), height
    return str(image.width), str(image.height)


def probe_each(files: Sequence) -> list[ImageInfo | SiteError]:
    """``probe`` for each asset (an ``OutputFile`` named as in ``assets/``); a mistake as a
    value, so that the memo keeps the photos that could be read."""
    results: list[ImageInfo | SiteError] = []
    for file in files:
        try:
            results.append(probe(file.path, file.data))
        except SiteError as error:
            results.append(error)
    return results


def no_setup() -> None:
    """What a worker encoding copies does first: nothing (``workers.in_workers`` asks)."""


def readable(found: ImageInfo | SiteError) -> bool:
    """Whether ``probe_each`` read the photo (a mistake is not kept: it is reported again)."""
    return isinstance(found, ImageInfo)


# --- a page's own photo ------------------------------------------------------


def focal_point(front) -> tuple[float, float]:
    """Where the subject of the page's photo is (``focal_point`` in its front matter), as
    percentages of its width and height from the top left; the centre if not given."""
    point = front.focal_point
    return CENTRE if point is None else (float(point[0]), float(point[1]))


def page_photos(pages: Iterable) -> tuple[tuple[str, tuple[float, float]], ...]:
    """The photos ``pages`` show at their top, each with its focal point, once each, sorted."""
    return tuple(sorted({(page.front.image, focal_point(page.front)) for page in pages if page.front.image}))


def photo_problems(sources: Iterable, assets: Collection[str]) -> list[SiteError]:
    """Pages (drafts too: the preview shows them) whose ``image`` is no photo in ``assets``
    (names as in ``assets/``), or that say nothing of what it shows (no ``image_alt``)."""
    errors = []
    for source in sources:
        front = source.front
        if front.image is None:
            continue
        line = front.lines.get("image")
        unshown = unshown_photo(front.image)
        if unshown is not None:
            errors.append(SiteError(unshown[0], source.path, line, unshown[1]))
        elif front.image not in assets or not is_raster(front.image):
            errors.append(
                SiteError(
                    msg(
                        "{key} {problem}",
                        key="image",
                        problem=msg(
                            "'{value}' is not {what}", value=front.image, what=msg("a photo in assets/")
                        ),
                    ),
                    source.path,
                    line,
                    _photo_hint(front.image, assets),
                )
            )
        elif front.image_alt is None:
            errors.append(
                SiteError(
                    msg("missing required key '{key}'", key="image_alt"),
                    source.path,
                    line,
                    msg("add 'image_alt: …' saying what the photo shows, for visitors who cannot see it"),
                )
            )
    return errors


def _photo_hint(name: str, assets: Collection[str]) -> Message:
    photos = [asset for asset in assets if is_raster(asset)]
    close = closest(name.removeprefix("/").removeprefix(f"{ASSETS_DIR}/"), photos)
    if close is not None:
        return did_you_mean(close)
    return msg("the name of a JPEG, PNG or WebP photo in assets/, such as images/harbour.jpg")
