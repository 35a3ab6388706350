"""``manage.py import_surveys FILE --kind KIND --period YEAR [--mapping YAML] [--commit]``: validate, then import."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from households.importing.columns import COLUMNS
from households.importing.commit import ImportRejected, import_commit, import_upload
from households.importing.mapping import MappingError, MappingResult, mapping_import
from households.importing.validate import Validation, import_validate


class Command(BaseCommand):
    help = (
        "Validate a households, members, household-surveys or village-surveys file (CSV or XLSX) and print "
        "the report; with --commit, write it in one transaction (or nothing). Exits non-zero when any row "
        "is rejected."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", required=True, choices=sorted(COLUMNS))
        parser.add_argument("--period", required=True, type=int, help="survey year, e.g. 2020")
        parser.add_argument("--sheet", help="XLSX sheet name (default: the first)")
        parser.add_argument("--commit", action="store_true", help="write the rows (default: validate only)")
        parser.add_argument(
            "--mapping",
            type=Path,
            help="a mapping file (YAML) for outside data, one row per person: creates households, members "
            "and household surveys (with --kind household-surveys); e.g. data/mappings/eusilc.yaml",
        )

    def handle(self, *args, file, kind, period, sheet=None, commit=False, mapping=None, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        data = file.read_bytes()
        if mapping is not None:
            self._import_mapped(data, file.name, mapping=mapping, kind=kind, period=period, sheet=sheet, commit=commit)
            return
        if not commit:
            validation = import_validate(
                data=data, filename=file.name, kind=kind, period=period, user=None, sheet=sheet
            )
            self._report(validation, "validated only (nothing written; add --commit to import)")
            return
        batch, validation = import_upload(
            data=data, filename=file.name, kind=kind, period=period, user=None, sheet=sheet
        )
        if validation.problems:
            self._report(validation, f"batch {batch.pk}: rejected, nothing written")
            return
        try:
            validation = import_commit(batch=batch, user=None)
        except ImportRejected as error:
            raise CommandError(str(error)) from error
        self._report(validation, f"batch {batch.pk}: committed")

    def _import_mapped(self, data: bytes, filename: str, *, mapping: Path, kind: str, period: int, sheet, commit: bool):
        if kind != "household-surveys":
            raise CommandError("a mapping import writes households, members and surveys: use --kind household-surveys")
        try:
            result = mapping_import(
                data=data, filename=filename, mapping_path=mapping, period=period, user=None, commit=commit, sheet=sheet
            )
        except MappingError as error:
            raise CommandError(str(error)) from error
        for name, counts in result.counts.items():
            self.stdout.write(
                f"{name}: new {counts['new']}, updated {counts['updated']}, unchanged {counts['unchanged']}"
            )
        for column, difference in result.checks.items():
            self.stdout.write(f"verify {column}: largest relative difference {difference:.3g}")
        if result.problems or not commit:
            outcome = "nothing written" if result.problems else "validated only (nothing written; add --commit)"
        elif result.batch is None:
            outcome = "every row is unchanged; nothing written"
        else:
            outcome = f"batch {result.batch.pk}: committed"
        self._report(result, outcome)

    def _report(self, validation: Validation | MappingResult, outcome: str) -> None:
        for p in validation.problems:
            where = f"row {p.row}" if p.row else "file"
            column = f", column {p.column}" if p.column else ""
            value = f" {p.value!r}" if p.value else ""
            self.stdout.write(f"{where}{column}:{value} {p.message}")
        self.stdout.write(
            f"new {validation.new}, updated {validation.updated}, unchanged {validation.unchanged}, "
            f"rejected {validation.rejected}; {outcome}"
        )
        if validation.problems:
            raise CommandError(
                f"{len(validation.problems)} problem(s) in {validation.rejected} row(s); nothing was written."
            )
