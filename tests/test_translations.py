"""Translations: the graph, staleness, cross-language consistency, UI strings and policies."""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from conftest import documented, read_tree, text_files

from site_builder.config import load_config
from site_builder.content.frontmatter import content_version, set_front_matter_line
from site_builder.content.load import load_sources
from site_builder.site.translations import inconsistencies, place_inconsistencies, source_problems, status

EN_MOU = "content/en/news/2019-09-26-mou.md"
NL_MOU = "content/nl/news/2019-09-26-mou.md"


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def sources_of(root: Path):
    config = load_config(root)
    return config, load_sources(root, config)


def messages(errors) -> list[str]:
    return sorted(str(e) for e in errors)


# --- versions ----------------------------------------------------------------


def test_version_ignores_the_translated_from_line():
    text = "---\ntitle: A\n---\nBody\n"
    marked = "---\ntitle: A\ntranslated_from: nl:0123456789ab\n---\nBody\n"
    assert content_version(text) == content_version(marked)
    assert content_version(text) != content_version(text.replace("Body", "Body!"))


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_set_front_matter_line_adds_then_replaces(newline):
    data = newline.join([b"\xef\xbb\xbf---", b"title: A", b"---", b"Body", b""])
    added = set_front_matter_line(data, "translated_from", "translated_from: nl:aaaaaaaaaaaa")
    assert added == newline.join(
        [b"\xef\xbb\xbf---", b"title: A", b"translated_from: nl:aaaaaaaaaaaa", b"---", b"Body", b""]
    )
    replaced = set_front_matter_line(added, "translated_from", "translated_from: nl:bbbbbbbbbbbb")
    assert replaced == added.replace(b"aaaaaaaaaaaa", b"bbbbbbbbbbbb")


# --- status ------------------------------------------------------------------------


def test_status_counts_missing_pages(mini_site):
    (mini_site / "content/en/about.md").unlink()
    config, sources = sources_of(mini_site)
    en, nl = status(config, sources)
    assert (en.lang, en.missing, en.pages) == ("en", ("content/en/about.md",), 7)
    assert (nl.pages, nl.translated, nl.missing) == (8, 7, ())


def test_done_says_which_files_to_commit_as_translating_md_shows(mini_site, run_cli, caplog):
    """translating.md: the copy of the source kept in .translated/ is committed with the
    translation, "as the command reminds you" (its example, of the page named in it)."""
    example = documented("docs/translating.md", "is marked translated")
    with caplog.at_level(logging.INFO, logger="site_builder"):
        code, out, err = run_cli("-C", mini_site, "translations", "done", mini_site / EN_MOU, "--from", "nl")
    assert code == 0, err
    assert out.startswith("translated_from: nl:")
    assert caplog.messages == [
        example.replace("content/en/about.md", EN_MOU).replace("en/about.md", EN_MOU[8:])
    ]
    assert (mini_site / ".translated" / EN_MOU[8:]).is_file()


def test_editing_the_source_makes_the_translation_stale(mini_site, run_cli):
    code, out, err = run_cli("-C", mini_site, "translations", "done", mini_site / EN_MOU, "--from", "nl")
    assert code == 0, err
    config, sources = sources_of(mini_site)
    nl_version = next(s.version for s in sources if s.path == NL_MOU)
    assert out.strip() == f"translated_from: nl:{nl_version}"
    assert all(not row.stale for row in status(config, sources))

    edit(mini_site, NL_MOU, "De gemeente", "De Gemeente Amsterdam")
    config, sources = sources_of(mini_site)
    en, nl = status(config, sources)
    assert [(s.path, s.source, s.never_translated) for s in en.stale] == [(EN_MOU, NL_MOU, False)]
    assert nl.stale == ()

    code, out, err = run_cli("-C", mini_site, "translations", "--format", "json")
    assert code == 0
    report = {row["language"]: row for row in json.loads(out)["languages"]}
    assert report["en"]["stale"] == [{"path": EN_MOU, "source": NL_MOU, "never_translated": False}]

    code, out, err = run_cli("-C", mini_site, "check")
    assert code == 1
    assert f"{EN_MOU}:6: {NL_MOU} has changed since this translation" in err

    # The editor updates the English page and says so: up to date again.
    assert run_cli("-C", mini_site, "translations", "done", mini_site / EN_MOU)[0] == 0
    config, sources = sources_of(mini_site)
    assert all(not row.stale for row in status(config, sources))


def test_editing_a_translation_does_not_make_its_source_stale(mini_site, run_cli):
    run_cli("-C", mini_site, "translations", "done", mini_site / EN_MOU, "--from", "nl")
    edit(mini_site, EN_MOU, "signed the memorandum", "signed the memorandum of understanding")
    config, sources = sources_of(mini_site)
    assert all(not row.stale for row in status(config, sources))


def test_orphaned_translation(mini_site, run_cli):
    run_cli("-C", mini_site, "translations", "done", mini_site / EN_MOU, "--from", "nl")
    (mini_site / NL_MOU).unlink()
    config, sources = sources_of(mini_site)
    en, nl = status(config, sources)
    assert en.orphaned == (EN_MOU,)
    assert nl.missing == (NL_MOU,)


def test_done_refuses_the_source_page_itself(mini_site, run_cli):
    code, _, err = run_cli("-C", mini_site, "translations", "done", mini_site / NL_MOU, "--from", "nl")
    assert code == 1
    assert err.strip() == (
        f"{NL_MOU}: {NL_MOU} is in the source language nl "
        "(hint: name the translation, or the language it was translated from with --from)"
    )


def test_done_refuses_the_source_of_the_page_it_would_be_translated_from(mini_site, run_cli):
    """docs/translating.md: the Dutch original marked done (English, the default language, taken as
    its source) would make each page the other's translation: refused, naming the translation."""
    assert run_cli("-C", mini_site, "translations", "done", mini_site / EN_MOU, "--from", "nl")[0] == 0
    before = read_tree(mini_site / "content")
    for extra in ((), ("--from", "en")):
        code, _, err = run_cli("-C", mini_site, "translations", "done", mini_site / NL_MOU, *extra)
        assert code == 1
        assert err.strip() == (
            f"{NL_MOU}: {NL_MOU} is the source {EN_MOU} is translated from "
            f"(hint: mark the translation instead: site-builder translations done {EN_MOU})"
        )
    assert read_tree(mini_site / "content") == before and not (mini_site / ".translated/nl").exists()


def test_new_both_creates_a_pair_marked_untranslated(mini_site, run_cli):
    code, out, err = run_cli("-C", mini_site, "new", "news", "EMA opens", "--lang", "nl", "--both")
    assert code == 0, err
    nl_file, en_file = [Path(line) for line in out.split()]
    assert nl_file.parent == mini_site / "content/nl/news" and en_file.parent == mini_site / "content/en/news"
    assert nl_file.name == en_file.name
    assert "translated_from: nl:new" in en_file.read_text()
    config, sources = sources_of(mini_site)
    en, _ = status(config, sources)
    assert [(s.path, s.never_translated) for s in en.stale] == [
        (en_file.relative_to(mini_site).as_posix(), True)
    ]


# --- graph errors ----------------------------------------------------------------


def test_translation_key_that_pairs_nothing(mini_site):
    edit(mini_site, "content/nl/about.md", "slug: over-ons", "slug: over-ons\ntranslation_key: about-us")
    config, sources = sources_of(mini_site)
    assert messages(source_problems(config, sources)) == [
        "content/nl/about.md:4: translation_key 'about-us' pairs this page with no other page "
        "(hint: give the translation the same translation_key, or remove the line)"
    ]


def test_translated_from_unknown_language_fails_the_build(mini_site, run_cli):
    edit(mini_site, EN_MOU, "date: 2019-09-26", "date: 2019-09-26\ntranslated_from: de:0123456789ab")
    before = None
    run_cli("-C", mini_site, "build")
    before = read_tree(mini_site / "build")
    edit(mini_site, EN_MOU, "translated_from: de:", "translated_from: fr:")
    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 1
    assert err.strip() == (
        f"{EN_MOU}:6: translated_from names the language 'fr', which the site does not have (hint: one of: en, nl)"
    )
    assert read_tree(mini_site / "build") == before


def test_malformed_translated_from_is_named(mini_site, run_cli):
    edit(mini_site, EN_MOU, "date: 2019-09-26", "date: 2019-09-26\ntranslated_from: yesterday")
    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 1
    assert err.startswith(f"{EN_MOU}:6: translated_from 'yesterday' is not a source version")


# --- consistency -------------------------------------------------------------------------


def test_figure_value_differs(mini_site):
    edit(mini_site, "content/nl/key-figures.md", "value: 65000", "value: 60000")
    config, sources = sources_of(mini_site)
    assert messages(inconsistencies(config, sources)) == [
        "content/nl/key-figures.md:7: figure 'lsh-jobs-nl' value 60000 differs from "
        "content/en/key-figures.md:6 (65000) (hint: numbers, units and years are the same in every "
        "language; correct one of the two)"
    ]


def _map_pages(root: Path, en_places: str, nl_places: str) -> None:
    for lang, title, places in (("en", "Map", en_places), ("nl", "Kaart", nl_places)):
        (root / f"content/{lang}/map.md").write_text(f"---\ntitle: {title}\nplaces:\n{places}---\nText.\n")


AMC = "  - id: amc\n    label: AMC\n    lat: 52.29\n    lon: 4.96\n"
ZUIDAS = "  - id: zuidas\n    label: Zuidas\n    lat: 52.34\n    lon: 4.87\n    side: left\n"


def test_places_on_a_map_are_the_same_in_every_language(mini_site):
    """docs/content.md: a place's id, lat, lon and side are the same in both languages."""
    _map_pages(mini_site, AMC + ZUIDAS, AMC.replace("52.29", "52.39") + ZUIDAS.replace("left", "right"))
    config, sources = sources_of(mini_site)
    hint = "(hint: positions and label sides are the same in every language; correct one of the two)"
    assert messages(place_inconsistencies(config, sources)) == [
        f"content/nl/map.md:4: place 'amc' lat 52.39 differs from content/en/map.md:4 (52.29) {hint}",
        f"content/nl/map.md:8: place 'zuidas' side right differs from content/en/map.md:8 (left) {hint}",
    ]
    _map_pages(mini_site, AMC + ZUIDAS, AMC)
    config, sources = sources_of(mini_site)
    assert messages(place_inconsistencies(config, sources)) == [
        "content/nl/map.md:3: place 'zuidas' of content/en/map.md:8 is missing "
        "(hint: every language has the same places)"
    ]
    _map_pages(mini_site, AMC, AMC + ZUIDAS)
    config, sources = sources_of(mini_site)
    assert messages(place_inconsistencies(config, sources)) == [
        "content/nl/map.md:8: place 'zuidas' is not in content/en/map.md "
        "(hint: every language has the same places; add it there or remove it here)"
    ]
    _map_pages(mini_site, AMC + ZUIDAS, ZUIDAS + AMC)  # the order of places does not matter on a map
    config, sources = sources_of(mini_site)
    assert place_inconsistencies(config, sources) == []


def test_figure_unit_year_missing_and_order(mini_site):
    edit(mini_site, "content/nl/key-figures.md", "    unit: EUR\n", "")
    edit(mini_site, "content/nl/key-figures.md", "year: 2018", "year: 2019")
    config, sources = sources_of(mini_site)
    found = messages(inconsistencies(config, sources))
    assert any(
        "figure 'lsh-budget' unit (none) differs from content/en/key-figures.md:12 (EUR)" in m for m in found
    )
    assert any(
        "figure 'cycling-share' year 2019 differs from content/en/key-figures.md:18 (2018)" in m
        for m in found
    )

    config, sources = sources_of(mini_site)
    text = (mini_site / "content/nl/key-figures.md").read_text()
    start, budget = text.index("  - id: lsh-jobs-nl"), text.index("  - id: lsh-budget")
    swapped = text[:start] + text[budget : text.index("  - id: cycling-share")] + text[start:budget]
    swapped += text[text.index("  - id: cycling-share") :]
    (mini_site / "content/nl/key-figures.md").write_text(swapped)
    config, sources = sources_of(mini_site)
    assert any(
        "the figures are in another order than in content/en/key-figures.md" in m
        for m in messages(inconsistencies(config, sources))
    )


def test_figure_only_in_one_language(mini_site):
    edit(mini_site, "content/nl/key-figures.md", "  - id: cycling-share", "  - id: cycling-share-nl")
    config, sources = sources_of(mini_site)
    found = messages(inconsistencies(config, sources))
    assert (
        "content/nl/key-figures.md:6: figure 'cycling-share' of content/en/key-figures.md:18 is missing (hint: every language has the same figures)"
        in found
    )
    assert any(
        m.startswith(
            "content/nl/key-figures.md:19: figure 'cycling-share-nl' is not in content/en/key-figures.md"
        )
        for m in found
    )


def test_news_date_differs_but_a_draft_may_wait_for_its_translation(mini_site):
    edit(mini_site, NL_MOU, "date: 2019-09-26", "date: 2019-09-25\ndraft: true")
    config, sources = sources_of(mini_site)
    assert messages(inconsistencies(config, sources)) == [
        f"{NL_MOU}:5: date 2019-09-25 differs from {EN_MOU}:5 (2019-09-26) "
        "(hint: a news item and its translation have the same date)",
    ]


def test_every_build_fails_on_a_differing_figure_naming_both_files(mini_site, run_cli):
    assert run_cli("-C", mini_site, "build")[0] == 0
    before = read_tree(mini_site / "build")
    edit(mini_site, "content/nl/key-figures.md", "value: 65000", "value: 60000")

    code, _, err = run_cli("-C", mini_site, "build")  # an error without --strict too
    assert code == 1
    assert err.startswith(
        "content/nl/key-figures.md:7: figure 'lsh-jobs-nl' value 60000 differs from content/en/key-figures.md:6"
    )
    assert read_tree(mini_site / "build") == before

    code, _, err = run_cli("-C", mini_site, "build", "--strict")
    assert code == 1
    assert (
        "content/nl/key-figures.md:7: figure 'lsh-jobs-nl' value 60000 differs from content/en/key-figures.md:6"
        in err
    )
    assert "Traceback" not in err
    assert read_tree(mini_site / "build") == before


# --- missing translations: policy and switcher ----------------------------------------------------


def test_missing_translation_policy_error(mini_site, run_cli):
    (mini_site / "content/en/about.md").unlink()
    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 0
    assert "warning: content/nl/about.md: no English translation" in err

    edit(mini_site, "site.yaml", "news_page_size:", "missing_translation: error\nnews_page_size:")
    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 1
    assert err.strip().startswith(
        "content/nl/about.md: no English translation (hint: add content/en/about.md"
    )


def test_unknown_policy_is_named(mini_site, run_cli):
    edit(mini_site, "site.yaml", "news_page_size:", "missing_translation: ignore\nnews_page_size:")
    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 1
    assert "site.yaml:" in err and "'ignore' is not warn or error" in err


def test_switcher_goes_to_the_nearest_translated_section(mini_site, run_cli):
    (mini_site / "content/en/news/2019-06-12-ema.md").unlink()
    assert run_cli("-C", mini_site, "build", "--no-minify")[0] == 0
    html = (mini_site / "build/nl/nieuws/ema-opent-kantoor/index.html").read_text()
    assert 'href="/en/news/" hreflang="en" lang="en" title="' in html
    assert 'rel="alternate" hreflang="en"' not in html


# --- UI strings ---------------------------------------------------------------------------


def test_ui_string_problems_are_reported(mini_site, run_cli):
    po = mini_site / "translations/nl/LC_MESSAGES/messages.po"
    text = po.read_text()
    text = text.replace(
        'msgid "All news"\nmsgstr "Al het nieuws"', '#, fuzzy\nmsgid "All news"\nmsgstr "Al het nieuws"'
    )
    text = text.replace('msgstr "Kruimelpad"', 'msgstr ""')
    text += '\nmsgid "Old label"\nmsgstr "Oud label"\n'
    po.write_text(text)
    template = mini_site / "templates/404.html"
    template.write_text(template.read_text().replace("Page not found", "Nothing here"))

    code, _, err = run_cli("-C", mini_site, "check")
    assert code == 1
    lines = err.splitlines()
    po_rel = "translations/nl/LC_MESSAGES/messages.po"
    assert any(
        line.startswith(f"{po_rel}:") and "the translation of 'All news' is marked fuzzy" in line
        for line in lines
    )
    assert any(line.startswith(f"{po_rel}:") and "'Breadcrumb' has no translation" in line for line in lines)
    assert any(
        line.startswith(f"{po_rel}:") and "'Old label' is no longer used in the templates" in line
        for line in lines
    )
    assert (
        f"{po_rel}: 'Nothing here' (used in templates/404.html:2) is not in the catalogue (hint: run: site-builder i18n update, then translate it)"
        in lines
    )


def test_i18n_update_adds_new_messages_to_every_catalogue(mini_site, run_cli):
    template = mini_site / "templates/404.html"
    template.write_text(template.read_text().replace("Page not found", "Nothing here"))
    code, out, err = run_cli("-C", mini_site, "i18n", "update")
    assert code == 0, err
    for lang in ("en", "nl"):
        text = (mini_site / f"translations/{lang}/LC_MESSAGES/messages.po").read_text()
        assert 'msgid "Nothing here"\nmsgstr ""' in text
        assert '#~ msgid "Page not found"' in text
    code, _, err = run_cli("-C", mini_site, "check")
    assert "'Nothing here' has no translation" in err


def test_i18n_extract_collects_the_strings_and_update_does_what_pybabel_does(mini_site, run_cli, tmp_path):
    """README: "`site-builder i18n extract|update` | Collect the templates' UI strings into
    `translations/messages.pot`; `update` also updates every `messages.po`." UI strings: "run
    `site-builder i18n update`: it runs Babel's standard tools with the settings in `babel.cfg` ..., the same
    as" its two `pybabel` commands. The catalogues come out the same; messages.pot's header names the
    project, where pybabel's default says PROJECT."""
    template = mini_site / "templates/404.html"
    template.write_text(template.read_text().replace("Page not found", "Nothing here"))
    catalogues = read_tree(mini_site / "translations")
    by_hand = tmp_path / "by-hand"
    shutil.copytree(mini_site, by_hand)
    assert run_cli("-C", mini_site, "i18n", "extract")[0] == 0
    changed = {
        path for path, data in read_tree(mini_site / "translations").items() if catalogues.get(path) != data
    }
    assert changed == {"messages.pot"}
    assert 'msgid "Nothing here"' in (mini_site / "translations/messages.pot").read_text("utf-8")
    assert run_cli("-C", mini_site, "i18n", "update")[0] == 0
    pybabel = str(Path(sys.executable).parent / "pybabel")  # installed with Babel, beside this Python
    for command in (
        "extract -F babel.cfg --no-location --sort-output -o translations/messages.pot templates",
        "update -i translations/messages.pot -d translations --no-wrap",
    ):
        subprocess.run([pybabel, *command.split()], cwd=by_hand, check=True, capture_output=True)

    def entries(root: Path, rel: str) -> list:
        with (root / "translations" / rel).open("rb") as handle:
            catalogue = read_po(handle)
        obsolete = catalogue.obsolete.values()
        return [(m.id, m.string, sorted(m.flags), m.previous_id) for m in (*catalogue, *obsolete) if m.id]

    for rel in ("messages.pot", "en/LC_MESSAGES/messages.po", "nl/LC_MESSAGES/messages.po"):
        assert entries(mini_site, rel) == entries(by_hand, rel), rel
    for rel in ("en/LC_MESSAGES/messages.po", "nl/LC_MESSAGES/messages.po"):
        made, typed = ((root / "translations" / rel).read_text("utf-8") for root in (mini_site, by_hand))
        without_date = re.compile(r'"POT-Creation-Date: [^"]*"')
        assert without_date.sub("", made) == without_date.sub("", typed), rel


def test_po_syntax_error_is_named_with_its_line(mini_site, run_cli):
    po = mini_site / "translations/nl/LC_MESSAGES/messages.po"
    po.write_text(po.read_text().replace('msgstr "Kruimelpad"', 'msgstr "Kruimelpad'))
    run_cli("-C", mini_site, "build")
    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 1
    assert err.startswith("translations/nl/LC_MESSAGES/messages.po:")
    assert "Traceback" not in err


# --- the real content ----------------------------------------------------------------------


def test_the_real_content_is_translated_consistent_and_current():
    root = Path(__file__).resolve().parent.parent
    config, sources = sources_of(root)
    rows = status(config, sources)
    for row in rows:
        assert row.missing == () and row.stale == () and row.orphaned == (), row
    assert inconsistencies(config, sources) == []
    assert source_problems(config, sources) == []
    english = [s for s in sources if s.lang == "en"]
    assert english and all(s.front.translated_from for s in english), (
        "English pages record their Dutch source"
    )


def test_status_page_is_in_the_preview_only(mini_site, run_cli):
    from site_builder.stages import generate

    run_cli("-C", mini_site, "translations", "done", mini_site / EN_MOU, "--from", "nl")
    edit(mini_site, NL_MOU, "De gemeente", "De Gemeente Amsterdam")
    (mini_site / "content/en/about.md").unlink()
    preview = text_files(generate(mini_site, drafts=True, preview=True).files)
    page = preview["_status/index.html"]
    assert "<code>content/en/about.md</code>" in page
    assert (
        '<a href="/en/news/memorandum-of-understanding/"><code>content/en/news/2019-09-26-mou.md</code></a>'
        in page
    )
    assert '<meta name="robots" content="noindex">' in page
    assert "_status/index.html" not in {f.path for f in generate(mini_site).files}


def test_raw_html_that_runs_code_stops_the_build(mini_site, run_cli):
    about = mini_site / "content/en/about.md"
    about.write_text(
        about.read_text()
        + '\n<script>alert(1)</script>\n\n<a href="javascript:go()">x</a>, and `<script>` as code\n'
    )
    code, _, err = run_cli("-C", mini_site, "build")
    assert code == 1
    assert "content/en/about.md:8: raw HTML that runs code ('<script') in the content" in err
    assert "content/en/about.md:10: raw HTML that runs code ('href=\"javascript:') in the content" in err
    assert err.count("raw HTML") == 2 and "warning" not in err  # the code span is text, not HTML


# --- the templates' _() -------------------------------------------------------


class Catalogue:
    """Dutch for two messages; others as they are."""

    TEXTS = {"Home": "Start", "%(count)s results for %(query)s": "%(count)s resultaten voor %(query)s"}

    def gettext(self, message: str) -> str:
        return self.TEXTS.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


UI_TEMPLATES = [
    "{{ _('Home') }}",
    "{{ _('Unknown, 100%% sure') }}",
    "{{ _('%(count)s results for %(query)s', count=3, query=query) }}",
    "{% autoescape false %}{{ _('%(count)s results for %(query)s', count=3, query=query) }}{% endautoescape %}",
    "{% autoescape false %}{{ _('Home') }} {{ _('50%%') }}{% endautoescape %}",
    "{% set home = _('Home') %}{{ home ~ query }}",
    "{% autoescape false %}{{ _('Home') ~ query }}{% endautoescape %} {{ _('Home') ~ query }}",
]


@pytest.mark.parametrize("source", UI_TEMPLATES)
def test_the_templates_ui_string_call_gives_what_jinja_s_gives(source):
    """``templating.ui_string`` stands in for the i18n extension's newstyle ``_()``."""
    import jinja2

    from site_builder.render.templating import ui_string

    results = []
    for ours in (False, True):
        env = jinja2.Environment(
            extensions=["jinja2.ext.i18n"], autoescape=True, undefined=jinja2.StrictUndefined
        )
        env.install_gettext_translations(Catalogue(), newstyle=True)
        if ours:
            env.globals["_"] = ui_string(Catalogue().gettext)
        template = env.from_string(source)
        results.append([template.render(query="<b>Home</b>") for _ in range(2)])  # the second from memory
    assert results[0] == results[1]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ _(query) }}", "&lt;b&gt;Home&lt;/b&gt;"),
        (
            "{% autoescape false %}{{ _('<em>New</em>') }}{% endautoescape %} {{ _('<em>New</em>') }}",
            "<em>New</em> &lt;em&gt;New&lt;/em&gt;",
        ),
    ],
)
def test_the_templates_ui_string_call_gives_text_where_jinja_s_gives_markup(source, expected):
    """Unlike Jinja's newstyle ``_()``, which marks the translation safe where the template
    escapes, ``templating.ui_string`` gives text: escaped like any other value."""
    import jinja2

    from site_builder.render.templating import ui_string

    env = jinja2.Environment(
        extensions=["jinja2.ext.i18n"], autoescape=True, undefined=jinja2.StrictUndefined
    )
    env.globals["_"] = ui_string(Catalogue().gettext)
    assert env.from_string(source).render(query="<b>Home</b>") == expected


def test_a_ui_string_of_an_undefined_value_fails_as_in_jinja():
    import jinja2

    from site_builder.render.templating import ui_string

    env = jinja2.Environment(
        extensions=["jinja2.ext.i18n"], autoescape=True, undefined=jinja2.StrictUndefined
    )
    env.install_gettext_translations(Catalogue(), newstyle=True)
    env.globals["_"] = ui_string(Catalogue().gettext)
    with pytest.raises(jinja2.UndefinedError, match="'missing' is undefined"):
        env.from_string("{{ _(missing) }}").render()


def test_a_missing_catalogue_names_its_language_in_the_readers_language(mini_site, run_cli):
    """Also as the build cache and the record give it back: they hold the language, not its name."""
    po_rel = "translations/nl/LC_MESSAGES/messages.po"
    (mini_site / po_rel).unlink()
    line = f"{po_rel}: no catalogue of UI strings for Dutch (hint: run: site-builder i18n update (it creates {po_rel}))"
    page = mini_site / "content/en/about.md"
    # A cold build; one after an edit, the finding from the cache; one with nothing changed,
    # the finding from the record.
    for edit in (False, True, False):
        if edit:
            page.write_text(page.read_text() + "\nMore.\n")
        code, _, err = run_cli("-C", mini_site, "build")
        assert code == 0 and err.splitlines() == [f"warning: {line}"], err
    code, _, err = run_cli("-C", mini_site, "check")
    assert code == 1 and line in err.splitlines()
