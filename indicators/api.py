"""``/api/v1/indicators/``, ``/api/v1/poverty-lines/``, ``/api/v1/runs/`` (public catalogue data) and
the scores: ``region-scores/`` (public at county level and above), ``household-scores/`` and
``early-warning/`` (scoped).

The indicator catalogue is the registry (``indicators.registry``); poverty lines include superseded
rows so any published number can be traced to the line it used; runs say what was computed when.
Scores come from the current published run of each period (``indicators.selectors``).
"""

import re

import django_filters
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string
from django.utils.translation import gettext as _
from django.utils.translation import override
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import (
    CursorPagination,
    ModelSerializer,
    PageNumberPagination,
    StrictFormatMixin,
    StrictQueryParamsBackend,
    conditional_headers,
    etag_make,
    etag_matches,
)
from config.renderers import CSVRenderer
from households.selectors import registry_reveal_paths, registry_shown, registry_sort_key
from indicators import selectors
from indicators.models import ComputationRun, PovertyLine
from indicators.registry import INDICATORS
from indicators.serializers import (
    EarlyWarningOutputSerializer,
    EarlyWarningQuerySerializer,
    HouseholdScoreOutputSerializer,
    HouseholdScoreQuerySerializer,
    RegionScorePageSerializer,
    RegionScoreQuerySerializer,
)
from regions.api import IntegerFilter

_GZIP = re.compile(r"\bgzip\b")  # in Accept-Encoding


class IndicatorOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_en = serializers.CharField()
    name_zh_hans = serializers.CharField()
    dimension = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.CharField()
    formula = serializers.CharField()
    source = serializers.CharField()


class IndicatorListApi(StrictFormatMixin, APIView):
    """Every measure the product shows: code (the ``region-scores`` field), names in English and
    Chinese, dimension, unit (score 0-100, share 0-1, ratio, yuan per person per year, count),
    direction, formula and source."""

    permission_classes = [AllowAny]
    filter_backends = [StrictQueryParamsBackend]
    extra_query_params = ("dimension",)
    renderer_classes = [JSONRenderer, CSVRenderer]  # ?format=csv: the catalogue as a table
    csv_filename = "indicators"

    @extend_schema(responses=IndicatorOutputSerializer(many=True))
    def get(self, request):
        StrictQueryParamsBackend().filter_queryset(request, None, self)
        dimension = request.query_params.get("dimension")
        rows = []
        for indicator in INDICATORS:
            if dimension and indicator.dimension != dimension:
                continue
            names = indicator.names()
            with override("en"):  # the API's formula and source stay in English, whatever the request's language
                formula, source = str(indicator.formula), str(indicator.source)
            rows.append(
                {
                    **{k: getattr(indicator, k) for k in ("code", "dimension", "unit", "direction")},
                    "formula": formula,
                    "source": source,
                    "name_en": names["en"],
                    "name_zh_hans": names["zh_hans"],
                }
            )
        if dimension and not rows:
            dimensions = sorted({i.dimension for i in INDICATORS})
            raise serializers.ValidationError(
                {"dimension": [_("Unknown dimension. Known: %(known)s.") % {"known": ", ".join(dimensions)}]}
            )
        return Response(IndicatorOutputSerializer(rows, many=True).data)


class PovertyLineOutputSerializer(ModelSerializer):
    value = serializers.FloatField()

    class Meta:
        model = PovertyLine
        fields = ["year", "line_type", "province_code", "value", "status", "note", "created_at", "superseded_at"]


class PovertyLineFilter(django_filters.FilterSet):
    year = IntegerFilter(field_name="year", min_value=1980, max_value=2100)
    line_type = django_filters.ChoiceFilter(field_name="line_type", choices=PovertyLine.Type.choices)

    class Meta:
        model = PovertyLine
        fields = ["year", "line_type"]


class PovertyLineListApi(generics.ListAPIView):
    """Poverty lines in yuan per person per year, superseded ones included (``superseded_at``)."""

    permission_classes = [AllowAny]
    serializer_class = PovertyLineOutputSerializer
    filter_backends = [StrictQueryParamsBackend, django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = PovertyLineFilter

    def get_queryset(self):
        return selectors.poverty_lines()


class RunOutputSerializer(ModelSerializer):
    methodology = serializers.CharField(source="methodology.version")
    period = serializers.IntegerField(source="period_id")

    class Meta:
        model = ComputationRun
        fields = [
            "id",
            "period",
            "methodology",
            "status",
            "is_current",
            "full",
            "trigger",
            "lines",
            "error",
            "started_at",
            "finished_at",
        ]


class RunFilter(django_filters.FilterSet):
    period = IntegerFilter(field_name="period_id", min_value=1980, max_value=2100, help_text="A survey year.")
    current = django_filters.TypedChoiceFilter(
        field_name="is_current",
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        help_text="true: only the runs being served.",
    )

    class Meta:
        model = ComputationRun
        fields = ["period", "current"]


class RunListApi(generics.ListAPIView):
    """Computation runs, newest first: which period, methodology and status, and when they finished."""

    permission_classes = [AllowAny]
    serializer_class = RunOutputSerializer
    filter_backends = [StrictQueryParamsBackend, django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = RunFilter

    @extend_schema(  # the filters' own schema says "number" and a boolean with string values
        parameters=[
            OpenApiParameter(
                "period", {"type": "integer", "minimum": 1980, "maximum": 2100}, description="A survey year."
            ),
            OpenApiParameter("current", str, enum=["true", "false"], description="true: only the runs being served."),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.runs()


# --- Scores: region-scores, household-scores, early-warning (DESIGN §7) ----------------------------

#: Seconds a rendered public payload stays in the cache (its key names the runs, so it never goes stale).
PAYLOAD_CACHE_SECONDS = 7 * 24 * 3600
_FORMAT = OpenApiParameter("format", str, enum=["json", "csv"], description="csv: UTF-8 with a BOM.")
_CSV = (200, "text/csv")
#: Error bodies: ``{"parameter": ["message", ...]}`` or ``{"detail": "message"}``.
_ERRORS = {(400, "application/json"): OpenApiTypes.OBJECT}
_SCOPED_ERRORS = {**_ERRORS, (403, "application/json"): OpenApiTypes.OBJECT}


def _int_parameter(name: str, maximum: int, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, {"type": "integer", "minimum": 1, "maximum": maximum}, description=description)


def _query_error(error: selectors.ScoreQueryError) -> ValidationError:
    return ValidationError({error.field: [str(error)]})


class _ScoreApi(StrictFormatMixin, APIView):
    """JSON or CSV, strict query parameters, an ETag naming the runs, the query and the caller's scope,
    and ``304 Not Modified`` when ``If-None-Match`` names it."""

    renderer_classes = [JSONRenderer, CSVRenderer]
    filter_backends = [StrictQueryParamsBackend]
    query_serializer_class: type[serializers.Serializer]

    @property
    def extra_query_params(self) -> tuple[str, ...]:
        return tuple(self.query_serializer_class().fields)

    def query(self, request) -> dict:
        """The validated query parameters (400 on an unknown parameter or a bad value)."""
        StrictQueryParamsBackend().filter_queryset(request, None, self)
        # an empty value (?region=) would be read as no parameter at all, the whole country
        empty = sorted(name for name, value in request.query_params.items() if value.strip() == "")
        if empty:
            raise ValidationError({name: [_("An empty value: give one or leave the parameter out.")] for name in empty})
        query = self.query_serializer_class(data=request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data

    def runs(self, query: dict) -> list[dict]:
        try:
            return selectors.runs_current(period=query.get("period"), methodology=query.get("methodology"))
        except selectors.ScoreQueryError as error:
            raise _query_error(error) from None

    def etag(self, request, *, runs: list[dict], scope: selectors.ScoreScope) -> str:
        return etag_make(
            self.__class__.__name__,
            [(run["id"], run["finished_at"]) for run in runs],
            sorted(request.query_params.items()),
            request.accepted_renderer.format,
            scope.key(),
            request.build_absolute_uri("/"),  # page links name the caller's scheme and host
        )


class RegionScoreListApi(_ScoreApi):
    """Scores of regions by period from the current published runs: D1-D4, EQI, poverty (national
    and monitoring lines), Alkire-Foster, inequality, early warning, coverage and the exit check.

    Public: regions at county level and above (the setting ``TUOPIN_PUBLIC_MAX_LEVEL``); a region with
    fewer than 10 surveyed households keeps its row with every number null and ``suppressed: true``.
    Logged-in users and tokens also get the townships and villages of their assigned regions, in full.
    Every period when ``period`` is left out (a time series). Pages of up to 5,000 rows: every
    county of a period in one request.
    """

    permission_classes = [AllowAny]
    query_serializer_class = RegionScoreQuerySerializer
    csv_filename = "region-scores"

    @extend_schema(
        operation_id="v1_region_scores_list",
        parameters=[
            RegionScoreQuerySerializer,
            OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="Page number (from 1)."),
            _int_parameter("page_size", 5000, "Rows per page (default 5,000)."),
            _FORMAT,
        ],
        responses={
            (200, "application/json"): RegionScorePageSerializer,
            _CSV: OpenApiTypes.STR,
            (304, "application/json"): None,
            **_ERRORS,
            (404, "application/json"): OpenApiTypes.OBJECT,  # a page past the end
        },
    )
    def get(self, request):
        query = self.query(request)
        runs = self.runs(query)
        scope = selectors.score_scope(user=request.user)
        try:
            rows = selectors.region_scores(
                scope=scope,
                runs=runs,
                scheme=query["scheme"],
                level=query.get("level"),
                region=query.get("region"),
                tag=query.get("tag"),
            )
        except selectors.ScoreQueryError as error:
            raise _query_error(error) from None
        etag = self.etag(request, runs=runs, scope=scope)
        private = request.user.is_authenticated
        if etag_matches(request, etag):
            return conditional_headers(HttpResponseNotModified(), etag=etag, private=private)
        # what anyone may see (the national county payload above all): rendered and compressed once
        # per run and query, then served from the cache
        key = f"indicators:region-scores:{etag}" if scope.is_public else None
        response = self._rendered(request, key, lambda: self._page(request, rows, runs))
        if response.has_header("Content-Encoding"):  # another representation: a weak validator
            etag = "W/" + etag
        return conditional_headers(response, etag=etag, private=private)

    def _page(self, request, rows, runs) -> dict:
        paginator = RegionScorePagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(selectors.region_score_rows(page, runs=runs)).data

    def _rendered(self, request, key: str | None, build) -> HttpResponse:
        """The rendered body from the cache under ``key`` (None: not cached), built and stored when
        missing. A cached body is kept gzip-compressed too and served compressed to clients that
        accept it, so the national payload (about 0.6 MB of JSON) is not compressed per request."""
        stored = cache.get(key) if key else None
        if stored is None:
            response = self.finalize_response(request, Response(build()))
            response.render()
            headers = ("Content-Type", "Content-Disposition", "Link")
            stored = {"body": response.content, "headers": {h: response[h] for h in headers if response.has_header(h)}}
            if key:
                stored["gzip"] = compress_string(stored["body"])
                cache.set(key, stored, PAYLOAD_CACHE_SECONDS)
        if stored.get("gzip") is not None and _GZIP.search(request.headers.get("Accept-Encoding", "")):
            response = HttpResponse(stored["gzip"], headers=stored["headers"])
            response["Content-Encoding"] = "gzip"  # the gzip middleware leaves it alone
            patch_vary_headers(response, ("Accept-Encoding",))
            return response
        return HttpResponse(stored["body"], headers=stored["headers"])


class RegionScorePagination(PageNumberPagination):
    page_size = 5000


class _HouseholdScoreApi(_ScoreApi):
    permission_classes = [IsAuthenticated]
    common_query_params = ("cursor", "page_size", "format")
    output_serializer_class: type[serializers.Serializer]

    def respond(self, request, *, query: dict, runs: list[dict], flagged: bool | None, ordering) -> HttpResponse:
        scope = selectors.score_scope(user=request.user)
        try:
            rows = selectors.household_scores(
                scope=scope,
                runs=runs,
                region=query.get("region"),
                village=query.get("village"),
                flagged=flagged,
                reason=query.get("reason"),
                category=query.get("category"),
            )
        except selectors.ScoreQueryError as error:
            raise _query_error(error) from None
        reveal_paths = registry_reveal_paths(request.user)
        rows = rows.annotate(registry_key=registry_sort_key(reveal_paths, household="household__"))
        reveal_key = None if reveal_paths is None else sorted(set(reveal_paths))
        etag = etag_make(self.etag(request, runs=runs, scope=scope), reveal_key)
        if etag_matches(request, etag):
            return conditional_headers(HttpResponseNotModified(), etag=etag, private=True)
        paginator = CursorPagination()
        paginator.ordering = ordering
        page = paginator.paginate_queryset(rows, request, view=self)
        shown = [  # copies: the paginator reads the next cursor's position from the unmasked rows
            {
                **row,
                "registry_number": registry_shown(
                    row["registry_number"], village_path=row["region_path"], reveal_paths=reveal_paths
                ),
            }
            for row in page
        ]
        response = paginator.get_paginated_response(self.output_serializer_class(shown, many=True).data)
        return conditional_headers(response, etag=etag, private=True)


def _household_schema(operation_id: str, query, page):
    return extend_schema(
        operation_id=operation_id,
        parameters=[
            query,
            OpenApiParameter("cursor", str, description="The next or previous link's cursor."),
            _int_parameter("page_size", 1000, "Rows per page (default 100)."),
            _FORMAT,
        ],
        responses={
            (200, "application/json"): page,
            _CSV: OpenApiTypes.STR,
            (304, "application/json"): None,
            **_SCOPED_ERRORS,
        },
    )


class HouseholdScorePageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = HouseholdScoreOutputSerializer(many=True)


class EarlyWarningPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = EarlyWarningOutputSerializer(many=True)


class HouseholdScoreListApi(_HouseholdScoreApi):
    """Household scores of the current runs in the caller's assigned regions (login or token), by
    registry number and period where the caller sees numbers whole, else by village and the
    household's public id. No names, no resident IDs, no sequential keys."""

    query_serializer_class = HouseholdScoreQuerySerializer
    output_serializer_class = HouseholdScoreOutputSerializer
    csv_filename = "household-scores"

    @_household_schema("v1_household_scores_list", HouseholdScoreQuerySerializer, HouseholdScorePageSerializer)
    def get(self, request):
        query = self.query(request)
        ordering = ("registry_key", "period")
        return self.respond(request, query=query, runs=self.runs(query), flagged=query["flagged"], ordering=ordering)


class EarlyWarningListApi(_HouseholdScoreApi):
    """Flagged households of the current runs in the caller's assigned regions: category, reasons,
    income over the monitoring line (margin) and vulnerability; riskiest first by default."""

    query_serializer_class = EarlyWarningQuerySerializer
    output_serializer_class = EarlyWarningOutputSerializer
    csv_filename = "early-warning"

    @_household_schema("v1_early_warning_list", EarlyWarningQuerySerializer, EarlyWarningPageSerializer)
    def get(self, request):
        query = self.query(request)
        ordering = selectors.EARLY_WARNING_ORDERINGS[query["ordering"]]
        return self.respond(request, query=query, runs=self.runs(query), flagged=True, ordering=ordering)
