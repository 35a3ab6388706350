"""The methodology parameters in words: what ``/methodology/`` shows under "Other parameters".

Every parameter of ``indicators.services.methodology.parameters_validate`` (but the goalposts and the
weights of the index, which have tables of their own) has a label, a meaning and a unit here, and its
value is written in that unit (``config.formats``): shares as percentages, multiples of the monitoring
line, codes as their labels. No parameter key or Python value reaches the page.
"""

from dataclasses import dataclass

from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from config.formats import list_join, number_display
from indicators.registry import BY_CODE
from indicators.warnings_data import CATEGORY_LABELS, REASON_LABELS


@dataclass(frozen=True)
class Parameter:
    """A parameter's dotted path in the parameters (``scores.eqi_floor``), its label and meaning
    (lazy translations) and its kind: ``share`` (0-1, shown as a percentage), ``multiple`` (of the
    monitoring line), ``line_multiple`` (of the poverty line), ``score`` (0-100), ``weight``,
    ``choice`` (a code of ``CHOICES``), ``choices`` (a list of such codes), ``switch`` (on or off),
    ``count`` (a whole number), ``reasons`` (a list of early-warning reason codes) or ``categories``
    (the category rules)."""

    path: str
    label: str
    meaning: str
    kind: str


UNITS = {
    "share": _("percent"),
    "multiple": _("times the monitoring line"),
    "line_multiple": _("times the poverty line"),
    "score": _("score 0-100"),
    "weight": _("relative weight"),
    "choice": "",
    "choices": "",
    "switch": "",
    "count": "",
    "reasons": "",
    "categories": "",
}
#: The unit of ``config.formats.number_display`` of each numeric kind.
NUMBER_UNITS = {
    "share": "share",
    "score": "score",
    "weight": "ratio",
    "multiple": "ratio",
    "line_multiple": "ratio",
    "count": "count",
}
CHOICES = {
    "per_capita": _("per person"),
    "equivalised": _("per adult equivalent (income over the equivalence scale)"),
    "geometric": _("weighted geometric mean"),
    "arithmetic": _("weighted arithmetic mean"),
    "absolute": _("absolute: the poverty lines of the year (table below)"),
    "relative": _("relative: a share of the period's median or mean income"),
    "median": _("median"),
    "mean": _("mean"),
    # scores.sampling: the design and the levels it names
    "census": _("census: every household of the registry (no sampling error)"),
    "sample": _("sample: a stratified cluster sample of the households"),
    "province": _("province (one stratum: no stratification)"),
    "prefecture": _("prefecture"),
    "county": _("county"),
    "township": _("township"),
    "village": _("village"),
    "household": _("household (each household drawn on its own)"),
    # the normalisations of D1-D4 that the rank bands' scenarios draw (indicators.methods.sensitivity)
    "goalposts": _("as published (fixed goalposts)"),
    "min_max": _("rescaled from the lowest to the highest of the regions ranked together"),
    "z_score": _("z-scores across the regions ranked together (arithmetic mean only)"),
}
CONDITION_LABELS = {**REASON_LABELS, "registered_poor": _("registered poor before")}

_HOUSEHOLD_PART = _("Weight of the household part of %(dimension)s")
_VILLAGE_PART = _("Weight of the village part of %(dimension)s")
_SPLIT_MEANING = _("the household and village parts are averaged with these weights, over the parts that exist")

PARAMETERS: tuple[Parameter, ...] = (
    Parameter(
        "scores.income_basis",
        _("Income basis"),
        _("how a household's net income is put on one person before it is compared with the lines"),
        "choice",
    ),
    Parameter(
        "scores.shock_thresholds.medical_share",
        _("Catastrophic health spending"),
        _("medical spending counts as a shock from this share of the household's total income"),
        "share",
    ),
    Parameter(
        "scores.shock_thresholds.disaster_share",
        _("Heavy disaster loss"),
        _("a disaster loss counts as a shock from this share of the household's total income"),
        "share",
    ),
    Parameter(
        "scores.eqi_aggregation",
        _("Combination of D1-D4"),
        _("how the four dimensions make the exit-quality index"),
        "choice",
    ),
    Parameter(
        "scores.eqi_floor",
        _("Floor of each dimension"),
        _(
            "each of D1-D4 counts as at least this score in the geometric mean, so that one zero does not "
            "zero the index"
        ),
        "score",
    ),
    Parameter("scores.split.d3_public_services.household", _HOUSEHOLD_PART, _SPLIT_MEANING, "weight"),
    Parameter("scores.split.d3_public_services.village", _VILLAGE_PART, _SPLIT_MEANING, "weight"),
    Parameter("scores.split.d4_industry.household", _HOUSEHOLD_PART, _SPLIT_MEANING, "weight"),
    Parameter("scores.split.d4_industry.village", _VILLAGE_PART, _SPLIT_MEANING, "weight"),
    Parameter(
        "scores.early_warning.rules",
        _("Early-warning rules in force"),
        _("a household is flagged when any of these holds"),
        "reasons",
    ),
    Parameter(
        "scores.early_warning.vulnerability_min",
        _("Vulnerability threshold"),
        _("a household is vulnerable from this probability of income below the monitoring line"),
        "share",
    ),
    Parameter(
        "scores.early_warning.health_margin_max",
        _("Income limit of the health-spending flag"),
        _("catastrophic health spending flags a household whose income is below this multiple of the monitoring line"),
        "multiple",
    ),
    Parameter(
        "scores.early_warning.illness_margin_max",
        _("Income limit of the illness flag"),
        _("serious illness or disability flags a household whose income is below this multiple of the monitoring line"),
        "multiple",
    ),
    Parameter(
        "scores.categories",
        _("Monitoring categories"),
        _("a flagged household takes the category of the first rule it matches"),
        "categories",
    ),
    Parameter(
        "scores.sampling.design",
        _("Households scored"),
        _(
            # xgettext:no-python-format
            "a census has no sampling error; for a sample, the poverty incidence and M0 of each region carry a "
            "standard error and a 95% confidence interval (households drawn with replacement within each province)"
        ),
        "choice",
    ),
    Parameter(
        "scores.sampling.strata",
        _("Strata of the sample"),
        _("the regions of this level are the strata the sample was drawn in"),
        "choice",
    ),
    Parameter(
        "scores.sampling.cluster",
        _("Sampling units of the sample"),
        _("the regions of this level, or the households, were drawn within each stratum"),
        "choice",
    ),
    Parameter("line.type", _("Poverty line"), _("the line that incomes are measured against"), "choice"),
    Parameter(
        "line.share",
        _("Share of the relative line"),
        _("the relative line is this share of the period's income per person"),
        "share",
    ),
    Parameter("line.of", _("Centre of the relative line"), _("median or mean income per person"), "choice"),
    Parameter(
        "line.monitoring_multiple",
        _("Monitoring line of the relative line"),
        _("the monitoring line is this multiple of the relative line"),
        "line_multiple",
    ),
    Parameter(
        "mpi_k",
        _("Alkire-Foster poverty cutoff k"),
        _("a person is multidimensionally poor from this weighted share of deprivations"),
        "share",
    ),
    Parameter(
        "sensitivity.enabled",
        _("Rank bands of the exit-quality index"),
        _(
            "each run ranks the provinces and the counties again under variants of the method, and shows each "
            "region's median rank and its 90 % band: the 5th to the 95th percentile of its ranks (OECD/JRC "
            "Handbook, uncertainty analysis)"
        ),
        "switch",
    ),
    Parameter(
        "sensitivity.scenarios",
        _("Variants of the method"),
        _("how many variants the ranks are computed under"),
        "count",
    ),
    Parameter(
        "sensitivity.weight_spread",
        _("Spread of the weights"),
        _("in each variant, each weight of D1-D4 is drawn uniformly within this share above or below its value"),
        "share",
    ),
    Parameter(
        "sensitivity.aggregations",
        _("Combinations of D1-D4 in the variants"),
        _("each variant combines D1-D4 by one of these"),
        "choices",
    ),
    Parameter(
        "sensitivity.normalisations",
        _("D1-D4 in the variants"),
        _("each variant takes D1-D4 in one of these forms"),
        "choices",
    ),
    Parameter(
        "sensitivity.seed",
        _("Seed of the variants"),
        _("the same seed, data and method draw the same variants, so a rerun gives the same bands"),
        "count",
    ),
)
BY_PATH = {p.path: p for p in PARAMETERS}
#: Parameters with tables of their own on the page.
OWN_TABLES = ("scores.goalposts", "scores.weights")


def _lookup(params: dict, path: str):
    value = params
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            raise KeyError(path)
        value = value[key]
    return value


def _categories(rules: list[dict]) -> str:
    parts = []
    for rule in rules:
        conditions = rule.get("when_any") or []
        when = list_join(CONDITION_LABELS.get(c, c) for c in conditions)
        if not conditions:  # "when_any": [] matches every flagged household left
            when = gettext("any other flagged household")
        parts.append(
            gettext("%(category)s: %(conditions)s")
            % {"category": CATEGORY_LABELS.get(rule.get("category"), rule.get("category")), "conditions": when}
        )
    return pgettext("between rules", "; ").join(parts)


def parameter_value(parameter: Parameter, value) -> str:
    """``value`` of ``parameter`` in words and in its unit: ``10.00%``, ``1.50``, ``per person``,
    the reason labels joined with the reader's separator; a value the kind does not expect is shown
    as text, never as a Python repr of a list or dict."""
    kind = parameter.kind
    if kind in NUMBER_UNITS and isinstance(value, int | float) and not isinstance(value, bool):
        unit = NUMBER_UNITS[kind]
        return number_display(value, unit)
    if kind == "choice":
        return str(CHOICES.get(value, value))
    if kind == "choices" and isinstance(value, list):
        return list_join(CHOICES.get(code, code) for code in value)
    if kind == "switch" and isinstance(value, bool):
        return gettext("on") if value else gettext("off")
    if kind == "reasons" and isinstance(value, list):
        return list_join(REASON_LABELS.get(code, code) for code in value)
    if kind == "categories" and isinstance(value, list):
        return _categories(value)
    return list_join(value) if isinstance(value, list) else str(value)


def parameter_rows(params: dict) -> list[dict]:
    """The parameters of ``params`` (as ``parameters_validate`` completes them) that have no table of
    their own, in ``PARAMETERS`` order: dicts ``label``, ``meaning``, ``value``, ``unit`` (texts in the
    active language). Parameters absent from ``params`` (a relative line's keys under an absolute
    line) are left out."""
    rows = []
    for parameter in PARAMETERS:
        try:
            value = _lookup(params, parameter.path)
        except KeyError:
            continue
        label = parameter.label
        if parameter.path.startswith("scores.split."):
            label = label % {"dimension": BY_CODE[parameter.path.split(".")[2]].name}
        rows.append(
            {
                "label": str(label),
                "meaning": str(parameter.meaning),
                "value": parameter_value(parameter, value),
                "unit": str(UNITS[parameter.kind]),
            }
        )
    return rows


def leaf_paths(params: dict, prefix: str = "") -> list[str]:
    """Every parameter's dotted path in ``params`` (dicts are walked; a list is one parameter)."""
    paths = []
    for key, value in params.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and path not in OWN_TABLES:
            paths.extend(leaf_paths(value, path + "."))
        else:
            paths.append(path)
    return paths
