"""``manage.py import_divisions [--villages PROVINCE_CODES|all]``: load China's divisions."""

from django.core.management.base import BaseCommand, CommandError

from regions.models import Level
from regions.services.divisions import divisions_import
from regions.services.upsert import RegionImportError


class Command(BaseCommand):
    help = (
        "Load China's statistical divisions (NBS 2023): provinces, prefectures and counties; with "
        "--villages, also the townships and villages of the named provinces (or all). Rows already "
        "as in the file are left untouched."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--villages",
            metavar="PROVINCE_CODES|all",
            help="comma-separated province codes (e.g. 62,63) or 'all' (620,573 villages)",
        )

    def handle(self, *args, villages=None, **options):
        try:
            result = divisions_import(villages=villages)
        except RegionImportError as error:
            raise CommandError(str(error)) from error
        for level, rows in result.rows_by_level.items():
            self.stdout.write(f"{Level(level).name.lower()}: {rows} rows")
        upsert = result.upsert
        self.stdout.write(
            self.style.SUCCESS(f"created {upsert.created}, updated {upsert.updated}, unchanged {upsert.unchanged}")
        )
