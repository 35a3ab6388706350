"""zh-Hans of the security hardening: logins, request checks, disclosure control (read by ``fill_zh.py``)."""

ZH_SECURITY: dict[str, str] = {
    "Not shown: fewer than 10 surveyed households, or withheld with such a region": (
        "不显示：受调查农户少于 10 户，或为保护此类地区而一并隐藏"
    ),
    "The request contains a NUL byte.": "请求中含有空字符（NUL）。",
    "Too many password reset requests. Try again later.": "重置密码的请求过多，请稍后再试。",
    "Too many failed logins for this account or from this address. Try again in %(minutes)s minutes, "
    "or ask an administrator to unlock it.": "该账户或该地址登录失败次数过多。请在 %(minutes)s 分钟后再试，或请管理员解除锁定。",
    "Small cells and their complements: a region with fewer than 10 surveyed households is a small cell, "
    "and its numbers are not published. Because a prefecture minus its other counties would give a small "
    "county exactly, a second region of the same parent is withheld as well (the one with the fewest "
    "households), and more until the withheld regions of each parent are at least two and together hold "
    "at least 10 households; where no sibling is left to withhold, the parent is withheld instead and the "
    "rule applies one level up (secondary or complementary suppression, as statistical offices publish "
    "tables). A region you are assigned is never withheld from you, nor chosen as a complement.": (
        "小单元格及其补充隐藏：调查户数少于 10 户的地区为小单元格，不公布其数值。由于地级单位减去其他各县即可"
        "精确得出一个小县的数值，同一上级下的另一个地区（户数最少者）也一并隐藏，直至每个上级下被隐藏的地区"
        "至少有两个、合计不少于 10 户；若已无同级地区可隐藏，则隐藏上级本身，并在上一级重复此规则（即统计机构"
        "发布表格时采用的次级或补充隐藏）。您被分配的地区不会对您隐藏，也不会被选作补充隐藏。"
    ),
}
