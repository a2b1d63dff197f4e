"""Hostile and strange input, end to end: a clear line naming the file, or a correct site.

Each failing case takes the built mini site, breaks one thing and builds again
through the command line. Cases that could exhaust memory or block run in a
real process with a capped address space and a time limit, so a YAML bomb or a
huge file shows up as a failure rather than a slow machine. The whole project (inputs and
``build/``) and the folder around it must be exactly as they were: nothing is
written on failure, and nothing outside the output folder ever.

Cases an existing test already covers end to end (malformed YAML, a file that
is not UTF-8, a NUL byte, an unsafe slug, a broken ``.md`` link) live in
``test_bad_input.py``; the parsing details are unit-tested in ``test_frontmatter.py``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import free_port, read_tree, run_process, write_tree
from test_bad_input import ABOUT_NL, PAGE_TEMPLATE, UNREADABLE, about_nl, assert_failed_cleanly, break_site
from test_serve import _get, _start, _stop, _wait_for

from site_builder.output.publish import output_lock

MEMORY_LIMIT = 256 * 1024 * 1024  # a build of the mini site needs well under half of this

ALIAS_HINT = "(hint: write the value out in full)"
MERGE_HINT = "(hint: write each setting out in full, on a line of its own)"
TAG_HINT = "(hint: tags such as !!python/object are not allowed)"
TEMPLATE_HINT = "(hint: the name of a file in templates/, such as page.html)"
ALIASES_HINT = "(hint: old addresses of this page on this site, such as /en/mou/)"
OUTSIDE_LINK = (
    "a symbolic link that leads outside content/ is not allowed (hint: copy the file into content/ instead)"
)


def billion_laughs() -> list[str]:
    """Nine levels of nine aliases each: 387 million strings if the aliases were expanded."""
    lines = ["title: Over ons", 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for new, old in zip("bcdefghij", "abcdefghi", strict=True):
        lines.append(f"{new}: &{new} [{', '.join([f'*{old}'] * 9)}]")
    return lines


def merge_bomb() -> list[str]:
    """Nine levels of mappings, each merging nine aliases of the one before."""
    lines = ["title: Over ons", "a: &a {k: lol}"]
    for new, old in zip("bcdefghij", "abcdefghi", strict=True):
        lines.append(f"{new}: &{new} {{<<: [{', '.join([f'*{old}'] * 9)}]}}")
    return lines


def symlink(target: str, name: str):
    def change(root: Path) -> None:
        os.symlink(target, root / name)

    return change


TWENTY_MB = "---\ntitle: Groot\n---\n" + "Een regel tekst over de regio Amsterdam.\n" * (
    20 * 1024 * 1024 // 41
)

CASES = {
    # --- YAML ---------------------------------------------------------------------
    "alias bomb": (
        about_nl(*billion_laughs()),
        [f"{ABOUT_NL}:4: YAML aliases (*name) are not supported {ALIAS_HINT}"],
    ),
    "merge key bomb": (
        about_nl(*merge_bomb()),
        [f"{ABOUT_NL}:4: YAML merge keys (<<) are not supported {MERGE_HINT}"],
    ),
    "tag that runs a command": (
        about_nl("title: !!python/object/apply:os.system ['touch tag-ran']"),
        [f"{ABOUT_NL}:2: invalid YAML: the tag '!!python/object/apply:os.system' is not allowed {TAG_HINT}"],
    ),
    "tag that builds an object": (
        about_nl("title: Over ons", "summary: !!python/object/new:subprocess.Popen [['touch', 'tag-ran']]"),
        [
            f"{ABOUT_NL}:3: invalid YAML: the tag '!!python/object/new:subprocess.Popen' is not allowed {TAG_HINT}"
        ],
    ),
    "front matter never closed": (
        {ABOUT_NL: "---\ntitle: Over ons\nslug: over-ons\n\nWij zijn de regio.\n"},
        [f"{ABOUT_NL}:1: the front matter is never closed (hint: add a line '---' after the last setting)"],
    ),
    "tab before a key": (
        about_nl("title: Over ons", "\tslug: over-ons"),
        [
            f"{ABOUT_NL}:3: invalid YAML: a tab is used to indent this line (hint: indent with spaces, not tabs)"
        ],
    ),
    "duplicate key": (
        about_nl("title: Over ons", "slug: over-ons", "title: Wie wij zijn"),
        [f"{ABOUT_NL}:4: duplicate key 'title' (first on line 2) (hint: remove one of the two)"],
    ),
    "scalar of a megabyte": (
        about_nl("title: Over ons", "summary: " + "regio " * (1024 * 1024 // 6 + 1)),
        [
            f"{ABOUT_NL}:1: the front matter is too large (1024 KiB; the limit is 256 KiB) "
            "(hint: put long text in the page's body, below the second ---)"
        ],
    ),
    "nesting a thousand levels deep": (
        about_nl("title: Over ons", "summary: " + "[" * 1000 + "]" * 1000),
        [
            f"{ABOUT_NL}:3: settings are nested more than 20 levels deep "
            "(hint: write settings as 'key: value' lines, with lists one or two levels deep)"
        ],
    ),
    # --- Markdown -----------------------------------------------------------------
    "brackets left open": (
        about_nl("title: Over ons", "slug: over-ons", body="Wij.\n\n" + "[" * 20000 + "\n"),
        [
            f"{ABOUT_NL}:7: too many brackets without a closing one ('[' needs ']', '(' needs ')') "
            "(hint: close them, or write a bracket that is just text with a backslash, as \\[)"
        ],
    ),
    "lists nested 1500 deep": (
        about_nl(
            "title: Over ons", "slug: over-ons", body="".join("    " * i + "- punt\n" for i in range(1500))
        ),
        [
            f"{ABOUT_NL}:25: quotes and lists are nested more than 20 levels deep "
            "(hint: use fewer levels; deeper ones are hard to read anyway)"
        ],
    ),
    "quotes nested 25 deep on the body's first line": (
        about_nl("title: Over ons", "slug: over-ons", body="> " * 25 + "Wij.\n"),
        [
            f"{ABOUT_NL}:5: quotes and lists are nested more than 20 levels deep "
            "(hint: use fewer levels; deeper ones are hard to read anyway)"
        ],
    ),
    # --- files --------------------------------------------------------------------
    "empty file": (
        {ABOUT_NL: ""},
        [
            f"{ABOUT_NL}:1: the file does not start with front matter "
            "(hint: begin the file with a line '---', then 'title: …', then another '---')"
        ],
    ),
    "control character": (
        about_nl("title: Over ons", "slug: over-ons", body="Wij zijn\x1b[31m de regio.\n"),
        [
            f"{ABOUT_NL}:5: the file contains the control character U+001B "
            "(hint: delete it; it is invisible in most editors and often comes with copied text)"
        ],
    ),
    "20 MB Markdown file": (
        {"content/nl/groot.md": TWENTY_MB},
        [
            "content/nl/groot.md: the file is too large (20 MiB; the limit is 8 MiB) (hint: split it into several pages)"
        ],
    ),
    "named pipe": (
        lambda root: os.mkfifo(root / "content/nl/pijp.md"),
        ["content/nl/pijp.md: the file is not a regular file (hint: content/ holds Markdown files only)"],
    ),
    "link to a file outside the project": (
        symlink("/etc/passwd", "content/nl/wachtwoorden.md"),
        [f"content/nl/wachtwoorden.md: {OUTSIDE_LINK}"],
    ),
    "link to a folder outside the project": (
        symlink("/etc", "content/nl/systeem"),
        [f"content/nl/systeem: {OUTSIDE_LINK}"],
    ),
    "link that climbs out of the project": (
        symlink("../../../../../../../../../etc/hostname", "content/en/host.md"),
        [f"content/en/host.md: {OUTSIDE_LINK}"],
    ),
    # --- paths --------------------------------------------------------------------
    "translation_key with ..": (
        about_nl("title: Over ons", "translation_key: ../../templates/base"),
        [
            f"{ABOUT_NL}:3: translation_key '../../templates/base' is not a valid key "
            "(hint: letters, digits, hyphens, underscores or dots, such as lsh-programme)"
        ],
    ),
    "template outside templates/": (
        about_nl("title: Over ons", "template: ../../../etc/passwd"),
        [f"{ABOUT_NL}:3: template '../../../etc/passwd' is not a template file name {TEMPLATE_HINT}"],
    ),
    "template as an absolute path": (
        about_nl("title: Over ons", "template: /etc/passwd"),
        [f"{ABOUT_NL}:3: template '/etc/passwd' is not a template file name {TEMPLATE_HINT}"],
    ),
    "template with a URL scheme": (
        about_nl("title: Over ons", "template: https://elders.example/page.html"),
        [
            f"{ABOUT_NL}:3: template 'https://elders.example/page.html' is not a template file name {TEMPLATE_HINT}"
        ],
    ),
    "alias with a URL scheme": (
        about_nl("title: Over ons", "aliases: ['https://elders.example/nl/']"),
        [f"{ABOUT_NL}:3: aliases 'https://elders.example/nl/' is not a site address {ALIASES_HINT}"],
    ),
    "alias to another host": (
        about_nl("title: Over ons", "aliases: ['//elders.example/']"),
        [f"{ABOUT_NL}:3: aliases '//elders.example/' is not a site address {ALIASES_HINT}"],
    ),
    "alias with ..": (
        about_nl("title: Over ons", "aliases: ['/nl/../../buiten/']"),
        [f"{ABOUT_NL}:3: aliases '/nl/../../buiten/' is not a site address {ALIASES_HINT}"],
    ),
    "alias with an encoded ..": (
        about_nl("title: Over ons", "aliases: ['/nl/%2e%2e/%2e%2e/buiten/']"),
        [f"{ABOUT_NL}:3: aliases '/nl/%2e%2e/%2e%2e/buiten/' is not a site address {ALIASES_HINT}"],
    ),
    "asset outside assets/ in a template": (
        {
            "templates/page.html": PAGE_TEMPLATE.replace(
                "<h1>", "<img src=\"{{ asset_url('../site.yaml') }}\">\n<h1>"
            )
        },
        [
            "templates/page.html:3: template error: asset '../site.yaml' is not in assets/ "
            "(hint: a name may be misspelt, or a value missing)"
        ],
    ),
    "asset outside assets/ in CSS": (
        {"assets/extra.css": "body {\n  background: url(../../site.yaml);\n}\n"},
        [
            "assets/extra.css:2: url(../../site.yaml) refers to a file that is not in assets/ "
            "(hint: add the file to assets/ or correct the path)"
        ],
    ),
    "page link that climbs out of content/": (
        about_nl(
            "title: Over ons", "slug: over-ons", body="Zie [de instellingen](../../../../site.yaml.md).\n"
        ),
        [
            f"{ABOUT_NL}:5: the link '../../../../site.yaml.md' leads to no page "
            "(hint: link to a page's file relative to this file, such as ../swot.md)"
        ],
    ),
}


def snapshot(root: Path) -> tuple[dict[str, bytes], list[str]]:
    """Every file of the project, and the names beside it."""
    return read_tree(root), sorted(p.name for p in root.parent.iterdir())


IN_A_CAPPED_PROCESS = {
    "alias bomb",
    "merge key bomb",
    "tag that runs a command",
    "tag that builds an object",
    "scalar of a megabyte",
    "nesting a thousand levels deep",
    "20 MB Markdown file",
    "brackets left open",
    "lists nested 1500 deep",
    "named pipe",
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_input_is_refused_and_nothing_is_written(mini_built, run_cli, case):
    root, before = mini_built
    change, expected = CASES[case]
    break_site(root, change)
    project = snapshot(root)
    if case in IN_A_CAPPED_PROCESS:
        result = run_process("-C", root, "build", cwd=root, memory_limit=MEMORY_LIMIT)
    else:
        result = subprocess.CompletedProcess("build", *run_cli("-C", root, "build"))
    assert_failed_cleanly(root, before, result, expected)
    assert snapshot(root) == project
    assert not (root / "tag-ran").exists()


def test_names_that_cannot_be_shown_on_one_line_are_refused(mini_built, run_cli):
    """Not UTF-8, or a line break: the error shows the name escaped, and the preview's watcher copes."""
    from site_builder.serve import input_fingerprint, input_snapshot

    root, before = mini_built
    (root / os.fsdecode(b"content/nl/caf\xe9.md")).write_text("---\ntitle: Caf\n---\n", encoding="utf-8")
    (root / "content/en/two\nlines.md").write_text("---\ntitle: Two lines\n---\n", encoding="utf-8")
    input_fingerprint(root, input_snapshot(root))
    code, out, err = run_cli("-C", root, "build")
    hint = "(hint: rename it using letters, digits, spaces and hyphens)"
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"content/en/two\\nlines.md: the name contains a control character {hint}",
        f"content/nl/caf\\xe9.md: the name is not valid UTF-8 text {hint}",
    ]
    assert read_tree(root / "build") == before


def test_asset_names_that_cannot_be_in_an_address_are_refused(mini_built, run_cli):
    """A space or an accent is published encoded (test_images.py); a name no address can hold
    as it is, nor the preview serve, is one line naming it."""
    root, before = mini_built
    logo = (root / "assets/favicon.svg").read_bytes()
    for name in (b"caf\xe9.svg", b"two\nlines.svg", b"tab\there.svg", b"back\\slash.svg", b"dir\\/a.svg"):
        path = root / "assets" / os.fsdecode(name)
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(logo)
    code, out, err = run_cli("-C", root, "build")
    hint = "(hint: rename it using letters, digits, spaces and hyphens)"
    backslash = "the name contains a backslash, which browsers read as / in an address"
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"assets/back\\slash.svg: {backslash} {hint}",
        f"assets/caf\\xe9.svg: the name is not valid UTF-8 text {hint}",
        f"assets/dir\\: {backslash} {hint}",
        f"assets/tab\\there.svg: the name contains a control character {hint}",
        f"assets/two\\nlines.svg: the name contains a control character {hint}",
    ]
    assert read_tree(root / "build") == before


def test_markdown_limits_leave_code_escaped_brackets_and_ordinary_long_pages_alone():
    from site_builder.content.load import markdown_problem

    long = "x" * 1_000_000
    assert markdown_problem("[" * 50 + long)[0] == 0  # each reads a megabyte
    assert markdown_problem("Wij.\n\n" + "[" * 5 + "x" * 1_000_000 + "\n\n[a](b)")[0] == 2
    assert markdown_problem("[" * 3 + "x" * 100_000) is None
    assert markdown_problem("[" * 100 + long + "]" * 100)[0] == 0  # closed, but each inside the others
    assert markdown_problem("```\n" + "[" * 100 + long + "\n```\n") is None  # code is not Markdown
    assert markdown_problem("\\[" * 100 + long) is None  # brackets written as text
    assert markdown_problem(("(" * 40 + "x" * 1000 + "\n\n") * 20) is None  # open to each paragraph's end
    assert markdown_problem("Een [link](https://lsh.amsterdam/) (zie ook).\n\n" * 100_000) is None
    # The same as one paragraph of 4.5 MB: Python-Markdown rewrites it at each link (a minute).
    assert markdown_problem("Een [link](https://lsh.amsterdam/) (zie ook).\n" * 100_000)[0] == 0
    assert markdown_problem("".join("  " * i + "- x\n" for i in range(30))) is None  # 2 spaces: one level
    assert markdown_problem("".join(">" * i + " x\n" for i in range(1, 21))) is None
    assert markdown_problem("".join(">" * i + " x\n" for i in range(1, 22)))[0] == 20
    assert markdown_problem("\t" * 20 + "- x\n")[0] == 0  # a tab is four columns


def test_a_loop_of_links_is_reported_not_followed(mini_built):
    root, before = mini_built
    os.symlink("b.md", root / "content/nl/a.md")
    os.symlink("a.md", root / "content/nl/b.md")
    result = run_process("-C", root, "build", cwd=root, memory_limit=MEMORY_LIMIT)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"content/nl/{name}.md: cannot read the file: Too many levels of symbolic links {UNREADABLE}"
        for name in "ab"
    ]
    assert read_tree(root / "build") == before


def test_a_link_inside_the_project_is_followed(mini_built, run_cli):
    root, before = mini_built
    os.symlink("../en/about.md", root / "content/nl/about-en.md")
    code, _, err = run_cli("-C", root, "-q", "build")
    assert code == 0, err
    page = (root / "build/nl/about-en/index.html").read_text("utf-8")
    assert "<h1>About us</h1>" in page


# --- accepted -------------------------------------------------------------------------


def assert_builds_the_same_site(root: Path, before: dict[str, bytes], run_cli) -> None:
    """A quiet, successful build whose every output byte equals the build before the change."""
    code, _, err = run_cli("-C", root, "-q", "build")
    assert code == 0, err
    assert err == ""
    assert read_tree(root / "build") == before


def test_bom_and_crlf_give_the_same_site(mini_built, run_cli):
    root, before = mini_built
    pages = sorted((root / "content").rglob("*.md"))
    for page in pages:
        page.write_bytes(b"\xef\xbb\xbf" + page.read_bytes().replace(b"\n", b"\r\n"))
    assert all(p.read_bytes().startswith(b"\xef\xbb\xbf---\r\n") for p in pages)
    assert_builds_the_same_site(root, before, run_cli)


def test_hidden_and_editor_files_are_ignored(mini_built, run_cli):
    root, before = mini_built
    junk = b"\x00\x01 not a page \xff"
    write_tree(
        root,
        {
            "content/nl/.about.md.swp": junk,  # vim
            "content/nl/news/.2019-06-12-ema.md.swo": junk,
            "content/nl/about.md~": "no front matter",  # backup files
            "content/nl/about.md.bak": "no front matter",
            "content/nl/#about.md#": "no front matter",  # emacs auto-save
            "content/.DS_Store": junk,  # macOS Finder
            "content/nl/.DS_Store": junk,
            "content/en/.hidden/page.md": "---\ntitle: [unclosed\n---\n",
            "content/en/_drafts/page.md": "no front matter",
        },
    )
    os.symlink("root@host.12345", root / "content/nl/.#about.md")  # emacs lock: a dangling link
    assert_builds_the_same_site(root, before, run_cli)


def test_file_names_with_spaces_and_other_letters_get_url_safe_addresses(mini_built, run_cli):
    root, before = mini_built
    write_tree(
        root,
        {
            "content/nl/Wie wij zijn.md": "---\ntitle: Wie wij zijn\n---\nWij.\n",
            "content/nl/Café Ünïcode/Ærø & Œuvre.md": "---\ntitle: Kunst\n---\nKunst.\n",
            "content/en/Straße 1.md": "---\ntitle: Street\n---\nStreet.\n",
        },
    )
    code, _, err = run_cli("-C", root, "-q", "build")
    assert code == 0, err
    after = read_tree(root / "build")
    new = sorted(path for path in after if path not in before and path.endswith("index.html"))
    assert new == [
        "en/strasse-1/index.html",
        "nl/cafe-unicode/aero-oeuvre/index.html",
        "nl/wie-wij-zijn/index.html",
    ]
    assert all(re.fullmatch(r"[A-Za-z0-9_./-]+", path) for path in after), sorted(after)
    sitemap = after["sitemap.xml"].decode()
    assert "<loc>https://lsh.amsterdam/nl/cafe-unicode/aero-oeuvre/</loc>" in sitemap


# --- raw HTML ----------------------------------------------------------------------------


LOGO = '<img src="https://lsh.amsterdam/assets/favicon.svg" alt="Logo" width="80" height="40" onerror="alert(1)">'


def test_event_handlers_and_disguised_script_addresses_stop_the_build(mini_built):
    """Plain <script> and javascript: are covered in test_translations.py; these are written to slip by."""
    root, before = mini_built
    break_site(
        root,
        about_nl(
            "title: Over ons",
            "slug: over-ons",
            body=(
                f"Wij.\n\n{LOGO}\n\n"  # line 7
                '<p onmouseover = "go()">Hier</p>\n\n'  # 9
                "<img/onload=alert(1) src=https://lsh.amsterdam/assets/favicon.svg alt=X width=8 height=8>\n\n"  # 11: "/"
                '<a href="&#106;avascript:alert(1)">a</a> and <a href="java&#9;script:alert(1)">b</a>\n\n'  # 13
                "[c](JavaScript:alert(1))\n\n"  # 15
                '<p ONCLICK="go()">Hier</p>\n\n'  # 17
                f"{LOGO}\n"  # 19: the same tag again
            ),
        ),
    )
    hint = "(hint: write content in Markdown; scripts belong in templates/ and assets/)"
    expected = [
        f"{ABOUT_NL}:{line}: {construct} that runs code ('{found}') in the content {hint}"
        for line, construct, found in [
            (7, "raw HTML", "onerror="),
            (9, "raw HTML", "onmouseover="),
            (11, "raw HTML", "onload="),
            (13, "raw HTML", 'href="javascript:'),
            (13, "raw HTML", 'href="javascript:'),
            (15, "a link or image", "JavaScript:alert(1)"),  # Markdown's: named as written
            (17, "raw HTML", "onclick="),
            (19, "raw HTML", "onerror="),
        ]
    ]
    strict = run_process("-C", root, "build", "--strict", cwd=root)
    assert_failed_cleanly(root, before, strict, expected)
    assert_failed_cleanly(root, before, run_process("-C", root, "-q", "build", cwd=root), expected)


# --- concurrency -------------------------------------------------------------------------


def test_a_second_build_into_the_same_folder_is_refused_with_a_clear_line(mini_built):
    root, before = mini_built
    with output_lock(root / "build"):  # as a build in another process holds it
        result = run_process("-C", root, "build", cwd=root)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"another build is writing next to {root}/build (hint: wait for it to finish, then build again)"
    ]
    assert read_tree(root / "build") == before


def test_builds_started_together_never_mix_their_output(mini_built):
    root, before = mini_built
    (root / "content/nl/about.md").write_text(
        "---\ntitle: Over ons\nslug: over-ons\n---\nNieuwe tekst.\n", encoding="utf-8"
    )
    command = [sys.executable, "-m", "site_builder", "-C", str(root), "-q", "build"]
    processes = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in processes]
    for process in processes:
        process.stderr.close()
    refused = (
        f"another build is writing next to {root}/build (hint: wait for it to finish, then build again)\n"
    )
    assert all(result in ((0, ""), (1, refused)) for result in results), results
    assert (0, "") in results
    after = read_tree(root / "build")
    assert b"Nieuwe tekst." in after["nl/over-ons/index.html"]
    # The same files, but for the search index's, which are named by their content.
    assert {p for p in after if not p.startswith("pagefind/")} == {
        p for p in before if not p.startswith("pagefind/")
    }
    assert {p.rsplit("/", 1)[0] for p in after if p.startswith("pagefind/")} == {
        p.rsplit("/", 1)[0] for p in before if p.startswith("pagefind/")
    }
    # Nothing beside build/ but the one folder the tool keeps for its next build.
    assert {p.name for p in root.iterdir() if p.name.startswith(".build")} <= {".build.spare"}


def test_preview_and_build_use_separate_folders_and_do_not_block_each_other(mini_built, tmp_path_factory):
    root, before = mini_built
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    port = free_port()
    with output_lock(root / "build"):  # a build into build/ is running
        process = _start(root, port, log)
        try:
            page = _wait_for(lambda: _get(f"http://127.0.0.1:{port}/nl/over-ons/"))
        except BaseException:
            _stop(process)
            raise
    try:
        assert "livereload.js" in page
        about = root / "content/nl/about.md"
        about.write_text(about.read_text("utf-8") + "\nToegevoegd tijdens de preview.\n", encoding="utf-8")
        _wait_for(
            lambda: "Toegevoegd tijdens de preview." in (_get(f"http://127.0.0.1:{port}/nl/over-ons/") or "")
        )
        assert read_tree(root / "build") == before  # the preview never writes build/

        result = run_process("-C", root, "-q", "build", cwd=root)  # while the preview runs
        assert result.returncode == 0, result.stderr
        built_page = (root / "build/nl/over-ons/index.html").read_text("utf-8")
        assert "Toegevoegd tijdens de preview." in built_page
        assert "livereload" not in built_page and not (root / "build/_status").exists()
        assert "Toegevoegd tijdens de preview." in _get(f"http://127.0.0.1:{port}/nl/over-ons/")
    finally:
        code = _stop(process)
    assert code == 0, log.read_text()
    assert "Traceback" not in log.read_text() and "another build" not in log.read_text()
