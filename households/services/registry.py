"""Writes from the clerk forms, each in one transaction, each marking its province and periods dirty.

History rows come from django-simple-history (the request's user through its middleware). Monitoring
statuses change through ``households.services.status`` (the one service for them).
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet

from households import ids
from households.models import (
    ChangeLog,
    Household,
    HouseholdSurvey,
    IdDisclosure,
    Member,
    MemberStatus,
    SurveyPeriod,
    VillageSurvey,
)
from regions.models import Region


def changes_mark(*, province_code: str, periods: Iterable[int], source: str = ChangeLog.Source.FORM) -> None:
    """Add a change-log row per period for the province (what the recompute reads)."""
    changes_mark_pairs(((province_code, year) for year in periods), source=source)


def _survey_periods(household: Household) -> list[int]:
    return list(household.surveys.values_list("period_id", flat=True))


def changes_in(rows: QuerySet) -> set[tuple[str, int]]:
    """The (province code, period) pairs whose scores read the rows of ``rows``, as stored now.

    Input: a queryset of ``Household`` or ``Member`` (their household's province, every period it has a
    survey of), ``HouseholdSurvey`` or ``MemberStatus`` (the household's province, the row's period) or
    ``VillageSurvey`` (the village's province, the period); one query. Callers take it before and after
    a write, so a household moved to another province marks both.
    Raises ``TypeError`` for any other model.
    """
    surveys = HouseholdSurvey.objects
    by_model = {
        Household: lambda: surveys.filter(household__in=rows).values_list(
            "household__region__province_code", "period_id"
        ),
        Member: lambda: surveys.filter(household__members__in=rows).values_list(
            "household__region__province_code", "period_id"
        ),
        HouseholdSurvey: lambda: rows.values_list("household__region__province_code", "period_id"),
        MemberStatus: lambda: rows.values_list("member__household__region__province_code", "period_id"),
        VillageSurvey: lambda: rows.values_list("region__province_code", "period_id"),
    }
    if rows.model not in by_model:
        raise TypeError(f"{rows.model.__name__} is not household data")
    return set(by_model[rows.model]().distinct())


def changes_of(obj) -> set[tuple[str, int]]:
    """``changes_in`` of one object (empty when it is not saved yet)."""
    return changes_in(type(obj).objects.filter(pk=obj.pk)) if obj.pk is not None else set()


def changes_mark_pairs(pairs: Iterable[tuple[str, int]], *, source: str = ChangeLog.Source.FORM) -> None:
    """Add a change-log row per (province code, period) pair (``changes_of``'s output)."""
    ChangeLog.objects.bulk_create(
        ChangeLog(province_code=province, period_id=period, source=source) for province, period in sorted(set(pairs))
    )


@transaction.atomic
def household_save(*, form, members, user) -> Household:
    """Save a household form and its member formset (validated by the caller).

    Resident IDs typed into the members are stored encrypted, hashed and masked; an empty field
    keeps the stored ID. Marks the household's province dirty for every period it has a survey of, and
    the province it left when the village changed province (its snapshot still scores the household).
    """
    before = changes_of(form.instance)
    household = form.save(commit=False)
    household.region = form.cleaned_data["village_code"]
    household.import_batch = None  # changed by hand: an undo of the batch that wrote it must refuse
    household.save()
    members.instance = household
    for member_form in members.forms:
        if not member_form.has_changed() or member_form in members.deleted_forms:
            continue
        member = member_form.save(commit=False)
        member.household, member.import_batch = household, None
        resident_id = member_form.cleaned_data.get("resident_id")
        if resident_id:
            member.resident_id_encrypted = ids.id_encrypt(resident_id)
            member.resident_id_hash = ids.id_hash(resident_id)
            member.resident_id_masked = ids.id_mask(resident_id)
        member.save()
    for member_form in members.deleted_forms:
        if member_form.instance.pk:
            member_form.instance.delete()
    changes_mark_pairs(before | changes_of(household))
    return household


@transaction.atomic
def member_statuses_save(*, household: Household, period: int, forms_by_member: dict[int, object]) -> None:
    """Save one status form per member for ``period``; marks the province and period dirty."""
    SurveyPeriod.objects.get_or_create(year=period)
    for member_id, form in forms_by_member.items():
        values = {k: v for k, v in form.cleaned_data.items()}
        MemberStatus.objects.update_or_create(
            member_id=member_id, period_id=period, defaults={**values, "import_batch": None}
        )
    changes_mark(province_code=household.region.province_code, periods=[period])


@transaction.atomic
def household_survey_save(*, household: Household, period: int, form) -> HouseholdSurvey:
    """Create or update the household's survey of ``period``; marks the province and period dirty."""
    SurveyPeriod.objects.get_or_create(year=period)
    survey = form.save(commit=False)
    survey.household, survey.period_id, survey.import_batch = household, period, None
    survey.save()
    changes_mark(province_code=household.region.province_code, periods=[period])
    return survey


@transaction.atomic
def village_survey_save(*, region: Region, period: int, form) -> VillageSurvey:
    """Create or update a village's survey of ``period``; marks the province and period dirty."""
    SurveyPeriod.objects.get_or_create(year=period)
    survey = form.save(commit=False)
    survey.region, survey.period_id, survey.import_batch = region, period, None
    survey.save()
    changes_mark(province_code=region.province_code, periods=[period])
    return survey


def resident_id_reveal(*, user, member: Member, context: str) -> str:
    """The member's resident ID in clear, with an audit row (who, whose, when, where).

    The caller has checked that ``user`` is a clerk or admin whose scope holds the member.
    """
    if not member.resident_id_encrypted:
        return ""
    IdDisclosure.objects.create(user=user, member=member, context=context[:100])
    return ids.id_decrypt(member.resident_id_encrypted)
