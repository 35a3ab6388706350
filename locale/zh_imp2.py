"""zh-Hans of the import checks of issue 14's fresh-eyes findings 1, 6, 7 (read by ``fill_zh.py``):
dates and years in the future, an exclusive minimum, the survey year of an upload."""

ZH_IMP2: dict[str, str] = {
    "must be greater than %(minimum)s": "必须大于 %(minimum)s",
    "the registration year is after %(year)s, the year of this import": "建档年份晚于本次导入的年度 %(year)s",
    "the registration year is after this year (%(year)s)": "建档年份晚于今年（%(year)s）",
    "the birth date is after the end of %(year)s, the year of this import": (
        "出生日期晚于本次导入的年度 %(year)s 的年末"
    ),
    "the birth date is after today (%(date)s)": "出生日期晚于今天（%(date)s）",
    "%(year)s is in the future: the survey year may be at most %(this)s.": (
        "%(year)s 年尚未到来：调查年度最晚为 %(this)s 年。"
    ),
}
