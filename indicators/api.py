"""``/api/v1/indicators/``, ``/api/v1/poverty-lines/`` and ``/api/v1/runs/``: public catalogue data.

The indicator catalogue is the registry (``indicators.registry``); poverty lines include superseded
rows so any published number can be traced to the line it used; runs say what was computed when.
"""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import StrictQueryParamsBackend
from indicators import selectors
from indicators.models import ComputationRun, PovertyLine
from indicators.registry import INDICATORS
from regions.api import IntegerFilter


class IndicatorOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_en = serializers.CharField()
    name_zh_hans = serializers.CharField()
    dimension = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.CharField()
    formula = serializers.CharField()
    source = serializers.CharField()


class IndicatorListApi(APIView):
    """Every measure the product shows: code (the ``region-scores`` field), names in English and
    Chinese, dimension, unit (score 0-100, share 0-1, ratio, yuan per person per year, count),
    direction, formula and source."""

    permission_classes = [AllowAny]
    filter_backends = [StrictQueryParamsBackend]
    extra_query_params = ("dimension",)

    @extend_schema(responses=IndicatorOutputSerializer(many=True))
    def get(self, request):
        StrictQueryParamsBackend().filter_queryset(request, None, self)
        dimension = request.query_params.get("dimension")
        rows = []
        for indicator in INDICATORS:
            if dimension and indicator.dimension != dimension:
                continue
            names = indicator.names()
            rows.append(
                {
                    **{
                        k: getattr(indicator, k)
                        for k in ("code", "dimension", "unit", "direction", "formula", "source")
                    },
                    "name_en": names["en"],
                    "name_zh_hans": names["zh_hans"],
                }
            )
        if dimension and not rows:
            dimensions = sorted({i.dimension for i in INDICATORS})
            raise serializers.ValidationError({"dimension": [f"Unknown dimension. Known: {', '.join(dimensions)}."]})
        return Response(IndicatorOutputSerializer(rows, many=True).data)


class PovertyLineOutputSerializer(serializers.ModelSerializer):
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


class RunOutputSerializer(serializers.ModelSerializer):
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

    def get_queryset(self):
        return selectors.runs()
