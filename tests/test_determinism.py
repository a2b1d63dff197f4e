"""The same inputs give the same bytes, whatever the machine's settings, and unchanged files are kept."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import read_tree, run_process

ROOT = Path(__file__).resolve().parent.parent


def test_real_site_is_byte_identical_across_environments(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    a = run_process(
        "-C", ROOT, "build", "--no-cache", "--out", first, cwd=ROOT,
        env={"TZ": "UTC", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "1"},
    )  # fmt: skip
    b = run_process(
        "-C", ROOT, "build", "--no-cache", "--out", second, cwd=elsewhere,
        env={"TZ": "Pacific/Kiritimati", "LANG": "nl_NL.UTF-8", "LC_ALL": "nl_NL.UTF-8", "PYTHONHASHSEED": "4242"},
    )  # fmt: skip
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    first_tree, second_tree = read_tree(first), read_tree(second)
    assert len(first_tree) > 40
    assert first_tree == second_tree


def test_a_rebuild_keeps_unchanged_files_and_their_times(mini_site, run_cli):
    out = mini_site / "build"
    assert run_cli("-C", mini_site, "build")[0] == 0
    about = out / "en/about/index.html"
    stylesheet = next((out / "assets").glob("site.*.css"))
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (about, stylesheet)}
    os.utime(mini_site / "content/en/about.md")  # touched, not changed
    page = mini_site / "content/nl/about.md"
    page.write_text(page.read_text() + "\nNieuwe zin.\n")
    assert run_cli("-C", mini_site, "build")[0] == 0
    after = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (about, stylesheet)}
    assert after == before  # the same file, not a copy: sync tools upload nothing for it
    assert "Nieuwe zin." in (out / "nl/over-ons/index.html").read_text()


class _ReversedScan:
    """What ``os.scandir`` returns, with the entries in the opposite order."""

    def __init__(self, entries) -> None:
        with entries:
            self._entries = iter(list(entries)[::-1])

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._entries)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._entries = iter(())


def test_the_order_in_which_the_file_system_lists_files_does_not_matter(tmp_path, monkeypatch):
    from site_builder import stages

    as_listed = {f.path: f.digest for f in stages.generate(ROOT).files}
    scandir, listdir = os.scandir, os.listdir
    reversed_scans = []

    def reversed_scandir(path="."):
        reversed_scans.append(path)
        return _ReversedScan(scandir(path))

    monkeypatch.setattr(os, "scandir", reversed_scandir)
    monkeypatch.setattr(os, "listdir", lambda path=".": listdir(path)[::-1])
    in_reverse = {f.path: f.digest for f in stages.generate(ROOT).files}
    assert reversed_scans  # the build did list folders, and saw them in reverse
    assert len(as_listed) > 40
    assert in_reverse == as_listed
