"""Secondary (complementary) suppression of public region aggregates (issue 13, finding 3).

The method on hand-made trees, then the API and the dashboard map: a prefecture minus its other
counties no longer gives a suppressed county's households, persons, flagged count or vulnerability.
"""

import numpy as np
import pytest
from rest_framework.test import APIClient

from indicators.methods.disclosure import cells_suppressed
from tests.api.conftest import run_publish, scores_write


def _hidden(parent, households, visible=None):
    visible = np.zeros(len(parent), bool) if visible is None else np.asarray(visible)
    return cells_suppressed(
        parent=np.array(parent), households=np.array(households), visible=visible, threshold=10
    ).tolist()


def test_one_small_county_hides_the_smallest_sibling_too():
    # P(120) = A(3) + B(50) + C(67): A alone would be P - B - C
    assert _hidden([-1, 0, 0, 0], [120, 3, 50, 67]) == [False, True, True, False]


def test_two_small_counties_that_sum_below_the_threshold_hide_a_third():
    # A(3) + B(4) = 7 < 10 is still a small cell by subtraction: C is hidden as well
    assert _hidden([-1, 0, 0, 0], [107, 3, 4, 100]) == [False, True, True, True]


def test_two_small_counties_that_sum_to_the_threshold_are_enough():
    assert _hidden([-1, 0, 0, 0], [115, 4, 6, 105]) == [False, True, True, False]


def test_nothing_small_hides_nothing():
    assert _hidden([-1, 0, 0], [40, 20, 20]) == [False, False, False]


def test_a_sibling_the_reader_sees_is_never_the_complement():
    # the reader is B's official: hiding B would not protect A from them, so C is hidden
    assert _hidden([-1, 0, 0, 0], [120, 3, 50, 67], visible=[False, False, True, False]) == [False, True, False, True]


def test_no_sibling_left_hides_the_parent_and_goes_one_level_up():
    # province G(260) = P(60) + Q(200); P = A(3) + B(57, the reader's own county)
    # A's only sibling is visible, so P is hidden; then P alone under G exposes P: Q is hidden
    parent = [-1, 0, 0, 1, 1]
    households = [260, 60, 200, 3, 57]
    visible = [False, False, False, False, True]
    assert _hidden(parent, households, visible) == [False, True, True, True, False]


def test_a_small_prefecture_hides_a_sibling_prefecture():
    # G(208) = P(8) + Q(200); P = A(3) + B(5): P is small, A and B too (nothing to subtract from)
    assert _hidden([-1, 0, 0, 1, 1], [208, 8, 200, 3, 5]) == [False, True, True, True, True]


def test_bad_parent_positions_are_refused():
    with pytest.raises(ValueError, match="parent position"):
        _hidden([-1, 7], [10, 10])


# --- in the product: Ningxia's prefecture 6404 (固原市) and its counties ------------------------

PREFECTURE, COUNTIES = "6404", ("640402", "640422", "640423", "640424", "640425")


@pytest.mark.django_db
def test_prefecture_minus_its_other_counties_no_longer_gives_a_small_county():
    run = run_publish(period=2020)
    rows = {
        PREFECTURE: {"households": 1203, "persons": 4800, "flagged_households": 40, "flagged_share": 0.03, "eqi": 61.0}
    }
    sizes = dict(zip(COUNTIES, (4, 300, 299, 300, 300), strict=True))  # 640402 is a small cell
    for code, households in sizes.items():
        rows[code] = {
            "households": households,
            "persons": 4 * households,
            "flagged_households": 8,
            "flagged_share": 0.02,
            "eqi": 60.0,
        }
    scores_write(run, rows)
    answer = APIClient().get("/api/v1/region-scores/", {"region": PREFECTURE, "page_size": 100}).json()["results"]
    by_code = {row["region"]: row for row in answer}
    assert by_code[PREFECTURE]["households"] == 1203 and not by_code[PREFECTURE]["suppressed"]
    hidden = sorted(code for code in COUNTIES if by_code[code]["suppressed"])
    assert hidden == ["640402", "640423"]  # the small county and the smallest other one
    shown = sum(by_code[code]["households"] for code in COUNTIES if code not in hidden)
    assert 1203 - shown == 4 + 299  # what subtraction gives: two counties together, not one
    for code in hidden:
        assert by_code[code]["persons"] is None and by_code[code]["flagged_share"] is None
    # the same counties are hidden on the public map, and a filter to one county does not undo it
    one = APIClient().get("/api/v1/region-scores/", {"region": "640423"}).json()["results"]
    assert [row["suppressed"] for row in one] == [True]
