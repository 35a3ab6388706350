"""Poverty lines: supersede a line, and resolve the lines a run uses (the migration loads the
defaults from ``data/poverty_lines.csv``)."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from indicators.models import PovertyLine

#: Where a year has no monitoring line it is this multiple of the national line (DESIGN §5).
MONITORING_MULTIPLE = Decimal("1.5")


@transaction.atomic
def line_supersede(
    *, year: int, line_type: str, value: Decimal, province_code: str = "", status: str = "", note: str = "", user=None
):
    """Replace the active line of (year, type, province) by a new row; the old row is kept."""
    PovertyLine.objects.select_for_update().filter(
        year=year, line_type=line_type, province_code=province_code, superseded_at__isnull=True
    ).update(superseded_at=timezone.now())
    return PovertyLine.objects.create(
        year=year,
        line_type=line_type,
        province_code=province_code,
        value=value,
        status=status,
        note=note,
        created_by=user,
    )


def lines_for(*, years: list[int], provinces: list[str]) -> dict:
    """The active national and monitoring lines for each year and province.

    Returns ``{"national": {"2020": {"62": 3309.0, ...}}, "monitoring": {...}}`` (yuan per person
    per year; a province-specific line wins over the all-province one; a missing monitoring line is
    1.5 x the national line and a missing national line is the monitoring line / 1.5, the same rule
    read the other way, so the years after 2020 (monitoring lines only) can be scored; a year with
    neither is absent from the dict, so callers decide).
    This is the dict a run stores, so a rerun reproduces its numbers.
    """
    rows = PovertyLine.objects.filter(year__in=years, superseded_at__isnull=True).values_list(
        "year", "line_type", "province_code", "value"
    )
    table: dict[tuple, Decimal] = {(y, t, p): v for y, t, p, v in rows}
    out: dict[str, dict] = {"national": {}, "monitoring": {}}
    for year in years:
        for province in provinces:
            national = table.get((year, "national", province), table.get((year, "national", "")))
            monitoring = table.get((year, "monitoring", province), table.get((year, "monitoring", "")))
            if monitoring is None and national is not None:
                monitoring = national * MONITORING_MULTIPLE
            if national is None and monitoring is not None:  # after 2020 only monitoring lines are set
                national = (monitoring / MONITORING_MULTIPLE).quantize(Decimal("0.01"))
            if national is not None:
                out["national"].setdefault(str(year), {})[province] = float(national)
            if monitoring is not None:
                out["monitoring"].setdefault(str(year), {})[province] = float(monitoring)
    return out
