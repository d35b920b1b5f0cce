"""msgspec's validation errors in the user's language.

msgspec explains a rejected value in English ("Expected `int` <= 100 - at `$.speed`");
Litestar passes that text on with the field's name. Field workers read Chinese, so the
known shapes of those messages are rewritten per locale; an unknown shape keeps
msgspec's words (still naming the field) rather than hiding what was wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bff.lib.i18n import Locale

_TYPE_NAMES: dict[str, tuple[str, str]] = {
    "int": ("整数", "an integer"),
    "float": ("数字", "a number"),
    "decimal": ("数字", "a number"),
    "str": ("字符串", "a string"),
    "bool": ("布尔值", "true or false"),
    "array": ("数组", "a list"),
    "object": ("对象", "an object"),
    "null": ("空值", "null"),
    "bytes": ("字节串", "bytes"),
    "datetime": ("日期时间", "a date and time"),
    "date": ("日期", "a date"),
    "time": ("时间", "a time"),
    "uuid": ("UUID", "a UUID"),
}
_BOUNDS: dict[str, tuple[str, str]] = {
    ">=": ("不小于", "at least"),
    "<=": ("不大于", "at most"),
    ">": ("大于", "greater than"),
    "<": ("小于", "less than"),
}
_LOCATED = re.compile(r"^(?P<message>.*?) - at `\$(?P<path>[^`]*)`$", re.S)
_KEYED = re.compile(r"^(?P<key>[\w.\[\]$]+): (?P<message>.+)$", re.S)


def _type(name: str, zh: bool) -> str:
    names = _TYPE_NAMES.get(name)
    if names is None:
        return name
    return names[0] if zh else names[1]


def _bound(op: str, zh: bool) -> str:
    return _BOUNDS[op][0 if zh else 1]


def _clean_number(text: str) -> str:
    return text[:-2] if text.endswith(".0") else text


_Rule = tuple[re.Pattern[str], Callable[[re.Match[str], bool], str]]
_RULES: list[_Rule] = [
    (re.compile(r"^Expected `(\w+)`, got `(\w+)`$"),
     lambda m, zh: (f"应为{_type(m[1], zh)}，而不是{_type(m[2], zh)}" if zh
                    else f"must be {_type(m[1], zh)}, not {_type(m[2], zh)}")),
    (re.compile(r"^Expected `(\w+)` (>=|<=|>|<) (\S+)$"),
     lambda m, zh: (f"应为{_bound(m[2], zh)} {_clean_number(m[3])} 的{_type(m[1], zh)}" if zh
                    else f"must be {_bound(m[2], zh)} {_clean_number(m[3])}")),
    (re.compile(r"^Expected `(\w+)` of length (>=|<=) (\d+)$"),
     lambda m, zh: (f"长度应{_bound(m[2], zh)} {m[3]}" if zh
                    else f"length must be {_bound(m[2], zh)} {m[3]}")),
    (re.compile(r"^Expected `str` matching regex .*$"),
     lambda m, zh: "格式不正确" if zh else "has the wrong format"),
    (re.compile(r"^Invalid enum value (.+)$"),
     lambda m, zh: f"不是可选的值：{m[1]}" if zh else f"is not one of the allowed values: {m[1]}"),
    (re.compile(r"^Object missing required field `([^`]+)`$"),
     lambda m, zh: f"缺少必填字段 {m[1]}" if zh else f"missing required field {m[1]}"),
    (re.compile(r"^Object contains unknown field `([^`]+)`$"),
     lambda m, zh: f"不允许的字段 {m[1]}" if zh else f"unknown field {m[1]}"),
    (re.compile(r"^Invalid RFC3339 encoded (\w+)$"),
     lambda m, zh: (f"{_type(m[1], zh)}格式无效（应为 RFC 3339，如 2026-11-25T08:00:00+08:00）"
                    if zh else f"must be {_type(m[1], zh)} in RFC 3339 form, "
                               "e.g. 2026-11-25T08:00:00+08:00")),
    (re.compile(r"^(JSON is malformed|Input data was truncated).*$"),
     lambda m, zh: "JSON 格式错误" if zh else "malformed JSON"),
]


def describe_validation_error(raw: str, locale: Locale) -> str:
    """`raw` ("field: msgspec message" or "message - at `$.path`") in `locale`."""
    zh = locale == "zh-CN"
    field, message = "", raw.strip()
    located = _LOCATED.match(message)
    if located:
        field, message = located["path"].lstrip("."), located["message"]
    else:
        keyed = _KEYED.match(message)
        if keyed:
            field, message = keyed["key"], keyed["message"]
            located = _LOCATED.match(message)  # Litestar may keep msgspec's location too
            if located:
                message = located["message"]
                field = located["path"].lstrip(".") or field
    if field in {"data", "body", "$"}:
        field = ""  # the body as a whole
    for pattern, render in _RULES:
        matched = pattern.match(message)
        if matched:
            message = render(matched, zh)
            break
    if not field:
        return message
    return f"字段 {field} {message}" if zh else f"{field} {message}"
