"""Fixtures of the API tests: published runs with region scores written by hand, households with
scores, and personas (anonymous, an official and an API client of county A, an outsider, a superuser).

County A is 640422 西吉县 (township 640422100, village 640422100002); county B is 640402 原州区
(township 640402100, village 640402100200), both in prefecture 6404 固原市 of Ningxia (64).
"""

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from households import ids
from households.models import Household, HouseholdSurvey, Member, SurveyPeriod
from indicators.models import ComputationRun, HouseholdScore, Methodology, RegionScore
from regions.models import Assignment, Region, Role
from tests.indicators.builders import served

COUNTY_A, COUNTY_B = "640422", "640402"
TOWNSHIP_A, TOWNSHIP_B = "640422100", "640402100"
VILLAGE_A, VILLAGE_B = "640422100002", "640402100200"
RESIDENT_ID = "640422198001010" + "01"
RESIDENT_ID += ids.check_character(RESIDENT_ID)


def run_publish(*, period: int = 2020, methodology: Methodology | None = None) -> ComputationRun:
    """A published, current run of ``period`` (the default methodology unless given)."""
    SurveyPeriod.objects.get_or_create(year=period)
    methodology = methodology or Methodology.objects.get(is_default=True)
    ComputationRun.objects.filter(period_id=period, methodology=methodology, is_current=True).update(is_current=False)
    return ComputationRun.objects.create(
        period_id=period,
        methodology=methodology,
        status=ComputationRun.Status.PUBLISHED,
        is_current=True,
        finished_at=timezone.now(),
    )


def scores_write(run: ComputationRun, rows: dict[str, dict]) -> None:
    """A ``RegionScore`` of ``run`` per region code with the given field values (households 50 unless given)."""
    regions = {r.code: r for r in Region.objects.filter(code__in=rows)}
    RegionScore.objects.bulk_create(
        RegionScore(
            snapshot=served(run),
            region=regions[code],
            period_id=run.period_id,
            level=regions[code].level,
            **{"households": 50, "persons": 200, **values},
        )
        for code, values in rows.items()
    )


def household_scores_write(run: ComputationRun, rows: list[dict]) -> list[HouseholdScore]:
    """A household (created once per registry number) and its score in ``run`` per row.

    Row keys: ``village``, ``number`` (4-digit serial), and any ``HouseholdScore`` field.
    """
    villages = {r.code: r for r in Region.objects.filter(code__in={row["village"] for row in rows})}
    scores = []
    for row in rows:
        row = dict(row)
        village = villages[row.pop("village")]
        household, _ = Household.objects.get_or_create(
            registry_number=f"{village.code}{row.pop('number'):04d}", defaults={"region": village}
        )
        scores.append(
            HouseholdScore(
                snapshot=served(run),
                period_id=run.period_id,
                household=household,
                region=village,
                province_code=village.province_code,
                **{"persons": 3, "weight": 1.0, **row},
            )
        )
    return HouseholdScore.objects.bulk_create(scores)


@pytest.fixture
def people(db):
    """Personas: ``official_a`` and ``api_a`` (token) of county A, ``outsider``, ``admin`` (superuser)."""

    def user(name, role=None, code=None, **extra):
        account = User.objects.create_user(name, password="pw-" + name, **extra)
        if role:
            Assignment.objects.create(user=account, role=role, region=Region.objects.get(code=code))
        return account

    return {
        "official_a": user("official-a", Role.OFFICIAL, COUNTY_A),
        "api_a": user("api-a", Role.API_CLIENT, COUNTY_A),
        "outsider": user("outsider"),
        "admin": user("admin", is_superuser=True, is_staff=True),
    }


def client_for(user=None, *, token: bool = False) -> APIClient:
    """An API client: anonymous, forced-authenticated as ``user``, or with ``user``'s token."""
    client = APIClient()
    if user is not None and token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    elif user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def households_a_b(db):
    """Two households with surveys: one in village A (a member with a resident ID), one in village B."""
    SurveyPeriod.objects.get_or_create(year=2020)
    a = Household.objects.create(registry_number=f"{VILLAGE_A}0001", region=Region.objects.get(code=VILLAGE_A))
    b = Household.objects.create(registry_number=f"{VILLAGE_B}0001", region=Region.objects.get(code=VILLAGE_B))
    Member.objects.create(
        household=a,
        member_no=1,
        name="张三",
        resident_id_encrypted=ids.id_encrypt(RESIDENT_ID),
        resident_id_hash=ids.id_hash(RESIDENT_ID),
        resident_id_masked=ids.id_mask(RESIDENT_ID),
    )
    HouseholdSurvey.objects.create(household=a, period_id=2020, wage_income="012345.50", relief_transfers=800)
    HouseholdSurvey.objects.create(household=b, period_id=2020, wage_income=9000)
    return a, b
