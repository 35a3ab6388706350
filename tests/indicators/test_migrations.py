"""Data migrations: existing rows keep their values both ways."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("indicators", "0005_warning_cases")]
AFTER = [("indicators", "0006_household_score_component_columns")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_household_score_components_move_from_json_to_columns_and_back():
    apps = _migrate(BEFORE)
    Score = apps.get_model("indicators", "HouseholdScore")
    common = {"region_id": 1, "province_code": "62", "persons": 2, "weight": 1.0, "reasons": []}
    Score.objects.create(run_id=1, household_id=1, components={"c_adequacy": 63.09, "c_growth": None}, **common)
    Score.objects.create(run_id=1, household_id=2, components={}, **common)

    apps = _migrate(AFTER)
    Score = apps.get_model("indicators", "HouseholdScore")
    first, second = Score.objects.order_by("household_id")
    assert first.c_adequacy == pytest.approx(63.09)
    assert first.c_growth is None and first.c_village_industry is None
    assert second.c_adequacy is None

    apps = _migrate(BEFORE)
    Score = apps.get_model("indicators", "HouseholdScore")
    first = Score.objects.get(household_id=1)
    assert first.components["c_adequacy"] == pytest.approx(63.09)
    assert first.components["c_growth"] is None
    Score.objects.all().delete()
    _migrate(AFTER)


@pytest.mark.django_db(transaction=True)
def test_methodology_v1_description_changes_only_where_still_as_seeded():
    import importlib

    seeded = importlib.import_module("indicators.migrations.0009_methodology_v1_description")
    before, after = (
        [("indicators", "0008_household_score_unique_household_first")],
        [("indicators", "0009_methodology_v1_description")],
    )
    apps = _migrate(before)
    apps.get_model("indicators", "Methodology").objects.update_or_create(
        version="v1", defaults={"name": "v1", "description": seeded.OLD, "parameters": {}}
    )
    apps = _migrate(after)
    methodology = apps.get_model("indicators", "Methodology")
    assert methodology.objects.get(version="v1").description == seeded.NEW and "DESIGN" not in seeded.NEW
    methodology.objects.filter(version="v1").update(description="Our county's own words.")
    apps = _migrate(before)  # backwards: a text someone edited stays as it is
    assert (
        apps.get_model("indicators", "Methodology").objects.get(version="v1").description == "Our county's own words."
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    _migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_runs_rows_become_snapshots_in_their_manifest_and_go_back():
    before = [("indicators", "0011_region_score_uncertainty")]
    after = [("indicators", "0013_score_partitions")]
    apps = _migrate(before)
    SurveyPeriod = apps.get_model("households", "SurveyPeriod")
    Region = apps.get_model("regions", "Region")
    SurveyPeriod.objects.get_or_create(year=2020)
    province, made_64 = Region.objects.get_or_create(
        code="64", defaults={"name": "宁夏", "level": 1, "path": "/64/", "province_code": "64"}
    )
    other, made_15 = Region.objects.get_or_create(
        code="15", defaults={"name": "内蒙古", "level": 1, "path": "/15/", "province_code": "15"}
    )
    methodology, _ = apps.get_model("indicators", "Methodology").objects.get_or_create(
        version="v1", defaults={"name": "v1", "parameters": {}}
    )
    run = apps.get_model("indicators", "ComputationRun").objects.create(
        period_id=2020, methodology=methodology, status="published", is_current=True
    )
    apps.get_model("indicators", "RunChunk").objects.create(run=run, province_code="64", households=2, status="done")
    Score = apps.get_model("indicators", "HouseholdScore")
    common = {"run_id": run.pk, "region_id": province.pk, "province_code": "64", "persons": 2, "weight": 1.0}
    Score.objects.create(household_id=1, eqi=40.0, **common)
    Score.objects.create(household_id=2, eqi=60.0, **common)
    Regions = apps.get_model("indicators", "RegionScore")
    Regions.objects.create(run_id=run.pk, region_id=province.pk, period_id=2020, level=1, households=2, eqi=50.0)
    Regions.objects.create(run_id=run.pk, region_id=other.pk, period_id=2020, level=1, households=0)

    apps = _migrate(after)
    Run = apps.get_model("indicators", "ComputationRun")
    manifest = {s.province_code: s for s in Run.objects.get(pk=run.pk).snapshots.all()}
    assert set(manifest) == {"64", ""} and manifest["64"].households == 2
    Score = apps.get_model("indicators", "HouseholdScore")
    assert sorted(Score.objects.filter(snapshot=manifest["64"]).values_list("eqi", "period_id")) == [
        (40.0, 2020),
        (60.0, 2020),
    ]
    Regions = apps.get_model("indicators", "RegionScore")
    assert Regions.objects.get(snapshot=manifest["64"]).eqi == 50.0
    assert Regions.objects.get(snapshot=manifest[""]).region_id == other.pk  # outside the chunks: the rest
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT tableoid::regclass::text FROM indicators_householdscore")
            assert cursor.fetchall() == [("indicators_householdscore_p2020",)]

    apps = _migrate(before)
    Score = apps.get_model("indicators", "HouseholdScore")
    assert sorted(Score.objects.filter(run_id=run.pk).values_list("eqi", flat=True)) == [40.0, 60.0]
    assert apps.get_model("indicators", "RegionScore").objects.filter(run_id=run.pk).count() == 2
    for model in ("HouseholdScore", "RegionScore", "RunChunk", "ComputationRun"):
        apps.get_model("indicators", model).objects.all().delete()
    Region.objects.filter(pk__in=[r.pk for r, made in ((province, made_64), (other, made_15)) if made]).delete()
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    _migrate(executor.loader.graph.leaf_nodes())
