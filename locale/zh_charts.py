"""zh-Hans of the charts that never render blank (issue 14, item 6): axis titles and the notes of a
chart with nothing to draw; the flagged cell of the village page (read by ``fill_zh.py``)."""

ZH_CHARTS: dict[str, str] = {
    "No household of this village was scored in this period, so there are no contributions to draw.": (
        "本期本村没有农户得分，因此没有可绘制的贡献。"
    ),
    "No household of this village is multidimensionally poor (deprived in at least %(k)s of the "
    "weighted indicators): M0 is 0, so no indicator contributes to it and there is nothing to draw.": (
        "本村没有多维贫困户（即在至少 %(k)s 的加权指标上被剥夺的农户）：M0 为 0，"
        "没有任何指标对其有贡献，因此没有可绘制的内容。"
    ),
    "No household of this village has data on the deprivation indicators: there is nothing to draw.": (
        "本村没有农户的剥夺指标数据，因此没有可绘制的内容。"
    ),
    "Child region": "下级区划",
    "%(region)s is the only part of %(parent)s with surveyed households: their D1-D4 are the same,"
    " so one shape is drawn.": "%(region)s是%(parent)s唯一有调查农户的下级区划：二者的 D1-D4 相同，因此只画一个图形。",
    "yes (%(category)s)": "是（%(category)s）",  # the flagged cell of the village page: one line, full-width brackets
}
