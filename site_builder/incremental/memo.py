"""The incremental layer: the results of a build's steps, kept for the next build under keys
derived from the inputs each step declares.

A step is a function defined at module level, called through ``Memo.one`` or ``Memo.each``
with its inputs as arguments. It gets nothing else: no closure, no cache, no handle on the
memo. So what the key is made of and what the step can read are the same values, and a
cached result is what the step would compute again. Files a step reads itself (templates,
catalogues, ``site.yaml``) are declared with ``reads=``; their names and bytes are part of
the key. ``Memo(guard=True)`` checks that a step opens no other file (an audit hook), for
the test that runs the whole build that way (tests/test_memo.py).

A key is made from each input's identity (``identity``): plain values stand for
themselves; the site's own data types are named by what they are made from (a source file
by its path and the digest of its bytes, a site by the digest of its settings, front
matter and addresses); a result of another step by that step's key for it. A type that has
no identity here cannot be an input (``TypeError``), rather than be keyed by something
that leaves part of it out.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import os
import re
import sys
import sysconfig
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path, PurePath
from typing import Any, TypeVar

from site_builder.checks.findings import FileNames
from site_builder.checks.html_policy import Policy
from site_builder.config import Language, SiteConfig, Topic
from site_builder.content.load import ContentFile, FrontText, SourcePage
from site_builder.incremental.derived import DERIVED_DIR
from site_builder.render.assets import AssetManifest
from site_builder.render.cards import Card
from site_builder.render.images import ImageSet
from site_builder.render.markup import Addresses
from site_builder.render.search import SCRATCH_PREFIX, Bundle, SearchRecord, scratch_folder
from site_builder.site.files import OutputFile
from site_builder.site.model import Page, Site

T = TypeVar("T")


@dataclasses.dataclass(frozen=True, slots=True)
class Files:
    """Files and folders (every file inside, at any depth) under ``root`` that a step reads
    itself; their names and bytes are part of its key.

    A build makes its own: ``seen`` holds each name's digest once made, and one build shares
    it between its ``Files``, so that a folder several steps read is read once for their keys."""

    root: Path
    names: tuple[str, ...]
    seen: dict[str, str] = dataclasses.field(default_factory=dict, compare=False, repr=False)

    def digest(self) -> str:
        return hashlib.sha256("\0".join(map(self._digest_of, self.names)).encode()).hexdigest()

    def _digest_of(self, name: str) -> str:
        known = self.seen.get(name)
        if known is not None:
            return known
        digest = hashlib.sha256(name.encode("utf-8", "surrogateescape") + b"\0")
        path = os.path.join(self.root, name)
        files = [f"{name}/{rel}" for rel in files_below(path)] if os.path.isdir(path) else [name]
        for file in files:
            digest.update(file.encode("utf-8", "surrogateescape") + b"\0")
            try:
                with open(os.path.join(self.root, file), "rb") as opened:
                    digest.update(opened.read())
            except OSError:
                digest.update(b"\1")  # missing or unreadable: the step reports it
        known = self.seen[name] = digest.hexdigest()
        return known

    def holds(self, path: str) -> bool:
        target = os.path.abspath(path)
        for name in self.names:
            declared = os.path.abspath(self.root / name)
            if target == declared or target.startswith(declared + os.sep):
                return True
        return False


def files_below(folder: str) -> list[str]:
    """Every file at any depth in ``folder``, as "/"-separated paths inside it, sorted by their
    parts; as ``Path.rglob`` finds them (linked folders are not entered, linked files are
    taken), with a call per folder and file rather than a path object for each."""
    found: list[str] = []
    pending = [(folder, "")]
    while pending:
        current, prefix = pending.pop()
        try:
            with os.scandir(current) as entries:
                listed = list(entries)
        except OSError:
            continue
        for entry in listed:
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, f"{prefix}{entry.name}/"))
                elif entry.is_file():
                    found.append(prefix + entry.name)
            except OSError:
                continue
    return sorted(found, key=lambda rel: rel.split("/"))


def identity(value: object, made: Mapping[int, tuple] | None = None) -> object:
    """What ``value`` is made of, as plain values that compare equal exactly when two inputs
    would give a step the same result (see the module's description)."""
    kind = type(value)
    # The common cases first, by exact type: a build asks for tens of thousands of identities.
    if kind in _STANDING_FOR_THEMSELVES:
        if kind is bytes and len(value) > _SHORT_BYTES:
            # A file's bytes (a font, say): their digest stands for them, and costs a fraction
            # of writing them out into the key.
            return ("bytes", hashlib.sha256(value).hexdigest())
        return value
    known = _IDENTITIES.get(kind)
    if known is not None:
        return (kind.__qualname__, *known(value))
    if made is not None:
        key = made.get(id(value))
        if key is not None:
            return key
    fields = _PLAIN_DATA.get(kind)
    if fields is not None:
        return (kind.__qualname__, *[identity(getattr(value, name), made) for name in fields])
    if kind is tuple or kind is list:
        return tuple([identity(item, made) for item in value])
    if kind is dict and not value:
        return ()
    if value is None or isinstance(value, (str, int, float, bool, bytes)):
        return value
    if isinstance(value, tuple | list):
        return tuple(identity(item, made) for item in value)
    if isinstance(value, frozenset | set):
        return tuple(sorted(repr(identity(item, made)) for item in value))
    if isinstance(value, Mapping):
        return tuple(sorted((repr(identity(k, made)), identity(v, made)) for k, v in value.items()))
    if isinstance(value, PurePath):  # the same folder however it was named ("." or its full path)
        return ("path", os.path.abspath(value))
    if isinstance(value, datetime.date):
        return ("date", value.isoformat())
    raise TypeError(f"a step's input of type {kind.__qualname__} has no identity (see memo.identity)")


_STANDING_FOR_THEMSELVES = {str, int, float, bool, bytes, type(None)}
_SHORT_BYTES = 256
_PAGE_FIELDS = tuple(field.name for field in dataclasses.fields(Page) if field.name != "source")
# A build asks for each page's identity several times: its other fields are text and flags,
# which stand for themselves, so they are taken as they are (a field of another type fails here).
assert all(field.type in ("str", "bool") for field in dataclasses.fields(Page) if field.name != "source")
# The site's own types, each named by what it is made from.
_IDENTITIES: dict[type, Callable[[Any], tuple]] = {
    # Everything in a source page (its language, kind, front matter and text) comes from its
    # path and its bytes.
    SourcePage: lambda source: (source.path, source.digest),
    # ``inputs`` is the digest of the settings, and of every page's address and front matter.
    Site: lambda site: (site.inputs,),
    # A page's own fields, every one, its source by the source's identity; what it has to do
    # with other pages is in its Site.
    Page: lambda page: (
        page.source.path,
        page.source.digest,
        *[getattr(page, name) for name in _PAGE_FIELDS],
    ),
    OutputFile: lambda file: (file.path, file.digest),
    # Made from its page's file alone.
    SearchRecord: lambda record: (record.path, record.page),
    Addresses: lambda addresses: (addresses.digest,),
    FileNames: lambda names: (names.digest,),
    # Its digest stands for its text.
    FrontText: lambda front: (front.path, front.kind, front.line, front.digest),
    # A file is known by its stamp; one without (just changed) is read by every build.
    ContentFile: lambda file: (file.path, file.stamp),
    Files: lambda files: (os.path.abspath(files.root), files.names, files.digest()),
}
# Plain settings: keyed by all their fields.
_PLAIN_DATA = {
    cls: tuple(field.name for field in dataclasses.fields(cls))
    for cls in (SiteConfig, Language, Topic, AssetManifest, Policy, ImageSet, Bundle, Card)
}


class GuardError(AssertionError):
    """A step read what it did not declare (only with ``Memo(guard=True)``)."""


class Memo:
    """The results of each step, by key; for one process (the preview keeps its memo) or
    stored between processes (see ``store``). Each call of a step keeps only the results
    it used, so the memo holds what the latest build needs and no more."""

    def __init__(self, tables: Mapping[str, Mapping] | None = None, *, guard: bool = False) -> None:
        self.tables: dict[str, dict] = {step: dict(table) for step, table in (tables or {}).items()}
        self.guard = guard
        self._made: dict[str, dict[int, object]] = {}  # step → id of a kept result → it
        self._made_keys: dict[int, tuple] | None = None  # every kept result's key by its id
        self._reads: list[tuple[str, Files | None, frozenset[str]]] = []  # steps running, for the guard

    def one(
        self, step: str, run: Callable[..., T], *inputs: object, reads: Files | None = None, **how: object
    ) -> T:
        """``run(*inputs, **how)``, or its result kept from before for the same inputs (``how``:
        see ``each``)."""
        _check_step(run)
        key = (_digest(step, (inputs, reads), self._all_made()),)
        table = self.tables.get(step, {})
        if key in table:
            result = table[key]
        else:
            result = self._run(step, reads, frozenset(), run, *inputs, **how)
        self._keep(step, {key: result})
        return result

    def each(
        self,
        step: str,
        run: Callable[..., Sequence[T]],
        items: Sequence[object],
        *inputs: object,
        reads: Files | None = None,
        keep: Callable[[T], bool] | None = None,
        **how: object,
    ) -> list[T]:
        """One result per item: ``run(items, *inputs, **how)`` for the items not done before
        with the same inputs. ``how`` (the number of processes, say) must not change the
        results and is not part of the key. Results for which ``keep`` is false (a failure,
        reported again next time) are not kept."""
        _check_step(run)
        made = self._all_made()
        shared = _digest(step, (inputs, reads), made)
        keys = [(shared, identity(item, made)) for item in items]
        table = self.tables.get(step, {})
        # A file without a stamp is read again each time, and what was read is not kept.
        fresh = {i for i, item in enumerate(items) if isinstance(item, ContentFile) and item.stamp is None}
        todo = [index for index, key in enumerate(keys) if key not in table or index in fresh]
        if todo:
            files = frozenset(item.file for index in todo if isinstance(item := items[index], ContentFile))
            done = dict(
                zip(
                    todo,
                    self._run(step, reads, files, run, [items[i] for i in todo], *inputs, **how),
                    strict=True,
                )
            )
        else:
            done = {}
        results, used = [], {}
        for index, key in enumerate(keys):
            result = done[index] if index in done else table[key]
            results.append(result)
            if (keep is None or keep(result)) and index not in fresh:
                used[key] = result
        self._keep(step, used)
        return results

    def _keep(self, step: str, used: dict) -> None:
        self.tables[step] = used
        made = self._all_made()
        for ident in self._made.get(step, {}):
            made.pop(ident, None)
        # Each result held with its id: while it is here its id cannot be another object's.
        held = self._made[step] = {}
        for key, result in used.items():
            if not _is_plain(result):
                held[id(result)] = result
                made[id(result)] = key

    def _all_made(self) -> dict[int, tuple]:
        """The key of each kept result by the result's id (see ``identity``)."""
        if self._made_keys is None:
            self._made_keys = {}
        return self._made_keys

    def _run(self, step: str, reads: Files | None, files: frozenset[str], run: Callable, *args, **how):
        if not self.guard:
            return run(*args, **how)
        self._reads.append((step, reads, frozenset(os.path.abspath(f) for f in files)))
        _install_guard(self)
        try:
            return run(*args, **how)
        finally:
            self._reads.pop()

    def check_open(self, path: object) -> None:
        if not self._reads or not isinstance(path, str | bytes | os.PathLike):
            return
        name = os.path.abspath(os.fsdecode(path))
        if any(name == prefix or name.startswith(prefix + os.sep) for prefix in _CODE_AND_SYSTEM):
            return
        if _PACKAGE_METADATA.search(name):  # libraries find their plugins there (entry points)
            return
        if name.startswith(_SCRATCH):  # a step's own scratch folder (see render.search)
            return
        if _DERIVED in name or name.endswith(
            _DERIVED[:-1]
        ):  # copies kept by what they are made from, checked by their digest
            return
        step, reads, files = self._reads[-1]
        if name in files or (reads is not None and reads.holds(name)):
            return
        raise GuardError(f"the step {step!r} read {name}, which it does not declare")


def _digest(step: str, inputs: object, made: Mapping[int, tuple]) -> str:
    return hashlib.sha256(repr((step, identity(inputs, made))).encode("utf-8", "surrogatepass")).hexdigest()


def _is_plain(value: object) -> bool:
    """Whether ``value`` stands for itself: a plain value, or an empty tuple, which Python
    shares as one object between everything that makes one."""
    return type(value) in _STANDING_FOR_THEMSELVES or value is _EMPTY


_EMPTY = ()


def _check_step(run: Callable) -> None:
    """A step must be a plain function of its arguments: one that closes over a value, or a
    bound method, would read what its key does not name."""
    if isinstance(run, types.FunctionType) and run.__closure__ is None and "<" not in run.__qualname__:
        return
    raise TypeError(f"{run!r} is not a function defined at module level: it cannot be a step")


# Where code and the system's data live: a step may open those (imports, locale data).
_CODE_AND_SYSTEM = tuple(
    sorted(
        {
            os.path.abspath(sysconfig.get_paths()[name])
            for name in ("stdlib", "platstdlib", "purelib", "platlib")
        }
        | {os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "/dev", "/proc", "/sys", "/usr"}
    )
)

_DERIVED = os.sep + DERIVED_DIR + os.sep
_SCRATCH = os.path.join(os.path.abspath(scratch_folder()), SCRATCH_PREFIX)

_PACKAGE_METADATA = re.compile(r"\.(?:egg|dist)-info(?:/|$)")

_guarded: list[Memo] = []


def _install_guard(memo: Memo) -> None:
    """An audit hook (there is no removing one) that sends each ``open`` to the memo whose
    step is running."""
    if not _guarded:
        sys.addaudithook(_audit)
    if memo not in _guarded:
        _guarded.append(memo)


def _audit(event: str, args: tuple) -> None:
    if event in ("open", "os.listdir", "os.scandir") and args:
        for memo in _guarded:
            memo.check_open(args[0])


def drop(tables: Mapping[str, Mapping], steps: Iterable[str]) -> dict[str, dict]:
    """``tables`` without the named steps' results."""
    return {step: dict(table) for step, table in tables.items() if step not in set(steps)}
