"""Publishing under faults: at no moment is ``build/`` missing, mixed or holding temporary files.

A child process publishes a new site over an old one, under strace. One run,
without faults, lists the system calls of the publishing phase (from the first
touch of the spare folder to the end); then one run per call kills the child at
that very call (SIGKILL), or makes it fail with ENOSPC or EPERM. After each,
``build/`` must hold the whole old site or the whole new one, nothing else may
lie beside it but the spare folder, and the next publish must give the new site.
A really full disk (a small tmpfs) and a file that cannot be replaced
(``chattr +i``) are tried for real.
"""

from __future__ import annotations

import collections
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import REPO, read_tree

from site_builder.errors import SiteError
from site_builder.output.publish import MARK, MARK_FILE, publish
from site_builder.site.files import OutputFile

OLD = {
    "index.html": "<h1>LSH Amsterdam</h1>",
    "nl/index.html": "<h1>Welkom</h1>",
    "nl/nieuws/ema/index.html": "<h1>EMA</h1>",
    "nl/nieuws/oud/index.html": "<h1>Oud nieuws</h1>",
    "assets/site.1bbf2a15.css": "body{}",
}
NEW = {
    "index.html": "<h1>LSH Amsterdam</h1>",  # the same
    "nl/index.html": "<h1>Welkom terug</h1>",  # changed
    "nl/nieuws/ema/index.html": "<h1>EMA</h1>",
    "nl/nieuws/mou/index.html": "<h1>MoU getekend</h1>",  # added, in a new folder
    "assets/site.9c1d2e3f.css": "body{margin:0}",  # renamed
}  # nl/nieuws/oud/ removed
# Added too, its bytes copied from a file kept elsewhere (as a social card is, see
# ``OutputFile.origin``): ORIGIN beside the folder that holds build/.
COPIED = {"assets/cards/nl/ema.png": "a social card, kept outside the site"}
ORIGIN = "card.png"

# The child: publishes NEW over OLD in one thread, so that strace counts every call of the
# publishing phase in one sequence; "known" passes what a cached build knows of both folders.
CHILD = """
import json, sys
from pathlib import Path
from site_builder.output import publish as write
from site_builder.errors import SiteError, format_error
from site_builder.site.files import OutputFile

write._each_in_threads = lambda write_one, items: [write_one(item) for item in items]
out, mode, old, new = Path(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
files = [OutputFile(path, text.encode()) for path, text in new.items()]
files += [OutputFile(path, None, digest, origin=origin) for path, (digest, origin) in json.loads(sys.argv[5]).items()]
if mode == "known":
    digests = {f.path: f.digest for f in (OutputFile(p, t.encode()) for p, t in old.items())}
    known = write.Known(digests, frozenset(digests))
    output, spare = known, known
else:
    output, spare = None, None
try:
    write.publish(files, out, output=output, spare=spare)
except SiteError as error:
    print(format_error(error), file=sys.stderr)
    sys.exit(1)
"""

pytestmark = pytest.mark.skipif(
    shutil.which("strace") is None, reason="needs strace (apt-get install strace)"
)


def _tree(texts: dict[str, str]) -> dict[str, bytes]:
    return {path: text.encode() for path, text in texts.items()}


def _files(texts: dict[str, str]) -> list[OutputFile]:
    return [OutputFile(path, text.encode()) for path, text in texts.items()]


NEW_TREE = _tree(NEW) | _tree(COPIED)


def _origin(out: Path) -> Path:
    """The file COPIED's bytes are in, for the output folder ``out``; written if missing."""
    origin = out.parent.parent / ORIGIN
    if not origin.exists():
        (text,) = COPIED.values()
        origin.write_bytes(text.encode())
    return origin


def _copied(out: Path) -> dict[str, tuple[str, str]]:
    origin = _origin(out)
    return {path: (OutputFile(path, text.encode()).digest, str(origin)) for path, text in COPIED.items()}


def _new_files(out: Path) -> list[OutputFile]:
    copied = [
        OutputFile(path, None, digest, origin=origin) for path, (digest, origin) in _copied(out).items()
    ]
    return _files(NEW) + copied


def _old_site(parent: Path) -> Path:
    """``build/`` holding OLD, and the spare folder beside it holding OLD too (two builds)."""
    out = parent / "build"
    publish(_files(OLD), out)
    publish(_files(OLD), out)
    return out


def _run_child(out: Path, mode: str, strace_args: list[str]) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-c",
        CHILD,
        str(out),
        mode,
        json.dumps(OLD),
        json.dumps(NEW),
        json.dumps(_copied(out)),
    ]
    return subprocess.run(
        ["strace", "-qq", *strace_args, *command], capture_output=True, text=True, cwd=REPO, timeout=60
    )


_CALL = re.compile(r"^(?:\[pid\s+\d+\] )?([a-z0-9_]+)\(")


def _publishing_calls(tmp_path: Path, mode: str) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """Per system call, how many ran before publishing began; and each call of the publishing
    phase as (name, its number among the calls of that name)."""
    out = _old_site(tmp_path / "listing")
    log = tmp_path / "strace.log"
    result = _run_child(out, mode, ["-o", str(log), "-e", "trace=%file,%desc"])
    assert result.returncode == 0, result.stderr
    assert read_tree(out) == NEW_TREE
    before: collections.Counter[str] = collections.Counter()
    calls: list[tuple[str, int]] = []
    publishing = False
    for line in log.read_text().splitlines():
        found = _CALL.match(line)
        if not found:
            continue
        name = found.group(1)
        publishing = publishing or ".build.spare" in line
        if publishing:
            calls.append((name, before[name] + sum(1 for n, _ in calls if n == name) + 1))
        else:
            before[name] += 1
    assert len(calls) > 20, "the publishing phase was not found in the trace"
    return dict(before), calls


def _assert_whole(parent: Path) -> None:
    """``build/`` is the whole old or the whole new site, and only the spare folder is beside it."""
    out = parent / "build"
    assert read_tree(out) in (_tree(OLD), NEW_TREE)
    assert (out / MARK_FILE).read_bytes() == MARK
    assert {p.name for p in parent.iterdir()} <= {"build", ".build.spare"}


def _assert_next_publish_recovers(parent: Path) -> None:
    publish(_new_files(parent / "build"), parent / "build")
    assert read_tree(parent / "build") == NEW_TREE
    assert sorted(p.name for p in parent.iterdir()) == [".build.spare", "build"]
    assert read_tree(parent / ".build.spare") in (_tree(OLD), NEW_TREE)


def _every_step(calls: list[tuple[str, int]], step: Callable[[int, str, int], object]) -> list:
    """``step(number, name, count)`` for each call, two at a time: each runs in its own folder
    with its own child process, so the order does not matter, and the machine has two cores."""
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda item: step(item[0], *item[1]), enumerate(calls)))


@pytest.mark.parametrize("mode", ["known", "cold"])
def test_a_kill_at_any_system_call_of_publishing_leaves_a_whole_site(tmp_path, mode):
    _before, calls = _publishing_calls(tmp_path, mode)

    def kill_at(step: int, name: str, number: int) -> str:
        parent = tmp_path / f"kill-{step}"
        _old_site(parent)
        result = _run_child(
            parent / "build", mode, ["-o", "/dev/null", "-e", f"inject={name}:signal=SIGKILL:when={number}"]
        )
        assert result.returncode == -9, f"{name} #{number}: not killed ({result.returncode}): {result.stderr}"
        _assert_whole(parent)
        outcome = "new" if read_tree(parent / "build") == NEW_TREE else "old"
        _assert_next_publish_recovers(parent)
        shutil.rmtree(parent)
        return outcome

    outcomes = collections.Counter(_every_step(calls, kill_at))
    # The copied file's bytes are copied by the kernel.
    assert ("sendfile", 1) in calls
    # Down to the exchange itself (a kill at a call strikes before the call is made).
    assert ("renameat2", 1) in calls or ("rename", 1) in [(name, 1) for name, _ in calls]
    assert outcomes["old"] == len(calls)


@pytest.mark.parametrize("error", ["ENOSPC", "EPERM"])
def test_an_error_at_any_system_call_of_publishing_leaves_the_old_site(tmp_path, error):
    _before, calls = _publishing_calls(tmp_path, "known")

    def fail_at(step: int, name: str, number: int) -> bool:
        parent = tmp_path / f"{error}-{step}"
        _old_site(parent)
        result = _run_child(
            parent / "build", "known", ["-o", "/dev/null", "-e", f"inject={name}:error={error}:when={number}"]
        )
        _assert_whole(parent)
        if result.returncode != 0:
            assert result.returncode == 1 and "Traceback" not in result.stderr, (
                f"{name} #{number}: {result.stderr}"
            )
            (line,) = result.stderr.splitlines()
            assert line.startswith(f"cannot write the site to {parent / 'build'}: ")
            if error == "ENOSPC" and name in ("openat", "write", "sendfile", "mkdir", "link", "linkat"):
                assert ": the disk is full (hint: free some space on it, then build again)" in line
            assert read_tree(parent / "build") == _tree(OLD)
        _assert_next_publish_recovers(parent)
        shutil.rmtree(parent)
        return result.returncode != 0

    failed = sum(_every_step(calls, fail_at))
    assert failed > len(calls) // 3  # most calls' failures stop the publishing (closing a file's need not)


@pytest.fixture
def small_disk(tmp_path):
    """A file system of 256 KiB: a site of a few files fits, a larger one does not."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {made.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_really_full_disk_leaves_the_old_site(small_disk):
    out = small_disk / "build"
    publish(_files(OLD), out)
    publish(_files(OLD), out)
    too_big = [*_files(NEW), OutputFile("nl/groot.html", b"x" * 400_000)]
    with pytest.raises(SiteError) as caught:
        publish(too_big, out)
    assert str(caught.value) == (
        f"cannot write the site to {out}: the disk is full (hint: free some space on it, then build again)"
    )
    assert read_tree(out) == _tree(OLD)
    assert sorted(p.name for p in small_disk.iterdir()) == [".build.spare", "build"]
    publish(_files(NEW), out)  # with room again, the next build goes through
    assert read_tree(out) == _tree(NEW)


@pytest.fixture
def immutable(tmp_path):
    made = []

    def make(path: Path) -> None:
        if (
            shutil.which("chattr") is None
            or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode
        ):
            pytest.skip("needs chattr +i on this file system")
        made.append(path)

    yield make
    for path in made:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_file_that_cannot_be_replaced_leaves_the_old_site(tmp_path, immutable):
    out = _old_site(tmp_path)
    immutable(tmp_path / ".build.spare" / "nl" / "index.html")  # one that the new site changes
    with pytest.raises(SiteError) as caught:
        publish(_files(NEW), out)
    assert str(caught.value).startswith(f"cannot write the site to {out}: Operation not permitted")
    assert read_tree(out) == _tree(OLD)
    assert {p.name for p in tmp_path.iterdir()} == {".build.spare", "build"}
