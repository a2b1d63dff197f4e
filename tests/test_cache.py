"""The build cache in .site-cache/: the output is the same with it, without it, and with a damaged one."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import read_tree

from site_builder.incremental import record, store

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "benchmarks" / "generate_site.py"


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def _cold(run_cli, site: Path, out: Path) -> dict[str, bytes]:
    assert run_cli("-C", site, "build", "--no-cache", "--out", out)[0] == 0
    return read_tree(out)


def test_rebuilds_with_the_cache_equal_cold_builds(tmp_path, run_cli):
    site = tmp_path / "site"
    subprocess.run([sys.executable, GENERATOR, "20", site], check=True, capture_output=True)
    out = tmp_path / "out"
    assert run_cli("-C", site, "build", "--out", out)[0] == 0
    assert (site / ".site-cache" / store.CACHE_FILE).is_file()
    assert read_tree(out) == _cold(run_cli, site, tmp_path / "cold-0")
    page = next((site / "content/en/news").glob("item-*.md"))
    page.write_text(page.read_text() + "\nAn added sentence, [with a link](../_index.md).\n")
    head = site / "templates/base.html"
    for step in range(3):  # a page edited; nothing changed; a template edited
        if step == 2:
            head.write_text(head.read_text().replace("</body>", '<p class="changed">changed</p></body>'))
        assert run_cli("-C", site, "build", "--out", out)[0] == 0
        assert read_tree(out) == _cold(run_cli, site, tmp_path / f"cold-{step + 1}")
    assert "An added sentence" in read_tree(out)[f"en/news/{page.stem}/index.html"].decode()
    assert "<p class=changed>changed" in read_tree(out)["en/index.html"].decode()


def test_a_damaged_cache_is_ignored_and_replaced(mini_site, run_cli, tmp_path):
    cold = _cold(run_cli, mini_site, tmp_path / "cold")
    cache = mini_site / ".site-cache" / store.CACHE_FILE
    assert run_cli("-C", mini_site, "build")[0] == 0
    whole = cache.read_bytes()
    names = store.read_cache(cache.parent)[0].keys()
    for damaged in (b"garbage \x00\xff" * 100, whole[: len(whole) // 2], whole[:-1] + bytes([whole[-1] ^ 1])):
        cache.write_bytes(damaged)
        (cache.parent / record.RECORD_FILE).unlink()  # else the build finds the site up to date
        code, _, err = run_cli("-C", mini_site, "build")
        assert code == 0, err
        assert read_tree(mini_site / "build") == cold
        # Written again, whole: one segment that reads back. (Not always the same bytes: which
        # files' stamps it keeps depends on how long before the build they were saved.)
        parts, stored = store.read_cache(cache.parent)
        assert stored.segments == 1 and parts.keys() == names


def _poisoned(cache: Path, version: str) -> bytes:
    """The cache with every page's converted Markdown replaced, stored under ``version``,
    and without rendered pages, so that a build renders every page from it."""
    parts, _ = store.read_cache(cache.parent)
    parts["bodies"] = {
        key: dataclasses.replace(value, body=dataclasses.replace(value.body, html="POISON"))
        for key, value in parts["bodies"].items()
    }
    parts["pages"] = {}
    store.write_cache(cache.parent, parts)
    header, _version, rest = cache.read_bytes().split(b"\n", 2)
    return b"\n".join((header, version.encode(), rest))


def test_a_cache_written_by_other_code_is_not_used(mini_site, run_cli):
    cache = mini_site / ".site-cache" / store.CACHE_FILE
    assert run_cli("-C", mini_site, "build")[0] == 0
    about = mini_site / "build/en/about/index.html"
    cache.write_bytes(_poisoned(cache, store.cache_version()))
    (cache.parent / record.RECORD_FILE).unlink()  # else the build finds the site up to date
    assert run_cli("-C", mini_site, "build")[0] == 0
    assert b"POISON" in about.read_bytes()  # a cache of this version is used as it is...
    cache.write_bytes(_poisoned(cache, "another version"))
    (cache.parent / record.RECORD_FILE).unlink()
    assert run_cli("-C", mini_site, "build")[0] == 0
    assert b"POISON" not in about.read_bytes()  # ...one of another version is not


def test_no_cache_and_cache_dir(mini_site, run_cli, tmp_path):
    assert run_cli("-C", mini_site, "build", "--no-cache")[0] == 0
    assert not (mini_site / ".site-cache").exists()
    elsewhere = tmp_path / "elsewhere" / "cache"
    before = _files(tmp_path)
    assert run_cli("-C", mini_site, "build", "--cache-dir", elsewhere)[0] == 0
    assert (elsewhere / store.CACHE_FILE).is_file()
    assert not (mini_site / ".site-cache").exists()
    # Besides the cache, only the folder the tool keeps beside build/ (the build before it).
    written = {path for path in _files(tmp_path) - before if path.partition("/")[0] != ".build.spare"}
    assert written == {
        "elsewhere",
        "elsewhere/cache",
        f"elsewhere/cache/{store.CACHE_FILE}",
        f"elsewhere/cache/{record.RECORD_FILE}",
    }


@pytest.mark.parametrize("where", ["build/cache", "content/cache", "site.yaml"])
def test_a_cache_folder_in_the_output_or_the_inputs_is_refused(mini_site, run_cli, where):
    """Inside build/ the cache would be published; inside the inputs it would be read as one."""
    assert run_cli("-C", mini_site, "build")[0] == 0
    before = read_tree(mini_site / "build")
    code, out, err = run_cli("-C", mini_site, "build", "--cache-dir", mini_site / where)
    assert (code, out) == (1, "")
    assert "the cache folder" in err and "(hint: keep the cache outside" in err and len(err.splitlines()) == 1
    assert read_tree(mini_site / "build") == before
    assert not (mini_site / where / store.CACHE_FILE).exists()


def test_a_failed_build_writes_no_cache(mini_site, run_cli):
    page = mini_site / "content/en/about.md"
    page.write_text(page.read_text() + "\n[a link](missing.md)\n")
    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 1 and "missing.md" in err
    assert not (mini_site / ".site-cache").exists()


def test_the_real_site_is_the_same_with_a_warm_cache(tmp_path, run_cli):
    cache = tmp_path / "cache"
    cold = _cold(run_cli, ROOT, tmp_path / "cold")
    for run in ("first", "second"):  # the cache written, then read
        assert run_cli("-C", ROOT, "build", "--cache-dir", cache, "--out", tmp_path / run)[0] == 0
        assert read_tree(tmp_path / run) == cold
    assert len(cold) > 40 and (cache / store.CACHE_FILE).is_file()


@pytest.mark.parametrize(
    ("blocked", "what"), [(store.CACHE_FILE, "build cache"), (record.RECORD_FILE, "build record")]
)
def test_a_cache_folder_that_cannot_be_written_is_one_line(mini_site, run_cli, tmp_path, blocked, what):
    """A folder stands where the file must go: the build says which file it could not write,
    where, and what to do, in one line."""
    cache = tmp_path / "cache"
    (cache / blocked).mkdir(parents=True)
    code, _, err = run_cli("-C", mini_site, "build", "--cache-dir", cache)
    assert code == 1
    assert err.strip().splitlines() == [
        f"cannot write the {what} to {cache}: Is a directory "
        "(hint: choose another folder with --cache-dir, or build with --no-cache)"
    ]
    assert run_cli("-C", mini_site, "build", "--no-cache")[0] == 0
