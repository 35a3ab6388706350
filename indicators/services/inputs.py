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


#: Planner settings for the survey reads: look the province's households up by index (region,
#: then (household, period)) instead of hashing them and scanning every survey of the periods, which
#: each chunk would do again for its province. On ``bench_recompute``'s data (a province of 193,517
#: households of 1,000,000): the period's surveys 1.46 -> 1.12 s, the two periods before
#: 1.29 -> 0.85 s. The member query already takes that path.
INDEX_PATH = {"enable_hashjoin": "off", "enable_mergejoin": "off"}


def _frame(sql: str, params: list, *, settings: dict[str, str] | None = None) -> pd.DataFrame:
    """``frame_select`` with the codes as text; ``settings`` (PostgreSQL's, e.g. ``INDEX_PATH``) for
    this query only, inside a transaction as the chunks run (ignored elsewhere)."""
    if not settings or connection.vendor != "postgresql" or not connection.in_atomic_block:
        return frame_select(sql, params, text=TEXT_COLUMNS)
    with connection.cursor() as cursor:
        previous = {}
        for name, value in settings.items():
            cursor.execute("SELECT current_setting(%s), set_config(%s, %s, true)", [name, name, value])
            previous[name] = cursor.fetchone()[0]
        frame = frame_select(sql, params, text=TEXT_COLUMNS)
        for name, value in previous.items():  # (an error above ends the transaction and the settings)
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
    return frame


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
        settings=INDEX_PATH,
    )
    return frame.astype(dict.fromkeys(SURVEY_COLUMNS, float))


def members_read(*, provinces: list[str], period: int) -> pd.DataFrame:
    """Member counts per household of ``period`` and the size in the two periods before it.

    One row per household in ``provinces`` with a member status in any of the three periods:
    household_id; of ``period`` (members present only): size, dependants (aged under 15 or over 64),
    ill_or_disabled (chronic, serious or disabled), serious_or_disabled, labour_capable (full or
    partial), employed_labour (labour-capable and employed), employed (any), head_schooling (years of
    the head with a status that period); size_prev1 and size_prev2 (present members of ``period`` - 1
    and - 2). A count is NaN where the household has no status that period, 0 where none is present.

    One pass, grouped by household only: the join arrives in household order, so PostgreSQL
    aggregates without sorting (2.5 s against 3.3 s for one (household, period) group each, a
    province of 193,517 households on ``bench_recompute``'s data), and a third of the rows travel.
    """

    def count(condition: str, year: int = period) -> str:
        return f"SUM(CASE WHEN ms.present{condition} THEN 1 ELSE 0 END) FILTER (WHERE ms.period_id = {int(year)})"

    labour = " AND m.labour_capacity IN ('full', 'partial')"
    employed = " AND ms.employment <> 'none'"
    return _frame(
        f"""
        SELECT m.household_id,
               {count("")} AS size,
               {count(" AND (ms.age < 15 OR ms.age > 64)")} AS dependants,
               {count(" AND ms.health IN ('chronic', 'serious', 'disabled')")} AS ill_or_disabled,
               {count(" AND ms.health IN ('serious', 'disabled')")} AS serious_or_disabled,
               {count(labour)} AS labour_capable,
               {count(labour + employed)} AS employed_labour,
               {count(employed)} AS employed,
               MAX(CASE WHEN m.relation = 'head' THEN CASE m.education {_SCHOOLING} END END)
                   FILTER (WHERE ms.period_id = {int(period)}) AS head_schooling,
               {count("", period - 1)} AS size_prev1,
               {count("", period - 2)} AS size_prev2
        FROM households_memberstatus ms
        JOIN households_member m ON m.id = ms.member_id
        JOIN households_household h ON h.id = m.household_id
        JOIN regions_region r ON r.id = h.region_id
        WHERE r.province_code IN ({_in(provinces)}) AND ms.period_id IN (%s, %s, %s)
        GROUP BY m.household_id
        """,
        [*provinces, period, period - 1, period - 2],
    ).astype({"head_schooling": float})


def incomes_read(*, provinces: list[str], periods: list[int]) -> pd.DataFrame:
    """Net income of earlier periods, what the growth and stability terms need besides the size
    (``members_read``'s size_prev1 and size_prev2).

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
        settings=INDEX_PATH,
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
