"""The README's promise about installs: both commands, and CI, install the locked versions.

The lock files are plain requirements files written by ``scripts/lock``; these
tests read them as data (name, version, hashes), without any tool of their own.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from conftest import REPO, quoted

_REQUIREMENT = re.compile(r"^([A-Za-z0-9._-]+)==([^ ;\\]+)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked(name: str) -> dict[str, tuple[str, int]]:
    """Package → (version, number of hashes) from a lock file."""
    locked: dict[str, tuple[str, int]] = {}
    current = None
    for line in (REPO / name).read_text("utf-8").splitlines():
        found = _REQUIREMENT.match(line)
        if found:
            current = _canonical(found.group(1))
            locked[current] = (found.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = locked[current]
            locked[current] = (version, hashes + 1)
    return locked


def _declared(extra: str | None = None) -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    specs = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    return {_canonical(re.split(r"[<>=!~\[ ;]", spec, maxsplit=1)[0]) for spec in specs}


def test_every_dependency_is_locked_with_hashes():
    site, tests = _locked("requirements.lock"), _locked("requirements-test.lock")
    assert _declared() <= site.keys()
    assert _declared() | _declared("test") <= tests.keys()
    for lock in (site, tests):
        assert all(hashes > 0 for _version, hashes in lock.values()), "pip --require-hashes needs a hash each"


def test_the_locked_install_can_deploy():
    """README: boto3 is a dependency, not an extra, so the locked install can deploy from CI."""
    assert (
        "boto3" in _declared() and {"boto3", "botocore", "s3transfer"} <= _locked("requirements.lock").keys()
    )


def test_the_tests_run_the_versions_users_install():
    site, tests = _locked("requirements.lock"), _locked("requirements-test.lock")
    assert {name: tests[name][0] for name in site} == {name: version for name, (version, _) in site.items()}


def test_this_run_has_the_locked_versions_installed():
    wrong = {}
    for name, (version, _hashes) in _locked("requirements-test.lock").items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue  # only on other platforms (a marker such as sys_platform == 'win32')
        if installed != version:
            wrong[name] = (installed, version)
    assert not wrong, f"installed ≠ locked: {wrong}"


def test_readme_and_ci_install_from_the_locks():
    readme = (REPO / "README.md").read_text("utf-8")
    ci = (REPO / ".ci" / "run").read_text("utf-8")
    test_command = (
        "python3 -m venv .venv && .venv/bin/pip install -q --require-hashes -r requirements-test.lock"
        " && .venv/bin/pip install -q --no-deps -e . && .venv/bin/python -m pytest"
    )
    assert test_command in readme and test_command in ci
    assert "--require-hashes -r requirements.lock && .venv/bin/pip install -q --no-deps -e ." in readme


@pytest.mark.skipif(
    sys.platform == "win32" or sys.prefix == sys.base_prefix, reason="a POSIX virtual environment"
)
def test_the_commands_are_found_in_a_new_terminal_as_content_md_says(tmp_path):
    """docs/content.md: after the quick start, `. .venv/bin/activate` in a new terminal makes
    `site-builder` a command, and `.venv/bin/site-builder` is one without it. (The tests run in
    the environment the README's second command makes the same way.)"""
    assert quoted("docs/content.md", "bin/activate") == ". .venv/bin/activate"
    assert quoted("docs/content.md", "bin/site-builder") == ".venv/bin/site-builder"
    readme = (REPO / "README.md").read_text("utf-8")
    assert "python3 -m venv .venv && " in readme and ".venv/bin/site-builder serve" in readme
    venv = Path(sys.prefix)
    new_terminal = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
    }
    for command in (f". {venv}/bin/activate && site-builder --help", f"{venv}/bin/site-builder --help"):
        done = subprocess.run(
            ["sh", "-c", command], env=new_terminal, capture_output=True, text=True, cwd=REPO
        )
        assert done.returncode == 0 and "usage: site-builder" in done.stdout, done.stderr
