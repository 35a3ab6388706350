"""A clerk's whole import in Chinese, in headless Chromium (issue 14, items 1 and 2).

The clerk logs in, uploads a households workbook with bad rows and reads every problem in Chinese
on the page and in ``rejected.xlsx``, which holds every row of the upload (the batch wrote nothing,
its good row neither: fresh-eyes test 14, item 2); fixes the rows in the downloaded workbook (its
added '行 row' and '问题 problems' columns kept), uploads it again and commits it: every row is
written. Every request stays on this machine; screenshots go to ``test-artifacts/`` (or ``$TEST_ARTIFACTS``).
"""

import io
import re

import pytest
from django.contrib.auth.models import User
from openpyxl import Workbook, load_workbook
from playwright.sync_api import sync_playwright

from households.models import Household, ImportBatch
from regions.models import Assignment, Region, Role
from tests.conftest import load_tree
from tests.indicators.test_dashboard_browser import CHROMIUM_ARGS, _artifacts, _guarded_page

VILLAGE = "640422100002"
HEADERS = [
    "户编号 registry_number",
    "村代码 village_code",
    "建档年份 registration_year",
    "脱贫年份 exit_year",
    "监测状态 monitoring_status",
]
LABELS = "未纳入监测、脱贫不稳定户、边缘易致贫户、突发严重困难户、风险已消除"
#: The problems of the bad workbook, as the page shows them (row, column, message).
EXPECTED = [
    ("3", "建档年份 registration_year", "不能小于 1980"),
    ("3", "监测状态 monitoring_status", f"无法识别的值；请填写以下之一：{LABELS}"),
    ("4", "脱贫年份 exit_year", "脱贫年份早于建档年份"),
    ("5", "建档年份 registration_year", "“20x4”不是整数"),
    ("6", "户编号 registry_number", "键重复：第 2 行有相同的户编号"),
    ("2", "户编号 registry_number", "键重复：第 6 行有相同的户编号"),
]


def _bad_workbook() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in (
        [f"{VILLAGE}0001", VILLAGE, 2014, None, "未纳入监测"],
        [f"{VILLAGE}0002", VILLAGE, 1970, None, "脱贫户"],  # a word clerks use, not a label
        [f"{VILLAGE}0003", VILLAGE, 2014, 2010, "边缘易致贫户"],
        [f"{VILLAGE}0004", VILLAGE, "20x4", None, ""],
        [f"{VILLAGE}0001", VILLAGE, 2015, None, ""],
        [f"{VILLAGE}0005", VILLAGE, 2017, None, "未纳入监测"],  # a good row: not written either
    ):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _latin_words(text: str, *strip: str) -> list[str]:
    """Latin words of ``text`` once the file's own texts (headers, cell values) are taken out."""
    for part in sorted(strip, key=len, reverse=True):
        text = text.replace(part, "")
    return re.findall(r"[A-Za-z]{2,}", text)


@pytest.fixture
def clerk_in_ningxia(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_tree(villages="64")
    clerk = User.objects.create_user("clerk-pengyang", password="pw-clerk-pengyang")
    Assignment.objects.create(user=clerk, role=Role.CLERK, region=Region.objects.get(code=VILLAGE))
    return clerk


def _upload(page, url: str, path) -> None:
    page.goto(f"{url}/imports/")
    page.select_option("select[name=kind]", "households")
    page.fill("input[name=period]", "2020")
    page.set_input_files("input[name=file]", str(path))
    with page.expect_navigation():
        page.click("form.form button[type=submit]")


def _problems(page) -> list[tuple[str, str, str, str]]:
    return [
        tuple(cell.inner_text().strip() for cell in row.locator("td").all())
        for row in page.locator("#import-problems tbody tr").all()
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_clerk_imports_in_chinese_fixes_rejected_xlsx_and_commits(live_server, chromium, clerk_in_ningxia, tmp_path):
    artifacts = _artifacts()
    bad = tmp_path / "农户.xlsx"
    bad.write_bytes(_bad_workbook())
    outside: list[str] = []
    errors: list[str] = []
    # no ORM below until the browser closes: Playwright's sync API runs an event loop in this thread
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        page = _guarded_page(browser, outside, errors)
        page.goto(f"{live_server.url}/accounts/login/?next=/imports/")
        page.fill("input[name=username]", "clerk-pengyang")
        page.fill("input[name=password]", "pw-clerk-pengyang")
        with page.expect_navigation():
            page.click("form.form button[type=submit]")
        assert page.url == f"{live_server.url}/imports/"

        _upload(page, live_server.url, bad)
        assert re.search(r"/imports/\d+/$", page.url)
        problems = _problems(page)
        page.screenshot(path=str(artifacts / "import_zh_rejected.png"), full_page=True)
        shown = sorted((row, column, message) for row, column, _value, message in problems)
        assert shown == sorted(EXPECTED)
        for _row, _column, value, message in problems:
            assert _latin_words(message, value) == [], message  # Chinese but for the cell's own text
        assert page.locator("main h2", has_text="6 个问题").count() == 1
        assert "此文件未写入任何数据" in page.locator("#nothing-written").inner_text()

        with page.expect_download() as download:
            page.click("a[href$='rejected.xlsx']")
        rejected = tmp_path / "rejected.xlsx"
        download.value.save_as(str(rejected))

        workbook = load_workbook(rejected)
        sheet = workbook.active
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
        assert rows[0] == ["行 row", *HEADERS, "问题 problems"]
        annotated = {row[0]: row[-1] for row in rows[1:]}
        assert [row[0] for row in rows[1:]] == [2, 3, 4, 5, 6, 7]  # every row, in file order
        assert annotated[7] is None  # the good row, without problems
        for text in filter(None, annotated.values()):
            assert _latin_words(text, *HEADERS, "20x4") == [], text
        assert annotated[3] == (
            "建档年份 registration_year: 不能小于 1980；"
            f"监测状态 monitoring_status: 无法识别的值；请填写以下之一：{LABELS}"
        )
        assert annotated[5] == "建档年份 registration_year: “20x4”不是整数"
        # the clerk fixes the rows where they are, keeps the added columns, drops the duplicate row
        fixes = {3: {4: "2014", 6: "脱贫不稳定户"}, 4: {5: "2016"}, 5: {4: "2014"}}
        for index, row in enumerate(sheet.iter_rows(min_row=2), start=2):
            for column, value in fixes.get(row[0].value, {}).items():
                sheet.cell(row=index, column=column, value=value)
        duplicate = next(i for i, row in enumerate(sheet.iter_rows(min_row=2), start=2) if row[0].value == 6)
        sheet.delete_rows(duplicate)
        fixed = tmp_path / "rejected-fixed.xlsx"
        workbook.save(fixed)

        _upload(page, live_server.url, fixed)
        assert _problems(page) == []
        assert page.locator("dd.status-validated").count() == 1
        page.screenshot(path=str(artifacts / "import_zh_fixed_validated.png"), full_page=True)
        with page.expect_navigation():
            page.click("button[name=action][value=commit]")
        assert page.locator("dd.status-committed").count() == 1
        page.screenshot(path=str(artifacts / "import_zh_committed.png"), full_page=True)
        browser.close()
    print(f"screenshots in {artifacts.resolve()}")
    assert outside == [], f"requests left this machine: {outside[:5]}"
    assert errors == []
    batches = list(ImportBatch.objects.order_by("pk").values_list("status", "rows_new"))
    assert batches == [("rejected", 1), ("committed", 5)]
    stored = dict(Household.objects.values_list("registry_number", "registration_year"))
    # the good row of the first upload is written too, from the fixed workbook
    assert stored == {f"{VILLAGE}{serial}": 2014 for serial in ("0001", "0002", "0003", "0004")} | {
        f"{VILLAGE}0005": 2017
    }
    assert Household.objects.get(registry_number=f"{VILLAGE}0002").monitoring_status == "ex_poor_unstable"
