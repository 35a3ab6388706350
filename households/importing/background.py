"""Large uploads: refused over one size limit, validated in a Celery task over another (issue 13).

``import_upload_start`` is what the import form and the API call. An upload larger than
``TUOPIN_IMPORT_ASYNC_BYTES`` is kept as a batch with status ``validating`` (nothing else is
written) and ``households.tasks.import_validate_batch`` is sent once that batch is committed; a
smaller one is validated in the request (``commit.import_upload``). The task (``batch_validate``)
reads the kept file, records on the batch how many rows it has read (``batch_progress``: what the
import page's progress bar and the API show) and leaves the batch ``validated`` or ``rejected``,
exactly as a dry run in the request would; asked to (the API without ``dry_run``), it then commits
a batch without problems.

A batch whose task never finished (its worker was killed) stays ``validating`` until the task's
hard time limit has passed; ``batch_progress`` then records it as rejected, saying so.
"""

import contextlib
import datetime as dt
import hashlib
import logging
import time

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation

from households.importing.commit import ImportRejected, _record, _suffix, import_commit, import_upload
from households.importing.kept import kept_attach, kept_drop, kept_expire, kept_name
from households.importing.messages import msg
from households.importing.originals import original_read, original_save
from households.importing.validate import Problem, Validation, import_validate
from households.models import ImportBatch, SurveyPeriod
from households.selectors import import_scope_paths

log = logging.getLogger(__name__)

#: Seconds between two progress writes of a task (the page polls every two seconds).
PROGRESS_SECONDS = 1.0


def upload_limit_mb() -> str:
    """``TUOPIN_IMPORT_MAX_UPLOAD_BYTES`` in MB, as the refusal says it ("200", "1.5")."""
    return f"{settings.TUOPIN_IMPORT_MAX_UPLOAD_BYTES / 2**20:,.1f}".removesuffix(".0")


def upload_too_large(size: int) -> bool:
    """Whether an upload of ``size`` bytes is over ``TUOPIN_IMPORT_MAX_UPLOAD_BYTES`` (the form and the
    API refuse it with ``_("Larger than %(mb)s MB; split the file.")``)."""
    return size > settings.TUOPIN_IMPORT_MAX_UPLOAD_BYTES


def import_upload_start(
    *, data: bytes, filename: str, kind: str, period: int | None, user, sheet: str | None = None, commit: bool = False
) -> tuple[ImportBatch, Validation | None]:
    """Validate an upload now, or keep it for the validation task when it is large.

    Args:
        data, filename, kind, period, user, sheet: as ``commit.import_upload``.
        commit: commit the batch once it is validated without problems (done by the caller for a
            small upload, by the task for a large one).

    Returns:
        ``(batch, validation)`` for an upload validated now (``commit.import_upload``); ``(batch,
        None)`` for one left to the task: the batch is ``validating`` and the task is sent when the
        caller's transaction commits (at once outside a transaction; run in-process when Celery has
        no broker, ``CELERY_TASK_ALWAYS_EAGER``).
    """
    if len(data) <= settings.TUOPIN_IMPORT_ASYNC_BYTES:
        return import_upload(data=data, filename=filename, kind=kind, period=period, user=user, sheet=sheet)
    from households.tasks import import_validate_batch  # the task module imports this one

    if period is not None:  # a households file may come without a year
        SurveyPeriod.objects.get_or_create(year=period)
    batch = ImportBatch(
        kind=kind,
        period_id=period,
        original_name=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        status=ImportBatch.Status.VALIDATING,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        scope_paths=import_scope_paths(user),  # batch actions need this scope later (finding 7)
    )
    original_save(batch, data, name=f"{batch.sha256[:16]}-{kind}{_suffix(filename)}")
    batch.save()
    arguments = {"sheet": sheet, "language": translation.get_language(), "commit": commit}
    transaction.on_commit(lambda: import_validate_batch.delay(batch.pk, **arguments))
    return batch, None


class _Progress:
    """Writes the rows read to the batch row, at most every ``PROGRESS_SECONDS`` (and the last)."""

    def __init__(self, batch_id: int):
        self.batch_id = batch_id
        self.written = 0.0
        self.done, self.total = 0, None

    def __call__(self, done: int, total: int | None) -> None:
        self.done, self.total = done, total
        now = time.monotonic()
        if now - self.written >= PROGRESS_SECONDS or (total is not None and done >= total):
            self.written = now
            ImportBatch.objects.filter(pk=self.batch_id, status=ImportBatch.Status.VALIDATING).update(
                progress_done=done, progress_total=total
            )


def batch_validate(*, batch_id: int, sheet: str | None = None, language: str | None = None, commit: bool = False):
    """The validation task's work: validate a ``validating`` batch's file and record the outcome.

    Does nothing for a batch that is no longer ``validating`` (a task delivered twice) or gone.
    A file the reader refuses (rows, columns, unpacked size), a check that runs past the task's soft
    time limit, a file no longer stored or an unexpected error leaves the batch ``rejected`` with
    the reason as its one problem. Messages are in ``language`` (the uploader's).
    """
    batch = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.VALIDATING).first()
    if batch is None:
        return
    progress = _Progress(batch_id)
    keep = ""
    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            data = original_read(batch)
            kept_expire()
            keep = kept_name() if connection.vendor == "postgresql" else ""
            validation = import_validate(
                data=data,
                filename=batch.original_name,
                kind=batch.kind,
                period=batch.period_id,
                user=batch.uploaded_by,
                sheet=sheet,
                keep=keep,
                progress=progress,
            )
        except SoftTimeLimitExceeded:
            minutes = settings.TUOPIN_IMPORT_TASK_SOFT_TIME_LIMIT // 60
            validation = _failed(batch, msg("check_too_long", minutes=minutes))
        except FileNotFoundError:
            validation = _failed(batch, msg("check_file_gone"))
        except Exception as error:  # the batch must not stay 'validating'; no cell data in the log
            log.error("import batch %s: the check failed (%s)", batch_id, type(error).__name__)
            validation = _failed(batch, msg("check_failed"))
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None or batch.status != ImportBatch.Status.VALIDATING:
            if validation.kept:
                kept_drop(name=validation.kept)
            return
        _record(batch, validation)
        if not validation.problems:
            batch.status = ImportBatch.Status.VALIDATED
        batch.progress_total = progress.total if progress.total is not None else progress.done
        batch.progress_done = batch.progress_total
        batch.save()
        if validation.kept:
            kept_attach(name=validation.kept, batch_id=batch.pk)
    if commit and batch.status == ImportBatch.Status.VALIDATED:
        with contextlib.suppress(ImportRejected):  # when rejected, the batch says so, with the report
            import_commit(batch=batch, user=batch.uploaded_by)


def _failed(batch: ImportBatch, message: str) -> Validation:
    validation = Validation(kind=batch.kind, period=batch.period_id)
    validation.problems.append(Problem.of(0, "", "", message))
    return validation


def batch_progress(batch: ImportBatch) -> dict:
    """What the import page and the API show of a batch's check: ``status``, rows ``done`` of
    ``total`` (``None``: not known yet) and ``finished`` (the check is over, whatever its outcome).

    A batch still ``validating`` after the task's hard time limit (its worker was killed) is
    recorded as rejected first, saying so.
    """
    if batch.status == ImportBatch.Status.VALIDATING:
        limit = dt.timedelta(seconds=settings.TUOPIN_IMPORT_TASK_TIME_LIMIT + 60)
        if batch.created_at and timezone.now() - batch.created_at > limit:
            report = _failed(batch, msg("check_unfinished")).report()
            stalled = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.VALIDATING)
            stalled.update(status=ImportBatch.Status.REJECTED, report=report)
            batch.refresh_from_db()
    return {
        "status": batch.status,
        "done": batch.progress_done,
        "total": batch.progress_total,
        "finished": batch.status != ImportBatch.Status.VALIDATING,
    }
