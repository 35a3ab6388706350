"""import_divisions: the real NBS 2023 tree, its code rules, and idempotence."""

import pandas as pd
import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from regions.models import Region
from regions.selectors import region_display_name
from regions.services.divisions import divisions_import
from regions.services.upsert import RegionImportError


def _counts(prefix: str = "") -> dict[int, int]:
    rows = Region.objects.filter(scheme="cn", code__startswith=prefix).values_list("level", flat=True)
    if not prefix:  # the session also loads Ningxia's townships and villages
        rows = rows.filter(level__lte=3)
    return pd.Series(list(rows)).value_counts().sort_index().to_dict()


@pytest.mark.django_db
def test_import_divisions_loads_levels_exactly_as_in_the_source():
    assert _counts() == {1: 31, 2: 342, 3: 2978}
    gansu = Region.objects.get(code="62")
    assert (gansu.name, gansu.level, gansu.parent_id, gansu.code12, gansu.path) == (
        "甘肃省",
        1,
        None,
        "620000000000",
        "/62/",
    )
    linxia = Region.objects.get(code="622926")
    assert (linxia.name, linxia.parent_id, linxia.province_code, linxia.prefecture_code, linxia.county_code) == (
        "东乡族自治县",
        "6229",
        "62",
        "6229",
        "622926",
    )
    assert linxia.path == "/62/6229/622926/"


@pytest.mark.django_db
def test_import_divisions_codes_that_collide_when_padded_all_load():
    divisions_import(villages="35")
    pairs = {code: Region.objects.get(code=code) for code in ["4419", "441900", "4420", "442000", "4604", "460400"]}
    assert pairs["4419"].level == 2 and pairs["441900"].level == 3 and pairs["441900"].parent_id == "4419"
    assert pairs["4420"].code12 == pairs["442000"].code12 == "442000000000"
    assert pairs["4604"].name == pairs["460400"].name == "儋州市"
    kinmen = Region.objects.filter(code__in=["350527", "350527000", "350527000000"]).order_by("level")
    assert [(r.code, r.level, r.parent_id) for r in kinmen] == [
        ("350527", 3, "3505"),
        ("350527000", 4, "350527"),
        ("350527000000", 5, "350527000"),
    ]
    assert {r.code12 for r in kinmen} == {"350527000000"}


@pytest.mark.django_db
def test_import_divisions_second_run_writes_nothing():
    result = divisions_import()
    assert (result.upsert.created, result.upsert.updated, result.upsert.unchanged) == (0, 0, 3351)


@pytest.mark.django_db
def test_import_divisions_renamed_region_is_updated_and_nothing_else(tmp_path, settings):
    Region.objects.filter(code="622926").update(name="old name")
    result = divisions_import()
    assert (result.upsert.created, result.upsert.updated) == (0, 1)
    assert Region.objects.get(code="622926").name == "东乡族自治县"


@pytest.mark.django_db
def test_import_divisions_villages_of_gansu_with_correct_parents():
    divisions_import(villages=["62"])
    assert _counts("62") == {1: 1, 2: 14, 3: 88, 4: 1403, 5: 17718}
    lower = pd.DataFrame(
        list(Region.objects.filter(code__startswith="62", level__gte=4).values("code", "level", "parent_id", "path"))
    )
    expected_parent = lower["code"].str[:6].where(lower["level"] == 4, lower["code"].str[:9])
    assert (lower["parent_id"] == expected_parent).all()
    village = Region.objects.get(code="622926100001")
    assert village.path == "/62/6229/622926/622926100/622926100001/"
    assert village.township_code == "622926100"
    assert _counts("63").get(4) is None  # other provinces keep no townships


@pytest.mark.django_db
def test_import_divisions_unknown_province_is_rejected():
    with pytest.raises(RegionImportError, match="99"):
        divisions_import(villages="62,99")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [("6212345", 3, "6212"), ("631126", 3, "6211"), ("6299", 2, "6211"), ("99", 1, "62")],
    ids=["length-not-level", "not-parent-prefix", "parent-wrong-level", "root-with-parent"],
)
def test_region_cn_code_rules_are_enforced_by_the_database(code, level, parent):
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code=code, name="x", level=level, parent_id=parent, path="/x/", scheme="cn")


@pytest.mark.django_db
def test_region_other_scheme_has_no_code_rules():
    root = Region.objects.create(code="AT", name="Austria", level=1, path="/AT/", scheme="nuts")
    Region.objects.create(code="AT13-Wien", name="Wien", level=2, parent=root, path="/AT/AT13-Wien/", scheme="nuts")
    assert Region.objects.filter(scheme="nuts").count() == 2


@pytest.mark.django_db
def test_region_display_name_of_a_city_district_takes_the_parent_name():
    beijing_districts = Region.objects.select_related("parent").get(code="1101")
    assert region_display_name(beijing_districts) == "北京市 市辖区"
    assert region_display_name(Region.objects.select_related("parent").get(code="6201")) == "兰州市"


@pytest.mark.django_db(transaction=True)
def test_import_divisions_second_run_leaves_every_row_version_on_postgresql(postgresql):
    call_command("import_divisions", "--villages", "64")
    with connection.cursor() as cursor:
        cursor.execute("SELECT code, xmin::text FROM regions_region ORDER BY code")
        before = cursor.fetchall()
    call_command("import_divisions", "--villages", "64")
    with connection.cursor() as cursor:
        cursor.execute("SELECT code, xmin::text FROM regions_region ORDER BY code")
        after = cursor.fetchall()
    assert len(before) == 3351 + Region.objects.filter(code__startswith="64", level__gte=4).count()
    assert Region.objects.filter(code__startswith="64", level=5).count() > 2000
    assert after == before
