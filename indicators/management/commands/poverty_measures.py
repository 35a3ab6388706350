"""``manage.py poverty_measures FILE --income COL [...]``: poverty and inequality measures of a CSV.

Reads no model, database or setting: ``manage.py`` runs it without ``django.setup()`` (see
``indicators.management.standalone``), and it needs no system checks.
"""

import csv
import io
import json
import math
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators.management.csvinput import (
    LABEL,
    NUMBER,
    WEIGHT,
    Column,
    add_design_arguments,
    design_arrays,
    design_columns,
    plain_numbers,
    read_columns,
)
from indicators.methods.poverty import MEASURE_COLUMNS, poverty_measures_arrays


def _cell(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value.item() if hasattr(value, "item") else value


class Command(BaseCommand):
    help = (
        "Headcount ratio, FGT gap and severity, mean, median, 20th and 80th percentiles, Gini, S80/S20 and "
        "relative median poverty gap of a CSV's income column, for the whole file and per group (--by), with the "
        "number of rows (n) and the total weight."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            type=Path,
            metavar="FILE",
            help="a CSV file with a header row; UTF-8, UTF-16 with a BOM, or GB18030 (Excel on Chinese Windows); "
            "blank rows are left out (rows are numbered as a spreadsheet shows them, the header is row 1)",
        )
        parser.add_argument(
            "--income",
            required=True,
            metavar="COL",
            help="income, yuan per person per year; a blank, NA, non-numeric or infinite cell is an error",
        )
        parser.add_argument("--weight", metavar="COL", help="sampling weight (> 0 in every row); default: all 1")
        parser.add_argument("--by", metavar="COL", help="group column (none blank); adds one row per group")
        parser.add_argument("--line", type=float, metavar="VALUE", help="an absolute poverty line (> 0)")
        parser.add_argument(
            "--relative-line", type=float, metavar="SHARE", help="line = SHARE x median or mean, SHARE in (0, 1]"
        )
        parser.add_argument("--of", choices=["median", "mean"], help="centre of the relative line (default median)")
        parser.add_argument(
            "--line-per-group", action="store_true", help="each group's relative line from its own rows"
        )
        add_design_arguments(parser)
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, file, income, weight, by, line, relative_line, of, line_per_group, **options):
        _check_line(line, relative_line, of, line_per_group)
        columns = [Column("--income", income, NUMBER)]
        if weight is not None:
            columns.append(Column("--weight", weight, WEIGHT))
        if by is not None:
            columns.append(Column("--by", by, LABEL))
        columns += design_columns(options)
        data = read_columns(file, columns)
        groups = data[by] if by is not None else None
        try:
            table = poverty_measures_arrays(
                data[income],
                data[weight] if weight is not None else None,
                groups=None if groups is None else groups.codes,
                labels=None if groups is None else groups.names,
                line=line,
                relative_share=relative_line,
                of=of or "median",
                line_per_group=line_per_group,
                income_name=f"column {income!r}",
                groups_name=f"column {by!r}",
                **design_arrays(data, options),
            )
        except ValueError as error:
            raise CommandError(plain_numbers(str(error))) from error
        names = [*MEASURE_COLUMNS, *(name for name in table if name not in MEASURE_COLUMNS)]
        rows = [[_cell(table[name][i]) for name in names] for i in range(len(table["group"]))]
        if options["format"] == "json":
            self.stdout.write(json.dumps([dict(zip(names, r, strict=True)) for r in rows], indent=2))
            return
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(["" if v is None else repr(v) if isinstance(v, float) else v for v in r] for r in rows)
        self.stdout.write(buffer.getvalue(), ending="")


def _check_line(line, relative_line, of, line_per_group) -> None:
    """One of ``--line`` (> 0) and ``--relative-line`` (a share in (0, 1]); ``--of``/``--line-per-group`` with the
    latter."""
    if (line is None) == (relative_line is None):
        raise CommandError("give exactly one of --line VALUE and --relative-line SHARE")
    if relative_line is None and (of or line_per_group):
        raise CommandError("--of and --line-per-group go with --relative-line")
    for option, value in (("--line", line), ("--relative-line", relative_line)):
        if value is not None and not (math.isfinite(value) and value > 0):
            raise CommandError(f"{option} must be greater than zero, got {float(value)}")
    if relative_line is not None and relative_line > 1:
        raise CommandError(
            f"--relative-line must be at most 1, got {float(relative_line)}: it is a share of the median or mean, "
            "in (0, 1] (0.6 for Eurostat's at-risk-of-poverty line)"
        )
