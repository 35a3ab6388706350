"""zh-Hans of the fresh-eyes fixes of test 14 (read by ``fill_zh.py``): the way into the
early-warning inbox, a rejected import's page and workbook, the inbox's headers."""

ZH_FIXES14: dict[str, str] = {
    # the top bar's "Early warning" (预警) for a user with several regions, or none
    "The flagged households of which region?": "查看哪个地区的预警户？",
    "No region is assigned to you: the early-warning inbox lists the flagged households of your regions. An administrator assigns them.": (
        "没有分配给您的地区：预警列表列出您所负责地区的预警户。地区由管理员分配。"
    ),
    "No published scores flag a household yet.": "已发布的得分中尚无预警户。",
    # a rejected batch: nothing was written; the workbook to fix holds every row
    "Nothing from this file was written: an import writes all its rows or none.": (
        "此文件未写入任何数据：导入要么写入全部行，要么一行也不写。"
    ),
    "Fix the rows with problems and upload the whole file again, with its good rows: the download below holds every row of the file, the problems marked beside the bad ones.": (
        "请改正有问题的行，然后重新上传整个文件（包括没有问题的行）：下方的下载包含文件的全部行，并在有问题的行旁标出问题。"
    ),
    "Download every row, the problems marked (XLSX)": "下载全部行（XLSX，标出问题）",
    "Preview: the first rows as read (nothing was written)": "预览：前几行的读取结果（未写入）",
    "no problem, not written": "无问题，未写入",
    "Resident IDs are masked in this workbook (the first and last four characters shown): type each one whole before you upload it again, or fix your own file instead.": (
        "本工作簿中的身份证号已遮蔽（只显示前四位和后四位）：重新上传前请逐个填写完整号码，或改为修改您自己的原文件。"
    ),
    "this resident ID is masked (as in the downloaded workbook): type it whole": (
        "此身份证号已遮蔽（与下载的工作簿中一样）：请填写完整号码"
    ),
    # the early-warning inbox: a ratio, not an amount (the Chinese said so already)
    "Income / monitoring line": "收入与监测线之比",
    "income / monitoring line": "收入与监测线之比",
    "Income / poverty line": "收入与贫困线之比",
    "risk (vulnerability, then income margin over the line)": "风险（先按脆弱性，再按收入与监测线之比）",
}

ZH_FIXES14_PLURAL: dict[str, str] = {
    "%(rejected)s row with problems, nothing written; without it %(new)s would be new, %(updated)s updated, %(unchanged)s unchanged": (
        "%(rejected)s 行有问题，未写入任何数据；没有这些行时，将新增 %(new)s 行、更新 %(updated)s 行、未变 %(unchanged)s 行"
    ),
}
