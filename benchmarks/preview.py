"""Save → served: how long an editor waits for the preview after saving a file.

Copies the project to a temporary folder, starts ``site-builder serve`` on a
free loopback port and connects to it as a browser's livereload client does,
then edits a page (and a template) again and again; each time it measures from
the moment the file is written until, after a reload message, the server
returns HTML that contains the change, as an open browser sees it. Prints medians, minimum and maximum, and (on
Linux) the server's CPU time per save, which other work on a shared machine
changes less than the wall-clock time. Then it times full builds of the same
site (``site-builder build --no-cache``), for the ratio of a template edit to a full build.

    .venv/bin/python benchmarks/preview.py [--edits 20] [--pages N] [--builds 3]

With ``--pages N`` it measures a synthetic site of N news pages per language
(benchmarks/generate_site.py) instead of this project's content.
"""

from __future__ import annotations

import argparse
import asyncio
import json
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


def wait_for(url: str, marker: str, timeout: float = 60.0) -> float:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if marker in fetch(url):
            return time.perf_counter()
        time.sleep(0.002)
    raise RuntimeError(f"{marker!r} did not appear at {url}")


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU time of a process so far (Linux), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def livereload_client(port: int, page_url: str):
    """A websocket connection that hears the server's reload messages, after livereload.js's handshake."""
    from tornado.websocket import websocket_connect

    socket = await websocket_connect(f"ws://127.0.0.1:{port}/livereload")
    await socket.write_message(
        json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]})
    )
    await socket.read_message()
    await socket.write_message(json.dumps({"command": "info", "url": page_url}))
    return socket


async def reloaded(socket, url: str, marker: str, timeout: float = 60.0) -> float:
    """The time at which, after a reload message, the page is served with ``marker``."""
    deadline = time.perf_counter() + timeout
    while (remaining := deadline - time.perf_counter()) > 0:
        try:
            message = await asyncio.wait_for(socket.read_message(), remaining)
        except TimeoutError:
            break
        if message is None:
            raise RuntimeError("the server closed the livereload connection")
        if json.loads(message).get("command") == "reload" and marker in fetch(url):
            return time.perf_counter()
    raise RuntimeError(f"{marker!r} did not appear at {url}")


async def measure(
    socket, path: Path, url: str, edit, edits: int, pid: int
) -> tuple[list[float], list[float]]:
    """Milliseconds from each save until the change is served, and the server's CPU milliseconds meanwhile."""
    original = path.read_text("utf-8")
    times, cpu = [], []
    try:
        for number in range(edits):
            marker = f"benchmark-marker-{number}-{time.time_ns()}"
            cpu_before = cpu_seconds(pid)
            started = time.perf_counter()
            path.write_text(edit(original, marker), "utf-8")
            times.append((await reloaded(socket, url, marker) - started) * 1000)
            cpu_after = cpu_seconds(pid)
            if cpu_before is not None and cpu_after is not None:
                cpu.append((cpu_after - cpu_before) * 1000)
            await asyncio.sleep(0.05)
    finally:
        path.write_text(original, "utf-8")
        await asyncio.sleep(0.5)
        while True:  # the reload messages of the restored file
            try:
                await asyncio.wait_for(socket.read_message(), 0.5)
            except TimeoutError:
                break
    return times, cpu


def report(label: str, times: list[float], cpu: list[float] = ()) -> None:
    line = (
        f"{label:<34} median {statistics.median(times):7.1f} ms   "
        f"min {min(times):7.1f}   max {max(times):7.1f}   (n={len(times)})"
    )
    if cpu:
        line += f"   server CPU median {statistics.median(cpu):6.0f} ms"
    print(line)


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)  # it stops once the build it is running is done
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def full_builds(work: Path, count: int) -> list[float]:
    """Cold builds (no build cache), the work a save would cost without the preview."""
    times = []
    for _ in range(count):
        out = Path(tempfile.mkdtemp(prefix="preview-bench-build-")) / "site"
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "site_builder",
                "-q",
                "-C",
                str(work),
                "build",
                "--no-cache",
                "--out",
                str(out),
            ],
            check=True,
            stdin=subprocess.DEVNULL,
        )
        times.append((time.perf_counter() - started) * 1000)
        shutil.rmtree(out.parent, ignore_errors=True)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument(
        "--pages", type=int, help="measure a synthetic site of this many news pages per language"
    )
    parser.add_argument(
        "--builds", type=int, default=3, help="full builds to time after the preview (0: none)"
    )
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

        async def edits() -> tuple[list[float], list[float]]:
            socket = await livereload_client(port, f"{base}{page_url}")
            report(
                f"content edit ({page.split('/', 1)[1]})",
                *await measure(
                    socket,
                    work / page,
                    f"{base}{page_url}",
                    lambda text, m: f"{text}\n{m}\n",
                    args.edits,
                    server.pid,
                ),
            )
            found = await measure(
                socket,
                work / "templates/base.html",
                f"{base}/nl/",
                lambda text, m: text.replace("</footer>", f"<!-- {m} --></footer>", 1),
                args.edits,
                server.pid,
            )
            socket.close()
            return found

        template_times, template_cpu = asyncio.run(edits())
        report("template edit (base.html footer)", template_times, template_cpu)
        stop(server)
        if args.builds:
            builds = full_builds(work, args.builds)
            report("full build, cold (--no-cache)", builds)
            print(
                f"template edit / full build: {statistics.median(template_times) / statistics.median(builds):.2f}"
            )
    finally:
        try:
            stop(server)
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
