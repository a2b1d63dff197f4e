"""Where a cold build's time goes, and how fast Markdown alone can be.

Generates the synthetic site (benchmarks/generate_site.py), then:

1. profiles one cold ``pipeline.build`` in this process with cProfile and
   prints each stage's share of the build, then the top functions by
   cumulative and by own time (``--save FILE`` keeps the raw profile for
   pstats or snakeviz);
2. times Python-Markdown alone, with the build's extensions, on the same
   page bodies: pages per second on one core, the floor for the Markdown part
   of a build that converts every page;
3. times starting Python and importing the command-line tool.

    .venv/bin/python benchmarks/profile_build.py --pages 1000
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import markdown

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate_site import generate  # noqa: E402

from site_builder import pipeline  # noqa: E402
from site_builder.frontmatter import split  # noqa: E402

# (label, module file, function): the stages pipeline.generate and pipeline.build run, in order.
STAGES = (
    ("config", "config.py", "load_config"),
    ("load: read and parse front matter", "load.py", "load_sources"),
    ("translation checks of sources", "translations.py", "source_problems"),
    ("model", "model.py", "build_site"),
    ("assets", "assets.py", "fingerprint"),
    ("Markdown", "markup.py", "render_bodies"),
    ("Jinja environments", "pipeline.py", "_environments"),
    ("Jinja rendering of pages", "render.py", "render_pages"),
    ("sitemap, feeds, robots.txt", "pipeline.py", "_feeds"),
    ("CDN files", "cdn.py", "deploy_files"),
    ("UI-string checks", "pipeline.py", "_ui_strings"),
    ("checks", "check.py", "find_problems"),
    ("write", "write.py", "publish"),
)


def stage_table(stats: pstats.Stats, total: float) -> str:
    rows = []
    for label, module, name in STAGES:
        cumulative = sum(
            entry[3]
            for (path, _line, function), entry in stats.stats.items()
            if function == name and path.endswith(f"site_builder/{module}")
        )
        rows.append(f"  {label:<36} {cumulative:7.2f} s  {100 * cumulative / total:5.1f} %")
    return "\n".join(rows)


def top(stats: pstats.Stats, order: str, count: int) -> str:
    stream = io.StringIO()
    stats.stream = stream
    stats.sort_stats(order).print_stats(count)
    text = stream.getvalue()
    return text[text.index("   ncalls") :] if "   ncalls" in text else text


def markdown_floor(site: Path) -> str:
    bodies = [split(path.read_text("utf-8"), str(path))[2] for path in sorted(site.glob("content/*/news/item-*.md"))]
    lines = []
    for label, extensions in (
        ("Markdown with the build's extensions (extra, sane_lists, toc)", ["extra", "sane_lists", "toc"]),
        ("Markdown without extensions", []),
    ):
        md = markdown.Markdown(extensions=extensions, output_format="html")
        started = time.perf_counter()
        for body in bodies:
            md.reset()
            md.convert(body)
        seconds = time.perf_counter() - started
        lines.append(f"  {label:<64} {len(bodies) / seconds:6.0f} pages/s ({seconds:.2f} s for {len(bodies)})")
    return "\n".join(lines)


def startup() -> str:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "site_builder", "--help"], check=True, capture_output=True)
    return f"  python -m site_builder --help: {time.perf_counter() - started:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000, help="news pages per language (default 1000)")
    parser.add_argument("--top", type=int, default=25, help="functions to list (default 25)")
    parser.add_argument("--save", type=Path, help="write the raw profile here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="profile-"))
    try:
        site = generate(args.pages, work / "site")
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        pipeline.build(site, work / "out")
        profile.disable()
        total = time.perf_counter() - started
        if args.save:
            profile.dump_stats(args.save)
        stats = pstats.Stats(profile)
        print(f"cold build of {args.pages:,} news pages per language under cProfile: {total:.2f} s\n")
        print("stages (cumulative time, share of the build):")
        print(stage_table(stats, stats.total_tt))
        print(f"\ntop {args.top} by cumulative time:")
        print(top(stats, "cumulative", args.top))
        print(f"top {args.top} by own time:")
        print(top(stats, "tottime", args.top))
        print("Python-Markdown alone, one core, the same page bodies:")
        print(markdown_floor(site))
        print("\nstarting the command:")
        print(startup())
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
