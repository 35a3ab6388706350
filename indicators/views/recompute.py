"""The import page's "recompute now" button (administrators only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from households.models import ImportBatch
from households.selectors import import_batch_get, import_batch_recompute_allowed
from indicators.services.recompute_now import batch_recompute_start


@login_required
@require_POST
def import_recompute(request, pk: int):
    """Recompute the scores of the provinces a committed batch changed, now, for its survey years.

    404 for a batch the user may not act on (``import_batch_get``); 403 for a clerk or anyone but a
    superuser or an administrator over the batch's regions. The runs go to the Celery workers; the
    page says which started.
    """
    batch = import_batch_get(user=request.user, pk=pk)
    if not import_batch_recompute_allowed(user=request.user, batch=batch):
        raise PermissionDenied(_("Only administrators of these regions may start a recompute."))
    if batch.status != ImportBatch.Status.COMMITTED:
        messages.error(request, _("Only a committed import can be recomputed."))
        return redirect("households:import-detail", pk=pk)
    runs, problems = batch_recompute_start(batch=batch)
    for run in runs:
        messages.success(
            request,
            _("Recompute %(run)s of %(year)s started: the scores include this import when it is published.")
            % {"run": run.pk, "year": run.period_id},
        )
    for problem in problems:
        messages.error(request, problem)
    if not runs and not problems:
        messages.info(request, _("Nothing to recompute: no surveys of these years in the provinces changed."))
    return redirect("households:import-detail", pk=pk)
