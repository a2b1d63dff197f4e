"""``write.publish``: a complete new folder swapped in, never a half-written one."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from conftest import read_tree

from site_builder.errors import SiteError
from site_builder.output import publish as write
from site_builder.output.publish import MARK, MARK_FILE, Known, check_output_folder, publish
from site_builder.site.files import OutputFile

FIRST = (
    OutputFile("index.html", b"<h1>LSH Amsterdam</h1>"),
    OutputFile("nl/index.html", b"<h1>Welkom</h1>"),
    OutputFile("nl/nieuws/ema/index.html", b"<h1>EMA</h1>"),
    OutputFile("assets/site.1bbf2a15.css", b"body{}"),
)


def leftovers(folder: Path) -> list[str]:
    """Hidden entries beside the output: at most the spare folder the tool keeps."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.name != ".build.spare")


def test_first_publish_creates_the_folder(tmp_path):
    out = tmp_path / "build"
    publish(FIRST, out)
    assert read_tree(out) == {f.path: f.data for f in FIRST}
    assert leftovers(tmp_path) == []
    assert oct(out.stat().st_mode & 0o777) == oct(0o755)


def test_publish_replaces_the_old_content_entirely(tmp_path):
    out = tmp_path / "build"
    publish(FIRST, out)
    (out / "stray.txt").write_text("left by hand")
    (out / "en").mkdir()
    (out / "en" / "old.html").write_text("old")
    second = (OutputFile("index.html", b"<h1>New</h1>"), OutputFile("en/index.html", b"<h1>Welcome</h1>"))
    publish(second, out)
    assert read_tree(out) == {"index.html": b"<h1>New</h1>", "en/index.html": b"<h1>Welcome</h1>"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".build.spare", "build"]


def test_unchanged_files_are_hard_linked_and_keep_their_mtime(tmp_path):
    out = tmp_path / "build"
    publish(FIRST, out)
    stamp = 1_000_000_000  # 2001: far from "now", so a rewrite could not keep it by accident
    for file in FIRST:
        os.utime(out / file.path, (stamp, stamp))
    before = {f.path: (out / f.path).stat() for f in FIRST}

    changed = OutputFile("nl/index.html", b"<h1>Welkom terug</h1>")
    same_size = OutputFile("index.html", b"<h1>LSH Amsterdaa</h1>")  # same length, other bytes
    publish((same_size, changed, FIRST[2], FIRST[3]), out)

    for path in ("nl/nieuws/ema/index.html", "assets/site.1bbf2a15.css"):
        after = (out / path).stat()
        assert after.st_ino == before[path].st_ino
        assert after.st_mtime == stamp
    for path in ("index.html", "nl/index.html"):
        after = (out / path).stat()
        assert after.st_ino != before[path].st_ino
        assert after.st_mtime != stamp
    assert (out / "index.html").read_bytes() == b"<h1>LSH Amsterdaa</h1>"
    assert (out / "nl/index.html").read_bytes() == b"<h1>Welkom terug</h1>"


@pytest.mark.parametrize(
    "path",
    [
        "../escape.html",
        "nl/../../escape.html",
        "/etc/passwd",
        "nl\\index.html",
        "",
        "nl//index.html",
        "./index.html",
    ],
)
def test_refuses_paths_that_leave_the_output_folder(tmp_path, path):
    out = tmp_path / "build"
    publish(FIRST, out)
    before = read_tree(out)
    with pytest.raises(SiteError) as caught:
        publish((OutputFile("index.html", b"new"), OutputFile(path, b"x")), out)
    assert str(caught.value) == f"refusing to write '{path}': it would leave the output folder"
    assert read_tree(out) == before
    assert leftovers(tmp_path) == []
    assert not (tmp_path / "escape.html").exists()


def test_refuses_two_files_with_one_path(tmp_path):
    out = tmp_path / "build"
    with pytest.raises(SiteError, match="two outputs would be written to 'index.html'"):
        publish((OutputFile("index.html", b"a"), OutputFile("index.html", b"b")), out)
    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_output_path_that_is_a_file(tmp_path):
    (tmp_path / "build").write_text("not a folder")
    with pytest.raises(SiteError, match="exists and is not a folder"):
        publish(FIRST, tmp_path / "build")
    assert (tmp_path / "build").read_text() == "not a folder"
    assert leftovers(tmp_path) == []


def test_output_path_below_a_file_is_a_site_error(tmp_path):
    (tmp_path / "notes.txt").write_text("a file")
    with pytest.raises(SiteError):
        publish(FIRST, tmp_path / "notes.txt" / "build")


def test_failure_while_writing_keeps_the_old_folder(tmp_path, monkeypatch):
    out = tmp_path / "build"
    publish(FIRST, out)
    before = read_tree(out)
    real_write = write._write_one
    written = []

    def failing_write(*args):
        rel = args[-2]
        if rel.as_posix() == "nl/index.html":
            raise OSError(28, "No space left on device")
        written.append(rel.as_posix())  # from several threads: list.append is atomic
        real_write(*args)

    monkeypatch.setattr(write, "_write_one", failing_write)
    with pytest.raises(SiteError, match="cannot write the site to .*: the disk is full"):
        publish([OutputFile(f.path, b"new " + f.data) for f in FIRST], out)
    assert written  # the others were written, into the spare folder
    assert read_tree(out) == before
    assert leftovers(tmp_path) == []
    second = [OutputFile(f.path, b"second " + f.data) for f in FIRST]
    monkeypatch.undo()
    publish(second, out)  # the next build puts the half-written spare folder right
    assert read_tree(out) == {f.path: f.data for f in second}


def test_a_whole_build_is_written_from_several_threads(tmp_path, monkeypatch):
    writers = set()
    real_write = write._write_one

    def recording_write(*args):
        writers.add(threading.get_ident())
        real_write(*args)

    monkeypatch.setattr(write, "_write_one", recording_write)
    files = [OutputFile(f"news/{n}/index.html", f"<h1>{n}</h1>".encode()) for n in range(200)]
    publish(files, tmp_path / "build")
    assert read_tree(tmp_path / "build") == {f.path: f.data for f in files}
    assert threading.get_ident() not in writers and len(writers) > 1


def test_check_output_folder(tmp_path):
    project = tmp_path / "site"
    (project / "content").mkdir(parents=True)
    inputs = ("content", "templates", "site.yaml")
    check_output_folder(project / "build", project, inputs)
    check_output_folder(tmp_path / "elsewhere", project, inputs)
    for bad, message in [
        (project, "contains the project itself"),
        (tmp_path, "contains the project itself"),
        (project / "content" / "out", "is inside content/"),
        (project / "templates", "is inside templates/"),
    ]:
        with pytest.raises(SiteError, match=message):
            check_output_folder(bad, project, inputs)


def test_a_second_build_into_the_same_place_is_refused_while_the_first_runs(tmp_path):
    from site_builder.output.publish import output_lock

    out = tmp_path / "build"
    with output_lock(out):
        with pytest.raises(SiteError, match="another build is writing next to"):
            with output_lock(out):
                pass
    with output_lock(out):  # released when the first build ends
        pass
    assert list(tmp_path.iterdir()) == []  # the lock leaves no file behind


def test_the_new_tree_is_complete_before_it_is_exchanged(tmp_path, monkeypatch):
    out = tmp_path / "build"
    publish(FIRST, out)
    before = read_tree(out)
    second = [OutputFile(f.path, b"new " + f.data) for f in FIRST[1:]]
    seen = []
    real_exchange = write._exchange

    def watching_exchange(staging, target):
        seen.append((read_tree(staging), read_tree(target)))
        real_exchange(staging, target)

    monkeypatch.setattr(write, "_exchange", watching_exchange)
    publish(second, out)
    assert seen == [({f.path: f.data for f in second}, before)]
    assert read_tree(out) == {f.path: f.data for f in second}
    assert read_tree(tmp_path / ".build.spare") == before  # the build before, for the next one


def test_both_folders_carry_the_mark(tmp_path):
    out = tmp_path / "build"
    publish(FIRST, out)
    publish(FIRST[:2], out)
    assert (out / MARK_FILE).read_bytes() == MARK
    assert (tmp_path / ".build.spare" / MARK_FILE).read_bytes() == MARK


def test_what_is_known_of_the_spare_folder_is_all_that_is_written(tmp_path, monkeypatch):
    out = tmp_path / "build"
    publish(FIRST, out)
    publish(FIRST, out)  # the spare folder now holds FIRST too
    written = []
    real_write_new = write._write_new
    monkeypatch.setattr(
        write, "_write_new", lambda path, data: written.append(path.name) or real_write_new(path, data)
    )
    changed = OutputFile("nl/index.html", b"<h1>Welkom terug</h1>")
    files = (FIRST[0], changed, FIRST[2], FIRST[3])
    digests = {f.path: f.digest for f in FIRST}
    publish(files, out, output=Known(digests, frozenset(digests)), spare=Known(digests, frozenset(digests)))
    assert written == ["index.html"]  # only the changed file's bytes; the rest is kept as it is
    assert read_tree(out) == {f.path: f.data for f in files}


def test_a_file_changed_by_hand_in_the_spare_folder_is_written_again(tmp_path):
    out = tmp_path / "build"
    publish(FIRST, out)
    publish(FIRST, out)
    spare = tmp_path / ".build.spare"
    (spare / "index.html").unlink()
    (spare / "index.html").write_bytes(b"changed by hand")
    (spare / "stray.html").write_bytes(b"left by hand")
    publish(FIRST, out, spare=None)  # not known: the spare folder is made anew
    assert read_tree(out) == {f.path: f.data for f in FIRST}


def test_a_file_shared_with_the_output_folder_is_replaced_not_written_into(tmp_path):
    out = tmp_path / "build"
    publish(FIRST, out)
    publish(FIRST, out)  # unchanged files are hard links between the two folders
    assert (out / "index.html").stat().st_ino == (tmp_path / ".build.spare" / "index.html").stat().st_ino
    digests = {f.path: f.digest for f in FIRST}
    new_index = OutputFile("index.html", b"<h1>Nieuw</h1>")
    known = Known({p: d for p, d in digests.items() if p != "index.html"}, frozenset(digests))
    publish((new_index, *FIRST[1:]), out, output=Known(digests), spare=known)
    assert (out / "index.html").read_bytes() == b"<h1>Nieuw</h1>"
    assert (tmp_path / ".build.spare" / "index.html").read_bytes() == FIRST[0].data


def test_leftovers_of_earlier_versions_are_removed(tmp_path):
    out = tmp_path / "build"
    publish(FIRST, out)
    for name in (".build.new-abc123", ".build.old-def456"):
        (tmp_path / name / "nl").mkdir(parents=True)
        (tmp_path / name / "nl" / "index.html").write_text("half")
    publish(FIRST, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".build.spare", "build"]


def test_the_preview_forgets_a_spare_folder_left_half_written(tmp_path, monkeypatch):
    from site_builder.pipeline import PreviewState, publish_preview

    cache, out = PreviewState(), tmp_path / "site"
    publish_preview(FIRST, out, cache)
    publish_preview(FIRST, out, cache)  # both folders now hold FIRST
    second = [OutputFile(f.path, b"new " + f.data) for f in FIRST]
    real_write_new = write._write_new
    calls = []  # from several threads: list.append is atomic

    def failing_after_one(path, data):
        calls.append(path)
        if len(calls) > 1:
            raise OSError(28, "No space left on device")
        real_write_new(path, data)

    monkeypatch.setattr(write, "_write_new", failing_after_one)
    with pytest.raises(SiteError):
        publish_preview(second, out, cache)  # the spare folder's files half replaced
    monkeypatch.setattr(write, "_write_new", real_write_new)
    publish_preview(FIRST, out, cache)
    assert read_tree(out) == {f.path: f.data for f in FIRST}


def test_a_path_from_outside_in_what_is_known_is_never_removed(tmp_path):
    """What a build knows of the spare folder comes from the cache folder, which another
    job may have written: a path there that leads out of the folder is not acted on."""
    out = tmp_path / "site" / "build"
    publish(FIRST, out)
    victim = tmp_path / "victim.txt"
    victim.write_text("not the tool's")
    crafted = frozenset({"../../victim.txt", "/" + str(victim).lstrip("/"), "index.html"})
    publish(FIRST, out, spare=Known({}, crafted))
    assert victim.read_text() == "not the tool's"
    assert read_tree(out) == {f.path: f.data for f in FIRST}
