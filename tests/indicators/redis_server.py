"""A redis-server of a test's own (a free port, its files in a directory of the test), and this
process's Celery app pointed at it: for the broker restart drills and the watchdog's broker reads."""

import os
import shutil
import socket
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from kombu import pools as kombu_pools
from redis.backoff import NoBackoff
from redis.retry import Retry

from config.celery import app
from tests.indicators.test_celery_recompute import wait_for

REDIS_SERVER = Path("/usr/bin/redis-server")


class RedisServer:
    """A redis-server of the test's own on ``port``, with its files in ``directory``.

    ``persistent``: the append-only file of docker-compose's Redis (``appendonly yes``,
    ``appendfsync everysec``), else none at all (no AOF, no RDB snapshots).
    """

    AOF = ("--appendonly", "yes", "--appendfsync", "everysec")

    def __init__(self, binary: Path, directory: Path, *, persistent: bool):
        self.binary, self.directory, self.persistent = binary, directory, persistent
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        # no retries: redis-py's default retries its SHUTDOWN against the stopped server for seconds
        self.client = redis.Redis(port=self.port, socket_timeout=5, retry=Retry(NoBackoff(), 0))
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        aof = self.AOF if self.persistent else ("--appendonly", "no")
        self.process = subprocess.Popen(
            [
                str(self.binary),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--save",
                "",
                *aof,
                "--logfile",
                str(self.directory / f"redis-{self.starts}.log"),
            ]
        )
        wait_for(self._ping, timeout=10, what=f"redis-server on port {self.port}")

    def _ping(self) -> bool:
        try:
            return self.client.ping()
        except redis.ConnectionError:
            return False

    def restart(self) -> None:
        """``SHUTDOWN`` (what ``docker compose restart`` asks for: the AOF is written and fsynced
        first), then a new server on the same port and directory."""
        self.client.shutdown()
        assert self.process.wait(timeout=10) == 0
        self.start()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def redis_server_binary() -> Path:
    """Debian's redis-server; skips the test when it is not installed (CI installs it and forbids
    skips, so there a missing server fails the run)."""
    found = shutil.which("redis-server")
    path = Path(found) if found else REDIS_SERVER
    if not path.exists():
        pytest.skip("needs redis-server (apt-get install redis-server; CI installs it)")
    return path


@contextmanager
def app_broker(url: str):
    """This process's Celery app sends to (and the watchdog reads) ``url``, then the settings' broker
    again. Celery reads ``CELERY_BROKER_URL`` from the environment before its configuration."""
    saved = os.environ.get("CELERY_BROKER_URL")

    def reset() -> None:
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None
        kombu_pools.reset()  # kombu's own producer and connection pools, keyed by broker URL

    reset()
    os.environ["CELERY_BROKER_URL"] = url
    try:
        assert app.conf.broker_url == url
        yield
    finally:
        reset()
        if saved is None:
            os.environ.pop("CELERY_BROKER_URL")
        else:
            os.environ["CELERY_BROKER_URL"] = saved
