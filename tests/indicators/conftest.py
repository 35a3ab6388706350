"""Fixtures of the recompute tests."""

import pytest

from regions.models import Region
from tests.indicators.builders import households_write, random_rows, villages_write


@pytest.fixture
def two_provinces():
    """Four Ningxia villages (64) and two Inner Mongolia counties (15) with households over three years."""
    _, villages = _township_with_villages(4)
    counties = list(
        Region.objects.filter(level=3, code__startswith="15").order_by("code").values_list("code", flat=True)[:2]
    )
    for offset, period in enumerate((2018, 2019, 2020)):
        rows = random_rows(villages, per_village=40, seed=offset) + random_rows(
            counties, per_village=60, seed=10 + offset
        )
        households_write(rows, period=period)
    villages_write(villages, period=2020)
    return villages


def _township_with_villages(n: int):
    from tests.indicators.test_recompute import township_with_villages

    return township_with_villages(n)
