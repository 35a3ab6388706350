"""Authentication, request and response hardening (issue 13, findings 6 and 8).

Logins lock out per username and per client address (django-axes), password-reset e-mails are
throttled, API-client accounts have no password login, sessions last a working day; a NUL byte in a
path or query answers 400; every page carries a Content-Security-Policy; answers to signed-in users
are ``Cache-Control: private``; docker-compose ships a TLS proxy in front of gunicorn.
"""

import datetime as dt
from pathlib import Path

import pytest
import yaml
from django.contrib.sessions.models import Session
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests.api.conftest import COUNTY_A

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/accounts/login/"


def _login(client: Client, username: str, password: str, *, url: str = LOGIN, address: str = "10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_login_locks_out_the_username_after_the_failure_limit_even_with_the_right_password(people, settings):
    client = Client()
    answers = [_login(client, "official-a", "wrong", address=f"10.0.0.{i}").status_code for i in range(5)]
    assert answers == [200] * 4 + [429]  # the form again with its error, then the lockout at the 5th
    locked = _login(client, "official-a", "pw-official-a", address="10.0.0.99")  # another address too
    assert locked.status_code == 429 and not _signed_in(client)
    assert "登录失败次数过多" in locked.content.decode()  # the lockout page, in the default language
    assert settings.AXES_FAILURE_LIMIT == 5
    # logged: the attempts and each failure are kept for the administrator
    from axes.models import AccessAttempt, AccessFailureLog

    assert AccessAttempt.objects.filter(username="official-a").count() >= 1
    assert AccessFailureLog.objects.filter(username="official-a").count() == 6  # the locked-out try too


def test_login_locks_out_the_client_address_across_usernames(people):
    client = Client()
    for name in ("a", "b", "c", "d", "e"):
        _login(client, name, "guess", address="10.9.9.9")
    assert _login(client, "official-a", "pw-official-a", address="10.9.9.9").status_code == 429
    other = Client()
    assert _login(other, "official-a", "pw-official-a", address="10.1.1.1").status_code == 302
    assert _signed_in(other)


def test_a_login_to_another_account_does_not_clear_the_failures_of_the_first(people):
    """Four wrong passwords for one account, then a right one for another account from the same
    address, again and again: the first account's failures must keep counting (they were cleared
    with the address's by the successful login, so it never locked)."""
    client = Client()
    for _ in range(4):
        _login(client, "official-a", "wrong", address="10.6.6.6")
    assert _login(Client(), "admin", "pw-admin", address="10.6.6.6").status_code == 302
    assert _login(client, "official-a", "wrong", address="10.6.6.7").status_code == 429  # the 5th
    assert _login(Client(), "official-a", "pw-official-a", address="10.6.6.8").status_code == 429


def test_a_forwarded_for_header_does_not_move_a_client_out_of_its_lockout(people):
    client = Client()
    for i in range(5):
        client.post(
            LOGIN, {"username": f"u{i}", "password": "x"}, REMOTE_ADDR="10.7.7.7", HTTP_X_FORWARDED_FOR=f"1.2.3.{i}"
        )
    answer = client.post(
        LOGIN,
        {"username": "official-a", "password": "pw-official-a"},
        REMOTE_ADDR="10.7.7.7",
        HTTP_X_FORWARDED_FOR="9.9.9.9",
    )
    assert answer.status_code == 429


def test_admin_login_locks_out_too(people):
    client = Client()
    for _ in range(5):
        _login(client, "admin", "wrong", url="/admin/login/")
    answer = _login(client, "admin", "pw-admin", url="/admin/login/", address="10.0.0.2")
    assert answer.status_code == 429 and not _signed_in(client)


def test_password_reset_is_throttled_per_address_and_per_email(people, settings):
    settings.TUOPIN_PASSWORD_RESET_RATE = "3/h"
    client = Client()
    url = "/accounts/password_reset/"
    by_address = [
        client.post(url, {"email": f"x{i}@example.org"}, REMOTE_ADDR="10.3.3.3").status_code for i in range(4)
    ]
    assert by_address == [302, 302, 302, 403]
    by_email = [
        client.post(url, {"email": "same@example.org"}, REMOTE_ADDR=f"10.4.4.{i}").status_code for i in range(4)
    ]
    assert by_email == [302, 302, 302, 403]
    assert client.post(url, {"email": "other@example.org"}, REMOTE_ADDR="10.5.5.5").status_code == 302


def test_api_client_account_cannot_log_in_to_html_pages_but_its_token_works(people):
    client = Client()
    refused = _login(client, "api-a", "pw-api-a")
    assert refused.status_code == 200 and not _signed_in(client)
    assert (
        "correct username and password" in refused.content.decode() or "正确的用户名和密码" in refused.content.decode()
    )
    assert not Client().login(request=HttpRequest(), username="api-a", password="pw-api-a")
    token = Token.objects.create(user=people["api_a"])
    answer = Client().get("/api/v1/region-scores/", {"region": COUNTY_A}, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert answer.status_code == 200
    # an official (not an API client) still logs in
    assert _login(Client(), "official-a", "pw-official-a").status_code == 302


def test_session_lasts_a_working_day_from_the_setting(people, settings):
    assert settings.SESSION_COOKIE_AGE == 9 * 3600
    client = Client()
    assert _login(client, "official-a", "pw-official-a").status_code == 302
    session = Session.objects.get(session_key=client.session.session_key)
    left = session.expire_date - timezone.now()
    assert dt.timedelta(hours=8, minutes=59) < left <= dt.timedelta(hours=9)
    assert client.get("/households/").status_code == 200
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/households/").status_code == 302  # back to the login page


@pytest.mark.parametrize(
    "path", ["/regions/%00/", "/households/?q=%00", "/warnings/640422/?village=%00", "/?measure=%00"]
)
def test_nul_byte_in_path_or_query_answers_400(people, path):
    client = Client()
    client.force_login(people["admin"])
    answer = client.get(path)
    assert answer.status_code == 400
    assert "NUL" in answer.content.decode()


def test_every_page_carries_a_content_security_policy_of_this_site_only():
    policy = Client().get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no inline scripts, no other origin
    assert directives["frame-ancestors"] == "'none'"
    assert "Content-Security-Policy" in Client().get("/api/docs/").headers


def test_templates_hold_no_inline_script_or_event_handler():
    """The policy forbids inline scripts: every script must come from static files."""
    import re

    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{template.name}: {tag}")
        offenders += [f"{template.name}: {m}" for m in re.findall(r"\son[a-z]+=\"", text)]
    assert offenders == []


def test_answers_to_signed_in_users_are_private_and_public_pages_are_not(people):
    client = Client()
    client.force_login(people["official_a"])
    for path in ("/households/", "/", "/api/v1/household-scores/"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert "private" in answer["Cache-Control"] and "public" not in answer["Cache-Control"], path
    token = Token.objects.create(user=people["api_a"])
    api = Client().get("/api/v1/early-warning/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.status_code == 200 and "private" in api["Cache-Control"]
    assert "private" not in Client().get("/").get("Cache-Control", "")


def test_docker_compose_puts_a_tls_proxy_in_front_of_gunicorn():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert "ports" not in services["web"]  # gunicorn is reached through the proxy only
    proxy = services["proxy"]
    assert {"80:80", "443:443"} <= set(proxy["ports"])
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "reverse_proxy web:8000" in caddyfile and "tls internal" in caddyfile
    environment = compose["x-tuopin-environment"]
    assert environment["TUOPIN_PROXY_COUNT"] == "1"
    assert "SECURE_SSL_REDIRECT" not in environment  # production's default (on) holds behind TLS
