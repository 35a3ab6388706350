"""``manage.py generate_demo [--counties CODES] [--periods 2016-2020] [--seed N]``: synthetic demo data.

Synthetic households over real regions: the villages are the real NBS 2023 villages of the counties;
the households, members, incomes and village surveys are invented (``households.demo``), calibrated
to published NBS figures. Nothing describes a real person.
"""

from django.core.management.base import BaseCommand, CommandError

from households.demo import YEARS
from households.services.demo import DEMO_COUNTIES, DemoError, demo_generate


def _periods(text: str) -> list[int]:
    """``2016-2020`` or ``2016,2018`` → years."""
    try:
        if "-" in text:
            first, last = (int(part) for part in text.split("-", 1))
            return list(range(first, last + 1))
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise CommandError(
            f"--periods: expected a range such as 2016-2020 or years such as 2016,2018: {text}"
        ) from error


class Command(BaseCommand):
    help = (
        "Generate SYNTHETIC households over REAL regions for the demo and tests: households, members (with "
        "synthetic resident IDs), member statuses, household and village surveys for every village of the "
        "counties, calibrated to NBS figures (poor-area rural income, poverty incidence falling to below 3% "
        "by 2020). Loads the counties' villages if missing. Replaces: the counties' existing households and "
        "village surveys (all periods) are deleted and written again in one transaction, so a rerun never "
        "duplicates rows; counties holding imported households are refused."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--counties",
            default=",".join(DEMO_COUNTIES),
            metavar="CODES",
            help=f"comma-separated county codes (default {','.join(DEMO_COUNTIES)}: 岷县, 昭觉县, 临夏县)",
        )
        parser.add_argument(
            "--periods",
            default=f"{YEARS[0]}-{YEARS[-1]}",
            help=f"years as a range or a list, within {YEARS[0]}-{YEARS[-1]} (default: all)",
        )
        parser.add_argument("--seed", type=int, default=2020, help="random seed (default 2020); same seed, same data")

    def handle(self, *args, counties: str, periods: str, seed: int, **options):
        codes = [code.strip() for code in counties.split(",") if code.strip()]
        try:
            counts = demo_generate(counties=codes, periods=_periods(periods), seed=seed)
        except DemoError as error:
            raise CommandError(str(error)) from error
        for table, rows in counts.items():
            self.stdout.write(f"{table}: {rows}")
        self.stdout.write(self.style.SUCCESS("synthetic demo data written"))
