"""The warning workflow of DESIGN §4 (writes; the inbox's reads are in ``indicators.warnings_data``).

Workflow: flagged → verified by the village → assistance measures assigned → risk elimination
proposed → risk eliminated (confirmed). Each step is a dated ``WarningStep`` with its actor and a
note; the case's state changes are kept by django-simple-history, and every change of the
household's monitoring status goes through ``households.services.status.monitoring_status_change``
(a ``StatusChange`` row and a change-log row; its roles and date bounds): the verification by its
``VERIFICATION`` path, the confirmation by its ``CONFIRMATION`` path, which only this module takes,
after checking the rules below. The household page's status route cannot record "risk eliminated".

Who may take a step (DESIGN §2 roles, over the household's village, through an assignment on the
village or any region above it; a superuser everywhere):

=========================  ===================================
step                        roles
=========================  ===================================
verified                    data clerk, county official, admin
measures_assigned           data clerk, county official, admin
elimination_proposed        data clerk, county official, admin
risk_eliminated (confirm)   county official, admin
=========================  ===================================

API clients read the inbox but take no step; the confirmation is not the clerk's, so the village that
proposes is not the office that decides. The roles of the two steps that change the monitoring status
are the households status service's (``PATH_ROLES``), so both apps hold the same table.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as _en

from config.formats import date_display
from households.models import HouseholdSurvey, Member, MemberStatus, MonitoringStatus
from households.selectors import user_roles_over
from households.services import status as statuses
from indicators.models import (
    AssistanceMeasure,
    ComputationRun,
    HouseholdScore,
    WarningCase,
    WarningState,
    WarningStep,
)
from indicators.warnings_data import household_score
from regions.models import Role

STEP_ROLES = {
    WarningState.VERIFIED: statuses.PATH_ROLES[statuses.VERIFICATION],
    WarningState.MEASURES_ASSIGNED: frozenset({Role.CLERK, Role.OFFICIAL, Role.ADMIN}),
    WarningState.ELIMINATION_PROPOSED: frozenset({Role.CLERK, Role.OFFICIAL, Role.ADMIN}),
    WarningState.RISK_ELIMINATED: statuses.PATH_ROLES[statuses.CONFIRMATION],
}
#: The states each step may follow (measures may be assigned again while the case waits).
STEP_AFTER = {
    WarningState.VERIFIED: (WarningState.FLAGGED,),
    WarningState.MEASURES_ASSIGNED: (WarningState.VERIFIED, WarningState.MEASURES_ASSIGNED),
    WarningState.ELIMINATION_PROPOSED: (WarningState.MEASURES_ASSIGNED,),
    WarningState.RISK_ELIMINATED: (WarningState.ELIMINATION_PROPOSED,),
}
#: Months the household's income must have stayed above the monitoring line, counted from the
#: first assignment of measures (the monitoring rules' six months).
STABLE_MONTHS = 6
#: Monitoring statuses a verification may confirm (the three monitored groups).
MONITORED = statuses.MONITORED


def steps_allowed(*, user, household, case: WarningCase | None) -> list[str]:
    """The steps ``user`` may take next on ``household``'s case (``case`` None: only verification)."""
    state = case.state if case is not None else WarningState.FLAGGED
    if state == WarningState.RISK_ELIMINATED:
        state = WarningState.FLAGGED  # a closed case: a new flag opens a new one
    roles = user_roles_over(user, household.region)
    return [step for step, after in STEP_AFTER.items() if state in after and roles & STEP_ROLES[step]]


# --- writes -------------------------------------------------------------------------------------


def _check_role(user, household, step: str) -> None:
    if not user_roles_over(user, household.region) & STEP_ROLES[step]:
        raise PermissionDenied(
            _("Your role over this village does not allow this step: %(step)s.") % {"step": WarningState(step).label}
        )


def _check_date(on: dt.date, case: WarningCase | None) -> None:
    """Not in the future, nor before the case's previous step (the opening one included: it is dated
    by the first run that flagged the household, ``_first_flagged``)."""
    if on > timezone.localdate():
        raise ValidationError(_("The date of a step cannot be in the future."))
    if case is not None:
        last = case.steps.order_by("-on").values_list("on", flat=True).first()
        if last and on < last:
            message = _("The date of a step cannot be before the case's previous step (%(date)s).")
            raise ValidationError(message % {"date": date_display(last)})


def closed_after(case: WarningCase | None, run: ComputationRun | None) -> bool:
    """Whether ``case`` was closed by a risk elimination after ``run`` finished: that run's flag is
    dealt with, and only a later run that flags the household again opens a new case."""
    return (
        case is not None
        and case.state == WarningState.RISK_ELIMINATED
        and run is not None
        and run.finished_at is not None
        and case.updated_at >= run.finished_at
    )


def _first_flagged(household, run: ComputationRun) -> dt.date:
    """The local date of the first published run of ``run``'s period and methodology, up to ``run``,
    that flagged the household (one query on its scores): the date the case opens on. A nightly
    recompute flags the household again each night; the village's visit may follow the first."""
    first = HouseholdScore.objects.filter(
        household=household,
        flagged=True,
        period_id=run.period_id,
        snapshot__runs__methodology_id=run.methodology_id,
        snapshot__runs__status=ComputationRun.Status.PUBLISHED,
        snapshot__runs__finished_at__lte=run.finished_at or timezone.now(),
    ).aggregate(first=Min("snapshot__runs__finished_at"))["first"]
    return timezone.localdate(first or run.finished_at or timezone.now())


def _lock_case(household) -> WarningCase | None:
    return (
        WarningCase.objects.select_for_update()
        .filter(household=household)
        .exclude(state=WarningState.RISK_ELIMINATED)
        .first()
    )


def _check_order(case: WarningCase | None, step: str) -> None:
    state = case.state if case is not None else WarningState.FLAGGED
    if state not in STEP_AFTER[step]:
        raise ValidationError(
            _("A case that is '%(state)s' cannot go to '%(step)s'; the order is: %(order)s.")
            % {
                "state": WarningState(state).label,
                "step": WarningState(step).label,
                "order": " → ".join(str(s.label) for s in WarningState),
            }
        )


def _status_write(*, household, status: str, on: dt.date, reason: str, user, path: str, case: WarningCase) -> None:
    """The household's monitoring status through the households status service (StatusChange, change
    log, its date bounds: not before the case's survey period or the household's registration)."""
    statuses.monitoring_status_change(
        household=household, status=status, on=on, reason=reason, user=user, path=path, period=case.period_id
    )


def _save_state(case: WarningCase, state: str, user) -> None:
    case.state = state
    case._history_user = user  # the history row names who moved the case
    case.save()


@transaction.atomic
def case_verify(*, household, run: ComputationRun, user, on: dt.date, note: str, status: str = "") -> WarningCase:
    """The village verified the flag: open the case from ``run`` and confirm a monitoring status.

    Args:
        household: a household the caller found in the user's read scope.
        run: the current run the inbox showed; the household must be flagged in it.
        on: the date of the verification (not in the future).
        note: what the village found (required).
        status: the monitoring status confirmed (one of ``MONITORED``); blank takes the score's category.
    Returns:
        The case, state ``verified``, with an opening step (the run's, no actor) and this step.
    Raises:
        PermissionDenied: the user is not a clerk, official or admin over the village.
        ValidationError: not flagged in ``run``, an open case past verification, a bad date or status,
            an empty note.
    """
    _check_role(user, household, WarningState.VERIFIED)
    case = _lock_case(household)
    _check_order(case, WarningState.VERIFIED)
    _check_note(note)
    score = household_score(run=run, household=household)
    if case is None:
        last = WarningCase.objects.filter(household=household).order_by("-opened_at", "-pk").first()
        if closed_after(last, run):
            raise ValidationError(
                _(
                    "This flag was dealt with: the risk was eliminated after this run. "
                    "A later run that flags the household again opens a new case."
                )
            )
        if score is None or not score.flagged:
            raise ValidationError(_("This household is not flagged in the current run; there is nothing to verify."))
        case = WarningCase(
            household=household, period_id=run.period_id, run=run, category=score.category, reasons=score.reasons
        )
        case._history_user = user
        case.save()
        WarningStep.objects.create(
            case=case,
            step=WarningState.FLAGGED,
            on=_first_flagged(household, run),
            # stored in English; the case page writes it in the reader's language
            note=_en("Flagged by run %(run)s (period %(period)s).") % {"run": run.pk, "period": run.period_id},
        )
    _check_date(on, case)
    status = status or case.category
    if status not in MONITORED:
        raise ValidationError(
            _("Choose the monitoring status the verification confirms: %(choices)s.")
            % {"choices": ", ".join(str(s.label) for s in MONITORED)}
        )
    WarningStep.objects.create(
        case=case, step=WarningState.VERIFIED, on=on, actor=user, note=note, monitoring_status=status
    )
    _status_write(
        household=household, status=status, on=on, reason=note, user=user, path=statuses.VERIFICATION, case=case
    )
    _save_state(case, WarningState.VERIFIED, user)
    return case


def _check_note(note: str) -> None:
    if not (note or "").strip():
        raise ValidationError(_("Write a note: what was found or decided."))


def _open_case(household, step: str) -> WarningCase:
    case = _lock_case(household)
    if case is None:
        raise ValidationError(_("This household has no open warning case; the village verifies the flag first."))
    _check_order(case, step)
    return case


@transaction.atomic
def case_measures_assign(*, household, user, on: dt.date, note: str, measures: list[str]) -> WarningCase:
    """Assistance measures assigned to a verified case (again while it waits, adding measures).

    Args:
        measures: codes of ``AssistanceMeasure``, at least one.
    Raises:
        PermissionDenied: the user is not a clerk, official or admin over the village.
        ValidationError: no open case, a case not verified (or already proposed), no or unknown
            measures, a bad date, an empty note.
    """
    _check_role(user, household, WarningState.MEASURES_ASSIGNED)
    case = _open_case(household, WarningState.MEASURES_ASSIGNED)
    _check_note(note)
    _check_date(on, case)
    unknown = [m for m in measures if m not in AssistanceMeasure.values]
    if not measures or unknown:
        raise ValidationError(_("Choose at least one assistance measure from the list."))
    WarningStep.objects.create(
        case=case, step=WarningState.MEASURES_ASSIGNED, on=on, actor=user, note=note, measures=list(measures)
    )
    _save_state(case, WarningState.MEASURES_ASSIGNED, user)
    return case


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def has_labour(household, period: int) -> bool:
    """True when a member present in ``period`` has full or partial labour capacity.

    A member with no status row for the period counts as present (registry data without statuses).
    """
    absent = MemberStatus.objects.filter(member__household=household, period_id=period, present=False)
    return (
        Member.objects.filter(household=household, labour_capacity__in=[Member.Labour.FULL, Member.Labour.PARTIAL])
        .exclude(pk__in=absent.values("member_id"))
        .exists()
    )


def elimination_refusals(*, household, case: WarningCase, on: dt.date) -> list[str]:
    """Why risk elimination may not be proposed for the case on ``on`` (empty: it may).

    The rules (DESIGN §4, the 2021 monitoring rules): the household has labour (never otherwise);
    its income is above the monitoring line (margin ≥ 1, i.e. not flagged for it) in its latest
    published score (default methodology); the six guarantees are met in that period's survey; and
    at least ``STABLE_MONTHS`` months passed since measures were first assigned.
    """
    problems = []
    latest = HouseholdScore.objects.served().filter(household=household).order_by("-period_id").first()
    period = latest.period_id if latest else case.period_id
    if not has_labour(household, period):
        problems.append(
            _(
                "Risk elimination is never proposed for a household without labour: no member present "
                "has full or partial labour capacity. Keep it under monitoring with assistance."
            )
        )
    if latest is None or latest.margin is None or latest.margin < 1.0:
        problems.append(
            _("Income is not above the monitoring line in the latest published score (period %(period)s).")
            % {"period": period}
        )
    survey = HouseholdSurvey.objects.filter(household=household, period_id=period).first()
    if survey is None or not all(getattr(survey, f) is True for f in HouseholdSurvey.GUARANTEE_FIELDS):
        problems.append(_("The six guarantees are not all met in the survey of %(period)s.") % {"period": period})
    first = case.steps.filter(step=WarningState.MEASURES_ASSIGNED).order_by("on").values_list("on", flat=True).first()
    if first is None or add_months(first, STABLE_MONTHS) > on:
        problems.append(
            _(
                "Income must stay above the monitoring line for at least six months after measures are "
                "first assigned (%(date)s)."
            )
            % {"date": date_display(first)}
        )
    return problems


@transaction.atomic
def case_elimination_propose(*, household, user, on: dt.date, note: str) -> WarningCase:
    """Propose eliminating the risk of a case with measures assigned.

    Raises:
        PermissionDenied: the user is not a clerk, official or admin over the village.
        ValidationError: no open case, measures not assigned, a rule of ``elimination_refusals``
            not met (every unmet rule in the message), a bad date, an empty note.
    """
    _check_role(user, household, WarningState.ELIMINATION_PROPOSED)
    case = _open_case(household, WarningState.ELIMINATION_PROPOSED)
    _check_note(note)
    _check_date(on, case)
    problems = elimination_refusals(household=household, case=case, on=on)
    if problems:
        raise ValidationError(problems)
    WarningStep.objects.create(case=case, step=WarningState.ELIMINATION_PROPOSED, on=on, actor=user, note=note)
    _save_state(case, WarningState.ELIMINATION_PROPOSED, user)
    return case


@transaction.atomic
def case_elimination_confirm(*, household, user, on: dt.date, note: str) -> WarningCase:
    """Confirm a proposed risk elimination: the case closes, the household's status is "risk eliminated".

    The rules are checked again (data may have changed since the proposal).

    Raises:
        PermissionDenied: the user is not a county official or admin over the village.
        ValidationError: no proposed case, the user proposed it, a rule no longer met, a bad date, an
            empty note.
    """
    _check_role(user, household, WarningState.RISK_ELIMINATED)
    case = _open_case(household, WarningState.RISK_ELIMINATED)
    proposer = case.steps.filter(step=WarningState.ELIMINATION_PROPOSED).order_by("-on", "-pk").first()
    if proposer is not None and proposer.actor_id == user.pk:  # the village proposes, the office decides
        raise ValidationError(
            _("The person who proposed the risk elimination cannot confirm it: another official or admin does.")
        )
    _check_note(note)
    _check_date(on, case)
    problems = elimination_refusals(household=household, case=case, on=on)
    if problems:
        raise ValidationError(problems)
    WarningStep.objects.create(
        case=case,
        step=WarningState.RISK_ELIMINATED,
        on=on,
        actor=user,
        note=note,
        monitoring_status=MonitoringStatus.RISK_ELIMINATED,
    )
    _status_write(  # the one call of the confirmation path: the rules above are met
        household=household,
        status=MonitoringStatus.RISK_ELIMINATED,
        on=on,
        reason=note,
        user=user,
        path=statuses.CONFIRMATION,
        case=case,
    )
    _save_state(case, WarningState.RISK_ELIMINATED, user)
    return case
