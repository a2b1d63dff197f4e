"""Rebuilds with the build cache and its record: whatever was edited, in whatever order, with
whatever number of workers, the output equals a cold serial build; with nothing changed, a
build writes nothing."""

from __future__ import annotations

import dataclasses
import os
import pickle
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import read_tree

from site_builder.incremental import record, signing, store
from site_builder.render.markup import Body, Link
from site_builder.render.pages import IN_WORKERS_FROM

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "benchmarks" / "generate_site.py"


def _cold(run_cli, site: Path, out: Path, *options: str) -> dict[str, bytes]:
    shutil.rmtree(out, ignore_errors=True)
    code, _, err = run_cli("-C", site, "build", "--no-cache", "--jobs", "1", "--out", out, *options)
    assert code == 0, err
    return read_tree(out)


def _stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.rglob("*")
    }


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text("utf-8") + text, "utf-8")


def _news(site: Path, lang: str) -> list[Path]:
    return sorted((site / "content" / lang / "news").glob("item-*.md"))


def _edit_generated(site: Path, rng: random.Random, step: int) -> str:
    """One random edit of the generated site, as an editor or a designer would make it."""
    what = rng.choice(["body", "title", "add", "delete", "template", "asset", "same bytes", "nothing"])
    en, nl = _news(site, "en"), _news(site, "nl")
    page = rng.choice(en + nl)
    if what == "body":  # a link to the first item, which is never deleted
        other = _news(site, page.parent.parent.name)[0]
        _append(page, f"\nStep {step}: see [another item]({other.name}).\n")
    elif what == "title":
        text = page.read_text("utf-8")
        page.write_text(text.replace('title: "', f'title: "Step {step} ', 1), "utf-8")
    elif what == "add":
        for lang in ("en", "nl"):
            (site / "content" / lang / "news" / f"item-9{step:04d}.md").write_text(
                f'---\ntitle: "Added at step {step}"\nsummary: "Added."\ndate: 2031-01-{step % 28 + 1:02d}\n---\n'
                f"A page added at step {step}.\n",
                "utf-8",
            )
    elif what == "delete" and len(en) > 5:
        texts = [other.read_text("utf-8") for other in en + nl]
        unlinked = [item.name for item in en[1:] if not any(f"]({item.name}" in text for text in texts)]
        name = rng.choice(unlinked) if unlinked else None
        for lang in ("en", "nl") if name else ():
            (site / "content" / lang / "news" / name).unlink()
    elif what == "template":
        _append(site / "templates" / "base.html", f"{{# step {step} #}}\n")
    elif what == "asset":
        _append(site / "assets" / "site.css", f"\n/* step {step} */\n")
    elif what == "same bytes":
        page.write_bytes(page.read_bytes())  # a save without a change: a new time, the same bytes
    return what


def _tamper(out: Path, rng: random.Random) -> None:
    """What a person or a sync tool might do to the output folder between builds."""
    files = sorted(p for p in out.rglob("*") if p.is_file())
    victim = rng.choice(files)
    how = rng.choice(["delete", "change", "stray"])
    if how == "delete":
        victim.unlink()
    elif how == "change":
        victim.write_bytes(victim.read_bytes() + b"\n")
    else:
        (victim.parent / "stray.html").write_text("not built", "utf-8")


# Seed 2 on a site large enough that its pages are rendered in workers (render.IN_WORKERS_FROM).
@pytest.mark.parametrize("seed, per_language", [(1, 12), (2, IN_WORKERS_FROM // 2 + 10)])
def test_any_series_of_edits_builds_what_a_cold_serial_build_does(tmp_path, run_cli, seed, per_language):
    site = tmp_path / "site"
    subprocess.run([sys.executable, GENERATOR, str(per_language), site], check=True, capture_output=True)
    out = tmp_path / "out"
    rng = random.Random(seed)
    seen = set()
    for step in range(14):
        what = _edit_generated(site, rng, step) if step else "first build"
        if step % 5 == 4:
            _tamper(out, rng)
            what += ", output tampered with"
        jobs = rng.choice(["1", "2"])
        code, _, err = run_cli("-C", site, "build", "--out", out, "--jobs", jobs)
        assert code == 0, err
        assert read_tree(out) == _cold(run_cli, site, tmp_path / "cold"), f"step {step}: {what}, {jobs} jobs"
        seen.add(what.split(",")[0])
    assert len(seen) >= 5  # the series covered most kinds of edit


def test_the_real_site_after_edits_is_what_a_cold_serial_build_makes(tmp_path, run_cli):
    site = tmp_path / "site"
    for name in ("content", "templates", "assets", "translations"):
        shutil.copytree(ROOT / name, site / name)
    for name in ("site.yaml", "babel.cfg"):
        shutil.copy2(ROOT / name, site / name)
    out = tmp_path / "out"
    edits = [
        lambda: _append(
            site / "content/en/about.md", "\nOne more sentence about [the SWOT](swot.md#swot-strengths).\n"
        ),
        lambda: _append(site / "content/nl/swot.md", "\nNog een zin.\n"),
        lambda: _append(site / "templates/base.html", "{# a designer's note #}\n"),
        lambda: (site / "content/en/about.md").write_text(
            (site / "content/en/about.md").read_text("utf-8").replace("title: ", "title: Edited ", 1), "utf-8"
        ),
        lambda: _replace(site / CATALOGUE, 'msgstr "Al het nieuws"', 'msgstr "Alle nieuwsberichten"'),
        lambda: None,
    ]
    for step, edit in enumerate([lambda: None, *edits]):
        edit()
        code, _, err = run_cli("-C", site, "build", "--out", out, "--jobs", str(1 + step % 2))
        assert code == 0, err
        assert read_tree(out) == _cold(run_cli, site, tmp_path / "cold"), f"edit {step}"
    assert "Edited " in read_tree(out)["en/about/index.html"].decode()
    assert "Alle nieuwsberichten" in read_tree(out)["nl/index.html"].decode()


CATALOGUE = "translations/nl/LC_MESSAGES/messages.po"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


UP_TO_DATE = "is up to date"


@pytest.fixture
def log(caplog):
    caplog.set_level("INFO", logger="site_builder")
    return caplog


def test_a_build_with_nothing_changed_writes_nothing_and_says_so(mini_site, run_cli, log):
    (mini_site / "content/nl/about.md").unlink()  # a missing translation: a warning, not an error
    code, _, first = run_cli("-C", mini_site, "build")
    assert code == 0 and "warning: " in first
    out, cache = mini_site / "build", mini_site / ".site-cache"
    before, cache_before = _stamps(out), read_tree(cache)
    log.clear()
    code, _, again = run_cli("-C", mini_site, "build")
    assert code == 0
    assert UP_TO_DATE in log.text
    assert [line for line in again.splitlines() if line.startswith("warning: ")] == [
        line for line in first.splitlines() if line.startswith("warning: ")
    ]
    assert _stamps(out) == before  # not one file written again
    assert read_tree(cache) == cache_before


@pytest.mark.parametrize("options", [["--drafts"], ["--base-url", "https://example.org"], ["--strict"]])
def test_other_options_are_not_up_to_date(mini_site, run_cli, tmp_path, options, log):
    assert run_cli("-C", mini_site, "build")[0] == 0
    log.clear()
    code, _, err = run_cli("-C", mini_site, "build", *options)
    assert UP_TO_DATE not in log.text
    if code == 0:
        assert read_tree(mini_site / "build") == _cold(run_cli, mini_site, tmp_path / "cold", *options)


def test_a_save_that_keeps_size_and_time_is_still_seen(mini_site, run_cli, log):
    """A file changed within the same clock tick as the last build's record may keep both its
    size and its time; such recent files are compared by their bytes."""
    page = mini_site / "content/en/about.md"
    text = page.read_text("utf-8")
    assert "We publish" in text
    assert run_cli("-C", mini_site, "build")[0] == 0
    status = page.stat()
    page.write_text(text.replace("We publish", "We publizh", 1), "utf-8")  # same size
    os.utime(page, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert page.stat().st_size == status.st_size
    log.clear()
    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 0 and UP_TO_DATE not in log.text
    assert "We publizh" in (mini_site / "build/en/about/index.html").read_text("utf-8")


def test_a_changed_input_folder_is_not_up_to_date(mini_site, run_cli, log):
    assert run_cli("-C", mini_site, "build")[0] == 0
    (mini_site / "content/en/news/extra.md").write_text("---\ntitle: Extra\ndate: 2020-01-01\n---\nExtra.\n")
    log.clear()
    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 0 and UP_TO_DATE not in log.text
    assert (mini_site / "build/en/news/extra/index.html").is_file()


def test_only_output_folders_changed_in_the_record_s_tick_are_listed_again(mini_site, run_cli, monkeypatch):
    """The output folder is checked by the times of its folders; one changed in the very tick
    of the file system's clock that the record was taken in may change again unseen, and only
    such a folder is listed."""
    assert run_cli("-C", mini_site, "build")[0] == 0
    out, last = mini_site / "build", record.read_record(mini_site / ".site-cache").output
    tick = last.written_ns
    assert tick == out.stat().st_mtime_ns >= max(last.folders.values())
    # Every folder but the top and one other changed half a second before the record's tick,
    # as the folders a build writes just before taking its record.
    in_tick = sorted(folder for folder in last.folders if folder)[0]
    earlier = tick - 500_000_000
    for folder in last.folders:
        if folder and folder != in_tick:
            os.utime(out / folder, ns=(earlier, earlier))
    os.utime(out / in_tick, ns=(tick, tick))
    taken = dataclasses.replace(last, folders=record.folder_times(out, last.folders))
    listed, listdir = [], os.listdir
    monkeypatch.setattr(os, "listdir", lambda path: listed.append(path) or listdir(path))
    assert taken.present(out) == record.output_stats(out)
    assert sorted(listed) == [f"{out}/", f"{out}/{in_tick}"]
    (out / in_tick / "stray.html").write_text("left by hand", "utf-8")
    os.utime(out / in_tick, ns=(tick, tick))  # added within the same tick: the folder's time is the same
    assert taken.present(out) is None


# The cache file: appended segments, damage, and what it may contain.


def test_changes_are_appended_until_the_file_is_written_whole_again(tmp_path):
    parts = {"entries": {n: f"value {n}" * 100 for n in range(50)}, "key": "a"}
    store.write_cache(tmp_path, parts)
    whole = (tmp_path / store.CACHE_FILE).stat().st_size
    for step in range(store.MAX_SEGMENTS + 1):
        found, stored = store.read_cache(tmp_path)
        assert found == parts
        assert stored.segments == step + 1 if step < store.MAX_SEGMENTS else stored.segments == 1
        found["entries"] = dict(found["entries"])
        found["entries"][1000 + step] = "new"
        found["entries"].pop(step, None)
        found["key"] = f"step {step}"
        store.write_cache(tmp_path, found, stored)
        parts = {"entries": dict(found["entries"]), "key": found["key"]}
        if step == 0:
            assert (tmp_path / store.CACHE_FILE).stat().st_size < whole * 1.1  # a segment of a few bytes
    assert store.read_cache(tmp_path)[0] == parts
    assert store.read_cache(tmp_path)[1].segments == 2  # written whole after MAX_SEGMENTS, then one more


def test_a_damaged_appended_segment_discards_the_cache(tmp_path):
    store.write_cache(tmp_path, {"entries": {1: "a"}})
    found, stored = store.read_cache(tmp_path)
    store.write_cache(tmp_path, {"entries": {1: "a", 2: "b"}}, stored)
    data = (tmp_path / store.CACHE_FILE).read_bytes()
    (tmp_path / store.CACHE_FILE).write_bytes(data[:-2] + bytes([data[-2] ^ 1]) + data[-1:])
    assert store.read_cache(tmp_path) is None


def test_a_cache_naming_other_code_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    (tmp_path / store.CACHE_FILE).write_bytes(_cache_file(pickle.dumps({"entries": Payload()})))
    assert store.read_cache(tmp_path) is None
    assert not marker.exists()
    # The same file with plain data is read: the refusal is of the code it names.
    (tmp_path / store.CACHE_FILE).write_bytes(_cache_file(pickle.dumps({"entries": {1: "a"}})))
    assert store.read_cache(tmp_path)[0] == {"entries": {1: "a"}}


def _cache_file(pickled: bytes) -> bytes:
    """A cache file of one segment holding ``pickled``: its size, its signature, then it."""
    version = store.cache_version()
    head = b"site-builder cache\n" + version.encode() + b"\n"
    signature = signing.sign(signing.cache_key(), version.encode(), pickled)
    return head + len(pickled).to_bytes(8, "big") + signature + pickled


LONG_HTML = "<p>Ĳsselmeer — naïve “quotes” " + "tekst " * 200 + "\udcff</p>"  # a lone surrogate too


def _bodies() -> dict[int, Body]:
    return {1: Body(LONG_HTML, (Link("x.md", "/en/x/", 3),)), 2: Body("<p>short</p>", ())}


def test_texts_come_back_as_they_were_written(tmp_path):
    store.write_cache(tmp_path, {"bodies": _bodies()})
    found, _ = store.read_cache(tmp_path)
    assert found["bodies"] == _bodies() and found["bodies"][1].html == LONG_HTML


def test_a_text_changed_since_it_was_written_makes_the_cache_unused(tmp_path):
    store.write_cache(tmp_path, {"bodies": _bodies()})
    path = tmp_path / store.CACHE_FILE
    data = path.read_bytes()
    at = data.index(b"tekst tekst")
    path.write_bytes(data[:at] + b"T" + data[at + 1 :])
    assert store.read_cache(tmp_path) is None


def test_a_build_with_a_damaged_cache_builds_cold_and_writes_it_anew(mini_site, run_cli, tmp_path):
    long = "\n\n".join(f"Paragraph {n}: the Zuidas hosts the European Medicines Agency." for n in range(40))
    (mini_site / "content/en/long.md").write_text(f"---\ntitle: Long\n---\n{long}\n", "utf-8")
    assert run_cli("-C", mini_site, "build")[0] == 0
    cache = mini_site / ".site-cache" / store.CACHE_FILE
    whole = cache.read_bytes()
    at = whole.index(b"<p>Paragraph 7: the Zuidas") + 3  # in the page's HTML
    cache.write_bytes(whole[:at] + b"p" + whole[at + 1 :])
    template = mini_site / "templates/base.html"
    template.write_text(template.read_text("utf-8").replace("</body>", "<!-- changed --></body>"), "utf-8")
    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 0, err
    assert read_tree(mini_site / "build") == _cold(run_cli, mini_site, tmp_path / "cold")
    assert "Paragraph 7: the Zuidas" in (mini_site / "build/en/long/index.html").read_text("utf-8")
    found, stored = store.read_cache(cache.parent)
    assert stored.segments == 1  # written anew, whole
    assert any("<p>Paragraph 7: the Zuidas" in rendered.body.html for rendered in found["bodies"].values())


# Builds, then prints which of PyYAML and Babel the build imported.
_BUILD_NAMING_MODULES = (
    "import sys\n"
    "from site_builder.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print(' '.join(sorted({name.partition('.')[0] for name in sys.modules} & {'yaml', 'babel'})))\n"
    "sys.exit(code)\n"
)


def _build_naming_modules(site: Path) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _BUILD_NAMING_MODULES, "-q", "-C", str(site), "build"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_a_rebuild_after_an_edit_to_a_page_s_text_reads_no_yaml(mini_site, run_cli, tmp_path):
    """Neither site.yaml nor any front matter changed: nothing needs PyYAML, nor Babel, both
    slow to import, and the front matter kept is that of the file as it is."""
    assert run_cli("-C", mini_site, "build")[0] == 0
    page = mini_site / "content/en/news/2019-06-12-ema.md"
    page.write_text(page.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    assert _build_naming_modules(mini_site) == []
    built = mini_site / "build/en/news/ema-opens-office/index.html"
    assert "One more line." in built.read_text("utf-8")
    assert read_tree(mini_site / "build") == _cold(run_cli, mini_site, tmp_path / "cold-1")
    # Its front matter changed, the page is read with PyYAML again.
    _replace(page, "title: The European", "title: Again, the European")
    assert "yaml" in _build_naming_modules(mini_site)
    assert "Again, the European" in built.read_text("utf-8")
    assert read_tree(mini_site / "build") == _cold(run_cli, mini_site, tmp_path / "cold-2")
    # As is site.yaml, once changed.
    _replace(mini_site / "site.yaml", "news_page_size: 10", "news_page_size: 1")
    assert "yaml" in _build_naming_modules(mini_site)
    assert read_tree(mini_site / "build") == _cold(run_cli, mini_site, tmp_path / "cold-3")


def test_a_damaged_record_means_a_full_build(mini_site, run_cli, tmp_path, log):
    assert run_cli("-C", mini_site, "build")[0] == 0
    (mini_site / ".site-cache" / record.RECORD_FILE).write_bytes(b"\x00" * 100)
    log.clear()
    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 0 and UP_TO_DATE not in log.text
    assert read_tree(mini_site / "build") == _cold(run_cli, mini_site, tmp_path / "cold")
    assert record.read_record(mini_site / ".site-cache") is not None


def test_a_link_to_a_folder_outside_an_input_is_recorded_not_walked(mini_site, tmp_path_factory):
    """The build refuses such a link and reads nothing behind it; walking it to record what
    changed could take the whole disk (a link to /)."""
    from site_builder.project import INPUTS

    outside = tmp_path_factory.mktemp("outside")
    (outside / "deep").mkdir()
    (outside / "deep" / "style.css").write_text("p {}", "utf-8")
    (mini_site / "assets" / "elsewhere").symlink_to(outside, target_is_directory=True)
    (mini_site / "assets" / "fonts-again").symlink_to(
        mini_site / "assets" / "fonts", target_is_directory=True
    )
    stats = record.find_inputs(mini_site, INPUTS).stats
    assert "assets/elsewhere" in stats
    assert not [path for path in stats if path.startswith("assets/elsewhere/")]
    # A link that stays inside the folder is walked: what it leads to is read.
    fonts = sorted(path.removeprefix("assets/fonts/") for path in stats if path.startswith("assets/fonts/"))
    assert fonts and fonts == sorted(
        p.removeprefix("assets/fonts-again/") for p in stats if p.startswith("assets/fonts-again/")
    )
