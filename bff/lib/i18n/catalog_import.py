"""Texts of the catalogue import (导入资源目录): the page and the per-row reasons."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "import.title": ("导入资源目录", "Import the camera catalogue"),
    "import.help": ("上传附录五格式的 CSV 或 XLSX 文件（中文表头）。规范的行直接导入，编码或位置有问题的行标记后导入，缺项或取值错误的行拒绝并说明原因。",
                    "Upload an appendix-5 CSV or XLSX file (Chinese headers). Conforming rows load, rows with code or position problems load flagged, broken rows are refused with the reason."),
    "import.file": ("目录文件", "Catalogue file"),
    "import.submit": ("校验并导入", "Validate and import"),
    "import.result": ("{filename}：导入 {imported} 行（其中需核查 {flagged} 行），拒绝 {refused} 行",
                      "{filename}: {imported} rows imported ({flagged} flagged), {refused} refused"),
    "import.line": ("行号", "Row"),
    "import.status": ("状态", "Status"),
    "import.reasons": ("原因", "Reasons"),
    "import.no_file": ("请选择要导入的文件", "Choose a file to import"),
    "import.bad_type": ("仅支持 CSV 或 XLSX 文件", "Only CSV or XLSX files are accepted"),
    "import.unreadable": ("文件无法读取，请检查格式与表头", "The file cannot be read; check its format and headers"),
    # How each row ended (`bff.catalog.importer.Status`).
    "import.row.ok": ("导入", "Imported"),
    "import.row.flagged": ("导入（需核查）", "Imported, to check"),
    "import.row.refused": ("拒绝", "Refused"),
    # Why a row was flagged or refused, keyed by `Reason.code`; `{value}` is the cell as found.
    "import.reason.in_field": ("{field}：{reason}", "{field}: {reason}"),
    "import.reason.missing": ("必填项为空", "required but empty"),
    "import.reason.enum": ("取值不在规定范围内（{value}）", "not an allowed value ({value})"),
    "import.reason.not_number": ("应填写数字（{value}）", "must be a number ({value})"),
    "import.reason.too_long": ("内容超过最大长度（最多{limit}个字符）",
                               "too long (at most {limit} characters)"),
    "import.reason.bad_format": ("格式不正确（{value}）", "wrong format ({value})"),
    "import.reason.out_of_range": ("数值超出有效范围（{value}）", "out of range ({value})"),
    "import.reason.duplicate": ("设备编码与第{line}行重复，本行未导入",
                                "the device code repeats row {line}; this row was not imported"),
    "import.reason.outside_area": ("经纬度不在该行政区划范围内（不在{area}范围内）",
                                   "the coordinates lie outside the civil code's area ({area})"),
    "import.reason.civil_code": ("行政区划代码无效（{value}）", "not a valid civil code ({value})"),
}
