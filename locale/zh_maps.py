"""zh-Hans of the maps that explain themselves (issue 14, item 5): legends, the tag map's notices
(read by ``fill_zh.py``)."""

ZH_MAPS: dict[str, str] = {
    "Higher is better": "越高越好",
    "Lower is better": "越低越好",
    "darker is worse": "颜色越深越差",
    "The list of the 832 national poverty counties is not loaded (it may not be redistributed, so it is not in the project): its tag colours no county. Load it with manage.py import_region_tags --poverty-counties FILE.csv.": "832个国家级贫困县名单尚未导入（该名单不可再分发，故不在项目中）：此标签下没有县。请用 manage.py import_region_tags --poverty-counties 文件.csv 导入。",
    "Shown instead: %(label)s.": "现显示：%(label)s。",
    "Grey: no data (Taiwan, Hong Kong, Macao). The South China Sea islands are in the frame at the bottom right. Click a county to open it.": "灰色：无数据（台湾、香港、澳门）。南海诸岛见右下角小框。点击县可查看详情。",
}
