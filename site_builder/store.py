"""The build cache on disk: results of pure stages, kept for the next build in a new process.

What is kept is what ``pipeline.BuildCache`` holds between builds in the
preview: parsed content files, converted Markdown, compiled templates,
which rendered pages and feeds came from which inputs (their digests, not
their bytes: those are in the output folder, see ``record``), per-file
check results and UI-string checks, each under a key made of all its inputs.

Stored with ``pickle``, the fastest of the standard formats to load these
values with, in one file: the whole, written atomically (a temporary file,
then ``os.replace``), followed by what each later build changed, appended,
so that a build after one edit writes kilobytes, not the whole cache.
Reading it creates only objects of this package's own data classes and two
plain types of the standard library (``_CacheUnpickler``): a file that
names anything else is not used. The file starts with the cache's
version (the format, and the identity of the code, see
``record.code_identity``), and each segment with its size and checksum: a file
written by other code, truncated or changed in any way is ignored and the
build starts cold.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import io
import mmap
import os
import pickle
import tempfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from site_builder.errors import SiteError
from site_builder.record import code_identity

FORMAT = 3
CACHE_FILE = "build-cache.pickle"
_HEADER = b"site-builder cache\n"
# The classes the cached data classes hold besides this package's own (sets, tuples, dicts
# and strings need none).
_STANDARD_TYPES = {("datetime", "date")}


def cache_version() -> str:
    return hashlib.sha256(f"{FORMAT}\0{code_identity()}".encode()).hexdigest()


def check_cache_folder(cache_dir: Path, out: Path, root: Path, inputs: tuple[str, ...]) -> None:
    """Refuse a cache folder inside the output (it would be published) or inside the inputs."""
    cache_dir = cache_dir.resolve()
    if cache_dir.is_relative_to(out.resolve()):
        raise SiteError(
            f"the cache folder {cache_dir} is inside the output folder, which is published",
            hint="keep the cache outside it, such as the default .site-cache/",
        )
    for name in inputs:
        if cache_dir.is_relative_to(root.resolve() / name):
            raise SiteError(
                f"the cache folder {cache_dir} is inside {name}",
                hint="keep the cache outside the site's inputs, such as the default .site-cache/",
            )


class _CacheUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        # A standard class by its top package: it may live in a private submodule of it.
        if module.startswith("site_builder.") or (module.partition(".")[0], name) in _STANDARD_TYPES:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a build cache")


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
                return _segments(mapped, file.tell())
    except Exception:  # noqa: BLE001 - whatever is wrong with the file, it is not used
        return None


def _segments(mapped: mmap.mmap, offset: int) -> tuple[dict[str, object], Stored] | None:
    parts: dict | None = None
    segments, added, base = 0, 0, 0
    while offset < len(mapped):
        size = int.from_bytes(mapped[offset : offset + 8], "big")
        start, end = offset + _SEGMENT_HEAD, offset + _SEGMENT_HEAD + size
        if end > len(mapped):
            return None
        with memoryview(mapped)[start:end] as payload:
            if zlib.crc32(payload) != int.from_bytes(mapped[offset + 8 : start], "big"):
                return None
        mapped.seek(start)
        segment = _load(mapped)
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
        with tempfile.NamedTemporaryFile(dir=cache_dir, prefix=f".{CACHE_FILE}.", delete=False) as file:
            file.write(_HEADER + f"{cache_version()}\n".encode())
            file.write(_segment(dict(parts)))
        os.replace(file.name, cache_dir / CACHE_FILE)
    except OSError as error:
        raise SiteError(
            f"cannot write the build cache to {cache_dir}: {error.strerror}",
            hint="choose another folder with --cache-dir, or build with --no-cache",
        ) from None


# Each segment: its size (8 bytes), its CRC-32 (4 bytes; it finds damage, as in zip and
# PNG files, at a third of the cost of a SHA-256), then its pickle.
_SEGMENT_HEAD = 12
# Appended segments hold, per part, ("dict", changed entries, removed keys) or ("value", value).
MAX_ADDED = 0.5  # × the first segment's size
MAX_SEGMENTS = 64


class _CachePickler(pickle.Pickler):
    """Stores this package's data classes as (class, field values), to be read back by calling
    the class: three times as fast to read as the standard way for frozen classes with
    slots, which sets each field through Python code."""

    def __init__(self, file) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._fields: dict[type, tuple[str, ...]] = {}

    def reducer_override(self, obj):
        cls = type(obj)
        names = self._fields.get(cls)
        if names is None:
            ours = dataclasses.is_dataclass(cls) and cls.__module__.startswith("site_builder.")
            names = self._fields[cls] = tuple(f.name for f in dataclasses.fields(cls)) if ours else ()
        if not names:
            return NotImplemented
        return cls, tuple(getattr(obj, name) for name in names)


def _segment(value: object) -> bytes:
    buffer = io.BytesIO()
    _CachePickler(buffer).dump(value)
    payload = buffer.getvalue()
    return len(payload).to_bytes(8, "big") + zlib.crc32(payload).to_bytes(4, "big") + payload


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
