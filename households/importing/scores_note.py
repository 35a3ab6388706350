"""What the import page says after a commit: when the scores will include the batch's data.

The scores are recomputed by the nightly beat job (``config.celery.beat_schedule``) for every open
survey year; an administrator over the batch's regions may also start a recompute of the batch's
provinces at once (``indicators.views.recompute``, the page's button).
"""

import datetime as dt

from django.conf import settings

from config.celery import nightly_recompute_every, nightly_recompute_next
from households.models import ImportBatch, SurveyPeriod
from households.selectors import import_batch_recompute_allowed
from regions.models import Level, Region


def import_scores_note(*, batch: ImportBatch, user, now: dt.datetime | None = None) -> dict | None:
    """The after-commit note of a committed batch (``None`` for any other status).

    Returns:
        ``changed``: whether the commit changed any row (else the scores stay as they are);
        ``provinces``: names of the provinces it changed; ``periods``: the survey years it counts
        in (``commit.batch_periods``); ``closed``: those of them that are closed (the nightly job
        skips them); ``next``: when the nightly recompute fires next (aware, ``CELERY_TIMEZONE``)
        or ``None``, in ``zone``; ``every``: its interval in seconds when the schedule is one, else 0;
        ``can_recompute``: the user may press the recompute button
        (``selectors.import_batch_recompute_allowed``).
    """
    if batch.status != ImportBatch.Status.COMMITTED:
        return None
    codes = batch.previous_rows.get("provinces", [])
    periods = batch.previous_rows.get("periods", [batch.period_id] if batch.period_id is not None else [])
    names = dict(Region.objects.filter(code__in=codes, level=Level.PROVINCE).values_list("code", "name"))
    closed = SurveyPeriod.objects.filter(year__in=periods, status=SurveyPeriod.Status.CLOSED)
    return {
        "changed": bool(codes and periods),
        "provinces": [names.get(code, code) for code in codes],
        "periods": periods,
        "closed": list(closed.values_list("year", flat=True)),
        "next": nightly_recompute_next(now=now),
        "every": nightly_recompute_every(),
        "zone": settings.CELERY_TIMEZONE,
        "can_recompute": bool(codes and periods) and import_batch_recompute_allowed(user=user, batch=batch),
    }
