"""What the import page says after a commit: whether the scores include the batch's data.

The scores are recomputed by the nightly beat job (``config.celery.beat_schedule``) for every open
survey year; an administrator over the batch's regions may also start a recompute of the batch's
provinces at once (``indicators.views.recompute``, the page's button). Whether a run since the
commit includes the batch is the indicators app's to say: ``settings.TUOPIN_IMPORT_SCORES_STATE``
names the function that answers (``indicators.selectors.changes_in_scores``), so that this app does
not import the one to its right (layers: regions ← households ← indicators).
"""

import datetime as dt

from django.conf import settings
from django.utils.module_loading import import_string

from config.celery import nightly_recompute_every, nightly_recompute_next
from households.models import ImportBatch, SurveyPeriod
from households.selectors import import_batch_recompute_allowed
from regions.models import Level, Region

#: The note's states: no row changed; rows changed but none scored (households without surveys);
#: the published scores include the batch; a recompute since the commit is under way; neither yet.
UNCHANGED, UNSCORED, INCLUDED, RUNNING, PENDING = "unchanged", "unscored", "included", "running", "pending"


def import_scores_note(*, batch: ImportBatch, user, now: dt.datetime | None = None) -> dict | None:
    """The after-commit note of a committed batch (``None`` for any other status).

    Returns:
        ``state``: ``UNCHANGED`` (no row new or updated), ``UNSCORED`` (rows written, but in no
        survey year: households without surveys), ``INCLUDED`` (the current run of every year
        includes the batch), ``RUNNING`` (a run started after the commit is not published yet) or
        ``PENDING``; ``provinces``: names of the provinces it changed; ``periods``: the survey
        years it counts in (``commit.batch_periods``); ``closed``: those of them that are closed
        (the nightly job skips them); ``next``: when the nightly recompute fires next (aware,
        ``CELERY_TIMEZONE``) or ``None``, in ``zone``; ``every``: its interval in seconds when the
        schedule is one, else 0; ``can_recompute``: the user may press the recompute button
        (``selectors.import_batch_recompute_allowed``), and it would do something (``PENDING``).
    """
    if batch.status != ImportBatch.Status.COMMITTED:
        return None
    codes = batch.previous_rows.get("provinces", [])
    periods = batch.previous_rows.get("periods", [batch.period_id] if batch.period_id is not None else [])
    if not (batch.rows_new or batch.rows_updated):
        state = UNCHANGED
    elif not (codes and periods):
        state = UNSCORED
    else:
        states = set(_scores_state()(provinces=codes, periods=periods, since=batch.committed_at).values())
        state = INCLUDED if states == {INCLUDED} else RUNNING if RUNNING in states else PENDING
    names = dict(Region.objects.filter(code__in=codes, level=Level.PROVINCE).values_list("code", "name"))
    closed = SurveyPeriod.objects.filter(year__in=periods, status=SurveyPeriod.Status.CLOSED)
    return {
        "state": state,
        "provinces": [names.get(code, code) for code in codes],
        "periods": periods,
        "closed": list(closed.values_list("year", flat=True)),
        "next": nightly_recompute_next(now=now),
        "every": nightly_recompute_every(),
        "zone": settings.CELERY_TIMEZONE,
        "can_recompute": state == PENDING and import_batch_recompute_allowed(user=user, batch=batch),
    }


def _scores_state():
    """The function of ``settings.TUOPIN_IMPORT_SCORES_STATE``: ``(provinces, periods, since)`` →
    ``{year: "included" | "running" | "pending"}``."""
    return import_string(settings.TUOPIN_IMPORT_SCORES_STATE)
