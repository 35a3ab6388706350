"""The indicator registry: every measure the product shows, with its names, unit, direction and source.

The codes are the field names of ``RegionScore`` and of the ``region-scores`` API (DESIGN §7); the
dashboards and ``/api/v1/indicators/`` read this list, and nothing is shown that is not in it.
"""

from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override


@dataclass(frozen=True)
class Indicator:
    """One measure. ``direction`` is ``higher_better`` or ``lower_better``; ``unit`` is one of
    ``score`` (0-100), ``share`` (0-1, shown in percent), ``coefficient`` (0-1, shown as itself: the
    Gini), ``ratio``, ``yuan`` (per person per year) or ``count``."""

    code: str
    name: str  # a lazy translation; name_en / name_zh give both languages
    dimension: str
    unit: str
    direction: str
    formula: str  # a lazy translation, as is source where it is not a citation
    source: str

    def names(self) -> dict[str, str]:
        """The name in English and in Simplified Chinese."""
        with override("en"):
            en = str(self.name)
        with override("zh-hans"):
            zh = str(self.name)
        return {"en": en, "zh_hans": zh}


HDI = "UNDP Human Development Report technical notes; OECD/JRC Handbook on Constructing Composite Indicators (2008)"
FGT = "Foster, Greer & Thorbecke (1984), Econometrica 52(3):761-766"
AF = "Alkire & Foster (2011), Journal of Public Economics 95(7-8):476-487"
LAEKEN = "Eurostat EU-SILC common indicators; laeken R package (Alfons & Templ 2013)"
VEP = "Chaudhuri, Jalan & Suryahadi (2002), Columbia University discussion paper 0102-52"
TUOPIN = _("Tuopin method: the goalposts, weights and parameters of the methodology version")
#: the official rule of the early warning, and the thresholds of the methodology version
RULES = format_lazy("{}; {}", "国家乡村振兴局 防止返贫动态监测和帮扶机制 (2021)", TUOPIN)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "eqi",
        _("Exit-quality index"),
        "composite",
        "score",
        "higher_better",
        _("weighted geometric mean of D1-D4 (each floored at 1), aggregated first then combined"),
        HDI,
    ),
    Indicator(
        "d1_income",
        _("D1 income"),
        "income",
        "score",
        "higher_better",
        _(
            "mean of adequacy s(ln(y/z); ln1..ln3), real growth s(-0.10..0.10), developmental share "
            "s(0.5..1.0), stability s(CV 0.5..0); person-weighted"
        ),
        TUOPIN,
    ),
    Indicator(
        "d2_resilience",
        _("D2 resilience"),
        "vulnerability",
        "score",
        "higher_better",
        _("mean of 100(1-v), margin s(y/z_m; 1..2) and 100 x share of shocks absent"),
        VEP,
    ),
    Indicator(
        "d3_public_services",
        _("D3 public services"),
        "public_services",
        "score",
        "higher_better",
        _("1/2 household guarantees met + 1/2 village services"),
        TUOPIN,
    ),
    Indicator(
        "d4_industry",
        _("D4 industrial support"),
        "industry",
        "score",
        "higher_better",
        _("1/2 household participation + 1/2 village industry"),
        TUOPIN,
    ),
    Indicator(
        "headcount_ratio",
        _("Poverty incidence (national line)"),
        "income",
        "share",
        "lower_better",
        _("FGT(0): person-weighted share with y < z"),
        FGT,
    ),
    Indicator(
        "poverty_gap",
        _("Poverty gap (national line)"),
        "income",
        "share",
        "lower_better",
        _("FGT(1): mean of (z-y)/z over the poor, 0 for others"),
        FGT,
    ),
    Indicator(
        "poverty_severity",
        _("Poverty severity (national line)"),
        "income",
        "share",
        "lower_better",
        _("FGT(2): mean of ((z-y)/z)^2 over the poor, 0 for others"),
        FGT,
    ),
    Indicator(
        "headcount_ratio_monitoring",
        _("Incidence below the monitoring line"),
        "vulnerability",
        "share",
        "lower_better",
        _("FGT(0) with the monitoring line z_m"),
        FGT,
    ),
    Indicator(
        "poverty_gap_monitoring",
        _("Poverty gap (monitoring line)"),
        "vulnerability",
        "share",
        "lower_better",
        _("FGT(1) with z_m"),
        FGT,
    ),
    Indicator(
        "poverty_severity_monitoring",
        _("Poverty severity (monitoring line)"),
        "vulnerability",
        "share",
        "lower_better",
        _("FGT(2) with z_m"),
        FGT,
    ),
    Indicator(
        "mpi_h",
        _("Multidimensional headcount H"),
        "public_services",
        "share",
        "lower_better",
        _("share of persons with deprivation score >= k (six guarantees + income, equal weights, k=1/3)"),
        AF,
    ),
    Indicator(
        "mpi_a",
        _("Multidimensional intensity A"),
        "public_services",
        "share",
        "lower_better",
        _("mean deprivation score among the multidimensionally poor"),
        AF,
    ),
    Indicator("mpi_m0", _("Adjusted headcount M0"), "public_services", "share", "lower_better", "M0 = H x A", AF),
    Indicator(
        "gini",
        _("Gini coefficient"),
        "income",
        "coefficient",
        "lower_better",
        _("weighted Gini of income per person, from household rows at each level"),
        LAEKEN,
    ),
    Indicator(
        "s80_s20",
        _("Income quintile share ratio S80/S20"),
        "income",
        "ratio",
        "lower_better",
        _("income held above the 80th percentile over income held at or below the 20th"),
        LAEKEN,
    ),
    Indicator(
        "income_median",
        _("Median income per person"),
        "income",
        "yuan",
        "higher_better",
        _(
            "weighted median as laeken: the first income whose cumulative weight share exceeds 1/2 "
            "(the mean of it and the next when the share is exactly 1/2)"
        ),
        LAEKEN,
    ),
    Indicator(
        "flagged_share",
        _("Share of households flagged"),
        "vulnerability",
        "share",
        "lower_better",
        _("weighted share of households with any early-warning flag"),
        RULES,
    ),
    Indicator(
        "mean_vulnerability",
        _("Mean vulnerability"),
        "vulnerability",
        "share",
        "lower_better",
        _("person-weighted mean of v = P(y < z_m)"),
        VEP,
    ),
    Indicator(
        "vulnerable_share",
        _("Share vulnerable (v >= 0.5)"),
        "vulnerability",
        "share",
        "lower_better",
        _("person-weighted share with v >= 0.5"),
        VEP,
    ),
    Indicator(
        "median_margin",
        _("Median margin over the monitoring line"),
        "vulnerability",
        "ratio",
        "higher_better",
        _("weighted median of y/z_m"),
        TUOPIN,
    ),
    Indicator(
        "households",
        _("Surveyed households"),
        "coverage",
        "count",
        "higher_better",
        _("households with a survey this period"),
        TUOPIN,
    ),
    Indicator(
        "persons",
        _("Persons"),
        "coverage",
        "count",
        "higher_better",
        _("members present in surveyed households"),
        TUOPIN,
    ),
    Indicator(
        "coverage",
        _("Survey coverage"),
        "coverage",
        "share",
        "higher_better",
        _("surveyed households over registered households"),
        TUOPIN,
    ),
)

BY_CODE = {indicator.code: indicator for indicator in INDICATORS}


def indicator_get(code: str) -> Indicator:
    """The indicator with this code; ``KeyError`` naming it when there is none."""
    try:
        return BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown indicator {code!r}") from None


#: Units of the household score fields that are not registry measures, as the pages show them: a
#: household's vulnerability is a share as the regions' mean vulnerability is, its margin and ratio
#: are ratios as the median margin is.
FIELD_UNITS = {
    "vulnerability": "share",
    "deprivation_score": "share",
    "margin": "ratio",
    "ratio": "ratio",
    "income": "yuan",
    "persons": "count",
}


def unit_of(code: str) -> str:
    """The unit of a registry measure or of a household score field (``FIELD_UNITS``); a component
    (``c_*``) is a score. ``KeyError`` naming the code when it has none."""
    if code in BY_CODE:
        return BY_CODE[code].unit
    if code in FIELD_UNITS:
        return FIELD_UNITS[code]
    if code.startswith("c_"):
        return "score"
    raise KeyError(f"no unit for {code!r}")
