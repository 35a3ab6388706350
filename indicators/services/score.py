"""Score one chunk (a set of provinces, one period): inputs → methods → ``HouseholdScore`` rows.

The maths is in ``indicators.methods``; this module only shapes the households' data into the frames
those methods take (DESIGN §5) and their results into the columns of ``HouseholdScore``.
"""

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from households.models import HouseholdSurvey
from indicators.methods import alkire_foster, scoring, vulnerability
from indicators.services import inputs

#: Alkire-Foster indicators of method v1, in the bit order of ``HouseholdScore.deprivations``:
#: the six guarantees (deprived when not met) and income below the national line.
AF_INDICATORS = (*HouseholdSurvey.GUARANTEE_FIELDS, "income")

#: Covariates of the vulnerability model (DESIGN §5), county dummies added by the method.
VEP_COVARIATES = (
    "ln_size",
    "dependency_ratio",
    "ill_share",
    "labour_capable",
    "head_schooling",
    "any_employed",
    "industry_project",
    "relief_receiver",
)

#: The components, one ``HouseholdScore`` column each, named as the scoring method names them.
COMPONENTS = scoring.COMPONENTS


@dataclass(frozen=True)
class ChunkResult:
    """The ``HouseholdScore`` columns of the chunk's households and how the VEP was obtained."""

    scores: pd.DataFrame
    vulnerability_method: str
    vulnerability_reason: str | None


def _line(frame: pd.DataFrame, lines: dict, kind: str) -> np.ndarray:
    """The line of each row's (period, province) from a run's ``lines`` dict; NaN where there is none."""
    table = pd.DataFrame(
        [
            (int(year), province, value)
            for year, values in lines.get(kind, {}).items()
            for province, value in values.items()
        ],
        columns=["period", "province_code", "value"],
    )
    keys = frame[["period", "province_code"]].astype({"period": int})
    return keys.merge(table, on=["period", "province_code"], how="left")["value"].to_numpy(float)


def _ratio_any(frame: pd.DataFrame, lines: dict, params: dict) -> pd.Series:
    """y/z of each row (``income_total``, ``size``, ``equivalence_scale``, ``period``, ``province_code``)
    against the national line of its period and province."""
    return pd.Series(
        scoring.income_ratio(
            frame["income_total"].to_numpy(float),
            frame["size"].to_numpy(float),
            frame["equivalence_scale"].to_numpy(float),
            _line(frame, lines, "national"),
            params,
        ),
        index=frame.index,
    )


def scoring_frame(*, provinces: list[str], period: int, lines: dict, params: dict) -> pd.DataFrame:
    """The input frame of ``scoring.household_scores`` for the chunk's households of ``period``.

    The period itself is read in full; of the two before it only income and size (for y/z growth
    and stability). The member counts of all three periods come from one query (one pass over the
    province's members and their statuses).
    """
    surveys = inputs.surveys_read(provinces=provinces, periods=[period])
    members = inputs.members_read(provinces=provinces, period=period)
    current = surveys.merge(members.drop(columns=["size_prev1", "size_prev2"]), on="household_id", how="left")
    current["size"] = current["size"].fillna(0).astype(int)
    current["line"] = _line(current, lines, "national")
    current["line_monitoring"] = _line(current, lines, "monitoring")
    sizes = pd.concat(
        [
            members[["household_id", f"size_prev{lag}"]]
            .rename(columns={f"size_prev{lag}": "size"})
            .assign(period=period - lag)
            for lag in (1, 2)
        ]
    )
    earlier = inputs.incomes_read(provinces=provinces, periods=[period - 1, period - 2]).merge(
        sizes, on=["household_id", "period"], how="left"
    )
    earlier["size"] = earlier["size"].fillna(0).astype(int)  # no member present that period
    earlier["ratio_any"] = _ratio_any(earlier, lines, params)
    for lag in (1, 2):
        previous = earlier.loc[earlier["period"] == period - lag, ["household_id", "ratio_any"]]
        current = current.merge(
            previous.rename(columns={"ratio_any": f"ratio_prev{lag}"}), on="household_id", how="left"
        )
    villages = inputs.villages_read(provinces=provinces, period=period)
    current = current.merge(villages, on="region_id", how="left")
    out = pd.DataFrame(
        {
            "household_id": current["household_id"],
            "region_id": current["region_id"],
            "province_code": current["province_code"],
            "county_code": current["county_code"],
            "wage": current["wage_income"],
            "operating": current["net_operating_income"],
            "property": current["property_income"],
            "relief": current["relief_transfers"],
            "other_transfers": current["other_transfers"],
            "deductions": current["deductions"],
            "size": current["size"],
            "equivalence_scale": current["equivalence_scale"],
            "weight": current["sampling_weight"].fillna(1.0),
            "line": current["line"],
            "line_monitoring": current["line_monitoring"],
            "ratio_prev1": current["ratio_prev1"],
            "ratio_prev2": current["ratio_prev2"],
            "medical_spending": current["medical_spending"],
            "disaster_loss": current["disaster_loss"],
            "job_loss": current["job_loss"].astype(bool),
            "serious_ill_or_disabled": current["serious_or_disabled"].fillna(0) > 0,
            "industry_or_coop": (current["industry_project"] + current["cooperative"]) > 0,
            "employed_share": current["employed_labour"]
            / current["labour_capable"].where(current["labour_capable"] > 0),
            "enterprise_link": current["enterprise_link"].astype(bool),
            "v_hardened_road": current["hardened_road"],
            "v_tap_water": current["tap_water_coverage"],
            "v_electricity": current["electricity"],
            "v_broadband_or_mobile": np.fmax(current["broadband"], current["mobile_coverage"]),
            "v_school": current["school_within_reach"],
            "v_clinic": current["standard_clinic"],
            "v_collective_income": current["collective_income"],
            "v_cooperative": (current["cooperatives"] > 0).where(current["cooperatives"].notna()).astype(float),
            "v_leading_enterprise": (current["leading_enterprises"] > 0)
            .where(current["leading_enterprises"].notna())
            .astype(float),
            "v_characteristic_industry": current["characteristic_industry"],
            "v_processing": current["processing_facility"],
            "v_ecommerce": current["ecommerce_point"],
            "registered_poor": current["registration_year"].notna(),
        }
    )
    for guarantee in AF_INDICATORS[:-1]:
        out[guarantee] = current[guarantee]
    size = current["size"].astype(float)
    dependants = current["dependants"].fillna(0)
    covariates = pd.DataFrame(
        {
            "ln_size": np.log(size.where(size > 0)),
            "dependency_ratio": dependants / np.maximum(size - dependants, 1),
            "ill_share": current["ill_or_disabled"].fillna(0) / size.where(size > 0),
            "labour_capable": current["labour_capable"].fillna(0).astype(float),
            "head_schooling": current["head_schooling"],
            "any_employed": (current["employed"].fillna(0) > 0).astype(float),
            "industry_project": current["industry_project"].astype(float),
            "relief_receiver": (current["relief_transfers"] > 0).astype(float),
        }
    )
    return pd.concat([out, covariates.add_prefix("x_")], axis=1)


def _covariates(frame: pd.DataFrame) -> pd.DataFrame:
    """The VEP covariates without columns that are all missing or constant (no information)."""
    x = frame[[f"x_{c}" for c in VEP_COVARIATES]]
    informative = [c for c in x.columns if x[c].notna().any() and x[c].nunique(dropna=True) > 1]
    return x[informative]


def _pooled(frame: pd.DataFrame, y: np.ndarray) -> vulnerability.PooledData:
    return vulnerability.PooledData(
        income=y,
        covariates=_covariates(frame),
        line=frame["line_monitoring"].to_numpy(float),
        fixed_effects=frame["county_code"].to_numpy(),
        sample_weights=frame["weight"].to_numpy(float),
    )


def income_per_person(frame: pd.DataFrame, params: dict) -> np.ndarray:
    """y of each row of a ``scoring_frame``: per-capita or equivalised net income (yuan per person
    per year; NaN when the household has no member present), as the methodology says."""
    income_total = (
        frame["wage"]
        + frame["operating"]
        + frame["property"]
        + frame["relief"]
        + frame["other_transfers"]
        - frame["deductions"]
    ).to_numpy(float)
    ratio = scoring.income_ratio(
        income_total,
        frame["size"].to_numpy(float),
        frame["equivalence_scale"].to_numpy(float),
        np.ones(len(frame)),
        params,
    )
    return np.asarray(ratio, dtype=float)


def chunk_score(*, frame: pd.DataFrame, params: dict, pooled_frame=None) -> ChunkResult:
    """Fit the vulnerability model, score every household and compute its AF deprivations.

    Args:
        frame: ``scoring_frame`` of the chunk (one row per household).
        params: the methodology's parameters (``scores`` for the methods, ``mpi_k`` for AF).
        pooled_frame: a callable returning the ``scoring_frame`` of the whole period, called only
            when the chunk's own VEP fit is not possible (DESIGN §5 fallback).
    Returns:
        ``ChunkResult`` with one row per household in the columns of ``HouseholdScore``.
    """
    if frame.empty:
        return ChunkResult(pd.DataFrame(), "", None)
    scores_params = params["scores"]
    y = income_per_person(frame, scores_params)
    fit = vulnerability.expected_poverty(
        y,
        _covariates(frame),
        frame["line_monitoring"].to_numpy(float),
        fixed_effects=frame["county_code"].to_numpy(),
        sample_weights=frame["weight"].to_numpy(float),
    )
    if fit.method == "rules" and pooled_frame is not None:
        whole = pooled_frame()
        fit = vulnerability.expected_poverty(
            y,
            _covariates(frame),
            frame["line_monitoring"].to_numpy(float),
            fixed_effects=frame["county_code"].to_numpy(),
            sample_weights=frame["weight"].to_numpy(float),
            pooled=_pooled(whole, income_per_person(whole, scores_params)),
        )
    scored = scoring.household_scores(frame.assign(vulnerability=fit.v), scores_params)

    achieved = frame[list(AF_INDICATORS[:-1])].astype(float).fillna(1.0)  # unknown: not counted as deprived
    achieved["income"] = scored["ratio"].to_numpy(float)
    valid = achieved["income"].notna().to_numpy()
    cutoffs = np.ones(len(AF_INDICATORS))
    deprived = alkire_foster.deprivation_matrix(achieved[valid].to_numpy(float), cutoffs)
    score, poor, _ = alkire_foster.censored_scores(deprived, None, params["mpi_k"])
    bits = (deprived.astype(np.int64) << np.arange(len(AF_INDICATORS))).sum(axis=1)

    out = pd.DataFrame(
        {
            "household_id": frame["household_id"].to_numpy(),
            "region_id": frame["region_id"].to_numpy(),
            "province_code": frame["province_code"].to_numpy(),
            "persons": frame["size"].astype(int).to_numpy(),
            "weight": frame["weight"].to_numpy(float),
            "income": scored["y"].to_numpy(float),
            "ratio": scored["ratio"].to_numpy(float),
            "margin": scored["margin"].to_numpy(float),
        }
    )
    for column in ("d1_income", "d2_resilience", "d3_public_services", "d4_industry", "eqi"):
        out[column] = scored[column].to_numpy(float)
    for column in COMPONENTS:
        out[column] = scored[column].to_numpy(float)
    out["vulnerability"] = fit.v
    out["vulnerability_method"] = fit.method
    out["deprivation_score"] = np.nan
    out.loc[valid, "deprivation_score"] = score
    out["af_poor"] = False
    out.loc[valid, "af_poor"] = poor
    out["deprivations"] = 0
    out.loc[valid, "deprivations"] = bits
    out["flagged"] = scored["flagged"].astype(bool).to_numpy()
    out["reasons"] = _reasons_json(scored)
    out["category"] = scored["category"].fillna("").to_numpy()
    out["data_error"] = scored["data_error"].fillna("").to_numpy()
    return ChunkResult(out, fit.method, fit.reason)


def _reasons_json(scored: pd.DataFrame) -> np.ndarray:
    """The ``reasons`` column as JSON text per row, looked up by the rows' flag bits (one string per
    distinct set of reasons, not one ``json.dumps`` per household)."""
    bits = sum(scored[f"flag_{r}"].to_numpy(bool).astype(np.int64) << i for i, r in enumerate(scoring.REASONS))
    texts = np.array(
        [
            json.dumps([r for i, r in enumerate(scoring.REASONS) if k >> i & 1])
            for k in range(2 ** len(scoring.REASONS))
        ],
        dtype=object,
    )
    return texts[bits]
