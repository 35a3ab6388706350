"""Benchmark: the analyst commands against their Python peers on one 1,000,000-row CSV (issue 15, item 4).

Not a test; needs no database. The peers are in requirements-dev.txt:

    .venv/bin/python bench/bench_analyst.py                          # 1,000,000 rows in a temporary folder, 5 runs
    .venv/bin/python bench/bench_analyst.py --rows 100000 --runs 3   # a quick run
    .venv/bin/python bench/bench_analyst.py --file /tmp/analyst.csv  # build the file there once, reuse it after

The file (numpy, seed 20240515; not timed): ``id``; ``county``, one of 9 county codes 621121-621129 (uniform);
``income``, log-normal (log-mean ln 6000 + 0.05 x the county's number, log-sd 0.8), yuan per person per year, 2
decimals; ``school``, years 0-12; ``health``, a score 1-5; ``water``, 0/1 (1 for 80 %); ``w``, a sampling weight
uniform in 0.5-3 (3 decimals); ``hsize``, 1-6 (read by neither).

Two pairs, each run in a fresh process (whole-process wall time: interpreter, imports, reading, computing,
printing), ``--runs`` times, product and peer alternating:

1. ``manage.py poverty_measures FILE --income income --weight w --by county --line 4000`` against
   povertyInequalityMeasures 1.1.1 (``POVERTY_PEER``): ``pandas.read_csv`` of the three columns, then its
   ``get_headcount_index``, ``get_poverty_gap_index``, ``get_poverty_severity_index`` and ``inequality.get_gini``
   for the whole file and each county (``groupby``). The peer has no median, quantiles, S80/S20 or rmpg, which
   the product computes as well; its Gini is a trapezoid Lorenz area, and it rounds gap, severity and Gini to 5
   decimals.
2. ``manage.py mpi FILE --indicator income:4000 --indicator school:6 --indicator health:3 --indicator water:1
   --k 1/2 --weight w --by county`` against mpitb 0.2 (``MPI_PEER``): ``pandas.read_csv`` of the six columns, the
   deprivations (y < z) as 0/1 columns, ``mpi.set`` with four one-indicator dimensions (equal weights 1/4),
   ``svyset(weight="w")`` and ``est(klist=[50], over=["county"], svy=True)`` with its default measures (H, A and
   M0 with standard errors, censored and uncensored headcounts, contributions). The product computes M1 and M2
   as well.

Prints, per pair, the median wall time of each side, the ratio product / peer (goal <= 1.0), the median CPU time
(user + system) and the peak RSS of each (``os.wait4``'s ``ru_maxrss`` of that child), the wall time of every run
(a busy machine shows in their spread), and the largest difference between their numbers (headcount, gap,
severity and Gini; H, A and M0; whole file and every county) to show they computed the same thing.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SEED = 20240515
COUNTIES = [f"6211{21 + g}" for g in range(9)]
LINE = 4000
CUTOFFS = {"income": 4000, "school": 6, "health": 3, "water": 1}
GOAL_RATIO = 1.0
POVERTY_OPTIONS = ["--income", "income", "--weight", "w", "--by", "county"]

POVERTY_PEER = """
import json, sys, warnings
import pandas as pd
from povertyInequalityMeasures import inequality, poverty
warnings.simplefilter("ignore")
line = float(sys.argv[2])
data = pd.read_csv(sys.argv[1], usecols=["county", "income", "w"], dtype={"county": str})
rows = []
for label, part in [("all", data), *data.groupby("county")]:
    part = part.copy()  # the peer writes its gap columns into the frame it is given
    rows.append({
        "group": label,
        "headcount_ratio": poverty.get_headcount_index(line, part, "income", "w"),
        "poverty_gap": poverty.get_poverty_gap_index(line, part, "income", "w"),
        "poverty_severity": poverty.get_poverty_severity_index(line, part, "income", "w"),
        "gini": inequality.get_gini(part, "income", "w"),
    })
print(json.dumps(rows))
"""

MPI_PEER = """
import json, sys, warnings
import pandas as pd
from mpitb import mpi
warnings.simplefilter("ignore")
cutoffs = json.loads(sys.argv[2])
data = pd.read_csv(sys.argv[1], usecols=["county", "w", *cutoffs], dtype={"county": str})
for column, cutoff in cutoffs.items():
    data["d_" + column] = (data[column] < cutoff).astype(int)
mpi.set(name="bench", dimensions=[(["d_" + column], column) for column in cutoffs])
mpi.svyset(weight="w")
print(json.dumps(mpi.est(data, "bench", klist=[50], over=["county"], svy=True), default=str))
"""


def build(path: Path, rows: int) -> None:
    """The CSV of the module docstring."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    rng = np.random.default_rng(SEED)
    county = rng.integers(0, len(COUNTIES), rows)
    table = pa.table(
        {
            "id": np.arange(1, rows + 1),
            "county": pa.array(np.array(COUNTIES)[county]),
            "income": np.round(rng.lognormal(np.log(6000) + 0.05 * county, 0.8), 2),
            "school": rng.integers(0, 13, rows),
            "health": rng.integers(1, 6, rows),
            "water": (rng.random(rows) < 0.8).astype(int),
            "w": np.round(rng.uniform(0.5, 3.0, rows), 3),
            "hsize": rng.integers(1, 7, rows),
        }
    )
    pa_csv.write_csv(table, path)


def run(command: list[str], out: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds (user + system), peak RSS in MB) of one child process; its stdout in ``out``;
    fails loudly on an error."""
    with out.open("w") as stdout:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, stdout=stdout, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
    error = child.stderr.read().decode()
    child.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command[:4])} ... failed:\n{error}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # KiB on Linux


def poverty_difference(product: Path, peer: Path) -> float:
    ours = {row["group"]: row for row in json.loads(product.read_text())}
    names = ("headcount_ratio", "poverty_gap", "poverty_severity", "gini")
    return max(abs(ours[row["group"]][name] - row[name]) for row in json.loads(peer.read_text()) for name in names)


def mpi_difference(product: Path, peer: Path) -> float:
    ours = json.loads(product.read_text())
    groups = {"nat": ours["all"], **ours["groups"]}
    records = [r for r in json.loads(peer.read_text()) if r["measure"] in ("H", "A", "M0") and "indicator" not in r]
    return max(abs(groups[record.get("subg", "nat")][record["measure"]] - record["b"]) for record in records)


def pairs(file: Path) -> list[dict]:
    manage = [PYTHON, str(ROOT / "manage.py")]
    indicators = [part for column, cutoff in CUTOFFS.items() for part in ("--indicator", f"{column}:{cutoff}")]
    return [
        {
            "name": "poverty_measures --by",
            "peer": "povertyInequalityMeasures 1.1.1",
            "product": [*manage, "poverty_measures", str(file), *POVERTY_OPTIONS, "--line", str(LINE)],
            "peer_command": [PYTHON, "-c", POVERTY_PEER, str(file), str(LINE)],
            "difference": poverty_difference,
        },
        {
            "name": "mpi --by",
            "peer": "mpitb 0.2",
            "product": [*manage, "mpi", str(file), *indicators, "--k", "1/2", "--weight", "w", "--by", "county"],
            "peer_command": [PYTHON, "-c", MPI_PEER, str(file), json.dumps(CUTOFFS)],
            "difference": mpi_difference,
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--file", type=Path, help="the CSV to use; built there when it does not exist")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        file = args.file or Path(folder) / "analyst.csv"
        if not file.exists():
            start = time.perf_counter()
            build(file, args.rows)
            print(
                f"built {file}: {args.rows:,} rows, {file.stat().st_size / 2**20:.1f} MB, "
                f"{time.perf_counter() - start:.1f} s"
            )
        print(f"{file}: {file.stat().st_size / 2**20:.1f} MB; {os.cpu_count()} cores; Python {sys.version.split()[0]}")
        print(
            f"{'pair':22} {'product s':>9} {'peer s':>7} {'ratio':>5} {'product cpu s':>13} {'peer cpu s':>10} "
            f"{'product MB':>10} {'peer MB':>7}  check"
        )
        for pair in pairs(file):
            times = {"product": [], "peer": []}
            cpu = {"product": [], "peer": []}
            peaks = {"product": 0.0, "peer": 0.0}
            outputs = {side: Path(folder) / f"{side}.json" for side in times}
            for _ in range(args.runs):
                for side, command in (("product", pair["product"]), ("peer", pair["peer_command"])):
                    seconds, cpu_seconds, peak = run(command, outputs[side])
                    times[side].append(seconds)
                    cpu[side].append(cpu_seconds)
                    peaks[side] = max(peaks[side], peak)
            product, peer = (statistics.median(times[side]) for side in ("product", "peer"))
            difference = pair["difference"](outputs["product"], outputs["peer"])
            print(
                f"{pair['name']:22} {product:9.2f} {peer:7.2f} {product / peer:5.2f} "
                f"{statistics.median(cpu['product']):13.2f} {statistics.median(cpu['peer']):10.2f} "
                f"{peaks['product']:10.0f} {peaks['peer']:7.0f}  max |product - peer| {difference:.1e} ({pair['peer']})"
            )
            for side in ("product", "peer"):
                print(f"{'':22} {side} wall s, each run: {' '.join(f'{t:.2f}' for t in times[side])}")
        print(f"goal: ratio <= {GOAL_RATIO} for both pairs")


if __name__ == "__main__":
    main()
