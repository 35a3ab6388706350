"""``manage.py import_region_tags [--poverty-counties CSV]``: tag regions from data/region_tags.yaml."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from regions.services.tags import tags_import
from regions.services.upsert import RegionImportError


class Command(BaseCommand):
    help = (
        "Create the region tags (western provinces, the three areas and three prefectures) and, "
        "given the 832-county list, the poverty counties with their exit years."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--poverty-counties",
            type=Path,
            metavar="CSV",
            help="the 832-county list (columns code_2023, name_source, exit_year)",
        )

    def handle(self, *args, poverty_counties=None, **options):
        try:
            results = tags_import(poverty_counties=poverty_counties)
        except RegionImportError as error:
            raise CommandError(str(error)) from error
        for r in results:
            if r.skipped:
                self.stdout.write(f"{r.code}: skipped ({r.skipped})")
                continue
            self.stdout.write(
                f"{r.code}: {r.source_rows} source rows, {r.regions} regions tagged "
                f"(created {r.created}, updated {r.updated}, deleted {r.deleted})"
            )
            for code, names in r.merged.items():
                self.stdout.write(f"  merged: {' + '.join(names)} -> {code}")
            for code in r.unknown:
                self.stdout.write(self.style.WARNING(f"  unknown county code: {code}"))
            if any(value is not None for value in r.values):
                self.stdout.write("  by value: " + ", ".join(f"{v}: {n}" for v, n in r.values.items()))
