"""zh-Hans of the score pages' parameters and formats (issue 14, fresh-eyes findings 7-9; read by ``fill_zh.py``)."""

ZH_PARAMS: dict[str, str] = {
    "Unknown parameter %(name)s: this page takes %(allowed)s.": "未知的参数 %(name)s。本页可用的参数：%(allowed)s。",
    "Unknown measure %(value)s: the measures and their codes are listed on the methodology page, %(url)s.": (
        "未知的指标 %(value)s：各指标的名称与代码见“方法”页 %(url)s。"
    ),
    "No published scores for period %(p)s. Periods with published scores: %(periods)s.": (
        "%(p)s 年度没有已发布的得分。已发布得分的年度：%(periods)s。"
    ),
    "all provinces": "全国",
    "coefficient 0-1": "系数（0-1）",
}
