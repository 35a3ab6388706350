"""Every write to household data marks the provinces and periods it touched in the change log, which is
all the nightly recompute reads to know what changed (a province nobody marked keeps its snapshot)."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from households.models import ChangeLog, Household, HouseholdSurvey, VillageSurvey
from regions.models import Region
from tests.households.test_forms import VILLAGE_A, _household_post

SURVEY = {
    "wage_income": "12000",
    "net_operating_income": "0",
    "property_income": "0",
    "relief_transfers": "0",
    "other_transfers": "0",
    "deductions": "0",
    "medical_spending": "0",
    "education_spending": "0",
    "disaster_loss": "0",
    "sampling_weight": "1",
    "food_secure": "true",
    "safe_housing": "true",
}


def _village_in_inner_mongolia() -> Region:
    """A township and village of their own under the first county of province 15 (the session's tree has
    villages of Ningxia only)."""
    county = Region.objects.filter(level=3, code__startswith="15").order_by("code").first()
    township = Region.objects.create(
        code=f"{county.code}900",
        name="test township",
        level=4,
        parent=county,
        path=f"{county.path}{county.code}900/",
        province_code="15",
        prefecture_code=county.prefecture_code,
        county_code=county.code,
        township_code=f"{county.code}900",
    )
    return Region.objects.create(
        code=f"{township.code}001",
        name="test village",
        level=5,
        parent=township,
        path=f"{township.path}{township.code}001/",
        province_code="15",
        prefecture_code=county.prefecture_code,
        county_code=county.code,
        township_code=township.code,
    )


@pytest.fixture
def root(client, db):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    user = User.objects.create_superuser("root-marks")
    client.force_login(user)
    return user


def _household_with_surveys(client) -> Household:
    assert client.post(reverse("households:create"), _household_post()).status_code == 302
    household = Household.objects.get()
    for year in (2019, 2020):
        assert client.post(reverse("households:survey", args=[household.public_id, year]), SURVEY).status_code == 302
    ChangeLog.objects.all().delete()
    return household


def _marks() -> set[tuple[str, int]]:
    return set(ChangeLog.objects.values_list("province_code", "period_id"))


@pytest.mark.django_db
def test_moving_a_household_to_another_province_marks_the_one_it_left_too(client, root):
    household = _household_with_surveys(client)
    village = _village_in_inner_mongolia()
    moved = _household_post(registry_number=f"{village.code}0001", village_code=village.code)
    moved.update({"members-TOTAL_FORMS": "0"})
    response = client.post(reverse("households:edit", args=[household.public_id]), moved)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert Household.objects.get().region == village
    # the province it left serves a snapshot that still scores it: that snapshot must be computed again
    assert _marks() == {("64", 2019), ("64", 2020), ("15", 2019), ("15", 2020)}


@pytest.mark.django_db
def test_admin_edits_and_deletes_mark_the_change_log(client, root):
    household = _household_with_surveys(client)
    survey = HouseholdSurvey.objects.get(household=household, period_id=2020)

    url = reverse("admin:households_householdsurvey_change", args=[survey.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"wage_income": "15000", "household": str(household.pk), "period": "2020"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert HouseholdSurvey.objects.get(pk=survey.pk).wage_income == 15000
    assert _marks() == {("64", 2020)}

    ChangeLog.objects.all().delete()
    delete = reverse("admin:households_householdsurvey_delete", args=[survey.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not HouseholdSurvey.objects.filter(pk=survey.pk).exists()
    assert _marks() == {("64", 2020)}

    ChangeLog.objects.all().delete()  # the admin's bulk delete action
    left = HouseholdSurvey.objects.get(household=household, period_id=2019)
    changelist = reverse("admin:households_householdsurvey_changelist")
    response = client.post(changelist, {"action": "delete_selected", "_selected_action": [left.pk], "post": "yes"})
    assert response.status_code == 302 and not HouseholdSurvey.objects.exists()
    assert _marks() == {("64", 2019)}

    ChangeLog.objects.all().delete()
    village = Region.objects.get(code=VILLAGE_A)
    VillageSurvey.objects.create(region=village, period_id=2020, tap_water_coverage=0.5)
    ChangeLog.objects.all().delete()
    village_survey = VillageSurvey.objects.get()
    url = reverse("admin:households_villagesurvey_change", args=[village_survey.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"tap_water_coverage": "0.9", "region": str(village.pk), "period": "2020"})
    for name, value in list(data.items()):
        if value is True:
            data[name] = "on"
        elif value is False:
            del data[name]
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert _marks() == {("64", 2020)}


@pytest.mark.django_db
def test_changes_in_names_the_province_and_periods_of_each_kind_of_row(client, root):
    from households.models import Member, MemberStatus
    from households.services.registry import changes_in

    household = _household_with_surveys(client)
    member = Member.objects.get(household=household)
    MemberStatus.objects.create(member=member, period_id=2019, age=40)
    assert changes_in(Household.objects.all()) == {("64", 2019), ("64", 2020)}
    assert changes_in(Member.objects.all()) == {("64", 2019), ("64", 2020)}
    assert changes_in(MemberStatus.objects.all()) == {("64", 2019)}
    assert changes_in(HouseholdSurvey.objects.filter(period_id=2020)) == {("64", 2020)}
    assert changes_in(Household.objects.none()) == set()
    with pytest.raises(TypeError, match="ChangeLog is not household data"):
        changes_in(ChangeLog.objects.all())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "csv"),
    [
        ("members", f"registry_number,member_no,labour_capacity\n{VILLAGE_A}0001,1,none\n"),
        ("households", f"registry_number,village_code,registration_year\n{VILLAGE_A}0001,{VILLAGE_A},2016\n"),
    ],
)
def test_a_members_or_households_import_of_one_year_marks_every_year_the_household_is_scored(
    client, root, settings, tmp_path, kind, csv
):
    """A member's labour capacity or a household's registration year counts in every year it has a
    survey of, not only the batch's year; the undo marks the same years."""
    from households.importing.commit import import_commit, import_undo, import_upload

    settings.MEDIA_ROOT = tmp_path / "media"
    _household_with_surveys(client)  # surveys of 2019 and 2020
    batch, validation = import_upload(data=csv.encode(), filename="f.csv", kind=kind, period=2020, user=root)
    assert not validation.problems, validation.problems
    import_commit(batch=batch, user=root)
    assert _marks() == {("64", 2019), ("64", 2020)}
    ChangeLog.objects.all().delete()
    import_undo(batch=batch, user=root)
    assert _marks() == {("64", 2019), ("64", 2020)}
