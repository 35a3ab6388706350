"""zh-Hans of error pages, API errors, workflow refusals and page notices (read by ``fill_zh.py``)."""

ZH_NOTICES: dict[str, str] = {}
ZH_NOTICES["Year of birth"] = "出生年份"
ZH_NOTICES["Not found."] = "未找到。"
ZH_NOTICES[
    "This flag was dealt with: the risk was eliminated after this run. "
    "A later run that flags the household again opens a new case."
] = "该预警已处理：本次计算之后已确认风险消除。之后的计算再次预警该户时才会新开案件。"
ZH_NOTICES["Not allowed"] = "无权操作"
ZH_NOTICES["Your role does not allow this here."] = "您的角色不允许在此进行该操作。"
ZH_NOTICES["No child regions are loaded here yet."] = "此处尚未导入下级区划。"
ZH_NOTICES["Townships and villages come with import_divisions --villages."] = (
    "乡镇和村需运行 import_divisions --villages 导入。"
)
ZH_NOTICES.update(
    {  # the API's 400 messages
        "No methodology %(version)s.": "没有方法版本 %(version)s。",
        "No tag %(tag)s.": "没有标签 %(tag)s。",
        "No tree named %(scheme)s.": "没有名为 %(scheme)s 的区划体系。",
        "Larger than %(mb)s MB; split the file.": "文件超过 %(mb)s MB，请拆分后上传。",
        "One of: %(choices)s.": "可选值：%(choices)s。",
        "Invalid cursor: use the next or previous link.": "游标无效：请使用 next 或 previous 链接。",
        "Unknown dimension. Known: %(known)s.": "未知维度。可选：%(known)s。",
        "Codes are 1-40 letters, digits, '.', '_' or '-'.": "代码为 1-40 个字母、数字、“.”、“_”或“-”。",
    }
)
ZH_NOTICES["The person who proposed the risk elimination cannot confirm it: another official or admin does."] = (
    "提出风险消除的人不能再确认：须由另一位官员或管理员确认。"
)
ZH_NOTICES[
    "A survey of this household changed on %(changed)s, after these scores were computed: they show the change after the next recompute."
] = "本户调查数据已于 %(changed)s 修改，晚于这些得分的计算时间：下次重新计算后才会反映。"
