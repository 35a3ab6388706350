"""Permission matrix over every household, member, survey and import route, by persona.

Routes come from the URL configuration (pages) and the OpenAPI schema (API). Personas: the clerk of
village A, the clerk of its neighbouring village B, an official of the prefecture holding A, an API
client of another county C, an outsider with no assignment, and an anonymous visitor. Outside scope
every route answers 403 or 404, and no response outside scope carries an unmasked resident ID.
"""

import pytest
import yaml
from django.contrib.auth.models import User
from django.urls import URLPattern, get_resolver, reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from households import ids
from households.importing.commit import import_upload
from households.models import Household, HouseholdSurvey, Member
from regions.models import Assignment, Region, Role

VILLAGE_A, VILLAGE_B = "640422100002", "640422100004"
ID_A = "640422198001010" + "01"
ID_A += ids.check_character(ID_A)

OUT_OF_SCOPE = {403, 404}


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    village_a = Region.objects.get(code=VILLAGE_A)
    household = Household.objects.create(registry_number=f"{VILLAGE_A}0001", region=village_a, registration_year=2014)
    member = Member.objects.create(
        household=household,
        member_no=1,
        resident_id_encrypted=ids.id_encrypt(ID_A),
        resident_id_hash=ids.id_hash(ID_A),
        resident_id_masked=ids.id_mask(ID_A),
    )
    HouseholdSurvey.objects.create(household=household, period_id=_period(2020), wage_income=5000)

    def user(name, role=None, code=None):
        account = User.objects.create_user(name, password="pw-" + name)
        if role:
            Assignment.objects.create(user=account, role=role, region=Region.objects.get(code=code))
        return account

    people = {
        "clerk_a": user("clerk-a", Role.CLERK, VILLAGE_A),
        "clerk_b": user("clerk-b", Role.CLERK, VILLAGE_B),
        "official_b": user("official", Role.OFFICIAL, "6404"),
        "api_client_c": user("api-c", Role.API_CLIENT, "640402"),
        "outsider": user("outsider"),
    }
    data = f"registry_number,village_code\n{VILLAGE_A}0002,{VILLAGE_A}\n".encode()
    batch, _ = import_upload(data=data, filename="h.csv", kind="households", period=2020, user=people["clerk_a"])
    kwargs = {"pk": household.public_id, "member_pk": member.pk, "year": 2020, "code": VILLAGE_A}
    return {"people": people, "household": household, "member": member, "batch": batch, "kwargs": kwargs}


def _period(year):
    from households.models import SurveyPeriod

    return SurveyPeriod.objects.get_or_create(year=year)[0].year


def _page_routes(world) -> list[tuple[str, str]]:
    """Every route of the households app, reversed with the world's objects: (name, url)."""
    resolver = get_resolver().url_patterns
    app = next(p for p in resolver if getattr(p, "app_name", None) == "households")
    routes = []
    for pattern in app.url_patterns:
        assert isinstance(pattern, URLPattern)
        names = pattern.pattern.regex.groupindex
        kwargs = {
            k: world["batch"].pk if (k == "pk" and "import" in pattern.name) else world["kwargs"][k] for k in names
        }
        routes.append((pattern.name, reverse(f"households:{pattern.name}", kwargs=kwargs)))
    return routes


WRITE_ROUTES = {"create", "edit", "member-reveal", "status-change", "survey", "survey-go", "statuses", "village-survey"}
#: The methods each route answers; the others get 405 whoever asks.
METHODS = {"member-reveal": ("post",), "status-change": ("post",), "detail": ("get",), "list": ("get",)}
METHODS |= dict.fromkeys(("survey-go", "import-rejected", "import-file", "import-status"), ("get",))


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode(errors="ignore")


def _call(client, name, url, method):
    data = {"year": 2020} if name == "survey-go" else {}
    return getattr(client, method)(url, data)


@pytest.mark.django_db
def test_permission_matrix_over_every_page_route(client, world):
    routes = _page_routes(world)
    assert {name for name, _ in routes} >= WRITE_ROUTES | {"list", "detail", "imports", "import-detail"}
    for persona in ("clerk_b", "official_b", "api_client_c", "outsider"):
        client.force_login(world["people"][persona])
        for name, url in routes:
            if name in ("list", "imports"):
                continue  # the user's own lists, checked below
            for method in METHODS.get(name, ("get", "post")):
                response = _call(client, name, url, method)
                if name == "create":  # a clerk anywhere may open the form; the others may not
                    expected = {200} if persona == "clerk_b" else {403}
                elif persona == "official_b" and name == "detail":
                    expected = {200}  # the official of the prefecture reads household A, IDs masked
                else:
                    expected = OUT_OF_SCOPE
                assert response.status_code in expected, (persona, name, method, response.status_code)
                assert ID_A not in _body(response), (persona, name)
        listing = client.get(reverse("households:list")).content.decode()
        assert world["household"].registry_number not in listing, persona  # only clerks and admins see it whole
        masked = ids.registry_mask(world["household"].registry_number, VILLAGE_A)
        assert (masked in listing) is (persona == "official_b"), persona
        assert str(world["batch"].original_name) not in client.get(reverse("households:imports")).content.decode()
        client.logout()


@pytest.mark.django_db
def test_anonymous_is_sent_to_log_in(client, world):
    for name, url in _page_routes(world):
        for method in METHODS.get(name, ("get", "post")):
            response = _call(client, name, url, method)
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), (name, method)


@pytest.mark.django_db
def test_clerk_of_the_village_sees_the_birth_year_until_show(client, world):
    Member.objects.filter(pk=world["member"].pk).update(birth_date=ids.birth_date(ID_A))
    client.force_login(world["people"]["clerk_a"])
    url = reverse("households:detail", kwargs={"pk": world["household"].public_id})
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<td>1980</td>" in page and "Jan. 1, 1980" not in page  # the whole date comes with Show only


def test_clerk_of_the_village_reads_and_writes_and_reveal_is_audited(client, world):
    client.force_login(world["people"]["clerk_a"])
    for name, url in _page_routes(world):
        if "get" not in METHODS.get(name, ("get",)):
            continue
        response = _call(client, name, url, "get")
        assert response.status_code in (200, 302), (name, response.status_code)
        if response.status_code == 200:
            assert ID_A not in _body(response), name
    reveal = client.post(
        reverse(
            "households:member-reveal", kwargs={"pk": world["household"].public_id, "member_pk": world["member"].pk}
        )
    )
    assert ID_A in reveal.content.decode()
    assert world["member"].disclosures.get().user == world["people"]["clerk_a"]


@pytest.mark.django_db
def test_official_reads_masked_ids_and_cannot_reveal(client, world):
    Member.objects.filter(pk=world["member"].pk).update(birth_date=ids.birth_date(ID_A))  # 1980-01-01
    client.force_login(world["people"]["official_b"])
    url = reverse("households:detail", kwargs={"pk": world["household"].public_id})
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ids.id_mask(ID_A) in page and ID_A not in page
    # county + birth date + the mask's last four digits would be the whole ID: the year only
    assert "<td>1980</td>" in page and "Jan. 1, 1980" not in page and "Year of birth" in page
    assert f"{VILLAGE_A}****" in page and world["household"].registry_number not in page
    url = reverse(
        "households:member-reveal", kwargs={"pk": world["household"].public_id, "member_pk": world["member"].pk}
    )
    assert client.post(url).status_code == 403
    assert not world["member"].disclosures.exists()


def test_search_matches_masked_numbers_by_their_village_code_only(client, world):
    other = Household.objects.create(registry_number=f"{VILLAGE_A}0002", region=world["household"].region)
    number = world["household"].registry_number

    def found(query):  # the search is POSTed, then read back from the redirect's token
        target = client.post(reverse("households:list"), {"q": query})["Location"]
        return sorted(h.pk for h in client.get(target).context["page"])

    client.force_login(world["people"]["official_b"])  # sees 6404 masked: a full number must not pick one out
    assert found(number) == [] and found(number[:-1]) == []
    assert found(VILLAGE_A) == sorted([world["household"].pk, other.pk]) and found(VILLAGE_A[:6]) == found(VILLAGE_A)
    client.force_login(world["people"]["clerk_a"])  # the clerk of the village sees numbers whole
    assert found(number) == [world["household"].pk] and found(VILLAGE_A) == found(VILLAGE_A[:4])


@pytest.mark.django_db
def test_permission_matrix_over_the_api_schema(world):
    schema = yaml.safe_load(APIClient().get("/api/schema/").content)
    paths = [p for p in schema["paths"] if p.startswith("/api/v1/imports")]
    assert "/api/v1/imports/{id}/commit/" in paths or "/api/v1/imports/{pk}/commit/" in paths
    people = world["people"]
    for persona in ("clerk_b", "official_b", "api_client_c", "outsider"):
        client = APIClient()
        if persona == "api_client_c":
            client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=people[persona]).key}")
        else:
            client.force_authenticate(people[persona])
        for path, operations in schema["paths"].items():
            if not path.startswith("/api/v1/imports") or "templates" in path:
                continue
            url = path.replace("{pk}", str(world["batch"].pk)).replace("{id}", str(world["batch"].pk))
            for method in operations:
                response = getattr(client, method)(url)
                if path == "/api/v1/imports/" and method == "get":
                    assert response.json() == [], persona
                    continue
                if path == "/api/v1/imports/" and method == "post":
                    assert response.status_code in (400, 403), (persona, response.status_code)
                    continue
                assert response.status_code in OUT_OF_SCOPE, (persona, method, url, response.status_code)
                assert ID_A not in _body(response)


def test_survey_import_does_not_tell_which_numbers_exist_outside_the_clerks_regions(world):
    elsewhere = Household.objects.create(registry_number=f"{VILLAGE_B}0001", region=Region.objects.get(code=VILLAGE_B))
    data = f"registry_number,wage_income\n{elsewhere.registry_number},100\n{VILLAGE_B}0099,100\n".encode()
    _batch, validation = import_upload(
        data=data, filename="s.csv", kind="household-surveys", period=2020, user=world["people"]["clerk_a"]
    )
    messages = [(p.row, p.message) for p in validation.problems]
    same = "no household with this number in your regions: import it in a households file first"
    assert messages == [(2, same), (3, same)]  # an existing household elsewhere reads as an unknown number


def test_a_refusal_says_why_in_the_sites_layout(client, world):
    client.force_login(world["people"]["official_b"])
    url = reverse("households:edit", kwargs={"pk": world["household"].public_id})
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 403 and 'class="site-header"' in html
    assert "Only data clerks of this village and administrators may change it." in html
