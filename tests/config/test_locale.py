"""The zh-Hans catalogue translates every string and gettext uses every translation."""

import re
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_zh_hans_catalogue_has_no_fuzzy_or_empty_entries():
    entries = PO.read_text(encoding="utf-8").split("\n\n")[1:]  # the first is the header
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    empty = [
        e
        for e in entries
        if re.search(r'^msgstr(\[0\])? ""$', e, re.M) and not re.search(r'^"', e.split("msgstr")[-1], re.M)
    ]
    assert fuzzy == [] and empty == []


def test_translations_are_served():
    with translation.override("zh-hans"):
        assert translation.gettext("Registration year") == "建档年份"
        assert translation.gettext("National county map") == "全国县级地图"
