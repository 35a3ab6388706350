"""Database routing for a deployment with a read replica (``DATABASE_REPLICA_URL``).

Only reads of published scores go to the replica: the score rows, rank bands and snapshots, which a
run writes once and never changes. The runs themselves (which one is current) and everything a user
writes and reads back (households, imports, warning cases, sessions) stay on the primary, so a
clerk never misses their own write. A run published a moment ago may reach the replica a moment
later (streaming replication lag, typically under a second): its manifest is read from the replica
too, so a page shows either the previous numbers or the new ones.
"""

#: ``app_label.model_name`` of the models read from the replica.
REPLICA_READS = frozenset(
    {
        "indicators.householdscore",
        "indicators.regionscore",
        "indicators.regionrankband",
        "indicators.scoresnapshot",
        "indicators.computationrun_snapshots",
    }
)


class ScoreReplicaRouter:
    """Reads of ``REPLICA_READS`` from the ``replica`` database; every write, and every other read,
    from ``default``. Migrations run on ``default`` only (the replica follows by replication)."""

    def db_for_read(self, model, **hints):
        return "replica" if model._meta.label_lower in REPLICA_READS else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
