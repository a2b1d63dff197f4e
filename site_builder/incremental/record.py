"""What the last build read and wrote, so the next one can tell what changed without reading it.

After a successful build with a cache folder, the build records there: the
size and modification time of every input file, the options and the code it
ran with, and the size, modification and change times, inode and digest of
every file it left in the output folder and in the spare folder beside it
(see ``write``), with its summary and warnings. A build that finds all of that
unchanged has nothing to do: it stops before loading the rest of the tool, and
a build after an edit writes only the files whose bytes differ. A file edited
by hand in the output folder has another change time, whatever its size and
modification time, so it is written again.

Sizes and times are how ``make`` and ``git`` see changes too. A file saved
within the same clock tick as the record was taken may keep both, so for
files changed shortly before the record, it also keeps a digest of their
bytes and compares that next time (git's rule for "racily clean" files).
For the output folder, "shortly before" is measured with the file system's
own clock, as git measures against its index file's time: only folders
changed in the very tick the record was taken in are listed again.

Stored as JSON, signed with the key of ``signing`` (a record signed with another is not
used): reading it creates plain values and nothing else. Standard
library only, and of the site's own only the light ``write``: importing this
module must cost next to nothing, since a build with nothing to do is mostly that.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import stat
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from site_builder.errors import Message, SiteError, msg
from site_builder.incremental import signing
from site_builder.output.publish import MARK_FILE, Known, every_file, spare_folder
from site_builder.project import stamp

DEFAULT_CACHE_DIR = ".site-cache"
FORMAT = 8
RECORD_FILE = "build-record.json"
# Files modified this close to the record (file systems keep times in coarse ticks)
# are compared by their bytes, not only by size and time.
RACY_NS = 2_000_000_000
# The libraries whose output ends up in the site: another version means another site.
LIBRARIES = ("markdown", "jinja2", "markupsafe", "yaml", "babel")

Stamp = tuple[int, int, int, int]  # see ``stamp``
Stats = dict[str, Stamp]  # relative path → its stamp


PACKAGE = Path(__file__).parent.parent


def code_identity(package: Path = PACKAGE) -> str:
    """A digest of the code a build runs: every module of this package (``package``), Python
    and the libraries that shape the output (by the size and time of their files, which
    change when they are installed again)."""
    digest = hashlib.sha256(f"{FORMAT}\0{sys.version}\0".encode())
    for name in _modules(package):
        with open(os.path.join(package, name), "rb") as module:
            digest.update(name.encode("utf-8") + b"\0" + module.read())
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None and spec.origin else ""
        try:
            status = os.stat(origin)
            digest.update(f"{name}\0{origin}\0{status.st_size}\0{status.st_mtime_ns}\0".encode())
        except OSError:
            digest.update(f"{name}\0-\0".encode())
    return digest.hexdigest()


def _modules(package: Path) -> list[str]:
    """Every module of ``package``, in any folder, as "/"-separated paths inside it, sorted by
    their parts (as ``sorted(package.rglob("*.py"))``, in half the time: every build reads them)."""
    return sorted(
        (name for name in every_file(package) if name.endswith(".py")), key=lambda name: name.split("/")
    )


@functools.lru_cache(maxsize=1)
def running_code_identity() -> str:
    """``code_identity`` of the code this process runs: read once, since a process keeps
    running the code it started with (and a build asks for it for its record and for each
    time its cache is read or written)."""
    return code_identity()


def build_clock() -> float:
    """Now, in seconds since 1970, for the whole build: ``SOURCE_DATE_EPOCH`` where it is set
    (reproducible builds; tests fix the day with it), else the machine's clock."""
    fixed = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not fixed:
        return time.time()
    # A value that is not one is refused, as reproducible-builds.org asks: ignored, the build
    # would publish by the machine's clock what the one who set it meant to hold back.
    if not fixed.isascii() or not fixed.isdigit() or int(fixed) >= _YEAR_3000:
        raise SiteError(
            msg(
                "SOURCE_DATE_EPOCH is '{value}', not a moment from 1970 to 3000 in seconds since 1970",
                value=fixed[:40],
            ),
            hint=msg(
                "set it to a whole number of seconds, such as the last commit's (git log -1 --format=%ct), or unset it"
            ),
        )
    return float(fixed)


_YEAR_3000 = 32_503_680_000  # seconds since 1970


def build_options(
    root: Path,
    out: Path,
    cache_dir: Path,
    *,
    drafts: bool,
    base_url: str | None,
    strict: bool,
    future: bool = False,
    minify: bool = False,
) -> tuple:
    """What, besides its input files and the day (see ``Record.due``), decides what a build
    writes and reports."""
    folders = tuple(str(path.resolve()) for path in (root, out, cache_dir))
    return (*folders, drafts, base_url, strict, future, minify, running_code_identity())


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
            for path, (_size, _mtime, changed, _inode) in self.stats.items()
            if changed >= self.taken_ns - RACY_NS  # the change time moves with every write
        }


def pages_summary(pages: Mapping[str, int], files: int) -> Message:
    """ "36 pages (en 18, nl 18), 47 files": how a build reports what it published."""
    by_language = ", ".join(f"{code} {count}" for code, count in pages.items())
    total = sum(pages.values())
    return msg(
        "{pages} ({by_language}), {files}",
        pages=msg("1 page") if total == 1 else msg("{count} pages", count=total),
        by_language=by_language,
        # English and Dutch, the languages of these messages, say one thing for 1 and another
        # for any other number: "1 file", "0 files".
        files=msg("1 file") if files == 1 else msg("{count} files", count=files),
    )


def find_inputs(root: Path, names: tuple[str, ...]) -> Inputs:
    taken = time.time_ns()
    stats: Stats = {}
    for name in names:
        _walk(root / name, name, stats)
    return Inputs(names, stats, taken)


def output_stats(out: Path) -> dict[str, tuple[int, int, int, int]]:
    """Every file in the output folder (but the mark, see ``write.MARK_FILE``): relative path →
    (size, modification time, change time, inode)."""
    found: dict[str, tuple[int, int, int, int]] = {}
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
                if rel == MARK_FILE:
                    continue
                status = entry.stat(follow_symlinks=False)
                found[rel] = (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
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


Row = tuple[int, int, int, int, str]  # size, modification time, change time, inode, sha256 of the bytes


@dataclass(frozen=True, slots=True)
class Listing:
    """The files of one folder of the build (the output folder, or the spare beside it) as a
    build left them. A file edited by hand, even to the same size and time, has another
    change time (which no program can set), so it no longer matches its row."""

    outputs: dict[str, Row]
    folders: dict[str, int] | None  # each folder → its modification time; None: not known
    written_ns: int  # the time of the folder's file system before its folders' times were read

    def present(self, top_folder: Path) -> dict[str, tuple[int, int, int, int]] | None:
        """``output_stats(top_folder)`` found without listing every folder, or None where that
        cannot be trusted. A folder whose time did not change has the same entries as before
        (adding, removing or renaming one changes it), so only its files need looking at; a
        folder changed in the tick of ``written_ns`` or after may have changed again unseen
        within that tick, and is listed all the same."""
        # Paths are joined as strings: a stat call per file and folder is all this does, and
        # os.path.join took a third of it.
        if self.folders is None:
            return None
        top = f"{top_folder}/"
        try:
            for folder, mtime in self.folders.items():
                if os.stat(top + folder).st_mtime_ns != mtime:
                    return None
                if mtime >= self.written_ns:
                    prefix = f"{folder}/" if folder else ""
                    for name in os.listdir(top + folder):
                        known = prefix + name
                        if known not in self.outputs and known not in self.folders and known != MARK_FILE:
                            return None
            present = {}
            for path in self.outputs:
                status = os.lstat(top + path)
                present[path] = (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
        except OSError:
            return None
        return present

    def intact(self, present: Mapping[str, tuple[int, int, int, int]]) -> dict[str, str]:
        """Path → digest of each file in ``present`` still as this listing has it."""
        return {path: row[4] for path, row in self.outputs.items() if present.get(path) == row[:4]}

    def to_json(self) -> list:
        return [self.outputs, self.folders, self.written_ns]

    def to_text(self) -> str:
        """As ``Record.spare`` keeps it."""
        return json.dumps(self.to_json(), separators=(",", ":"))

    @classmethod
    def from_json(cls, value: list) -> Listing:
        outputs, folders, written = value
        return cls(_rows(outputs), folders, written)


def _rows(value: dict) -> dict[str, Row]:
    return {path: tuple(row) for path, row in value.items()}


def listing(folder: Path, digests: Mapping[str, str], kept: Mapping[str, Row] | None = None) -> Listing:
    """The listing of ``folder`` as a build just left it, holding the files of ``digests``
    (path → sha256). Rows of ``kept`` whose file was not touched are taken as they are."""
    written_ns = file_system_now(folder)  # before any folder's time is read
    outputs: dict[str, Row] = {}
    top = f"{folder}/"
    for path, digest in digests.items():
        row = kept.get(path) if kept is not None else None
        if row is not None and row[4] == digest:
            outputs[path] = row
            continue
        try:
            status = os.lstat(top + path)
        except OSError:
            continue
        outputs[path] = (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, digest)
    return Listing(outputs, folder_times(folder, folders_of(outputs)), written_ns)


@dataclass(frozen=True, slots=True)
class Record:
    """What the last successful build read and wrote."""

    options: tuple  # the build's options and the identity of its code, see ``build_options``
    inputs: Inputs
    racy: dict[str, str]  # path → sha256 of files changed close to inputs.taken_ns
    output: Listing  # the output folder
    # The folder beside it, holding the build before (see ``write``), a digest "" where a file
    # was found changed by hand: as JSON text, decoded only by a build that writes
    # (``spare_listing``), so that one with nothing to do reads half as much.
    spare: str | None
    summary: tuple  # what the build reported: (pages per language, file count, warning lines, notes)
    # When (seconds since 1970) the next page comes due or expires: from then on the site
    # differs though no file changed. None: no page is scheduled.
    due: float | None = None

    def spare_listing(self) -> Listing | None:
        try:
            return Listing.from_json(json.loads(self.spare)) if self.spare is not None else None
        except Exception:  # noqa: BLE001 - whatever is wrong with it, it is not used
            return None


@dataclass(frozen=True, slots=True)
class Observed:
    """The project and the output folder as a build finds them, with the last build's record
    (walked only if that record is of a build with the same options)."""

    options: tuple
    last: Record | None
    inputs: Inputs | None = None
    present: dict[str, tuple[int, int, int, int]] | None = None  # see output_stats
    listed: bool = False  # whether ``present`` was found by listing every folder

    @property
    def published(self) -> dict[str, str] | None:
        """Path → digest of each output file still as the last build wrote it; None if the
        output folder holds anything else besides, or the last build had other options."""
        last, present = self.last, self.present
        if last is None or present is None or not present.keys() <= last.output.outputs.keys():
            return None
        return last.output.intact(present)

    def known_output(self) -> Known | None:
        published = self.published
        return None if published is None else Known(published, frozenset(self.present))

    def spare_listing(self) -> Listing | None:
        """What the spare folder will hold once the output folder is exchanged for it: the
        files found in the output folder, each with its digest if it is still as written,
        and the times of its folders if they were checked (see ``Listing.present``)."""
        last, present = self.last, self.present
        if last is None or present is None:
            return None
        rows = last.output.outputs
        outputs = {
            path: (*status, rows[path][4] if path in rows and rows[path][:4] == status else "")
            for path, status in present.items()
        }
        folders = None if self.listed else last.output.folders
        return Listing(outputs, folders, last.output.written_ns)

    def unchanged(self, root: Path, now: float) -> bool:
        """Whether a build at ``now`` (see ``build_clock``) would write exactly what the output
        folder holds."""
        last, published = self.last, self.published
        if last is None or published is None or len(published) != len(last.output.outputs):
            return False
        if last.due is not None and now >= last.due:
            return False
        if self.inputs is None or self.inputs.stats != last.inputs.stats:
            return False
        return all(_file_digest(root / path) == digest for path, digest in last.racy.items())


def restamped(folder: Path, listing: Listing, paths: Iterable[str] | None) -> Listing:
    """``listing`` of ``folder``, with the files of ``paths`` (None: all) stamped anew: their
    bytes are as they were, but a link to them was made or removed (see ``write.publish``)."""
    changed = listing.outputs.keys() if paths is None else listing.outputs.keys() & set(paths)
    rows = dict(listing.outputs)
    top = f"{folder}/"
    for path in changed:
        try:
            status = os.lstat(top + path)
        except OSError:
            del rows[path]
            continue
        size, mtime, _changed, inode, digest = rows[path]
        same = (status.st_size, status.st_mtime_ns, status.st_ino) == (size, mtime, inode)
        rows[path] = (*stamp(status), digest if same else "")
    return Listing(rows, listing.folders, listing.written_ns)


def spare_state(out: Path, last: Record | None) -> tuple[Known | None, dict[str, Row]]:
    """What the spare folder beside ``out`` holds of what ``last`` recorded: its files as
    ``write.publish`` takes them, and the rows of those still as recorded. Only a build
    that writes needs it."""
    spare = spare_folder(out)
    listing = last.spare_listing() if last is not None else None
    if listing is None or not os.path.isdir(spare):
        return None, {}
    present = listing.present(spare)
    if present is None:
        present = output_stats(spare)
    kept = {path: row for path, row in listing.outputs.items() if row[4] and present.get(path) == row[:4]}
    return Known({path: row[4] for path, row in kept.items()}, frozenset(present)), kept


def store(
    root: Path,
    out: Path,
    cache: tuple[Path, bytes | None],
    read: tuple,
    written: Mapping[str, str],
    summary: tuple,
    observed: Observed,
    published: tuple,
) -> None:
    """Record what a build read and wrote, for the next build to compare with, in ``cache``
    (the cache folder and the key that signs the record).

    ``read`` is the build's options, inputs and when a page next comes due; ``written`` the
    files it published (path → digest) and ``summary`` what it reported (see ``Record``).
    The output folder now holds what the spare folder was made into, where the files of
    ``kept`` (path → row) were left untouched; the spare folder holds what the output folder
    held when the build began (``observed``), the files at the paths ``touched`` with another
    change time (see ``publish.publish``). ``published`` is (``kept``, ``touched``).
    """
    options, inputs, due = read
    kept, touched = published
    cache_dir, key = cache
    output = listing(out, written, kept)
    spare = observed.spare_listing()
    if spare is not None:
        spare = restamped(spare_folder(out), spare, touched).to_text()
    new = Record(options, inputs, inputs.racy(root), output, spare, summary, due)
    try:
        write_record(cache_dir, new, key)
    except OSError as error:
        raise unwritable_cache(
            msg(
                "cannot write the build record to {folder}: {reason}", folder=cache_dir, reason=error.strerror
            )
        ) from None


def unwritable_cache(problem: Message) -> SiteError:
    """The error of a cache folder that cannot be written (``problem`` says what and why)."""
    return SiteError(problem, hint=msg("choose another folder with --cache-dir, or build with --no-cache"))


def observe(root: Path, out: Path, cache_dir: Path, options: tuple, key: bytes | None = None) -> Observed:
    last = read_record(cache_dir, key)
    if last is None or last.options != options:
        return Observed(options, last)
    inputs = find_inputs(root, last.inputs.names)
    present = last.output.present(out)
    if present is None:
        return Observed(options, last, inputs, output_stats(out), listed=True)
    return Observed(options, last, inputs, present)


def read_record(cache_dir: Path, key: bytes | None = None) -> Record | None:
    """The record of the last successful build, or None if there is none this code can use.
    ``key``: see ``signing`` (None: ``signing.cache_key()``)."""
    key = key if key is not None else signing.cache_key()
    try:
        data = (cache_dir / RECORD_FILE).read_bytes()
        end = data.index(b"\n")
        version, signature = json.loads(data[:end])
        payload = memoryview(data)[end + 1 :]  # not copied: the record is large
        if version != FORMAT or not signing.signed_by(key, bytes.fromhex(signature), payload):
            return None
        value = json.loads(str(payload, "utf-8"))
        spare = value["spare"]
        return Record(
            _tuples(value["options"]),
            Inputs(
                tuple(value["names"]),
                {path: tuple(row) for path, row in value["stats"].items()},
                value["taken"],
            ),
            value["racy"],
            Listing.from_json(value["output"]),
            spare,
            _tuples(value["summary"]),
            value["due"],
        )
    except Exception:  # noqa: BLE001 - whatever is wrong with the file, it is not used
        return None


def _tuples(value):
    """JSON's lists as the tuples they were written from."""
    return tuple(_tuples(item) for item in value) if isinstance(value, list) else value


def write_record(cache_dir: Path, record: Record, key: bytes | None = None) -> None:
    key = key if key is not None else signing.cache_key()
    inputs = record.inputs
    payload = json.dumps(
        {
            "options": record.options,
            "names": inputs.names,
            "stats": inputs.stats,
            "taken": inputs.taken_ns,
            "racy": record.racy,
            "output": record.output.to_json(),
            "spare": record.spare,  # already JSON text
            "summary": record.summary,
            "due": record.due,
        },
        separators=(",", ":"),
    ).encode()
    data = json.dumps([FORMAT, signing.sign(key, payload).hex()]).encode() + b"\n" + payload
    import tempfile  # here: a build with nothing to do writes no record

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
        stats[rel] = stamp(status)
        return
    pending = [(str(path), rel)]
    inside = os.path.realpath(path) + os.sep
    while pending:
        folder, prefix = pending.pop()
        try:
            with os.scandir(folder) as found:
                entries = list(found)
        except OSError:
            stats[prefix + "/"] = (-1, -1, -1, -1)
            continue
        for entry in entries:
            name = f"{prefix}/{entry.name}"
            try:
                if entry.is_dir():
                    # A link to a folder outside the input's is refused by the build, which
                    # reads none of it: the link itself is what is recorded, not a walk
                    # through what may be the whole disk.
                    if entry.is_symlink() and not os.path.realpath(entry.path).startswith(inside):
                        stats[name] = stamp(os.lstat(entry.path))
                    else:
                        pending.append((entry.path, name))
                    continue
                status = entry.stat()
            except OSError:
                stats[name] = (-1, -1, -1, -1)
                continue
            stats[name] = stamp(status)


def _file_digest(path: Path) -> str:
    """The SHA-256 of the file's bytes; "" for one that cannot be read, or is not a regular
    file (a named pipe would be waited on for ever; the build reports it, see ``load``)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return ""
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return ""
        with open(descriptor, "rb", closefd=False) as file:
            return hashlib.sha256(file.read()).hexdigest()
    except OSError:
        return ""
    finally:
        os.close(descriptor)
