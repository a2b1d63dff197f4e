"""How long this machine's file system takes to create a site's worth of files.

A cold build in ``compare.py`` writes into a new output folder, after the
folder of the run before was deleted; every tool measured there pays for that.
This creates N folders with one file of 30,000 bytes each (about a built news
page) from one thread, three ways, alternating, and prints the median wall and
system CPU time of each:

- into an empty folder, with nothing deleted before;
- right after deleting N such files (``sync`` in between, as ``compare.py``);
- the same, but 30 seconds after the deletion.

    .venv/bin/python benchmarks/file_system.py --files 2200 --runs 3
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

PAGE = b"x" * 30_000


def create(folder: Path, files: int) -> tuple[float, float]:
    """Wall and system CPU seconds to create ``files`` folders with a page each."""
    before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    for number in range(files):
        page = folder / f"item-{number:05d}"
        page.mkdir(parents=True)
        descriptor = os.open(page / "index.html", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        os.write(descriptor, PAGE)
        os.close(descriptor)
    after = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter() - started, after.ru_stime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=2200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--wait", type=float, default=30.0, help="seconds after the deletion, third way")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="file-system-"))  # where compare.py works, too
    results: dict[str, list[tuple[float, float]]] = {}
    try:
        for run in range(options.runs):
            for way, wait in (
                ("nothing deleted before", None),
                ("just after a deletion", 0.0),
                (f"{options.wait:g} s after a deletion", options.wait),
            ):
                target = work / f"new-{run}-{len(results.get(way, []))}-{wait}"
                if wait is not None:
                    old = work / "old"
                    create(old, options.files)
                    shutil.rmtree(old)
                    os.sync()
                    time.sleep(wait)
                else:
                    os.sync()
                results.setdefault(way, []).append(create(target, options.files))
                shutil.rmtree(target)
                os.sync()
                time.sleep(options.wait)  # let the next way start from a quiet file system
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"{options.files:,} folders with a file of {len(PAGE):,} bytes each, one thread, {options.runs} runs:"
    )
    for way, times in results.items():
        wall = statistics.median(t[0] for t in times)
        system = statistics.median(t[1] for t in times)
        print(
            f"  {way:28s} {wall:6.2f} s wall, {system:6.2f} s system CPU"
            f"  (wall {min(t[0] for t in times):.2f}-{max(t[0] for t in times):.2f} s)"
        )


if __name__ == "__main__":
    main()
