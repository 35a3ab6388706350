"""Store, commit and undo import batches: all or nothing, history rows set-based, undo exact.

Flow (DESIGN §4): ``import_upload`` keeps the file and its validation report (nothing else is
written); ``import_commit`` validates the stored file again and, only when no row is rejected,
writes every new or changed row in one transaction, with history rows (bulk, carrying the batch id)
and a change-log row per province and period; ``import_undo`` restores the rows as they were.
"""

import datetime as dt
import hashlib
from decimal import Decimal

import pandas as pd
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from households import ids
from households.importing.columns import COLUMNS, KEYS
from households.importing.validate import Validation, import_validate
from households.models import (
    ChangeLog,
    Household,
    HouseholdSurvey,
    ImportBatch,
    Member,
    MemberStatus,
    SurveyPeriod,
    VillageSurvey,
)

_BATCH_SIZE = 2000
_MEMBER_FIELDS = ("name", "sex", "birth_date", "relation", "education", "labour_capacity")
_STATUS_FIELDS = ("present", "age", "in_school", "health", "employment", "months_away", "medical_insurance")


class ImportRejected(Exception):
    """The batch cannot be committed or undone; ``str()`` says why."""


def import_upload(
    *, data: bytes, filename: str, kind: str, period: int, user, sheet: str | None = None, mapping: str = ""
) -> tuple[ImportBatch, Validation]:
    """Validate a file and keep it with its report (status ``validated`` or ``rejected``).

    Nothing but the batch row and the stored file is written: this is the dry run.
    """
    validation = import_validate(data=data, filename=filename, kind=kind, period=period, user=user, sheet=sheet)
    SurveyPeriod.objects.get_or_create(year=period)
    batch = ImportBatch(
        kind=kind,
        period_id=period,
        original_name=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=validation.encoding,
        mapping=mapping,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    _record(batch, validation)
    batch.file.save(f"{batch.sha256[:16]}-{kind}{_suffix(filename)}", ContentFile(data), save=False)
    batch.save()
    return batch, validation


def _suffix(filename: str) -> str:
    return ".xlsx" if filename.lower().endswith((".xlsx", ".xlsm")) else ".csv"


def _record(batch: ImportBatch, validation: Validation) -> None:
    batch.report = validation.report()
    batch.rows_new, batch.rows_updated = validation.new, validation.updated
    batch.rows_unchanged, batch.rows_rejected = validation.unchanged, validation.rejected
    if validation.problems:
        batch.status = ImportBatch.Status.REJECTED


def import_commit(*, batch: ImportBatch, user) -> Validation:
    """Validate the stored file again and write it in one transaction, or write nothing.

    Raises:
        ImportRejected: the batch is not in the ``validated`` state, or rows are rejected now.
    """
    if batch.status != ImportBatch.Status.VALIDATED:
        raise ImportRejected(f"batch {batch.pk} is {batch.status}; only a validated batch can be committed")
    with batch.file.open("rb") as handle:
        data = handle.read()
    validation = import_validate(
        data=data, filename=batch.original_name, kind=batch.kind, period=batch.period_id, user=user
    )
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        _record(batch, validation)
        if validation.problems:
            batch.save()
            raise ImportRejected(f"{validation.rejected} row(s) rejected on commit; nothing was written")
        rows = validation.rows.loc[[i for i, s in validation.status_of_row.items() if s != "unchanged"]]
        reason = f"import batch {batch.pk}"
        snapshots = _WRITERS[batch.kind](rows, batch, user, reason)
        provinces = sorted({p for p in rows.get("_province", pd.Series(dtype=object)).dropna()})
        ChangeLog.objects.bulk_create(
            [
                ChangeLog(
                    province_code=p, period_id=batch.period_id, source=ChangeLog.Source.IMPORT, import_batch=batch
                )
                for p in provinces
            ]
        )
        batch.status = ImportBatch.Status.COMMITTED
        batch.committed_at = timezone.now()
        batch.previous_rows = {"tables": snapshots, "provinces": provinces}
        batch.save()
    return validation


def _values(row: pd.Series, fields) -> dict:
    out = {}
    for name in fields:
        if name in row.index:
            value = row[name]
            out[name] = None if (not isinstance(value, list) and pd.isna(value)) else value
    return out


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _upsert(model, keyed_rows: dict, existing: dict, batch, user, reason: str) -> dict:
    """Create missing rows and update present ones; returns the undo snapshot of the table."""
    created = [model(**values, import_batch=batch) for key, values in keyed_rows.items() if key not in existing]
    updated, previous, fields = [], [], {"import_batch"}
    for key, values in keyed_rows.items():
        obj = existing.get(key)
        if obj is None:
            continue
        previous.append(
            {"pk": obj.pk, "import_batch": obj.import_batch_id, **{f: _jsonable(getattr(obj, f)) for f in values}}
        )
        for name, value in values.items():
            setattr(obj, name, value)
        obj.import_batch = batch
        fields.update(values)
        updated.append(obj)
    bulk_create_with_history(created, model, batch_size=_BATCH_SIZE, default_user=user, default_change_reason=reason)
    if updated:
        bulk_update_with_history(
            updated, model, sorted(fields), batch_size=_BATCH_SIZE, default_user=user, default_change_reason=reason
        )
    return {"model": model._meta.label, "created": [o.pk for o in created], "updated": previous}


def _field_names(kind: str) -> list[str]:
    return [c.field for c in COLUMNS[kind] if c.field not in KEYS[kind]]


def _write_households(rows, batch, user, reason):
    fields = [f for f in _field_names("households") if f in rows.columns and f != "village_code"]
    keyed = {}
    for _, row in rows.iterrows():
        values = {k: v for k, v in _values(row, fields).items() if v is not None or k == "exit_year"}
        values["region_id"] = int(row["_region_id"])
        values["registry_number"] = row["registry_number"]
        keyed[row["registry_number"]] = values
    existing = Household.objects.in_bulk(list(keyed), field_name="registry_number")
    return [_upsert(Household, keyed, existing, batch, user, reason)]


def _write_members(rows, batch, user, reason):
    member_rows, status_rows = {}, {}
    for _, row in rows.iterrows():
        key = (int(row["_household_id"]), int(row["member_no"]))
        values = {k: v for k, v in _values(row, _MEMBER_FIELDS).items() if v is not None or k == "birth_date"}
        values = {k: ("" if v is None and k != "birth_date" else v) for k, v in values.items()}
        resident_id = row.get("resident_id")
        if isinstance(resident_id, str) and resident_id:
            values.update(
                resident_id_encrypted=ids.id_encrypt(resident_id),
                resident_id_hash=row["_id_hash"],
                resident_id_masked=ids.id_mask(resident_id),
            )
        member_rows[key] = {"household_id": key[0], "member_no": key[1], **values}
        status_rows[key] = {k: v for k, v in _values(row, _STATUS_FIELDS).items() if v is not None}
    existing = {
        (m.household_id, m.member_no): m for m in Member.objects.filter(household_id__in={k[0] for k in member_rows})
    }
    snapshots = [_upsert(Member, member_rows, existing, batch, user, reason)]
    members = {
        (m.household_id, m.member_no): m.pk for m in Member.objects.filter(household_id__in={k[0] for k in member_rows})
    }
    keyed = {members[k]: {"member_id": members[k], "period_id": batch.period_id, **v} for k, v in status_rows.items()}
    existing_status = {
        s.member_id: s for s in MemberStatus.objects.filter(member_id__in=list(keyed), period_id=batch.period_id)
    }
    snapshots.append(_upsert(MemberStatus, keyed, existing_status, batch, user, reason))
    return snapshots


def _write_household_surveys(rows, batch, user, reason):
    fields = [f for f in _field_names("household-surveys") if f in rows.columns]
    keyed = {}
    for _, row in rows.iterrows():
        values = _values(row, fields)
        values = {
            k: v for k, v in values.items() if v is not None or k in ("equivalence_scale",) or k.endswith("secure")
        }
        keyed[int(row["_household_id"])] = {
            "household_id": int(row["_household_id"]),
            "period_id": batch.period_id,
            **values,
        }
    existing = {
        s.household_id: s
        for s in HouseholdSurvey.objects.filter(household_id__in=list(keyed), period_id=batch.period_id)
    }
    return [_upsert(HouseholdSurvey, keyed, existing, batch, user, reason)]


def _write_village_surveys(rows, batch, user, reason):
    fields = [f for f in _field_names("village-surveys") if f in rows.columns]
    keyed = {}
    for _, row in rows.iterrows():
        values = {k: v for k, v in _values(row, fields).items() if v is not None}
        keyed[int(row["_region_id"])] = {"region_id": int(row["_region_id"]), "period_id": batch.period_id, **values}
    existing = {
        s.region_id: s for s in VillageSurvey.objects.filter(region_id__in=list(keyed), period_id=batch.period_id)
    }
    return [_upsert(VillageSurvey, keyed, existing, batch, user, reason)]


_WRITERS = {
    "households": _write_households,
    "members": _write_members,
    "household-surveys": _write_household_surveys,
    "village-surveys": _write_village_surveys,
}


def _restore(model, previous_rows: list[dict], user, reason: str) -> None:
    """Put back the field values recorded before a batch (history rows written in bulk)."""
    objs = model.objects.in_bulk([p["pk"] for p in previous_rows])
    fields: set[str] = set()
    for previous in previous_rows:
        obj = objs[previous["pk"]]
        for name, value in previous.items():
            if name == "pk":
                continue
            if name == "import_batch":
                obj.import_batch_id = value
            else:
                field = model._meta.get_field(name)
                setattr(obj, name, value if isinstance(field, models.JSONField) else field.to_python(value))
            fields.add(name)
    if objs:
        bulk_update_with_history(
            list(objs.values()),
            model,
            sorted(fields),
            batch_size=_BATCH_SIZE,
            default_user=user,
            default_change_reason=reason,
        )


def import_undo(*, batch: ImportBatch, user) -> None:
    """Restore every row a committed batch wrote to its state before the batch.

    Raises:
        ImportRejected: the batch is not committed, or a later write changed its rows.
    """
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportBatch.Status.COMMITTED:
            raise ImportRejected(f"batch {batch.pk} is {batch.status}; only a committed batch can be undone")
        tables = batch.previous_rows.get("tables", [])
        reason = f"undo import batch {batch.pk}"
        for table in tables:
            model = apps.get_model(table["model"])
            pks = table["created"] + [r["pk"] for r in table["updated"]]
            changed_later = model.objects.filter(pk__in=pks).exclude(import_batch=batch).count()
            if changed_later:
                raise ImportRejected(
                    f"{changed_later} row(s) of batch {batch.pk} were changed later; undo those changes first"
                )
        for table in reversed(tables):
            model = apps.get_model(table["model"])
            _restore(model, table["updated"], user, reason)
            for obj in model.objects.filter(pk__in=table["created"]):
                obj._change_reason = reason
                obj.delete()
        ChangeLog.objects.bulk_create(
            [
                ChangeLog(province_code=p, period_id=batch.period_id, source=ChangeLog.Source.UNDO, import_batch=batch)
                for p in batch.previous_rows.get("provinces", [])
            ]
        )
        batch.status = ImportBatch.Status.UNDONE
        batch.undone_at = timezone.now()
        batch.save()
