"""Messages in the editor's language: every message the command line and the preview show is
in the package's Dutch catalogue, with the same placeholders, and shown in Dutch where the
environment asks for it (docs/translating.md, "The tool's own messages")."""

from __future__ import annotations

import ast
import io
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, make_mini_site, run_process

from site_builder.errors import (
    ENGLISH,
    LanguageName,
    Message,
    SiteError,
    format_error,
    message_from_json,
    message_to_json,
    msg,
    placeholders,
)
from site_builder.incremental.record import pages_summary
from site_builder.messages import (
    LOCALE_DIR,
    NUMBER_MARKS,
    catalogue_path,
    editor_language,
    load_catalogue,
    read_po,
)

PACKAGE = REPO / "site_builder"
UPDATE = (
    "run scripts/update-messages, then fill in each new msgstr (and check each '#, fuzzy' one) "
    "in site_builder/locale/nl/LC_MESSAGES/site_builder.po"
)


def _extracted() -> dict[str, str]:
    """Every message template in the package → where it is first used, as ``pybabel extract
    --keyword=msg`` finds them (scripts/update-messages)."""
    from babel.messages.extract import extract_from_dir

    found: dict[str, str] = {}
    for filename, line, message, _comments, _context in extract_from_dir(
        PACKAGE, [("**.py", "python")], keywords={"msg": None}
    ):
        found.setdefault(message, f"site_builder/{filename}:{line}")
    return found


def _catalogue():
    from babel.messages.pofile import read_po as babel_read_po

    with catalogue_path("nl").open("rb") as handle:
        return babel_read_po(handle, locale="nl")


def test_every_message_has_a_dutch_translation():
    catalogue = _catalogue()
    translated = {entry.id for entry in catalogue if entry.id and entry.string and not entry.fuzzy}
    missing = {template: where for template, where in _extracted().items() if template not in translated}
    assert not missing, f"messages without a Dutch translation: {missing}; {UPDATE}"


def test_the_catalogue_holds_only_messages_in_use():
    used = _extracted()
    catalogue = _catalogue()
    unused = sorted(entry.id for entry in catalogue if entry.id and entry.id not in used)
    assert not unused, f"entries no code uses: {unused}; {UPDATE}"
    assert not catalogue.obsolete, f"obsolete entries: {list(catalogue.obsolete)}; {UPDATE}"
    assert "\n#~ " not in catalogue_path("nl").read_text("utf-8")
    template = (LOCALE_DIR / "site_builder.pot").read_text("utf-8")
    with io.StringIO(template) as handle:
        from babel.messages.pofile import read_po as babel_read_po

        in_template = {entry.id for entry in babel_read_po(handle) if entry.id}
    assert in_template == set(used), f"site_builder/locale/site_builder.pot is out of date; {UPDATE}"


def _placeholder_mismatches(entries) -> list[str]:
    return [
        f"{msgid!r}: {sorted(placeholders(msgid))} but {msgstr!r}: {sorted(placeholders(msgstr))}"
        for msgid, msgstr in entries
        if msgstr and placeholders(msgid) != placeholders(msgstr)
    ]


def test_each_translation_has_the_placeholders_of_its_message():
    entries = [(entry.id, entry.string) for entry in _catalogue() if entry.id]
    assert not _placeholder_mismatches(entries)


def test_a_translation_that_drops_a_placeholder_is_found():
    assert _placeholder_mismatches([("cannot read {path}", "kan het bestand niet lezen")]) == [
        "'cannot read {path}': ['path'] but 'kan het bestand niet lezen': []"
    ]
    assert _placeholder_mismatches([("took {seconds:.2f} s", "duurde {seconds:.2f} s")]) == []


def _calls(name: str):
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text("utf-8")
        for node in ast.walk(ast.parse(text)):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == name
            ):
                yield path.relative_to(REPO).as_posix(), text, node


def test_every_message_template_is_a_string_literal():
    """What ``pybabel extract`` cannot read is never translated: an f-string or a variable."""
    bad = [
        f"{path}:{node.lineno}"
        for path, _text, node in _calls("msg")
        if not node.args
        or not (isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str))
    ]
    assert not bad, f"msg() needs a string literal with {{placeholders}}: {bad}"


def test_every_error_message_and_hint_is_translatable():
    """A ``SiteError`` written with literal text or an f-string would stay English."""
    bad = []
    for path, _text, node in _calls("SiteError"):
        given = (
            node.args[:1] + node.args[3:4] + [k.value for k in node.keywords if k.arg in ("message", "hint")]
        )
        for value in given:
            literal = isinstance(value, ast.JoinedStr | ast.BinOp) or (
                isinstance(value, ast.Constant) and isinstance(value.value, str)
            )
            if literal:
                bad.append(f"{path}:{node.lineno}")
    assert not bad, f'wrap the message in msg("… {{name}} …", name=…): {bad}'


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({}, "en"),
        ({"LANG": "nl_NL.UTF-8"}, "nl"),
        ({"LANG": "nl_BE.UTF-8"}, "nl"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "nl_NL.UTF-8"}, "nl"),
        ({"LANG": "nl_NL.UTF-8", "LC_ALL": "C"}, "en"),
        ({"LANG": "en_US.UTF-8", "LANGUAGE": "nl"}, "nl"),
        ({"LANGUAGE": "fr:nl:en"}, "nl"),
        ({"LANGUAGE": "en:nl"}, "en"),
        ({"LANGUAGE": "fr"}, "en"),
        ({"LANG": "nl_NL.UTF-8", "SITE_BUILDER_LANGUAGE": "en"}, "en"),
        ({"LANG": "C", "SITE_BUILDER_LANGUAGE": "nl"}, "nl"),
        ({"LANG": "nl_NL.UTF-8", "LANGUAGE": ""}, "nl"),  # set but empty: passed over, as gettext does
    ],
)
def test_the_language_comes_from_the_setting_else_the_locale(environ, language):
    assert editor_language(environ) == language


def test_a_message_is_shown_in_either_language_from_one_error():
    error = SiteError(
        msg("unknown key '{key}'", key="titel"),
        "content/nl/a.md",
        3,
        msg("did you mean '{key}'?", key="title"),
    )
    assert format_error(error) == "content/nl/a.md:3: unknown key 'titel' (hint: did you mean 'title'?)"
    assert format_error(error, load_catalogue("nl")) == (
        "content/nl/a.md:3: onbekende instelling 'titel' (tip: bedoel je 'title'?)"
    )
    assert error.message == "unknown key 'titel'" and error.hint == "did you mean 'title'?"
    # As the cache and the worker processes carry it: still both languages.
    again = pickle.loads(pickle.dumps(error))
    assert format_error(again, load_catalogue("nl")) == format_error(error, load_catalogue("nl"))


def test_english_needs_no_catalogue_and_dutch_no_babel():
    assert load_catalogue("en") is ENGLISH
    code = (
        "import sys; from site_builder.messages import load_catalogue; "
        "c = load_catalogue('nl'); assert c.translations; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'babel'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_small_reader_reads_the_catalogue_as_babel_does():
    catalogue = _catalogue()
    expected = {
        entry.id: entry.string for entry in catalogue if entry.id and entry.string and not entry.fuzzy
    }
    assert read_po(catalogue_path("nl").read_text("utf-8")) == expected
    tricky = (
        'msgid ""\nmsgstr "Language: nl\\n"\n\n'
        '#, fuzzy, python-brace-format\nmsgid "a {x}"\nmsgstr "een {x}"\n\n'
        'msgid "b"\nmsgstr ""\n"twee "\n"regels \\"met\\" \\\\"\n\n'
        'msgid "c"\nmsgstr ""\n\n'
        '#~ msgid "d"\n#~ msgstr "oud"\n'
    )
    assert read_po(tricky) == {"b": 'twee regels "met" \\'}


def test_a_translation_with_a_placeholder_the_message_lacks_shows_english():
    from site_builder.errors import Catalogue

    broken = Catalogue("nl", {"cannot read {path}": "kan {pad} niet lezen"})
    assert Message("cannot read {path}", (("path", "a.md"),)).show(broken) == "cannot read a.md"


BROKEN_PAGE = "---\ntitle: Over ons\ntitel: Over ons\n---\nTekst.\n"


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory):
    root = make_mini_site(tmp_path_factory.mktemp("broken"))
    (root / "content/nl/about.md").write_text(BROKEN_PAGE, encoding="utf-8")
    return root


def test_a_dutch_editor_reads_the_mistake_in_dutch(broken_site):
    done = run_process("-C", broken_site, "build", "--no-cache", env={"LANG": "nl_NL.UTF-8"})
    assert done.returncode == 1
    assert done.stderr.startswith(
        "content/nl/about.md:3: onbekende instelling 'titel' (tip: bedoel je 'title'?)"
    )


@pytest.mark.parametrize(
    "environ",
    [{"LANG": "C"}, {"LANG": "en_GB.UTF-8"}, {"LANG": "nl_NL.UTF-8", "SITE_BUILDER_LANGUAGE": "en"}],
)
def test_others_read_it_in_english(broken_site, environ):
    done = run_process("-C", broken_site, "build", "--no-cache", env=environ)
    assert done.returncode == 1
    assert done.stderr.startswith("content/nl/about.md:3: unknown key 'titel' (hint: did you mean 'title'?)")


def test_the_setting_makes_it_dutch_whatever_the_locale(broken_site):
    done = run_process(
        "-C", broken_site, "build", "--no-cache", env={"LANG": "C", "SITE_BUILDER_LANGUAGE": "nl"}
    )
    assert "onbekende instelling 'titel'" in done.stderr


def test_a_build_with_nothing_changed_repeats_its_warnings_in_the_reader_s_language(tmp_path):
    root = make_mini_site(tmp_path / "site")
    (root / "content/en/about.md").unlink()
    first = run_process("-C", root, "build")
    warning = "warning: content/nl/about.md: no English translation (hint: add content/en/about.md"
    assert first.returncode == 0 and warning in first.stderr and "Traceback" not in first.stderr
    assert f"built {root / 'build'}: " in first.stderr
    again = run_process("-C", root, "build", env={"LANG": "nl_NL.UTF-8"})
    assert f"{root / 'build'} is al actueel: " in again.stderr and "Traceback" not in again.stderr
    assert (
        "waarschuwing: content/nl/about.md: geen vertaling in het Engels (tip: maak content/en/about.md aan"
        in (again.stderr)
    )
    third = run_process("-C", root, "build")
    assert "is up to date" in third.stderr and warning in third.stderr


def test_the_build_s_counts_read_right_for_one_in_either_language():
    """Not "1 pages" or "1 files"."""
    dutch = load_catalogue("nl")
    one = pages_summary({"en": 1}, 1)
    assert one.show(ENGLISH) == "1 page (en 1), 1 file"
    assert one.show(dutch) == "1 pagina (en 1), 1 bestand"
    many = pages_summary({"en": 18, "nl": 18}, 47)
    assert many.show(ENGLISH) == "36 pages (en 18, nl 18), 47 files"
    assert many.show(dutch) == "36 pagina's (en 18, nl 18), 47 bestanden"
    assert pages_summary({"en": 0}, 0).show(dutch) == "0 pagina's (en 0), 0 bestanden"


def test_a_language_is_named_in_the_reader_s_language():
    """Not as site.yaml names it in itself: "no Nederlands translation" read as English."""
    missing = msg("no {language} translation", language=LanguageName("nl", "Nederlands"))
    dutch = load_catalogue("nl")
    assert missing.show(ENGLISH) == "no Dutch translation"
    assert missing.show(dutch) == "geen vertaling in het Nederlands"
    assert msg("no {language} translation", language=LanguageName("en", "English")).show(dutch) == (
        "geen vertaling in het Engels"
    )
    # A language Babel has no name for keeps its own; the message is kept as data (cache, record).
    assert msg("no {language} translation", language=LanguageName("qaa", "Eigen")).show(ENGLISH) == (
        "no Eigen translation"
    )
    assert message_from_json(message_to_json(missing)) == missing
    assert pickle.loads(pickle.dumps(missing)) == missing


def test_the_preview_shows_an_error_in_each_page_s_language(tmp_path):
    from site_builder.serve import Preview

    root = make_mini_site(tmp_path / "site")
    preview = Preview(root, tmp_path / "preview")
    assert preview.poll()
    (root / "content/en/about.md").write_text(BROKEN_PAGE.replace("Over ons", "About"), encoding="utf-8")
    assert preview.poll()
    dutch = (preview.out / "nl/index.html").read_text("utf-8")
    english = (preview.out / "en/index.html").read_text("utf-8")
    assert (
        "content/en/about.md:3: onbekende instelling &#39;titel&#39; (tip: bedoel je &#39;title&#39;?)"
        in dutch
    )
    assert (
        "content/en/about.md:3: unknown key &#39;titel&#39; (hint: did you mean &#39;title&#39;?)" in english
    )


def test_the_dutch_example_in_the_docs_is_what_an_editor_sees(tmp_path):
    """docs/content.md, "When something is wrong", shows a date mistake in Dutch."""
    docs = (REPO / "docs/content.md").read_text("utf-8")
    example = next(line for line in docs.splitlines() if "is geen geldige datum" in line)
    root = make_mini_site(tmp_path / "site")
    page = root / "content/nl/news/2019-06-12-ema.md"
    text = page.read_text("utf-8")
    date_line = next(n for n, line in enumerate(text.split("\n"), 1) if line.startswith("date:"))
    page.write_text(text.replace("date: 2019-06-12", "date: 2017-11-31", 1), "utf-8")
    done = run_process("-C", root, "build", "--no-cache", env={"LANG": "nl_NL.UTF-8"})
    shown = re.sub(r"^\S+?:\d+", f"content/nl/news/2019-06-12-ema.md:{date_line}", example)
    assert done.returncode == 1 and done.stderr.splitlines() == [shown]


def test_help_and_usage_errors_follow_the_language():
    dutch = run_process("build", "--help", env={"LANG": "nl_NL.UTF-8", "COLUMNS": "200"})
    assert "bouw alles opnieuw, zonder de cache te lezen of te schrijven" in dutch.stdout
    refused = run_process("build", "--jobs", "0", env={"LANGUAGE": "nl"})
    assert refused.returncode == 2
    assert refused.stderr.splitlines()[-1].endswith("verwacht een geheel getal van minstens 1, niet '0'")
    english = run_process("build", "--help", env={"COLUMNS": "200"})
    assert "build from scratch, without reading or writing the cache" in english.stdout


def test_the_update_command_finds_the_catalogue_up_to_date(tmp_path):
    """``scripts/update-messages``, run on a copy, changes no entry of the template or the catalogue."""
    import shutil

    copy = tmp_path / "repo"
    shutil.copytree(PACKAGE, copy / "site_builder", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "scripts", copy / "scripts")
    pybabel = str(Path(sys.executable).parent / "pybabel")  # installed with Babel, beside this Python
    done = subprocess.run(
        [copy / "scripts/update-messages"],
        env={"PATH": "/usr/bin:/bin", "PYBABEL": pybabel},
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr

    def entries(path):
        from babel.messages.pofile import read_po as babel_read_po

        with path.open("rb") as handle:
            return [(e.id, e.string, sorted(e.flags)) for e in babel_read_po(handle) if e.id]

    for rel in ("locale/site_builder.pot", "locale/nl/LC_MESSAGES/site_builder.po"):
        assert entries(copy / "site_builder" / rel) == entries(PACKAGE / rel), rel


def test_the_translation_table_speaks_the_language_too(tmp_path):
    root = make_mini_site(tmp_path / "site")
    (root / "content/en/about.md").unlink()
    dutch = run_process("-C", root, "translations", env={"LANG": "nl_NL.UTF-8"}).stdout.splitlines()
    assert dutch[0].split() == ["taal", "pagina's", "vertaald", "ontbrekend", "verouderd", "verweesd"]
    assert "ontbrekend  content/en/about.md" in dutch
    english = run_process("-C", root, "translations").stdout.splitlines()
    assert english[0].split() == ["language", "pages", "translated", "missing", "stale", "orphaned"]
    assert "missing   content/en/about.md" in english


def test_every_message_is_given_the_values_its_template_names():
    """A placeholder without its value would fail only when the message is shown."""
    bad = []
    for path, _text, node in _calls("msg"):
        if not node.args or not isinstance(node.args[0], ast.Constant):
            continue
        if any(keyword.arg is None for keyword in node.keywords):  # msg(…, **values): checked where it runs
            continue
        given = {keyword.arg for keyword in node.keywords}
        if given != placeholders(node.args[0].value):
            bad.append(
                f"{path}:{node.lineno}: {sorted(placeholders(node.args[0].value))} but given {sorted(given)}"
            )
    assert not bad


# Log lines still shown in English only: wrap each in msg(), translate it, and remove it here.
ENGLISH_ONLY_LOG_LINES: tuple[str, ...] = ()


def test_every_log_line_is_translatable():
    """What the command line and the preview log for a person is a message too (see
    ``messages.MessageFormatter``), not text with %-placeholders."""
    bad = []
    for name in ("info", "warning", "error"):
        for path, _text, node in _calls(name):
            first = node.args[0] if node.args else None
            if isinstance(first, ast.JoinedStr) or (
                isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and first.value not in ENGLISH_ONLY_LOG_LINES
            ):
                bad.append(f"{path}:{node.lineno}")
    assert not bad, f'log msg("… {{name}} …", name=…) instead: {bad}'


def test_every_help_text_of_the_command_line_is_translatable():
    """A ``help=`` written as plain text would stay English in ``--help`` for a Dutch editor."""
    text = (PACKAGE / "cli.py").read_text("utf-8")
    bad = [
        f"site_builder/cli.py:{keyword.value.lineno}"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Call)
        for keyword in node.keywords
        if keyword.arg in ("help", "description") and isinstance(keyword.value, ast.Constant | ast.JoinedStr)
    ]
    assert not bad, f"write help=_(msg(...)): {bad}"


def test_numbers_are_written_with_the_reader_s_marks(tmp_path):
    """In Dutch, "5,000" reads as five and "0.27 s" as English: Dutch writes 5.000 and 0,27 s.
    A number the editor typed is quoted as typed."""
    root = make_mini_site(tmp_path / "site")
    settings = root / "site.yaml"
    right = settings.read_text("utf-8")
    assert "news_page_size: 10\n" in right
    settings.write_text(right.replace("news_page_size: 10\n", "news_page_size: 5000\n"), "utf-8")
    dutch = run_process("-C", root, "build", env={"LANG": "nl_NL.UTF-8"})
    assert dutch.returncode == 1
    assert (
        "news_page_size 5000 ligt niet tussen 1 en 500 (tip: het aantal nieuwsberichten op een"
        in dutch.stderr
    )
    english = run_process("-C", root, "build", env={"LANG": "C"})
    assert "news_page_size 5000 is not between 1 and 500 (hint: the news items on a page" in english.stderr
    settings.write_text(right, "utf-8")
    built = run_process("-C", root, "build", env={"LANG": "nl_NL.UTF-8"})
    assert built.returncode == 0, built.stderr
    assert re.search(r"gebouwd: .* in \d+,\d\d s\n", built.stderr), built.stderr
    assert re.search(r"JavaScript verkleind: \d+,\d KiB minder te versturen\n", built.stderr), built.stderr


def test_a_number_keeps_what_its_template_asks_in_either_language():
    dutch = load_catalogue("nl")
    sized = Message(
        "{size:.1f} KiB of {total:,} in {year}", (("size", 2206.25), ("total", 1234567), ("year", 2026))
    )
    assert sized.show(ENGLISH) == "2206.2 KiB of 1,234,567 in 2026"
    assert sized.show(dutch) == "2206,2 KiB of 1.234.567 in 2026"
    # Text, and a hexadecimal code, are left as they are.
    other = Message("{code:04X} {text}", (("code", 0xAD), ("text", "1,5.0")))
    assert other.show(dutch) == "00AD 1,5.0"


def test_the_languages_marks_are_babel_s():
    from babel import Locale

    for code, (decimal, group) in NUMBER_MARKS.items():
        symbols = Locale.parse(code).number_symbols["latn"]
        assert (decimal, group) == (symbols["decimal"], symbols["group"]), code


def test_a_number_the_editor_typed_is_quoted_as_typed_in_dutch(tmp_path):
    """docs/content.md: "a number you typed is quoted as you typed it, as YAML needs it (`lat
    91.50 ligt niet tussen -90 en 90`)": shown as "91,5", it would tell a Dutch editor to write
    52,35, which YAML reads as text."""
    root = make_mini_site(tmp_path / "site")
    about = root / "content/en/about.md"
    place = "places:\n  - id: a\n    label: A\n    lat: 91.50\n    lon: 4.96\n"
    about.write_text(about.read_text("utf-8").replace("weight: 20\n", f"weight: 20\n{place}"), "utf-8")
    dutch = run_process("-C", root, "build", env={"LANG": "nl_NL.UTF-8"})
    assert (dutch.returncode, dutch.stderr) == (
        1,
        "content/en/about.md:8: places[1].lat 91.50 ligt niet tussen -90 en 90 (tip: de breedtegraad "
        "in decimale graden, ten noorden van de evenaar, zoals 52.35)\n",
    )
