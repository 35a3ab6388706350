"""zh-Hans of the import page's after-commit note, the 404 messages and the admin's labels (issue 14,
fresh eyes: read by ``fill_zh.py``)."""

ZH_PAGES: dict[str, str] = {
    "Households without surveys are not scored: the scores include them once their surveys are imported.": (
        "没有调查的农户不参与评分：导入其调查后，评分才会包含这些农户。"
    ),
    "The published scores include this import.": "已发布的评分已包含本次导入。",
    "See the scores on the dashboard": "在总览中查看评分",
    "A recompute of these provinces is under way: the scores include this import when it is published.": (
        "这些省份正在重算：重算发布后，评分将包含本次导入。"
    ),
    "No region with code %(code)s.": "没有代码为 %(code)s 的区划。",
    "No such import batch.": "没有这个导入批次。",
    "No such household in your regions.": "您负责的区域内没有这个农户。",
    "No such member of this household.": "这一户没有这个成员。",
    "%(label)s: ": "%(label)s：",
    "%(user)s: %(role)s of %(region)s (%(code)s)": "%(user)s：%(region)s（%(code)s）%(role)s",
}
