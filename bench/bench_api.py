"""Benchmark: the score API and the national map under load, on PostgreSQL, against the goals of issue 5.

Not a test. Needs DATABASE_URL on PostgreSQL holding a published run of ``--period`` (the 1,000,000
households that ``bench/bench_recompute.py`` loads and scores are what the goals are about), CACHE_URL
on Redis, ``wrk`` (Debian: ``apt-get install -y wrk``) and, for the map, Chromium at ``/usr/bin/chromium``
(``apt-get install -y chromium``; driven by Playwright from requirements-dev.txt):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tuopin_bench_rc CACHE_URL=redis://127.0.0.1:6379/1 \\
        .venv/bin/python bench/bench_api.py
    ... bench/bench_api.py --seconds 10 --skip-browser          # a quick run

The benchmark only reads the database (the API writes nothing there); it writes the cached national
payloads into the Django cache, as the API does.

Server: gunicorn, 2 sync workers, on a free port of 127.0.0.1, with a settings module written to a
temporary folder: ``config.settings.base`` made like production: ``DEBUG = False``, static files
collected into the folder and pre-compressed (WhiteNoise's ``CompressedManifestStaticFilesStorage``),
persistent database connections (``DATABASE_CONN_MAX_AGE``, default 60 as in production); API
throttling off (``TUOPIN_API_THROTTLE=0``: one client address sends every request). Requests are
anonymous, with ``Accept-Encoding: gzip`` as browsers send it (``--no-gzip``: identity).

Timed in the order (a), (b), (d) on one server, then (c) on a second; (a)-(c) each for ``--seconds`` (30)
by wrk (2 threads; p95 from a Lua ``done`` function, since ``--latency`` prints p50/p75/p90/p99 only):

(a) a province's counties, ``/api/v1/region-scores/?region=52&period=2020&level=3`` (public: rendered
    and compressed once per run and query, then from the cache; one untimed request fills it),
    16 connections: goals p95 < 100 ms, 0 errors;
(b) every county of the country, ``/api/v1/region-scores/?level=3&period=2020`` (the national payload,
    rendered and gzip-compressed once per run and kept in the cache under
    ``indicators:region-scores:<ETag>``; one untimed request fills it first), 16 connections: goals
    p95 < 100 ms, 0 errors;
(c) the same national query with its cache cleared before each request, 4 connections: a second
    gunicorn whose Django cache is ``DummyCache`` (every ``get`` misses, ``set`` keeps nothing), so each
    request reads the rows and renders the payload (the cost of one cache miss, less the Redis write):
    goals p95 < 400 ms, 0 errors;
(d) the national map at ``/`` in headless Chromium (Playwright), ``--browser-runs`` (5) times, each in a
    fresh browser context (empty browser cache; one untimed load first fills the server's caches):
    ``window.__tuopinTimings.firstRender`` (static/js/dashboard.js: from the script's start until Plotly
    has drawn the map, whose 2,875 county paths are counted) and, stricter, ``.mapPainted``: from
    navigation start until the frame with the map has been painted (a ``requestAnimationFrame`` and
    a task after the draw; the trend and radar are drawn after it); then a switch to each of
    ``--switches`` (4) other measures,
    ``window.__tuopinTimings.measureSwitch`` (from the change until the frame with the counties'
    new colours is painted: the page recolours the drawn paths first) and ``.measureRedraw`` (until
    Plotly's redraw from the new trace, which follows, is done). Goals: first render <= 1 s (judged
    on the worst navigation-to-painted time), measure switch <= 0.5 s (the worst measureSwitch; the
    redraw is printed beside it).

Prints the PostgreSQL settings, the cores and the load average (other work on the machine inflates every
latency: run it on a quiet machine), the data, every number and each goal met or not met.
Exit status 0 when every goal is met, 1 otherwise.
"""

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django

django.setup()

from django.db import connection  # noqa: E402

from indicators.models import ComputationRun, HouseholdScore, RegionScore  # noqa: E402
from regions.models import Boundary  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GOAL_WARM_P95_MS = 100.0
GOAL_COLD_P95_MS = 400.0
GOAL_FIRST_RENDER_MS = 1000.0
#: County paths the national map must draw for (d) to count (2,875 with Taiwan's outline).
MIN_COUNTY_PATHS = 2800
GOAL_SWITCH_MS = 500.0
CHROMIUM = "/usr/bin/chromium"
PG_SETTINGS = (
    "server_version",
    "shared_buffers",
    "effective_cache_size",
    "work_mem",
    "max_connections",
    "random_page_cost",
    "jit",
    "max_parallel_workers_per_gather",
    "synchronous_commit",
)

SETTINGS_MODULE = '''\
"""bench/bench_api.py: production-like serving of the base settings (written to a temporary folder)."""
import os

from config.settings.base import *  # noqa: F403

DEBUG = False
# static files as production serves them: collected, hashed and pre-compressed, served by WhiteNoise
STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
WHITENOISE_USE_FINDERS = False
# persistent connections, as config.settings.production does by default
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))
if os.environ.get("BENCH_DUMMY_CACHE") == "1":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
'''

# wrk's --latency prints p50/p75/p90/p99; this prints one parseable line with p95 too (microseconds).
WRK_LUA = """\
wrk.headers["Accept-Encoding"] = os.getenv("BENCH_ACCEPT_ENCODING") or "identity"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d bytes=%d p50_us=%d p90_us=%d p95_us=%d p99_us=%d max_us=%d " ..
    "connect=%d read=%d write=%d status=%d timeout=%d\\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def machine_and_database(period: int) -> int:
    """Print the cores, the PostgreSQL settings and the data; return the id of the period's current run.

    Raises:
        SystemExit: the database is not PostgreSQL or has no published current run of ``period``.
    """
    if connection.vendor != "postgresql":
        raise SystemExit("bench_api needs DATABASE_URL on PostgreSQL")
    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0))
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"machine: {cores} cores ({usable} usable by this process), {os.uname().machine}, load average {load}")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, setting, unit FROM pg_settings WHERE name = ANY(%s) ORDER BY name", [list(PG_SETTINGS)]
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT current_database()")
        database = cursor.fetchone()[0]
    print(f"database: {database}")
    print("PostgreSQL: " + ", ".join(f"{name}={setting}{unit or ''}" for name, setting, unit in rows))
    run = ComputationRun.objects.filter(
        period_id=period, is_current=True, status=ComputationRun.Status.PUBLISHED
    ).first()
    if run is None:
        raise SystemExit(f"no published current run of {period} in {database}: recompute first")
    boundaries = Boundary.objects.filter(level=3).count()
    if boundaries < MIN_COUNTY_PATHS:
        raise SystemExit(
            f"{database} has {boundaries} county boundaries: the map would be empty. "
            "Load them first: python manage.py import_boundaries"
        )
    households = HouseholdScore.objects.of_run(run).count()
    levels = dict(RegionScore.objects.of_run(run).values_list("region__level").annotate(n=django.db.models.Count("id")))
    print(
        f"data: run {run.id} of {period} (finished {run.finished_at:%Y-%m-%d %H:%M}), {households:,} household scores, "
        f"region-score rows by level {dict(sorted(levels.items()))}"
    )
    connection.close()
    return run.id


class Server:
    """gunicorn with 2 workers on a free port, the bench settings module, throttling off."""

    def __init__(self, settings_dir: str, *, dummy_cache: bool):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.update(
            PYTHONPATH=os.pathsep.join([settings_dir, str(ROOT)]),
            DJANGO_SETTINGS_MODULE="bench_api_settings",
            TUOPIN_API_THROTTLE="0",
            BENCH_DUMMY_CACHE="1" if dummy_cache else "0",
            BENCH_STATIC_ROOT=str(Path(settings_dir, "static")),
        )
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop())
        command = [
            ROOT / ".venv/bin/gunicorn",
            "config.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{self.port}",
            "--timeout",
            "120",
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited:\n{self.output()}")
            try:
                urllib.request.urlopen(self.base + "/api/v1/indicators/", timeout=5).read()
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit("gunicorn did not answer within 60 s")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def fetch_json(url: str) -> dict:
    """GET ``url`` and decode the JSON (raises on a non-2xx answer)."""
    with urllib.request.urlopen(url, timeout=120) as response:
        return json.loads(response.read())


def wrk(url: str, *, connections: int, seconds: int, lua: str, gzip: bool) -> dict:
    """Run wrk on ``url``; return the Lua ``done`` line's numbers (latencies in milliseconds)."""
    env = dict(os.environ, BENCH_ACCEPT_ENCODING="gzip" if gzip else "identity")
    threads = str(min(2, connections))
    command = ["wrk", "-t", threads, "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s", "-s", lua, url]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    numbers = {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", line)}
    result = {k.removesuffix("_us") + "_ms": v / 1000 for k, v in numbers.items() if k.endswith("_us")}
    result["requests"] = numbers["requests"]
    result["rps"] = numbers["requests"] / (numbers["duration_us"] / 1e6)
    result["mb_per_request"] = numbers["bytes"] / max(numbers["requests"], 1) / 1e6
    result["errors"] = sum(numbers[k] for k in ("connect", "read", "write", "status", "timeout"))
    result["errors_detail"] = {k: numbers[k] for k in ("connect", "read", "write", "status", "timeout") if numbers[k]}
    return result


def report_load(label: str, result: dict, *, goal_p95_ms: float) -> bool:
    """Print one wrk result and its goals; True when p95 and errors meet them."""
    met = result["p95_ms"] < goal_p95_ms and result["errors"] == 0
    print(
        f"{label}: {result['requests']:,} requests, {result['rps']:.1f}/s, {result['mb_per_request']:.3f} MB each; "
        f"latency ms p50 {result['p50_ms']:.1f}, p90 {result['p90_ms']:.1f}, p95 {result['p95_ms']:.1f}, "
        f"p99 {result['p99_ms']:.1f}, max {result['max_ms']:.1f}; "
        f"errors {result['errors']} {result['errors_detail'] or ''}"
    )
    print(
        f"  goal p95 < {goal_p95_ms:.0f} ms and 0 errors: {'met' if met else 'NOT MET'} "
        f"(p95 {result['p95_ms']:.1f} ms, {result['errors']} errors)"
    )
    return met


#: When each response of the page had arrived (ms from navigation start): the HTML and its resources.
TIMELINE_JS = """() => ({
  html: performance.getEntriesByType('navigation')[0].responseEnd,
  resources: performance.getEntriesByType('resource').map(r => [r.name.split('/').pop().split('?')[0], r.responseEnd])
})"""


def browser(base: str, *, runs: int, switches: int) -> tuple[list[float], list[float], list[float]]:
    """Load ``/`` ``runs`` times in fresh contexts, then switch measures ``switches`` times.

    Returns:
        (firstRender ms per run, navigation-to-painted ms per run, measureSwitch ms per switch (until
        the new colours are painted), measureRedraw ms per switch (until Plotly's redraw is done)).
    """
    from playwright.sync_api import sync_playwright

    first, navigation, switched, redrawn = [], [], [], []
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            for attempt in range(runs + 1):  # the first load is untimed: it fills the server's caches
                context = chromium.new_context(viewport={"width": 1400, "height": 900})
                page = context.new_page()
                page.goto(base + "/", wait_until="commit")
                page.wait_for_function("window.__tuopinTimings && window.__tuopinTimings.mapPainted", timeout=60_000)
                observed_at = page.evaluate("performance.now()")  # later: polling, and the focus charts
                painted_at = page.evaluate("window.__tuopinTimings.mapPainted")
                started_at = page.evaluate("window.__tuopinTimings.scriptStart")
                paths = page.evaluate("document.querySelectorAll('#dashboard-map path.choroplethlocation').length")
                if paths < MIN_COUNTY_PATHS:  # an empty map draws fast and proves nothing
                    raise RuntimeError(f"the map drew {paths} county paths, expected at least {MIN_COUNTY_PATHS}")
                render = page.evaluate("window.__tuopinTimings.firstRender")
                if attempt:
                    first.append(render)
                    navigation.append(painted_at)
                    timeline = page.evaluate(TIMELINE_JS)
                    print(
                        f"  load {attempt}: HTML {timeline['html']:.0f} ms, "
                        + ", ".join(f"{name} {end:.0f}" for name, end in timeline["resources"])
                        + f"; script start {started_at:.0f}, map drawn {started_at + render:.0f}, "
                        f"painted {painted_at:.0f} (seen by the test at {observed_at:.0f})"
                    )
                if attempt == runs:
                    values = page.eval_on_selector_all("#measure-select option", "options => options.map(o => o.value)")
                    current = page.eval_on_selector("#measure-select", "s => s.value")
                    for value in [v for v in values if v != current][:switches]:
                        page.evaluate("delete window.__tuopinTimings.measureSwitch")
                        page.evaluate("delete window.__tuopinTimings.measureRedraw")
                        page.select_option("#measure-select", value)
                        page.wait_for_function("window.__tuopinTimings.measureRedraw !== undefined", timeout=30_000)
                        switched.append(page.evaluate("window.__tuopinTimings.measureSwitch"))
                        redrawn.append(page.evaluate("window.__tuopinTimings.measureRedraw"))
                context.close()
        finally:
            chromium.close()
    return first, navigation, switched, redrawn


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", type=int, default=2020)
    parser.add_argument("--province", default="52", help="province code for (a) (default 52 Guizhou)")
    parser.add_argument("--seconds", type=int, default=30, help="wrk duration of (a), (b) and (c)")
    parser.add_argument("--connections", type=int, default=16, help="connections of (a) and (b)")
    parser.add_argument("--cold-connections", type=int, default=4, help="connections of (c)")
    parser.add_argument("--no-gzip", action="store_true", help="ask for identity encoding instead of gzip")
    parser.add_argument("--browser-runs", type=int, default=5)
    parser.add_argument("--switches", type=int, default=4)
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--browser-only", action="store_true", help="only (d): no wrk runs")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install -y wrk")
    if not args.skip_browser and not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} not found: apt-get install -y chromium (or --skip-browser)")

    machine_and_database(args.period)
    gzip = not args.no_gzip
    province = f"/api/v1/region-scores/?region={args.province}&period={args.period}&level=3"
    national = f"/api/v1/region-scores/?level=3&period={args.period}"
    print(
        "server: gunicorn -w 2 (sync), DEBUG off, throttling off, "
        f"DATABASE_CONN_MAX_AGE={os.environ.get('DATABASE_CONN_MAX_AGE', '60 (default)')}, static files "
        "collected and compressed; anonymous requests; "
        f"Accept-Encoding {'gzip' if gzip else 'identity'}"
    )
    goals = {}
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "bench_api_settings.py").write_text(SETTINGS_MODULE)
        subprocess.run(  # collected and compressed once, as a deployment does
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            check=True,
            env={
                **os.environ,
                "PYTHONPATH": os.pathsep.join([folder, str(ROOT)]),
                "DJANGO_SETTINGS_MODULE": "bench_api_settings",
                "BENCH_STATIC_ROOT": str(Path(folder, "static")),
            },
        )
        lua = str(Path(folder, "p95.lua"))
        Path(lua).write_text(WRK_LUA)

        server = Server(folder, dummy_cache=False)
        try:
            rows_province = fetch_json(server.base + province)["count"]
            rows_national = fetch_json(server.base + national)["count"]  # fills the national payload's cache entry
            print(f"rows: {rows_province} counties in {args.province}, {rows_national} counties in the country")
            if not args.browser_only:
                print(f"(a) {province}, {args.connections} connections, {args.seconds} s")
                result = wrk(
                    server.base + province, connections=args.connections, seconds=args.seconds, lua=lua, gzip=gzip
                )
                goals["(a) province"] = report_load("(a)", result, goal_p95_ms=GOAL_WARM_P95_MS)
                print(f"(b) {national}, {args.connections} connections, {args.seconds} s, payload cached")
                result = wrk(
                    server.base + national, connections=args.connections, seconds=args.seconds, lua=lua, gzip=gzip
                )
                goals["(b) national, cached"] = report_load("(b)", result, goal_p95_ms=GOAL_WARM_P95_MS)
            if not args.skip_browser:
                print(f"(d) the national map at / in headless Chromium, {args.browser_runs} fresh loads")
                first, navigation, switched, redrawn = browser(
                    server.base, runs=args.browser_runs, switches=args.switches
                )
                print("  firstRender (script start to drawn), ms: " + ", ".join(f"{v:.0f}" for v in first))
                print("  navigation start to the map painted, ms: " + ", ".join(f"{v:.0f}" for v in navigation))
                print("  measureSwitch (new colours painted), ms: " + ", ".join(f"{v:.0f}" for v in switched))
                print("  measureRedraw (Plotly's redraw done), ms: " + ", ".join(f"{v:.0f}" for v in redrawn))
                worst_first, worst_switch = max(navigation), max(switched) if switched else float("inf")
                goals["(d) first render"] = worst_first <= GOAL_FIRST_RENDER_MS
                goals["(d) measure switch"] = worst_switch <= GOAL_SWITCH_MS
                print(
                    f"  goal first render <= {GOAL_FIRST_RENDER_MS:.0f} ms: "
                    f"{'met' if goals['(d) first render'] else 'NOT MET'} (worst {worst_first:.0f} ms, median "
                    f"{statistics.median(navigation):.0f} ms from navigation; the hook firstRender alone: worst "
                    f"{max(first):.0f} ms, {'met' if max(first) <= GOAL_FIRST_RENDER_MS else 'not met'})"
                )
                print(
                    f"  goal measure switch <= {GOAL_SWITCH_MS:.0f} ms: "
                    f"{'met' if goals['(d) measure switch'] else 'NOT MET'} (worst {worst_switch:.0f} ms)"
                )
        except BaseException:
            print(server.output(), file=sys.stderr)
            raise
        finally:
            server.stop()

        if not args.browser_only:
            server = Server(folder, dummy_cache=True)
            try:
                print(f"(c) {national}, {args.cold_connections} connections, {args.seconds} s, no cache (DummyCache)")
                result = wrk(
                    server.base + national, connections=args.cold_connections, seconds=args.seconds, lua=lua, gzip=gzip
                )
                goals["(c) national, cache cleared"] = report_load("(c)", result, goal_p95_ms=GOAL_COLD_P95_MS)
            except BaseException:
                print(server.output(), file=sys.stderr)
                raise
            finally:
                server.stop()

    print("load average at the end: " + ", ".join(f"{value:.2f}" for value in os.getloadavg()))
    print("goals: " + "; ".join(f"{name} {'met' if met else 'NOT MET'}" for name, met in goals.items()))
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
