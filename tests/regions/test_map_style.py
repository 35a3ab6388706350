"""The maps' palette (regions.map_style): darker is worse on every measure, and no data is never
mistaken for the lightest class."""

import pytest

from indicators.registry import INDICATORS
from regions import map_style


def test_contrast_ratio_matches_wcag_reference_values():
    assert map_style.relative_luminance("#ffffff") == pytest.approx(1.0)
    assert map_style.relative_luminance("#000000") == 0.0
    assert map_style.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    # #767676 on white is the classic "just passes AA" grey: 4.54:1
    assert map_style.contrast_ratio("#ffffff", "#767676") == pytest.approx(4.54, abs=0.005)
    # by hand: 0xf0 = 240 -> 240/255 = 0.94118 -> ((0.94118 + 0.055) / 1.055) ** 2.4 = 0.87137
    assert map_style.relative_luminance("#f0f0f0") == pytest.approx(0.87137, abs=1e-5)


def test_palette_runs_from_dark_to_light_in_even_steps():
    luminance = [map_style.relative_luminance(c) for c in map_style.PALETTE]
    assert luminance == sorted(luminance)  # worst (darkest) first
    steps = [map_style.contrast_ratio(a, b) for a, b in zip(map_style.PALETTE, map_style.PALETTE[1:], strict=False)]
    assert min(steps) >= 1.5, steps


def test_no_data_is_told_apart_from_the_lightest_class():
    lightest = map_style.PALETTE[-1]
    steps = [map_style.contrast_ratio(a, b) for a, b in zip(map_style.PALETTE, map_style.PALETTE[1:], strict=False)]
    contrast = map_style.contrast_ratio(map_style.NO_DATA, lightest)
    # no nearer the lightest class than neighbouring classes are to each other, and at least 1.5:1
    assert contrast >= max(map_style.NO_DATA_MIN_CONTRAST, min(steps)), (contrast, steps)
    assert contrast == pytest.approx(1.62, abs=0.005)  # (0.87137 + 0.05) / (0.51862 + 0.05), #fdae61
    # and every class is further still; no data is lighter than all of them and has no hue
    assert all(map_style.contrast_ratio(map_style.NO_DATA, c) >= contrast for c in map_style.PALETTE)
    grey = map_style.NO_DATA.lstrip("#")
    assert grey[0:2] == grey[2:4] == grey[4:6]
    assert all(len({c[1:3], c[3:5], c[5:7]}) > 1 for c in map_style.PALETTE)


def test_tag_colours_are_not_the_measure_palette_and_stand_out_from_untagged_and_no_data():
    for colour in (map_style.TAG_COLOUR, *map_style.TAG_SCALE):
        assert colour not in map_style.PALETTE
        assert map_style.contrast_ratio(colour, map_style.NOT_TAGGED) >= 1.5
        assert map_style.contrast_ratio(colour, map_style.NO_DATA) >= 1.5


@pytest.mark.parametrize("indicator", INDICATORS, ids=lambda m: m.code)
def test_every_measure_has_a_direction_and_its_classes_run_darker_is_worse(indicator):
    assert indicator.direction in map_style.DIRECTIONS
    colours = map_style.class_colours(indicator.direction)
    worst = map_style.PALETTE[0]  # the darkest
    # class 0 holds the lowest values: the worst when higher is better, the best when lower is
    assert colours[0 if indicator.direction == "higher_better" else -1] == worst
    assert sorted(colours, key=map_style.relative_luminance) == list(map_style.PALETTE)


def test_unknown_direction_is_refused():
    with pytest.raises(ValueError, match="sideways"):
        map_style.class_colours("sideways")
    with pytest.raises(ValueError, match="sideways"):
        map_style.direction_text("sideways")
