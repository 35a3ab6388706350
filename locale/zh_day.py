"""zh-Hans of the clerk's and the official's day (issue 14): messages of pages and the API (read by ``fill_zh.py``)."""

ZH_DAY: dict[str, str] = {
    "Unknown measure. Known: %(known)s.": "未知的指标。可选：%(known)s。",
    "China's tree has levels 1 (province) to 5 (village).": "中国区划体系的级别为 1（省级）至 5（村级）。",
    "No village %(code)s with flagged households here.": "此处没有有预警农户的村 %(code)s。",
}
