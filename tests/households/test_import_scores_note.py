"""Issue 14 (fresh eyes, items 2, 3, 9): the import page's after-commit note says what is true.

Once a published run computed after the commit covers the batch's provinces, the page says the
scores include the import (and offers no recompute); while a run started after the commit is not
yet published, it says a recompute is under way; else it names the next nightly recompute, with the
time written as the reader's language writes date-times. A households file without surveys changes
rows but no score, and the page says so.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from households.importing.commit import import_commit, import_upload
from households.models import ImportBatch
from indicators.services.recompute import chunk_compute, recompute, run_create, run_publish
from tests.households import test_import_preview as preview
from tests.households.test_import_preview import VILLAGE_A, _committed_surveys, login
from tests.indicators.builders import Row, households_write

world = preview.world  # the fixture: a clerk of VILLAGE_A, admins and an official of its county

INCLUDED_EN = "The published scores include this import."
INCLUDED_ZH = "已发布的评分已包含本次导入。"
RUNNING_EN = "A recompute of these provinces is under way: the scores include this import when it is published."
RUNNING_ZH = "这些省份正在重算：重算发布后，评分将包含本次导入。"
NIGHTLY_EN = "The scores will include it after the next nightly recompute"
NIGHTLY_ZH = "下一次夜间重算（"


def _page(user, batch, language="en") -> str:
    return login(user, language).get(reverse("households:import-detail", args=[batch.pk])).content.decode()


def _publish(run) -> None:
    for chunk in run.chunks.order_by("pk"):
        chunk_compute(chunk_id=chunk.pk)
    run_publish(run_id=run.pk)


@pytest.mark.django_db
def test_the_note_follows_the_runs_after_the_commit(world):
    households_write([Row(VILLAGE_A, 1, wage=2000, persons=2)], period=2020)
    recompute(period=2020)  # published before the commit: it does not include the import
    batch = _committed_surveys(world["admin"])
    button = reverse("indicators:import-recompute", args=[batch.pk])

    html = _page(world["admin"], batch)
    assert NIGHTLY_EN in html and INCLUDED_EN not in html and RUNNING_EN not in html
    assert f'action="{button}"' in html

    run = run_create(period=2020, provinces=["64"], trigger="import")  # queued for the workers
    html, zh = _page(world["admin"], batch), _page(world["admin"], batch, "zh-hans")
    assert RUNNING_EN in html and NIGHTLY_EN not in html and INCLUDED_EN not in html
    assert RUNNING_ZH in zh and NIGHTLY_ZH not in zh
    assert f'action="{button}"' not in html  # one recompute at a time

    _publish(run)
    html, zh = _page(world["admin"], batch), _page(world["admin"], batch, "zh-hans")
    assert INCLUDED_EN in html and RUNNING_EN not in html and NIGHTLY_EN not in html
    assert '<a href="/?period=2020">See the scores on the dashboard</a>' in html
    assert INCLUDED_ZH in zh and '<a href="/?period=2020">在总览中查看评分</a>' in zh and NIGHTLY_ZH not in zh
    assert f'action="{button}"' not in html

    recompute(period=2020)  # the nightly run copies province 64 from the run that included it
    assert INCLUDED_EN in _page(world["admin"], batch)


@pytest.mark.django_db
def test_a_run_after_the_commit_that_copied_the_province_does_not_include_it(world):
    households_write([Row(VILLAGE_A, 1, wage=2000, persons=2)], period=2020)
    recompute(period=2020)
    batch = _committed_surveys(world["clerk"])
    # a run for no named province still recomputes 64, which the commit changed (it is dirty)
    run = run_create(period=2020, provinces=[], trigger="command")
    assert list(run.chunks.values_list("province_code", "copied")) == [("64", False)]
    # a chunk copied from a run before the commit (runs made before dirty provinces were always
    # recomputed copied them) does not include the batch
    run.chunks.update(copied=True)
    _publish(run)
    html = _page(world["clerk"], batch)
    assert NIGHTLY_EN in html and INCLUDED_EN not in html

    recompute(period=2020, full=True)  # every province recomputed
    html = _page(world["clerk"], batch)
    assert INCLUDED_EN in html and NIGHTLY_EN not in html


@pytest.mark.django_db
def test_new_households_without_surveys_change_rows_but_no_score(world):
    rows = "".join(f"{VILLAGE_A}{n:04d},{VILLAGE_A}\n" for n in range(11, 19))
    data = f"registry_number,village_code\n{rows}".encode()
    batch, validation = import_upload(data=data, filename="h.csv", kind="households", period=None, user=world["clerk"])
    assert validation.problems == []
    import_commit(batch=batch, user=world["clerk"])
    batch.refresh_from_db()
    assert (batch.status, batch.rows_new, batch.rows_updated) == ("committed", 8, 0)

    html, zh = _page(world["clerk"], batch), _page(world["clerk"], batch, "zh-hans")
    assert "This import changed no row" not in html and "本次导入没有改动任何行" not in zh
    assert (
        "Households without surveys are not scored: the scores include them once their surveys are imported."
    ) in html
    assert "没有调查的农户不参与评分：导入其调查后，评分才会包含这些农户。" in zh
    assert NIGHTLY_EN not in html


@pytest.mark.django_db
def test_a_file_that_changes_nothing_says_so(world):
    data = f"registry_number,village_code\n{VILLAGE_A}0011,{VILLAGE_A}\n".encode()
    first, _ = import_upload(data=data, filename="h.csv", kind="households", period=None, user=world["clerk"])
    import_commit(batch=first, user=world["clerk"])
    again, _ = import_upload(data=data, filename="h.csv", kind="households", period=None, user=world["clerk"])
    import_commit(batch=again, user=world["clerk"])
    again.refresh_from_db()
    assert (again.status, again.rows_new, again.rows_updated, again.rows_unchanged) == ("committed", 0, 0, 1)
    assert "This import changed no row: the scores stay as they are." in _page(world["clerk"], again)
    assert "本次导入没有改动任何行：评分保持不变。" in _page(world["clerk"], again, "zh-hans")


def test_the_next_nightly_run_is_written_as_the_language_writes_date_times():
    note = {
        "state": "pending",
        "changed": True,  # what the note said before it had states
        "provinces": ["宁夏回族自治区"],
        "periods": [2020],
        "closed": [],
        "next": dt.datetime(2026, 12, 8, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
        "every": 0,
        "zone": "Asia/Shanghai",
        "can_recompute": False,
    }
    batch = ImportBatch(pk=1, status=ImportBatch.Status.COMMITTED)
    with translation.override("zh-hans"):
        zh = render_to_string("households/_import_after_commit.html", {"note": note, "batch": batch})
    with translation.override("en"):
        en = render_to_string("households/_import_after_commit.html", {"note": note, "batch": batch})
    assert "下一次夜间重算（2026年12月8日 02:00，Asia/Shanghai）后，评分将包含本次导入。" in zh
    assert "after the next nightly recompute, at Dec. 8, 2026, 2 a.m. (Asia/Shanghai)." in en


def test_households_and_regions_import_no_app_to_their_right():
    """DESIGN §2's layers (regions ← households ← indicators), read from the source tree: the note
    asks the indicators app through a setting, never by an import."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    right = {"regions": {"households", "indicators"}, "households": {"indicators"}}
    found = []
    for app, forbidden in right.items():
        for path in sorted((root / app).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.level == 0:
                    names = [node.module or ""]
                found += [f"{path.relative_to(root)}: {n}" for n in names if n.split(".")[0] in forbidden]
    assert found == []
