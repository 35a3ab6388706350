"""``manage.py import_regions CSV --scheme NAME``: load a region tree that is not China's."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from regions.services.custom import regions_import_csv
from regions.services.upsert import RegionImportError


class Command(BaseCommand):
    help = "Load a region tree from a CSV with columns code, name, parent_code, level (1 at the root)."

    def add_arguments(self, parser):
        parser.add_argument("csv", type=Path)
        parser.add_argument("--scheme", required=True, help="the tree's name, e.g. 'at-nuts'")

    def handle(self, *args, csv, scheme, **options):
        try:
            result = regions_import_csv(path=csv, scheme=scheme)
        except RegionImportError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}")
        )
