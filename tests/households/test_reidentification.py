"""Re-identification and oracles (issue 13, finding 4, and the search item of finding 8).

(a) a clerk sees a member's birth year only until the audited "Show"; (b) "already registered to
another member" answers are audited (a count, no IDs) and limited per user and day; (c) a
households import answers the same whether or not a number exists outside the clerk's regions;
(d) household URLs and API fields carry a random public id, and masked lists do not sort by the
serial; (8) the household search puts no registry number into a URL.
"""

import uuid

import pandas as pd
import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from households import ids
from households.importing.commit import import_commit, import_upload
from households.importing.validate import Problem, import_validate
from households.models import Household, IdClashAnswer, Member
from households.services.demo import _insert
from regions.models import Assignment, Region, Role

VILLAGE_A, VILLAGE_B = "640422100002", "640422100004"
BORN = "19800101"


def person_id(seq: str, born: str = BORN) -> str:
    first17 = f"640422{born}{seq}"
    return first17 + ids.check_character(first17)


ID_1, ID_2, ID_3, ID_4 = (person_id(f"00{i}") for i in range(1, 5))


def _user(name, role=None, code=None):
    user = User.objects.create_user(name)
    if role:
        Assignment.objects.create(user=user, role=role, region=Region.objects.get(code=code))
    return user


@pytest.fixture
def world(db, settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    village_a = Region.objects.get(code=VILLAGE_A)
    household = Household.objects.create(registry_number=f"{VILLAGE_A}0001", region=village_a)
    member = Member.objects.create(
        household=household,
        member_no=1,
        birth_date=ids.birth_date(ID_1),
        relation="head",
        resident_id_encrypted=ids.id_encrypt(ID_1),
        resident_id_hash=ids.id_hash(ID_1),
        resident_id_masked=ids.id_mask(ID_1),
    )
    return {
        "household": household,
        "member": member,
        "clerk_a": _user("clerk-a", Role.CLERK, VILLAGE_A),
        "clerk_b": _user("clerk-b", Role.CLERK, VILLAGE_B),
        "official": _user("official", Role.OFFICIAL, "6404"),
    }


# (a) -------------------------------------------------------------------------------------------


def test_household_page_shows_the_clerk_the_birth_year_until_show(client, world):
    client.force_login(world["clerk_a"])
    page = client.get(reverse("households:detail", kwargs={"pk": world["household"].public_id})).content.decode()
    assert "<td>1980</td>" in page and "Year of birth" in page
    assert "Jan. 1, 1980" not in page and "1980-01-01" not in page and ID_1 not in page
    url = reverse(
        "households:member-reveal", kwargs={"pk": world["household"].public_id, "member_pk": world["member"].pk}
    )
    shown = client.post(url).content.decode()
    assert ID_1 in shown and "Jan. 1, 1980" in shown  # Show gives both (the date as the reader's locale writes it)
    assert world["member"].disclosures.get().user == world["clerk_a"]


def test_member_form_does_not_prefill_the_birth_date_and_keeps_it_when_left_empty(client, world):
    household, member = world["household"], world["member"]
    client.force_login(world["clerk_a"])
    url = reverse("households:edit", kwargs={"pk": household.public_id})
    page = client.get(url).content.decode()
    assert "1980-01-01" not in page and "Jan. 1, 1980" not in page and ID_1 not in page
    assert "born in 1980" in page  # the year, as on the household page
    data = {
        "registry_number": household.registry_number,
        "village_code": VILLAGE_A,
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "1",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
        "members-0-id": str(member.pk),
        "members-0-household": str(household.pk),
        "members-0-member_no": "1",
        "members-0-name": "Renamed",
        "members-0-birth_date": "",
        "members-0-relation": "head",
    }
    assert client.post(url, data).status_code == 302
    member.refresh_from_db()
    assert member.name == "Renamed" and member.birth_date == ids.birth_date(ID_1)  # kept, not cleared
    data["members-0-birth_date"] = "1999-09-09"  # a new date is still checked against the stored ID
    response = client.post(url, data)
    assert "Differs from the birth date inside the resident ID." in str(response.context["members"].forms[0].errors)


# (b) -------------------------------------------------------------------------------------------


def _members_csv(*rows: str) -> bytes:
    return ("registry_number,member_no,resident_id,relation\n" + "".join(r + "\n" for r in rows)).encode()


@pytest.fixture
def clerk_b_household(world):
    return Household.objects.create(registry_number=f"{VILLAGE_B}0001", region=Region.objects.get(code=VILLAGE_B))


def test_already_registered_answers_are_audited_as_a_count_and_say_not_where(world, clerk_b_household):
    data = _members_csv(f"{VILLAGE_B}0001,1,{ID_1},head", f"{VILLAGE_B}0001,2,{ID_2},child")
    batch, validation = import_upload(data=data, filename="m.csv", kind="members", period=2020, user=world["clerk_b"])
    assert validation.problems == [
        Problem(2, "resident_id", ID_1, "this resident ID is already registered to another member")
    ]
    message = validation.problems[0].message
    assert VILLAGE_A not in message and world["household"].registry_number not in message
    answer = IdClashAnswer.objects.get()
    assert (answer.user, answer.count, answer.refused, answer.context) == (world["clerk_b"], 1, False, "members import")
    assert answer.sha256 == batch.sha256  # the batch it answered
    stored = " ".join(str(getattr(answer, f.attname)) for f in IdClashAnswer._meta.concrete_fields)
    assert ID_1 not in stored and ids.id_hash(ID_1) not in stored and ID_1[-4:] not in stored
    clean = _members_csv(f"{VILLAGE_B}0001,1,{ID_3},head")  # no answer, no audit row
    assert import_upload(data=clean, filename="m.csv", kind="members", period=2020, user=world["clerk_b"])[1].ok
    assert IdClashAnswer.objects.count() == 1


def test_over_the_daily_limit_a_members_file_is_refused_without_saying_which_ids(world, clerk_b_household, settings):
    settings.TUOPIN_REGISTERED_ID_ANSWERS_PER_DAY = 2
    for seq, number in (("005", 2), ("006", 3)):  # two more members registered in village A
        other = person_id(seq)
        Member.objects.create(
            household=world["household"],
            member_no=number,
            resident_id_hash=ids.id_hash(other),
            resident_id_masked=ids.id_mask(other),
            resident_id_encrypted=ids.id_encrypt(other),
        )
    taken = [ID_1, person_id("005"), person_id("006")]
    user = world["clerk_b"]

    def upload(*resident_ids):
        rows = [f"{VILLAGE_B}0001,{n},{r},child" for n, r in enumerate(resident_ids, start=1)]
        return import_validate(data=_members_csv(*rows), filename="m.csv", kind="members", period=2020, user=user)

    refused = upload(*taken)  # three answers would pass the limit of two
    assert len(refused.problems) == 1 and refused.problems[0].row == 0
    text = refused.problems[0].message
    assert "limit of 2" in text and "already registered" not in text
    assert all(r not in text for r in taken) and refused.rejected == 3 and refused.new == 0
    assert [(a.count, a.refused) for a in IdClashAnswer.objects.order_by("pk")] == [(3, True)]
    # the rest of the day every file with resident IDs is refused, clashing or not: no one-bit oracle
    assert upload(ID_3).problems == refused.problems and upload(ID_1).problems == refused.problems
    no_ids = "registry_number,member_no,relation\n" + f"{VILLAGE_B}0001,1,head\n"
    assert import_validate(data=no_ids.encode(), filename="m.csv", kind="members", period=2020, user=user).ok
    assert import_validate(
        data=_members_csv(f"{VILLAGE_A}0001,4,{ID_3},child"),
        filename="m.csv",
        kind="members",
        period=2020,
        user=world["clerk_a"],
    ).ok  # another user has their own limit


def test_answers_within_the_limit_then_a_refusal(world, clerk_b_household, settings):
    settings.TUOPIN_REGISTERED_ID_ANSWERS_PER_DAY = 1
    user = world["clerk_b"]
    first = import_validate(
        data=_members_csv(f"{VILLAGE_B}0001,1,{ID_1},head"), filename="m.csv", kind="members", period=2020, user=user
    )
    assert [p.message for p in first.problems] == ["this resident ID is already registered to another member"]
    second = import_validate(
        data=_members_csv(f"{VILLAGE_B}0001,1,{ID_4},head"), filename="m.csv", kind="members", period=2020, user=user
    )
    assert len(second.problems) == 1 and "limit" in second.problems[0].message  # used up: refused, clash or not
    assert [(a.count, a.refused) for a in IdClashAnswer.objects.order_by("pk")] == [(1, False), (0, True)]


def test_household_form_answers_count_against_the_same_limit(client, world, settings):
    settings.TUOPIN_REGISTERED_ID_ANSWERS_PER_DAY = 1
    client.force_login(world["clerk_b"])

    def post(number, *resident_ids):
        data = {
            "registry_number": f"{VILLAGE_B}{number}",
            "village_code": VILLAGE_B,
            "members-TOTAL_FORMS": str(len(resident_ids)),
            "members-INITIAL_FORMS": "0",
            "members-MIN_NUM_FORMS": "0",
            "members-MAX_NUM_FORMS": "1000",
        }
        for i, resident_id in enumerate(resident_ids):
            data |= {f"members-{i}-member_no": str(i + 1), f"members-{i}-resident_id": resident_id}
        return client.post(reverse("households:create"), data)

    first = post("0001", ID_1)
    assert "already registered to another member" in str(first.context["members"].forms[0].errors)
    assert [(a.count, a.refused, a.context) for a in IdClashAnswer.objects.all()] == [(1, False, "household form")]
    second = post("0002", ID_3, ID_1)  # over the limit: neither ID is answered
    errors = [str(f.errors) for f in second.context["members"].forms]
    assert all("limit" in e and "already registered" not in e for e in errors)
    assert not Household.objects.filter(region__code=VILLAGE_B).exists()


# (c) -------------------------------------------------------------------------------------------


def test_households_import_answers_the_same_whether_or_not_the_number_exists(world, clerk_b_household):
    existing, missing = f"{VILLAGE_B}0001", f"{VILLAGE_B}0099"

    def problems(village_code, number):
        data = f"registry_number,village_code\n{number},{village_code}\n".encode()
        result = import_validate(data=data, filename="h.csv", kind="households", period=2020, user=world["clerk_a"])
        return [(p.column, p.message) for p in result.problems]

    for village_code in (VILLAGE_B, VILLAGE_A):  # the number's own village, or the clerk's
        assert problems(village_code, existing) == problems(village_code, missing), village_code
        assert any(c == "registry_number" for c, _ in problems(village_code, missing)), village_code
    assert problems(VILLAGE_A, f"{VILLAGE_A}0001") == []  # the clerk's own household


# (d) -------------------------------------------------------------------------------------------


def test_household_routes_take_the_public_id_not_the_sequential_key(client, world):
    household = world["household"]
    assert isinstance(household.public_id, uuid.UUID) and household.public_id.version == 4
    client.force_login(world["clerk_a"])
    url = reverse("households:detail", kwargs={"pk": household.public_id})
    assert url == f"/households/{household.public_id}/" and client.get(url).status_code == 200
    assert client.get(f"/households/{household.pk}/").status_code == 404
    assert client.get(f"/households/{household.pk}/scores/").status_code == 404
    page = client.get(url).content.decode()
    assert f"/households/{household.public_id}/scores/" in page and f"/households/{household.pk}/" not in page


def test_every_creation_path_gives_a_distinct_public_id(world):
    data = ("registry_number,village_code\n" + "".join(f"{VILLAGE_A}{i:04d},{VILLAGE_A}\n" for i in (2, 3))).encode()
    batch, validation = import_upload(
        data=data, filename="h.csv", kind="households", period=2020, user=world["clerk_a"]
    )
    assert validation.ok
    import_commit(batch=batch, user=world["clerk_a"])
    _insert(
        Household,
        pd.DataFrame(
            {
                "registry_number": [f"{VILLAGE_A}0004", f"{VILLAGE_A}0005"],
                "region_id": [world["household"].region_id] * 2,
            }
        ),
    )
    public = list(Household.objects.values_list("public_id", flat=True))
    assert len(public) == 5 and None not in public and len(set(public)) == 5
    history = Household.history.filter(registry_number=f"{VILLAGE_A}0002").get()
    assert history.public_id == Household.objects.get(registry_number=f"{VILLAGE_A}0002").public_id


def _serials_with_public_ids_in_reverse(world) -> list[Household]:
    """Households 0001-0005 of village A whose public ids sort in the reverse order of their serials."""
    village = world["household"].region
    Household.objects.filter(pk=world["household"].pk).update(public_id=uuid.UUID(int=5))
    for serial in range(2, 6):
        Household.objects.create(
            registry_number=f"{VILLAGE_A}{serial:04d}", region=village, public_id=uuid.UUID(int=6 - serial)
        )
    return list(Household.objects.order_by("registry_number"))


def test_masked_household_list_sorts_by_village_and_public_id_not_by_serial(client, world):
    in_serial_order = _serials_with_public_ids_in_reverse(world)

    def listed(user):
        client.force_login(user)
        return [h.pk for h in client.get(reverse("households:list")).context["page"]]

    assert listed(world["official"]) == [h.pk for h in reversed(in_serial_order)]  # masked: by public id
    assert listed(world["clerk_a"]) == [h.pk for h in in_serial_order]  # numbers whole: by number


def test_public_id_migration_fills_existing_rows_with_distinct_ids(transactional_db):
    before, after = (
        [("households", "0006_import_batch_scope_purge_and_download_audit")],
        [("households", "0007_household_public_id")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    region = apps.get_model("regions", "Region").objects.create(
        code="X1", scheme="zz-test", level=1, name="x", path="/X1/", province_code="X1"
    )
    old = apps.get_model("households", "Household")
    old.objects.bulk_create(old(registry_number=f"X1{i:04d}", region=region) for i in range(3))
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    apps = executor.loader.project_state(after).apps
    public = list(apps.get_model("households", "Household").objects.values_list("public_id", flat=True))
    assert len(public) == 3 and len(set(public)) == 3 and None not in public
    executor = MigrationExecutor(connection)
    # every app's last migration: going back to households 0006 also took back the indicators
    # migrations that depend on later households ones (the score snapshots, 0012)
    executor.migrate(executor.loader.graph.leaf_nodes())
    apps.get_model("households", "Household").objects.all().delete()
    apps.get_model("regions", "Region").objects.filter(code="X1").delete()


# (8) -------------------------------------------------------------------------------------------


def test_household_search_is_posted_and_no_registry_number_reaches_a_url(client, world):
    village = world["household"].region
    for serial in range(2, 60):  # two pages of results
        Household.objects.create(registry_number=f"{VILLAGE_A}{serial:04d}", region=village)
    client.force_login(world["clerk_a"])
    number = f"{VILLAGE_A}00"
    response = client.post(reverse("households:list"), {"q": number})
    assert response.status_code == 302 and number not in response["Location"] and VILLAGE_A not in response["Location"]
    page = client.get(response["Location"])
    assert page.context["page"].paginator.count == 59 and page.context["q"] == number
    html = page.content.decode()
    next_link = html.split('class="pager"')[1]
    assert "page=2" in next_link and number not in next_link and VILLAGE_A not in next_link
    narrower = client.get(client.post(reverse("households:list"), {"q": f"{VILLAGE_A}0001"})["Location"])
    assert [h.pk for h in narrower.context["page"]] == [world["household"].pk]
    # a number in the query string is not a search (it would be in the access log already)
    assert client.get(reverse("households:list"), {"q": f"{VILLAGE_A}0001"}).context["page"].paginator.count == 59
    assert 'method="post"' in html and 'name="q"' in html


@pytest.mark.django_db
def test_admin_member_page_shows_no_birth_date_nor_resident_id(client):
    """The admin's member page showed the full birth date without Show and without audit."""
    from django.contrib.auth.models import User

    from households import ids
    from households.models import Household, Member
    from regions.models import Region

    village = Region.objects.get(code="640422100002")
    household = Household.objects.create(registry_number="6404221000020077", region=village)
    resident_id = "640422196807210" + "01"
    resident_id += ids.check_character(resident_id)
    member = Member.objects.create(
        household=household,
        member_no=1,
        name="李四",
        birth_date=ids.birth_date(resident_id),
        resident_id_encrypted=ids.id_encrypt(resident_id),
        resident_id_hash=ids.id_hash(resident_id),
        resident_id_masked=ids.id_mask(resident_id),
    )
    client.force_login(User.objects.create_superuser("root-admin", password="x"))
    html = client.get(f"/admin/households/member/{member.pk}/change/").content.decode()
    assert "1968" not in html and resident_id not in html
    assert ids.id_mask(resident_id) in html
