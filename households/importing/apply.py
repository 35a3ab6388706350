"""From validated rows to tables: which rows are new, updated or unchanged, and the writes.

The rows are ``Validation.rows`` (parsed fields, ``_region_id``/``_household_id``, ``_id_hash``).
Each kind becomes one or two ``engine.Target``s; members become a member target and, once the
members exist, a member-status target.
"""

import pandas as pd
from django.db import connection, transaction

from households import ids
from households.importing.columns import COLUMNS, KEYS
from households.importing.engine import ROW, STAGE, Target, classify, undo, write
from households.importing.sql import frame_query, temp_table_load
from households.models import Household, HouseholdSurvey, Member, MemberStatus, VillageSurvey

MEMBER_FIELDS = ("name", "source_id", "sex", "birth_date", "relation", "education", "labour_capacity")
STATUS_FIELDS = ("present", "age", "in_school", "health", "employment", "months_away", "medical_insurance")
_ORDER = {"new": 2, "updated": 1, "unchanged": 0}
#: Undo order: rows that depend on others first.
UNDO_MODELS = (MemberStatus, HouseholdSurvey, VillageSurvey, Member, Household)


def _present(rows: pd.DataFrame, fields) -> list[str]:
    return [f for f in fields if f in rows.columns]


def _frame(rows: pd.DataFrame, columns: dict[str, object]) -> pd.DataFrame:
    """A frame on the rows' index: each value a column of ``rows`` (by name) or a constant."""
    data = {name: (rows[source] if isinstance(source, str) else source) for name, source in columns.items()}
    return pd.DataFrame({**data, ROW: rows.index}, index=rows.index)


def _value_fields(kind: str, rows: pd.DataFrame) -> list[str]:
    return [c.field for c in COLUMNS[kind] if c.field not in KEYS[kind] and c.field in rows.columns]


def _simple_target(kind: str, rows: pd.DataFrame, period: int) -> Target:
    fields = {f: f for f in _value_fields(kind, rows)}
    if kind == "households":
        fields.pop("village_code", None)
        frame = _frame(rows, {"registry_number": "registry_number", "region_id": "_region_id", **fields})
        return Target(Household, ("registry_number",), frame)
    if kind == "household-surveys":
        frame = _frame(rows, {"household_id": "_household_id", "period_id": period, **fields})
        return Target(HouseholdSurvey, ("household_id", "period_id"), frame)
    frame = _frame(rows, {"region_id": "_region_id", "period_id": period, **fields})
    return Target(VillageSurvey, ("region_id", "period_id"), frame)


def _member_target(rows: pd.DataFrame, *, encrypt: bool) -> Target:
    columns = {
        "household_id": "_household_id",
        "member_no": "member_no",
        **{f: f for f in _present(rows, MEMBER_FIELDS)},
    }
    frame = _frame(rows, columns)
    if "resident_id" in rows.columns:
        given = rows["_id_hash"].notna()
        frame["resident_id_hash"] = rows["_id_hash"].where(given, None)
        frame["resident_id_masked"] = rows["resident_id"].where(given).map(ids.id_mask, na_action="ignore")
        if encrypt:
            frame["resident_id_encrypted"] = rows["resident_id"].where(given).map(ids.id_encrypt, na_action="ignore")
    return Target(Member, ("household_id", "member_no"), frame, compare_exclude=("resident_id_encrypted",))


def _status_target(cursor, rows: pd.DataFrame, period: int) -> Target:
    """Member statuses keyed by member id, looked up from (household, member number)."""
    keys = pd.DataFrame({"household_id": rows["_household_id"], "member_no": rows["member_no"], ROW: rows.index})
    temp_table_load(
        cursor, "import_member_keys", keys, {"household_id": "bigint", "member_no": "integer", ROW: "bigint"}
    )
    found = frame_query(
        cursor,
        f"SELECT k.{ROW}, m.id AS member_id FROM import_member_keys k JOIN households_member m "
        "ON m.household_id = k.household_id AND m.member_no = k.member_no",
    ).set_index(ROW)
    cursor.execute("DROP TABLE import_member_keys")
    member_id = found["member_id"].reindex(rows.index)
    columns = {"member_id": member_id, "period_id": period, **{f: f for f in _present(rows, STATUS_FIELDS)}}
    return Target(MemberStatus, ("member_id", "period_id"), _frame(rows, columns))


def _combine(*statuses: pd.DataFrame) -> dict[int, str]:
    combined: dict[int, str] = {}
    for frame in statuses:
        for row, status in zip(frame[ROW], frame["_status"], strict=True):
            row = int(row)
            if _ORDER[status] > _ORDER.get(combined.get(row, "unchanged"), 0):
                combined[row] = status
            else:
                combined.setdefault(row, status)
    return combined


def rows_classify(kind: str, rows: pd.DataFrame, period: int) -> dict[int, str]:
    """Each row's fate if committed now: ``new``, ``updated`` or ``unchanged`` (nothing is written)."""
    if rows.empty:
        return {}
    with transaction.atomic(), connection.cursor() as cursor:
        if kind == "members":
            members = classify(cursor, _member_target(rows, encrypt=False))
            statuses = classify(cursor, _status_target(cursor, rows, period))
            result = _combine(members, statuses)
        else:
            result = _combine(classify(cursor, _simple_target(kind, rows, period)))
        cursor.execute(f"DROP TABLE {STAGE}")
    return result


def rows_write(kind: str, rows: pd.DataFrame, period: int, *, batch_id: int, user_id: int | None, reason: str) -> None:
    """Write the rows set-based with their history rows; call inside the commit's transaction."""
    if rows.empty:
        return
    with connection.cursor() as cursor:
        if kind == "members":
            target = _member_target(rows, encrypt=True)
            classify(cursor, target)
            write(cursor, target, batch_id=batch_id, user_id=user_id, reason=reason)
            target = _status_target(cursor, rows, period)
        else:
            target = _simple_target(kind, rows, period)
        classify(cursor, target)
        write(cursor, target, batch_id=batch_id, user_id=user_id, reason=reason)
        cursor.execute(f"DROP TABLE {STAGE}")


def batch_undo(*, batch_id: int, user_id: int | None, reason: str) -> int:
    """Restore every table a batch wrote from the history; call inside a transaction.

    Raises:
        ValueError: rows of the batch changed later, or updated rows without earlier history.
    """
    with connection.cursor() as cursor:
        return sum(undo(cursor, model, batch_id=batch_id, user_id=user_id, reason=reason) for model in UNDO_MODELS)
