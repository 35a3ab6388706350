"""Settings from the environment: typed helpers, production refusals, Celery configuration."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.celery import app as celery_app
from config.settings.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[2]


def test_env_helpers_convert_and_name_the_variable(monkeypatch):
    monkeypatch.setenv("T_INT", "42")
    monkeypatch.setenv("T_BOOL", "off")
    monkeypatch.setenv("T_LIST", "a, b,,c")
    assert (env_int("T_INT"), env_bool("T_BOOL"), env_list("T_LIST")) == (42, False, ["a", "b", "c"])
    assert env_str("T_UNSET_XYZ", "fallback") == "fallback"
    monkeypatch.setenv("T_INT", "4x2")
    with pytest.raises(ImproperlyConfigured, match="T_INT must be an integer"):
        env_int("T_INT")
    monkeypatch.setenv("T_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured, match="T_BOOL must be a boolean"):
        env_bool("T_BOOL")
    with pytest.raises(ImproperlyConfigured, match="Set the environment variable T_UNSET_XYZ"):
        env_str("T_UNSET_XYZ")


def _production(env: dict) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "RESIDENT_ID_KEY", "DEBUG"}
    }
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.production", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_secret_key_allowed_hosts_or_id_key():
    full = {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "a.example.org,b.example.org", "RESIDENT_ID_KEY": "k" * 40}
    for missing in ("SECRET_KEY", "ALLOWED_HOSTS", "RESIDENT_ID_KEY"):
        refused = _production({k: v for k, v in full.items() if k != missing})
        assert refused.returncode != 0 and f"Set the environment variable {missing}" in refused.stderr
    ok = _production({**full, "DEBUG": "1"})
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == "False ['a.example.org', 'b.example.org']"


def test_no_secret_in_the_repository():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False).stdout
    assert "secret_key" not in tracked and ".env\n" not in tracked
    assert "SECRET_KEY =" not in (ROOT / "config" / "settings" / "base.py").read_text().replace(
        'SECRET_KEY = env_str("SECRET_KEY", "") or _local_secret_key()', ""
    )


def test_base_settings_time_zone_and_languages():
    assert (settings.TIME_ZONE, settings.USE_TZ) == ("Asia/Shanghai", True)
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]
    assert "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE
    for language in ("zh_Hans", "en"):
        assert (ROOT / "locale" / language / "LC_MESSAGES" / "django.mo").is_file()


def test_database_defaults_to_embedded_sqlite_without_database_url():
    clean = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    code = "import django; django.setup(); from django.db import connection; print(connection.vendor)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.base"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "sqlite"


def test_celery_configuration_json_acks_late_and_time_limits():
    conf = celery_app.conf
    assert conf.task_serializer == conf.result_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True and conf.task_reject_on_worker_lost is True
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert conf.timezone == "Asia/Shanghai"
    assert isinstance(conf.beat_schedule, dict)
    assert conf.task_always_eager is (not settings.CELERY_BROKER_URL)


def test_wsgi_module_imports_the_views_before_the_first_request():
    """A gunicorn worker loads config.wsgi at start: the views (and scipy, openpyxl) come in then."""
    code = (
        "import sys; import config.wsgi; "
        "print(all(m in sys.modules for m in ('indicators.views.dashboard', 'indicators.api', 'scipy', 'openpyxl')))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_docker_compose_has_the_six_services_with_their_commands():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat", "proxy"}
    assert "gunicorn config.wsgi" in " ".join(services["web"]["command"])
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    envs = [services[name]["environment"] for name in ("web", "worker", "beat")]
    assert envs[0] == envs[1] == envs[2]
    assert envs[0]["DATABASE_URL"].startswith("postgres://") and envs[0]["CELERY_BROKER_URL"].startswith("redis://")
    assert envs[0]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"


def test_page_exports_neutralise_formulas_in_csv_and_xlsx():
    """A name starting with '=' is text in both downloads, never a spreadsheet formula."""
    import io

    from openpyxl import load_workbook

    from config.exports import table_response

    rows = [{"code": "620102", "name": '=HYPERLINK("x")', "eqi": -1.5, "flagged": True}]
    columns = [("code", "Code"), ("name", "Name"), ("eqi", "EQI"), ("flagged", "Flagged")]
    text = table_response(rows, columns, filename="t", fmt="csv").content.decode("utf-8-sig")
    assert text.splitlines() == ["Code,Name,EQI,Flagged", '620102,"\'=HYPERLINK(""x"")",-1.5,true']
    sheet = load_workbook(io.BytesIO(table_response(rows, columns, filename="t", fmt="xlsx").content)).active
    assert [c.value for c in sheet[2]] == ["620102", '\'=HYPERLINK("x")', -1.5, "true"]
    assert sheet["B2"].data_type == "s"


def test_derived_keys_are_the_ones_stored_values_were_made_with():
    """Resident IDs, their hashes and kept files were written with SHA-256("tuopin-<purpose>:" + secret):
    the shared helper must derive exactly that, or every stored value becomes unreadable."""
    import hashlib

    from config.keys import derived_key

    for purpose in ("id-encryption", "id-hash", "import-original", "household-search", "api-cursor"):
        assert derived_key(purpose, "s3cret") == hashlib.sha256(f"tuopin-{purpose}:s3cret".encode()).digest()
    assert derived_key("id-hash", "a") != derived_key("id-encryption", "a")


def test_each_xdist_worker_gets_its_own_redis_databases():
    """Worker gw1 reads CACHE_URL_GW1/CELERY_BROKER_URL_GW1; gw0 and a run without xdist keep the shared
    names; a worker without its own Redis URL is refused; a subprocess of a worker keeps its databases."""
    from config.settings.test import worker_services

    shared = {"CACHE_URL": "redis://h:6379/1", "CELERY_BROKER_URL": "redis://h:6379/2"}
    own = {"CACHE_URL_GW1": "redis://h:6379/4", "CELERY_BROKER_URL_GW1": "redis://h:6379/5"}

    for worker in ("", "gw0"):
        environ = {**shared, **own, "PYTEST_XDIST_WORKER": worker}
        worker_services(environ)
        assert (environ["CACHE_URL"], environ["CELERY_BROKER_URL"]) == ("redis://h:6379/1", "redis://h:6379/2")

    environ = {**shared, **own, "PYTEST_XDIST_WORKER": "gw1"}
    worker_services(environ)
    assert (environ["CACHE_URL"], environ["CELERY_BROKER_URL"]) == ("redis://h:6379/4", "redis://h:6379/5")
    worker_services(environ)  # a subprocess started with that environment: unchanged, no error
    assert environ["CACHE_URL"] == "redis://h:6379/4"

    with pytest.raises(ImproperlyConfigured, match="CELERY_BROKER_URL_GW1"):
        worker_services({**shared, "CACHE_URL_GW1": "redis://h:6379/4", "PYTEST_XDIST_WORKER": "gw1"})
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL_GW2"):
        worker_services({**shared, **own, "PYTEST_XDIST_WORKER": "gw2"})

    environ = {"PYTEST_XDIST_WORKER": "gw3"}  # no Redis: the in-process cache and eager Celery are private
    worker_services(environ)
    assert "CACHE_URL" not in environ
    environ = {"CELERY_BROKER_URL": "memory://", "PYTEST_XDIST_WORKER": "gw1"}  # a broker in the process
    worker_services(environ)
    assert environ["CELERY_BROKER_URL"] == "memory://"


def test_the_controller_names_every_missing_or_shared_redis_database_before_workers_start():
    from config.settings.test import redis_target, worker_services_problems

    assert redis_target("redis://localhost:6379/6") == redis_target("redis://127.0.0.1/6/") == ("127.0.0.1", 6379, 6)
    assert redis_target("redis://cache.internal:6380?db=3") == ("cache.internal", 6380, 3)
    assert redis_target("redis://127.0.0.1:6379") == ("127.0.0.1", 6379, 0)
    assert redis_target("redis://127.0.0.1:6379/8?db=6") == ("127.0.0.1", 6379, 6)  # redis-py: ?db= wins

    shared = {"CACHE_URL": "redis://127.0.0.1:6379/1", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/2"}
    own = {"CACHE_URL_GW1": "redis://127.0.0.1:6379/4", "CELERY_BROKER_URL_GW1": "redis://127.0.0.1:6379/5"}
    assert worker_services_problems({**shared, **own}, 2) == []
    assert worker_services_problems({}, 2) == []  # no Redis: nothing shared
    assert worker_services_problems({**shared, **own}, 3) == [
        "set CACHE_URL_GW2 to a Redis database of its own (pytest-xdist worker gw2)",
        "set CELERY_BROKER_URL_GW2 to a Redis database of its own (pytest-xdist worker gw2)",
    ]
    assert worker_services_problems({**shared, **own, "CACHE_URL_GW1": "redis://localhost/1/"}, 2) == [
        "CACHE_URL_GW1 and CACHE_URL name the same Redis database (redis://localhost/1/)"
    ]
    assert worker_services_problems({**shared, **own, "CELERY_BROKER_URL_GW1": "redis://127.0.0.1:6379/4"}, 2) == [
        "CELERY_BROKER_URL_GW1 and CACHE_URL_GW1 name the same Redis database (redis://127.0.0.1:6379/4)"
    ]
