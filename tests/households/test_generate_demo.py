"""generate_demo: synthetic households over real villages, calibrated to published figures.

The module fixture runs ``generate_demo`` with its defaults once, reads what it stored back into
frames and rolls the database back. Every check reads those stored rows (ledgers, member statuses,
IDs), never the generator's own frames, and compares them with the published figures written out
below (not imported from the code under test).
"""

import io

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from households import ids
from households.demo import demo_frames
from households.models import (
    ChangeLog,
    Household,
    HouseholdSurvey,
    Member,
    MemberStatus,
    SurveyPeriod,
    VillageSurvey,
)
from regions.models import Region

pytestmark = pytest.mark.django_db

COUNTIES = ["513431", "621126", "622921"]
YEARS = [2016, 2017, 2018, 2019, 2020]
#: National rural poverty line, yuan per person per year (../shared/reference/poverty_lines.csv).
LINE = {2016: 2960, 2017: 3044, 2018: 3130, 2019: 3218, 2020: 3309}
#: NBS: per-capita disposable income of rural residents in poor areas, yuan (2016 and 2019 releases).
POOR_AREA_INCOME = {2016: 8452, 2019: 11567}
MONEY = ["wage_income", "net_operating_income", "property_income", "relief_transfers", "other_transfers", "deductions"]


def _ledgers(counties=None) -> pd.DataFrame:
    """Household surveys with size (members present), total and per-capita net income, from the DB."""
    surveys = HouseholdSurvey.objects.all()
    statuses = MemberStatus.objects.filter(present=True)
    if counties:
        surveys = surveys.filter(household__region__county_code__in=counties)
        statuses = statuses.filter(member__household__region__county_code__in=counties)
    frame = pd.DataFrame(
        list(
            surveys.values(
                "household__registry_number",
                "household__region__county_code",
                "period_id",
                *MONEY,
                "medical_spending",
                "disaster_loss",
                "job_loss",
            )
        )
    ).rename(columns={"household__registry_number": "registry_number", "household__region__county_code": "county"})
    size = pd.DataFrame(list(statuses.values("member__household__registry_number", "period_id")))
    size = size.groupby(["member__household__registry_number", "period_id"]).size().rename("size")
    frame = frame.join(size, on=["registry_number", "period_id"])
    for column in [*MONEY, "medical_spending", "disaster_loss"]:
        frame[column] = frame[column].astype(float)
    frame["total"] = frame[MONEY[:5]].sum(axis=1) - frame["deductions"]
    frame["y"] = frame["total"] / frame["size"]
    frame["line"] = frame["period_id"].map(LINE)
    return frame.sort_values(["registry_number", "period_id"], ignore_index=True)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Run ``generate_demo`` with its defaults and read the stored rows; nothing stays in the DB."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("generate_demo", stdout=io.StringIO())
        members = pd.DataFrame(
            list(
                Member.objects.values(
                    "household__registry_number",
                    "household__region__county_code",
                    "member_no",
                    "birth_date",
                    "sex",
                    "resident_id_encrypted",
                    "resident_id_hash",
                    "resident_id_masked",
                )
            )
        )
        data = {
            "ledgers": _ledgers(),
            "members": members,
            "ages": pd.DataFrame(
                list(
                    MemberStatus.objects.filter(present=True).values(
                        "member__household__registry_number", "member__member_no", "period_id", "age", "health"
                    )
                )
            ),
            "households": pd.DataFrame(
                list(
                    Household.objects.values(
                        "registry_number", "region__code", "registration_year", "exit_year", "monitoring_status"
                    )
                )
            ),
            "villages": set(Region.objects.filter(level=5, county_code__in=COUNTIES).values_list("code", flat=True)),
            "village_surveys": pd.DataFrame(list(VillageSurvey.objects.values("region__code", "period_id"))),
            "periods": list(SurveyPeriod.objects.values_list("year", flat=True)),
            "change_log": sorted(ChangeLog.objects.values_list("province_code", "period_id")),
            "history": {
                model.__name__: (model.objects.count(), model.history.filter(history_type="+").count())
                for model in (Household, Member, MemberStatus, HouseholdSurvey, VillageSurvey)
            },
        }
        transaction.set_rollback(True)
    return data


def _by_county_year(ledgers: pd.DataFrame, flag: pd.Series) -> set[tuple[str, int]]:
    return set(map(tuple, ledgers.loc[flag, ["county", "period_id"]].drop_duplicates().to_numpy().tolist()))


def test_generate_demo_poverty_incidence_falls_into_the_bands_in_each_county(demo):
    ledgers = demo["ledgers"]
    poor_persons = ledgers["size"].where(ledgers["y"] < ledgers["line"], 0)
    incidence = (
        poor_persons.groupby([ledgers["county"], ledgers["period_id"]]).sum()
        / ledgers.groupby(["county", "period_id"])["size"].sum()
    )
    for county in COUNTIES:
        assert 0.08 <= incidence[county, 2016] <= 0.30, (county, incidence[county, 2016])
        assert incidence[county, 2020] < 0.03, (county, incidence[county, 2020])
        yearly = [incidence[county, year] for year in YEARS]
        assert yearly == sorted(yearly, reverse=True), (county, yearly)


def test_generate_demo_mean_income_is_near_the_nbs_poor_area_figures(demo):
    ledgers = demo["ledgers"]
    for year, published in POOR_AREA_INCOME.items():
        rows = ledgers[ledgers["period_id"] == year]
        pooled = rows["total"].sum() / rows["size"].sum()
        assert abs(pooled / published - 1) <= 0.15, (year, pooled)
        by_county = rows.groupby("county")["total"].sum() / rows.groupby("county")["size"].sum()
        assert ((by_county / published - 1).abs() <= 0.15).all(), (year, by_county.to_dict())


def test_generate_demo_shocks_relief_dependence_and_near_poor_in_every_county_and_period(demo):
    ledgers, statuses = demo["ledgers"], demo["ages"]
    everywhere = {(county, year) for county in COUNTIES for year in YEARS}
    sick = statuses[statuses["health"].isin(["serious", "disabled"])]
    sick_households = set(zip(sick["member__household__registry_number"], sick["period_id"], strict=True))
    has_sick = pd.Series(
        [(r, p) in sick_households for r, p in zip(ledgers["registry_number"], ledgers["period_id"], strict=True)]
    )
    flags = {
        "serious illness or disability": has_sick,
        "disaster loss > 10 % of income": ledgers["disaster_loss"] > 0.1 * ledgers["total"],
        "job lost": ledgers["job_loss"],
        "catastrophic medical spending": ledgers["medical_spending"] > 0.1 * ledgers["total"],
        "relief >= 30 % of income": (ledgers["total"] > 0) & (ledgers["relief_transfers"] >= 0.3 * ledgers["total"]),
        "near-poor": (ledgers["y"] >= ledgers["line"]) & (ledgers["y"] < 1.5 * ledgers["line"]),
    }
    for name, flag in flags.items():
        assert _by_county_year(ledgers, flag) == everywhere, name
    # Wages are the largest source for most households; operating income is negative for a few.
    sources = ledgers[["wage_income", "net_operating_income", "property_income", "relief_transfers", "other_transfers"]]
    assert (sources.idxmax(axis=1) == "wage_income").mean() > 0.5
    assert 0 < (ledgers["net_operating_income"] < 0).mean() < 0.1


def test_generate_demo_resident_ids_are_valid_and_match_the_member(demo):
    members, ages = demo["members"], demo["ages"]
    resident_ids = members["resident_id_encrypted"].map(ids.id_decrypt)
    assert resident_ids.map(ids.resident_id_problem).isna().all()
    assert (resident_ids.str[:6] == members["household__region__county_code"]).all()
    assert (resident_ids.map(ids.birth_date) == members["birth_date"]).all()
    assert (resident_ids.str[16].astype(int) % 2 == (members["sex"] == "M")).all()
    assert resident_ids.is_unique and members["resident_id_hash"].is_unique
    assert (resident_ids.map(ids.id_hash) == members["resident_id_hash"]).all()
    assert (resident_ids.map(ids.id_mask) == members["resident_id_masked"]).all()
    # Age in a period = period year − birth year (completed years on 31 December).
    born = members.set_index(["household__registry_number", "member_no"])["birth_date"]
    keys = pd.MultiIndex.from_frame(ages[["member__household__registry_number", "member__member_no"]])
    birth_year = born.reindex(keys).map(lambda d: d.year).to_numpy()
    assert (ages["age"].to_numpy() == ages["period_id"].to_numpy() - birth_year).all()


def test_generate_demo_covers_every_village_with_registry_numbers_and_history(demo):
    households = demo["households"]
    assert (households["registry_number"].str[:12] == households["region__code"]).all()
    assert households["registry_number"].str.fullmatch(r"\d{16}").all()
    per_village = households.groupby("region__code").size()
    assert set(per_village.index) == demo["villages"] and len(demo["villages"]) == 762
    assert per_village.between(12, 20).all()
    surveys = demo["village_surveys"]
    assert len(surveys) == len(demo["villages"]) * len(YEARS) and set(surveys["period_id"]) == set(YEARS)
    assert set(households["registration_year"]) == {2014, 2015}
    exited = households.dropna(subset=["exit_year"])
    assert (exited["exit_year"] >= exited["registration_year"]).all() and len(exited) > 0
    status = households["monitoring_status"].value_counts(normalize=True)
    assert status["none"] > 0.7 and status["near_poor_at_risk"] > 0 and status["ex_poor_unstable"] > 0
    assert set(YEARS) <= set(demo["periods"])
    assert demo["change_log"] == [(p, y) for p in ["51", "62"] for y in YEARS]
    for model, (rows, created) in demo["history"].items():
        assert rows > 0 and created == rows, model


def _stored(county: str) -> dict[str, pd.DataFrame]:
    statuses = MemberStatus.objects.filter(member__household__region__county_code=county)
    return {
        "ledgers": _ledgers([county]),
        "statuses": pd.DataFrame(
            list(statuses.values("member__household__registry_number", "member__member_no", "period_id", "age"))
        )
        .sort_values(["member__household__registry_number", "member__member_no", "period_id"])
        .reset_index(drop=True),
    }


def test_generate_demo_same_seed_same_rows_other_seed_other_rows_and_no_duplicates():
    args = {"counties": "513431", "periods": "2016-2017", "stdout": io.StringIO()}
    call_command("generate_demo", seed=7, **args)
    first = _stored("513431")
    counts = [m.objects.count() for m in (Household, Member, MemberStatus, HouseholdSurvey, VillageSurvey)]
    call_command("generate_demo", seed=7, **args)
    again = _stored("513431")
    assert [m.objects.count() for m in (Household, Member, MemberStatus, HouseholdSurvey, VillageSurvey)] == counts
    assert counts[3] == len(first["ledgers"]) == 2 * counts[0]
    pd.testing.assert_frame_equal(first["ledgers"], again["ledgers"])
    pd.testing.assert_frame_equal(first["statuses"], again["statuses"])
    call_command("generate_demo", seed=8, **args)
    other = _stored("513431")
    assert not first["ledgers"][MONEY].equals(other["ledgers"][MONEY])
    # The replaced rows left deletion history rows behind.
    assert HouseholdSurvey.history.filter(history_type="-").count() == 2 * counts[3]


def test_demo_frames_for_fewer_periods_repeat_the_same_years():
    villages = pd.DataFrame({"code": ["621126100201", "621126100202"], "county_code": "621126", "province_code": "62"})
    full = demo_frames(villages=villages, periods=YEARS, seed=3)["household_surveys"]
    part = demo_frames(villages=villages, periods=[2017, 2018], seed=3)["household_surveys"]
    pd.testing.assert_frame_equal(part, full[full["period"].isin([2017, 2018])].reset_index(drop=True))


@pytest.mark.parametrize(
    ("args", "message"),
    [({"counties": "629999"}, "not county codes"), ({"counties": "513431", "periods": "2014-2016"}, "periods")],
)
def test_generate_demo_refuses_unknown_counties_and_uncalibrated_years(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_demo", **args)
    assert not Household.objects.exists()
