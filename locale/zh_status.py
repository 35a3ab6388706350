"""zh-Hans of the monitoring-status service, its form, the admin and the household form (read by ``fill_zh.py``)."""

ZH_STATUS: dict[str, str] = {}
ZH_STATUS["A member row is not one of this household's members: reload the page and enter the changes again."] = (
    "有一行成员不属于本户：请刷新页面后重新填写修改内容。"
)
ZH_STATUS.update(
    {  # households.services.status: the rules of every monitoring-status change
        "'Risk eliminated' is recorded only through the warning workflow: on the household's warning case, "
        "a county official or administrator confirms a proposed risk elimination once its rules are met.": (
            "“风险已消除”只能通过预警流程记录：在该户的预警案件中，风险消除提出后且条件满足时，由县级干部或管理员确认。"
        ),
        "Choose one of: %(choices)s.": "请从以下选项中选择：%(choices)s。",
        "A monitored household (%(status)s) leaves monitoring only through the warning workflow, when its "
        "risk is eliminated; it is not set to 'not monitored' by hand.": (
            "监测对象（%(status)s）只能在预警流程中确认风险消除后退出监测，不能手工改为“未纳入监测”。"
        ),
        "The date cannot be in the future.": "日期不能晚于今天。",
        "The date cannot be before %(date)s, the start of the first survey period.": (
            "日期不能早于 %(date)s（最早调查年度的开始）。"
        ),
        "The date cannot be before %(date)s, the start of the case's survey period.": (
            "日期不能早于 %(date)s（该预警案件所属调查年度的开始）。"
        ),
        "The date cannot be before %(date)s, the start of the household's registration year.": (
            "日期不能早于 %(date)s（该户建档年份的开始）。"
        ),
        "The date cannot be before the household's latest status change (%(date)s).": (
            "日期不能早于该户最近一次监测状态变更（%(date)s）。"
        ),
        "Your role over this village does not allow this status change.": "您在该村的角色不允许进行此项监测状态变更。",
        # households.models.StatusChange: the database constraint's message
        "The date must lie within the survey years, 1980 to 2100.": "日期必须在调查年度范围内（1980 年至 2100 年）。",
        # households.admin.HouseholdAdmin
        "The monitoring status was kept (%(status)s): it changes on the household page or in the warning "
        "workflow, not here.": "监测状态保持不变（%(status)s）：监测状态在农户页面或预警流程中变更，不能在此修改。",
    }
)
