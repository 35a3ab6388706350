"""One format for every page, export and API answer: numbers by unit, times, lists.

Pages show numbers through ``number_display`` (the template filters of ``indicators.templatetags.
tuopin_format`` and the views call it), dates through Django's localized ``DATE_FORMAT`` /
``DATETIME_FORMAT`` (``2026年3月1日 10:30`` in Chinese, ``March 1, 2026, 10:30 a.m.`` in English),
and lists through ``list_join`` (``、`` in Chinese, ``, `` in English). The API and the page exports
write every date-time as ``datetime_iso`` does: ISO 8601, whole seconds, with the offset of the
project's time zone (``2026-03-01T10:30:00+08:00`` under ``TIME_ZONE = "Asia/Shanghai"``).
"""

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language

#: Decimals shown per unit of the indicator registry (``indicators.registry.Indicator.unit``): a
#: column always has the same number of decimals. Shares (0-1) show as percentages; a coefficient
#: (0-1, the Gini) as itself, as statisticians write it.
UNIT_DECIMALS = {"score": 1, "share": 2, "ratio": 2, "coefficient": 3, "yuan": 0, "count": 0}


def number_display(value, unit: str) -> str | None:
    """A number as every page shows it, with the fixed decimals of its unit (``UNIT_DECIMALS``).

    Args:
        value: a number in the unit's own scale (shares 0-1), or None for no data.
        unit: ``score`` (0-100, ``61.3``), ``share`` (0-1, shown as a percentage: ``12.50%``,
            ``0.03%``), ``ratio`` (``2.00``), ``coefficient`` (0-1, ``0.319``), ``yuan`` or ``count``
            (whole, thousands separated: ``6,618``).
    Returns:
        The text, or None when ``value`` is None (the template says "no data").
    Raises:
        KeyError: an unknown unit.
    """
    if value is None:
        return None
    decimals = UNIT_DECIMALS[unit]
    if unit == "share":
        return f"{value * 100:,.{decimals}f}%"
    return f"{value:,.{decimals}f}"


def datetime_iso(value: dt.datetime | None) -> str | None:
    """A date-time as the API and the exports write it: ISO 8601 to the second, with the offset of
    the project's time zone (``settings.TIME_ZONE``), whatever zone ``value`` is in; None stays None.

    Raises:
        ValueError: a naive date-time (the project stores aware ones only).
    """
    if value is None:
        return None
    if timezone.is_naive(value):
        raise ValueError(f"naive date-time {value!r}: the project keeps aware ones only")
    return value.astimezone(timezone.get_default_timezone()).isoformat(timespec="seconds")


def date_display(day: dt.date | None) -> str:
    """A date as the active language writes it (Django's ``DATE_FORMAT``: ``2026年3月1日``,
    ``March 1, 2026``), for messages that name a date; ``–`` for None."""
    return date_format(day, "DATE_FORMAT") if day else "–"


def list_separator(language: str | None = None) -> str:
    """The separator of a list of words in ``language`` (default the active one): ``、`` in Chinese,
    ``, `` otherwise."""
    return "、" if (language or get_language() or "").lower().startswith("zh") else ", "


def list_join(items: Iterable) -> str:
    """``items`` (texts or lazy translations) as one text, joined with the active language's separator."""
    return list_separator().join(str(item) for item in items)
