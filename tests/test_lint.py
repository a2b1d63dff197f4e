"""The code holds to the lint rules and the formatting of pyproject.toml ([tool.ruff]), so
that a change that breaks them fails the test command like any other."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO

CHECKED = ("site_builder", "tests", "benchmarks", "scripts")


def _ruff(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *arguments, "--no-cache", *CHECKED],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_code_passes_the_lint_rules():
    done = _ruff("check", "--output-format", "concise")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_code_is_formatted():
    done = _ruff("format", "--check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_lint_check_finds_a_problem(tmp_path):
    """The check fails where the rules are broken (so the two tests above can fail)."""
    broken = tmp_path / "broken.py"
    broken.write_text("import os\n", "utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--no-cache",
            "--config",
            str(REPO / "pyproject.toml"),
            str(broken),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "F401" in done.stdout, done.stdout + done.stderr
