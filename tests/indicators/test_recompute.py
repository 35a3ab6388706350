"""The recompute end to end on small data written here: roll-up rules, determinism, increments,
failure handling and the command."""

import hashlib
import json

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import translation

from households.models import Household, HouseholdSurvey, Member
from households.services.registry import changes_mark
from indicators.methods import poverty
from indicators.models import ComputationRun, HouseholdScore, Methodology, RegionScore
from indicators.services import inputs, score
from indicators.services import recompute as service
from regions.models import Region
from tests.indicators.builders import Row, households_write, villages_write

pytestmark = pytest.mark.django_db

Z_2020 = 3309.0  # data/poverty_lines.csv, national line 2020


def township_with_villages(n: int = 3) -> tuple[Region, list[str]]:
    for township in Region.objects.filter(level=4, code__startswith="64").order_by("code"):
        villages = list(Region.objects.filter(parent=township).order_by("code").values_list("code", flat=True)[:n])
        if len(villages) == n:
            return township, villages
    raise AssertionError("no Ningxia township with enough villages")


def checksum(run: ComputationRun) -> str:
    """Every stored value of the run's household and region scores, floats rounded to 1e-9."""

    def rounded(value):
        if isinstance(value, float):
            return round(value, 9)
        if isinstance(value, dict):
            return {k: rounded(v) for k, v in sorted(value.items())}
        return value

    fields = [f.name for f in HouseholdScore._meta.concrete_fields if f.name not in ("id", "snapshot")]
    households = HouseholdScore.objects.of_run(run).order_by("household_id").values_list(*fields)
    region_fields = [f.name for f in RegionScore._meta.concrete_fields if f.name not in ("id", "snapshot")]
    regions = RegionScore.objects.of_run(run).order_by("region_id").values_list(*region_fields)
    text = repr([[rounded(v) for v in row] for row in [*households, *regions]])
    return hashlib.sha256(text.encode()).hexdigest()


def test_township_rolls_up_from_households_and_an_empty_village_is_null():
    township, (v1, v2, v3) = township_with_villages()
    households_write(
        [
            Row(v1, 1, wage=10 * 1000, persons=10),  # 10 persons at 1,000 yuan: poor
            Row(v2, 1, wage=2 * 5000, persons=2),
            Row(v2, 2, wage=2 * 6000, persons=2),
            Row(v2, 3, wage=2 * 7000, persons=2),
        ],
        period=2020,
    )
    Household.objects.create(registry_number=f"{v3}0001", region=Region.objects.get(code=v3))  # never surveyed
    run = service.recompute(period=2020)

    assert run.is_current and run.lines["national"]["2020"]["64"] == Z_2020
    scores = {s.region.code: s for s in RegionScore.objects.of_run(run).select_related("region")}
    t = scores[township.code]
    assert scores[v1].headcount_ratio == 1.0 and scores[v2].headcount_ratio == 0.0
    # person-weighted: 10 poor of 16 persons, not the villages' mean (1 + 0) / 2
    assert t.headcount_ratio == pytest.approx(10 / 16)
    gap = (Z_2020 - 1000) / Z_2020
    assert t.poverty_gap == pytest.approx(10 * gap / 16)
    assert t.poverty_severity == pytest.approx(10 * gap**2 / 16)
    pooled = poverty.gini([1000.0, 5000.0, 6000.0, 7000.0], [10.0, 2.0, 2.0, 2.0])
    assert t.gini == pytest.approx(pooled, rel=1e-12)
    assert t.gini != pytest.approx((scores[v1].gini + scores[v2].gini) / 2)
    assert (t.households, t.persons) == (4, 16) and scores[township.parent_id].households == 4
    assert t.coverage == pytest.approx(4 / 5)
    empty = scores[v3]
    assert (empty.households, empty.persons, empty.coverage) == (0, 0, 0.0)
    assert empty.headcount_ratio is None and empty.eqi is None and empty.gini is None and empty.d1_income is None
    # D3: the six guarantees met and no village survey: the village part is left out, not counted as 0
    assert t.d3_public_services == pytest.approx(100.0)
    assert HouseholdScore.objects.of_run(run).count() == 4


def test_village_survey_enters_d3_and_d4_half_and_half():
    _, (v1, _, _) = township_with_villages()
    households_write([Row(v1, 1, wage=3 * 9000, persons=3)], period=2020)
    villages_write([v1], period=2020)
    run = service.recompute(period=2020)
    household = HouseholdScore.objects.of_run(run).get()
    # village services: road 1, tap water 0.8, electricity 1, broadband 1, school 1, clinic 0 → 4.8 / 6
    assert household.components["c_village_services"] == pytest.approx(80.0)
    assert household.d3_public_services == pytest.approx((100.0 + 80.0) / 2)
    # village industry: s(50,000; 0→100,000) = 50, cooperative 100, enterprise/industry/processing/e-commerce 0
    assert household.components["c_village_industry"] == pytest.approx((50 + 100) / 6)


def test_two_full_runs_are_equal_and_an_incremental_run_equals_a_full_one(two_provinces):
    first = service.recompute(period=2020, full=True)
    second = service.recompute(period=2020, full=True)
    assert checksum(first) == checksum(second)
    assert not ComputationRun.objects.get(pk=first.pk).is_current

    edited = HouseholdSurvey.objects.filter(household__region__code=two_provinces[0], period_id=2020)
    assert edited.update(wage_income=F("wage_income") + 1000) == 40
    changes_mark(province_code="64", periods=[2020])
    incremental = service.recompute(period=2020)
    chunks = {c.province_code: c for c in incremental.chunks.all()}
    assert (chunks["64"].copied, chunks["15"].copied) == (False, True)
    assert chunks["15"].households == 120 and chunks["64"].households == 160
    # Inner Mongolia's snapshot is the one the second run served: nothing was copied
    assert chunks["15"].snapshot_id == second.chunks.get(province_code="15").snapshot_id
    assert HouseholdScore.objects.count() == 280 + 280 + 160
    full = service.recompute(period=2020, full=True)
    assert checksum(incremental) == checksum(full)
    assert checksum(incremental) != checksum(second)


def test_a_run_for_named_provinces_also_recomputes_the_other_changed_ones(two_provinces):
    """A run for named provinces (an admin's "recompute now") must not copy a province changed since the
    current run: the next nightly run looks for changes only since that run started, so a copy would
    leave the change out of the scores until the province changed again."""
    service.recompute(period=2020)
    county_15 = HouseholdSurvey.objects.filter(household__region__code__startswith="15", period_id=2020)
    assert county_15.update(wage_income=F("wage_income") + 1000) == 120
    changes_mark(province_code="15", periods=[2020])
    changes_mark(province_code="64", periods=[2020])
    named = service.recompute(period=2020, provinces=["64"])
    assert {c.province_code for c in named.chunks.filter(copied=False)} == {"64", "15"}
    full = service.recompute(period=2020, full=True)
    assert checksum(named) == checksum(full)
    runs = ComputationRun.objects.count()
    nightly = service.recompute(period=2020)  # nothing changed since the full run: no run, it stays
    assert nightly.pk == full.pk and ComputationRun.objects.count() == runs


def test_chunks_are_made_and_computed_the_largest_province_first(two_provinces):
    run = service.recompute(period=2020, full=True)
    chunks = list(run.chunks.order_by("pk").values_list("province_code", "households"))
    assert chunks == [("64", 160), ("15", 120)]  # Ningxia has more surveys, though 15 sorts first


def test_each_chunk_rolls_up_its_province_and_a_province_without_surveys_gets_coverage_rows():
    _, (v1, v2, _) = township_with_villages()
    county_15 = Region.objects.filter(level=3, code__startswith="15").order_by("code").values_list("code", flat=True)[0]
    households_write([Row(v1, 1, wage=10 * 1000, persons=10), Row(v2, 1, wage=2 * 9000, persons=2)], period=2020)
    households_write([Row(county_15, 1, wage=9000, persons=1), Row(county_15, 2, wage=9000, persons=1)], period=2019)
    run = service.recompute(period=2020, full=True)
    assert list(run.chunks.values_list("province_code", flat=True)) == ["64"]  # no survey of 2020 in 15
    rows = {r.region.code: r for r in RegionScore.objects.of_run(run).select_related("region")}
    ningxia, inner_mongolia = rows["64"], rows["15"]
    assert (ningxia.households, ningxia.persons, ningxia.headcount_ratio) == (2, 12, pytest.approx(10 / 12))
    assert ningxia.coverage == 1.0
    # Inner Mongolia: two registered households, none surveyed in 2020: a row with coverage 0, no measures
    assert (inner_mongolia.households, inner_mongolia.coverage, inner_mongolia.headcount_ratio) == (0, 0.0, None)
    assert rows[county_15].households == 0 and rows[county_15].coverage == 0.0
    again = service.recompute(period=2020, full=True)
    assert checksum(again) == checksum(run)


def test_a_change_to_the_year_before_dirties_the_period(two_provinces):
    service.recompute(period=2020)
    changes_mark(province_code="15", periods=[2019])
    run = service.recompute(period=2020)
    assert {c.province_code for c in run.chunks.filter(copied=False)} == {"15"}


def test_a_failed_chunk_leaves_the_previous_run_current(two_provinces, monkeypatch):
    good = service.recompute(period=2020)

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(score, "chunk_score", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        service.recompute(period=2020, full=True)
    assert service.current_run(period=2020) == good
    failed = ComputationRun.objects.exclude(pk=good.pk).get()
    assert failed.status == ComputationRun.Status.FAILED and "disk full" in failed.error
    assert not RegionScore.objects.of_run(failed).exists()


def test_no_poverty_line_for_the_period_is_a_clear_error():
    _, (v1, _, _) = township_with_villages()
    households_write([Row(v1, 1, wage=9000, persons=1)], period=2035)
    with pytest.raises(service.RecomputeError, match="No national poverty line for 2035"):
        service.recompute(period=2035)
    with pytest.raises(service.RecomputeError, match="No household surveys in 2036"):
        households_write([], period=2036) or service.recompute(period=2036)


def test_a_methodology_used_by_a_run_cannot_change():
    _, (v1, _, _) = township_with_villages()
    households_write([Row(v1, 1, wage=9000, persons=1)], period=2020)
    run = service.recompute(period=2020)
    methodology = Methodology.objects.get(pk=run.methodology_id)
    assert methodology.locked_at is not None
    methodology.parameters = {**methodology.parameters, "mpi_k": 0.5}
    with translation.override("en"), pytest.raises(ValidationError, match="create a new version"):
        methodology.save()
    methodology.refresh_from_db()
    methodology.name = "renamed"
    methodology.save()  # describing it is fine


def test_household_flags_reasons_and_af_bits_are_stored():
    _, (v1, _, _) = township_with_villages()
    households_write([Row(v1, 1, wage=2000, persons=1, guarantees=False)], period=2020)
    run = service.recompute(period=2020)
    household = HouseholdScore.objects.of_run(run).get()
    # 2,000 < z_m = 1.5 x 3,309: below the monitoring line; deprived in all six guarantees and income
    assert household.flagged and "below_monitoring_line" in household.reasons
    assert household.deprivations == 2 ** len(score.AF_INDICATORS) - 1
    assert household.deprivation_score == pytest.approx(1.0)
    assert household.category == "ex_poor_unstable"  # registered poor in 2014 (builder)
    region = RegionScore.objects.of_run(run).get(region__code=v1)
    assert region.mpi_h == 1.0 and region.mpi_m0 == pytest.approx(1.0) and region.mpi_a == pytest.approx(1.0)
    assert region.mpi_contributions["income"] == pytest.approx(1 / 7)
    assert region.flagged_share == 1.0 and region.flagged_households == 1


def test_recompute_command_reports_the_run(capsys):
    _, (v1, _, _) = township_with_villages()
    households_write([Row(v1, 1, wage=9000, persons=1)], period=2020)
    call_command("recompute", "--period", "2020", verbosity=0)
    out = capsys.readouterr().out
    assert "period 2020, methodology v1, 1 province(s) computed, 0 reused, 1 households" in out
    call_command("recompute", "--period", "2020", verbosity=0)
    out = capsys.readouterr().out
    run = ComputationRun.objects.get()
    assert f"nothing changed since run {run.pk} (period 2020, methodology v1): it stays current, no new run" in out
    with pytest.raises(CommandError, match="Unknown methodology 'v9'"):
        call_command("recompute", "--period", "2020", "--methodology", "v9")
    with pytest.raises(CommandError, match="No survey period 2019"):
        call_command("recompute", "--period", "2019")


def test_json_fields_hold_json_and_every_component_has_its_column():
    _, (v1, _, _) = township_with_villages()
    households_write([Row(v1, 1, wage=9000, persons=2)], period=2020)
    run = service.recompute(period=2020)
    household = HouseholdScore.objects.of_run(run).get()
    assert set(household.components) == set(score.COMPONENTS)
    columns = {f.column for f in HouseholdScore._meta.concrete_fields}
    assert set(score.COMPONENTS) <= columns  # one column each
    assert isinstance(household.reasons, list)
    region = RegionScore.objects.of_run(run).get(region__code=v1)
    assert json.dumps(region.flagged_by_category)


def test_a_period_whose_households_all_have_no_members_publishes_data_errors():
    _, (v1, _, _) = township_with_villages()
    households_write([Row(v1, 1, wage=9000, persons=0), Row(v1, 2, wage=5000, persons=0)], period=2020)
    run = service.recompute(period=2020)
    assert run.status == ComputationRun.Status.PUBLISHED
    errors = set(HouseholdScore.objects.of_run(run).values_list("data_error", flat=True))
    assert errors == {"household size 0"}
    village = RegionScore.objects.of_run(run).get(region__code=v1)
    assert village.households == 0 and village.eqi is None and village.headcount_ratio is None


def test_removing_every_survey_of_a_period_replaces_the_current_run_with_an_empty_one():
    _, (v1, _, _) = township_with_villages()
    households_write([Row(v1, 1, wage=9000, persons=2)], period=2020)
    first = service.recompute(period=2020)
    HouseholdSurvey.objects.filter(period_id=2020).delete()
    changes_mark(province_code="64", periods=[2020])
    empty = service.recompute(period=2020)
    assert service.current_run(period=2020) == empty != first
    assert not HouseholdScore.objects.of_run(empty).exists()
    village = RegionScore.objects.of_run(empty).get(region__code=v1)
    assert (village.households, village.eqi, village.coverage) == (0, None, 0.0)


def test_negative_income_keeps_gini_and_rmpg_within_bounds():
    _, (v1, _, _) = township_with_villages()
    households_write(
        [Row(v1, 1, wage=0, persons=1), Row(v1, 2, wage=1000, persons=1), Row(v1, 3, wage=9000, persons=1)],
        period=2020,
    )
    # a business's loss (wages cannot be negative)
    HouseholdSurvey.objects.filter(household__registry_number=f"{v1}0001").update(net_operating_income=-5_000_000)
    region = RegionScore.objects.of_run(service.recompute(period=2020)).get(region__code=v1)
    # incomes censored at 0 for the Gini: laeken's Gini of (0, 1000, 9000) with equal weights
    assert region.gini == pytest.approx(poverty.gini([0.0, 1000.0, 9000.0]))
    assert 0 <= region.gini <= 1 and 0 <= region.relative_median_poverty_gap <= 1
    assert region.exit_check is None  # 3 households: too few to judge


def test_unknown_provinces_are_refused():
    _, (v1, _, _) = township_with_villages()
    households_write([Row(v1, 1, wage=9000, persons=1)], period=2020)
    with pytest.raises(service.RecomputeError, match="No household surveys of 2020 in province\\(s\\) 6211, 99"):
        service.recompute(period=2020, provinces=["99", "6211"])


def test_a_failed_roll_up_marks_the_run_failed_and_unlocks_an_unused_methodology(monkeypatch):
    _, (v1, _, _) = township_with_villages()
    households_write([Row(v1, 1, wage=9000, persons=1)], period=2020)
    monkeypatch.setattr(service.rollup, "rollup", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        service.recompute(period=2020)
    run = ComputationRun.objects.get()
    assert run.status == ComputationRun.Status.FAILED and "ZeroDivisionError" in run.error
    assert Methodology.objects.get(pk=run.methodology_id).locked_at is None


def test_of_two_overlapping_runs_the_newer_stays_current_whichever_publishes_last(two_provinces):
    older = service.run_create(period=2020, full=True)
    newer = service.run_create(period=2020, full=True)
    for run in (newer, older):  # the newer run finishes first
        for chunk in run.chunks.all():
            service.chunk_compute(chunk_id=chunk.pk)
        service.run_publish(run_id=run.pk)
    older.refresh_from_db()
    newer.refresh_from_db()
    assert service.current_run(period=2020) == newer
    assert older.status == ComputationRun.Status.PUBLISHED and not older.is_current
    assert checksum(older) == checksum(newer)  # the same data: published all the same
    third = service.recompute(period=2020, full=True)  # a later run still takes over
    assert service.current_run(period=2020) == third


def test_stale_planner_statistics_are_refreshed_before_a_run(postgresql):
    from indicators.services import store

    table = HouseholdSurvey._meta.db_table
    assert store.statistics_refresh([table], changed_share=-1.0) == [table]  # every table counts as stale
    assert set(service.INPUT_TABLES) >= {table, "households_memberstatus", "regions_region"}


def test_member_counts_per_household_of_the_period_and_sizes_of_the_two_before():
    _, (v1, _, _) = township_with_villages()
    # a: 3 present in 2020, 2 of its 3 in 2019, no status in 2018; b: 2 in 2020, statuses but none present in 2018
    a, b = households_write([Row(v1, 1, wage=9000, persons=3), Row(v1, 2, wage=9000, persons=2)], period=2020)
    households_write([Row(v1, 1, wage=8000, persons=2)], period=2019)
    households_write([Row(v1, 2, wage=7000, persons=0)], period=2018)
    members = inputs.members_read(provinces=[v1[:2]], period=2020).set_index("household_id")
    assert members.loc[a.pk, ["size", "dependants", "labour_capable", "employed_labour", "employed"]].tolist() == [
        3,
        2,  # the two aged 10
        3,
        1,  # only the head works
        1,
    ]
    assert members.loc[a.pk, "head_schooling"] == Member.YEARS_OF_SCHOOLING["junior"]
    assert members.loc[a.pk, "size_prev1"] == 2
    assert np.isnan(members.loc[a.pk, "size_prev2"])  # no status that period
    assert members.loc[b.pk, "size"] == 2
    assert np.isnan(members.loc[b.pk, "size_prev1"])
    assert members.loc[b.pk, "size_prev2"] == 0  # statuses, none present
