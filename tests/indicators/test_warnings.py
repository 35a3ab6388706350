"""The early-warning inbox and the warning workflow, on hand-made scores of two published runs.

Personas: the clerk of village A, the clerk of village B (same township), the official of the county,
an API client of the county, an outsider without assignment, and an anonymous visitor. Run 1 is the
previous published run of 2020, run 2 the current one (``previous`` = run 1).
"""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from openpyxl import load_workbook

from households.models import (
    ChangeLog,
    Household,
    HouseholdSurvey,
    Member,
    MemberStatus,
    StatusChange,
    SurveyPeriod,
)
from indicators.methods.scoring import DEFAULT_PARAMETERS
from indicators.models import ComputationRun, HouseholdScore, Methodology, WarningCase, WarningStep
from indicators.services import warnings as service
from regions.models import Assignment, Region, Role
from tests.indicators.builders import served

pytestmark = pytest.mark.django_db

VILLAGE_A, VILLAGE_B = "640422100002", "640422100004"
TOWNSHIP, COUNTY = "640422100", "640422"
OUTSIDE_VILLAGE = "640402001001"  # another county: never in the county official's scope


def _run(*, previous=None, current=True, finished_days_ago=300) -> ComputationRun:
    SurveyPeriod.objects.get_or_create(year=2020)
    methodology = Methodology.objects.filter(is_default=True).first() or Methodology.objects.create(
        version="v1-test", name="v1 for the warning tests", parameters=DEFAULT_PARAMETERS, is_default=True
    )  # the migration's v1, unless a transactional test emptied the table
    return ComputationRun.objects.create(
        period_id=2020,
        methodology=methodology,
        status=ComputationRun.Status.PUBLISHED,
        is_current=current,
        previous=previous,
        finished_at=timezone.now() - dt.timedelta(days=finished_days_ago),
    )


def _household(village: str, serial: int, *, labour: str = "full", guarantees: bool = True) -> Household:
    region = Region.objects.get(code=village)
    household = Household.objects.create(registry_number=f"{village}{serial:04d}", region=region)
    Member.objects.create(household=household, member_no=1, name="张三", labour_capacity=labour)
    HouseholdSurvey.objects.create(
        household=household,
        period_id=2020,
        wage_income=9000,
        **dict.fromkeys(HouseholdSurvey.GUARANTEE_FIELDS, guarantees),
    )
    return household


def _score(run, household, *, flagged=True, reasons=("vulnerable",), category="near_poor_at_risk", **values):
    values = {"margin": 1.2, "vulnerability": 0.6, "eqi": 50.0} | values
    return HouseholdScore.objects.create(
        snapshot=served(run),
        period_id=run.period_id,
        household=household,
        region=household.region,
        province_code="64",
        persons=1,
        weight=1.0,
        flagged=flagged,
        reasons=list(reasons) if flagged else [],
        category=category if flagged else "",
        **values,
    )


def _user(name, role=None, code=None):
    account = User.objects.create_user(name, password="pw")
    if role:
        Assignment.objects.create(user=account, role=role, region=Region.objects.get(code=code))
    return account


@pytest.fixture
def world(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    run1 = _run(current=False, finished_days_ago=400)
    run2 = _run(previous=run1)
    h = {
        "a1": _household(VILLAGE_A, 1),
        "a2": _household(VILLAGE_A, 2),
        "a3": _household(VILLAGE_A, 3, labour="none"),
        "b1": _household(VILLAGE_B, 1),
        "b2": _household(VILLAGE_B, 2),
        "out": _household(OUTSIDE_VILLAGE, 1),
    }
    # run 1: a1 and b1 flagged already
    _score(run1, h["a1"], vulnerability=0.7)
    _score(run1, h["b1"], vulnerability=0.5)
    _score(run1, h["a2"], flagged=False)
    # run 2 (current): hand-made values; risk order = v desc, then margin asc
    _score(run2, h["a1"], vulnerability=0.7, margin=1.1, eqi=40.0)  # 2nd (v 0.7, margin 1.1)
    # 1st (v 0.7, margin 0.8)
    _score(
        run2,
        h["a2"],
        reasons=("below_monitoring_line", "shock"),
        category="sudden_hardship",
        vulnerability=0.7,
        margin=0.8,
        eqi=30.5,
    )
    _score(run2, h["a3"], reasons=("vulnerable", "illness_disability"), vulnerability=0.55, margin=1.3)  # 4th
    _score(run2, h["b1"], reasons=("shock",), category="sudden_hardship", vulnerability=None, margin=0.9)  # 5th
    _score(run2, h["b2"], vulnerability=0.65, margin=1.05)  # 3rd, newly flagged
    _score(run2, h["out"], vulnerability=0.99)  # outside the township: never listed
    people = {
        "clerk_a": _user("clerk-a", Role.CLERK, VILLAGE_A),
        "clerk_b": _user("clerk-b", Role.CLERK, VILLAGE_B),
        "official": _user("official", Role.OFFICIAL, COUNTY),
        "api": _user("api", Role.API_CLIENT, COUNTY),
        "outsider": _user("outsider"),
    }
    return {"run1": run1, "run2": run2, "h": h, "people": people}


def inbox(code=TOWNSHIP, **query):
    return reverse("indicators:warnings", args=[code]) + ("?" + "&".join(f"{k}={v}" for k, v in query.items()))


def case_url(household, code=None):
    return reverse("indicators:warning-case", args=[code or household.region.code, household.public_id])


def step_url(household, code=None):
    return reverse("indicators:warning-step", args=[code or household.region.code, household.public_id])


def masked(household) -> str:
    return household.region.code + "****"


# --- inbox --------------------------------------------------------------------------------------


def test_inbox_lists_the_flagged_households_of_the_subtree_by_risk_masked(client, world):
    h = world["h"]
    client.force_login(world["people"]["official"])
    response = client.get(inbox())
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["household"] for r in rows] == [h[k].public_id for k in ("a2", "a1", "b2", "a3", "b1")]
    first = rows[0]
    assert first["registry"] == f"{VILLAGE_A}****" == masked(h["a2"])
    assert first["reasons"] == "income below the monitoring line, shock (disaster loss or job loss)"
    assert (first["category"], first["margin"], first["vulnerability"], first["eqi"]) == (
        "sudden severe hardship",
        0.8,
        0.7,
        30.5,
    )
    assert first["village"] == Region.objects.get(code=VILLAGE_A).name and first["state"] == "flagged"
    body = response.content.decode()
    for household in h.values():
        assert household.registry_number not in body  # masked everywhere
    assert "张三" not in body
    assert masked(h["out"]) not in body
    run = world["run2"]
    assert f"Period 2020 · methodology {run.methodology.version} · computed" in body
    with translation.override("en"):  # the page is in English: "March 1, 2026, 10:30 a.m."
        assert date_format(timezone.localtime(run.finished_at), "DATETIME_FORMAT") in body
    assert "/methodology/" in body


def test_inbox_filters_by_village_and_reason_and_sorts(client, world):
    h = world["h"]
    client.force_login(world["people"]["official"])
    ids = lambda response: [r["household"] for r in response.context["rows"]]  # noqa: E731
    assert ids(client.get(inbox(village=VILLAGE_B))) == [h["b2"].public_id, h["b1"].public_id]
    assert ids(client.get(inbox(reason="shock"))) == [h["a2"].public_id, h["b1"].public_id]
    assert ids(client.get(inbox(reason="illness_disability"))) == [h["a3"].public_id]
    assert ids(client.get(inbox(sort="margin"))) == [h[k].public_id for k in ("a2", "b1", "b2", "a1", "a3")]
    assert ids(client.get(inbox(sort="eqi"))) == [h[k].public_id for k in ("a2", "a1", "b2", "a3", "b1")]
    villages = client.get(inbox()).context["villages"]
    assert [code for code, _ in villages] == [VILLAGE_A, VILLAGE_B]
    assert client.get(inbox(reason="nonsense")).status_code == 400
    assert client.get(inbox(sort="name")).status_code == 400
    assert client.get(inbox(format="pdf")).status_code == 400
    assert client.get(inbox(period=2019)).status_code == 400  # no published scores: the 400 says so


def test_newly_flagged_view_keeps_households_not_flagged_in_the_previous_run(client, world):
    h = world["h"]
    client.force_login(world["people"]["official"])
    response = client.get(inbox(view="new"))
    # run 1 flagged a1 and b1; a2 was scored but not flagged, a3 and b2 not scored
    assert [r["household"] for r in response.context["rows"]] == [h[k].public_id for k in ("a2", "b2", "a3")]
    assert response.context["previous"] == world["run1"]
    # previous link missing (e.g. a run created before any was current): the latest published before it
    ComputationRun.objects.filter(pk=world["run2"].pk).update(previous=None)
    response = client.get(inbox(view="new", reason="shock"))
    assert [r["household"] for r in response.context["rows"]] == [h["a2"].public_id]


def test_inbox_scope_out_of_scope_is_404_and_anonymous_logs_in(client, world):
    h = world["h"]
    people = world["people"]
    client.force_login(people["clerk_b"])
    assert client.get(inbox(VILLAGE_A)).status_code == 404
    assert client.get(inbox(TOWNSHIP)).status_code == 404  # a village clerk does not see the township
    assert client.get(case_url(h["a1"], VILLAGE_A)).status_code == 404
    assert client.get(case_url(h["a1"], VILLAGE_B)).status_code == 404  # household not under that region
    response = client.get(inbox(VILLAGE_B))
    assert [r["household"] for r in response.context["rows"]] == [h["b2"].public_id, h["b1"].public_id]
    client.force_login(people["outsider"])
    assert client.get(inbox(COUNTY)).status_code == 404
    client.force_login(people["official"])
    assert client.get(case_url(h["out"], COUNTY)).status_code == 404
    client.logout()
    for url, method in ((inbox(), "get"), (case_url(h["a1"]), "get"), (step_url(h["a1"]), "post")):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_export_csv_with_bom_and_xlsx_read_back(client, world):
    h = world["h"]
    client.force_login(world["people"]["official"])
    response = client.get(inbox(reason="shock", format="csv"))
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.csv"')
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["village code", "village name", "registry number"]
    assert [r[2] for r in rows[1:]] == [masked(h["a2"]), masked(h["b1"])]
    assert rows[1][0] == VILLAGE_A and rows[1][5:8] == ["0.8", "0.7", "30.5"]
    assert rows[2][6] == ""  # no vulnerability: an empty cell
    assert rows[0][-1] == "household id" and [r[-1] for r in rows[1:]] == [
        str(h["a2"].public_id),
        str(h["b1"].public_id),
    ]
    zh = client.get(inbox(reason="shock", format="csv"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode("utf-8-sig")
    assert zh.splitlines()[0].split(",")[:2] == ["村代码", "村名"]  # the village's name, not "village level"
    response = client.get(inbox(view="new", format="xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][2] == "registry number"
    assert [v[2] for v in values[1:]] == [masked(h[k]) for k in ("a2", "b2", "a3")]
    assert values[1][0] == VILLAGE_A and values[1][5] == 0.8 and values[1][7] == 30.5
    assert all(h[k].registry_number not in str(values) for k in h)


def test_inbox_query_count_is_the_same_for_10_and_100_flagged_households(client, world, django_assert_num_queries):
    run = world["run2"]
    HouseholdScore.objects.of_run(run).delete()
    village = Region.objects.get(code=VILLAGE_A)
    households = Household.objects.bulk_create(
        Household(registry_number=f"{VILLAGE_A}{9000 + i:04d}", region=village) for i in range(100)
    )
    client.force_login(world["people"]["official"])

    def count(n):
        HouseholdScore.objects.of_run(run).delete()
        for household in households[:n]:
            _score(run, household, vulnerability=0.5 + household.pk % 7 / 100)
        WarningCase.objects.create(household=households[0], period_id=2020, run=run)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(inbox())
        assert len(response.context["rows"]) == n
        WarningCase.objects.all().delete()
        return len(queries)

    assert count(10) == count(100)
    # session, user, scope, region, runs, count, rows, cases, registry reveal scope, villages
    with django_assert_num_queries(10):
        client.get(inbox())


# --- workflow -----------------------------------------------------------------------------------


def post_step(client, household, step, *, on, note="checked at home", **extra):
    data = {"step": step, "on": on.isoformat(), "note": note, "period": 2020, **extra}
    return client.post(step_url(household), data, follow=True)


def messages_of(response) -> list[str]:
    """The messages shown on the case page the step redirected to."""
    return [str(m) for m in response.context["messages"]]


def test_workflow_each_step_is_dated_attributed_audited_and_writes_the_monitoring_status(client, world):
    household, people = world["h"]["a1"], world["people"]
    today = timezone.localdate()
    verified_on, measures_on = today - dt.timedelta(days=240), today - dt.timedelta(days=200)

    client.force_login(people["clerk_a"])
    page = client.get(case_url(household))
    assert [step for step, *_ in page.context["forms"]] == ["verified"]
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    zh_page = client.get(case_url(household), HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    assert f'type="date" name="on" value="{today.isoformat()}"' in zh_page  # ISO in every language
    response = post_step(client, household, "verified", on=verified_on, status="near_poor_at_risk")
    assert response.redirect_chain[0][1] == 302 and messages_of(response) == ["Step recorded: verified by the village."]
    case = WarningCase.objects.get(household=household)
    assert (case.state, case.period_id, case.run_id, case.category) == (
        "verified",
        2020,
        world["run2"].pk,
        "near_poor_at_risk",
    )
    assert case.reasons == ["vulnerable"]
    steps = list(case.steps.values_list("step", "on", "actor__username", "monitoring_status"))
    flagged_on = timezone.localdate(world["run1"].finished_at)  # run 1 flagged a1 first; run 2 still does
    assert steps == [
        ("flagged", flagged_on, None, ""),
        ("verified", verified_on, "clerk-a", "near_poor_at_risk"),
    ]
    household.refresh_from_db()
    assert household.monitoring_status == "near_poor_at_risk"
    change = StatusChange.objects.get(household=household)
    assert (change.status, change.changed_on, change.reason, change.recorded_by) == (
        "near_poor_at_risk",
        verified_on,
        "checked at home",
        people["clerk_a"],
    )
    assert ChangeLog.objects.filter(province_code="64", period_id=2020).exists()

    client.force_login(people["official"])
    response = post_step(
        client, household, "measures_assigned", on=measures_on, measures=["employment_post", "skills_training"]
    )
    assert messages_of(response) == ["Step recorded: assistance measures assigned."]
    step = WarningStep.objects.get(case=case, step="measures_assigned")
    assert (step.actor, step.measures, step.on) == (
        people["official"],
        ["employment_post", "skills_training"],
        measures_on,
    )

    # less than six months after the measures: refused, nothing written
    too_early = add_days(measures_on, 150)
    response = post_step(client, household, "elimination_proposed", on=too_early)
    assert any("six months" in m for m in messages_of(response))
    assert WarningCase.objects.get(pk=case.pk).state == "measures_assigned"

    client.force_login(people["clerk_a"])
    response = post_step(client, household, "elimination_proposed", on=today)
    assert messages_of(response) == ["Step recorded: risk elimination proposed."]
    assert WarningCase.objects.get(pk=case.pk).state == "elimination_proposed"

    # the clerk proposes; only the official or an admin confirms
    response = post_step(client, household, "risk_eliminated", on=today)
    assert response.status_code == 403
    client.force_login(people["official"])
    response = post_step(client, household, "risk_eliminated", on=today, note="confirmed by the county")
    assert messages_of(response) == ["Step recorded: risk eliminated."]
    case.refresh_from_db()
    household.refresh_from_db()
    assert case.state == "risk_eliminated" and household.monitoring_status == "risk_eliminated"
    assert list(StatusChange.objects.filter(household=household).values_list("status", flat=True)) == [
        "near_poor_at_risk",
        "risk_eliminated",
    ]
    history = list(case.history.order_by("history_date").values_list("state", "history_user__username"))
    assert history == [
        ("flagged", "clerk-a"),
        ("verified", "clerk-a"),
        ("measures_assigned", "official"),
        ("elimination_proposed", "clerk-a"),
        ("risk_eliminated", "official"),
    ]
    page = client.get(case_url(household))
    assert "confirmed by the county" in page.content.decode() and "employment or public-welfare post" in (
        page.content.decode()
    )
    assert household.registry_number not in page.content.decode()
    # the run's flag is dealt with: the inbox says so, and the case is not opened again from this run
    assert page.context["forms"] == []
    rows = {r["household"]: r for r in client.get(inbox()).context["rows"]}
    assert rows[household.public_id]["state"] == "risk eliminated"
    client.force_login(people["clerk_a"])
    response = post_step(client, household, "verified", on=today)
    assert messages_of(response)[0].startswith("This flag was dealt with: the risk was eliminated after this run.")
    assert WarningCase.objects.filter(household=household).count() == 1


def add_days(day, n):
    return day + dt.timedelta(days=n)


def test_steps_out_of_order_are_refused_with_a_message(client, world):
    household = world["h"]["a1"]
    client.force_login(world["people"]["clerk_a"])
    today = timezone.localdate()
    response = post_step(client, household, "measures_assigned", on=today, measures=["other"])
    assert messages_of(response) == ["This household has no open warning case; the village verifies the flag first."]
    response = post_step(client, household, "elimination_proposed", on=today)
    assert "no open warning case" in messages_of(response)[0]
    assert not WarningCase.objects.exists()
    post_step(client, household, "verified", on=today)  # status taken from the category
    assert Household.objects.get(pk=household.pk).monitoring_status == "near_poor_at_risk"
    response = post_step(client, household, "verified", on=today)
    assert messages_of(response)[0].startswith("A case that is 'verified by the village' cannot go to")
    response = post_step(client, household, "elimination_proposed", on=today)
    assert "cannot go to 'risk elimination proposed'" in messages_of(response)[0]
    response = post_step(client, household, "measures_assigned", on=today)  # no measure chosen
    assert messages_of(response) == ["Choose at least one assistance measure from the list."]
    response = post_step(client, household, "measures_assigned", on=today - dt.timedelta(days=1), measures=["other"])
    assert "before the case's previous step" in messages_of(response)[0]
    response = post_step(client, household, "measures_assigned", on=today + dt.timedelta(days=1), measures=["other"])
    assert messages_of(response) == ["The date of a step cannot be in the future."]
    response = post_step(client, household, "measures_assigned", on=today, note="  ", measures=["other"])
    assert messages_of(response)[0].startswith("note: ")  # the field's label (zh 备注), not its name
    data = {"step": "verified", "on": "", "note": "x"}
    response = client.post(step_url(household), data, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert messages_of(response)[0].startswith("日期: ")
    assert WarningCase.objects.get(household=household).state == "verified"
    assert StatusChange.objects.filter(household=household).count() == 1
    assert client.get(step_url(household)).status_code == 405


def test_a_household_not_flagged_cannot_be_verified(client, world):
    household = world["h"]["out"]
    HouseholdScore.objects.of_run(world["run2"]).filter(household=household).update(flagged=False, reasons=[])
    client.force_login(_user("admin-x", Role.ADMIN, "640402"))
    response = client.post(
        reverse("indicators:warning-step", args=["640402", household.public_id]),
        {"step": "verified", "on": timezone.localdate().isoformat(), "note": "x", "period": 2020},
        follow=True,
    )
    assert messages_of(response) == ["This household is not flagged in the current run; there is nothing to verify."]
    assert not WarningCase.objects.exists()


def test_elimination_is_refused_for_a_household_without_labour_and_unmet_rules(client, world):
    household = world["h"]["a3"]  # its only member has no labour capacity
    client.force_login(world["people"]["official"])
    long_ago = timezone.localdate() - dt.timedelta(days=300)
    post_step(client, household, "verified", on=long_ago, status="ex_poor_unstable")
    post_step(client, household, "measures_assigned", on=long_ago, measures=["subsistence_allowance"])
    response = post_step(client, household, "elimination_proposed", on=timezone.localdate())
    assert len(messages_of(response)) == 1
    assert "never proposed for a household without labour" in messages_of(response)[0]
    assert WarningCase.objects.get(household=household).state == "measures_assigned"
    page = client.get(case_url(household))
    assert len(page.context["refusals"]) == 1 and "without labour" in page.context["refusals"][0]

    # a household with labour, but income below the line and a guarantee missing: both named
    other = world["h"]["a2"]  # margin 0.8
    HouseholdSurvey.objects.filter(household=other).update(safe_housing=False)
    post_step(client, other, "verified", on=long_ago)
    post_step(client, other, "measures_assigned", on=long_ago, measures=["employment_post"])
    problems = messages_of(post_step(client, other, "elimination_proposed", on=timezone.localdate()))[0]
    assert "not above the monitoring line" in problems and "six guarantees" in problems
    assert "without labour" not in problems
    # a member with labour who is not present in the period does not count
    assert service.has_labour(other, 2020)
    member = other.members.get()
    MemberStatus.objects.create(member=member, period_id=2020, present=False)
    assert not service.has_labour(other, 2020)


def test_roles_api_client_and_clerk_of_another_village_take_no_step(client, world):
    household = world["h"]["a1"]
    today = timezone.localdate().isoformat()
    data = {"step": "verified", "on": today, "note": "x", "period": 2020}
    client.force_login(world["people"]["api"])
    assert client.get(case_url(household)).context["forms"] == []  # reads, no forms
    assert client.post(step_url(household), data).status_code == 403
    client.force_login(world["people"]["clerk_b"])
    assert client.post(step_url(household, VILLAGE_A), data).status_code == 404
    assert not WarningCase.objects.exists() and not StatusChange.objects.exists()


def test_add_months():
    assert service.add_months(dt.date(2024, 8, 31), 6) == dt.date(2025, 2, 28)
    assert service.add_months(dt.date(2024, 1, 15), 6) == dt.date(2024, 7, 15)
    assert service.add_months(dt.date(2024, 7, 1), 6) == dt.date(2025, 1, 1)


def test_inbox_without_a_published_run_says_so(client, world):
    ComputationRun.objects.update(is_current=False)
    client.force_login(world["people"]["official"])
    response = client.get(inbox())
    assert response.status_code == 200 and response.context["run"] is None
    assert "No published scores yet." in response.content.decode()


def test_the_case_opens_on_the_first_run_that_flagged_the_household(client, world):
    household = world["h"]["a1"]  # flagged by run 1 (400 days ago) and run 2 (last night)
    ComputationRun.objects.filter(pk=world["run2"].pk).update(finished_at=timezone.now())
    first = timezone.localdate(world["run1"].finished_at)
    client.force_login(world["people"]["clerk_a"])
    response = post_step(client, household, "verified", on=first - dt.timedelta(days=1))
    with translation.override("en"):  # the date as the reader's language writes it
        day = date_format(first, "DATE_FORMAT")
    assert messages_of(response) == [f"The date of a step cannot be before the case's previous step ({day})."]
    assert not WarningCase.objects.exists()  # nothing half-written
    visit = timezone.localdate() - dt.timedelta(days=30)  # before last night's run, after the first flag
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"  # a clerk working in Chinese opens the case
    post_step(client, household, "verified", on=visit)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    case = WarningCase.objects.get(household=household)
    assert [(s.step, s.on) for s in case.steps.order_by("pk")] == [("flagged", first), ("verified", visit)]
    opening = case.steps.get(step="flagged")
    assert opening.note == f"Flagged by run {case.run_id} (period 2020)."  # stored in English
    zh = client.get(case_url(household), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"由第 {case.run_id} 次计算预警（2020 年度）。" in zh  # shown in the reader's language


def test_who_proposed_the_risk_elimination_cannot_confirm_it(client, world):
    household, official = world["h"]["a1"], world["people"]["official"]
    today = timezone.localdate()
    client.force_login(official)
    post_step(client, household, "verified", on=today - dt.timedelta(days=240))
    post_step(client, household, "measures_assigned", on=today - dt.timedelta(days=200), measures=["other"])
    post_step(client, household, "elimination_proposed", on=today - dt.timedelta(days=10))
    assert WarningCase.objects.get(household=household).state == "elimination_proposed"
    response = post_step(client, household, "risk_eliminated", on=today)
    assert messages_of(response) == [
        "The person who proposed the risk elimination cannot confirm it: another official or admin does."
    ]
    assert WarningCase.objects.get(household=household).state == "elimination_proposed"


# --- the household page's status route cannot take the workflow's steps (issue 13, finding 1) -----


def status_url(household) -> str:
    """The household page's status route (its public id where households have one: finding 4)."""
    return reverse("households:status-change", args=[household.public_id])


def status_post(client, household, status, on, reason="income is fine"):
    url = status_url(household)
    return client.post(url, {"status": status, "changed_on": on.isoformat(), "reason": reason}, follow=True)


def _unchanged(household, status: str, statuses: list[str]) -> bool:
    household.refresh_from_db()
    stored = list(StatusChange.objects.filter(household=household).order_by("changed_on", "id"))
    return household.monitoring_status == status and [s.status for s in stored] == statuses


def test_the_status_route_refuses_risk_elimination_without_a_proposal(client, world):
    household, today = world["h"]["a1"], timezone.localdate()
    client.force_login(world["people"]["official"])  # no write role on the household page: 403
    url = status_url(household)
    assert client.post(url, {"status": "risk_eliminated", "changed_on": today.isoformat()}).status_code == 403
    client.force_login(_user("admin-county", Role.ADMIN, COUNTY))  # may confirm, but on the case page
    response = status_post(client, household, "risk_eliminated", today)
    assert any("only through the warning workflow" in m for m in messages_of(response)), messages_of(response)
    assert _unchanged(household, "none", []) and not WarningCase.objects.exists()


def test_the_status_route_refuses_risk_elimination_within_six_months(client, world):
    household, today = world["h"]["a1"], timezone.localdate()
    admin = _user("admin-county", Role.ADMIN, COUNTY)
    client.force_login(world["people"]["clerk_a"])
    post_step(client, household, "verified", on=today - dt.timedelta(days=60))
    post_step(client, household, "measures_assigned", on=today - dt.timedelta(days=30), measures=["other"])
    client.force_login(admin)
    response = status_post(client, household, "risk_eliminated", today)
    assert any("only through the warning workflow" in m for m in messages_of(response))
    assert _unchanged(household, "near_poor_at_risk", ["near_poor_at_risk"])
    assert WarningCase.objects.get(household=household).state == "measures_assigned"


def test_the_status_route_refuses_risk_elimination_by_the_proposer(client, world):
    household, today = world["h"]["a1"], timezone.localdate()
    admin = _user("admin-county", Role.ADMIN, COUNTY)
    client.force_login(world["people"]["clerk_a"])
    post_step(client, household, "verified", on=today - dt.timedelta(days=240))
    post_step(client, household, "measures_assigned", on=today - dt.timedelta(days=200), measures=["other"])
    client.force_login(admin)
    post_step(client, household, "elimination_proposed", on=today - dt.timedelta(days=10))
    response = status_post(client, household, "risk_eliminated", today)
    assert any("only through the warning workflow" in m for m in messages_of(response))
    assert _unchanged(household, "near_poor_at_risk", ["near_poor_at_risk"])
    assert WarningCase.objects.get(household=household).state == "elimination_proposed"
    client.force_login(world["people"]["official"])  # the workflow's way: another official confirms
    post_step(client, household, "risk_eliminated", on=today, note="confirmed by the county")
    assert _unchanged(household, "risk_eliminated", ["near_poor_at_risk", "risk_eliminated"])


def test_a_verification_before_the_households_registration_is_refused(client, world):
    household, today = world["h"]["a1"], timezone.localdate()
    Household.objects.filter(pk=household.pk).update(registration_year=today.year)
    client.force_login(world["people"]["clerk_a"])
    response = post_step(client, household, "verified", on=dt.date(today.year - 1, 12, 31))
    assert messages_of(response) == [
        f"The date cannot be before Jan. 1, {today.year}, the start of the household's registration year."
    ]
    assert _unchanged(household, "none", []) and not WarningCase.objects.exists()


@pytest.mark.django_db
def test_inbox_with_a_village_that_has_no_flag_here_answers_400(client, world):
    """Issue 14, item 9: an unknown village listed the whole inbox as if unfiltered."""
    client.force_login(world["people"]["official"])
    assert client.get(inbox(village=VILLAGE_A)).status_code == 200
    for village in ("999999999999", OUTSIDE_VILLAGE):  # unknown; a village outside this township
        answer = client.get(inbox(village=village))
        assert answer.status_code == 400
        assert f"No village {village} with flagged households here." in answer.content.decode()
