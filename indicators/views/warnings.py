"""The early-warning inbox of a region and the warning case of a household (DESIGN §4, §7).

Logged-in users only; the region (and the household) must be in the user's read scope, else 404.
Steps are POSTed with a CSRF token; who may take which step is decided in
``indicators.services.warnings`` (403 otherwise).
"""

from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from config.exports import FORMATS, table_response
from households.selectors import household_get, households_visible_to, registry_reveal_paths, registry_shown
from indicators import selectors
from indicators import warnings_data as data
from indicators.models import AssistanceMeasure, ComputationRun, WarningState
from indicators.services import warnings as service
from indicators.views.params import choice, params_only, period_parse
from regions.selectors import regions_visible_to

PAGE_SIZE = 100


class StepForm(forms.Form):
    """One workflow step: which, when, a note; measures (assignment) or status (verification)."""

    step = forms.ChoiceField(
        label=gettext_lazy("step"), choices=[(s.value, s.label) for s in WarningState if s != WarningState.FLAGGED]
    )
    on = forms.DateField(label=gettext_lazy("date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label=gettext_lazy("note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    measures = forms.MultipleChoiceField(
        label=gettext_lazy("assistance measures"),
        choices=AssistanceMeasure.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    status = forms.ChoiceField(
        label=gettext_lazy("monitoring status confirmed"),
        choices=[("", "—"), *((s.value, s.label) for s in service.MONITORED)],
        required=False,
    )
    period = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _region(request, code: str):
    region = regions_visible_to(request.user).filter(code=code).first()
    if region is None:
        raise Http404(_("No such region in your scope."))
    return region


def _run(request) -> tuple[ComputationRun | None, list[ComputationRun]]:
    """The current run of ``?period=`` (default: the latest period), and all current runs; 400 for a
    period that is not a year or has no published scores (``period_parse``)."""
    runs = selectors.current_runs()[::-1]  # latest period first
    period = period_parse(request.GET.get("period") or request.POST.get("period"), (r.period_id for r in runs))
    if period is not None:
        return next(r for r in runs if r.period_id == period), runs
    return (runs[0] if runs else None), runs


COLUMNS = [
    ("village_code", gettext_lazy("village code")),
    ("village", gettext_lazy("village name")),
    ("registry", gettext_lazy("registry number")),
    ("category", gettext_lazy("category")),
    ("reasons", gettext_lazy("reasons")),
    ("margin", gettext_lazy("income / monitoring line")),
    ("vulnerability", gettext_lazy("vulnerability")),
    ("eqi", gettext_lazy("exit-quality index")),
    ("state", gettext_lazy("case state")),
    # the public id in the household's page address (/households/<id>/scores/): names no one, finds the case
    ("household", gettext_lazy("household id")),
]


@login_required
@require_safe
def warning_start(request):
    """The top bar's "Early warning": the inbox of the user's region (``data.inbox_regions``), a
    chooser when the user has several, or a page saying there is none. Query: ``period`` (passed on)."""
    params_only(request, ("period",))
    regions = data.inbox_regions(request.user)
    if len(regions) == 1:
        target = reverse("indicators:warnings", args=[regions[0].code])
        return redirect(target + (f"?{request.GET.urlencode()}" if request.GET else ""))
    return render(request, "indicators/warnings_start.html", {"regions": regions})


@login_required
@require_safe
def warning_inbox(request, code: str):
    """Flagged households of a region's subtree in the current run; filters, risk sort, export.

    Query: ``period`` (year), ``village`` (code), ``reason`` (a flag reason), ``view=new`` (newly
    flagged since the previous published run), ``sort`` (risk, margin, eqi, village), ``page``,
    ``format`` (csv or xlsx: the whole filtered table). Bad values and other parameters answer 400.
    """
    params_only(request, ("period", "village", "reason", "view", "sort", "page", "format"))
    region = _region(request, code)
    run, runs = _run(request)
    params = {k: request.GET.get(k, "") for k in ("village", "reason", "view", "sort", "format")}
    sort = params["sort"] or "risk"
    if sort not in data.SORTS or (params["reason"] and params["reason"] not in data.REASON_LABELS):
        raise BadRequest(_("Unknown sort or reason."))
    choice(request, "view", {"new"}, None)
    if params["format"] and params["format"] not in FORMATS:
        raise BadRequest(_("Unknown format: csv or xlsx."))
    context = {"region": region, "run": run, "runs": runs, "params": params, "sort": sort}
    if run is None:
        return render(request, "indicators/warnings.html", context)
    villages = data.flagged_villages(run=run, region=region)
    if params["village"] and params["village"] not in {code for code, _name in villages}:
        raise BadRequest(_("No village %(code)s with flagged households here.") % {"code": params["village"]})
    previous = data.previous_run(run) if params["view"] == "new" else None
    scores = data.flagged_scores(
        run=run,
        region=region,
        village=params["village"],
        reason=params["reason"],
        since=previous,
        sort=sort,
    )
    if params["format"]:
        rows = list(scores)
        cases = data.cases_shown((r["household_id"] for r in rows), run=run)
        rows = data.inbox_rows(rows, reveal_paths=registry_reveal_paths(request.user), cases=cases)
        name = f"warnings-{region.code}-{run.period_id}" + ("-new" if params["view"] == "new" else "")
        return table_response(rows, COLUMNS, filename=name, fmt=params["format"])
    page = Paginator(scores, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    context |= {
        "page": page,
        "rows": data.inbox_rows(
            rows,
            reveal_paths=registry_reveal_paths(request.user),
            cases=data.cases_shown((r["household_id"] for r in rows), run=run),
        ),
        "previous": previous,
        "villages": villages,
        "reasons": list(data.REASON_LABELS.items()),
        "sorts": [
            ("risk", _("risk (vulnerability, then income margin over the line)")),
            ("margin", _("income / monitoring line")),
            ("eqi", _("exit-quality index")),
            ("village", _("village name")),
        ],
        "query": query.urlencode(),
    }
    return render(request, "indicators/warnings.html", context)


def _household(request, region, pk: UUID):
    """The household of public id ``pk`` in ``region``'s subtree and the user's scope (else 404)."""
    households = households_visible_to(request.user).filter(region__path__startswith=region.path)
    return household_get(households.select_related("region"), public_id=pk)


@login_required
@require_safe
def warning_case(request, code: str, pk: UUID):
    """A flagged household's case: its score, the steps so far, and the forms of the next steps."""
    params_only(request, ("period",))
    region = _region(request, code)
    household = _household(request, region, pk)
    run, _runs = _run(request)
    case = data.latest_case(household)
    steps = list(case.steps.all()) if case else []
    measure_labels = dict(AssistanceMeasure.choices)
    for step in steps:
        step.measure_labels = [measure_labels.get(m, m) for m in step.measures]
    open_case = case if case is not None and case.state != WarningState.RISK_ELIMINATED else None
    score = data.household_score(run=run, household=household) if run else None
    allowed = service.steps_allowed(user=request.user, household=household, case=open_case)
    if open_case is None and (not (score and score.flagged) or service.closed_after(case, run)):
        allowed = []  # nothing to verify: not flagged in this run, or its flag's case is closed
    today = timezone.localdate()
    forms_ = [
        (step, WarningState(step).label, StepForm(initial={"step": step, "on": today, "period": run and run.period_id}))
        for step in allowed
    ]
    context = {
        "region": region,
        "household": household,
        "registry": registry_shown(
            household.registry_number,
            village_path=household.region.path,
            reveal_paths=registry_reveal_paths(request.user),
        ),
        "run": run,
        "score": score,
        "score_reasons": [data.REASON_LABELS.get(c, c) for c in (score.reasons if score else [])],
        "score_category": data.CATEGORY_LABELS.get(score.category, "") if score else "",
        "case": case,
        "steps": steps,
        "forms": forms_,
        "refusals": (
            service.elimination_refusals(household=household, case=open_case, on=today)
            if open_case is not None and open_case.state == WarningState.MEASURES_ASSIGNED
            else []
        ),
    }
    return render(request, "indicators/warnings_case.html", context)


@login_required
@require_POST
def warning_step(request, code: str, pk: UUID):
    """Take one workflow step (POST with CSRF); back to the case page with a message."""
    region = _region(request, code)
    household = _household(request, region, pk)
    form = StepForm(request.POST)
    target = reverse("indicators:warning-case", args=[region.code, household.public_id])
    if not form.is_valid():
        messages.error(  # each problem under the field's label in the reader's language, not its name
            request,
            "; ".join(f"{form[k].label if k in form.fields else k}: {' '.join(v)}" for k, v in form.errors.items()),
        )
        return redirect(target)
    data = form.cleaned_data
    if data["period"]:
        target += f"?period={data['period']}"
    common = {"household": household, "user": request.user, "on": data["on"], "note": data["note"]}
    try:
        if data["step"] == WarningState.VERIFIED:
            run, _runs = _run(request)
            if run is None:
                raise ValidationError(_("No published scores to verify against."))
            service.case_verify(run=run, status=data["status"], **common)
        elif data["step"] == WarningState.MEASURES_ASSIGNED:
            service.case_measures_assign(measures=data["measures"], **common)
        elif data["step"] == WarningState.ELIMINATION_PROPOSED:
            service.case_elimination_propose(**common)
        else:
            service.case_elimination_confirm(**common)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(target)
    messages.success(request, _("Step recorded: %(step)s.") % {"step": WarningState(data["step"]).label})
    return redirect(target)
