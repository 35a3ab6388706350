"""The parsed rows of a dry run, kept on PostgreSQL until the batch is committed.

The upload parses and checks the whole file (``fast.fast_stage``); when it finds no problem the
parsed rows stay in an UNLOGGED table named after the batch (``import_kept_<batch id>``). The commit
then skips parsing the file a second time: if the stored file still has the sha256 of the upload and
the table is there, it repeats only the checks that depend on the database (the household or village
exists, the user's scope) on the kept rows, in the commit's transaction (``fast.kept_stage``).
Otherwise (another server, a crash emptied the unlogged table, the table expired) the commit
validates the file again from scratch.

UNLOGGED: the rows are a cache of the file, which is stored; they need no WAL. A table is dropped
by the commit that uses it, and at each upload the tables of batches that are no longer waiting
(committed, rejected, deleted) or older than ``TUOPIN_IMPORT_KEPT_HOURS`` are dropped.
"""

import datetime as dt
import time
import uuid

from django.conf import settings
from django.db import connection
from django.utils import timezone

from households.models import ImportBatch

PREFIX = "import_kept_"


def kept_name() -> str:
    """A fresh table name for a dry run's rows (renamed by ``kept_attach`` once the batch exists)."""
    return f"{PREFIX}new_{int(time.time())}_{uuid.uuid4().hex[:12]}"


def kept_attach(*, name: str, batch_id: int) -> None:
    """Name the kept rows of a dry run after its batch (if ``kept_expire`` has not dropped them)."""
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE IF EXISTS {name} RENAME TO {PREFIX}{int(batch_id)}")


def kept_table(*, batch_id: int) -> str | None:
    """The kept rows of a batch, or ``None`` (other database, never kept, dropped, emptied by a crash)."""
    if connection.vendor != "postgresql":
        return None
    name = f"{PREFIX}{int(batch_id)}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {name})")
        return name if cursor.fetchone()[0] else None


def kept_drop(*, name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")


def kept_expire() -> None:
    """Drop the kept rows no commit will use: the batch is gone, no longer validated, or too old."""
    if connection.vendor != "postgresql":
        return
    hours = float(getattr(settings, "TUOPIN_IMPORT_KEPT_HOURS", 24))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relpersistence = 'u' AND relname LIKE %s",
            [PREFIX.replace("_", r"\_") + "%"],
        )
        names = [name for (name,) in cursor.fetchall()]
    waiting = set(
        ImportBatch.objects.filter(
            status=ImportBatch.Status.VALIDATED, created_at__gte=timezone.now() - dt.timedelta(hours=hours)
        ).values_list("pk", flat=True)
    )
    cutoff = time.time() - 3600 * hours
    for name in names:
        suffix = name.removeprefix(PREFIX)
        if suffix.isdigit() and int(suffix) in waiting:
            continue
        started = suffix.removeprefix("new_").partition("_")[0]
        if suffix.startswith("new_") and started.isdigit() and int(started) >= cutoff:
            continue  # an upload in progress: attached to its batch once the batch is saved
        kept_drop(name=name)
