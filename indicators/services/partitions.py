"""The score tables' partitions by survey period (PostgreSQL; a no-op elsewhere).

Migration 0013 makes ``indicators_householdscore`` and ``indicators_regionscore`` list-partitioned
by ``period_id``, with a partition per existing period and a default one. ``partition_ensure`` gives
a new period its own partition before the recompute writes it, so a night's writes touch one
partition and a period's rows can be detached or dropped as one table (README, "Scaling out").
"""

from django.db import connection, transaction

from indicators.models import HouseholdScore, RegionScore

TABLES = (HouseholdScore._meta.db_table, RegionScore._meta.db_table)


def partition_name(table: str, period: int) -> str:
    """The partition of ``table`` holding ``period`` (``indicators_householdscore_p2020``)."""
    return f"{table}_p{int(period)}"


def partitioned() -> bool:
    """Whether the score tables are partitioned (PostgreSQL after migration 0013)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABLES[0]])
        return cursor.fetchone() is not None


def partitions() -> list[tuple[str, int | None]]:
    """Every partition of the score tables: ``(partition table, period)``, period None for the
    default partition; empty where the tables are not partitioned."""
    if not partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = ANY(%s::regclass[]) ORDER BY c.relname",
            [list(TABLES)],
        )
        rows = cursor.fetchall()
    out = []
    for name, bound in rows:
        out.append((name, None if bound == "DEFAULT" else int(bound.split("(")[1].split(")")[0].strip("'"))))
    return out


def partition_ensure(period: int) -> list[str]:
    """Create the partitions of ``period`` that are missing; returns those created.

    Rows of the period already in the default partition (written before the period had its own)
    move into the new partition in the same transaction. Serialised by an advisory lock, so two runs
    starting a new period at once create it once. Raises ``ValueError`` for a period that is not an
    integer year.
    """
    period = int(period)
    if not partitioned():
        return []
    created = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('tuopin-score-partitions'))")
        for table in TABLES:
            name = partition_name(table, period)
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
            if cursor.fetchone()[0]:
                continue
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table}_default WHERE period_id = %s)", [period])
            if cursor.fetchone()[0]:
                cursor.execute(
                    f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)"
                )
                cursor.execute(
                    f"WITH moved AS (DELETE FROM {table}_default WHERE period_id = %s RETURNING *) "
                    f"INSERT INTO {name} SELECT * FROM moved",
                    [period],
                )
                cursor.execute(f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES IN ({period})")
            else:
                cursor.execute(f"CREATE TABLE {name} PARTITION OF {table} FOR VALUES IN ({period})")
            created.append(name)
    return created
