"""GB/T 28181 device codes and GB/T 2260 civil codes (plan appendix 5, table 1 and 3).

A device code (设备编码) is 20 decimal digits:

    centre code 8 = province 2 + city 2 + district 2 + grassroots unit 2 (中心编码)
    industry 2 (行业编码, table 3) + type 3 (类型编码) + network 1 (网络标识) + serial 6 (序号)

The plan lists non-conforming codes as a real problem of the city's catalogue (appendix 4:
402 police codes, most water-affairs codes), so this module *flags* what is wrong with a
code and never rejects it: the catalogue keeps every row and shows its flags.

Civil codes are checked against GB/T 2260 where this project knows the table: every
province, every prefecture of Guangdong, and every county of Shanwei. Elsewhere only the
shape is checked, because shipping the whole national table is not worth it for one city.
Shanwei's two functional areas (红海湾经济开发区, 华侨管理区) have no GB/T 2260 code; they
use the *local* codes in `LOCAL_CIVIL_CODES`, which callers may replace.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from types import MappingProxyType

import msgspec

from bff.lib.vocabulary import CIVIL_CODE_LENGTH, civil_code_in_region

CODE_LENGTH = 20

# GB/T 2260 province-level codes (省级).
PROVINCES: Mapping[str, str] = MappingProxyType(
    {
        "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
        "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
        "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省",
        "36": "江西省", "37": "山东省",
        "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省",
        "45": "广西壮族自治区", "46": "海南省",
        "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
        "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
        "65": "新疆维吾尔自治区",
        "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
    }
)  # fmt: skip

# GB/T 2260 prefectures of Guangdong (广东省地级市), keyed by their 4-digit prefix.
GUANGDONG_CITIES: Mapping[str, str] = MappingProxyType(
    {
        "4401": "广州市", "4402": "韶关市", "4403": "深圳市", "4404": "珠海市",
        "4405": "汕头市", "4406": "佛山市", "4407": "江门市", "4408": "湛江市",
        "4409": "茂名市", "4412": "肇庆市", "4413": "惠州市", "4414": "梅州市",
        "4415": "汕尾市", "4416": "河源市", "4417": "阳江市", "4418": "清远市",
        "4419": "东莞市", "4420": "中山市", "4451": "潮州市", "4452": "揭阳市",
        "4453": "云浮市",
    }
)  # fmt: skip

SHANWEI_PREFIX = "4415"
SHANWEI_CIVIL_CODE = "441500"

# GB/T 2260 county-level divisions of Shanwei (汕尾市辖区县).
SHANWEI_COUNTIES: Mapping[str, str] = MappingProxyType(
    {"441502": "城区", "441521": "海丰县", "441523": "陆河县", "441581": "陆丰市"}
)

# LOCAL codes, NOT GB/T 2260: the functional areas have no national code, so the city
# (and this project) numbers them in the unused 7x block of Shanwei. Replace them here if
# the platform uses other local codes; `check_*` accept a `local_codes` argument too.
LOCAL_CIVIL_CODES: Mapping[str, str] = MappingProxyType(
    {"441571": "红海湾经济开发区", "441572": "华侨管理区"}
)

# Table 3 (行业编码对照表); 12–39 and 60–99 are reserved and therefore invalid.
INDUSTRIES: Mapping[str, str] = MappingProxyType(
    {
        "00": "社会治安路面接入", "01": "社会治安社区接入", "02": "社会治安内部接入",
        "03": "社会治安其他接入", "04": "交通路面接入", "05": "交通卡口接入",
        "06": "交通内部接入", "07": "交通其他接入", "08": "城市管理接入",
        "09": "卫生环保接入", "10": "商检海关接入", "11": "教育部门接入",
        "40": "农、林、牧、渔业接入", "41": "采矿业接入", "42": "制造业接入",
        "43": "电力、热力、燃气及水生产和供应业接入", "44": "建筑业接入",
        "45": "批发和零售业接入", "46": "交通运输、仓储和邮政业接入",
        "47": "住宿和餐饮业接入", "48": "信息传输、软件和信息技术服务业接入",
        "49": "金融业接入", "50": "房地产业接入", "51": "租赁和商务服务业接入",
        "52": "科学研究和技术服务业接入", "53": "水利、环境和公共设施管理业接入",
        "54": "居民服务、修理和其他服务业接入", "55": "教育接入",
        "56": "卫生和社会工作接入", "57": "文化、体育和娱乐业接入",
        "58": "公共管理、社会保障和社会组织接入", "59": "国际组织",
    }
)  # fmt: skip

# Table 1, type codes the plan names individually.
TYPE_NAMES: Mapping[int, str] = MappingProxyType(
    {
        111: "DVR", 112: "视频服务器", 113: "编码器", 114: "解码器", 115: "视频切换矩阵",
        116: "音频切换矩阵", 117: "报警控制器", 118: "网络视频录像机（NVR）",
        120: "在线视频图像信息采集系统", 121: "视频卡口", 130: "混合硬盘录像机（HVR）",
        131: "摄像机", 132: "网络摄像机（IPC）", 133: "显示器", 134: "报警输入设备",
        135: "报警输出设备", 136: "语音输入设备", 137: "语音输出设备", 138: "移动传输设备",
        139: "其他外围设备",
        200: "中心信令控制服务器", 201: "Web应用服务器", 202: "媒体分发服务器",
        203: "代理服务器", 204: "安全服务器", 205: "报警服务器", 206: "数据库服务器",
        207: "GIS服务器", 208: "管理服务器", 209: "接入网关", 210: "媒体存储服务器",
        211: "信令安全路由网关", 215: "业务分组", 216: "虚拟组织",
        300: "中心用户", 400: "终端用户",
        500: "视频图像信息综合应用平台信令服务器", 501: "视频图像信息运维管理平台信令服务器",
        502: "视频图像分析系统", 503: "视频图像信息数据库", 505: "视频图像分析设备",
    }
)  # fmt: skip

# Type-code ranges of table 1, first match wins; below 111 nothing is defined.
_TYPE_RANGES: tuple[tuple[int, int, str], ...] = (
    (111, 130, "前端主设备"),
    (131, 199, "前端外围设备"),
    (200, 299, "平台设备"),
    (300, 399, "中心用户"),
    (400, 499, "终端用户"),
    (500, 599, "平台外接服务器"),
    (600, 999, "扩展类型"),
)

# Front-end types that do not capture pictures (decoders, matrices, alarm and audio
# devices, displays): a camera catalogue row carrying one of them is mis-typed.
_NON_CAPTURE_FRONT_END = frozenset({114, 115, 116, 117, 133, 134, 135, 136, 137, 139})

# Network identifier (digit 14).
NETWORK_DIGITS: Mapping[str, str] = MappingProxyType(
    {
        "0": "监控报警专网", "1": "监控报警专网", "2": "监控报警专网", "3": "监控报警专网",
        "4": "监控报警专网", "5": "公安信息网", "6": "政务网", "7": "Internet",
        "8": "社会资源接入网",
    }
)  # fmt: skip

# Which network digits agree with the catalogue's access-network field (接入网络, 1–9, 99).
# Private and traffic networks are monitoring private networks (0–4); enterprise, LAN and
# hotel networks reach the platform as social resources (8).
_PRIVATE = frozenset("01234")
NETWORK_DIGITS_FOR_ACCESS_NETWORK: Mapping[int, frozenset[str]] = MappingProxyType(
    {
        1: frozenset("5"),  # 公安信息网
        2: _PRIVATE,  # 视频专网
        3: _PRIVATE,  # 交管专网
        4: frozenset("7"),  # 互联网
        5: frozenset("6"),  # 政务网
        6: frozenset("8"),  # 企事业单位专网
        7: frozenset("8"),  # 私有局域网
        8: frozenset("8"),  # 旅业/娱乐场所专网
        9: _PRIVATE | frozenset("5"),  # 其他公安业务专网
        99: frozenset("012345678"),  # 其他
    }
)

CODE_FLAGS = ("length", "non_digit", "province", "city", "district", "civil_mismatch",
              "industry", "type", "not_camera", "network")
"""What `check_device_code` may find wrong, as codes; their texts are the message
catalogue's `code_flag.<flag>` (bff.lib.i18n)."""

CIVIL_FLAGS = ("length", "non_digit", "province", "city", "district")
SYNC_FLAGS = ("not_in_catalogue", "no_position")
"""Flags catalogue sync sets on cameras it had to add; kept with the code flags so the
camera page lists them, and replaced when a catalogue import covers the camera."""


class DeviceCodeParts(msgspec.Struct, frozen=True, kw_only=True):
    """The segments of a 20-character device code, with names for display.

    Names are None where the segment is not valid; `flags` says why.
    """

    code: str
    province: str
    city: str
    district: str
    grassroots: str
    industry: str
    type_code: str
    network: str
    serial: str
    civil_code: str
    """First six characters: the GB/T 2260 code of the monitoring centre."""
    province_name: str | None
    city_name: str | None
    district_name: str | None
    industry_name: str | None
    type_name: str | None
    network_name: str | None
    flags: tuple[str, ...]


def _is_digits(text: str) -> bool:
    # str.isdigit() accepts full-width and other Unicode digits; codes are ASCII only.
    return bool(text) and text.isascii() and text.isdigit()


def _civil_flags(six: str, local_codes: Collection[str]) -> list[str]:
    """Flags of the province/city/district parts of a six-character civil code."""
    flags: list[str] = []
    province, city, district = six[0:2], six[2:4], six[4:6]
    if not (_is_digits(province) and province in PROVINCES):
        flags.append("province")
        return flags  # a wrong province makes the lower parts meaningless
    if not _is_digits(city) or (
        province == "44" and city != "00" and six[:4] not in GUANGDONG_CITIES
    ):
        flags.append("city")
    padded_wrong = city == "00" and district != "00"  # lower levels must stay 0
    unknown_here = (
        six[:4] == SHANWEI_PREFIX and district != "00" and not _known_county(six, local_codes)
    )
    if not _is_digits(district) or padded_wrong or unknown_here:
        flags.append("district")
    return flags


def _known_county(six: str, local_codes: Collection[str]) -> bool:
    return six in SHANWEI_COUNTIES or six in local_codes


def type_class(type_code: int) -> str | None:
    """Name of the table-1 range a type code falls in (e.g. 前端外围设备), None if undefined."""
    for low, high, name in _TYPE_RANGES:
        if low <= type_code <= high:
            return name
    return None


def is_capture_type(type_code: int) -> bool:
    """True for front-end types that deliver pictures (DVR/NVR channels, 卡口, cameras)."""
    return 111 <= type_code <= 199 and type_code not in _NON_CAPTURE_FRONT_END


def check_device_code(
    code: str,
    *,
    camera: bool = True,
    civil_code: str | None = None,
    local_codes: Collection[str] = LOCAL_CIVIL_CODES,
) -> list[str]:
    """Return the rules a GB/T 28181 device code breaks; empty when it conforms.

    `camera` (default) also requires a picture-capturing front-end type; pass False for
    platform or user codes. `civil_code`, when given, is the install location's civil
    code: the code's centre must be that area or one containing it (a city-level centre
    may number county cameras). Flags are codes of `CODE_FLAGS`.
    """
    flags: list[str] = []
    if len(code) != CODE_LENGTH:
        flags.append("length")
    if not _is_digits(code):
        flags.append("non_digit")
    if len(code) != CODE_LENGTH:
        # Segment positions are meaningless once characters are missing or extra.
        return flags

    flags.extend(_civil_flags(code[:6], local_codes))
    # Grassroots digits 7–8 are numbered by each industry: only the shape is ours to check,
    # and a non-digit there is already reported as "non_digit".

    industry = code[8:10]
    if not (_is_digits(industry) and industry in INDUSTRIES):
        flags.append("industry")

    type_digits = code[10:13]
    if not _is_digits(type_digits) or type_class(int(type_digits)) is None:
        flags.append("type")
    elif camera and not is_capture_type(int(type_digits)):
        flags.append("not_camera")

    if code[13] not in NETWORK_DIGITS:
        flags.append("network")

    # The centre must be the install location or an area containing it (a city-level
    # centre may number county cameras); only checked when both codes are well formed.
    location = civil_code or ""
    comparable = len(location) == CIVIL_CODE_LENGTH and _is_digits(location)
    comparable = comparable and not any(f in flags for f in CIVIL_FLAGS)
    if comparable and not civil_code_in_region(location, code[:6]):
        flags.append("civil_mismatch")
    return flags


def parse_device_code(
    code: str, *, camera: bool = True, local_codes: Collection[str] = LOCAL_CIVIL_CODES
) -> DeviceCodeParts | None:
    """Split a device code into named segments for display; None unless it has 20 characters."""
    if len(code) != CODE_LENGTH:
        return None
    flags = tuple(check_device_code(code, camera=camera, local_codes=local_codes))
    six = code[:6]
    type_digits = code[10:13]
    type_name: str | None = None
    if "type" not in flags:
        number = int(type_digits)
        type_name = TYPE_NAMES.get(number) or f"扩展的{type_class(number)}"
    district_name: str | None = None
    if "district" not in flags and "province" not in flags:
        if code[4:6] == "00":
            district_name = "市本级" if code[2:4] != "00" else None
        else:
            district_name = SHANWEI_COUNTIES.get(six) or _local_name(six, local_codes)
    return DeviceCodeParts(
        code=code,
        province=code[0:2],
        city=code[2:4],
        district=code[4:6],
        grassroots=code[6:8],
        industry=code[8:10],
        type_code=type_digits,
        network=code[13],
        serial=code[14:20],
        civil_code=six,
        province_name=PROVINCES.get(code[0:2]),
        city_name=GUANGDONG_CITIES.get(code[0:4]) if "city" not in flags else None,
        district_name=district_name,
        industry_name=INDUSTRIES.get(code[8:10]),
        type_name=type_name,
        network_name=NETWORK_DIGITS.get(code[13]),
        flags=flags,
    )


def _local_name(six: str, local_codes: Collection[str]) -> str | None:
    if isinstance(local_codes, Mapping):
        return local_codes.get(six)
    return LOCAL_CIVIL_CODES.get(six) if six in local_codes else None


def network_digit_agrees(network: int, digit: str) -> bool:
    """True when a code's network digit fits the catalogue's access network (接入网络)."""
    return digit in NETWORK_DIGITS_FOR_ACCESS_NETWORK.get(network, frozenset())


def check_civil_code(code: str, *, local_codes: Collection[str] = LOCAL_CIVIL_CODES) -> list[str]:
    """Return the rules a six-digit civil code (行政区划) breaks; empty when valid."""
    flags: list[str] = []
    if len(code) != CIVIL_CODE_LENGTH:
        flags.append("length")
    if not _is_digits(code):
        flags.append("non_digit")
    if flags:
        return flags
    return _civil_flags(code, local_codes)


def is_valid_civil_code(code: str, *, local_codes: Collection[str] = LOCAL_CIVIL_CODES) -> bool:
    """True when `code` is a GB/T 2260 code (or one of the local codes) this module accepts."""
    return not check_civil_code(code, local_codes=local_codes)
