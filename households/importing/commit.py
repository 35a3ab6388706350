"""Store, commit and undo import batches: all or nothing, history rows set-based, undo exact.

Flow (DESIGN §4): ``import_upload`` keeps the file and its validation report (nothing else is
written, but for the parsed rows of a PostgreSQL dry run, see ``kept``); ``import_commit`` validates
again (the kept rows against the database, or the stored file from scratch) and, only when no row is rejected,
writes every new or changed row in one transaction, with history rows (bulk, carrying the batch id)
and a change-log row per province and period; ``import_undo`` restores the rows as they were.
"""

import hashlib

import pandas as pd
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from households.importing.apply import batch_undo, rows_write
from households.importing.engine import STAGE, write
from households.importing.fast import kept_stage
from households.importing.kept import kept_attach, kept_drop, kept_expire, kept_name, kept_table
from households.importing.originals import OriginalGone, original_read, original_save
from households.importing.validate import Validation, fast_validation, import_validate, staged_validation
from households.models import (
    ChangeLog,
    HouseholdSurvey,
    ImportBatch,
    SurveyPeriod,
)
from households.selectors import import_scope_paths

_BATCH_SIZE = 2000
_MEMBER_FIELDS = ("name", "sex", "birth_date", "relation", "education", "labour_capacity")
_STATUS_FIELDS = ("present", "age", "in_school", "health", "employment", "months_away", "medical_insurance")


class ImportRejected(Exception):
    """The batch cannot be committed or undone; ``str()`` says why."""


class ImportConflict(ImportRejected):
    """The batch is no longer in the state the action needs (another commit or undo of it got there
    first); the API answers 409, the page shows the message."""


def import_upload(
    *, data: bytes, filename: str, kind: str, period: int | None, user, sheet: str | None = None, mapping: str = ""
) -> tuple[ImportBatch, Validation]:
    """Validate a file and keep it with its report (status ``validated`` or ``rejected``).

    Nothing but the batch row and the stored file is written: this is the dry run. On PostgreSQL the
    parsed rows of a file without problems are kept for the commit (``kept``).
    """
    kept_expire()
    keep = kept_name() if connection.vendor == "postgresql" else ""
    validation = import_validate(
        data=data, filename=filename, kind=kind, period=period, user=user, sheet=sheet, keep=keep
    )
    if period is not None:  # a households file may come without a year
        SurveyPeriod.objects.get_or_create(year=period)
    batch = ImportBatch(
        kind=kind,
        period_id=period,
        original_name=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=validation.encoding,
        mapping=mapping,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        scope_paths=import_scope_paths(user),
    )
    _record(batch, validation)
    original_save(batch, data, name=f"{batch.sha256[:16]}-{kind}{_suffix(filename)}")
    batch.save()
    if validation.kept:
        kept_attach(name=validation.kept, batch_id=batch.pk)
    return batch, validation


def _suffix(filename: str) -> str:
    return ".xlsx" if filename.lower().endswith((".xlsx", ".xlsm")) else ".csv"


def _record(batch: ImportBatch, validation: Validation) -> None:
    earlier = (batch.report or {}).get("preview")
    batch.report = validation.report()
    if validation.preview is None and earlier is not None:  # a commit of kept rows parses nothing
        batch.report["preview"] = earlier
    batch.rows_new, batch.rows_updated = validation.new, validation.updated
    batch.rows_unchanged, batch.rows_rejected = validation.unchanged, validation.rejected
    if validation.problems:
        batch.status = ImportBatch.Status.REJECTED


def import_commit(*, batch: ImportBatch, user) -> Validation:
    """Validate the stored file again and write it in one transaction, or write nothing.

    Every path re-reads the batch's status under its row lock (``select_for_update``) before it
    writes, so of concurrent commits of one batch exactly one commits; the others get
    ``ImportConflict``.

    Raises:
        ImportConflict: the batch is not (or no longer) in the ``validated`` state.
        ImportRejected: rows are rejected now, or the uploaded file is no longer kept.
    """
    if batch.status != ImportBatch.Status.VALIDATED:
        raise ImportConflict(_conflict_message(batch.pk, batch.status))
    try:
        data = original_read(batch)
    except OriginalGone as error:
        raise ImportRejected(str(error)) from error
    if getattr(settings, "TUOPIN_IMPORT_FAST_PATH", True):
        validation = _commit_kept(batch, user, data)
        if validation is not None:
            return _rejected_or(validation)
        with transaction.atomic():
            staged = fast_validation(
                data=data, filename=batch.original_name, kind=batch.kind, period=batch.period_id, user=user
            )
            if staged is not None:
                validation = _commit_staged(batch, user, *staged)
        if staged is not None:
            return _rejected_or(validation)
    validation = import_validate(
        data=data, filename=batch.original_name, kind=batch.kind, period=batch.period_id, user=user
    )
    with transaction.atomic():
        batch = _locked_validated(batch.pk)
        _record(batch, validation)
        if validation.problems:
            batch.save()  # the rejection is recorded; the error is raised once the transaction ends
        else:
            rows = validation.rows.loc[[i for i, s in validation.status_of_row.items() if s != "unchanged"]]
            reason = f"import batch {batch.pk}"
            rows_write(batch.kind, rows, batch.period_id, batch_id=batch.pk, user_id=_user_id(user), reason=reason)
            _committed(batch, sorted({p for p in rows.get("_province", pd.Series(dtype=object)).dropna()}))
    return _rejected_or(validation)


def _locked_validated(pk: int) -> ImportBatch:
    """The batch row, locked until the transaction ends, still ``validated``.

    Raises:
        ImportConflict: it is not (a concurrent commit got the lock first).
    """
    batch = ImportBatch.objects.select_for_update().get(pk=pk)
    if batch.status != ImportBatch.Status.VALIDATED:
        raise ImportConflict(_conflict_message(pk, batch.status))
    return batch


def _conflict_message(pk: int, status: str) -> str:
    return _("Import %(id)s is %(status)s: only a validated import can be committed.") % {
        "id": pk,
        "status": ImportBatch.Status(status).label,
    }


def _rejected_or(validation: Validation) -> Validation:
    """Raise ``ImportRejected`` for a validation with problems (its batch row is already saved)."""
    if validation.problems:
        raise ImportRejected(
            ngettext(
                "%(count)s row rejected on commit; nothing was written",
                "%(count)s rows rejected on commit; nothing was written",
                validation.rejected,
            )
            % {"count": validation.rejected}
        )
    return validation


def _committed(batch: ImportBatch, provinces: list[str]) -> None:
    periods = batch_periods(batch) if provinces else []
    ChangeLog.objects.bulk_create(
        [
            ChangeLog(province_code=p, period_id=year, source=ChangeLog.Source.IMPORT, import_batch=batch)
            for p in provinces
            for year in periods
        ]
    )
    batch.status = ImportBatch.Status.COMMITTED
    batch.committed_at = timezone.now()
    batch.previous_rows = {"provinces": provinces, "periods": periods}
    batch.save()


def batch_periods(batch: ImportBatch) -> list[int]:
    """The survey years a batch's rows count in (what its commit and its undo mark for the recompute):
    its year, and every year of a survey of a household the batch wrote or of which it wrote a member.
    A household's registration year or a member's labour capacity counts in each year the household
    is scored, as a household saved by hand marks the years of its surveys (``registry.changes_in``).
    """
    years = set(
        HouseholdSurvey.objects.filter(household__import_batch=batch).values_list("period_id", flat=True)
    ) | set(HouseholdSurvey.objects.filter(household__members__import_batch=batch).values_list("period_id", flat=True))
    if batch.period_id is not None:
        years.add(batch.period_id)
    return sorted(years)


def _commit_kept(batch: ImportBatch, user, data: bytes) -> Validation | None:
    """Commit the rows kept by the dry run, checked again against the database; ``None`` when
    there are none or the stored file is not the one validated (then the file is validated again)."""
    with transaction.atomic():
        _locked_validated(batch.pk)  # one commit of a batch at a time
        table = kept_table(batch_id=batch.pk)
        if table is None or hashlib.sha256(data).hexdigest() != batch.sha256:
            return None
        header_line = data.partition(b"\n")[0].decode(batch.encoding or "utf-8")
        staged = kept_stage(table=table, header_line=header_line, kind=batch.kind, period=batch.period_id, user=user)
        if staged is None:
            return None
        problems, counts, provinces, target = staged
        validation = staged_validation(
            kind=batch.kind, period=batch.period_id, encoding=batch.encoding, problems=problems, counts=counts
        )
        validation = _commit_staged(batch, user, validation, target, provinces)
        kept_drop(name=table)
    return validation


def _commit_staged(batch: ImportBatch, user, validation: Validation, target, provinces: list[str]) -> Validation:
    """Commit the rows the PostgreSQL path left in the staging table (inside its transaction).

    Raises:
        ImportConflict: the batch was committed meanwhile (checked under the row lock).
    """
    batch = _locked_validated(batch.pk)
    _record(batch, validation)
    with connection.cursor() as cursor:
        if not validation.problems:
            write(cursor, target, batch_id=batch.pk, user_id=_user_id(user), reason=f"import batch {batch.pk}")
        cursor.execute(f"DROP TABLE {STAGE}")
    if validation.problems:
        batch.save()
    else:
        _committed(batch, provinces)
    return validation


def _writer(kind: str):
    def run(rows, batch, user, reason) -> None:
        rows_write(kind, rows, batch.period_id, batch_id=batch.pk, user_id=_user_id(user), reason=reason)

    return run


#: Set-based writers by kind: ``(rows, batch, user, reason)``; used by the commit and the mapping import.
_WRITERS = {kind: _writer(kind) for kind in ("households", "members", "household-surveys", "village-surveys")}


def _user_id(user) -> int | None:
    return user.pk if getattr(user, "is_authenticated", False) else None


def import_undo(*, batch: ImportBatch, user) -> None:
    """Restore every row a committed batch wrote to its state before the batch (from the history).

    Raises:
        ImportRejected: the batch is not committed, or a later write changed its rows.
    """
    try:
        _undo(batch, user)
    except IntegrityError as error:  # e.g. members or surveys added later to households of the batch
        raise ImportRejected(
            _(
                "Import %(id)s cannot be undone: later data (members, surveys, status changes) refer to its rows; "
                "undo or delete those first."
            )
            % {"id": batch.pk}
        ) from error


def _undo(batch: ImportBatch, user) -> None:
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportBatch.Status.COMMITTED:
            raise ImportConflict(
                _("Import %(id)s is %(status)s: only a committed import can be undone.")
                % {"id": batch.pk, "status": ImportBatch.Status(batch.status).label}
            )
        try:
            batch_undo(batch_id=batch.pk, user_id=_user_id(user), reason=f"undo import batch {batch.pk}")
            connection.check_constraints()  # foreign keys now, not at the end of the transaction
        except ValueError as error:
            raise ImportRejected(
                _("Import %(id)s cannot be undone: %(reason)s; undo the later changes first.")
                % {"id": batch.pk, "reason": error}
            ) from error
        ChangeLog.objects.bulk_create(
            [
                ChangeLog(province_code=p, period_id=year, source=ChangeLog.Source.UNDO, import_batch=batch)
                for p in batch.previous_rows.get("provinces", [])
                for year in batch.previous_rows.get("periods", [batch.period_id])
                if year is not None
            ]
        )
        batch.status = ImportBatch.Status.UNDONE
        batch.undone_at = timezone.now()
        batch.save()
