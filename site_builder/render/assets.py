"""``assets/`` → fingerprinted copies (``site.3f9a1c2e.css``) and a manifest.

A file's name carries the first 8 hex digits of the SHA-256 of its bytes, so a
CDN may cache it forever. ``url(…)`` references between assets in CSS files
are rewritten to the fingerprinted names first, so a changed font or image
changes the stylesheet's fingerprint too.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import posixpath
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from site_builder.content.load import SourcePage, bad_name, is_ignored, link_outside
from site_builder.errors import SiteError, msg, raise_if_any
from site_builder.project import ASSETS_DIR
from site_builder.render.images import ImageSet
from site_builder.render.minify import minified
from site_builder.site.files import OutputFile, file_url

ASSETS_URL = "/assets/"
# How the build names what it publishes in /assets/ (here, and the photos' copies and social
# cards, see ``images`` and ``cards``): 8 hexadecimal digits of a digest before the suffix.
DIGEST_IN_NAME = re.compile(r"\.[0-9a-f]{8}(?=\.[^./]+$)")
# url(…) in a stylesheet: quoted (a name with a space, say) or not.
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"\n]+)"|'([^'\n]+)'|([^'"()\s]+))\s*\)""")


@dataclass(frozen=True, slots=True)
class AssetManifest:
    """Each asset's published address, its name carrying a digest of its bytes and encoded as
    an address needs it (see ``files.file_url``); for photos, their copies (see ``render.images``)."""

    urls: Mapping[str, str]  # "site.css" → "/assets/site.3f9a1c2e.css", "a b.pdf" → "/assets/a%20b.….pdf"
    images: Mapping[str, ImageSet] = field(default_factory=dict)  # "images/harbour.jpg" → its copies
    # Pages' own photos, cropped around their focal points: images.hero_name → the crop's copies.
    heroes: Mapping[str, ImageSet] = field(default_factory=dict)

    def url(self, name: str) -> str:
        try:
            return self.urls[name]
        except KeyError:
            raise KeyError(name) from None


def read_assets(root: Path) -> dict[str, bytes]:
    """Every file below ``assets/`` by its "/"-separated relative name, in sorted order;
    a symbolic link that leads outside ``assets/`` is refused (see ``link_outside``), and so is
    a file or folder whose name cannot be part of an address (see ``load.bad_name``)."""
    folder = root / ASSETS_DIR
    if not folder.is_dir():
        return {}
    outside = link_outside(folder, root, ASSETS_DIR)
    if outside is not None:
        raise outside
    # Linked folders are not entered: a path below a folder that is no link is inside unless
    # it is a link itself. Nothing below an ignored folder is taken either.
    found: list[tuple[list[str], os.DirEntry]] = []
    errors = []
    pending: list[tuple[str, list[str]]] = [(str(folder), [])]
    while pending:
        current, parts = pending.pop()
        try:
            with os.scandir(current) as entries:
                listed = [entry for entry in entries if not is_ignored(entry.name)]
        except OSError:
            continue  # a folder that cannot be listed is passed over, as by ``Path.rglob``
        for entry in listed:
            plain = entry.name.isascii() and entry.name.isprintable() and "\\" not in entry.name
            misnamed = None if plain else bad_name(Path(entry.path), root, in_address=True)
            if misnamed is not None:
                errors.append(misnamed)
            elif entry.is_dir(follow_symlinks=False):
                pending.append((entry.path, [*parts, entry.name]))
            else:
                found.append(([*parts, entry.name], entry))
    files = {}
    for parts, entry in sorted(found, key=lambda item: item[0]):
        outside = link_outside(Path(entry.path), root, ASSETS_DIR) if entry.is_symlink() else None
        if outside is not None:
            errors.append(outside)
        elif entry.is_file():
            with open(entry.path, "rb") as file:
                files["/".join(parts)] = file.read()
    raise_if_any(errors + _written_twice(files))
    return files


def _written_twice(names: Iterable[str]) -> list[SiteError]:
    """Files whose names differ only in how their accents are written (see ``asset_name``): a
    page naming either could mean both, and a Mac cannot hold the two in one folder."""
    errors = []
    first: dict[str, str] = {}
    for name in names:
        if not name.isascii():
            same = first.setdefault(unicodedata.normalize("NFC", name), name)
            if same != name:
                message = msg(
                    "{other} has the same name, its accents written another way (as one character "
                    "or as a letter and a mark): a page naming either could mean both",
                    other=f"{ASSETS_DIR}/{same}",
                )
                errors.append(
                    SiteError(message, f"{ASSETS_DIR}/{name}", hint=msg("rename one of the two files"))
                )
    return errors


def fingerprint(
    files: Mapping[str, bytes], minify: bool = False
) -> tuple[AssetManifest, tuple[OutputFile, ...]]:
    """Pure: names and bytes in, manifest and output files out; with ``minify``, CSS and
    JavaScript minified before their names take their digest."""
    urls: dict[str, str] = {}
    outputs = []
    plain = sorted(name for name in files if not name.endswith(".css"))
    styles = sorted(name for name in files if name.endswith(".css"))
    for name in plain + styles:
        data = files[name]
        if name.endswith(".css"):
            data = _rewrite_css(name, data, urls)
        saved = 0
        if minify:
            try:
                smaller = minified(OutputFile(name, data))
            except UnicodeDecodeError as error:
                raise _not_text(name, data, error) from None
            data, saved = smaller.data, smaller.saved
        digest = hashlib.sha256(data).hexdigest()[:8]
        path = PurePosixPath(name)
        hashed = path.with_name(f"{path.stem}.{digest}{path.suffix}").as_posix()
        published = f"{ASSETS_DIR}/{hashed}"
        urls[name] = file_url(published)
        outputs.append(OutputFile(published, data, saved=saved))
    return AssetManifest(urls), tuple(sorted(outputs, key=lambda f: f.path))


def _not_text(name: str, data: bytes, error: UnicodeDecodeError) -> SiteError:
    """The stylesheet or script ``name`` is not UTF-8: where, as for a page (``load.decode``)."""
    line = data[: error.start].count(b"\n") + 1
    return SiteError(
        msg("the file is not valid UTF-8 text"), f"{ASSETS_DIR}/{name}", line, msg("save the file as UTF-8")
    )


def _rewrite_css(name: str, data: bytes, urls: Mapping[str, str]) -> bytes:
    folder = posixpath.dirname(name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _not_text(name, data, error) from None

    def replace(match: re.Match) -> str:
        ref = match.group(1) or match.group(2) or match.group(3)
        if ref.startswith(("data:", "http:", "https:", "/", "#")):
            return match.group(0)
        target = asset_name(posixpath.normpath(posixpath.join(folder, ref.split("?")[0].split("#")[0])), urls)
        if target is None:
            raise SiteError(
                msg("url({ref}) refers to a file that is not in assets/", ref=ref),
                f"{ASSETS_DIR}/{name}",
                text[: match.start()].count("\n") + 1,
                msg("add the file to assets/ or correct the path"),
            )
        return f"url({urls[target]})"

    return _CSS_URL.sub(replace, text).encode("utf-8")


def asset_name(written: str, names: Collection[str]) -> str | None:
    """The file of ``names`` (names in assets/) that ``written`` names, a path inside assets/
    as content or a stylesheet writes it: as the file is named (``team photo.jpg``), or
    percent-encoded as in an address (``team%20photo.jpg``); None if none.

    An accent may be written as one character (é) or as a letter and a combining mark (e and
    U+0301), which look the same: editors and file systems on macOS write the second, most
    others the first. A name written one way finds the file named the other way (``read_assets``
    refuses two files whose names differ only so)."""
    if written in names:
        return written
    decoded = unquote(written)
    if decoded in names:
        return decoded
    wanted = unicodedata.normalize("NFC", decoded)
    return next((name for name in names if unicodedata.normalize("NFC", name) == wanted), None)


def photos_as_named(sources: Sequence[SourcePage], names: Collection[str]) -> tuple[SourcePage, ...]:
    """``sources``, each page whose ``image:`` names a file of ``names`` (those in assets/)
    otherwise than the file is named (see ``asset_name``) given the file's own name: the page's
    photo, its crops and its card are then the file's wherever they are made. The front matter's
    digest takes the name in, so that equal digests still mean equal front matter."""
    return tuple(_photo_as_named(source, names) for source in sources)


def _photo_as_named(source: SourcePage, names: Collection[str]) -> SourcePage:
    image = source.front.image
    named = asset_name(image, names) if image is not None and image not in names else None
    if named is None:
        return source
    digest = hashlib.sha256(f"{source.doc.front_digest}\0{named}".encode()).hexdigest()
    front = dataclasses.replace(source.front, image=named)
    return dataclasses.replace(source, doc=dataclasses.replace(source.doc, front=front, front_digest=digest))
