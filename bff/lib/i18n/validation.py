"""Texts of rejected input: msgspec's reasons (`bff.lib.validation_text`) in the user's words."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "validation.in_field": ("字段 {field} {message}", "{field} {message}"),
    "validation.expected_type": ("应为{expected}，而不是{got}", "must be {expected}, not {got}"),
    "validation.bounded": ("应为{bound} {limit} 的{type}", "must be {type} {bound} {limit}"),
    "validation.length": ("长度应{bound} {limit}", "length must be {bound} {limit}"),
    "validation.pattern": ("格式不正确", "has the wrong format"),
    "validation.enum": ("不是可选的值：{value}", "is not one of the allowed values: {value}"),
    "validation.missing_field": ("缺少必填字段 {name}", "missing required field {name}"),
    "validation.unknown_field": ("不允许的字段 {name}", "unknown field {name}"),
    "validation.rfc3339": ("{type}格式无效（应为 RFC 3339，如 2026-11-25T08:00:00+08:00）",
                           "must be {type} in RFC 3339 form, e.g. 2026-11-25T08:00:00+08:00"),
    "validation.timezone": ("须带时区（如 2026-11-25T08:00:00+08:00）",
                            "needs a time zone, e.g. 2026-11-25T08:00:00+08:00"),
    "validation.base64": ("不是有效的 Base64 编码", "is not valid base64"),
    "validation.malformed_json": ("JSON 格式错误", "malformed JSON"),
    # Comparisons in msgspec's "Expected `int` <= 100".
    "validation.bound.>=": ("不小于", "at least"),
    "validation.bound.<=": ("不大于", "at most"),
    "validation.bound.>": ("大于", "greater than"),
    "validation.bound.<": ("小于", "less than"),
    # msgspec's type names.
    "validation.type.int": ("整数", "an integer"),
    "validation.type.float": ("数字", "a number"),
    "validation.type.decimal": ("数字", "a number"),
    "validation.type.str": ("字符串", "a string"),
    "validation.type.bool": ("布尔值", "true or false"),
    "validation.type.array": ("数组", "a list"),
    "validation.type.object": ("对象", "an object"),
    "validation.type.null": ("空值", "null"),
    "validation.type.bytes": ("字节串", "bytes"),
    "validation.type.datetime": ("日期时间", "a date and time"),
    "validation.type.date": ("日期", "a date"),
    "validation.type.time": ("时间", "a time"),
    "validation.type.uuid": ("UUID", "a UUID"),
}
