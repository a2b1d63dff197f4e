"""Minifiers compared on a built site: bytes (raw and gzip) and the median time per run.

    python benchmarks/minify.py [--runs 5] [SITE_FOLDER]

Builds SITE_FOLDER (default: this repository's site) with ``--no-minify`` into a
temporary folder, then minifies its HTML, CSS and JavaScript with each candidate:
minify-html (its defaults, and keeping closing and <html>/<head> tags), rcssmin
against minify-html's CSS minifier (lightningcss), rjsmin against minify-html's
JavaScript minifier (minify-js).
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import minify_html
import rcssmin
import rjsmin

ROOT = Path(__file__).resolve().parent.parent


def _inside(tag: str, **options: bool) -> Callable[[str], str]:
    """minify-html's minifier for CSS or JavaScript, by wrapping the text in its element."""

    def minify(text: str) -> str:
        out = minify_html.minify(f"<{tag}>{text}</{tag}>", **options)
        return out[out.index(">") + 1 : out.rindex("<")]

    return minify


CANDIDATES: dict[str, dict[str, Callable[[str], str]]] = {
    ".html": {
        "minify-html (defaults)": lambda text: minify_html.minify(text),
        "minify-html (closing tags kept)": lambda text: minify_html.minify(
            text, keep_closing_tags=True, keep_html_and_head_opening_tags=True
        ),
    },
    ".css": {"rcssmin": rcssmin.cssmin, "minify-html's lightningcss": _inside("style", minify_css=True)},
    ".js": {"rjsmin": rjsmin.jsmin, "minify-html's minify-js": _inside("script", minify_js=True)},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", type=Path, default=ROOT)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "site"
        subprocess.run(
            [sys.executable, "-m", "site_builder", "-q", "-C", args.site, "build", "--no-cache", "--no-minify",
             "--out", out],
            check=True,
        )  # fmt: skip
        texts = {
            suffix: [p.read_text("utf-8") for p in sorted(out.rglob(f"*{suffix}"))] for suffix in CANDIDATES
        }
    print(f"{'files':<6} {'minifier':<34} {'bytes':>10} {'gzip':>9} {'median ms':>10}")
    for suffix, candidates in CANDIDATES.items():
        files = texts[suffix]
        raw = sum(len(t.encode()) for t in files)
        packed = sum(len(gzip.compress(t.encode(), 9)) for t in files)
        print(f"{suffix:<6} {'(as rendered)':<34} {raw:>10,} {packed:>9,} {'':>10}")
        for name, minify in candidates.items():
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                results = [minify(t) for t in files]
                times.append(time.perf_counter() - started)
            size = sum(len(r.encode()) for r in results)
            gz = sum(len(gzip.compress(r.encode(), 9)) for r in results)
            print(
                f"{suffix:<6} {name:<34} {size:>10,} {gz:>9,} {statistics.median(times) * 1000:>10.1f}"
                f"   ({100 * (raw - size) / raw:.1f} % smaller, gzip {100 * (packed - gz) / packed:.1f} %)"
            )


if __name__ == "__main__":
    main()
