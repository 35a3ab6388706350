"""Sampling error of the roll-up's headcount ratio and M0 where the households are a sample (issue 15).

The methodology's ``scores.sampling`` parameter (``scoring.sampling_validate``) says whether the
registry is a census (every household: no sampling error, every field here null) or a stratified
cluster sample, and which levels of a household's region path are the strata and the primary
sampling units (PSUs). The design is one province's households (a chunk of the recompute), drawn
with replacement within strata, weighted by persons x sampling weight: the weights of both measures
(``rollup``: the person headcount ratio and M0 are person-weighted ratios of sums).

Each region's standard error is a domain estimate (Lumley, *Complex Surveys*, 2010, §2.4; R survey's
``svyby(..., svyratio)``): the variance of the total of the region's linearised ratio (y_i - R x_i) / X
(Woodruff 1971; the influence function of ``variance.ratio_mean_uncertainty``), zero outside it, over
every PSU of each stratum of the province, so a region's SE counts the PSUs of its strata that hold
none of its households (``variance.DomainTotals``: the PSUs crossed with a level's regions once, a
variance per measure). A household outside a measure's denominator (income or the guarantees
unknown) lies outside the domain.

The interval is the normal 95 % interval, estimate -/+ 1.96 SE (R survey's ``confint``), clipped to
[0, 1] since both measures are shares; an SE of 0 (every sampled person of the region poor, or none)
gives the interval [estimate, estimate].

A region inside one PSU (its level at or below the cluster level: a village under village
clusters) gets no SE either: the linearised ratio sums to zero over its one PSU, so the estimator
(first stage only, with replacement) would show 0 whatever the variation between its households.

A stratum with a single PSU has no variance estimate (survey's ``lonely.psu = "fail"``). A nightly
run must not stop for it, nor invent one: the regions holding a household of such a stratum get a
null SE and interval (their estimate is still published), the other regions are unaffected (a
stratum adds nothing to the variance of a region with no household in it), and the run logs a
warning naming the strata. Choose coarser strata to get them back.
"""

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.methods.scoring import SAMPLING_LEVELS
from indicators.methods.variance import DomainTotals, SurveyDesign, confidence_interval, survey_design

log = logging.getLogger(__name__)

#: The measures that carry a sampling error, and the suffixes of their fields.
MEASURES = ("headcount_ratio", "mpi_m0")
SUFFIXES = ("se", "ci_low", "ci_high")
FIELDS = tuple(f"{m}_{s}" for m in MEASURES for s in SUFFIXES)


@dataclass(frozen=True)
class SampleDesign:
    """One province's sample design over the roll-up's household rows.

    Attributes:
        design: the ``SurveyDesign`` of the rows kept (None when none is).
        kept: (n,) bool, the rows in the design: positive weight, not in a lonely stratum.
        lonely: (n,) bool, the rows of a stratum with one PSU (their regions get no SE).
        cluster_depth: the depth of the PSUs on the region path (5: households); regions at this
            depth or below lie inside one PSU and get no SE.
    """

    design: SurveyDesign | None
    kept: np.ndarray
    lonely: np.ndarray
    cluster_depth: int


def _unit_labels(levels: list[tuple[np.ndarray, np.ndarray]], depth: int) -> tuple[np.ndarray, np.ndarray]:
    """Each distinct path's region at ``depth`` (0 = level-1 region), or its deepest region when the
    path is shorter (a leaf above that depth in another scheme's tree): (labels per path, codes)."""
    n_paths = len(levels[0][0])
    unit = np.full(n_paths, -1, dtype=np.int64)
    offset, codes = 0, []
    for d in range(min(depth, len(levels) - 1), -1, -1):  # a loop over tree depths, not rows
        label, level_codes = levels[d]
        fill = (unit < 0) & (label >= 0)
        unit[fill] = label[fill] + offset
        offset += len(level_codes)
        codes.append(level_codes)
    return unit, np.concatenate(codes) if codes else np.array([], dtype=object)


def sample_design(
    weights: np.ndarray, row_path: np.ndarray, levels: list[tuple[np.ndarray, np.ndarray]], sampling: dict
) -> SampleDesign | None:
    """The design of a province's households, or None for a census.

    Args:
        weights: (n,) persons x sampling weight of each household row.
        row_path: (n,) the row's distinct-path label; ``levels``: ``rollup._ancestor_labels``'s.
        sampling: the validated ``scores.sampling`` parameter.
    Returns:
        A ``SampleDesign``; rows in strata with one PSU are left out of it and flagged ``lonely``
        (a warning is logged with the strata's codes).
    """
    if sampling["design"] != "sample":
        return None
    n = len(weights)
    unit, codes = _unit_labels(levels, SAMPLING_LEVELS[sampling["strata"]])
    strata = unit[row_path] if n else np.zeros(0, dtype=np.int64)
    if sampling["cluster"] == "household":
        psu = np.arange(n, dtype=np.int64)
    else:
        psu = _unit_labels(levels, SAMPLING_LEVELS[sampling["cluster"]])[0][row_path]
    usable = np.isfinite(weights) & (weights > 0)
    span = int(psu.max(initial=0)) + 1
    psus = pd.unique(strata[usable] * span + psu[usable])  # the distinct (stratum, PSU) pairs
    psu_per_stratum = np.bincount(psus // span, minlength=int(strata.max(initial=-1)) + 1)
    lonely_strata = np.flatnonzero(psu_per_stratum == 1)
    lonely = np.isin(strata, lonely_strata) & usable
    if len(lonely_strata):
        log.warning(
            "sample design (strata %s, cluster %s): %d stratum/strata with one sampling unit (%s%s); "
            "the regions holding them get no standard error",
            sampling["strata"],
            sampling["cluster"],
            len(lonely_strata),
            ", ".join(str(c) for c in codes[lonely_strata[:10]]),
            ", ..." if len(lonely_strata) > 10 else "",
        )
    kept = usable & ~lonely
    design = None
    if kept.any():
        clusters = None if sampling["cluster"] == "household" else psu[kept]
        design = survey_design(weights[kept], strata=strata[kept], clusters=clusters)
    return SampleDesign(design=design, kept=kept, lonely=lonely, cluster_depth=SAMPLING_LEVELS[sampling["cluster"]])


def level_uncertainty(
    sample: SampleDesign | None, depth: int, labels: np.ndarray, terms: dict, estimates: pd.DataFrame
) -> pd.DataFrame:
    """SE and 95 % interval of each measure for the regions of one tree level.

    Args:
        sample: ``sample_design``'s (None: a census, every field null).
        depth: the level's depth on the region path (0: level-1 regions).
        labels: (n,) each row's region label at this level, -1 for none.
        terms: measure -> (numerator (n,), denominator (n,)) of the ratio of sums: the denominator is
            the row's weight where it is in the measure's domain, else 0 (``rollup``'s sums).
        estimates: the level's measures, indexed by region label (its ``MEASURES`` columns).
    Returns:
        ``FIELDS`` columns on ``estimates``' index (shares 0-1, NaN = null).
    """
    out = pd.DataFrame({f: np.full(len(estimates), np.nan) for f in FIELDS}, index=estimates.index)
    if sample is None or sample.design is None or not len(estimates) or depth >= sample.cluster_depth:
        return out
    size = max(int(labels.max(initial=-1)), int(estimates.index.max())) + 1
    touched = np.zeros(size, dtype=bool)
    touched[labels[sample.lonely & (labels >= 0)]] = True
    kept = sample.kept
    # the PSUs crossed with the level's regions once (rows outside every region of the level: an extra
    # group G, discarded); then one variance of a total per measure
    group = np.where(labels >= 0, labels, size)[kept]
    totals = DomainTotals(sample.design, group, size + 1)
    for measure in MEASURES:
        numerator, denominator = (t[kept] for t in terms[measure])
        y = np.bincount(group, weights=numerator, minlength=size + 1)
        x = np.bincount(group, weights=denominator, minlength=size + 1)
        with np.errstate(divide="ignore", invalid="ignore"):  # a region without rows in the domain: NaN
            ratio = y / x
            # the ratio's linearised values (y_i - R x_i) / X on its region's rows, as ratio_mean_uncertainty's
            # (phi_i - R) w_i / X, and 0 outside the measure's domain (both terms 0 there)
            za = np.where(denominator > 0, (numerator - ratio[group] * denominator) / x[group], 0.0)
        se = np.sqrt(totals.variance(za))[:size]
        se = np.where(touched | ~np.isfinite(ratio[:size]), np.nan, se)[estimates.index.to_numpy()]
        value = estimates[measure].to_numpy(float)
        se = np.where(np.isnan(value), np.nan, se)
        low, high = confidence_interval(value, se)
        out[f"{measure}_se"] = se
        out[f"{measure}_ci_low"] = np.clip(low, 0.0, 1.0)
        out[f"{measure}_ci_high"] = np.clip(high, 0.0, 1.0)
    return out
