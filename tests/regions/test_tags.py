"""import_region_tags: the 832 poverty counties with exit years, western provinces, 三区三州."""

from io import StringIO

import pandas as pd
import pytest
from django.conf import settings
from django.core.management import call_command

from regions.models import RegionTag, Tag
from regions.services.tags import tags_import
from regions.services.upsert import RegionImportError


def _values(tag: str) -> dict:
    return dict(RegionTag.objects.filter(tag__code=tag).values_list("region__code", "value"))


@pytest.mark.django_db
def test_import_region_tags_poverty_counties_831_regions_with_exit_years(shared_data):
    out = StringIO()
    call_command(
        "import_region_tags",
        "--poverty-counties",
        str(shared_data / "poverty_counties" / "poverty_counties_832.csv"),
        stdout=out,
    )
    text = out.getvalue()
    assert "poverty_county_832: 832 source rows, 831 regions tagged" in text
    assert "merged: 冷湖行委 (2019) + 茫崖行委 (2019) -> 632803" in text
    years = _values("poverty_county_832")
    assert len(years) == 831
    assert pd.Series(years).value_counts().sort_index().to_dict() == {
        2016: 28,
        2017: 125,
        2018: 283,
        2019: 343,
        2020: 52,
    }
    assert years["632803"] == 2019  # 茫崖市, formed from 冷湖 and 茫崖
    assert years["532322"] == 2018  # 双柏县, corrected from the raw batch list
    assert years["540581"] == 2017  # 错那市, recoded from 540530
    assert set(RegionTag.objects.filter(tag__code="poverty_county_832").values_list("region__level", flat=True)) == {3}


@pytest.mark.django_db
def test_import_region_tags_without_the_list_keeps_existing_assignments(shared_data):
    before = _values("poverty_county_832")
    results = {r.code: r for r in tags_import(poverty_counties=None)}
    assert "no poverty-county file" in results["poverty_county_832"].skipped
    assert _values("poverty_county_832") == before


@pytest.mark.django_db
def test_import_region_tags_second_run_writes_nothing(shared_data):
    results = tags_import(poverty_counties=shared_data / "poverty_counties" / "poverty_counties_832.csv")
    assert [(r.code, r.created, r.updated, r.deleted) for r in results] == [
        ("poverty_county_832", 0, 0, 0),
        ("western_province", 0, 0, 0),
        ("three_areas_three_prefectures", 0, 0, 0),
    ]


@pytest.mark.django_db
def test_import_region_tags_western_provinces_are_the_twelve():
    assert sorted(_values("western_province")) == [
        "15",
        "45",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
    ]


@pytest.mark.django_db
def test_import_region_tags_three_areas_cover_every_county_of_their_definition():
    # Expected set computed independently from the divisions file and the published definition.
    areas = pd.read_csv(settings.TUOPIN_DATA_DIR / "divisions" / "cn_divisions_2023.csv.gz", dtype=str)
    counties = areas[areas["level"] == "3"]["code"]
    prefixes = (
        "54",
        "6322",
        "6323",
        "6325",
        "6326",
        "6327",
        "6328",
        "5132",
        "5133",
        "6230",
        "5334",
        "6529",
        "6530",
        "6531",
        "6532",
        "5134",
        "5333",
        "6229",
    )
    expected = set(counties[counties.str.startswith(prefixes)]) | {"513422", "620623"}
    tagged = set(_values("three_areas_three_prefectures"))
    assert tagged == expected
    assert {
        "540102",
        "622926",
        "653121",
        "513422",
        "620623",
    } <= tagged  # Lhasa Chengguan, Dongxiang, Shufu, Muli, Tianzhu
    assert "620102" not in tagged  # Lanzhou


@pytest.mark.django_db
def test_import_region_tags_rejects_a_file_without_exit_years(tmp_path):
    bad = tmp_path / "list.csv"
    bad.write_text("code_2023,name_source,exit_year\n622926,东乡县,\n", encoding="utf-8")
    with pytest.raises(RegionImportError, match="row 2"):
        tags_import(poverty_counties=bad)


@pytest.mark.django_db
def test_import_region_tags_reports_unknown_county_codes(tmp_path):
    small = tmp_path / "list.csv"
    small.write_text("code_2023,name_source,exit_year\n622926,东乡县,2020\n629999,无此县,2019\n", encoding="utf-8")
    result = next(r for r in tags_import(poverty_counties=small) if r.code == "poverty_county_832")
    assert result.unknown == ["629999"]
    assert _values("poverty_county_832") == {"622926": 2020}
    assert Tag.objects.get(code="poverty_county_832").value_label_en == "Exit year"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"code_2023,name_source,exit_year\n", "no data rows"),
        (b"", "the file is empty"),
        ("code_2023,name_source,exit_year\n622926,东乡县,2020\n".encode("gb18030"), None),
        (b"code_2023,name_source,exit_year\n622926,x,1850\n", "between 1986 and 2030"),
    ],
    ids=["header-only", "empty", "gb18030", "absurd-year"],
)
def test_import_region_tags_bad_files_leave_assignments_unchanged(tmp_path, content, message):
    RegionTag.objects.filter(tag__code="poverty_county_832").delete()
    tags_import(poverty_counties=_small_list(tmp_path))
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    if message is None:  # GB18030 is read, not rejected
        tags_import(poverty_counties=path)
        assert _values("poverty_county_832") == {"622926": 2020}
        return
    with pytest.raises(RegionImportError, match=message):
        tags_import(poverty_counties=path)
    assert _values("poverty_county_832") == {"622926": 2020, "621126": 2020}


def _small_list(tmp_path):
    path = tmp_path / "small.csv"
    path.write_text("code_2023,name_source,exit_year\n622926,东乡县,2020\n621126,岷县,2020\n", encoding="utf-8")
    return path


@pytest.mark.django_db
def test_import_region_tags_missing_file_or_directory_is_a_clear_error(tmp_path):
    with pytest.raises(RegionImportError, match="no such file"):
        tags_import(poverty_counties=tmp_path)
