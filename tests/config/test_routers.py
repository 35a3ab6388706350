"""The read-replica router: published scores from the replica, everything else from the primary."""

from django.contrib.auth import get_user_model

from config.routers import ScoreReplicaRouter
from households.models import Household
from indicators.models import ComputationRun, HouseholdScore, RegionRankBand, RegionScore, ScoreSnapshot


def test_score_reads_go_to_the_replica_and_writes_and_runs_to_the_primary():
    router = ScoreReplicaRouter()
    manifest = ComputationRun.snapshots.through
    for model in (HouseholdScore, RegionScore, RegionRankBand, ScoreSnapshot, manifest):
        assert router.db_for_read(model) == "replica"
        assert router.db_for_write(model) == "default"
    for model in (ComputationRun, Household, get_user_model()):
        assert router.db_for_read(model) is None  # the default database
    assert router.allow_migrate("default", "indicators") and not router.allow_migrate("replica", "indicators")
