"""A realistic, deterministic camera catalogue of Shanwei for the embedded demo platform.

Figures come from the city's plan (SPEC §4.4): 19,639 connected cameras, split by
district 城区 2,882 · 海丰县 5,508 · 陆丰市 9,285 · 陆河县 1,666 · 红海湾 249 · 华侨区 49 and
by point class 一类 7,678 · 二类 994 · 三类 10,967. Other sizes scale those splits with
the largest-remainder method, so totals are always exact.

Cameras are generated site by site (a junction with four cameras, a school kitchen with
three) around real towns and streets, mountains and coast, with owners, units, networks
and sharing attributes that fit their purpose. About 1 % of device codes are deliberately
non-conforming, as in the real catalogue (plan appendix 4); they are flagged, not dropped.

Town coordinates are approximate (a few hundred metres), good enough for "near me".
"""

from __future__ import annotations

import math
import random
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeVar

import msgspec

from bff.auth.departments import DEPARTMENTS
from bff.catalog.gbt28181 import (
    LOCAL_CIVIL_CODES,
    NETWORK_DIGITS_FOR_ACCESS_NETWORK,
    SHANWEI_CIVIL_CODE,
    check_device_code,
)
from bff.catalog.schemas import CameraRecord

DEFAULT_SEED = 2026
CONNECTED_TOTAL = 19_639
NONCONFORMING_RATE = 0.01

# LOCAL civil codes, not GB/T 2260: the two functional areas have no national code (see
# `bff.catalog.gbt28181.LOCAL_CIVIL_CODES`, which the code checker accepts by default).
HONGHAIWAN_CIVIL_CODE = "441571"
HUAQIAO_CIVIL_CODE = "441572"
assert HONGHAIWAN_CIVIL_CODE in LOCAL_CIVIL_CODES and HUAQIAO_CIVIL_CODE in LOCAL_CIVIL_CODES


class District(msgspec.Struct, frozen=True, kw_only=True):
    """A county-level area of Shanwei as the UI's region filter shows it."""

    key: str
    name: str
    """Short name used in camera names (城区, 海丰县 …)."""
    full_name: str
    civil_code: str
    local_code: bool
    """True when `civil_code` is a local code, not GB/T 2260 (红海湾, 华侨区)."""
    centre: tuple[float, float]
    """(longitude, latitude) of the seat, WGS84."""
    bbox: tuple[float, float, float, float]
    """(min_lon, min_lat, max_lon, max_lat): every demo camera of the area lies inside."""
    connected: int
    """Cameras connected to the city platform (plan §1.2)."""
    org_prefix: str
    """Prefix of the area's government bodies (陆丰市 + 市场监督管理局)."""
    police: str
    """The area's public security bureau."""


DISTRICTS: tuple[District, ...] = (
    District(
        key="chengqu", name="城区", full_name="汕尾市城区", civil_code="441502",
        local_code=False, centre=(115.372, 22.787), bbox=(115.20, 22.68, 115.50, 22.88),
        connected=2_882, org_prefix="汕尾市城区", police="汕尾市公安局城区分局",
    ),
    District(
        key="haifeng", name="海丰县", full_name="汕尾市海丰县", civil_code="441521",
        local_code=False, centre=(115.323, 22.967), bbox=(115.00, 22.78, 115.52, 23.32),
        connected=5_508, org_prefix="海丰县", police="海丰县公安局",
    ),
    District(
        key="lufeng", name="陆丰市", full_name="汕尾市陆丰市", civil_code="441581",
        local_code=False, centre=(115.650, 22.945), bbox=(115.48, 22.74, 116.15, 23.22),
        connected=9_285, org_prefix="陆丰市", police="陆丰市公安局",
    ),
    District(
        key="luhe", name="陆河县", full_name="汕尾市陆河县", civil_code="441523",
        local_code=False, centre=(115.655, 23.300), bbox=(115.45, 23.12, 115.92, 23.50),
        connected=1_666, org_prefix="陆河县", police="陆河县公安局",
    ),
    District(
        key="honghaiwan", name="红海湾", full_name="汕尾市红海湾经济开发区",
        civil_code=HONGHAIWAN_CIVIL_CODE, local_code=True, centre=(115.553, 22.722),
        bbox=(115.47, 22.62, 115.62, 22.76), connected=249,
        org_prefix="汕尾市红海湾经济开发区", police="汕尾市公安局红海湾经济开发区分局",
    ),
    District(
        key="huaqiao", name="华侨区", full_name="汕尾市华侨管理区",
        civil_code=HUAQIAO_CIVIL_CODE, local_code=True, centre=(115.450, 22.930),
        bbox=(115.40, 22.88, 115.50, 22.98), connected=49,
        org_prefix="汕尾市华侨管理区", police="汕尾市公安局华侨管理区分局",
    ),
)  # fmt: skip

DISTRICTS_BY_CODE: Mapping[str, District] = MappingProxyType({d.civil_code: d for d in DISTRICTS})
CLASS_COUNTS: Mapping[int, int] = MappingProxyType({1: 7_678, 2: 994, 3: 10_967})
CLASS_NAMES: Mapping[int, str] = MappingProxyType({1: "一类", 2: "二类", 3: "三类", 9: "其他"})

# Demo dictionary of camera position types (摄像机位置类型) in the A0101 style of the
# province's 摄像机采集区域字典表; the official table is not in the plan.
POSITION_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "A0101": "道路交叉口", "A0102": "道路沿线", "A0103": "治安卡口/交通卡口",
        "A0104": "隧道桥梁涵洞", "A0201": "广场公园", "A0202": "车站码头",
        "A0203": "商业街区/市场", "A0204": "旅游景区", "A0205": "海岸线",
        "B0101": "校园出入口", "B0102": "校园内部", "B0103": "学校食堂后厨",
        "B0201": "医院出入口", "B0202": "医院内部", "B0301": "政务服务场所",
        "C0101": "村居出入口", "C0102": "住宅小区", "C0201": "企业厂区", "C0202": "冷库",
        "C0203": "危化品场所", "C0204": "建筑工地", "C0205": "商场超市",
        "C0206": "餐饮场所", "C0207": "旅业/娱乐场所",
        "D0101": "林区山地", "D0102": "水库山塘", "D0103": "河道", "D0104": "易涝点",
        "E0101": "公安办案区", "E0102": "公安机关出入口",
    }
)  # fmt: skip

DEPARTMENT_NAMES: Mapping[str, str] = MappingProxyType(DEPARTMENTS)

CAMERA_TYPE_NAMES: Mapping[int, str] = MappingProxyType(
    {1: "可控球机", 2: "固定球机", 3: "固定枪机", 4: "云台枪机", 5: "卡口枪机", 99: "其他"}
)


def district_of(civil_code: str) -> District | None:
    """The district a civil code belongs to (exact code or a code inside it), else None."""
    district = DISTRICTS_BY_CODE.get(civil_code)
    if district is not None:
        return district
    for candidate in DISTRICTS:
        if civil_code.startswith(candidate.civil_code):
            return candidate
    return None


K = TypeVar("K")


def scaled_counts(counts: Mapping[K, int], total: int) -> dict[K, int]:
    """Scale `counts` to sum to `total` by the largest-remainder method.

    Ties in the remainders go to the key listed first, so the result is deterministic.
    """
    if total < 0:
        raise ValueError("total must be non-negative")
    base = sum(counts.values())
    if base <= 0:
        raise ValueError("counts must have a positive sum")
    exact = {k: v * total / base for k, v in counts.items()}
    result = {k: math.floor(x) for k, x in exact.items()}
    left = total - sum(result.values())
    keys = list(counts)
    by_remainder = sorted(keys, key=lambda k: (-(exact[k] - result[k]), keys.index(k)))
    for k in by_remainder[:left]:
        result[k] += 1
    return result


def _contingency(rows: Mapping[str, int], cols: Mapping[int, int]) -> dict[tuple[str, int], int]:
    """Integer table with exactly these row and column sums, close to proportional."""
    total = sum(rows.values())
    table: dict[tuple[str, int], int] = {}
    fraction: dict[tuple[str, int], float] = {}
    for r, rn in rows.items():
        for c, cn in cols.items():
            exact = rn * cn / total if total else 0.0
            table[r, c] = math.floor(exact)
            fraction[r, c] = exact - table[r, c]
    row_left = {r: rn - sum(table[r, c] for c in cols) for r, rn in rows.items()}
    col_left = {c: cn - sum(table[r, c] for r in rows) for c, cn in cols.items()}
    # Largest remainders first; any cell whose row and column still lack units will do
    # after that, and one always exists because both deficits sum to the same number.
    for cell in sorted(table, key=lambda rc: -fraction[rc]):
        r, c = cell
        if row_left[r] > 0 and col_left[c] > 0:
            table[cell] += 1
            row_left[r] -= 1
            col_left[c] -= 1
    for r in rows:
        for c in cols:
            add = min(row_left[r], col_left[c])
            if add > 0:
                table[r, c] += add
                row_left[r] -= add
                col_left[c] -= add
    return table


# --- geography ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Town:
    name: str
    lon: float
    lat: float
    weight: float
    seat: bool = False

    @property
    def street(self) -> bool:
        return self.name.endswith("街道") or self.name.endswith("社区")

    @property
    def short(self) -> str:
        for suffix in ("街道", "社区", "镇"):
            if self.name.endswith(suffix):
                return self.name[: -len(suffix)]
        return self.name


@dataclass(frozen=True, slots=True)
class _Anchor:
    name: str
    town: str
    lon: float
    lat: float


_TOWNS: Mapping[str, tuple[_Town, ...]] = MappingProxyType(
    {
        "chengqu": (
            _Town("香洲街道", 115.372, 22.787, 10, True),
            _Town("凤山街道", 115.383, 22.776, 8, True),
            _Town("新港街道", 115.350, 22.773, 7, True),
            _Town("马宫街道", 115.262, 22.815, 3),
            _Town("红草镇", 115.318, 22.838, 3),
            _Town("东涌镇", 115.430, 22.793, 3),
            _Town("捷胜镇", 115.470, 22.715, 2.5),
        ),
        "honghaiwan": (
            _Town("田墘街道", 115.553, 22.722, 5, True),
            _Town("遮浪街道", 115.570, 22.668, 3),
            _Town("东洲街道", 115.515, 22.708, 2),
        ),
        "haifeng": (
            _Town("海城镇", 115.323, 22.967, 12, True),
            _Town("附城镇", 115.335, 22.945, 6, True),
            _Town("城东镇", 115.365, 22.975, 5, True),
            _Town("梅陇镇", 115.135, 22.880, 5),
            _Town("公平镇", 115.268, 23.095, 4),
            _Town("可塘镇", 115.445, 22.995, 4),
            _Town("联安镇", 115.250, 22.920, 3),
            _Town("陶河镇", 115.290, 23.040, 2.5),
            _Town("赤坑镇", 115.420, 23.040, 2.5),
            _Town("大湖镇", 115.370, 23.020, 2),
            _Town("平东镇", 115.170, 23.150, 1.5),
            _Town("黄羌镇", 115.310, 23.240, 1.5),
        ),
        "lufeng": (
            _Town("东海街道", 115.650, 22.945, 14, True),
            _Town("城东街道", 115.675, 22.955, 6, True),
            _Town("河西街道", 115.625, 22.935, 5, True),
            _Town("碣石镇", 115.830, 22.825, 9),
            _Town("甲子镇", 116.070, 22.835, 8),
            _Town("南塘镇", 115.730, 22.900, 4),
            _Town("博美镇", 115.775, 22.960, 5),
            _Town("桥冲镇", 115.920, 22.890, 3),
            _Town("甲东镇", 116.000, 22.805, 3),
            _Town("甲西镇", 115.960, 22.860, 3),
            _Town("上英镇", 115.880, 22.950, 2.5),
            _Town("内湖镇", 115.960, 23.010, 3),
            _Town("大安镇", 115.600, 23.000, 3),
            _Town("西南镇", 115.560, 22.960, 2.5),
            _Town("河东镇", 115.690, 23.030, 2.5),
            _Town("金厢镇", 115.660, 22.810, 2.5),
            _Town("潭西镇", 115.570, 22.880, 2),
            _Town("湖东镇", 115.790, 22.775, 2.5),
            _Town("八万镇", 115.620, 23.150, 1.5),
            _Town("陂洋镇", 115.770, 23.100, 1.5),
        ),
        "luhe": (
            _Town("河田镇", 115.655, 23.300, 10, True),
            _Town("水唇镇", 115.575, 23.280, 4),
            _Town("螺溪镇", 115.635, 23.400, 2.5),
            _Town("东坑镇", 115.730, 23.330, 2.5),
            _Town("新田镇", 115.620, 23.180, 3),
            _Town("上护镇", 115.830, 23.340, 2),
            _Town("河口镇", 115.560, 23.200, 2.5),
            _Town("南万镇", 115.520, 23.370, 1.5),
        ),
        "huaqiao": (
            _Town("侨城社区", 115.450, 22.930, 3, True),
            _Town("侨兴社区", 115.440, 22.920, 2),
            _Town("侨光社区", 115.462, 22.940, 1.5),
        ),
    }
)  # fmt: skip

_MOUNTAINS: Mapping[str, tuple[_Anchor, ...]] = MappingProxyType(
    {
        "chengqu": (
            _Anchor("红草后山", "红草镇", 115.305, 22.850),
            _Anchor("东涌山林", "东涌镇", 115.445, 22.810),
        ),
        "honghaiwan": (_Anchor("遮浪山", "遮浪街道", 115.572, 22.675),),
        "haifeng": (
            _Anchor("莲花山", "黄羌镇", 115.300, 23.230),
            _Anchor("羊蹄岭", "平东镇", 115.160, 23.170),
            _Anchor("公平山林", "公平镇", 115.250, 23.120),
            _Anchor("赤坑山林", "赤坑镇", 115.460, 23.060),
            _Anchor("梅陇山林", "梅陇镇", 115.110, 22.930),
        ),
        "lufeng": (
            _Anchor("八万山林", "八万镇", 115.620, 23.170),
            _Anchor("陂洋山林", "陂洋镇", 115.780, 23.120),
            _Anchor("内湖山林", "内湖镇", 115.970, 23.050),
            _Anchor("大安山林", "大安镇", 115.580, 23.030),
            _Anchor("玄武山", "碣石镇", 115.835, 22.835),
        ),
        "luhe": (
            _Anchor("火山嶂", "上护镇", 115.800, 23.380),
            _Anchor("螺溪山林", "螺溪镇", 115.620, 23.420),
            _Anchor("南万山林", "南万镇", 115.520, 23.390),
            _Anchor("东坑山林", "东坑镇", 115.750, 23.300),
            _Anchor("新田山林", "新田镇", 115.600, 23.170),
        ),
        "huaqiao": (),
    }
)  # fmt: skip

_COAST: Mapping[str, tuple[_Anchor, ...]] = MappingProxyType(
    {
        "chengqu": (
            _Anchor("品清湖", "香洲街道", 115.385, 22.765),
            _Anchor("马宫渔港", "马宫街道", 115.258, 22.805),
            _Anchor("捷胜沙坑", "捷胜镇", 115.478, 22.705),
            _Anchor("汕尾港", "新港街道", 115.345, 22.765),
        ),
        "honghaiwan": (
            _Anchor("遮浪半岛", "遮浪街道", 115.572, 22.655),
            _Anchor("田墘海岸", "田墘街道", 115.550, 22.705),
            _Anchor("东洲海岸", "东洲街道", 115.510, 22.695),
        ),
        "haifeng": (
            _Anchor("长沙湾", "梅陇镇", 115.100, 22.840),
            _Anchor("梅陇海岸", "梅陇镇", 115.150, 22.830),
        ),
        "lufeng": (
            _Anchor("金厢滩", "金厢镇", 115.665, 22.795),
            _Anchor("碣石湾", "碣石镇", 115.815, 22.800),
            _Anchor("湖东渔港", "湖东镇", 115.795, 22.765),
            _Anchor("甲子港", "甲子镇", 116.075, 22.820),
            _Anchor("乌坎港", "东海街道", 115.620, 22.880),
            _Anchor("甲东海岸", "甲东镇", 116.020, 22.790),
        ),
        "luhe": (),
        "huaqiao": (),
    }
)  # fmt: skip

_RIVERS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "chengqu": ("品清湖", "东溪"), "honghaiwan": ("田墘河",),
        "haifeng": ("黄江", "丽江", "大液河"), "lufeng": ("螺河", "乌坎河", "碣石溪"),
        "luhe": ("螺河", "螺溪河", "吉溪河"), "huaqiao": ("侨城河",),
    }
)  # fmt: skip

# Real towns named in the plan (appendix 3) keep their real village names.
_KNOWN_VILLAGES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "博美镇": ("图美村", "溪墘村"),
        "甲东镇": ("后洪村",),
        "甲西镇": ("康美村",),
        "河田镇": ("岳溪村",),
    }
)

_SEAT_ROADS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "chengqu": (
            "二马路", "通港路", "汕尾大道", "香洲路", "红海大道", "海滨大道", "通航路", "新港路",
            "园林路", "工业大道", "凤山路", "品清路", "东堤路", "金湖路", "香城路", "信利路",
        ),
        "haifeng": (
            "红城大道", "二环路", "三环路", "海丽大道", "人民路", "新园路", "龙津路", "南门路",
            "城东大道", "红宫路", "东门路", "工业大道",
        ),
        "lufeng": (
            "东海大道", "人民路", "龙山路", "金碣路", "新河路", "东河路", "西河路", "红旗路",
            "交通路", "迎宾大道", "朝阳路", "和平路",
        ),
        "luhe": ("人民路", "朝阳路", "新河路", "河田大道", "螺河路", "环城路", "滨河路", "吉康路"),
        "honghaiwan": ("红海湾大道", "田墘路", "遮浪路", "滨海路", "东洲路"),
        "huaqiao": ("侨兴大道", "侨城路", "华侨路", "工业路"),
    }
)  # fmt: skip

_GENERIC_ROADS = (
    "人民路", "中山路", "解放路", "新华路", "建设路", "环城路", "府前路", "朝阳路", "和平路",
    "东风路", "文化路", "青年路", "振兴路", "沿海路", "工业路", "商业街", "市场路", "新兴路",
)  # fmt: skip
_NAME_CHARS = "华盛金海兴顺丰利鸿德安泰恒嘉宏信福祥东新美龙汇源昌荣裕隆永富宝乐康达"
_VILLAGE_FIRST = "东西南北上下新大后前石林陈黄乌长白青田湖溪"
_VILLAGE_LAST = (
    "厝",
    "寮",
    "围",
    "坑",
    "湖",
    "塘",
    "田",
    "埔",
    "溪",
    "洋",
    "寨",
    "墩",
    "美",
    "坎",
    "坡",
    "岭",
)

# --- organisations ------------------------------------------------------------------------

_TELECOM = "中国电信股份有限公司汕尾分公司"
_MOBILE = "中国移动通信集团广东有限公司汕尾分公司"
_UNICOM = "中国联合网络通信有限公司汕尾市分公司"
_HIK = "杭州海康威视数字技术股份有限公司"
_DAHUA = "浙江大华技术股份有限公司"
_PCI = "佳都科技集团股份有限公司"
_GOSUN = "高新兴科技集团股份有限公司"
_LOCAL_INTEGRATORS = (
    "汕尾市鸿泰智能科技有限公司",
    "汕尾市信达安防工程有限公司",
    "广东粤安信息技术有限公司",
)
_VENDOR_SHORT = {1: "海康威视", 2: "大华", 9: "宇视", 16: "华为", 17: "高新兴", 15: "佳都科技"}

# Vendor OUIs for MAC addresses; vendors not listed get a locally administered prefix.
_OUI = {
    1: ("44:19:b6", "c0:56:e3", "bc:ad:28"),
    2: ("3c:ef:8c", "e0:50:8b", "90:02:a9"),
    16: ("00:e0:fc",),
}


def _platform_code(centre8: str, industry: str, network_digit: str, serial: int) -> str:
    return f"{centre8}{industry}200{network_digit}{serial:06d}"


# Platforms cameras attach to (平台编码), after plan appendix 4. Keys used by the kinds.
PLATFORMS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "police_city": (_platform_code("44150000", "00", "0", 1), "汕尾市公安局视频云平台"),
        "kitchen": (
            _platform_code("44150000", "47", "7", 1),
            "汕尾市学校食堂互联网+“明厨亮灶”平台",
        ),
        "coldstore": (_platform_code("44150000", "47", "8", 2), "天翼看家冷库监管平台"),
        "forest": (_platform_code("44150000", "40", "6", 1), "汕尾市林火远程视频监控系统"),
        "water": (_platform_code("44150000", "53", "6", 1), "汕尾市河长制视频监测系统"),
        "share": (_platform_code("44150000", "58", "6", 1), "汕尾市市级视频图像共享交换平台"),
    }
)


def _county_platform(district: District, industry: str, digit: str) -> str:
    # County police video clouds and village (平安乡村) platforms are numbered by county.
    return _platform_code(district.civil_code + "00", industry, digit, 1)


def _phone(unit: str, mobile: bool = False) -> str:
    # crc32, not hash(): Python salts str hashes per process, and the catalogue must not move.
    digits = zlib.crc32(unit.encode()) % 10_000_000
    if mobile:
        return f"13{digits % 10}{digits // 10:08d}"
    return f"0660-{3_000_000 + digits % 7_000_000:07d}"


# --- kinds of sites -----------------------------------------------------------------------

W = tuple[tuple[int, float], ...]


@dataclass(frozen=True, slots=True)
class _Cam:
    suffix: str
    camera_type: int | None = None
    direction: int | None = None


@dataclass(frozen=True, slots=True)
class _Kind:
    key: str
    dept: tuple[tuple[str, float], ...]
    industry: str
    placement: str  # seat | urban | rural | mountain | coast
    site_size: tuple[int, int]
    camera_types: W
    position_types: tuple[str, ...]
    networks: W
    share: W
    retention: W
    indoor: bool
    namer: Callable[[_Gen, District, _Town, _Anchor | None, int], tuple[str, str, list[_Cam]]]
    platform: str
    city_coded: float = 0.0  # share of codes numbered by the city centre (441500) instead
    ptz_perms: bool = True


def _w(rng: random.Random, weights: Sequence[tuple[object, float]]):  # type: ignore[no-untyped-def]
    values = [v for v, _ in weights]
    return rng.choices(values, weights=[x for _, x in weights])[0]


class _Gen:
    """State of one generation run: the random stream and the per-code counters."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.serials: dict[str, int] = {}
        self.poles: dict[str, int] = {}
        self.roads: dict[str, tuple[str, ...]] = {}
        self.villages: dict[str, tuple[str, ...]] = {}

    def brand(self) -> str:
        rng = self.rng
        return rng.choice(_NAME_CHARS) + rng.choice(_NAME_CHARS)

    def town_roads(self, district: District, town: _Town) -> tuple[str, ...]:
        roads = self.roads.get(town.name)
        if roads is None:
            if town.seat:
                roads = _SEAT_ROADS[district.key]
            else:
                own = (f"{town.short}大道", f"{town.short}路")
                picks = self.rng.sample(_GENERIC_ROADS, 6)
                roads = own + tuple(picks)
            self.roads[town.name] = roads
        return roads

    def village(self, town: _Town) -> str:
        names = self.villages.get(town.name)
        if names is None:
            known = _KNOWN_VILLAGES.get(town.name, ())
            made = {
                self.rng.choice(_VILLAGE_FIRST) + self.rng.choice(_VILLAGE_LAST) + "村"
                for _ in range(14)
            }
            names = known + tuple(sorted(made - set(known)))
            self.villages[town.name] = names
        return self.rng.choice(names)

    def school(self, town: _Town) -> str:
        rng = self.rng
        if rng.random() < 0.3:
            return self.village(town).removesuffix("村") + rng.choice(("小学", "幼儿园"))
        return town.short + rng.choice(
            (
                "中心小学",
                "第一小学",
                "第二小学",
                "中学",
                "第一中学",
                "实验学校",
                "中心幼儿园",
                "镇中学",
            )
        )

    def address(self, district: District, town: _Town, place: str) -> str:
        return f"广东省{district.full_name}{town.name}{place}"


def _numbered(k: int) -> list[_Cam]:
    return [_Cam(f"-{i + 1}") for i in range(k)]


def _name_junction(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    road1, road2 = g.rng.sample(g.town_roads(d, t), 2)
    place = f"{road1}与{road2}交叉口"
    cams = [_Cam(f"-{i + 1}", direction=(1, 2, 3, 4)[i % 4]) for i in range(k)]
    return f"{d.name}{t.name}{place}", g.address(d, t, place), cams


def _name_road(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    road = g.rng.choice(g.town_roads(d, t))
    number = g.rng.randint(1, 300)
    place = f"{road}{number}号"
    return f"{d.name}{t.name}{place}路段", g.address(d, t, place + "附近"), _numbered(k)


def _name_checkpoint(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    # Plan appendix 5 naming: 市+区县+卡口所在地+（方向）+车道号 / 全景球机.
    road1, road2 = g.rng.sample(g.town_roads(d, t), 2)
    heading, direction = g.rng.choice((("西往东", 1), ("东往西", 2), ("北往南", 3), ("南往北", 4)))
    base = f"汕尾市{d.name}{road1}{road2}路口（{heading}）"
    cams = [_Cam(f"车道{i + 1}", camera_type=5, direction=direction) for i in range(max(k - 1, 1))]
    if k > 1:
        cams.append(_Cam("全景球机", camera_type=1, direction=direction))
    return base, g.address(d, t, f"{road1}与{road2}交叉口治安卡口"), cams


def _name_public(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    place = g.rng.choice(
        (
            f"{t.short}农贸市场", f"{t.short}汽车站", f"{t.short}文化广场",
            f"{t.short}商业街", f"{t.short}人民公园", f"{t.short}中心小学周边",
            f"{t.short}卫生院周边", f"{t.short}渡口",
        )
    )  # fmt: skip
    return f"{d.name}{t.name}{place}", g.address(d, t, place), _numbered(k)


def _name_station(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    station = f"{d.police}{t.short}派出所"
    area = g.rng.choice(("办案区", "大厅", "大门", "值班室"))
    road = g.rng.choice(g.town_roads(d, t))
    return f"{station}{area}", g.address(d, t, f"{road}{g.rng.randint(1, 200)}号"), _numbered(k)


def _name_antismuggling(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    assert a is not None
    spot = g.rng.choice(("海滩", "码头", "渔港", "岸段", "滩涂"))
    place = f"{a.name}{spot}"
    return f"{d.name}{t.name}{place}反走私监控点", g.address(d, t, place), _numbered(k)


def _name_village_gate(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    village = g.village(t)
    spot = g.rng.choice(("村口", "村委会", "祠堂", "文化广场", "路口", "篮球场"))
    return f"{d.name}{t.name}{village}{spot}", g.address(d, t, f"{village}{spot}"), _numbered(k)


_KITCHEN_AREAS = ("后厨", "备餐间", "洗消间", "食材仓库", "售卖窗口", "切配区")


def _name_kitchen(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    school = g.school(t)
    areas = g.rng.sample(_KITCHEN_AREAS, min(k, len(_KITCHEN_AREAS)))
    cams = [_Cam(f"-{area}") for area in areas]
    return f"{d.name}{t.name}{school}食堂明厨亮灶", g.address(d, t, f"{school}食堂"), cams


def _name_eatery(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    shop = g.brand() + g.rng.choice(("餐饮店", "酒家", "食府", "快餐店"))
    road = g.rng.choice(g.town_roads(d, t))
    areas = g.rng.sample(_KITCHEN_AREAS[:3], min(k, 3))
    return (
        f"{d.name}{t.name}{shop}明厨亮灶",
        g.address(d, t, f"{road}{shop}"),
        [_Cam(f"-{x}") for x in areas],
    )


def _name_school_gate(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    school = g.school(t)
    spot = g.rng.choice(("校门", "南门", "北门", "操场", "教学楼走廊"))
    return f"{d.name}{t.name}{school}{spot}", g.address(d, t, school), _numbered(k)


def _name_hospital(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    if t.seat:
        hospital = g.rng.choice(
            (f"{d.org_prefix}人民医院", f"{d.org_prefix}中医医院", f"{d.org_prefix}妇幼保健院")
            if d.key not in ("honghaiwan", "huaqiao")
            else (f"{d.org_prefix}人民医院",)
        )
        if d.key == "chengqu":
            hospital = g.rng.choice(
                ("汕尾市人民医院", "汕尾市第二人民医院", "汕尾市妇幼保健院", "汕尾市城区人民医院")
            )
    else:
        hospital = f"{t.short}{'社区卫生服务中心' if t.street else '卫生院'}"
    spot = g.rng.choice(("门诊大厅", "急诊入口", "住院部大门", "停车场", "发热门诊"))
    return f"{d.name}{hospital}{spot}", g.address(d, t, hospital), _numbered(k)


def _name_coldstore(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    firm = g.brand() + g.rng.choice(("水产", "冷链", "海产", "食品"))
    return f"{d.name}{t.name}{firm}冷库", g.address(d, t, f"{firm}冷库"), _numbered(k)


def _name_flood(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    road = g.rng.choice(g.town_roads(d, t))
    spot = g.rng.choice(("下穿通道", "低洼路段", "桥底", "涵洞", "排洪渠口"))
    return f"{d.name}{t.name}{road}{spot}易涝点", g.address(d, t, f"{road}{spot}"), _numbered(k)


def _name_reservoir(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    reservoir = g.village(t).removesuffix("村") + "水库"
    spots = g.rng.sample(("大坝", "溢洪道", "库区", "放水涵"), min(k, 4))
    return (
        f"{d.name}{t.name}{reservoir}",
        g.address(d, t, reservoir),
        [_Cam(spot) for spot in spots],
    )


def _name_river(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    river = g.rng.choice(_RIVERS[d.key])
    return (
        f"{d.name}{t.name}{river}河段监测点",
        g.address(d, t, f"{river}{t.short}段"),
        _numbered(k),
    )


def _name_forest(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    assert a is not None
    if g.rng.random() < 0.25:
        # Fire watch on reservoir dams, common in the hills of 陆河 and 海丰.
        base = f"{d.name}{t.name}{g.village(t).removesuffix('村')}水库大坝林火监测"
    else:
        slope = g.rng.choice(("东坡", "西坡", "主峰", "北麓", "南麓"))
        base = f"{d.name}{t.name}{a.name}{slope}林火监测点"
    cams = [_Cam("-可见光"), _Cam("-热成像")][:k] if k <= 2 else _numbered(k)
    return base, g.address(d, t, a.name), cams


def _name_chemicals(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    firm = g.brand() + g.rng.choice(("化工", "燃气", "石化"))
    spot = g.rng.choice(("储罐区", "危化品仓库", "装卸区"))
    return f"{d.name}{t.name}{firm}{spot}", g.address(d, t, f"{firm}有限公司"), _numbered(k)


def _name_government(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    hall = f"{d.name}政务服务中心" if t.seat else f"{t.name}便民服务中心"
    spot = g.rng.choice(("办事大厅", "取号区", "自助服务区", "大门"))
    return f"{hall}{spot}", g.address(d, t, hall), _numbered(k)


_SCENIC = MappingProxyType(
    {
        "chengqu": ("凤山祖庙", "品清湖公园", "海滨公园", "金町湾"),
        "honghaiwan": ("遮浪岩", "红海湾旅游区"),
        "haifeng": ("红宫红场", "莲花山景区", "方饭亭"),
        "lufeng": ("玄武山旅游区", "金厢滩", "清云山"),
        "luhe": ("螺洞世外梅园", "火山嶂"),
        "huaqiao": ("华侨农场历史馆",),
    }
)


def _name_scenic(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    spot = g.rng.choice(_SCENIC[d.key])
    part = g.rng.choice(("入口", "停车场", "主广场", "游客中心", "观景台"))
    return f"{d.name}{spot}{part}", g.address(d, t, spot), _numbered(k)


def _name_transport(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    if d.key == "chengqu" and g.rng.random() < 0.4:
        place = g.rng.choice(("汕尾港客运码头", "汕尾站站前广场", "汕尾汽车客运总站"))
    else:
        place = g.rng.choice((f"{t.short}汽车客运站", f"{t.short}公交总站", f"{t.short}渔港码头"))
    return f"{d.name}{place}", g.address(d, t, place), _numbered(k)


def _name_environment(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    site = g.rng.choice(
        (f"{t.short}污水处理厂排放口", f"{g.brand()}电镀厂排污口", f"{t.short}垃圾转运站")
    )
    return f"{d.name}{t.name}{site}", g.address(d, t, site), _numbered(k)


def _name_construction(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    project = g.brand() + g.rng.choice(("花园二期", "广场", "安置区", "学校扩建", "道路改造"))
    return f"{d.name}{t.name}{project}项目工地", g.address(d, t, f"{project}项目"), _numbered(k)


def _name_estate(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    estate = g.brand() + g.rng.choice(("花园", "华庭", "小区", "雅苑", "新村", "名都"))
    spot = g.rng.choice(("南门", "北门", "东门", "地下车库入口", "中心花园"))
    return f"{d.name}{t.name}{estate}{spot}", g.address(d, t, estate), _numbered(k)


def _name_shop(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    shop = g.brand() + g.rng.choice(("购物广场", "超市", "商贸城", "百货"))
    spot = g.rng.choice(("入口", "收银区", "停车场", "卸货区"))
    return f"{d.name}{t.name}{shop}{spot}", g.address(d, t, shop), _numbered(k)


def _name_factory(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    firm = g.brand() + g.rng.choice(("电子", "实业", "服装", "五金", "食品", "鞋业"))
    spot = g.rng.choice(("厂区大门", "仓库", "生产车间", "围墙周界"))
    return f"{d.name}{t.name}{firm}有限公司{spot}", g.address(d, t, f"{firm}有限公司"), _numbered(k)


def _name_hospitality(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    venue = g.brand() + g.rng.choice(("酒店", "宾馆", "网吧", "KTV"))
    spot = g.rng.choice(("大堂", "前台", "入口", "走廊"))
    return f"{d.name}{t.name}{venue}{spot}", g.address(d, t, venue), _numbered(k)


def _name_kindergarten(g: _Gen, d: District, t: _Town, a: _Anchor | None, k: int):  # type: ignore[no-untyped-def]
    school = f"{t.name}中心幼儿园" if g.rng.random() < 0.4 else f"{g.brand()}幼儿园"
    spot = g.rng.choice(("大门", "操场", "走廊", "午睡室"))
    return f"{d.name}{school}{spot}", g.address(d, t, school), _numbered(k)


_OUTDOOR_BULLETS: W = ((3, 0.55), (1, 0.25), (2, 0.10), (4, 0.10))
_INDOOR_DOMES: W = ((2, 0.85), (3, 0.10), (99, 0.05))
_POLICE_SHARE: W = ((0, 0.62), (2, 0.33), (1, 0.05))
_DEPT_SHARE: W = ((0, 0.72), (1, 0.22), (2, 0.06))
_SOCIAL_SHARE: W = ((0, 0.70), (1, 0.25), (2, 0.05))
_R30: W = ((30, 1.0),)
_R30_90: W = ((30, 0.7), (90, 0.3))


def _kind(
    key: str,
    *,
    dept: str | tuple[tuple[str, float], ...],
    industry: str,
    placement: str,
    site: tuple[int, int],
    types: W,
    positions: tuple[str, ...],
    networks: W,
    share: W,
    namer: Callable[..., tuple[str, str, list[_Cam]]],
    platform: str,
    retention: W = _R30,
    indoor: bool = False,
    city_coded: float = 0.0,
    ptz_perms: bool = True,
) -> _Kind:
    """A kind of site; `dept` is one code or weighted codes."""
    return _Kind(
        key=key,
        dept=((dept, 1.0),) if isinstance(dept, str) else dept,
        industry=industry,
        placement=placement,
        site_size=site,
        camera_types=types,
        position_types=positions,
        networks=networks,
        share=share,
        retention=retention,
        indoor=indoor,
        namer=namer,
        platform=platform,
        city_coded=city_coded,
        ptz_perms=ptz_perms,
    )


# Networks: 1 公安信息网 2 视频专网 4 互联网 5 政务网 6 企事业单位专网 8 旅业/娱乐场所专网.
# Industry codes are GB/T 28181 table 3; dept codes are appendix 5's 所属部门/行业.
_KIND_LIST: tuple[_Kind, ...] = (
    # 一类: police points on roads and public places.
    _kind("junction", dept="06", industry="00", placement="urban", site=(1, 4),
          types=_OUTDOOR_BULLETS, positions=("A0101",), networks=((2, 0.7), (1, 0.3)),
          share=_POLICE_SHARE, retention=_R30_90, namer=_name_junction, platform="police"),
    _kind("road", dept="06", industry="00", placement="urban", site=(1, 2),
          types=_OUTDOOR_BULLETS, positions=("A0102",), networks=((2, 0.7), (1, 0.3)),
          share=_POLICE_SHARE, retention=_R30_90, namer=_name_road, platform="police"),
    _kind("checkpoint", dept="06", industry="05", placement="urban", site=(2, 5),
          types=((5, 1.0),), positions=("A0103",), networks=((2, 0.8), (3, 0.2)),
          share=((0, 0.8), (2, 0.2)), retention=((90, 1.0),), namer=_name_checkpoint,
          platform="police"),
    _kind("public", dept=(("06", 0.9), ("01", 0.1)), industry="00", placement="urban",
          site=(1, 3), types=_OUTDOOR_BULLETS, positions=("A0201", "A0202", "A0203"),
          networks=((2, 0.8), (1, 0.2)), share=_POLICE_SHARE, retention=_R30_90,
          namer=_name_public, platform="police"),
    _kind("village_police", dept="06", industry="01", placement="rural", site=(1, 2),
          types=_OUTDOOR_BULLETS, positions=("C0101",), networks=((2, 1.0),),
          share=_POLICE_SHARE, namer=_name_village_gate, platform="police"),
    _kind("antismuggling", dept="06", industry="03", placement="coast", site=(1, 3),
          types=((1, 0.7), (4, 0.3)), positions=("A0205",), networks=((2, 1.0),),
          share=((0, 0.7), (2, 0.3)), retention=_R30_90, namer=_name_antismuggling,
          platform="police"),
    _kind("station", dept="06", industry="02", placement="seat", site=(1, 4),
          types=_INDOOR_DOMES, positions=("E0101", "E0102"), networks=((1, 1.0),),
          share=((2, 1.0),), retention=((90, 1.0),), indoor=True, namer=_name_station,
          platform="police", ptz_perms=False),
    # 二类: departments and key industries.
    _kind("kitchen", dept="24", industry="47", placement="urban", site=(2, 4),
          types=((2, 0.9), (3, 0.1)), positions=("B0103",), networks=((4, 1.0),),
          share=((0, 0.55), (1, 0.4), (2, 0.05)), indoor=True, namer=_name_kitchen,
          platform="kitchen", city_coded=0.5),
    _kind("school_gate", dept="03", industry="11", placement="urban", site=(1, 3),
          types=((3, 0.6), (2, 0.4)), positions=("B0101", "B0102"),
          networks=((4, 0.6), (6, 0.4)), share=_DEPT_SHARE, namer=_name_school_gate,
          platform="share"),
    _kind("hospital", dept="19", industry="56", placement="urban", site=(1, 4),
          types=((2, 0.6), (3, 0.4)), positions=("B0201", "B0202"),
          networks=((5, 0.5), (6, 0.5)), share=_DEPT_SHARE, namer=_name_hospital,
          platform="share"),
    _kind("coldstore", dept="24", industry="45", placement="coast", site=(1, 2),
          types=((3, 0.6), (2, 0.4)), positions=("C0202",), networks=((6, 1.0),),
          share=_DEPT_SHARE, namer=_name_coldstore, platform="coldstore"),
    _kind("flood", dept="15", industry="53", placement="seat", site=(1, 2),
          types=((1, 0.6), (3, 0.4)), positions=("D0104", "A0104"), networks=((5, 1.0),),
          share=((0, 0.5), (1, 0.5)), namer=_name_flood, platform="water", city_coded=0.3),
    _kind("reservoir", dept="15", industry="53", placement="mountain", site=(1, 3),
          types=((1, 0.6), (3, 0.4)), positions=("D0102",), networks=((5, 1.0),),
          share=((0, 0.6), (1, 0.4)), namer=_name_reservoir, platform="water",
          city_coded=0.3),
    _kind("river", dept="15", industry="53", placement="rural", site=(1, 2),
          types=((1, 0.5), (3, 0.5)), positions=("D0103",), networks=((5, 1.0),),
          share=((0, 0.5), (1, 0.5)), namer=_name_river, platform="water"),
    _kind("forest", dept="21", industry="40", placement="mountain", site=(1, 2),
          types=((1, 0.8), (4, 0.2)), positions=("D0101",), networks=((5, 1.0),),
          share=((0, 0.6), (1, 0.4)), retention=((90, 0.5), (30, 0.5)),
          namer=_name_forest, platform="forest", city_coded=0.6),
    _kind("chemicals", dept="21", industry="42", placement="rural", site=(1, 3),
          types=((3, 0.7), (1, 0.3)), positions=("C0203",), networks=((6, 1.0),),
          share=_DEPT_SHARE, namer=_name_chemicals, platform="share"),
    _kind("government", dept="29", industry="58", placement="urban", site=(1, 3),
          types=((2, 0.8), (3, 0.2)), positions=("B0301",), networks=((5, 1.0),),
          share=_DEPT_SHARE, indoor=True, namer=_name_government, platform="share"),
    _kind("scenic", dept="18", industry="57", placement="urban", site=(1, 3),
          types=((1, 0.5), (3, 0.5)), positions=("A0204",), networks=((5, 0.6), (4, 0.4)),
          share=((0, 0.5), (1, 0.5)), namer=_name_scenic, platform="share"),
    _kind("transport", dept="14", industry="46", placement="urban", site=(1, 3),
          types=((1, 0.4), (3, 0.6)), positions=("A0202",), networks=((6, 1.0),),
          share=_DEPT_SHARE, namer=_name_transport, platform="share"),
    _kind("environment", dept="12", industry="09", placement="rural", site=(1, 2),
          types=((3, 0.7), (1, 0.3)), positions=("C0201",), networks=((5, 1.0),),
          share=_DEPT_SHARE, namer=_name_environment, platform="share"),
    _kind("construction", dept="13", industry="44", placement="urban", site=(1, 2),
          types=((1, 0.5), (3, 0.5)), positions=("C0204",), networks=((4, 1.0),),
          share=_DEPT_SHARE, namer=_name_construction, platform="share"),
    # 三类: villages, estates, shops, enterprises.
    _kind("village", dept=(("99", 0.8), ("01", 0.2)), industry="01", placement="rural",
          site=(1, 4), types=((3, 0.7), (1, 0.2), (2, 0.1)), positions=("C0101",),
          networks=((4, 0.6), (2, 0.4)), share=_SOCIAL_SHARE, namer=_name_village_gate,
          platform="village"),
    _kind("estate", dept=(("99", 0.7), ("13", 0.3)), industry="01", placement="urban",
          site=(1, 3), types=((3, 0.6), (2, 0.4)), positions=("C0102",),
          networks=((4, 1.0),), share=_SOCIAL_SHARE, namer=_name_estate, platform="share"),
    _kind("shop", dept="17", industry="45", placement="urban", site=(1, 3),
          types=((2, 0.6), (3, 0.4)), positions=("C0205",), networks=((4, 0.7), (7, 0.3)),
          share=_SOCIAL_SHARE, indoor=True, namer=_name_shop, platform="share"),
    _kind("factory", dept="05", industry="42", placement="rural", site=(1, 3),
          types=((3, 0.8), (2, 0.2)), positions=("C0201",), networks=((6, 0.7), (4, 0.3)),
          share=_SOCIAL_SHARE, namer=_name_factory, platform="share"),
    _kind("eatery", dept="24", industry="47", placement="urban", site=(1, 3),
          types=((2, 1.0),), positions=("C0206",), networks=((4, 1.0),),
          share=((0, 0.5), (1, 0.5)), indoor=True, namer=_name_eatery, platform="kitchen",
          city_coded=0.5),
    _kind("hospitality", dept="06", industry="47", placement="urban", site=(1, 2),
          types=((2, 0.8), (3, 0.2)), positions=("C0207",), networks=((8, 1.0),),
          share=((0, 0.5), (2, 0.5)), indoor=True, namer=_name_hospitality,
          platform="police"),
    _kind("kindergarten", dept="03", industry="11", placement="urban", site=(1, 3),
          types=((2, 0.7), (3, 0.3)), positions=("B0102",), networks=((4, 1.0),),
          share=_DEPT_SHARE, indoor=True, namer=_name_kindergarten, platform="share"),
)  # fmt: skip
KINDS: Mapping[str, _Kind] = MappingProxyType({kind.key: kind for kind in _KIND_LIST})


# Kind mix per point class (weights; kinds impossible in an area are dropped there).
_CLASS_KINDS: Mapping[int, tuple[tuple[str, float], ...]] = MappingProxyType(
    {
        1: (
            ("junction", 40), ("road", 15), ("checkpoint", 8), ("public", 17),
            ("village_police", 10), ("antismuggling", 5), ("station", 5),
        ),
        2: (
            ("kitchen", 30), ("school_gate", 14), ("hospital", 12), ("coldstore", 5), ("flood", 5),
            ("reservoir", 5), ("river", 3), ("forest", 8), ("chemicals", 2), ("government", 5),
            ("scenic", 4), ("transport", 4), ("environment", 2), ("construction", 3),
        ),
        3: (
            ("village", 45), ("estate", 20), ("shop", 10), ("factory", 10), ("eatery", 7),
            ("hospitality", 5), ("kindergarten", 3),
        ),
    }
)  # fmt: skip

_DEPT_BUREAU = {
    "01": "人民政府办公室", "03": "教育局", "05": "工业和信息化局", "12": "生态环境局",
    "13": "住房和城乡建设局", "14": "交通运输局", "15": "水务局", "17": "商务局",
    "18": "文化广电旅游体育局", "19": "卫生健康局", "21": "应急管理局", "24": "市场监督管理局",
    "29": "政务服务数据管理局",
}  # fmt: skip
_CITY_BUREAU = {
    "15": "汕尾市水务局",
    "21": "汕尾市应急管理局",
    "24": "汕尾市市场监督管理局",
    "29": "汕尾市政务服务数据管理局",
}


_SELF_BUILT = frozenset({"hospital", "school_gate", "kindergarten", "shop", "factory", "estate"})


def _units(
    g: _Gen, kind: _Kind, dept: str, d: District, t: _Town, address: str
) -> tuple[str, str, str, str, str]:
    """builder, manager, manager phone, contractor, maintainer for one site.

    Departments' own cameras are built by the department; hospitals, schools, shops and
    estates build their own and the department with jurisdiction manages them (appendix 5).
    """
    rng = g.rng
    if dept == "06":
        builder = "汕尾市公安局" if rng.random() < 0.35 else d.police
        manager = d.police
        contractor = _w(
            rng, ((_TELECOM, 3), (_MOBILE, 1), (_HIK, 2), (_PCI, 1), (_GOSUN, 1), (_DAHUA, 1))
        )
    elif dept == "99":
        # Village and estate cameras: built by the town, managed by its 综治中心.
        builder = f"{d.org_prefix}{t.name}{'办事处' if t.street else '人民政府'}"
        manager = f"{d.org_prefix}{t.name}综治中心"
        contractor = _w(rng, ((_TELECOM, 5), (_MOBILE, 2), (_UNICOM, 1)))
    else:
        bureau = _DEPT_BUREAU.get(dept, "人民政府办公室")
        county = f"{d.org_prefix}{bureau}"
        city = _CITY_BUREAU.get(dept)
        builder = city if city and rng.random() < 0.5 else county
        if kind.key in _SELF_BUILT:
            place = address.removeprefix(f"广东省{d.full_name}{t.name}")
            builder = place if place.startswith("汕尾市") else f"{d.org_prefix}{t.name}{place}"
        manager = county
        contractor = {
            "kitchen": _TELECOM,
            "eatery": _TELECOM,
            "coldstore": _TELECOM,
            "forest": _UNICOM,
            "river": _UNICOM,
            "reservoir": _UNICOM,
            "flood": _UNICOM,
        }.get(kind.key) or _w(
            rng,
            (
                (_TELECOM, 3),
                (_MOBILE, 2),
                (_UNICOM, 1),
                (_HIK, 2),
                (_DAHUA, 1),
                (rng.choice(_LOCAL_INTEGRATORS), 2),
            ),
        )
    maintainer = (
        contractor
        if rng.random() < 0.5
        else f"{contractor}/{rng.choice(('海康威视', '大华', '宇视'))}"
    )
    phone = _phone(manager, mobile=(dept == "99" and rng.random() < 0.5))
    return builder, manager, phone, contractor, maintainer


_VENDORS: W = (
    (1, 45),
    (2, 25),
    (9, 8),
    (16, 5),
    (3, 4),
    (4, 3),
    (17, 3),
    (15, 2),
    (14, 1),
    (99, 4),
)
_POLICE_VENDORS: W = ((1, 40), (2, 20), (16, 10), (17, 10), (15, 8), (9, 7), (4, 5))
_CODECS: W = ((2, 78), (4, 17), (3, 2), (1, 1), (5, 2))
_STATUS: W = ((1, 0.965), (2, 0.025), (3, 0.01))
_NETWORK_DIGIT = {1: "5", 2: "0", 3: "1", 4: "7", 5: "6", 6: "8", 7: "8", 8: "8", 9: "2", 99: "8"}
assert all(v in NETWORK_DIGITS_FOR_ACCESS_NETWORK[k] for k, v in _NETWORK_DIGIT.items())


def _choose_kinds(district: District, point_class: int) -> tuple[list[_Kind], list[float]]:
    kinds, weights = [], []
    for key, weight in _CLASS_KINDS[point_class]:
        kind = KINDS[key]
        if kind.placement == "mountain" and not _MOUNTAINS[district.key]:
            continue
        if kind.placement == "coast" and not _COAST[district.key]:
            continue
        kinds.append(kind)
        weights.append(weight)
    return kinds, weights


def _pick_town(g: _Gen, district: District, placement: str) -> _Town:
    towns = _TOWNS[district.key]
    if placement == "seat":
        seats = [t for t in towns if t.seat]
        return g.rng.choices(seats, weights=[t.weight for t in seats])[0]
    if placement == "rural":
        # Villages and enterprises spread over the rural towns more evenly than people.
        weights = [(1.0 if t.street else 3.0) + t.weight * 0.3 for t in towns]
        return g.rng.choices(towns, weights=weights)[0]
    return g.rng.choices(towns, weights=[t.weight for t in towns])[0]


def _site_position(
    g: _Gen, district: District, town: _Town, placement: str, anchor: _Anchor | None
) -> tuple[float, float]:
    rng = g.rng
    if anchor is not None:
        base_lon, base_lat, spread = (
            anchor.lon,
            anchor.lat,
            (0.012 if placement == "mountain" else 0.006),
        )
    else:
        base_lon, base_lat = town.lon, town.lat
        spread = {"seat": 0.010, "urban": 0.008 if town.seat else 0.006, "rural": 0.025}[placement]
    min_lon, min_lat, max_lon, max_lat = district.bbox
    for _ in range(20):
        lon = rng.gauss(base_lon, spread)
        lat = rng.gauss(base_lat, spread)
        if min_lon <= lon <= max_lon and min_lat <= lat <= max_lat:
            return lon, lat
    return min(max(base_lon, min_lon), max_lon), min(max(base_lat, min_lat), max_lat)


def _ipv4(rng: random.Random, network: int, district_index: int) -> str:
    if network in (1, 2, 3, 9):
        return f"10.{44 + district_index}.{rng.randint(0, 255)}.{rng.randint(2, 254)}"
    if network == 5:
        return f"172.{16 + district_index}.{rng.randint(0, 255)}.{rng.randint(2, 254)}"
    return f"192.168.{rng.randint(0, 20)}.{rng.randint(2, 254)}"


def _mac(rng: random.Random, vendor: int) -> str:
    prefixes = _OUI.get(vendor)
    prefix = (
        rng.choice(prefixes)
        if prefixes
        else f"02:{rng.randint(0, 255):02x}:{rng.randint(0, 255):02x}"
    )
    return prefix + "".join(f":{rng.randint(0, 255):02x}" for _ in range(3))


def _perms(rng: random.Random, kind: _Kind, camera_type: int) -> list[int]:
    if kind.key == "station":
        return [1]
    perms = [1, 2]
    roll = rng.random()
    if roll < 0.06:
        perms = [1]
    elif roll < 0.10:
        perms = [1, 2, 3]
    elif roll < 0.13:
        perms = [1, 2, 5]
    if camera_type in (1, 4) and kind.ptz_perms and perms != [1]:
        perms = sorted({*perms, 4})
    return perms


def _device_code(
    g: _Gen, kind: _Kind, civil: str, grassroots: int, camera_type: int, network: int
) -> str:
    centre = civil + f"{grassroots:02d}"
    if kind.city_coded and g.rng.random() < kind.city_coded:
        centre = SHANWEI_CIVIL_CODE + "00"
    type_code = "121" if camera_type == 5 else ("132" if g.rng.random() < 0.85 else "131")
    prefix = f"{centre}{kind.industry}{type_code}{_NETWORK_DIGIT[network]}"
    serial = g.serials.get(prefix, 0) + 1
    if serial > 999_999:
        raise ValueError("device serial space exhausted for " + prefix)
    g.serials[prefix] = serial
    return f"{prefix}{serial:06d}"


def _platform_id(kind: _Kind, district: District) -> str:
    if kind.platform == "police":
        if district.key in ("lufeng", "haifeng"):
            return _county_platform(district, "00", "0")  # county video clouds (平安陆丰 …)
        return PLATFORMS["police_city"][0]
    if kind.platform == "village":
        return _county_platform(district, "01", "8")
    return PLATFORMS[kind.platform][0]


# --- deliberate defects -------------------------------------------------------------------


def _break_code(rng: random.Random, code: str, district: District) -> str:
    """A plausible real-world defect of a device code (appendix 4 lists such codes)."""
    defect = _w(
        rng,
        (("short", 2), ("long", 1), ("letter", 2), ("type", 2), ("not_camera", 1),
         ("industry", 2), ("network", 1), ("centre", 2), ("other_county", 2)),
    )  # fmt: skip
    if defect == "short":
        return code[:-1]
    if defect == "long":
        return code + str(rng.randint(0, 9))
    if defect == "letter":
        position = rng.randrange(8, 20)
        return code[:position] + rng.choice("OIAB") + code[position + 1 :]
    if defect == "type":
        return code[:10] + rng.choice(("000", "099", "101", "110")) + code[13:]
    if defect == "not_camera":
        return code[:10] + rng.choice(("200", "134", "300", "114")) + code[13:]
    if defect == "industry":
        return code[:8] + rng.choice(("12", "35", "66", "88")) + code[10:]
    if defect == "network":
        return code[:13] + "9" + code[14:]
    if defect == "centre":
        # Water-affairs style: the first six digits are not a civil code at all.
        return rng.choice(("000000", "441599", "999900")) + code[6:]
    others = [
        d.civil_code for d in DISTRICTS if d.civil_code != district.civil_code and not d.local_code
    ]
    return rng.choice(others) + code[6:]


# --- the generator ------------------------------------------------------------------------


def generate_demo_catalogue(
    total: int = CONNECTED_TOTAL, seed: int = DEFAULT_SEED
) -> list[CameraRecord]:
    """Generate `total` Shanwei cameras, deterministically for a given (total, seed).

    At 19,639 the district and point-class counts are exactly the plan's; other totals
    scale them proportionally. About 1 % of device codes break GB/T 28181 on purpose, and
    every record's `code_flags` holds what `check_device_code` says about its code.
    """
    if total < 0:
        raise ValueError("total must be non-negative")
    g = _Gen(seed)
    rng = g.rng
    by_district = scaled_counts({d.key: d.connected for d in DISTRICTS}, total)
    by_class = scaled_counts(dict(CLASS_COUNTS), total)
    table = _contingency(by_district, by_class)

    records: list[CameraRecord] = []
    for district_index, district in enumerate(DISTRICTS):
        towns = _TOWNS[district.key]
        for point_class in CLASS_COUNTS:
            quota = table[district.key, point_class]
            kinds, weights = _choose_kinds(district, point_class)
            while quota > 0:
                kind = rng.choices(kinds, weights=weights)[0]
                made = _make_site(g, kind, district, district_index, towns, point_class, quota)
                records.extend(made)
                quota -= len(made)

    _inject_defects(rng, records, round(total * NONCONFORMING_RATE))
    return records


def _make_site(
    g: _Gen,
    kind: _Kind,
    district: District,
    district_index: int,
    towns: Sequence[_Town],
    point_class: int,
    quota: int,
) -> list[CameraRecord]:
    rng = g.rng
    anchor: _Anchor | None = None
    if kind.placement in ("mountain", "coast"):
        anchor = rng.choice((_MOUNTAINS if kind.placement == "mountain" else _COAST)[district.key])
        town = next(t for t in towns if t.name == anchor.town)
    else:
        town = _pick_town(g, district, kind.placement)
    grassroots = towns.index(town) + 1
    size = min(rng.randint(*kind.site_size), quota)
    site_name, address, cams = kind.namer(g, district, town, anchor, size)
    cams = cams[:size]
    lon, lat = _site_position(g, district, town, kind.placement, anchor)
    dept = _w(rng, kind.dept)
    builder, manager, phone, contractor, maintainer = _units(g, kind, dept, district, town, address)
    network = _w(rng, kind.networks)
    vendor = _w(rng, _POLICE_VENDORS if dept == "06" else _VENDORS)
    share = _w(rng, kind.share)
    retention = _w(rng, kind.retention)
    platform_id = _platform_id(kind, district)
    street_code = (
        f"{district.civil_code}{grassroots:03d}"
        if town.street
        else f"{district.civil_code}{99 + grassroots:03d}"
    )
    centre8 = f"{district.civil_code}{grassroots:02d}"
    pole_id: str | None = None
    if not kind.indoor:
        pole = g.poles.get(centre8, 0) + 1
        g.poles[centre8] = pole
        pole_id = f"{centre8}{pole:04d}" if pole <= 9999 else None
    coord_system = "CGCS2000" if rng.random() < 0.15 else "WGS84"
    position_types = [rng.choice(kind.position_types)]

    records = []
    for cam in cams:
        camera_type = cam.camera_type or _w(rng, kind.camera_types)
        status = _w(rng, _STATUS)
        online = 1 if status == 1 and rng.random() < 0.93 else 2
        name = (site_name + cam.suffix)[:100]
        record = CameraRecord(
            device_id=_device_code(g, kind, district.civil_code, grassroots, camera_type, network),
            name=name,
            civil_code=district.civil_code,
            grassroots_code=street_code,
            builder_unit=builder,
            manager_unit=manager,
            manager_phone=phone,
            contractor=contractor,
            maintainer=maintainer,
            point_class=point_class,
            platform_id=platform_id,
            dept_code=dept,
            camera_type=camera_type,
            online=online,
            address=address[:100],
            position_types=list(position_types),
            coord_system=coord_system,
            # A few metres between the cameras of one site, as on one pole or one ceiling.
            longitude=round(lon + rng.gauss(0, 0.00004), 6),
            latitude=round(lat + rng.gauss(0, 0.00004), 6),
            ipv4=_ipv4(rng, network, district_index) if rng.random() < 0.9 else None,
            mac=_mac(rng, vendor) if rng.random() < 0.85 else None,
            indoor_outdoor=2 if kind.indoor else 1,
            direction=cam.direction or (9 if kind.indoor else rng.randint(1, 9)),
            pole_id=pole_id,
            network=network,
            retention_days=retention,
            share_attr=share,
            default_perms=_perms(rng, kind, camera_type),
            vendor=vendor if rng.random() < 0.9 else _w(rng, _VENDORS),
            codec=_w(rng, _CODECS),
            status=status,
        )
        records.append(record)
    return records


def _inject_defects(rng: random.Random, records: list[CameraRecord], count: int) -> None:
    """Break `count` device codes on purpose and flag every record's code."""
    seen = {r.device_id for r in records}
    chosen = rng.sample(range(len(records)), min(count, len(records)))
    for index in chosen:
        record = records[index]
        district = district_of(record.civil_code)
        assert district is not None
        for _ in range(50):
            broken = _break_code(rng, record.device_id, district)
            if broken not in seen and check_device_code(broken, civil_code=record.civil_code):
                break
        else:  # pragma: no cover - 50 misses in a row cannot happen with these defects
            raise RuntimeError("could not break a device code")
        seen.add(broken)
        record.device_id = broken
    for record in records:
        record.code_flags = check_device_code(record.device_id, civil_code=record.civil_code)
