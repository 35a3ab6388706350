"""Shared fixtures: the real region tree, the optional shared data, the database vendor.

The session loads China's provinces, prefectures and counties (and the townships and villages of
Ningxia, 64, for the household tests), their boundaries and tags once
(committed, before any test transaction). Transactional tests (``transaction=True``) run after the
others and empty the tables, so they load what they need themselves.

With ``TUOPIN_FORBID_SKIPS=1`` (set by ``.ci/run``) any skipped test fails the run: CI has the
shared data, PostgreSQL, Redis and Chromium, so a skip there hides a test that never ran.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from regions.services.boundaries import boundaries_import
from regions.services.divisions import divisions_import
from regions.services.tags import tags_import

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rendered payloads, maps and throttle counters of other tests (or an earlier database) must not
    leak: cache keys name run ids, which a new test database numbers again."""
    cache.clear()
    yield
    cache.clear()


def shared_data_dir() -> Path:
    return Path(settings.TUOPIN_SHARED_DATA_DIR)


def poverty_counties_csv() -> Path:
    return shared_data_dir() / "poverty_counties" / "poverty_counties_832.csv"


def load_tree(*, villages=None) -> None:
    """Divisions (levels 1-3, plus ``villages``), boundaries and tags (832 list when present)."""
    divisions_import(villages=villages)
    boundaries_import()
    csv = poverty_counties_csv()
    tags_import(poverty_counties=csv if csv.is_file() else None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_tree(villages="64")


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data``; skips (with the reason) when this machine does not have it."""
    path = shared_data_dir()
    if not poverty_counties_csv().is_file():
        pytest.skip(f"needs the shared public data at {path} (not redistributable; present in CI)")
    return path


@pytest.fixture
def postgresql(db):
    """Skips unless the tests run on PostgreSQL (set DATABASE_URL; CI does)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://… (CI does)")


@pytest.fixture
def chromium() -> Path:
    """Debian's Chromium for Playwright; skips when it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip("needs /usr/bin/chromium (apt-get install chromium; CI installs it)")
    return CHROMIUM


def pytest_configure(config):
    """Under pytest-xdist, refuse to start unless every worker has Redis databases of its own: a worker
    refused by the settings would crash, and xdist would end with "no tests ran" and exit status 0."""
    from config.settings.test import worker_services_problems

    workers = getattr(config.option, "numprocesses", None) or 0
    if int(workers) > 1 and not os.environ.get("PYTEST_XDIST_WORKER"):
        problems = worker_services_problems(os.environ, int(workers))
        if problems:
            raise pytest.UsageError(
                f"{int(workers)} pytest-xdist workers need Redis databases of their own: " + "; ".join(problems) + "."
            )


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    ran = reporter and any(reporter.stats.get(kind) for kind in ("passed", "failed", "error", "skipped"))
    if exitstatus == 0 and reporter and not ran and not os.environ.get("PYTEST_XDIST_WORKER"):
        # e.g. every pytest-xdist worker crashed while starting: xdist says "no tests ran" and exits 0
        reporter.write_line("No test ran: that is a failure, not a pass.", red=True)
        session.exitstatus = pytest.ExitCode.NO_TESTS_COLLECTED
    if not os.environ.get("TUOPIN_FORBID_SKIPS"):
        return
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(
            f"TUOPIN_FORBID_SKIPS: {len(skipped)} test(s) skipped; every test must run in CI.", red=True
        )
        session.exitstatus = 1
