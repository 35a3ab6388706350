"""``manage.py import_boundaries``: load the province, prefecture and county polygons."""

from django.core.management.base import BaseCommand

from regions.models import Level
from regions.services.boundaries import boundaries_import


class Command(BaseCommand):
    help = (
        "Load boundaries from data/geo/ through the code crosswalk, and report every region without "
        "a polygon and every polygon without a region."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet-lists", action="store_true", help="print counts only, not the codes")

    def handle(self, *args, quiet_lists=False, **options):
        result = boundaries_import()
        self.stdout.write(f"boundaries: created {result.created}, updated {result.updated}, deleted {result.deleted}")
        for cov in result.coverage:
            label = Level(cov.level).name.lower()
            self.stdout.write(
                f"{label}: {cov.polygons} polygons, {cov.regions} regions; "
                f"{len(cov.crosswalked)} codes crosswalked; "
                f"{len(cov.regions_without_polygon)} regions without a polygon; "
                f"{len(cov.polygons_without_region)} polygons without a region"
            )
            if quiet_lists:
                continue
            for source, code in cov.crosswalked:
                self.stdout.write(f"  crosswalk {source} -> {code}")
            for code, name in cov.regions_without_polygon:
                self.stdout.write(f"  no polygon: {code} {name}")
            for code, name in cov.polygons_without_region:
                self.stdout.write(f"  no region: {code} {name}")
