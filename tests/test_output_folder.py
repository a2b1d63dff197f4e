"""The output folder is the tool's alone: ``--out`` never replaces a folder it did not make,
and a file changed by hand in ``build/`` is put back by the next build, whatever its size and time."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from conftest import REPO, read_tree

from site_builder.output.publish import MARK, MARK_FILE

REFUSED_HINT = "(hint: choose a new or empty folder with --out, or move that folder away yourself)"


def _snapshot(folder):
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("name", [".git", "docs", "notes"])
def test_a_folder_site_builder_did_not_make_is_refused_and_kept(mini_site, run_cli, name):
    folder = mini_site / name
    (folder / "sub").mkdir(parents=True, exist_ok=True)
    (folder / "sub" / "keep.txt").write_text("the user's own\n", "utf-8")
    before = _snapshot(folder)
    code, _out, err = run_cli("-C", mini_site, "build", "--out", folder)
    assert code == 1
    assert err.splitlines() == [
        f"the output folder, {folder}, holds files site-builder did not write: nothing was changed {REFUSED_HINT}"
    ]
    assert _snapshot(folder) == before
    assert not (mini_site / f".{name}.spare").exists()


def test_a_missing_or_empty_folder_is_taken_and_marked(mini_site, run_cli, tmp_path):
    for out in (tmp_path / "new" / "site", tmp_path / "empty"):
        if out.name == "empty":
            out.mkdir()
        assert run_cli("-C", mini_site, "build", "--out", out)[0] == 0
        assert (out / MARK_FILE).read_bytes() == MARK
        assert (out / "en" / "index.html").is_file()
        assert run_cli("-C", mini_site, "build", "--out", out, "--no-cache")[0] == 0  # its own: built again


def test_build_at_the_project_root_from_an_earlier_version_is_taken_over(mini_site, run_cli):
    old = mini_site / "build"
    (old / "en").mkdir(parents=True)
    (old / "en" / "stale.html").write_text("from an earlier version, without a mark", "utf-8")
    assert run_cli("-C", mini_site, "build")[0] == 0
    assert not (old / "en" / "stale.html").exists()
    assert (old / MARK_FILE).read_bytes() == MARK


def test_a_spare_folder_that_is_not_the_tool_s_is_refused(mini_site, run_cli):
    foreign = mini_site / ".build.spare"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("not the tool's", "utf-8")
    code, _out, err = run_cli("-C", mini_site, "build")
    assert code == 1
    assert err.startswith(
        f"the folder site-builder keeps beside it, {foreign}, holds files site-builder did not write"
    )
    assert (foreign / "mine.txt").read_text("utf-8") == "not the tool's"


def test_a_symbolic_link_as_output_is_refused(mini_site, run_cli, tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    code, _out, err = run_cli("-C", mini_site, "build", "--out", link)
    assert code == 1 and err.startswith(f"the output folder {link} is a symbolic link")
    assert list(target.iterdir()) == []


def test_after_a_build_only_the_output_and_its_spare_folder_are_beside_it(mini_site, run_cli, tmp_path):
    parent = tmp_path / "out"
    for _ in range(3):
        assert run_cli("-C", mini_site, "build", "--out", parent / "site")[0] == 0
        page = mini_site / "content" / "en" / "about.md"
        page.write_text(page.read_text("utf-8") + "\nOne more sentence.\n", "utf-8")
    assert sorted(p.name for p in parent.iterdir()) == [".site.spare", "site"]


def test_a_hand_edit_that_keeps_size_and_time_is_put_back(mini_site, run_cli):
    assert run_cli("-C", mini_site, "build")[0] == 0
    built = read_tree(mini_site / "build")
    page = mini_site / "build" / "en" / "index.html"
    status = page.stat()
    data = page.read_bytes()
    page.write_bytes(data.replace(b"<", b"{", 1))  # one byte changed, size kept
    os.utime(page, ns=(status.st_atime_ns, status.st_mtime_ns))  # and its time
    assert run_cli("-C", mini_site, "build")[0] == 0
    assert read_tree(mini_site / "build") == built


def test_a_rebuild_after_an_edit_touches_only_what_changed(mini_site, run_cli, monkeypatch):
    """The spare folder's record stays true from build to build: files that did not change
    since the build before last are neither written nor linked again."""
    from site_builder.output import publish as write

    page = mini_site / "content" / "en" / "about.md"
    original = page.read_text("utf-8")
    for sentence in ("First.", "Second.", "Third."):  # the spare folder settles after two builds
        page.write_text(f"{original}\n{sentence}\n", "utf-8")
        assert run_cli("-C", mini_site, "build")[0] == 0
    touched = []
    real_write_one = write._write_one
    monkeypatch.setattr(
        write, "_write_one", lambda *args: touched.append(args[-1].path) or real_write_one(*args)
    )
    page.write_text(f"{original}\nFourth.\n", "utf-8")
    assert run_cli("-C", mini_site, "build")[0] == 0
    # The page itself, in this build and the one before (the spare folder held the build
    # before last), and the search index of its bundle; nothing else of the site's files.
    assert sorted(p for p in set(touched) if not p.startswith("pagefind/")) == ["en/about/index.html"]
    assert all(p.startswith("pagefind/en/pages/") for p in touched if p.startswith("pagefind/"))
    assert b"Fourth." in (mini_site / "build" / "en" / "about" / "index.html").read_bytes()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_what_builds_leave_in_the_project_is_ignored_by_git(mini_site, run_cli):
    """The project's .gitignore covers every folder a build makes in the site's folder (the
    output, its spare, the cache, the photos' copies), so that an editor's ``git add`` of their
    work never takes them."""
    shutil.copy2(REPO / ".gitignore", mini_site / ".gitignore")

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(mini_site), *args], capture_output=True, text=True, check=True
        )
        return done.stdout

    git("init", "-q")
    git("add", "-A")
    git("-c", "user.name=Editor", "-c", "user.email=editor@example.org", "commit", "-qm", "site")
    page = mini_site / "content" / "en" / "about.md"
    for _ in range(2):  # a build that changes something leaves a spare folder
        page.write_text(page.read_text("utf-8") + "\nOne more sentence.\n", "utf-8")
        assert run_cli("-C", mini_site, "build")[0] == 0
    assert (mini_site / ".build.spare").is_dir()
    assert git("status", "--porcelain", "--untracked-files=all") == " M content/en/about.md\n"
