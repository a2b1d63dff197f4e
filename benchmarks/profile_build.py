"""Where a cold build's time goes, and how fast Markdown alone can be.

Generates the synthetic site (benchmarks/generate_site.py), then:

1. times each stage of a cold ``pipeline.build`` (wall and CPU time): the
   first one, which makes the photos' copies and the social cards, and one
   after it, which takes them from ``.site-images/``; then profiles another
   with cProfile and prints the top functions by cumulative and by own time
   (``--save FILE`` keeps the raw profile for pstats or snakeviz);
2. times Python-Markdown alone on the same page bodies, as a build runs it
   (with ``site_builder.render.quick_markdown``), without that and without any
   extension: pages per CPU second, the floor for the Markdown part of a
   build that converts every page;
3. times starting Python and importing the command-line tool.

    .venv/bin/python benchmarks/profile_build.py --pages 1000
"""

from __future__ import annotations

import argparse
import cProfile
import functools
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
from generate_site import generate

from site_builder import pipeline, stages
from site_builder.content import load
from site_builder.content.frontmatter import split
from site_builder.render import cards, markup, pages, search
from site_builder.render.markup import markdown_extensions
from site_builder.render.quick_markdown import QuickMarkdownExtension

# (label, module, function): the stages stages.generate and pipeline.build run, in order, each
# by the module whose attribute the caller looks up when it calls it.
STAGES = (
    ("config", stages, "load_config"),
    ("load: files", load, "content_files"),
    ("load: texts", load, "read_sources"),
    ("load: front matter", load, "parse_fronts"),
    ("load: pages", load, "source_pages"),
    ("model", stages, "build_site"),
    ("assets: read", stages, "read_assets"),
    ("assets: fingerprints, CSS and JS minified", stages, "fingerprint"),
    ("photos: sizes and copies", stages, "responsive_images"),
    ("Markdown", markup, "convert_sources"),
    ("UI catalogues", stages, "compiled_catalogs"),
    ("Jinja environments", stages, "make_environments"),
    ("Jinja rendering of pages", pages, "render_each"),
    ("404 pages, language chooser", pages, "render_site_pages"),
    ("social cards: list", cards, "cards_of"),
    ("social cards: drawn or taken from .site-images/", cards, "draw_each"),
    ("topic pages", pages, "render_topics"),
    ("search: what each page gives Pagefind", search, "record_each"),
    ("search: Pagefind's index", search, "index_bundles"),
    ("search pages", pages, "render_search_pages"),
    ("feeds and sitemap", stages, "render_feeds"),
    ("redirect pages", stages, "redirect_pages"),
    ("CDN files", stages, "deploy_files"),
    ("UI-string checks", stages, "catalog_problems"),
    ("checks", stages, "_check"),
    ("write", pipeline, "publish"),
    # Inside the rendering rows above (pages, 404 pages, topic and search pages): not added to them.
    ("HTML minified, within the rendering rows", pages, "minified_files"),
)
NESTED = ("minified_files",)


def stage_times(site: Path, out: Path) -> tuple[dict[str, tuple[float, float]], float, float]:
    """One cold build, each stage's wall and CPU time (by function name), and the whole
    build's, taken by wrapping the functions ``pipeline`` calls."""
    times: dict[str, tuple[float, float]] = {}

    def wrap(name: str, function):
        # No closure, and the wrapped function's names (functools.wraps): the memo runs only
        # module-level functions as steps.
        @functools.wraps(function)
        def timed(*args, _name=name, _function=function, _times=times, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return _function(*args, **kwargs)
            finally:
                before = _times.get(_name, (0.0, 0.0))
                _times[_name] = (
                    before[0] + time.perf_counter() - wall,
                    before[1] + time.process_time() - cpu,
                )

        return timed

    originals = {(module, name): getattr(module, name) for _, module, name in STAGES}
    for (module, name), function in originals.items():
        setattr(module, name, wrap(name, function))
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        pipeline.build(site, out)  # one process (jobs=1): every stage's time is this process's
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        for (module, name), function in originals.items():
            setattr(module, name, function)
    return times, wall, cpu


def timed_stages(site: Path, out: Path, only: tuple[str, ...] | None = None) -> str:
    """One cold build without the profiler, stage by stage (cProfile's own cost grows with the
    number of calls, so its shares overstate call-heavy stages such as Markdown); ``only``:
    the rows of these functions alone. Pagefind runs in processes of its own: its CPU time
    is not this process's, so its row's CPU time is the waiting, and its wall time is what
    it costs."""
    times, wall, cpu = stage_times(site, out)
    rows = [f"  {'stage':<50} {'wall':>8} {'CPU':>8}  share of wall  share of CPU"]
    for label, _, name in STAGES:
        if only is not None and name not in only:
            continue
        if name not in times:
            rows.append(f"  {label:<50} {'not run':>8}")
            continue
        w, c = times[name]
        rows.append(f"  {label:<50} {w:7.2f}s {c:7.2f}s  {100 * w / wall:8.1f} %  {100 * c / cpu:8.1f} %")
    counted = [t for name, t in times.items() if name not in NESTED]
    w, c = wall - sum(t[0] for t in counted), cpu - sum(t[1] for t in counted)
    rows.append(f"  {'rest':<50} {w:7.2f}s {c:7.2f}s  {100 * w / wall:8.1f} %  {100 * c / cpu:8.1f} %")
    rows.append(f"  {'whole build':<50} {wall:7.2f}s {cpu:7.2f}s")
    return "\n".join(rows)


def top(stats: pstats.Stats, order: str, count: int) -> str:
    stream = io.StringIO()
    stats.stream = stream
    stats.sort_stats(order).print_stats(count)
    text = stream.getvalue()
    return text[text.index("   ncalls") :] if "   ncalls" in text else text


def markdown_floor(site: Path) -> str:
    bodies = [
        split(path.read_text("utf-8"), str(path))[2] for path in sorted(site.glob("content/*/news/item-*.md"))
    ]
    lines = []
    build = markdown_extensions()
    for label, extensions in (
        ("as in a build: extra, sane_lists, toc and quick_markdown", build),
        (
            "Python-Markdown's own: extra, sane_lists, toc",
            [e for e in build if not isinstance(e, QuickMarkdownExtension)],
        ),
        ("Python-Markdown without extensions", []),
    ):
        md = markdown.Markdown(extensions=extensions, output_format="html")
        wall, cpu = time.perf_counter(), time.process_time()
        for body in bodies:
            md.reset()
            md.convert(body)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        lines.append(
            f"  {label:<58} {len(bodies) / cpu:4.0f} pages per CPU second "
            f"({cpu:.2f} s CPU, {wall:.2f} s wall for {len(bodies)})"
        )
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
        print(f"first cold build of {args.pages:,} news pages per language: the photos' copies and")
        print("the social cards made, and kept in .site-images/ for the builds after it:")
        print(timed_stages(site, work / "out-first", only=("responsive_images", "draw_each")))
        print("\na cold build with those made, as benchmarks/compare.py measures, stage by stage:")
        print(timed_stages(site, work / "out-timed"))
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        pipeline.build(site, work / "out")
        profile.disable()
        total = time.perf_counter() - started
        if args.save:
            profile.dump_stats(args.save)
        stats = pstats.Stats(profile)
        print(f"\nthe same under cProfile: {total:.2f} s")
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
