"""Read a chunk's inputs (one province, one period and the two before it) as frames.

One query per table, aggregated in SQL where that is cheaper than moving rows (member counts per
household). Households learn nothing of scores: this module only reads the households' tables.
"""

import pandas as pd
from django.db import connection

from households.models import HouseholdSurvey, Member, VillageSurvey
from indicators.services.store import frame_select

#: Years of schooling of the head (``Member.YEARS_OF_SCHOOLING``), as a SQL CASE.
_SCHOOLING = " ".join(f"WHEN '{k}' THEN {v}" for k, v in Member.YEARS_OF_SCHOOLING.items())

SURVEY_COLUMNS = (
    *HouseholdSurvey.LEDGER_FIELDS,
    "medical_spending",
    "education_spending",
    *HouseholdSurvey.GUARANTEE_FIELDS,
    "disaster_loss",
    "job_loss",
    "industry_project",
    "cooperative",
    "employment_post",
    "enterprise_link",
    "sampling_weight",
    "equivalence_scale",
)

VILLAGE_COLUMNS = (
    "hardened_road",
    "tap_water_coverage",
    "electricity",
    "broadband",
    "mobile_coverage",
    "school_within_reach",
    "standard_clinic",
    "collective_income",
    "cooperatives",
    "leading_enterprises",
    "characteristic_industry",
    "processing_facility",
    "ecommerce_point",
)


#: Columns read as text (codes keep their leading zeros; missing is "").
TEXT_COLUMNS = ("province_code", "county_code")


def _frame(sql: str, params: list) -> pd.DataFrame:
    return frame_select(sql, params, text=TEXT_COLUMNS)


def _floats(model, alias: str, columns) -> str:
    """SELECT items that read each column as a float in SQL: booleans 1.0/0.0, NULL kept."""
    items = []
    for column in columns:
        if model._meta.get_field(column).get_internal_type() == "BooleanField":
            items.append(f"CASE WHEN {alias}.{column} THEN 1.0 WHEN NOT {alias}.{column} THEN 0.0 END AS {column}")
        else:
            items.append(f"CAST({alias}.{column} AS DOUBLE PRECISION) AS {column}")
    return ", ".join(items)


def _in(values) -> str:
    return ", ".join(["%s"] * len(values))


def surveys_read(*, provinces: list[str], periods: list[int]) -> pd.DataFrame:
    """Household surveys of ``periods`` for households whose village is in ``provinces``.

    Returns one row per (household, period): household_id, period, region_id, province_code,
    county_code, registration_year, and ``SURVEY_COLUMNS`` (money as float yuan per household per
    year; guarantees as float 1/0/NaN).
    """
    columns = _floats(HouseholdSurvey, "hs", SURVEY_COLUMNS)
    frame = _frame(
        f"""
        SELECT hs.household_id, hs.period_id AS period, h.region_id, r.province_code, r.county_code,
               h.registration_year, {columns}
        FROM households_householdsurvey hs
        JOIN households_household h ON h.id = hs.household_id
        JOIN regions_region r ON r.id = h.region_id
        WHERE r.province_code IN ({_in(provinces)}) AND hs.period_id IN ({_in(periods)})
        """,
        [*provinces, *periods],
    )
    return frame.astype(dict.fromkeys(SURVEY_COLUMNS, float))


def members_read(*, provinces: list[str], periods: list[int]) -> pd.DataFrame:
    """Member counts per household and period (members present only).

    Returns household_id, period, size, dependants (aged under 15 or over 64), ill_or_disabled
    (chronic, serious or disabled), serious_or_disabled, labour_capable (full or partial),
    employed_labour (labour-capable and employed), employed (any), head_schooling (years).
    """
    return _frame(
        f"""
        SELECT m.household_id, ms.period_id AS period,
               SUM(CASE WHEN ms.present THEN 1 ELSE 0 END) AS size,
               SUM(CASE WHEN ms.present AND (ms.age < 15 OR ms.age > 64) THEN 1 ELSE 0 END) AS dependants,
               SUM(CASE WHEN ms.present AND ms.health IN ('chronic', 'serious', 'disabled') THEN 1 ELSE 0 END)
                   AS ill_or_disabled,
               SUM(CASE WHEN ms.present AND ms.health IN ('serious', 'disabled') THEN 1 ELSE 0 END)
                   AS serious_or_disabled,
               SUM(CASE WHEN ms.present AND m.labour_capacity IN ('full', 'partial') THEN 1 ELSE 0 END)
                   AS labour_capable,
               SUM(CASE WHEN ms.present AND m.labour_capacity IN ('full', 'partial')
                        AND ms.employment <> 'none' THEN 1 ELSE 0 END) AS employed_labour,
               SUM(CASE WHEN ms.present AND ms.employment <> 'none' THEN 1 ELSE 0 END) AS employed,
               MAX(CASE WHEN m.relation = 'head' THEN CASE m.education {_SCHOOLING} END END) AS head_schooling
        FROM households_memberstatus ms
        JOIN households_member m ON m.id = ms.member_id
        JOIN households_household h ON h.id = m.household_id
        JOIN regions_region r ON r.id = h.region_id
        WHERE r.province_code IN ({_in(provinces)}) AND ms.period_id IN ({_in(periods)})
        GROUP BY m.household_id, ms.period_id
        """,
        [*provinces, *periods],
    ).astype({"head_schooling": float})


def incomes_read(*, provinces: list[str], periods: list[int]) -> pd.DataFrame:
    """Net income of earlier periods, what the growth and stability terms need besides the size
    (``members_read`` of the same periods).

    Returns one row per household survey of ``periods`` in ``provinces``: household_id, period,
    province_code, income_total (wage + net operating + property + relief + other transfers -
    deductions, yuan per household per year, as float; null when any part is null) and
    equivalence_scale (float or NaN). Far fewer bytes than ``surveys_read`` for the lagged periods.
    """
    total = " + ".join(f"hs.{f}" for f in HouseholdSurvey.LEDGER_FIELDS[:-1]) + " - hs.deductions"
    return _frame(
        f"""
        SELECT hs.household_id, hs.period_id AS period, r.province_code,
               CAST({total} AS DOUBLE PRECISION) AS income_total,
               CAST(hs.equivalence_scale AS DOUBLE PRECISION) AS equivalence_scale
        FROM households_householdsurvey hs
        JOIN households_household h ON h.id = hs.household_id
        JOIN regions_region r ON r.id = h.region_id
        WHERE r.province_code IN ({_in(provinces)}) AND hs.period_id IN ({_in(periods)})
        """,
        [*provinces, *periods],
    ).astype({"income_total": float, "equivalence_scale": float})


def villages_read(*, provinces: list[str], period: int) -> pd.DataFrame:
    """Village surveys of the period in ``provinces``: region_id and ``VILLAGE_COLUMNS`` as floats."""
    columns = _floats(VillageSurvey, "vs", VILLAGE_COLUMNS)
    frame = _frame(
        f"""
        SELECT vs.region_id, {columns}
        FROM households_villagesurvey vs JOIN regions_region r ON r.id = vs.region_id
        WHERE r.province_code IN ({_in(provinces)}) AND vs.period_id = %s
        """,
        [*provinces, period],
    )
    return frame.astype(dict.fromkeys(VILLAGE_COLUMNS, float))


def provinces_with_surveys(*, period: int) -> list[str]:
    """Province codes (level-1 ancestors, any scheme) with at least one household survey of the
    period, the most surveyed first (ties by code): chunks created and sent in this order keep every
    worker busy to the end, the largest provinces not left for last (longest first; R. L. Graham
    (1969), "Bounds on multiprocessing timing anomalies", SIAM J. Appl. Math. 17(2))."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT r.province_code FROM households_householdsurvey hs
            JOIN households_household h ON h.id = hs.household_id
            JOIN regions_region r ON r.id = h.region_id
            WHERE hs.period_id = %s GROUP BY 1 ORDER BY COUNT(*) DESC, 1
            """,
            [period],
        )
        return [row[0] for row in cursor.fetchall()]
