"""Bulk writes: what ``store.frame_insert`` writes is what the ORM reads back (binary COPY on PostgreSQL)."""

import math

import numpy as np
import pandas as pd
import pytest

from indicators.models import HouseholdScore
from indicators.services import store

pytestmark = pytest.mark.django_db


def test_frame_insert_round_trip_with_nulls_empty_text_json_and_small_integers():
    frame = pd.DataFrame(
        {
            "snapshot_id": [7, 7],
            "period_id": [2020, 2020],
            "household_id": [1, 2],
            "region_id": [3, 3],
            "province_code": ["62", "62"],
            "persons": np.array([4, 0], dtype=np.int64),
            "weight": [1.5, 2.0],
            "income": [0.1 + 0.2, np.nan],  # not a round decimal: stored to the last bit
            "ratio": [1e-300, np.nan],
            "eqi": [100.0, np.nan],
            "vulnerability_method": ["fitted", ""],
            "deprivations": np.array([0b1000001, 0], dtype=np.int64),
            "flagged": [True, False],
            "reasons": ['["vulnerable", "shock"]', "[]"],
            "category": ["", "sudden_hardship"],
            "data_error": ["", "size 0"],
        }
    )
    assert store.frame_insert(table=HouseholdScore._meta.db_table, frame=frame) == 2
    first, second = HouseholdScore.objects.order_by("household_id")
    assert (first.persons, first.weight, first.income, first.ratio) == (4, 1.5, 0.1 + 0.2, 1e-300)
    assert second.income is None and second.ratio is None and second.eqi is None and second.c_growth is None
    assert (first.deprivations, first.flagged, second.flagged) == (0b1000001, True, False)
    assert first.reasons == ["vulnerable", "shock"] and second.reasons == []
    assert (first.category, second.category, second.vulnerability_method) == ("", "sudden_hardship", "")
    assert second.data_error == "size 0" and not math.isnan(first.eqi)
