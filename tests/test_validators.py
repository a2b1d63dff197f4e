"""Every HTML file of the real build through the Nu HTML Checker (npm ``vnu-jar``, run with Java).

One Java process checks all the files. A small page with known mistakes is
checked in the same run, so a checker that silently checked nothing would fail.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from conftest import REPO

VNU = REPO / "node_modules/vnu-jar/build/dist/vnu.jar"
JAVA = shutil.which("java")
CONTROL = "<!doctype html>\n<html lang=en>\n<title>control</title>\n<p><img src=a.png>\n<blink>old</blink>\n"


@pytest.fixture(scope="module")
def vnu_errors(built, tmp_path_factory) -> tuple[dict[Path, list[dict]], list[dict]]:
    """(every HTML file of the build → the errors vnu reported in it, the control page's errors)."""
    if JAVA is None:
        pytest.skip("java is not installed (.ci/run installs default-jre-headless)")
    if not VNU.is_file():
        pytest.skip("node_modules/vnu-jar is not installed: run `npm ci` (.ci/run does)")
    control = tmp_path_factory.mktemp("vnu") / "control.html"
    control.write_text(CONTROL, "utf-8")
    files = [*sorted(built.rglob("*.html")), control]
    result = subprocess.run(
        [JAVA, "-jar", str(VNU), "--errors-only", "--format", "json", "--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(result.stdout)
    errors: dict[Path, list[dict]] = {file.resolve(): [] for file in files}
    for message in report["messages"]:
        path = Path(unquote(urlparse(message.get("url", "")).path)).resolve()
        # "non-document-error": a file vnu could not read; it counts as an error of that file.
        assert path in errors, message
        errors[path].append(message)
    return errors, errors.pop(control.resolve())


def test_the_checker_reports_mistakes_with_their_line(vnu_errors):
    _, control = vnu_errors
    found = {(m["lastLine"], m["message"]) for m in control}
    assert any(line == 4 and "alt" in message for line, message in found), found  # image without alt text
    assert any(line == 5 and "blink" in message for line, message in found), found  # obsolete element


def test_every_html_file_of_the_build_is_valid(vnu_errors, built):
    files, _ = vnu_errors
    assert len(files) >= 30
    problems = [
        f"{path.relative_to(built.resolve())}:{m.get('lastLine', '?')}:{m.get('firstColumn', '?')}:"
        f" {m['type']}: {m['message']}"
        for path, found in sorted(files.items())
        for m in found
    ]
    assert problems == [], f"{len(problems)} HTML error(s):\n" + "\n".join(problems)
