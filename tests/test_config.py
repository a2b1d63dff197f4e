"""``site.yaml``: a valid file becomes a ``SiteConfig``; every mistake names its line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from site_builder.config import load_config, load_deploy_targets, parse_config
from site_builder.errors import SiteError, SiteErrors, format_error

VALID = textwrap.dedent(
    """\
    # Site settings.
    base_url: https://lsh.amsterdam/
    default_language: en
    news_page_size: 10
    title:
      en: Life Sciences & Health Amsterdam
      nl: Life Sciences & Health Amsterdam
    description:
      en: Where life sciences & health meet data science.
      nl: Waar life sciences & health en data science samenkomen.
    languages:
      nl:
        locale: nl_NL
        name: Nederlands
      en:
        locale: en_GB
        name: English
    """
)
# Line numbers in VALID: 2 base_url, 3 default_language, 4 news_page_size, 5 title,
# 6/7 title.en/nl, 8 description, 11 languages, 12 nl, 13 nl.locale, 14 nl.name,
# 15 en, 16 en.locale, 17 en.name.


def errors_of(text: str) -> list[str]:
    with pytest.raises((SiteError, SiteErrors)) as caught:
        parse_config(text)
    exc = caught.value
    return [format_error(e) for e in (exc.errors if isinstance(exc, SiteErrors) else (exc,))]


TITLES = "title:\n  en: Life Sciences & Health Amsterdam\n  nl: Life Sciences & Health Amsterdam\n"


def edit(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


def test_valid_config():
    config = parse_config(VALID)
    assert config.base_url == "https://lsh.amsterdam"  # trailing slash dropped
    assert config.default_language == "en"
    assert config.news_page_size == 10
    assert config.codes == ("en", "nl")  # sorted by code, whatever the file's order
    nl = config.language("nl")
    assert (nl.name, nl.locale_id, nl.title) == ("Nederlands", "nl_NL", "Life Sciences & Health Amsterdam")
    assert nl.description == "Waar life sciences & health en data science samenkomen."
    assert config.language("en").locale_id == "en_GB"


def test_comments_after_settings_are_comments():
    # Unlike a page's front matter (see test_frontmatter), where editors write text, not comments.
    config = parse_config(edit("default_language: en", "default_language: en  # the root leads here"))
    assert config.default_language == "en"


def test_defaults_for_optional_keys():
    config = parse_config(
        edit("news_page_size: 10\n", "").replace(
            "description:\n  en: Where life sciences & health meet data science.\n"
            "  nl: Waar life sciences & health en data science samenkomen.\n",
            "",
        )
    )
    assert config.news_page_size == 10
    assert config.language("nl").description == ""


def test_with_base_url_override():
    assert parse_config(VALID).with_base_url("http://localhost:8000/").base_url == "http://localhost:8000"


def test_the_repository_site_yaml_is_valid():
    from conftest import REPO

    assert load_config(REPO).codes == ("en", "nl")


def test_missing_site_yaml(tmp_path):
    with pytest.raises(SiteError) as caught:
        load_config(tmp_path)
    assert format_error(caught.value).startswith("site.yaml: no site.yaml found (hint: run site-builder in")


def test_unknown_key():
    assert errors_of(edit("news_page_size: 10\n", "news_page_size: 10\nnews_pagesize: 3\n")) == [
        "site.yaml:5: unknown key 'news_pagesize' (hint: did you mean 'news_page_size'?)"
    ]


def test_unknown_key_in_a_language():
    assert errors_of(edit("    name: English\n", "    name: English\n    flag: gb\n")) == [
        "site.yaml:18: unknown key 'languages.en.flag' (hint: allowed keys: locale, name)"
    ]


NEWS_PAGE_SIZE_HINT = "(hint: the news items on a page, from 1 to 500, such as 10)"


@pytest.mark.parametrize("value", ['"ten"', "ten", "2.5", "true"])
def test_wrong_type(value):
    (error,) = errors_of(edit("news_page_size: 10", f"news_page_size: {value}"))
    assert error.startswith("site.yaml:4: news_page_size is ")
    assert error.endswith(f", expected a whole number {NEWS_PAGE_SIZE_HINT}")


def test_number_with_a_leading_zero_is_refused():
    assert errors_of(edit("news_page_size: 10", "news_page_size: 010")) == [
        "site.yaml:4: news_page_size '010' is not read as a number (hint: write 10 without the leading zero)"
    ]


@pytest.mark.parametrize(("word", "meant"), [("no", "false"), ("off", "false"), ("Yes", "true")])
def test_search_switched_with_a_yaml_1_1_word_is_refused(word, meant):
    assert errors_of(VALID + f"search: {word}\n") == [
        f"site.yaml:18: search is '{word}', expected true or false "
        f"(hint: write true or false: {meant}, not {word})"
    ]


def test_search_switched_off_with_false():
    assert parse_config(VALID + "search: False\n").search is False


def test_no_is_a_language_code_not_false():
    # YAML 1.1 read the key no (Norwegian) as false.
    config = parse_config(
        edit(
            "  nl: Life Sciences & Health Amsterdam\n",
            "  nl: Life Sciences & Health Amsterdam\n  no: LSH Amsterdam\n",
        )
        + "  no:\n    locale: nb_NO\n    name: Norsk\n"
    )
    assert config.codes == ("en", "nl", "no")
    assert config.language("no").title == "LSH Amsterdam"


def test_news_page_size_at_least_one():
    assert errors_of(edit("news_page_size: 10", "news_page_size: 0")) == [
        f"site.yaml:4: news_page_size 0 is not between 1 and 500 {NEWS_PAGE_SIZE_HINT}"
    ]


@pytest.mark.parametrize("size", [501, 10**30])
def test_news_page_size_at_most_500(size):
    assert parse_config(edit("news_page_size: 10", "news_page_size: 500")).news_page_size == 500
    assert errors_of(edit("news_page_size: 10", f"news_page_size: {size}")) == [
        f"site.yaml:4: news_page_size {size} is not between 1 and 500 {NEWS_PAGE_SIZE_HINT}"
    ]


def test_a_number_out_of_range_is_quoted_as_typed_and_cut_when_long():
    typed = {"5000": "5000", "+501": "+501", "-7": "-7", "1" + "0" * 60: "1" + "0" * 39 + "…"}
    for written, shown in typed.items():
        assert errors_of(edit("news_page_size: 10", f"news_page_size: {written}")) == [
            f"site.yaml:4: news_page_size {shown} is not between 1 and 500 {NEWS_PAGE_SIZE_HINT}"
        ]


@pytest.mark.parametrize("deletes", [1_000_001, 10**30])
def test_max_deletes_at_most_a_million(tmp_path, deletes):
    target = "deploy:\n  production:\n    bucket: lsh-site\n    max_deletes: {}\n"
    (tmp_path / "site.yaml").write_text(VALID + target.format(1_000_000), "utf-8")
    (production,) = load_deploy_targets(tmp_path)
    assert production.max_deletes == 1_000_000
    assert errors_of(VALID + target.format(deletes)) == [
        f"site.yaml:21: deploy.production.max_deletes {deletes} is not between 0 and 1,000,000 "
        "(hint: the pages a deploy may delete without --force, from 0 to 1,000,000 (default 256))"
    ]


def test_base_url_must_be_a_web_address():
    assert errors_of(edit("base_url: https://lsh.amsterdam/", "base_url: lsh.amsterdam")) == [
        "site.yaml:2: base_url 'lsh.amsterdam' is not a web address (hint: such as https://example.org)"
    ]


def test_unknown_locale_names_its_line():
    errors = errors_of(edit("locale: nl_NL", "locale: xx_YY"))
    assert "site.yaml:13: unknown locale 'xx_YY' (hint: use a locale such as nl_NL or en_GB)" in errors


def test_unknown_locale_is_the_only_error():
    assert errors_of(edit("locale: nl_NL", "locale: xx_YY")) == [
        "site.yaml:13: unknown locale 'xx_YY' (hint: use a locale such as nl_NL or en_GB)"
    ]


def test_language_missing_its_name():
    errors = errors_of(edit("    name: Nederlands\n", ""))
    assert (
        "site.yaml:13: missing required key 'languages.nl.name' "
        "(hint: the language's own name, such as Nederlands)"
    ) in errors


def test_language_code_must_be_lower_case():
    errors = errors_of(VALID.replace("  nl:\n    locale", "  NL:\n    locale"))
    assert "site.yaml:12: 'NL' is not a language code (hint: such as nl or en)" in errors


DEFAULT_NOT_A_LANGUAGE = (
    "site.yaml:3: default_language 'de' is not one of the languages (hint: choose one of: "
)


def test_default_language_not_in_languages():
    (error,) = errors_of(edit("default_language: en", "default_language: de"))
    assert error in (DEFAULT_NOT_A_LANGUAGE + "en, nl)", DEFAULT_NOT_A_LANGUAGE + "nl, en)")


def test_missing_title_for_a_language():
    assert errors_of(edit("  nl: Life Sciences & Health Amsterdam\n", "")) == [
        "site.yaml:5: title has no entry for language 'nl' (hint: add 'nl: …' under title:)"
    ]


def test_title_for_a_language_that_is_not_configured():
    assert errors_of(edit("title:\n", "title:\n  de: Lebenswissenschaften\n")) == [
        "site.yaml:6: title.de: 'de' is not one of the languages (hint: one of: nl, en)"
    ]


@pytest.mark.parametrize(
    ("old", "line", "setting"),
    [("  nl: Life Sciences & Health Amsterdam\n", 7, "title"), ("  nl: Waar life", 10, "description")],
)
def test_a_mistyped_language_is_told_once_at_its_line_with_the_language_meant(old, line, setting):
    """Not again as the language it stands for having no entry."""
    assert errors_of(edit(old, old.replace("nl:", "nk:"))) == [
        f"site.yaml:{line}: {setting}.nk: 'nk' is not one of the languages (hint: did you mean 'nl'?)"
    ]


def test_a_mistyped_language_where_every_language_has_its_entry_lists_the_languages():
    assert errors_of(edit("title:\n", "title:\n  NL: Life Sciences\n  de: Lebenswissenschaften\n")) == [
        "site.yaml:6: title.NL: 'NL' is not one of the languages (hint: one of: nl, en)",
        "site.yaml:7: title.de: 'de' is not one of the languages (hint: one of: nl, en)",
    ]


@pytest.mark.parametrize(
    ("first", "second"), [("ne", "ln"), ("ln", "ne"), ("english", "dutch"), ("dutch", "english")]
)
def test_several_mistyped_languages_are_each_told_the_language_most_like_them(first, second):
    """Not the first the likeliest language of all, whatever the second is: ne and ln swapped."""
    meant = {"ne": "en", "ln": "nl", "english": "en", "dutch": "nl"}
    titles = f"title:\n  {first}: Life Sciences\n  {second}: Levenswetenschappen\n"
    assert errors_of(edit(TITLES, titles)) == [
        f"site.yaml:{line}: title.{key}: '{key}' is not one of the languages "
        f"(hint: did you mean '{meant[key]}'?)"
        for line, key in ((6, first), (7, second))
    ]


def test_a_language_written_twice_in_another_case_stands_for_no_other_language():
    """NL beside nl is no typo of en, whose missing title is told."""
    assert errors_of(edit("  en: Life Sciences & Health Amsterdam\n", "  NL: Levenswetenschappen\n")) == [
        "site.yaml:5: title has no entry for language 'en' (hint: add 'en: …' under title:)",
        "site.yaml:6: title.NL: 'NL' is not one of the languages (hint: one of: nl, en)",
    ]


def test_languages_in_full_width_letters_are_those_languages():
    assert errors_of(edit(TITLES, "title:\n  ｅｎ: Life Sciences\n  ｎｌ: Levenswetenschappen\n")) == [
        "site.yaml:6: title.ｅｎ: 'ｅｎ' is not one of the languages (hint: did you mean 'en'?)",
        "site.yaml:7: title.ｎｌ: 'ｎｌ' is not one of the languages (hint: did you mean 'nl'?)",
    ]


def test_missing_required_keys_named_at_line_1():
    assert errors_of("news_page_size: 3\n") == [
        "site.yaml:1: missing required key 'base_url' (hint: such as https://example.org)",
        "site.yaml:1: missing required key 'default_language' "
        "(hint: the code of one of the languages, such as default_language: en)",
        "site.yaml:1: missing required key 'languages' "
        "(hint: each language's code with its locale and name, such as 'en: {locale: en_GB, name: English}')",
        "site.yaml:1: missing required key 'title' "
        "(hint: one title per language, on indented lines below it, such as 'en: Life Sciences Amsterdam')",
    ]


def test_several_mistakes_reported_together():
    text = edit("news_page_size: 10", "news_page_size: ten")
    text = text.replace("default_language: en", "default_language: de")
    first, second = errors_of(text)
    assert first.startswith(DEFAULT_NOT_A_LANGUAGE)
    assert second == f"site.yaml:4: news_page_size is 'ten', expected a whole number {NEWS_PAGE_SIZE_HINT}"


def test_invalid_yaml_names_its_line():
    (error,) = errors_of(edit("default_language: en", "default_language: [en"))
    assert error == (
        "site.yaml:3: invalid YAML: the '[' on this line is not closed "
        "(hint: close the list with ']', or put text that starts with '[' in quotes)"
    )


def test_duplicate_key():
    assert errors_of(edit("news_page_size: 10", "news_page_size: 10\nnews_page_size: 5")) == [
        "site.yaml:5: duplicate key 'news_page_size' (first on line 4) (hint: remove one of the two)"
    ]


def test_not_a_mapping():
    assert errors_of("- en\n- nl\n") == [
        "site.yaml:1: site.yaml must be a mapping of settings "
        "(hint: write settings as 'key: value' lines, such as 'base_url: https://example.org')"
    ]


def test_an_empty_site_yaml_is_not_a_mapping_of_settings():
    assert errors_of("# nothing set yet\n") == [
        "site.yaml:1: site.yaml must be a mapping of settings "
        "(hint: write settings as 'key: value' lines, such as 'base_url: https://example.org')"
    ]


def test_a_language_written_without_its_locale_and_name():
    assert errors_of(edit("  nl:\n    locale: nl_NL\n    name: Nederlands\n", "  nl: Nederlands\n")) == [
        "site.yaml:12: languages.nl must have locale and name "
        "(hint: write them on indented lines below it, such as 'locale: nl_NL' and 'name: Nederlands')"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "  nl: Life Sciences & Health Amsterdam\n",
            "  nl: ~\n",
            "site.yaml:7: title.nl must be text "
            "(hint: the site's title in that language, such as nl: Life Sciences Amsterdam)",
        ),
        (
            "  nl: Life Sciences & Health Amsterdam\n",
            "  nl:\n",
            "site.yaml:7: title.nl must be text "
            "(hint: the site's title in that language, such as nl: Life Sciences Amsterdam)",
        ),
        (
            "  en: Where life sciences & health meet data science.\n",
            "  en: ' '\n",
            "site.yaml:9: description.en must be text "
            "(hint: a sentence about the site in that language, such as en: Where science meets care)",
        ),
        (
            "  nl: Life Sciences & Health Amsterdam\n",
            '  nl: "\\u200b"\n',  # a zero-width space shows no title
            "site.yaml:7: title.nl must be text "
            "(hint: the site's title in that language, such as nl: Life Sciences Amsterdam)",
        ),
        (
            "  nl: Life Sciences & Health Amsterdam\n",
            "  nl: true\n",
            'site.yaml:7: title.nl must be text (hint: put the word in quotes, such as "true": '
            "unquoted, true and false are read as true or false)",
        ),
        (
            "  en: Where life sciences & health meet data science.\n",
            "  en: Where: here\n",
            "site.yaml:9: invalid YAML: a ': ' inside text that is not in quotes "
            "(hint: put text that contains ': ' in quotes)",
        ),
    ],
)
def test_a_title_or_description_that_is_not_text_has_a_hint(old, new, expected):
    assert errors_of(edit(old, new)) == [expected]


@pytest.mark.parametrize("value", ["", " ~"])
def test_default_language_left_empty_has_a_hint(value):
    assert errors_of(edit("default_language: en", f"default_language:{value}")) == [
        "site.yaml:3: default_language is empty, expected text "
        "(hint: the code of one of the languages, such as default_language: en)"
    ]


def test_an_embed_host_left_empty_is_empty_not_none():
    assert errors_of(VALID + "embed_hosts:\n  -\n  - www.youtube-nocookie.com\n") == [
        "site.yaml:19: embed_hosts[1] is empty "
        "(hint: a host name alone, such as www.youtube-nocookie.com, without https:// or a path)"
    ]


def test_site_yaml_not_utf8_names_its_line(tmp_path):
    (tmp_path / "site.yaml").write_bytes(VALID.encode() + b"# caf\xe9\n")
    with pytest.raises(SiteError) as caught:
        load_config(tmp_path)
    assert format_error(caught.value) == (
        "site.yaml:18: the file is not valid UTF-8 text (hint: save the file as UTF-8)"
    )


def test_a_name_left_empty_has_a_hint():
    assert errors_of(edit("    name: English\n", "    name: ~\n")) == [
        "site.yaml:17: languages.en.name is empty, expected text (hint: the language's own name, such as Nederlands)"
    ]


def test_a_language_code_that_is_no_code_is_told_once_not_again_for_each_text_in_it():
    assert errors_of(
        VALID.replace("  nl:\n    locale", "  NL:\n    locale").replace(
            "  en:\n    locale", "  EN:\n    locale"
        )
    ) == [
        "site.yaml:12: 'NL' is not a language code (hint: such as nl or en)",
        "site.yaml:15: 'EN' is not a language code (hint: such as nl or en)",
    ]
    # Not "title.nl: 'nl' is not one of the languages", nor so for description.nl.
    assert errors_of(VALID.replace("  nl:\n    locale", "  n:\n    locale")) == [
        "site.yaml:12: 'n' is not a language code (hint: such as nl or en)"
    ]


LANGUAGES = "languages:\n  nl:\n    locale: nl_NL\n    name: Nederlands\n  en:\n    locale: en_GB\n    name: English\n"
LANGUAGES_HINT = (
    "(hint: each language's code with its locale and name, such as 'en: {locale: en_GB, name: English}')"
)


@pytest.mark.parametrize(
    ("languages", "expected"),
    [
        ("", f"site.yaml:2: missing required key 'languages' {LANGUAGES_HINT}"),
        (
            "languages:\n",
            f"site.yaml:11: languages is empty, expected a mapping (key: value lines) {LANGUAGES_HINT}",
        ),
        (
            "languages: [en, nl]\n",
            f"site.yaml:11: languages is a list, expected a mapping (key: value lines) {LANGUAGES_HINT}",
        ),
    ],
)
def test_languages_missing_is_one_line_not_one_more_for_each_title_and_description(languages, expected):
    assert errors_of(edit(LANGUAGES, languages)) == [expected]


@pytest.mark.parametrize("nothing", ["~", "null", "NULL", "", "''", "' '", "[]", "{}"])
@pytest.mark.parametrize(
    ("setting", "line", "expected"),
    [
        ("news_page_size", 18, f"news_page_size is empty, expected a whole number {NEWS_PAGE_SIZE_HINT}"),
        (
            # '' was "time_zone '' is not a known time zone"
            "time_zone",
            18,
            "time_zone is empty, expected text "
            "(hint: a time zone name such as Europe/Amsterdam: scheduled pages come due at midnight there)",
        ),
        (
            # '' was the bucket's root, where ~ was refused
            "deploy:\n  production:\n    bucket: lsh-site\n    prefix",
            21,
            "deploy.production.prefix is empty, expected text (hint: such as site/, or leave it out for the bucket's root)",
        ),
        (
            "search",
            18,
            "search is empty, expected true or false "
            "(hint: true: a search page in every language (the default); false: none)",
        ),
        (
            "deploy:\n  production:\n    bucket: lsh-site\n    max_deletes",
            21,
            "deploy.production.max_deletes is empty, expected a whole number "
            "(hint: the pages a deploy may delete without --force, from 0 to 1,000,000 (default 256))",
        ),
    ],
)
def test_a_setting_left_empty_has_a_hint_whatever_its_kind(nothing, setting, line, expected):
    text = VALID.replace("news_page_size: 10\n", "") if setting == "news_page_size" else VALID
    line -= setting == "news_page_size"
    assert errors_of(text + f"{setting}: {nothing}".rstrip() + "\n") == [f"site.yaml:{line}: {expected}"]


# --- settings left empty --------------------------------------------------------------

NOTHING = ["", " ~", " null", " []", " {}", " ''"]
# Each optional section with what it holds when given: left empty, it is as if left out.
SECTIONS = {
    "description": "description:\n  en: About us\n  nl: Over ons\n",
    "embed_hosts": "embed_hosts:\n  - www.youtube-nocookie.com\n",
    "topics": "topics:\n  ema:\n    en: {name: EMA, slug: ema}\n    nl: {name: EMA, slug: ema}\n",
    "contact": "contact:\n  - name: LSH\n    email: lsh@example.org\n",
    "deploy": "deploy:\n  production: {bucket: lsh-site}\n",
}
WITHOUT_DESCRIPTION = edit(
    "description:\n  en: Where life sciences & health meet data science.\n"
    "  nl: Waar life sciences & health en data science samenkomen.\n",
    "",
)


@pytest.mark.parametrize("nothing", NOTHING)
@pytest.mark.parametrize("section", list(SECTIONS))
def test_an_optional_section_left_empty_is_as_if_left_out(tmp_path, section, nothing):
    assert parse_config(WITHOUT_DESCRIPTION + SECTIONS[section]) != parse_config(WITHOUT_DESCRIPTION) or (
        section == "deploy"  # kept out of SiteConfig
    )
    (tmp_path / "site.yaml").write_text(WITHOUT_DESCRIPTION + f"{section}:{nothing}\n  # commented out\n")
    assert load_config(tmp_path) == parse_config(WITHOUT_DESCRIPTION)
    assert load_deploy_targets(tmp_path) == ()


def test_every_optional_section_is_tested_left_empty():
    from site_builder.config import _SECTIONS

    assert sorted(_SECTIONS) == sorted(SECTIONS)


TITLE = "title:\n  en: Life Sciences & Health Amsterdam\n  nl: Life Sciences & Health Amsterdam\n"


@pytest.mark.parametrize("nothing", NOTHING)
@pytest.mark.parametrize(
    ("section", "line", "expected"),
    [
        (
            TITLE,
            5,
            "title is empty, expected a mapping (key: value lines) (hint: one title per language, "
            "on indented lines below it, such as 'en: Life Sciences Amsterdam')",
        ),
        (LANGUAGES, 11, f"languages is empty, expected a mapping (key: value lines) {LANGUAGES_HINT}"),
    ],
)
def test_a_required_section_left_empty_is_one_line(section, line, expected, nothing):
    name = section.partition(":")[0]
    assert errors_of(edit(section, f"{name}:{nothing}\n")) == [f"site.yaml:{line}: {expected}"]


@pytest.mark.parametrize("nothing", [" ~", " {}", ""])
@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "  nl:\n    locale: nl_NL\n    name: Nederlands\n",
            "  nl:{nothing}\n",
            "site.yaml:12: languages.nl must have locale and name "
            "(hint: write them on indented lines below it, such as 'locale: nl_NL' and 'name: Nederlands')",
        ),
        (
            "",
            "topics:\n  ema:{nothing}\n",
            "site.yaml:19: topics.ema must have a name and a slug per language "
            "(hint: a name and a slug per language, such as 'en: {name: Regulation, slug: regulation}')",
        ),
        (
            "",
            "topics:\n  ema:\n    en:{nothing}\n    nl: {{name: EMA, slug: ema}}\n",
            "site.yaml:20: topics.ema.en must have a name and a slug "
            "(hint: a name and a slug per language, such as 'en: {name: Regulation, slug: regulation}')",
        ),
        (
            "",
            "deploy:\n  production:{nothing}\n",
            "site.yaml:19: deploy.production must be a mapping with at least a bucket "
            "(hint: bucket: NAME on the next line, indented)",
        ),
        (
            "",
            "contact:\n  - name:{nothing}\n    email: lsh@example.org\n",
            "site.yaml:19: missing required key 'contact[1].name' (hint: the organisation's name, or one per language)",
        ),
    ],
)
def test_an_entry_left_empty_is_told_once_however_it_is_left_empty(old, new, expected, nothing):
    """``{}`` says what ``~`` says: not once for each key the entry lacks."""
    text = edit(old, new.format(nothing=nothing)) if old else VALID + new.format(nothing=nothing)
    assert errors_of(text) == [expected]


@pytest.mark.parametrize("nothing", NOTHING)
def test_an_address_left_empty_in_a_contact_entry_is_not_filled_in(nothing):
    config = parse_config(VALID + f"contact:\n  - name: LSH\n    address:{nothing}\n    phone:{nothing}\n")
    assert config.contact == ((("name", "LSH"),),)
    assert config.contact_entries("en") == ()


UNREADABLE = "(hint: make it a file you may read; ls -l shows what it is and who may read it)"


def test_site_yaml_that_is_a_link_to_nothing_is_not_said_to_be_missing(tmp_path):
    # It was "no site.yaml found (hint: run site-builder in the site's folder (…))", in that folder.
    (tmp_path / "site.yaml").symlink_to("settings.yaml")
    with pytest.raises(SiteError) as caught:
        load_config(tmp_path)
    assert format_error(caught.value) == (
        f"site.yaml: cannot read the file: No such file or directory {UNREADABLE}"
    )


def test_site_yaml_that_cannot_be_read_is_one_line_with_a_hint(tmp_path, monkeypatch):
    """As a file its owner keeps to themselves: chmod 000 does not stop root, so the read fails here."""
    (tmp_path / "site.yaml").write_text(VALID)
    real_read_text = Path.read_text

    def read_text(self: Path, *args, **kwargs) -> str:
        if self.name == "site.yaml":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)
    for load in (load_config, load_deploy_targets):
        with pytest.raises(SiteError) as caught:
            load(tmp_path)
        assert format_error(caught.value) == (
            f"site.yaml: cannot read the file: Permission denied {UNREADABLE}"
        )


# --- hostile and mistaken values ------------------------------------------------------


def test_a_site_title_or_a_topic_name_longer_than_a_page_title_may_be_is_refused():
    # Shown whole on every page and card: 200,000 characters made a build of seconds take half a minute.
    assert errors_of(edit("  nl: Life Sciences & Health Amsterdam", "  nl: " + "x" * 1001)) == [
        "site.yaml:7: title.nl is 1,001 characters long; the limit is 1,000 "
        "(hint: a title is one line; put the rest in description:)"
    ]
    topic = "topics:\n  ema:\n    en: {name: %s, slug: ema}\n    nl: {name: EMA, slug: ema}\n"
    assert errors_of(VALID + topic % ("x" * 1001)) == [
        "site.yaml:20: topics.ema.en.name is 1,001 characters long; the limit is 1,000 "
        "(hint: the topic's name in that language, such as name: Regulation)"
    ]
    assert parse_config(VALID + topic % ("x" * 1000)).topics[0].name("en") == "x" * 1000


@pytest.mark.parametrize(
    "url",
    [
        "https://" + "a" * 64 + ".org",  # a label of more than 63 characters
        "https://" + ".".join(["a" * 60] * 5),  # more than 253 in all
        "https://[:::::]/",  # brackets around no IPv6 address
    ],
)
def test_a_base_url_whose_host_no_browser_could_reach_is_refused(url):
    # Each was the address of every canonical link, feed entry and the sitemap.
    assert errors_of(edit("base_url: https://lsh.amsterdam/", f"base_url: {url}")) == [
        f"site.yaml:2: base_url '{url}' is not a web address: its host is not a host name or an IP address "
        "(hint: such as https://example.org)"
    ]


@pytest.mark.parametrize(
    "url",
    ["https://" + "a" * 63 + ".org", "https://[::1]:8000/lsh", "https://127.0.0.1:8000", "http://localhost"],
)
def test_a_base_url_of_long_labels_or_an_ip_address_is_a_web_address(url):
    assert parse_config(edit("base_url: https://lsh.amsterdam/", f"base_url: {url}")).base_url == url


TIME_ZONE_HINT = (
    "(hint: a time zone name such as Europe/Amsterdam: scheduled pages come due at midnight there)"
)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        # The machine's own zone: the day a page comes due would be the building machine's.
        ("localtime", "'localtime' is the zone of the machine that builds the site, not of a place"),
        ("posixrules", "'posixrules' is not a known time zone"),
        ("Factory", "'Factory' is not a known time zone"),
        ("right/UTC", "'right/UTC' is not a known time zone"),  # whose days begin 27 leap seconds late
        ("posix/Europe/Amsterdam", "'posix/Europe/Amsterdam' is not a known time zone"),
        ("../../etc/passwd", "'../../etc/passwd' is not a known time zone"),
        ("/etc/localtime", "'/etc/localtime' is not a known time zone"),
        ("zone.tab", "'zone.tab' is not a known time zone"),
    ],
)
def test_a_time_zone_that_is_no_place_s_is_refused(name, problem):
    assert errors_of(VALID + f"time_zone: {name}\n") == [
        f"site.yaml:18: time_zone {problem} {TIME_ZONE_HINT}"
    ]


@pytest.mark.parametrize("name", ["UTC", "Europe/Amsterdam", "America/Argentina/Buenos_Aires", "Etc/GMT-2"])
def test_a_place_s_time_zone_is_taken(name):
    assert parse_config(VALID + f"time_zone: {name}\n").time_zone == name


@pytest.mark.parametrize("code", ["xx", "qq", "und", "zxx"])
def test_a_language_code_that_names_no_language_is_refused(code):
    # It was the pages' lang attribute and their hreflang for search engines.
    text = VALID.replace("  nl:\n    locale", f"  {code}:\n    locale").replace("  nl: ", f"  {code}: ")
    assert errors_of(text) == [f"site.yaml:12: '{code}' is not a language code (hint: such as nl or en)"]


@pytest.mark.parametrize(
    ("code", "locale", "meant"),
    [("nl", "en_GB", "nl_NL"), ("en-gb", "nl_NL", "en_GB"), ("no", "de_DE", "nb_NO")],
)
def test_a_locale_of_another_language_is_refused(code, locale, meant):
    # Dutch pages with English dates and numbers: a locale copied from the other language.
    text = VALID.replace("  nl:\n    locale: nl_NL", f"  {code}:\n    locale: {locale}").replace(
        "  nl: ", f"  {code}: "
    )
    assert errors_of(text) == [
        f"site.yaml:13: languages.{code}.locale '{locale}' is a locale of another language "
        f"(hint: a locale of {code}, such as {meant})"
    ]


@pytest.mark.parametrize(
    ("code", "locale"),
    [
        ("nl-be", "nl_BE"),
        ("no", "nb_NO"),
        ("iw", "he_IL"),
        ("fy", "fy_NL"),
        ("li", "nl_NL"),
        ("sr", "sr_Latn_RS"),
    ],
)
def test_a_locale_of_the_language_is_taken(code, locale):
    """iw is Babel's he, no its nb; Babel has no locale of li (Limburgish), so another stands in."""
    text = VALID.replace("  nl:\n    locale: nl_NL", f"  {code}:\n    locale: {locale}").replace(
        "  nl: ", f"  {code}: "
    )
    assert parse_config(text).language(code).locale_id == locale


def test_a_line_break_only_yaml_sees_is_refused_at_its_line():
    # It was "site.yaml:8: invalid YAML: this line has no ':' after its key", a line below the title.
    assert errors_of(edit("  nl: Life Sciences & Health Amsterdam", "  nl: Life Sciences\u2028& Health")) == [
        "site.yaml:7: the character U+2028 ends a line for YAML, though most editors show none "
        "(hint: delete it, or type a space in its place; it often comes with copied text)"
    ]


@pytest.mark.parametrize("path", ["/a/../b", "/a/%2e%2e/b", "/a/.%2E/b", "/a/%2e/b"])
def test_a_base_url_whose_path_a_browser_would_shorten_is_refused(path):
    url = "https://lsh.amsterdam" + path
    assert errors_of(edit("base_url: https://lsh.amsterdam/", f"base_url: {url}")) == [
        f"site.yaml:2: base_url '{url}' is not a web address: its path has a . or .. part "
        "(hint: such as https://example.org)"
    ]


def test_a_value_without_its_key_is_told_so():
    # It was "invalid YAML: while parsing a block mapping did not find expected key", the parser's words.
    assert errors_of(edit("news_page_size: 10", ": 10")) == [
        "site.yaml:4: invalid YAML: this line has no key before its ':' (hint: keys are words such as title:)"
    ]


EMBED_HOST_HINT = "a host name alone, such as www.youtube-nocookie.com, without https:// or a path"
TAG_HINT = "tags such as !!python/object are not allowed"
# Each a line below the settings (line 15, description left out) and the one line it is told; what it was told before
# in the comment.
MISTAKES_BELOW = [
    # "embed_hosts[1] '{'a': 'b'}' is not a host name", in Python's notation
    ("embed_hosts: [{a: b}]", f"embed_hosts[1] is a mapping, expected text (hint: {EMBED_HOST_HINT})"),
    ("embed_hosts: [[a]]", f"embed_hosts[1] is a list, expected text (hint: {EMBED_HOST_HINT})"),
    ("embed_hosts: [true]", f"embed_hosts[1] is true/false, expected text (hint: {EMBED_HOST_HINT})"),
    # "search is '{'a'}', expected true or false", "time_zone is 'b'UTC'', expected text"
    ("search: !!set {a}", f"invalid YAML: the tag '!!set' is not allowed (hint: {TAG_HINT})"),
    ("time_zone: !!binary VVRD", f"invalid YAML: the tag '!!binary' is not allowed (hint: {TAG_HINT})"),
    # "(hint: write 'key: value' lines below it, indented, such as 'en: …')", as for any mapping
    (
        "description: Our site",
        "description is 'Our site', expected a mapping (key: value lines) (hint: one description per language, "
        "on indented lines below it, such as 'en: Where science meets care')",
    ),
    # "expected a single document in the stream but found another document (hint: check indentation, …)"
    (
        "---",
        "invalid YAML: the '---' on this line begins a second document "
        "(hint: remove the line: the settings are one document, with no '---' below them)",
    ),
    # "invalid YAML: this line has no ':' after its key", of a line that has one
    (
        "k" * 1025 + ": x",
        "invalid YAML: the key on this line is longer than 1,024 characters (hint: keys are words such as title:)",
    ),
    # the list of every allowed key
    ("BASE_URL: x", "unknown key 'BASE_URL' (hint: did you mean 'base_url'?)"),
    ("Time_Zone: x", "unknown key 'Time_Zone' (hint: did you mean 'time_zone'?)"),
    # "key None", "key True", "key ['a', 'b']", as Python shows them
    ("~: x", "key ~ is not text (hint: keys are words such as title:)"),
    ("true: x", "key true is not text (hint: keys are words such as title:)"),
    ("? [a, b]\n: x", "key [a, b] is not text (hint: keys are words such as title:)"),
]


@pytest.mark.parametrize(("line", "expected"), MISTAKES_BELOW)
def test_a_mistaken_setting_is_one_line_that_says_what_it_is(line, expected):
    assert errors_of(WITHOUT_DESCRIPTION + line + "\n") == [f"site.yaml:15: {expected}"]
