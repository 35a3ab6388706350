"""``/api/v1/surveys/``: household surveys, scoped, cursor-paginated, filtered by region and period."""

import csv
import io

import pytest

from households.models import Household, HouseholdSurvey, SurveyPeriod
from regions.models import Region
from tests.api.conftest import COUNTY_A, RESIDENT_ID, VILLAGE_A, VILLAGE_B, client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/surveys/"


def test_anonymous_is_refused_and_each_persona_sees_its_scope(households_a_b, people):
    assert client_for().get(URL).status_code in (401, 403)
    assert client_for(people["outsider"]).get(URL).json()["results"] == []
    rows = client_for(people["official_a"]).get(URL).json()["results"]
    assert [r["registry_number"] for r in rows] == [f"{VILLAGE_A}****"]  # masked for an official
    row = rows[0]
    assert (row["region"], row["period"], row["wage_income"], row["relief_transfers"]) == (
        VILLAGE_A,
        2020,
        12345.5,
        800.0,
    )
    assert row["sampling_weight"] == 1.0 and row["food_secure"] is None and row["job_loss"] is False
    everyone = client_for(people["admin"]).get(URL).json()["results"]
    assert [r["registry_number"] for r in everyone] == [f"{VILLAGE_B}0001", f"{VILLAGE_A}0001"]
    token = client_for(people["api_a"], token=True).get(URL, {"format": "csv"})
    body = token.content.decode("utf-8-sig")
    assert token.content.startswith(b"\xef\xbb\xbf") and f"{VILLAGE_A}****" in body and VILLAGE_B not in body
    assert f"{VILLAGE_A}0001" not in body
    assert RESIDENT_ID not in body and "张三" not in body
    assert next(csv.DictReader(io.StringIO(body)))["wage_income"] == "12345.50"  # the stored decimal, as text


def test_filters_and_bad_values(households_a_b, people):
    client = client_for(people["admin"])
    SurveyPeriod.objects.get_or_create(year=2019)
    HouseholdSurvey.objects.create(household=households_a_b[0], period_id=2019, wage_income=100)
    assert [r["period"] for r in client.get(URL, {"region": COUNTY_A}).json()["results"]] == [2019, 2020]
    assert [r["region"] for r in client.get(URL, {"period": 2020}).json()["results"]] == [VILLAGE_B, VILLAGE_A]
    for params in ({"region": "999"}, {"period": "x"}, {"colour": "red"}, {"page": "1"}, {"page_size": "0"}):
        response = client.get(URL, params)
        assert response.status_code == 400 and next(iter(params)) in response.json(), params


def test_cursor_pages_and_query_count_is_the_same_for_10_and_100_rows(people, django_assert_num_queries):
    SurveyPeriod.objects.get_or_create(year=2020)
    village = Region.objects.get(code=VILLAGE_A)
    client = client_for(people["official_a"])
    for n in (10, 100):
        Household.objects.filter(region=village).delete()
        households = Household.objects.bulk_create(
            Household(registry_number=f"{VILLAGE_A}{i:04d}", region=village) for i in range(1, n + 1)
        )
        HouseholdSurvey.objects.bulk_create(HouseholdSurvey(household=h, period_id=2020) for h in households)
        with django_assert_num_queries(3):  # the assignments, the clerk/admin assignments, one page
            assert len(client.get(URL, {"page_size": 1000}).json()["results"]) == n
    first = client.get(URL, {"page_size": 60}).json()
    assert first["next"] and first["previous"] is None
    second = client.get(first["next"]).json()
    numbers = [r["registry_number"] for r in first["results"] + second["results"]]
    assert numbers == [f"{VILLAGE_A}****"] * 100 and second["next"] is None  # masked: the serial hidden
    walked = [r["household"] for r in first["results"] + second["results"]]
    # masked for the official: in the order of the public ids, not of the serials the mask hides
    in_order = Household.objects.filter(region=village).order_by("public_id").values_list("public_id", flat=True)
    assert walked == [str(p) for p in in_order] and "id" not in first["results"][0]
