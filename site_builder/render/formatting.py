"""Numbers, amounts, percentages and dates in a language's own form, with Babel and the
language's locale, never the machine's; and the key figures' blocks and charts.

Babel's formatting modules are imported where used: a rebuild after an edit mostly finds
the dates it shows already formatted (``FormattedDates``), and renders no figures.
"""

from __future__ import annotations

import copy
import datetime
import gettext
from collections.abc import Callable, MutableMapping
from decimal import Decimal

from markupsafe import Markup

from site_builder.config import Language
from site_builder.content.frontmatter import Figure, FrontMatter
from site_builder.render.charts import Bar, bar_chart, describe


def format_number(value: int | float, language: Language) -> str:
    from babel.numbers import format_decimal

    return format_decimal(_decimal(value), locale=language.locale_id, decimal_quantization=False)


def format_percentage(value: int | float, language: Language) -> str:
    """``58`` → ``58%``; the value is the percentage itself."""
    from babel.numbers import format_percent

    return format_percent(_decimal(value) / 100, locale=language.locale_id, decimal_quantization=False)


def format_money(value: int | float, language: Language, currency: str = "EUR") -> str:
    """Whole amounts without cents: ``€ 2.370.000`` (nl), ``€2,370,000`` (en)."""
    from babel import Locale

    amount = _decimal(value)
    locale = Locale.parse(language.locale_id)
    pattern = copy.copy(locale.currency_formats["standard"])
    if amount == amount.to_integral_value():
        pattern.frac_prec = (0, 0)
    return pattern.apply(amount, locale, currency=currency, currency_digits=False)


def format_figure(figure: Figure, language: Language) -> str:
    if figure.unit == "percent":
        return format_percentage(figure.value, language)
    if figure.unit == "EUR":
        return format_money(figure.value, language)
    return format_number(figure.value, language)


def figure_blocks(figures: tuple[Figure, ...]) -> list[tuple[str | None, list[Figure]]]:
    """Figures in written order, consecutive figures of one group together: [(group, figures)]."""
    blocks: list[tuple[str | None, list[Figure]]] = []
    for figure in figures:
        if blocks and figure.group is not None and blocks[-1][0] == figure.group:
            blocks[-1][1].append(figure)
        elif blocks and figure.group is None and blocks[-1][0] is None:
            blocks[-1][1].append(figure)
        else:
            blocks.append((figure.group, [figure]))
    return blocks


def figure_chart(
    chart_id: str,
    title: str,
    figures: list[Figure],
    language: Language,
    translations: gettext.NullTranslations,
) -> Markup | None:
    """The figures that have a ``short_label`` as a bar chart, values formatted for the language."""
    qualifiers = {"about": translations.gettext("about"), "more-than": translations.gettext("more than")}
    bars = [
        Bar(
            figure.short_label,
            figure.value,
            " ".join(filter(None, (qualifiers.get(figure.qualifier or ""), format_figure(figure, language)))),
        )
        for figure in figures
        if figure.short_label
    ]
    if not bars:
        return None
    return bar_chart(chart_id, title, describe(bars), bars)


# Dates formatted before, kept by the caller between builds: (locale, form, date) → text,
# the form being Babel's format or pattern, or "skeleton " and a skeleton.
# Babel reads and merges a locale's data on its first use, which takes longer than
# rendering the one page a rebuild after an edit renders.
FormattedDates = MutableMapping[tuple[str, str, datetime.date], str]


def format_day(
    value: datetime.date, language: Language, form: str = "long", known: FormattedDates | None = None
) -> str:
    """``25 september 2019`` (nl), ``25 September 2019`` (en)."""

    def compute() -> str:
        from babel.dates import format_date

        return format_date(value, form, locale=language.locale_id)

    return _remembered(known, language, form, value, compute)


def format_published(front: FrontMatter, language: Language, known: FormattedDates | None = None) -> str:
    """A page's date to the precision it is known: ``25 September 2019``, ``July 2019`` or ``2018``."""
    if front.date_precision == "year":
        return str(front.date.year)
    if front.date_precision == "month":

        def compute() -> str:
            from babel.dates import format_skeleton

            return format_skeleton("yMMMM", front.date, locale=language.locale_id)

        # Not the pattern "yMMMM": the `day` filter may be given that, which formats otherwise.
        return _remembered(known, language, "skeleton yMMMM", front.date, compute)
    return format_day(front.date, language, known=known)


def _remembered(
    known: FormattedDates | None,
    language: Language,
    form: str,
    value: datetime.date,
    compute: Callable[[], str],
) -> str:
    if known is None or type(value) is not datetime.date:  # a datetime would equal no date key
        return compute()
    key = (language.locale_id, form, value)
    text = known.get(key)
    if text is None:
        text = known[key] = compute()
    return text


def _decimal(value: int | float) -> Decimal:
    return Decimal(str(value))
