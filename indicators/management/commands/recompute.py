"""``manage.py recompute --period YEAR [--provinces CODES] [--full] [--jobs N]``: the nightly recompute, in-process."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from indicators.models import Methodology, RegionScore
from indicators.services.recompute import RecomputeError, current_run, recompute


class Command(BaseCommand):
    help = (
        "Score every household of a period and roll the scores up the region tree, then publish the "
        "run (the previous run stays served if anything fails). Without --full only the provinces "
        "changed since the current run are recomputed; the rest serve the current run's snapshots "
        "(nothing is copied), and with no change at all no run is made."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", type=int, required=True, help="survey year, e.g. 2020")
        parser.add_argument("--provinces", default="", help="comma-separated province codes to recompute")
        parser.add_argument("--full", action="store_true", help="recompute every province")
        parser.add_argument("--methodology", default="", help="methodology version (default: the default one)")
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            help="provinces computed at once, each on its own connection (PostgreSQL; SQLite: one at a time)",
        )

    def handle(self, *args, period, provinces, full, methodology, jobs, **options):
        if jobs < 1:
            raise CommandError("--jobs must be 1 or more.")
        chosen = None
        if methodology:
            chosen = Methodology.objects.filter(version=methodology).first()
            if chosen is None:
                known = ", ".join(Methodology.objects.values_list("version", flat=True))
                raise CommandError(f"Unknown methodology {methodology!r} (known: {known}).")
        codes = [c.strip() for c in provinces.split(",") if c.strip()] or None
        before = current_run(period=period, methodology=chosen)
        bar = tqdm(desc=f"recompute {period}", unit="province", disable=options["verbosity"] == 0)
        try:
            run = recompute(
                period=period,
                methodology=chosen,
                provinces=codes,
                full=full,
                progress=lambda _: bar.update(),
                jobs=jobs,
            )
        except RecomputeError as error:
            raise CommandError(str(error)) from error
        finally:
            bar.close()
        if before is not None and run.pk == before.pk:
            self.stdout.write(
                f"nothing changed since run {run.pk} (period {period}, methodology {run.methodology.version}): "
                "it stays current, no new run (--full recomputes every province)"
            )
            return
        chunks = run.chunks.all()
        computed = sum(not c.copied for c in chunks)
        households = sum(c.households for c in chunks)
        self.stdout.write(
            f"run {run.pk} published: period {period}, methodology {run.methodology.version}, "
            f"{computed} province(s) computed, {len(chunks) - computed} reused, {households:,} households, "
            f"{RegionScore.objects.of_run(run).count():,} regions"
        )
