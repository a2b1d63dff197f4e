"""Charts drawn at build time as inline SVG: data in, markup out.

Pure and deterministic. A chart is a horizontal bar chart whose text is never
scaled: the SVG has no ``viewBox``, bars are sized in percent of its width and
text in pixels, so labels stay as legible on a 360 px phone as on a desktop.
Each bar has its label on one line (value at the right) and the bar below it.

The SVG is an image to assistive technology (``role="img"``, ``<title>`` and
``<desc>`` naming every value); pages show the same numbers as a table too.
Every text is escaped, so labels from content cannot inject markup.
Geometry is in presentation attributes and colours come from classes in the
site's stylesheet, never from a ``style`` attribute, which the site's
Content-Security-Policy (``style-src 'self'``) would block.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

ROW_HEIGHT = 48  # label line and bar, in px
BAR_HEIGHT = 14
LABEL_BASELINE = 18
BAR_TOP = 26


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of a chart: its label, its value and the value as the page shows it."""

    label: str
    value: int | float
    display: str  # the value formatted for the page's locale


def bar_chart(chart_id: str, title: str, description: str, bars: tuple[Bar, ...] | list[Bar]) -> Markup:
    """An accessible horizontal bar chart; bar lengths are relative to the largest value.

    ``chart_id`` must be unique on the page: the title and description take their ids from it.
    """
    if not bars:
        raise ValueError("a chart needs at least one bar")
    if any(bar.value < 0 for bar in bars):
        raise ValueError("bar values must not be negative")
    largest = max(bar.value for bar in bars) or 1
    height = ROW_HEIGHT * len(bars)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" role="img" width="100%" height="{height}" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
    ]
    for index, bar in enumerate(bars):
        top = index * ROW_HEIGHT
        width = _percent(bar.value / largest * 100)
        parts.append(
            f'<g class="chart-row">'
            f'<text class="chart-label" x="0" y="{top + LABEL_BASELINE}">{escape(bar.label)}</text>'
            f'<text class="chart-value" x="100%" y="{top + LABEL_BASELINE}" text-anchor="end">{escape(bar.display)}</text>'
            f'<rect class="chart-track" x="0" y="{top + BAR_TOP}" width="100%" height="{BAR_HEIGHT}"/>'
            f'<rect class="chart-bar" x="0" y="{top + BAR_TOP}" width="{width}" height="{BAR_HEIGHT}"/>'
            f"</g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def describe(bars: tuple[Bar, ...] | list[Bar], separator: str = "; ") -> str:
    """``Medtech: 23; Pharma: 7``: every value in words, for the chart's ``<desc>``."""
    return separator.join(f"{bar.label}: {bar.display}" for bar in bars)


def _percent(value: float) -> str:
    """A bar width such as ``17.95%``; a value above zero gets at least a visible sliver."""
    if value > 0:
        value = max(value, 0.5)
    return f"{value:.2f}".rstrip("0").rstrip(".") + "%"
