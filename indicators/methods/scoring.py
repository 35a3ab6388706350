"""Household exit-quality scores (method v1, DESIGN §5): components, dimensions D1-D4, EQI, early warning.

Normalisation: every component is put on 0-100 with fixed goalposts, s(x; a→0, b→100) = 100·clamp((x − a)/(b − a),
0, 1), so scores compare across years. Aggregation follows the OECD/JRC Handbook on Constructing Composite
Indicators (2008) and the HDI (UNDP 2010 onwards): EQI = (Π D_i^{w_i})^{1/Σw_i}, each D_i floored at 1, or the
weighted arithmetic mean as an option. Catastrophic health spending: out-of-pocket medical spending above 10 % of
household income (SDG 3.8.2). Early-warning categories: 国家乡村振兴局等 (2021), 关于健全防止返贫动态监测和帮扶机制的
指导意见: 脱贫不稳定户 (ex_poor_unstable), 边缘易致贫户 (near_poor_at_risk), 突发严重困难户 (sudden_hardship).

Missing values: NaN means unknown. A component that cannot be computed is left out of its dimension's mean, never
counted as 0; a dimension with no component is NaN, and the EQI is NaN when a weighted dimension is NaN.
"""

from __future__ import annotations

import copy
import math
from numbers import Real

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

INCOME_PARTS = ("wage", "operating", "property", "relief", "other_transfers")
DEVELOPMENTAL_PARTS = ("wage", "operating", "property", "other_transfers")
GUARANTEES = (
    "food_secure",
    "clothing_secure",
    "compulsory_education",
    "basic_medical_insurance",
    "safe_housing",
    "safe_drinking_water",
)
VILLAGE_SERVICES = ("v_hardened_road", "v_tap_water", "v_electricity", "v_broadband_or_mobile", "v_school", "v_clinic")
HOUSEHOLD_INDUSTRY = ("industry_or_coop", "employed_share", "enterprise_link")
VILLAGE_INDUSTRY_FLAGS = (
    "v_cooperative",
    "v_leading_enterprise",
    "v_characteristic_industry",
    "v_processing",
    "v_ecommerce",
)
SHARE_COLUMNS = ("v_tap_water", "employed_share", "vulnerability")
BOOL_COLUMNS = (
    *("job_loss", "serious_ill_or_disabled", "industry_or_coop", "enterprise_link", "registered_poor"),
    *GUARANTEES,
    *(c for c in VILLAGE_SERVICES if c != "v_tap_water"),
    *VILLAGE_INDUSTRY_FLAGS,
)
INPUT_COLUMNS = (
    *(*INCOME_PARTS, "deductions", "size", "equivalence_scale", "line", "line_monitoring", "ratio_prev1"),
    *("ratio_prev2", "medical_spending", "disaster_loss", "v_collective_income", *SHARE_COLUMNS, *BOOL_COLUMNS),
)
COMPONENTS = (
    "c_adequacy",
    "c_growth",
    "c_dev_share",
    "c_stability",
    "c_resilience",
    "c_margin",
    "c_shocks",
    "c_guarantees",
    "c_village_services",
    "c_household_industry",
    "c_village_industry",
)
DIMENSIONS = ("d1_income", "d2_resilience", "d3_public_services", "d4_industry")
#: Early-warning reason codes, in the fixed order used in ``reasons``; flag column = ``flag_`` + code.
REASONS = ("below_monitoring_line", "vulnerable", "catastrophic_health", "illness_disability", "shock")
CATEGORIES = ("ex_poor_unstable", "near_poor_at_risk", "sudden_hardship")
CATEGORY_CONDITIONS = (*REASONS, "registered_poor")
OUTPUT_COLUMNS = (
    *("income_total", "y", "ratio", "margin", "dev_share", *COMPONENTS, *DIMENSIONS, "eqi", "data_error"),
    *(f"flag_{r}" for r in REASONS),
    *("flagged", "reasons", "category"),
)

DEFAULT_PARAMETERS: dict = {
    "income_basis": "per_capita",  # or "equivalised": income / equivalence_scale (size when the scale is missing)
    "goalposts": {  # [value scored 0, value scored 100]
        "adequacy": [1.0, 3.0],  # y/z; scored on the log scale: s(ln(y/z); ln 1 → 0, ln 3 → 100)
        "growth": [-0.10, 0.10],  # (y_t/z_t)/(y_{t−1}/z_{t−1}) − 1
        "dev_share": [0.5, 1.0],  # (wage + operating + property + other transfers) / total
        "stability": [0.5, 0.0],  # coefficient of variation of y/z over three periods
        "margin": [1.0, 2.0],  # y/z_m
        "village_collective_income": [0.0, 100000.0],  # yuan per year
    },
    "shock_thresholds": {"medical_share": 0.10, "disaster_share": 0.10},  # of the household's total income
    "weights": {"d1_income": 1.0, "d2_resilience": 1.0, "d3_public_services": 1.0, "d4_industry": 1.0},
    "eqi_aggregation": "geometric",  # or "arithmetic"
    "eqi_floor": 1.0,  # each D_i is floored at this before the geometric mean
    "split": {  # weights of the household and village parts; renormalised over the parts that exist
        "d3_public_services": {"household": 0.5, "village": 0.5},
        "d4_industry": {"household": 0.5, "village": 0.5},
    },
    "early_warning": {
        "rules": list(REASONS),  # the rules in force; a rule left out never flags
        "vulnerability_min": 0.5,  # vulnerable: v ≥ this
        "health_margin_max": 1.5,  # catastrophic health: catastrophic spending and y < this · z_m
        "illness_margin_max": 1.5,  # illness or disability: a member seriously ill or disabled and y < this · z_m
    },
    # First match wins, for flagged households only; "when_any": [] matches every flagged household. Codes: the
    # REASONS and "registered_poor". The 2021 monitoring rules name three groups: 脱贫不稳定户 (any ex-poor
    # household at risk, whatever the cause), 突发严重困难户 (other households hit by a shock or heavy medical
    # spending) and 边缘易致贫户 (the other households at risk); hence ex-poor first.
    "categories": [
        {"category": "ex_poor_unstable", "when_any": ["registered_poor"]},
        {"category": "sudden_hardship", "when_any": ["shock", "catastrophic_health"]},
        {"category": "near_poor_at_risk", "when_any": []},
    ],
    # Whether the registry is every household (census: no sampling error) or a sample, and its design:
    # {"design": "sample", "strata": LEVEL, "cluster": LEVEL} (``sampling_validate``).
    "sampling": {"design": "census"},
}

SAMPLING_DESIGNS = ("census", "sample")
#: The levels a sample design names, by their depth on a household's region path (province 0 ...
#: village 4; household: below its village). Strata: province (one stratum per province, i.e. none)
#: to village; cluster (the primary sampling unit): prefecture to village, or household.
SAMPLING_LEVELS = {"province": 0, "prefecture": 1, "county": 2, "township": 3, "village": 4, "household": 5}
SAMPLING_STRATA = ("province", "prefecture", "county", "township", "village")
SAMPLING_CLUSTERS = ("prefecture", "county", "township", "village", "household")


def _number(value, name: str, *, low: float = -math.inf, high: float = math.inf, open_low: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"parameter {name!r} must be a finite number, not {value!r}")
    if value < low or value > high or (open_low and value == low):
        raise ValueError(f"parameter {name!r} = {value!r} is out of range")
    return float(value)


def _merge(defaults: dict, given: dict, path: str) -> dict:
    if not isinstance(given, dict):
        raise ValueError(f"parameter {path.rstrip('.') or 'params'!r} must be a mapping, not {given!r}")
    unknown = sorted(set(given) - set(defaults), key=str)
    if unknown:
        raise ValueError(f"unknown parameter(s): {', '.join(repr(f'{path}{k}') for k in unknown)}")
    merged = copy.deepcopy(defaults)
    for key, value in given.items():
        is_group = isinstance(defaults[key], dict)
        merged[key] = _merge(defaults[key], value, f"{path}{key}.") if is_group else copy.deepcopy(value)
    return merged


def sampling_validate(sampling) -> dict:
    """Check and complete the ``sampling`` parameter: how the households scored came to be surveyed.

    Args:
        sampling: ``{"design": "census"}`` (the default: the registry is every household, so region
            scores have no sampling error), or ``{"design": "sample", "strata": LEVEL, "cluster":
            LEVEL}``: the households are a stratified cluster sample, drawn with replacement within
            each province; ``strata`` is the level whose regions are the strata (default
            ``"province"``: one stratum, i.e. no stratification; else prefecture, county, township
            or village) and ``cluster`` the level whose regions are the primary sampling units
            (default ``"household"``: each household its own unit; else prefecture to village,
            below the strata's level). The names count the depth on a household's region path
            (province 1, prefecture 2, county 3, township 4, village 5, as in China's tree); in
            another tree the same depths, and a household whose leaf lies higher takes its leaf.
    Returns:
        ``{"design": "census"}`` or ``{"design": "sample", "strata": ..., "cluster": ...}`` (a new dict).
    Raises:
        ValueError: naming the key (``'sampling.strata'``) and the values allowed.
    """
    if not isinstance(sampling, dict):
        raise ValueError(f"parameter 'sampling' must be a mapping such as {{'design': 'census'}}, not {sampling!r}")
    design = sampling.get("design", "census")
    if design not in SAMPLING_DESIGNS:
        raise ValueError(f"parameter 'sampling.design' must be 'census' or 'sample', not {design!r}")
    allowed = {"design"} if design == "census" else {"design", "strata", "cluster"}
    unknown = sorted(set(sampling) - allowed, key=str)
    if unknown:
        where = "a census" if design == "census" else "a sample"
        raise ValueError(
            f"unknown parameter(s) for {where}: {', '.join(repr(f'sampling.{k}') for k in unknown)} "
            f"(known: {', '.join(sorted(allowed))})"
        )
    if design == "census":
        return {"design": "census"}
    strata, cluster = sampling.get("strata", "province"), sampling.get("cluster", "household")
    if strata not in SAMPLING_STRATA:
        raise ValueError(f"parameter 'sampling.strata' must be one of {', '.join(SAMPLING_STRATA)}, not {strata!r}")
    if cluster not in SAMPLING_CLUSTERS:
        raise ValueError(f"parameter 'sampling.cluster' must be one of {', '.join(SAMPLING_CLUSTERS)}, not {cluster!r}")
    if SAMPLING_LEVELS[cluster] <= SAMPLING_LEVELS[strata]:
        raise ValueError(
            f"parameter 'sampling.cluster' ({cluster}) must lie below 'sampling.strata' ({strata}): "
            "sampling units are drawn within strata"
        )
    return {"design": "sample", "strata": strata, "cluster": cluster}


def validate_parameters(params: dict | None) -> dict:
    """Fill defaults from ``DEFAULT_PARAMETERS`` (nested groups key by key) and check every value.

    Returns:
        A new, complete, JSON-serialisable dict (numbers as floats, goalposts as two-element lists).

    Raises:
        ValueError: naming the first unknown key (dotted path, e.g. ``'goalposts.foo'``) or bad value.
    """
    given = params or {}
    sampling = DEFAULT_PARAMETERS["sampling"]
    if isinstance(given, dict) and "sampling" in given:  # its keys depend on the design: checked on their own
        given = {k: v for k, v in given.items() if k != "sampling"}
        sampling = params["sampling"]
    p = _merge(DEFAULT_PARAMETERS, given, "")
    p["sampling"] = sampling_validate(sampling)
    if p["income_basis"] not in ("per_capita", "equivalised"):
        raise ValueError(f"parameter 'income_basis' must be 'per_capita' or 'equivalised', not {p['income_basis']!r}")
    for key, ends in p["goalposts"].items():
        name = f"goalposts.{key}"
        if not isinstance(ends, list | tuple) or len(ends) != 2:
            raise ValueError(f"parameter {name!r} must be [low, high], not {ends!r}")
        low = _number(ends[0], name, low=0.0, open_low=True) if key == "adequacy" else _number(ends[0], name)
        high = _number(ends[1], name, low=0.0, open_low=True) if key == "adequacy" else _number(ends[1], name)
        if low == high:
            raise ValueError(f"parameter {name!r} needs two different goalposts, not {ends!r}")
        p["goalposts"][key] = [low, high]
    for key, value in p["shock_thresholds"].items():
        p["shock_thresholds"][key] = _number(value, f"shock_thresholds.{key}", low=0.0)
    for group, weights in [("weights", p["weights"])] + [(f"split.{d}", w) for d, w in p["split"].items()]:
        for key, value in weights.items():
            weights[key] = _number(value, f"{group}.{key}", low=0.0)
        if sum(weights.values()) <= 0:
            raise ValueError(f"parameter {group!r} needs a positive weight")
    if p["eqi_aggregation"] not in ("geometric", "arithmetic"):
        raise ValueError(
            f"parameter 'eqi_aggregation' must be 'geometric' or 'arithmetic', not {p['eqi_aggregation']!r}"
        )
    p["eqi_floor"] = _number(p["eqi_floor"], "eqi_floor", low=0.0, high=100.0, open_low=True)
    ew = p["early_warning"]
    rules = ew["rules"]
    valid = isinstance(rules, list | tuple) and all(r in REASONS for r in rules)
    if not valid or len(set(rules)) != len(rules):
        raise ValueError(f"parameter 'early_warning.rules' must be distinct codes from {REASONS}, not {rules!r}")
    ew["rules"] = [r for r in REASONS if r in rules]
    ew["vulnerability_min"] = _number(ew["vulnerability_min"], "early_warning.vulnerability_min", low=0.0, high=1.0)
    for key in ("health_margin_max", "illness_margin_max"):
        ew[key] = _number(ew[key], f"early_warning.{key}", low=0.0, open_low=True)
    if not isinstance(p["categories"], list):
        raise ValueError(f"parameter 'categories' must be a list of rules, not {p['categories']!r}")
    for i, rule in enumerate(p["categories"]):
        name = f"categories[{i}]"
        if not isinstance(rule, dict) or set(rule) != {"category", "when_any"}:
            raise ValueError(f"parameter {name!r} must have exactly 'category' and 'when_any', not {rule!r}")
        if rule["category"] not in CATEGORIES:
            raise ValueError(f"parameter '{name}.category' must be one of {CATEGORIES}, not {rule['category']!r}")
        conditions = rule["when_any"]
        if not isinstance(conditions, list) or not all(c in CATEGORY_CONDITIONS for c in conditions):
            raise ValueError(
                f"parameter '{name}.when_any' must list codes from {CATEGORY_CONDITIONS}, not {conditions!r}"
            )
    return p


def goalpost(x: ArrayLike, low: float, high: float) -> NDArray[np.float64] | np.float64:
    """s(x; low → 0, high → 100) = 100·clamp((x − low)/(high − low), 0, 1); NaN stays NaN; low > high reverses."""
    if low == high:
        raise ValueError("goalpost needs low != high")
    x = np.asarray(x, dtype=float)
    return (100.0 * np.clip((x - low) / (high - low), 0.0, 1.0))[()]


def _floats(values: ArrayLike, name: str = "values") -> NDArray[np.float64]:
    """Any numbers, bools, Decimals, None/NaN/pd.NA → a 1-d float array (True → 1.0, missing → NaN)."""
    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values).reshape(-1))
    if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
        try:
            series = pd.to_numeric(series)
        except (TypeError, ValueError) as error:
            raise ValueError(f"column {name!r} must be numeric: {error}") from error
    return series.to_numpy(dtype=float, na_value=np.nan)


def _mean(parts: list[NDArray], weights: list[float] | None = None) -> NDArray[np.float64]:
    """Row-wise weighted mean of the parts that are not NaN; NaN when none is (or only zero-weight ones are)."""
    m = np.column_stack(parts)
    w = np.broadcast_to(np.asarray(weights if weights is not None else [1.0] * len(parts), dtype=float), m.shape)
    known = ~np.isnan(m)
    total_w = np.where(known, w, 0.0).sum(axis=1)
    total = np.where(known, m * w, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total_w > 0, total / total_w, np.nan)


def _per_person(total, size, scale, basis: str) -> NDArray[np.float64]:
    """y: total / size, or total / equivalence scale (size when the scale is NaN or ≤ 0); NaN when size ≤ 0 or NaN."""
    divisor = np.where((scale > 0) & (basis == "equivalised"), scale, size)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(size > 0, total / divisor, np.nan)


def _ratio(y, line) -> NDArray[np.float64]:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(line > 0, y / line, np.nan)


def income_ratio(
    income_total: ArrayLike, size: ArrayLike, equivalence_scale: ArrayLike, line: ArrayLike, params: dict | None = None
) -> NDArray[np.float64]:
    """y/z of one period, exactly as ``household_scores`` computes ``ratio`` (use it for ``ratio_prev1/2``).

    Args: total net income (yuan per household per year), persons present, equivalence scale (NaN → size), the
    national line z of that period (yuan per person per year); arrays of one length.
    Returns: y/z; NaN when size is 0 or missing, or the line is missing or ≤ 0.
    """
    basis = validate_parameters(params)["income_basis"]
    y = _per_person(_floats(income_total), _floats(size), _floats(equivalence_scale), basis)
    return _ratio(y, _floats(line))


def _eqi(dims: NDArray[np.float64], p: dict) -> NDArray[np.float64]:
    w = np.array([p["weights"][d] for d in DIMENSIONS])
    used = w > 0  # a zero-weight dimension is out of the index: its NaN does not null the EQI
    d, w = dims[:, used], w[used]
    if p["eqi_aggregation"] == "geometric":
        value = np.exp((np.log(np.maximum(d, p["eqi_floor"])) * w).sum(axis=1) / w.sum())
    else:
        value = (d * w).sum(axis=1) / w.sum()
    return np.where(np.isnan(d).any(axis=1), np.nan, value)


def region_eqi(
    d1: ArrayLike, d2: ArrayLike, d3: ArrayLike, d4: ArrayLike, params: dict | None = None
) -> NDArray[np.float64]:
    """EQI of regions from their (already aggregated) D1-D4: aggregate first, then combine, as the HDI does."""
    p = validate_parameters(params)
    return _eqi(np.column_stack([_floats(d) for d in (d1, d2, d3, d4)]), p)


def _over_share(amount, total, share: float) -> NDArray[np.float64]:
    """1.0 when amount > share·total (amount > 0 when total ≤ 0), 0.0 when not, NaN when either is unknown."""
    hit = np.where(total > 0, amount > share * total, amount > 0).astype(float)
    return np.where(np.isnan(amount) | np.isnan(total), np.nan, hit)


def _columns(frame: pd.DataFrame) -> dict[str, NDArray[np.float64]]:
    missing = [c for c in INPUT_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"household_scores: missing input column(s): {', '.join(missing)}")
    col = {c: _floats(frame[c], c) for c in INPUT_COLUMNS}
    for c in SHARE_COLUMNS:
        if ((col[c] < 0) | (col[c] > 1)).any():
            raise ValueError(f"column {c!r} must be a share in [0, 1] or NaN")
    for c in BOOL_COLUMNS:
        if not np.isin(col[c][~np.isnan(col[c])], (0.0, 1.0)).all():
            raise ValueError(f"column {c!r} must be 0/1 (or a bool) or NaN")
    return col


def _data_errors(col: dict[str, NDArray]) -> NDArray[np.object_]:
    """None per row, or the "; "-joined messages of a row whose size or lines make it unscoreable."""
    size = col["size"]
    checks = {
        "household size missing": np.isnan(size),
        "household size 0": size == 0,
        "household size negative": size < 0,
        "poverty line missing": ~(col["line"] > 0),
        "monitoring line missing": ~(col["line_monitoring"] > 0),
    }
    messages = np.array(list(checks), dtype=object)
    hits = np.column_stack(list(checks.values()))
    error = np.full(len(size), None, dtype=object)
    rows = np.flatnonzero(hits.any(axis=1))  # rare: only these rows get a string
    error[rows] = np.frompyfunc(lambda i: "; ".join(messages[hits[i]]), 1, 1)(rows) if len(rows) else []
    return error


def household_scores(frame: pd.DataFrame, params: dict | None = None) -> pd.DataFrame:
    """Score households of one period: components, D1-D4, EQI, early-warning flags and category.

    Input columns (one row per household; money in yuan per household per year; 0/1 columns take bools, NaN =
    unknown; shares in [0, 1]):
      wage, operating, property, relief, other_transfers, deductions: signed; total = the five parts − deductions
        (a NaN part makes the total and everything derived from income NaN).
      size: persons present (≤ 0 or NaN → data error); equivalence_scale: used when income_basis is
        "equivalised", NaN or ≤ 0 → size; line (z) and line_monitoring (z_m): yuan per person per year.
      ratio_prev1, ratio_prev2: y/z of periods t−1 and t−2 from ``income_ratio``, NaN without a survey.
      medical_spending (out-of-pocket), disaster_loss; job_loss, serious_ill_or_disabled (any member): 0/1.
      food_secure, clothing_secure, compulsory_education, basic_medical_insurance, safe_housing,
        safe_drinking_water: 0/1, unknown left out of the share met.
      industry_or_coop, enterprise_link: 0/1; employed_share: employed among labour-capable members, NaN if none.
      Village (NaN when the village has no survey): v_hardened_road, v_electricity, v_broadband_or_mobile,
        v_school, v_clinic, v_cooperative, v_leading_enterprise, v_characteristic_industry, v_processing,
        v_ecommerce: 0/1; v_tap_water: coverage share; v_collective_income: yuan per village per year.
      vulnerability: v in [0, 1], NaN when not available; registered_poor: 0/1, ever registered poor (NaN → no).

    Output (same index): income_total, y, ratio (y/z), margin (y/z_m), dev_share; the components c_* and
    dimensions d1_income, d2_resilience, d3_public_services, d4_industry and eqi, floats 0-100, NaN = left
    out; data_error (None or "; "-joined messages; all scores NaN and no flags then); flag_<reason> for each of
    ``REASONS``, flagged, reasons (list of codes in ``REASONS`` order), category (None or one of ``CATEGORIES``).

    Rules: adequacy s(ln(y/z)), 0 when y ≤ 0; growth ratio/ratio_prev1 − 1, left out when ratio_prev1 ≤ 0 or
    NaN; dev share left out when total ≤ 0; stability from the population CV (std/mean) of [ratio_prev2,
    ratio_prev1, ratio], left out unless all three exist, scored 0 when their mean ≤ 0 (the limit as CV → ∞).
    D2 = mean of 100·(1 − v), margin score, shocks = 100·share absent of [medical > 10 % of total, a member
    seriously ill or disabled, disaster loss > 10 % of total, job loss] (with total ≤ 0, any spending or loss
    > 0 counts). D3/D4 = split-weighted mean of the household and village parts that exist (one part alone
    when the other is NaN). Flags: y < z_m; v ≥ 0.5; catastrophic medical spending and y < 1.5·z_m; a member
    seriously ill or disabled and y < 1.5·z_m; disaster loss > 0 or job loss. Category: the first rule of
    ``params["categories"]`` any of whose conditions holds, for flagged households.
    """
    p = validate_parameters(params)
    gp, th, ew = p["goalposts"], p["shock_thresholds"], p["early_warning"]
    col = _columns(frame)
    n = len(frame)
    error = _data_errors(col)
    ok = pd.isna(error)

    total = sum(col[c] for c in INCOME_PARTS) - col["deductions"]
    y = _per_person(total, col["size"], col["equivalence_scale"], p["income_basis"])
    ratio, margin = _ratio(y, col["line"]), _ratio(y, col["line_monitoring"])
    with np.errstate(invalid="ignore", divide="ignore"):
        dev_share = np.where(total > 0, sum(col[c] for c in DEVELOPMENTAL_PARTS) / total, np.nan)
        log_ratio = np.log(np.where(ratio > 0, ratio, np.nan))
        prev1 = np.where(col["ratio_prev1"] > 0, col["ratio_prev1"], np.nan)
        series = np.column_stack([col["ratio_prev2"], col["ratio_prev1"], ratio])
        mean = series.mean(axis=1)
        cv = np.where(mean > 0, series.std(axis=1) / mean, np.inf)

    c = {}
    low, high = np.log(gp["adequacy"])
    c["c_adequacy"] = np.where(ratio <= 0, 0.0, goalpost(log_ratio, low, high))
    c["c_growth"] = goalpost(ratio / prev1 - 1.0, *gp["growth"])
    c["c_dev_share"] = goalpost(dev_share, *gp["dev_share"])
    c["c_stability"] = np.where(np.isnan(series).any(axis=1), np.nan, goalpost(cv, *gp["stability"]))
    c["c_resilience"] = 100.0 * (1.0 - col["vulnerability"])
    c["c_margin"] = goalpost(margin, *gp["margin"])
    medical = _over_share(col["medical_spending"], total, th["medical_share"])
    disaster = _over_share(col["disaster_loss"], total, th["disaster_share"])
    shocks = [medical, col["serious_ill_or_disabled"], disaster, col["job_loss"]]
    c["c_shocks"] = _mean([100.0 * (1.0 - s) for s in shocks])
    c["c_guarantees"] = _mean([100.0 * col[g] for g in GUARANTEES])
    c["c_village_services"] = _mean([100.0 * col[v] for v in VILLAGE_SERVICES])
    c["c_household_industry"] = _mean([100.0 * col[h] for h in HOUSEHOLD_INDUSTRY])
    village_income = goalpost(col["v_collective_income"], *gp["village_collective_income"])
    c["c_village_industry"] = _mean([village_income] + [100.0 * col[v] for v in VILLAGE_INDUSTRY_FLAGS])

    d3_split, d4_split = p["split"]["d3_public_services"], p["split"]["d4_industry"]
    d = {
        "d1_income": _mean([c["c_adequacy"], c["c_growth"], c["c_dev_share"], c["c_stability"]]),
        "d2_resilience": _mean([c["c_resilience"], c["c_margin"], c["c_shocks"]]),
        "d3_public_services": _mean(
            [c["c_guarantees"], c["c_village_services"]], [d3_split["household"], d3_split["village"]]
        ),
        "d4_industry": _mean(
            [c["c_household_industry"], c["c_village_industry"]], [d4_split["household"], d4_split["village"]]
        ),
    }
    scores = {**c, **d, "eqi": _eqi(np.column_stack([d[k] for k in DIMENSIONS]), p)}
    scores = {k: np.where(ok, np.asarray(v, dtype=float), np.nan) for k, v in scores.items()}

    flags = {
        "below_monitoring_line": margin < 1.0,
        "vulnerable": col["vulnerability"] >= ew["vulnerability_min"],
        "catastrophic_health": (medical == 1.0) & (margin < ew["health_margin_max"]),
        "illness_disability": (col["serious_ill_or_disabled"] == 1.0) & (margin < ew["illness_margin_max"]),
        "shock": (col["disaster_loss"] > 0) | (col["job_loss"] == 1.0),
    }
    flags = {r: flags[r] & ok & (r in ew["rules"]) for r in REASONS}
    flagged = np.logical_or.reduce([flags[r] for r in REASONS])
    # reasons: the flags as a bit code → the codes of the set bits, a fresh list per row
    code = sum(flags[r].astype(np.int64) << i for i, r in enumerate(REASONS))
    subsets = np.empty(2 ** len(REASONS), dtype=object)
    subsets[:] = [tuple(r for i, r in enumerate(REASONS) if k >> i & 1) for k in range(len(subsets))]
    conditions = {**flags, "registered_poor": col["registered_poor"] == 1.0}
    matches = [
        flagged & np.logical_or.reduce([conditions[k] for k in rule["when_any"]] or [np.ones(n, dtype=bool)])
        for rule in p["categories"]
    ]
    choice = np.select(matches, np.arange(len(matches)), default=-1) if matches else np.full(n, -1)
    labels = np.array([*(rule["category"] for rule in p["categories"]), None], dtype=object)  # −1 → None

    out = pd.DataFrame(
        {"income_total": total, "y": y, "ratio": ratio, "margin": margin, "dev_share": dev_share, **scores},
        index=frame.index,
    )
    out["data_error"] = pd.Series(error, index=frame.index, dtype=object)
    for r in REASONS:
        out[f"flag_{r}"] = flags[r]
    out["flagged"] = flagged
    out["reasons"] = pd.Series(np.frompyfunc(list, 1, 1)(subsets[code]), index=frame.index, dtype=object)
    out["category"] = pd.Series(labels[choice], index=frame.index, dtype=object)
    return out[list(OUTPUT_COLUMNS)]
