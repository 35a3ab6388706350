"""Benchmark: import a deterministic household-survey CSV on PostgreSQL, against a raw COPY.

Not a test. Needs DATABASE_URL on PostgreSQL (a scratch database: it is migrated and emptied):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tuopin_bench .venv/bin/python bench/bench_import.py --rows 1000000

Set-up (not timed): Gansu's villages, then ``--rows`` households spread over them (SQL). Timed:
(1) the import (validation, then commit with history rows), (2) a raw ``COPY`` of the same file
into an empty table of the same columns. Prints rows/s of both, their ratio and peak memory.
"""

import argparse
import csv
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from households.importing.commit import import_commit, import_upload  # noqa: E402
from households.models import Household, HouseholdSurvey  # noqa: E402
from regions.models import Region  # noqa: E402
from regions.services.divisions import divisions_import  # noqa: E402

COLUMNS = [
    "registry_number",
    "wage_income",
    "net_operating_income",
    "property_income",
    "relief_transfers",
    "other_transfers",
    "deductions",
    "medical_spending",
    "education_spending",
    "food_secure",
    "clothing_secure",
    "compulsory_education",
    "basic_medical_insurance",
    "safe_housing",
    "safe_drinking_water",
    "sampling_weight",
]


def setup(rows: int) -> list[str]:
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        for table in (
            "households_historicalhouseholdsurvey",
            "households_householdsurvey",
            "households_historicalhousehold",
        ):
            cursor.execute(f"TRUNCATE {table}")
        cursor.execute("TRUNCATE households_household CASCADE")
    divisions_import(villages="62")
    villages = list(Region.objects.filter(code__startswith="62", level=5).order_by("code").values_list("id", "code"))
    per_village = -(-rows // len(villages))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO households_household (registry_number, region_id, monitoring_status, poverty_causes, public_id)
            SELECT v.code || lpad(s::text, 4, '0'), v.id, 'none', '[]'::jsonb, gen_random_uuid()
            FROM unnest(%s::bigint[], %s::text[]) AS v(id, code), generate_series(1, %s) AS s
            """,
            [[v[0] for v in villages], [v[1] for v in villages], per_village],
        )
    return list(Household.objects.order_by("registry_number").values_list("registry_number", flat=True)[:rows])


def make_csv(registry: list[str], seed: int = 20201231) -> bytes:
    rng = np.random.default_rng(seed)
    n = len(registry)
    money = {c: np.round(rng.gamma(2.0, 3000.0, n), 2) for c in COLUMNS[1:9]}
    money["net_operating_income"] -= 2000
    flags = {c: rng.random(n) < 0.95 for c in COLUMNS[9:15]}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for i in range(n):
        writer.writerow(
            [
                registry[i],
                *(f"{money[c][i]:.2f}" for c in COLUMNS[1:9]),
                *("1" if flags[c][i] else "0" for c in COLUMNS[9:15]),
                "1",
            ]
        )
    return buffer.getvalue().encode()


def raw_copy(data: bytes) -> float:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_copy")
        cursor.execute(
            "CREATE TABLE bench_raw_copy (registry_number text, "
            + ", ".join(f"{c} numeric(14,2)" for c in COLUMNS[1:9])
            + ", "
            + ", ".join(f"{c} boolean" for c in COLUMNS[9:15])
            + ", sampling_weight numeric(14,6))"
        )
        start = time.perf_counter()
        cursor.copy_expert("COPY bench_raw_copy FROM STDIN WITH (FORMAT csv, HEADER true)", io.BytesIO(data))
        seconds = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_raw_copy")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL: set DATABASE_URL=postgres://…")
    with tempfile.TemporaryDirectory() as media:
        from django.conf import settings

        settings.MEDIA_ROOT = media
        registry = setup(args.rows)
        data = make_csv(registry)
        print(f"file: {len(registry):,} rows, {len(data) / 2**20:.0f} MiB")
        start = time.perf_counter()
        batch, validation = import_upload(
            data=data, filename="bench.csv", kind="household-surveys", period=2020, user=None
        )
        validated = time.perf_counter() - start
        assert not validation.problems, validation.problems[:5]
        import_commit(batch=batch, user=None)
        seconds = time.perf_counter() - start
        copy_seconds = raw_copy(data)
    written = HouseholdSurvey.objects.filter(period_id=2020).count()
    history = HouseholdSurvey.history.filter(import_batch_id=batch.pk).count()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ours, raw = len(registry) / seconds, len(registry) / copy_seconds
    print(
        f"import: {seconds:.1f} s ({validated:.1f} s validating, {seconds - validated:.1f} s committing), "
        f"{ours:,.0f} rows/s; "
        f"{written:,} surveys, {history:,} history rows"
    )
    print(f"raw COPY: {copy_seconds:.1f} s, {raw:,.0f} rows/s")
    print(f"ratio import / raw COPY: {ours / raw:.3f} (goal >= 0.35); peak RSS {peak:,.0f} MB")


if __name__ == "__main__":
    main()
