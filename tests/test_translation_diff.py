"""``site-builder translations diff``: what changed in a translation's source since it was marked
done, from the copy ``translations done`` keeps in ``.translated/`` or from git's history; the
cases where that cannot be known; and the same beside each stale page of the preview's status page.

The projects are the mini site in a real git repository of their own, edited and committed as
an editor would.
"""

from __future__ import annotations

import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, make_mini_site, text_files

from site_builder.content.frontmatter import content_version, set_front_matter_line
from site_builder.project import INPUTS, TRANSLATED_DIR
from site_builder.site.translation_diff import ADDED, BODY, FRONT_MATTER, REMOVED, SAME, changes, words

EN_MOU = "content/en/news/2019-09-26-mou.md"
NL_MOU = "content/nl/news/2019-09-26-mou.md"
NL_SENTENCE = "De gemeente Amsterdam, de Amsterdamse universiteiten en de Board tekenden de verklaring."
ADDED_SENTENCE = "Het EMA & co. kijken toe vanaf de <Zuidas>."
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Editor",
    "GIT_AUTHOR_EMAIL": "editor@example.org",
    "GIT_COMMITTER_NAME": "Editor",
    "GIT_COMMITTER_EMAIL": "editor@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,  # none of this machine's settings
    "GIT_CONFIG_NOSYSTEM": "1",
}

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture(autouse=True)
def repositories_of_their_own(tmp_path, monkeypatch):
    """git finds no repository around the test's folder, nor one the environment names (as it
    does for tests run by a git hook)."""
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_IDENTITY},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def repository(root: Path) -> Path:
    """The mini site in ``root``, committed as the first commit of a repository of its own."""
    make_mini_site(root)
    git(root, "init", "-q", "-b", "main")
    commit(root, "The site")
    return root


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def mark_by_hand(root: Path, translation: str, source: str) -> str:
    """Record in ``translation`` the source's version as ``translations done`` did before it kept
    copies: the line alone. Returns the version."""
    version = content_version((root / source).read_text(encoding="utf-8"))
    path = root / translation
    line = f"translated_from: nl:{version}"
    path.write_bytes(set_front_matter_line(path.read_bytes(), "translated_from", line))
    return version


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err.strip()


# --- the copy that translations done keeps -----------------------------------------------------


@needs_git
def test_a_fresh_clone_shows_the_sentence_added_since_the_translation(tmp_path, run_cli):
    """The translated version of the source was never committed as content: only the copy in
    .translated/ holds it, and the clone has that copy because it is committed."""
    root = repository(tmp_path / "site")
    edit(root, NL_MOU, "tekenden de verklaring", "ondertekenden de verklaring")
    translated_text = (root / NL_MOU).read_bytes()
    code, out, err = run_cli("-C", root, "translations", "done", root / EN_MOU, "--from", "nl")
    assert code == 0, err
    assert (root / TRANSLATED_DIR / "en/news/2019-09-26-mou.md").read_bytes() == translated_text
    edit(root, NL_MOU, "ondertekenden de verklaring.", f"ondertekenden de verklaring. {ADDED_SENTENCE}")
    edit(root, NL_MOU, "title: Burgemeester Halsema", "title: Burgemeester Femke Halsema")
    commit(root, "Translated, and a sentence added")
    assert "ondertekenden de verklaring.\n" not in git(root, "log", "-p", "--", NL_MOU)

    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(root), str(clone))
    for named in (EN_MOU, NL_MOU):  # the translation, or its source
        code, out, err = run_cli("-C", clone, "translations", "diff", clone / named)
        assert (code, err) == (0, "")
        heading, front, body = out.strip().split("\n\n")
        assert heading == (
            f"{NL_MOU} has changed since {EN_MOU} was translated from it "
            f"(nl:{content_version(translated_text.decode())}, "
            f"now nl:{content_version((clone / NL_MOU).read_text('utf-8'))}):"
        )
        assert (
            front
            == "front matter, line 2:\n  title: Burgemeester {+Femke+} Halsema tekent intentieverklaring"
        )
        assert body == (
            "body, line 7:\n  De gemeente Amsterdam, de Amsterdamse universiteiten en de Board "
            f"ondertekenden de verklaring. {{+{ADDED_SENTENCE}+}}"
        )


def test_an_unchanged_source_has_no_changes_and_the_build_ignores_the_copies(mini_site, run_cli):
    code, _, err = run_cli("-C", mini_site, "translations", "done", mini_site / EN_MOU, "--from", "nl")
    assert code == 0, err
    code, out, err = run_cli("-C", mini_site, "translations", "diff", mini_site / EN_MOU)
    assert (code, out, err) == (
        0,
        f"no changes since the translation: {EN_MOU} is up to date with {NL_MOU}\n",
        "",
    )

    assert TRANSLATED_DIR not in INPUTS  # nothing in it makes a build run again
    (mini_site / TRANSLATED_DIR / "en/broken.md").write_text("no front matter\x00", encoding="utf-8")
    code, _, err = run_cli("-C", mini_site, "build", "--no-cache")
    assert code == 0, err
    built = [p.relative_to(mini_site / "build").as_posix() for p in (mini_site / "build").rglob("*")]
    assert not [path for path in built if "translated" in path or "broken" in path]


def test_words_replaced_and_spaces_only(mini_site, run_cli):
    """Without git: the copy alone tells what changed. A change of spaces and line breaks only
    is said to be that."""
    run_cli("-C", mini_site, "translations", "done", mini_site / EN_MOU, "--from", "nl")
    edit(mini_site, NL_MOU, "de Board tekenden", "de Board  tekenden")
    code, out, _ = run_cli("-C", mini_site, "translations", "diff", mini_site / EN_MOU)
    assert code == 0 and out.startswith(f"only spaces and line breaks changed in {NL_MOU} since {EN_MOU}")
    edit(mini_site, NL_MOU, "de Board  tekenden", "het bestuur tekende")
    code, out, _ = run_cli("-C", mini_site, "translations", "diff", mini_site / EN_MOU)
    assert code == 0
    assert out.endswith(
        "body, line 7:\n  De gemeente Amsterdam, de Amsterdamse universiteiten en [-de Board tekenden-]"
        "{+het bestuur tekende+} de verklaring.\n"
    )


# --- git's history, for pages marked before copies were kept ---------------------------------


@needs_git
def test_a_page_marked_before_copies_were_kept_is_compared_with_the_committed_version(tmp_path, run_cli):
    root = repository(tmp_path / "site")
    mark_by_hand(root, EN_MOU, NL_MOU)
    commit(root, "Translated")
    edit(root, NL_MOU, NL_SENTENCE, f"{NL_SENTENCE} {ADDED_SENTENCE}")
    commit(root, "A sentence added")
    edit(root, NL_MOU, "date: 2019-09-26\n", "date: 2019-09-26\ndate_precision: day\n")
    edit(root, EN_MOU, "date: 2019-09-26\n", "date: 2019-09-26\ndate_precision: day\n")
    commit(root, "Precision")
    # and renamed, both files in one commit: the source is followed through its rename
    for lang in ("nl", "en"):
        git(root, "mv", f"content/{lang}/news/2019-09-26-mou.md", f"content/{lang}/news/2019-09-26-intent.md")
    commit(root, "Renamed")
    assert not (root / TRANSLATED_DIR).exists()

    code, out, err = run_cli(
        "-C", root, "translations", "diff", root / "content/en/news/2019-09-26-intent.md"
    )
    assert (code, err) == (0, "")
    assert out.split("\n\n")[1:] == [
        "front matter, line 6:\n  {+date_precision: day+}",
        f"body, line 8:\n  {NL_SENTENCE} {{+{ADDED_SENTENCE}+}}\n",
    ]


# --- when it cannot be known ---------------------------------------------------------------------


@needs_git
def test_no_copy_and_no_commit_holding_the_version(tmp_path, run_cli):
    """Marked done by hand while the source had changes never committed, then changed again."""
    root = repository(tmp_path / "site")
    edit(root, NL_MOU, "tekenden", "ondertekenden")
    version = mark_by_hand(root, EN_MOU, NL_MOU)
    edit(root, NL_MOU, "ondertekenden", "tekenden samen")
    commit(root, "Translated")
    code, out, err = run_cli("-C", root, "translations", "diff", root / EN_MOU)
    assert (code, out) == (1, "")
    assert one_line(err) == (
        f"{EN_MOU}:6: .translated/en/news/2019-09-26-mou.md holds no copy of {NL_MOU} as it was "
        f"translated (nl:{version}), and no commit in the git history holds that version "
        "(hint: compare the two pages by hand, then run site-builder translations done: "
        "from then on a copy is kept)"
    )


def test_no_copy_and_not_a_git_repository(mini_site, run_cli):
    version = mark_by_hand(mini_site, EN_MOU, NL_MOU)
    edit(mini_site, NL_MOU, "tekenden", "ondertekenden")
    code, _, err = run_cli("-C", mini_site, "translations", "diff", mini_site / EN_MOU)
    assert code == 1
    assert one_line(err).startswith(
        f"{EN_MOU}:6: .translated/en/news/2019-09-26-mou.md holds no copy of {NL_MOU} as it was "
        f"translated (nl:{version}), and the project is not in a git repository (hint: "
    )


@needs_git
def test_no_copy_and_no_git_installed(tmp_path, run_cli, monkeypatch):
    root = repository(tmp_path / "site")
    mark_by_hand(root, EN_MOU, NL_MOU)
    edit(root, NL_MOU, "tekenden", "ondertekenden")
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    code, _, err = run_cli("-C", root, "translations", "diff", root / EN_MOU)
    assert code == 1
    assert ", and git is not installed to look in the history (hint: " in one_line(err)


def test_a_page_that_is_no_translation(mini_site, run_cli):
    for rel in ("content/en/about.md", "content/nl/about.md"):
        code, out, err = run_cli("-C", mini_site, "translations", "diff", mini_site / rel)
        assert (code, out) == (1, "")
        assert one_line(err) == (
            f"{rel}: the page is not a translation, and no page records being translated from it "
            "(hint: name a page with a translated_from line; see docs/translating.md)"
        )
    code, _, err = run_cli("-C", mini_site, "translations", "diff", mini_site / "site.yaml")
    assert code == 1 and "is not a page of this site" in one_line(err)


def test_a_page_not_translated_yet(mini_site, run_cli):
    code, out, err = run_cli("-C", mini_site, "new", "news", "Nieuw gebouw", "--lang", "nl", "--both")
    assert code == 0, err
    english = Path(out.split()[1])
    code, _, err = run_cli("-C", mini_site, "translations", "diff", english)
    rel = english.relative_to(mini_site).as_posix()
    line = english.read_text(encoding="utf-8").split("\n").index("translated_from: nl:new") + 1
    assert code == 1
    assert one_line(err).startswith(
        f"{rel}:{line}: the page is not translated yet: there is no earlier text of "
        f"content/nl/{rel.split('/', 2)[2]} to compare with (hint: translate all of it"
    )


# --- the preview's status page ----------------------------------------------------------------


def test_the_status_page_shows_the_changes_beside_the_stale_page(mini_site, run_cli):
    from site_builder.stages import generate

    run_cli("-C", mini_site, "translations", "done", mini_site / EN_MOU, "--from", "nl")
    edit(mini_site, NL_MOU, "de Board tekenden", "het bestuur tekenden")
    edit(mini_site, NL_MOU, "de verklaring.", f"de verklaring. {ADDED_SENTENCE}")
    mark_by_hand(mini_site, "content/en/about.md", "content/nl/about.md")  # no copy, no git
    edit(mini_site, "content/nl/about.md", "Wij publiceren", "Wij tonen")
    files = text_files(generate(mini_site, drafts=True, preview=True).files)
    page = files["_status/index.html"]
    mou = page[page.index(f"<code>{EN_MOU}</code>") :]
    mou = mou[: mou.index("</li>")]
    assert (
        '<pre class="diff-text">De gemeente Amsterdam, de Amsterdamse universiteiten en '
        '<del class="diff-removed">de Board</del><ins class="diff-added">het bestuur</ins> tekenden '
        'de verklaring. <ins class="diff-added">Het EMA &amp; co. kijken toe vanaf de &lt;Zuidas&gt;.</ins></pre>'
    ) in mou
    assert '<p class="diff-where">body, line 7</p>' in mou
    about = page[page.index("<code>content/en/about.md</code>") :]
    about = about[: about.index("</li>")]
    assert '<p class="diff-unavailable">.translated/en/about.md holds no copy of content/nl/about.md' in about
    assert "the project is not in a git repository" in about and "<ins" not in about
    assert "style=" not in page  # the CSP allows no inline styles: the classes are the stylesheet's
    css = (REPO / "assets/site.css").read_text(encoding="utf-8")
    assert all(
        f".{name} {{" in css for name in ("diff-text", "diff-added", "diff-removed", "diff-unavailable")
    )


# --- the terminal ---------------------------------------------------------------------------


def test_colours_at_a_terminal_unless_no_color(mini_site, run_cli):
    run_cli("-C", mini_site, "translations", "done", mini_site / EN_MOU, "--from", "nl")
    edit(mini_site, NL_MOU, "de verklaring.", f"de verklaring. {ADDED_SENTENCE}")
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    shown = at_terminal(
        [sys.executable, "-m", "site_builder", "-C", str(mini_site), "translations", "diff", EN_MOU],
        mini_site,
        env,
    )
    assert f"de verklaring. \x1b[32m{ADDED_SENTENCE}\x1b[0m" in shown and "{+" not in shown
    plain = at_terminal(
        [sys.executable, "-m", "site_builder", "translations", "diff", EN_MOU],
        mini_site,
        {**env, "NO_COLOR": "1"},
    )
    assert f"de verklaring. {{+{ADDED_SENTENCE}+}}" in plain and "\x1b[" not in plain


def at_terminal(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    """What ``command`` prints with its standard output on a terminal (a pseudo-terminal); read
    once it has ended, which a few lines allow: they fit in the terminal's buffer."""
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(command, cwd=cwd, env=env, stdout=follower, stderr=subprocess.PIPE, check=False)
        os.close(follower)
        follower = -1
        assert done.returncode == 0, done.stderr
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal's other end is closed: all is read
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


# --- the word diff itself -----------------------------------------------------------------------


def test_words_are_compared_within_the_lines_that_differ():
    old = "---\ntitle: Over ons\nweight: 20\n---\nEen zin.\n\nTweede alinea.\n"
    new = "---\ntitle: Over ons\nweight: 25\n---\nEen zin. Een nieuwe zin.\n\nTweede alinea.\n\nDerde\nalinea.\n"
    assert [(h.part, h.line, h.segments) for h in changes(old, new)] == [
        (FRONT_MATTER, 3, ((SAME, "weight: "), (REMOVED, "20"), (ADDED, "25"))),
        (BODY, 5, ((SAME, "Een zin. "), (ADDED, "Een nieuwe zin."))),
        (BODY, 9, ((ADDED, "Derde\nalinea."),)),
    ]
    assert changes(old, old.replace("Een zin.", "Een\nzin.")) == ()
    assert words("A B C", "A C") == ((SAME, "A "), (REMOVED, "B"), (SAME, " C"))
    assert re.fullmatch(r"[0-9a-f]{12}", content_version(new))
