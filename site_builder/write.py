"""The only stage that writes the site: into a sibling temporary folder, then swapped in,
or, where the output folder is known to hold the last build, file by file in place.

A failed build never touches the previous output: everything is generated and
checked before the first write. Files whose bytes did not change are left as
they are (in place) or hard-linked from the previous output (swapped in), so
they keep their modification time and sync tools upload only what changed.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from site_builder.errors import SiteError


@dataclass(frozen=True, slots=True)
class OutputFile:
    """A file of the built site: its path, its bytes and their digest."""

    path: str  # relative to the output folder, "/"-separated
    data: bytes | None  # None: the bytes the last build wrote to ``path``, still in the output folder
    digest: str = ""  # sha256 of the bytes; computed from ``data`` when not given

    def __post_init__(self) -> None:
        if not self.digest:
            if self.data is None:
                raise ValueError(f"{self.path}: a file kept from the last build needs its digest")
            object.__setattr__(self, "digest", hashlib.sha256(self.data).hexdigest())

    def kept(self) -> OutputFile:
        """This file as the next build sees it once written: its digest, without its bytes."""
        return OutputFile(self.path, None, self.digest)


WRITERS = 8  # threads writing the files of a whole build


def check_output_folder(out: Path, root: Path, inputs: Iterable[str]) -> None:
    """Refuse an output folder that holds, or sits inside, the project's inputs."""
    out = out.resolve()
    project = root.resolve()
    if project.is_relative_to(out):
        raise SiteError(
            f"the output folder {out} contains the project itself",
            hint="choose an output folder such as build/",
        )
    for name in inputs:
        if out.is_relative_to(project / name):
            raise SiteError(
                f"the output folder {out} is inside {name}/",
                hint="choose an output folder such as build/",
            )


@contextlib.contextmanager
def output_lock(out: Path):
    """Hold an exclusive lock on the output folder's parent for one build.

    A lock on the folder itself, not on a file: the build writes nothing outside
    its output, and the lock ends with the process however it ends.
    """
    parent = out.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(parent, os.O_RDONLY)
    except OSError as error:
        raise SiteError(
            f"cannot use the folder for {out}: {error.strerror}",
            hint="choose an output folder whose parent is a folder you may write to",
        ) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SiteError(
                f"another build is writing next to {out}",
                hint="wait for it to finish, then build again",
            ) from None
        yield
    finally:
        os.close(handle)


def _safe_relative(path: str) -> PurePosixPath:
    rel = PurePosixPath(path)
    if (
        not path
        or rel.is_absolute()
        or "\\" in path
        or any(part in ("", ".", "..") for part in path.split("/"))
    ):
        raise SiteError(f"refusing to write '{path}': it would leave the output folder")
    return rel


def publish(files: Iterable[OutputFile], out: Path) -> None:
    """Write ``files`` as the complete new content of ``out``."""
    out = out.absolute()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SiteError(
            f"cannot create the folder for {out}: {error.strerror}",
            hint="choose an output folder whose parent is a folder you may write to",
        ) from None
    if out.exists() and not out.is_dir():
        raise SiteError(f"the output path {out} exists and is not a folder")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    except OSError as error:
        raise SiteError(
            f"cannot write next to {out}: {error.strerror}",
            hint="choose an output folder whose parent is a folder you may write to",
        ) from None
    try:
        planned: dict[str, tuple[PurePosixPath, OutputFile]] = {}
        for file in files:
            if file.path in planned:
                raise SiteError(f"two outputs would be written to '{file.path}'")
            planned[file.path] = (_safe_relative(file.path), file)
        compare = out.is_dir()  # with the files of the output folder it replaces
        folders: set[Path] = {staging}  # made so far, by any thread
        _each_in_threads(
            lambda item: _write_one(staging, out, compare, folders, *item), list(planned.values())
        )
        _swap(staging, out)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise SiteError(f"cannot write the site to {out}: {error}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def update_in_place(
    files: Iterable[OutputFile], out: Path, previous: Mapping[str, str], present: Iterable[str] | None = None
) -> dict[str, str]:
    """Make ``out`` hold exactly ``files``, writing only those whose digest differs from ``previous``.

    ``previous`` maps paths to the digests of the bytes known to be in ``out``;
    ``present`` lists every file there (default: those of ``previous``), so
    that files no longer built are removed. Each file is replaced atomically,
    but the folder as a whole is not swapped, so an edit costs a few writes
    instead of a copy of the site. Returns the new digests, to pass as
    ``previous`` next time.
    """
    current, changed = {}, []
    for file in files:
        if file.path in current:
            raise SiteError(f"two outputs would be written to '{file.path}'")
        current[file.path] = file.digest
        if previous.get(file.path) == file.digest:
            continue  # written before, so its path was checked then
        if file.data is None:
            raise ValueError(f"{file.path}: kept from the last build, but not found in {out}")
        changed.append((out.joinpath(*_safe_relative(file.path).parts), file.data))
    try:
        _each_in_threads(_replace, changed)
        for path in sorted(set(previous if present is None else present) - set(current), reverse=True):
            target = out.joinpath(*_safe_relative(path).parts)
            target.unlink(missing_ok=True)
            for folder in target.parents:
                if folder == out or any(folder.iterdir()):
                    break
                folder.rmdir()
    except OSError as error:
        # Files written so far are whole; the next build finds what differs and writes it again.
        raise SiteError(f"cannot write the site to {out}: {error}") from None
    return current


def _replace(change: tuple[Path, bytes]) -> None:
    target, data = change
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.new")
    _write_bytes(temporary, data)
    os.replace(temporary, target)


def _write_bytes(path: Path, data: bytes) -> None:
    """``path.write_bytes(data)`` in three system calls, not the seven of a Python file object
    (on this project's machines, a cold build spends more time in the kernel than in Python)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        with memoryview(data) as rest:
            while rest:
                rest = rest[os.write(descriptor, rest) :]
    finally:
        os.close(descriptor)


def _each_in_threads(write: Callable[[Any], None], items: list) -> None:
    """``write`` each of ``items``, from ``WRITERS`` threads. Most of a file's writing is
    waiting for the file system, without Python's lock, and several threads wait together:
    on this project's 2-core machines, a cold build writes its files in about a quarter
    of the time one thread takes."""
    if len(items) < 2:
        for item in items:
            write(item)
        return
    from concurrent.futures import ThreadPoolExecutor  # here: most rebuilds write a file or two

    with ThreadPoolExecutor(WRITERS) as writers:
        for _ in writers.map(write, items):
            pass  # raises the first error


def _write_one(
    staging: Path, previous: Path, compare: bool, folders: set[Path], rel: PurePosixPath, file: OutputFile
) -> None:
    """Write ``file`` into ``staging``, or link it from ``previous`` (the output folder being
    replaced) if kept from there or, with ``compare``, found there with the same bytes.
    ``folders`` holds the folders made so far; each is made once."""
    target = staging.joinpath(*rel.parts)
    if target.parent not in folders:
        target.parent.mkdir(parents=True, exist_ok=True)  # safe when threads race to make a folder
        folders.add(target.parent)
    old = previous.joinpath(*rel.parts)
    if file.data is None:
        os.link(old, target)  # kept from the last build: the caller found it there unchanged
        return
    if compare:
        try:
            status = os.lstat(old)
            if (
                stat.S_ISREG(status.st_mode)
                and status.st_size == len(file.data)
                and old.read_bytes() == file.data
            ):
                os.link(old, target)
                return
        except OSError:
            pass  # fall back to writing the bytes
    _write_bytes(target, file.data)


def _swap(staging: Path, out: Path) -> None:
    os.chmod(staging, 0o755)
    if not out.exists():
        os.rename(staging, out)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    retired.rmdir()
    os.rename(out, retired)
    try:
        os.rename(staging, out)
    except OSError:
        os.rename(retired, out)
        raise
    shutil.rmtree(retired, ignore_errors=True)
