"""Data: the default methodology v1's description no longer cites an internal design document.

Only a description still as migration 0002 first seeded it is changed; one a user edited is kept.
"""

from django.db import migrations

OLD = (
    "DESIGN §5 defaults: fixed goalposts, equal weights, geometric EQI, "
    "VEP per province, monitoring line 1.5 x the national line where none is set."
)
NEW = (
    "Defaults of the Tuopin design: fixed goalposts, equal weights, geometric EQI, "
    "vulnerability as expected poverty fitted per province, monitoring line 1.5 x the national line "
    "where none is set."
)


def forwards(apps, schema_editor):
    apps.get_model("indicators", "Methodology").objects.filter(version="v1", description=OLD).update(description=NEW)


def backwards(apps, schema_editor):
    apps.get_model("indicators", "Methodology").objects.filter(version="v1", description=NEW).update(description=OLD)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0008_household_score_unique_household_first")]

    operations = [migrations.RunPython(forwards, backwards)]
