"""``site-builder translations export`` and ``import``: XLIFF 1.2 for translation agencies.

The round trips run on a copy of this repository's own content; the exported files are checked
against OASIS's XLIFF 1.2 strict schema (tests/schemas/, read with lxml, which only the tests
have); a hostile or broken file is one line and writes nothing.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from conftest import REPO, write_tree
from hypothesis import given
from hypothesis import strategies as st

from site_builder.content import frontmatter
from site_builder.site.segments import (
    FIGURE_FIELDS,
    OWN_FIELDS,
    PAGE_FIELDS,
    PLACE_FIELDS,
    SWOT_FIELDS,
    inline,
    markdown,
    page_text,
    rewritten,
)

etree = pytest.importorskip("lxml.etree")

SCHEMAS = Path(__file__).parent / "schemas"
XLF = "urn:oasis:names:tc:xliff:document:1.2"
NS = {"x": XLF}
ABOUT_NL, ABOUT_EN = "content/nl/about.md", "content/en/about.md"
EMA_NL, EMA_EN = "content/nl/news/2019-06-12-ema.md", "content/en/news/2019-06-12-ema.md"  # the mini site's
NL_SENTENCE = "Dit is een nieuwe zin over [de SWOT](swot.md)."


def real_site(tmp_path: Path) -> Path:
    """A copy of this repository's site: its content, translations' copies and settings."""
    root = tmp_path / "site"
    for name in ("content", "templates", "assets", "translations", ".translated"):
        shutil.copytree(REPO / name, root / name)
    for name in ("site.yaml", "babel.cfg"):
        shutil.copy2(REPO / name, root / name)
    return root


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for folder in ("content", ".translated")
        for path in sorted((root / folder).rglob("*"))
        if path.is_file()
    }


def schema():
    document = etree.parse(str(SCHEMAS / "xliff-core-1.2-strict.xsd"))
    for imported in document.getroot().iter("{http://www.w3.org/2001/XMLSchema}import"):
        imported.set("schemaLocation", (SCHEMAS / "xml.xsd").as_uri())  # the copy beside it, not the web
    return etree.XMLSchema(document)


def export(run_cli, root: Path, *args: str, to: str = "en") -> bytes:
    """The file an export into ``to`` writes (b"" if it wrote none: nothing to translate)."""
    out = root.parent / "export.xlf"
    out.unlink(missing_ok=True)  # an earlier export's file is not this one's
    code, _, err = run_cli("-C", root, "translations", "export", "--to", to, "-o", out, *args)
    assert code == 0, err
    return out.read_bytes() if out.exists() else b""


def units(data: bytes, original: str) -> dict:
    document = etree.fromstring(data)
    (file,) = document.xpath(f"//x:file[@original='{original}']", namespaces=NS)
    return {unit.get("id"): unit for unit in file.xpath(".//x:trans-unit", namespaces=NS)}


def set_target(
    data: bytes, original: str, unit_id: str, inner: str, state: str | None = "translated"
) -> bytes:
    """``data`` with the unit's target replaced by ``inner`` (XML, as a translator's tool writes it)."""
    document = etree.fromstring(data)
    unit = units(etree.tostring(document), original)[unit_id]
    (unit,) = document.xpath(
        f"//x:file[@original='{original}']//x:trans-unit[@id='{unit_id}']", namespaces=NS
    )
    for old in unit.xpath("x:target", namespaces=NS):
        unit.remove(old)
    target = etree.fromstring(f'<target xmlns="{XLF}">{inner}</target>')
    if state:
        target.set("state", state)
    unit.insert(1, target)
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8")


def import_(run_cli, root: Path, data: bytes, name: str = "agency.xlf") -> tuple[int, str, str]:
    path = root.parent / name
    path.write_bytes(data)
    return run_cli("-C", root, "translations", "import", path)


def kept(run_cli, root: Path, *pages: str) -> Path:
    """``root`` with the text content/en/about.md (or ``pages``) was translated from kept
    (``translations done``), so that an export knows which of its units changed since."""
    for page in pages or (ABOUT_EN,):
        assert run_cli("-C", root, "translations", "done", root / page)[0] == 0
    return root


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


# --- the real content ------------------------------------------------------------------------


def test_the_export_of_the_real_content_is_valid_xliff_1_2(tmp_path, run_cli):
    root = kept(run_cli, real_site(tmp_path))
    data = export(run_cli, root)
    xsd = schema()
    assert xsd.validate(etree.fromstring(data)), xsd.error_log
    files = etree.fromstring(data).xpath("//x:file", namespaces=NS)
    assert len(files) == len(
        list((root / "content/en").rglob("*.md"))
    )  # each English page translates a Dutch one
    about = units(data, ABOUT_NL)
    # one unit per field and per block, Markdown's syntax and links as tags, the translation as target
    assert about["title"].findtext("x:source", namespaces=NS) == "Over het programma"
    assert about["title"].find("x:target", NS).text == "About the programme"
    assert about["title"].find("x:target", NS).get("state") == "translated"
    link = about["body/1"].find("x:source", NS)
    assert [(tag.tag.split("}")[1], tag.text) for tag in link] == [
        ("bpt", "["),
        ("ept", "](programme/_index.md)"),
    ]
    assert (
        about["body/2"].findtext("x:source", namespaces=NS) == "Wie zitten erachter?"
    )  # a heading, without ##
    assert about["slug"].findtext("x:note", namespaces=NS).startswith("The page's web address")
    # what search results show: the translator is told its length limit
    assert about["description"].findtext("x:source", namespaces=NS).startswith("Het Life Sciences & Health")
    assert about["description"].find("x:target", NS).text.startswith("The Life Sciences & Health")
    assert about["description"].findtext("x:note", namespaces=NS) == (
        "What search results and link previews show of the page: one sentence of at most 160 characters."
    )
    file = etree.fromstring(data).xpath(f"//x:file[@original='{ABOUT_NL}']", namespaces=NS)[0]
    from site_builder.content.frontmatter import content_version

    assert file.get("build-num") == content_version((root / ABOUT_NL).read_text("utf-8"))
    assert (file.get("source-language"), file.get("target-language")) == ("nl", "en")


def test_importing_an_unchanged_export_of_the_real_content_changes_no_byte(tmp_path, run_cli):
    root = real_site(tmp_path)
    before = tree(root)
    code, out, err = import_(run_cli, root, export(run_cli, root))
    assert code == 0, err
    assert out == ""
    assert tree(root) == before


def test_a_changed_source_goes_out_for_review_and_comes_back_translated(tmp_path, run_cli, caplog):
    root = kept(run_cli, real_site(tmp_path))
    edit(
        root,
        ABOUT_NL,
        "Lees meer over [het programma",
        "Dit is een nieuwe zin. Lees meer over [het programma",
    )
    code, out, _ = run_cli("-C", root, "translations")
    assert "stale     content/en/about.md" in out
    data = export(run_cli, root, "--changed")
    assert schema().validate(etree.fromstring(data))
    assert ABOUT_NL in [f.get("original") for f in etree.fromstring(data).xpath("//x:file", namespaces=NS)]
    about = units(data, ABOUT_NL)
    assert about["body/1"].find("x:target", NS).get("state") == "needs-review-translation"
    assert about["body/2"].find("x:target", NS).get("state") == "translated"
    english = (root / ABOUT_EN).read_text("utf-8")
    (paragraph,) = (line for line in english.split("\n") if "Read more about [" in line)
    assert paragraph.startswith("The Life Sciences")
    translated = paragraph.replace("Read more about [", "This is a new sentence. Read more about [")
    start, rest = translated.split("[", 1)
    words, rest = rest.split("](programme/_index.md)", 1)
    data = set_target(
        data,
        ABOUT_NL,
        "body/1",
        f'{escape(start)}<bpt id="1">[</bpt>{escape(words)}<ept id="1">](programme/_index.md)</ept>{escape(rest)}',
    )
    before = tree(root)
    code, out, err = import_(run_cli, root, data)
    assert code == 0, err
    assert out.split() == [ABOUT_EN]
    after = (root / ABOUT_EN).read_text("utf-8")
    assert after == english.replace(paragraph, translated).replace(
        re.search(r"translated_from: .*", english).group(), f"translated_from: nl:{_version(root / ABOUT_NL)}"
    )
    assert (root / ".translated/en/about.md").read_bytes() == (root / ABOUT_NL).read_bytes()
    changed = {path for path, data in tree(root).items() if before.get(path) != data}
    assert changed == {ABOUT_EN, ".translated/en/about.md"}
    code, out, _ = run_cli("-C", root, "translations")
    assert ABOUT_EN not in out
    code, out, _ = run_cli("-C", root, "translations", "diff", root / ABOUT_EN)
    assert "no changes since the translation" in out
    assert ABOUT_NL not in export(run_cli, root, "--changed").decode()  # nothing left to do there


def _version(path: Path) -> str:
    from site_builder.content.frontmatter import content_version

    return content_version(path.read_text("utf-8"))


def test_a_missing_page_goes_out_without_targets_and_comes_back_as_a_new_page(tmp_path, run_cli):
    root = real_site(tmp_path)
    write_tree(
        root,
        {
            "content/nl/news/2026-12-01-nieuw.md": """\
                ---
                title: Nieuw lab geopend
                summary: "Een **nieuw** lab."
                slug: nieuw-lab
                date: 2026-12-01
                draft: true
                aliases: [/nl/oud-lab/]
                ---
                Het lab ligt naast [het AMC](../about.md).

                - een punt met `code`
                """
        },
    )
    data = export(run_cli, root, "--changed")
    assert schema().validate(etree.fromstring(data))
    new = units(data, "content/nl/news/2026-12-01-nieuw.md")
    assert list(new) == ["title", "summary", "slug", "body/1", "body/2"]
    assert all(unit.find("x:target", NS) is None for unit in new.values())
    original = "content/nl/news/2026-12-01-nieuw.md"
    for unit_id, inner in {
        "title": "New lab opened",
        "summary": "A **new** lab.",
        "slug": "new-lab",
        "body/1": 'The lab is next to <bpt id="1">[</bpt>the AMC<ept id="1">](../about.md)</ept>.',
        "body/2": 'a point with <ph id="1">`code`</ph>',
    }.items():
        data = set_target(data, original, unit_id, inner)
    code, _out, err = import_(run_cli, root, data)
    assert code == 0, err
    written = (root / "content/en/news/2026-12-01-nieuw.md").read_text("utf-8")
    version = _version(root / original)
    assert written == (
        '---\ntitle: New lab opened\nsummary: "A **new** lab."\nslug: new-lab\ndate: 2026-12-01\n'
        f"draft: true\ntranslated_from: nl:{version}\n---\n"
        "The lab is next to [the AMC](../about.md).\n\n- a point with `code`\n"
    )  # the source's old address (aliases) is not the translation's


def test_a_news_item_created_with_both_is_translated_by_the_agency(tmp_path, run_cli):
    root = real_site(tmp_path)
    code, out, _ = run_cli("-C", root, "new", "news", "Nieuw lab", "--lang", "nl", "--both")
    nl, en = out.split()
    with (root / nl).open("a", encoding="utf-8") as page:
        page.write("Het **lab** opent [vandaag](../about.md).\n")
    data = export(run_cli, root, "--changed")
    new = units(data, Path(nl).relative_to(root).as_posix())
    assert list(new) == ["title", "slug", "body/1"]  # the empty summary is not a unit
    assert all(unit.find("x:target", NS) is None for unit in new.values())  # "translated_from: nl:new"
    original = Path(nl).relative_to(root).as_posix()
    data = set_target(data, original, "title", "New lab")
    data = set_target(data, original, "slug", "new-lab")
    data = set_target(
        data,
        original,
        "body/1",
        'The <bpt id="1">**</bpt>lab<ept id="1">**</ept> opens <bpt id="2">[</bpt>today<ept id="2">](../about.md)</ept>.',
    )
    code, out, err = import_(run_cli, root, data)
    assert code == 0, err
    assert out.split() == [Path(en).relative_to(root).as_posix()]
    text = Path(en).read_text("utf-8")
    assert 'title: "New lab"\n' in text and "slug: new-lab\n" in text
    assert text.endswith("---\nThe **lab** opens [today](../about.md).\n")
    assert f"translated_from: nl:{_version(Path(nl))}" in text
    code, out, _ = run_cli("-C", root, "translations")
    assert Path(en).relative_to(root).as_posix() not in out  # neither missing nor stale


def test_a_setting_only_the_translation_has_stays_and_a_setting_only_one_has_unpairs_no_block(
    mini_site, run_cli
):
    """The English item has a menu_title the Dutch one lacks: its text still goes out as the current
    translation, and the import changes the text and keeps the menu_title."""
    edit(mini_site, EMA_EN, "slug: ema-opens-office\n", "slug: ema-opens-office\nmenu_title: EMA office\n")
    assert run_cli("-C", mini_site, "translations", "done", mini_site / EMA_EN, "--from", "nl")[0] == 0
    data = export(run_cli, mini_site)
    target = units(data, EMA_NL)["body/1"].find("x:target", NS)
    assert (target.text, target.get("state")) == ("About 900 EMA staff now work at the Zuidas.", "translated")
    before = (mini_site / EMA_EN).read_text("utf-8")
    data = set_target(data, EMA_NL, "body/1", "Some 900 EMA staff now work at the Zuidas.")
    code, out, err = import_(run_cli, mini_site, data)
    assert (code, out.split()) == (0, [EMA_EN]), err
    assert (mini_site / EMA_EN).read_text("utf-8") == before.replace("About 900", "Some 900")


OWN_PHOTO_NOTE = (
    "The translation shows a photo of its own, {}, not this one: describe that photo (the target is "
    "its current description)."
)


@pytest.mark.parametrize("dutch_photo", ["images/kantoor.jpg", "images/office.jpg"])
def test_a_translation_with_a_photo_of_its_own_is_said_to_have_one(mini_site, run_cli, dutch_photo):
    """The Dutch item may show another photo than the English one: the unit of the photo's
    description tells the agency so, and holds the Dutch description as it is."""
    photo = "image: images/office.jpg\nimage_alt: The office\n"
    edit(mini_site, EMA_EN, "date: 2019-06-12\n", f"date: 2019-06-12\n{photo}")
    edit(
        mini_site,
        EMA_NL,
        "date: 2019-06-12\n",
        f"date: 2019-06-12\nimage: {dutch_photo}\nimage_alt: Het kantoor\n",
    )
    assert run_cli("-C", mini_site, "translations", "done", mini_site / EMA_NL, "--from", "en")[0] == 0
    unit = units(export(run_cli, mini_site, to="nl"), EMA_EN)["image_alt"]
    target = unit.find("x:target", NS)
    assert (unit.findtext("x:source", namespaces=NS), target.text, target.get("state")) == (
        "The office",
        "Het kantoor",
        "translated",
    )
    note = unit.findtext("x:note", namespaces=NS)
    if dutch_photo == "images/office.jpg":
        assert note is None
    else:
        assert note == OWN_PHOTO_NOTE.format("images/kantoor.jpg")


@pytest.mark.parametrize(
    ("dutch_photo", "note"),
    [
        # The English photo, its name written as a page may write it: no photo of its own.
        ('"images/our caf%C3%A9.jpg"', None),
        ('"images/our%20cafe\u0301.jpg"', None),
        # Another photo, with a name that XML and YAML write otherwise.
        ("'images/a & <b> \"c\" ''d''.jpg'", OWN_PHOTO_NOTE.format("images/a & <b> \"c\" 'd'.jpg")),
    ],
)
def test_a_photo_of_its_own_is_told_by_the_photo_not_by_how_its_name_is_written(
    mini_site, run_cli, dutch_photo, note
):
    """docs/translating.md: a note "where the translation shows a photo of its own (another
    `image` than the source's)": not where it writes the same photo's name otherwise (a space
    as %20, an accent as a letter and a mark), as the page may. The note holds the name as text,
    and the export comes back without a byte changed."""
    edit(
        mini_site,
        EMA_EN,
        "date: 2019-06-12\n",
        'date: 2019-06-12\nimage: "images/our café.jpg"\nimage_alt: Ours\n',
    )
    edit(
        mini_site,
        EMA_NL,
        "date: 2019-06-12\n",
        f"date: 2019-06-12\nimage: {dutch_photo}\nimage_alt: Het onze\n",
    )
    assert run_cli("-C", mini_site, "translations", "done", mini_site / EMA_NL, "--from", "en")[0] == 0
    data = export(run_cli, mini_site, to="nl")
    assert units(data, EMA_EN)["image_alt"].findtext("x:note", namespaces=NS) == note
    before = tree(mini_site)
    assert import_(run_cli, mini_site, data) == (0, "", "")
    assert tree(mini_site) == before


def test_the_counts_read_right_for_one_page(mini_site, run_cli, caplog):
    """The counts are worded to read right for one page as for many ("1 pages" is no English)."""
    assert run_cli("-C", mini_site, "translations", "done", mini_site / EMA_EN, "--from", "nl")[0] == 0
    with caplog.at_level(logging.INFO, logger="site_builder"):
        data = export(run_cli, mini_site)
        assert caplog.messages == ["pages to translate into 'en': 1 (units: 3)"]
        caplog.clear()
        data = set_target(data, EMA_NL, "body/1", "Some 900 EMA staff now work at the Zuidas.")
        assert import_(run_cli, mini_site, data)[0] == 0
    assert caplog.messages == ["pages written: 1, unchanged: 0"]


def test_nothing_to_translate(tmp_path, run_cli, caplog):
    root = real_site(tmp_path)
    for path in (root / "content/nl").rglob("*.md"):  # English pages only, none a translation
        path.unlink()
    with caplog.at_level(logging.INFO, logger="site_builder"):
        code, out, _ = run_cli("-C", root, "translations", "export", "--to", "en", "--changed")
    assert code == 0 and out == "" and "nothing to translate into 'en'" in caplog.text


def test_a_page_not_finished_is_not_written(tmp_path, run_cli, caplog):
    root = kept(run_cli, real_site(tmp_path))
    edit(root, ABOUT_NL, "## Contact", "## Contactgegevens")
    data = export(run_cli, root, "--changed")
    before = tree(root)
    code, _, _err = import_(run_cli, root, data)  # the changed heading still needs review
    assert code == 0
    assert "not finished: content/en/about.md (1 of 44 units not translated)" in caplog.text
    assert tree(root) == before


def test_a_translation_with_windows_line_ends_keeps_them(tmp_path, run_cli):
    root = kept(run_cli, real_site(tmp_path))
    english = root / ABOUT_EN
    english.write_bytes(b"\xef\xbb\xbf" + english.read_bytes().replace(b"\n", b"\r\n"))
    before = tree(root)
    assert import_(run_cli, root, export(run_cli, root))[0] == 0
    assert tree(root) == before
    edit(root, ABOUT_NL, "## Contact", "## Contactgegevens")
    data = set_target(export(run_cli, root, "--changed"), ABOUT_NL, "body/30", "Contact details")
    code, _, err = import_(run_cli, root, data)
    assert code == 0, err
    written = english.read_bytes()
    assert written.startswith(b"\xef\xbb\xbf---\r\n") and b"\r\n## Contact details\r\n" in written
    assert b"\n" not in written.replace(b"\r\n", b"")


def test_text_in_the_settings_of_key_figures_and_the_swot_comes_back_in_place(tmp_path, run_cli):
    root = kept(run_cli, real_site(tmp_path), "content/en/key-figures.md", "content/en/swot.md")
    data = export(run_cli, root)
    figures, swot = units(data, "content/nl/key-figures.md"), units(data, "content/nl/swot.md")
    assert figures["figures/lsh-jobs-nl/label"].find("x:target", NS).get("state") == "translated"
    second = swot["strengths/1/text/2"].find("x:target", NS).text
    assert second.startswith("This international character")
    data = set_target(data, "content/nl/key-figures.md", "figures/lsh-jobs-nl/label", "jobs: at # companies")
    data = set_target(data, "content/nl/swot.md", "strengths/1/text/2", "A new paragraph,\nover two lines.")
    before = tree(root)
    code, out, err = import_(run_cli, root, data)
    assert code == 0, err
    assert sorted(out.split()) == ["content/en/key-figures.md", "content/en/swot.md"]
    old, new = before["content/en/swot.md"].decode(), (root / "content/en/swot.md").read_text("utf-8")
    assert new == old.replace(second.replace("\n", "\n      "), "A new paragraph,\n      over two lines.")
    key_figures = (root / "content/en/key-figures.md").read_text("utf-8")
    assert '    label: "jobs: at # companies"\n' in key_figures  # quoted, as YAML needs it here
    for page in ("content/en/key-figures.md", "content/en/swot.md"):
        assert run_cli("-C", root, "translations", "diff", root / page)[0] == 0


def test_what_a_translation_tool_writes_is_read(tmp_path, run_cli):
    """Segments marked with <mrk>, approval instead of a state, units in groups."""
    root = kept(run_cli, real_site(tmp_path))
    edit(root, ABOUT_NL, "## Contact", "## Contactgegevens")
    data = export(run_cli, root, "--changed")
    data = set_target(data, ABOUT_NL, "body/30", '<mrk mtype="seg" mid="1">Contact details</mrk>', state=None)
    document = etree.fromstring(data)
    for unit in document.xpath("//x:trans-unit", namespaces=NS):
        unit.set("approved", "yes")
    code, _out, err = import_(run_cli, root, etree.tostring(document))
    assert code == 0, err
    assert "\n## Contact details\n" in (root / ABOUT_EN).read_text("utf-8")


# --- refused ---------------------------------------------------------------------------------


def test_a_source_changed_since_the_export_is_refused_naming_the_units(tmp_path, run_cli):
    root = real_site(tmp_path)
    data = export(run_cli, root)
    edit(root, ABOUT_NL, "### De gemeente Amsterdam", "### De gemeente")
    edit(root, ABOUT_NL, "title: Over het programma", "title: Over ons programma")
    before = tree(root)
    code, _out, err = import_(run_cli, root, data)
    assert code == 1
    assert err.count("\n") == 1
    assert err.startswith(f"{root.parent / 'agency.xlf'}:")
    assert "content/nl/about.md has changed since the export" in err
    assert (
        "units title, body/3 (hint: export again: site-builder translations export --to en --changed" in err
    )
    assert tree(root) == before


def test_a_source_changed_only_in_settings_that_are_not_translated_is_taken(tmp_path, run_cli):
    root = kept(run_cli, real_site(tmp_path))
    data = export(run_cli, root)
    edit(root, ABOUT_NL, "weight: 50", "weight: 55")
    code, out, err = import_(run_cli, root, data)
    assert code == 0, err
    assert out.split() == [ABOUT_EN]  # marked translated from the new version, nothing else changed
    assert f"translated_from: nl:{_version(root / ABOUT_NL)}" in (root / ABOUT_EN).read_text("utf-8")


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">&c;</xliff>'
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">&secret;</xliff>'
)


def _tag(data: bytes, old: str, new: str) -> bytes:
    text = data.decode("utf-8")
    assert old in text
    return text.replace(old, new, 1).encode("utf-8")


HOSTILE = {
    "not XML": (lambda data: b"PK\x03\x04 a zip file", "not well-formed XML"),
    "entity expansion": (lambda data: BILLION_LAUGHS.encode(), "document type declaration"),
    "external entity": (lambda data: XXE.encode(), "document type declaration"),
    "XLIFF 2.0": (
        lambda data: b'<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0" srcLang="nl"/>',
        "only XLIFF 1.2 is read",
    ),
    "wrong version": (lambda data: _tag(data, 'version="1.2"', 'version="1.1"'), "only 1.2 is read"),
    "outside content": (
        lambda data: _tag(data, f'original="{ABOUT_NL}"', 'original="../../etc/passwd"'),
        "names no page of this site",
    ),
    "unknown unit": (
        lambda data: _tag(data, 'id="body/2"', 'id="body/999"'),
        "'body/999' is not a unit of content/nl/_index.md (hint: export again: site-builder translations "
        "export --to en --changed",
    ),
    "dropped tag": (
        lambda data: _tag(data, '<bpt id="1" ctype="link">[</bpt>the programme', "the programme"),
        "dropped <bpt",
    ),
    "invented tag": (
        lambda data: _tag(
            data,
            '<target state="translated">Who is behind it?',
            '<target state="translated"><ph id="7">&lt;script&gt;</ph>Who',
        ),
        'added <ph id="7">',
    ),
    "foreign markup": (
        lambda data: _tag(
            data,
            '<target state="translated">Who is behind it?',
            '<target state="translated"><g id="1">Who</g>',
        ),
        "<g> (line",
    ),
    "nested without end": (
        lambda data: _tag(data, "<body>", "<body>" + "<group>" * 100_000),
        "nested more than",
    ),
    "wrong language": (  # the language named is the mistake: the hint names none
        lambda data: _tag(data, 'target-language="en"', 'target-language="de"'),
        "cannot take (content/nl/_index.md is in 'nl'; the languages are en, nl) (hint: export again: "
        "site-builder translations export --to LANG --changed",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_or_broken_file_is_one_line_and_writes_nothing(tmp_path, run_cli, case):
    root = kept(run_cli, real_site(tmp_path))
    edit(root, ABOUT_NL, "## Contact", "## Contactgegevens")  # so that there is something to write
    data = export(run_cli, root)
    data = set_target(data, ABOUT_NL, "body/30", "Contact details")
    spoil, said = HOSTILE[case]
    before = tree(root)
    code, out, err = import_(run_cli, root, spoil(data))
    assert code == 1, err
    assert err.count("\n") == 1, err
    assert err.startswith(str(root.parent / "agency.xlf")), err
    assert said in err and "(hint: " in err
    assert "Traceback" not in err and out == ""
    assert tree(root) == before


def test_one_bad_page_and_nothing_is_written(tmp_path, run_cli):
    root = kept(run_cli, real_site(tmp_path))
    edit(root, ABOUT_NL, "## Contact", "## Contactgegevens")
    edit(root, "content/nl/swot.md", "title: SWOT-analyse", "title: De SWOT-analyse")
    data = export(run_cli, root, "--changed")
    data = set_target(data, ABOUT_NL, "body/30", "Contact details")
    data = set_target(data, "content/nl/swot.md", "title", 'The SWOT <ph id="3">x</ph>')
    before = tree(root)
    code, _, err = import_(run_cli, root, data)
    assert code == 1 and "unit 'title'" in err and "added" in err
    assert tree(root) == before


def test_a_translation_that_breaks_the_page_is_refused(tmp_path, run_cli):
    root = kept(run_cli, real_site(tmp_path))
    edit(root, ABOUT_NL, "## Contact", "## Contactgegevens")
    data = export(run_cli, root, "--changed")
    data = set_target(data, ABOUT_NL, "body/30", "Contact\n\n- details")
    before = tree(root)
    code, _, err = import_(run_cli, root, data)
    assert code == 1 and "body/30" in err
    assert tree(root) == before


@pytest.mark.parametrize("target", ["content/en/about.md", "content/en/new.xlf", "site.yaml", "templates"])
def test_an_export_over_the_project_s_inputs_is_refused(tmp_path, run_cli, target):
    root = real_site(tmp_path)
    before = tree(root)
    code, out, err = run_cli(
        "-C", root, "translations", "export", "--to", "en", "--changed", "-o", root / target
    )
    name = target.split("/", 1)[0]
    assert (code, err.splitlines()) == (
        1,
        [
            f"{root / target}: the export would be written over the project's {name} "
            "(hint: write it outside content/, templates/, assets/ and translations/, such as lsh-nl.xlf)"
        ],
    )
    assert tree(root) == before


@pytest.mark.parametrize("source", ["/dev/zero", "fifo"])
def test_an_import_from_a_device_or_a_pipe_is_refused_not_read_for_ever(tmp_path, run_cli, source):
    root = real_site(tmp_path)
    if source == "fifo":
        source = tmp_path / "agency.xlf"
        os.mkfifo(source)
    before = tree(root)
    code, _, err = run_cli("-C", root, "translations", "import", source)
    assert (code, err.splitlines()) == (
        1,
        [
            f"{source}: this is not a file but a device, a pipe or a folder "
            "(hint: give the XLIFF file the agency sent back)"
        ],
    )
    assert tree(root) == before


def test_an_import_larger_than_any_export_is_refused(tmp_path, run_cli):
    from site_builder.content.exchange import MAX_XLIFF_BYTES

    root = real_site(tmp_path)
    big = tmp_path / "agency.xlf"
    with big.open("wb") as file:
        file.truncate(MAX_XLIFF_BYTES + 1)  # sparse: no disk space taken
    code, _, err = run_cli("-C", root, "translations", "import", big)
    assert (code, err.splitlines()) == (
        1,
        [f"{big}: the file is larger than 64 MiB (hint: give the XLIFF file the agency sent back)"],
    )


def test_an_unknown_language_to_export_to(tmp_path, run_cli):
    root = real_site(tmp_path)
    code, _, err = run_cli("-C", root, "translations", "export", "--to", "de")
    assert code == 1 and "'de' is not a language of this site" in err


# --- the units ---------------------------------------------------------------------------------


def test_every_front_matter_field_is_either_words_or_not():
    """A new field makes this fail until it is put in one list or the other (segments.py)."""
    not_words = {
        "date", "publish_date", "expiry_date", "weight", "menu", "template", "translation_key",
        "date_precision", "figures", "id", "value", "unit", "qualifier", "year", "group", "highlight",
        "source_url", "topics", *frontmatter.SWOT_QUADRANTS, "places", "lat", "lon", "side",
        "image", "focal_point",
    }  # fmt: skip
    fields = set(frontmatter._COMMON) | set(frontmatter._FIGURE) | set(frontmatter._SWOT_ITEM)
    fields |= set(frontmatter._PLACE)
    fields |= {key for kind in frontmatter._KIND_FIELDS.values() for key in kind}
    words = set(PAGE_FIELDS) | set(FIGURE_FIELDS) | set(SWOT_FIELDS) | set(PLACE_FIELDS)
    assert fields - words - not_words - set(OWN_FIELDS) == set()


@pytest.mark.parametrize(
    "page", sorted(p.relative_to(REPO).as_posix() for p in (REPO / "content").rglob("*.md"))
)
def test_every_real_page_is_written_back_as_it_was(page):
    text = (REPO / page).read_text("utf-8")
    found = page_text(text)
    assert found.units
    assert rewritten(text, found, {unit.id: unit.text for unit in found.units}) == text
    assert all(unit.text == unit.text.strip() for unit in found.units)


def test_blocks_of_every_kind():
    text = (
        "---\ntitle: T\n---\n# Kop #\n\nEen alinea\nover twee regels.\n\n> Een citaat\n> gaat door.\n\n"
        "1. een\n   vervolg\n2. twee\n\n```\ncode blijft\n```\n\n| kolom | *andere* |\n|---|---|\n| a \\| b | `c|d` |\n\n"
        "[ref]: https://example.org\n\n---\n"
    )
    found = page_text(text)
    assert [(u.id, u.kind, u.text) for u in found.units] == [
        ("title", "field", "T"),
        ("body/1", "heading", "Kop"),
        ("body/2", "paragraph", "Een alinea\nover twee regels."),
        ("body/3", "paragraph", "Een citaat\ngaat door."),
        ("body/4", "item", "een\nvervolg"),
        ("body/5", "item", "twee"),
        ("body/6", "cell", "kolom"),
        ("body/7", "cell", "*andere*"),
        ("body/8", "cell", "a \\| b"),
    ]  # the code cell holds no words
    new = rewritten(
        text, found, {"body/3": "A quote\nthat goes on.", "body/4": "one\nmore", "title": "Title: yes"}
    )
    assert "> A quote\n> that goes on." in new and "1. one\n   more\n" in new and 'title: "Title: yes"' in new


@given(st.text(alphabet="ab *_`[]()!<>\\{}:.#\n", max_size=40))
def test_inline_markdown_is_kept_whole(text):
    assert markdown(inline(text)) == text


def test_a_paragraph_of_stray_marks_takes_time_in_proportion_to_its_length():
    import time

    for mark in ("*a ", "[a ", "_a ", "![a]("):
        started = time.perf_counter()
        text = mark * 50_000
        assert markdown(inline(text)) == text
        assert time.perf_counter() - started < 5, mark


def test_the_product_does_not_need_lxml():
    for path in (REPO / "site_builder").rglob("*.py"):
        assert "lxml" not in path.read_text("utf-8"), path
