"""zh-Hans of the re-identification fixes (issue 13, finding 4; the POSTed household search): the masked
birth date in the member form, the daily limit of "already registered" answers, the public household
id, the search link (read by ``fill_zh.py``)."""

ZH_REIDENT: dict[str, str] = {
    # households/forms.py
    "Stored: born in %(year)s; leave empty to keep it.": "已存：%(year)s年出生；留空则保留。",
    # households/services/id_answers.py (the household form's refusal)
    "Not checked: your account has reached today's limit of %(limit)s resident IDs reported as registered "
    "to other members. Try again tomorrow or ask an administrator.": (
        "未核验：您的账号今日已达“身份证号已登记在其他成员名下”提示的上限（%(limit)s 个）。请明天再试或联系管理员。"
    ),
    # households/views.py
    "This search link has expired; search again.": "该搜索链接已过期，请重新搜索。",
    # templates/households/household_detail.html
    "Shows the full ID and birth date; the viewing is recorded.": "显示完整身份证号和出生日期；查看将被记录。",
    # households/models.py
    "public id": "公开编号",
    "IDs answered as already registered": "提示已登记的身份证号数",
    "refused over the daily limit": "超出每日上限而拒绝",
    "'already registered' answer": "“已登记”提示",
    "'already registered' answers": "“已登记”提示",
}
