"""Small survey data sets for the recompute tests, written set-based (bulk_create)."""

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from households.models import Household, HouseholdSurvey, Member, MemberStatus, SurveyPeriod, VillageSurvey
from regions.models import Region


@dataclass
class Row:
    """One household of one period: total wage income (yuan per household per year), persons."""

    village: str
    serial: int
    wage: float
    persons: int
    relief: float = 0.0
    weight: float = 1.0
    guarantees: bool = True


def households_write(rows: list[Row], *, period: int) -> list[Household]:
    """Households (created once per village+serial), their members and a survey of ``period``."""
    SurveyPeriod.objects.get_or_create(year=period)
    regions = {r.code: r for r in Region.objects.filter(code__in={row.village for row in rows})}
    wanted = {f"{row.village}{row.serial:04d}": row for row in rows}
    existing = {h.registry_number: h for h in Household.objects.filter(registry_number__in=wanted)}
    Household.objects.bulk_create(
        Household(registry_number=number, region=regions[row.village], registration_year=2014)
        for number, row in wanted.items()
        if number not in existing
    )
    households = {h.registry_number: h for h in Household.objects.filter(registry_number__in=wanted)}
    members = []
    for number, row in wanted.items():
        have = households[number].members.count()
        members += [
            Member(
                household=households[number],
                member_no=i + 1,
                relation="head" if i == 0 else "child",
                labour_capacity="full",
                education="junior",
            )
            for i in range(have, row.persons)
        ]
    Member.objects.bulk_create(members)
    statuses = [
        MemberStatus(
            member=m,
            period_id=period,
            present=m.member_no <= wanted[m.household.registry_number].persons,
            age=40 if m.member_no == 1 else 10,
            employment="wage" if m.member_no == 1 else "none",
        )
        for m in Member.objects.filter(household__registry_number__in=wanted).select_related("household")
    ]
    MemberStatus.objects.filter(member__household__registry_number__in=wanted, period_id=period).delete()
    MemberStatus.objects.bulk_create(statuses)
    HouseholdSurvey.objects.filter(household__registry_number__in=wanted, period_id=period).delete()
    guarantees = HouseholdSurvey.GUARANTEE_FIELDS
    HouseholdSurvey.objects.bulk_create(
        HouseholdSurvey(
            household=households[number],
            period_id=period,
            wage_income=Decimal(str(row.wage)),
            relief_transfers=Decimal(str(row.relief)),
            sampling_weight=Decimal(str(row.weight)),
            **dict.fromkeys(guarantees, row.guarantees),
        )
        for number, row in wanted.items()
    )
    return list(households.values())


def villages_write(codes: list[str], *, period: int) -> None:
    """A village survey of ``period`` for each village: every service present, 50,000 yuan collective income."""
    VillageSurvey.objects.bulk_create(
        VillageSurvey(
            region=r,
            period_id=period,
            hardened_road=True,
            tap_water_coverage=Decimal("0.8"),
            electricity=True,
            broadband=True,
            school_within_reach=True,
            standard_clinic=False,
            collective_income=Decimal(50000),
            cooperatives=1,
        )
        for r in Region.objects.filter(code__in=codes)
    )


def random_rows(villages: list[str], *, per_village: int, seed: int) -> list[Row]:
    """``per_village`` households in each village with log-normal income around 2.5 x the 2020 line."""
    rng = np.random.default_rng(seed)
    rows = []
    for village in villages:
        persons = rng.integers(1, 7, per_village)
        income = np.exp(rng.normal(np.log(8000), 0.6, per_village)) * persons
        relief = np.where(rng.random(per_village) < 0.2, 1500.0, 0.0)
        for i in range(per_village):
            rows.append(
                Row(
                    village,
                    i + 1,
                    round(float(income[i]), 2),
                    int(persons[i]),
                    float(relief[i]),
                    guarantees=bool(rng.random() < 0.9),
                )
            )
    return rows


def served(run) -> "ScoreSnapshot":  # noqa: F821
    """A snapshot that ``run`` serves (in its manifest), for score rows a test writes by hand: the
    run's own "rest" snapshot (blank province), made once per run."""
    from indicators.models import ScoreSnapshot

    snapshot = ScoreSnapshot.objects.filter(run=run, province_code="").first()
    if snapshot is None:
        snapshot = ScoreSnapshot.objects.create(
            run=run, period_id=run.period_id, methodology_id=run.methodology_id, province_code=""
        )
        run.snapshots.add(snapshot)
    return snapshot
