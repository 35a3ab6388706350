"""A random public id per household (URLs and API fields name it instead of the sequential key).

Existing households get a random UUID each; their history rows the live row's id (the history of a
deleted household one random id per household). On PostgreSQL one ``UPDATE`` per table
(``gen_random_uuid()``); elsewhere in chunks.
"""

import uuid

from django.db import migrations, models

_CHUNK = 5000


def _fill(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("UPDATE households_household SET public_id = gen_random_uuid()")
            cursor.execute(
                "UPDATE households_historicalhousehold h SET public_id = t.public_id "
                "FROM households_household t WHERE t.id = h.id"
            )
            cursor.execute(
                "UPDATE households_historicalhousehold h SET public_id = g.public_id FROM "
                "(SELECT id, gen_random_uuid() AS public_id FROM "
                "(SELECT DISTINCT id FROM households_historicalhousehold WHERE public_id IS NULL) d) g "
                "WHERE g.id = h.id AND h.public_id IS NULL"
            )
        return
    household = apps.get_model("households", "Household")
    history = apps.get_model("households", "HistoricalHousehold")
    given: dict[int, uuid.UUID] = {}
    pks = list(household.objects.order_by().values_list("pk", flat=True))
    for start in range(0, len(pks), _CHUNK):
        rows = [household(pk=pk, public_id=uuid.uuid4()) for pk in pks[start : start + _CHUNK]]
        household.objects.bulk_update(rows, ["public_id"])
        given.update((row.pk, row.public_id) for row in rows)
    for history_id, pk in history.objects.order_by().values_list("history_id", "id").iterator():
        public_id = given.setdefault(pk, uuid.uuid4())
        history.objects.filter(history_id=history_id).update(public_id=public_id)


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0006_import_batch_scope_purge_and_download_audit"),
    ]

    operations = [
        migrations.AddField(
            model_name="household",
            name="public_id",
            field=models.UUIDField(null=True, editable=False, verbose_name="public id"),
        ),
        migrations.AddField(
            model_name="historicalhousehold",
            name="public_id",
            field=models.UUIDField(null=True, editable=False, verbose_name="public id"),
        ),
        migrations.RunPython(_fill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="household",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="public id"),
        ),
        migrations.AlterField(
            model_name="historicalhousehold",
            name="public_id",
            field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False, verbose_name="public id"),
        ),
    ]
