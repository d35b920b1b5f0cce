"""Where demo sites are: Shanwei's towns, streets, mountains and coast, the organisations
that build and run cameras, and the per-run generation state (random stream, counters).

Town coordinates are approximate (a few hundred metres), good enough for "near me"."""

from __future__ import annotations

import random
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from bff.catalog.districts import District


@dataclass(frozen=True, slots=True)
class Town:
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
class Anchor:
    name: str
    town: str
    lon: float
    lat: float


TOWNS: Mapping[str, tuple[Town, ...]] = MappingProxyType(
    {
        "chengqu": (
            Town("香洲街道", 115.372, 22.787, 10, True),
            Town("凤山街道", 115.383, 22.776, 8, True),
            Town("新港街道", 115.350, 22.773, 7, True),
            Town("马宫街道", 115.262, 22.815, 3),
            Town("红草镇", 115.318, 22.838, 3),
            Town("东涌镇", 115.430, 22.793, 3),
            Town("捷胜镇", 115.470, 22.715, 2.5),
        ),
        "honghaiwan": (
            Town("田墘街道", 115.553, 22.722, 5, True),
            Town("遮浪街道", 115.570, 22.668, 3),
            Town("东洲街道", 115.515, 22.708, 2),
        ),
        "haifeng": (
            Town("海城镇", 115.323, 22.967, 12, True),
            Town("附城镇", 115.335, 22.945, 6, True),
            Town("城东镇", 115.365, 22.975, 5, True),
            Town("梅陇镇", 115.135, 22.880, 5),
            Town("公平镇", 115.268, 23.095, 4),
            Town("可塘镇", 115.445, 22.995, 4),
            Town("联安镇", 115.250, 22.920, 3),
            Town("陶河镇", 115.290, 23.040, 2.5),
            Town("赤坑镇", 115.420, 23.040, 2.5),
            Town("大湖镇", 115.370, 23.020, 2),
            Town("平东镇", 115.170, 23.150, 1.5),
            Town("黄羌镇", 115.310, 23.240, 1.5),
        ),
        "lufeng": (
            Town("东海街道", 115.650, 22.945, 14, True),
            Town("城东街道", 115.675, 22.955, 6, True),
            Town("河西街道", 115.625, 22.935, 5, True),
            Town("碣石镇", 115.830, 22.825, 9),
            Town("甲子镇", 116.070, 22.835, 8),
            Town("南塘镇", 115.730, 22.900, 4),
            Town("博美镇", 115.775, 22.960, 5),
            Town("桥冲镇", 115.920, 22.890, 3),
            Town("甲东镇", 116.000, 22.805, 3),
            Town("甲西镇", 115.960, 22.860, 3),
            Town("上英镇", 115.880, 22.950, 2.5),
            Town("内湖镇", 115.960, 23.010, 3),
            Town("大安镇", 115.600, 23.000, 3),
            Town("西南镇", 115.560, 22.960, 2.5),
            Town("河东镇", 115.690, 23.030, 2.5),
            Town("金厢镇", 115.660, 22.810, 2.5),
            Town("潭西镇", 115.570, 22.880, 2),
            Town("湖东镇", 115.790, 22.775, 2.5),
            Town("八万镇", 115.620, 23.150, 1.5),
            Town("陂洋镇", 115.770, 23.100, 1.5),
        ),
        "luhe": (
            Town("河田镇", 115.655, 23.300, 10, True),
            Town("水唇镇", 115.575, 23.280, 4),
            Town("螺溪镇", 115.635, 23.400, 2.5),
            Town("东坑镇", 115.730, 23.330, 2.5),
            Town("新田镇", 115.620, 23.180, 3),
            Town("上护镇", 115.830, 23.340, 2),
            Town("河口镇", 115.560, 23.200, 2.5),
            Town("南万镇", 115.520, 23.370, 1.5),
        ),
        "huaqiao": (
            Town("侨城社区", 115.450, 22.930, 3, True),
            Town("侨兴社区", 115.440, 22.920, 2),
            Town("侨光社区", 115.462, 22.940, 1.5),
        ),
    }
)  # fmt: skip

MOUNTAINS: Mapping[str, tuple[Anchor, ...]] = MappingProxyType(
    {
        "chengqu": (
            Anchor("红草后山", "红草镇", 115.305, 22.850),
            Anchor("东涌山林", "东涌镇", 115.445, 22.810),
        ),
        "honghaiwan": (Anchor("遮浪山", "遮浪街道", 115.572, 22.675),),
        "haifeng": (
            Anchor("莲花山", "黄羌镇", 115.300, 23.230),
            Anchor("羊蹄岭", "平东镇", 115.160, 23.170),
            Anchor("公平山林", "公平镇", 115.250, 23.120),
            Anchor("赤坑山林", "赤坑镇", 115.460, 23.060),
            Anchor("梅陇山林", "梅陇镇", 115.110, 22.930),
        ),
        "lufeng": (
            Anchor("八万山林", "八万镇", 115.620, 23.170),
            Anchor("陂洋山林", "陂洋镇", 115.780, 23.120),
            Anchor("内湖山林", "内湖镇", 115.970, 23.050),
            Anchor("大安山林", "大安镇", 115.580, 23.030),
            Anchor("玄武山", "碣石镇", 115.835, 22.835),
        ),
        "luhe": (
            Anchor("火山嶂", "上护镇", 115.800, 23.380),
            Anchor("螺溪山林", "螺溪镇", 115.620, 23.420),
            Anchor("南万山林", "南万镇", 115.520, 23.390),
            Anchor("东坑山林", "东坑镇", 115.750, 23.300),
            Anchor("新田山林", "新田镇", 115.600, 23.170),
        ),
        "huaqiao": (),
    }
)  # fmt: skip

COAST: Mapping[str, tuple[Anchor, ...]] = MappingProxyType(
    {
        "chengqu": (
            Anchor("品清湖", "香洲街道", 115.385, 22.765),
            Anchor("马宫渔港", "马宫街道", 115.258, 22.805),
            Anchor("捷胜沙坑", "捷胜镇", 115.478, 22.705),
            Anchor("汕尾港", "新港街道", 115.345, 22.765),
        ),
        "honghaiwan": (
            Anchor("遮浪半岛", "遮浪街道", 115.572, 22.655),
            Anchor("田墘海岸", "田墘街道", 115.550, 22.705),
            Anchor("东洲海岸", "东洲街道", 115.510, 22.695),
        ),
        "haifeng": (
            Anchor("长沙湾", "梅陇镇", 115.100, 22.840),
            Anchor("梅陇海岸", "梅陇镇", 115.150, 22.830),
        ),
        "lufeng": (
            Anchor("金厢滩", "金厢镇", 115.665, 22.795),
            Anchor("碣石湾", "碣石镇", 115.815, 22.800),
            Anchor("湖东渔港", "湖东镇", 115.795, 22.765),
            Anchor("甲子港", "甲子镇", 116.075, 22.820),
            Anchor("乌坎港", "东海街道", 115.620, 22.880),
            Anchor("甲东海岸", "甲东镇", 116.020, 22.790),
        ),
        "luhe": (),
        "huaqiao": (),
    }
)  # fmt: skip

RIVERS: Mapping[str, tuple[str, ...]] = MappingProxyType(
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

TELECOM = "中国电信股份有限公司汕尾分公司"
MOBILE = "中国移动通信集团广东有限公司汕尾分公司"
UNICOM = "中国联合网络通信有限公司汕尾市分公司"
HIK = "杭州海康威视数字技术股份有限公司"
DAHUA = "浙江大华技术股份有限公司"
PCI = "佳都科技集团股份有限公司"
GOSUN = "高新兴科技集团股份有限公司"
LOCAL_INTEGRATORS = (
    "汕尾市鸿泰智能科技有限公司",
    "汕尾市信达安防工程有限公司",
    "广东粤安信息技术有限公司",
)
_VENDOR_SHORT = {1: "海康威视", 2: "大华", 9: "宇视", 16: "华为", 17: "高新兴", 15: "佳都科技"}

# Vendor OUIs for MAC addresses; vendors not listed get a locally administered prefix.
OUI = {
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


def county_platform_code(district: District, industry: str, digit: str) -> str:
    # County police video clouds and village (平安乡村) platforms are numbered by county.
    return _platform_code(district.civil_code + "00", industry, digit, 1)


def unit_phone(unit: str, mobile: bool = False) -> str:
    # crc32, not hash(): Python salts str hashes per process, and the catalogue must not move.
    digits = zlib.crc32(unit.encode()) % 10_000_000
    if mobile:
        return f"13{digits % 10}{digits // 10:08d}"
    return f"0660-{3_000_000 + digits % 7_000_000:07d}"


# --- kinds of sites -----------------------------------------------------------------------

W = tuple[tuple[int, float], ...]


@dataclass(frozen=True, slots=True)
class Cam:
    suffix: str
    camera_type: int | None = None
    direction: int | None = None


def weighted(rng: random.Random, weights: Sequence[tuple[object, float]]):  # type: ignore[no-untyped-def]
    values = [v for v, _ in weights]
    return rng.choices(values, weights=[x for _, x in weights])[0]


class Generation:
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

    def town_roads(self, district: District, town: Town) -> tuple[str, ...]:
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

    def village(self, town: Town) -> str:
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

    def school(self, town: Town) -> str:
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

    def address(self, district: District, town: Town, place: str) -> str:
        return f"广东省{district.full_name}{town.name}{place}"


