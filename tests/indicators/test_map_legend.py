"""Every measure of the registry has a direction, and the dashboard's map legend says it, with the
colour scale running the same way on every measure (darker is worse)."""

import pytest

from indicators import dashboard_data
from indicators.registry import INDICATORS
from regions import map_style

BETTER = {
    "en": {"higher_better": "Higher is better", "lower_better": "Lower is better"},
    "zh-Hans": {"higher_better": "越高越好", "lower_better": "越低越好"},
}
DARKEST, LIGHTEST = "#67001f", "#fdae61"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-Hans"])
def test_every_measure_of_the_registry_carries_its_direction_text_and_a_darker_is_worse_scale(client, language):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
    payload = response.context["dashboard"]
    legends = {m["code"]: m for m in payload["measures"]}
    assert list(legends) == [m.code for m in INDICATORS]  # every measure, none left out
    for indicator in INDICATORS:
        legend = legends[indicator.code]
        assert indicator.direction in {"higher_better", "lower_better"}, indicator.code
        assert legend["direction"] == indicator.direction
        assert legend["better"] == BETTER[language][indicator.direction], indicator.code
        # class 0 holds the lowest values: darkest (worst) when higher is better, lightest (best) when lower is
        colours = legend["colours"]
        assert len(colours) == dashboard_data.CLASSES
        if indicator.direction == "higher_better":
            assert (colours[0], colours[-1]) == (DARKEST, LIGHTEST), indicator.code
        else:
            assert (colours[0], colours[-1]) == (LIGHTEST, DARKEST), indicator.code
        luminance = [map_style.relative_luminance(c) for c in colours]
        assert luminance == sorted(luminance, reverse=indicator.direction == "lower_better"), indicator.code
    assert payload["noDataColour"] == "#f0f0f0"
    assert payload["labels"]["darkerWorse"] == {"en": "darker is worse", "zh-Hans": "颜色越深越差"}[language]
    assert 'id="map-direction"' in response.content.decode()  # where the page's script writes it


def test_a_colour_means_the_same_on_two_measures_of_opposite_direction():
    # the best class of the EQI (higher is better, top values) and of the incidence (lower is better,
    # bottom values) have one colour, as have their worst classes
    eqi = dashboard_data.measure_legend(dashboard_data.MEASURES[0])
    incidence = next(dashboard_data.measure_legend(m) for m in dashboard_data.MEASURES if m.code == "headcount_ratio")
    assert eqi["colours"][-1] == incidence["colours"][0] == LIGHTEST
    assert eqi["colours"][0] == incidence["colours"][-1] == DARKEST
