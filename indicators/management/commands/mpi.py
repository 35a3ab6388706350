"""``manage.py mpi FILE --indicator COL:CUTOFF[:WEIGHT] ... --k SHARE [--cardinal COL ...] [--weight COL] [--by COL]``.

Alkire-Foster measures of a CSV file (one row per unit), printed as JSON or CSV.
"""

import csv
import io
import json
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from indicators.management.csvinput import plain_numbers, read_csv
from indicators.methods.alkire_foster import AlkireFosterResult, alkire_foster, alkire_foster_by


class Command(BaseCommand):
    help = (
        "Alkire-Foster multidimensional poverty (H, A, M0, M1, M2, censored headcounts, contributions) of a CSV "
        "file, one row per person or household; deprived when strictly below the cutoff, poor when the weighted "
        "share of deprivations is at least k. With --by, one result per group and the decomposition of M0."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            type=Path,
            help="a CSV file with a header row; UTF-8, UTF-16 with a BOM, or GB18030 (Excel on Chinese Windows)",
        )
        parser.add_argument(
            "--indicator",
            dest="indicators",
            action="append",
            required=True,
            metavar="COL:CUTOFF[:WEIGHT]",
            help="a column, its deprivation cutoff and optional weight; repeat per indicator (equal weights "
            "when none is given)",
        )
        parser.add_argument(
            "--k",
            required=True,
            help="poverty cutoff in (0, 1]: a fraction such as 1/3 or 2/3, or a decimal such as 0.5. A decimal is "
            "compared exactly: with three equal-weight indicators two deprivations give c = 2/3, which is below "
            "0.6667, so write 2/3 (or 0.666) for 'two of three'",
        )
        parser.add_argument(
            "--cardinal",
            action="append",
            metavar="COL",
            help="an --indicator column whose gaps (cutoff - value)/cutoff count in M1 and M2 (its cutoff must be "
            "> 0); repeat per column. When given, exactly the named columns are cardinal. Default: every indicator "
            "whose cutoff is > 0 and whose column holds a value other than 0 and 1 (a column of only 0s and 1s, "
            "e.g. an income that is 0 in every row, is taken as a 0/1 indicator: name it here)",
        )
        parser.add_argument("--weight", help="column of sample weights > 0 (e.g. persons × sampling weight)")
        parser.add_argument(
            "--by", help="column of group labels, none blank (e.g. county): per-group results and shares of M0"
        )
        parser.add_argument("--format", dest="output_format", choices=("json", "csv"), default="json")

    def handle(self, *args, file, indicators, k, cardinal=None, weight=None, by=None, output_format="json", **options):
        columns, cutoffs, weights = _parse_indicators(indicators)
        share = _parse_k(k)
        for column in cardinal or []:
            if column not in columns:
                raise CommandError(f"--cardinal {column!r} is not an --indicator column ({', '.join(columns)})")
        frame = _read_csv(file)
        for column in [*columns, weight, by]:
            if column is not None and column not in frame.columns:
                raise CommandError(f"{file}: no column {column!r} (columns: {', '.join(frame.columns)})")
        numbers = _numeric(frame, [*columns, *([weight] if weight else [])])
        if weight is not None:
            _check_positive(numbers[weight], weight)
        if by is not None:
            _check_labels(frame[by], by)
        arguments = {
            "k": float(share),
            "indicator_weights": weights,
            "sample_weights": numbers[weight].to_numpy() if weight else None,
            "cardinal": None if cardinal is None else [column in cardinal for column in columns],
        }
        try:
            if by is None:
                overall = alkire_foster(numbers[columns].to_numpy(), cutoffs, **arguments)
                groups = {}
            else:
                decomposition = alkire_foster_by(
                    frame[by].to_numpy(), numbers[columns].to_numpy(), cutoffs, **arguments
                )
                overall, groups, table = decomposition.overall, decomposition.groups, decomposition.table
        except ValueError as error:
            raise CommandError(plain_numbers(str(error))) from error
        rows = {
            label: _row(result, columns, table.at[label, "population_share"], table.at[label, "contribution"])
            for label, result in groups.items()
        }
        total = _row(overall, columns, 1.0, 1.0 if overall.M0 > 0 else math.nan)
        if output_format == "csv":
            self.stdout.write(_csv(rows or {"all": total}, columns), ending="")
        elif by is None:
            self.stdout.write(json.dumps(total, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(json.dumps({"all": total, "by": by, "groups": rows}, indent=2, ensure_ascii=False))


def _parse_indicators(specs: list[str]) -> tuple[list[str], list[float], list[float] | None]:
    """``COL:CUTOFF[:WEIGHT]`` each (column names cannot contain ':'); weights for all or for none."""
    columns, cutoffs, weights = [], [], []
    for spec in specs:
        parts = spec.split(":")
        try:
            if len(parts) not in (2, 3) or not parts[0]:
                raise ValueError
            numbers = [float(part) for part in parts[1:]]
        except ValueError:
            raise CommandError(
                f"bad --indicator {spec!r}: expected COL:CUTOFF[:WEIGHT], e.g. income:4000:0.5"
            ) from None
        if not all(math.isfinite(number) for number in numbers):
            raise CommandError(f"bad --indicator {spec!r}: cutoff and weight must be finite numbers")
        if parts[0] in columns:
            raise CommandError(f"--indicator {parts[0]!r} is given twice")
        columns.append(parts[0])
        cutoffs.append(numbers[0])
        weights.extend(numbers[1:])
    if weights and len(weights) != len(columns):
        raise CommandError("give a weight for every --indicator or for none (equal weights)")
    return columns, cutoffs, weights or None


def _parse_k(value) -> Fraction:
    """``--k`` as an exact fraction in (0, 1]: ``2/3``, ``0.5``, ``1`` (or a number, from ``call_command``)."""
    try:
        share = Fraction(value.strip() if isinstance(value, str) else value)
    except (ValueError, TypeError, ZeroDivisionError, OverflowError):
        raise CommandError(f"--k must be a share such as 0.5 or 2/3; got {value!r}") from None
    if not 0 < share <= 1:
        raise CommandError(f"--k must be in (0, 1]; got {value}")
    return share


def _read_csv(file: Path) -> pd.DataFrame:
    """All cells as text; blank lines kept so that index i is the file's row i + 2 (the header is row 1)."""
    frame = read_csv(file, dtype=str, keep_default_na=False, skip_blank_lines=False)
    frame = frame.fillna("")
    frame = frame[(frame != "").any(axis=1)[::-1].cummax()[::-1]]  # drop trailing blank lines only
    if frame.empty:
        raise CommandError(f"{file}: no data rows")
    return frame


def _numeric(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The columns as floats; the first row (as numbered in the file) with a non-numeric cell is an error."""
    text = frame[columns].apply(lambda column: column.str.strip())
    numbers = text.apply(pd.to_numeric, errors="coerce").astype(float)
    bad = ~np.isfinite(numbers.to_numpy())
    if bad.any():
        row, col = np.argwhere(bad)[0]
        value = text.iat[row, col]
        problem = "empty cell" if value == "" else f"{value!r} is not a number"
        raise CommandError(f"row {row + 2}, column {columns[col]!r}: {problem}")
    return numbers


def _check_positive(weights: pd.Series, column: str) -> None:
    """Sample weights must be > 0 (as ``poverty_measures`` requires): the first row with one that is not."""
    bad = ~(weights > 0).to_numpy()
    if bad.any():
        position = int(bad.argmax())
        raise CommandError(
            f"row {position + 2}, column {column!r}: weight {float(weights.iat[position])} is not greater than zero"
        )


def _check_labels(labels: pd.Series, column: str) -> None:
    """Every unit needs a group: the first row whose label is blank."""
    blank = (labels.str.strip() == "").to_numpy()
    if blank.any():
        raise CommandError(f"row {int(blank.argmax()) + 2}, column {column!r}: the group label is blank")


def _row(result: AlkireFosterResult, columns: list[str], share: float, contribution: float) -> dict:
    def number(value):
        return None if value is None or math.isnan(value) else float(value)

    return {
        "k": result.k,
        "n": result.n,
        "weight_total": result.weight_total,
        "population_share": number(share),
        "share_of_M0": number(contribution),
        **{name: number(getattr(result, name)) for name in ("H", "A", "M0", "M1", "M2")},
        **{
            field: {column: number(value) for column, value in zip(columns, getattr(result, field), strict=True)}
            for field in ("censored_headcounts", "uncensored_headcounts", "contributions", "indicator_weights")
        },
        "cardinal": [column for column, flag in zip(columns, result.cardinal, strict=True) if flag],
    }


def _csv(rows: dict[str, dict], columns: list[str]) -> str:
    fields = ("censored_headcounts", "contributions")
    header = ["group", "k", "n", "weight_total", "population_share", "share_of_M0", "H", "A", "M0", "M1", "M2"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header + [f"{field[:-1]}:{column}" for field in fields for column in columns])
    for label, row in rows.items():
        values = [label] + [row[name] for name in header[1:]]
        values += [row[field][column] for field in fields for column in columns]
        writer.writerow(["" if value is None else value for value in values])
    return buffer.getvalue()
