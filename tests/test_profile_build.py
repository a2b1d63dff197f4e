"""benchmarks/profile_build.py: its stage table names every stage of a build, and each runs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def profile_build():
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import profile_build
        from generate_site import generate
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    return profile_build, generate


def test_every_stage_of_a_cold_build_is_timed(profile_build, tmp_path):
    # A stage renamed or moved would leave its row empty, and its time counted as "rest".
    script, generate = profile_build
    site = generate(12, tmp_path / "site")
    times, wall, _cpu = script.stage_times(site, tmp_path / "out")
    assert [label for label, _, name in script.STAGES if name not in times] == []
    assert (tmp_path / "out" / "pagefind").is_dir()  # search on, as in the benchmark
    counted = sum(w for name, (w, _) in times.items() if name not in script.NESTED)
    assert 0 < counted <= wall


def test_the_timed_stages_are_put_back(profile_build, tmp_path):
    script, generate = profile_build
    before = {(module.__name__, name): getattr(module, name) for _, module, name in script.STAGES}
    script.stage_times(generate(3, tmp_path / "site"), tmp_path / "out")
    assert {(module.__name__, name): getattr(module, name) for _, module, name in script.STAGES} == before
