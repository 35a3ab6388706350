"""zh-Hans of the fresh-eyes fixes of test 14 (read by ``fill_zh.py``): the way into the
early-warning inbox, a rejected import's page and workbook, the inbox's headers."""

ZH_FIXES14: dict[str, str] = {
    # the top bar's "Early warning" (预警) for a user with several regions, or none
    "The flagged households of which region?": "查看哪个地区的预警户？",
    "No region is assigned to you: the early-warning inbox lists the flagged households of your regions. An administrator assigns them.": (
        "没有分配给您的地区：预警列表列出您所负责地区的预警户。地区由管理员分配。"
    ),
    "No published scores flag a household yet.": "已发布的得分中尚无预警户。",
}
