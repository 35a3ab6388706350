"""Clerk forms: a household with members, statuses, surveys, village surveys; errors by field."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from households import ids
from households.models import ChangeLog, Household, HouseholdSurvey, Member, MemberStatus, VillageSurvey
from regions.models import Assignment, Region, Role

VILLAGE_A = "640422100002"
ID_1 = "64042219800101001"
ID_1 += ids.check_character(ID_1)


@pytest.fixture
def clerk(client, db):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    user = User.objects.create_user("clerk-a")
    Assignment.objects.create(user=user, role=Role.CLERK, region=Region.objects.get(code=VILLAGE_A))
    client.force_login(user)
    return user


def _household_post(**extra):
    data = {
        "registry_number": f"{VILLAGE_A}0001",
        "village_code": VILLAGE_A,
        "registration_year": "2014",
        "exit_year": "",
        "poverty_causes": ["illness", "lack_skills"],
        "members-TOTAL_FORMS": "2",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
        "members-0-member_no": "1",
        "members-0-name": "",
        "members-0-resident_id": ID_1,
        "members-0-sex": "M",
        "members-0-birth_date": "1980-01-01",
        "members-0-relation": "head",
        "members-0-education": "junior",
        "members-0-labour_capacity": "full",
    }
    data.update(extra)
    return data


@pytest.mark.django_db
def test_clerk_creates_a_household_with_a_member(client, clerk):
    response = client.post(reverse("households:create"), _household_post())
    household = Household.objects.get(registry_number=f"{VILLAGE_A}0001")
    assert response.status_code == 302 and response["Location"] == reverse(
        "households:detail", args=[household.public_id]
    )
    assert household.poverty_causes == ["illness", "lack_skills"] and household.region.code == VILLAGE_A
    member = Member.objects.get()
    assert ids.id_decrypt(member.resident_id_encrypted) == ID_1 and member.resident_id_masked == ids.id_mask(ID_1)
    assert household.history.get().history_user == clerk
    page = client.get(reverse("households:detail", args=[household.public_id])).content.decode()
    assert ids.id_mask(ID_1) in page and ID_1 not in page


@pytest.mark.django_db
def test_household_form_errors_name_the_field(client, clerk):
    response = client.post(
        reverse("households:create"),
        _household_post(
            registry_number="640422100002001",
            **{
                "members-0-resident_id": ID_1[:-1] + ("1" if ID_1[-1] != "1" else "2"),
                "members-0-birth_date": "1980-01-01",
            },
        ),
    )
    assert response.status_code == 200
    assert "registry_number" in response.context["form"].errors
    assert "check digit is wrong" in str(response.context["members"].forms[0].errors["resident_id"])
    assert not Household.objects.exists()
    other = client.post(reverse("households:create"), _household_post(village_code="640422100004"))
    assert "outside your assigned regions" in str(other.context["form"].errors["village_code"])


@pytest.mark.django_db
def test_survey_statuses_and_village_survey_are_saved_and_mark_the_province_dirty(client, clerk):
    client.post(reverse("households:create"), _household_post())
    household = Household.objects.get()
    ChangeLog.objects.all().delete()
    survey = {
        "wage_income": "12000.50",
        "net_operating_income": "-800",
        "property_income": "0",
        "relief_transfers": "1500",
        "other_transfers": "600",
        "deductions": "0",
        "medical_spending": "300",
        "education_spending": "0",
        "disaster_loss": "0",
        "sampling_weight": "1",
        "food_secure": "true",
        "safe_housing": "false",
    }
    response = client.post(reverse("households:survey", args=[household.public_id, 2020]), survey)
    assert response.status_code == 302
    saved = HouseholdSurvey.objects.get(household=household, period_id=2020)
    assert (saved.wage_income, saved.net_operating_income, saved.food_secure, saved.safe_housing) == (
        Decimal("12000.50"),
        Decimal("-800"),
        True,
        False,
    )
    bad = client.post(
        reverse("households:survey", args=[household.public_id, 2021]),
        {**survey, "medical_spending": "-1", "sampling_weight": "0"},
    )
    assert bad.status_code == 200 and HouseholdSurvey.objects.count() == 1
    negative_wage = client.post(
        reverse("households:survey", args=[household.public_id, 2021]), {**survey, "wage_income": "-100"}
    )
    assert negative_wage.status_code == 200 and "wage_income" in negative_wage.context["form"].errors
    absurd = client.post(
        reverse("households:survey", args=[household.public_id, 2021]),
        {**survey, "wage_income": "999999999999.99", "net_operating_income": "-20000000"},
    )
    errors = absurd.context["form"].errors
    assert (
        errors["wage_income"]
        == errors["net_operating_income"]
        == [
            "absurd amount: more than 10,000,000 yuan a year; check the unit"  # as the imports say
        ]
    )
    assert HouseholdSurvey.objects.count() == 1
    member = Member.objects.get()
    status = {
        f"m{member.pk}-{k}": v
        for k, v in {
            "present": "on",
            "age": "40",
            "health": "serious",
            "employment": "wage",
            "months_away": "6",
            "medical_insurance": "on",
        }.items()
    }
    assert client.post(reverse("households:statuses", args=[household.public_id, 2020]), status).status_code == 302
    assert MemberStatus.objects.get(member=member, period_id=2020).health == "serious"
    village = {
        "tap_water_coverage": "0.85",
        "collective_income": "52000",
        "cooperatives": "2",
        "leading_enterprises": "0",
        "hardened_road": "on",
    }
    for bad in ("-100", "99999999999"):
        refused = client.post(
            reverse("households:village-survey", args=[VILLAGE_A, 2020]), {**village, "collective_income": bad}
        )
        assert refused.status_code == 200 and "collective_income" in refused.context["form"].errors
    assert not VillageSurvey.objects.exists()
    assert client.post(reverse("households:village-survey", args=[VILLAGE_A, 2020]), village).status_code == 302
    assert VillageSurvey.objects.get(region__code=VILLAGE_A, period_id=2020).tap_water_coverage == Decimal("0.85")
    assert set(ChangeLog.objects.values_list("province_code", "period_id", "source")) == {("64", 2020, "form")}
    assert ChangeLog.objects.count() == 3


@pytest.mark.django_db
def test_status_change_records_the_transition(client, clerk):
    client.post(reverse("households:create"), _household_post())
    household = Household.objects.get()
    client.post(
        reverse("households:status-change", args=[household.public_id]),
        {"status": "near_poor_at_risk", "changed_on": "2021-03-01", "reason": "serious illness"},
    )
    household.refresh_from_db()
    assert household.monitoring_status == "near_poor_at_risk"
    change = household.status_changes.get()
    assert (change.changed_on.isoformat(), change.reason, change.recorded_by) == (
        "2021-03-01",
        "serious illness",
        clerk,
    )


@pytest.mark.django_db
def test_import_wizard_upload_preview_commit(client, clerk, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    data = f"户编号,村代码\n{VILLAGE_A}0005,{VILLAGE_A}\n".encode()
    response = client.post(
        reverse("households:imports"),
        {"kind": "households", "period": "2020", "file": SimpleUploadedFile("h.csv", data)},
    )
    assert response.status_code == 302
    preview = client.get(response["Location"])
    batch = preview.context["batch"]
    assert (batch.status, batch.rows_new, batch.rows_updated, batch.rows_rejected) == ("validated", 1, 0, 0)
    assert not Household.objects.filter(registry_number=f"{VILLAGE_A}0005").exists()
    client.post(response["Location"], {"action": "commit"})
    assert Household.objects.filter(registry_number=f"{VILLAGE_A}0005").exists()


@pytest.mark.django_db
def test_household_form_with_another_households_member_id_is_refused_not_500(client, clerk):
    """Finding 8: the member formset of household 1 posting the id of household 2's member answered
    500; it is a form error now, and neither household nor member changes."""
    client.post(reverse("households:create"), _household_post())
    first = Household.objects.get()
    other = Household.objects.create(registry_number=f"{VILLAGE_A}0002", region=first.region)
    theirs = Member.objects.create(household=other, member_no=1, name="李四")
    response = client.post(
        reverse("households:edit", args=[first.public_id]),
        _household_post(
            **{
                "members-TOTAL_FORMS": "1",
                "members-INITIAL_FORMS": "1",
                "members-0-id": str(theirs.pk),
                "members-0-household": str(first.pk),
                "members-0-name": "王五",
                "members-0-resident_id": "",
            }
        ),
    )
    assert response.status_code == 200
    assert response.context["members"].non_form_errors() == [
        "A member row is not one of this household's members: reload the page and enter the changes again."
    ]
    assert "reload the page" in response.content.decode()  # shown above the members' table
    theirs.refresh_from_db()
    assert (theirs.household_id, theirs.name) == (other.pk, "李四")
    assert list(first.members.values_list("name", flat=True)) == [""]
