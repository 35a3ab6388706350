"""The household registry and what clerks enter: survey periods, households, members, surveys.

Money is ``Decimal`` yuan per year for the household, signed where the world allows negatives (net
operating income, deductions). Shares are 0-1. Resident IDs are stored encrypted, with a keyed hash
(HMAC-SHA256) for look-ups and duplicate checks and a masked form for display (``households.ids``).
Every write path adds a row to ``ChangeLog`` (province, period), from which the recompute finds what
changed; history rows (django-simple-history) carry the import batch id on bulk paths.
"""

import datetime as dt
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from regions.models import Region

#: The largest plausible yearly amount in yuan when ``TUOPIN_IMPORT_MAX_AMOUNT`` is not set.
DEFAULT_MAX_AMOUNT = Decimal("10000000")


def max_amount() -> Decimal:
    """The largest plausible yearly amount in yuan (``TUOPIN_IMPORT_MAX_AMOUNT``, default 10,000,000):
    beyond it a value is more likely a unit or typing slip (fen for yuan, extra digits)."""
    return Decimal(str(getattr(settings, "TUOPIN_IMPORT_MAX_AMOUNT", DEFAULT_MAX_AMOUNT)))


def plausible_amount(value) -> None:
    """Refuse an amount beyond ``max_amount`` either way, as the imports do (forms and imports alike).

    Raises:
        ValidationError: ``abs(value) > max_amount()``.
    """
    if value is not None and abs(value) > max_amount():
        raise ValidationError(
            _("absurd amount: more than %(limit)s yuan a year; check the unit"),
            code="absurd_amount",
            params={"limit": f"{max_amount():,.0f}"},
        )


#: Money columns: yuan per year, cents kept, never beyond a plausible amount.
MONEY = {"max_digits": 14, "decimal_places": 2}
#: Validators that put a clear message on the form field (the database constraints stay the guard).
NOT_NEGATIVE = [MinValueValidator(Decimal(0)), plausible_amount]
AMOUNT = [plausible_amount]
POSITIVE = [MinValueValidator(Decimal("0.000001"), message=_("Must be more than 0."))]
SHARE = [
    MinValueValidator(Decimal(0)),
    MaxValueValidator(Decimal(1), message=_("A share from 0 to 1 (85 percent is 0.85).")),
]
#: The first and last year a survey period may have (``period_year_range``): dates of the registry's
#: events (monitoring-status changes) lie within them.
FIRST_YEAR, LAST_YEAR = 1980, 2100
YEAR = [MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]


def future_year_problem(year: int | None) -> str | None:
    """Why ``year`` cannot be the year of a survey or an import: it is after this year (the project's
    time zone), whose data no one has yet; ``None`` when it is not (or not given)."""
    this = timezone.localdate().year
    if year is not None and year > this:
        return _("%(year)s is in the future: the survey year may be at most %(this)s.") % {"year": year, "this": this}
    return None


ZERO = Decimal("0")


class SurveyPeriod(models.Model):
    """A survey round: one per year. "Previous period" means the year before."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["year"]
        verbose_name = _("survey period")
        verbose_name_plural = _("survey periods")
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR), name="period_year_range")
        ]

    def __str__(self) -> str:
        return str(self.year)


class MonitoringStatus(models.TextChoices):
    """Monitoring categories of the 2021 rules for preventing a return to poverty."""

    NONE = "none", _("not monitored")
    EX_POOR_UNSTABLE = "ex_poor_unstable", _("ex-poor, unstable")
    NEAR_POOR = "near_poor_at_risk", _("near-poor, at risk")
    SUDDEN_HARDSHIP = "sudden_hardship", _("sudden severe hardship")
    RISK_ELIMINATED = "risk_eliminated", _("risk eliminated")


class PovertyCause(models.TextChoices):
    ILLNESS = "illness", _("illness")
    DISABILITY = "disability", _("disability")
    SCHOOLING = "schooling", _("schooling costs")
    DISASTER = "disaster", _("disaster")
    LACK_LAND = "lack_land", _("lack of land")
    LACK_WATER = "lack_water", _("lack of water")
    LACK_SKILLS = "lack_skills", _("lack of skills")
    LACK_LABOUR = "lack_labour", _("lack of labour")
    LACK_CAPITAL = "lack_capital", _("lack of capital")
    TRANSPORT = "transport", _("poor transport")
    MOTIVATION = "motivation", _("lack of motivation")
    OTHER = "other", _("other")


class ImportBatch(models.Model):
    """An uploaded file, its validation report and what committing it wrote (kept for undo)."""

    class Kind(models.TextChoices):
        HOUSEHOLDS = "households", _("households")
        MEMBERS = "members", _("members")
        HOUSEHOLD_SURVEYS = "household-surveys", _("household surveys")
        VILLAGE_SURVEYS = "village-surveys", _("village surveys")

    class Status(models.TextChoices):
        VALIDATING = "validating", _("being checked")
        VALIDATED = "validated", _("validated, not written")
        REJECTED = "rejected", _("rejected")
        COMMITTED = "committed", _("committed")
        UNDONE = "undone", _("undone")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    period = models.ForeignKey(SurveyPeriod, on_delete=models.PROTECT, null=True, blank=True)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    encoding = models.CharField(max_length=20, blank=True)
    mapping = models.TextField(_("mapping"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.VALIDATED)
    report = models.JSONField(_("report"), default=dict)
    rows_new = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    #: The rows as they were before the commit (JSON per table), so an undo restores them exactly.
    previous_rows = models.JSONField(default=dict, blank=True)
    #: The region subtrees (paths) where the uploader was a data clerk or admin at the upload ("" for
    #: a superuser or no user): every action on the batch needs a current clerk/admin scope covering
    #: all of them (``selectors.import_batch_get``), so a clerk moved elsewhere loses the batch.
    scope_paths = models.JSONField(_("regions"), default=list, blank=True)
    #: When the kept file was deleted after the retention period (``importing.originals``).
    original_purged_at = models.DateTimeField(_("file deleted"), null=True, blank=True)
    #: While a large upload is checked in a task (status ``validating``): rows read, and of how many
    #: (``None`` until known: a sheet that declares no dimension).
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class StatusWriteRefused(Exception):
    """A household's monitoring status was changed outside ``households.services.status`` (a bug)."""


class Household(models.Model):
    """A registered household, hung on a leaf region of its scheme (a village in ``cn``).

    ``monitoring_status`` is set when the household is created and afterwards changed only by
    ``households.services.status.monitoring_status_change`` (which records the dated transition):
    otherwise ``save()`` raises ``StatusWriteRefused`` for an instance whose status was changed since
    it was read, and writes the stored status back for one read before a change (a form open while
    the workflow moved the household), so no form, admin page or script changes it around the rules.

    ``public_id`` (a random UUID) names the household in URLs, links, exports and API fields; the
    sequential ``id`` stays inside the database (its order would tell the order of registration and,
    next to a masked registry number, the serial).
    """

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    registry_number = models.CharField(_("registry number"), max_length=40, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="households", verbose_name=_("region"))
    registration_year = models.PositiveSmallIntegerField(_("registration year"), null=True, blank=True, validators=YEAR)
    exit_year = models.PositiveSmallIntegerField(_("exit year"), null=True, blank=True, validators=YEAR)
    monitoring_status = models.CharField(
        _("monitoring status"), max_length=20, choices=MonitoringStatus.choices, default=MonitoringStatus.NONE
    )
    poverty_causes = models.JSONField(_("causes of poverty"), default=list, blank=True)
    import_batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["registry_number"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.CheckConstraint(
                condition=Q(exit_year__isnull=True)
                | Q(registration_year__isnull=True)
                | Q(exit_year__gte=models.F("registration_year")),
                name="household_exit_after_registration",
            )
        ]

    def __str__(self) -> str:
        return self.registry_number

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        writes_status = update_fields is None or "monitoring_status" in update_fields
        if not self._state.adding and writes_status and not getattr(self, "_status_by_service", False):
            rows = Household.objects.filter(pk=self.pk)
            if transaction.get_connection().in_atomic_block:
                rows = rows.select_for_update()  # no status change between this read and the write
            stored = rows.values_list("monitoring_status", flat=True).first()
            if stored is not None:
                loaded = getattr(self, "_stored_status", None) or stored  # None: not read from a query
                if self.monitoring_status != loaded:
                    raise StatusWriteRefused(
                        f"household {self.pk}: the monitoring status changes only through "
                        "households.services.status.monitoring_status_change"
                    )
                self.monitoring_status = stored  # an instance read before a change does not undo it
        super().save(*args, **kwargs)
        self._stored_status, self._status_by_service = self.monitoring_status, False

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_status = instance.__dict__.get("monitoring_status")
        return instance

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        fields = kwargs.get("fields")
        if fields is None or "monitoring_status" in fields:
            self._stored_status = self.__dict__.get("monitoring_status")


class StatusChange(models.Model):
    """A dated transition of a household's monitoring status, with its reason.

    Written only by ``households.services.status.monitoring_status_change``, which bounds the date
    (not in the future, nor before the first survey period, the household's registration year or
    its latest change); the database refuses a date outside the survey years whatever writes it.
    """

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(_("status"), max_length=20, choices=MonitoringStatus.choices)
    changed_on = models.DateField(_("date"))
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["household", "changed_on", "id"]
        verbose_name = _("monitoring status change")
        verbose_name_plural = _("monitoring status changes")
        constraints = [
            models.CheckConstraint(
                condition=Q(changed_on__gte=dt.date(FIRST_YEAR, 1, 1), changed_on__lte=dt.date(LAST_YEAR, 12, 31)),
                name="statuschange_date_in_survey_years",
                violation_error_message=_("The date must lie within the survey years, 1980 to 2100."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.status} {self.changed_on}"


class Member(models.Model):
    """A person of a household. Name, resident ID and birth date may be empty (survey data)."""

    class Sex(models.TextChoices):
        MALE = "M", _("male")
        FEMALE = "F", _("female")

    class Relation(models.TextChoices):
        HEAD = "head", _("head")
        SPOUSE = "spouse", _("spouse")
        CHILD = "child", _("child")
        CHILD_IN_LAW = "child_in_law", _("child-in-law")
        GRANDCHILD = "grandchild", _("grandchild")
        PARENT = "parent", _("father or mother")
        GRANDPARENT = "grandparent", _("grandparent")
        SIBLING = "sibling", _("sibling")
        OTHER = "other", _("other")

    class Education(models.TextChoices):
        NONE = "none", _("no schooling")
        PRIMARY = "primary", _("primary")
        JUNIOR = "junior", _("junior secondary")
        SENIOR = "senior", _("senior secondary")
        VOCATIONAL = "vocational", _("vocational")
        TERTIARY = "tertiary", _("college or above")

    #: Years of schooling of each education level (national schooling system: 6 + 3 + 3, college 15+).
    YEARS_OF_SCHOOLING = {"none": 0, "primary": 6, "junior": 9, "senior": 12, "vocational": 12, "tertiary": 15}

    class Labour(models.TextChoices):
        FULL = "full", _("full labour capacity")
        PARTIAL = "partial", _("partial labour capacity")
        NONE = "none", _("no labour capacity")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    member_no = models.PositiveSmallIntegerField(_("member number"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    resident_id_encrypted = models.TextField(blank=True)
    resident_id_hash = models.CharField(max_length=64, blank=True, db_index=True)
    resident_id_masked = models.CharField(_("resident ID"), max_length=18, blank=True)
    source_id = models.CharField(_("person id in the source"), max_length=40, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    relation = models.CharField(_("relation to head"), max_length=20, choices=Relation.choices, blank=True)
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    labour_capacity = models.CharField(_("labour capacity"), max_length=10, choices=Labour.choices, blank=True)
    import_batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    history = HistoricalRecords(excluded_fields=["resident_id_encrypted"])

    class Meta:
        ordering = ["household", "member_no"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(fields=["household", "member_no"], name="member_household_no_unique"),
            models.UniqueConstraint(
                fields=["resident_id_hash"], condition=~Q(resident_id_hash=""), name="member_resident_id_unique"
            ),
            models.CheckConstraint(condition=Q(member_no__gte=1), name="member_no_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id}/{self.member_no}"


class MemberStatus(models.Model):
    """A member's situation in one period; household size of a period = members present."""

    class Health(models.TextChoices):
        HEALTHY = "healthy", _("healthy")
        CHRONIC = "chronic", _("chronic illness")
        SERIOUS = "serious", _("serious illness")
        DISABLED = "disabled", _("disability")

    class Employment(models.TextChoices):
        WAGE = "wage", _("wage employment")
        PUBLIC_WELFARE = "public_welfare", _("public-welfare post")
        SELF = "self", _("self-employed")
        NONE = "none", _("not employed")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="statuses")
    period = models.ForeignKey(SurveyPeriod, on_delete=models.PROTECT)
    present = models.BooleanField(_("in the household this period"), default=True)
    age = models.SmallIntegerField(
        _("age"), null=True, blank=True, validators=[MinValueValidator(-1), MaxValueValidator(130)]
    )
    in_school = models.BooleanField(_("in school"), default=False)
    health = models.CharField(_("health"), max_length=10, choices=Health.choices, default=Health.HEALTHY)
    employment = models.CharField(_("employment"), max_length=15, choices=Employment.choices, default=Employment.NONE)
    months_away = models.PositiveSmallIntegerField(
        _("months worked away"), default=0, validators=[MaxValueValidator(12)]
    )
    medical_insurance = models.BooleanField(_("medical insurance"), default=True)
    import_batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["member", "period"]
        verbose_name = _("member status")
        verbose_name_plural = _("member statuses")
        constraints = [
            models.UniqueConstraint(fields=["member", "period"], name="memberstatus_member_period_unique"),
            models.CheckConstraint(condition=Q(months_away__lte=12), name="memberstatus_months_away_le_12"),
            models.CheckConstraint(
                condition=Q(age__isnull=True) | Q(age__gte=-1, age__lte=130), name="memberstatus_age_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.period_id}"


class HouseholdSurvey(models.Model):
    """A household's income ledger, spending, guarantees, shocks and assistance in one period.

    Money: yuan per year for the whole household. Total net income = wage + net operating +
    property + relief transfers + other transfers − deductions.
    """

    #: The signed income ledger, in the order of the total (deductions subtracted).
    LEDGER_FIELDS = (
        "wage_income",
        "net_operating_income",
        "property_income",
        "relief_transfers",
        "other_transfers",
        "deductions",
    )
    #: "Two no-worries, three guarantees" and safe drinking water (DESIGN §4).
    GUARANTEE_FIELDS = (
        "food_secure",
        "clothing_secure",
        "compulsory_education",
        "basic_medical_insurance",
        "safe_housing",
        "safe_drinking_water",
    )

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="surveys")
    period = models.ForeignKey(SurveyPeriod, on_delete=models.PROTECT)
    wage_income = models.DecimalField(_("wage income"), default=ZERO, validators=NOT_NEGATIVE, **MONEY)
    net_operating_income = models.DecimalField(_("net operating income"), default=ZERO, validators=AMOUNT, **MONEY)
    property_income = models.DecimalField(_("property income"), default=ZERO, validators=AMOUNT, **MONEY)
    relief_transfers = models.DecimalField(_("relief transfers"), default=ZERO, validators=NOT_NEGATIVE, **MONEY)
    other_transfers = models.DecimalField(_("other transfers"), default=ZERO, validators=NOT_NEGATIVE, **MONEY)
    deductions = models.DecimalField(_("deductions"), default=ZERO, validators=AMOUNT, **MONEY)
    medical_spending = models.DecimalField(
        _("out-of-pocket medical spending"), default=ZERO, validators=NOT_NEGATIVE, **MONEY
    )
    education_spending = models.DecimalField(_("education spending"), default=ZERO, validators=NOT_NEGATIVE, **MONEY)
    food_secure = models.BooleanField(_("food secure"), null=True, blank=True)
    clothing_secure = models.BooleanField(_("clothing secure"), null=True, blank=True)
    compulsory_education = models.BooleanField(_("compulsory education secured"), null=True, blank=True)
    basic_medical_insurance = models.BooleanField(_("basic medical insurance"), null=True, blank=True)
    safe_housing = models.BooleanField(_("safe housing"), null=True, blank=True)
    safe_drinking_water = models.BooleanField(_("safe drinking water"), null=True, blank=True)
    disaster_loss = models.DecimalField(_("disaster loss"), default=ZERO, validators=NOT_NEGATIVE, **MONEY)
    job_loss = models.BooleanField(_("job lost"), default=False)
    industry_project = models.BooleanField(_("in an industry project"), default=False)
    cooperative = models.BooleanField(_("cooperative member"), default=False)
    employment_post = models.BooleanField(_("employment or public-welfare post"), default=False)
    micro_credit = models.BooleanField(_("micro-credit"), default=False)
    relocation = models.BooleanField(_("relocated"), default=False)
    enterprise_link = models.BooleanField(_("linked to an enterprise"), default=False)
    sampling_weight = models.DecimalField(
        _("sampling weight"), max_digits=14, decimal_places=6, default=Decimal(1), validators=POSITIVE
    )
    equivalence_scale = models.DecimalField(
        _("equivalence scale"), max_digits=8, decimal_places=4, null=True, blank=True, validators=POSITIVE
    )
    import_batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["household", "period"]
        verbose_name = _("household survey")
        verbose_name_plural = _("household surveys")
        constraints = [
            models.UniqueConstraint(fields=["household", "period"], name="householdsurvey_household_period_unique"),
            models.CheckConstraint(condition=Q(sampling_weight__gt=0), name="householdsurvey_weight_positive"),
            models.CheckConstraint(
                condition=Q(equivalence_scale__isnull=True) | Q(equivalence_scale__gt=0),
                name="householdsurvey_scale_positive",
            ),
            models.CheckConstraint(
                condition=Q(medical_spending__gte=0) & Q(education_spending__gte=0) & Q(disaster_loss__gte=0),
                name="householdsurvey_spending_nonnegative",
            ),
            # wages and received transfers cannot be negative; net operating income, property income
            # and deductions (tax receipts, e.g. EU-SILC's hy145n) can
            models.CheckConstraint(
                condition=Q(wage_income__gte=0) & Q(relief_transfers__gte=0) & Q(other_transfers__gte=0),
                name="householdsurvey_income_nonnegative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id}@{self.period_id}"


class VillageSurvey(models.Model):
    """A village's public services and industry in one period."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="village_surveys")
    period = models.ForeignKey(SurveyPeriod, on_delete=models.PROTECT)
    hardened_road = models.BooleanField(_("hardened road"), default=False)
    bus_service = models.BooleanField(_("bus service"), default=False)
    tap_water_coverage = models.DecimalField(
        _("tap-water coverage (share)"), max_digits=5, decimal_places=4, default=ZERO, validators=SHARE
    )
    electricity = models.BooleanField(_("electricity"), default=False)
    broadband = models.BooleanField(_("broadband"), default=False)
    mobile_coverage = models.BooleanField(_("mobile coverage"), default=False)
    school_within_reach = models.BooleanField(_("school within reach"), default=False)
    standard_clinic = models.BooleanField(_("standard clinic with a qualified doctor"), default=False)
    collective_income = models.DecimalField(
        _("collective-economy income"), default=ZERO, validators=NOT_NEGATIVE, **MONEY
    )
    cooperatives = models.PositiveIntegerField(_("cooperatives"), default=0)
    leading_enterprises = models.PositiveIntegerField(_("leading enterprises"), default=0)
    characteristic_industry = models.BooleanField(_("characteristic industry"), default=False)
    processing_facility = models.BooleanField(_("processing facility"), default=False)
    ecommerce_point = models.BooleanField(_("e-commerce service point"), default=False)
    import_batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["region", "period"]
        verbose_name = _("village survey")
        verbose_name_plural = _("village surveys")
        constraints = [
            models.UniqueConstraint(fields=["region", "period"], name="villagesurvey_region_period_unique"),
            models.CheckConstraint(
                condition=Q(tap_water_coverage__gte=0, tap_water_coverage__lte=1), name="villagesurvey_tap_water_share"
            ),
            models.CheckConstraint(
                condition=Q(collective_income__gte=0), name="villagesurvey_collective_income_nonnegative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id}@{self.period_id}"


class ChangeLog(models.Model):
    """A write to household data: which province and period it touched (what the recompute reads)."""

    class Source(models.TextChoices):
        FORM = "form", _("form")
        IMPORT = "import", _("import")
        UNDO = "undo", _("undo")
        API = "api", _("API")

    province_code = models.CharField(max_length=40)
    period = models.ForeignKey(SurveyPeriod, on_delete=models.PROTECT)
    source = models.CharField(max_length=10, choices=Source.choices)
    import_batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-changed_at"]
        indexes = [models.Index(fields=["period", "province_code"], name="changelog_period_province")]

    def __str__(self) -> str:
        return f"{self.province_code}@{self.period_id} ({self.source})"


class IdDisclosure(models.Model):
    """An audit row: a user saw a member's unmasked resident ID (who, whose, when, where)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="disclosures")
    disclosed_at = models.DateTimeField(auto_now_add=True)
    context = models.CharField(max_length=100)

    class Meta:
        ordering = ["-disclosed_at"]
        verbose_name = _("resident ID disclosure")
        verbose_name_plural = _("resident ID disclosures")

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.member_id} at {self.disclosed_at:%Y-%m-%d %H:%M}"


class ImportDownload(models.Model):
    """An audit row: a user downloaded the uploaded file of an import batch, or its rejected rows
    (who, which batch, what, when)."""

    class What(models.TextChoices):
        ORIGINAL = "original", _("uploaded file")
        REJECTED = "rejected", _("rejected rows")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="downloads")
    what = models.CharField(max_length=10, choices=What.choices)
    downloaded_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-downloaded_at"]
        verbose_name = _("import file download")
        verbose_name_plural = _("import file downloads")

    def __str__(self) -> str:
        return f"{self.user_id} downloaded {self.what} of batch {self.batch_id} at {self.downloaded_at:%Y-%m-%d %H:%M}"


class IdClashAnswer(models.Model):
    """An audit row: a user was told how many resident IDs they entered are already registered to
    other members (a members import, the household form), or was refused that answer over the daily
    limit (``households.services.id_answers``). No IDs, hashes or households: the count only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    answered_at = models.DateTimeField(auto_now_add=True, db_index=True)
    count = models.PositiveIntegerField(_("IDs answered as already registered"))
    refused = models.BooleanField(_("refused over the daily limit"), default=False)
    context = models.CharField(max_length=100)
    #: SHA-256 of the imported file: the batch (``ImportBatch.sha256``) the answer went to; '' for a form.
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-answered_at"]
        verbose_name = _("'already registered' answer")
        verbose_name_plural = _("'already registered' answers")
        indexes = [models.Index(fields=["user", "answered_at"], name="idclashanswer_user_time")]

    def __str__(self) -> str:
        state = "refused" if self.refused else "answered"
        return f"{self.user_id} {state} {self.count} at {self.answered_at:%Y-%m-%d %H:%M}"
