"""Converting Markdown and rendering pages in worker processes (``build --jobs N``) changes
nothing in the output, nor in the mistakes reported."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import read_tree, run_process

from site_builder.render import IN_WORKERS_FROM
from site_builder.workers import can_fork

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
def test_template_mistakes_found_in_workers_name_file_and_line(generated_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(generated_site, site)
    template = site / "templates" / "news_item.html"
    lines = template.read_text("utf-8").splitlines(keepends=True)
    lines.insert(2, "{{ page.front.no_such_field }}\n")
    template.write_text("".join(lines), "utf-8")
    results = [
        run_process("-C", site, "build", "--no-cache", "--out", tmp_path / "out", "--jobs", jobs)
        for jobs in ("1", "2")
    ]
    assert [result.returncode for result in results] == [1, 1]
    assert results[1].stderr.startswith("templates/news_item.html:3: ")
    assert "no_such_field" in results[1].stderr
    assert len(results[1].stderr.splitlines()) == 1  # one mistake, reported once for all pages
    assert results[1].stderr == results[0].stderr
    assert not (tmp_path / "out").exists()


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
