"""Clerk pages: households (registry, members, statuses, surveys), village surveys, the import wizard.

Every page needs a login; every object comes from a selector scoped to the user's regions. Reading
takes any role in scope; writing takes a clerk or admin role in scope (403 for a reader in scope,
404 for anyone outside it, so ids reveal nothing). A household's ``pk`` in a URL is its public id
(``Household.public_id``, a random UUID), never the sequential key.
"""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from households import selectors
from households.forms import (
    HouseholdForm,
    HouseholdSurveyForm,
    ImportUploadForm,
    MemberFormSet,
    MemberStatusForm,
    StatusChangeForm,
    VillageSurveyForm,
)
from households.importing.background import batch_progress, import_upload_start
from households.importing.commit import ImportRejected, import_commit, import_undo
from households.importing.originals import OriginalGone, import_download_record, original_read
from households.importing.preview import preview_display
from households.importing.report import FILENAME as MARKED_FILENAME
from households.importing.report import problems_marked_xlsx
from households.importing.scores_note import import_scores_note
from households.models import (
    Household,
    HouseholdSurvey,
    ImportBatch,
    ImportDownload,
    Member,
    MemberStatus,
    PovertyCause,
    VillageSurvey,
    future_year_problem,
)
from households.search import search_clean, search_query, search_token
from households.services import registry
from households.services import status as status_service
from regions.models import Level
from regions.selectors import WRITE_ROLES, regions_visible_to

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _household(request, pk: UUID, *, write: bool = False) -> Household:
    """The household of public id ``pk`` if the user may see it (404 otherwise); 403 when writing
    needs more rights."""
    visible = selectors.households_visible_to(request.user).select_related("region")
    household = selectors.household_get(visible, public_id=pk)
    if write and not selectors.households_visible_to(request.user, write=True).filter(pk=household.pk).exists():
        raise PermissionDenied(_("Only data clerks of this village and administrators may change it."))
    return household


def _period(year: int) -> int:
    if not 1980 <= year <= 2100 or future_year_problem(year):
        raise Http404(_("No such survey year."))
    return year


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def household_list(request):
    """Households the user may see, filtered by village code or registry number prefix; registry numbers
    masked but in the villages where the user is a data clerk or admin, and masked ones in the order of
    village and public id (``selectors.registry_sort_key``), not of their hidden serials.

    The search is POSTed and answered with a redirect to ``?s=<token>`` (``households.search``): no
    registry number reaches a URL or an access log. ``?q=`` is not read.
    """
    if request.method == "POST":
        query = search_clean(request.POST.get("q", ""))
        target = reverse("households:list")
        return redirect(f"{target}?s={search_token(query)}" if query else target)
    reveal_paths = selectors.registry_reveal_paths(request.user)
    households = (
        selectors.households_visible_to(request.user)
        .select_related("region")
        .order_by(selectors.registry_sort_key(reveal_paths))
    )
    token = request.GET.get("s", "")
    query = search_query(token) if token else ""
    if query is None:
        messages.error(request, _("This search link has expired; search again."))
        query, token = "", ""
    if query:  # on the numbers as the user sees them: masked ones match by their village code only
        households = households.filter(selectors.registry_search(query, reveal_paths=reveal_paths))
    page = Paginator(households, 50).get_page(request.GET.get("page"))
    for household in page:  # whole for a clerk or admin of the village, masked for the others
        household.registry_shown = selectors.registry_shown(
            household.registry_number, village_path=household.region.path, reveal_paths=reveal_paths
        )
    context = {"page": page, "q": query, "s": token, "can_write": bool(reveal_paths is None or reveal_paths)}
    return render(request, "households/household_list.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def household_edit(request, pk: UUID | None = None):
    """Create (``pk`` None) or edit a household and its members."""
    if pk is None:
        if not selectors.user_can_write_households(request.user):
            raise PermissionDenied(_("Only data clerks and administrators enter households."))
        household = Household()
    else:
        household = _household(request, pk, write=True)
    form = HouseholdForm(request.POST or None, instance=household, user=request.user)
    members = MemberFormSet(
        request.POST or None, instance=household, prefix="members", form_kwargs={"user": request.user}
    )
    if request.method == "POST" and form.is_valid() and members.is_valid():
        household = registry.household_save(form=form, members=members, user=request.user)
        messages.success(request, _("Household saved."))
        return redirect("households:detail", pk=household.public_id)
    return render(request, "households/household_form.html", {"form": form, "members": members, "household": household})


@login_required
@require_safe
def household_detail(request, pk: UUID):
    """A household: registry data, members (IDs masked), surveys by period, status changes, audit trail.
    The registry number is masked but for a data clerk or admin of the village. A member's birth date
    shows as its year to everyone, the village's clerks too, until they press Show (``member_reveal``,
    audited): the ID's mask shows its last four digits, and the county and the birth date are the rest."""
    household = _household(request, pk)
    members = list(household.members.order_by("member_no"))
    history = sorted(
        [*household.history.select_related("history_user")[:50], *_member_history(household)],
        key=lambda h: h.history_date,
        reverse=True,
    )[:100]
    context = {
        "household": household,
        "registry": selectors.registry_shown(
            household.registry_number,
            village_path=household.region.path,
            reveal_paths=selectors.registry_reveal_paths(request.user),
        ),
        "members": members,
        "surveys": household.surveys.order_by("-period_id"),
        "status_changes": household.status_changes.order_by("-changed_on", "-id"),
        "history": history,
        "can_write": selectors.households_visible_to(request.user, write=True).filter(pk=household.pk).exists(),
        "status_form": StatusChangeForm(household=household),
        "causes": [PovertyCause(c).label for c in household.poverty_causes if c in PovertyCause.values],
    }
    return render(request, "households/household_detail.html", context)


def _member_history(household: Household):
    return (
        Member.history.filter(household_id=household.pk).select_related("history_user").order_by("-history_date")[:50]
    )


@never_cache
@login_required
@require_POST
def member_reveal(request, pk: UUID, member_pk: int):
    """Show one member's resident ID and full birth date to a clerk or admin in scope; the disclosure
    is audited."""
    household = _household(request, pk, write=True)
    member = household.members.filter(pk=member_pk).first()
    if member is None:
        raise Http404(_("No such member of this household."))
    resident_id = registry.resident_id_reveal(
        user=request.user, member=member, context=f"household page {household.pk}"
    )
    return render(
        request, "households/member_reveal.html", {"household": household, "member": member, "resident_id": resident_id}
    )


@login_required
@require_POST
def status_change_create(request, pk: UUID):
    """Record a monitoring-status transition by hand (date and reason) through the status service;
    "risk eliminated" is not recorded here but confirmed in the warning workflow."""
    household = _household(request, pk, write=True)
    form = StatusChangeForm(request.POST, household=household)
    if form.is_valid():
        try:
            status_service.monitoring_status_change(
                household=household,
                status=form.cleaned_data["status"],
                on=form.cleaned_data["changed_on"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Monitoring status recorded."))
    else:  # each problem under the field's label in the reader's language
        messages.error(
            request,
            "; ".join(f"{form[k].label if k in form.fields else k}: {' '.join(v)}" for k, v in form.errors.items()),
        )
    return redirect("households:detail", pk=pk)


@login_required
@require_safe
def household_survey_go(request, pk: UUID):
    """Open the survey of the year given as ``?year=``."""
    household = _household(request, pk, write=True)
    year = request.GET.get("year", "")
    if not year.isdigit():
        raise Http404(_("No such survey year."))
    return redirect("households:survey", pk=household.public_id, year=_period(int(year)))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def household_survey_edit(request, pk: UUID, year: int):
    """The household survey of one year (income ledger, guarantees, shocks, assistance)."""
    household = _household(request, pk, write=True)
    survey = HouseholdSurvey.objects.filter(household=household, period_id=_period(year)).first() or HouseholdSurvey()
    form = HouseholdSurveyForm(request.POST or None, instance=survey)
    if request.method == "POST" and form.is_valid():
        registry.household_survey_save(household=household, period=year, form=form)
        messages.success(request, _("Household survey saved."))
        return redirect("households:detail", pk=pk)
    return render(request, "households/survey_form.html", {"form": form, "household": household, "year": year})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def member_statuses_edit(request, pk: UUID, year: int):
    """Each member's situation in one year."""
    household = _household(request, pk, write=True)
    members = list(household.members.order_by("member_no"))
    current = {
        s.member_id: s for s in MemberStatus.objects.filter(member__household=household, period_id=_period(year))
    }
    forms_by_member = {
        m.pk: MemberStatusForm(request.POST or None, instance=current.get(m.pk) or MemberStatus(), prefix=f"m{m.pk}")
        for m in members
    }
    if request.method == "POST" and all(f.is_valid() for f in forms_by_member.values()):
        registry.member_statuses_save(household=household, period=year, forms_by_member=forms_by_member)
        messages.success(request, _("Member statuses saved."))
        return redirect("households:detail", pk=pk)
    rows = [(m, forms_by_member[m.pk]) for m in members]
    return render(request, "households/statuses_form.html", {"rows": rows, "household": household, "year": year})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def village_survey_edit(request, code: str, year: int):
    """A village's survey of one year (public services and industry)."""
    region = regions_visible_to(request.user).filter(code=code, level=Level.VILLAGE).first()
    if region is None:
        raise Http404(_("No such village in your regions."))
    if not regions_visible_to(request.user, roles=WRITE_ROLES).filter(pk=region.pk).exists():
        raise PermissionDenied(_("Only data clerks of this village and administrators may change it."))
    survey = VillageSurvey.objects.filter(region=region, period_id=_period(year)).first() or VillageSurvey()
    form = VillageSurveyForm(request.POST or None, instance=survey)
    if request.method == "POST" and form.is_valid():
        registry.village_survey_save(region=region, period=year, form=form)
        messages.success(request, _("Village survey saved."))
        return redirect("households:village-survey", code=code, year=year)
    return render(request, "households/village_survey_form.html", {"form": form, "region": region, "year": year})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_list(request):
    """The import wizard's first step: upload a file; and the user's batches."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not selectors.user_can_write_households(request.user):
            raise PermissionDenied(_("Only data clerks and administrators import data."))
        if form.is_valid():
            upload = form.cleaned_data["file"]
            batch, _validation = import_upload_start(  # a large file is checked in a task
                data=upload.read(),
                filename=upload.name,
                kind=form.cleaned_data["kind"],
                period=form.cleaned_data["period"],
                user=request.user,
                sheet=form.cleaned_data["sheet"] or None,
            )
            return redirect("households:import-detail", pk=batch.pk)
    batches = selectors.import_batches_recent(request.user, limit=50)
    kinds = ImportBatch.Kind.choices  # (slug, label): the templates' URLs and the names read
    context = {
        "form": form,
        "batches": batches,
        "kinds": kinds,
        "can_write": selectors.user_can_write_households(request.user),
    }
    return render(request, "households/import_list.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_detail(request, pk: int):
    """The preview report of a batch; commit or undo it."""
    batch = selectors.import_batch_get(user=request.user, pk=pk)
    if request.method == "POST":
        if not selectors.user_can_write_households(request.user):
            raise PermissionDenied(_("Only data clerks and administrators import data."))
        action = request.POST.get("action")
        try:
            if action == "commit":
                import_commit(batch=batch, user=request.user)
                messages.success(request, _("Committed: every row was written."))
            elif action == "undo":
                import_undo(batch=batch, user=request.user)
                messages.success(request, _("Undone: the rows are as they were before this batch."))
        except ImportRejected as error:
            messages.error(request, str(error))
        return redirect("households:import-detail", pk=pk)
    progress = batch_progress(batch)
    problems = batch.report.get("problems", [])
    page = Paginator(problems, 200).get_page(request.GET.get("page"))
    context = {
        "batch": batch,
        "page": page,
        "progress": progress,
        "preview": preview_display(batch) if batch.status in (batch.Status.VALIDATED, batch.Status.REJECTED) else None,
        "scores_note": import_scores_note(batch=batch, user=request.user),
    }
    return render(request, "households/import_detail.html", context)


@never_cache
@login_required
@require_safe
def import_status(request, pk: int):
    """How far the check of a batch is, as JSON (``background.batch_progress``): the import page polls it."""
    batch = selectors.import_batch_get(user=request.user, pk=pk)
    return JsonResponse(batch_progress(batch))


@never_cache
@login_required
@require_safe
def import_rejected(request, pk: int):
    """Every row of a batch's file as an XLSX, the problems marked (``report.problems_marked_xlsx``;
    resident IDs masked); the download is audited. 410 once the uploaded file is purged."""
    batch = selectors.import_batch_get(user=request.user, pk=pk)
    try:
        content = problems_marked_xlsx(batch)
    except OriginalGone as gone:
        return _import_gone(request, batch, gone)
    import_download_record(user=request.user, batch=batch, what=ImportDownload.What.REJECTED)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{MARKED_FILENAME.format(pk=batch.pk)}"'
    return response


@never_cache
@login_required
@require_safe
def import_file(request, pk: int):
    """The uploaded file of a batch, decrypted; the download is audited. 410 once it is purged."""
    batch = selectors.import_batch_get(user=request.user, pk=pk)
    try:
        content = original_read(batch)
    except OriginalGone as gone:
        return _import_gone(request, batch, gone)
    import_download_record(user=request.user, batch=batch, what=ImportDownload.What.ORIGINAL)
    response = HttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, batch.original_name)
    return response


def _import_gone(request, batch: ImportBatch, gone: OriginalGone):
    return render(request, "households/import_gone.html", {"batch": batch, "message": str(gone)}, status=410)
