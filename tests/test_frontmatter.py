"""Front matter: splitting the ``---`` block, YAML safety, and validation per page kind.

Every error is checked in the form an editor sees it, ``path:line: message (hint: …)``.
"""

from __future__ import annotations

import datetime

import pytest

from site_builder.content.frontmatter import Document, parse, split
from site_builder.content.load import decode
from site_builder.errors import SiteError, SiteErrors, format_error

PATH = "content/nl/over.md"


def page(*lines: str) -> str:
    """A page whose lines are given one by one, so line numbers are easy to read off."""
    return "\n".join(lines) + "\n"


def errors_of(text: str, kind: str = "page", path: str = PATH) -> list[str]:
    """The formatted errors ``parse`` raises for ``text`` (fails the test if it raises none)."""
    with pytest.raises((SiteError, SiteErrors)) as caught:
        parse(text, path, kind)
    exc = caught.value
    found = exc.errors if isinstance(exc, SiteErrors) else (exc,)
    return [format_error(error) for error in found]


# --- valid pages --------------------------------------------------------------


def test_valid_page_gives_values_body_and_key_lines():
    doc = parse(
        page(
            "---",
            "title: Over ons",
            "summary: Wie wij zijn.",
            "slug: over-ons",
            "weight: 20",
            "menu: true",
            "---",
            "Wij publiceren de kerncijfers.",
        ),
        PATH,
        "page",
    )
    assert isinstance(doc, Document)
    assert doc.front.title == "Over ons"
    assert doc.front.summary == "Wie wij zijn."
    assert doc.front.slug == "over-ons"
    assert doc.front.weight == 20
    assert doc.front.menu is True
    assert doc.front.draft is False
    assert doc.body == "Wij publiceren de kerncijfers.\n"
    assert doc.body_line == 8
    assert dict(doc.front.lines) == {"title": 2, "summary": 3, "slug": 4, "weight": 5, "menu": 6}


def test_split_returns_yaml_and_body_with_their_first_lines():
    text = page("---", "title: A", "date: 2019-09-26", "---", "Body")
    yaml_text, yaml_line, body, body_line = split(text, PATH)
    assert (yaml_text, yaml_line) == ("title: A\ndate: 2019-09-26", 2)
    assert (body, body_line) == ("Body\n", 5)


def test_news_item_date_is_a_date():
    doc = parse(page("---", "title: EMA opent kantoor", "date: 2019-06-12", "---"), PATH, "news")
    assert doc.front.date == datetime.date(2019, 6, 12)


def test_bom_and_crlf_are_handled_by_decode():
    raw = "\ufeff---\r\ntitle: Café\r\ndate: 2019-09-26\r\n---\r\nTekst\r\n".encode()
    text = decode(raw, PATH)
    assert isinstance(text, str)
    assert "\r" not in text and not text.startswith("\ufeff")
    doc = parse(text, PATH, "news")
    assert doc.front.title == "Café"
    assert doc.front.date == datetime.date(2019, 9, 26)
    assert doc.body == "Tekst\n"
    assert doc.front.lines["date"] == 3


def test_decode_refuses_invalid_utf8_with_its_line():
    error = decode(b"---\ntitle: x\n---\nCaf\xe9\n", PATH)
    assert isinstance(error, SiteError)
    assert format_error(error) == f"{PATH}:4: the file is not valid UTF-8 text (hint: save the file as UTF-8)"


def test_decode_refuses_other_control_characters_but_not_tabs():
    error = decode(b"---\ntitle: x\n---\nA\tB\nA\x0cB\n", PATH)
    assert format_error(error) == (
        f"{PATH}:5: the file contains the control character U+000C "
        "(hint: delete it; it is invisible in most editors and often comes with copied text)"
    )


def test_control_character_that_yaml_refuses_names_its_line():
    # U+0086 is valid UTF-8 and passes decode; YAML does not allow it.
    assert errors_of(page("---", "title: Café", "summary: x\x86y", "---")) == [
        f"{PATH}:3: invalid YAML: the control character U+0086 is not allowed "
        "(hint: delete it; it is invisible in most editors and often comes with copied text)"
    ]


def test_decode_refuses_nul_byte_with_its_line():
    error = decode(b"---\ntitle: x\n---\nA\x00B\n", PATH)
    assert isinstance(error, SiteError)
    assert format_error(error) == f"{PATH}:4: the file contains a NUL byte (hint: is this a text file?)"


# --- the block itself -----------------------------------------------------------


def test_file_without_front_matter():
    assert errors_of("Just text\n") == [
        f"{PATH}:1: the file does not start with front matter "
        "(hint: begin the file with a line '---', then 'title: …', then another '---')"
    ]


def test_unclosed_block():
    assert errors_of(page("---", "title: Over ons", "", "Tekst")) == [
        f"{PATH}:1: the front matter is never closed (hint: add a line '---' after the last setting)"
    ]


def test_front_matter_that_is_not_a_mapping():
    assert errors_of(page("---", "- Over ons", "- Nieuws", "---")) == [
        f"{PATH}:2: the front matter is not a list of settings "
        "(hint: write settings as 'key: value' lines, such as 'title: Nieuws')"
    ]


def test_empty_front_matter():
    assert errors_of(page("---", "---", "Tekst")) == [
        f"{PATH}:1: the front matter is empty (hint: add 'title: …' between the --- lines)"
    ]


def test_empty_file():
    assert errors_of("") == [
        f"{PATH}:1: the file does not start with front matter "
        "(hint: begin the file with a line '---', then 'title: …', then another '---')"
    ]


def test_missing_title():
    assert errors_of(page("---", "summary: Wie wij zijn.", "---")) == [
        f"{PATH}:2: missing required key 'title' (hint: add 'title: …' with the page title)"
    ]


@pytest.mark.parametrize("blank", ["'  '", '"\\u200b"', '"\\ufeff \\u00a0"'])
def test_blank_title(blank):
    """Spaces, and invisible characters such as a zero-width space, show no title."""
    assert errors_of(page("---", "summary: x", f"title: {blank}", "---")) == [
        f"{PATH}:3: title is empty (hint: add 'title: …' with the page title)"
    ]


def test_unknown_keys_are_all_reported_with_did_you_mean():
    assert errors_of(page("---", "title: Over ons", "titel: Over", "sumary: Wie", "---")) == [
        f"{PATH}:3: unknown key 'titel' (hint: did you mean 'title'?)",
        f"{PATH}:4: unknown key 'sumary' (hint: did you mean 'summary'?)",
    ]


def test_unknown_key_without_close_match_lists_allowed_keys():
    (error,) = errors_of(page("---", "title: x", "colour: red", "---"))
    assert error.startswith(
        f"{PATH}:3: unknown key 'colour' (hint: allowed keys: aliases, date, date_precision, description, draft, expiry_date,"
        " focal_point, image, image_alt, menu,"
    )


def test_duplicate_key_names_both_lines():
    assert errors_of(page("---", "title: Over ons", "summary: x", "title: Over", "---")) == [
        f"{PATH}:4: duplicate key 'title' (first on line 2) (hint: remove one of the two)"
    ]


def test_duplicate_key_inside_a_figure():
    text = page(
        "---",
        "title: Kerncijfers",
        "figures:",
        "  - id: lsh-jobs-nl",
        "    id: lsh-jobs",
        "    value: 65000",
        "    label: banen",
        "    source: Actieprogramma",
        "---",
    )
    assert errors_of(text, "key-figures") == [
        f"{PATH}:5: duplicate key 'id' (first on line 4) (hint: remove one of the two)"
    ]


def test_alias_refused():
    (error,) = errors_of(page("---", "title: &t Over ons", "summary: *t", "---"))
    assert error.startswith(f"{PATH}:")
    assert error.endswith(": YAML aliases (*name) are not supported (hint: write the value out in full)")


def test_nested_aliases_are_refused():
    lines = ["---", "title: x", "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for new, old in zip("bcdefghi", "abcdefgh", strict=True):
        lines.append(f"{new}: &{new} [*{old}, *{old}, *{old}]")
    (error,) = errors_of(page(*lines, "---"))
    assert "YAML aliases (*name) are not supported" in error


def test_alias_reported_on_the_line_of_the_alias():
    text = page("---", "title: &t Over ons", "menu: true", "weight: 3", "draft: false", "summary: *t", "---")
    assert errors_of(text) == [
        f"{PATH}:6: YAML aliases (*name) are not supported (hint: write the value out in full)"
    ]


MERGE_KEY = (
    "YAML merge keys (<<) are not supported (hint: write each setting out in full, on a line of its own)"
)


@pytest.mark.parametrize("value", ["=", "<<", "=="])
def test_yaml_1_1_value_and_merge_signs_are_text(value):
    assert (
        parse(page("---", "title: Over ons", f"summary: {value}", "---"), PATH, "page").front.summary == value
    )


@pytest.mark.parametrize(
    "lines",
    [
        ["title: Over ons", "<<: {summary: Wie wij zijn.}"],
        ["title: Over ons", "<<:", "  - summary: Wie wij zijn."],
        ["title: &t Over ons", "<<: *t"],  # refused as a merge key, before the alias is looked at
        ["title: Over ons", "? <<", ": {menu: true}"],
    ],
)
def test_merge_key_refused_at_its_line(lines):
    assert errors_of(page("---", *lines, "---")) == [f"{PATH}:3: {MERGE_KEY}"]


def test_merge_keys_of_aliases_cannot_expand():
    lines = ["---", "title: x", "a: &a {k: v}"]
    for new, old in zip("bcdefghi", "abcdefgh", strict=True):
        lines.append(f"{new}: &{new} {{<<: [*{old}, *{old}, *{old}]}}")
    assert errors_of(page(*lines, "---")) == [f"{PATH}:4: {MERGE_KEY}"]


def test_merge_key_in_quotes_is_a_key_like_any_other():
    (error,) = errors_of(page("---", "title: Over ons", "'<<': x", "---"))
    assert error.startswith(f"{PATH}:3: unknown key '<<' (hint: allowed keys: ")


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system ['true']", "!!python/name:os.system"])
def test_python_tags_refused(tag):
    (error,) = errors_of(page("---", "summary: x", f"title: {tag}", "---"))
    assert error.startswith(f"{PATH}:3: invalid YAML: the tag '!!python/")
    assert error.endswith("(hint: tags such as !!python/object are not allowed)")


@pytest.mark.parametrize(
    ("tag", "value"),
    [
        ("binary", "aGVsbG8="),
        ("set", "{a, b}"),
        ("omap", "[a: 1]"),
        ("pairs", "[a: 1]"),
        ("timestamp", "2020-01-01"),
    ],
)
def test_tags_of_what_no_setting_is_refused(tag, value):
    # Read as bytes, a set, a list of pairs or a date, the title was told it was "'b'hello''".
    assert errors_of(page("---", "summary: x", f"title: !!{tag} {value}", "---")) == [
        f"{PATH}:3: invalid YAML: the tag '!!{tag}' is not allowed (hint: tags such as !!python/object are not allowed)"
    ]


@pytest.mark.parametrize("character", ["\u2028", "\u2029", "\x85"])
def test_a_line_break_only_yaml_sees_is_refused_at_its_line(character):
    # Copied with a title from a word processor: YAML read two lines, and refused the next one.
    assert errors_of(page("---", f"title: Over{character}ons", "summary: x", "---")) == [
        f"{PATH}:2: the character U+{ord(character):04X} ends a line for YAML, though most editors show none "
        "(hint: delete it, or type a space in its place; it often comes with copied text)"
    ]


def test_tab_before_a_key():
    assert errors_of(page("---", "title: x", "\tsummary: y", "---")) == [
        f"{PATH}:3: invalid YAML: a tab is used to indent this line (hint: indent with spaces, not tabs)"
    ]


def test_tab_indented_list_gets_the_tab_hint():
    (error,) = errors_of(page("---", "title: x", "figures:", "\t- id: a", "---"), "key-figures")
    assert error.startswith(f"{PATH}:4: invalid YAML")
    assert error.endswith("(hint: indent with spaces, not tabs)")


def test_tab_indented_list_is_reported_on_its_line():
    (error,) = errors_of(page("---", "title: x", "figures:", "\t- id: a", "---"), "key-figures")
    assert error.startswith(f"{PATH}:4: invalid YAML")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            'summary: "Amsterdam en de regio',
            "the quoted text that starts on this line has no closing quote "
            "(hint: end it with the quote mark it starts with)",
        ),
        (
            "summary: 'Amsterdam en de regio",
            "the quoted text that starts on this line has no closing quote "
            "(hint: end it with the quote mark it starts with)",
        ),
        (
            "summary: [Concept, Amsterdam",
            "the '[' on this line is not closed "
            "(hint: close the list with ']', or put text that starts with '[' in quotes)",
        ),
        (
            "summary: {Concept Amsterdam",
            "the '{' on this line is not closed "
            "(hint: close it with '}', or put text that starts with '{' in quotes)",
        ),
        (
            "summary Amsterdam en de regio",
            "this line has no ':' after its key (hint: write each setting as 'key: value')",
        ),
    ],
)
@pytest.mark.parametrize("after", [("weight: 3", "menu: true"), ()])
def test_something_left_open_is_reported_where_it_opened(line, message, after):
    # YAML finds out lines later, often at the end of the front matter: the editor is sent to
    # the line with the mistake, whatever follows it.
    assert errors_of(page("---", "title: Over ons", line, *after, "---", "Tekst.")) == [
        f"{PATH}:3: invalid YAML: {message}"
    ]


def test_quote_left_open_and_closed_by_the_next_lines_quote():
    text = page("---", 'title: "Over ons', 'summary: "Wie we zijn."', "weight: 3", "---", "Tekst.")
    assert errors_of(text) == [
        f"{PATH}:2: invalid YAML: the quote opened on this line is closed only on line 3 "
        "(hint: end the text with the quote mark it starts with)"
    ]


QUOTE_HINT = "put the whole text in quotes; inside \"…\" write \\\" for a quote mark, inside '…' write ''"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('title: "Over" ons', f"text follows the closing quote (hint: {QUOTE_HINT})"),
        ("title: 'Amsterdam's regio'", f"text follows the closing quote (hint: {QUOTE_HINT})"),
        (
            "title: [Concept] Over ons",
            "text follows the closing ']' (hint: put text that starts with '[' in quotes)",
        ),
    ],
)
def test_text_after_a_closing_quote_or_bracket(line, message):
    assert errors_of(page("---", "summary: x", line, "weight: 3", "---")) == [
        f"{PATH}:3: invalid YAML: {message}"
    ]


def test_text_cut_short_by_a_comment():
    assert errors_of(page("---", "summary: x", "title: Amsterdam is #1 in Europe", "weight: 3", "---")) == [
        f"{PATH}:3: the text after ' #' is read as a comment, leaving 'Amsterdam is' (hint: to keep it, "
        'put the whole text in quotes: "Amsterdam is #1 in Europe"; a comment goes on a line of its own)'
    ]
    # Also in a list, and a quote mark in the text is escaped in the suggestion.
    (error,) = errors_of(page("---", "title: x", "figures:", '  - label: De "EMA" #1', "---"), "key-figures")
    assert error.startswith(f"{PATH}:4: the text after ' #' is read as a comment, leaving 'De \"EMA\"'")
    assert 'quotes: "De \\"EMA\\" #1"' in error
    # Columns count characters, not bytes: text with accents is cut in the same place.
    (error,) = errors_of(page("---", "title: Café “Zuidas” is #1", "---"))
    assert error.startswith(f"{PATH}:2: the text after ' #' is read as a comment, leaving 'Café “Zuidas” is'")


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ('title: "Amsterdam is #1 in Europe"', "Amsterdam is #1 in Europe"),
        ("title: C# and F# in Amsterdam", "C# and F# in Amsterdam"),
        ("title: Nummer#1", "Nummer#1"),
    ],
)
def test_hash_in_quoted_or_joined_text(line, title):
    doc = parse(page("---", "# a comment on a line of its own", line, "---"), PATH, "page")
    assert doc.front.title == title


def test_comment_after_a_number():
    doc = parse(page("---", "title: Over ons", "weight: 3  # first in the menu", "---"), PATH, "page")
    assert doc.front.weight == 3


def test_colon_in_unquoted_text():
    assert errors_of(page("---", "title: x", "summary: Amsterdam: de regio", "---")) == [
        f"{PATH}:3: invalid YAML: a ': ' inside text that is not in quotes "
        "(hint: put text that contains ': ' in quotes)"
    ]


def test_key_that_is_not_text():
    assert errors_of(page("---", "title: x", "1: y", "---")) == [
        f"{PATH}:3: key 1 is not text (hint: keys are words such as title:)"
    ]


# --- dates ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["news", "page"])
def test_impossible_date_with_its_line(kind):
    assert errors_of(page("---", "title: EMA", "slug: ema", "date: 2017-11-31", "---"), kind) == [
        f"{PATH}:4: date '2017-11-31' is not a valid date (hint: write the date as YYYY-MM-DD)"
    ]


def test_date_in_another_format():
    assert errors_of(page("---", "title: EMA", "date: 26-09-2019", "---"), "news") == [
        f"{PATH}:3: date '26-09-2019' is not a date (hint: write the date as YYYY-MM-DD)"
    ]


def test_news_requires_a_date():
    assert errors_of(page("---", "title: EMA", "---"), "news") == [
        f"{PATH}:2: missing required key 'date' (hint: add a line 'date: …')"
    ]


def test_page_does_not_require_a_date():
    assert parse(page("---", "title: Over ons", "---"), PATH, "page").front.date is None


def test_several_problems_reported_together():
    assert errors_of(page("---", "date: 2017-11-31", "draft: maybe", "---"), "news") == [
        f"{PATH}:2: date '2017-11-31' is not a valid date (hint: write the date as YYYY-MM-DD)",
        f"{PATH}:2: missing required key 'title' (hint: add 'title: …' with the page title)",
        f"{PATH}:3: draft is 'maybe', expected true or false (hint: write true or false)",
    ]


# --- slugs ------------------------------------------------------------------

SLUG_HINT = "(hint: use lower-case letters a-z, digits and single hyphens, such as over-ons)"


@pytest.mark.parametrize("slug", ["over-ons", "ema", "actieprogramma-2019-2022", "404"])
def test_valid_slugs(slug):
    assert parse(page("---", "title: x", f"slug: '{slug}'", "---"), PATH, "page").front.slug == slug


@pytest.mark.parametrize(
    "slug",
    ["over/ons", "..", "../x", "Over-ons", "over ons", "é", "over--ons", "-over", "over-", "over_ons", ""],
)
def test_unsafe_slugs(slug):
    assert errors_of(page("---", "title: x", f"slug: '{slug}'", "---")) == [
        f"{PATH}:3: slug '{slug}' is not URL-safe {SLUG_HINT}"
    ]


# --- key figures --------------------------------------------------------------


def figures_page(*figure_lines: str) -> str:
    return page("---", "title: Kerncijfers", "figures:", *figure_lines, "---", "Tekst")


def test_figures_parsed_with_their_lines():
    doc = parse(
        figures_page(
            "  - id: lsh-jobs-nl",  # line 4
            "    value: 65000",
            "    qualifier: about",
            "    group: jobs",
            "    label: banen",
            "    source: Actieprogramma",
            "  - id: lsh-budget",  # line 10
            "    value: 2370000",
            "    unit: EUR",
            "    label: budget",
            "    source: Gemeente",
            "  - id: cycling-share",  # line 15
            "    value: 58.5",
            "    unit: percent",
            "    year: 2018",
            "    label: fietst",
            "    source: OIS",
        ),
        PATH,
        "key-figures",
    )
    jobs, budget, cycling = doc.front.figures
    assert (jobs.id, jobs.value, jobs.unit, jobs.qualifier, jobs.group, jobs.line) == (
        "lsh-jobs-nl",
        65000,
        None,
        "about",
        "jobs",
        4,
    )
    assert (budget.value, budget.unit, budget.line) == (2370000, "EUR", 10)
    assert (cycling.value, cycling.unit, cycling.year, cycling.line) == (58.5, "percent", 2018, 15)
    assert doc.body_line == 22


@pytest.mark.parametrize("value", ["'65000'", "'0.5'", "65,000", "lots", "true"])
def test_figure_value_must_be_a_number(value):
    errors = errors_of(
        figures_page("  - id: jobs", f"    value: {value}", "    label: banen", "    source: OIS"),
        "key-figures",
    )
    assert len(errors) == 1
    assert errors[0].startswith(f"{PATH}:5: figures[1].value is ")
    assert errors[0].endswith(
        ", expected a number (hint: a plain number such as 65000 or 2.5, without separators)"
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (".inf", ".inf"),
        ("-.inf", "-.inf"),
        (".nan", ".nan"),
        ("1e400", "1e400"),
        ("99999999999999999999999999999999", "99999999999999999999999999999999"),
        ("9" * 5000, "9" * 40 + "…"),  # more digits than Python converts to a whole number
    ],
)
def test_figure_value_must_be_a_finite_number_of_a_sensible_size(value, shown):
    """.inf was shown as ∞ with a bar of width nan%; a huge number failed in a template."""
    assert errors_of(
        figures_page("  - id: jobs", f"    value: {value}", "    label: banen", "    source: OIS"),
        "key-figures",
    ) == [
        f"{PATH}:5: figures[1].value '{shown}' is not a number from -10^15 to 10^15 "
        "(hint: a plain number such as 65000 or 2.5, without separators)"
    ]


def test_figure_value_with_dutch_thousands_separator_is_refused():
    assert errors_of(
        figures_page("  - id: jobs", "    value: 65.000", "    label: banen", "    source: OIS"),
        "key-figures",
    ) == [
        f"{PATH}:5: '65.000' reads as a decimal fraction, not as a number with thousands separators "
        "(hint: if you mean 65000, write it without separators; if you mean a decimal fraction "
        "(a coordinate, say), add a zero: 65.0000)"
    ]


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        # YAML 1.1 read these as other numbers: 010 as 8, 0x10 as 16, 1_000 as 1000, 1:30 as 90.
        ("010", "write 10 without the leading zero"),
        ("-007", "write -7 without the leading zero"),
        ("00.5", "write 0.5 without the leading zero"),
        ("0x10", "write the number in decimal digits: 16"),
        ("0o10", "write the number in decimal digits: 8"),
        ("0b101", "write the number in decimal digits: 5"),
        ("1_000", "write 1000 without separators"),
        # without the separator, three decimals: that is refused too, so the hint is the one for it
        (
            "4.96_0",
            (
                "if you mean 4960, write it without separators; if you mean a decimal fraction "
                "(a coordinate, say), add a zero: 4.9600"
            ),
        ),
        ("1:30", "write one plain number, without ':'"),
    ],
)
def test_figure_value_that_yaml_1_1_read_as_another_number_is_refused(value, hint):
    assert errors_of(
        figures_page("  - id: jobs", f"    value: {value}", "    label: banen", "    source: OIS"),
        "key-figures",
    ) == [f"{PATH}:5: figures[1].value '{value}' is not read as a number (hint: {hint})"]


@pytest.mark.parametrize(("value", "number"), [("+12", 12), (".5", 0.5), ("-0.25", -0.25), ("1e3", 1000.0)])
def test_figure_value_in_yaml_1_2_forms_is_a_number(value, number):
    doc = parse(
        figures_page("  - id: jobs", f"    value: {value}", "    label: l", "    source: s"),
        PATH,
        "key-figures",
    )
    assert doc.front.figures[0].value == number
    assert type(doc.front.figures[0].value) is type(number)  # Python's own, as the build cache holds


def test_numbers_in_fields_of_text_are_kept_as_written():
    doc = parse(
        figures_page(
            "  - id: agents",
            "    value: 7",
            "    label: 007",
            "    short_label: 1.50",
            "    source: 1:30",
            "  - id: budget",
            "    value: 8",
            "    label: 0x10",
            "    short_label: 1_000",
            "    source: 1e3",
        ),
        PATH,
        "key-figures",
    )
    agents, budget = doc.front.figures
    assert (agents.label, agents.short_label, agents.source) == ("007", "1.50", "1:30")
    assert (budget.label, budget.short_label, budget.source) == ("0x10", "1_000", "1e3")


def test_year_with_a_leading_zero_is_refused():
    assert errors_of(
        figures_page("  - id: jobs", "    value: 5", "    year: 02018", "    label: l", "    source: s"),
        "key-figures",
    ) == [
        f"{PATH}:6: figures[1].year '02018' is not read as a number (hint: write 2018 without the leading zero)"
    ]


@pytest.mark.parametrize(("value", "kind"), [("!!int abc", "a whole number"), ("!!float 0x10", "a number")])
def test_number_tag_on_what_is_no_number(value, kind):
    assert errors_of(
        figures_page("  - id: jobs", f"    value: {value}", "    label: l", "    source: s"), "key-figures"
    ) == [
        f"{PATH}:5: '{value.split()[1]}' is not {kind} "
        "(hint: write the number in plain decimal digits, such as 65000 or 2.5, and leave out the tag)"
    ]


def test_figure_value_with_decimals_is_kept():
    doc = parse(
        figures_page("  - id: share", "    value: 2.5", "    unit: percent", "    label: l", "    source: s"),
        PATH,
        "key-figures",
    )
    assert doc.front.figures[0].value == 2.5


def test_figure_unit_choices():
    assert errors_of(
        figures_page("  - id: budget", "    value: 5", "    unit: USD", "    label: b", "    source: s"),
        "key-figures",
    ) == [f"{PATH}:6: figures[1].unit 'USD' is not one of: percent, EUR (hint: leave unit out for a count)"]


def test_figure_qualifier_choices():
    text = figures_page(
        "  - id: jobs", "    value: 5", "    qualifier: roughly", "    label: b", "    source: s"
    )
    assert errors_of(text, "key-figures") == [
        f"{PATH}:6: figures[1].qualifier 'roughly' is not one of: about, more-than "
        "(hint: about or more-than; leave qualifier out for an exact number)"
    ]


def test_figure_missing_required_keys_named_at_the_figure():
    assert errors_of(figures_page("  - id: jobs", "    value: 5"), "key-figures") == [
        f"{PATH}:4: missing required key 'figures[1].label' "
        "(hint: what the number counts, in this page's language, such as label: jobs in life sciences)",
        f"{PATH}:4: missing required key 'figures[1].source' (hint: name where the number comes from)",
    ]


def test_duplicate_figure_ids():
    text = figures_page(
        "  - id: jobs",  # line 4
        "    value: 1",
        "    label: a",
        "    source: s",
        "  - id: jobs",  # line 8
        "    value: 2",
        "    label: b",
        "    source: s",
    )
    assert errors_of(text, "key-figures") == [
        f"{PATH}:8: figure id 'jobs' is used twice (first on line 4) (hint: give every figure its own id)"
    ]


def test_key_figures_require_figures():
    assert errors_of(page("---", "title: Kerncijfers", "---"), "key-figures") == [
        f"{PATH}:2: missing required key 'figures' (hint: add a line 'figures: …')"
    ]


def test_figures_are_not_allowed_on_ordinary_pages():
    (error,) = errors_of(page("---", "title: x", "figures: []", "---"), "page")
    assert error.startswith(f"{PATH}:3: unknown key 'figures'")


# --- SWOT -------------------------------------------------------------------


def test_swot_with_all_quadrants():
    text = page(
        "---",
        "title: SWOT",
        "strengths:",
        "  - title: Kennis",
        "    text: Twee universiteiten.",
        "weaknesses:",
        "  - title: Campussen",
        "    text: Verspreid.",
        "opportunities:",
        "  - title: Data",
        "    text: '*AI*'",
        "threats:",
        "  - title: Wonen",
        "    text: Duur.",
        "---",
    )
    swot = parse(text, PATH, "swot").front.swot
    assert [(name, [(i.title, i.line) for i in items]) for name, items in swot.quadrants()] == [
        ("strengths", [("Kennis", 4)]),
        ("weaknesses", [("Campussen", 7)]),
        ("opportunities", [("Data", 10)]),
        ("threats", [("Wonen", 13)]),
    ]
    assert swot.opportunities[0].text == "*AI*"


def test_swot_requires_all_four_quadrants():
    text = page("---", "title: SWOT", "strengths:", "  - title: Kennis", "    text: Twee.", "---")
    assert errors_of(text, "swot") == [
        f"{PATH}:2: missing required key 'opportunities' (hint: add a line 'opportunities: …')",
        f"{PATH}:2: missing required key 'threats' (hint: add a line 'threats: …')",
        f"{PATH}:2: missing required key 'weaknesses' (hint: add a line 'weaknesses: …')",
    ]


def test_swot_item_must_be_a_mapping():
    text = page(
        "---",
        "title: SWOT",
        "strengths:",
        "  - Kennis",
        "weaknesses: []",
        "opportunities: []",
        "threats: []",
        "---",
    )
    assert errors_of(text, "swot") == [
        f"{PATH}:4: strengths[1] is 'Kennis', expected a mapping "
        "(hint: begin each item with '- title: …' and write its other keys below it, indented alike)"
    ]


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (
            "summary: ~",
            "summary is empty, expected text (hint: write the text after the colon, such as summary: Amsterdam)",
        ),
        (
            "summary:",
            "summary is empty, expected text (hint: write the text after the colon, such as summary: Amsterdam)",
        ),
        (
            "summary: [a]",
            "summary is a list, expected text (hint: write the text on the same line; "
            'text that starts with [ or - goes in quotes, such as "[draft] Plan")',
        ),
        (
            "summary: true",
            'summary is true/false, expected text (hint: put the word in quotes, such as "true": '
            "unquoted, true and false are read as true or false)",
        ),
        (
            "summary: {a: b}",
            "summary is a mapping, expected text (hint: text that contains ': ' or starts with { goes in quotes)",
        ),
        (
            "menu_title: [Over]",  # a field with a hint of its own: how YAML read the value tells more
            "menu_title is a list, expected text (hint: write the text on the same line; "
            'text that starts with [ or - goes in quotes, such as "[draft] Plan")',
        ),
        (
            "aliases: [~]",
            "aliases[1] is empty, expected text (hint: old addresses of this page on this site, such as /en/mou/)",
        ),
    ],
)
def test_text_that_yaml_read_as_something_else_has_a_hint(setting, expected):
    assert errors_of(page("---", "title: Over ons", setting, "---", "Tekst.")) == [f"{PATH}:3: {expected}"]


# --- nothing: ~, null, Null, NULL, an empty value or "" -------------------------

NOTHING = ["~", "null", "Null", "NULL", "", "''"]


@pytest.mark.parametrize("nothing", NOTHING)
@pytest.mark.parametrize(
    ("key", "kind", "expected"),
    [
        ("date", "news", "date is empty, expected a date (hint: write the date as YYYY-MM-DD)"),
        (
            "publish_date",
            "page",
            "publish_date is empty, expected a date "
            "(hint: the first day the page is published, written YYYY-MM-DD)",
        ),
        ("weight", "page", "weight is empty, expected a whole number (hint: a whole number such as 10)"),
        ("draft", "page", "draft is empty, expected true or false (hint: write true or false)"),
        (
            "aliases",
            "page",
            "aliases is empty, expected a list (hint: old addresses of this page on this site, such as /en/mou/)",
        ),
        (
            "places",
            "page",
            "places is empty, expected a list (hint: write the items on the lines below it, each after '- ')",
        ),
        (
            "topics",
            "news",
            "topics is empty, expected a list "
            "(hint: keys of topics declared in site.yaml, such as [ema, international])",
        ),
    ],
)
def test_a_setting_left_empty_has_a_hint_whatever_its_kind(nothing, key, kind, expected):
    lines = ["title: Over ons", f"{key}: {nothing}".rstrip()]
    if kind == "news" and key != "date":
        lines.append("date: 2019-06-12")
    assert errors_of(page("---", *lines, "---"), kind) == [f"{PATH}:3: {expected}"]


@pytest.mark.parametrize("nothing", NOTHING)
def test_a_figure_value_left_empty_has_a_hint(nothing):
    text = figures_page(
        "  - id: jobs", "    label: banen", "    source: OIS", f"    value: {nothing}".rstrip()
    )
    assert errors_of(text, "key-figures") == [
        f"{PATH}:7: figures[1].value is empty, expected a number "
        "(hint: a plain number such as 65000 or 2.5, without separators)"
    ]


@pytest.mark.parametrize(
    ("value", "found"), [("true", "true/false"), ("[2019-06-12]", "a list"), ("{day: 12}", "a mapping")]
)
def test_a_date_that_is_no_text_says_what_it_is(value, found):
    assert errors_of(page("---", "title: Over ons", f"date: {value}", "---")) == [
        f"{PATH}:3: date is {found}, expected a date (hint: write the date as YYYY-MM-DD)"
    ]


def test_a_focal_point_with_an_empty_value_shows_it_as_written():
    (error,) = errors_of(page("---", "title: Over ons", "focal_point: [~, true, 50]", "---"))
    assert error.startswith(f"{PATH}:3: focal_point '[~, true, 50]' is not two percentages [x, y] (hint: ")
    (error,) = errors_of(page("---", "title: Over ons", "focal_point: [1.50, 200.0]", "---"))
    assert error.startswith(f"{PATH}:3: focal_point '[1.50, 200.0]' is not two percentages [x, y] (hint: ")


# --- true and false -----------------------------------------------------------


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "Yes", "NO", "On", "OFF", "y", "n"])
def test_yaml_1_1_words_for_true_and_false_are_text(word):
    front = parse(
        page("---", "title: Over ons", f"summary: {word}", f"menu_title: {word}", "---"), PATH, "page"
    ).front
    assert (front.summary, front.menu_title) == (word, word)


@pytest.mark.parametrize(
    ("written", "value"),
    [("true", True), ("True", True), ("TRUE", True), ("false", False), ("False", False), ("FALSE", False)],
)
def test_true_and_false_as_yaml_1_2_writes_them(written, value):
    front = parse(
        page("---", "title: Over ons", f"draft: {written}", f"menu: {written}", "---"), PATH, "page"
    ).front
    assert (front.draft, front.menu) == (value, value)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("draft: yes", "draft is 'yes', expected true or false (hint: write true or false: true, not yes)"),
        ("draft: No", "draft is 'No', expected true or false (hint: write true or false: false, not No)"),
        ("menu: on", "menu is 'on', expected true or false (hint: write true or false: true, not on)"),
        ("menu: OFF", "menu is 'OFF', expected true or false (hint: write true or false: false, not OFF)"),
        ("draft: ja", "draft is 'ja', expected true or false (hint: write true or false: true, not ja)"),
        ("draft: nee", "draft is 'nee', expected true or false (hint: write true or false: false, not nee)"),
        ("draft: tRUE", "draft is 'tRUE', expected true or false (hint: write true or false)"),
        (
            "draft: !!bool yes",
            "'yes' is not true or false (hint: write true or false, and leave out the tag)",
        ),
    ],
)
def test_a_word_for_true_or_false_other_than_true_and_false_is_refused(setting, expected):
    assert errors_of(page("---", "title: Over ons", setting, "---")) == [f"{PATH}:3: {expected}"]


def test_a_figure_highlighted_with_yes_is_refused():
    text = figures_page(
        "  - id: jobs", "    value: 5", "    label: banen", "    source: OIS", "    highlight: yes"
    )
    assert errors_of(text, "key-figures") == [
        f"{PATH}:8: figures[1].highlight is 'yes', expected true or false "
        "(hint: write true or false: true, not yes)"
    ]


@pytest.mark.parametrize(
    ("figure", "expected"),
    [
        (
            "    label: ~",
            "figures[1].label is empty, expected text "
            "(hint: what the number counts, in this page's language, such as label: jobs in life sciences)",
        ),
        (
            "    year: 1200",
            "figures[1].year 1200 is not a year (hint: the year the figure refers to, such as year: 2018)",
        ),
        (
            "    year: [2018]",
            "figures[1].year is a list, expected a whole number (hint: the year the figure refers to, such as year: 2018)",
        ),
    ],
)
def test_a_figure_key_without_a_hint_of_its_own_before_has_one(figure, expected):
    lines = ["  - id: jobs", "    value: 5", "    label: banen", "    source: OIS"]
    key = figure.split(":")[0]
    lines = [line for line in lines if line.split(":")[0] != key] + [figure]
    assert errors_of(figures_page(*lines), "key-figures") == [f"{PATH}:{3 + len(lines)}: {expected}"]


def test_a_figure_s_year_out_of_range_is_quoted_as_typed():
    text = figures_page(
        "  - id: jobs", "    value: 5", "    label: banen", "    source: OIS", "    year: +3000"
    )
    assert errors_of(text, "key-figures") == [
        f"{PATH}:8: figures[1].year +3000 is not a year (hint: the year the figure refers to, such as year: 2018)"
    ]


def test_a_swot_item_left_empty_has_a_hint():
    text = page(
        "---",
        "title: SWOT",
        *(f"{q}:\n  - title: t\n    text: x" for q in ("weaknesses", "opportunities", "threats")),
        "strengths:",
        "  - title: ~",
        "    text: x",
        "---",
    )
    assert errors_of(text, "swot") == [
        f"{PATH}:13: strengths[1].title is empty, expected text "
        "(hint: a few words for the point, such as title: Excellent knowledge institutions)"
    ]
