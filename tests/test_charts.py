"""Bar charts as inline SVG: accessible, escaped, proportional, the same bytes every time."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from site_builder.render.charts import Bar, bar_chart, describe

SVG = "{http://www.w3.org/2000/svg}"
BARS = (Bar("Medtech", 23, "23"), Bar("Pharma", 7, "7"), Bar("Suppliers & others", 195, "195"))


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def test_chart_is_an_image_named_by_its_title_and_description():
    svg = parse(bar_chart("chart-x", "Companies by segment", describe(BARS), BARS))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-x-title chart-x-desc"
    assert svg.find(f"{SVG}title").get("id") == "chart-x-title"
    assert svg.find(f"{SVG}title").text == "Companies by segment"
    desc = svg.find(f"{SVG}desc")
    assert desc.get("id") == "chart-x-desc"
    assert desc.text == "Medtech: 23; Pharma: 7; Suppliers & others: 195"


def test_bars_are_proportional_to_the_largest_value_and_labelled():
    svg = parse(bar_chart("c", "t", "d", BARS))
    widths = [rect.get("width") for rect in svg.iter(f"{SVG}rect") if rect.get("class") == "chart-bar"]
    assert widths == ["11.79%", "3.59%", "100%"]
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-label"]
    values = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-value"]
    assert labels == ["Medtech", "Pharma", "Suppliers & others"]
    assert values == ["23", "7", "195"]
    assert svg.get("height") == str(48 * 3)


def test_values_are_shown_as_formatted_by_the_caller():
    bars = (Bar("Totaal", 2370000, "€ 2.370.000"), Bar("Pijler 1", 390000, "€ 390.000"))
    svg = parse(bar_chart("c", "t", "d", bars))
    assert [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-value"] == [
        "€ 2.370.000",
        "€ 390.000",
    ]


def test_zero_draws_no_bar_and_a_small_value_a_visible_one():
    svg = parse(bar_chart("c", "t", "d", (Bar("a", 0, "0"), Bar("b", 1, "1"), Bar("c", 1000, "1000"))))
    widths = [rect.get("width") for rect in svg.iter(f"{SVG}rect") if rect.get("class") == "chart-bar"]
    assert widths == ["0%", "0.5%", "100%"]


def test_text_from_content_is_escaped():
    bars = (Bar('<script>alert("x")</script>', 1, "1 & 2"),)
    markup = str(bar_chart('c" onload="x', "</svg><b>", "a < b", bars))
    assert "<script>" not in markup and "<b>" not in markup and 'onload="x"' not in markup
    svg = parse(markup)  # still well-formed
    assert svg.find(f"{SVG}title").text == "</svg><b>"
    assert [t.text for t in svg.iter(f"{SVG}text")] == ['<script>alert("x")</script>', "1 & 2"]


def test_same_input_same_bytes():
    assert bar_chart("c", "t", "d", BARS) == bar_chart("c", "t", "d", list(BARS))
    assert not re.search(r"\d\.\d{3,}", str(bar_chart("c", "t", "d", BARS)))


@pytest.mark.parametrize("bars", [(), (Bar("minus", -1, "-1"),)])
def test_a_chart_needs_bars_with_values_of_zero_or_more(bars):
    with pytest.raises(ValueError):
        bar_chart("c", "t", "d", bars)
