"""Indicator results: methodologies, poverty lines, computation runs and the scores they publish.

Everything here is derived from the households' data and a methodology version, and can be rebuilt.
Score rows belong to a snapshot (``ScoreSnapshot``): one province of one period under one
methodology, computed once from one version of its inputs. A run (``ComputationRun``) is a manifest:
the snapshots it serves, one per province with surveys plus one for the regions outside them. A run
that finds a province unchanged points at the snapshot the current run serves (nothing is copied).
The current run of a (period, methodology) is the one served, flipped in one transaction when a run
publishes; a night without change makes no run (DESIGN §6).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models import Household, SurveyPeriod
from indicators.methods import scoring
from regions.models import Region


class Methodology(models.Model):
    """A versioned set of method parameters (``indicators.methods.scoring.DEFAULT_PARAMETERS``).

    Immutable once a run used it (``locked_at`` set): a change is a new version, so every published
    number can be reproduced from its run's methodology and lines.
    """

    version = models.CharField(_("version"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    parameters = models.JSONField(_("parameters"))
    is_default = models.BooleanField(_("default"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    locked_at = models.DateTimeField(_("used by a run since"), null=True, blank=True)

    class Meta:
        verbose_name = _("methodology")
        verbose_name_plural = _("methodologies")
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="methodology_one_default")
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.name}"

    def save(self, *args, **kwargs):
        if self.pk and self.locked_at:
            stored = Methodology.objects.filter(pk=self.pk).values("parameters", "version").first()
            if stored and (stored["parameters"] != self.parameters or stored["version"] != self.version):
                raise ValidationError(
                    _("Methodology %(v)s was used by a run; create a new version.") % {"v": self.version}
                )
        with transaction.atomic():
            if self.is_default:  # one default: ticking it here unticks the previous one
                Methodology.objects.filter(is_default=True).exclude(pk=self.pk).update(is_default=False)
            super().save(*args, **kwargs)

    def validate_constraints(self, exclude=None):
        """Form validation leaves out the one-default constraint: ``save`` unticks the previous default in the
        same transaction, so ticking "default" on another methodology in /admin/ moves it (the database still
        enforces one default)."""
        super().validate_constraints(exclude={*(exclude or ()), "is_default"})

    def clean(self):
        from indicators.services.methodology import parameters_validate

        try:
            self.parameters = parameters_validate(self.parameters)
        except ValueError as error:
            raise ValidationError({"parameters": str(error)}) from error
        was_default = self.pk and Methodology.objects.filter(pk=self.pk, is_default=True).exists()
        if was_default and not self.is_default:
            raise ValidationError(
                {"is_default": _("Runs need a default methodology: tick 'default' on another one instead.")}
            )


class PovertyLine(models.Model):
    """A poverty line in yuan per person per year (current prices), for a year and type.

    ``province_code`` blank means every province. Lines are never edited: an admin supersedes a line
    with a new row (``superseded_at`` set on the old one), and each run stores the values it used.
    Where a year has no monitoring line, the monitoring line is 1.5 x the national line (DESIGN §5).
    """

    class Type(models.TextChoices):
        NATIONAL = "national", _("national poverty line")
        MONITORING = "monitoring", _("monitoring line")

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1980), MaxValueValidator(2100)])
    line_type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    province_code = models.CharField(
        _("province"), max_length=40, blank=True, help_text=_("A province code (level 1), or blank for every province.")
    )
    value = models.DecimalField(
        _("value (yuan per person per year)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"), message=_("A poverty line is more than 0 yuan."))],
    )
    status = models.CharField(_("status"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("poverty line")
        verbose_name_plural = _("poverty lines")
        ordering = ["year", "line_type", "province_code", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="povertyline_value_positive"),
            models.UniqueConstraint(
                fields=["year", "line_type", "province_code"],
                condition=Q(superseded_at__isnull=True),
                name="povertyline_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.line_type} {self.province_code or '*'} {self.value}"

    def clean(self):
        if self.province_code and not Region.objects.filter(code=self.province_code, level=1).exists():
            raise ValidationError({"province_code": _("No province with code %(c)s.") % {"c": self.province_code}})


class ComputationRun(models.Model):
    """One recompute of a period under a methodology: chunks per province, then roll-up and publish.

    ``snapshots`` is the manifest the run serves once published: the snapshot of every province with
    surveys (new ones for the provinces it recomputed, the current run's for the others) and the
    snapshot of the regions outside them. It is written at publish, in the transaction that makes the
    run current, so the previous manifest serves until then.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        ROLLING_UP = "rolling_up", _("rolling up")
        PUBLISHED = "published", _("published")
        FAILED = "failed", _("failed")

    period = models.ForeignKey(SurveyPeriod, on_delete=models.PROTECT, related_name="runs")
    methodology = models.ForeignKey(Methodology, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RUNNING)
    is_current = models.BooleanField(_("current"), default=False)
    full = models.BooleanField(_("full run"), default=True)
    scheduled_for = models.DateField(_("scheduled for"), null=True, blank=True)
    trigger = models.CharField(_("trigger"), max_length=20, default="command")
    previous = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    lines = models.JSONField(_("poverty lines used"), default=dict)
    notes = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    # the next run counts the change-log rows from here (recompute.changes_watermark): at or before
    # started_at, the start of the oldest writing transaction open when this run was created
    changes_since = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    snapshots = models.ManyToManyField("ScoreSnapshot", related_name="runs", blank=True)

    class Meta:
        verbose_name = _("computation run")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "methodology"], condition=Q(is_current=True), name="run_one_current"
            ),
            models.UniqueConstraint(
                fields=["period", "methodology", "scheduled_for"],
                condition=Q(scheduled_for__isnull=False),
                name="run_one_per_schedule",
            ),
        ]

    def __str__(self) -> str:
        return f"run {self.pk} {self.period_id} {self.methodology_id} {self.status}"


class ScoreSnapshot(models.Model):
    """The scores of one province (``province_code``) of a period under a methodology, computed once
    by ``run`` from the inputs as they stood then (``input_version``); or, with ``province_code``
    blank, the coverage rows of the regions outside the provinces with surveys (written at publish).

    Its ``HouseholdScore`` and ``RegionScore`` rows never change. Every run that found the province
    unchanged serves the same snapshot (``ComputationRun.snapshots``); a snapshot no manifest
    references is removed with its rows by ``indicators.services.retention``.
    """

    period = models.ForeignKey(SurveyPeriod, on_delete=models.PROTECT, related_name="+")
    methodology = models.ForeignKey(Methodology, on_delete=models.PROTECT, related_name="+")
    province_code = models.CharField(max_length=40, blank=True)
    run = models.ForeignKey(
        ComputationRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="computed",
        verbose_name=_("computed by"),
    )
    #: The inputs it read: the last household change-log entry of its periods then, and its lines.
    input_version = models.CharField(max_length=200, blank=True)
    households = models.PositiveIntegerField(default=0)
    vulnerability_method = models.CharField(max_length=10, blank=True)
    vulnerability_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("score snapshot")
        indexes = [models.Index(fields=["period", "methodology", "province_code"], name="snapshot_period_province")]

    def __str__(self) -> str:
        return f"snapshot {self.pk} {self.period_id} {self.methodology_id} {self.province_code or '(rest)'}"


class RunChunk(models.Model):
    """A province of a run: recomputed (a new snapshot) or reused (``copied``: the current run's
    snapshot, nothing copied; done when the run is created)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    run = models.ForeignKey(ComputationRun, on_delete=models.CASCADE, related_name="chunks")
    province_code = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    copied = models.BooleanField(default=False)
    snapshot = models.ForeignKey(ScoreSnapshot, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    attempts = models.PositiveSmallIntegerField(default=0)
    households = models.PositiveIntegerField(default=0)
    vulnerability_method = models.CharField(max_length=10, blank=True)
    vulnerability_reason = models.TextField(blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["province_code"]
        constraints = [models.UniqueConstraint(fields=["run", "province_code"], name="runchunk_unique")]

    def __str__(self) -> str:
        return f"run {self.run_id} province {self.province_code} {self.status}"


class ScoreQuerySet(models.QuerySet):
    """Score rows (``HouseholdScore``, ``RegionScore``) by the runs that serve them."""

    def of_runs(self, runs) -> "ScoreQuerySet":
        """The rows ``runs`` serve, annotated ``run_id`` (the run serving each row).

        Those of the snapshots in the runs' manifests (one join on the manifest table), and, where
        the runs' periods are known, in those periods only (PostgreSQL then reads only those periods'
        partitions). A snapshot that two of the runs serve gives its rows once per run.

        Args:
            runs: ``ComputationRun`` objects, dicts with ``id`` and ``period``
                (``selectors.runs_current``), or run ids.
        """
        ids, periods, every_period_known = [], set(), True
        for run in runs:
            if isinstance(run, dict):
                ids.append(run["id"])
                periods.add(run["period"])
            elif isinstance(run, ComputationRun):
                ids.append(run.pk)
                periods.add(run.period_id)
            else:
                ids.append(run)  # a bare id: its period is unknown here, so no partition is pruned
                every_period_known = False
        rows = self.filter(snapshot__runs__in=ids)
        if periods and every_period_known:
            rows = rows.filter(period_id__in=sorted(periods))
        return rows.annotate(run_id=F("snapshot__runs"))

    def of_run(self, run) -> "ScoreQuerySet":
        """The rows ``run`` (a run or its id) serves."""
        return self.of_runs([run])

    def served(self) -> "ScoreQuerySet":
        """The rows the current runs of the default methodology serve (every period)."""
        return self.of_runs(list(ComputationRun.objects.filter(is_current=True, methodology__is_default=True)))


def _score(verbose_name):
    return models.FloatField(verbose_name, null=True, blank=True)


SCORE_RANGE = ("d1_income", "d2_resilience", "d3_public_services", "d4_industry", "eqi")
#: A region score's sampling-error fields (shares 0-1; ``indicators.services.rollup_uncertainty.FIELDS``).
UNCERTAINTY_FIELDS = (
    "headcount_ratio_se",
    "headcount_ratio_ci_low",
    "headcount_ratio_ci_high",
    "mpi_m0_se",
    "mpi_m0_ci_low",
    "mpi_m0_ci_high",
)


def _score_checks(prefix: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(**{f"{f}__isnull": True}) | Q(**{f"{f}__gte": 0, f"{f}__lte": 100}),
            name=f"{prefix}_{f}_0_100",
        )
        for f in SCORE_RANGE
    ]


class HouseholdScore(models.Model):
    """A household's scores in a run (scores 0-100, shares 0-1, income in yuan per person per year)."""

    # Derived rows written a million at a time: the database does not check the keys to the snapshot,
    # the household and the region at commit (50-65 s per million rows measured); the run that wrote
    # them read them from those tables, and deleting a household still deletes its scores (Django's
    # cascade). A snapshot's rows are deleted in SQL by the retention (indicators.services.retention),
    # never one by one. The snapshot's index is hhscore_snapshot; the household's the leading column of
    # the unique constraint, which serves a household's page. On PostgreSQL the table is partitioned by
    # period (migration 0013): the period is in the primary key and in every unique constraint.
    snapshot = models.ForeignKey(
        ScoreSnapshot, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    period = models.ForeignKey(
        SurveyPeriod, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="scores", db_constraint=False, db_index=False
    )
    region = models.ForeignKey(Region, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    province_code = models.CharField(max_length=40)
    persons = models.PositiveSmallIntegerField(_("persons"))
    weight = models.FloatField(_("sampling weight"))
    income = _score(_("income per person"))
    ratio = _score(_("income over the poverty line"))
    margin = _score(_("income over the monitoring line"))
    d1_income = _score(_("D1 income"))
    d2_resilience = _score(_("D2 resilience"))
    d3_public_services = _score(_("D3 public services"))
    d4_industry = _score(_("D4 industrial support"))
    eqi = _score(_("exit-quality index"))
    # The components of the dimensions (indicators.methods.scoring.COMPONENTS, scores 0-100), one column
    # each: a million JSON objects cost the recompute about 7 s to write and parse (bench_recompute).
    c_adequacy = _score(_("Income adequacy"))
    c_growth = _score(_("Real income growth"))
    c_dev_share = _score(_("Developmental income share"))
    c_stability = _score(_("Income stability"))
    c_resilience = _score(_("Resilience (1 − vulnerability)"))
    c_margin = _score(_("Margin over the monitoring line"))
    c_shocks = _score(_("Shocks absent"))
    c_guarantees = _score(_("Guarantees met"))
    c_village_services = _score(_("Village public services"))
    c_household_industry = _score(_("Household industrial participation"))
    c_village_industry = _score(_("Village industry"))
    vulnerability = _score(_("vulnerability"))
    vulnerability_method = models.CharField(max_length=10, blank=True)
    deprivation_score = _score(_("deprivation score"))
    deprivations = models.PositiveSmallIntegerField(
        default=0, help_text="bit j set when deprived in AF_INDICATORS[j] (indicators.services.score)"
    )
    flagged = models.BooleanField(_("flagged"), default=False)
    reasons = models.JSONField(_("reasons"), default=list)
    category = models.CharField(_("category"), max_length=20, blank=True)
    data_error = models.CharField(max_length=100, blank=True)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "snapshot", "period"], name="householdscore_unique"),
            models.CheckConstraint(
                condition=Q(vulnerability__isnull=True) | Q(vulnerability__gte=0, vulnerability__lte=1),
                name="householdscore_v_share",
            ),
            *_score_checks("householdscore"),
        ]
        indexes = [models.Index(fields=["snapshot"], name="hhscore_snapshot")]

    #: The component columns, one per ``indicators.methods.scoring.COMPONENTS`` (same names, same order).
    COMPONENT_FIELDS = scoring.COMPONENTS

    def __str__(self) -> str:
        return f"household {self.household_id} snapshot {self.snapshot_id}"

    @property
    def components(self) -> dict[str, float | None]:
        """The components as a dict of code to score (0-100, None where not computable)."""
        return {c: getattr(self, c) for c in self.COMPONENT_FIELDS}


class RegionScore(models.Model):
    """A region's aggregates in a run: every field of the ``region-scores`` API (DESIGN §7).

    Scores 0-100; rates and shares 0-1; money in yuan per person per year. Null means no data.
    """

    # Written by the recompute in bulk, as HouseholdScore: the keys are not checked again at commit
    # (about 1 s per 100,000 rows, bench_recompute), deletes still cascade or are refused by Django.
    # The snapshot's own index is the leading column of the unique constraint and of
    # regionscore_snapshot_level. Partitioned by period on PostgreSQL, as HouseholdScore.
    snapshot = models.ForeignKey(
        ScoreSnapshot, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="scores", db_constraint=False)
    period = models.ForeignKey(SurveyPeriod, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    level = models.PositiveSmallIntegerField()
    d1_income = _score(_("D1 income"))
    d2_resilience = _score(_("D2 resilience"))
    d3_public_services = _score(_("D3 public services"))
    d4_industry = _score(_("D4 industrial support"))
    eqi = _score(_("exit-quality index"))
    headcount_ratio = _score(_("headcount ratio"))
    poverty_gap = _score(_("poverty gap"))
    poverty_severity = _score(_("poverty severity"))
    headcount_ratio_monitoring = _score(_("headcount ratio (monitoring line)"))
    poverty_gap_monitoring = _score(_("poverty gap (monitoring line)"))
    poverty_severity_monitoring = _score(_("poverty severity (monitoring line)"))
    mpi_h = _score(_("MPI headcount H"))
    mpi_a = _score(_("MPI intensity A"))
    mpi_m0 = _score(_("MPI M0"))
    mpi_contributions = models.JSONField(default=dict)
    mpi_censored_headcounts = models.JSONField(default=dict)
    gini = _score(_("Gini"))
    s80_s20 = _score(_("S80/S20"))
    income_mean = _score(_("mean income"))
    income_median = _score(_("median income"))
    income_q20 = _score(_("income at the 20th percentile"))
    income_q80 = _score(_("income at the 80th percentile"))
    relative_median_poverty_gap = _score(_("relative median poverty gap"))
    median_margin = _score(_("median margin over the monitoring line"))
    flagged_share = _score(_("flagged share"))
    flagged_by_category = models.JSONField(default=dict)
    mean_vulnerability = _score(_("mean vulnerability"))
    vulnerable_share = _score(_("share with v >= 0.5"))
    households = models.PositiveIntegerField(_("households"), default=0)
    persons = models.PositiveIntegerField(_("persons"), default=0)
    flagged_households = models.PositiveIntegerField(_("flagged households"), default=0)
    villages_surveyed = models.PositiveIntegerField(default=0)
    coverage = _score(_("coverage"))
    exit_check = models.BooleanField(_("exit check"), null=True)
    # Sampling error where the methodology's households are a sample (indicators.services.
    # rollup_uncertainty): standard error and normal 95 % interval (clipped to 0-1) of the headcount
    # ratio (national line) and of M0, shares 0-1; null for a census or without a variance estimate.
    headcount_ratio_se = _score(_("standard error of the headcount ratio"))
    # xgettext:no-python-format
    headcount_ratio_ci_low = _score(_("headcount ratio: lower end of the 95% confidence interval"))
    # xgettext:no-python-format
    headcount_ratio_ci_high = _score(_("headcount ratio: upper end of the 95% confidence interval"))
    mpi_m0_se = _score(_("standard error of M0"))
    # xgettext:no-python-format
    mpi_m0_ci_low = _score(_("M0: lower end of the 95% confidence interval"))
    # xgettext:no-python-format
    mpi_m0_ci_high = _score(_("M0: upper end of the 95% confidence interval"))

    objects = ScoreQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "region", "period"], name="regionscore_unique"),
            *_score_checks("regionscore"),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{f}__isnull": True}) | Q(**{f"{f}__gte": 0, f"{f}__lte": 1}),
                    name=f"regionscore_{f}_share",
                )
                for f in UNCERTAINTY_FIELDS
            ),
        ]
        indexes = [models.Index(fields=["snapshot", "level"], name="regionscore_snapshot_level")]

    def __str__(self) -> str:
        return f"region {self.region_id} snapshot {self.snapshot_id}"


class RegionRankBand(models.Model):
    """A region's EQI rank in a run among the regions ranked with it, and its band over the scenarios
    of the sensitivity analysis (``indicators.methods.sensitivity``): 1 = the highest EQI.

    Written at publish for the rankings the dashboards show (``indicators.services.rank_bands``): the
    provinces in the country, the counties in the country, in their province and in their prefecture,
    among the regions whose numbers the public sees (an EQI, at least ``SMALL_CELL`` surveyed
    households, not withheld as a complement). ``rank_low`` and ``rank_high`` are the 5th and 95th
    percentiles of the scenario ranks: the 90 % band, ``rank_low`` its best end.
    """

    class Within(models.IntegerChoices):
        COUNTRY = 0, _("in the country")
        PROVINCE = 1, _("in its province")
        PREFECTURE = 2, _("in its prefecture")

    # The run's own index is the leading column of the unique constraint.
    run = models.ForeignKey(ComputationRun, on_delete=models.CASCADE, related_name="rank_bands", db_index=False)
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField()
    within = models.PositiveSmallIntegerField(_("ranked among"), choices=Within.choices)
    ranked = models.PositiveIntegerField(_("regions ranked"))
    rank = models.PositiveIntegerField(_("rank"))
    rank_median = models.PositiveIntegerField(_("median rank"))
    rank_low = models.PositiveIntegerField(_("rank, 5th percentile"))
    rank_high = models.PositiveIntegerField(_("rank, 95th percentile"))

    class Meta:
        verbose_name = _("EQI rank band")
        constraints = [
            models.UniqueConstraint(fields=["run", "within", "region"], name="rankband_unique"),
            models.CheckConstraint(
                condition=Q(rank__gte=1, rank__lte=F("ranked"))
                & Q(rank_low__gte=1, rank_low__lte=F("rank_median"))
                & Q(rank_median__lte=F("rank_high"), rank_high__lte=F("ranked")),
                name="rankband_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"region {self.region_id} run {self.run_id} within {self.within}: {self.rank_median}"


# --- Early warning: the monitoring workflow of a flagged household (DESIGN §4) ---------------------


class WarningState(models.TextChoices):
    """Where a warning case stands; each state is also the name of the step that reached it."""

    FLAGGED = "flagged", _("flagged")
    VERIFIED = "verified", _("verified by the village")
    MEASURES_ASSIGNED = "measures_assigned", _("assistance measures assigned")
    ELIMINATION_PROPOSED = "elimination_proposed", _("risk elimination proposed")
    RISK_ELIMINATED = "risk_eliminated", _("risk eliminated")


class AssistanceMeasure(models.TextChoices):
    """Assistance measures a case may be assigned (the household survey's assistance, plus relief)."""

    INDUSTRY_PROJECT = "industry_project", _("industry project")
    COOPERATIVE = "cooperative", _("cooperative membership")
    EMPLOYMENT_POST = "employment_post", _("employment or public-welfare post")
    SKILLS_TRAINING = "skills_training", _("skills training")
    MICRO_CREDIT = "micro_credit", _("micro-credit")
    RELOCATION = "relocation", _("relocation")
    ENTERPRISE_LINK = "enterprise_link", _("link to an enterprise")
    SUBSISTENCE_ALLOWANCE = "subsistence_allowance", _("subsistence allowance")
    MEDICAL_ASSISTANCE = "medical_assistance", _("medical assistance")
    EDUCATION_ASSISTANCE = "education_assistance", _("education assistance")
    TEMPORARY_ASSISTANCE = "temporary_assistance", _("temporary assistance")
    OTHER = "other", _("other")


class WarningCase(models.Model):
    """A flagged household followed through the monitoring workflow (``indicators.services.warnings``).

    Opened from the household's score in a published run (``run``, ``period``; ``category`` and
    ``reasons`` copied from it), then moved on by dated steps (``WarningStep``). A household has at
    most one case that is not closed (risk eliminated). ``state`` is the last step's; its changes are
    kept in the history table.
    """

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="warning_cases")
    period = models.ForeignKey(SurveyPeriod, on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(ComputationRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    category = models.CharField(_("category"), max_length=20, blank=True)
    reasons = models.JSONField(_("reasons"), default=list)
    state = models.CharField(_("state"), max_length=24, choices=WarningState.choices, default=WarningState.FLAGGED)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("warning case")
        verbose_name_plural = _("warning cases")
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=~Q(state="risk_eliminated"), name="warningcase_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"case {self.pk} household {self.household_id} {self.state}"


class WarningStep(models.Model):
    """One dated step of a case: what (``step``), when it happened (``on``), who, a note, measures.

    ``actor`` is empty only for the opening step, which the run did. ``monitoring_status`` is the
    household's monitoring status the step wrote (verification and elimination), blank otherwise.
    """

    case = models.ForeignKey(WarningCase, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("step"), max_length=24, choices=WarningState.choices)
    on = models.DateField(_("date"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("by")
    )
    note = models.TextField(_("note"), blank=True)
    measures = models.JSONField(_("assistance measures"), default=list, blank=True)
    monitoring_status = models.CharField(_("monitoring status"), max_length=20, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["case", "recorded_at", "id"]
        verbose_name = _("warning step")
        verbose_name_plural = _("warning steps")

    def __str__(self) -> str:
        return f"case {self.case_id} {self.step} {self.on}"
