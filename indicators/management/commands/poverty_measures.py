"""``manage.py poverty_measures FILE --income COL [...]``: poverty and inequality measures of a CSV."""

import csv
import io
import json
import math
from pathlib import Path

import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from indicators.management.csvinput import plain_numbers, read_csv
from indicators.methods.poverty import MEASURE_COLUMNS, poverty_measures


def _first_non_numeric(frame: pd.DataFrame, column: str) -> tuple[int, str] | None:
    """(row as a spreadsheet shows it, header = row 1; the value) of the first non-numeric cell."""
    raw = frame[column]
    bad = pd.to_numeric(raw, errors="coerce").isna() & raw.notna()
    if not bad.any():
        return None
    label = bad.idxmax()
    return int(label) + 2, str(raw[label])


def _cell(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value.item() if hasattr(value, "item") else value


class Command(BaseCommand):
    help = (
        "Headcount ratio, FGT gap and severity, mean, median, Gini, S80/S20 and relative median "
        "poverty gap of a CSV's income column, for the whole file and per group (--by)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            type=Path,
            metavar="FILE",
            help="a CSV file with a header row; UTF-8, UTF-16 with a BOM, or GB18030 (Excel on Chinese Windows)",
        )
        parser.add_argument("--income", required=True, metavar="COL", help="income, yuan per person per year")
        parser.add_argument("--weight", metavar="COL", help="sampling weight (> 0); default: all 1")
        parser.add_argument("--by", metavar="COL", help="group column; adds one row per group")
        parser.add_argument("--line", type=float, metavar="VALUE", help="an absolute poverty line")
        parser.add_argument("--relative-line", type=float, metavar="SHARE", help="line = SHARE x median or mean")
        parser.add_argument("--of", choices=["median", "mean"], help="centre of the relative line (default median)")
        parser.add_argument(
            "--line-per-group", action="store_true", help="each group's relative line from its own rows"
        )
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, file, income, weight, by, line, relative_line, of, line_per_group, **options):
        if (line is None) == (relative_line is None):
            raise CommandError("give exactly one of --line VALUE and --relative-line SHARE")
        if relative_line is None and (of or line_per_group):
            raise CommandError("--of and --line-per-group go with --relative-line")
        for option, value in (("--line", line), ("--relative-line", relative_line)):
            if value is not None and not (math.isfinite(value) and value > 0):
                raise CommandError(f"{option} must be greater than zero, got {float(value)}")
        frame = read_csv(file, dtype={by: str} if by else None, skip_blank_lines=False)
        frame = frame.dropna(how="all")  # blank lines; the index still counts them, so row numbers hold
        for option, column in (("--income", income), ("--weight", weight), ("--by", by)):
            if column is not None and column not in frame.columns:
                raise CommandError(f"{option}: no column {column!r} in {file} (columns: {', '.join(frame.columns)})")
        for column in filter(None, (income, weight)):
            found = _first_non_numeric(frame, column)
            if found:
                raise CommandError(f"column {column!r}, row {found[0]}: {found[1]!r} is not a number")
            frame[column] = pd.to_numeric(frame[column])
        try:
            table = poverty_measures(
                frame,
                income=income,
                weight=weight,
                by=by,
                line=line,
                relative_share=relative_line,
                of=of or "median",
                line_per_group=line_per_group,
            )
        except ValueError as error:
            raise CommandError(plain_numbers(str(error))) from error
        rows = [[_cell(v) for v in row] for row in table[list(MEASURE_COLUMNS)].itertuples(index=False)]
        if options["format"] == "json":
            self.stdout.write(json.dumps([dict(zip(MEASURE_COLUMNS, r, strict=True)) for r in rows], indent=2))
            return
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(MEASURE_COLUMNS)
        writer.writerows(["" if v is None else repr(v) if isinstance(v, float) else v for v in r] for r in rows)
        self.stdout.write(buffer.getvalue(), ending="")
