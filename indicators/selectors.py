"""Reads of indicator results (the dashboards and the API take their querysets from here)."""

from django.db.models import QuerySet

from indicators.models import ComputationRun, PovertyLine


def poverty_lines() -> QuerySet[PovertyLine]:
    """Every poverty line, active and superseded, by year and type."""
    return PovertyLine.objects.order_by("year", "line_type", "province_code", "created_at")


def runs() -> QuerySet[ComputationRun]:
    """Computation runs with their methodology, newest first."""
    return ComputationRun.objects.select_related("methodology").order_by("-started_at", "-pk")
