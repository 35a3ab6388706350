"""API plumbing shared by every app: pagination and strict query parameters."""

from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

#: Parameters every list accepts besides its filters.
COMMON_QUERY_PARAMS = frozenset({"page", "page_size", "format"})


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
            raise ValidationError({"page_size": [f"A whole number from 1 to {self.max_page_size}."]})
        return super().get_page_size(request)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw != "last" and not (raw.isdigit() and int(raw) >= 1):
            raise ValidationError({"page": ["A whole number from 1, or 'last'."]})
        return super().paginate_queryset(queryset, request, view)


class StrictQueryParamsBackend(BaseFilterBackend):
    """Reject a request whose query string names a parameter the view does not know.

    Allowed: the view's FilterSet fields, ``COMMON_QUERY_PARAMS``, and the names in the view's
    optional ``extra_query_params``. A typo such as ``?colour=red`` must not silently return the
    whole table.

    Raises:
        ValidationError: (HTTP 400) naming each unknown or repeated parameter.
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
        repeated = sorted(name for name, values in request.query_params.lists() if len(values) > 1)
        if repeated:
            raise ValidationError({name: ["Given more than once; give it once."] for name in repeated})
        return queryset
