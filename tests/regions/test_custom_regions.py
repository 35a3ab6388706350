"""import_regions: trees that are not China's, codes kept as text end to end."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from regions.models import Region


def _write(tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "tree.csv"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.django_db
def test_import_regions_keeps_leading_zeros_as_text_end_to_end(tmp_path):
    path = _write(
        tmp_path, "code,name,parent_code,level\n0012,Root,,1\n001200,Child,0012,2\n0012000001,Leaf,001200,3\n"
    )
    out = StringIO()
    call_command("import_regions", str(path), "--scheme", "demo-tree", stdout=out)
    assert "created 3, updated 0, unchanged 0" in out.getvalue()
    leaf = Region.objects.get(code="0012000001")
    assert (leaf.parent_id, leaf.path, leaf.province_code, leaf.code12) == (
        "001200",
        "/0012/001200/0012000001/",
        "0012",
        "",
    )
    body = APIClient().get("/api/v1/regions/?scheme=demo-tree").json()
    assert [r["code"] for r in body["results"]] == ["0012", "001200", "0012000001"]
    assert APIClient().get("/api/v1/regions/0012/").json()["children_count"] == 1


@pytest.mark.django_db
def test_import_regions_second_run_and_gb18030_file(tmp_path):
    path = _write(tmp_path, "code,name,parent_code,level\nR1,东区,,1\nR1-a,甲村,R1,2\n", encoding="gb18030")
    call_command("import_regions", str(path), "--scheme", "t")
    out = StringIO()
    call_command("import_regions", str(path), "--scheme", "t", stdout=out)
    assert "created 0, updated 0, unchanged 2" in out.getvalue()
    assert Region.objects.get(code="R1-a").name == "甲村"


@pytest.mark.django_db
def test_import_regions_lists_every_problem_and_writes_nothing(tmp_path):
    path = _write(
        tmp_path,
        "code,name,parent_code,level\nA,Root,,1\nA,Again,,1\nB,,A,2\nC,Leaf,A,x\nD,Root2,A,1\n",
    )
    with pytest.raises(CommandError) as error:
        call_command("import_regions", str(path), "--scheme", "t")
    message = str(error.value)
    assert "row 3, column code: A appears more than once" in message
    assert "row 4, column name: empty" in message
    assert "row 5, column level: 'x' is not a whole number" in message
    assert "row 6, column parent_code: a level-1 region has no parent" in message
    assert not Region.objects.filter(scheme="t").exists()


@pytest.mark.django_db
def test_import_regions_unknown_parent_and_wrong_level(tmp_path):
    with pytest.raises(CommandError, match="parent ZZ"):
        call_command(
            "import_regions", str(_write(tmp_path, "code,name,parent_code,level\nB,x,ZZ,2\n")), "--scheme", "t"
        )
    with pytest.raises(CommandError, match="code B: level 3, parent level 1"):
        call_command(
            "import_regions", str(_write(tmp_path, "code,name,parent_code,level\nA,x,,1\nB,y,A,3\n")), "--scheme", "t"
        )
    assert not Region.objects.filter(scheme="t").exists()


@pytest.mark.django_db
def test_import_regions_refuses_cn_and_codes_of_another_scheme(tmp_path):
    with pytest.raises(CommandError, match="not 'cn'"):
        call_command("import_regions", str(_write(tmp_path, "code,name,parent_code,level\nX,x,,1\n")), "--scheme", "cn")
    with pytest.raises(CommandError, match="code 62: used by scheme cn"):
        call_command("import_regions", str(_write(tmp_path, "code,name,parent_code,level\n62,x,,1\n")), "--scheme", "t")
    assert Region.objects.get(code="62").name == "甘肃省"


@pytest.mark.django_db
def test_import_regions_rejects_text_that_is_not_utf8_or_gb18030(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"code,name,parent_code,level\nA,\xff\xfe\xff,,1\n")
    with pytest.raises(CommandError, match="neither UTF-8 nor GB18030"):
        call_command("import_regions", str(path), "--scheme", "t")


@pytest.mark.django_db
def test_import_regions_parent_must_be_in_the_same_scheme(tmp_path):
    with pytest.raises(CommandError, match="parent 62: parent code not found in the file or in the same scheme"):
        call_command(
            "import_regions", str(_write(tmp_path, "code,name,parent_code,level\nJ,Jay,62,2\n")), "--scheme", "t9"
        )
    assert APIClient().get("/api/v1/regions/62/").json()["children_count"] == 14


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "scheme", "message"),
    [
        ("code,name,parent_code,level\nA,x,,1\n", "all", "not 'cn'"),
        ("code,name,parent_code,level\nG 1,x,,1\n", "t", "'G 1': codes are 1-40 letters"),
        ("code,name,parent_code,level\n", "t", "no data rows"),
        ("", "t", "the file is empty"),
        ("code,name,parent_code,level\nA,x,,7\n", "t", "level 7 without a parent"),
    ],
    ids=["reserved-scheme", "space-in-code", "header-only", "empty", "root-not-level-1"],
)
def test_import_regions_rejects_with_a_clear_message(tmp_path, text, scheme, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_regions", str(_write(tmp_path, text)), "--scheme", scheme)
    assert not Region.objects.filter(scheme=scheme).exists()
