"""Design-based variance of survey estimates by Taylor linearisation: standard errors, 95 % confidence
intervals and design effects for the poverty, inequality and Alkire-Foster measures, per group.

A design is a stratified, clustered sample with weights (``survey_design``): primary sampling units
(PSUs, the ``clusters``) are drawn within ``strata`` with replacement, optionally with a finite
population correction. Every estimate theta is linearised: its influence function u_i (one value per
row, in the unit of theta per unit of weight) makes theta - theta_0 ~ sum_i w_i u_i, and the
variance of that total is computed as R's survey package computes the variance of a total
(``svyrecvar``, first stage only):

    V = sum_h (1 - f_h) * n_h / (n_h - 1) * sum_{c in h} (z_hc - mean_c z_hc)^2,  z_hc = sum_{i in c} w_i u_i,

with n_h the PSUs of stratum h in the whole sample (a group's PSUs without rows of the group count
with z = 0: domain estimation) and f_h the sampling fraction (0 without a finite population
correction). A stratum with one PSU is an error (survey's default ``lonely.psu = "fail"``) unless it is
a census stratum (f_h = 1), which contributes nothing.

Influence functions (Deville 1999; Osier 2009), with R's convey 1.x conventions (Pessoa & Damico,
functions ``h_fun``, ``densfun``, ``svyarpt``, ``svyarpr``, ``svyfgt``, ``svygini``, ``svyisq``,
``svyqsr``, ``svypoormed``, ``svyrmpg``); N is the group's weight total:

- mean and every ratio mean (FGT with a fixed line, Alkire-Foster H, M0, M1, M2): (phi_i - theta) / N;
- quantile q_p: -(1[x_i <= q_p] - p) / (N f(q_p)), f the Gaussian kernel density of the group's
  incomes, bandwidth h = sd / N^0.2 (sd the weighted population standard deviation, divided by N);
- a relative line t = share * q_0.5 (or share * mean) of the whole sample: share times the quantile's
  (or mean's) influence function; a measure that uses the line adds d theta / dt times it: for the
  headcount ratio f_g(t) (the group's density at t), for FGT alpha >= 1
  sum w alpha g^(alpha-1) max(x, 0) / t^2 / N over the poor;
- Gini: convey's ``svygini`` linearisation of (2 T1 - T2) / (T2 T3) - 1, T1 = sum r_i w_i x_i
  (r the cumulative weight), T2 = sum w x, T3 = N;
- S80/S20: (T - S(q_0.8)) / S(q_0.2), S(q) = sum w x 1[x <= q] with influence function
  x 1[x <= q] + F1(q) * IF(q_p), F1(q) = sum w x phi((q - x)/h) / h (convey ``svyisq``);
- relative median poverty gap (t - m) / t, m the median of the poor (convey ``svypoormed``).

Design effect (Kish): V over the variance under simple random sampling with replacement of the
group's n rows, s^2 / n, s^2 = n/(n-1) * sum w (v - v_bar)^2 / N, v = N u (R survey's
``svymean(deff = "replace")`` convention, applied to the linearised variable): unchanged when the weights
are rescaled (normalised weights summing to n give the same design effect as grossed-up ones; survey's
without-replacement ``deff = TRUE`` does not, as 1 - n/N then goes to 0).
The confidence interval is estimate -/+ z_0.975 SE (normal, as survey's ``confint``).

Sources: Deville, J.-C. (1999), Survey Methodology 25(2), 193-203; Osier, G. (2009), Survey Research
Methods 3(3), 167-195; Lumley, T., R package survey 4.x (``svyrecvar``, ``svymean``); Pessoa, D. and
Damico, A., R package convey (the functions named above). tests/indicators/test_variance.py reproduces
convey's published EU-SILC standard errors and a hand-computed stratified clustered example.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from indicators.methods.poverty import _group_then_value_order, _weights, value_order, weighted_quantile_by

Z_975 = 1.959963984540054  # the 97.5 % point of the standard normal distribution
_SQRT_2PI = np.sqrt(2 * np.pi)


# --- the design -----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SurveyDesign:
    """A one-stage stratified cluster design of n rows (build it with ``survey_design``).

    Attributes:
        weights: (n,) sampling weights, > 0 (persons per row for person-level estimates).
        psu: (n,) the row's PSU, 0..P-1 (clusters are numbered within their stratum).
        psu_stratum: (P,) each PSU's stratum, 0..H-1.
        scale: (H,) (1 - f_h) n_h / (n_h - 1) per stratum (0 for a census stratum).
    """

    weights: NDArray[np.float64]
    psu: NDArray[np.intp]
    psu_stratum: NDArray[np.intp]
    scale: NDArray[np.float64]

    @property
    def n(self) -> int:
        return self.weights.size


def _labels(values, n: int, name: str) -> tuple[NDArray[np.intp], list]:
    """(codes 0..K-1, the K labels) of a label column."""
    series = pd.Series(values).reset_index(drop=True)
    if len(series) != n:
        raise ValueError(f"{name} has {len(series)} values for {n} rows")
    missing = series.isna().to_numpy()
    if missing.any():
        raise ValueError(f"{name} is missing at row index {int(missing.argmax())}")
    codes, uniques = pd.factorize(series)
    return codes.astype(np.intp), list(uniques)


def survey_design(weights: ArrayLike | None = None, *, n: int | None = None, strata=None, clusters=None, fpc=None):
    """A stratified cluster design, as ``survey::svydesign(ids = ~clusters, strata = ~strata,
    weights = ~weights, fpc = ~fpc, nest = TRUE)``.

    Args:
        weights: (n,) sampling weights > 0, or None for weight 1 each (then give ``n``).
        n: the number of rows when ``weights`` is None.
        strata: (n,) stratum labels, or None for one stratum.
        clusters: (n,) PSU labels (numbered within strata: the same label in two strata is two PSUs),
            or None for each row its own PSU.
        fpc: (n,) finite population correction, constant within a stratum: either the stratum's
            population of PSUs (>= its sampled PSUs n_h) or its sampling fraction (0-1]; all values
            <= 1 are read as fractions (as survey does). None: sampling with replacement. A census is
            ``fpc`` equal to n_h (or 1): every standard error is 0.

    Returns: SurveyDesign.

    Raises:
        ValueError: weights not finite and > 0 or of another length; labels of another length or
            missing; an ``fpc`` that varies within a stratum, is not > 0, or is smaller than the
            stratum's PSUs; a stratum with one PSU that is not a census stratum.
    """
    if weights is None and n is None:
        raise ValueError("give weights or n")
    size = int(np.size(weights)) if weights is not None else int(n)
    w = _weights(weights, size)
    h, names = _labels(strata, size, "strata") if strata is not None else (np.zeros(size, dtype=np.intp), [None])
    c = _labels(clusters, size, "clusters")[0] if clusters is not None else np.arange(size, dtype=np.intp)

    def stratum(index: int) -> str:
        return "the one stratum (no strata given)" if strata is None else f"stratum {names[index]!r}"

    psu_key = pd.factorize(h.astype(np.int64) * (int(c.max()) + 1 if size else 1) + c)[0].astype(np.intp)
    n_psu_total = int(psu_key.max()) + 1 if size else 0
    psu_stratum = np.zeros(n_psu_total, dtype=np.intp)
    psu_stratum[psu_key] = h
    n_strata = int(h.max()) + 1 if size else 0
    n_h = np.bincount(psu_stratum, minlength=n_strata).astype(float)
    fraction = np.zeros(n_strata)
    if fpc is not None:
        f = np.asarray(fpc, dtype=float)
        if f.shape != (size,):
            raise ValueError(f"fpc has shape {f.shape} for {size} rows")
        if not np.all(np.isfinite(f) & (f > 0)):
            raise ValueError("fpc must be finite and greater than zero")
        low = np.full(n_strata, np.inf)
        high = np.full(n_strata, -np.inf)
        np.minimum.at(low, h, f)
        np.maximum.at(high, h, f)
        if np.any(low != high):
            where = stratum(int(np.argmax(low != high)))
            raise ValueError(f"fpc varies within {where}: it must be one number per stratum")
        if np.all(f <= 1):
            fraction = high
        else:
            if np.any(high < n_h):
                bad = int(np.argmax(high < n_h))
                sampled = int(n_h[bad])
                raise ValueError(f"fpc {high[bad]:g} is smaller than the {sampled} PSUs sampled in {stratum(bad)}")
            fraction = n_h / high
    lonely = (n_h < 2) & (fraction < 1)
    if lonely.any():
        raise ValueError(
            f"{stratum(int(np.argmax(lonely)))} has one PSU: its variance cannot be estimated "
            "(merge it with another stratum, or give an fpc if it is a census)"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(n_h > 1, n_h / (n_h - 1), 0.0) * (1 - fraction)
    return SurveyDesign(weights=w, psu=psu_key, psu_stratum=psu_stratum, scale=scale)


# --- the variance of a total ----------------------------------------------------------------------


class DomainTotals:
    """The PSUs of a design crossed with its groups, for many variances of group totals (the
    factorisation is done once; each ``variance`` is then a few ``np.bincount``).

    Args:
        design: the SurveyDesign of the n rows.
        group: (n,) integer labels 0..G-1, or None for one group.
        n_groups: G.
    """

    def __init__(self, design: SurveyDesign, group=None, n_groups: int = 1):
        self.design, self.size = design, n_groups
        self.g = np.zeros(design.n, dtype=np.intp) if group is None else np.asarray(group, dtype=np.intp)
        n_psu, n_strata = design.psu_stratum.size, design.scale.size
        self.n_h = np.bincount(design.psu_stratum, minlength=n_strata).astype(float)
        self.pair, first = pd.factorize(self.g.astype(np.int64) * n_psu + design.psu)
        first = np.asarray(first, dtype=np.int64)
        self.n_pairs = first.size
        self.pair_p = first % n_psu
        self.gh = (first // n_psu) * n_strata + design.psu_stratum[self.pair_p]
        self.n_h_tiled = np.tile(self.n_h, n_groups)
        self.absent = self.n_h_tiled - np.bincount(self.gh, minlength=n_groups * n_strata)

    def variance(self, za, zt=None, b=None) -> NDArray[np.float64]:
        """The design variance of sum_i v_gi for each group g, v_gi = za_i [group_i = g] + b_g zt_i.

        Args:
            za: (n,) weighted linearised values w_i u_i of the row's own group (0 outside it).
            zt, b: an optional common term (n,) (e.g. w_i times the influence function of a line
                estimated on the whole sample) and its coefficient per group (G,).

        Returns: (G,) variances (in the squared unit of the estimate).
        """
        design, size = self.design, self.size * self.design.scale.size
        a = np.bincount(self.pair, weights=np.asarray(za, dtype=float), minlength=self.n_pairs)
        mean = np.bincount(self.gh, weights=a, minlength=size) / self.n_h_tiled
        ss = np.bincount(self.gh, weights=(a - mean[self.gh]) ** 2, minlength=size) + self.absent * mean**2
        variance = ss.reshape(self.size, -1) @ design.scale
        if zt is not None:
            n_psu, n_strata = design.psu_stratum.size, design.scale.size
            t = np.bincount(design.psu, weights=np.asarray(zt, dtype=float), minlength=n_psu)
            t_dev = t - (np.bincount(design.psu_stratum, weights=t, minlength=n_strata) / self.n_h)[design.psu_stratum]
            tt = np.bincount(design.psu_stratum, weights=t_dev**2, minlength=n_strata) @ design.scale
            cross = np.bincount(self.gh, weights=a * t_dev[self.pair_p], minlength=size).reshape(self.size, -1)
            b = np.asarray(b, dtype=float)
            variance = variance + 2 * b * (cross @ design.scale) + b**2 * tt
        return np.maximum(variance, 0.0)


def total_variance_by(design: SurveyDesign, za, group=None, n_groups: int = 1, zt=None, b=None):
    """``DomainTotals(design, group, n_groups).variance(za, zt, b)``: the (G,) design variances of the
    groups' totals (see ``DomainTotals.variance``)."""
    return DomainTotals(design, group, n_groups).variance(za, zt, b)


def srs_variance_by(weights, u, group, n_groups: int) -> NDArray[np.float64]:
    """The variance under simple random sampling with replacement of each group's n rows (the design
    effect's denominator; see the module docstring): s^2 / n, shape (G,).

    ``u``: (n,) the linearised variable on each row for its own group (unweighted)."""
    w = np.asarray(weights, dtype=float)
    count = np.bincount(group, minlength=n_groups).astype(float)
    total = np.bincount(group, weights=w, minlength=n_groups)
    v = total[group] * u
    v_mean = np.bincount(group, weights=w * v, minlength=n_groups) / total
    s2 = np.bincount(group, weights=w * (v - v_mean[group]) ** 2, minlength=n_groups) / total
    with np.errstate(divide="ignore", invalid="ignore"):
        return s2 / (count - 1)  # n/(n-1) s^2 / n


# --- per-group building blocks -------------------------------------------------------------------


class _Groups:
    """Rows with their group (0..G-1), weights and incomes, and per-group totals and bandwidths."""

    def __init__(self, x, w, g, n_groups):
        self.x, self.w, self.g, self.size = x, w, g, n_groups
        self.total = np.bincount(g, weights=w, minlength=n_groups)
        self.count = np.bincount(g, minlength=n_groups)
        mean = self.sum(w * x) / self.total
        sd = np.sqrt(self.sum(w * (x - mean[g]) ** 2) / self.total)
        self.mean = mean
        self.bandwidth = sd / self.total**0.2  # convey h_fun

    def sum(self, values) -> NDArray[np.float64]:
        return np.bincount(self.g, weights=values, minlength=self.size)

    def kernel(self, points) -> NDArray[np.float64]:
        """phi((point_g - x_i) / h_g) / h_g for each row, the Gaussian kernel at its group's point."""
        h = self.bandwidth[self.g]
        return np.exp(-0.5 * ((points[self.g] - self.x) / h) ** 2) / (_SQRT_2PI * h)

    def density(self, points) -> NDArray[np.float64]:
        """The kernel density f_g(point_g) of each group's incomes (convey ``densfun``, FUN "F")."""
        return self.sum(self.w * self.kernel(points)) / self.total

    def income_density(self, points) -> NDArray[np.float64]:
        """sum w x phi((point - x)/h) / h per group (convey ``densfun``, FUN "big_s")."""
        return self.sum(self.w * self.x * self.kernel(points))

    def quantile_if(self, q, p) -> NDArray[np.float64]:
        """The influence function of each group's quantile q_p, on each row of the group."""
        return -((self.x <= q[self.g]) - p) / (self.total * self.density(q))[self.g]


def _gini_if(s: _Groups, by_x=None) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """convey ``svygini``'s linearised variable (per row, own group) and convey's Gini value.
    ``by_x``: the stable order of the incomes when the caller has it."""
    order = _group_then_value_order(s.g, s.x, s.size, by_x)
    g, x, w = s.g[order], s.x[order], s.w[order]
    start = np.concatenate(([0], np.cumsum(s.count)))[g]
    cum_w = np.concatenate(([0.0], np.cumsum(w)))
    cum_wx = np.concatenate(([0.0], np.cumsum(w * x)))
    r = cum_w[1:] - cum_w[start]  # cumulative weight within the group
    partial = cum_wx[1:] - cum_wx[start]
    t1 = np.bincount(g, weights=r * x * w, minlength=s.size)
    t2 = s.sum(s.w * s.x)
    t3 = s.total
    with np.errstate(divide="ignore", invalid="ignore"):
        t1_if = t2[g] - partial + x * w + r * x
        u = 2 / (t2 * t3)[g] * t1_if - (2 * t1 / (t2**2 * t3))[g] * x - ((2 * t1 - t2) / (t2 * t3**2))[g]
    out = np.empty_like(u)
    out[order] = u
    return out, (2 * t1 - t2) / (t2 * t3) - 1


def _qsr_if(s: _Groups, q) -> NDArray[np.float64]:
    """The linearised S80/S20 (total income above q_0.8 over that at or below q_0.2), convey ``svyqsr``;
    ``q``: (G, 2) each group's q_0.2 and q_0.8."""
    parts = []
    for k, p in enumerate((0.2, 0.8)):
        below = s.x <= q[s.g, k]
        parts.append(
            (s.sum(s.w * s.x * below), s.x * below + s.income_density(q[:, k])[s.g] * s.quantile_if(q[:, k], p))
        )
    (s20, s20_if), (s80, s80_if) = parts
    total = s.sum(s.w * s.x)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (s.x - s80_if) / s20[s.g] - ((total - s80) / s20**2)[s.g] * s20_if


# --- the poverty measures -------------------------------------------------------------------------


def poverty_measures_uncertainty(
    x,
    design: SurveyDesign,
    group=None,
    n_groups: int = 1,
    *,
    line: float | None = None,
    relative_share: float | None = None,
    of: str = "median",
    line_per_group: bool = False,
) -> dict[str, dict[str, NDArray[np.float64]]]:
    """Standard errors and design effects of the measures of ``poverty.poverty_measures`` per group.

    Args:
        x: (n,) incomes, yuan per person per year.
        design: the SurveyDesign of the n rows (its weights are the estimates' weights).
        group: (n,) integer labels 0..G-1 or None (one group).
        line, relative_share, of, line_per_group: the poverty line as in ``poverty_measures``: an
            absolute line, or ``relative_share`` of the median (or mean) of the whole sample, or of
            each group's own rows with ``line_per_group``.

    Returns:
        measure name -> {"se": (G,), "deff": (G,)} for line (relative lines only), headcount_ratio,
        poverty_gap, poverty_severity, mean, median, p20, p80, gini, s80_s20, rmpg. NaN where the
        measure is undefined (e.g. rmpg of a group without poor rows).

    Raises: ValueError for incomes of another length than the design.
    """
    x = np.asarray(x, dtype=float)
    if x.shape != (design.n,):
        raise ValueError(f"incomes have shape {x.shape}, the design has {design.n} rows")
    w = design.weights
    g = np.zeros(design.n, dtype=np.intp) if group is None else np.asarray(group, dtype=np.intp)
    s = _Groups(x, w, g, n_groups)
    everyone = _Groups(x, w, np.zeros(design.n, dtype=np.intp), 1) if not line_per_group else None
    out: dict[str, dict] = {}

    domains = DomainTotals(design, g, n_groups)

    def put(name, u_own, b=None, u_common=None):
        var = domains.variance(w * u_own, None if b is None else w * u_common, b)
        u_srs = u_own if b is None else u_own + b[g] * u_common
        with np.errstate(divide="ignore", invalid="ignore"):
            out[name] = {"se": np.sqrt(var), "deff": var / srs_variance_by(w, u_srs, g, n_groups)}

    subset_order = value_order(x)  # one sort of the incomes for every quantile below
    by_x = subset_order(np.ones(design.n, dtype=bool))
    quantiles = weighted_quantile_by(g, x, w, [0.2, 0.5, 0.8], n_groups=n_groups, by_x=by_x)
    median = quantiles[:, 1]
    # the line t, per row, and its influence function: own-group (per-group line) or common
    if line is not None:
        t = np.full(n_groups, float(line))
        t_if_own, t_if_common = np.zeros(design.n), None
    elif line_per_group:
        centre = median if of == "median" else s.mean
        t = relative_share * centre
        t_if_own = relative_share * (s.quantile_if(median, 0.5) if of == "median" else (x - s.mean[g]) / s.total[g])
        t_if_common = None
        put("line", t_if_own)
    else:
        centre = weighted_quantile_by(everyone.g, x, w, 0.5, n_groups=1, by_x=by_x) if of == "median" else everyone.mean
        t = np.full(n_groups, relative_share * float(centre[0]))
        t_if_common = relative_share * (
            everyone.quantile_if(centre, 0.5) if of == "median" else (x - everyone.mean[0]) / everyone.total[0]
        )
        t_if_own = np.zeros(design.n)
        var = total_variance_by(design, w * t_if_common, None, 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            deff = var / srs_variance_by(w, t_if_common, np.zeros(design.n, dtype=np.intp), 1)
        out["line"] = {"se": np.full(n_groups, np.sqrt(var[0])), "deff": np.full(n_groups, deff[0])}

    def with_line(name, u_own, slope):
        """A measure depending on the line: slope (G,) = d measure / dt."""
        if t_if_common is None:
            put(name, u_own + slope[g] * t_if_own)
        else:
            put(name, u_own, slope, t_if_common)

    tg = t[g]
    poor = x < tg
    gap = np.where(poor, (tg - np.maximum(x, 0)) / tg, 0.0)
    for alpha, name in ((0, "headcount_ratio"), (1, "poverty_gap"), (2, "poverty_severity")):
        phi = np.where(poor, gap**alpha, 0.0)
        value = s.sum(w * phi) / s.total
        u = (phi - value[g]) / s.total[g]
        if alpha == 0:
            slope = s.density(t)
        else:
            slope = s.sum(w * np.where(poor, alpha * gap ** (alpha - 1) * np.maximum(x, 0) / tg**2, 0.0)) / s.total
        if line is not None:
            put(name, u)
        else:
            with_line(name, u, slope)
    put("mean", (x - s.mean[g]) / s.total[g])
    for k, p, name in ((1, 0.5, "median"), (0, 0.2, "p20"), (2, 0.8, "p80")):  # in MEASURE_COLUMNS order
        put(name, s.quantile_if(quantiles[:, k], p))
    put("gini", _gini_if(s, by_x)[0])
    put("s80_s20", _qsr_if(s, quantiles[:, [0, 2]]))
    # relative median poverty gap (t - m) / t, m the median of the poor (convey svypoormed, svyrmpg)
    m = weighted_quantile_by(g[poor], x[poor], w[poor], 0.5, n_groups=n_groups, by_x=subset_order(poor))
    p0 = s.sum(w * poor) / s.total
    with np.errstate(divide="ignore", invalid="ignore"):
        arpr_own = ((x <= tg) - p0[g]) / s.total[g]
        m_cdf = ((x <= m[g]) - 0.5 * p0[g]) / s.total[g]
        density_m = s.density(m)
        own = -(0.5 * arpr_own - m_cdf) / (density_m * t)[g]
        slope = m / t**2 - 0.5 * s.density(t) / (density_m * t)
    if line is not None:
        put("rmpg", own)
    else:
        with_line("rmpg", own, slope)
    return out


# --- ratio means (headcount ratio, Alkire-Foster) ---------------------------------------------------


def ratio_mean_uncertainty(design: SurveyDesign, terms, group=None, n_groups: int = 1):
    """Estimate, SE and design effect of ratio means sum w phi / sum w per group.

    Args:
        design: the SurveyDesign (its weights are w).
        terms: (n,) or (n, m) weighted values w_i phi_i (one column per measure).
        group, n_groups: integer labels 0..G-1 (None: one group) and G.

    Returns: (estimate, se, deff), each (G,) or (G, m). Influence function (phi_i - theta) / N.
    """
    w = design.weights
    g = np.zeros(design.n, dtype=np.intp) if group is None else np.asarray(group, dtype=np.intp)
    z = np.asarray(terms, dtype=float)
    columns = z.reshape(design.n, -1)
    total = np.bincount(g, weights=w, minlength=n_groups)
    estimates, ses, deffs = [], [], []
    for column in columns.T:  # a loop over measures, never over rows
        theta = np.bincount(g, weights=column, minlength=n_groups) / total
        za = (column - theta[g] * w) / total[g]
        var = total_variance_by(design, za, g, n_groups)
        with np.errstate(divide="ignore", invalid="ignore"):
            deff = var / srs_variance_by(w, za / w, g, n_groups)
        estimates.append(theta)
        ses.append(np.sqrt(var))
        deffs.append(deff)
    shape = (n_groups,) if z.ndim == 1 else (n_groups, columns.shape[1])
    return tuple(np.stack(values, axis=-1).reshape(shape) for values in (estimates, ses, deffs))


def confidence_interval(estimate, se) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The normal 95 % interval estimate -/+ z_0.975 SE (R survey's ``confint`` for a svystat)."""
    estimate, se = np.asarray(estimate, dtype=float), np.asarray(se, dtype=float)
    return estimate - Z_975 * se, estimate + Z_975 * se


def alkire_foster_uncertainty(design: SurveyDesign, terms: dict, group=None, n_groups: int = 1) -> dict:
    """SE and design effect of the Alkire-Foster H, A, M0, M1 and M2 per group.

    Args:
        design: the SurveyDesign; its weights are the sample weights omega.
        terms: the weighted per-unit terms (n,) of ``alkire_foster._unit_terms``: "poor" (omega poor_i),
            "intensity" (omega c_i poor_i), and "gap1", "gap2" when some indicator is cardinal.
        group, n_groups: integer labels 0..G-1 (None: one group) and G.

    Returns:
        measure -> {"se": (G,), "deff": (G,)}. H, M0, M1 and M2 are ratio means (influence function
        (phi_i - theta) / N); A = M0 / H has (IF_M0 - A IF_H) / H (NaN where nobody is poor).

    Source: Alkire & Foster (2011); the ratio linearisation as in convey ``svyafc``.
    """
    w = design.weights
    g = np.zeros(design.n, dtype=np.intp) if group is None else np.asarray(group, dtype=np.intp)
    total = np.bincount(g, weights=w, minlength=n_groups)
    za, estimate = {}, {}
    for measure, name in (("H", "poor"), ("M0", "intensity"), ("M1", "gap1"), ("M2", "gap2")):
        if name in terms:
            column = np.asarray(terms[name], dtype=float)
            estimate[measure] = np.bincount(g, weights=column, minlength=n_groups) / total
            za[measure] = (column - estimate[measure][g] * w) / total[g]
    with np.errstate(divide="ignore", invalid="ignore"):
        a = estimate["M0"] / estimate["H"]
        za["A"] = (za["M0"] - a[g] * za["H"]) / estimate["H"][g]
    out = {}
    for measure in ("H", "A", "M0", "M1", "M2"):
        if measure in za:
            z = np.nan_to_num(za[measure])
            var = total_variance_by(design, z, g, n_groups)
            with np.errstate(divide="ignore", invalid="ignore"):
                deff = var / srs_variance_by(w, z / w, g, n_groups)
            nobody = ~np.isfinite(a) if measure == "A" else np.zeros(n_groups, dtype=bool)
            out[measure] = {"se": np.where(nobody, np.nan, np.sqrt(var)), "deff": np.where(nobody, np.nan, deff)}
    return out


def uncertainty_columns(table, parts: list[dict]) -> dict[str, NDArray[np.float64]]:
    """The columns ``<m>_se``, ``<m>_ci_low``, ``<m>_ci_high`` and ``<m>_deff`` for each measure m of the
    uncertainty dicts ``parts`` (of ``poverty_measures_uncertainty`` or ``alkire_foster_uncertainty``),
    whose groups, concatenated, are the rows of ``table`` (a mapping measure -> point estimates, e.g. a
    DataFrame), in order of ``poverty.UNCERTAINTY_MEASURES`` where it names them.

    The interval is not clipped (a share's may pass 0 or 1, as R's ``confint`` does).
    Raises: ValueError when the rows do not match.
    """
    out = {}
    for measure in parts[0]:
        se = np.concatenate([part[measure]["se"] for part in parts])
        estimate = np.asarray(table[measure], dtype=float)
        if se.size != estimate.size:
            raise ValueError(f"{se.size} standard errors for {estimate.size} rows")
        low, high = confidence_interval(estimate, se)
        out[f"{measure}_se"], out[f"{measure}_ci_low"], out[f"{measure}_ci_high"] = se, low, high
        out[f"{measure}_deff"] = np.concatenate([part[measure]["deff"] for part in parts])
    return out


def alkire_foster_design(
    achievements,
    cutoffs,
    *,
    k: float,
    indicator_weights=None,
    sample_weights=None,
    cardinal=None,
    groups=None,
    n_groups: int = 1,
    strata=None,
    clusters=None,
    fpc=None,
) -> tuple[dict, dict | None]:
    """SE, 95 % interval and design effect of H, A, M0, M1, M2 of the whole sample and of each group.

    Args:
        achievements, cutoffs, k, indicator_weights, sample_weights, cardinal: as
            ``alkire_foster.alkire_foster`` (the sample weights, > 0, are the design's weights).
        groups, n_groups: (n,) integer codes 0..G-1 and G, or None.
        strata, clusters, fpc: the design (``survey_design``).

    Returns:
        (whole, by_group): measure -> {"se", "ci_low", "ci_high", "deff"} with floats for the whole
        sample, and with (G,) arrays per group (None without groups).

    Raises: ValueError as ``alkire_foster.alkire_foster`` and ``survey_design``.
    """
    from indicators.methods.alkire_foster import _unit_terms

    terms, _ = _unit_terms(achievements, cutoffs, k, indicator_weights, sample_weights, cardinal)
    design = survey_design(sample_weights, n=len(terms["omega"]), strata=strata, clusters=clusters, fpc=fpc)
    estimates = {"H": terms["poor"], "M0": terms["intensity"], "M1": terms.get("gap1"), "M2": terms.get("gap2")}

    def summarise(code, size):
        out = alkire_foster_uncertainty(design, terms, code, size)
        g = np.zeros(design.n, dtype=np.intp) if code is None else code
        total = np.bincount(g, weights=design.weights, minlength=size)
        value = {m: np.bincount(g, weights=t, minlength=size) / total for m, t in estimates.items() if t is not None}
        with np.errstate(divide="ignore", invalid="ignore"):
            value["A"] = value["M0"] / value["H"]
        for measure, parts in out.items():
            low, high = confidence_interval(value[measure], parts["se"])
            out[measure] = {"se": parts["se"], "ci_low": low, "ci_high": high, "deff": parts["deff"]}
        return out

    whole = {m: {key: float(v[0]) for key, v in parts.items()} for m, parts in summarise(None, 1).items()}
    by_group = None if groups is None else summarise(np.asarray(groups, dtype=np.intp), n_groups)
    return whole, by_group
