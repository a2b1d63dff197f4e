"""Save → served: how long an editor waits for the preview after saving a file.

Copies the project to a temporary folder, starts ``site-builder serve`` on a
free loopback port, then edits a page (and a template) again and again; each
time it measures from the moment the file is written until the server returns
HTML that contains the change. Prints medians, minimum and maximum.

    .venv/bin/python benchmarks/preview.py [--edits 20] [--pages N]

With ``--pages N`` it measures a synthetic site of N news pages per language
(benchmarks/generate_site.py) instead of this project's content.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ("content", "templates", "assets", "translations", "site.yaml", "babel.cfg")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


def wait_for(url: str, marker: str, timeout: float = 10.0) -> float:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if marker in fetch(url):
            return time.perf_counter()
        time.sleep(0.002)
    raise RuntimeError(f"{marker!r} did not appear at {url}")


def measure(path: Path, url: str, edit, edits: int) -> list[float]:
    original = path.read_text("utf-8")
    times = []
    try:
        for number in range(edits):
            marker = f"benchmark-marker-{number}-{time.time_ns()}"
            started = time.perf_counter()
            path.write_text(edit(original, marker), "utf-8")
            times.append((wait_for(url, marker) - started) * 1000)
            time.sleep(0.05)
    finally:
        path.write_text(original, "utf-8")
    return times


def report(label: str, times: list[float]) -> None:
    print(
        f"{label:<34} median {statistics.median(times):6.1f} ms   "
        f"min {min(times):6.1f}   max {max(times):6.1f}   (n={len(times)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--pages", type=int, help="measure a synthetic site of this many news pages per language")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="preview-bench-"))
    if args.pages:
        sys.path.insert(0, str(Path(__file__).parent))
        from generate_site import generate

        generate(args.pages, work)
        page, page_url = "content/en/news/item-00010.md", "/en/news/item-00010/"
    else:
        for name in INPUTS:
            source = ROOT / name
            (shutil.copytree if source.is_dir() else shutil.copy)(source, work / name)
        page, page_url = "content/en/about.md", "/en/about/"
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "site_builder", "-q", "-C", str(work), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}{page_url}", "<html", timeout=120)
        site = f"synthetic, {args.pages} pages per language" if args.pages else "this project's content"
        print(f"machine: {os.cpu_count()} cores; site: {site}; {args.edits} edits each")
        report(
            f"content edit ({page.split('/', 1)[1]})",
            measure(work / page, f"{base}{page_url}", lambda text, m: f"{text}\n{m}\n", args.edits),
        )
        report(
            "template edit (base.html footer)",
            measure(
                work / "templates/base.html",
                f"{base}/nl/",
                lambda text, m: text.replace("</footer>", f"<!-- {m} --></footer>", 1),
                args.edits,
            ),
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
