"""Data: the default methodology v1 (DESIGN §5) and the poverty lines of data/poverty_lines.csv.

The parameters are a frozen copy (``methodology_v1.json``), not read from the code, so v1 stays what
the runs that used it computed even if the defaults in ``indicators.methods.scoring`` change later.
"""

import csv
import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import migrations

HERE = Path(__file__).resolve().parent


def forwards(apps, schema_editor):
    Methodology = apps.get_model("indicators", "Methodology")
    PovertyLine = apps.get_model("indicators", "PovertyLine")
    Methodology.objects.get_or_create(
        version="v1",
        defaults={
            "name": "Method v1: four dimensions, national line, AF over six guarantees and income",
            "description": "Defaults of the Tuopin design: fixed goalposts, equal weights, geometric EQI, "
            "vulnerability as expected poverty fitted per province, monitoring line 1.5 x the national line "
            "where none is set.",
            "parameters": json.loads((HERE / "methodology_v1.json").read_text(encoding="utf-8")),
            "is_default": True,
        },
    )
    with open(Path(settings.BASE_DIR) / "data" / "poverty_lines.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            PovertyLine.objects.get_or_create(
                year=int(row["year"]),
                line_type=row["line_type"],
                province_code="",
                superseded_at=None,
                defaults={"value": Decimal(row["value"]), "status": row["status"], "note": row["note"]},
            )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_scores")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
