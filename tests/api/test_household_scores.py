"""``/api/v1/household-scores/`` and ``/api/v1/early-warning/``: scoped, no names or resident IDs,
cursor pagination in a stable order, filters, ETag, CSV and query counts."""

import csv
import io
from urllib.parse import parse_qs, urlparse

import pytest

from households.models import Household
from indicators.models import HouseholdScore
from tests.api.conftest import (
    COUNTY_A,
    RESIDENT_ID,
    TOWNSHIP_A,
    VILLAGE_A,
    VILLAGE_B,
    client_for,
    household_scores_write,
    run_publish,
)

pytestmark = pytest.mark.django_db
SCORES, WARNINGS = "/api/v1/household-scores/", "/api/v1/early-warning/"
VILLAGE_A2 = "640422100200"  # another village of township A


@pytest.fixture
def scored(households_a_b):
    """Run 2020: household A1 (flagged: below the line, vulnerable), A2 in another village of township A
    (flagged: shock), A3 (not flagged), and B1 in county B (flagged)."""
    run = run_publish(period=2020)
    household_scores_write(
        run,
        [
            {
                "village": VILLAGE_A,
                "number": 1,
                "income": 3000.0,
                "margin": 0.75,
                "vulnerability": 0.81,
                "eqi": 35.5,
                "flagged": True,
                "reasons": ["below_monitoring_line", "vulnerable"],
                "category": "near_poor_at_risk",
            },
            {
                "village": VILLAGE_A2,
                "number": 1,
                "margin": 0.3,
                "vulnerability": 0.2,
                "flagged": True,
                "reasons": ["shock"],
                "category": "sudden_hardship",
            },
            {"village": VILLAGE_A, "number": 3, "margin": 2.5, "vulnerability": 0.05, "eqi": 80.0},
            {
                "village": VILLAGE_B,
                "number": 1,
                "margin": 0.5,
                "vulnerability": 0.9,
                "flagged": True,
                "reasons": ["vulnerable"],
            },
        ],
    )
    return run


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["registry_number"] for row in response.json()["results"]]


def test_anonymous_is_refused_and_an_outsider_sees_nothing(scored, people):
    for url in (SCORES, WARNINGS):
        assert client_for().get(url).status_code in (401, 403)
        assert numbers(client_for(people["outsider"]).get(url)) == []


def test_official_of_county_a_sees_county_a_only_without_names_or_resident_ids(scored, people):
    client = client_for(people["official_a"])
    response = client.get(SCORES)
    # an official sees registry numbers masked (the village code and the last two characters)
    assert numbers(response) == [f"{VILLAGE_A}****", f"{VILLAGE_A}****", f"{VILLAGE_A2}****"]
    rows = {row["household"]: row for row in response.json()["results"]}  # the household by its public id
    household = Household.objects.get(registry_number=f"{VILLAGE_A}0001")
    first = rows[str(household.public_id)]
    assert "id" not in first and first["region"] == VILLAGE_A and first["period"] == 2020
    assert (first["income"], first["margin"], first["vulnerability"], first["eqi"]) == (3000.0, 0.75, 0.81, 35.5)
    assert first["reasons"] == ["below_monitoring_line", "vulnerable"] and first["category"] == "near_poor_at_risk"
    third = rows[str(Household.objects.get(registry_number=f"{VILLAGE_A}0003").public_id)]
    assert third["category"] is None and third["reasons"] == []
    for url in (SCORES, WARNINGS):
        for fmt in ("json", "csv"):
            body = client.get(url, {"format": fmt}).content.decode("utf-8-sig")
            assert RESIDENT_ID not in body and RESIDENT_ID[:6] + "1980" not in body and "张三" not in body
            assert VILLAGE_B not in body and f"{VILLAGE_A}0001" not in body
    # a token of the same county reads the same rows; asking for county B's village gives nothing
    assert numbers(client_for(people["api_a"], token=True).get(WARNINGS)) == [f"{VILLAGE_A}****", f"{VILLAGE_A2}****"]
    assert numbers(client.get(WARNINGS, {"region": VILLAGE_B})) == []
    assert numbers(client_for(people["admin"]).get(WARNINGS, {"region": VILLAGE_B})) == [f"{VILLAGE_B}0001"]


def test_early_warning_orders_by_risk_and_filters_by_village_reason_and_category(scored, people):
    client = client_for(people["admin"])
    assert numbers(client.get(WARNINGS)) == [f"{VILLAGE_B}0001", f"{VILLAGE_A}0001", f"{VILLAGE_A2}0001"]
    assert numbers(client.get(WARNINGS, {"ordering": "margin"})) == [
        f"{VILLAGE_A2}0001",  # 0.3 x the monitoring line
        f"{VILLAGE_B}0001",
        f"{VILLAGE_A}0001",
    ]
    assert numbers(client.get(WARNINGS, {"ordering": "registry_number"})) == [
        f"{VILLAGE_B}0001",  # 640402… sorts before 640422…
        f"{VILLAGE_A}0001",
        f"{VILLAGE_A2}0001",
    ]
    assert numbers(client.get(WARNINGS, {"village": VILLAGE_A})) == [f"{VILLAGE_A}0001"]
    assert numbers(client.get(WARNINGS, {"region": TOWNSHIP_A, "reason": "shock"})) == [f"{VILLAGE_A2}0001"]
    assert numbers(client.get(WARNINGS, {"reason": "vulnerable"})) == [f"{VILLAGE_B}0001", f"{VILLAGE_A}0001"]
    assert numbers(client.get(WARNINGS, {"category": "sudden_hardship"})) == [f"{VILLAGE_A2}0001"]
    row = client.get(WARNINGS, {"village": VILLAGE_A}).json()["results"][0]
    assert set(row) == {
        "household",
        "registry_number",
        "village",
        "village_name",
        "period",
        "run",
        "persons",
        "income",
        "margin",
        "vulnerability",
        "category",
        "reasons",
    }
    assert (row["village"], row["margin"], row["category"]) == (VILLAGE_A, 0.75, "near_poor_at_risk")
    assert numbers(client.get(SCORES, {"flagged": "false", "region": COUNTY_A})) == [f"{VILLAGE_A}0003"]


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        (WARNINGS, {"reason": "bored"}, "reason"),
        (WARNINGS, {"ordering": "name"}, "ordering"),
        (WARNINGS, {"village": "000"}, "village"),
        (WARNINGS, {"page": "2"}, "page"),
        (SCORES, {"region": "nowhere"}, "region"),
        (SCORES, {"period": "twenty"}, "period"),
        (SCORES, {"cursor": "not-a-cursor"}, "cursor"),
        (SCORES, {"page_size": "1001"}, "page_size"),
        (SCORES, {"format": "xlsx"}, "format"),
    ],
)
def test_bad_parameters_are_400(scored, people, url, params, field):
    response = client_for(people["admin"]).get(url, params)
    assert response.status_code == 400 and field in response.json(), response.content


def test_a_forged_cursor_position_is_400_not_500(scored, people):
    import base64

    cursor = base64.b64encode(b"p=not-a-number").decode()
    response = client_for(people["admin"]).get(WARNINGS, {"cursor": cursor})
    assert response.status_code == 400 and "cursor" in response.json()


def _walk(client, url, params) -> list[dict]:
    """Every row, following the next links."""
    seen, response = [], client.get(url, params)
    while True:
        body = response.json()
        seen += body["results"]
        if not body["next"]:
            return seen
        cursor = parse_qs(urlparse(body["next"]).query)["cursor"][0]
        response = client.get(url, {**params, "cursor": cursor})


def test_cursor_pages_walk_every_row_once_in_risk_order_even_with_ties(households_a_b, people):
    run = run_publish(period=2020)
    vulnerabilities = [0.9, 0.5, 0.5, 0.5, None, 0.7, 0.5, None, 0.1, 0.3, 0.5, 0.95]
    household_scores_write(
        run,
        [
            {"village": VILLAGE_A, "number": i + 10, "vulnerability": v, "flagged": True, "reasons": ["vulnerable"]}
            for i, v in enumerate(vulnerabilities * 2)
        ],
    )
    client = client_for(people["official_a"])
    rows = _walk(client, WARNINGS, {"page_size": 5})
    assert len(rows) == 24 and len({r["household"] for r in rows}) == 24
    risks = [-1 if r["vulnerability"] is None else r["vulnerability"] for r in rows]
    assert risks == sorted(risks, reverse=True) and rows[-1]["vulnerability"] is None
    by_number = _walk(client, SCORES, {"page_size": 7})
    # masked for the official: by village and public id, not by the serial the mask hides
    assert [r["household"] for r in by_number] == sorted(r["household"] for r in by_number)
    assert len(by_number) == 24  # household A1 (households_a_b) has no score in this run
    # the previous link goes back to the first page
    second = client.get(
        WARNINGS,
        {
            "page_size": 5,
            "cursor": parse_qs(urlparse(client.get(WARNINGS, {"page_size": 5}).json()["next"]).query)["cursor"][0],
        },
    ).json()
    back = client.get(
        WARNINGS, {"page_size": 5, "cursor": parse_qs(urlparse(second["previous"]).query)["cursor"][0]}
    ).json()
    assert [r["household"] for r in back["results"]] == [r["household"] for r in rows[:5]]


def test_etag_304_and_private_cache_control(scored, people):
    client = client_for(people["official_a"])
    first = client.get(WARNINGS)
    assert "private" in first["Cache-Control"] and first["ETag"]
    assert client.get(WARNINGS, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client_for(people["admin"]).get(WARNINGS, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_csv_export_of_the_warning_list(scored, people):
    response = client_for(people["official_a"]).get(WARNINGS, {"format": "csv"})
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Disposition"] == 'attachment; filename="early-warning.csv"'
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["registry_number"], r["reasons"]) for r in table] == [
        (f"{VILLAGE_A}****", "below_monitoring_line; vulnerable"),  # the JSON keeps the array
        (f"{VILLAGE_A2}****", "shock"),
    ]


@pytest.mark.parametrize(("url", "persona"), [(SCORES, "official_a"), (WARNINGS, "official_a"), (WARNINGS, "admin")])
def test_query_count_is_the_same_for_10_and_100_rows(households_a_b, people, url, persona, django_assert_num_queries):
    run = run_publish(period=2020)
    client = client_for(people[persona])
    expected = {"official_a": 4, "admin": 2}[persona]  # runs, (the read and the clerk/admin assignments), one page
    for n in (10, 100):
        HouseholdScore.objects.of_run(run).delete()
        household_scores_write(
            run,
            [
                {"village": VILLAGE_A, "number": i + 1, "vulnerability": i / 200, "flagged": True, "reasons": ["shock"]}
                for i in range(n)
            ],
        )
        with django_assert_num_queries(expected):
            assert len(client.get(url, {"page_size": 1000}).json()["results"]) == n
