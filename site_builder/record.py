"""What the last build read and wrote, so the next one can tell what changed without reading it.

After a successful build with a cache folder, the build records there: the
size and modification time of every input file, the options and the code it
ran with, and the size, modification time and digest of every file it left
in the output folder, with its summary and warnings. A build that finds all
of that unchanged has nothing to do: it stops before loading the rest of the
tool, and a build after an edit rewrites only the files whose bytes differ.

Sizes and times are how ``make`` and ``git`` see changes too. A file saved
within the same clock tick as the record was taken may keep both, so for
files changed shortly before the record, it also keeps a digest of their
bytes and compares that next time (git's rule for "racily clean" files).
For the output folder, "shortly before" is measured with the file system's
own clock, as git measures against its index file's time: only folders
changed in the very tick the record was taken in are listed again.

Standard library only, and nothing of the site's own: importing this module
must cost next to nothing, since a build with nothing to do is mostly that.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import stat
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_OUTPUT = "build"
DEFAULT_CACHE_DIR = ".site-cache"
FORMAT = 3
RECORD_FILE = "build-record.marshal"
# Files modified this close to the record (file systems keep times in coarse ticks)
# are compared by their bytes, not only by size and time.
RACY_NS = 2_000_000_000
# The libraries whose output ends up in the site: another version means another site.
LIBRARIES = ("markdown", "jinja2", "markupsafe", "yaml", "babel")

Stats = dict[str, tuple[int, int]]  # relative path → (size, modification time in ns)


def code_identity() -> str:
    """A digest of the code a build runs: this package's modules, Python and the libraries
    that shape the output (by the size and time of their files, which change when they are
    installed again)."""
    digest = hashlib.sha256(f"{FORMAT}\0{sys.version}\0".encode())
    package = Path(__file__).parent
    for module in sorted(package.glob("*.py")):
        digest.update(module.name.encode("utf-8") + b"\0" + module.read_bytes())
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None and spec.origin else ""
        try:
            status = os.stat(origin)
            digest.update(f"{name}\0{origin}\0{status.st_size}\0{status.st_mtime_ns}\0".encode())
        except OSError:
            digest.update(f"{name}\0-\0".encode())
    return digest.hexdigest()


def build_options(
    root: Path, out: Path, cache_dir: Path, *, drafts: bool, base_url: str | None, strict: bool
) -> tuple:
    """What, besides its input files, decides what a build writes and reports."""
    folders = tuple(str(path.resolve()) for path in (root, out, cache_dir))
    return (*folders, drafts, base_url, strict, code_identity())


@dataclass(frozen=True, slots=True)
class Inputs:
    """The input files as found at one moment: what the build is about to read."""

    names: tuple[str, ...]  # files and folders under the project folder, as walked
    stats: Stats
    taken_ns: int  # the clock when they were found

    def racy(self, root: Path) -> dict[str, str]:
        """Digests of the files changed too close to ``taken_ns`` for their time to tell."""
        return {
            path: _file_digest(root / path)
            for path, (_size, mtime) in self.stats.items()
            if mtime >= self.taken_ns - RACY_NS
        }


def pages_summary(pages: Mapping[str, int], files: int) -> str:
    """"36 pages (en 18, nl 18), 47 files": how a build reports what it published."""
    by_language = ", ".join(f"{code} {count}" for code, count in pages.items())
    return f"{sum(pages.values())} pages ({by_language}), {files} files"


def find_inputs(root: Path, names: tuple[str, ...]) -> Inputs:
    taken = time.time_ns()
    stats: Stats = {}
    for name in names:
        _walk(root / name, name, stats)
    return Inputs(names, stats, taken)


def output_stats(out: Path) -> dict[str, tuple[int, int, int]]:
    """Every file in the output folder: relative path → (size, modification time, inode)."""
    found: dict[str, tuple[int, int, int]] = {}
    pending = [(str(out), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            entries = os.scandir(folder)
        except OSError:
            continue
        with entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, rel + "/"))
                    continue
                status = entry.stat(follow_symlinks=False)
                found[rel] = (status.st_size, status.st_mtime_ns, status.st_ino)
    return found


def folders_of(paths: Iterable[str]) -> set[str]:
    """Every folder that holds one of ``paths``, up to the top ("")."""
    found = {""}
    for path in paths:
        folder = path.rpartition("/")[0]
        while folder not in found:
            found.add(folder)
            folder = folder.rpartition("/")[0]
    return found


def file_system_now(out: Path) -> int:
    """The current time of the file system ``out`` is on, as it stamps a change there: the
    time of ``out``, set to now. (The machine's clock may be finer, or not the same clock:
    file systems keep times in ticks of up to two seconds, and some are on another machine.)
    If it cannot be set, the machine's clock less the longest such tick."""
    try:
        os.utime(out)
        return os.stat(out).st_mtime_ns
    except OSError:
        return time.time_ns() - RACY_NS


def folder_times(out: Path, folders: Iterable[str]) -> dict[str, int]:
    times = {}
    for folder in folders:
        try:
            times[folder] = os.stat(os.path.join(out, folder)).st_mtime_ns
        except OSError:
            pass
    return times


@dataclass(frozen=True, slots=True)
class Record:
    """What the last successful build read and wrote."""

    options: tuple  # the build's options and the identity of its code, see ``build_options``
    inputs: Inputs
    racy: dict[str, str]  # path → sha256 of files changed close to inputs.taken_ns
    outputs: dict[str, tuple[int, int, int, str]]  # path → (size, time, inode, sha256 of the bytes)
    summary: tuple  # what the build reported: (pages per language, file count, warning lines)
    folders: dict[str, int]  # each output folder → its modification time
    written_ns: int  # the time of the output folder's file system before its folders' times were read

    def present(self, out: Path) -> dict[str, tuple[int, int, int]] | None:
        """``output_stats(out)`` found without listing every folder, or None where that cannot be
        trusted. A folder whose time did not change has the same entries as before (adding,
        removing or renaming one changes it), so only its files need looking at; a folder
        changed in the tick of ``written_ns`` or after may have changed again unseen within
        that tick, and is listed all the same."""
        # Paths are joined as strings: a stat call per file and folder is all this does, and
        # os.path.join took a third of it.
        top = f"{out}/"
        try:
            for folder, mtime in self.folders.items():
                if os.stat(top + folder).st_mtime_ns != mtime:
                    return None
                if mtime >= self.written_ns:
                    prefix = f"{folder}/" if folder else ""
                    for name in os.listdir(top + folder):
                        if prefix + name not in self.outputs and prefix + name not in self.folders:
                            return None
            present = {}
            for path in self.outputs:
                status = os.lstat(top + path)
                present[path] = (status.st_size, status.st_mtime_ns, status.st_ino)
        except OSError:
            return None
        return present


@dataclass(frozen=True, slots=True)
class Observed:
    """The project and the output folder as a build finds them, with the last build's record
    (walked only if that record is of a build with the same options)."""

    options: tuple
    last: Record | None
    inputs: Inputs | None = None
    present: dict[str, tuple[int, int, int]] | None = None  # see output_stats
    folders: dict[str, int] | None = None  # the times of the output folders, if the record's hold

    @property
    def published(self) -> dict[str, str] | None:
        """Path → digest of each output file still as the last build wrote it; None if the
        output folder holds anything else besides, or the last build had other options."""
        if self.last is None or self.present is None or not self.present.keys() <= self.last.outputs.keys():
            return None
        return {path: row[3] for path, row in self.last.outputs.items() if self.present.get(path) == row[:3]}

    def unchanged(self, root: Path) -> bool:
        """Whether a build now would write exactly what the output folder holds."""
        last, published = self.last, self.published
        if last is None or published is None or len(published) != len(last.outputs):
            return False
        if self.inputs is None or self.inputs.stats != last.inputs.stats:
            return False
        return all(_file_digest(root / path) == digest for path, digest in last.racy.items())


def observe(root: Path, out: Path, cache_dir: Path, options: tuple) -> Observed:
    last = read_record(cache_dir)
    if last is None or last.options != options:
        return Observed(options, last)
    inputs = find_inputs(root, last.inputs.names)
    present = last.present(out)
    if present is None:
        return Observed(options, last, inputs, output_stats(out))
    return Observed(options, last, inputs, present, last.folders)


def read_record(cache_dir: Path) -> Record | None:
    """The record of the last successful build, or None if there is none this code can use."""
    try:
        data = (cache_dir / RECORD_FILE).read_bytes()
        version, checksum, payload = marshal.loads(data)
        if version != FORMAT or checksum != hashlib.sha256(payload).hexdigest():
            return None
        options, names, stats, taken, racy, outputs, summary, folders, written = marshal.loads(payload)
        return Record(options, Inputs(tuple(names), stats, taken), racy, outputs, summary, folders, written)
    except Exception:  # noqa: BLE001 - whatever is wrong with the file, it is not used
        return None


def write_record(cache_dir: Path, record: Record) -> None:
    inputs = record.inputs
    payload = marshal.dumps(
        (
            record.options,
            inputs.names,
            inputs.stats,
            inputs.taken_ns,
            record.racy,
            record.outputs,
            record.summary,
            record.folders,
            record.written_ns,
        )
    )
    data = marshal.dumps((FORMAT, hashlib.sha256(payload).hexdigest(), payload))
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=cache_dir, prefix=f".{RECORD_FILE}.", delete=False) as file:
        file.write(data)
    os.replace(file.name, cache_dir / RECORD_FILE)


def _walk(path: Path, rel: str, stats: Stats) -> None:
    try:
        status = os.stat(path)
    except OSError:
        return  # a missing input is recorded by its absence
    if not stat.S_ISDIR(status.st_mode):
        stats[rel] = (status.st_size, status.st_mtime_ns)
        return
    pending = [(str(path), rel)]
    while pending:
        folder, prefix = pending.pop()
        try:
            with os.scandir(folder) as found:
                entries = list(found)
        except OSError:
            stats[prefix + "/"] = (-1, -1)
            continue
        for entry in entries:
            name = f"{prefix}/{entry.name}"
            try:
                if entry.is_dir():
                    pending.append((entry.path, name))
                    continue
                status = entry.stat()
            except OSError:
                stats[name] = (-1, -1)
                continue
            stats[name] = (status.st_size, status.st_mtime_ns)


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""
