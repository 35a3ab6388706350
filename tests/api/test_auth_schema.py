"""Token and session authentication, throttling, and the OpenAPI schema of the score endpoints."""

import pytest
import yaml
from django.http import HttpRequest
from rest_framework.test import APIClient

from config.api import UserThrottle
from indicators.api import RegionScoreListApi
from indicators.selectors import REGION_SCORE_FIELDS
from tests.api.conftest import COUNTY_A, TOWNSHIP_A, client_for, run_publish, scores_write

pytestmark = pytest.mark.django_db
URL = "/api/v1/region-scores/"


def test_session_login_and_token_both_read_the_scoped_rows(people):
    scores_write(run_publish(period=2020), {COUNTY_A: {"eqi": 50.0}, TOWNSHIP_A: {"eqi": 51.0}})
    session = APIClient()
    assert session.login(request=HttpRequest(), username="official-a", password="pw-official-a")  # axes needs it
    token = client_for(people["official_a"], token=True)
    bad_token = APIClient()
    bad_token.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")
    for client in (session, token):
        assert {r["region"] for r in client.get(URL, {"region": COUNTY_A}).json()["results"]} == {COUNTY_A, TOWNSHIP_A}
    refused = bad_token.get(URL, HTTP_ACCEPT_LANGUAGE="en")  # not read as anonymous
    assert refused.status_code == 401 and refused.json()["detail"] == "Invalid token."
    assert refused["WWW-Authenticate"] == "Token"
    anonymous = APIClient().get("/api/v1/household-scores/")
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"] == "Token"


def test_throttling_per_user_with_the_rate_from_the_settings(people, settings, monkeypatch):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "2/minute", "anon": None}}
    monkeypatch.setattr(RegionScoreListApi, "throttle_classes", [UserThrottle])
    official, outsider = client_for(people["official_a"]), client_for(people["outsider"])
    assert [official.get(URL).status_code for _ in range(3)] == [200, 200, 429]
    assert outsider.get(URL).status_code == 200  # counted per user
    assert client_for().get(URL).status_code == 200  # anonymous: counted by address, apart


def test_schema_describes_every_score_endpoint_with_json_and_csv():
    schema = yaml.safe_load(APIClient().get("/api/schema/").content)
    fields = schema["components"]["schemas"]["RegionScoreOutput"]["properties"]
    assert tuple(fields) == REGION_SCORE_FIELDS
    assert fields["eqi"]["nullable"] and fields["region"]["type"] == "string"
    for path in ("/api/v1/region-scores/", "/api/v1/household-scores/", "/api/v1/early-warning/", "/api/v1/surveys/"):
        operation = schema["paths"][path]["get"]
        assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/csv"}, path
        assert "400" in operation["responses"], path
        names = {p["name"] for p in operation["parameters"]}
        assert {"format", "period", "region", "page_size"} <= names, (path, names)
    region_params = {p["name"] for p in schema["paths"]["/api/v1/region-scores/"]["get"]["parameters"]}
    assert {"scheme", "level", "methodology", "tag", "page"} <= region_params
    warning_params = {p["name"] for p in schema["paths"]["/api/v1/early-warning/"]["get"]["parameters"]}
    assert {"village", "reason", "category", "ordering", "cursor"} <= warning_params


@pytest.mark.django_db
def test_an_api_path_that_matches_no_route_answers_json_404(client):
    response = client.get("/api/v1/regions/62%2F/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}
    page = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
