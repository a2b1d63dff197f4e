"""The only stage that writes the site: the new tree is made beside the output folder, then
exchanged with it in one system call.

Beside the output folder ``build/`` the tool keeps one hidden folder, ``.build.spare/``
(see ``spare_folder``): after each build it holds the build before, and the next
build turns it into the new site and exchanges the two folders with Linux's
``renameat2(RENAME_EXCHANGE)``. So at every moment ``build/`` is the whole of one
build: a build that fails, is killed or finds the disk full has at most changed the
spare folder, which the next build brings up to date again. Only files whose bytes
differ are written; the others are kept as they are in the spare folder or
hard-linked from the output folder, so an edit costs a few writes, not a copy of
the site, and unchanged files keep their modification time for sync tools. A file
whose bytes lie in a file kept elsewhere (``OutputFile.origin``: a social card) is
copied from there.

The output folder is the tool's alone: both folders hold the mark ``MARK_FILE``, and
a folder that holds other files and no mark is never written into (see
``check_output_folder``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import stat
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from site_builder.errors import SiteError, msg
from site_builder.site.files import OutputFile


@dataclass(frozen=True, slots=True)
class Known:
    """What the caller knows of a folder: files still holding the bytes of these digests
    (checked, or kept in memory by the one process that writes the folder), and, if
    known, every file in it (else the folder is listed)."""

    intact: Mapping[str, str]  # path → sha256 of its bytes
    every: frozenset[str] | None = None


WRITERS = 8  # threads writing the files of a whole build
# In both folders, constant bytes: how the next build knows the folder is its own. Not a
# file of the site: deploys leave it out (docs/deploy.md).
MARK_FILE = ".site-builder"
MARK = b"This folder is written by site-builder: the next build replaces everything in it.\n"
DEFAULT_OUTPUT = "build"
# What the output's files and folders are made with, whatever the umask of the process: a web
# server or an upload tool running as another user reads them, and no one else writes them.
FILE_MODE, FOLDER_MODE = 0o644, 0o755


def spare_folder(out: Path) -> Path:
    """The hidden folder beside ``out`` that holds the build before it (see the module's doc)."""
    return out.parent / f".{out.name}.spare"


def check_output_folder(out: Path, root: Path, inputs: Iterable[str]) -> None:
    """Refuse an output folder that holds, or sits inside, the project's inputs, or that
    holds anything site-builder did not make (see ``MARK_FILE``)."""
    project = root.resolve()
    if out.is_symlink():
        raise SiteError(
            msg("the output folder {folder} is a symbolic link", folder=out),
            hint=msg("name the folder it points to with --out, or a new folder"),
        )
    resolved = out.resolve()
    if project.is_relative_to(resolved):
        raise SiteError(
            msg("the output folder {folder} contains the project itself", folder=resolved),
            hint=msg("choose an output folder such as build/"),
        )
    for name in inputs:
        if resolved.is_relative_to(project / name):
            raise SiteError(
                msg("the output folder {folder} is inside {name}/", folder=resolved, name=name),
                hint=msg("choose an output folder such as build/"),
            )
    # build/ at the project's root is generated output by definition (git-ignored), so one
    # made by an earlier version, without a mark, is taken over.
    taken_over = resolved == project / DEFAULT_OUTPUT
    for folder, what in (
        (out, msg("the output folder")),
        (spare_folder(out), msg("the folder site-builder keeps beside it")),
    ):
        if not _ours_or_empty(folder) and not (taken_over and folder == out):
            raise SiteError(
                msg(
                    "{what}, {folder}, holds files site-builder did not write: nothing was changed",
                    what=what,
                    folder=folder,
                ),
                hint=msg("choose a new or empty folder with --out, or move that folder away yourself"),
            )


def check_cache_folder(cache_dir: Path, out: Path, root: Path, inputs: tuple[str, ...]) -> None:
    """Refuse a cache folder inside the output (it would be published) or inside the inputs."""
    cache_dir = cache_dir.resolve()
    if cache_dir.is_relative_to(out.resolve()):
        raise SiteError(
            msg(
                "the cache folder {folder} is inside the output folder, which is published", folder=cache_dir
            ),
            hint=msg("keep the cache outside it, such as the default .site-cache/"),
        )
    for name in inputs:
        if cache_dir.is_relative_to(root.resolve() / name):
            raise SiteError(
                msg("the cache folder {folder} is inside {name}", folder=cache_dir, name=name),
                hint=msg("keep the cache outside the site's inputs, such as the default .site-cache/"),
            )


def _ours_or_empty(folder: Path) -> bool:
    try:
        if not folder.is_dir() or folder.is_symlink():
            return not os.path.lexists(folder)
        with os.scandir(folder) as entries:
            names = {entry.name for entry in entries}
        return not names or (MARK_FILE in names and (folder / MARK_FILE).read_bytes() == MARK)
    except OSError:
        return False


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
            msg("cannot use the folder for {out}: {reason}", out=out, reason=error.strerror),
            hint=msg("choose an output folder whose parent is a folder you may write to"),
        ) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SiteError(
                msg("another build is writing next to {out}", out=out),
                hint=msg("wait for it to finish, then build again"),
            ) from None
        yield
    finally:
        os.close(handle)


def _is_inside(path: str) -> bool:
    """Whether ``path`` names a file of the site inside the output folder."""
    return bool(path) and not (
        path.startswith("/")
        or "\\" in path
        or path == MARK_FILE
        or any(part in ("", ".", "..") for part in path.split("/"))
    )


def _safe_relative(path: str) -> PurePosixPath:
    if not _is_inside(path):
        raise SiteError(msg("refusing to write '{path}': it would leave the output folder", path=path))
    return PurePosixPath(path)


def publish(
    files: Iterable[OutputFile], out: Path, *, output: Known | None = None, spare: Known | None = None
) -> set[str] | None:
    """Make ``files`` the complete content of ``out``, in one step (see the module's doc).

    ``output`` and ``spare`` are what the caller knows of ``out`` and of its spare
    folder; without ``output`` files are compared with those in ``out`` byte for
    byte, and without ``spare`` the spare folder is emptied first. The caller has
    checked the folders with ``check_output_folder`` and holds ``output_lock``.

    Returns the paths linked or unlinked in the spare folder (None: all of them). A
    file there may share its inode with the one in ``out``; linking or unlinking it
    changes that inode's change time, so what the spare folder now holds at those
    paths (the previous output) has another change time than when it was looked at.
    """
    # Loaded here, not at the top: a build with nothing to do imports this module, and nothing
    # of this; and before the first change to the folders, which a failed import would stop.
    import ctypes  # noqa: F401 - for _exchange
    import shutil  # noqa: F401 - for _remove_leftovers, _prepare

    out = out.absolute()
    planned: dict[str, OutputFile] = {}
    for file in files:
        if file.path in planned:
            raise SiteError(msg("two outputs would be written to '{path}'", path=file.path))
        planned[file.path] = file
    if os.path.lexists(out) and not out.is_dir():
        raise SiteError(msg("the output path {out} exists and is not a folder", out=out))
    staging = spare_folder(out)
    try:
        _remove_leftovers(out)
        # What the caller knows may come from the cache folder, which is not to be trusted with
        # paths: one that would lead out of the spare folder is never removed.
        present = {path for path in _prepare(staging, spare) if _is_inside(path)}
        intact = spare.intact if spare is not None else {}
        # Only the paths written are checked: a file kept as it is was checked when it was written.
        changes = [
            (_safe_relative(path), file)
            for path, file in planned.items()
            if path not in present or intact.get(path) != file.digest
        ]
        _remove(staging, present - planned.keys())
        folders: set[Path] = {staging}  # made so far, by any thread
        from_output = output.intact if output is not None else None
        _each_in_threads(lambda change: _write_one(staging, out, from_output, folders, *change), changes)
        _exchange(staging, out)
        if spare is None:
            return None
        return (present - planned.keys()) | {rel.as_posix() for rel, _file in changes}
    except OSError as error:
        # The output folder is as it was; the spare folder, half updated, is put right by the next build.
        raise _cannot_write(out, error) from None


def _cannot_write(out: Path, error: OSError) -> SiteError:
    if error.errno == errno.ENOSPC:
        return SiteError(
            msg("cannot write the site to {out}: the disk is full", out=out),
            hint=msg("free some space on it, then build again"),
        )
    where = f" ({error.filename})" if error.filename else ""
    hint = msg("the output folder stays as it was; the next build tries again")
    return SiteError(
        msg(
            "cannot write the site to {out}: {reason}{where}",
            out=out,
            reason=error.strerror or error,
            where=where,
        ),
        hint=hint,
    )


def _remove_leftovers(out: Path) -> None:
    """Folders that builds of earlier versions of the tool left beside ``out`` when they were
    interrupted: ``.build.new-…`` (a new site half made) and ``.build.old-…`` (the one it replaced)."""
    import shutil

    if os.path.lexists(_held(out)) and not os.path.lexists(out):
        os.rename(_held(out), out)
    for leftover in out.parent.glob(f".{out.name}.new-*"):
        shutil.rmtree(leftover)
    for leftover in out.parent.glob(f".{out.name}.old-*"):
        shutil.rmtree(leftover)


def _held(out: Path) -> Path:
    return out.parent / f".{out.name}.swap"


def _prepare(staging: Path, known: Known | None) -> set[str]:
    """Make sure ``staging`` exists with its mark; return every file in it (besides the mark)."""
    if known is None and staging.exists():
        import shutil

        shutil.rmtree(staging)  # what it holds is not known: start it anew
    if not staging.exists():
        staging.parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir(mode=FOLDER_MODE)
        os.chmod(staging, FOLDER_MODE)  # mkdir's mode passes through the umask
        _write_new(staging / MARK_FILE, MARK)
        return set()
    if not (staging / MARK_FILE).exists():  # a build was stopped before it wrote the mark
        _write_new(staging / MARK_FILE, MARK)
    # Kept from the build before, which another version of the tool may have made otherwise.
    for path, mode in ((staging, FOLDER_MODE), (staging / MARK_FILE, FILE_MODE)):
        status = os.lstat(path)
        if not stat.S_ISLNK(status.st_mode) and stat.S_IMODE(status.st_mode) != mode:
            os.chmod(path, mode)
    if known.every is not None:
        return set(known.every)
    found = every_file(staging)
    found.discard(MARK_FILE)
    return found


def every_file(folder: Path | str) -> set[str]:
    """Every file below ``folder``, as "/"-separated relative paths."""
    found: set[str] = set()
    pending = [(str(folder), "")]
    while pending:
        path, prefix = pending.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, f"{prefix}{entry.name}/"))
                else:
                    found.add(prefix + entry.name)
    return found


def _remove(staging: Path, paths: Iterable[str]) -> None:
    """Remove files no longer built, and then the folders left empty."""
    folders = set()
    for path in paths:
        target = staging.joinpath(*PurePosixPath(path).parts)
        target.unlink(missing_ok=True)
        folders.update(target.parents)
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        if folder.is_relative_to(staging) and folder != staging:
            with contextlib.suppress(OSError):  # not empty: it holds files still built
                folder.rmdir()


def _write_one(
    staging: Path,
    out: Path,
    intact: Mapping[str, str] | None,
    folders: set[Path],
    rel: PurePosixPath,
    file: OutputFile,
) -> None:
    """Put ``file`` into ``staging``: hard-linked from ``out`` if its bytes are there (known
    from ``intact``, or compared when that is None), else written. ``folders`` holds the
    folders made so far; each is made once."""
    target = staging.joinpath(*rel.parts)
    if target.parent not in folders:
        _make_folder(target.parent)
        folders.add(target.parent)
    # A file here may be a hard link to the same file in the output folder: it is replaced,
    # never written into, or the site being served would change under its readers.
    with contextlib.suppress(FileNotFoundError):
        target.unlink()
    old = out.joinpath(*rel.parts)
    if intact is not None and intact.get(file.path) == file.digest:
        _link(old, target)
        return
    if file.data is None and not file.origin:
        if intact is not None:
            raise ValueError(f"{file.path}: kept from the last build, but not found in {out}")
        _link(old, target)  # kept from the last build: the caller found it there unchanged
        return
    if intact is None:
        with contextlib.suppress(OSError):  # fall back to writing the bytes
            status = os.lstat(old)
            if stat.S_ISREG(status.st_mode) and _holds(old, status.st_size, file):
                _link(old, target, status)
                return
    if file.data is None:
        _copy_new(file.origin, target)
    else:
        _write_new(target, file.data)


def _holds(path: Path, size: int, file: OutputFile) -> bool:
    """Whether ``path``, of ``size`` bytes, holds the bytes of ``file``."""
    if file.data is not None:
        return size == len(file.data) and path.read_bytes() == file.data
    return (
        size == os.stat(file.origin).st_size and hashlib.sha256(path.read_bytes()).hexdigest() == file.digest
    )


def _make_folder(folder: Path) -> None:
    """Make ``folder``, and the folders above it that are missing, each ``FOLDER_MODE``; safe
    when threads race to make the same folder."""
    try:
        folder.mkdir(mode=FOLDER_MODE)
    except FileExistsError:
        return  # made before, or by another thread, which sets its mode
    except FileNotFoundError:
        _make_folder(folder.parent)
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            return
    os.chmod(folder, FOLDER_MODE)  # mkdir's mode passes through the umask


def _link(old: Path, target: Path, status: os.stat_result | None = None) -> None:
    """Hard-link ``target`` to the output folder's ``old`` (of which ``status`` may be known),
    with ``FILE_MODE``: one written by another version of the tool may have another mode."""
    os.link(old, target)
    if status is None:
        status = os.stat(target)
    if stat.S_IMODE(status.st_mode) != FILE_MODE:
        os.chmod(target, FILE_MODE)


def _write_new(path: Path, data: bytes) -> None:
    """Write a new file at ``path``, ``FILE_MODE``, in four system calls, not the seven of a
    Python file object and a chmod (on this project's machines, a cold build spends more time
    in the kernel than in Python)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)  # the mode given to open passes through the umask
        with memoryview(data) as rest:
            while rest:
                rest = rest[os.write(descriptor, rest) :]
    finally:
        os.close(descriptor)


def _copy_new(origin: str, path: Path) -> None:
    """Write a new file at ``path``, ``FILE_MODE``, with the bytes of the file ``origin``,
    copied by the kernel where it can (Linux's ``sendfile``), not through this process."""
    with open(origin, "rb") as source:
        size = os.fstat(source.fileno()).st_size
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            os.fchmod(descriptor, FILE_MODE)
            copied = 0
            if sys.platform == "linux":
                while copied < size:
                    sent = os.sendfile(descriptor, source.fileno(), copied, size - copied)
                    if sent == 0:
                        break
                    copied += sent
            else:
                data = source.read()
                with memoryview(data) as rest:
                    while rest:
                        rest = rest[os.write(descriptor, rest) :]
                copied = len(data)
            if copied != size:
                raise OSError(errno.EIO, f"{origin} changed while it was copied", str(path))
        finally:
            os.close(descriptor)


def _each_in_threads(write: Callable[[object], None], items: list) -> None:
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


_AT_FDCWD = -100
_RENAME_NOREPLACE, _RENAME_EXCHANGE = 1, 2  # from <linux/fs.h>


def _exchange(staging: Path, out: Path) -> None:
    """Make ``staging`` the output folder and the output folder the spare, in one step."""
    import ctypes  # loaded by ``publish`` already

    renameat2 = (
        getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None) if sys.platform == "linux" else None
    )
    if renameat2 is not None:
        paths = (_AT_FDCWD, os.fsencode(staging), _AT_FDCWD, os.fsencode(out))
        if renameat2(*paths, _RENAME_EXCHANGE) == 0:
            return
        code = ctypes.get_errno()
        if code == errno.ENOENT:  # no output folder yet; and if one appeared meanwhile, it is kept
            if renameat2(*paths, _RENAME_NOREPLACE) == 0:
                return
            code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS):  # not a file system or kernel without it
            raise OSError(code, os.strerror(code), str(out))
    if not os.path.lexists(out):
        os.rename(staging, out)
        return
    # Elsewhere, three renames: for a moment in between there is no output folder (and if the
    # build is killed then, the next one puts it back, see ``_remove_leftovers``).
    hold = _held(out)
    os.rename(out, hold)
    try:
        os.rename(staging, out)
    except OSError:
        os.rename(hold, out)
        raise
    os.rename(hold, staging)
