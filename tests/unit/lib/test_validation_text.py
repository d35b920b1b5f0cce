"""Rejected input is explained in the user's language, naming the field."""

from __future__ import annotations

import msgspec
import pytest

from bff.lib.validation_text import describe_validation_error


class Move(msgspec.Struct, forbid_unknown_fields=True):
    command: str
    speed: int = 50


def _msgspec_error(data: bytes, schema: type) -> str:
    with pytest.raises(msgspec.DecodeError) as caught:  # ValidationError is one too
        msgspec.json.decode(data, type=schema)
    return str(caught.value)


@pytest.mark.parametrize("raw, zh, en", [
    ("speed: Expected `int` <= 100", "字段 speed 应为不大于 100 的整数",
     "speed must be an integer at most 100"),
    ("speed: Expected `int` >= 1", "字段 speed 应为不小于 1 的整数",
     "speed must be an integer at least 1"),
    ("Expected `float` <= 90.0 - at `$.lat`", "字段 lat 应为不大于 90 的数字",
     "lat must be a number at most 90"),
    ("speed: Expected `int`, got `str`", "字段 speed 应为整数，而不是字符串",
     "speed must be an integer, not a string"),
    ("Expected `float`, got `str` - at `$.lat`", "字段 lat 应为数字，而不是字符串",
     "lat must be a number, not a string"),
    ("data: Expected `object`, got `array`", "应为对象，而不是数组",
     "must be an object, not a list"),
    ("command: Invalid enum value 'sideways'", "字段 command 不是可选的值：'sideways'",
     "command is not one of the allowed values: 'sideways'"),
    ("data: Object missing required field `command`", "缺少必填字段 command",
     "missing required field command"),
    ("Object contains unknown field `unknown`", "不允许的字段 unknown", "unknown field unknown"),
    ("Expected `str` matching regex '^[0-9]{2}$' - at `$.dept`", "字段 dept 格式不正确",
     "dept has the wrong format"),
    ("reason: Expected `str` of length <= 200", "字段 reason 长度应不大于 200",
     "reason length must be at most 200"),
    ("Invalid RFC3339 encoded datetime - at `$.start`",
     "字段 start 日期时间格式无效（应为 RFC 3339，如 2026-11-25T08:00:00+08:00）",
     "start must be a date and time in RFC 3339 form, e.g. 2026-11-25T08:00:00+08:00"),
    ("JSON is malformed: invalid character (byte 1)", "JSON 格式错误", "malformed JSON"),
])
def test_known_messages_are_translated(raw: str, zh: str, en: str) -> None:
    assert describe_validation_error(raw, "zh-CN") == zh
    assert describe_validation_error(raw, "en") == en


def test_real_msgspec_errors_come_out_in_chinese() -> None:
    for data in (b'{"command": "left", "speed": "fast"}', b'{"speed": 3}',
                 b'{"command": "left", "url": "x"}', b'["left"]', b"{not json"):
        text = describe_validation_error(_msgspec_error(data, Move), "zh-CN")
        assert "Expected" not in text and "Object" not in text and "JSON is" not in text, text


def test_an_unknown_shape_keeps_msgspec_words_and_the_field() -> None:
    assert describe_validation_error("x: Something new", "zh-CN") == "字段 x Something new"
    assert describe_validation_error("x: Something new", "en") == "x Something new"
    # A type name msgspec may add later is kept as it stands.
    assert describe_validation_error("x: Expected `int`, got `tensor`", "en") == (
        "x must be an integer, not tensor"
    )
