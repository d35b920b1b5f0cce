"""Import reasons are codes with parameters; their words come from the message catalogue."""

from __future__ import annotations

from bff.catalog.importer import Reason, validate_row


def test_a_reason_names_the_column_and_says_why_in_either_language() -> None:
    result = validate_row({"设备编码": "44150200001310000001", "摄像机类型*": "7"}, 2)
    by_key = {r.key: r for r in result.reasons}
    assert by_key["missing:name"].message == "设备名称：必填项为空"
    assert by_key["missing:name"].text("en") == "设备名称: required but empty"
    enum = by_key["enum:camera_type"]
    assert enum.params == {"value": "7"}
    assert enum.message == "摄像机类型：取值不在规定范围内（7）"
    assert enum.text("en") == "摄像机类型: not an allowed value (7)"


def test_a_repeated_device_code_names_the_first_row() -> None:
    seen = {"44150200001310000001": 2}
    result = validate_row({"设备编码": "44150200001310000001"}, 5, seen)
    duplicate = next(r for r in result.reasons if r.code == "duplicate")
    assert duplicate.message == "设备编码与第2行重复，本行未导入"
    assert duplicate.text("en") == "the device code repeats row 2; this row was not imported"


def test_code_flags_read_as_the_catalogue_words_for_the_flag() -> None:
    reason = Reason(code="code_industry", field="device_id", message_key="code_flag.industry")
    assert reason.message == "设备编码：行业编码不在表3范围内（应为00–11或40–59）"
    assert reason.text("en") == "设备编码: industry code is outside table 3 (00-11 or 40-59)"
