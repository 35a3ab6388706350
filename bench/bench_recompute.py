"""Benchmark: the recompute of one period (DESIGN §6) on PostgreSQL, against its floor and an ORM loop.

Not a test. Needs DATABASE_URL on PostgreSQL (a scratch database: it is migrated, and its household,
survey and score tables are emptied):

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE tuopin_bench_rc'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tuopin_bench_rc \\
        /usr/bin/time -v .venv/bin/python bench/bench_recompute.py                   # 1,000,000 households
    ... bench/bench_recompute.py --households 100000 --orm-sample 2000            # a quick run
    ... bench/bench_recompute.py --skip-setup                                      # reuse the data loaded before
    ... bench/bench_recompute.py --sample-design county,village                    # SEs of a sample design

Provinces: the project defines no "eight deep-poverty provinces" (``data/region_tags.yaml`` has
``western_province``, 12 provinces, and ``three_areas_three_prefectures``, 三区三州, which spans six
provinces). The default is the eight ethnic provinces and regions (民族八省区), where the deep-poverty
counties concentrated: 15 Inner Mongolia, 45 Guangxi, 52 Guizhou, 53 Yunnan, 54 Tibet, 63 Qinghai,
64 Ningxia, 65 Xinjiang (all ``western_province``; 92,054 villages). ``--provinces`` changes it.

Set-up (not timed; in a child process, so its memory does not count): migrate; the divisions with the
villages of those provinces and the boundaries (for ``bench/bench_api.py``'s map); the household,
member, survey and score tables truncated; then, all by
COPY from CSV made in memory with numpy (seed 20201231): ``--households`` households spread over the
villages (log-normal village sizes), 1-6 members each (about 3.4 million), a member status per member
and period for 2018-2020 once born (about 9.9 million), household surveys for 2020 (every household), 2019
(97 %) and 2018 (94 %), so growth and stability are exercised, and village surveys for 2020 (97 % of
villages); then VACUUM ANALYZE. Incomes: y/z log-normal around 2.4 (household effect plus yearly noise),
relief for about a third, shocks (medical, disaster, job loss, illness) for a few percent, guarantees
mostly met.

Timed, in this process, one after the other:
1. Production path: ``recompute(period=2020, full=True, jobs=2)`` in-process (the chunks, one per
   province, two at a time in threads with their own connections, as two Celery workers on the two
   cores would; ``--jobs 1`` for one after another; each chunk rolls its province up; then the
   publish, with the EQI rank bands of the methodology's sensitivity analysis), with the score tables
   emptied first (a first run of the period). Per-phase times come from wrapping the services'
   functions with time counters (inclusive seconds; nested rows are part of their parent).
   Peak RSS is read right after it. ``--sample-design STRATA,CLUSTER`` (e.g. ``county,village``) runs it
   under a methodology ``bench-sample-STRATA-CLUSTER`` with that sample design (``scores.sampling``),
   so the roll-up also computes the SE and 95 % interval of the headcount ratio and M0 of every
   region (``rollup_uncertainty``, timed as its own phases); without it, the default v1 (a census).
2. Floor: COPY TO STDOUT of the input columns the recompute reads (the period's surveys, the income
   ledger and equivalence scale of the two periods before, member statuses of three periods, members,
   households, village surveys, regions) into a byte counter;
   COPY FROM STDIN of the run's own household-score rows (the same bytes, dumped beforehand, untimed)
   into a scratch table without indexes or constraints; a hand-written SQL roll-up (GROUP BY every
   ancestor code: person-weighted sums for the D1-D4 means, headcount, flagged share) into a scratch
   table. The sum is the lower bound of any recompute on these settings.
3. ORM loop on ``--orm-sample`` households: per household, read it, its surveys and its members'
   statuses through the ORM, compute a D1-like score in Python (``scoring.income_ratio`` and
   ``scoring.goalpost`` on the one row), ``HouseholdScore.save()``; extrapolated to all households.

4. No-op night: ``recompute(period)`` again with nothing changed: no run is made (goal <= 0.5 s).
5. One village edited: one household survey in a Ningxia village (64) changed through the change log,
   then the nightly ``recompute(period)``: only that province is computed into a new snapshot, the
   others' snapshots are reused (nothing copied); goal <= 2.5x the time of computing that province
   alone, its chunk's own time in the same run.

Prints the PostgreSQL settings and the cores, the data, the per-phase profile, the floor, the ORM loop
and the goals (binding in this order): <= 2x the floor; <= 30 s end to end on 2 cores; >= 50x faster
than the ORM loop; <= 2 GB peak RSS; the no-op night <= 0.5 s with no new run; one village <= 2.5x its
province alone.
"""

import argparse
import functools
import io
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

from bench.recompute_cases import noop, one_village  # noqa: E402
from households.models import Household, HouseholdSurvey, MemberStatus, SurveyPeriod  # noqa: E402
from indicators.methods import scoring, sensitivity, vulnerability  # noqa: E402
from indicators.models import ComputationRun, HouseholdScore, Methodology, ScoreSnapshot  # noqa: E402
from indicators.services import inputs, rank_bands, rollup, rollup_uncertainty, score, store  # noqa: E402
from indicators.services import recompute as recompute_module  # noqa: E402
from indicators.services.lines import lines_for  # noqa: E402
from indicators.services.methodology import parameters_validate  # noqa: E402
from regions.models import Region  # noqa: E402
from regions.services.boundaries import boundaries_import  # noqa: E402
from regions.services.divisions import divisions_import  # noqa: E402

PERIOD = 2020
PERIODS = (PERIOD - 2, PERIOD - 1, PERIOD)
PROVINCES = "15,45,52,53,54,63,64,65"
SEED = 20201231
GOAL_FLOOR_RATIO = 2.0
GOAL_SECONDS = 30.0
GOAL_ORM_RATIO = 50.0
GOAL_PEAK_MB = 2048.0
#: Share of households with a survey in each period (every household in the scored period).
SURVEY_COVERAGE = {PERIOD - 2: 0.94, PERIOD - 1: 0.97, PERIOD: 1.0}
LINES = {PERIOD - 2: 3130.0, PERIOD - 1: 3218.0, PERIOD: 3309.0}  # data/poverty_lines.csv, for the synthetic y
HOUSEHOLD_TABLES = (
    "households_memberstatus",
    "households_householdsurvey",
    "households_villagesurvey",
    "households_member",
    "households_household",
)
SCORE_TABLES = (
    "indicators_regionrankband",
    "indicators_regionscore",
    "indicators_householdscore",
    "indicators_computationrun_snapshots",
    "indicators_runchunk",
    "indicators_scoresnapshot",
    "indicators_computationrun",
)
GOAL_NOOP_SECONDS = 0.5
GOAL_VILLAGE_RATIO = 2.5
VILLAGE_PROVINCE = "64"  # Ningxia: the edited village's province


# --- set-up ----------------------------------------------------------------------------------------------------


def _copy(table: str, frame: pd.DataFrame) -> None:
    """COPY a frame into ``table`` (columns named as the frame's), ``\\N`` for NULL."""
    buffer = io.StringIO()
    frame.to_csv(buffer, header=False, index=False, na_rep="\\N")
    buffer.seek(0)
    columns = ", ".join(frame.columns)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer)


def _money(x: np.ndarray) -> np.ndarray:
    return np.char.mod("%.2f", np.round(x, 2))


def _pick(rng: np.random.Generator, n: int, choices: dict) -> np.ndarray:
    return rng.choice(np.array(list(choices), dtype=object), size=n, p=np.array(list(choices.values())))


def _flag(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    return rng.random(n) < share


def _guarantee(rng: np.random.Generator, n: int) -> pd.Series:
    """Mostly met (97.5 %), sometimes not (2 %), rarely unknown (0.5 %)."""
    draw = rng.random(n)
    return pd.Series(np.where(draw < 0.975, "t", np.where(draw < 0.995, "f", None)), dtype=object)


def _households(rng, n: int, villages: pd.DataFrame) -> pd.DataFrame:
    weights = rng.lognormal(0.0, 0.6, len(villages))
    village = np.sort(rng.choice(len(villages), size=n, p=weights / weights.sum()))
    seq = np.arange(n) - np.searchsorted(village, village, side="left") + 1
    registered = _flag(rng, n, 0.55)
    registration = np.where(registered, rng.choice([2014, 2015, 2016], size=n, p=[0.5, 0.3, 0.2]), 0)
    exit_year = np.minimum(registration + rng.integers(1, 6, n), 2020)
    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "registry_number": villages["code"].to_numpy()[village] + pd.Series(seq).astype(str).str.zfill(4),
            "region_id": villages["id"].to_numpy()[village],
            "registration_year": pd.array(np.where(registered, registration, None), dtype="Int64"),
            "exit_year": pd.array(np.where(registered, exit_year, None), dtype="Int64"),
            "monitoring_status": "none",
            "poverty_causes": "[]",
            "public_id": [str(uuid.uuid4()) for _ in range(n)],
        }
    )


def _members(rng, household_ids: np.ndarray) -> pd.DataFrame:
    n = len(household_ids)
    size = rng.choice(np.arange(1, 7), size=n, p=[0.12, 0.20, 0.22, 0.22, 0.14, 0.10])
    m = int(size.sum())
    first = np.repeat(np.cumsum(size) - size, size)
    member_no = np.arange(m) - first + 1
    relation = np.where(
        member_no == 1,
        "head",
        np.where(
            (member_no == 2) & _flag(rng, m, 0.85),
            "spouse",
            _pick(rng, m, {"child": 0.7, "parent": 0.2, "grandchild": 0.1}),
        ),
    )
    head_age = np.clip(rng.normal(50, 12, m), 22, 85)
    age = np.select(
        [relation == "head", relation == "spouse", relation == "parent", relation == "grandchild"],
        [head_age, head_age + rng.normal(-2, 3, m), rng.uniform(62, 92, m), rng.uniform(0, 12, m)],
        default=rng.uniform(0, 35, m),
    ).astype(int)
    education = _pick(
        rng, m, {"none": 0.2, "primary": 0.35, "junior": 0.3, "senior": 0.08, "vocational": 0.04, "tertiary": 0.03}
    )
    education[age < 6] = ""
    working_age = (age >= 16) & (age <= 64)
    labour = np.where(
        working_age,
        _pick(rng, m, {"full": 0.8, "partial": 0.12, "none": 0.08}),
        np.where(age > 64, _pick(rng, m, {"partial": 0.3, "none": 0.7}), "none"),
    )
    return pd.DataFrame(
        {
            "id": np.arange(1, m + 1),
            "household_id": np.repeat(household_ids, size),
            "member_no": member_no,
            "name": "",
            "resident_id_encrypted": "",
            "resident_id_hash": "",
            "resident_id_masked": "",
            "source_id": "",
            "sex": np.where(_flag(rng, m, 0.5), "M", "F"),
            "relation": relation,
            "education": education,
            "labour_capacity": labour,
            "age_2020": age,  # not a column: the statuses' ages derive from it
        }
    )


def _statuses(rng, members: pd.DataFrame, period: int, health: np.ndarray) -> pd.DataFrame:
    age = members["age_2020"].to_numpy() - (PERIOD - period)
    born = age >= 0
    m = int(born.sum())
    age = age[born]
    is_head = (members["relation"].to_numpy() == "head")[born]
    capable = (members["labour_capacity"].to_numpy() != "none")[born] & (age >= 16) & (age <= 64)
    redrawn = _flag(rng, m, 0.05)
    this_health = np.where(
        redrawn, _pick(rng, m, {"healthy": 0.84, "chronic": 0.1, "serious": 0.03, "disabled": 0.03}), health[born]
    )
    employment = np.where(
        capable, _pick(rng, m, {"wage": 0.45, "public_welfare": 0.08, "self": 0.2, "none": 0.27}), "none"
    )
    return pd.DataFrame(
        {
            "member_id": members["id"].to_numpy()[born],
            "period_id": period,
            "present": np.where(is_head, _flag(rng, m, 0.995), _flag(rng, m, 0.97)),
            "age": age,
            "in_school": (age >= 6) & (age <= 18) & _flag(rng, m, 0.95),
            "health": this_health,
            "employment": employment,
            "months_away": np.where(employment == "wage", rng.integers(0, 13, m), 0),
            "medical_insurance": _flag(rng, m, 0.98),
        }
    )


def _surveys(rng, household_ids, size, registered, level, period: int) -> pd.DataFrame:
    """One period's surveys: y/z = exp(household level + trend + noise), split into the income ledger."""
    n = len(household_ids)
    ratio = np.exp(level + 0.05 * (period - PERIOD) + rng.normal(0.0, 0.18, n))
    total = ratio * LINES[period] * np.maximum(size, 1)
    deductions = total * rng.uniform(0.0, 0.04, n)
    gross = total + deductions
    relief = np.where(_flag(rng, n, np.where(registered, 0.5, 0.15)), gross * rng.beta(2, 8, n), 0.0)
    rest = gross - relief
    other = rest * rng.uniform(0.03, 0.12, n)
    prop = rest * rng.uniform(0.0, 0.05, n)
    operating = rest * rng.uniform(0.1, 0.45, n)
    wage = rest - other - prop - operating
    loss = _flag(rng, n, 0.03)  # a bad year in the household's business
    wage, operating = np.where(loss, wage + 2 * operating, wage), np.where(loss, -operating, operating)
    heavy = _flag(rng, n, 0.15)
    medical = np.where(heavy, rng.gamma(1.5, 0.08, n), rng.uniform(0.0, 0.03, n)) * total
    disaster = np.where(_flag(rng, n, 0.04), total * rng.uniform(0.02, 0.4, n), 0.0)
    keep = rng.random(n) < SURVEY_COVERAGE[period]
    frame = pd.DataFrame(
        {
            "household_id": household_ids,
            "period_id": period,
            "wage_income": _money(wage),
            "net_operating_income": _money(operating),
            "property_income": _money(prop),
            "relief_transfers": _money(relief),
            "other_transfers": _money(other),
            "deductions": _money(deductions),
            "medical_spending": _money(medical),
            "education_spending": _money(np.where(_flag(rng, n, 0.4), rng.uniform(500, 3000, n), 0.0)),
            **{g: _guarantee(rng, n) for g in scoring.GUARANTEES},
            "disaster_loss": _money(disaster),
            "job_loss": _flag(rng, n, 0.03),
            "industry_project": _flag(rng, n, 0.4),
            "cooperative": _flag(rng, n, 0.3),
            "employment_post": _flag(rng, n, 0.15),
            "micro_credit": _flag(rng, n, 0.1),
            "relocation": _flag(rng, n, 0.06),
            "enterprise_link": _flag(rng, n, 0.2),
            "sampling_weight": "1",
        }
    )
    return frame[keep]


def _village_surveys(rng, region_ids: np.ndarray) -> pd.DataFrame:
    n = len(region_ids)
    frame = pd.DataFrame(
        {
            "region_id": region_ids,
            "period_id": PERIOD,
            "hardened_road": _flag(rng, n, 0.93),
            "bus_service": _flag(rng, n, 0.6),
            "tap_water_coverage": np.char.mod("%.4f", np.round(rng.beta(8, 1.5, n), 4)),
            "electricity": _flag(rng, n, 0.995),
            "broadband": _flag(rng, n, 0.85),
            "mobile_coverage": _flag(rng, n, 0.97),
            "school_within_reach": _flag(rng, n, 0.7),
            "standard_clinic": _flag(rng, n, 0.9),
            "collective_income": _money(np.where(_flag(rng, n, 0.85), rng.lognormal(np.log(50_000), 0.9, n), 0.0)),
            "cooperatives": rng.poisson(1.5, n),
            "leading_enterprises": rng.poisson(0.4, n),
            "characteristic_industry": _flag(rng, n, 0.6),
            "processing_facility": _flag(rng, n, 0.3),
            "ecommerce_point": _flag(rng, n, 0.5),
        }
    )
    return frame[_flag(rng, n, 0.97)]


def setup(*, households: int, provinces: str) -> None:
    """Load the synthetic data (see the module docstring); prints what it loaded."""
    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    for year in range(PERIOD - 2, PERIOD + 1):
        SurveyPeriod.objects.get_or_create(year=year)
    codes = [c.strip() for c in provinces.split(",")]
    divisions_import(villages=",".join(codes))
    boundaries_import()  # bench/bench_api.py draws the national map from this database
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(SCORE_TABLES + HOUSEHOLD_TABLES)}, households_changelog CASCADE")
    villages = pd.DataFrame.from_records(
        Region.objects.filter(level=5, scheme="cn", province_code__in=codes).order_by("code").values("id", "code")
    )
    rng = np.random.default_rng(SEED)
    homes = _households(rng, households, villages)
    _copy("households_household", homes)
    members = _members(rng, homes["id"].to_numpy())
    _copy("households_member", members.drop(columns="age_2020"))
    health = _pick(rng, len(members), {"healthy": 0.84, "chronic": 0.1, "serious": 0.03, "disabled": 0.03})
    head_of = members["household_id"].to_numpy()
    registered = homes["registration_year"].notna().to_numpy()
    level = rng.normal(np.log(2.4), 0.45, households) - 0.25 * registered
    counts = {}
    for period in PERIODS:
        statuses = _statuses(rng, members, period, health)
        _copy("households_memberstatus", statuses)
        present_of = head_of[members["id"].isin(statuses.loc[statuses["present"], "member_id"]).to_numpy()]
        size = np.bincount(present_of, minlength=households + 1)[1:]
        surveys = _surveys(rng, homes["id"].to_numpy(), size, registered, level, period)
        _copy("households_householdsurvey", surveys)
        counts[period] = (len(statuses), len(surveys))
        del statuses, surveys
    village_surveys = _village_surveys(rng, villages["id"].to_numpy())
    _copy("households_villagesurvey", village_surveys)
    with connection.cursor() as cursor:
        for table in ("households_household", "households_member"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        for table in (*HOUSEHOLD_TABLES, "regions_region"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(
        f"set-up: {len(villages):,} villages in provinces {provinces}; {households:,} households, "
        f"{len(members):,} members; per period (statuses, surveys): "
        + ", ".join(f"{p}: {s:,}, {h:,}" for p, (s, h) in counts.items())
        + f"; {len(village_surveys):,} village surveys of {PERIOD}; {time.perf_counter() - start:.0f} s"
    )


# --- measuring -------------------------------------------------------------------------------------------------


class Counters:
    """Inclusive wall seconds and calls per label, from wrapped functions, and how much the process's
    peak RSS rose during the label's calls (MB), which tells the phases that set the peak."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.peak_rise: dict[str, float] = defaultdict(float)
        self.order: list[str] = []
        self._undo: list = []

    def wrap(self, owner, name: str, label: str, *, static: bool = False) -> None:
        original = getattr(owner, name)
        if label not in self.order:
            self.order.append(label)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            peak, start = _peak_mb(), time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - start
                self.calls[label] += 1
                self.peak_rise[label] += _peak_mb() - peak

        self._undo.append((owner, name, name in vars(owner), vars(owner).get(name)))
        setattr(owner, name, staticmethod(timed) if static else timed)

    def restore(self) -> None:
        for owner, name, had, original in reversed(self._undo):
            if had:
                setattr(owner, name, original)
            else:  # an instance attribute shadowing the class's method
                delattr(owner, name)
        self._undo.clear()


def _instrument(counters: Counters) -> None:
    """Wrap the recompute's phases (the services look these names up on their modules at call time)."""
    rc = recompute_module
    counters.wrap(rc, "run_create", "run_create (provinces with surveys, lines, run rows)")
    counters.wrap(rc, "chunk_compute", "chunk_compute (per province)")
    counters.wrap(score, "scoring_frame", "  score.scoring_frame")
    counters.wrap(inputs, "surveys_read", "    inputs.surveys_read (the period)")
    counters.wrap(inputs, "members_read", "    inputs.members_read (SQL GROUP BY household, 3 periods)")
    counters.wrap(inputs, "incomes_read", "    inputs.incomes_read (income, 2 periods before)")
    counters.wrap(inputs, "villages_read", "    inputs.villages_read")
    counters.wrap(score, "chunk_score", "  score.chunk_score")
    counters.wrap(vulnerability, "expected_poverty", "    vulnerability.expected_poverty")
    counters.wrap(scoring, "household_scores", "    scoring.household_scores")
    counters.wrap(score, "_reasons_json", "    score._reasons_json (reasons JSON)")
    counters.wrap(store, "frame_insert", "  store.frame_insert (COPY; also RegionScore)")
    counters.wrap(rc, "_regions_write", "  _regions_write (the province's roll-up and region rows)")
    counters.wrap(rc, "_rollup_frame", "    _rollup_frame")
    counters.wrap(rollup, "rollup", "    rollup.rollup")
    counters.wrap(rollup_uncertainty, "sample_design", "      rollup_uncertainty.sample_design")
    counters.wrap(rollup_uncertainty, "level_uncertainty", "      rollup_uncertainty.level_uncertainty (SE, CI)")
    counters.wrap(rc, "_coverage", "    _coverage")
    counters.wrap(rc, "run_publish", "run_publish (provinces without surveys, rank bands, switch current)")
    counters.wrap(rank_bands, "rank_bands_write", "  rank_bands.rank_bands_write (EQI rank bands)")
    counters.wrap(sensitivity, "rank_bands", "    sensitivity.rank_bands (the Monte-Carlo)")
    counters.wrap(store, "frame_select", "  store.frame_select (all callers)")
    counters.wrap(pd.DataFrame, "from_records", "DataFrame.from_records (all callers)", static=True)
    counters.wrap(pd, "to_numeric", "pd.to_numeric (all callers)")
    counters.wrap(connections["default"], "commit", "COMMIT (all; deferred FK checks of the scores)")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def settings_print() -> None:
    names = ("server_version", "shared_buffers", "work_mem", "maintenance_work_mem", "max_wal_size")
    names += ("synchronous_commit", "max_parallel_workers_per_gather", "effective_cache_size")
    with connection.cursor() as cursor:
        values = []
        for name in names:
            cursor.execute("SELECT current_setting(%s)", [name])
            values.append(f"{name}={cursor.fetchone()[0]}")
    print("PostgreSQL: " + ", ".join(values))
    print(f"machine: {os.cpu_count()} cores (os.cpu_count()); Python {sys.version.split()[0]}")


def sample_methodology(design: str | None) -> Methodology | None:
    """The methodology of ``--sample-design STRATA,CLUSTER`` (created once), or None (the default)."""
    if not design:
        return None
    strata, cluster = (part.strip() for part in design.split(","))
    sampling = {"design": "sample", "strata": strata, "cluster": cluster}
    parameters = parameters_validate({"scores": {"sampling": sampling}})
    defaults = {"name": "bench: a sample design", "parameters": parameters}
    methodology, _ = Methodology.objects.get_or_create(version=f"bench-sample-{strata}-{cluster}", defaults=defaults)
    return methodology


def production(
    counters: Counters, jobs: int, methodology: Methodology | None = None
) -> tuple[float, float, ComputationRun]:
    """Time ``recompute(period, full=True, jobs=jobs)`` (under ``methodology``, default the default
    one); returns wall seconds, CPU seconds of this process, the run."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(SCORE_TABLES)} CASCADE")
    _instrument(counters)
    try:
        cpu, start = time.process_time(), time.perf_counter()
        run = recompute_module.recompute(period=PERIOD, full=True, jobs=jobs, methodology=methodology)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        counters.restore()
    return seconds, cpu, run


class _Sink:
    """A file-like object that only counts what COPY TO writes."""

    def __init__(self) -> None:
        self.bytes = 0

    def write(self, data) -> int:
        self.bytes += len(data)
        return len(data)


def floor(run: ComputationRun) -> dict[str, float]:
    """The three parts of the lower bound (seconds each) and the bytes read; see the module docstring."""
    periods = ", ".join(str(p) for p in PERIODS)
    earlier = ", ".join(str(p) for p in PERIODS if p != PERIOD)
    ledger = ", ".join((*HouseholdSurvey.LEDGER_FIELDS, "equivalence_scale"))
    reads = [
        f"SELECT household_id, period_id, {', '.join(inputs.SURVEY_COLUMNS)} FROM households_householdsurvey "
        f"WHERE period_id = {PERIOD}",
        f"SELECT household_id, period_id, {ledger} FROM households_householdsurvey WHERE period_id IN ({earlier})",
        "SELECT member_id, period_id, present, age, health, employment FROM households_memberstatus "
        f"WHERE period_id IN ({periods})",
        "SELECT id, household_id, relation, education, labour_capacity FROM households_member",
        "SELECT id, region_id, registration_year FROM households_household",
        f"SELECT region_id, {', '.join(inputs.VILLAGE_COLUMNS)} FROM households_villagesurvey "
        f"WHERE period_id = {PERIOD}",
        "SELECT id, province_code, county_code, path FROM regions_region",
    ]
    columns = ", ".join(f.column for f in HouseholdScore._meta.concrete_fields if f.column != "id")
    out: dict[str, float] = {}
    with tempfile.TemporaryFile() as dump, connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY (SELECT {columns} FROM indicators_householdscore WHERE period_id = {run.period_id} "
            "AND snapshot_id IN "
            f"(SELECT scoresnapshot_id FROM indicators_computationrun_snapshots WHERE computationrun_id = {run.pk})) "
            "TO STDOUT",
            dump,
        )
        out["score_bytes"] = dump.tell()
        cursor.execute("DROP TABLE IF EXISTS bench_floor_scores, bench_floor_regions")
        cursor.execute(
            f"CREATE TABLE bench_floor_scores AS SELECT {columns} FROM indicators_householdscore WITH NO DATA"
        )

        sink = _Sink()
        start = time.perf_counter()
        for sql in reads:
            cursor.copy_expert(f"COPY ({sql}) TO STDOUT", sink)
        out["copy_out"] = time.perf_counter() - start
        out["input_bytes"] = sink.bytes

        dump.seek(0)
        start = time.perf_counter()
        with transaction.atomic():
            cursor.copy_expert(f"COPY bench_floor_scores ({columns}) FROM STDIN", dump)
        out["copy_in"] = time.perf_counter() - start

        start = time.perf_counter()
        with transaction.atomic():
            dims = ("d1_income", "d2_resilience", "d3_public_services", "d4_industry")
            means = ", ".join(
                f"SUM(s.persons * s.weight * s.{d}) / NULLIF(SUM(s.persons * s.weight) "
                f"FILTER (WHERE s.{d} IS NOT NULL), 0) AS {d}"
                for d in dims
            )
            cursor.execute(
                f"""
                CREATE TABLE bench_floor_regions AS
                SELECT a.code, COUNT(*) AS households, SUM(s.persons) AS persons, {means},
                       SUM(s.persons * s.weight) FILTER (WHERE s.ratio < 1)
                           / NULLIF(SUM(s.persons * s.weight) FILTER (WHERE s.ratio IS NOT NULL), 0) AS headcount,
                       SUM(s.persons * s.weight) FILTER (WHERE s.margin < 1)
                           / NULLIF(SUM(s.persons * s.weight) FILTER (WHERE s.margin IS NOT NULL), 0)
                           AS headcount_monitoring,
                       SUM(s.weight) FILTER (WHERE s.flagged) / NULLIF(SUM(s.weight), 0) AS flagged_share
                FROM bench_floor_scores s JOIN regions_region r ON r.id = s.region_id
                CROSS JOIN LATERAL unnest(ARRAY[r.province_code, r.prefecture_code, r.county_code,
                                                r.township_code, r.code]) AS a(code)
                WHERE s.data_error = '' AND a.code <> ''
                GROUP BY a.code
                """
            )
            out["regions"] = cursor.rowcount
        out["rollup"] = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_floor_scores, bench_floor_regions")
    return out


def _d1_like(totals: list[float], sizes: list[int], lines: list[float], developmental: float) -> dict[str, float]:
    """D1 of one household from its ledgers of t-2, t-1, t (NaN where no survey), with the pure methods."""
    params = scoring.DEFAULT_PARAMETERS
    ratios = scoring.income_ratio(totals, sizes, [math.nan] * 3, lines, params)
    gp = params["goalposts"]
    now, before = ratios[2], ratios[1]
    parts = {
        "c_adequacy": 0.0 if now <= 0 else float(scoring.goalpost(math.log(now), *np.log(gp["adequacy"]))),
        "c_growth": float(scoring.goalpost(now / before - 1, *gp["growth"])) if before > 0 else math.nan,
        "c_dev_share": float(scoring.goalpost(developmental / totals[2], *gp["dev_share"]))
        if totals[2] > 0
        else math.nan,
        "c_stability": float(scoring.goalpost(np.std(ratios) / np.mean(ratios), *gp["stability"]))
        if not np.isnan(ratios).any() and np.mean(ratios) > 0
        else math.nan,
    }
    known = [v for v in parts.values() if not math.isnan(v)]
    return {**parts, "ratio": now, "d1": sum(known) / len(known) if known else math.nan}


def orm_loop(sample: int, households: int) -> tuple[float, dict[str, float]]:
    """Score ``sample`` households one by one through the ORM; returns seconds and the split."""
    step = max(households // sample, 1)
    with connection.cursor() as cursor:  # every step-th surveyed household, across all provinces
        cursor.execute(
            "SELECT household_id FROM households_householdsurvey WHERE period_id = %s AND household_id %% %s = 0 "
            "ORDER BY household_id LIMIT %s",
            [PERIOD, step, sample],
        )
        ids = [row[0] for row in cursor.fetchall()]
    methodology = recompute_module.methodology_default()
    run = ComputationRun.objects.create(
        period_id=PERIOD, methodology=methodology, status=ComputationRun.Status.FAILED, notes={"bench": "orm loop"}
    )
    snapshot = ScoreSnapshot.objects.create(period_id=PERIOD, methodology=methodology, run=run, province_code="")
    provinces = list(Region.objects.filter(level=1).values_list("code", flat=True))
    line_table = lines_for(years=list(PERIODS), provinces=provinces)["national"]
    split = defaultdict(float)
    start = time.perf_counter()
    for household_id in ids:
        t0 = time.perf_counter()
        household = Household.objects.select_related("region").get(pk=household_id)
        surveys = {s.period_id: s for s in HouseholdSurvey.objects.filter(household=household, period_id__in=PERIODS)}
        sizes = dict.fromkeys(PERIODS, 0)
        for status in MemberStatus.objects.filter(member__household=household, period_id__in=PERIODS):
            sizes[status.period_id] += status.present
        t1 = time.perf_counter()
        totals = [
            float(
                s.wage_income
                + s.net_operating_income
                + s.property_income
                + s.relief_transfers
                + s.other_transfers
                - s.deductions
            )
            if (s := surveys.get(p))
            else math.nan
            for p in PERIODS
        ]
        current = surveys[PERIOD]
        developmental = float(
            current.wage_income + current.net_operating_income + current.property_income + current.other_transfers
        )
        province = household.region.province_code
        lines = [line_table[str(p)][province] for p in PERIODS]
        d1 = _d1_like(totals, [sizes[p] for p in PERIODS], lines, developmental)
        t2 = time.perf_counter()
        HouseholdScore(
            snapshot=snapshot,
            period_id=PERIOD,
            household=household,
            region_id=household.region_id,
            province_code=province,
            persons=sizes[PERIOD],
            weight=float(current.sampling_weight),
            income=d1["ratio"] * lines[2] if not math.isnan(d1["ratio"]) else None,
            ratio=None if math.isnan(d1["ratio"]) else d1["ratio"],
            d1_income=None if math.isnan(d1["d1"]) else d1["d1"],
            **{k: None if math.isnan(v) else v for k, v in d1.items() if k.startswith("c_")},
        ).save()
        t3 = time.perf_counter()
        split["read"] += t1 - t0
        split["compute"] += t2 - t1
        split["save"] += t3 - t2
    seconds = time.perf_counter() - start
    HouseholdScore.objects.filter(snapshot=snapshot).delete()
    snapshot.delete()
    run.delete()
    return seconds, {**split, "households": len(ids)}


# --- report ----------------------------------------------------------------------------------------------------


def _goal(label: str, met: bool, detail: str) -> None:
    print(f"  {'MET    ' if met else 'NOT MET'}  {label}: {detail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--orm-sample", type=int, default=20_000)
    parser.add_argument("--provinces", default=PROVINCES, help="province codes whose villages get households")
    parser.add_argument(
        "--jobs", type=int, default=2, help="chunks computed at once (manage.py recompute --jobs; 2 = the 2 cores)"
    )
    parser.add_argument("--skip-setup", action="store_true", help="reuse the data loaded by an earlier run")
    parser.add_argument(
        "--sample-design",
        metavar="STRATA,CLUSTER",
        help="run under a sample design (scores.sampling), e.g. county,village: the roll-up adds SEs and intervals",
    )
    parser.add_argument("--setup-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL: set DATABASE_URL=postgres://…")
    if args.setup_only:
        setup(households=args.households, provinces=args.provinces)
        return
    if not args.skip_setup:  # a child process, so the set-up's memory is not this process's peak
        child = [sys.executable, __file__, "--setup-only", "--households", str(args.households)]
        subprocess.run([*child, "--provinces", args.provinces], check=True)
    else:
        call_command("migrate", verbosity=0)  # the code may have new tables since the data was loaded
    settings_print()
    households = Household.objects.count()
    surveyed = HouseholdSurvey.objects.filter(period_id=PERIOD).count()
    statuses = MemberStatus.objects.filter(period_id__in=PERIODS).count()
    surveys = HouseholdSurvey.objects.filter(period_id__in=PERIODS).count()
    print(
        f"data: {households:,} households ({surveyed:,} surveyed in {PERIOD}), {surveys:,} surveys and "
        f"{statuses:,} member statuses of {PERIODS[0]}-{PERIOD}"
    )

    counters = Counters()
    methodology = sample_methodology(args.sample_design)
    seconds, cpu, run = production(counters, args.jobs, methodology)
    peak = _peak_mb()
    chunks = list(
        run.chunks.order_by("province_code").values_list("province_code", "households", "vulnerability_method")
    )
    design = run.methodology.parameters["scores"].get("sampling", {"design": "census"})
    print(f"\nproduction path: recompute(period={PERIOD}, full=True, jobs={args.jobs}): {seconds:.1f} s end to end")
    print(f"  methodology {run.methodology.version}: sampling {design}")
    print(f"  this process: {cpu:.1f} s CPU ({cpu / seconds:.0%} of the wall time); peak RSS {peak:,.0f} MB")
    print("  chunks: " + ", ".join(f"{p} {n:,} ({m})" for p, n, m in chunks))
    if args.jobs > 1:
        print(f"  (phases inside chunk_compute: seconds summed over the {args.jobs} chunk threads)")
    print(f"  {'phase (inclusive wall seconds)':<58} {'calls':>6} {'seconds':>8} {'share':>6} {'peak +MB':>9}")
    for label in counters.order:
        s = counters.seconds[label]
        rise = counters.peak_rise[label]
        print(f"  {label:<58} {counters.calls[label]:>6} {s:>8.2f} {s / seconds:>6.0%} {rise:>9,.0f}")

    parts = floor(run)
    floor_seconds = parts["copy_out"] + parts["copy_in"] + parts["rollup"]
    print(f"\nfloor: {floor_seconds:.1f} s")
    print(
        f"  COPY out of the inputs: {parts['copy_out']:.1f} s ({parts['input_bytes'] / 2**20:,.0f} MiB); "
        f"COPY in of {surveyed:,} score rows: {parts['copy_in']:.1f} s ({parts['score_bytes'] / 2**20:,.0f} MiB); "
        f"SQL roll-up: {parts['rollup']:.1f} s ({parts['regions']:,.0f} regions)"
    )

    noop_seconds, noop_new_run = noop(methodology, args.jobs, period=PERIOD)
    print(f"\nno-op night: recompute(period={PERIOD}) with no change: {noop_seconds:.3f} s, new run: {noop_new_run}")
    village = one_village(methodology, args.jobs, period=PERIOD, province=VILLAGE_PROVINCE)
    village_ratio = village["seconds"] / village["province"]
    print(
        f"one village edited (province {VILLAGE_PROVINCE}, {village['households']:,} households): "
        f"{village['seconds']:.2f} s end to end; the province alone {village['province']:.2f} s "
        f"({village_ratio:.2f}x); {village['written']:,} household rows written"
    )

    orm_seconds, split = orm_loop(args.orm_sample, households)
    done = int(split["households"])
    orm_total = orm_seconds * surveyed / max(done, 1)
    print(
        f"\nORM loop: {done:,} households in {orm_seconds:.1f} s ({done / orm_seconds:,.0f}/s; "
        f"read {split['read']:.1f} s, compute {split['compute']:.1f} s, save {split['save']:.1f} s); "
        f"extrapolated to {surveyed:,}: {orm_total:,.0f} s ({orm_total / 3600:.1f} h)"
    )

    floor_ratio, orm_ratio = seconds / floor_seconds, orm_total / seconds
    print(f"\nsummary: production {seconds:.1f} s; floor {floor_seconds:.1f} s; ORM loop {orm_total:,.0f} s")
    print(f"  production / floor = {floor_ratio:.2f}; ORM loop / production = {orm_ratio:,.0f}")
    print(f"  peak RSS: production path {peak:,.0f} MB; whole process {_peak_mb():,.0f} MB")
    print("goals (binding in this order):")
    _goal("<= 2x the floor", floor_ratio <= GOAL_FLOOR_RATIO, f"{floor_ratio:.2f}x")
    cores = f"on {os.cpu_count()} cores" + ("" if os.cpu_count() == 2 else " (the goal is for 2)")
    _goal("<= 30 s end to end on 2 cores", seconds <= GOAL_SECONDS, f"{seconds:.1f} s {cores}")
    _goal(">= 50x the ORM loop", orm_ratio >= GOAL_ORM_RATIO, f"{orm_ratio:,.0f}x")
    _goal("<= 2 GB peak", peak <= GOAL_PEAK_MB, f"{peak:,.0f} MB")
    _goal(
        "no-op night <= 0.5 s and no new run",
        noop_seconds <= GOAL_NOOP_SECONDS and not noop_new_run,
        f"{noop_seconds:.3f} s, new run: {noop_new_run}",
    )
    _goal("one village <= 2.5x its province alone", village_ratio <= GOAL_VILLAGE_RATIO, f"{village_ratio:.2f}x")


if __name__ == "__main__":
    main()
