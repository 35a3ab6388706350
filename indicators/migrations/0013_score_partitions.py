# The score tables partitioned by survey period on PostgreSQL (issue 16): a period's rows can be
# detached or dropped as one table, and a night's writes touch one partition. Each table is rebuilt
# as a list-partitioned table with the same columns, constraints and indexes, the period added to its
# primary key (PostgreSQL requires the partition key in every unique constraint; the model's unique
# constraints already name it); one partition per existing survey period and a default partition
# that catches a period written before its partition exists. New periods get theirs from the
# recompute (``indicators.services.partitions.partition_ensure``). SQLite keeps one table.

from django.db import migrations

TABLES = ("indicators_householdscore", "indicators_regionscore")


def _rebuild(cursor, table: str, *, partitioned: bool) -> None:
    """Rebuild ``table`` partitioned by period (or back to one table), keeping rows, names and ids."""
    old = f"{table}_rebuild"
    cursor.execute(
        "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "WHERE c.conrelid = %s::regclass AND c.contype IN ('u') ORDER BY c.conname",
        [table],
    )
    uniques = cursor.fetchall()
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid) ORDER BY i.relname",
        [table],
    )
    indexes = cursor.fetchall()
    cursor.execute(f"ALTER TABLE {table} RENAME TO {old}")
    cursor.execute(f"ALTER TABLE {old} DROP CONSTRAINT {table}_pkey")
    for name, _definition in uniques:
        cursor.execute(f"ALTER TABLE {old} DROP CONSTRAINT {name}")
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    like = f"LIKE {old} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS INCLUDING STORAGE"
    if partitioned:
        cursor.execute(f"CREATE TABLE {table} ({like}) PARTITION BY LIST (period_id)")
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (id, period_id)")
    else:
        cursor.execute(f"CREATE TABLE {table} ({like})")
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (id)")
    for name, definition in uniques:
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    for _name, definition in indexes:
        cursor.execute(definition.replace(f" ON ONLY public.{old} ", f" ON {table} ").replace(f" ON public.{old} ", f" ON {table} "))
    if partitioned:
        cursor.execute(
            f"SELECT year FROM households_surveyperiod UNION SELECT DISTINCT period_id FROM {old} ORDER BY 1"
        )
        for (year,) in cursor.fetchall():
            cursor.execute(f"CREATE TABLE {table}_p{int(year)} PARTITION OF {table} FOR VALUES IN ({int(year)})")
        cursor.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
    cursor.execute(f"INSERT INTO {table} OVERRIDING SYSTEM VALUE SELECT * FROM {old}")
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1), "
        f"(SELECT MAX(id) IS NOT NULL FROM {table}))",
        [table],
    )
    cursor.execute(f"DROP TABLE {old} CASCADE")


def rebuild_all(*, partitioned: bool):
    """The migration's step: every score table rebuilt partitioned (forward) or as one table (back)."""

    def step(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for table in TABLES:
                _rebuild(cursor, table, partitioned=partitioned)

    return step


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0012_score_snapshots'),
    ]

    operations = [migrations.RunPython(rebuild_all(partitioned=True), rebuild_all(partitioned=False))]
