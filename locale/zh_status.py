"""zh-Hans of the monitoring-status service, its forms and the household form (read by ``fill_zh.py``)."""

ZH_STATUS: dict[str, str] = {}
ZH_STATUS["A member row is not one of this household's members: reload the page and enter the changes again."] = (
    "有一行成员不属于本户：请刷新页面后重新填写修改内容。"
)
