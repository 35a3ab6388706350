"""Input (query) and output serializers of the score endpoints (``region-scores``, ``household-scores``,
``early-warning``). Output serializers map rows the selectors built; they compute and query nothing.

Units: scores 0-100; rates, shares and vulnerability 0-1; income in yuan per person per year.
"""

from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from rest_framework import serializers

from config.api import DateTimeField
from indicators.methods.scoring import CATEGORIES, REASONS
from indicators.selectors import EARLY_WARNING_ORDERINGS
from regions.services.upsert import CODE_MESSAGE, CODE_PATTERN

_CODE = RegexValidator(rf"\A{CODE_PATTERN}\Z", CODE_MESSAGE)
_VERSION = RegexValidator(r"\A[0-9A-Za-z_.-]{1,40}\Z", "A methodology version: 1-40 letters, digits, '.', '_' or '-'.")


class _ScoreQuerySerializer(serializers.Serializer):
    period = serializers.IntegerField(
        required=False, min_value=1980, max_value=2100, help_text="A survey year; every period when left out."
    )
    methodology = serializers.CharField(
        required=False, validators=[_VERSION], help_text="A methodology version; the default methodology when left out."
    )
    region = serializers.CharField(
        required=False, validators=[_CODE], help_text="A region code: that region and its subtree."
    )


class RegionScoreQuerySerializer(_ScoreQuerySerializer):
    """Query parameters of ``region-scores`` (DESIGN §7)."""

    scheme = serializers.CharField(
        required=False, default="cn", validators=[_CODE], help_text="Tree (default cn; 'all' for every tree)."
    )
    level = serializers.IntegerField(
        required=False, min_value=1, max_value=20, help_text="Level: 1 province … 5 village in cn."
    )
    tag = serializers.CharField(
        required=False,
        validators=[_CODE],
        help_text="A tag code: regions carrying it, or inside a region carrying it (the counties of a western "
        "province).",
    )

    def validate(self, attrs):
        """China's tree has five levels; another tree (``scheme``) may have more."""
        if attrs.get("scheme", "cn") == "cn" and attrs.get("level", 1) > 5:
            raise serializers.ValidationError({"level": [_("China's tree has levels 1 (province) to 5 (village).")]})
        return attrs


class HouseholdScoreQuerySerializer(_ScoreQuerySerializer):
    """Query parameters of ``household-scores``."""

    flagged = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="true: flagged only.")


class EarlyWarningQuerySerializer(_ScoreQuerySerializer):
    """Query parameters of ``early-warning``."""

    village = serializers.CharField(required=False, validators=[_CODE], help_text="A village code: its households.")
    reason = serializers.ChoiceField(required=False, choices=REASONS, help_text="Households flagged for this reason.")
    category = serializers.ChoiceField(required=False, choices=CATEGORIES, help_text="A monitoring category.")
    ordering = serializers.ChoiceField(
        required=False,
        default="risk",
        choices=sorted(EARLY_WARNING_ORDERINGS),
        help_text="risk: highest vulnerability first (default); margin: lowest income over the monitoring line "
        "first; registry_number: by village, then by registry number where the caller sees numbers whole and by "
        "the household's public id where they are masked.",
    )


def _score(help_text: str = "Score 0-100; null: no data."):
    return serializers.FloatField(allow_null=True, help_text=help_text)


def _share(help_text: str):
    return serializers.FloatField(allow_null=True, help_text=help_text)


class RankBandOutputSerializer(serializers.Serializer):
    """A region's EQI rank in one ranking and its band (``RegionRankBand``)."""

    rank = serializers.IntegerField(help_text="Rank under the methodology as published (1 = the highest EQI).")
    median = serializers.IntegerField(help_text="Median rank over the sensitivity scenarios.")
    low = serializers.IntegerField(help_text="5th percentile of the scenario ranks (the band's best end).")
    high = serializers.IntegerField(help_text="95th percentile of the scenario ranks.")
    ranked = serializers.IntegerField(help_text="Regions in this ranking.")


class RegionScoreOutputSerializer(serializers.Serializer):
    """One region in one period (the schema of a ``region-scores`` row)."""

    region = serializers.CharField(help_text="Region code, as text (leading zeros kept).")
    name = serializers.CharField()
    level = serializers.IntegerField()
    period = serializers.IntegerField()
    d1_income = _score()
    d2_resilience = _score()
    d3_public_services = _score()
    d4_industry = _score()
    eqi = _score("Exit-quality index 0-100 (geometric mean of D1-D4); null: no data.")
    headcount_ratio = _share("Poverty headcount ratio, national line, 0-1.")
    headcount_ratio_se = _share(
        "Standard error of headcount_ratio, 0-1 (a share, as the ratio). Null for a census (sampling_design "
        "'census'), for a region inside one sampling unit or holding a stratum with one, and where the ratio is."
    )
    headcount_ratio_ci_low = _share("Lower end of the 95 % confidence interval of headcount_ratio, 0-1 (cut at 0).")
    headcount_ratio_ci_high = _share("Upper end of the 95 % confidence interval of headcount_ratio, 0-1 (cut at 1).")
    poverty_gap = _share("FGT poverty gap, national line, 0-1.")
    poverty_severity = _share("FGT poverty severity, national line, 0-1.")
    headcount_ratio_monitoring = _share("Headcount ratio, monitoring line, 0-1.")
    poverty_gap_monitoring = _share("Poverty gap, monitoring line, 0-1.")
    poverty_severity_monitoring = _share("Poverty severity, monitoring line, 0-1.")
    mpi_h = _share("Alkire-Foster headcount H, 0-1.")
    mpi_a = _share("Alkire-Foster intensity A, 0-1.")
    mpi_m0 = _share("Alkire-Foster adjusted headcount M0, 0-1.")
    mpi_m0_se = _share("Standard error of mpi_m0, 0-1; null as headcount_ratio_se.")
    mpi_m0_ci_low = _share("Lower end of the 95 % confidence interval of mpi_m0, 0-1 (cut at 0).")
    mpi_m0_ci_high = _share("Upper end of the 95 % confidence interval of mpi_m0, 0-1 (cut at 1).")
    gini = _share("Gini coefficient of income per person, 0-1.")
    s80_s20 = _share("Income quintile share ratio S80/S20.")
    flagged_share = _share("Share of households flagged for early warning, 0-1.")
    mean_vulnerability = _share("Mean vulnerability (expected poverty), 0-1.")
    vulnerable_share = _share("Share of persons with vulnerability 0.5 or more, 0-1.")
    income_median = serializers.FloatField(
        allow_null=True, help_text="Weighted median income per person, yuan per year; null: no data."
    )
    median_margin = serializers.FloatField(
        allow_null=True, help_text="Median of income / monitoring line over persons; null: no data."
    )
    households = serializers.IntegerField(allow_null=True, help_text="Surveyed households.")
    persons = serializers.IntegerField(allow_null=True)
    coverage = _share("Share of registered households surveyed this period, 0-1.")
    exit_check = serializers.BooleanField(
        allow_null=True, help_text="Poverty incidence below 2 % (3 % in the western provinces); null: too few data."
    )
    eqi_rank_bands = serializers.DictField(
        child=RankBandOutputSerializer(),
        allow_null=True,
        help_text="The region's EQI rank among the regions ranked with it, by ranking: 'country' (provinces and "
        "counties), 'province' and 'prefecture' (counties), each with the median rank and the 90 % band "
        "(5th-95th percentile) over the methodology's sensitivity scenarios; 1 = the highest EQI. Empty where "
        "not ranked (a level not ranked, fewer than 10 surveyed households, or withheld with such a region); "
        "null when suppressed.",
    )
    suppressed = serializers.BooleanField(
        help_text="True when fewer than 10 households were surveyed and the region lies outside the caller's "
        "assigned regions: every number is null (small-cell suppression)."
    )
    methodology = serializers.CharField(help_text="Methodology version of the run.")
    sampling_design = serializers.ChoiceField(
        choices=["census", "sample"],
        help_text="The run's methodology: 'census' (every household of the registry: no sampling error, every "
        "*_se and *_ci_* field null) or 'sample' (a stratified cluster sample: normal 95 % intervals, estimate "
        "-/+ 1.96 SE, by linearisation; see /methodology/).",
    )
    run = serializers.IntegerField(help_text="The computation run (see runs/).")
    computed_at = DateTimeField(
        allow_null=True,
        help_text="When the run was published (ISO 8601 to the second, with the offset of the project time zone).",
    )


class RegionScorePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = RegionScoreOutputSerializer(many=True)


class _HouseholdRowSerializer(serializers.Serializer):
    household = serializers.UUIDField(
        source="household_public_id", help_text="The household's public id (as in its page's address)."
    )
    registry_number = serializers.CharField(
        help_text="Masked (640422100002**01: the village code and the last two characters) unless the caller "
        "is a data clerk or an admin of the household's village or a region above it."
    )
    period = serializers.IntegerField()
    run = serializers.IntegerField(source="run_id")
    persons = serializers.IntegerField()
    income = serializers.FloatField(allow_null=True, help_text="Net income per person, yuan per year.")
    margin = serializers.FloatField(allow_null=True, help_text="Income over the monitoring line (ratio).")
    vulnerability = serializers.FloatField(allow_null=True, help_text="Vulnerability (expected poverty), 0-1.")
    category = serializers.CharField(source="category_code", allow_null=True, help_text="Monitoring category.")
    reasons = serializers.ListField(child=serializers.ChoiceField(choices=REASONS), help_text="Early-warning reasons.")


class HouseholdScoreOutputSerializer(_HouseholdRowSerializer):
    """A household's scores in a period (no names, no resident IDs)."""

    region = serializers.CharField(source="region_code", help_text="The household's village (or leaf region).")
    region_name = serializers.CharField()
    weight = serializers.FloatField(help_text="Sampling weight.")
    ratio = serializers.FloatField(allow_null=True, help_text="Income over the national poverty line (ratio).")
    d1_income = _score()
    d2_resilience = _score()
    d3_public_services = _score()
    d4_industry = _score()
    eqi = _score()
    deprivation_score = _share("Alkire-Foster deprivation score, 0-1.")
    flagged = serializers.BooleanField()
    data_error = serializers.CharField(allow_blank=True)


class EarlyWarningOutputSerializer(_HouseholdRowSerializer):
    """A flagged household: why, how far above the monitoring line, how vulnerable."""

    village = serializers.CharField(source="region_code")
    village_name = serializers.CharField(source="region_name")
