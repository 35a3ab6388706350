"""/api/v1/imports/: dry run, commit, report, undo, rejected rows and templates, scoped by persona."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from households.models import Household, ImportBatch
from regions.models import Assignment, Region, Role

VILLAGE_A = "640422100002"
VILLAGE_B = "640422100004"


@pytest.fixture
def personas(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    def persona(name, role=None, code=None):
        user = User.objects.create_user(name)
        if role:
            Assignment.objects.create(user=user, role=role, region=Region.objects.get(code=code))
        client = APIClient()
        if role == Role.API_CLIENT:
            client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        else:
            client.force_authenticate(user)
        return client

    return {
        "clerk_a": persona("clerk-a", Role.CLERK, VILLAGE_A),
        "clerk_b": persona("clerk-b", Role.CLERK, VILLAGE_B),
        "official": persona("official", Role.OFFICIAL, "6404"),
        "api_client": persona("api", Role.API_CLIENT, "640422"),
        "outsider": persona("outsider"),
        "anonymous": APIClient(),
    }


def _upload(client, rows: str, dry_run: bool = True):
    data = f"registry_number,village_code,registration_year\n{rows}".encode()
    return client.post(
        "/api/v1/imports/",
        {"file": SimpleUploadedFile("h.csv", data), "kind": "households", "period": 2020, "dry_run": dry_run},
        format="multipart",
    )


@pytest.mark.django_db
def test_dry_run_then_commit_then_undo_through_the_api(personas):
    clerk = personas["clerk_a"]
    response = _upload(clerk, f"{VILLAGE_A}0001,{VILLAGE_A},2014\n")
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["rows_new"], body["problems"]) == ("validated", 1, [])
    assert Household.objects.count() == 0
    committed = clerk.post(f"/api/v1/imports/{body['id']}/commit/").json()
    assert committed["status"] == "committed" and Household.objects.count() == 1
    assert clerk.post(f"/api/v1/imports/{body['id']}/undo/").json()["status"] == "undone"
    assert Household.objects.count() == 0


@pytest.mark.django_db
def test_rejected_upload_reports_every_problem_and_gives_the_annotated_rows(personas):
    clerk = personas["clerk_a"]
    body = _upload(clerk, f"{VILLAGE_A}0001,{VILLAGE_A},20x4\n{VILLAGE_B}0001,{VILLAGE_B},2014\n", dry_run=False).json()
    assert body["status"] == "rejected" and body["rows_rejected"] == 2
    assert [(p["row"], p["column"]) for p in body["problems"]] == [
        (2, "registration_year"),
        (3, "registry_number"),  # its village is outside the clerk's regions (whether it exists or not)
        (3, "village_code"),
    ]
    assert Household.objects.count() == 0
    # the problems in the language of the request
    response = clerk.get(f"/api/v1/imports/{body['id']}/rejected.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["行 row", "registry_number", "village_code", "registration_year", "问题 problems"]
    assert rows[1][:4] == [2, f"{VILLAGE_A}0001", VILLAGE_A, "20x4"] and "registration_year" in rows[1][4]
    assert rows[2][0] == 3 and "outside your assigned regions" in rows[2][4]
    assert clerk.post(f"/api/v1/imports/{body['id']}/commit/").status_code == 409


@pytest.mark.django_db
def test_import_routes_by_persona(personas):
    batch_id = _upload(personas["clerk_a"], f"{VILLAGE_A}0001,{VILLAGE_A},2014\n").json()["id"]
    for name in ("clerk_b", "official", "api_client", "outsider"):
        client = personas[name]
        assert client.get(f"/api/v1/imports/{batch_id}/").status_code == 404, name
        assert client.get(f"/api/v1/imports/{batch_id}/rejected.xlsx").status_code == 404, name
        assert client.post(f"/api/v1/imports/{batch_id}/undo/").status_code in (403, 404), name
        assert client.get("/api/v1/imports/").json() == [], name
    for name in ("official", "api_client", "outsider"):
        assert _upload(personas[name], f"{VILLAGE_A}0002,{VILLAGE_A},2014\n").status_code == 403, name
    anonymous = personas["anonymous"]
    assert anonymous.get(f"/api/v1/imports/{batch_id}/").status_code in (401, 403)
    assert _upload(anonymous, f"{VILLAGE_A}0002,{VILLAGE_A},2014\n").status_code in (401, 403)
    assert ImportBatch.objects.count() == 1


@pytest.mark.django_db
def test_templates_are_public_in_csv_and_xlsx(personas):
    anonymous = personas["anonymous"]
    csv = anonymous.get("/api/v1/imports/templates/members.csv")
    assert csv.status_code == 200 and csv.content.decode("utf-8-sig").startswith(
        "户编号 registry_number,成员序号 member_no"
    )
    xlsx = anonymous.get("/api/v1/imports/templates/village-surveys.xlsx")
    assert load_workbook(io.BytesIO(xlsx.content))["data"]["A1"].value == "村代码 village_code"
    assert anonymous.get("/api/v1/imports/templates/nope.csv").status_code == 400
