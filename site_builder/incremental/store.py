"""The build cache on disk: results of pure stages, kept for the next build in a new process.

What is kept is what ``stages.BuildCache`` holds between builds in the
preview, but its compiled templates: parsed content files, converted Markdown,
which rendered pages and feeds came from which inputs (their digests, not
their bytes: those are in the output folder, see ``record``), per-file
check results and UI-string checks, compiled message catalogues and formatted
dates, each under a key made of all its inputs.

No code is stored. Compiled templates are Python code that a build would run,
so only the preview keeps them, in its own memory; a build from the cache
compiles the templates from their files. The cache may come from elsewhere
(``--cache-dir`` can be shared between CI jobs), and reading it creates
data only: strings, bytes, numbers, booleans, None, tuples, lists, dicts,
sets and frozensets, dates (``datetime.date``), objects of the classes in
``CACHED_CLASSES``, and a ``StoredText`` for each text kept apart (see below),
which must lie in its segment. Those classes, ``datetime.date`` and
``_stored_text`` (read as a ``StoredText``) are all that a file can name, each
by its exact module and name (``_CacheUnpickler``), and all they do with the
values a file gives them is keep them (an ``OutputFile`` given no digest takes
that of its bytes). A file that names any other class, any function or any
module is not used, and the build starts cold.

Stored with ``pickle``, the fastest of the standard formats to load these
values with, in one file: the whole, written atomically (a temporary file,
then ``os.replace``), followed by what each later build changed, appended,
so that a build after one edit writes kilobytes, not the whole cache.
The Markdown and HTML of each page (the fields named by ``deferred.deferred_texts``)
follow each segment's pickle as UTF-8, each with its own checksum, and are
read, checked and decoded only when a build reads them (``StoredText``): a
rebuild after one edit reads those of the edited page alone, and most of the
cache is these texts. A text that no longer matches its checksum stops the
build that reads it (``CacheDamaged``), which starts again without the cache.
The file starts with the cache's version (the format, and the identity of the
code, see ``record.code_identity``), and each segment with its size and the
checksum of its pickle: a file written by other code, truncated, or changed
anywhere but in a text is ignored and the build starts cold.
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
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from site_builder.config import Language, SiteConfig
from site_builder.content.frontmatter import Figure, FrontMatter, Swot, SwotItem
from site_builder.content.load import FrontText, SourceText
from site_builder.errors import SiteError
from site_builder.incremental.deferred import Deferred, stored
from site_builder.incremental.record import code_identity
from site_builder.render.markup import Body, Link, RenderedPage
from site_builder.site.files import OutputFile

FORMAT = 7
CACHE_FILE = "build-cache.pickle"
_HEADER = b"site-builder cache\n"

# Every class of this package whose objects the cache holds. Each object is stored as its
# class and its fields' values, and read back by calling the class with them: the only calls
# a cache file can make, besides making a date and ``_stored_text``. A class missing here
# cannot be written (``_CachePickler``), rather than be refused by every reader.
CACHED_CLASSES = (
    SiteConfig,
    Language,
    SourceText,
    FrontText,
    FrontMatter,
    Figure,
    Swot,
    SwotItem,
    RenderedPage,
    Body,
    Link,
    OutputFile,
    SiteError,
)
# Not a data class: its arguments, which it keeps as attributes of the same names.
_SITE_ERROR_FIELDS = ("message", "path", "line", "hint")


def cache_version() -> str:
    return hashlib.sha256(f"{FORMAT}\0{code_identity()}".encode()).hexdigest()


class _CacheUnpickler(pickle.Unpickler):
    """Makes only what a build cache holds (see the module's description): every class or
    function a pickle names, and so every call it can make, comes through ``find_class``."""

    def __init__(self, file, texts: Callable[[int, int, int], StoredText]) -> None:
        super().__init__(file)
        self._texts = texts

    def find_class(self, module: str, name: str):
        if module == __name__ and name == _stored_text.__name__:
            return self._texts  # this segment's texts
        # Looked up by the exact pair, never imported nor followed through dots: a file can
        # name nothing that is not on the list.
        cls = _READABLE.get((module, name))
        if cls is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a build cache")
        return cls


def read_cache(cache_dir: Path) -> tuple[dict[str, object], Stored] | None:
    """The parts stored by ``write_cache``, and what ``write_cache`` needs to add to them;
    None if there are none this code can trust."""
    try:
        file = open(cache_dir / CACHE_FILE, "rb")
    except OSError:
        return None
    try:
        with file:
            if file.readline() != _HEADER or file.readline().rstrip(b"\n").decode() != cache_version():
                return None
            # Mapped, not read: the checksums and the unpickler read the pages of the file
            # where they lie, without a copy of what may be a hundred megabytes.
            with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                # Texts are read later, from a descriptor of their own: after a rewrite of the
                # cache it still reads the file as it was (os.replace leaves it to its readers).
                return _segments(mapped, file.tell(), _TextFile(os.dup(file.fileno())))
    except Exception:  # noqa: BLE001 - whatever is wrong with the file, it is not used
        return None


def _segments(mapped: mmap.mmap, offset: int, texts: _TextFile) -> tuple[dict[str, object], Stored] | None:
    parts: dict | None = None
    segments, added, base = 0, 0, 0
    while offset < len(mapped):
        size = int.from_bytes(mapped[offset : offset + 8], "big")
        start, end = offset + _SEGMENT_HEAD, offset + _SEGMENT_HEAD + size
        if end > len(mapped):
            return None
        pickled = int.from_bytes(mapped[start : start + 8], "big")
        texts_start = start + 8 + pickled
        if texts_start > end:
            return None
        # The pickle only: each text is checked when it is read, and most never are.
        with memoryview(mapped)[start:texts_start] as checked:
            if zlib.crc32(checked) != int.from_bytes(mapped[offset + 8 : start], "big"):
                return None
        mapped.seek(start + 8)
        segment = _load(mapped, partial(_text_in_segment, texts, texts_start, end - texts_start))
        if parts is None:
            parts, base = segment, size
        else:
            _apply(parts, segment)
            added += _SEGMENT_HEAD + size
        segments, offset = segments + 1, end
    if not isinstance(parts, dict):
        return None
    return parts, Stored(_snapshot(parts), base, added, segments)


def _text_in_segment(file: _TextFile, base: int, size: int, offset: int, length: int, crc: int) -> StoredText:
    """A text kept apart, which must lie among its segment's ``size`` bytes of texts: the
    checksum of the pickle finds damage, not a file made to read elsewhere."""
    whole_numbers = type(offset) is int and type(length) is int and type(crc) is int
    if not (whole_numbers and 0 <= offset and 0 <= length <= size - offset):
        raise pickle.UnpicklingError("a text kept apart lies outside its segment")
    return StoredText(file, base, offset, length, crc)


def _load(file, texts: Callable[[int, int, int], StoredText]) -> object:
    # Unpickling creates objects by the hundred thousand and no cycles. The garbage
    # collector's passes in between would find nothing, and take as long as the loading;
    # once loaded, the objects are moved out of its sight (``gc.freeze``), since the next
    # pass would otherwise walk every one of them. Unused, they are still freed as usual.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _CacheUnpickler(file, texts).load()
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


def write_cache(cache_dir: Path, parts: Mapping[str, object], stored: Stored | None = None) -> None:
    """Store ``parts`` in ``cache_dir``.

    ``stored`` is what ``read_cache`` found. Then only what changed since is
    appended, as one more segment, unless the appended segments would outgrow
    ``MAX_ADDED`` × the first or number ``MAX_SEGMENTS``: then, as without
    ``stored``, the whole is written to a new file that replaces the old in one step.
    Dict parts are compared by identity: a stage keeps the very value it was
    given when nothing changed.
    """
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        if stored is not None:
            delta = _delta(stored.parts, parts)
            if not delta:
                return
            segment = _segment(delta)
            if stored.added + len(segment) <= stored.base * MAX_ADDED and stored.segments < MAX_SEGMENTS:
                with open(cache_dir / CACHE_FILE, "ab") as file:
                    file.write(segment)
                return
        whole = _segment(dict(parts))
        with tempfile.NamedTemporaryFile(dir=cache_dir, prefix=f".{CACHE_FILE}.", delete=False) as file:
            file.write(_file_head())
            file.write(whole)
        os.replace(file.name, cache_dir / CACHE_FILE)
    except CacheDamaged:
        # A text this build did not read, copied from the file as it was: the file changed
        # since. Nothing of it is kept; the next build starts cold.
        (cache_dir / CACHE_FILE).unlink(missing_ok=True)
    except OSError as error:
        raise SiteError(
            f"cannot write the build cache to {cache_dir}: {error.strerror}",
            hint="choose another folder with --cache-dir, or build with --no-cache",
        ) from None


# Each segment: its size (8 bytes) and a CRC-32 (4 bytes; it finds damage, as in zip and PNG
# files, at a third of the cost of a SHA-256), then the size of its pickle (8 bytes) and the
# pickle, which that CRC-32 covers, then the texts it keeps apart, whose CRC-32s the pickle holds.
_SEGMENT_HEAD = 12
# Shorter texts stay in the pickle: reading one apart costs more than it saves.
MIN_APART = 512
# Appended segments hold, per part, ("dict", changed entries, removed keys) or ("value", value).
MAX_ADDED = 0.5  # × the first segment's size
MAX_SEGMENTS = 64


class _CachePickler(pickle.Pickler):
    """Stores objects of ``CACHED_CLASSES`` as (class, field values), to be read back by calling
    the class: three times as fast to read as the standard way for frozen classes with
    slots, which sets each field through Python code, and no call but that of the class.
    Texts of the fields named by ``deferred_texts`` go to ``texts``, and the pickle holds
    where they are. Refuses anything the reader would refuse."""

    def __init__(self, file) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.texts = io.BytesIO()

    def reducer_override(self, obj):
        # Called for every object but those of the built-in types, which pickle writes itself.
        cls = type(obj)
        fields = _FIELDS.get(cls)
        if fields is not None:
            values = (self._apart(obj, name) if apart else getattr(obj, name) for name, apart in fields)
            return cls, tuple(values)
        named = obj is _stored_text or (cls is type and obj in _NAMED_CLASSES)
        if named or cls in (datetime.date, _TextPlace):
            return NotImplemented  # written the standard way, and read by ``_CacheUnpickler``
        raise pickle.PicklingError(
            f"the build cache does not store {cls.__module__}.{cls.__qualname__} (see store.CACHED_CLASSES)"
        )

    def _apart(self, obj: object, name: str) -> object:
        value = stored(obj, name)  # a text not read since it was loaded is copied as it is
        data = value.raw() if isinstance(value, StoredText) else value.encode("utf-8", "surrogatepass")
        if len(data) < MIN_APART:
            return getattr(obj, name)
        place = _TextPlace(self.texts.tell(), len(data), zlib.crc32(data))
        self.texts.write(data)
        return place


class _TextPlace:
    """Pickled as a call of ``_stored_text``, which the reader answers with a ``StoredText``."""

    __slots__ = ("offset", "length", "crc")

    def __init__(self, offset: int, length: int, crc: int) -> None:
        self.offset, self.length, self.crc = offset, length, crc

    def __reduce__(self):
        return _stored_text, (self.offset, self.length, self.crc)


def _stored_text(offset: int, length: int, crc: int) -> str:
    """Named in a pickle where a text is kept apart; ``_CacheUnpickler`` reads that name
    as this segment's ``StoredText``."""
    raise pickle.UnpicklingError("a text kept apart is read by the build cache's own reader")


def _stored_fields(cls: type) -> tuple[tuple[str, bool], ...]:
    """The fields whose values, given in order, make an object of ``cls`` again, each with
    whether its text is kept apart (see ``deferred_texts``)."""
    names = _SITE_ERROR_FIELDS if cls is SiteError else tuple(field.name for field in dataclasses.fields(cls))
    apart = getattr(cls, "__deferred_texts__", ())
    return tuple((name, name in apart) for name in names)


_FIELDS = {cls: _stored_fields(cls) for cls in CACHED_CLASSES}
# Everything a cache file may name, by the module and qualified name pickle writes, each
# pair matched exactly; ``_stored_text`` besides, which the reader answers itself.
_READABLE = {(cls.__module__, cls.__qualname__): cls for cls in (*CACHED_CLASSES, datetime.date)}
_NAMED_CLASSES = frozenset(_READABLE.values())


class _TextFile:
    """The cache file as opened by ``read_cache``, for its ``StoredText`` objects; closed
    once none of them is left."""

    __slots__ = ("descriptor",)

    def __init__(self, descriptor: int) -> None:
        self.descriptor = descriptor

    def read(self, offset: int, length: int) -> bytes:
        if hasattr(os, "pread"):  # at an offset of its own: worker processes share the descriptor
            return os.pread(self.descriptor, length, offset)
        os.lseek(self.descriptor, offset, os.SEEK_SET)  # Windows, which has no workers sharing it
        return os.read(self.descriptor, length)

    def __del__(self) -> None:
        os.close(self.descriptor)


class StoredText(Deferred):
    """A text kept apart in the cache file: where it is, its length in bytes and its CRC-32."""

    __slots__ = ("file", "offset", "length", "crc")

    def __init__(self, file: _TextFile, base: int, offset: int, length: int, crc: int) -> None:
        self.file, self.offset, self.length, self.crc = file, base + offset, length, crc

    def raw(self) -> bytes:
        data = self.file.read(self.offset, self.length)
        if len(data) != self.length or zlib.crc32(data) != self.crc:
            raise CacheDamaged(
                f"a text in the build cache does not match its checksum (at byte {self.offset})"
            )
        return data

    def load(self) -> str:
        return self.raw().decode("utf-8", "surrogatepass")


class CacheDamaged(BaseException):
    """A text kept apart in the cache file no longer matches its checksum: something wrote
    into the file since. The build that reads it starts again without the cache (see
    ``pipeline.build``). Not an ``Exception``: handlers of a page's or a template's
    mistakes, in this process or in a worker, pass it on untouched."""


def _segment(value: object) -> bytes:
    buffer = io.BytesIO()
    pickler = _CachePickler(buffer)
    pickler.dump(value)
    return _framed(buffer.getvalue(), pickler.texts.getvalue())


def _framed(pickled: bytes, texts: bytes = b"") -> bytes:
    """A segment of the file: ``pickled`` and the ``texts`` it keeps apart, with their sizes and checksum."""
    checked = len(pickled).to_bytes(8, "big") + pickled
    size = len(checked) + len(texts)
    return b"".join((size.to_bytes(8, "big"), zlib.crc32(checked).to_bytes(4, "big"), checked, texts))


def _file_head() -> bytes:
    """What the file starts with, before its first segment."""
    return _HEADER + f"{cache_version()}\n".encode()


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
