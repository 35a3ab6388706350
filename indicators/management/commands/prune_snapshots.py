"""``manage.py prune_snapshots [--keep-days N]``: remove the score snapshots no run serves (retention)."""

from django.core.management.base import BaseCommand, CommandError

from indicators.services.retention import snapshots_prune


class Command(BaseCommand):
    help = (
        "Drop the manifests of runs that are not current and finished more than --keep-days ago "
        "(default TUOPIN_RUN_RETENTION_DAYS), then delete every score snapshot no manifest references, "
        "with its household and region rows. Current runs are never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("--keep-days", type=int, default=None, help="days a past run keeps its manifest")

    def handle(self, *args, keep_days, **options):
        try:
            out = snapshots_prune(keep_days=keep_days)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{out['manifests']} past run(s) dropped their manifest; {out['snapshots']} snapshot(s) deleted "
            f"with {out['household_rows']:,} household and {out['region_rows']:,} region rows"
        )
