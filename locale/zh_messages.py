"""zh-Hans of the import messages (issue 14, item 1): every problem of an import report, the rejected
rows, the commit and undo refusals, and the template's dictionary (read by ``fill_zh.py``)."""

ZH_MESSAGES: dict[str, str] = {
    # cells
    "required: the cell is empty": "必填：单元格为空",
    "longer than %(limit)s characters": "超过 %(limit)s 个字符",
    "must be at least %(minimum)s": "不能小于 %(minimum)s",
    "must be at most %(maximum)s": "不能大于 %(maximum)s",
    "absurd amount: more than %(limit)s yuan a year; check the unit": "金额不合理：每年超过 %(limit)s 元；请检查单位",
    "unknown value; use one of: %(allowed)s": "无法识别的值；请填写以下之一：%(allowed)s",
    "ambiguous number '%(value)s': use a point for decimals and no thousands separator or a comma": (
        "数字“%(value)s”有歧义：小数请用小数点，不用千位分隔符或用逗号分隔千位"
    ),
    "'%(value)s' is not a number: a comma may only separate thousands, as in 1,234.5": (
        "“%(value)s”不是数字：逗号只能用于分隔千位，如 1,234.5"
    ),
    "'%(value)s' is not a number": "“%(value)s”不是数字",
    "'%(value)s' is not a yes/no answer: use %(words)s": "“%(value)s”不是“是/否”答案：请填写 %(words)s",
    "'%(value)s' is not a whole number": "“%(value)s”不是整数",
    "%(number)s is less than the minimum %(minimum)s": "%(number)s 小于最小值 %(minimum)s",
    "%(number)s is more than the maximum %(maximum)s": "%(number)s 大于最大值 %(maximum)s",
    "'%(value)s' is not a real date: that day does not exist": "“%(value)s”不是有效日期：该日不存在",
    "'%(value)s' is not a date: write it as YYYY-MM-DD, for example 2020-01-05": (
        "“%(value)s”不是日期：请按 YYYY-MM-DD 填写，如 2020-01-05"
    ),
    "Excel day number 60 is 1900-02-29, a day that does not exist": "Excel 日期序号 60 即 1900-02-29，该日不存在",
    "Excel day number %(value)s is not a date: valid numbers are 1 to %(last)s": (
        "Excel 日期序号 %(value)s 不是日期：有效序号为 1 至 %(last)s"
    ),
    "Excel stored this identifier as a number and may have changed its digits; format the column as Text and re-enter it": (
        "Excel 把此编号存成了数字，可能已改变其数位；请把该列设为“文本”格式后重新录入"
    ),
    "formula without a saved value: open and save the file in Excel, or paste values": (
        "公式没有保存的计算结果：请在 Excel 中打开并保存文件，或粘贴为数值"
    ),
    # rows
    "duplicate key: the same %(key)s is also in row %(rows)s": "键重复：第 %(rows)s 行有相同的%(key)s",
    "duplicate key: the same %(key)s is also in row %(rows)s and %(more)s more": (
        "键重复：第 %(rows)s 行及另外 %(more)s 行有相同的%(key)s"
    ),
    "the exit year is before the registration year": "脱贫年份早于建档年份",
    "the exit year is after %(year)s, the year of this import": "脱贫年份晚于本次导入的年度 %(year)s",
    "the exit year is after this year (%(year)s)": "脱贫年份晚于今年（%(year)s）",
    "unknown region code": "未知的区划代码",
    "not a village: a region of level %(level)s": "不是村：该区划为第 %(level)s 级",
    "outside your assigned regions": "不在您负责的区域内",
    "a registry number is the village code followed by a 4-digit serial": "户编号应为村代码加 4 位序号",
    "not a household you may change: its village is outside your assigned regions": (
        "您不能修改此户：其所在村不在您负责的区域内"
    ),
    "no household with this number in your regions: import it in a households file first": (
        "您负责的区域内没有此户编号：请先在农户文件中导入该户"
    ),
    "this resident ID is already registered to another member": "此身份证号已登记给其他成员",
    "a resident ID has 18 characters: 17 digits and a digit or X": "身份证号为 18 位：17 位数字加 1 位数字或 X",
    "the birth date inside the ID (%(digits)s) is not a date": "身份证号中的出生日期（%(digits)s）不是有效日期",
    "the birth date inside the ID (%(date)s) is out of range": "身份证号中的出生日期（%(date)s）超出范围",
    "the check digit is wrong (ISO 7064 MOD 11-2): mistyped?": "校验码错误（ISO 7064 MOD 11-2）：是否录入有误？",
    "differs from the birth date inside the resident ID (%(date)s)": "与身份证号中的出生日期（%(date)s）不一致",
    "the same resident ID is also in row %(rows)s": "第 %(rows)s 行有相同的身份证号",
    # the whole file
    "refused: your account has reached today's limit of %(limit)s resident IDs reported as registered to other members, so no resident ID of this file was checked; try again tomorrow or ask an administrator": (
        "已拒绝：您的账户今天已达到“身份证号已登记给其他成员”提示的上限（%(limit)s 个），本文件的身份证号均未核验；"
        "请明天再试或联系管理员"
    ),
    "the file has a header but no data rows": "文件只有表头，没有数据行",
    "unknown column; see the template for the accepted headers": "无法识别的列；可用的列名见模板",
    "column %(field)s appears twice": "列 %(field)s 出现了两次",
    "required column is missing": "缺少必填列",
    "old Excel files (.xls) cannot be read; save the file as .xlsx or as CSV UTF-8": (
        "无法读取旧版 Excel 文件（.xls）；请另存为 .xlsx 或 CSV UTF-8"
    ),
    "cannot read a '%(suffix)s' file; upload a .csv or .xlsx file": "无法读取“%(suffix)s”文件；请上传 .csv 或 .xlsx 文件",
    "this file is an Excel workbook named .csv; upload it with the .xlsx extension": (
        "此文件是扩展名为 .csv 的 Excel 工作簿；请改为 .xlsx 扩展名后上传"
    ),
    "the CSV file cannot be read at line %(line)s: %(error)s": "CSV 文件第 %(line)s 行无法读取：%(error)s",
    # fill_zh.py compares the msgid as the .po file writes it: a double quote escaped
    'the header has %(width)s cells but %(rows)s: every row needs one cell per column (quote a number written with a comma, as in \\"1,000.5\\")': (
        '表头有 %(width)s 个单元格，但%(rows)s：每行每列须有一个单元格（带逗号的数字请加引号，如 "1,000.5"）'
    ),
    "row %(row)s has %(count)s": "第 %(row)s 行有 %(count)s 个",
    " (and %(more)s more rows)": "（另有 %(more)s 行）",
    'the CSV file is neither UTF-8 nor GB18030 text; save it as UTF-8 (in Excel: \\"CSV UTF-8 (Comma delimited)\\") or as GB18030/GBK and upload it again': (
        "CSV 文件既不是 UTF-8 也不是 GB18030 文本；请另存为 UTF-8（Excel 中选“CSV UTF-8（逗号分隔）”）"
        "或 GB18030/GBK 后重新上传"
    ),
    "the file cannot be opened as an Excel workbook (.xlsx); open it in Excel, save it as .xlsx and upload it again": (
        "无法作为 Excel 工作簿（.xlsx）打开此文件；请在 Excel 中打开，另存为 .xlsx 后重新上传"
    ),
    "the workbook has no worksheet": "工作簿中没有工作表",
    "the workbook has no sheet named '%(sheet)s'; its sheets are %(sheets)s": (
        "工作簿中没有名为“%(sheet)s”的工作表；现有工作表：%(sheets)s"
    ),
    "header row %(row)s has merged cells %(cells)s; unmerge them and give each column its own name": (
        "表头第 %(row)s 行有合并单元格 %(cells)s；请取消合并，并为每列单独命名"
    ),
    "the file has no header row": "文件没有表头行",
    "header row %(row)s has no name for column %(column)s, which holds data": (
        "表头第 %(row)s 行中有数据的列 %(column)s 没有列名"
    ),
    "header row %(row)s has no name for columns %(columns)s, which hold data": (
        "表头第 %(row)s 行中有数据的列 %(columns)s 没有列名"
    ),
    "header row %(row)s names '%(name)s' in more than one column (%(columns)s)": (
        "表头第 %(row)s 行中“%(name)s”用于多个列（%(columns)s）"
    ),
    "give each column its own name": "请为每列单独命名",
    "checking the file took more than %(minutes)s minutes; split the file": "检查文件超过 %(minutes)s 分钟；请拆分文件",
    "the uploaded file is no longer stored; upload it again": "上传的文件已不再保存；请重新上传",
    "the file could not be checked; upload it again or ask an administrator": "无法检查此文件；请重新上传或联系管理员",
    "the check of the file did not finish; upload it again": "文件检查未完成；请重新上传",
    # commit and undo
    "Import %(id)s cannot be undone: later data (members, surveys, status changes) refer to its rows; undo or delete those first.": (
        "导入 %(id)s 无法撤销：之后录入的数据（成员、调查、状态变更）引用了其中的行；请先撤销或删除这些数据。"
    ),
    "Import %(id)s is %(status)s: only a committed import can be undone.": (
        "导入 %(id)s 的状态为“%(status)s”：只有已提交的导入才能撤销。"
    ),
    "Import %(id)s cannot be undone: %(reason)s; undo the later changes first.": (
        "导入 %(id)s 无法撤销：%(reason)s；请先撤销之后的修改。"
    ),
    # the template's dictionary sheet
    "Chinese header": "中文列名",
    "English header": "英文列名",
    "type": "类型",
    "unit": "单位",
    "required": "必填",
    "rule": "规则",
    "accepted values": "可填的值",
    "codes": "代码",
    "identifier (text)": "编号（文本）",
    "text": "文本",
    "amount or decimal number": "金额或小数",
    "yes/no": "是/否",
    "whole number": "整数",
    "date": "日期",
    "one value of the list": "列表中的一个值",
    "one or more values of the list": "列表中的一个或多个值",
    "yuan/year": "元/年",
    "years": "岁",
    "months": "月",
    "share 0-1": "比例 0-1",
    "village code + 4-digit serial (text)": "村代码 + 4 位序号（文本）",
    "12-digit village code (text), or a leaf code of another scheme": "12 位村代码（文本），或其他区划体系的末级代码",
    "one or more, separated by ; or 、": "一个或多个，用 ; 或 、 分隔",
    "18 characters, check digit (GB 11643); text": "18 位，含校验码（GB 11643）；文本",
    "YYYY-MM-DD; must match the date inside the resident ID": "YYYY-MM-DD；须与身份证号中的出生日期一致",
    "yes/no (是/否, 1/0)": "是/否（是/否、1/0）",
    "gross minus production cost; may be negative": "总收入减生产成本；可为负数",
    "subsistence allowance, extreme-poverty support, assistance": "低保金、特困供养金、救助金",
    "pensions, ecological compensation, subsidies": "养老金、生态补偿、各类补贴",
    "transfers paid, tax adjustments": "转移性支出、税费调整",
    "> 0; 1 for a census": "> 0；普查填 1",
    "> 0; empty: per capita": "> 0；不填：按人均",
}

ZH_MESSAGES_PLURAL: dict[str, str] = {
    "%(count)s row rejected on commit; nothing was written": "提交时有 %(count)s 行被拒绝；未写入任何数据",
    "%(count)s row of %(table)s was changed after this import": "%(table)s中有 %(count)s 行在本次导入后被修改",
    "%(count)s updated row of %(table)s has no earlier history": "%(table)s中有 %(count)s 个更新的行没有更早的历史记录",
}
