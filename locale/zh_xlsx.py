"""zh-Hans of the import limits and the background check of large uploads (read by ``fill_zh.py``)."""

ZH_XLSX: dict[str, str] = {
    # households/importing/reading.py: limits checked before and while a file is read
    "cell %(cell)s holds data, but this import reads at most %(limit)s columns (A to %(last)s); "
    "delete the columns to the right of the data and upload it again": (
        "单元格 %(cell)s 有数据，但本次导入最多读取 %(limit)s 列（A 至 %(last)s 列）；请删除数据右侧的列后重新上传"
    ),
    "sheet '%(sheet)s' declares cells up to column %(column)s (%(ref)s), but this import reads at most "
    "%(limit)s columns (A to %(last)s); delete the columns to the right of the data and upload it again": (
        "工作表“%(sheet)s”声明的单元格范围到 %(column)s 列（%(ref)s），但本次导入最多读取 %(limit)s 列"
        "（A 至 %(last)s 列）；请删除数据右侧的列后重新上传"
    ),
    "sheet '%(sheet)s' declares %(rows)s rows (%(ref)s), but an import file may have at most %(limit)s rows "
    "below its header; split the file, or delete the empty rows below the data": (
        "工作表“%(sheet)s”声明了 %(rows)s 行（%(ref)s），但导入文件表头以下最多 %(limit)s 行；"
        "请拆分文件，或删除数据下方的空行"
    ),
    "row %(row)s holds data, but an import file may have at most %(limit)s rows below its header "
    "(row %(header)s); split the file": (
        "第 %(row)s 行有数据，但导入文件表头（第 %(header)s 行）以下最多 %(limit)s 行；请拆分文件"
    ),
    "row %(row)s holds more than %(limit)s characters of text; the file is refused": (
        "第 %(row)s 行的文字超过 %(limit)s 个字符；文件被拒绝"
    ),
    "the workbook has %(count)s parts, more than the %(limit)s of an ordinary workbook; "
    "the file is refused: save it again from Excel": (
        "该工作簿含 %(count)s 个部件，超过普通工作簿的 %(limit)s 个；文件被拒绝：请用 Excel 重新保存"
    ),
    "the workbook part %(part)s unpacks %(ratio)s times (from %(packed)s to %(unpacked)s bytes), more than "
    "the %(limit)s times of an ordinary workbook; the file is refused: save it again from Excel": (
        "工作簿部件 %(part)s 解压后扩大 %(ratio)s 倍（从 %(packed)s 字节到 %(unpacked)s 字节），"
        "超过普通工作簿的 %(limit)s 倍；文件被拒绝：请用 Excel 重新保存"
    ),
    "the workbook unpacks %(ratio)s times its size (from %(packed)s to %(unpacked)s bytes), more than "
    "the %(limit)s times of an ordinary workbook; the file is refused: save it again from Excel": (
        "该工作簿解压后扩大为原大小的 %(ratio)s 倍（从 %(packed)s 字节到 %(unpacked)s 字节），"
        "超过普通工作簿的 %(limit)s 倍；文件被拒绝：请用 Excel 重新保存"
    ),
    "the workbook unpacks to %(unpacked)s bytes, more than the %(limit)s bytes an import may hold; split the file": (
        "该工作簿解压后为 %(unpacked)s 字节，超过一次导入允许的 %(limit)s 字节；请拆分文件"
    ),
    # households/importing/background.py: the check of a large upload in a task
    "checking the file took more than %(minutes)s minutes; split the file": "检查文件超过 %(minutes)s 分钟；请拆分文件",
    "the uploaded file is no longer stored; upload it again": "上传的文件已不再保存；请重新上传",
    "the file could not be checked; upload it again or ask an administrator": "无法检查该文件；请重新上传或联系管理员",
    "the check of the file did not finish; upload it again": "文件检查未能完成；请重新上传",
    # households/models.py: ImportBatch.Status.VALIDATING
    "being checked": "检查中",
    # templates/households/import_detail.html
    "%(done)s of %(total)s rows read": "已读取 %(done)s / %(total)s 行",
    "%(done)s rows read": "已读取 %(done)s 行",
    "The file is large: it is being checked in the background. This page follows the check and shows the "
    "report when it is done; you may leave it and come back.": (
        "文件较大，正在后台检查。本页会跟踪检查进度，完成后显示报告；您可以先离开，稍后再回来查看。"
    ),
}
