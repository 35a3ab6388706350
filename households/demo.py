"""Synthetic households over real regions: the pure generator behind ``manage.py generate_demo``.

Nothing here describes a real person or household. The villages are real (NBS 2023 codes); the
households, members, incomes and village facilities are drawn from a seeded random model calibrated
to published aggregates, so that the demo and the tests see figures of the right size:

- the mean per-capita disposable income of rural residents in poor areas (NBS, ``POOR_AREA_INCOME``);
- the national rural poverty line of each year (``POVERTY_LINE``), against which the county poverty
  incidence falls from 8-30 % in 2016 to below 3 % in 2020 (as in counties that exited in 2020);
- shocks (members seriously ill or disabled, disaster losses, job losses, catastrophic medical
  spending), relief-dependent households and near-poor households occur in every county and year.

Model, per county (its own random stream, so a county's rows do not depend on the other counties
asked for) and year t:

    ln y*_ht = ln(target_t · INCOME_SCALE) + county effect + x_ht·β + a_h·(1 − CONVERGENCE·(t − 2016)) + e_ht

y* is the household's per-capita income before relief; x_ht its composition that period (log size,
dependency ratio, share of members ill or disabled, labour-capable members, head's schooling,
employed members, industry support), centred per county and year; a_h a persistent household
effect; e_ht an AR(1) shock whose spread is larger for households without wage earners or with sick
members. The scale is set so that before the county effect, shocks and relief the person-weighted
mean of y* is ``INCOME_SCALE`` times the NBS figure. Income is then split into sources (pensions and
subsidies as other transfers; wages the largest source of most households with a wage earner;
operating income, negative for a few; small property income; deductions), hit by shocks (job loss,
disaster loss) and topped up by relief (subsistence allowance towards ``GUARANTEE_FACTOR`` times the
line, with coverage and generosity rising to full in 2020; hardship, medical and temporary assistance).

Units: money in whole yuan per household per year (signed where the world allows: net operating
income); shares 0-1; ages in completed years on 31 December of the period (period year − birth
year). Every year from 2016 to 2020 is simulated and the requested periods are kept, so a run for
2016-2017 has the same 2016-2017 rows as a run for 2016-2020 (household attributes that summarise the
periods, such as the exit year, follow the requested periods).
"""

import numpy as np
import pandas as pd

#: Years the calibration covers (both series below are known for them).
YEARS = (2016, 2017, 2018, 2019, 2020)

#: Per-capita disposable income of rural residents in poor areas (贫困地区农村居民人均可支配收入),
#: yuan per person per year, nominal. NBS releases: 2016 8,452 (2017-07), 2017 9,377 (2018-02-01),
#: 2018 10,371 (2019-02-15), 2019 11,567 (2020-01-23). 2020 12,588 is the commonly quoted figure but
#: was not confirmed from a stored NBS source (NBS's 2022 report gives only the 2013-2020 average
#: growth, 11.6 % a year).
POOR_AREA_INCOME = {2016: 8452, 2017: 9377, 2018: 10371, 2019: 11567, 2020: 12588}

#: National rural poverty line at current prices, yuan per person per year: the 2010 standard of
#: 2,300 yuan revalued with prices. 2014 (2,800) and 2019 (3,218) are the commonly cited values;
#: 2016-2018 are log-linear interpolations between them and 2020 extends the 2014-2019 yearly rate
#: (indicators read the lines from the database; here they are calibration targets only).
POVERTY_LINE = {2016: 2960, 2017: 3044, 2018: 3130, 2019: 3218, 2020: 3309}

#: Income between the line and this multiple of it is "near-poor" (the 2021 monitoring line is 1.5×).
NEAR_POOR_FACTOR = 1.5
#: A household is relief-dependent when relief transfers are at least this share of its net income.
RELIEF_DEPENDENT_SHARE = 0.3
#: A shock: out-of-pocket medical spending (catastrophic, as in SDG 3.8.2) or a disaster loss above
#: this share of the household's net income.
SHOCK_SHARE = 0.1

#: County effects on log income (synthetic: Zhaojue, in the deep-poverty Liangshan prefecture, set
#: lowest). Other counties draw one from N(0, 0.08²) on their own random stream.
COUNTY_EFFECT = {"621126": 0.0, "513431": -0.1, "622921": 0.02}
#: Households sampled per village, inclusive range.
HOUSEHOLDS_PER_VILLAGE = (12, 20)
#: Mean of y* as a multiple of the NBS figure. Slightly above 1: job and disaster losses take away a
#: little more than relief adds, so the stored mean lands near the NBS figure.
INCOME_SCALE = 1.02
#: Yearly narrowing of the persistent household effect (targeted support lifted the poorest faster).
CONVERGENCE = 0.06
#: Subsistence allowances top per-capita income up towards this multiple of the line.
GUARANTEE_FACTOR = 1.1
#: Share of eligible households covered, and share of their gap filled, by year.
RELIEF_COVERAGE = {2016: 0.35, 2017: 0.55, 2018: 0.8, 2019: 0.92, 2020: 0.995}
RELIEF_FILL = {2016: 0.4, 2017: 0.6, 2018: 0.85, 2019: 0.95, 2020: 1.0}
#: Rural basic pension and its local top-ups, yuan per person aged 60 or more per year (approximate).
PENSION = {2016: 1020, 2017: 1080, 2018: 1260, 2019: 1320, 2020: 1400}
#: Coefficients of the household composition on log per-capita income.
BETA = {
    "log_size": -0.25,
    "dependency": -0.35,
    "ill_share": -0.5,
    "labour": 0.08,
    "schooling": 0.03,
    "employed": 0.25,
    "wage_earners": 0.12,
    "industry": 0.06,
}

_SIZE_P = np.array([0.06, 0.14, 0.18, 0.24, 0.19, 0.11, 0.05, 0.03])  # sizes 1-8 in 2016, mean 4.1
_EDUCATION = np.array(["none", "primary", "junior", "senior", "vocational", "tertiary"])
_SCHOOLING_YEARS = np.array([0, 6, 9, 12, 12, 15])
#: Education of adults by birth cohort (before 1960, 1960-79, 1980-99, 2000 on).
_EDUCATION_P = np.array(
    [
        [0.45, 0.45, 0.10, 0.00, 0.00, 0.00],
        [0.20, 0.45, 0.30, 0.04, 0.01, 0.00],
        [0.05, 0.25, 0.50, 0.10, 0.07, 0.03],
        [0.00, 0.10, 0.45, 0.20, 0.15, 0.10],
    ]
)
_CAUSES_OTHER = np.array(["lack_skills", "lack_capital", "lack_land", "lack_water", "transport", "motivation", "other"])
_CAUSES_OTHER_P = np.array([0.3, 0.25, 0.1, 0.1, 0.1, 0.05, 0.1])
_ID_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)])
_ID_CHECK = np.array(list("10X98765432"))


def demo_frames(*, villages: pd.DataFrame, periods: list[int], seed: int) -> dict[str, pd.DataFrame]:
    """Synthetic households, members, statuses and surveys for the given villages and periods.

    Args:
        villages: one row per village, text columns ``code`` (12 digits), ``county_code``,
            ``province_code``.
        periods: years, each in ``YEARS``.
        seed: the random seed; the same villages, periods and seed give identical frames.

    Returns:
        Frames keyed by the household's ``registry_number`` (village code + 4-digit serial):

        - ``households``: region_code, county_code, province_code, registration_year (2014 or
          2015), exit_year (nullable), monitoring_status, poverty_causes (list of codes);
        - ``members``: member_no, resident_id (plain 18-character synthetic ID whose area code is
          the county code: encrypt before storing), sex, birth_date, relation, education,
          labour_capacity;
        - ``member_statuses``: member_no, period, present, age (null before birth), in_school,
          health, employment, months_away, medical_insurance;
        - ``household_surveys``: period, wage_income, net_operating_income, property_income,
          relief_transfers, other_transfers, deductions (whole yuan per household per year; net
          income = the five incomes − deductions), medical_spending, education_spending and
          disaster_loss (yuan), the six guarantees, job_loss and the six assistance flags;
        - ``village_surveys``: region_code, period, service flags, tap_water_coverage (share 0-1),
          collective_income (yuan per year), cooperatives and leading_enterprises (counts),
          industry flags.

        A household is relief-dependent when relief is at least ``RELIEF_DEPENDENT_SHARE`` of its
        net income, near-poor when its per-capita net income lies in [line, ``NEAR_POOR_FACTOR`` ×
        line).

    Raises:
        ValueError: no villages, no periods, or a period outside ``YEARS``.
    """
    if villages.empty:
        raise ValueError("no villages to fill")
    periods = sorted(set(periods))
    if not periods or not set(periods) <= set(YEARS):
        raise ValueError(f"periods must be years in {YEARS[0]}-{YEARS[-1]}, got {periods}")
    villages = villages.sort_values("code", ignore_index=True)
    parts = [
        _county_frames(group.reset_index(drop=True), str(county), periods, seed)
        for county, group in villages.groupby("county_code", sort=True)
    ]
    names = ("households", "members", "member_statuses", "household_surveys", "village_surveys")
    return {name: pd.concat([part[name] for part in parts], ignore_index=True) for name in names}


def _county_frames(villages: pd.DataFrame, county: str, periods: list[int], seed: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng([seed, int(county)])
    county_effect = COUNTY_EFFECT.get(county, float(rng.normal(0, 0.08)))
    hh = _households(rng, villages)
    members = _members(rng, hh)
    status = _statuses(rng, hh, members)
    village = _village_surveys(rng, villages)
    ledger = _ledger(rng, hh, members, status, village, county_effect)
    keep = np.isin(YEARS, periods)
    _household_attributes(rng, hh, members, status, ledger, keep)
    return {
        "households": hh["frame"],
        "members": _members_frame(members, hh, status, county),
        "member_statuses": _statuses_frame(members, hh, status, keep),
        "household_surveys": _surveys_frame(hh, ledger, keep),
        "village_surveys": _village_frame(villages, village, keep),
    }


def _latent_met(u: np.ndarray, shares: list[float]) -> np.ndarray:
    """(n, years) flags from one latent uniform per row: met while u < share, so coverage only grows."""
    return u[:, None] < np.asarray(shares)[None, :]


def _households(rng: np.random.Generator, villages: pd.DataFrame) -> dict:
    low, high = HOUSEHOLDS_PER_VILLAGE
    per_village = rng.integers(low, high + 1, size=len(villages))
    village_idx = np.repeat(np.arange(len(villages)), per_village)
    serial = np.arange(len(village_idx)) - np.repeat(np.cumsum(per_village) - per_village, per_village) + 1
    codes = villages["code"].to_numpy()[village_idx]
    n = len(village_idx)
    return {
        "n": n,
        "village_idx": village_idx,
        "registry_number": pd.Series(codes, dtype=object) + pd.Series(serial).map("{:04d}".format),
        "region_code": codes,
        "county_code": villages["county_code"].to_numpy()[village_idx],
        "province_code": villages["province_code"].to_numpy()[village_idx],
        "size": rng.choice(np.arange(1, 9), size=n, p=_SIZE_P),
        "head_age": np.clip(np.round(rng.normal(50, 12, size=n)), 24, 82).astype(int),
        "effect": rng.normal(0, 0.6, size=n),
        "latent": rng.random((n, 12)),
    }


def _members(rng: np.random.Generator, hh: dict) -> dict:
    """Members by slot (head, spouse, children, parents, in-laws, grandchildren), births and departures."""
    size, head_age = hh["size"], hh["head_age"]
    n_h = hh["n"]
    spouse = (size >= 2) & (rng.random(n_h) < np.where(size >= 3, 0.92, 0.8))
    young, old = head_age < 45, head_age >= 55
    parents = np.minimum(rng.choice([0, 1, 2], size=n_h, p=[0.6, 0.25, 0.15]), size - 1 - spouse) * young
    idx = np.repeat(np.arange(n_h), size)
    slot = np.arange(len(idx)) - np.repeat(np.cumsum(size) - size, size)
    other = slot - 1 - spouse[idx]  # position among the members who are neither head nor spouse
    k = (size - 1 - spouse)[idx]
    relation = np.select(
        [
            slot == 0,
            (slot == 1) & spouse[idx],
            young[idx] & (other >= k - parents[idx]),
            young[idx] | (other == 0),
            (other == 1) & (k >= 3 - old[idx]),
        ],
        ["head", "spouse", "parent", "child", "child_in_law"],
        default=np.where(old[idx] | (other >= 2), "grandchild", "child"),
    )
    a = head_age[idx]
    u = rng.random(len(idx))
    child_low = np.where(young[idx], 0, np.maximum(0, a - 40))
    child_high = np.maximum(child_low, a - 19)
    age = np.select(
        [relation == "head", relation == "spouse", relation == "parent", relation == "child_in_law"],
        [
            a,
            np.clip(a + np.round(rng.normal(-2, 3, len(idx))), 18, 90),
            np.minimum(a + 20 + np.floor(u * 13), 95),
            np.clip(a - 19 - np.floor(u * 20), 18, 60),
        ],
        default=np.where(
            relation == "grandchild",
            np.floor(u * (np.clip(a - 41, 0, 17) + 1)),
            child_low + np.floor(u * (child_high - child_low + 1)),
        ),
    ).astype(int)
    head_male = rng.random(n_h) < 0.88
    male = np.select(
        [relation == "head", relation == "spouse", relation == "parent", relation == "child_in_law"],
        [head_male[idx], ~head_male[idx], rng.random(len(idx)) < 0.4, rng.random(len(idx)) < 0.1],
        default=rng.random(len(idx)) < 0.52,
    )
    # A birth in 2017-2020 for some households with a woman aged 20-38: a child or a grandchild.
    mother = ~male & (age >= 20) & (age <= 38) & np.isin(relation, ["head", "spouse", "child_in_law"])
    has_mother = np.bincount(idx, weights=mother, minlength=n_h) > 0
    births = np.flatnonzero(has_mother & (rng.random(n_h) < 0.15))
    birth_year = rng.integers(2017, 2021, size=len(births))
    baby_relation = np.where(old[births] | (~young[births] & (size[births] >= 4)), "grandchild", "child")
    n_old = len(idx)
    idx = np.concatenate([idx, births])
    slot = np.concatenate([slot, size[births]])
    relation = np.concatenate([relation, baby_relation])
    age = np.concatenate([age, 2016 - birth_year])
    male = np.concatenate([male, rng.random(len(births)) < 0.52])
    order = np.lexsort((slot, idx))
    idx, slot, relation, age, male = idx[order], slot[order], relation[order], age[order], male[order]
    newborn = order >= n_old
    # Departures (marriage out, death, moving away): never the head, never a newborn.
    years = np.array(YEARS)
    age_t = age[:, None] + (years - 2016)[None, :]
    hazard = np.where(age_t >= 80, 0.08, np.where((age_t >= 18) & (age_t <= 30), 0.04, 0.015))
    leaves = (rng.random(age_t.shape) < hazard) & (years > 2016)[None, :] & (relation != "head")[:, None]
    leaves &= ~newborn[:, None]
    left = np.cumsum(leaves, axis=1) > 0
    present = (age_t >= 0) & ~left
    return {
        "n": len(idx),
        "hh": idx,
        "member_no": slot + 1,
        "relation": relation,
        "age": age,
        "age_t": age_t,
        "male": male,
        "present": present,
        "u": rng.random((len(idx), 12)),  # one uniform per member trait, so traits do not correlate
    }


def _statuses(rng: np.random.Generator, hh: dict, m: dict) -> dict:
    """Health, schooling, employment, months away and insurance per member and year."""
    n, age_t, present, u = m["n"], m["age_t"], m["present"], m["u"]
    n_years = len(YEARS)
    birth_cohort = 2016 - m["age"]
    cohort = np.digitize(birth_cohort, [1960, 1980, 2000])
    education_idx = (rng.random(n)[:, None] > np.cumsum(_EDUCATION_P[cohort], axis=1)).sum(axis=1)
    age_2020 = age_t[:, -1]
    school_idx = np.select(
        [age_2020 < 7, age_2020 < 13, age_2020 < 16, age_2020 < 19],
        [0, 1, 2, np.where(u[:, 0] < 0.6, 3 + (u[:, 1] < 0.4), 2)],
        default=education_idx,
    )
    education_idx = np.where(age_2020 <= 22, np.minimum(school_idx, 5), education_idx)
    disabled = u[:, 2] < np.where(m["age"] >= 60, 0.08, 0.035)
    chronic = u[:, 3][:, None] < np.clip((age_t - 25) / 120, 0.02, 0.35)
    # Serious illness starts in a year (2014 on) and lasts one to three years.
    onset = rng.random((n, n_years + 2)) < np.where(np.hstack([age_t[:, :2], age_t]) >= 50, 0.025, 0.012)
    duration = rng.integers(1, 4, size=n)
    serious = np.zeros((n, n_years), dtype=bool)
    for t in range(n_years):
        window = onset[:, t : t + 3] & (np.arange(t - 2, t + 1)[None, :] > t - duration[:, None])
        serious[:, t] = window.any(axis=1)
    health = np.select(
        [age_t < 0, disabled[:, None], serious, chronic], ["healthy", "disabled", "serious", "chronic"], "healthy"
    )
    age_2016 = m["age"]
    labour = np.select(
        [(age_2016 < 16) | (age_2016 > 70), disabled & (u[:, 4] < 0.6), disabled | (age_2016 > 60)],
        ["none", "none", "partial"],
        default="full",
    )
    in_school = (
        ((age_t >= 6) & (age_t <= 15))
        | ((age_t >= 16) & (age_t <= 18) & (u[:, 0] < 0.6)[:, None])
        | ((age_t >= 19) & (age_t <= 22) & (education_idx == 5)[:, None])
    )
    # Compulsory education (ages 6-15) is not yet secured in a few households, fewer each year.
    secured = _latent_met(hh["latent"][:, 3], [0.96, 0.97, 0.985, 0.995, 1.0])[m["hh"]]
    in_school &= present & (secured | (age_t < 6) | (age_t > 15))
    able = present & ~in_school & (labour != "none")[:, None] & (age_t >= 16) & (age_t <= 69) & ~serious
    # Employment persists: each year a member keeps last year's kind with probability 0.85.
    kinds = np.array(["wage", "self", "none"])
    draw = rng.choice(3, size=(n, n_years), p=[0.47, 0.3, 0.23])
    keep = rng.random((n, n_years)) < 0.85
    kind = draw.copy()
    for t in range(1, n_years):
        kind[:, t] = np.where(keep[:, t], kind[:, t - 1], draw[:, t])
    employment = np.where(able, kinds[kind], "none")
    employment = np.where(able & (age_t >= 60) & (employment == "wage"), "self", employment)
    # Public-welfare posts go to members of poorer households, more of them each year.
    poorer = (hh["effect"] < -0.3)[m["hh"]]
    post = (u[:, 5][:, None] < np.array([0.04, 0.08, 0.12, 0.16, 0.2])[None, :]) & poorer[:, None]
    employment = np.where(able & post & (employment != "wage"), "public_welfare", employment)
    migrant = u[:, 6] < 0.6
    months_away = np.where((employment == "wage") & migrant[:, None], rng.integers(6, 12, size=(n, n_years)), 0).astype(
        int
    )
    insured = _latent_met(u[:, 7], [0.93, 0.95, 0.97, 0.99, 0.999]) | ~present
    return {
        "education": _EDUCATION[education_idx],
        "schooling": _SCHOOLING_YEARS[education_idx],
        "labour": labour,
        "health": health,
        "in_school": in_school,
        "employment": employment,
        "months_away": months_away,
        "insured": insured,
    }


def _village_surveys(rng: np.random.Generator, villages: pd.DataFrame) -> dict:
    """Village services and industry per year; a facility once there stays."""
    n = len(villages)
    u = rng.random((n, 12))
    shares = {
        "hardened_road": [0.75, 0.84, 0.92, 0.98, 1.0],
        "bus_service": [0.4, 0.5, 0.62, 0.72, 0.8],
        "electricity": [0.98, 0.99, 1.0, 1.0, 1.0],
        "broadband": [0.5, 0.65, 0.8, 0.92, 0.98],
        "mobile_coverage": [0.85, 0.9, 0.95, 0.99, 1.0],
        "school_within_reach": [0.7, 0.74, 0.78, 0.82, 0.85],
        "standard_clinic": [0.6, 0.72, 0.85, 0.95, 1.0],
        "characteristic_industry": [0.4, 0.52, 0.65, 0.76, 0.85],
        "processing_facility": [0.1, 0.15, 0.2, 0.25, 0.3],
        "ecommerce_point": [0.2, 0.35, 0.5, 0.68, 0.8],
    }
    frame = {name: _latent_met(u[:, i], p) for i, (name, p) in enumerate(shares.items())}
    years = np.arange(len(YEARS))
    tap_base = rng.beta(6, 2, size=n)
    frame["tap_water_coverage"] = np.round(1 - (1 - tap_base[:, None]) * (0.75**years)[None, :] * 0.9, 4)
    has_income = _latent_met(u[:, 10], [0.35, 0.5, 0.7, 0.85, 0.95])
    income_scale = rng.lognormal(np.log(30000), 0.8, size=n)
    frame["collective_income"] = np.where(has_income, np.round(income_scale[:, None] * (1.2**years)[None, :]), 0)
    frame["cooperatives"] = rng.poisson(np.array([1.0, 1.5, 2.0, 2.5, 3.0])[None, :], size=(n, len(YEARS)))
    frame["leading_enterprises"] = rng.poisson(np.array([0.2, 0.3, 0.4, 0.5, 0.6])[None, :], size=(n, len(YEARS)))
    frame["disaster"] = rng.random((n, len(YEARS))) < 0.07
    return frame


def _by_household(hh: dict, m: dict, values: np.ndarray) -> np.ndarray:
    """Sum of a (members, years) array per household: (households, years)."""
    out = np.zeros((hh["n"], values.shape[1]))
    np.add.at(out, m["hh"], values)
    return out


def _composition(hh: dict, m: dict, s: dict) -> dict:
    """Counts of members present per household and year (size, dependents, sick, labour, earners…)."""
    present, age_t, employment = m["present"], m["age_t"], s["employment"]
    schooling = np.zeros(hh["n"])
    heads = m["member_no"] == 1
    schooling[m["hh"][heads]] = s["schooling"][heads]
    school_age = present & (age_t >= 6) & (age_t <= 15)
    return {
        "size": _by_household(hh, m, present),
        "dependents": _by_household(hh, m, present & ((age_t < 16) | (age_t >= 65))),
        "ill": _by_household(hh, m, present & np.isin(s["health"], ["serious", "disabled"])),
        "serious": _by_household(hh, m, present & (s["health"] == "serious")),
        "labour": _by_household(hh, m, present & (s["labour"] != "none")[:, None] & (age_t >= 16) & (age_t <= 64)),
        "wage_earners": _by_household(hh, m, employment == "wage"),
        "posts": _by_household(hh, m, employment == "public_welfare"),
        "employed": _by_household(hh, m, employment != "none"),
        "elderly": _by_household(hh, m, present & (age_t >= 60)),
        "out_of_school": _by_household(hh, m, school_age & ~s["in_school"]),
        "uninsured": _by_household(hh, m, present & ~s["insured"]),
        "head_schooling": schooling,
    }


def _assistance(hh: dict, c: dict) -> dict:
    """Who was registered poor (建档立卡, 2014-2015) and the support they and others received."""
    expected = hh["effect"] + BETA["employed"] * (c["employed"][:, 0] > 0) + BETA["log_size"] * np.log(c["size"][:, 0])
    registered = expected < np.quantile(expected, 0.3)  # the households with the lowest expected income
    reg, latent = registered[:, None], hh["latent"]
    step = np.arange(len(YEARS))[None, :]
    return {
        "registered_poor": registered,
        "industry_project": latent[:, 0][:, None] < np.where(reg, 0.35 + 0.09 * step, 0.08 + 0.02 * step),
        "cooperative": latent[:, 1][:, None] < np.where(reg, 0.2 + 0.09 * step, 0.05 + 0.02 * step),
        "employment_post": (c["posts"] > 0) | (reg & (latent[:, 8][:, None] < 0.1 + 0.05 * step)),
        "micro_credit": latent[:, 9][:, None] < np.where(reg, 0.12 + 0.03 * step, 0.02),
        "relocation": reg & (latent[:, 10][:, None] < 0.015 * (step + 1)),
        "enterprise_link": latent[:, 11][:, None] < np.where(reg, 0.1 + 0.075 * step, 0.03 + 0.0125 * step),
    }


def _pre_relief_income(rng, hh: dict, c: dict, supported: np.ndarray, county_effect: float) -> np.ndarray:
    """Household income before relief and shocks, yuan per year: the log-normal model of the module."""
    n, n_years = hh["n"], len(YEARS)
    size = c["size"]
    x = (
        BETA["log_size"] * np.log(size)
        + BETA["dependency"] * c["dependents"] / size
        + BETA["ill_share"] * c["ill"] / size
        + BETA["labour"] * c["labour"]
        + BETA["schooling"] * c["head_schooling"][:, None]
        + BETA["employed"] * (c["employed"] > 0)
        + BETA["wage_earners"] * np.minimum(c["wage_earners"], 3)
        + BETA["industry"] * supported
    )
    # Heteroskedastic AR(1) shock: larger for households without a wage earner or with sick members.
    spread = 0.3 + 0.12 * (c["wage_earners"] == 0) + 0.2 * c["ill"] / size
    innovation = rng.normal(size=(n, n_years))
    e = np.zeros((n, n_years))
    e[:, 0] = innovation[:, 0] * spread[:, 0]
    for t in range(1, n_years):
        e[:, t] = 0.4 * e[:, t - 1] + np.sqrt(1 - 0.4**2) * innovation[:, t] * spread[:, t]
    index = x + hh["effect"][:, None] * (1 - CONVERGENCE * np.arange(n_years))[None, :] + e
    # Scale: the person-weighted mean of exp(index) is 1 in each year, before the county effect.
    index -= np.log((size * np.exp(index)).sum(axis=0) / size.sum(axis=0))[None, :]
    target = np.array([POOR_AREA_INCOME[y] for y in YEARS], dtype=float)
    return np.exp(np.log(target * INCOME_SCALE)[None, :] + county_effect + index) * size


def _sources(rng, hh: dict, c: dict, pre: np.ndarray, supported: np.ndarray, disaster: np.ndarray) -> dict:
    """Split income into sources, then apply shocks (job loss, disaster): whole yuan per year."""
    n, n_years = pre.shape
    step = np.arange(n_years)[None, :]
    u = rng.random((n, n_years, 8))
    subsidy = (200 + 1000 * u[..., 0]) * (1 + 0.05 * step)
    pension = c["elderly"] * np.array([PENSION[y] for y in YEARS])[None, :]
    other = np.round(np.minimum(pension + subsidy, 0.7 * pre))
    earned = pre - other
    prop = earned * 0.05 * u[..., 1] * np.where(supported, 1.5, 0.5)
    wage_share = np.where(
        c["wage_earners"] > 0,
        rng.beta(6, 3, size=(n, n_years)),
        np.where(c["posts"] > 0, rng.beta(3, 5, size=(n, n_years)), 0.0),
    )
    wage = (earned - prop) * wage_share
    operating = earned - prop - wage
    # A few households with wages lose money on their farm or business that year.
    loss = (u[..., 2] < 0.03) & (wage > 0) & (operating > 0)
    wage = np.where(loss, wage + operating + (0.05 + 0.2 * u[..., 3]) * pre, wage)
    operating = np.where(loss, -(0.05 + 0.2 * u[..., 3]) * pre, operating)
    deductions = np.round((0.005 + 0.02 * u[..., 4]) * pre)
    wage += deductions * wage_share
    operating += deductions * (1 - wage_share)
    job_loss = (c["wage_earners"] > 0) & (u[..., 5] < np.where(np.array(YEARS) == 2020, 0.09, 0.04)[None, :])
    wage = np.where(job_loss, wage * (0.4 + 0.35 * rng.random((n, n_years))), wage)
    hit = (disaster[hh["village_idx"]] & (u[..., 6] < 0.5)) | (u[..., 6] > 0.985)
    disaster_loss = np.where(hit, np.round((0.08 + 0.37 * rng.random((n, n_years))) * np.maximum(pre, 3000)), 0)
    operating -= 0.5 * disaster_loss  # crops and livestock lost
    return {
        "wage_income": np.round(wage),
        "net_operating_income": np.round(operating),
        "property_income": np.round(prop),
        "other_transfers": other,
        "deductions": deductions,
        "job_loss": job_loss,
        "disaster_loss": disaster_loss,
        "unlucky": u[..., 7],
    }


def _relief(rng, hh: dict, c: dict, src: dict) -> np.ndarray:
    """Relief transfers, yuan per year: subsistence allowance, hardship, medical, temporary assistance."""
    n, n_years = c["size"].shape
    step = np.arange(n_years)[None, :]
    line = np.array([POVERTY_LINE[y] for y in YEARS], dtype=float)[None, :]
    market = sum(src[k] for k in ("wage_income", "net_operating_income", "property_income", "other_transfers"))
    per_capita = (market - src["deductions"]) / c["size"]
    guarantee = GUARANTEE_FACTOR * line
    covered = _latent_met(hh["latent"][:, 2], [RELIEF_COVERAGE[y] for y in YEARS])
    fill = np.array([RELIEF_FILL[y] for y in YEARS])[None, :]
    allowance = np.where(
        covered & (per_capita < guarantee),
        fill * (guarantee - per_capita) * c["size"] * (1 + 0.25 * rng.random((n, n_years))),
        0,
    )
    hardship = np.where(
        (c["labour"] == 0) & (per_capita < 1.6 * line) & (src["unlucky"] < 0.7),
        c["size"] * (500 + 1000 * rng.random((n, n_years))) * (1 + 0.05 * step),
        0,
    )
    medical = np.where(
        (c["ill"] > 0) & (rng.random((n, n_years)) < 0.5 + 0.08 * step), 300 + 2200 * rng.random((n, n_years)), 0
    )
    hit = src["disaster_loss"] > 0
    temporary = np.where(hit & (rng.random((n, n_years)) < 0.3), 300 + 1700 * rng.random((n, n_years)), 0)
    return np.round(allowance + hardship + medical + temporary)


def _ledger(rng, hh: dict, m: dict, s: dict, village: dict, county_effect: float) -> dict:
    """Income sources, relief, spending, guarantees, shocks and assistance per household and year."""
    n, n_years = hh["n"], len(YEARS)
    c = _composition(hh, m, s)
    help_ = _assistance(hh, c)
    supported = help_["industry_project"] | help_["cooperative"]
    pre = _pre_relief_income(rng, hh, c, supported, county_effect)
    src = _sources(rng, hh, c, pre, supported, village["disaster"])
    relief = _relief(rng, hh, c, src)
    total = (
        src["wage_income"]
        + src["net_operating_income"]
        + src["property_income"]
        + relief
        + src["other_transfers"]
        - src["deductions"]
    )
    # Out-of-pocket medical spending: catastrophic for many with a seriously ill member.
    base = np.maximum(total, 3000)
    medical = base * (0.01 + 0.04 * rng.random((n, n_years)))
    medical += np.where(c["serious"] > 0, base * (0.08 + 0.4 * rng.random((n, n_years))), 0)
    medical += np.where(c["ill"] > c["serious"], base * 0.05 * rng.random((n, n_years)), 0)
    stage_cost = np.select(
        [m["age_t"] <= 15, m["age_t"] <= 18],
        [300 + 900 * m["u"][:, 10:11], 2000 + 4000 * m["u"][:, 10:11]],
        default=6000 + 9000 * m["u"][:, 11:12],
    )
    latent = hh["latent"]
    return {
        **{k: v for k, v in src.items() if k != "unlucky"},
        **help_,
        "size": c["size"],
        "labour": c["labour"],
        "relief_transfers": relief,
        "total": total,
        "medical_spending": np.round(medical),
        "education_spending": np.round(_by_household(hh, m, np.where(s["in_school"], stage_cost, 0))),
        # The guarantees (两不愁三保障): met from latent draws, universal by 2020.
        "food_secure": _latent_met(latent[:, 4], [0.97, 0.98, 0.99, 0.995, 1.0]),
        "clothing_secure": _latent_met(latent[:, 5], [0.97, 0.98, 0.99, 0.995, 1.0]),
        "compulsory_education": c["out_of_school"] == 0,
        "basic_medical_insurance": c["uninsured"] == 0,
        "safe_housing": _latent_met(latent[:, 6], [0.8, 0.86, 0.92, 0.97, 1.0]),
        "safe_drinking_water": _latent_met(latent[:, 7], [0.82, 0.88, 0.93, 0.98, 1.0]),
    }


def _household_attributes(rng, hh: dict, m: dict, s: dict, ledger: dict, keep: np.ndarray) -> None:
    """Registration and exit years, monitoring status and causes of poverty, from the kept periods."""
    n = hh["n"]
    years = np.array(YEARS)[keep]
    line = np.array([POVERTY_LINE[y] for y in YEARS], dtype=float)[keep]
    y = (ledger["total"] / ledger["size"])[:, keep]
    poor = y < line[None, :]
    last = len(years) - 1
    last_poor = np.where(poor.any(axis=1), last - np.argmax(poor[:, ::-1], axis=1), -1)
    exited = poor.any(axis=1) & (last_poor < last)
    registered = ledger["registered_poor"] | poor.any(axis=1)
    exit_year = np.where(exited, years[np.clip(last_poor + 1, 0, last)], 0)
    # Registered poor above the line throughout: they exited before the first period.
    exit_year = np.where(registered & ~poor.any(axis=1), years[0] - 1, exit_year)
    registration_year = np.where(rng.random(n) < 0.7, 2014, 2015)
    near = y[:, last] < NEAR_POOR_FACTOR * line[last]
    total = ledger["total"][:, keep][:, last]
    shocked = (
        ledger["job_loss"][:, keep][:, last]
        | (ledger["disaster_loss"][:, keep][:, last] > SHOCK_SHARE * total)
        | (ledger["medical_spending"][:, keep][:, last] > SHOCK_SHARE * total)
    )
    recovered = (len(years) > 1) & ~near & (y[:, max(last - 1, 0)] < NEAR_POOR_FACTOR * line[max(last - 1, 0)])
    status = np.select(
        [near & (exit_year > 0), near & shocked, near, recovered & (ledger["labour"][:, keep][:, last] > 0)],
        ["ex_poor_unstable", "sudden_hardship", "near_poor_at_risk", "risk_eliminated"],
        default="none",
    )
    # Causes of poverty, for registered households: what their members show, and one structural cause.
    first = np.flatnonzero(keep)[0]
    ill = _by_household(hh, m, np.isin(s["health"][:, [first]], ["serious", "chronic"]))[:, 0] > 0
    disabled = _by_household(hh, m, (s["health"][:, [first]] == "disabled"))[:, 0] > 0
    schooling = _by_household(hh, m, s["in_school"][:, [first]] & (m["age_t"][:, [first]] >= 16))[:, 0] > 0
    disaster = (ledger["disaster_loss"][:, keep] > 0).any(axis=1)
    no_labour = ledger["labour"][:, first] == 0
    other = rng.choice(_CAUSES_OTHER, size=n, p=_CAUSES_OTHER_P)
    flags = {"illness": ill, "disability": disabled, "schooling": schooling, "disaster": disaster}
    flags["lack_labour"] = no_labour
    causes = [[name for name, flag in flags.items() if flag[i]] + [other[i]] if registered[i] else [] for i in range(n)]
    hh["frame"] = pd.DataFrame(
        {
            "registry_number": hh["registry_number"],
            "region_code": hh["region_code"],
            "county_code": hh["county_code"],
            "province_code": hh["province_code"],
            "registration_year": registration_year,
            "exit_year": pd.Series(exit_year).where(exit_year > 0).astype("Int64"),
            "monitoring_status": status,
            "poverty_causes": causes,
        }
    )


def _resident_ids(county: str, birth: pd.Series, male: np.ndarray, u: np.ndarray) -> pd.Series:
    """Synthetic IDs: county code, birth date, a sequence unique per (birth date, sex), the check character.

    The sequence's last digit is odd for men and even for women (GB 11643-1999). Within a group of
    the same birth date and sex, random starts sorted and spaced by one keep the numbers distinct.
    """
    frame = pd.DataFrame({"birth": birth.to_numpy(), "male": male, "start": np.floor(1 + u * 400).astype(int)})
    frame = frame.sort_values(["birth", "male", "start"], kind="stable")
    frame["base"] = frame["start"] + frame.groupby(["birth", "male"]).cumcount()
    frame = frame.sort_index()
    if frame["base"].max() > 499:
        raise ValueError(f"too many synthetic members born on one day in county {county}")
    sequence = 2 * frame["base"].to_numpy() + male.astype(int)
    first17 = county + birth.dt.strftime("%Y%m%d") + pd.Series(sequence).map("{:03d}".format)
    digits = np.frombuffer("".join(first17).encode(), dtype=np.uint8).reshape(-1, 17) - ord("0")
    return first17 + _ID_CHECK[(digits @ _ID_WEIGHTS) % 11]


def _members_frame(m: dict, hh: dict, s: dict, county: str) -> pd.DataFrame:
    birth_year = 2016 - m["age"]
    start = pd.to_datetime(pd.Series(birth_year).astype(str) + "-01-01")
    days = np.where((birth_year % 4 == 0) & ((birth_year % 100 != 0) | (birth_year % 400 == 0)), 366, 365)
    birth = start + pd.to_timedelta(np.floor(m["u"][:, 8] * days), unit="D")
    return pd.DataFrame(
        {
            "registry_number": hh["registry_number"].to_numpy()[m["hh"]],
            "member_no": m["member_no"],
            "resident_id": _resident_ids(county, birth, m["male"], m["u"][:, 9]).to_numpy(),
            "sex": np.where(m["male"], "M", "F"),
            "birth_date": birth.dt.date.to_numpy(),
            "relation": m["relation"],
            "education": s["education"],
            "labour_capacity": s["labour"],
        }
    )


def _long(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """A (rows, years) array as one column of (row, kept year) pairs, row-major."""
    return values[:, keep].reshape(-1)


def _statuses_frame(m: dict, hh: dict, s: dict, keep: np.ndarray) -> pd.DataFrame:
    n_keep = int(keep.sum())
    age = m["age_t"].astype(float)
    age[age < 0] = np.nan
    return pd.DataFrame(
        {
            "registry_number": np.repeat(hh["registry_number"].to_numpy()[m["hh"]], n_keep),
            "member_no": np.repeat(m["member_no"], n_keep),
            "period": np.tile(np.array(YEARS)[keep], m["n"]),
            "present": _long(m["present"], keep),
            "age": pd.array(_long(age, keep), dtype="Int64"),
            "in_school": _long(s["in_school"], keep),
            "health": _long(s["health"], keep),
            "employment": _long(s["employment"], keep),
            "months_away": _long(s["months_away"], keep),
            "medical_insurance": _long(s["insured"], keep),
        }
    )


_SURVEY_FIELDS = (
    "wage_income",
    "net_operating_income",
    "property_income",
    "relief_transfers",
    "other_transfers",
    "deductions",
    "medical_spending",
    "education_spending",
    "food_secure",
    "clothing_secure",
    "compulsory_education",
    "basic_medical_insurance",
    "safe_housing",
    "safe_drinking_water",
    "disaster_loss",
    "job_loss",
    "industry_project",
    "cooperative",
    "employment_post",
    "micro_credit",
    "relocation",
    "enterprise_link",
)


def _surveys_frame(hh: dict, ledger: dict, keep: np.ndarray) -> pd.DataFrame:
    n_keep = int(keep.sum())
    frame = pd.DataFrame(
        {
            "registry_number": np.repeat(hh["registry_number"].to_numpy(), n_keep),
            "period": np.tile(np.array(YEARS)[keep], hh["n"]),
        }
    )
    for name in _SURVEY_FIELDS:
        values = _long(np.broadcast_to(ledger[name], ledger["total"].shape), keep)
        frame[name] = values.astype(np.int64) if values.dtype.kind == "f" else values
    return frame


def _village_frame(villages: pd.DataFrame, village: dict, keep: np.ndarray) -> pd.DataFrame:
    n_keep = int(keep.sum())
    frame = pd.DataFrame(
        {
            "region_code": np.repeat(villages["code"].to_numpy(), n_keep),
            "period": np.tile(np.array(YEARS)[keep], len(villages)),
        }
    )
    for name, values in village.items():
        if name != "disaster":
            frame[name] = _long(values, keep)
    return frame
