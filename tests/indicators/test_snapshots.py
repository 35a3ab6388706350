"""Runs as manifests of snapshots (issue 16): nothing copied, a night without change makes no run,
the score tables partitioned by period, and the retention of snapshots no run serves."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F
from django.utils import timezone
from rest_framework.test import APIClient

from households.models import HouseholdSurvey
from households.services.registry import changes_mark
from indicators import tasks
from indicators.models import ComputationRun, HouseholdScore, Methodology, RegionScore, RunChunk, ScoreSnapshot
from indicators.services import partitions, retention
from indicators.services import recompute as service
from regions.models import Region
from tests.indicators.builders import Row, households_write, served
from tests.indicators.test_recompute import checksum

pytestmark = pytest.mark.django_db

REGION_SCORES = "/api/v1/region-scores/"
HOUSEHOLD_SCORES = "/api/v1/household-scores/"


def _manifest(run: ComputationRun) -> dict[str, int]:
    return {s.province_code: s.pk for s in run.snapshots.all()}


def test_a_night_without_change_makes_no_run_and_the_api_answers_the_same(two_provinces):
    for year in (2018, 2019):  # every open period has its current run
        service.recompute(period=year)
    run = service.recompute(period=2020)
    root = get_user_model().objects.create_superuser("root", password="pw")
    client = APIClient()
    client.force_authenticate(root)
    before = {url: client.get(url, {"period": 2020, "page_size": 1000}) for url in (REGION_SCORES, HOUSEHOLD_SCORES)}
    assert before[REGION_SCORES].json()["count"] > 0
    assert len(before[HOUSEHOLD_SCORES].json()["results"]) == 280

    assert service.run_create(period=2020) is None
    assert tasks.recompute_nightly() == []  # the beat task: no run, nothing sent
    assert service.recompute(period=2020).pk == run.pk
    assert ComputationRun.objects.count() == 3 and ScoreSnapshot.objects.filter(period_id=2020).count() == 3

    for url, answer in before.items():
        again = client.get(url, {"period": 2020, "page_size": 1000})
        assert again["ETag"] == answer["ETag"] and again.content == answer.content
        assert (
            client.get(url, {"period": 2020, "page_size": 1000}, HTTP_IF_NONE_MATCH=answer["ETag"]).status_code == 304
        )


def test_a_superseded_line_is_a_change_even_without_new_data(two_provinces):
    from indicators.models import PovertyLine

    run = service.recompute(period=2020)
    line = PovertyLine.objects.get(year=2020, line_type="national", province_code="", superseded_at__isnull=True)
    PovertyLine.objects.filter(pk=line.pk).update(superseded_at=timezone.now())
    PovertyLine.objects.create(year=2020, line_type="national", value=line.value + 100)
    new = service.recompute(period=2020)
    assert new.pk != run.pk and new.full and set(_manifest(new).values()).isdisjoint(_manifest(run).values())


def test_one_changed_province_gets_a_new_snapshot_and_the_others_keep_theirs(two_provinces):
    first = service.recompute(period=2020)
    rows_before = HouseholdScore.objects.count()
    edited = HouseholdSurvey.objects.filter(household__region__code=two_provinces[1], period_id=2020)
    assert edited.update(wage_income=F("wage_income") + 500) == 40
    changes_mark(province_code="64", periods=[2020])
    second = service.recompute(period=2020)
    old, new = _manifest(first), _manifest(second)
    assert set(old) == set(new) == {"64", "15", ""}
    assert new["15"] == old["15"]  # the same snapshot: not a row copied
    assert new["64"] != old["64"] and new[""] != old[""]
    assert HouseholdScore.objects.count() == rows_before + 160  # Ningxia's 160 households, once more
    # the first run's manifest is untouched and still serves its numbers
    assert HouseholdScore.objects.of_run(first).count() == HouseholdScore.objects.of_run(second).count() == 280
    assert checksum(second) == checksum(service.recompute(period=2020, full=True))
    snapshot = ScoreSnapshot.objects.get(pk=new["64"])
    assert snapshot.run_id == second.pk and snapshot.households == 160
    assert snapshot.input_version.startswith("changes:") and snapshot.input_version != "changes:0"


def test_a_change_outside_the_surveyed_provinces_reuses_every_chunk_and_renews_the_coverage(two_provinces):
    first = service.recompute(period=2020)
    county = Region.objects.filter(level=3, code__startswith="65").order_by("code").first()
    households_write([Row(county.code, 1, wage=9000, persons=1)], period=2019)  # no 2020 survey in 65
    changes_mark(province_code="65", periods=[2019])
    run = service.run_create(period=2020)
    assert run is not None and not run.chunks.exclude(status=RunChunk.Status.DONE).exists()
    assert all(c.copied for c in run.chunks.all())
    run = service.run_publish(run_id=run.pk)
    assert run.is_current and not ComputationRun.objects.get(pk=first.pk).is_current
    xinjiang = RegionScore.objects.of_run(run).get(region__code="65")
    assert (xinjiang.households, xinjiang.coverage) == (0, 0.0)  # one registered household, none surveyed
    assert not RegionScore.objects.of_run(first).filter(region__code="65").exists()


def test_the_previous_manifest_serves_until_the_run_publishes(two_provinces):
    first = service.recompute(period=2020)
    changes_mark(province_code="15", periods=[2020])
    run = service.run_create(period=2020)
    for chunk in run.chunks.exclude(status=RunChunk.Status.DONE):
        service.chunk_compute(chunk_id=chunk.pk)
    assert service.current_run(period=2020) == first
    assert not run.snapshots.exists()  # the manifest is written at publish
    service.run_publish(run_id=run.pk)
    assert service.current_run(period=2020).pk == run.pk


@pytest.mark.postgresql
def test_scores_are_written_to_their_periods_partition_and_a_new_period_gets_one(two_provinces, postgresql):
    assert partitions.partitioned()
    service.recompute(period=2020)
    service.recompute(period=2019)
    with connection.cursor() as cursor:
        for table in partitions.TABLES:
            cursor.execute(
                f"SELECT tableoid::regclass::text, period_id, COUNT(*) FROM {table} GROUP BY 1, 2 ORDER BY 2"
            )
            found = {(name, period) for name, period, _ in cursor.fetchall()}
            assert found == {(f"{table}_p2019", 2019), (f"{table}_p2020", 2020)}
    names = {name for name, period in partitions.partitions() if period in (2019, 2020)}
    assert names == {f"{t}_p{y}" for t in partitions.TABLES for y in (2019, 2020)}


@pytest.mark.postgresql
def test_rows_in_the_default_partition_move_into_their_new_partition(postgresql):
    run = ComputationRun.objects.create(period_id=_period(2031), methodology=Methodology.objects.get(is_default=True))
    snapshot = served(run)
    region = Region.objects.get(code="64")
    RegionScore.objects.create(snapshot=snapshot, region=region, period_id=2031, level=1, households=3)
    table = RegionScore._meta.db_table
    assert _where(table, 2031) == f"{table}_default"
    assert partitions.partition_ensure(2031) == [f"{HouseholdScore._meta.db_table}_p2031", f"{table}_p2031"]
    assert _where(table, 2031) == f"{table}_p2031"
    assert RegionScore.objects.of_run(run).get().households == 3
    assert partitions.partition_ensure(2031) == []


@pytest.mark.postgresql
def test_a_period_partition_can_be_detached_and_the_other_periods_are_still_served(two_provinces, postgresql):
    run2020 = service.recompute(period=2020)
    run2019 = service.recompute(period=2019)
    served_2019 = checksum(run2019)
    with connection.cursor() as cursor:
        for table in partitions.TABLES:
            cursor.execute(f"ALTER TABLE {table} DETACH PARTITION {table}_p2020")
            cursor.execute(f"SELECT COUNT(*) FROM {table}_p2020")
            assert cursor.fetchone()[0] > 0  # the period's rows, now a table of their own
    assert not HouseholdScore.objects.of_run(run2020).exists()
    assert checksum(run2019) == served_2019


def test_retention_deletes_only_what_no_manifest_references(two_provinces):
    first = service.recompute(period=2020)
    changes_mark(province_code="64", periods=[2020])
    second = service.recompute(period=2020)
    served_now = checksum(second)
    failed = service.run_create(period=2020, full=True)
    service.chunk_compute(chunk_id=failed.chunks.get(province_code="15").pk)
    service.run_fail(run_id=failed.pk, error="killed")

    # within the retention the first run keeps its manifest; the failed run's snapshot is removed
    out = retention.snapshots_prune(keep_days=30)
    assert out == {"manifests": 0, "snapshots": 1, "household_rows": 120, "region_rows": out["region_rows"]}
    assert out["region_rows"] > 0
    assert HouseholdScore.objects.of_run(first).count() == 280

    # a month later the first run drops its manifest: its own Ningxia and coverage snapshots go
    later = timezone.now() + dt.timedelta(days=31)
    out = retention.snapshots_prune(keep_days=30, now=later)
    assert (out["manifests"], out["snapshots"], out["household_rows"]) == (1, 2, 160)
    assert "manifest_pruned_at" in ComputationRun.objects.get(pk=first.pk).notes
    assert not first.snapshots.exists() and checksum(second) == served_now
    assert ScoreSnapshot.objects.count() == 3  # the current run's: 64 and 15 (shared with the first), rest
    assert retention.snapshots_prune(keep_days=0) == {
        "manifests": 0,
        "snapshots": 0,
        "household_rows": 0,
        "region_rows": 0,
    }
    with pytest.raises(ValueError, match="0 or more"):
        retention.snapshots_prune(keep_days=-1)


def test_a_running_runs_snapshots_are_kept(two_provinces):
    service.recompute(period=2020)
    changes_mark(province_code="15", periods=[2020])
    running = service.run_create(period=2020)
    chunk = running.chunks.get(province_code="15")
    service.chunk_compute(chunk_id=chunk.pk)
    retention.snapshots_prune(keep_days=0)
    chunk.refresh_from_db()
    assert chunk.snapshot is not None and HouseholdScore.objects.filter(snapshot=chunk.snapshot).count() == 120
    service.run_publish(run_id=running.pk)


def _period(year: int) -> int:
    from households.models import SurveyPeriod

    SurveyPeriod.objects.get_or_create(year=year)
    return year


def _where(table: str, period: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT tableoid::regclass::text FROM {table} WHERE period_id = %s", [period])
        return cursor.fetchone()[0]
