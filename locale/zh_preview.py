"""zh-Hans of the import preview and the after-commit note (issue 14, item 3; read by ``fill_zh.py``)."""

ZH_PREVIEW: dict[str, str] = {
    "new": "新增",
    "updated": "更新",
    "unchanged": "未变",
    "Outcome": "处理结果",
    "Preview: the first rows as they will be stored": "预览：前几行将按此写入",
    "The first %(shown)s of %(total)s data rows, as parsed: labels mapped to their categories, numbers and "
    "dates as stored. A dash is a blank cell or one with a problem (listed below); resident IDs and registry "
    "numbers are masked, birth dates show their year.": (
        "共 %(total)s 行数据中的前 %(shown)s 行，按解析结果显示：标签已对应到类别，数字和日期按写入的形式显示。"
        "短横线表示空单元格或有问题的单元格（问题见下方）；身份证号和户编号已遮蔽，出生日期只显示年份。"
    ),
    "When the scores include this import": "评分何时包含本次导入",
    "This import changed no row: the scores stay as they are.": "本次导入没有改动任何行：评分保持不变。",
    "Changed: %(provinces)s, survey year %(years)s.": "已改动：%(provinces)s，调查年度 %(years)s。",
    "The scores will include it after the next nightly recompute, at %(when)s (%(zone)s).": (
        "下一次夜间重算（%(when)s，%(zone)s）后，评分将包含本次导入。"
    ),
    "The scores will include it after the next scheduled recompute (every %(seconds)s seconds).": (
        "下一次定时重算（每 %(seconds)s 秒一次）后，评分将包含本次导入。"
    ),
    "Survey year %(years)s is closed: the nightly recompute skips it; an administrator may recompute it here.": (
        "调查年度 %(years)s 已关闭：夜间重算不包括该年度；管理员可在此处重算。"
    ),
    "Recompute these provinces now": "立即重算这些省份",
    "Administrators only: the run goes to the workers and is published when done.": (
        "仅限管理员：计算任务交由后台执行，完成后发布。"
    ),
    "Only administrators of these regions may start a recompute.": "只有这些地区的管理员可以发起重算。",
    "Only a committed import can be recomputed.": "只有已提交的导入才能重算。",
    "Recompute %(run)s of %(year)s started: the scores include this import when it is published.": (
        "%(year)s 年度的第 %(run)s 次重算已开始：发布后评分将包含本次导入。"
    ),
    "Nothing to recompute: no surveys of these years in the provinces changed.": (
        "无需重算：改动的省份在这些年度没有调查数据。"
    ),
    "Not needed for a households file (given, its exit years may not be later).": (
        "农户文件无需填写（如填写，脱贫年份不得晚于该年）。"
    ),
    "Give the survey year of a members or survey file.": "家庭成员或调查文件须填写调查年度。",
}
