"""Monitoring statuses (issue 13, finding 1): every path that changes one goes through one service.

Paths: the status route of the household page (by hand: a data clerk or admin of the village), the
warning workflow (``tests/indicators/test_warnings.py``), a households import and the Django admin.
"Risk eliminated" is reached only through the workflow's confirmation, and a monitored household
leaves monitoring only that way; dates are bounded (not before the first survey period, the
household's registration year or its latest status change, not in the future).
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from households.importing.commit import ImportRejected, import_commit, import_upload
from households.importing.fast import fast_stage
from households.importing.validate import import_validate
from households.models import ChangeLog, Household, MonitoringStatus, StatusChange
from regions.models import Assignment, Region, Role

VILLAGE_A, COUNTY_A = "640422100002", "640422"
ROOT = Path(__file__).resolve().parents[2]


def _user(name, role=None, code=None, **extra):
    account = User.objects.create_user(name, password="pw", **extra)
    if role:
        Assignment.objects.create(user=account, role=role, region=Region.objects.get(code=code))
    return account


@pytest.fixture
def world(db, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    village = Region.objects.get(code=VILLAGE_A)
    household = Household.objects.create(registry_number=f"{VILLAGE_A}0001", region=village, registration_year=2014)
    return {
        "household": household,
        "clerk": _user("clerk-a", Role.CLERK, VILLAGE_A),
        "admin": _user("admin-a", Role.ADMIN, COUNTY_A),
        "official": _user("official-a", Role.OFFICIAL, COUNTY_A),
        "root": _user("root", is_superuser=True, is_staff=True),
    }


def url_id(household):
    """The household's id in page addresses: its public id where households have one (issue 13, finding
    4, on another branch), else its key."""
    return household.public_id


def _post(client, household, status, on, reason="visited"):
    url = reverse("households:status-change", args=[url_id(household)])
    return client.post(url, {"status": status, "changed_on": on, "reason": reason}, follow=True)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _state(household) -> tuple[str, list[tuple[str, str]]]:
    household.refresh_from_db()
    changes = household.status_changes.order_by("changed_on", "id").values_list("status", "changed_on")
    return household.monitoring_status, [(s, d.isoformat()) for s, d in changes]


# --- the status route ---------------------------------------------------------------------------


def test_status_route_refuses_risk_eliminated_from_a_clerk_and_changes_nothing(client, world):
    household = world["household"]
    client.force_login(world["clerk"])
    _post(client, household, "near_poor_at_risk", "2021-03-01")
    ChangeLog.objects.all().delete()
    response = _post(client, household, "risk_eliminated", timezone.localdate().isoformat(), "income is fine")
    assert response.status_code == 200  # back on the household page, with the reason
    assert any("only through the warning workflow" in m for m in _messages(response)), _messages(response)
    assert _state(household) == ("near_poor_at_risk", [("near_poor_at_risk", "2021-03-01")])
    assert not ChangeLog.objects.exists()


def test_status_route_refuses_risk_eliminated_from_an_admin_and_a_superuser(client, world):
    """Admins confirm risk elimination too, but on the warning case, where its rules are checked."""
    household = world["household"]
    for who in ("admin", "root"):
        client.force_login(world[who])
        response = _post(client, household, "risk_eliminated", timezone.localdate().isoformat())
        assert any("only through the warning workflow" in m for m in _messages(response)), who
    assert _state(household) == ("none", [])


def test_status_route_refuses_leaving_monitoring_by_hand(client, world):
    household = world["household"]
    client.force_login(world["clerk"])
    _post(client, household, "sudden_hardship", "2021-03-01")
    response = _post(client, household, "none", "2021-04-01")
    assert any("leaves monitoring only through the warning workflow" in m for m in _messages(response))
    _post(client, household, "near_poor_at_risk", "2021-05-01")  # another monitored group: by hand
    assert _state(household) == (
        "near_poor_at_risk",
        [("sudden_hardship", "2021-03-01"), ("near_poor_at_risk", "2021-05-01")],
    )


def test_status_route_refuses_dates_out_of_bounds(client, world):
    household = world["household"]  # registered in 2014
    client.force_login(world["clerk"])
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    refused = {
        "9999-12-31": "cannot be in the future",
        tomorrow: "cannot be in the future",
        "2013-12-31": "cannot be before Jan. 1, 2014, the start of the household's registration year",
    }
    for on, message in refused.items():
        response = _post(client, household, "near_poor_at_risk", on)
        assert any(message in m for m in _messages(response)), (on, _messages(response))
    Household.objects.filter(pk=household.pk).update(registration_year=None)
    response = _post(client, household, "near_poor_at_risk", "1979-12-31")
    assert any("cannot be before Jan. 1, 1980, the start of the first survey period" in m for m in _messages(response))
    assert _state(household) == ("none", [])
    _post(client, household, "near_poor_at_risk", "2014-01-01")
    response = _post(client, household, "sudden_hardship", "2013-06-01")
    assert any("before the household's latest status change (Jan. 1, 2014)" in m for m in _messages(response))
    _post(client, household, "sudden_hardship", "2014-01-01")  # the same day as the latest: fine
    assert _state(household) == (
        "sudden_hardship",
        [("near_poor_at_risk", "2014-01-01"), ("sudden_hardship", "2014-01-01")],
    )


def test_status_route_answers_403_to_an_official_and_404_outside_scope(client, world):
    household = world["household"]
    client.force_login(world["official"])
    url = reverse("households:status-change", args=[url_id(household)])
    assert client.post(url, {"status": "near_poor_at_risk", "changed_on": "2021-03-01"}).status_code == 403
    client.force_login(_user("clerk-b", Role.CLERK, "640422100004"))
    assert client.post(url, {"status": "near_poor_at_risk", "changed_on": "2021-03-01"}).status_code == 404
    assert _state(household) == ("none", [])


def test_status_form_offers_only_the_statuses_set_by_hand(client, world):
    client.force_login(world["clerk"])
    page = client.get(reverse("households:detail", args=[url_id(world["household"])]))
    offered = [value for value, _label in page.context["status_form"].fields["status"].widget.choices]
    assert offered == ["none", "ex_poor_unstable", "near_poor_at_risk", "sudden_hardship"]


# --- the service ----------------------------------------------------------------------------------


def test_status_service_checks_roles_paths_and_dates(world):
    from households.services import status as service  # here: the other tests run on a tree without it

    household, today = world["household"], timezone.localdate()
    change = service.monitoring_status_change(
        household=household, status="near_poor_at_risk", on=today, reason="found", user=world["clerk"]
    )
    assert (change.status, change.changed_on, change.recorded_by) == ("near_poor_at_risk", today, world["clerk"])
    assert Household.objects.get(pk=household.pk).monitoring_status == "near_poor_at_risk"
    with pytest.raises(ValidationError, match="only through the warning workflow"):
        service.monitoring_status_change(
            household=household, status="risk_eliminated", on=today, reason="x", user=world["admin"]
        )
    with pytest.raises(PermissionDenied):  # the confirmation is not a clerk's
        service.monitoring_status_change(
            household=household,
            status="risk_eliminated",
            on=today,
            reason="x",
            user=world["clerk"],
            path=service.CONFIRMATION,
        )
    with pytest.raises(PermissionDenied):  # an official does not record statuses by hand
        service.monitoring_status_change(
            household=household, status="sudden_hardship", on=today, reason="x", user=world["official"]
        )
    with pytest.raises(ValidationError, match="start of the case's survey period"):
        service.monitoring_status_change(
            household=household,
            status="sudden_hardship",
            on=dt.date(2019, 12, 31),
            reason="x",
            user=world["official"],
            path=service.VERIFICATION,
            period=2020,
        )
    assert Household.objects.get(pk=household.pk).monitoring_status == "near_poor_at_risk"
    assert StatusChange.objects.count() == 1


def test_status_change_dates_are_bounded_in_the_database(world):
    """9999-12-31 cannot be stored whatever writes it (a check constraint: 1980-01-01 to 2100-12-31)."""
    for day in (dt.date(9999, 12, 31), dt.date(1979, 12, 31)):
        with pytest.raises(IntegrityError), transaction.atomic():
            StatusChange.objects.create(household=world["household"], status="near_poor_at_risk", changed_on=day)
    assert not StatusChange.objects.exists()


def test_a_household_save_cannot_change_its_monitoring_status_outside_the_service(world):
    from households.services import status as service

    household = Household.objects.get(pk=world["household"].pk)
    household.monitoring_status = MonitoringStatus.RISK_ELIMINATED
    with pytest.raises(service.StatusWriteRefused):
        household.save()
    household.refresh_from_db()
    assert household.monitoring_status == "none"
    household.exit_year = 2020  # other fields save as before
    household.save()
    assert Household.objects.get(pk=household.pk).exit_year == 2020
    service.monitoring_status_change(  # meanwhile, through the service
        household=Household.objects.get(pk=household.pk),
        status="sudden_hardship",
        on=timezone.localdate(),
        reason="flood",
        user=world["clerk"],
    )
    household.exit_year = 2021  # an instance read before the change does not write the old status back
    household.save()
    stored = Household.objects.get(pk=household.pk)
    assert (stored.monitoring_status, stored.exit_year) == ("sudden_hardship", 2021)
    assert household.monitoring_status == "sudden_hardship"
    assert stored.history.first().monitoring_status == "sudden_hardship"  # nor into its history row
    household.refresh_from_db()
    household.save()


def test_only_the_status_service_writes_statuses_and_only_the_workflow_confirms(world):
    """The one service: no other module creates StatusChange rows, and only the warning workflow
    passes the confirmation path (where the proposal, six-month and proposer rules are checked)."""
    writers, confirmers = [], []
    for path in sorted(
        p for app in ("config", "households", "indicators", "regions") for p in (ROOT / app).rglob("*.py")
    ):
        relative = path.relative_to(ROOT).as_posix()
        if "/migrations/" in relative:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"(?<!class )StatusChange\(|StatusChange\.objects\.(bulk_)?create|status_changes\.create", text):
            writers.append(relative)
        if "CONFIRMATION" in text:
            confirmers.append(relative)
    assert writers == ["households/services/status.py"]
    assert sorted(confirmers) == ["households/services/status.py", "indicators/services/warnings.py"]


# --- imports --------------------------------------------------------------------------------------


def _households_file(*rows: str) -> bytes:
    return ("registry_number,village_code,monitoring_status\n" + "".join(r + "\n" for r in rows)).encode()


def test_import_cannot_change_an_existing_households_status_to_a_reserved_one(client, world, settings):
    household = world["household"]
    client.force_login(world["clerk"])
    _post(client, household, "near_poor_at_risk", "2021-03-01")
    data = _households_file(
        f"{VILLAGE_A}0001,{VILLAGE_A},risk_eliminated",
        f"{VILLAGE_A}0002,{VILLAGE_A},风险已消除",  # a new household may come with any status
    )
    for fast in (True, False):  # the PostgreSQL path never takes households files: the same report
        settings.TUOPIN_IMPORT_FAST_PATH = fast
        result = import_validate(data=data, filename="h.csv", kind="households", period=2020, user=world["clerk"])
        assert [(p.row, p.column, p.value) for p in result.problems] == [(2, "monitoring_status", "risk_eliminated")]
        assert "only through the warning workflow" in result.problems[0].message
        assert (result.new, result.rejected) == (1, 1)
    with transaction.atomic():
        assert fast_stage(data=data, filename="h.csv", kind="households", period=2020, user=None) is None
    batch, _validation = import_upload(data=data, filename="h.csv", kind="households", period=2020, user=world["clerk"])
    assert batch.status == "rejected"
    with pytest.raises(ImportRejected):
        import_commit(batch=batch, user=world["clerk"])
    assert _state(household) == ("near_poor_at_risk", [("near_poor_at_risk", "2021-03-01")])
    assert not Household.objects.filter(registry_number=f"{VILLAGE_A}0002").exists()


def test_import_cannot_take_an_existing_household_out_of_monitoring(client, world):
    household = world["household"]
    client.force_login(world["clerk"])
    _post(client, household, "sudden_hardship", "2021-03-01")
    leave = _households_file(f"{VILLAGE_A}0001,{VILLAGE_A},none")
    result = import_validate(data=leave, filename="h.csv", kind="households", period=2020, user=world["clerk"])
    assert [(p.row, p.column, p.value) for p in result.problems] == [(2, "monitoring_status", "none")]
    assert "leaves monitoring only through the warning workflow" in result.problems[0].message
    same = _households_file(f"{VILLAGE_A}0001,{VILLAGE_A},sudden_hardship", f"{VILLAGE_A}0003,{VILLAGE_A},")
    result = import_validate(data=same, filename="h.csv", kind="households", period=2020, user=world["clerk"])
    assert (result.problems, result.unchanged, result.new) == ([], 1, 1)
    other = _households_file(f"{VILLAGE_A}0001,{VILLAGE_A},near_poor_at_risk")  # another monitored group
    batch, validation = import_upload(data=other, filename="h.csv", kind="households", period=2020, user=world["clerk"])
    assert validation.problems == []
    import_commit(batch=batch, user=world["clerk"])
    assert Household.objects.get(pk=household.pk).monitoring_status == "near_poor_at_risk"


def test_import_says_nothing_of_the_status_of_a_household_outside_the_uploaders_regions(world):
    elsewhere = Household.objects.create(
        registry_number="6404221000040001", region=Region.objects.get(code="640422100004"), registration_year=2014
    )
    service_user = _user("clerk-b", Role.CLERK, "640422100004")
    from households.services import status as service

    service.monitoring_status_change(
        household=elsewhere, status="near_poor_at_risk", on=dt.date(2021, 3, 1), reason="x", user=service_user
    )
    data = _households_file("6404221000040001,640422100004,none")
    result = import_validate(data=data, filename="h.csv", kind="households", period=2020, user=world["clerk"])
    assert result.problems and {p.column for p in result.problems} <= {"village_code", "registry_number"}
    assert Household.objects.get(pk=elsewhere.pk).monitoring_status == "near_poor_at_risk"


# --- the admin ------------------------------------------------------------------------------------


def _admin_form(household, **changes) -> dict:
    data = {
        "registry_number": household.registry_number,
        "region": str(household.region_id),
        "registration_year": str(household.registration_year or ""),
        "exit_year": "",
        "poverty_causes": "[]",
        "import_batch": "",
    }
    return data | changes


def test_admin_cannot_change_the_monitoring_status(client, world):
    household = world["household"]
    client.force_login(world["root"])
    url = reverse("admin:households_household_change", args=[household.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="monitoring_status"' not in page.content.decode()  # read-only
    response = client.post(url, _admin_form(household, monitoring_status="risk_eliminated", exit_year="2020"))
    assert response.status_code == 302
    household.refresh_from_db()
    assert (household.monitoring_status, household.exit_year) == ("none", 2020)
    assert not StatusChange.objects.exists()


def test_admin_history_revert_cannot_restore_another_monitoring_status(client, world):
    """django-simple-history's revert form saves every field of the old version: not the status."""
    household = world["household"]
    client.force_login(world["clerk"])
    _post(client, household, "near_poor_at_risk", "2021-03-01")
    first = household.history.order_by("history_date").first()  # the version with status "none"
    assert first.monitoring_status == "none"
    client.force_login(world["root"])
    url = reverse("admin:households_household_simple_history", args=[household.pk, first.history_id])
    response = client.post(url, _admin_form(household, exit_year="2019", monitoring_status="none"))  # as shown
    assert response.status_code == 302
    household.refresh_from_db()
    assert (household.monitoring_status, household.exit_year) == ("near_poor_at_risk", 2019)
