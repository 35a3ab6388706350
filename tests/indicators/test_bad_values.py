"""Bad query values answer 400 with a message, as the API does for its other parameters (issue 14, item 9)."""

import csv
import io

import pytest
from django.test import Client

from indicators.registry import INDICATORS

pytestmark = pytest.mark.django_db


def test_dashboard_with_an_unknown_measure_answers_400_naming_the_known_ones():
    answer = Client().get("/", {"measure": "bogus"}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400
    assert "Unknown measure. Known: " in answer.content.decode() and "eqi" in answer.content.decode()
    assert Client().get("/regions/62/", {"measure": "bogus"}).status_code == 400
    assert Client().get("/", {"measure": "headcount_ratio"}).status_code == 200


def test_region_scores_level_beyond_chinas_five_answers_400():
    answer = Client().get("/api/v1/region-scores/", {"level": 9}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400
    assert answer.json() == {"level": ["China's tree has levels 1 (province) to 5 (village)."]}
    assert Client().get("/api/v1/region-scores/", {"level": 5}).status_code == 200


def test_indicator_catalogue_in_csv_and_other_formats_refused():
    answer = Client().get("/api/v1/indicators/", {"format": "csv"})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [row["code"] for row in rows] == [i.code for i in INDICATORS]
    refused = Client().get("/api/v1/indicators/", {"format": "xml"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and refused.json() == {"format": ["One of: json, csv."]}
