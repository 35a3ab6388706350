"""The permission matrix of every route, built from the URL configuration and the OpenAPI schema.

Every non-admin route of ``get_resolver()`` (walked recursively) and every path and method of the
OpenAPI schema must be classified in ``PAGES`` / ``API`` below; a new route that is not fails
``test_every_route_is_classified`` with "classify this route". Each class says who may do what:

- public: answers 200 to anyone, but shows only county level and above, small cells (fewer than
  10 surveyed households) without numbers;
- scoped: needs a login (pages redirect to it, the API answers 401/403), answers 404 (pages) or an
  empty list (API) outside the user's regions, 200 inside;
- write: as scoped, and only a data clerk or admin of the household's village (warning steps:
  clerk, official or admin; never an API client) may use it;
- owner: an import batch, only its uploader (and a superuser);
- admin owner: as owner, and only an administrator over the batch's regions or a superuser (the
  recompute button): its clerk uploader gets 403.
- start: needs a login; sends a user with one region (of any role; a superuser: the one province
  with flagged households) to its inbox, and answers the others with a page of their regions (none).

Personas (as in ``tests/households/test_permissions.py``): anonymous, a superuser, the admin, the
official and the API client (token) of county A, the data clerk of village A, the official of
county B (out of scope with a role) and an outsider without assignment. Objects: county A 640422,
its township and village, a household there with a member's resident ID, and the same in county B.

Officials and API clients never get a resident ID or a registry number unmasked (pages, exports,
JSON and CSV, and the cursors of page links).
"""

import base64
import datetime as dt
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from households import ids
from households.importing.commit import import_upload
from households.models import Household, HouseholdSurvey, Member, SurveyPeriod
from indicators.models import WarningStep
from regions.models import Assignment, Region, Role
from tests.api.conftest import household_scores_write, run_publish, scores_write
from tests.indicators.test_dashboard import page_map

COUNTY_A, TOWNSHIP_A, VILLAGE_A = "640422", "640422100", "640422100002"
COUNTY_B, TOWNSHIP_B, VILLAGE_B = "640402", "640402100", "640402100200"
PREFECTURE, PROVINCE = "6404", "64"
COUNTY_C = "640423"
RESIDENT_ID = "640422198001010" + "01"
RESIDENT_ID += ids.check_character(RESIDENT_ID)
RESIDENT_ID_B = "640402198502020" + "02"
RESIDENT_ID_B += ids.check_character(RESIDENT_ID_B)

PUBLIC, SCOPED, WRITE, STEP, OWNER, ADMIN_OWNER, OWN_LIST, START, FRAMEWORK = (
    "public",
    "scoped",
    "write",
    "step",
    "owner",
    "admin owner",
    "own list",
    "start",
    "framework",
)

#: Every page route by name: its class, the methods to try, and the objects to try it on
#: (``case`` names of ``World.cases``). Framework routes (log-in, password, language) are Django's own.
PAGES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "indicators:dashboard": (PUBLIC, ("get",), ("none",)),
    "indicators:region": (PUBLIC, ("get",), ("county", "county_b", "prefecture", "township")),
    "indicators:methodology": (PUBLIC, ("get",), ("none",)),
    "regions:home": (PUBLIC, ("get",), ("none",)),
    "regions:detail": (PUBLIC, ("get",), ("county", "township")),
    "regions:topojson": (PUBLIC, ("get",), ("level",)),
    "indicators:children": (SCOPED, ("get",), ("county", "township", "county_b")),
    "indicators:village": (SCOPED, ("get",), ("village", "village_b")),
    "indicators:household": (SCOPED, ("get",), ("household", "household_b")),
    "indicators:warnings-start": (START, ("get",), ("none",)),
    "indicators:warnings": (SCOPED, ("get",), ("county", "village", "county_b")),
    "indicators:warning-case": (SCOPED, ("get",), ("case", "case_b")),
    "indicators:warning-step": (STEP, ("post",), ("case", "case_b")),
    "households:list": (OWN_LIST, ("get",), ("none",)),
    "households:imports": (OWN_LIST, ("get",), ("none",)),
    "households:detail": (SCOPED, ("get",), ("household", "household_b")),
    "households:create": (WRITE, ("get",), ("none",)),
    "households:edit": (WRITE, ("get",), ("household", "household_b")),
    "households:member-reveal": (WRITE, ("post",), ("member", "member_b")),
    "households:status-change": (WRITE, ("post",), ("household", "household_b")),
    "households:survey-go": (WRITE, ("get",), ("household", "household_b")),
    "households:survey": (WRITE, ("get",), ("household_year", "household_year_b")),
    "households:statuses": (WRITE, ("get",), ("household_year", "household_year_b")),
    "households:village-survey": (WRITE, ("get",), ("village_year", "village_year_b")),
    "households:import-detail": (OWNER, ("get",), ("batch",)),
    "households:import-status": (OWNER, ("get",), ("batch",)),
    "households:import-rejected": (OWNER, ("get",), ("batch",)),
    "households:import-file": (OWNER, ("get",), ("batch",)),
    "indicators:import-recompute": (ADMIN_OWNER, ("post",), ("batch",)),
    **dict.fromkeys(
        (
            "login",
            "logout",
            "password_change",
            "password_change_done",
            "password_reset",
            "password_reset_done",
            "password_reset_confirm",
            "password_reset_complete",
            "set_language",
        ),
        (FRAMEWORK, (), ()),
    ),
}

#: Every API path and method of the OpenAPI schema: its class and the objects to try.
API: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {
    ("/api/v1/regions/", "get"): (PUBLIC, ("none",)),
    ("/api/v1/regions/{code}/", "get"): (PUBLIC, ("county", "village")),
    ("/api/v1/indicators/", "get"): (PUBLIC, ("none",)),
    ("/api/v1/poverty-lines/", "get"): (PUBLIC, ("none",)),
    ("/api/v1/runs/", "get"): (PUBLIC, ("none",)),
    ("/api/v1/region-scores/", "get"): (PUBLIC, ("none",)),
    ("/api/v1/imports/templates/{kind}.{extension}", "get"): (PUBLIC, ("template",)),
    ("/api/v1/household-scores/", "get"): (SCOPED, ("none",)),
    ("/api/v1/early-warning/", "get"): (SCOPED, ("none",)),
    ("/api/v1/surveys/", "get"): (SCOPED, ("none",)),
    ("/api/v1/imports/", "get"): (OWN_LIST, ("none",)),
    ("/api/v1/imports/", "post"): (WRITE, ("none",)),
    ("/api/v1/imports/{id}/", "get"): (OWNER, ("batch",)),
    ("/api/v1/imports/{id}/commit/", "post"): (OWNER, ("batch",)),
    ("/api/v1/imports/{id}/undo/", "post"): (OWNER, ("batch",)),
    ("/api/v1/imports/{id}/rejected.xlsx", "get"): (OWNER, ("batch",)),
}
#: API routes outside ``/api/v1/`` (the schema and its docs): public.
API_META = {"schema", "api-docs"}
#: URL names of the API routes (each must be in the schema, so ``API`` classifies it).
API_NAMES = {
    "region-list",
    "region-detail",
    "survey-list",
    "import-list",
    "import-detail",
    "import-commit",
    "import-undo",
    "import-rejected",
    "import-template",
    "indicator-list",
    "poverty-line-list",
    "run-list",
    "region-score-list",
    "household-score-list",
    "early-warning-list",
}


# --- routes ---------------------------------------------------------------------------------------


def url_routes(patterns=None, prefix: str = "", namespace: str | None = None):
    """Every route of the URL configuration as ``(route text, qualified name)``, admin left out."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route.startswith("admin/"):
                continue
            inner = ":".join(n for n in (namespace, pattern.namespace) if n) or None
            yield from url_routes(pattern.url_patterns, route, inner)
        else:
            assert isinstance(pattern, URLPattern)
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield route, name or route


def schema_operations() -> list[tuple[str, str]]:
    """Every (path, method) of the OpenAPI schema, from drf-spectacular's generator."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [(path, method) for path, operations in schema["paths"].items() for method in operations]


# --- world ----------------------------------------------------------------------------------------


@dataclass
class Persona:
    name: str
    user: User | None
    #: region paths of the read scope (None: everything; empty: nothing)
    reads: tuple[str, ...] | None
    #: region paths where the persona is a data clerk or an admin (writes, whole registry numbers)
    writes: tuple[str, ...] | None
    #: region paths where the persona may take warning steps (clerk, official, admin)
    steps: tuple[str, ...] | None
    token: bool = False

    def covers(self, paths, path: str) -> bool:
        return paths is None or any(path.startswith(p) for p in paths)


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    SurveyPeriod.objects.get_or_create(year=2020)
    regions = {r.code: r for r in Region.objects.filter(code__in=[COUNTY_A, TOWNSHIP_A, VILLAGE_A, VILLAGE_B])}
    households, members = {}, {}
    for side, village, resident_id in (("a", VILLAGE_A, RESIDENT_ID), ("b", VILLAGE_B, RESIDENT_ID_B)):
        household = Household.objects.create(
            registry_number=f"{village}0001", region=Region.objects.get(code=village), registration_year=2014
        )
        members[side] = Member.objects.create(
            household=household,
            member_no=1,
            name="张三",
            resident_id_encrypted=ids.id_encrypt(resident_id),
            resident_id_hash=ids.id_hash(resident_id),
            resident_id_masked=ids.id_mask(resident_id),
        )
        HouseholdSurvey.objects.create(household=household, period_id=2020, wage_income=5000)
        households[side] = household
    run = run_publish(period=2020)
    scores_write(
        run,
        {
            PROVINCE: {"households": 200, "eqi": 61.0},
            PREFECTURE: {"households": 120, "eqi": 60.0},
            COUNTY_A: {"households": 50, "eqi": 58.5, "headcount_ratio": 0.04},
            COUNTY_B: {"households": 5, "eqi": 47.0, "headcount_ratio": 0.2},  # a small cell
            COUNTY_C: {"households": 40, "eqi": 52.5},  # B's complement (secondary suppression)
            TOWNSHIP_A: {"households": 30, "eqi": 57.0},
            VILLAGE_A: {"households": 12, "eqi": 55.0},
            TOWNSHIP_B: {"households": 5, "eqi": 46.0},
            VILLAGE_B: {"households": 5, "eqi": 45.0},
        },
    )
    flagged = {"flagged": True, "reasons": ["vulnerable"], "category": "near_poor_at_risk", "eqi": 40.0}
    household_scores_write(
        run,
        [
            {"village": VILLAGE_A, "number": 1, "vulnerability": 0.8, "margin": 0.9, **flagged},
            {"village": VILLAGE_B, "number": 1, "vulnerability": 0.7, "margin": 0.95, **flagged},
        ],
    )

    def user(name, role=None, code=None, **extra):
        account = User.objects.create_user(name, password="pw-" + name, **extra)
        if role:
            Assignment.objects.create(user=account, role=role, region=Region.objects.get(code=code))
        return account

    path = {code: Region.objects.get(code=code).path for code in (COUNTY_A, VILLAGE_A, COUNTY_B)}
    a, v, b = (path[COUNTY_A],), (path[VILLAGE_A],), (path[COUNTY_B],)
    personas = [
        Persona("anonymous", None, (), (), ()),
        Persona("superuser", user("root", is_superuser=True, is_staff=True), None, None, None),
        Persona("admin_a", user("admin-a", Role.ADMIN, COUNTY_A), a, a, a),
        Persona("official_a", user("official-a", Role.OFFICIAL, COUNTY_A), a, (), a),
        Persona("api_a", user("api-a", Role.API_CLIENT, COUNTY_A), a, (), (), token=True),
        Persona("clerk_a", user("clerk-a", Role.CLERK, VILLAGE_A), v, v, v),
        Persona("official_b", user("official-b", Role.OFFICIAL, COUNTY_B), b, (), b),
        Persona("outsider", user("outsider"), (), (), ()),
    ]
    clerk = personas[5].user
    data = f"registry_number,village_code\n{VILLAGE_A}0002,{VILLAGE_A}\n".encode()
    batch, _ = import_upload(data=data, filename="h.csv", kind="households", period=2020, user=clerk)
    ha, hb = households["a"], households["b"]
    # each case: the URL kwargs and the path of the region whose scope decides (None: no object)
    cases = {
        "none": ({}, None),
        "level": ({"level": 3}, None),
        "template": ({"kind": "households", "extension": "csv"}, None),
        "county": ({"code": COUNTY_A}, path[COUNTY_A]),
        "county_b": ({"code": COUNTY_B}, path[COUNTY_B]),
        "prefecture": ({"code": PREFECTURE}, None),
        "township": ({"code": TOWNSHIP_A}, regions[TOWNSHIP_A].path),
        "village": ({"code": VILLAGE_A}, path[VILLAGE_A]),
        "village_b": ({"code": VILLAGE_B}, hb.region.path),
        "household": ({"pk": ha.public_id}, path[VILLAGE_A]),
        "household_b": ({"pk": hb.public_id}, hb.region.path),
        "household_year": ({"pk": ha.public_id, "year": 2020}, path[VILLAGE_A]),
        "household_year_b": ({"pk": hb.public_id, "year": 2020}, hb.region.path),
        "village_year": ({"code": VILLAGE_A, "year": 2020}, path[VILLAGE_A]),
        "village_year_b": ({"code": VILLAGE_B, "year": 2020}, hb.region.path),
        "member": ({"pk": ha.public_id, "member_pk": members["a"].pk}, path[VILLAGE_A]),
        "member_b": ({"pk": hb.public_id, "member_pk": members["b"].pk}, hb.region.path),
        "case": ({"code": VILLAGE_A, "pk": ha.public_id}, path[VILLAGE_A]),
        "case_b": ({"code": VILLAGE_B, "pk": hb.public_id}, hb.region.path),
        "batch": ({"pk": batch.pk, "id": batch.pk}, None),
    }
    return {
        "personas": personas,
        "households": households,
        "batch": batch,
        "cases": cases,
        "registry": [ha.registry_number, hb.registry_number],
        "regions": regions,
    }


def page_client(persona: Persona, client):
    client.logout()
    if persona.user is not None:
        client.force_login(persona.user)
    return client


def api_client(persona: Persona) -> APIClient:
    client = APIClient()
    if persona.user is not None and persona.token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=persona.user)[0].key}")
    elif persona.user is not None:
        client.force_authenticate(persona.user)
    return client


def body_of(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8-sig", errors="ignore")


def rolled_back(call):
    """The response of ``call()`` with every write it made undone (mutating routes, every persona)."""
    with transaction.atomic():
        response = call()
        transaction.set_rollback(True)
    return response


def page_post_data(name: str) -> dict:
    if name == "indicators:warning-step":
        today = dt.date.today().isoformat()
        return {"step": "verified", "on": today, "note": "visited", "status": "near_poor_at_risk", "period": 2020}
    return {}


def cursors_of(payload) -> list[str]:
    """The decoded text of the cursors of a page's links (DRF's plain cursors are base64)."""
    out = []
    for link in (payload.get("next"), payload.get("previous")) if isinstance(payload, dict) else ():
        for cursor in parse_qs(urlparse(link or "").query).get("cursor", []):
            try:
                out.append(base64.b64decode(cursor + "==").decode(errors="ignore"))
            except ValueError:
                out.append(cursor)
    return out


def assert_nothing_unmasked(persona: Persona, text: str, where: str, world) -> None:
    """No resident ID ever; no whole registry number for a persona who is not clerk/admin of it."""
    for resident_id in (RESIDENT_ID, RESIDENT_ID_B):
        assert resident_id not in text, (persona.name, where, "resident ID")
        assert resident_id[6:14] not in text, (persona.name, where, "birth date of a resident ID")
    for household in world["households"].values():
        if not persona.covers(persona.writes, household.region.path):
            assert household.registry_number not in text, (persona.name, where, "registry number")


# --- the matrix -----------------------------------------------------------------------------------


def unclassified(routes: list[tuple[str, str]]) -> list[str]:
    """The routes (``url_routes`` items) that ``PAGES`` and ``API_NAMES`` / ``API_META`` do not classify."""
    known = set(PAGES) | API_NAMES | API_META
    return sorted(f"{route} ({name})" for route, name in routes if name not in known)


def test_every_route_is_classified():
    """A new page or API route fails here until it is classified above."""
    routes = list(url_routes())
    names = {name for _, name in routes}
    missing = unclassified(routes)
    assert not missing, f"classify this route in tests/test_permission_matrix.py PAGES or API: {missing}"
    assert not set(PAGES) - names, f"classified routes that no longer exist: {sorted(set(PAGES) - names)}"
    operations = schema_operations()
    missing = sorted(f"{method.upper()} {path}" for path, method in operations if (path, method) not in API)
    assert not missing, f"classify this route (API, from the OpenAPI schema) in API: {missing}"
    assert not set(API) - set(operations), (
        f"classified API operations that no longer exist: {set(API) - set(operations)}"
    )
    api_routes = [route for route, name in routes if name in API_NAMES]
    assert all(route.startswith("api/v1/") for route in api_routes), api_routes
    assert len(api_routes) == len({path for path, _ in operations}), "every API route is in the schema"


def test_a_new_route_is_reported_unclassified():
    from django.urls import include, path

    extra = [path("reports/", include(([path("<str:code>/", lambda r, code: None, name="report")], "reports")))]
    routes = list(url_routes(extra))
    assert routes == [("reports/<str:code>/", "reports:report")]
    assert unclassified(routes) == ["reports/<str:code>/ (reports:report)"]
    assert unclassified(list(url_routes())) == []


def _page_expected(kind: str, persona: Persona, path: str | None, name: str) -> set[int]:
    """The status codes a page may answer: 302 means the log-in redirect for the anonymous."""
    if kind == PUBLIC:
        return {200}
    if persona.user is None:
        return {302}
    if kind == OWN_LIST:
        return {200}
    if kind == START:  # every persona here has one region (the superuser: province 64), but the outsider
        return {200} if persona.reads == () else {302}
    if kind == OWNER:
        return {200} if persona.name in ("clerk_a", "superuser") else {403, 404}
    if kind == ADMIN_OWNER:  # the batch is not committed: the superuser is sent back to its page
        return {302} if persona.name == "superuser" else {403} if persona.name == "clerk_a" else {404}
    if kind == WRITE and path is None:  # the new-household form: any clerk or admin
        return {200} if persona.writes is None or persona.writes else {403}
    if not persona.covers(persona.reads, path):
        return {404}
    if kind == SCOPED:
        return {200}
    allowed = persona.covers(persona.steps if kind == STEP else persona.writes, path)
    if name in ("households:survey-go", "households:status-change", "indicators:warning-step"):
        return {302} if allowed else {403}  # they redirect to the page they serve
    return {200} if allowed else {403}


@pytest.mark.django_db
def test_every_page_route_by_persona(client, world):
    reverse_names = {name for _, name in url_routes()}
    for name, (kind, methods, cases) in PAGES.items():
        assert name in reverse_names
        for case in cases:
            kwargs, path = world["cases"][case]
            url = _reverse(name, kwargs)
            for persona in world["personas"]:
                c = page_client(persona, client)
                for method in methods:
                    if method == "post":
                        response = rolled_back(lambda c=c, url=url, name=name: c.post(url, page_post_data(name)))
                    else:
                        response = c.get(url, {"year": 2020} if name == "households:survey-go" else {})
                    expected = _page_expected(kind, persona, path, name)
                    where = f"{method.upper()} {url}"
                    assert response.status_code in expected, (persona.name, where, response.status_code, expected)
                    if response.status_code == 302 and persona.user is None and kind != PUBLIC:
                        assert response["Location"].startswith("/accounts/login/"), (persona.name, where)
                    if name != "households:member-reveal" or not persona.covers(persona.writes, path):
                        assert_nothing_unmasked(persona, body_of(response), where, world)
                        assert_nothing_unmasked(persona, response.get("Location", ""), where, world)


def _reverse(name: str, kwargs: dict) -> str:
    """``reverse`` with only the kwargs the route takes (``batch`` carries ``pk`` and ``id``)."""
    for keys in (set(kwargs), {k for k in kwargs if k != "id"}, set()):
        try:
            return reverse(name, kwargs={k: kwargs[k] for k in keys})
        except NoReverseMatch:  # try fewer kwargs
            continue
    raise AssertionError(f"cannot reverse {name} with {kwargs}")


@pytest.mark.django_db
def test_the_warning_step_records_for_allowed_roles_only(client, world):
    """Inside the rollback the allowed step writes its WarningStep; the API client writes nothing."""
    url = reverse("indicators:warning-step", kwargs=world["cases"]["case"][0])
    for persona in world["personas"]:
        c = page_client(persona, client)
        with transaction.atomic():
            c.post(url, page_post_data("indicators:warning-step"))
            written = WarningStep.objects.exists()
            transaction.set_rollback(True)
        assert written is (persona.name in ("superuser", "admin_a", "official_a", "clerk_a")), persona.name


@pytest.mark.django_db
def test_the_status_route_records_for_writers_only_and_never_risk_eliminated(client, world):
    """Each persona posts a monitored status and "risk eliminated" to the household page's status route
    (each inside a rollback): only a data clerk or admin of the village (or a superuser) records the
    first; nobody records the second there (an official or admin confirms it in the warning workflow)."""
    today = timezone.localdate().isoformat()
    for case, household in (("household", world["households"]["a"]), ("household_b", world["households"]["b"])):
        kwargs, path = world["cases"][case]
        url = reverse("households:status-change", kwargs=kwargs)
        for persona in world["personas"]:
            c = page_client(persona, client)
            writer = persona.user is not None and persona.covers(persona.writes, path)
            for status in ("near_poor_at_risk", "risk_eliminated"):
                with transaction.atomic():
                    response = c.post(url, {"status": status, "changed_on": today, "reason": "visit"})
                    household.refresh_from_db()
                    written = (household.monitoring_status, household.status_changes.count())
                    transaction.set_rollback(True)
                where = (persona.name, case, status, response.status_code)
                assert response.status_code in _page_expected(WRITE, persona, path, "households:status-change"), where
                assert written == ((status, 1) if writer and status != "risk_eliminated" else ("none", 0)), where


def _api_expected(kind: str, persona: Persona) -> set[int]:
    if kind == PUBLIC:
        return {200}
    if persona.user is None:
        return {401, 403}
    if kind in (SCOPED, OWN_LIST):
        return {200}
    if kind == WRITE:  # an upload without a file: 400 for a writer, 403 for the others
        return {400} if persona.writes is None or persona.writes else {403}
    return {200, 400, 409} if persona.name in ("clerk_a", "superuser") else {403, 404}


def _api_url(path: str, kwargs: dict) -> str:
    for key, value in kwargs.items():
        path = path.replace("{" + key + "}", str(value))
    assert "{" not in path, path
    return path


@pytest.mark.django_db
def test_every_api_operation_by_persona(world):
    registry_a = world["households"]["a"].registry_number
    for (path, method), (kind, cases) in API.items():
        for case in cases:
            url = _api_url(path, world["cases"][case][0])
            for persona in world["personas"]:
                client = api_client(persona)
                formats = ("json", "csv") if kind == SCOPED else ("json",)
                for fmt in formats:
                    params = {"format": "csv"} if fmt == "csv" else {}
                    if method == "get":
                        response = client.get(url, params)
                    else:
                        response = rolled_back(lambda client=client, url=url: client.post(url))
                    where = f"{method.upper()} {url} {fmt}"
                    expected = _api_expected(kind, persona)
                    assert response.status_code in expected, (persona.name, where, response.status_code)
                    text = body_of(response)
                    assert_nothing_unmasked(persona, text, where, world)
                    if kind == SCOPED and fmt == "json" and response.status_code == 200:
                        payload = response.json()
                        for cursor in cursors_of(payload):
                            assert_nothing_unmasked(persona, cursor, where + " cursor", world)
                        households = {row["household"] for row in payload["results"]}
                        a_in = persona.covers(persona.reads, world["cases"]["household"][1])
                        assert (str(world["households"]["a"].public_id) in households) is a_in, (persona.name, where)
                        if a_in and not persona.covers(persona.writes, world["cases"]["household"][1]):
                            assert f"{VILLAGE_A}****" in text, (persona.name, where)  # masked, not dropped
                        if a_in and persona.covers(persona.writes, world["cases"]["household"][1]):
                            assert registry_a in text, (persona.name, where)  # a clerk or admin sees it whole
                    if kind == OWN_LIST and response.status_code == 200:
                        listed = world["batch"].pk in {row["id"] for row in response.json()}
                        assert listed is (persona.name in ("clerk_a", "superuser")), (persona.name, where)
                if kind == SCOPED and persona.user is not None:
                    asked = client.get(url, {"region": VILLAGE_A} if "early" in url or "scores" in url else {})
                    if not persona.covers(persona.reads, world["cases"]["village"][1]):
                        assert str(world["households"]["a"].public_id) not in {
                            r["household"] for r in asked.json()["results"]
                        }


@pytest.mark.django_db
def test_every_batch_action_answers_404_after_the_uploader_is_reassigned(client, world):
    """The clerk of village A moved to village B keeps no right over its batch of A: every OWNER
    route (pages and API, read or write) answers 404, the lists leave it out (issue 13, finding 7)."""
    clerk = next(p for p in world["personas"] if p.name == "clerk_a")
    Assignment.objects.filter(user=clerk.user).delete()
    Assignment.objects.create(user=clerk.user, role=Role.CLERK, region=Region.objects.get(code=VILLAGE_B))
    batch, kwargs = world["batch"], world["cases"]["batch"][0]
    c = page_client(clerk, client)
    owner_pages = [name for name, (kind, _m, _c) in PAGES.items() if kind == OWNER]
    assert owner_pages, "the matrix classifies the batch routes as OWNER"
    for name in owner_pages:
        url = _reverse(name, kwargs)
        assert c.get(url).status_code == 404, (name, "get")
        if name == "households:import-detail":  # its POST commits or undoes
            for action in ("commit", "undo"):
                response = rolled_back(lambda url=url, action=action: c.post(url, {"action": action}))
                assert response.status_code == 404, (name, action)
    assert reverse("households:import-detail", kwargs={"pk": batch.pk}) not in body_of(
        c.get(reverse("households:imports"))
    )
    api = api_client(clerk)
    for (path, method), (kind, _cases) in API.items():
        if kind != OWNER:
            continue
        url = _api_url(path, kwargs)
        response = api.get(url) if method == "get" else rolled_back(lambda url=url: api.post(url))
        assert response.status_code == 404, (method, path, response.status_code)
    assert batch.pk not in {row["id"] for row in api.get("/api/v1/imports/").json()}
    batch.refresh_from_db()
    assert batch.status == "validated" and not batch.downloads.exists()


@pytest.mark.django_db
def test_cursors_of_page_links_carry_no_registry_number(world):
    """DRF's cursor is base64 of the last row's ordering value: here it is encrypted."""
    official = next(p for p in world["personas"] if p.name == "official_a")
    client = api_client(official)
    HouseholdScore = world["households"]["a"].scores.model
    run = HouseholdScore.objects.first().snapshot.runs.get()
    household_scores_write(run, [{"village": VILLAGE_A, "number": n, "flagged": True} for n in range(2, 5)])
    HouseholdSurvey.objects.bulk_create(
        HouseholdSurvey(household=h, period_id=2020)
        for h in Household.objects.filter(registry_number__gt=f"{VILLAGE_A}0001", region__code=VILLAGE_A)
    )
    for url in ("/api/v1/household-scores/", "/api/v1/early-warning/", "/api/v1/surveys/"):
        params = {"page_size": 1, **({"ordering": "registry_number"} if "early" in url else {})}
        first = client.get(url, params).json()
        assert first["next"], url
        cursor = parse_qs(urlparse(first["next"]).query)["cursor"][0]
        for text in (cursor, *cursors_of(first)):
            assert VILLAGE_A not in text, (url, text)
        second = client.get(first["next"]).json()
        assert second["results"] and second["results"][0]["household"] != first["results"][0]["household"]


# --- public data: county level and above, small cells suppressed ----------------------------------


@pytest.mark.django_db
def test_region_scores_for_the_public_are_county_and_above_without_small_cells(world):
    rows = APIClient().get("/api/v1/region-scores/", {"period": 2020, "region": PROVINCE}).json()["results"]
    by_code = {row["region"]: row for row in rows}
    assert set(by_code) == {PROVINCE, PREFECTURE, COUNTY_A, COUNTY_B, COUNTY_C}  # no township, no village
    assert by_code[COUNTY_A]["eqi"] == 58.5 and by_code[COUNTY_A]["households"] == 50
    for code in (COUNTY_B, COUNTY_C):  # the small cell and its complement
        small = by_code[code]
        assert small["suppressed"] is True
        assert small["eqi"] is None and small["headcount_ratio"] is None and small["households"] is None
    text = APIClient().get("/api/v1/region-scores/", {"period": 2020, "format": "csv"}).content.decode("utf-8-sig")
    for code in (TOWNSHIP_A, VILLAGE_A, TOWNSHIP_B, VILLAGE_B):
        assert code not in text
    assert ",47.0," not in text and ",52.5," not in text  # county B's EQI and its complement's (not a time)


@pytest.mark.django_db
def test_dashboards_for_the_public_show_no_township_village_or_small_cell(client, world):
    for url in ("/", f"/regions/{PREFECTURE}/", f"/regions/{COUNTY_A}/", f"/regions/{COUNTY_B}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for code in (TOWNSHIP_A, VILLAGE_A, TOWNSHIP_B, VILLAGE_B):
            assert code not in html, (url, code)
        payload, county_map = response.context["dashboard"], page_map(response)
        if county_map:
            values = dict(zip(county_map["codes"], county_map["values"]["eqi"], strict=True))
            assert values.get(COUNTY_B) is None, url  # 5 surveyed households: no number
            assert values.get(COUNTY_A) == 58.5, url
        series = payload["focus"]["series"]
        if COUNTY_B in series:
            row = series[COUNTY_B]["periods"][2020]
            assert row["suppressed"] is True and row["eqi"] is None and row["households"] is None, url
        if COUNTY_A in series:
            assert series[COUNTY_A]["periods"][2020]["eqi"] == 58.5, url
    # a township's own page is public (the region tree is), without a number
    response = client.get(f"/regions/{TOWNSHIP_A}/")
    assert response.status_code == 200
    row = response.context["dashboard"]["focus"]["series"][TOWNSHIP_A]["periods"][2020]
    assert row["suppressed"] is True and row["eqi"] is None and row["households"] is None
    assert "57.0" not in response.content.decode()
