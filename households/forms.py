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
)
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
    """A member; the resident ID is entered in clear, checked, and stored encrypted."""

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

    def clean_resident_id(self) -> str:
        value = unicodedata.normalize("NFKC", self.cleaned_data["resident_id"]).strip().upper()
        if not value:
            return ""
        problem = ids.resident_id_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        clash = Member.objects.filter(resident_id_hash=ids.id_hash(value)).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("This resident ID is already registered to another member."))
        return value

    def clean(self):
        cleaned = super().clean()
        value, born = cleaned.get("resident_id"), cleaned.get("birth_date")
        if not value and self.instance.resident_id_encrypted:
            value = ids.id_decrypt(self.instance.resident_id_encrypted)  # checked, never shown
        if value and born and ids.birth_date(value) != born:
            self.add_error("birth_date", _("Differs from the birth date inside the resident ID."))
        return cleaned


class BaseMemberFormSet(BaseInlineFormSet):
    """Members of one household: no resident ID twice, exactly one head when any member is given."""

    def clean(self):
        super().clean()
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
    status = forms.ChoiceField(label=_("monitoring status"), choices=MonitoringStatus.choices)

    class Meta:
        model = StatusChange
        fields = ["status", "changed_on", "reason"]
        widgets = {"changed_on": _DATE}


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
    period = forms.IntegerField(label=_("survey year"), min_value=1980, max_value=2100)
    file = forms.FileField(label=_("file (CSV or XLSX)"))
    sheet = forms.CharField(label=_("sheet (XLSX, optional)"), required=False, max_length=100)

    def clean_file(self):
        """The upload, refused when larger than ``TUOPIN_IMPORT_MAX_UPLOAD_BYTES`` (as the API refuses it)."""
        upload = self.cleaned_data["file"]
        if upload_too_large(upload.size):
            raise forms.ValidationError(_("Larger than %(mb)s MB; split the file.") % {"mb": upload_limit_mb()})
        return upload
