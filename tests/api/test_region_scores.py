"""``/api/v1/region-scores/``: fields, filters, 400s, suppression, scoping, ETag, CSV and the cache."""

import csv
import io
import json

import pytest
from django.core.cache import cache
from django.utils import timezone

from indicators.models import Methodology, RegionScore
from indicators.selectors import REGION_SCORE_FIELDS
from indicators.serializers import RegionScoreOutputSerializer
from regions.models import Region
from tests.api.conftest import (
    COUNTY_A,
    COUNTY_B,
    TOWNSHIP_A,
    TOWNSHIP_B,
    VILLAGE_A,
    VILLAGE_B,
    client_for,
    run_publish,
    scores_write,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/region-scores/"
COUNTY_C = "640423"

A_VALUES = {
    "d1_income": 61.5,
    "d2_resilience": 70.25,
    "d3_public_services": 88.0,
    "d4_industry": 40.0,
    "eqi": 62.1,
    "headcount_ratio": 0.025,
    "poverty_gap": 0.005,
    "poverty_severity": 0.001,
    "headcount_ratio_monitoring": 0.08,
    "poverty_gap_monitoring": 0.02,
    "poverty_severity_monitoring": 0.007,
    "mpi_h": 0.12,
    "mpi_a": 0.4,
    "mpi_m0": 0.048,
    "gini": 0.31,
    "s80_s20": 4.2,
    "flagged_share": 0.06,
    "mean_vulnerability": 0.18,
    "households": 1200,
    "persons": 4800,
    "coverage": 0.97,
    "exit_check": True,
}


@pytest.fixture
def run2020():
    """Run 2020: Ningxia, prefecture 6404, counties A (1,200 households), B (7: a small cell) and C
    (200: B's complement, hidden with it so that 6404 minus A does not give B), the townships and
    villages of A and B, and 北京市 市辖区 (1101)."""
    run = run_publish(period=2020)
    scores_write(
        run,
        {
            "64": {"eqi": 60.0, "households": 5000},
            "6404": {"eqi": 59.0, "households": 1407},
            COUNTY_A: A_VALUES,
            COUNTY_C: {"eqi": 57.0, "households": 200},
            COUNTY_B: {"eqi": 55.0, "headcount_ratio": 0.2, "households": 7, "persons": 30},
            TOWNSHIP_A: {"eqi": 63.0, "households": 300},
            TOWNSHIP_B: {"eqi": 54.0, "households": 7},
            VILLAGE_A: {"eqi": 64.0, "households": 3, "headcount_ratio": 0.0},
            VILLAGE_B: {"eqi": 53.0, "households": 7},
            "1101": {"eqi": 80.0},
        },
    )
    return run


def rows(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content
    return {row["region"]: row for row in response.json()["results"]}


def test_a_row_has_every_field_of_design_section_7_with_its_value(run2020):
    body = client_for().get(URL, {"period": 2020, "region": COUNTY_A}).json()
    assert body["count"] == 1 and body["next"] is None
    (row,) = body["results"]
    assert tuple(row) == REGION_SCORE_FIELDS == tuple(RegionScoreOutputSerializer().fields)
    assert {k: row[k] for k in A_VALUES} == A_VALUES
    assert (row["region"], row["name"], row["level"], row["period"]) == (COUNTY_A, "西吉县", 3, 2020)
    assert (row["run"], row["methodology"], row["suppressed"]) == (run2020.pk, "v1", False)
    # one form in the whole API (config.formats.datetime_iso): ISO 8601 to the second, the +08:00 offset
    assert row["computed_at"] == timezone.localtime(run2020.finished_at).isoformat(timespec="seconds")
    assert row["computed_at"].endswith("+08:00")


def test_public_sees_counties_and_above_with_small_cells_suppressed(run2020):
    found = rows(client_for().get(URL, {"period": 2020, "region": "64"}))
    assert set(found) == {"64", "6404", COUNTY_A, COUNTY_B, COUNTY_C}  # no township, no village
    assert found[COUNTY_C]["suppressed"] is True and found[COUNTY_C]["eqi"] is None  # B's complement
    b = found[COUNTY_B]
    assert b["suppressed"] is True and b["name"] == "原州区" and b["level"] == 3
    assert all(b[f] is None for f in ("eqi", "headcount_ratio", "households", "persons", "coverage", "exit_check"))
    assert found[COUNTY_A]["eqi"] == 62.1 and found[COUNTY_A]["suppressed"] is False


def test_official_of_county_a_sees_its_townships_and_villages_but_not_county_bs(run2020, people):
    found = rows(client_for(people["official_a"]).get(URL, {"period": 2020, "region": "6404"}))
    assert set(found) == {"6404", COUNTY_A, COUNTY_B, COUNTY_C, TOWNSHIP_A, VILLAGE_A}
    # in scope: a village of 3 households shows its numbers; outside: county B stays suppressed
    assert found[VILLAGE_A]["eqi"] == 64.0 and found[VILLAGE_A]["headcount_ratio"] == 0.0
    assert found[VILLAGE_A]["suppressed"] is False
    assert found[COUNTY_B]["suppressed"] is True and found[COUNTY_B]["eqi"] is None
    # asking for county B's subtree by name reveals nothing below the public level
    assert set(rows(client_for(people["official_a"]).get(URL, {"region": TOWNSHIP_B}))) == set()


def test_a_token_reads_the_same_scope_and_a_user_without_assignments_reads_the_public_rows(run2020, people):
    found = rows(client_for(people["api_a"], token=True).get(URL, {"period": 2020, "level": 5}))
    assert set(found) == {VILLAGE_A}
    assert rows(client_for(people["outsider"]).get(URL, {"level": 4})) == {}
    admin = rows(client_for(people["admin"]).get(URL, {"level": 5}))
    assert set(admin) == {VILLAGE_A, VILLAGE_B} and admin[VILLAGE_B]["eqi"] == 53.0  # no suppression


def test_a_prefecture_named_shixiaqu_takes_its_province_name(run2020):
    assert rows(client_for().get(URL, {"region": "1101"}))["1101"]["name"] == "北京市 市辖区"


def test_level_and_tag_filters(run2020):
    assert set(rows(client_for().get(URL, {"level": 3}))) == {COUNTY_A, COUNTY_B, COUNTY_C}
    # western_province sits on the provinces; its counties carry it through their province
    western = rows(client_for().get(URL, {"tag": "western_province", "level": 3}))
    assert set(western) == {COUNTY_A, COUNTY_B, COUNTY_C}
    assert set(rows(client_for().get(URL, {"tag": "western_province", "level": 2}))) == {"6404"}
    assert "1101" not in rows(client_for().get(URL, {"tag": "western_province"}))


def test_time_series_without_period_and_only_current_runs(run2020):
    old = run_publish(period=2019)
    scores_write(old, {COUNTY_A: {"eqi": 50.0}})
    superseded = run_publish(period=2019)  # the 2019 run above is no longer served
    scores_write(superseded, {COUNTY_A: {"eqi": 51.0}})
    series = client_for().get(URL, {"region": COUNTY_A}).json()["results"]
    assert [(r["period"], r["eqi"], r["run"]) for r in series] == [
        (2019, 51.0, superseded.pk),
        (2020, 62.1, run2020.pk),
    ]
    assert [r["eqi"] for r in client_for().get(URL, {"region": COUNTY_A, "period": 2019}).json()["results"]] == [51.0]
    assert client_for().get(URL, {"period": 2018}).json()["results"] == []


def test_methodology_parameter_picks_that_methodologys_current_run(run2020):
    v2 = Methodology.objects.create(version="v2", name="relative", parameters={})
    scores_write(run_publish(period=2020, methodology=v2), {COUNTY_A: {"eqi": 70.0}})
    assert rows(client_for().get(URL, {"region": COUNTY_A}))[COUNTY_A]["eqi"] == 62.1  # default v1
    v2_row = rows(client_for().get(URL, {"region": COUNTY_A, "methodology": "v2"}))[COUNTY_A]
    assert (v2_row["eqi"], v2_row["methodology"]) == (70.0, "v2")


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"colour": "red"}, "colour", "Unknown query parameter"),
        ({"period": "2020.5"}, "period", "valid integer"),
        ({"period": "1800"}, "period", "greater than or equal to 1980"),
        ({"level": "x"}, "level", "valid integer"),
        ({"region": "999999"}, "region", "No region with code 999999"),
        ({"region": "64/01"}, "region", "Codes are 1-40"),
        ({"tag": "nope"}, "tag", "No tag nope"),
        ({"scheme": "nowhere"}, "scheme", "No tree named nowhere"),
        ({"methodology": "v9"}, "methodology", "No methodology v9"),
        ({"format": "xml"}, "format", "One of: json, csv"),
        ({"page_size": "0"}, "page_size", "A whole number from 1 to 5000"),
    ],
)
def test_unknown_parameters_and_bad_values_are_400_naming_the_parameter(run2020, params, field, message):
    response = client_for().get(URL, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in str(response.json()[field])


def test_etag_and_304_round_trip_and_a_new_run_changes_it(run2020, django_assert_num_queries):
    client = client_for()
    first = client.get(URL, {"period": 2020, "level": 3})
    etag = first["ETag"]
    assert etag.startswith('"') and "public" in first["Cache-Control"] and "Cookie" in first["Vary"]
    with django_assert_num_queries(1) as captured:  # the current runs only
        again = client.get(URL, {"period": 2020, "level": 3}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert "regionscore" not in captured.captured_queries[0]["sql"]
    assert client.get(URL, {"period": 2020, "level": 3}, HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304
    assert client.get(URL, {"period": 2020, "level": 2}, HTTP_IF_NONE_MATCH=etag).status_code == 200
    scores_write(run_publish(period=2020), {COUNTY_A: {"eqi": 10.0}})
    fresh = client.get(URL, {"period": 2020, "level": 3}, HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag and rows(fresh)[COUNTY_A]["eqi"] == 10.0


def test_etag_depends_on_the_callers_scope_and_scoped_answers_are_private(run2020, people):
    public = client_for().get(URL, {"period": 2020})
    official = client_for(people["official_a"]).get(URL, {"period": 2020})
    assert official["ETag"] != public["ETag"] and "private" in official["Cache-Control"]
    again = client_for(people["official_a"]).get(URL, {"period": 2020}, HTTP_IF_NONE_MATCH=official["ETag"])
    assert again.status_code == 304
    assert client_for().get(URL, {"period": 2020}, HTTP_IF_NONE_MATCH=official["ETag"]).status_code == 200


def test_csv_has_a_bom_the_same_rows_and_codes_as_text():
    tree = Region.objects.create(code="007", scheme="testtree", name="Bond", level=1, path="/007/")
    run = run_publish(period=2020)
    scores_write(run, {tree.code: {"eqi": 42.5, "exit_check": None}, COUNTY_A: A_VALUES})
    response = client_for().get(URL, {"scheme": "all", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="region-scores.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(table[0]) == list(REGION_SCORE_FIELDS)
    bond, county = {row["region"]: row for row in table}["007"], {row["region"]: row for row in table}[COUNTY_A]
    assert (bond["name"], bond["eqi"], bond["exit_check"], bond["suppressed"]) == ("Bond", "42.5", "", "false")
    assert float(county["gini"]) == 0.31 and county["exit_check"] == "true" and county["households"] == "1200"
    assert client_for().get(URL, {"format": "csv"}, HTTP_ACCEPT="text/csv").status_code == 200


def test_national_county_payload_is_rendered_once_per_run_and_served_from_the_cache(run2020, django_assert_num_queries):
    client = client_for()
    first = client.get(URL, {"period": 2020, "level": 3})
    with django_assert_num_queries(1) as captured:  # the current runs; no RegionScore query
        second = client.get(URL, {"period": 2020, "level": 3})
    assert "regionscore" not in captured.captured_queries[0]["sql"]
    assert second.content == first.content and second["ETag"] == first["ETag"]
    RegionScore.objects.of_run(run2020).filter(region__code=COUNTY_A).update(
        eqi=1.0
    )  # the cache keeps the run's payload
    assert rows(client.get(URL, {"period": 2020, "level": 3}))[COUNTY_A]["eqi"] == 62.1
    scores_write(run_publish(period=2020), {COUNTY_A: {"eqi": 33.0}})  # a new run: a new key
    assert rows(client.get(URL, {"period": 2020, "level": 3}))[COUNTY_A]["eqi"] == 33.0


def test_public_payload_is_compressed_once_and_served_gzipped_to_clients_that_accept_it(run2020):
    import gzip

    client = client_for()
    plain = client.get(URL, {"period": 2020, "level": 3})
    assert not plain.has_header("Content-Encoding")
    for _ in range(2):  # built and stored, then from the cache
        zipped = client.get(URL, {"period": 2020, "level": 3}, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
        assert gzip.decompress(zipped.content) == plain.content
    assert zipped["ETag"] == "W/" + plain["ETag"]
    again = client.get(
        URL, {"period": 2020, "level": 3}, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=zipped["ETag"]
    )
    assert again.status_code == 304
    # a province's counties (a public query with a region) is cached and compressed too
    province = client.get(URL, {"period": 2020, "region": "64"}, HTTP_ACCEPT_ENCODING="gzip")
    assert province["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(province.content))["count"] >= 1


def test_csv_payload_is_cached_apart_from_json(run2020):
    client = client_for()
    json_body = client.get(URL, {"period": 2020, "level": 3}).content
    csv_body = client.get(URL, {"period": 2020, "level": 3, "format": "csv"}).content
    assert json_body.startswith(b"{") and csv_body.startswith(b"\xef\xbb\xbf")


def test_every_county_of_a_period_comes_in_one_request():
    counties = list(Region.objects.filter(scheme="cn", level=3).values_list("code", flat=True))
    assert len(counties) == 2978
    scores_write(run_publish(period=2020), {code: {"eqi": 50.0} for code in counties})
    body = client_for().get(URL, {"period": 2020, "level": 3}).json()
    assert body["count"] == 2978 and len(body["results"]) == 2978 and body["next"] is None


@pytest.mark.parametrize("persona", [None, "official_a", "admin"])
def test_query_count_is_the_same_for_10_and_100_rows(people, persona, django_assert_num_queries):
    counties = list(Region.objects.filter(level=3, province_code="15").order_by("code").values_list("code", flat=True))
    assert len(counties) >= 100
    run = run_publish(period=2020)
    client = client_for(people[persona] if persona else None)
    # runs, (the assignments), the suppression pattern (not for a superuser), tag, count, rows, their rank bands
    expected = {None: 6, "official_a": 7, "admin": 5}[persona]
    for n in (10, 100):
        RegionScore.objects.of_run(run).delete()
        scores_write(run, {code: {"eqi": 50.0} for code in counties[:n]})
        with django_assert_num_queries(expected + 1):  # and the region's path
            body = client.get(URL, {"period": 2020, "tag": "western_province", "region": "15", "level": 3}).json()
        assert body["count"] == len(body["results"]) == n
        with django_assert_num_queries(expected - 1 - (persona != "admin")):  # no tag; the pattern is cached
            assert len(client.get(URL, {"period": 2020, "level": 3, "page_size": 200}).json()["results"]) == n
        cache.clear()


def test_region_scores_serve_every_measure_of_the_indicator_registry():
    from indicators.registry import INDICATORS

    missing = [i.code for i in INDICATORS if i.code not in REGION_SCORE_FIELDS]
    assert missing == []
    assert set(REGION_SCORE_FIELDS) == set(RegionScoreOutputSerializer().fields)


@pytest.mark.parametrize("query", ["region=", "tag=", "period=&level=3", "region=%20"])
def test_an_empty_parameter_is_a_400_not_the_whole_country(query):
    response = client_for().get(f"{URL}?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    name = query.split("=")[0]
    assert response.json()[name] == ["An empty value: give one or leave the parameter out."]


def test_cached_public_page_links_name_each_callers_host(run2020):
    """The rendered public payload is cached, but its ``next`` link is absolute: a second caller on
    another host name must get a link to its own host, not the first caller's."""
    first = client_for().get(URL, {"page_size": 1}, HTTP_HOST="localhost").json()
    second = client_for().get(URL, {"page_size": 1}, HTTP_HOST="127.0.0.1").json()
    assert first["next"].startswith("http://localhost/api/v1/region-scores/?")
    assert second["next"].startswith("http://127.0.0.1/api/v1/region-scores/?")
    assert first["results"] == second["results"]
