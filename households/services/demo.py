"""Write synthetic demo households over real villages (``manage.py generate_demo``).

The data are synthetic (``households.demo``); the regions are the real NBS 2023 villages of the
chosen counties. A run replaces everything the households tables hold for those counties: their
households (with members, statuses, surveys and monitoring changes) and their village surveys, of all
periods, are deleted and written again in one transaction, so a second run with the same arguments
leaves the same rows, and no row twice.
"""

import pandas as pd
from django.db import connection, models, transaction
from django.utils import timezone
from simple_history.models import HistoricalChanges

from households import ids
from households.demo import YEARS, demo_frames
from households.models import (
    ChangeLog,
    Household,
    HouseholdSurvey,
    Member,
    MemberStatus,
    SurveyPeriod,
    VillageSurvey,
)
from regions.models import CN, Level, Region
from regions.services.divisions import divisions_import

#: Counties of the default demo: 岷县 (Gansu), 昭觉县 (Sichuan), 临夏县 (Gansu), all exited in 2020.
DEMO_COUNTIES = ("621126", "513431", "622921")
HISTORY_REASON = "generate_demo (synthetic demo data)"
_BATCH_SIZE = 2000


class DemoError(ValueError):
    """The arguments cannot be used (unknown county, period out of range, data that is not demo data)."""


def demo_generate(*, counties: list[str], periods: list[int], seed: int) -> dict[str, int]:
    """Replace the households data of ``counties`` with synthetic households for ``periods``.

    Loads the counties' townships and villages first when they are missing (the whole province,
    ``divisions_import``, idempotent). Then, in one transaction: creates the missing
    ``SurveyPeriod`` rows, deletes the counties' households and village surveys (all periods, with
    history rows), writes the generated rows (with history rows) and one ``ChangeLog`` row
    (source ``import``) per province and period written or deleted.

    Args:
        counties: county codes (level 3 of the ``cn`` scheme), e.g. ``["621126"]``.
        periods: years within ``households.demo.YEARS``.
        seed: random seed; the same arguments give the same ledgers.

    Returns:
        Rows written per table (``households``, ``members``, ``member_statuses``,
        ``household_surveys``, ``village_surveys``, ``change_log``) and ``deleted``, the rows removed.

    Raises:
        DemoError: an unknown county, a county without villages, a period out of range, or a county
            that holds households from a file import (never overwritten).
    """
    counties = sorted(set(counties))
    periods = sorted(set(periods))
    if not periods or not set(periods) <= set(YEARS):
        raise DemoError(f"periods must lie in {YEARS[0]}-{YEARS[-1]} (the calibrated years), got {periods}")
    villages = _villages(counties)
    frames = demo_frames(villages=villages, periods=periods, seed=seed)
    with transaction.atomic():
        if _scope(counties)[0].filter(import_batch__isnull=False).exists():
            raise DemoError("these counties hold imported households; generate_demo only replaces demo data")
        SurveyPeriod.objects.bulk_create([SurveyPeriod(year=year) for year in periods], ignore_conflicts=True)
        touched = _touched(counties)
        when = timezone.now()
        households, *_, village_surveys = _scope(counties)
        deleted = _delete_with_history(households, when=when) + _delete_with_history(village_surveys, when=when)
        counts = _write(frames, villages, counties)
        for queryset in _scope(counties):
            _history_copy(queryset, history_type="+", when=when)
        touched |= {(p, y) for p in villages["province_code"].unique() for y in periods}
        ChangeLog.objects.bulk_create(
            [ChangeLog(province_code=p, period_id=y, source=ChangeLog.Source.IMPORT) for p, y in sorted(touched)]
        )
    return {**counts, "change_log": len(touched), "deleted": deleted}


def _villages(counties: list[str]) -> pd.DataFrame:
    """The villages of ``counties`` (code, county_code, province_code, id), loading missing provinces."""
    known = set(Region.objects.filter(scheme=CN, level=Level.COUNTY, code__in=counties).values_list("code", flat=True))
    unknown = sorted(set(counties) - known)
    if unknown:
        raise DemoError(f"not county codes of the cn tree: {', '.join(unknown)} (run import_divisions first?)")
    villages = Region.objects.filter(scheme=CN, level=Level.VILLAGE, county_code__in=counties)
    loaded = set(villages.values_list("county_code", flat=True).distinct())
    if loaded != set(counties):
        divisions_import(villages=sorted({code[:2] for code in set(counties) - loaded}))
    frame = pd.DataFrame(list(villages.values("id", "code", "county_code", "province_code")))
    empty = sorted(set(counties) - set(frame.get("county_code", [])))
    if empty:
        raise DemoError(f"no villages in the divisions file for: {', '.join(empty)}")
    return frame.sort_values("code", ignore_index=True)


def _scope(counties: list[str]) -> list[models.QuerySet]:
    """The counties' rows of every table the demo writes, parents first."""
    households = Household.objects.filter(region__scheme=CN, region__county_code__in=counties)
    members = Member.objects.filter(household__in=households)
    return [
        households,
        members,
        MemberStatus.objects.filter(member__in=members),
        HouseholdSurvey.objects.filter(household__in=households),
        VillageSurvey.objects.filter(region__scheme=CN, region__county_code__in=counties),
    ]


def _touched(counties: list[str]) -> set[tuple[str, int]]:
    """(province, period) pairs that the counties' existing survey rows cover (they change too)."""
    households = HouseholdSurvey.objects.filter(household__region__county_code__in=counties)
    villages = VillageSurvey.objects.filter(region__county_code__in=counties)
    return set(households.values_list("household__region__province_code", "period_id").distinct()) | set(
        villages.values_list("region__province_code", "period_id").distinct()
    )


def _delete_with_history(queryset: models.QuerySet, *, when) -> int:
    """Delete ``queryset`` and what cascades from it in a few statements, with ``-`` history rows.

    ``QuerySet.delete()`` sends a signal per row (django-simple-history listens), so it would load
    every row and write its history one by one; here each table is one history ``INSERT`` batch
    and one ``DELETE``. Follows the models' ``on_delete``: CASCADE recurses, SET_NULL updates,
    anything else that still points at the rows is refused. Returns the rows deleted.
    """
    model = queryset.model
    deleted = 0
    for relation in model._meta.related_objects:
        if relation.many_to_many or issubclass(relation.related_model, HistoricalChanges):
            continue
        related = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": queryset})
        if relation.on_delete is models.CASCADE:
            deleted += _delete_with_history(related, when=when)
        elif relation.on_delete is models.SET_NULL:
            related.update(**{relation.field.name: None})
        elif relation.on_delete is not models.DO_NOTHING and related.exists():
            raise DemoError(f"{relation.related_model._meta.label} rows still point at {model._meta.label} rows")
    if hasattr(model, "history"):
        _history_copy(queryset, history_type="-", when=when)
    # _raw_delete: one DELETE without per-row signals; the cascade was done above.
    return deleted + queryset._raw_delete(queryset.db)


def _history_copy(queryset: models.QuerySet, *, history_type: str, when) -> int:
    """Copy the rows of ``queryset`` into the model's history table in one ``INSERT … SELECT``.

    ``bulk_create_with_history`` would build a second Python object per row; with 400,000 rows
    that doubles the run time, and the database can copy them itself. Returns the rows copied.
    """
    history = queryset.model.history.model
    fields = list(history.tracked_fields)
    select, params = queryset.order_by().values_list(*(f.attname for f in fields)).query.sql_with_params()
    quote = connection.ops.quote_name
    columns = [quote(f.column) for f in fields] + [
        quote(c) for c in ("history_date", "history_change_reason", "history_type")
    ]
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT rows_.*, %s, %s, %s FROM ({select}) rows_"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(when), HISTORY_REASON, history_type, *params])
        return cursor.rowcount


def _insert(model, frame: pd.DataFrame) -> int:
    """Insert the rows of ``frame`` (columns named by field ``attname``) into ``model``'s table.

    Fields the frame lacks take their defaults (one of its own per row for a unique field with a
    callable default: the public id). ``bulk_create`` would build a model instance per
    row and prepare every value through its field: about 60 µs a row, most of the run for the
    300,000 rows of the default demo. The frame's values are already plain values of the column
    types; only dates and JSON go through their field. SQLite runs one ``executemany`` (a C loop);
    other databases get multi-row ``INSERT``s of ``_BATCH_SIZE`` rows. Returns the rows inserted.
    """
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = []
    for field in fields:
        if field.attname not in frame.columns and field.unique and callable(field.default):
            # a value of its own per row (``Household.public_id``), not one default for all
            columns.append([field.get_db_prep_save(field.get_default(), connection) for _ in range(len(frame))])
            continue
        if field.attname not in frame.columns:
            columns.append([field.get_db_prep_save(field.get_default(), connection)] * len(frame))
            continue
        values = frame[field.attname].astype(object).where(frame[field.attname].notna(), None).tolist()
        if isinstance(field, models.DateField | models.JSONField):
            values = [field.get_db_prep_save(value, connection) for value in values]
        columns.append(values)
    rows = list(zip(*columns, strict=True))
    quote = connection.ops.quote_name
    insert = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    one = f"({', '.join(['%s'] * len(fields))})"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany(insert + one, rows)
        else:
            for start in range(0, len(rows), _BATCH_SIZE):
                batch = rows[start : start + _BATCH_SIZE]
                cursor.execute(insert + ", ".join([one] * len(batch)), [value for row in batch for value in row])
    return len(rows)


def _write(frames: dict[str, pd.DataFrame], villages: pd.DataFrame, counties: list[str]) -> dict[str, int]:
    """Insert the generated rows, parents first (history rows are copied afterwards, set-based)."""
    households_scope, members_scope, *_ = _scope(counties)
    region_id = villages.set_index("code")["id"]
    households = frames["households"]
    _insert(Household, households.assign(region_id=households["region_code"].map(region_id)))
    household_id = pd.Series(dict(households_scope.values_list("registry_number", "id")))

    members = frames["members"]
    resident_ids = members["resident_id"]
    _insert(
        Member,
        members.assign(
            household_id=members["registry_number"].map(household_id),
            resident_id_encrypted=resident_ids.map(ids.id_encrypt),
            resident_id_hash=resident_ids.map(ids.id_hash),
            resident_id_masked=resident_ids.map(ids.id_mask),
        ),
    )
    member_id = pd.DataFrame(
        list(members_scope.values_list("household_id", "member_no", "id")), columns=["h", "n", "id"]
    )
    member_id = member_id.set_index(["h", "n"])["id"]

    statuses = frames["member_statuses"]
    keys = pd.MultiIndex.from_arrays([statuses["registry_number"].map(household_id), statuses["member_no"]])
    _insert(MemberStatus, statuses.assign(member_id=member_id.reindex(keys).to_numpy(), period_id=statuses["period"]))
    surveys = frames["household_surveys"]
    _insert(
        HouseholdSurvey,
        surveys.assign(household_id=surveys["registry_number"].map(household_id), period_id=surveys["period"]),
    )
    village = frames["village_surveys"]
    _insert(VillageSurvey, village.assign(region_id=village["region_code"].map(region_id), period_id=village["period"]))
    return {
        "households": len(households),
        "members": len(members),
        "member_statuses": len(statuses),
        "household_surveys": len(surveys),
        "village_surveys": len(village),
    }
