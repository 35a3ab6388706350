"""Import batches at rest and their rights (issue 13, findings 5, 7 and two of 8).

The kept original is encrypted (a key derived from ``RESIDENT_ID_KEY``), mode 0600 in a 0700
directory, purged after ``TUOPIN_IMPORT_ORIGINAL_RETENTION_DAYS`` (a command and a beat task), and
every download of it is audited; the stored report and the rejected-rows workbook hold resident IDs
masked; the workbook neutralises formulas; every batch action needs the user's current scope; of
concurrent commits of one batch exactly one commits.
"""

import datetime as dt
import io
import stat
import threading
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from rest_framework.test import APIClient

import households.models as household_models
from config import celery as celery_config
from households import ids
from households.importing import commit as commit_module
from households.importing import originals
from households.importing.commit import ImportRejected, import_commit, import_upload
from households.importing.kept import kept_drop, kept_table
from households.importing.report import problems_marked_xlsx
from households.models import ChangeLog, Household, HouseholdSurvey, ImportBatch
from regions.models import Assignment, Region, Role
from regions.services.divisions import divisions_import

VILLAGE_A, VILLAGE_B = "640422100002", "640422100004"


def person_id(area: str, born: str, seq: str) -> str:
    first17 = f"{area}{born}{seq}"
    return first17 + ids.check_character(first17)


ID_1 = person_id("640422", "19800101", "001")
BAD_ID = ID_1[:-1] + ("0" if ID_1[-1] != "0" else "1")  # the check digit mistyped


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def clerk(db, media):
    user = User.objects.create_user("clerk-a")
    Assignment.objects.create(user=user, role=Role.CLERK, region=Region.objects.get(code=VILLAGE_A))
    return user


def upload(data: bytes, user, *, kind: str = "households", filename: str = "f.csv") -> ImportBatch:
    batch, _validation = import_upload(data=data, filename=filename, kind=kind, period=2020, user=user)
    return batch


def households_csv(*serials: str, village: str = VILLAGE_A) -> bytes:
    rows = "".join(f"{village}{s},{village},2014\n" for s in serials)
    return f"registry_number,village_code,registration_year\n{rows}".encode()


def members_csv(*rows: str) -> bytes:
    return ("registry_number,member_no,name,resident_id,birth_date\n" + "".join(r + "\n" for r in rows)).encode()


def reassign(user, *, to: str) -> None:
    """Move ``user`` from every village they clerk to ``to`` (what an administrator does)."""
    Assignment.objects.filter(user=user).delete()
    Assignment.objects.create(user=user, role=Role.CLERK, region=Region.objects.get(code=to))


# --- finding 5: the original at rest --------------------------------------------------------------


@pytest.mark.django_db
def test_original_on_disk_is_encrypted_with_mode_0600_in_a_0700_directory(clerk, media):
    data = members_csv(f"{VILLAGE_A}0001,1,张三,{ID_1},1980-01-01")
    batch = upload(data, clerk, kind="members")
    path = Path(batch.file.path)
    on_disk = path.read_bytes()
    assert ID_1.encode() not in on_disk and "张三".encode() not in on_disk and b"registry_number" not in on_disk
    assert on_disk != data and len(on_disk) > len(data)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for directory in (path.parent, media / "imports", media):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory
    assert path.name.endswith(".csv.enc")


@pytest.mark.django_db
def test_original_read_round_trips_and_refuses_a_tampered_or_foreign_file(clerk, settings):
    data = households_csv("0001") + b"#" * (3 * 2**20 + 17)  # more than one chunk, not a multiple
    batch = upload(data, clerk)
    assert originals.original_read(batch) == data
    path = Path(batch.file.path)
    stored = bytearray(path.read_bytes())
    stored[len(stored) // 2] ^= 0x01
    path.write_bytes(bytes(stored))
    with pytest.raises(originals.OriginalDamaged):
        originals.original_read(batch)
    other = upload(households_csv("0002"), clerk)
    Path(other.file.path).write_bytes(Path(other.file.path).read_bytes()[: -(16 + 1)])  # cut short
    with pytest.raises(originals.OriginalDamaged):
        originals.original_read(other)
    third = upload(households_csv("0003"), clerk)
    settings.RESIDENT_ID_KEY = "another deployment's key"
    with pytest.raises(originals.OriginalDamaged):
        originals.original_read(third)


@pytest.mark.django_db
def test_purge_command_encrypts_and_restricts_a_file_kept_in_clear_before(clerk, media):
    data = members_csv(f"{VILLAGE_A}0001,1,张三,{ID_1},1980-01-01")
    batch = upload(data, clerk, kind="members")
    legacy = Path(batch.file.path)
    legacy.write_bytes(data)  # as main kept it: in clear, 0644 in a 0755 directory
    legacy.chmod(0o644)
    legacy.parent.chmod(0o755)
    assert originals.original_read(batch) == data  # still readable until the command runs
    call_command("purge_import_originals", stdout=io.StringIO())
    assert ID_1.encode() not in legacy.read_bytes() and legacy.read_bytes().startswith(originals.MAGIC)
    assert stat.S_IMODE(legacy.stat().st_mode) == 0o600 and stat.S_IMODE(legacy.parent.stat().st_mode) == 0o700
    assert originals.original_read(batch) == data


def _age(batch: ImportBatch, days: int) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - dt.timedelta(days=days))


@pytest.mark.django_db
def test_purge_command_deletes_expired_originals_and_keeps_fresh_ones(clerk, settings):
    settings.TUOPIN_IMPORT_ORIGINAL_RETENTION_DAYS = 30
    expired, fresh = upload(households_csv("0001"), clerk), upload(households_csv("0002"), clerk)
    _age(expired, 31)
    _age(fresh, 29)
    expired_path, fresh_path = Path(expired.file.path), Path(fresh.file.path)
    out = io.StringIO()
    call_command("purge_import_originals", stdout=out)
    expired.refresh_from_db()
    fresh.refresh_from_db()
    assert not expired_path.exists() and expired.file.name == "" and expired.original_purged_at is not None
    assert fresh_path.exists() and fresh.original_purged_at is None
    assert originals.original_read(fresh) == households_csv("0002")
    assert "1 " in out.getvalue()
    with pytest.raises(originals.OriginalGone):
        originals.original_read(expired)
    call_command("purge_import_originals", stdout=io.StringIO())  # a second run finds nothing more
    expired.refresh_from_db()
    assert expired.original_purged_at is not None


@pytest.mark.django_db
def test_beat_schedule_runs_the_purge_task(clerk, settings):
    schedule = celery_config.beat_schedule()
    job = next(j for j in schedule.values() if j["task"] == "households.tasks.import_originals_purge")
    assert job["schedule"]
    from households import tasks

    batch = upload(households_csv("0001"), clerk)
    _age(batch, settings.TUOPIN_IMPORT_ORIGINAL_RETENTION_DAYS + 1)
    assert tasks.import_originals_purge.apply().get() == 1
    batch.refresh_from_db()
    assert batch.original_purged_at is not None


@pytest.mark.django_db
def test_download_of_the_original_is_audited_and_gone_after_the_purge(clerk, client):
    data = households_csv("0001")
    batch = upload(data, clerk)
    client.force_login(clerk)
    response = client.get(reverse("households:import-file", args=[batch.pk]))
    assert response.status_code == 200 and response.content == data
    audit = household_models.ImportDownload.objects.get()
    assert (audit.user, audit.batch, audit.what) == (clerk, batch, "original")
    assert timezone.now() - audit.downloaded_at < dt.timedelta(minutes=1)
    client.get(reverse("households:import-rejected", args=[batch.pk]))
    assert list(household_models.ImportDownload.objects.order_by("pk").values_list("what", flat=True)) == [
        "original",
        "rejected",
    ]
    _age(batch, 400)
    call_command("purge_import_originals", stdout=io.StringIO())
    for name in ("households:import-file", "households:import-rejected"):
        gone = client.get(reverse(name, args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="en")
        assert gone.status_code == 410, name
        assert "retention" in gone.content.decode(), name
    assert household_models.ImportDownload.objects.count() == 2  # nothing was handed out
    page = client.get(reverse("households:import-detail", args=[batch.pk])).content.decode()
    assert reverse("households:import-file", args=[batch.pk]) not in page


@pytest.mark.django_db
def test_commit_of_a_purged_batch_is_refused_with_a_message(clerk):
    batch = upload(households_csv("0001"), clerk)
    _age(batch, 400)
    call_command("purge_import_originals", stdout=io.StringIO())
    batch.refresh_from_db()
    with translation.override("en"), pytest.raises(ImportRejected, match="retention period"):
        import_commit(batch=batch, user=clerk)
    assert Household.objects.count() == 0


@pytest.mark.django_db
def test_stored_report_masks_resident_ids_and_keeps_registry_numbers_as_typed(clerk, client):
    """Resident IDs are personal data: masked in the report. A registry number is not (the village
    code and a serial): the report keeps it as the clerk typed it, so a mistyped one can be seen
    and found (fresh-eyes test 14, item 5); only its uploader, a clerk or admin of its regions who
    sees registry numbers whole on every page, reads the report. An ID typed there is masked."""
    data = members_csv(
        f"{VILLAGE_A}0009,1,张三,{BAD_ID},1980-01-01",
        f"{VILLAGE_A}0009,{ID_1},张三,,",  # an ID typed into another column: masked all the same
        f"{ID_1},1,李四,,",  # and into the registry-number column
    )
    batch = upload(data, clerk, kind="members")
    problems = batch.report["problems"]
    values = {(p["row"], p["column"]): p["value"] for p in problems}
    assert values[(2, "resident_id")] == ids.id_mask(BAD_ID)
    assert values[(2, "registry_number")] == f"{VILLAGE_A}0009"  # no such household: as typed
    assert values[(3, "member_no")] == ids.id_mask(ID_1)
    assert values[(4, "registry_number")] == ids.id_mask(ID_1)
    messages = {(p["row"], p["column"]): p["message"] for p in problems}
    assert messages[(2, "resident_id")] == "the check digit is wrong (ISO 7064 MOD 11-2): mistyped?"
    assert messages[(3, "member_no")] == "must be at most 99"  # the ID is the cell's value only, masked
    text = str(batch.report)
    assert BAD_ID not in text and ID_1 not in text and f"{VILLAGE_A}0009" in text
    client.force_login(clerk)
    page = client.get(reverse("households:import-detail", args=[batch.pk])).content.decode()
    assert ids.id_mask(BAD_ID) in page and BAD_ID not in page and ID_1 not in page
    assert f"<td>{VILLAGE_A}0009</td>" in page  # in the table's own type, not a small <code>
    api = APIClient()
    api.force_authenticate(clerk)
    body = api.get(f"/api/v1/imports/{batch.pk}/").content.decode()
    assert ids.id_mask(BAD_ID) in body and BAD_ID not in body


@pytest.mark.django_db
def test_rejected_xlsx_masks_resident_ids_and_still_marks_the_cell(clerk):
    data = members_csv(f"{VILLAGE_A}0009,1,张三,{BAD_ID},1980-01-01")
    batch = upload(data, clerk, kind="members")
    sheet = load_workbook(io.BytesIO(problems_marked_xlsx(batch))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:5] == ["行 row", "registry_number", "member_no", "name", "resident_id"]
    assert rows[1][0] is None and rows[1][-1].startswith("本工作簿中的身份证号已遮蔽")  # the note above the rows
    assert rows[2][0] == 2 and rows[2][4] == ids.id_mask(BAD_ID)
    assert "resident_id" in rows[2][-1]
    assert sheet.cell(row=3, column=5).fill.fgColor.rgb.endswith("FFF2CC")  # the clerk still sees which cell
    assert all(BAD_ID not in str(v) for row in rows for v in row)


# --- finding 8: formulas in rejected.xlsx ---------------------------------------------------------


@pytest.mark.django_db
def test_rejected_xlsx_neutralises_headers_and_cells_that_start_a_formula(clerk):
    header = 'registry_number,village_code,=HYPERLINK("http://x.example/"),@SUM(A1)\n'
    headers = upload(f"{header}{VILLAGE_A}0001,{VILLAGE_A},1,2\n".encode(), clerk)
    header = "registry_number,village_code,registration_year,exit_year,monitoring_status\n"
    cells = upload(f"{header}=1+1,{VILLAGE_A},+2014,-3,@A1\n".encode(), clerk)
    values = []
    for batch in (headers, cells):
        sheet = load_workbook(io.BytesIO(problems_marked_xlsx(batch))).active
        written = [c for row in sheet.iter_rows() for c in row]
        assert all(c.data_type != "f" for c in written)
        values += [c.value for c in written if isinstance(c.value, str)]
    assert not [v for v in values if v[:1] in ("=", "+", "-", "@")], values
    assert {'\'=HYPERLINK("http://x.example/")', "'@SUM(A1)", "'=1+1", "'+2014", "'-3", "'@A1"} <= set(values)


# --- finding 7: batch rights after a reassignment -------------------------------------------------


@pytest.mark.django_db
def test_reassigned_clerk_gets_404_on_every_batch_action(clerk, client):
    committed = upload(households_csv("0001"), clerk)
    import_commit(batch=committed, user=clerk)
    validated = upload(households_csv("0002"), clerk)
    rejected = upload(households_csv("0003", village=VILLAGE_B), clerk)
    reassign(clerk, to=VILLAGE_B)
    client.force_login(clerk)
    api = APIClient()
    api.force_authenticate(clerk)
    for batch in (committed, validated, rejected):
        for name in ("import-detail", "import-file", "import-rejected"):
            assert client.get(reverse(f"households:{name}", args=[batch.pk])).status_code == 404, (name, batch)
        for action in ("commit", "undo"):
            url = reverse("households:import-detail", args=[batch.pk])
            assert client.post(url, {"action": action}).status_code == 404, (action, batch)
        assert api.get(f"/api/v1/imports/{batch.pk}/").status_code == 404
        assert api.get(f"/api/v1/imports/{batch.pk}/rejected.xlsx").status_code == 404
        assert api.post(f"/api/v1/imports/{batch.pk}/commit/").status_code == 404
        assert api.post(f"/api/v1/imports/{batch.pk}/undo/").status_code == 404
    assert api.get("/api/v1/imports/").json() == []
    assert f"/imports/{committed.pk}/" not in client.get(reverse("households:imports")).content.decode()
    assert household_models.ImportDownload.objects.count() == 0
    committed.refresh_from_db()
    validated.refresh_from_db()
    assert (committed.status, validated.status) == ("committed", "validated")
    assert Household.objects.count() == 1


@pytest.mark.django_db
def test_clerk_given_a_second_village_keeps_the_batches_of_the_first(clerk, client):
    batch = upload(households_csv("0001"), clerk)
    Assignment.objects.create(user=clerk, role=Role.CLERK, region=Region.objects.get(code=VILLAGE_B))
    client.force_login(clerk)
    assert client.get(reverse("households:import-detail", args=[batch.pk])).status_code == 200
    response = client.post(reverse("households:import-detail", args=[batch.pk]), {"action": "commit"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "committed" and Household.objects.count() == 1


@pytest.mark.django_db
def test_second_commit_answers_409_in_the_api_and_a_message_on_the_page(clerk, client):
    batch = upload(households_csv("0001"), clerk)
    api = APIClient()
    api.force_authenticate(clerk)
    assert api.post(f"/api/v1/imports/{batch.pk}/commit/").json()["status"] == "committed"
    again = api.post(f"/api/v1/imports/{batch.pk}/commit/", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409 and again.json()["status"] == "committed"
    assert "only a validated import can be committed" in again.json()["detail"]
    client.force_login(clerk)
    url = reverse("households:import-detail", args=[batch.pk])
    page = client.post(url, {"action": "commit"}, follow=True, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "only a validated import can be committed" in page
    assert Household.objects.count() == 1


# --- finding 8: concurrent commits ----------------------------------------------------------------


def _villages_loaded() -> None:
    """The divisions an earlier transactional test may have emptied (with Ningxia's villages)."""
    if not Region.objects.filter(code=VILLAGE_A).exists():
        divisions_import(villages="64")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["kept rows", "fast path", "general path"])
def test_concurrent_commits_of_one_batch_commit_exactly_once(postgresql, media, settings, path):
    """Three threads, each on its own connection, commit the same validated batch at once."""
    _villages_loaded()
    settings.TUOPIN_IMPORT_FAST_PATH = path != "general path"
    clerk = User.objects.create_user("clerk-a")
    Assignment.objects.create(user=clerk, role=Role.CLERK, region=Region.objects.get(code=VILLAGE_A))
    village = Region.objects.get(code=VILLAGE_A)
    for serial in ("0001", "0002"):
        Household.objects.create(registry_number=f"{VILLAGE_A}{serial}", region=village)
    data = f"registry_number,wage_income\n{VILLAGE_A}0001,1200\n{VILLAGE_A}0002,3400\n".encode()
    batch = upload(data, clerk, kind="household-surveys")
    assert batch.status == "validated"
    if path == "fast path":  # no kept rows: the commit stages the file again
        kept_drop(name=kept_table(batch_id=batch.pk))
    barrier = threading.Barrier(3)
    answers: list[str] = []

    def commit_once() -> None:
        mine = ImportBatch.objects.get(pk=batch.pk)
        try:
            barrier.wait(timeout=30)
            import_commit(batch=mine, user=clerk)
            answers.append("committed")
        except commit_module.ImportConflict:
            answers.append("conflict")
        except Exception as error:
            answers.append(f"error: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=commit_once) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(answers) == ["committed", "conflict", "conflict"], answers
    batch.refresh_from_db()
    assert batch.status == "committed"
    assert ChangeLog.objects.filter(import_batch=batch).count() == 1  # one province, written once
    assert HouseholdSurvey.objects.count() == 2
    assert HouseholdSurvey.history.filter(history_type="+").count() == 2  # history rows written once
