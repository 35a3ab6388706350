"""``manage.py mpi FILE --indicator COL:CUTOFF[:WEIGHT] ... --k SHARE [--ordinal COL ...] [--weight COL] [--by COL]``.

Alkire-Foster measures of a CSV file (one row per unit), printed as JSON or CSV. Reads no model, database or
setting: ``manage.py`` runs it without ``django.setup()`` (see ``indicators.management.standalone``), and it needs
no system checks.
"""

import csv
import io
import json
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
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
from indicators.methods.alkire_foster import AlkireFosterResult, alkire_foster, alkire_foster_by

ALL_GROUP = "all"  # the CSV output's row of the whole file


class Command(BaseCommand):
    help = (
        "Alkire-Foster multidimensional poverty (H, A, M0, M1, M2, censored headcounts, contributions) of a CSV "
        "file, one row per person or household; deprived when strictly below the cutoff, poor when the weighted "
        "share of deprivations is at least k. With --by, one result per group and the decomposition of M0."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            type=Path,
            help="a CSV file with a header row; UTF-8, UTF-16 with a BOM, or GB18030 (Excel on Chinese Windows); "
            "blank rows are left out (rows are numbered as a spreadsheet shows them, the header is row 1)",
        )
        parser.add_argument(
            "--indicator",
            dest="indicators",
            action="append",
            required=True,
            metavar="COL:CUTOFF[:WEIGHT]",
            help="a column of numbers (none blank), its deprivation cutoff and optional weight; repeat per "
            "indicator (equal weights when none is given)",
        )
        parser.add_argument(
            "--k",
            required=True,
            help="poverty cutoff in (0, 1]: a fraction such as 1/3 or 2/3, or a decimal such as 0.5. A decimal is "
            "compared exactly: with three equal-weight indicators two deprivations give c = 2/3, which is below "
            "0.6667, so write 2/3 (or 0.666) for 'two of three'",
        )
        parser.add_argument(
            "--ordinal",
            action="append",
            metavar="COL",
            help="an --indicator column left out of M1 and M2 (an ordinal scale, whose gap (cutoff - value)/cutoff "
            "means nothing); repeat per column. Default: every indicator is cardinal (Alkire and Foster 2011; the "
            "gap of a 0/1 indicator is 0 or 1), except one whose cutoff is <= 0, which has no gap and is left out "
            "with a note on stderr",
        )
        parser.add_argument(
            "--cardinal",
            action="append",
            metavar="COL",
            help="the other way round (kept for earlier scripts): exactly the named --indicator columns count in M1 "
            "and M2 (each cutoff must be > 0); repeat per column; not with --ordinal",
        )
        parser.add_argument("--weight", help="column of sample weights > 0 (e.g. persons × sampling weight)")
        parser.add_argument(
            "--by", help="column of group labels, none blank (e.g. county): per-group results and shares of M0"
        )
        parser.add_argument(
            "--format",
            dest="output_format",
            choices=("json", "csv"),
            default="json",
            help="json (default): the whole file, and with --by its groups; csv: one row for the whole file "
            "(group 'all') and one per group",
        )
        add_design_arguments(parser)

    def handle(
        self,
        *args,
        file,
        indicators,
        k,
        ordinal=None,
        cardinal=None,
        weight=None,
        by=None,
        output_format="json",
        **options,
    ):
        columns, cutoffs, weights = _parse_indicators(indicators)
        share = _parse_k(k)
        card = self._cardinal(columns, cutoffs, ordinal, cardinal)
        needed = [Column("--indicator", column, NUMBER) for column in columns]
        if weight is not None:
            needed.append(Column("--weight", weight, WEIGHT))
        if by is not None:
            needed.append(Column("--by", by, LABEL))
        needed += design_columns(options)
        data = read_columns(file, needed)
        design = design_arrays(data, options)
        if by is not None and output_format == "csv" and ALL_GROUP in data[by].names:
            raise CommandError(f"--by {by!r} has a group named {ALL_GROUP!r}, the name of the CSV's whole-file row")
        arguments = {
            "k": float(share),
            "indicator_weights": weights,
            "sample_weights": data[weight] if weight else None,
            "cardinal": card,
        }
        achievements = np.column_stack([data.pop(column) for column in columns])  # the columns freed once copied
        try:
            if by is None:
                overall, rows = alkire_foster(achievements, cutoffs, **arguments), {}
            else:
                groups = data[by]
                decomposition = alkire_foster_by(groups.codes, achievements, cutoffs, labels=groups.names, **arguments)
                overall = decomposition.overall
                rows = {
                    label: _row(
                        result, columns, decomposition.population_share(label), decomposition.contribution(label)
                    )
                    for label, result in decomposition.groups.items()
                }
            uncertain = design.pop("uncertainty") or any(value is not None for value in design.values())
            if uncertain:
                from indicators.methods.variance import alkire_foster_design  # pandas: only with a design

                whole, by_group = alkire_foster_design(
                    achievements,
                    cutoffs,
                    **arguments,
                    groups=None if by is None else data[by].codes,
                    n_groups=1 if by is None else len(data[by].names),
                    **design,
                )
        except ValueError as error:
            raise CommandError(plain_numbers(str(error))) from error
        total = _row(overall, columns, 1.0, 1.0 if overall.M0 > 0 else math.nan)
        if uncertain:
            total.update(_uncertainty(whole))
            for g, row in enumerate(rows.values()):
                row.update(_uncertainty({m: {key: v[g] for key, v in parts.items()} for m, parts in by_group.items()}))
        if output_format == "csv":
            self.stdout.write(_csv({ALL_GROUP: total, **rows}, columns), ending="")
        elif by is None:
            self.stdout.write(json.dumps(total, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(json.dumps({"all": total, "by": by, "groups": rows}, indent=2, ensure_ascii=False))

    def _cardinal(self, columns, cutoffs, ordinal, cardinal) -> list[bool]:
        """Which indicators count in M1 and M2, from ``--ordinal`` or ``--cardinal`` (see their help)."""
        if ordinal and cardinal:
            raise CommandError("give --ordinal or --cardinal, not both")
        for option, named in (("--ordinal", ordinal), ("--cardinal", cardinal)):
            for column in named or []:
                if column not in columns:
                    raise CommandError(f"{option} {column!r} is not an --indicator column ({', '.join(columns)})")
        if cardinal:
            for column, cutoff in zip(columns, cutoffs, strict=True):
                if column in cardinal and cutoff <= 0:
                    raise CommandError(
                        f"--cardinal {column!r}: its cutoff {cutoff:g} is not positive, so its gap "
                        "(cutoff - value)/cutoff is undefined; a cardinal indicator needs a positive cutoff"
                    )
            return [column in cardinal for column in columns]
        for column, cutoff in zip(columns, cutoffs, strict=True):
            if cutoff <= 0 and column not in (ordinal or []):
                self.stderr.write(
                    f"note: --indicator {column!r} has cutoff {cutoff:g} <= 0, so it has no gap and is left out of M1 "
                    "and M2 (name it with --ordinal to say so)"
                )
        return [cutoff > 0 and column not in (ordinal or []) for column, cutoff in zip(columns, cutoffs, strict=True)]


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


def _uncertainty(measures: dict) -> dict:
    """``H_se``, ``H_ci_low``, ``H_ci_high``, ``H_deff``, ... of one row (None where not finite, e.g. the design
    effect of a group whose rows are all alike)."""
    return {
        f"{measure}_{key}": float(value) if math.isfinite(value) else None
        for measure, parts in measures.items()
        for key, value in parts.items()
    }


def _csv(rows: dict[str, dict], columns: list[str]) -> str:
    fields = ("censored_headcounts", "contributions")
    header = ["group", "k", "n", "weight_total", "population_share", "share_of_M0", "H", "A", "M0", "M1", "M2"]
    header += [name for name in next(iter(rows.values())) if name.endswith(("_se", "_ci_low", "_ci_high", "_deff"))]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header + [f"{field[:-1]}:{column}" for field in fields for column in columns])
    for label, row in rows.items():
        values = [label] + [row[name] for name in header[1:]]
        values += [row[field][column] for field in fields for column in columns]
        writer.writerow(["" if value is None else value for value in values])
    return buffer.getvalue()
