"""GB/T 28181 device codes and GB/T 2260 civil codes: hand-written good and bad cases."""

from __future__ import annotations

import pytest

from bff.catalog.gbt28181 import (
    CODE_FLAGS,
    LOCAL_CIVIL_CODES,
    SHANWEI_COUNTIES,
    SYNC_FLAGS,
    check_civil_code,
    check_device_code,
    is_capture_type,
    is_valid_civil_code,
    network_digit_agrees,
    parse_device_code,
)
from bff.lib.i18n import MESSAGES
from bff.lib.vocabulary import civil_code_in_region, normalize_region_prefix


@pytest.mark.parametrize(
    "code",
    [
        "44150200001320000001",  # 城区, road-surface security, IPC, private network
        "44150000471327000001",  # city-level centre, catering, IPC, Internet
        "44158103051215000123",  # 陆丰市, traffic checkpoint (卡口), police network
        "44152300401310000009",  # 陆河县, forestry, analogue camera
        "34020000001320000001",  # the usual WVP example code (安徽)
        "44010600111328999999",  # 广州 district (shape only outside Shanwei), education
        "44157101001320000001",  # 红海湾: a local code, accepted by default
    ],
)
def test_conforming_codes_have_no_flags(code: str) -> None:
    assert check_device_code(code) == []


@pytest.mark.parametrize(
    ("code", "flags"),
    [
        ("4415020000132000001", ["length"]),
        ("441502000013200000011", ["length"]),
        ("", ["length", "non_digit"]),
        ("4415020000132000000A", ["non_digit"]),
        ("44150200001320000O01", ["non_digit"]),
        ("４４150200001320000001", ["non_digit", "province"]),  # full-width digits
        ("00150200001320000001", ["province"]),
        ("99150200001320000001", ["province"]),
        ("44990200001320000001", ["city"]),  # Guangdong has no prefecture 99
        ("44001500001320000001", ["district"]),  # below a zero city code nothing may follow
        ("44159900001320000001", ["district"]),  # Shanwei has no county 99
        ("44150200121320000001", ["industry"]),  # 12–39 reserved
        ("44150200601320000001", ["industry"]),  # 60–99 reserved
        ("44150200001000000001", ["type"]),  # nothing defined below 111
        ("44150200002000000001", ["not_camera"]),  # a signalling server, not a camera
        ("44150200001340000001", ["not_camera"]),  # alarm input device
        ("44150200001329000001", ["network"]),  # 9 is reserved
        ("44150200601009000001", ["industry", "type", "network"]),
    ],
)
def test_nonconforming_codes_are_flagged(code: str, flags: list[str]) -> None:
    assert check_device_code(code) == flags


def test_platform_codes_are_fine_when_not_a_camera() -> None:
    assert check_device_code("44150000002000000001", camera=False) == []
    assert check_device_code("44150000003000000001", camera=False) == []


def test_local_codes_are_configurable() -> None:
    code = "44157101001320000001"
    assert check_device_code(code, local_codes=()) == ["district"]
    assert check_device_code(code, local_codes={"441571": "红海湾"}) == []


def test_civil_mismatch_against_install_location() -> None:
    # A county code numbering a camera that stands in another county.
    assert check_device_code("44150200001320000001", civil_code="441581") == ["civil_mismatch"]
    # A city-level centre may number any camera of the city.
    assert check_device_code("44150000001320000001", civil_code="441581") == []
    assert check_device_code("44158100001320000001", civil_code="441581") == []
    # Broken centre codes are reported as such, not as a mismatch as well.
    assert check_device_code("00000000001320000001", civil_code="441581") == ["province"]


def test_every_flag_has_its_text() -> None:
    produced = set()
    for code in ("x", "00150200601009000001", "44159900001340000001", "44001500001320000001"):
        produced.update(check_device_code(code))
    produced.update(check_device_code("44150200001320000001", civil_code="441581"))
    produced.update(check_device_code("44990200001320000001"))
    # Every code flag is reachable, and every flag (code rules or catalogue sync) has its
    # text in the catalogue; the catalogue has no text for a flag nobody sets.
    assert produced == set(CODE_FLAGS)
    texts = {key.removeprefix("code_flag.") for key in MESSAGES if key.startswith("code_flag.")}
    assert texts == set(CODE_FLAGS) | set(SYNC_FLAGS)


def test_parse_device_code() -> None:
    parts = parse_device_code("44158103051215000123")
    assert parts is not None
    assert (parts.province, parts.city, parts.district, parts.grassroots) == (
        "44",
        "15",
        "81",
        "03",
    )
    assert (parts.industry, parts.type_code, parts.network, parts.serial) == (
        "05",
        "121",
        "5",
        "000123",
    )
    assert parts.civil_code == "441581"
    assert parts.province_name == "广东省"
    assert parts.city_name == "汕尾市"
    assert parts.district_name == "陆丰市"
    assert parts.industry_name == "交通卡口接入"
    assert parts.type_name == "视频卡口"
    assert parts.network_name == "公安信息网"
    assert parts.flags == ()


def test_parse_names_extension_types_and_flags() -> None:
    parts = parse_device_code("44150000001500000001")
    assert parts is not None
    assert parts.type_name == "扩展的前端外围设备"
    assert parts.district_name == "市本级"
    bad = parse_device_code("44150200601009000001")
    assert bad is not None
    assert bad.industry_name is None and bad.type_name is None and bad.network_name is None
    assert bad.flags == ("industry", "type", "network")
    local = parse_device_code("44157201001320000001")
    assert local is not None and local.district_name == LOCAL_CIVIL_CODES["441572"]
    assert parse_device_code("4415") is None


def test_capture_types() -> None:
    assert all(is_capture_type(t) for t in (111, 118, 121, 131, 132, 150))
    assert not any(is_capture_type(t) for t in (110, 114, 134, 200, 300, 400))


@pytest.mark.parametrize(
    "code", ["441502", "441521", "441523", "441581", "441500", "440000", "110101"]
)
def test_valid_civil_codes(code: str) -> None:
    assert check_civil_code(code) == []
    assert is_valid_civil_code(code)


@pytest.mark.parametrize(
    ("code", "flags"),
    [
        ("4415", ["length"]),
        ("44150A", ["non_digit"]),
        ("990000", ["province"]),
        ("449900", ["city"]),
        ("441599", ["district"]),
        ("440015", ["district"]),
    ],
)
def test_invalid_civil_codes(code: str, flags: list[str]) -> None:
    assert check_civil_code(code) == flags
    assert not is_valid_civil_code(code)


def test_local_civil_codes_are_not_gbt2260() -> None:
    assert not set(LOCAL_CIVIL_CODES) & set(SHANWEI_COUNTIES)
    assert is_valid_civil_code("441571")
    assert not is_valid_civil_code("441571", local_codes=())


def test_region_membership() -> None:
    assert civil_code_in_region("441581", "4415")
    assert civil_code_in_region("441581", "441500")  # zero-padded city code = the city
    assert civil_code_in_region("441581", "441581")
    assert civil_code_in_region("441581", "44")
    assert not civil_code_in_region("441502", "441581")
    assert not civil_code_in_region("441581", "4416")
    assert civil_code_in_region("441581", "")
    assert not civil_code_in_region("4415XX", "4415")  # malformed data fails closed
    assert civil_code_in_region("4415XX", "")


def test_normalize_region_prefix() -> None:
    assert normalize_region_prefix("441500") == "4415"
    assert normalize_region_prefix("440000") == "44"
    assert normalize_region_prefix("000000") == ""
    assert normalize_region_prefix(" 441581 ") == "441581"
    with pytest.raises(ValueError):
        normalize_region_prefix("44a")
    with pytest.raises(ValueError):
        normalize_region_prefix("4415810")


def test_network_digit_agreement() -> None:
    assert network_digit_agrees(1, "5")
    assert network_digit_agrees(2, "0") and network_digit_agrees(2, "4")
    assert network_digit_agrees(4, "7")
    assert network_digit_agrees(5, "6")
    assert not network_digit_agrees(4, "5")
    assert not network_digit_agrees(1, "7")
    assert not network_digit_agrees(42, "0")
