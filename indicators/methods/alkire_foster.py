"""Alkire-Foster counting measures of multidimensional poverty: H, A, M0, M1, M2 and their decompositions.

Sources: Alkire, S. and Foster, J. (2011), "Counting and multidimensional poverty measurement", Journal of
Public Economics 95(7-8), 476-487 (identification with the dual cutoff k, the adjusted headcount M0 = H·A and
the gap measures M1, M2); Alkire, S., Foster, J. E., Seth, S., Santos, M. E., Roche, J. M. and Ballon, P. (2015),
"Multidimensional Poverty Measurement and Analysis", Oxford University Press, ch. 5 (censored headcounts,
percentage contributions w_j·CH_j/M0, subgroup decomposition M0 = Σ_g share_g·M0_g).

Notation: n units (persons or households, one row each), d indicators (columns); y_ij achievement, z_j cutoff,
w_j indicator weight (normalised so Σ w_j = 1), ω_i sample weight. Unit i is deprived in j when y_ij < z_j,
its deprivation score is c_i = Σ_j w_j·[y_ij < z_j], and it is poor when c_i ≥ k. Every aggregate is a ratio
of ω-weighted sums, so regions combine two-step (sum numerators and denominators, then divide).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from indicators.methods.grouping import group_codes

if TYPE_CHECKING:
    import pandas as pd

# c_i is a sum of floats (e.g. four weights of 0.25), so c ≥ k is tested with this slack.
K_TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)
class AlkireFosterResult:
    """The Alkire-Foster measures of one population (or one subgroup).

    Attributes:
        k: poverty cutoff, a share of the weighted indicators in (0, 1].
        n: number of units (rows).
        weight_total: Σ ω_i (equals ``n`` without sample weights).
        H: headcount ratio, the weighted share of units that are poor.
        A: intensity, the mean deprivation score among the poor; NaN when nobody is poor.
        M0: adjusted headcount ratio H·A (0 when nobody is poor).
        censored_headcounts: (d,) share of units that are poor and deprived in j.
        uncensored_headcounts: (d,) share of units deprived in j, poor or not.
        contributions: (d,) w_j·CH_j/M0, summing to 1; NaN when M0 = 0.
        M1: adjusted poverty gap over the cardinal indicators; None when no indicator is cardinal.
        M2: adjusted squared poverty gap (FGT-like severity), same rule as M1.
        indicator_weights: (d,) the normalised weights w_j used.
        cardinal: (d,) bool, the indicators counted in M1 and M2.
    """

    k: float
    n: int
    weight_total: float
    H: float
    A: float
    M0: float
    censored_headcounts: NDArray[np.float64]
    uncensored_headcounts: NDArray[np.float64]
    contributions: NDArray[np.float64]
    M1: float | None
    M2: float | None
    indicator_weights: NDArray[np.float64]
    cardinal: NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class AlkireFosterDecomposition:
    """Subgroup decomposition of M0 (Alkire et al. 2015, §5.5).

    Attributes:
        overall: the measures of the whole population.
        groups: group label → the measures of that group (labels in sorted order, or in the order of the
            ``labels`` given to :func:`alkire_foster_by`).
    """

    overall: AlkireFosterResult
    groups: dict[object, AlkireFosterResult]

    def population_share(self, label) -> float:
        """The group's share of the population, Σ_g ω / Σ ω."""
        return self.groups[label].weight_total / self.overall.weight_total

    def contribution(self, label) -> float:
        """The group's share of M0, share_g·M0_g/M0 (the shares sum to 1); NaN when M0 = 0."""
        if not self.overall.M0 > 0:
            return float("nan")
        return self.population_share(label) * self.groups[label].M0 / self.overall.M0

    @property
    def table(self) -> pd.DataFrame:
        """One row per group (index: label), columns ``n``, ``weight_total``, ``population_share``, ``H``, ``A``,
        ``M0``, ``M1``, ``M2`` and ``contribution``."""
        import pandas as pd  # only here: the mpi command starts without pandas

        rows = [
            {
                "n": r.n,
                "weight_total": r.weight_total,
                "population_share": self.population_share(label),
                **{name: getattr(r, name) for name in ("H", "A", "M0", "M1", "M2")},
                "contribution": self.contribution(label),
            }
            for label, r in self.groups.items()
        ]
        return pd.DataFrame(rows, index=pd.Index(list(self.groups), name="group"))


def deprivation_matrix(achievements: ArrayLike, cutoffs: ArrayLike) -> NDArray[np.bool_]:
    """Which unit is deprived in which indicator: y_ij < z_j (strictly below the cutoff).

    Args:
        achievements: (n, d) numbers (bool is read as 0/1).
        cutoffs: (d,) deprivation cutoffs z_j, in the units of each column.

    Returns:
        (n, d) bool.

    Raises:
        ValueError: on mismatched shapes, a NaN cutoff, or a NaN achievement (the message names the first column
            index with one: a missing value is neither deprived nor not, so it is the caller's to impute or drop).
    """
    y, z = _achievements_and_cutoffs(achievements, cutoffs)
    return y < z


def deprivation_scores(deprived: ArrayLike, indicator_weights: ArrayLike | None = None) -> NDArray[np.float64]:
    """Weighted deprivation score c_i = Σ_j w_j·g0_ij, in [0, 1].

    Args:
        deprived: (n, d) bool deprivation matrix.
        indicator_weights: (d,) non-negative weights, normalised here to sum to 1; None for equal weights.

    Returns:
        (n,) float.

    Raises:
        ValueError: on a shape mismatch, or negative, non-finite or all-zero weights.
    """
    g0 = _bool_matrix(deprived)
    return g0 @ _indicator_weights(indicator_weights, g0.shape[1])


def censored_scores(
    deprived: ArrayLike, indicator_weights: ArrayLike | None, k: float
) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.bool_]]:
    """Household-level identification, for aggregates summed two-step across regions.

    A region's H is Σ ω·poor / Σ ω, its M0 is Σ ω·c·poor / Σ ω and its censored headcount j is
    Σ ω·censored_j / Σ ω; summing those numerators and denominators over villages gives the county's values
    exactly (never an average of averages).

    Args:
        deprived: (n, d) bool deprivation matrix.
        indicator_weights: (d,) weights (normalised here) or None for equal weights.
        k: poverty cutoff in (0, 1]; poor when c ≥ k − 1e-9.

    Returns:
        ``(c, poor, censored)``: (n,) deprivation scores, (n,) bool poor, (n, d) bool deprived-and-poor.

    Raises:
        ValueError: as :func:`deprivation_scores`, or k outside (0, 1].
    """
    g0 = _bool_matrix(deprived)
    c = g0 @ _indicator_weights(indicator_weights, g0.shape[1])
    poor = c >= _check_k(k) - K_TOLERANCE
    return c, poor, g0 & poor[:, None]


def alkire_foster(
    achievements: ArrayLike,
    cutoffs: ArrayLike,
    *,
    k: float,
    indicator_weights: ArrayLike | None = None,
    sample_weights: ArrayLike | None = None,
    cardinal: ArrayLike | None = None,
) -> AlkireFosterResult:
    """The Alkire-Foster measures H, A, M0, M1, M2 with censored headcounts and contributions.

    M1 and M2 average the censored normalised gaps g_ij = (z_j − y_ij)/z_j (raised to 1 and 2) over the
    cardinal indicators only, with their weights renormalised to sum to 1 among them; identification still
    uses every indicator. Gaps are clipped to [0, 1] (an achievement below 0 counts as 0).

    Args:
        achievements: (n, d) numbers, one row per unit.
        cutoffs: (d,) deprivation cutoffs.
        k: poverty cutoff, a share of the weighted indicators in (0, 1] (k = 1/d: union, k = 1: intersection).
        indicator_weights: (d,) non-negative weights (normalised here); None for equal weights.
        sample_weights: (n,) non-negative weights of the units (e.g. persons × sampling weight); None for 1 each.
        cardinal: (d,) bool, the indicators whose gaps count in M1 and M2; None (the default, Alkire and Foster's
            convention: every indicator is cardinal, a 0/1 one's gap being 0 or 1) for every indicator whose cutoff
            is > 0. An indicator with a cutoff <= 0 has no normalised gap, so the default leaves it out of M1 and
            M2 (``AlkireFosterResult.cardinal`` shows it False) and naming it here is an error.

    Returns:
        AlkireFosterResult.

    Raises:
        ValueError: on shape mismatches, NaN data, bad weights, k outside (0, 1], no rows, or a cardinal
            indicator whose cutoff is not positive (the message gives its index and cutoff).
    """
    terms, meta = _unit_terms(achievements, cutoffs, k, indicator_weights, sample_weights, cardinal)
    return _finish({name: value[0] for name, value in _sums(terms).items()}, len(terms["omega"]), meta)


def alkire_foster_by(
    groups: ArrayLike,
    achievements: ArrayLike,
    cutoffs: ArrayLike,
    *,
    k: float,
    indicator_weights: ArrayLike | None = None,
    sample_weights: ArrayLike | None = None,
    cardinal: ArrayLike | None = None,
    labels: ArrayLike | None = None,
) -> AlkireFosterDecomposition:
    """Subgroup decomposition: the measures of each group and its share of the overall M0.

    Identification is done once for all units; each group's sums are taken in one grouped pass (a ``bincount`` per
    term), and the overall measures are the sums over the groups, so M0 = Σ_g share_g·M0_g holds by construction.
    A group whose sample weights are all 0 gets NaN measures (it has no population to describe).

    Args:
        groups: (n,) group labels (no missing values); or, with ``labels``, (n,) integer codes into them.
        achievements, cutoffs, k, indicator_weights, sample_weights, cardinal: as :func:`alkire_foster`.
        labels: (G,) the labels of codes 0..G-1 (as ``pandas.factorize`` gives them), or None.

    Returns:
        AlkireFosterDecomposition.

    Raises:
        ValueError: as :func:`alkire_foster`, or groups of the wrong length, with missing values or (with
            ``labels``) codes outside 0..G-1.
    """
    terms, meta = _unit_terms(achievements, cutoffs, k, indicator_weights, sample_weights, cardinal)
    n = len(terms["omega"])
    codes, names = group_codes(groups, labels, n)
    size = len(names)
    counts = np.bincount(codes, minlength=size)
    grouped = _sums(terms, codes, size)  # one bincount a column of each term
    overall = _finish({name: value.sum(axis=0) for name, value in grouped.items()}, n, meta)
    by_group = {
        label: _finish({name: value[g] for name, value in grouped.items()}, int(counts[g]), meta)
        for g, label in enumerate(names)
    }
    return AlkireFosterDecomposition(overall=overall, groups=by_group)


def _unit_terms(achievements, cutoffs, k, indicator_weights, sample_weights, cardinal) -> tuple[dict, dict]:
    """Per-unit terms whose sums (:func:`_sums`) give every measure (the numerators of the two-step roll-up).

    Returns:
        ``(terms, meta)``. The (n,) terms are ω-weighted: "omega" (ω_i), "poor" (ω_i·poor_i), "intensity"
        (ω_i·c_i·poor_i) and, when an indicator is cardinal, "gap1" and "gap2" (ω_i·Σ_j w_j·g_ij, squared
        gaps). The (n, d) terms "censored" and "uncensored" are the bool deprivations (poor and deprived;
        deprived), weighted by ω only when summed, a column at a time, so that no (n, d) float matrix is made (a
        million rows of four indicators: 32 MB each); the gaps are summed an indicator at a time for the same
        reason. ``meta``: k, the normalised weights w, the cardinal flags.
    """
    y, z = _achievements_and_cutoffs(achievements, cutoffs)
    n, d = y.shape
    if n == 0:
        raise ValueError("no rows")
    w = _indicator_weights(indicator_weights, d)
    deprived = y < z
    c, poor, censored = censored_scores(deprived, w, k)
    omega = _sample_weights(sample_weights, n)
    card = _cardinal(cardinal, z)
    terms = {
        "omega": omega,
        "poor": omega * poor,
        "intensity": omega * c * poor,
        "censored": censored,
        "uncensored": deprived,
    }
    if card.any():
        gap1, gap2 = np.zeros(n), np.zeros(n)
        for j, weight in zip(np.flatnonzero(card), w[card] / w[card].sum(), strict=True):  # over indicators
            gap = np.clip((z[j] - y[:, j]) / z[j], 0.0, 1.0) * censored[:, j]
            gap1 += weight * gap
            gap2 += weight * gap * gap
        terms["gap1"], terms["gap2"] = omega * gap1, omega * gap2
    return terms, {"k": float(k), "w": w, "cardinal": card}


def _sums(terms: dict, codes: NDArray[np.intp] | None = None, size: int = 1) -> dict:
    """The sums of the terms of :func:`_unit_terms` (the (n, d) ones weighted by ω) over all units or, with
    ``codes``, per group: (size, 1) for an (n,) term, (size, d) for an (n, d) one."""
    omega = terms["omega"]

    def total(values) -> NDArray[np.float64]:
        return np.array([values.sum()]) if codes is None else np.bincount(codes, weights=values, minlength=size)

    return {
        name: np.column_stack([total(omega * column) for column in value.T] if value.ndim == 2 else [total(value)])
        for name, value in terms.items()
    }


def _finish(sums: dict, n: int, meta: dict) -> AlkireFosterResult:
    """Ratios from the weighted sums of :func:`_unit_terms` (scalar sums may come as 1-element arrays)."""
    total, poor, intensity = (float(np.sum(sums[name])) for name in ("omega", "poor", "intensity"))
    per_unit = 1.0 / total if total > 0 else np.nan  # a group whose sample weights are all 0 gets NaN
    m0 = intensity * per_unit
    censored = np.asarray(sums["censored"], dtype=float) * per_unit
    contributions = meta["w"] * censored / m0 if m0 > 0 else np.full(len(censored), np.nan)
    return AlkireFosterResult(
        k=meta["k"],
        n=n,
        weight_total=total,
        H=poor * per_unit,
        A=intensity / poor if poor > 0 else np.nan,
        M0=m0,
        censored_headcounts=censored,
        uncensored_headcounts=np.asarray(sums["uncensored"], dtype=float) * per_unit,
        contributions=contributions,
        M1=float(np.sum(sums["gap1"])) * per_unit if "gap1" in sums else None,
        M2=float(np.sum(sums["gap2"])) * per_unit if "gap2" in sums else None,
        indicator_weights=meta["w"],
        cardinal=meta["cardinal"],
    )


def _achievements_and_cutoffs(achievements, cutoffs) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    y = np.asarray(achievements, dtype=float)
    z = np.asarray(cutoffs, dtype=float)
    if y.ndim != 2 or z.ndim != 1 or y.shape[1] != z.shape[0]:
        raise ValueError(f"achievements must be (n, d) and cutoffs (d,); got {y.shape} and {z.shape}")
    if np.isnan(z).any():
        raise ValueError(f"cutoff {int(np.isnan(z).argmax())} is NaN")
    missing = np.isnan(y).any(axis=0)
    if missing.any():
        raise ValueError(f"achievements column {int(missing.argmax())} has missing values (NaN)")
    return y, z


def _bool_matrix(deprived) -> NDArray[np.bool_]:
    g0 = np.asarray(deprived)
    if g0.ndim != 2 or g0.dtype != bool:
        raise ValueError(f"deprived must be an (n, d) bool array; got {g0.dtype} {g0.shape}")
    return g0


def _indicator_weights(weights, d: int) -> NDArray[np.float64]:
    if weights is None:
        return np.full(d, 1.0 / d)
    w = np.asarray(weights, dtype=float)
    if w.shape != (d,):
        raise ValueError(f"indicator_weights must have shape ({d},); got {w.shape}")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("indicator weights must be finite and non-negative")
    if w.sum() <= 0:
        raise ValueError("indicator weights are all zero")
    return w / w.sum()


def _sample_weights(weights, n: int) -> NDArray[np.float64]:
    if weights is None:
        return np.ones(n)
    omega = np.asarray(weights, dtype=float)
    if omega.shape != (n,):
        raise ValueError(f"sample_weights must have shape ({n},); got {omega.shape}")
    if not np.isfinite(omega).all() or (omega < 0).any():
        raise ValueError("sample weights must be finite and non-negative")
    if omega.sum() <= 0:
        raise ValueError("sample weights are all zero")
    return omega


def _cardinal(cardinal, z) -> NDArray[np.bool_]:
    if cardinal is None:
        return z > 0
    card = np.asarray(cardinal, dtype=bool)
    if card.shape != z.shape:
        raise ValueError(f"cardinal must have shape {z.shape}; got {card.shape}")
    bad = card & (z <= 0)
    if bad.any():
        j = int(bad.argmax())
        raise ValueError(
            f"indicator {j} has cutoff {float(z[j])}: a cardinal indicator needs a positive cutoff, its gap (z − y)/z "
            "is undefined otherwise"
        )
    return card


def _check_k(k: float) -> float:
    if not 0 < k <= 1:
        raise ValueError(f"k must be in (0, 1]; got {k}")
    return float(k)
