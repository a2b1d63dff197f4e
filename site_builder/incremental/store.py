"""The build cache on disk: results of pure stages, kept for the next build in a new process.

What is kept is the memo of the build's steps (see ``memo``) but its compiled
templates and Jinja environments: content files as read, converted Markdown,
rendered pages and feeds (their digests, not their bytes: those are in the
output folder, see ``record``), per-file check results and UI-string checks,
compiled message catalogues and formatted dates, each under its key.

No code is stored. Compiled templates are Python code that a build would run,
so only the preview keeps them, in its own memory; a build from the cache
compiles the templates from their files. The cache may come from elsewhere
(``--cache-dir`` can be shared between CI jobs), and reading it creates
data only: strings, bytes, numbers, booleans, None, tuples, lists, dicts,
sets and frozensets, dates (``datetime.date``) and objects of the classes in
``CACHED_CLASSES``. Those classes and ``datetime.date`` are all that a file can
name, each by its exact module and name (``_CacheUnpickler``), and all they do with the
values a file gives them is keep them (an ``OutputFile`` given no digest takes
that of its bytes). A file that names any other class, any function or any
module is not used, and the build starts cold.

Stored with ``pickle``, the fastest of the standard formats to load these
values with, in one file: the whole, written atomically (a temporary file,
then ``os.replace``), followed by what each later build changed, appended,
so that a build after one edit writes kilobytes, not the whole cache.
Everything is read when the file is: the objects a build gets are whole, and
a damaged file is found there, before any stage runs. The file starts with
the cache's version (the format, and the identity of the code, see
``record.running_code_identity``), and each segment with its size and its signature:
that of the version and the pickle with the key of ``signing``. A file written
by other code or signed with another key (made elsewhere, or planted),
truncated or changed anywhere is ignored and the build starts cold.
"""

from __future__ import annotations

import dataclasses
import datetime
import gc
import hashlib
import io
import mmap
import os
import pickle
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from site_builder.config import Language, SiteConfig, Topic
from site_builder.content.frontmatter import Figure, FrontMatter, Place, Swot, SwotItem
from site_builder.content.load import FrontText, SourceText
from site_builder.errors import LanguageName, Message, SiteError, msg
from site_builder.incremental import signing
from site_builder.incremental.record import running_code_identity, unwritable_cache
from site_builder.render.cards import Card
from site_builder.render.images import ImageInfo
from site_builder.render.markup import Body, Link, RenderedPage
from site_builder.render.search import SearchRecord
from site_builder.site.files import OutputFile

FORMAT = 13
CACHE_FILE = "build-cache.pickle"
_HEADER = b"site-builder cache\n"

# Every class of this package whose objects the cache holds. Each object is stored as its
# class and its fields' values, and read back by calling the class with them: the only calls
# a cache file can make, besides making a date and ``_stored_text``. A class missing here
# cannot be written (``_CachePickler``), rather than be refused by every reader.
CACHED_CLASSES = (
    SiteConfig,
    Language,
    Topic,
    SourceText,
    FrontText,
    FrontMatter,
    Figure,
    Swot,
    SwotItem,
    Place,
    RenderedPage,
    Body,
    Link,
    OutputFile,
    SiteError,
    Message,
    LanguageName,
    ImageInfo,
    SearchRecord,
    Card,
)
# Not a data class: the attributes that keep its arguments as given (messages, not their text).
_SITE_ERROR_FIELDS = ("message_text", "path", "line", "hint_text")


def cache_version() -> str:
    return hashlib.sha256(f"{FORMAT}\0{running_code_identity()}".encode()).hexdigest()


class _CacheUnpickler(pickle.Unpickler):
    """Makes only what a build cache holds (see the module's description): every class or
    function a pickle names, and so every call it can make, comes through ``find_class``."""

    def find_class(self, module: str, name: str):
        # Looked up by the exact pair, never imported nor followed through dots: a file can
        # name nothing that is not on the list.
        cls = _READABLE.get((module, name))
        if cls is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a build cache")
        return cls


def read_cache(cache_dir: Path, key: bytes | None = None) -> tuple[dict[str, object], Stored] | None:
    """The parts stored by ``write_cache``, and what ``write_cache`` needs to add to them;
    None if there are none this code can trust. ``key``: see ``signing`` (None: ``cache_key()``)."""
    key = key if key is not None else signing.cache_key()
    try:
        file = open(cache_dir / CACHE_FILE, "rb")
    except OSError:
        return None
    try:
        with file:
            version = cache_version()
            if file.readline() != _HEADER or file.readline().rstrip(b"\n").decode() != version:
                return None
            # Mapped, not read: the signatures and the unpickler read the pages of the file
            # where they lie, without a copy of what may be a hundred megabytes.
            with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                return _segments(mapped, file.tell(), key, version.encode())
    except Exception:  # noqa: BLE001 - whatever is wrong with the file, it is not used
        return None


def _segments(
    mapped: mmap.mmap, offset: int, key: bytes, version: bytes
) -> tuple[dict[str, object], Stored] | None:
    parts: dict | None = None
    segments, added, base = 0, 0, 0
    while offset < len(mapped):
        size = int.from_bytes(mapped[offset : offset + 8], "big")
        start, end = offset + _SEGMENT_HEAD, offset + _SEGMENT_HEAD + size
        if end > len(mapped):
            return None
        with memoryview(mapped)[start:end] as checked:
            if not signing.signed_by(key, mapped[offset + 8 : start], version, checked):
                return None
        mapped.seek(start)
        segment = _load(mapped)
        if mapped.tell() != end:
            return None
        if parts is None:
            parts, base = segment, size
        else:
            _apply(parts, segment)
            added += _SEGMENT_HEAD + size
        segments, offset = segments + 1, end
    if not isinstance(parts, dict):
        return None
    return parts, Stored(_snapshot(parts), base, added, segments)


def _load(file) -> object:
    # Unpickling creates objects by the hundred thousand and no cycles. The garbage
    # collector's passes in between would find nothing, and take as long as the loading;
    # once loaded, the objects are moved out of its sight (``gc.freeze``), since the next
    # pass would otherwise walk every one of them. Unused, they are still freed as usual.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _CacheUnpickler(file).load()
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


@dataclass(frozen=True, slots=True)
class Stored:
    """What the cache file holds: the parts as read (each dict copied), and its sizes."""

    parts: dict[str, object]
    base: int  # bytes of the first, whole segment
    added: int  # bytes of the segments appended since
    segments: int


def write_cache(
    cache_dir: Path, parts: Mapping[str, object], stored: Stored | None = None, key: bytes | None = None
) -> None:
    """Store ``parts`` in ``cache_dir``, signed with ``key`` (see ``signing``; None: ``cache_key()``).

    ``stored`` is what ``read_cache`` found. Then only what changed since is
    appended, as one more segment, unless the appended segments would outgrow
    ``MAX_ADDED`` × the first or number ``MAX_SEGMENTS``: then, as without
    ``stored``, the whole is written to a new file that replaces the old in one step.
    Dict parts are compared by identity: a stage keeps the very value it was
    given when nothing changed.
    """
    key = key if key is not None else signing.cache_key()
    version = cache_version()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        if stored is not None:
            delta = _delta(stored.parts, parts)
            if not delta:
                return
            segment = _segment(delta, key, version)
            if stored.added + len(segment) <= stored.base * MAX_ADDED and stored.segments < MAX_SEGMENTS:
                with open(cache_dir / CACHE_FILE, "ab") as file:
                    file.write(segment)
                return
        whole = _segment(dict(parts), key, version)
        with tempfile.NamedTemporaryFile(dir=cache_dir, prefix=f".{CACHE_FILE}.", delete=False) as file:
            file.write(_file_head(version))
            file.write(whole)
        os.replace(file.name, cache_dir / CACHE_FILE)
    except OSError as error:
        raise unwritable_cache(
            msg("cannot write the build cache to {folder}: {reason}", folder=cache_dir, reason=error.strerror)
        ) from None


# Each segment: the size of its pickle (8 bytes) and its signature (an HMAC-SHA-256 of the
# cache's version and the pickle, see ``signing``), then the pickle.
_SEGMENT_HEAD = 8 + signing.SIGNATURE_BYTES
# Appended segments hold, per part, ("dict", changed entries, removed keys) or ("value", value).
MAX_ADDED = 0.5  # × the first segment's size
MAX_SEGMENTS = 64


class _CachePickler(pickle.Pickler):
    """Stores objects of ``CACHED_CLASSES`` as (class, field values), to be read back by calling
    the class: three times as fast to read as the standard way for frozen classes with
    slots, which sets each field through Python code, and no call but that of the class.
    Refuses anything the reader would refuse."""

    def __init__(self, file) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)

    def reducer_override(self, obj):
        # Called for every object but those of the built-in types, which pickle writes itself.
        cls = type(obj)
        fields = _FIELDS.get(cls)
        if fields is not None:
            return cls, tuple(getattr(obj, name) for name in fields)
        if (cls is type and obj in _NAMED_CLASSES) or cls is datetime.date:
            return NotImplemented  # written the standard way, and read by ``_CacheUnpickler``
        raise pickle.PicklingError(
            f"the build cache does not store {cls.__module__}.{cls.__qualname__} (see store.CACHED_CLASSES)"
        )


def _stored_fields(cls: type) -> tuple[str, ...]:
    """The fields whose values, given in order, make an object of ``cls`` again."""
    if cls is SiteError:
        return _SITE_ERROR_FIELDS
    return tuple(
        field.name for field in dataclasses.fields(cls) if field.name not in _NOT_STORED.get(cls, ())
    )


# A file a build's output is copied from (``OutputFile.origin``) is never named by the cache,
# which may come from elsewhere: it could name any file of the machine, to be published. The
# cache keeps such a file as what publishing made of it (``OutputFile.kept``), and reads each
# output file back through ``_output_file``, which takes no origin.
_NOT_STORED = {OutputFile: ("origin",)}


def _output_file(path: str, data: bytes | None, digest: str = "", saved: int = 0) -> OutputFile:
    return OutputFile(path, data, digest, saved)


_FIELDS = {cls: _stored_fields(cls) for cls in CACHED_CLASSES}
# Everything a cache file may name, by the module and qualified name pickle writes, each
# pair matched exactly.
_READERS: dict[type, object] = {OutputFile: _output_file}
_READABLE = {
    (cls.__module__, cls.__qualname__): _READERS.get(cls, cls) for cls in (*CACHED_CLASSES, datetime.date)
}
_NAMED_CLASSES = frozenset((*CACHED_CLASSES, datetime.date))


def _segment(value: object, key: bytes, version: str) -> bytes:
    buffer = io.BytesIO()
    pickler = _CachePickler(buffer)
    pickler.dump(value)
    return _framed(buffer.getvalue(), key, version)


def _framed(pickled: bytes, key: bytes, version: str) -> bytes:
    """A segment of the file: ``pickled`` with its size and signature."""
    signature = signing.sign(key, version.encode(), pickled)
    return b"".join((len(pickled).to_bytes(8, "big"), signature, pickled))


def _file_head(version: str) -> bytes:
    """What the file starts with, before its first segment."""
    return _HEADER + f"{version}\n".encode()


def _snapshot(parts: Mapping[str, object]) -> dict[str, object]:
    return {name: dict(value) if isinstance(value, dict) else value for name, value in parts.items()}


def _delta(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, tuple]:
    delta: dict[str, tuple] = {}
    for name, value in after.items():
        old = before.get(name)
        if isinstance(value, dict) and isinstance(old, dict):
            changed = {key: entry for key, entry in value.items() if old.get(key, _MISSING) is not entry}
            removed = tuple(key for key in old if key not in value)
            if changed or removed:
                delta[name] = ("dict", changed, removed)
        elif value is not old and value != old:
            delta[name] = ("value", value)
    return delta


def _apply(parts: dict[str, object], delta: Mapping[str, tuple]) -> None:
    for name, change in delta.items():
        if change[0] == "dict":
            _, changed, removed = change
            value = parts[name]
            for key in removed:
                value.pop(key, None)
            value.update(changed)
        else:
            parts[name] = change[1]


_MISSING = object()
