"""Input the site's developers do not write, and what the build makes of it: UI strings from
the catalogues are text, escaped wherever they appear; a symbolic link in an input folder
stays inside it; ``base_url`` is an https:// address and nothing else; and the output's files
and folders are readable by a web server whatever the umask.

Each refusal is one line naming the file (and the line), exit status 1, and ``build/``
exactly as it was, through the command line as an editor meets it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from conftest import read_tree, run_process, write_tree

PO = "translations/nl/LC_MESSAGES/messages.po"
MARKUP_HINT = (
    "(hint: a UI string is plain text, shown as written: leave out tags, quotes before them "
    "and &…; codes (write & itself); the templates add the markup)"
)


def assert_refused(root: Path, before: dict[str, bytes], run_cli, expected: list[str], *args: str) -> None:
    """``build`` (with ``args``) and ``check`` each print exactly ``expected`` and exit 1;
    ``build/`` is as it was."""
    for command in (("build", *args), ("check",)):
        code, _, err = run_cli("-C", root, "-q", *command)
        assert "Traceback" not in err
        assert (code, err.splitlines()) == (1, expected), command
    assert read_tree(root / "build") == before


def line_of(path: Path, text: str) -> int:
    """The 1-based line of ``path`` on which ``text`` starts."""
    content = path.read_text("utf-8")
    assert content.count(text) == 1, text
    return content[: content.index(text)].count("\n") + 1


# --- UI strings are text ----------------------------------------------------------------

HOSTILE_TRANSLATIONS = {
    "a tag after a quote, leaving an attribute": (
        (
            r'msgstr "Nieuws\"><meta http-equiv=\"refresh\" '
            r'content=\"0;url=https://evil.example/\"><link x=\""'
        ),
        '">',
    ),
    "a tag": ('msgstr "Nieuws <script>alert(1)</script>"', "<"),
    "an attribute after a quote": (r'msgstr "Nieuws\" autofocus onfocus=\"alert(1)"', '" autofocus onfocus='),
    "a quote ending a tag": (r'msgstr "Nieuws\"/>"', '"/>'),
    "a character reference": ('msgstr "Nieuws &lt;b&gt;"', "&lt;"),
    "markup on the msgstr's second line": ('msgstr ""\n"Nieuws "\n"<img src=x onerror=alert(1)>"', "<"),
}


@pytest.mark.parametrize("case", HOSTILE_TRANSLATIONS)
def test_markup_in_a_translation_stops_build_and_check(mini_built, run_cli, case):
    root, before = mini_built
    msgstr, found = HOSTILE_TRANSLATIONS[case]
    po = root / PO
    po.write_text(po.read_text("utf-8").replace('msgstr "Nieuws"', msgstr), "utf-8")
    line = line_of(po, msgstr) + msgstr.count("\n")  # the line that holds the markup
    expected = [f"{PO}:{line}: the translation of 'News' holds markup: {found} {MARKUP_HINT}"]
    assert_refused(root, before, run_cli, expected)
    assert_refused(root, before, run_cli, expected, "--strict")


def test_every_translation_with_markup_is_reported_in_one_go(mini_built, run_cli):
    root, before = mini_built
    po = root / PO
    language, news = 'msgstr "Taal&nbsp;"', 'msgstr "<b>Nieuws</b>"'
    text = po.read_text("utf-8").replace('msgstr "Nieuws"', news)
    po.write_text(text.replace('msgstr "Taal"', language), "utf-8")
    assert line_of(po, language) < line_of(po, news)
    expected = [
        f"{PO}:{line_of(po, language)}: the translation of 'Language' holds markup: &nbsp; {MARKUP_HINT}",
        f"{PO}:{line_of(po, news)}: the translation of 'News' holds markup: < {MARKUP_HINT}",
    ]
    assert_refused(root, before, run_cli, expected)


PERCENT_HINT = "(hint: copy each placeholder as the original writes it, such as %(topic)s, and write a percent sign as %%)"
HOSTILE_PLACEHOLDERS = {
    # A width: formatting it made a string of a billion spaces, and the machine ran out of memory.
    "a width": ("%(topic)999999999s", "%(topic)999999999s"),
    "a value the template does not give": ("%(onderwerp)s", "%(onderwerp)s"),
    "a percent sign alone": ("100% %(topic)s", "%"),
}


@pytest.mark.parametrize("case", HOSTILE_PLACEHOLDERS)
def test_a_translation_that_uses_percent_otherwise_stops_build_and_check(mini_built, run_cli, case):
    root, before = mini_built
    written, found = HOSTILE_PLACEHOLDERS[case]
    po = root / PO
    po.write_text(
        po.read_text("utf-8").replace('msgstr "Nieuws over %(topic)s"', f'msgstr "Nieuws over {written}"'),
        "utf-8",
    )
    line = line_of(po, f'msgstr "Nieuws over {written}"')
    expected = [
        f"{PO}:{line}: the translation of 'News on %(topic)s' uses % as the original does not: {found} {PERCENT_HINT}"
    ]
    assert_refused(root, before, run_cli, expected)


def test_a_percent_sign_alone_in_a_string_without_values_stops_build_and_check(mini_built, run_cli):
    """Every UI string is %-formatted, with values or without: "100%" failed as the page was made."""
    root, before = mini_built
    po = root / PO
    written = 'msgstr "Nieuws 100%"'
    po.write_text(po.read_text("utf-8").replace('msgstr "Nieuws"', written), "utf-8")
    expected = [
        f"{PO}:{line_of(po, written)}: the translation of 'News' uses % as the original "
        "does not: % (hint: write a percent sign as %%)"
    ]
    assert_refused(root, before, run_cli, expected)


def test_a_percent_sign_written_as_two_is_text(mini_site, run_cli):
    po = mini_site / PO
    text = po.read_text("utf-8").replace(
        'msgstr "Nieuws over %(topic)s"', 'msgstr "100%% nieuws over %(topic)s"'
    )
    po.write_text(text.replace('msgstr "Nieuws"', 'msgstr "Nieuws 100%%"'), "utf-8")
    code, _, err = run_cli("-C", mini_site, "-q", "build", "--no-minify")
    assert code == 0, err
    assert 'title="Nieuws 100% | ' in (mini_site / "build/nl/index.html").read_text("utf-8")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            "charset=nonexistent-charset",  # was a traceback: Babel looked the name up
            "the catalogue says its text is in nonexistent-charset, not UTF-8 "
            "(hint: write charset=UTF-8 in its Content-Type line, and save it as UTF-8)",
        ),
        (
            "charset=ascii",
            "the catalogue says its text is in ascii, not UTF-8 "
            "(hint: write charset=UTF-8 in its Content-Type line, and save it as UTF-8)",
        ),
        (
            "plural=(n != 1;",  # was a traceback when gettext read it, making the pages
            "the catalogue's plural rule '(n != 1' cannot be read "
            "(hint: write it as gettext does for the language, such as nplurals=2; plural=(n != 1);)",
        ),
    ],
)
def test_a_catalogue_header_gettext_cannot_read_stops_build_and_check(mini_built, run_cli, header, expected):
    root, before = mini_built
    po = root / PO
    text = po.read_text("utf-8")
    original = "plural=(n != 1);" if header.startswith("plural") else "charset=utf-8"
    assert original in text
    po.write_text(text.replace(original, header, 1), "utf-8")
    assert_refused(root, before, run_cli, [f"{PO}:{line_of(po, header)}: {expected}"])


def test_the_header_and_plain_punctuation_are_not_markup(mini_site, run_cli):
    """The header's "<EMAIL@ADDRESS>" is never shown; &, quotes around words and > are text."""
    po = mini_site / PO
    text = po.read_text("utf-8")
    assert "<EMAIL@ADDRESS>" in text
    text = text.replace('msgstr "Nieuws"', r'msgstr "Nieuws & \"meer\", 5 > 3, R&D"')
    po.write_text(text, "utf-8")
    code, _, err = run_cli("-C", mini_site, "-q", "build", "--strict", "--no-minify")
    assert code == 0, err
    page = (mini_site / "build/nl/index.html").read_text("utf-8")
    assert 'title="Nieuws &amp; &#34;meer&#34;, 5 &gt; 3, R&amp;D | ' in page


def test_ui_strings_are_escaped_wherever_a_template_puts_them(mini_site, run_cli):
    """In text and attributes, and where a template marks them safe: ``|safe``, gettext(),
    {% trans %}: the translator's quotes cannot end an attribute, an & is an &amp;."""
    base = mini_site / "templates/base.html"
    probe = (
        "<p id=\"probe\" title=\"{{ _('News') }}\">{{ _('News') }}|{{ _('News')|safe }}|"
        "{{ gettext('News') }}|{% trans %}News{% endtrans %}</p>\n"
    )
    base.write_text(base.read_text("utf-8").replace("</main>\n", "</main>\n" + probe), "utf-8")
    po = mini_site / PO
    po.write_text(po.read_text("utf-8").replace('msgstr "Nieuws"', r'msgstr "Nieuws & \"meer\""'), "utf-8")
    # As rendered; tests/test_minify.py shows that the minified page keeps them text.
    code, _, err = run_cli("-C", mini_site, "-q", "build", "--strict", "--no-minify")
    assert code == 0, err
    shown = "Nieuws &amp; &#34;meer&#34;"
    page = (mini_site / "build/nl/index.html").read_text("utf-8")
    assert f'<p id="probe" title="{shown}">{shown}|{shown}|{shown}|{shown}</p>' in page


def test_a_compiled_catalogue_with_markup_is_still_escaped():
    """Escaping does not rely on the catalogue check: a catalogue that never passed it (the
    compiled form is what the build cache keeps) still gives text."""
    import io

    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    from site_builder.config import Language
    from site_builder.render.assets import AssetManifest
    from site_builder.render.templating import make_environment

    catalog = Catalog(locale="nl_NL")
    catalog.add("News", '"><script>alert(1)</script>')
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    language = Language("nl", "nl_NL", "Nederlands", "Titel", "")
    env = make_environment(Path("/nonexistent"), language, compiled.getvalue(), AssetManifest({}))
    html = env.from_string(
        "<a title=\"{{ _('News') }}\">{{ _('News')|safe }}{% trans %}News{% endtrans %}</a>"
    ).render()
    escaped = "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    assert html == f'<a title="{escaped}">{escaped}{escaped}</a>'


# --- symbolic links stay inside their folder --------------------------------------------


def _include_partial(root: Path) -> None:
    base = root / "templates/base.html"
    base.write_text(base.read_text("utf-8").replace("</main>\n", '</main>\n{% include "partial.html" %}\n'))


def _secret(root: Path) -> Path:
    """A file of the project that is no input of the site."""
    return write_tree(root, {".env": "DATABASE_PASSWORD=hunter2\n"}) / ".env"


def _moved_away(root: Path, folder: str) -> None:
    """``folder`` moved out of the project, a link to it in its place."""
    elsewhere = root.parent / f"{root.name}-elsewhere"
    elsewhere.mkdir()
    os.rename(root / folder, elsewhere / folder)
    os.symlink(elsewhere / folder, root / folder)


def _linked_catalogue(root: Path) -> None:
    elsewhere = root.parent / f"{root.name}-elsewhere"
    elsewhere.mkdir()
    os.rename(root / PO, elsewhere / "messages.po")
    os.symlink(elsewhere / "messages.po", root / PO)


OUTSIDE = "a symbolic link that leads outside {0}/ is not allowed (hint: copy the file into {0}/ instead)"
LINKS = {
    "an included template linked to /etc/passwd": (
        lambda root: (_include_partial(root), os.symlink("/etc/passwd", root / "templates/partial.html")),
        f"templates/partial.html: {OUTSIDE.format('templates')}",
    ),
    "an included template linked to a file of the project outside templates/": (
        lambda root: (_include_partial(root), os.symlink(_secret(root), root / "templates/partial.html")),
        f"templates/partial.html: {OUTSIDE.format('templates')}",
    ),
    "a template no page includes, linked to /etc/passwd": (
        lambda root: os.symlink("/etc/passwd", root / "templates/unused.html"),
        f"templates/unused.html: {OUTSIDE.format('templates')}",
    ),
    "a folder of templates linked outside": (
        lambda root: os.symlink("/etc", root / "templates/parts"),
        f"templates/parts: {OUTSIDE.format('templates')}",
    ),
    "templates/ itself a link": (
        lambda root: _moved_away(root, "templates"),
        f"templates: {OUTSIDE.format('templates')}",
    ),
    "a page linked to a file of the project outside content/": (
        lambda root: (_secret(root), os.symlink("../../.env", root / "content/nl/geheim.md")),
        f"content/nl/geheim.md: {OUTSIDE.format('content')}",
    ),
    "an asset linked to a file of the project outside assets/": (
        lambda root: (_secret(root), os.symlink("../.env", root / "assets/env.txt")),
        f"assets/env.txt: {OUTSIDE.format('assets')}",
    ),
    "assets/ itself a link": (
        lambda root: _moved_away(root, "assets"),
        f"assets: {OUTSIDE.format('assets')}",
    ),
    "a catalogue linked outside translations/": (
        _linked_catalogue,
        f"{PO}: {OUTSIDE.format('translations')}",
    ),
    "translations/ itself a link": (
        lambda root: _moved_away(root, "translations"),
        f"translations: {OUTSIDE.format('translations')}",
    ),
    "a language's folder of translations/ linked outside": (
        lambda root: (
            os.rename(root / "translations/nl", root / "nl"),
            os.symlink("../nl", root / "translations/nl"),
        ),
        f"translations/nl: {OUTSIDE.format('translations')}",
    ),
}


@pytest.mark.parametrize("case", LINKS)
def test_a_link_out_of_an_input_folder_is_refused(mini_built, run_cli, case):
    root, before = mini_built
    change, expected = LINKS[case]
    change(root)
    assert_refused(root, before, run_cli, [expected])


def test_links_inside_an_input_folder_are_followed(mini_built, run_cli):
    root, _ = mini_built
    write_tree(root, {"templates/parts/note.html": '<p id="note">Gedeeld</p>\n'})
    os.symlink("parts/note.html", root / "templates/partial.html")
    _include_partial(root)
    os.symlink("site.css", root / "assets/copy.css")
    code, _, err = run_cli("-C", root, "-q", "build", "--strict", "--no-minify")
    assert code == 0, err
    assert '<p id="note">Gedeeld</p>' in (root / "build/nl/index.html").read_text("utf-8")
    assert [p.name for p in (root / "build/assets").glob("copy.*.css")]


def test_i18n_commands_do_not_write_through_a_link_out_of_translations(mini_site, run_cli, tmp_path):
    elsewhere = write_tree(tmp_path / "elsewhere", {"notes.txt": "mine\n"}) / "notes.txt"
    (mini_site / "translations/messages.pot").unlink(missing_ok=True)
    os.symlink(elsewhere, mini_site / "translations/messages.pot")
    for action in ("extract", "update"):
        code, _, err = run_cli("-C", mini_site, "i18n", action)
        assert (code, err.splitlines()) == (
            1,
            [f"translations/messages.pot: {OUTSIDE.format('translations')}"],
        )
    assert elsewhere.read_text() == "mine\n"


# --- base_url -----------------------------------------------------------------------------

URL_HINT = "(hint: such as https://example.org)"
BASE_URLS = {
    "markup after a quote": (
        "'https://lsh.amsterdam/\"><script>alert(1)</script>'",
        "'https://lsh.amsterdam/\"><script>alert(1)</script>' is not a web address: it contains a quote",
    ),
    "a quote": (
        "https://lsh.amsterdam/'x",
        "'https://lsh.amsterdam/'x' is not a web address: it contains a quote",
    ),
    "markup": (
        "https://lsh.amsterdam/<b>",
        "'https://lsh.amsterdam/<b>' is not a web address: it contains markup",
    ),
    "a space": (
        '"https://lsh.amsterdam/a b"',
        "'https://lsh.amsterdam/a b' is not a web address: it contains a space",
    ),
    "a control character": (
        '"https://lsh.amsterdam/\\u202e"',
        "'https://lsh.amsterdam/\\u202e' is not a web address: it contains a control character",
    ),
    "a script address": ("javascript:alert(1)", "'javascript:alert(1)' is not a web address"),
    "a query": ("https://lsh.amsterdam/?x=1", "'https://lsh.amsterdam/?x=1' is not a web address"),
    # Each was the site's address in every canonical link and in the sitemap.
    "a host of a hyphen": ("https://-:8080", "'https://-:8080' is not a web address"),
    "a port beyond 65535": (
        "https://lsh.amsterdam:99999",
        "'https://lsh.amsterdam:99999' is not a web address: its port is not from 1 to 65535",
    ),
    "a path with ..": (
        "https://lsh.amsterdam/a/../b",
        "'https://lsh.amsterdam/a/../b' is not a web address: its path has a . or .. part",
    ),
}


@pytest.mark.parametrize("case", BASE_URLS)
def test_a_base_url_that_is_not_a_plain_https_address_is_refused(mini_built, run_cli, case):
    root, before = mini_built
    value, message = BASE_URLS[case]
    settings = root / "site.yaml"
    settings.write_text(
        settings.read_text("utf-8").replace("base_url: https://lsh.amsterdam", f"base_url: {value}")
    )
    assert_refused(root, before, run_cli, [f"site.yaml:2: base_url {message} {URL_HINT}"])


def test_a_base_url_option_with_markup_is_a_usage_error(mini_built, run_cli):
    root, before = mini_built
    code, _, err = run_cli("-C", root, "build", "--base-url", 'https://x.example/"><script>')
    assert code == 2
    assert err.splitlines()[-1].endswith(
        "argument --base-url: 'https://x.example/\"><script>' is not a web address: it contains a quote"
    )
    assert read_tree(root / "build") == before


def test_a_plain_http_base_url_builds_with_a_warning(mini_site):
    """Fit for trying the site out locally; published, it would clash with the HSTS header."""
    settings = mini_site / "site.yaml"
    settings.write_text(
        settings.read_text("utf-8").replace(
            "base_url: https://lsh.amsterdam", "base_url: http://localhost:8000"
        )
    )
    result = run_process("-C", mini_site, "-q", "build", "--no-cache")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        (
            "warning: site.yaml:2: base_url 'http://localhost:8000' uses http://, fit for a local test "
            "only: the site sends HSTS, which makes browsers use https:// (hint: publish with an https:// "
            "address)"
        )
    ]
    assert "<loc>http://localhost:8000/nl/over-ons/</loc>" in (mini_site / "build/sitemap.xml").read_text()
    # Said again by a build that reuses its cache, and an error with --strict.
    (mini_site / "content/en/about.md").write_text(
        (mini_site / "content/en/about.md").read_text() + "\nMore.\n"
    )
    again = run_process("-C", mini_site, "-q", "build")
    assert again.returncode == 0 and again.stderr.splitlines() == result.stderr.splitlines()
    (mini_site / "content/en/about.md").write_text(
        (mini_site / "content/en/about.md").read_text() + "\nMore.\n"
    )
    again = run_process("-C", mini_site, "-q", "build")
    assert again.returncode == 0 and again.stderr.splitlines() == result.stderr.splitlines()
    strict = run_process("-C", mini_site, "-q", "build", "--strict")
    assert strict.returncode == 1
    assert strict.stderr.splitlines() == [
        line.removeprefix("warning: ") for line in result.stderr.splitlines()
    ]


# --- file modes ---------------------------------------------------------------------------


def modes(folder: Path) -> dict[str, str]:
    """Every folder and file below ``folder`` (itself included) whose mode is not 0755 or 0644."""
    wrong = {}
    for path in [folder, *folder.rglob("*")]:
        status = path.lstat()
        expected = 0o755 if stat.S_ISDIR(status.st_mode) else 0o644
        if stat.S_IMODE(status.st_mode) != expected:
            wrong[path.relative_to(folder.parent).as_posix()] = oct(stat.S_IMODE(status.st_mode))
    return wrong


@pytest.mark.parametrize("umask", [0o000, 0o077])
def test_output_modes_do_not_follow_the_umask(mini_site, run_cli, umask):
    """Files 0644 and folders 0755: written anew, kept by a hard link from the build before
    (here ones that an earlier build left 0600), and the mark that tells the folder is the
    tool's, which the spare folder keeps from build to build."""
    about = mini_site / "content/nl/about.md"
    out = mini_site / "build"
    page = out / "en/about/index.html"  # not changed by the edits: kept from build to build
    saved = os.umask(umask)
    try:
        for step, options, left_0600 in [
            (1, (), (page, out / ".site-builder")),  # the mark is in the spare folder after step 2
            (2, (), ()),
            (3, (), (page,)),
            (4, ("--no-cache",), ()),  # links every file whose bytes are in build/ already
        ]:
            about.write_text(about.read_text("utf-8") + f"\nStap {step}.\n", "utf-8")
            code, _, err = run_cli("-C", mini_site, "-q", "build", *options)
            assert code == 0, err
            assert modes(out) == {}, step
            for path in left_0600:  # as a build by another version, or another umask, could leave them
                path.chmod(0o600)
        assert modes(out.parent / ".build.spare") == {}
    finally:
        os.umask(saved)
