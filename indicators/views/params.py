"""Query parameters of the score pages: only the page's own, a value of a known set, a published year.

Every bad value is a ``BadRequest`` (400) whose message, in the reader's language, names it; the site's
400 page (``indicators.views.bad_request``) shows it. Values are echoed cut to 40 characters.
"""

import re
from collections.abc import Iterable

from django.core.exceptions import BadRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from config.formats import list_join


def params_only(request, allowed: Iterable[str]) -> None:
    """Refuse a query string naming a parameter the page does not take (a typo, or a filter of
    another page such as ``?status=``), so it is not silently ignored.

    Args:
        request: the request; only ``request.GET`` is read.
        allowed: the names the page reads.
    Raises:
        BadRequest: naming the first unknown parameter (by name) and the page's own, in order.
    """
    allowed = sorted(set(allowed))
    unknown = sorted(set(request.GET) - set(allowed))
    if unknown:
        raise BadRequest(
            _("Unknown parameter %(name)s: this page takes %(allowed)s.")
            % {"name": unknown[0][:40], "allowed": list_join(allowed)}
        )


def choice(request, name: str, allowed, default):
    """``?name=`` when it is one of ``allowed``, ``default`` when absent or empty.

    Raises:
        BadRequest: any other value; for ``measure`` the message points to the methodology page,
            which lists every measure with its code and name in the reader's language.
    """
    value = request.GET.get(name)
    if value is None or value == "":
        return default
    if value not in allowed:
        raise BadRequest(measure_unknown(value) if name == "measure" else _value_unknown(name, value))
    return value


def _value_unknown(name: str, value: str) -> str:
    return _("Unknown value %(value)s for %(name)s.") % {"value": value[:40], "name": name}


def measure_unknown(value: str) -> str:
    """The message for an unknown ``?measure=`` (the 20-odd codes are not listed in it)."""
    return _("Unknown measure %(value)s: the measures and their codes are listed on the methodology page, %(url)s.") % {
        "value": value[:40],
        "url": reverse("indicators:methodology"),
    }


def period_parse(raw: str | None, periods: Iterable[int]) -> int | None:
    """The year of ``?period=`` among the published ``periods``; None when ``raw`` is absent or empty
    (the caller takes its default, the latest period).

    Args:
        raw: the parameter's text, or None.
        periods: the years with published scores.
    Returns:
        The year as an int, or None.
    Raises:
        BadRequest: ``raw`` is not a four-digit year ("abc"), or it is a year without published
            scores (the message says which, and lists the published years).
    """
    if raw is None or raw == "":
        return None
    if not re.fullmatch(r"\d{4}", raw):
        raise BadRequest(_("The period is a year, such as 2020: %(p)s is not.") % {"p": raw[:40]})
    periods = sorted(set(periods))
    if int(raw) not in periods:
        raise BadRequest(
            _("No published scores for period %(p)s. Periods with published scores: %(periods)s.")
            % {"p": raw, "periods": list_join(periods) if periods else "–"}
        )
    return int(raw)
