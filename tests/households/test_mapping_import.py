"""Mapping import of outside data: the shipped eusilc mapping on a tiny file written here (every
machine) and on the real eusilc file (shared data), plus mapping and file errors by key and row."""

import time
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from simple_history.utils import get_history_model_for_model

from households.importing.commit import import_undo
from households.importing.mapping import LEDGER_FIELDS, MappingError, mapping_import, mapping_load
from households.importing.validate import Problem
from households.models import ChangeLog, Household, HouseholdSurvey, ImportBatch, Member, MemberStatus
from regions.models import Assignment, Region, Role
from regions.services.custom import regions_import_csv

MAPPINGS = Path(django_settings.BASE_DIR) / "data" / "mappings"
MAPPING = MAPPINGS / "eusilc.yaml"
SCHEME = "at-eusilc"
MODELS = (Household, Member, MemberStatus, HouseholdSurvey, ImportBatch, ChangeLog)

HEADER = (
    "db030,hsize,db040,rb030,age,rb090,pl030,pb220a,py010n,py050n,py090n,py100n,py110n,py120n,py130n,py140n,"
    "hy040n,hy050n,hy070n,hy080n,hy090n,hy110n,hy130n,hy145n,eqSS,eqIncome,db090,rb050"
)
# Household 1 (Tyrol): a woman of 34 and a boy of 10 (NA in the person columns). Disposable income
# 1000.50 − 200 + (100 + 10) + 30 + 50.25 − (20 − 5) = 975.75; eqSS 1 + 0.3 = 1.3.
# Household 2 (Vienna): a man of 70 with an old-age pension. 12000 + 500 + 3.33 − 100 = 12403.33.
ROWS = [
    '1,2,"Tyrol",101,34,"female","2","AT",1000.50,-200,0,0,0,0,0,0,100,50.25,30,0,10,0,20,-5,1.3,'
    "750.576923076923,504.569620253164,504.569620253164",
    '1,2,"Tyrol",102,10,"male",NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,100,50.25,30,0,10,0,20,-5,1.3,'
    "750.576923076923,504.569620253164,504.569620253164",
    '2,1,"Vienna",201,70,"male","5","AT",0,0,0,12000,0,0,0,0,0,0,500,0,3.33,0,0,100,1,12403.33,100,100',
]


def tiny(rows=ROWS) -> bytes:
    return (HEADER + "\n" + "\n".join(rows) + "\n").encode()


def counts() -> tuple[int, ...]:
    history = [get_history_model_for_model(m).objects.count() for m in MODELS[:4]]
    return (*(m.objects.count() for m in MODELS), *history)


def run(data: bytes, *, commit: bool, mapping: Path = MAPPING, period: int = 2006, filename: str = "eusilc.csv"):
    return mapping_import(data=data, filename=filename, mapping_path=mapping, period=period, user=None, commit=commit)


def mapping_with(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    """The shipped mapping with each (old, new) text replaced once, as ``variant.yaml``."""
    text = MAPPING.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "variant.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def austria(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    regions_import_csv(path=MAPPINGS / "eusilc_regions.csv", scheme=SCHEME)


@pytest.mark.django_db
def test_tiny_file_dry_run_writes_nothing_then_commit_creates_households_members_surveys(austria):
    before = counts()
    dry = run(tiny(), commit=False)
    assert dry.problems == []
    assert dry.counts == {
        "households": {"new": 2, "updated": 0, "unchanged": 0},
        "members": {"new": 3, "updated": 0, "unchanged": 0},
        "household-surveys": {"new": 2, "updated": 0, "unchanged": 0},
    }
    assert dry.batch is None and counts() == before

    result = run(tiny(), commit=True)
    batch = result.batch
    assert (batch.kind, batch.status, batch.period_id, batch.rows_new) == ("household-surveys", "committed", 2006, 7)
    assert batch.mapping == MAPPING.read_text(encoding="utf-8")
    first = Household.objects.get(registry_number="AT-EUSILC-2006-1")
    assert (first.region.code, first.region.scheme, first.import_batch_id) == ("AT-7", SCHEME, batch.pk)
    assert Household.objects.get(registry_number="AT-EUSILC-2006-2").region.name == "Vienna"
    members = list(Member.objects.filter(household=first).values_list("member_no", "source_id", "sex", "statuses__age"))
    assert members == [(1, "101", "F", 34), (2, "102", "M", 10)]
    assert MemberStatus.objects.filter(period_id=2006, present=True).count() == 3
    survey = HouseholdSurvey.objects.get(household=first, period_id=2006)
    assert [getattr(survey, f) for f in LEDGER_FIELDS] == [
        Decimal("1000.50"),
        Decimal("-200.00"),
        Decimal("110.00"),
        Decimal("30.00"),
        Decimal("50.25"),
        Decimal("15.00"),
    ]
    assert (survey.equivalence_scale, survey.sampling_weight) == (Decimal("1.3000"), Decimal("504.569620"))
    pension = HouseholdSurvey.objects.get(household__registry_number="AT-EUSILC-2006-2")
    assert (pension.other_transfers, pension.relief_transfers, pension.deductions) == (
        Decimal("12000.00"),
        Decimal("500.00"),
        Decimal("100.00"),
    )
    assert list(ChangeLog.objects.values_list("province_code", "period_id", "source")) == [("AT", 2006, "import")]
    assert first.history.get().import_batch_id == batch.pk  # history rows carry the batch

    written = counts()
    again = run(tiny(), commit=True)
    assert (again.new, again.updated, again.unchanged, again.batch) == (0, 0, 7, None)
    assert counts() == written  # the second commit wrote nothing, not even a batch

    import_undo(batch=batch, user=None)
    assert (Household.objects.count(), Member.objects.count(), HouseholdSurvey.objects.count()) == (0, 0, 0)


@pytest.mark.django_db
def test_corrected_amount_updates_only_that_survey(austria):
    run(tiny(), commit=True)
    corrected = [
        ROWS[0],
        ROWS[1].replace(',10,"male",', ',11,"female",'),
        ROWS[2].replace(",500,0,3.33,", ",600,0,3.33,").replace("12403.33", "12503.33"),
    ]
    result = run(tiny(corrected), commit=True)
    assert result.counts == {
        "households": {"new": 0, "updated": 0, "unchanged": 2},
        "members": {"new": 0, "updated": 1, "unchanged": 2},
        "household-surveys": {"new": 0, "updated": 1, "unchanged": 1},
    }
    boy = Member.objects.get(source_id="102")
    assert (boy.sex, boy.statuses.get().age, boy.history.count()) == ("F", 11, 2)
    survey = HouseholdSurvey.objects.get(household__registry_number="AT-EUSILC-2006-2")
    assert (survey.relief_transfers, survey.import_batch_id) == (Decimal("600.00"), result.batch.pk)
    assert survey.history.count() == 2


@pytest.mark.django_db
def test_region_name_not_in_the_scheme_is_rejected_by_row(austria):
    before = counts()
    result = run(tiny([*ROWS[:2], ROWS[2].replace('"Vienna"', '"Wien"')]), commit=True)
    assert result.problems == [
        Problem(4, "db040", "Wien", "unknown region: not a name of a leaf region of scheme at-eusilc")
    ]
    assert (result.rejected, result.batch) == (1, None) and counts() == before
    root = run(tiny([*ROWS[:2], ROWS[2].replace('"Vienna"', '"Austria"')]), commit=False)
    assert root.problems[0].message == "not a leaf region of scheme at-eusilc; households hang on its leaves"


@pytest.mark.django_db
def test_regions_matched_by_code_and_clerks_kept_to_their_regions(austria, tmp_path):
    by_code = mapping_with(tmp_path, ("match: name", "match: code"))
    rows = [r.replace('"Tyrol"', "AT-7").replace('"Vienna"', "AT-9") for r in ROWS]
    assert run(tiny(rows), commit=False, mapping=by_code).problems == []
    clerk = User.objects.create_user("tyrol-clerk")
    Assignment.objects.create(user=clerk, role=Role.CLERK, region=Region.objects.get(code="AT-7"))
    result = mapping_import(
        data=tiny(), filename="eusilc.csv", mapping_path=MAPPING, period=2006, user=clerk, commit=True
    )
    assert result.problems == [Problem(4, "", "AT-EUSILC-2006-2", "outside your assigned regions")]
    assert Household.objects.count() == 0


@pytest.mark.django_db
def test_missing_scheme_tells_to_import_the_regions_first(db):
    result = run(tiny(), commit=False)
    assert [p.message for p in result.problems] == [
        f"scheme 'at-eusilc' has no regions: run `manage.py import_regions {MAPPINGS / 'eusilc_regions.csv'} "
        "--scheme at-eusilc` first"
    ]


@pytest.mark.django_db
def test_bad_cells_and_verify_mismatches_are_reported_by_row_and_column(austria):
    rows = [
        ROWS[0].replace("1000.50", "1000.5O"),  # not a number → row 2 (and no verify noise)
        ROWS[1].replace(',"male",', ',"boy",'),  # unknown sex → row 3
        ROWS[2].replace("12403.33", "12403.34"),  # eqIncome differs by 8e-7 relative: within 1e-6
    ]
    result = run(tiny(rows), commit=False)
    assert [(p.row, p.column, p.value) for p in result.problems] == [
        (2, "py010n", "1000.5O"),
        (3, "rb090", "boy"),
    ]
    assert result.problems[0].message == "not a number"
    wrong = run(tiny([*ROWS[:2], ROWS[2].replace("12403.33", "12413.33")]), commit=False)
    assert [(p.row, p.column) for p in wrong.problems] == [(4, "eqIncome")]
    assert "equivalised_income computed from the mapping is 12403.33" in wrong.problems[0].message
    varying = run(tiny([ROWS[0], ROWS[1].replace(",100,50.25,", ",101,50.25,")]), commit=False)
    assert [(p.row, p.column) for p in varying.problems] == [(3, "hy040n")]
    assert "differs from row 2 of the same household" in varying.problems[0].message


@pytest.mark.django_db
def test_mapping_errors_name_the_key_or_the_column(austria, tmp_path):
    bad_sign = mapping_with(tmp_path, ('{column: py010n, sign: "+"', '{column: py010n, sign: "x"'))
    with pytest.raises(MappingError, match=r'variant.yaml: ledger.wage_income\[0\].sign: .x. is not "\+" or "-"'):
        mapping_load(bad_sign)
    unknown_key = mapping_with(tmp_path, ("weight: db090", "weigth: db090"))
    with pytest.raises(MappingError, match="weigth: unknown key"):
        mapping_load(unknown_key)
    stored_verify = mapping_with(tmp_path, ("rule: modified-oecd", "column: eqSS"), ("  age: age   ", "  # "))
    with pytest.raises(MappingError, match=r"verify\[1\].column: eqSS is also used by equivalence_scale.column"):
        mapping_load(stored_verify)
    twice = mapping_with(tmp_path, ("{column: hy090n,", "{column: hy040n,"))
    with pytest.raises(MappingError, match=r"ledger.property_income\[1\].column: hy040n is already in"):
        mapping_load(twice)
    no_household = mapping_with(tmp_path, ('"AT-EUSILC-{period}-{household}"', '"AT-{household:>6}"'))
    with pytest.raises(MappingError, match=r"ids.registry_number: .* must contain \{household\} once"):
        mapping_load(no_household)
    unknown_column = mapping_with(tmp_path, ("{column: py010n,", "{column: py011n,"))
    result = run(tiny(), commit=True, mapping=unknown_column)
    assert result.problems == [
        Problem(0, "py011n", "", "column named by ledger.wage_income[0].column is not in the file")
    ]
    assert Household.objects.count() == 0


@pytest.mark.django_db
def test_na_counted_as_missing_rejects_the_household(austria, tmp_path):
    strict = mapping_with(tmp_path, ("ledger: zero", "ledger: missing"))
    result = run(tiny(), commit=False, mapping=strict)
    assert {(p.row, p.column) for p in result.problems} >= {(3, "py010n"), (3, "py140n")}
    assert result.rejected == 1


@pytest.mark.django_db
def test_import_surveys_command_with_mapping(austria, tmp_path, capsys):
    source = tmp_path / "eusilc.csv"
    source.write_bytes(tiny())
    args = (str(source), "--kind", "household-surveys", "--period", "2006", "--mapping", str(MAPPING))
    call_command("import_surveys", *args)
    assert Household.objects.count() == 0
    call_command("import_surveys", *args, "--commit")
    output = capsys.readouterr().out
    assert "households: new 2, updated 0, unchanged 0" in output
    assert "new 7, updated 0, unchanged 0, rejected 0; batch" in output
    assert Household.objects.count() == 2
    with pytest.raises(CommandError, match="use --kind household-surveys"):
        call_command("import_surveys", str(source), "--kind", "members", "--period", "2006", "--mapping", str(MAPPING))
    source.write_bytes(tiny([*ROWS[:2], ROWS[2].replace('"Vienna"', '"Wien"')]))
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_surveys", *args, "--commit")


@pytest.mark.django_db
def test_eusilc_imports_with_source_totals_and_eqincome(austria, shared_data):
    data = (shared_data / "eusilc" / "eusilc.csv").read_bytes()
    source = pd.read_csv(shared_data / "eusilc" / "eusilc.csv")
    before = counts()
    started = time.monotonic()
    dry = run(data, commit=False)
    assert dry.problems == [] and dry.batch is None and counts() == before
    result = run(data, commit=True)
    elapsed = time.monotonic() - started
    assert result.problems == []
    assert result.counts["households"]["new"] == 6000 and result.counts["members"]["new"] == 14827
    assert Household.objects.count() == 6000 and Member.objects.count() == 14827
    assert MemberStatus.objects.filter(period_id=2006).count() == 14827
    assert Household.objects.values("region").distinct().count() == 9
    assert set(Region.objects.filter(households__isnull=False).values_list("scheme", flat=True)) == {SCHEME}

    surveys = pd.DataFrame(
        list(
            HouseholdSurvey.objects.filter(period_id=2006).values(
                "household__registry_number", *LEDGER_FIELDS, "equivalence_scale", "sampling_weight"
            )
        )
    ).set_index("household__registry_number")
    assert len(surveys) == 6000
    households = source.groupby("db030").first()
    persons = source.filter(like="py").fillna(0)
    column_sums = {
        "wage_income": persons["py010n"].sum(),
        "net_operating_income": persons["py050n"].sum(),
        "property_income": households[["hy040n", "hy090n"]].to_numpy().sum(),
        "relief_transfers": households["hy070n"].sum(),
        "other_transfers": persons[[f"py{c:03d}n" for c in (90, 100, 110, 120, 130, 140)]].to_numpy().sum()
        + households[["hy050n", "hy080n", "hy110n"]].to_numpy().sum(),
        "deductions": households[["hy130n", "hy145n"]].to_numpy().sum(),
    }
    for name, expected in column_sums.items():
        stored = float(sum(surveys[name]))
        assert stored == pytest.approx(expected, rel=1e-6, abs=1e-6), name
    assert float(sum(surveys["wage_income"])) == pytest.approx(source["py010n"].sum(), rel=1e-9)

    ledger = surveys[list(LEDGER_FIELDS)].map(float)
    total = ledger.drop(columns="deductions").sum(axis=1) - ledger["deductions"]
    equivalised = total / surveys["equivalence_scale"].map(float)
    expected = households["eqIncome"].set_axis("AT-EUSILC-2006-" + households.index.astype(str))
    difference = (equivalised.reindex(expected.index) - expected).abs() / expected.abs().clip(lower=1)
    assert difference.max() <= 1e-6
    weights = surveys["sampling_weight"].map(float).reindex(expected.index)
    assert (weights - households["db090"].to_numpy()).abs().max() < 1e-6

    written = counts()
    again = run(data, commit=True)
    assert (again.new, again.updated, again.unchanged, again.batch) == (0, 0, 6000 + 14827 + 6000, None)
    assert counts() == written
    assert elapsed < 60, f"dry run + commit took {elapsed:.1f} s"
