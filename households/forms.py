"""Clerk forms: household with members, member statuses of a period, household and village surveys.

Forms validate input and nothing else; writes happen in ``households.services.registry``.
"""

import unicodedata

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from households import ids
from households.importing.background import upload_limit_mb, upload_too_large
from households.importing.columns import HOUSEHOLD_SURVEYS, VILLAGE_SURVEYS
from households.models import (
    Household,
    HouseholdSurvey,
    Member,
    MemberStatus,
    MonitoringStatus,
    PovertyCause,
    StatusChange,
    VillageSurvey,
    future_year_problem,
)
from households.services import status as status_rules
from households.services.id_answers import REFUSED_FORM, id_answers_allowed, per_day
from regions.models import CN, Level, Region
from regions.selectors import WRITE_ROLES, regions_visible_to

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HouseholdForm(forms.ModelForm):
    """A household's registry entry; the village must be a leaf region in the clerk's scope."""

    village_code = forms.CharField(label=_("village code"), max_length=40)
    poverty_causes = forms.MultipleChoiceField(
        label=_("causes of poverty"), choices=PovertyCause.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Household
        fields = ["registry_number", "registration_year", "exit_year", "poverty_causes"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            self.fields["village_code"].initial = self.instance.region.code

    def clean_village_code(self) -> Region:
        code = self.cleaned_data["village_code"].strip()
        region = regions_visible_to(self.user, roles=WRITE_ROLES).filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("Unknown village code, or outside your assigned regions."))
        if region.children.exists() or (region.scheme == CN and region.level != Level.VILLAGE):
            raise forms.ValidationError(_("Households belong to a village."))
        return region

    def clean(self):
        cleaned = super().clean()
        registered, exited = cleaned.get("registration_year"), cleaned.get("exit_year")
        if registered and exited and exited < registered:
            self.add_error("exit_year", _("The exit year cannot be before the registration year."))
        region, number = cleaned.get("village_code"), cleaned.get("registry_number")
        if region and number and region.scheme == CN:
            serial = number[len(region.code) :]
            if not (number.startswith(region.code) and len(serial) == 4 and serial.isdigit()):
                self.add_error(
                    "registry_number", _("A registry number is the village code followed by a 4-digit serial.")
                )
        return cleaned


class MemberForm(forms.ModelForm):
    """A member; the resident ID is entered in clear, checked, and stored encrypted.

    A stored birth date is not put in the form (only its year, in the help text): with the county and
    the ID's mask it would be the whole ID, which only the audited "Show" gives. An empty date keeps
    the stored one; a date typed in replaces it (checked against the ID).

    ``user`` (the clerk) bounds the "already registered" answers: the formset asks
    ``services.id_answers`` once for all its members (``id_clash`` marks a form whose ID is taken).
    """

    resident_id = forms.CharField(
        label=_("resident ID"),
        required=False,
        max_length=18,
        help_text=_("18 characters; leave empty to keep the stored ID."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = Member
        fields = ["member_no", "name", "resident_id", "sex", "birth_date", "relation", "education", "labour_capacity"]
        widgets = {"birth_date": _DATE}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.id_clash = False
        stored = self.instance.birth_date if self.instance.pk else None
        if stored:
            self.initial["birth_date"] = None
            self.fields["birth_date"].help_text = _("Stored: born in %(year)s; leave empty to keep it.") % {
                "year": stored.year
            }

    def clean_resident_id(self) -> str:
        value = unicodedata.normalize("NFKC", self.cleaned_data["resident_id"]).strip().upper()
        if not value:
            return ""
        problem = ids.resident_id_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        clash = Member.objects.filter(resident_id_hash=ids.id_hash(value)).exclude(pk=self.instance.pk)
        self.id_clash = clash.exists()  # answered (or not) by the formset, within the daily limit
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("birth_date") is None and self.instance.pk and self.instance.birth_date:
            cleaned["birth_date"] = self.instance.birth_date  # left empty: kept, as the resident ID is
        value, born = cleaned.get("resident_id"), cleaned.get("birth_date")
        if not value and self.instance.resident_id_encrypted:
            value = ids.id_decrypt(self.instance.resident_id_encrypted)  # checked, never shown
        if value and born and ids.birth_date(value) != born:
            self.add_error("birth_date", _("Differs from the birth date inside the resident ID."))
        return cleaned


class BaseMemberFormSet(BaseInlineFormSet):
    """Members of one household: no resident ID twice, exactly one head when any member is given.

    Resident IDs registered to other members are answered as such within the clerk's daily limit
    (``services.id_answers``, one audit row per submission); over it every entered ID is refused
    unchecked.

    A row's hidden member id must be one of this household's members (Django's formset accepts any
    member's id there, and saving it then collided with the household's own member: a 500).
    """

    #: The formset's error when a posted member id is not one of the household's members.
    FOREIGN_MEMBER = _(
        "A member row is not one of this household's members: reload the page and enter the changes again."
    )

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if self._pk_field.name in form.fields:  # only this household's members (none for a new one)
            form.fields[self._pk_field.name].queryset = self.get_queryset()

    def clean(self):
        if any(self._pk_field.name in form.errors for form in self.forms):
            raise forms.ValidationError(self.FOREIGN_MEMBER, code="foreign_member")
        super().clean()
        self._answer_id_clashes()
        seen: dict[str, int] = {}
        heads = 0
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or form in self.deleted_forms:
                continue
            resident_id = form.cleaned_data.get("resident_id")
            if resident_id:
                if resident_id in seen:
                    form.add_error("resident_id", _("The same resident ID is given for two members."))
                seen[resident_id] = 1
            heads += form.cleaned_data.get("relation") == Member.Relation.HEAD
        if heads > 1:
            raise forms.ValidationError(_("A household has one head."))

    def _answer_id_clashes(self) -> None:
        entered = [f for f in self.forms if getattr(f, "cleaned_data", None) and f.cleaned_data.get("resident_id")]
        clashes = [f for f in entered if f.id_clash]
        user = self.form_kwargs.get("user")
        if id_answers_allowed(user=user, clashes=len(clashes), checked=len(entered), context="household form"):
            for form in clashes:
                form.add_error("resident_id", _("This resident ID is already registered to another member."))
            return
        for form in entered:
            form.add_error("resident_id", REFUSED_FORM % {"limit": per_day()})


MemberFormSet = inlineformset_factory(
    Household, Member, form=MemberForm, formset=BaseMemberFormSet, extra=2, can_delete=True
)


class MemberStatusForm(forms.ModelForm):
    class Meta:
        model = MemberStatus
        fields = ["present", "age", "in_school", "health", "employment", "months_away", "medical_insurance"]


class HouseholdSurveyForm(forms.ModelForm):
    class Meta:
        model = HouseholdSurvey
        fields = [c.field for c in HOUSEHOLD_SURVEYS if c.field != "registry_number"]


class VillageSurveyForm(forms.ModelForm):
    class Meta:
        model = VillageSurvey
        fields = [c.field for c in VILLAGE_SURVEYS if c.field != "village_code"]


class StatusChangeForm(forms.ModelForm):
    """A monitoring-status change by hand (the household page): the statuses the hand path sets and a
    date within bounds, by the rules of ``households.services.status`` (which checks them again when
    it writes). The list offers only those statuses; "risk eliminated" comes from the warning workflow.
    """

    status = forms.ChoiceField(label=_("monitoring status"), choices=MonitoringStatus.choices)

    class Meta:
        model = StatusChange
        fields = ["status", "changed_on", "reason"]
        widgets = {"changed_on": _DATE}

    def __init__(self, *args, household: Household | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        hand = status_rules.PATH_STATUSES[status_rules.HAND]
        self.fields["status"].widget.choices = [(v, label) for v, label in MonitoringStatus.choices if v in hand]

    def clean_status(self) -> str:
        value = self.cleaned_data["status"]
        current = self.household.monitoring_status if self.household else MonitoringStatus.NONE
        problem = status_rules.transition_problem(current=current, status=value)
        if problem:
            raise forms.ValidationError(problem)
        return value

    def clean_changed_on(self):
        on = self.cleaned_data["changed_on"]
        problem = status_rules.date_problem(on=on, household=self.household or Household())
        if problem:
            raise forms.ValidationError(problem)
        return on


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("file kind"),
        choices=[
            ("households", _("households")),
            ("members", _("members")),
            ("household-surveys", _("household surveys")),
            ("village-surveys", _("village surveys")),
        ],
    )
    period = forms.IntegerField(
        label=_("survey year"),
        min_value=1980,
        max_value=2100,
        required=False,
        help_text=_("Not needed for a households file (given, its exit years may not be later)."),
    )
    file = forms.FileField(label=_("file (CSV or XLSX)"))
    sheet = forms.CharField(label=_("sheet (XLSX, optional)"), required=False, max_length=100)

    def clean(self):
        """The survey year is required but for a households file (the registry has no year)."""
        cleaned = super().clean()
        missing = cleaned.get("kind") not in (None, "households") and cleaned.get("period") is None
        if missing and "period" not in self.errors:
            self.add_error("period", _("Give the survey year of a members or survey file."))
        return cleaned

    def clean_period(self):
        """The survey year, refused when it is in the future (``models.future_year_problem``)."""
        period = self.cleaned_data.get("period")
        problem = future_year_problem(period)
        if problem:
            raise forms.ValidationError(problem)
        return period

    def clean_file(self):
        """The upload, refused when larger than ``TUOPIN_IMPORT_MAX_UPLOAD_BYTES`` (as the API refuses it)."""
        upload = self.cleaned_data["file"]
        if upload_too_large(upload.size):
            raise forms.ValidationError(_("Larger than %(mb)s MB; split the file.") % {"mb": upload_limit_mb()})
        return upload
