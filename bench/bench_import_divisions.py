"""Benchmark: load all 620,573 villages with import_divisions, then rerun (which writes nothing).

Run on the database named by DATABASE_URL (migrated): ``.venv/bin/python bench/bench_import_divisions.py``.
Prints seconds and peak memory for each run. Not a test.
"""

import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django

django.setup()

from django.db import connection  # noqa: E402

from regions.services.divisions import divisions_import  # noqa: E402


def main() -> None:
    print(f"database: {connection.vendor}")
    for label in ("first run", "second run"):
        start = time.perf_counter()
        result = divisions_import(villages="all")
        seconds = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        u = result.upsert
        print(
            f"{label}: {seconds:.1f} s, created {u.created}, updated {u.updated}, unchanged {u.unchanged}, "
            f"peak RSS {peak_mb:.0f} MB"
        )


if __name__ == "__main__":
    main()
