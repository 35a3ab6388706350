"""Benchmark: a real 1,000,000-row households XLSX through the streaming reader (issue 13, finding 2).

Not a test. Builds the workbook with openpyxl's write-only mode (the six columns of the households
dictionary; registry numbers and village codes of Ningxia's villages as text, years as numbers), then
in a fresh process each (so each peak RSS is its own):

(1) ``read``: ``reading.read_table`` with the households column cap, as an import reads it: the zip
    checks, the declared dimension, the streaming parse and the text table;
(2) ``validate`` (only with ``--validate`` and DATABASE_URL on PostgreSQL: a scratch database, which
    is migrated and gets Ningxia's divisions): ``validate.import_validate``, the whole dry run of an
    upload (reading, parsing every cell, the region and scope checks, the classification against the
    registry), as the Celery task runs it.

    .venv/bin/python bench/bench_xlsx.py                      # build and read 1,000,000 rows
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tuopin_bench_xlsx \\
        .venv/bin/python bench/bench_xlsx.py --validate       # and the whole dry run

Prints the file's size (packed and unpacked), then the wall time and peak RSS of each phase.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

HEADER = ["registry_number", "village_code", "registration_year", "exit_year", "monitoring_status", "poverty_causes"]
STATUSES = ["none", "none", "none", "ex_poor_unstable", "near_poor_at_risk", "risk_eliminated"]
CAUSES = ["illness", "disability;lack_skills", "lack_labour", "schooling、disaster", "lack_capital", ""]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def rss_mb() -> float:
    """The resident set now (``/proc/self/statm``: pages)."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def villages() -> list[str]:
    from regions.services.divisions import divisions_read

    frame = divisions_read(villages="64")
    return sorted(frame.loc[frame["level"] == 5, "code"])


def build(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    codes = villages()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("households")
    sheet.append(HEADER)
    for n in range(rows):
        village = codes[n % len(codes)]
        serial = n // len(codes) + 1
        registered = 2014 + n % 5
        exited = registered + 1 + n % 3 if n % 4 else None
        sheet.append([f"{village}{serial:04d}", village, registered, exited, STATUSES[n % 6], CAUSES[n % 6]])
    book.save(path)


def phase_read(path: Path) -> dict:
    from households.importing.columns import column_cap
    from households.importing.reading import read_table

    data = path.read_bytes()
    before = rss_mb()
    start = time.perf_counter()
    table = read_table(data, filename=path.name, max_columns=column_cap("households"))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "before_mb": before, "rows": len(table.frame), "columns": list(table.frame.columns)}


def phase_setup(path: Path) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from regions.services.divisions import divisions_import

    if connection.vendor != "postgresql":
        sys.exit("--validate runs on PostgreSQL: set DATABASE_URL=postgres://… (a scratch database)")
    call_command("migrate", verbosity=0)
    divisions_import(villages="64")
    return {}


def phase_validate(path: Path) -> dict:
    from households.importing.validate import import_validate

    data = path.read_bytes()
    before = rss_mb()
    start = time.perf_counter()
    validation = import_validate(data=data, filename=path.name, kind="households", period=2020, user=None)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "before_mb": before,
        "new": validation.new,
        "rejected": validation.rejected,
        "problems": [p.message for p in validation.problems[:3]],
    }


def run_phase(name: str, path: Path) -> dict:
    """One phase in a fresh interpreter: its own peak RSS."""
    output = subprocess.run(
        [sys.executable, __file__, "--phase", name, str(path)], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--validate", action="store_true", help="also the whole dry run (PostgreSQL)")
    parser.add_argument("--phase", nargs=2, metavar=("NAME", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        name, file = args.phase
        result = {"read": phase_read, "setup": phase_setup, "validate": phase_validate}[name](Path(file))
        print(json.dumps({**result, "peak_rss_mb": peak_rss_mb()}))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "households.xlsx"
        start = time.perf_counter()
        build(path, args.rows)
        built = time.perf_counter() - start
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(part.file_size for part in archive.infolist())
            sheet = max(archive.infolist(), key=lambda part: part.file_size)
        size = path.stat().st_size
        print(f"file: {args.rows:,} data rows x {len(HEADER)} columns, built in {built:.0f} s (write-only)")
        print(f"  {size / 2**20:.1f} MiB packed, {unpacked / 2**20:.0f} MiB unpacked; largest part {sheet.filename}")
        ratio, limit = sheet.file_size / sheet.compress_size, settings.TUOPIN_IMPORT_MAX_COMPRESSION_RATIO
        print(f"  compression ratio {ratio:.1f} (refused above {limit}); row cap {settings.TUOPIN_IMPORT_MAX_ROWS:,}")
        read = run_phase("read", path)
        print(
            f"read_table:      {read['seconds']:6.1f} s, peak RSS {read['peak_rss_mb']:5.0f} MiB "
            f"({read['before_mb']:.0f} MiB before the call: Django and the file's bytes), {read['rows']:,} rows"
        )
        if args.validate:
            run_phase("setup", path)
            checked = run_phase("validate", path)
            print(
                f"import_validate: {checked['seconds']:6.1f} s, peak RSS {checked['peak_rss_mb']:5.0f} MiB "
                f"({checked['before_mb']:.0f} MiB before), {checked['new']:,} new, {checked['rejected']:,} rejected "
                f"{checked['problems']}"
            )


if __name__ == "__main__":
    main()
