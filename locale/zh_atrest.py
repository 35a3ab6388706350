"""zh-Hans of the import batches at rest (issue 13, findings 5, 7, 8): kept files, purge, download
audit, commit conflicts (read by ``fill_zh.py``)."""

ZH_ATREST: dict[str, str] = {
    # households/models.py
    "file deleted": "文件删除时间",
    "uploaded file": "上传的文件",
    "rejected rows": "被拒绝的行",
    "import file download": "导入文件下载记录",
    "import file downloads": "导入文件下载记录",
    # households/importing/originals.py
    "The uploaded file of import %(id)s is no longer kept: upload it again.": (
        "导入 %(id)s 上传的文件已不再保存：请重新上传。"
    ),
    "The uploaded file of import %(id)s was deleted on %(date)s at the end of its retention period "
    "(%(days)s days): upload it again.": (
        "导入 %(id)s 上传的文件已于 %(date)s 保存期（%(days)s 天）届满时删除：请重新上传。"
    ),
    # households/importing/commit.py
    "Import %(id)s is %(status)s: only a validated import can be committed.": (
        "导入 %(id)s 的状态为“%(status)s”：只有已校验的导入才能提交。"
    ),
    # templates/households/import_detail.html, import_gone.html
    "The uploaded file was deleted on %(date)s at the end of its retention period; the report stays.": (
        "上传的文件已于 %(date)s 保存期届满时删除；校验报告仍保留。"
    ),
    "Downloads are recorded.": "每次下载都会被记录。",
    "The file is no longer kept": "文件已不再保存",
    "Back to the import's report": "返回该导入的报告",
}
