"""Tests: the database and services named by the environment (PostgreSQL and Redis in CI).

Under pytest-xdist (``make test TEST_WORKERS=2``) pytest-django gives each worker its own test
database (``test_<name>_gw0``, ``test_<name>_gw1``). Redis has no such suffix: the tests empty the
cache (``FLUSHDB``) around every test and run Celery workers on the broker, so two test workers on one
Redis database would wipe each other's cache and take each other's tasks. Worker ``gwN`` (N >= 1)
therefore reads its own ``CACHE_URL_GWN`` and ``CELERY_BROKER_URL_GWN``; worker ``gw0`` (and a run
without xdist) reads ``CACHE_URL`` and ``CELERY_BROKER_URL``.
"""

import os
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ImproperlyConfigured

_SHARED_PER_WORKER = ("CACHE_URL", "CELERY_BROKER_URL")
_LOOPBACK = {"localhost", "127.0.0.1", "::1", ""}


def redis_target(url: str) -> tuple[str, int, int]:
    """The (host, port, database) a Redis URL names, as redis-py reads it: loopback names as
    ``127.0.0.1``, port 6379 and database 0 when not given, the database from a ``?db=`` parameter,
    else from the path (``/4``, ``/4/``)."""
    parts = urlsplit(url)
    host = "127.0.0.1" if (parts.hostname or "") in _LOOPBACK else parts.hostname
    db = parse_qs(parts.query).get("db", [parts.path.strip("/") or "0"])[0]
    return host, parts.port or 6379, int(db)


def _is_redis(url: str) -> bool:
    return url.lower().startswith(("redis://", "rediss://"))


def _worker_name(name: str, number: int) -> str:
    return name if number == 0 else f"{name}_GW{number}"


def worker_services_problems(environ, workers: int) -> list[str]:
    """What stops ``workers`` pytest-xdist workers from each having Redis databases of their own.

    Input: the environment and the number of workers. For each of ``CACHE_URL`` and ``CELERY_BROKER_URL``
    that names a Redis server, worker N >= 1 needs ``<NAME>_GW<N>``; and every Redis database named (the
    cache and the broker of every worker) must differ from the others (``redis_target``: ``localhost``
    and ``127.0.0.1`` are the same server). Output: one sentence per problem, empty when none.
    """
    problems, seen = [], {}
    for name in _SHARED_PER_WORKER:
        if not _is_redis(environ.get(name, "")):
            continue
        for number in range(workers):
            variable = _worker_name(name, number)
            url = environ.get(variable, "")
            if not url:
                problems.append(f"set {variable} to a Redis database of its own (pytest-xdist worker gw{number})")
                continue
            target = redis_target(url)
            if target in seen:
                problems.append(f"{variable} and {seen[target]} name the same Redis database ({url})")
            seen.setdefault(target, variable)
    return problems


def worker_services(environ=os.environ) -> None:
    """Point this pytest-xdist worker at its own Redis databases, in ``environ`` (before the settings read it).

    Input: the environment, with ``PYTEST_XDIST_WORKER`` (``"gw0"``, ``"gw1"``, …; set by pytest-xdist in
    each worker). For worker N >= 1 and each of ``CACHE_URL`` and ``CELERY_BROKER_URL`` that names a Redis
    server, ``<NAME>_GW<N>`` replaces it. Any other value (unset or empty: in-process cache, eager
    Celery) is private to the process already and is left alone. The controller checks the whole set before any
    worker starts (``worker_services_problems``, from ``tests/conftest.py``); this is the worker's own guard.

    Raises ``ImproperlyConfigured`` when a worker N >= 1 has a Redis URL but no ``<NAME>_GW<N>``, or the
    same database as worker 0. Once done it sets ``TUOPIN_TEST_WORKER_SERVICES`` to the worker, so a
    subprocess a test starts (with that environment) keeps the worker's databases.
    """
    worker = environ.get("PYTEST_XDIST_WORKER", "")
    number = int(worker.removeprefix("gw") or 0)
    if number == 0 or environ.get("TUOPIN_TEST_WORKER_SERVICES") == worker:
        return  # worker 0, or a subprocess of a worker whose environment is already its own
    for name in _SHARED_PER_WORKER:
        shared = environ.get(name, "")
        if not _is_redis(shared):
            continue  # in-process cache, eager Celery or a memory broker: private to the process
        own = environ.get(f"{name}_GW{number}", "")
        if not own or redis_target(own) == redis_target(shared):
            raise ImproperlyConfigured(
                f"pytest-xdist worker gw{number}: set {name}_GW{number} to a Redis database of its own "
                f"(not {name}'s): the tests flush the cache and consume the broker's queues."
            )
        environ[name] = own
    environ["TUOPIN_TEST_WORKER_SERVICES"] = worker


worker_services()

from config.settings.base import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_USE_FINDERS = True
# No API throttling in tests (the throttle test turns it on for its view).
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
