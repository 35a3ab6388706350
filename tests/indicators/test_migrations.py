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
