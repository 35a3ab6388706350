"""API plumbing shared by every app: pagination and strict query parameters."""

from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

#: Parameters every list accepts besides its filters.
COMMON_QUERY_PARAMS = frozenset({"page", "page_size", "cursor", "format"})


class PageNumberPagination(pagination.PageNumberPagination):
    """Page-number pagination; ``page_size`` up to 5,000 so one request can carry every county."""

    page_size_query_param = "page_size"
    max_page_size = 5000


class StrictQueryParamsBackend(BaseFilterBackend):
    """Reject a request whose query string names a parameter the view does not know.

    Allowed: the view's FilterSet fields, ``COMMON_QUERY_PARAMS``, and the names in the view's
    optional ``extra_query_params``. A typo such as ``?colour=red`` must not silently return the
    whole table.

    Raises:
        ValidationError: (HTTP 400) naming each unknown parameter.
    """

    def filter_queryset(self, request, queryset, view):
        allowed = set(COMMON_QUERY_PARAMS) | set(getattr(view, "extra_query_params", ()))
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None:
            allowed |= set(filterset_class.base_filters)
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise ValidationError(
                {name: [f"Unknown query parameter. Allowed: {', '.join(sorted(allowed))}."] for name in unknown}
            )
        return queryset
