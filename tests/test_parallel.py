"""Converting Markdown and rendering pages in worker processes (``build --jobs N``) changes
nothing in the output, nor in the mistakes reported."""

from __future__ import annotations

import multiprocessing
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import read_tree, run_process

from site_builder import pipeline, stages
from site_builder.render.pages import IN_WORKERS_FROM
from site_builder.render.workers import can_fork

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "benchmarks" / "generate_site.py"


def _build(root: Path, out: Path, *options: str) -> dict[str, bytes]:
    result = run_process("-C", root, "build", "--no-cache", "--out", out, *options)
    assert result.returncode == 0, result.stderr
    return read_tree(out)


def test_one_and_two_jobs_give_the_same_real_site(tmp_path):
    serial = _build(ROOT, tmp_path / "serial", "--jobs", "1")
    parallel = _build(ROOT, tmp_path / "parallel", "--jobs", "2")
    assert len(serial) > 40
    assert parallel == serial


@pytest.fixture(scope="module")
def generated_site(tmp_path_factory) -> Path:
    """A generated site with enough pages that workers render them too."""
    site = tmp_path_factory.mktemp("generated") / "site"
    per_language = IN_WORKERS_FROM // 2 + 10
    subprocess.run([sys.executable, GENERATOR, str(per_language), site], check=True, capture_output=True)
    return site


def test_one_and_two_jobs_give_the_same_generated_site(generated_site, tmp_path):
    serial = _build(generated_site, tmp_path / "serial", "--jobs", "1")
    parallel = _build(generated_site, tmp_path / "parallel", "--jobs", "2")
    assert sum(path.endswith(".html") for path in serial) > IN_WORKERS_FROM
    assert parallel == serial


@pytest.mark.skipif(not can_fork(), reason="pages are rendered in workers only where they can be forked")
def test_dates_formatted_in_workers_are_kept_for_the_next_build(generated_site, tmp_path):
    """A rebuild after one edit renders a page or two: with the dates the workers formatted
    at hand, it does not load Babel's locale data to format them again."""
    kept = {}
    for jobs in (1, 2):
        preview = pipeline.PreviewState()
        pipeline.build(generated_site, tmp_path / f"out-{jobs}", cache=preview, jobs=jobs)
        kept[jobs] = preview.memo.tables[stages.DATES]
    assert len(kept[1]) > IN_WORKERS_FROM  # a news item's date, and more
    assert kept[2] == kept[1]


@pytest.mark.skipif(not can_fork(), reason="pages are rendered in workers only where they can be forked")
@pytest.mark.parametrize(
    "line, expected",
    [
        (
            b"{{ page.front.no_such_field }}\n",
            "template error: 'site_builder.content.frontmatter.FrontMatter object' has no",
        ),
        ("{# café #}\n".encode("latin-1"), "the template is not valid UTF-8 text"),
    ],
)
def test_template_mistakes_found_in_workers_name_file_and_line(generated_site, tmp_path, line, expected):
    site = tmp_path / "site"
    shutil.copytree(generated_site, site)
    template = site / "templates" / "news_item.html"
    lines = template.read_bytes().splitlines(keepends=True)
    lines.insert(2, line)
    template.write_bytes(b"".join(lines))
    results = [
        run_process("-C", site, "build", "--no-cache", "--out", tmp_path / "out", "--jobs", jobs)
        for jobs in ("1", "2")
    ]
    assert [result.returncode for result in results] == [1, 1]
    assert results[1].stderr.startswith(f"templates/news_item.html:3: {expected}")
    assert len(results[1].stderr.splitlines()) == 1  # one mistake, reported once for all pages
    assert results[1].stderr == results[0].stderr
    assert not (tmp_path / "out").exists()


def test_a_template_no_page_uses_that_is_not_utf8_is_a_warning(generated_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(generated_site, site)
    (site / "templates" / "unused.html").write_bytes("{# café #}\n".encode("latin-1"))
    results = [
        run_process("-C", site, "build", "--no-cache", "--out", tmp_path / jobs, "--jobs", jobs)
        for jobs in ("1", "2")
    ]
    assert [result.returncode for result in results] == [0, 0]
    warning = "warning: templates/unused.html:1: the template is not valid UTF-8 text (hint: save the file as UTF-8)"
    # After "built …" and what minifying saved.
    assert [result.stderr.splitlines()[2:] for result in results] == [[warning], [warning]]


def test_mistakes_found_in_workers_name_file_and_line(mini_site, run_cli):
    page = mini_site / "content/en/about.md"
    text = page.read_text()
    page.write_text(text + "\nA photo:\n\n![](/assets/photo.png)\n")
    line = len((text + "\nA photo:\n\n").splitlines()) + 1
    results = [run_cli("-C", mini_site, "build", "--no-cache", "--jobs", jobs) for jobs in ("1", "2")]
    assert [code for code, _, _ in results] == [1, 1]
    assert f"content/en/about.md:{line}: image '/assets/photo.png' has no alt text" in results[1][2]
    assert results[1][2] == results[0][2]
    assert not (mini_site / "build").exists()


def test_jobs_must_be_a_positive_number(mini_site, run_cli):
    code, _, err = run_cli("-C", mini_site, "build", "--jobs", "0")
    assert code == 2
    assert "--jobs" in err


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, and that are not yet finished."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_end_with_a_build_that_is_killed(generated_site, tmp_path):
    """A forked worker shares the build's lock on the output folder: left behind, it would
    refuse every later build."""
    out = tmp_path / "out"
    command = [sys.executable, "-m", "site_builder", "-C", str(generated_site), "build", "--no-cache"]
    build = subprocess.Popen([*command, "--out", str(out), "--jobs", "2"], stderr=subprocess.DEVNULL)
    try:
        workers: list[int] = []
        for _ in range(600):  # while the build converts Markdown in its workers
            workers = _children(build.pid)
            if len(workers) >= 2 or build.poll() is not None:
                break
            time.sleep(0.01)
        assert len(workers) >= 2, "the build ended before its workers could be seen"
    finally:
        build.kill()
        build.wait()
    for _ in range(500):
        if not any(_alive(pid) for pid in workers):
            break
        time.sleep(0.01)
    assert not any(_alive(pid) for pid in workers)
    again = run_process("-C", generated_site, "build", "--no-cache", "--out", out, "--jobs", "1")
    assert again.returncode == 0, again.stderr


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_markdown_workers_started_afresh_give_the_same_site(tmp_path, method):
    """Where workers are not forked (Python's default outside Linux, and on Linux from 3.14)."""
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} here")
    site = tmp_path / "site"
    subprocess.run([sys.executable, GENERATOR, "12", site], check=True, capture_output=True)
    script = tmp_path / "build.py"
    script.write_text(
        "import multiprocessing, sys\n"
        "if __name__ == '__main__':\n"
        "    multiprocessing.set_start_method(sys.argv[1])\n"
        "    from site_builder.cli import main\n"
        "    sys.exit(main(sys.argv[2:]))\n",
        "utf-8",
    )
    command = [sys.executable, script, method, "-C", site, "build", "--no-cache", "--jobs", "2", "--out"]
    started = subprocess.run([*command, tmp_path / "out"], capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stderr
    assert read_tree(tmp_path / "out") == _build(site, tmp_path / "serial", "--jobs", "1")
