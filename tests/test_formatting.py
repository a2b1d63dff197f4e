"""Numbers, percentages, money and dates per language, whatever the machine's locale."""

from __future__ import annotations

import datetime
import locale

import pytest
from conftest import text_files

from site_builder import stages
from site_builder.config import parse_config
from site_builder.content.frontmatter import Figure
from site_builder.render.assets import AssetManifest
from site_builder.render.templating import (
    format_day,
    format_figure,
    format_money,
    format_number,
    format_percentage,
    make_environment,
)

CONFIG = parse_config(
    "base_url: https://lsh.amsterdam\n"
    "default_language: en\n"
    "title: {en: LSH Amsterdam, nl: LSH Amsterdam}\n"
    "languages:\n"
    "  en: {locale: en_GB, name: English}\n"
    "  nl: {locale: nl_NL, name: Nederlands}\n"
)
NL = CONFIG.language("nl")
EN = CONFIG.language("en")
NBSP = "\u00a0"

# (function, value, Dutch, English)
CASES = [
    (format_number, 65000, "65.000", "65,000"),
    (format_number, 2.5, "2,5", "2.5"),
    (format_number, 1234567.891, "1.234.567,891", "1,234,567.891"),
    (format_number, 0, "0", "0"),
    (format_percentage, 12.5, "12,5%", "12.5%"),
    (format_percentage, 58, "58%", "58%"),
    (format_money, 2370000, f"€{NBSP}2.370.000", "€2,370,000"),
    (format_money, 1999.5, f"€{NBSP}1.999,50", "€1,999.50"),
    (format_day, datetime.date(2019, 9, 25), "25 september 2019", "25 September 2019"),
]


def expected_outputs() -> list[tuple[str, str]]:
    return [(fn(value, NL), fn(value, EN)) for fn, value, _, _ in CASES]


@pytest.mark.parametrize(("fn", "value", "dutch", "english"), CASES, ids=lambda v: str(v)[:30])
def test_formatting_per_language(fn, value, dutch, english):
    assert fn(value, NL) == dutch
    assert fn(value, EN) == english


def test_figure_formatting_follows_its_unit():
    def figure(value, unit=None):
        return Figure(id="x", value=value, label="l", source="s", line=1, unit=unit)

    assert format_figure(figure(2370000, "EUR"), NL) == f"€{NBSP}2.370.000"
    assert format_figure(figure(58, "percent"), EN) == "58%"
    assert format_figure(figure(65000), NL) == "65.000"


@pytest.fixture
def process_locale(request, monkeypatch):
    """Set the process locale (environment and ``setlocale``) and restore it afterwards."""
    name = request.param
    for variable in ("LC_ALL", "LC_NUMERIC", "LC_TIME", "LC_MONETARY", "LANG", "LANGUAGE"):
        monkeypatch.setenv(variable, name)
    saved = locale.setlocale(locale.LC_ALL)
    try:
        locale.setlocale(locale.LC_ALL, name)
    except locale.Error:
        pass  # not installed here; the environment variables still point Babel's defaults at it
    yield name
    locale.setlocale(locale.LC_ALL, saved)


@pytest.mark.parametrize(
    "process_locale", ["nl_NL.UTF-8", "en_US.UTF-8", "de_DE.UTF-8", "fr_FR", "C.UTF-8", "C"], indirect=True
)
def test_independent_of_the_process_locale(process_locale):
    assert expected_outputs() == [(dutch, english) for _, _, dutch, english in CASES]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_template_filters(tmp_path, lang):
    language = CONFIG.language(lang)
    env = make_environment(tmp_path, language, None, AssetManifest({}))
    text = env.from_string(
        "{{ 65000|number }} | {{ 12.5|percent }} | {{ 2370000|money }} | {{ day|day }} | {{ day|isodate }}"
    ).render(day=datetime.date(2019, 9, 25))
    expected = {
        "nl": f"65.000 | 12,5% | €{NBSP}2.370.000 | 25 september 2019 | 2019-09-25",
        "en": "65,000 | 12.5% | €2,370,000 | 25 September 2019 | 2019-09-25",
    }
    assert text == expected[lang]


def test_key_figures_page_in_both_languages(mini_site):
    files = text_files(stages.generate(mini_site).files)
    nl = files["nl/kerncijfers/index.html"]
    en = files["en/key-figures/index.html"]
    assert f'<span class="number">€{NBSP}2.370.000</span>' in nl
    assert '<span class="number">€2,370,000</span>' in en
    assert '<span class="qualifier">ongeveer</span> <span class="number">65.000</span>' in nl
    assert '<span class="qualifier">about</span> <span class="number">65,000</span>' in en
    assert '<span class="number">58%</span>' in nl and '<span class="number">58%</span>' in en
    assert "26 september 2019" in files["nl/nieuws/index.html"]
    assert "26 September 2019" in files["en/news/index.html"]


@pytest.mark.parametrize(
    ("precision", "en", "nl", "iso"),
    [
        ("day", "1 July 2019", "1 juli 2019", "2019-07-01"),
        ("month", "July 2019", "juli 2019", "2019-07"),
        ("year", "2019", "2019", "2019"),
    ],
)
def test_dates_are_shown_only_as_precisely_as_they_are_known(precision, en, nl, iso):
    from site_builder.content.frontmatter import FrontMatter
    from site_builder.render.templating import format_published, published_iso

    front = FrontMatter(title="MoU", date=datetime.date(2019, 7, 1), date_precision=precision)
    assert format_published(front, CONFIG.language("en")) == en
    assert format_published(front, CONFIG.language("nl")) == nl
    assert published_iso(front) == iso
    known: dict = {}
    assert format_published(front, CONFIG.language("en"), known) == en
    assert format_published(front, CONFIG.language("nl"), known) == nl
    assert format_published(front, CONFIG.language("en"), known) == en
    assert sorted(known.values()) == ([] if precision == "year" else sorted([en, nl]))


def test_formatted_dates_are_remembered_per_locale_form_and_date(tmp_path):
    day = datetime.date(2019, 9, 25)
    known = {("en_GB", "long", day): "remembered"}
    assert format_day(day, EN, known=known) == "remembered"
    assert format_day(day, NL, known=known) == "25 september 2019"
    assert format_day(day, EN, "short", known) == "25/09/2019"
    assert format_day(day + datetime.timedelta(days=1), EN, known=known) == "26 September 2019"
    assert known == {
        ("en_GB", "long", day): "remembered",
        ("nl_NL", "long", day): "25 september 2019",
        ("en_GB", "short", day): "25/09/2019",
        ("en_GB", "long", day + datetime.timedelta(days=1)): "26 September 2019",
    }
    # A datetime equals no date, and is formatted with its time's date as Babel does.
    moment = datetime.datetime(2019, 9, 25, 23, 0)
    assert format_day(moment, EN, known=known) == "25 September 2019"
    assert len(known) == 4

    env = make_environment(tmp_path, EN, None, AssetManifest({}), dates=known)
    assert env.from_string("{{ day|day }}").render(day=day) == "remembered"


def test_a_month_and_a_pattern_of_the_same_letters_are_remembered_apart():
    from site_builder.content.frontmatter import FrontMatter
    from site_builder.render.templating import format_published

    month = FrontMatter(title="MoU", date=datetime.date(2019, 7, 1), date_precision="month")
    known: dict = {}
    assert format_day(month.date, EN, "yMMMM", known) == "2019July"  # a Babel pattern, not a skeleton
    assert format_published(month, EN, known) == "July 2019"
    assert format_day(month.date, EN, "yMMMM", known) == "2019July"
