"""HouseholdScore.components (one JSON object per row) becomes a column per component.

The existing rows keep their values: one UPDATE reads each component out of the JSON (PostgreSQL's
``->>``, SQLite's ``json_extract``); a component missing or null in the JSON stays NULL. Reversible.
"""

from django.db import migrations, models

COMPONENTS = (
    ("c_adequacy", "Income adequacy"),
    ("c_growth", "Real income growth"),
    ("c_dev_share", "Developmental income share"),
    ("c_stability", "Income stability"),
    ("c_resilience", "Resilience (1 − vulnerability)"),
    ("c_margin", "Margin over the monitoring line"),
    ("c_shocks", "Shocks absent"),
    ("c_guarantees", "Guarantees met"),
    ("c_village_services", "Village public services"),
    ("c_household_industry", "Household industrial participation"),
    ("c_village_industry", "Village industry"),
)


def components_to_columns(apps, schema_editor):
    connection = schema_editor.connection
    table = connection.ops.quote_name("indicators_householdscore")
    if connection.vendor == "postgresql":
        read = "CAST(components ->> '{c}' AS DOUBLE PRECISION)"
    else:
        read = "CAST(json_extract(components, '$.{c}') AS REAL)"
    assignments = ", ".join(f"{c} = {read.format(c=c)}" for c, _ in COMPONENTS)
    schema_editor.execute(f"UPDATE {table} SET {assignments}")


def columns_to_components(apps, schema_editor):
    connection = schema_editor.connection
    table = connection.ops.quote_name("indicators_householdscore")
    build = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"
    pairs = ", ".join(f"'{c}', {c}" for c, _ in COMPONENTS)
    schema_editor.execute(f"UPDATE {table} SET components = {build}({pairs})")


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0005_warning_cases"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name="householdscore",
                name=name,
                field=models.FloatField(blank=True, null=True, verbose_name=label),
            )
            for name, label in COMPONENTS
        ),
        migrations.RunPython(components_to_columns, columns_to_components),
        migrations.RemoveField(model_name="householdscore", name="components"),
    ]
