"""Template filters of the one format (``config.formats``): ``{% load tuopin_format %}``.

``{{ value|measure:"vulnerability" }}`` shows a number in the unit of a registry measure or a
household score field (``indicators.registry.unit_of``), with that unit's fixed decimals; ``–`` for
no data. ``{{ labels|listing }}`` joins a list with the reader's separator (``、`` / ``, ``).
"""

from django import template

from config.formats import list_join, number_display
from indicators.registry import unit_of

register = template.Library()


@register.filter
def measure(value, code: str) -> str:
    """``value`` shown in the unit of ``code`` (``unit_of``); ``–`` when it is None or empty."""
    if value is None or value == "":
        return "–"
    return number_display(value, unit_of(code))


@register.filter
def listing(items) -> str:
    """``items`` joined with the active language's separator (``config.formats.list_join``)."""
    return list_join(items or [])
