"""Converting Markdown in worker processes (``build --jobs N``) changes nothing in the output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import read_tree, run_process

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


def test_one_and_two_jobs_give_the_same_generated_site(tmp_path):
    site = tmp_path / "site"
    subprocess.run([sys.executable, GENERATOR, "30", site], check=True, capture_output=True)
    serial = _build(site, tmp_path / "serial", "--jobs", "1")
    parallel = _build(site, tmp_path / "parallel", "--jobs", "2")
    assert sum(path.endswith(".html") for path in serial) > 60
    assert parallel == serial


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
