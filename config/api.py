"""API plumbing shared by every app: pagination, strict query parameters, ETags, throttling and the
one form of date-times (``DateTimeField``, ``ModelSerializer``)."""

import hashlib
import json
from urllib import parse

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models
from django.http import Http404
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from rest_framework import pagination, serializers, throttling
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param

from config.formats import datetime_iso
from config.keys import fernet_for

#: Parameters every list accepts besides its filters.
COMMON_QUERY_PARAMS = frozenset({"page", "page_size", "format"})


class DateTimeField(serializers.DateTimeField):
    """A date-time as the whole API writes it (``config.formats.datetime_iso``): ISO 8601 to the
    second with the project time zone's offset, ``2026-03-01T10:30:00+08:00``; null stays null."""

    def to_representation(self, value):
        return datetime_iso(value) if value else None


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer whose date-time fields are ``DateTimeField`` (one form in the whole API)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeField,
    }


class PageNumberPagination(pagination.PageNumberPagination):
    """Page-number pagination; ``page_size`` up to 5,000 so one request can carry every county.

    A ``page`` or ``page_size`` that is not a whole number in range is a 400 naming it (a page
    past the end stays a 404).
    """

    page_size_query_param = "page_size"
    max_page_size = 5000

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            raise ValidationError({"page_size": [_("A whole number from 1 to %(max)s.") % {"max": self.max_page_size}]})
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:  # the ranges enforced above ("last" aside)
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
            elif parameter["name"] == self.page_query_param:
                parameter["schema"].update(minimum=1)
        return parameters

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw != "last" and not (raw.isdigit() and int(raw) >= 1):
            raise ValidationError({"page": [_("A whole number from 1, or 'last'.")]})
        return super().paginate_queryset(queryset, request, view)


class StrictQueryParamsBackend(BaseFilterBackend):
    """Reject a request whose query string names a parameter the view does not know.

    Allowed: the view's FilterSet fields, ``COMMON_QUERY_PARAMS`` (or the view's own
    ``common_query_params``: ``cursor`` instead of ``page`` on cursor-paginated lists), and the names
    in the view's optional ``extra_query_params``. A typo such as ``?colour=red`` must not silently return the
    whole table.

    Raises:
        ValidationError: (HTTP 400) naming each unknown or repeated parameter.
    """

    def filter_queryset(self, request, queryset, view):
        common = getattr(view, "common_query_params", COMMON_QUERY_PARAMS)
        allowed = set(common) | set(getattr(view, "extra_query_params", ()))
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None:
            allowed |= set(filterset_class.base_filters)
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise ValidationError(
                {
                    name: [
                        _("Unknown query parameter. Allowed: %(allowed)s.") % {"allowed": ", ".join(sorted(allowed))}
                    ]
                    for name in unknown
                }
            )
        repeated = sorted(name for name, values in request.query_params.lists() if len(values) > 1)
        if repeated:
            raise ValidationError({name: [_("Given more than once; give it once.")] for name in repeated})
        return queryset


class CursorPagination(pagination.CursorPagination):
    """Cursor pagination for long scoped lists (households, surveys): stable under inserts, no count.

    ``page_size`` 1-1,000 (default 100). The view sets ``ordering`` on its instance: field names or
    annotations whose first item is unique or nearly so (ties are walked with an offset). A ``page_size`` out of
    range or a cursor that does not decode is a 400 naming it.
    """

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    # Ties on the first ordering field are walked with an offset (risk scores can tie).
    offset_cutoff = 100_000
    ordering = ("pk",)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            raise ValidationError({"page_size": [_("A whole number from 1 to %(max)s.") % {"max": self.max_page_size}]})
        return super().get_page_size(request)

    def get_ordering(self, request, queryset, view):
        return tuple(self.ordering)

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError):  # a forged position fails when cast to the field's type
            if self.cursor_query_param in request.query_params:
                raise ValidationError(
                    {self.cursor_query_param: [_("Invalid cursor: use the next or previous link.")]}
                ) from None
            raise

    def encode_cursor(self, cursor):
        """The page link with the cursor encrypted (Fernet): DRF's plain base64 cursor carries the
        last row's ordering value, here a household registry number, readable by anyone."""
        tokens = {"o": str(cursor.offset), "r": "1" if cursor.reverse else "0"}
        if cursor.position is not None:
            tokens["p"] = cursor.position
        token = _cursor_fernet().encrypt(parse.urlencode(tokens).encode()).decode()
        return replace_query_param(self.base_url, self.cursor_query_param, token)

    def decode_cursor(self, request):
        """The ``Cursor`` of ``?cursor=`` (None without one); a cursor this server did not make, or
        that does not decode, is a 400."""
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            tokens = parse.parse_qs(_cursor_fernet().decrypt(encoded.encode()).decode(), keep_blank_values=True)
            offset = pagination._positive_int(tokens.get("o", ["0"])[0], cutoff=self.offset_cutoff)
            reverse = bool(int(tokens.get("r", ["0"])[0]))
            position = tokens.get("p", [None])[0]
        except (InvalidToken, TypeError, ValueError, UnicodeError):
            message = _("Invalid cursor: use the next or previous link.")
            raise ValidationError({self.cursor_query_param: [message]}) from None
        return pagination.Cursor(offset=offset, reverse=reverse, position=position)


def _cursor_fernet() -> Fernet:
    """The cursor key, derived from ``SECRET_KEY`` (cursors die with a key change: a 400, then page one)."""
    return fernet_for("api-cursor", settings.SECRET_KEY)


class StrictFormatMixin:
    """For API views with several formats: ``?format=`` naming no renderer of the view is a 400 (DRF
    answers 404), and errors are always JSON (a CSV download of an error message helps nobody)."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and response.status_code >= 400:
            response.accepted_renderer, response.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return response

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            formats = ", ".join(renderer.format for renderer in self.get_renderers())
            raise ValidationError({"format": [_("One of: %(choices)s.") % {"choices": formats}]}) from None


def etag_make(*parts) -> str:
    """A strong ETag (quoted) from JSON-serialisable ``parts`` (run ids, query, scope, format)."""
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def etag_matches(request, etag: str) -> bool:
    """True when the request's ``If-None-Match`` names ``etag`` (weak comparison: the gzip
    middleware turns ``"x"`` into ``W/"x"``), or is ``*``."""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    tags = parse_etags(header)
    return "*" in tags or etag.removeprefix("W/") in {tag.removeprefix("W/") for tag in tags}


def conditional_headers(response, *, etag: str, private: bool, max_age: int = 300):
    """Set ``ETag``, ``Cache-Control`` and ``Vary`` on a score response and return it.

    Args:
        private: the body depends on who asks (a logged-in user or token): ``private, no-cache``
            (the browser keeps it and revalidates with the ETag); else ``public, max-age``.
        max_age: seconds a public response may be reused without asking again.
    """
    response["ETag"] = etag
    if private:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=max_age)
    patch_vary_headers(response, ("Accept", "Authorization", "Cookie"))
    return response


class _RatesAtRequestTime:
    """Read the rate from the settings when the request comes (tests override them)."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_RatesAtRequestTime, throttling.AnonRateThrottle):
    """Anonymous requests per client address: ``DEFAULT_THROTTLE_RATES["anon"]``."""


class UserThrottle(_RatesAtRequestTime, throttling.UserRateThrottle):
    """Requests per user (session or token): ``DEFAULT_THROTTLE_RATES["user"]``."""
