"""Monitoring-status changes (DESIGN §4): the one service through which every path changes a status.

A household's monitoring status is "not monitored", one of the three monitored groups of the 2021
rules (ex-poor unstable, near-poor at risk, sudden severe hardship) or "risk eliminated". Each change
is a dated ``StatusChange`` (the household's status is its latest) and a change-log row.

Paths, the statuses each sets and who may take it (roles over the household's village, through an
assignment on it or a region above it; a superuser holds every role):

============  ==========================  ==================================  =====================================
path          sets                        roles                               taken by
============  ==========================  ==================================  =====================================
hand          not monitored, a monitored  data clerk, admin                   the household page's status route;
              group                                                           a households import (its rule:
                                                                              ``import_status_problems``)
verification  a monitored group           data clerk, county official, admin  the warning workflow's ``case_verify``
confirmation  risk eliminated             county official, admin              ``case_elimination_confirm`` only
============  ==========================  ==================================  =====================================

The confirmation's own rules (a proposal; income above the monitoring line for six months since
measures were first assigned; labour and the six guarantees; the proposer does not confirm) need the
warning case and the scores, which live in ``indicators`` and which this app may not import (layers:
regions ← households ← indicators). ``indicators.services.warnings.case_elimination_confirm`` checks
them in its transaction, then calls here with ``path=CONFIRMATION``; no other module passes that path
(``tests/households/test_status.py`` reads the source tree to hold it so). So "risk eliminated" is
reached only through the confirmation, and the roles of the status-changing steps are this module's
(``PATH_ROLES``, which the workflow's ``STEP_ROLES`` uses).

By hand, and by an import for an existing household, a monitored household may move to another
monitored group but not back to "not monitored": it leaves monitoring by risk elimination only.
An import may give a new household any status (the registry it comes from decided it).

Dates: not in the future (the local date); not before 1 January of the first survey year
(``FIRST_YEAR``), of the household's registration year, or of the warning case's survey period (the
workflow passes it); not before the household's latest status change (so the change recorded is the
latest, and its status the household's). The database refuses a date outside the survey years
(``statuschange_date_in_survey_years``). The admin shows the status read-only, and ``Household.save``
refuses a changed status not written here (``StatusWriteRefused``).
"""

import datetime as dt

import pandas as pd
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.formats import date_display
from households.models import FIRST_YEAR, Household, MonitoringStatus, StatusChange, StatusWriteRefused
from households.selectors import user_roles_over
from households.services.registry import _survey_periods, changes_mark
from regions.models import Role
from regions.selectors import WRITE_ROLES

HAND, VERIFICATION, CONFIRMATION = "hand", "verification", "confirmation"
#: The three monitored groups of the 2021 monitoring rules.
MONITORED = (MonitoringStatus.EX_POOR_UNSTABLE, MonitoringStatus.NEAR_POOR, MonitoringStatus.SUDDEN_HARDSHIP)
#: The statuses each path may set.
PATH_STATUSES = {
    HAND: (MonitoringStatus.NONE, *MONITORED),
    VERIFICATION: MONITORED,
    CONFIRMATION: (MonitoringStatus.RISK_ELIMINATED,),
}
#: The roles over the household's village that may take each path.
PATH_ROLES = {
    HAND: WRITE_ROLES,
    VERIFICATION: frozenset({Role.CLERK, Role.OFFICIAL, Role.ADMIN}),
    CONFIRMATION: frozenset({Role.OFFICIAL, Role.ADMIN}),
}

__all__ = [
    "CONFIRMATION",
    "HAND",
    "MONITORED",
    "PATH_ROLES",
    "PATH_STATUSES",
    "VERIFICATION",
    "StatusWriteRefused",
    "date_problem",
    "import_status_problems",
    "monitoring_status_change",
    "transition_problem",
]


def transition_problem(*, current: str, status: str, path: str = HAND) -> str | None:
    """Why ``path`` may not move a household from status ``current`` to ``status`` (None: it may).

    Returns:
        The message in the active language, or None.
    """
    if status == MonitoringStatus.RISK_ELIMINATED and path != CONFIRMATION:
        return _(
            "'Risk eliminated' is recorded only through the warning workflow: on the household's warning case, "
            "a county official or administrator confirms a proposed risk elimination once its rules are met."
        )
    if status not in PATH_STATUSES[path]:
        return _("Choose one of: %(choices)s.") % {
            "choices": ", ".join(str(MonitoringStatus(s).label) for s in PATH_STATUSES[path])
        }
    if path == HAND and current in MONITORED and status == MonitoringStatus.NONE:
        return _(
            "A monitored household (%(status)s) leaves monitoring only through the warning workflow, when its "
            "risk is eliminated; it is not set to 'not monitored' by hand."
        ) % {"status": MonitoringStatus(current).label}
    return None


def date_problem(*, on: dt.date, household: Household, period: int | None = None) -> str | None:
    """Why a status change of ``household`` may not be dated ``on`` (None: it may).

    Args:
        period: the survey year of the warning case the change comes from (the workflow), or None.
    """
    if on > timezone.localdate():
        return _("The date cannot be in the future.")
    bounds = [(dt.date(FIRST_YEAR, 1, 1), "first")]
    if period:
        bounds.append((dt.date(period, 1, 1), "case"))
    if household.registration_year:
        bounds.append((dt.date(household.registration_year, 1, 1), "registration"))
    earliest, which = max(bounds, key=lambda bound: bound[0])  # the first of equal bounds
    if on < earliest:
        messages = {
            "first": _("The date cannot be before %(date)s, the start of the first survey period."),
            "case": _("The date cannot be before %(date)s, the start of the case's survey period."),
            "registration": _("The date cannot be before %(date)s, the start of the household's registration year."),
        }
        return messages[which] % {"date": date_display(earliest)}
    changes = household.status_changes.order_by("-changed_on") if household.pk else StatusChange.objects.none()
    latest = changes.values_list("changed_on", flat=True).first()
    if latest is not None and on < latest:
        message = _("The date cannot be before the household's latest status change (%(date)s).")
        return message % {"date": date_display(latest)}
    return None


@transaction.atomic
def monitoring_status_change(
    *,
    household: Household,
    status: str,
    on: dt.date,
    reason: str,
    user,
    path: str = HAND,
    period: int | None = None,
) -> StatusChange:
    """Record a dated monitoring-status change of ``household``; its status becomes ``status``.

    Args:
        household: a household the caller found in the user's scope (locked here for the change).
        status: a ``MonitoringStatus`` value the path sets (``PATH_STATUSES``).
        on: the date of the change; reason: why (kept with it).
        user: who records it; their roles over the village must allow the path (``PATH_ROLES``).
        path: ``HAND`` (the status route), ``VERIFICATION`` (``case_verify``) or ``CONFIRMATION``
            (``case_elimination_confirm`` only, after the workflow's rules are checked).
        period: the warning case's survey year (the workflow's paths), bounding the date.
    Returns:
        The ``StatusChange``; the household's status, history and change log are written.
    Raises:
        PermissionDenied: the user's roles over the village do not allow the path.
        ValidationError: a status the path does not set, a refused transition or a date out of
            bounds (see the module's docstring); every problem in the message.
    """
    if not user_roles_over(user, household.region) & PATH_ROLES[path]:
        raise PermissionDenied(_("Your role over this village does not allow this status change."))
    locked = Household.objects.select_for_update().select_related("region").get(pk=household.pk)
    problems = [
        problem
        for problem in (
            transition_problem(current=locked.monitoring_status, status=status, path=path),
            date_problem(on=on, household=locked, period=period),
        )
        if problem
    ]
    if problems:
        raise ValidationError(problems)
    recorder = user if getattr(user, "is_authenticated", False) else None
    change = StatusChange(household=locked, status=status, changed_on=on, reason=reason or "", recorded_by=recorder)
    change.full_clean()
    change.save()
    if locked.monitoring_status != status:
        locked.monitoring_status, locked.import_batch = status, None  # an undo of its batch must refuse
        locked._status_by_service, locked._history_user = True, recorder
        locked.save(update_fields=["monitoring_status", "import_batch"])
    household.monitoring_status, household.import_batch_id = locked.monitoring_status, locked.import_batch_id
    household._stored_status = locked.monitoring_status
    changes_mark(province_code=locked.region.province_code, periods=_survey_periods(locked))
    return change


def import_status_problems(*, current: pd.Series, given: pd.Series) -> pd.Series:
    """The problem of each row's status cell in a households import (set-based), in English as the
    import reports are.

    Args:
        current: the stored status of the row's household (missing: a new household, which may come
            with any status); given: the file's status (missing: a blank cell, which keeps it).
    Returns:
        A message per row whose change the hand path refuses (``transition_problem``), else missing.
    """
    with translation.override("en"):
        table = {
            f"{old}>{new}": message
            for old in MonitoringStatus.values
            for new in MonitoringStatus.values
            if old != new and (message := transition_problem(current=old, status=new))
        }
    changed = current.notna() & given.notna() & (current != given)
    key = (current.astype(str) + ">" + given.astype(str)).where(changed)
    return key.map(table)
