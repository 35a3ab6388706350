"""The PostgreSQL fast path gives the same report and the same rows as the general path."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from households.importing import commit as commit_module
from households.importing import fast as fast_module
from households.importing.commit import ImportRejected, import_commit, import_upload
from households.importing.fast import fast_stage
from households.importing.kept import kept_drop, kept_expire, kept_table
from households.importing.validate import import_validate
from households.models import Household, HouseholdSurvey, ImportBatch, VillageSurvey
from regions.models import Region

VILLAGE_A, VILLAGE_B = "640422100002", "640422100004"
HEADER = "registry_number,wage_income,net_operating_income,relief_transfers,food_secure,safe_housing,sampling_weight\n"

SURVEY_FILES = {
    "valid": HEADER + f"{VILLAGE_A}0001,12000.5,-300,¥3000,是,否,1\n{VILLAGE_A}0002,12 345,0,3000元,yes,0,2\n",
    "bad-cells": HEADER
    + f"{VILLAGE_A}0001,1.234,5,0,maybe,1,0\n{VILLAGE_A}0002,abc,1,23,1,1,1\n{VILLAGE_A}0001,99999999,0,0,1,1,-1\n",
    "unknown-and-blank": HEADER + f"{VILLAGE_A}0009,1,0,0,1,1,1\n,5,0,0,1,1,1\n{VILLAGE_A}0002,,,,,,\n",
    # canonical files (digits, signs, points only) are read by a typed COPY; the others cells by cell
    "canonical": HEADER + f"{VILLAGE_A}0001,12000.5,-300,3000,1,0,1\n{VILLAGE_A}0002,+12345,-.5,.5,0,1,2.5\n",
    "canonical-chinese-header": "户编号,生产经营净收入,不愁吃\n" + f"{VILLAGE_A}0001,1.5,1\n{VILLAGE_A}0002,-2,0\n",
    "canonical-registry": HEADER
    + f"{VILLAGE_A}0009,1,0,0,1,1,1\n{VILLAGE_A}0001,1,0,0,1,1,1\n{VILLAGE_A}0001,2,0,0,1,1,1\n",
    "canonical-bad-bool": HEADER + f"{VILLAGE_A}0001,1,0,0,2,1,1\n{VILLAGE_A}0002,1,0,0,1,-1,1\n",
    "canonical-bounds": HEADER + f"{VILLAGE_A}0001,10000001,0,0,1,1,0.0000000001\n{VILLAGE_A}0002,1,0,0,1,1,0\n",
    "canonical-blank-key": HEADER + f",1,0,0,1,1,1\n{VILLAGE_A}0002,1,0,0,1,1,\n",
    # amounts past numeric(14, 2): a row with a message, never a database overflow error
    "huge-amounts": HEADER
    + f"{VILLAGE_A}0001,1000000000000,0,0,1,1,1\n{VILLAGE_A}0002,99999999999999999999,1,0,1,1,1\n",
    "trailing-point": HEADER + f"{VILLAGE_A}0001,5.,0,0,1,1,1\n{VILLAGE_A}0002,1e3,0,0,1,1,1\n",
    "full-width": "户编号 registry_number,工资性收入\n"
    + "".join(chr(ord(c) + 0xFEE0) for c in f"{VILLAGE_A}0001")
    + ",１２００\n",
}
VILLAGE_FILES = {
    "villages": "village_code,hardened_road,tap_water_coverage,cooperatives,collective_income\n"
    f"{VILLAGE_A},是,0.85,2,52000\n{VILLAGE_B},no,1.2,1.5,-1\n640422,1,0.5,1,0\n640422100099,1,0.5,1,0\n"
}


@pytest.fixture
def households(postgresql, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    village = Region.objects.get(code=VILLAGE_A)
    for serial in ("0001", "0002"):
        Household.objects.create(registry_number=f"{VILLAGE_A}{serial}", region=village)


def _both(settings, data: bytes, kind: str):
    settings.TUOPIN_IMPORT_FAST_PATH = False
    general = import_validate(data=data, filename="f.csv", kind=kind, period=2020, user=None)
    settings.TUOPIN_IMPORT_FAST_PATH = True
    with transaction.atomic():
        assert fast_stage(data=data, filename="f.csv", kind=kind, period=2020, user=None) is not None
        transaction.set_rollback(True)
    fast = import_validate(data=data, filename="f.csv", kind=kind, period=2020, user=None)
    return general.report(), fast.report()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SURVEY_FILES))
def test_fast_path_reports_exactly_like_the_general_path_for_surveys(households, settings, name):
    general, fast = _both(settings, SURVEY_FILES[name].encode(), "household-surveys")
    assert fast == general
    assert general["problems"] or general["counts"]["new"] > 0


@pytest.mark.django_db
def test_fast_path_reports_exactly_like_the_general_path_for_village_surveys(households, settings):
    general, fast = _both(settings, VILLAGE_FILES["villages"].encode(), "village-surveys")
    assert fast == general
    assert {p["row"] for p in general["problems"]} == {3, 4, 5}


@pytest.mark.django_db
def test_fast_path_writes_the_same_rows_and_history(households, settings):
    data = SURVEY_FILES["valid"].encode()
    rows = {}
    for fast in (False, True):
        settings.TUOPIN_IMPORT_FAST_PATH = fast
        HouseholdSurvey.objects.all().delete()
        batch, _ = import_upload(data=data, filename="s.csv", kind="household-surveys", period=2020, user=None)
        import_commit(batch=batch, user=None)
        rows[fast] = sorted(
            HouseholdSurvey.objects.values_list(
                "household__registry_number",
                "wage_income",
                "net_operating_income",
                "relief_transfers",
                "food_secure",
                "safe_housing",
                "sampling_weight",
                "deductions",
                "job_loss",
            )
        )
        assert HouseholdSurvey.history.filter(import_batch_id=batch.pk, history_type="+").count() == 2
        again, _ = import_upload(data=data, filename="s.csv", kind="household-surveys", period=2020, user=None)
        assert (again.rows_new, again.rows_updated, again.rows_unchanged) == (0, 0, 2)
    assert rows[True] == rows[False]
    assert VillageSurvey.objects.count() == 0


@pytest.mark.django_db
def test_files_the_fast_path_does_not_take(households):
    quoted = (HEADER + f'{VILLAGE_A}0001,"1,234.5",0,0,1,1,1\n').encode()
    blank_line = (HEADER + f"\n{VILLAGE_A}0001,1,0,0,1,1,1\n").encode()
    with transaction.atomic():
        for data, kind, name in [
            (quoted, "household-surveys", "f.csv"),
            (blank_line, "household-surveys", "f.csv"),
            (SURVEY_FILES["valid"].encode(), "members", "f.csv"),
            (SURVEY_FILES["valid"].encode(), "household-surveys", "f.xlsx"),
            ((HEADER + f"{VILLAGE_A}0001,1,0\n").encode(), "household-surveys", "f.csv"),  # ragged row
        ]:
            assert fast_stage(data=data, filename=name, kind=kind, period=2020, user=None) is None, name


@pytest.mark.django_db
def test_a_canonical_file_is_read_by_a_typed_copy(households, monkeypatch):
    def text_path(*args, **kwargs):
        raise AssertionError("a canonical file does not need the text path")

    monkeypatch.setattr(fast_module, "_load_text", text_path)
    for name, encoding in [("canonical", "utf-8"), ("canonical-chinese-header", "gb18030")]:
        with transaction.atomic():
            staged = fast_stage(
                data=SURVEY_FILES[name].encode(encoding),
                filename="f.csv",
                kind="household-surveys",
                period=2020,
                user=None,
            )
            transaction.set_rollback(True)
        problems, counts, *_ = staged
        assert (problems, counts["new"]) == ([], 2)


def _upload(data: bytes):
    return import_upload(data=data, filename="s.csv", kind="household-surveys", period=2020, user=None)


@pytest.mark.django_db
def test_commit_uses_the_rows_kept_by_the_dry_run(households, monkeypatch):
    batch, _ = _upload(SURVEY_FILES["canonical"].encode())
    assert kept_table(batch_id=batch.pk) == f"import_kept_{batch.pk}"

    def parse_again(**kwargs):
        raise AssertionError("the commit parses the file again")

    monkeypatch.setattr(commit_module, "fast_validation", parse_again)
    monkeypatch.setattr(commit_module, "import_validate", parse_again)
    committed = import_commit(batch=batch, user=None)
    assert (committed.new, committed.problems) == (2, [])
    assert kept_table(batch_id=batch.pk) is None
    survey = HouseholdSurvey.objects.get(household__registry_number=f"{VILLAGE_A}0002")
    assert (survey.wage_income, survey.net_operating_income, survey.relief_transfers, survey.sampling_weight) == (
        12345,
        Decimal("-0.50"),
        Decimal("0.50"),
        2.5,
    )
    assert HouseholdSurvey.history.filter(import_batch_id=batch.pk, history_type="+").count() == 2


@pytest.mark.django_db
def test_commit_of_kept_rows_checks_the_registry_again(households):
    batch, validation = _upload(SURVEY_FILES["canonical"].encode())
    assert validation.problems == []
    HouseholdSurvey.objects.all().delete()
    Household.objects.filter(registry_number=f"{VILLAGE_A}0002").delete()
    with translation.override("en"), pytest.raises(ImportRejected, match="1 row"):  # refusals speak the reader's
        import_commit(batch=batch, user=None)
    batch.refresh_from_db()
    assert batch.status == "rejected" and HouseholdSurvey.objects.count() == 0
    assert [(p["row"], p["message"]) for p in batch.report["problems"]] == [
        (3, "no household with this number in your regions: import it in a households file first")
    ]
    assert kept_table(batch_id=batch.pk) is None


@pytest.mark.django_db
def test_commit_validates_the_file_again_when_it_changed_or_the_rows_are_gone(households):
    batch, _ = _upload(SURVEY_FILES["canonical"].encode())
    batch.file.save("changed.csv", ContentFile(SURVEY_FILES["canonical-registry"].encode()), save=True)
    with pytest.raises(ImportRejected):
        import_commit(batch=batch, user=None)  # the stored file is not the one validated: its problems count
    batch, _ = _upload(SURVEY_FILES["canonical"].encode())
    kept_drop(name=f"import_kept_{batch.pk}")
    assert import_commit(batch=batch, user=None).new == 2


@pytest.mark.django_db
def test_kept_rows_of_batches_no_longer_waiting_are_dropped(households):
    rejected, _ = _upload(SURVEY_FILES["canonical-registry"].encode())
    waiting, _ = _upload(SURVEY_FILES["canonical"].encode())
    old, _ = _upload(SURVEY_FILES["canonical"].encode())
    ImportBatch.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    assert kept_table(batch_id=rejected.pk) is None  # a file with problems keeps nothing
    kept_expire()
    assert kept_table(batch_id=waiting.pk) and kept_table(batch_id=old.pk) is None


def test_fast_path_reports_one_key_repeated_20000_times_like_the_general_path_and_quickly(households, settings):
    """Each row's duplicate message names ten other rows: without an index on the duplicates that
    was a scan of the whole group per row (quadratic; minutes for a file of a few hundred KB).
    Checked by growth, not by a wall time: 8 times the rows may take at most 24 times as long (linear
    is 8, quadratic 64); each size's best of three runs, so a busy machine does not fail it."""
    import time

    settings.TUOPIN_IMPORT_FAST_PATH = True

    def timed(rows: int):
        data = (HEADER + f"{VILLAGE_A}0001,1,0,0,1,1,1\n" * rows).encode()
        started = time.perf_counter()
        fast = import_validate(data=data, filename="f.csv", kind="household-surveys", period=2020, user=None)
        return time.perf_counter() - started, fast

    small = min(timed(2_500)[0] for _ in range(3))
    runs = [timed(20_000) for _ in range(3)]
    elapsed, fast = min(runs, key=lambda run: run[0])
    messages = [p.message for p in fast.problems if "duplicate key" in p.message]
    assert len(messages) == 20_000
    assert messages[0].endswith("is also in row 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 and 19989 more")
    assert elapsed < 24 * small, f"{elapsed:.2f} s for 20,000 rows, {small:.2f} s for 2,500"
