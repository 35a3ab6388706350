"""Poverty lines: load the defaults, supersede a line, and resolve the lines a run uses."""

import csv
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from indicators.models import PovertyLine

#: The project's copy of ``../shared/reference/poverty_lines.csv`` (published values; see data/SOURCES.md).
DEFAULT_LINES_CSV = Path(settings.BASE_DIR) / "data" / "poverty_lines.csv"

#: Where a year has no monitoring line it is this multiple of the national line (DESIGN §5).
MONITORING_MULTIPLE = Decimal("1.5")


class LineMissing(LookupError):
    """No national poverty line for a year (and province): the run cannot score absolute measures."""


def lines_load_defaults(*, path: Path = DEFAULT_LINES_CSV) -> int:
    """Create the lines of ``path`` that have no active row yet; returns how many were created.

    Args:
        path: CSV with columns year, line_type (national|monitoring), value (yuan per person per
            year), status, note. Lines apply to every province.
    Raises:
        ValueError: a row with an unknown type or a value that is not a positive number.
    """
    created = 0
    with open(path, newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            if row["line_type"] not in PovertyLine.Type.values:
                raise ValueError(f"{path.name} row {number}: unknown line_type {row['line_type']!r}")
            value = Decimal(row["value"])
            if value <= 0:
                raise ValueError(f"{path.name} row {number}: value must be positive, got {value}")
            _, new = PovertyLine.objects.get_or_create(
                year=int(row["year"]),
                line_type=row["line_type"],
                province_code="",
                superseded_at=None,
                defaults={"value": value, "status": row.get("status", ""), "note": row.get("note", "")},
            )
            created += new
    return created


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
