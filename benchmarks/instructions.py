"""Instructions executed by site-builder's rebuilds, counted with Valgrind's callgrind.

A machine shared with others (a virtual one, say) runs the same build a tenth faster or
slower from one hour to the next, more than most single changes save; the number of
instructions a build executes varies by a few parts in a thousand. So two versions are
compared by it: each builds its own copy of the same generated site
(benchmarks/generate_site.py), without search, and then, round by round, one English news
item in the middle of the archive is edited and each version rebuilds it (one page edited)
and rebuilds again (nothing changed), each build under callgrind, in its own process.

    .venv/bin/python benchmarks/instructions.py --pages 1000 --runs 3 \\
        --site-builder "other-checkout/.venv/bin/python -m site_builder" --site-builder "…"

Needs ``valgrind``. Each build takes about 40 times as long as without it. Not part of CI.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from compare import edit, without_search
from generate_site import generate

_COLLECTED = re.compile(r"Collected : (\d+)")


def counted(command: list[str], cwd: Path) -> int:
    """The instructions ``command`` executes, in all its processes."""
    env = dict(os.environ, PYTHONMALLOC="malloc")  # the allocator's own bookkeeping varies less so
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as scratch:
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--trace-children=yes",
                f"--callgrind-out-file={scratch}/%p",
                *command,
            ],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        sys.exit(f"{shlex.join(command)} failed:\n{done.stderr[-3000:]}")
    return sum(map(int, _COLLECTED.findall(done.stderr)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000, help="news pages per language (default 1000)")
    parser.add_argument("--runs", type=int, default=3, help="rounds (default 3)")
    parser.add_argument(
        "--site-builder",
        action="append",
        metavar="COMMAND",
        help="a site-builder to measure, such as another checkout's '.venv/bin/python -m site_builder' "
        "(repeat to compare; default: this Python's)",
    )
    args = parser.parse_args()
    versions = args.site_builder or [f"{sys.executable} -m site_builder"]
    work = Path(tempfile.mkdtemp(prefix="instructions-"))
    try:
        site = without_search(generate(args.pages, work / "generated"), work / "site")
        sites = []
        for number, version in enumerate(versions):
            copy = work / f"site-{number}"
            shutil.copytree(site, copy)
            sites.append((version, copy, [*shlex.split(version), "-q", "-C", str(copy), "build"]))
        # A file changed in the two seconds before a build is read again by the builds after it
        # (its time may not tell a later change): the copies are left older than that first.
        time.sleep(2.5)
        for _, _, command in sites:
            subprocess.run(command, cwd=work, check=True, capture_output=True)
        items = sorted((site / "content" / "en" / "news").glob("item-*.md"))
        edited = items[len(items) // 2].relative_to(site)
        # Unmeasured, as in compare.py: the first rebuild after a build into a new folder also
        # fills the spare folder beside it; every later one is an ordinary rebuild.
        for _, copy, command in sites:
            edit(copy / edited, -1)
            subprocess.run(command, cwd=work, check=True, capture_output=True)
        found: dict[str, dict[str, list[int]]] = {v: {"edit": [], "nothing": []} for v in versions}
        for run in range(args.runs):
            for version, copy, command in sites:
                edit(copy / edited, run)
                found[version]["edit"].append(counted(command, work))
                found[version]["nothing"].append(counted(command, work))
                print(f"  run {run + 1}  {version}: {found[version]}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n{args.pages:,} news pages per language, without search; {args.runs} runs; median instructions")
    print("| site-builder | one page edited | nothing changed |\n| --- | ---: | ---: |")
    first = found[versions[0]]
    for version in versions:
        row = found[version]
        cells = []
        for kind in ("edit", "nothing"):
            median = statistics.median(row[kind])
            ratio = median / statistics.median(first[kind])
            cells.append(f"{median / 1e6:,.0f} M ({ratio:.3f})")
        print(f"| `{version}` | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
