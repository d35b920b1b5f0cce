"""The kinds of demo sites (junction, school kitchen, flood point …): owner, industry,
placement, camera types, networks, sharing, retention; and the units, vendors and codecs
that go with them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bff.catalog.districts import District
from bff.catalog.gbt28181 import (
    NETWORK_DIGITS_FOR_ACCESS_NETWORK,
)
from bff.demo.catalogue.namers import (
    name_antismuggling,
    name_checkpoint,
    name_chemicals,
    name_coldstore,
    name_construction,
    name_eatery,
    name_environment,
    name_estate,
    name_factory,
    name_flood,
    name_forest,
    name_government,
    name_hospital,
    name_hospitality,
    name_junction,
    name_kindergarten,
    name_kitchen,
    name_public,
    name_reservoir,
    name_river,
    name_road,
    name_scenic,
    name_school_gate,
    name_shop,
    name_station,
    name_transport,
    name_village_gate,
)
from bff.demo.catalogue.places import (
    DAHUA,
    GOSUN,
    HIK,
    LOCAL_INTEGRATORS,
    MOBILE,
    PCI,
    TELECOM,
    UNICOM,
    Anchor,
    Cam,
    Generation,
    Town,
    W,
    unit_phone,
    weighted,
)


@dataclass(frozen=True, slots=True)
class Kind:
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
    namer: Callable[[Generation, District, Town, Anchor | None, int], tuple[str, str, list[Cam]]]
    platform: str
    city_coded: float = 0.0  # share of codes numbered by the city centre (441500) instead
    ptz_perms: bool = True


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
    namer: Callable[..., tuple[str, str, list[Cam]]],
    platform: str,
    retention: W = _R30,
    indoor: bool = False,
    city_coded: float = 0.0,
    ptz_perms: bool = True,
) -> Kind:
    """A kind of site; `dept` is one code or weighted codes."""
    return Kind(
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
_KIND_LIST: tuple[Kind, ...] = (
    # 一类: police points on roads and public places.
    _kind("junction", dept="06", industry="00", placement="urban", site=(1, 4),
          types=_OUTDOOR_BULLETS, positions=("A0101",), networks=((2, 0.7), (1, 0.3)),
          share=_POLICE_SHARE, retention=_R30_90, namer=name_junction, platform="police"),
    _kind("road", dept="06", industry="00", placement="urban", site=(1, 2),
          types=_OUTDOOR_BULLETS, positions=("A0102",), networks=((2, 0.7), (1, 0.3)),
          share=_POLICE_SHARE, retention=_R30_90, namer=name_road, platform="police"),
    _kind("checkpoint", dept="06", industry="05", placement="urban", site=(2, 5),
          types=((5, 1.0),), positions=("A0103",), networks=((2, 0.8), (3, 0.2)),
          share=((0, 0.8), (2, 0.2)), retention=((90, 1.0),), namer=name_checkpoint,
          platform="police"),
    _kind("public", dept=(("06", 0.9), ("01", 0.1)), industry="00", placement="urban",
          site=(1, 3), types=_OUTDOOR_BULLETS, positions=("A0201", "A0202", "A0203"),
          networks=((2, 0.8), (1, 0.2)), share=_POLICE_SHARE, retention=_R30_90,
          namer=name_public, platform="police"),
    _kind("village_police", dept="06", industry="01", placement="rural", site=(1, 2),
          types=_OUTDOOR_BULLETS, positions=("C0101",), networks=((2, 1.0),),
          share=_POLICE_SHARE, namer=name_village_gate, platform="police"),
    _kind("antismuggling", dept="06", industry="03", placement="coast", site=(1, 3),
          types=((1, 0.7), (4, 0.3)), positions=("A0205",), networks=((2, 1.0),),
          share=((0, 0.7), (2, 0.3)), retention=_R30_90, namer=name_antismuggling,
          platform="police"),
    _kind("station", dept="06", industry="02", placement="seat", site=(1, 4),
          types=_INDOOR_DOMES, positions=("E0101", "E0102"), networks=((1, 1.0),),
          share=((2, 1.0),), retention=((90, 1.0),), indoor=True, namer=name_station,
          platform="police", ptz_perms=False),
    # 二类: departments and key industries.
    _kind("kitchen", dept="24", industry="47", placement="urban", site=(2, 4),
          types=((2, 0.9), (3, 0.1)), positions=("B0103",), networks=((4, 1.0),),
          share=((0, 0.55), (1, 0.4), (2, 0.05)), indoor=True, namer=name_kitchen,
          platform="kitchen", city_coded=0.5),
    _kind("school_gate", dept="03", industry="11", placement="urban", site=(1, 3),
          types=((3, 0.6), (2, 0.4)), positions=("B0101", "B0102"),
          networks=((4, 0.6), (6, 0.4)), share=_DEPT_SHARE, namer=name_school_gate,
          platform="share"),
    _kind("hospital", dept="19", industry="56", placement="urban", site=(1, 4),
          types=((2, 0.6), (3, 0.4)), positions=("B0201", "B0202"),
          networks=((5, 0.5), (6, 0.5)), share=_DEPT_SHARE, namer=name_hospital,
          platform="share"),
    _kind("coldstore", dept="24", industry="45", placement="coast", site=(1, 2),
          types=((3, 0.6), (2, 0.4)), positions=("C0202",), networks=((6, 1.0),),
          share=_DEPT_SHARE, namer=name_coldstore, platform="coldstore"),
    _kind("flood", dept="15", industry="53", placement="seat", site=(1, 2),
          types=((1, 0.6), (3, 0.4)), positions=("D0104", "A0104"), networks=((5, 1.0),),
          share=((0, 0.5), (1, 0.5)), namer=name_flood, platform="water", city_coded=0.3),
    _kind("reservoir", dept="15", industry="53", placement="mountain", site=(1, 3),
          types=((1, 0.6), (3, 0.4)), positions=("D0102",), networks=((5, 1.0),),
          share=((0, 0.6), (1, 0.4)), namer=name_reservoir, platform="water",
          city_coded=0.3),
    _kind("river", dept="15", industry="53", placement="rural", site=(1, 2),
          types=((1, 0.5), (3, 0.5)), positions=("D0103",), networks=((5, 1.0),),
          share=((0, 0.5), (1, 0.5)), namer=name_river, platform="water"),
    _kind("forest", dept="21", industry="40", placement="mountain", site=(1, 2),
          types=((1, 0.8), (4, 0.2)), positions=("D0101",), networks=((5, 1.0),),
          share=((0, 0.6), (1, 0.4)), retention=((90, 0.5), (30, 0.5)),
          namer=name_forest, platform="forest", city_coded=0.6),
    _kind("chemicals", dept="21", industry="42", placement="rural", site=(1, 3),
          types=((3, 0.7), (1, 0.3)), positions=("C0203",), networks=((6, 1.0),),
          share=_DEPT_SHARE, namer=name_chemicals, platform="share"),
    _kind("government", dept="29", industry="58", placement="urban", site=(1, 3),
          types=((2, 0.8), (3, 0.2)), positions=("B0301",), networks=((5, 1.0),),
          share=_DEPT_SHARE, indoor=True, namer=name_government, platform="share"),
    _kind("scenic", dept="18", industry="57", placement="urban", site=(1, 3),
          types=((1, 0.5), (3, 0.5)), positions=("A0204",), networks=((5, 0.6), (4, 0.4)),
          share=((0, 0.5), (1, 0.5)), namer=name_scenic, platform="share"),
    _kind("transport", dept="14", industry="46", placement="urban", site=(1, 3),
          types=((1, 0.4), (3, 0.6)), positions=("A0202",), networks=((6, 1.0),),
          share=_DEPT_SHARE, namer=name_transport, platform="share"),
    _kind("environment", dept="12", industry="09", placement="rural", site=(1, 2),
          types=((3, 0.7), (1, 0.3)), positions=("C0201",), networks=((5, 1.0),),
          share=_DEPT_SHARE, namer=name_environment, platform="share"),
    _kind("construction", dept="13", industry="44", placement="urban", site=(1, 2),
          types=((1, 0.5), (3, 0.5)), positions=("C0204",), networks=((4, 1.0),),
          share=_DEPT_SHARE, namer=name_construction, platform="share"),
    # 三类: villages, estates, shops, enterprises.
    _kind("village", dept=(("99", 0.8), ("01", 0.2)), industry="01", placement="rural",
          site=(1, 4), types=((3, 0.7), (1, 0.2), (2, 0.1)), positions=("C0101",),
          networks=((4, 0.6), (2, 0.4)), share=_SOCIAL_SHARE, namer=name_village_gate,
          platform="village"),
    _kind("estate", dept=(("99", 0.7), ("13", 0.3)), industry="01", placement="urban",
          site=(1, 3), types=((3, 0.6), (2, 0.4)), positions=("C0102",),
          networks=((4, 1.0),), share=_SOCIAL_SHARE, namer=name_estate, platform="share"),
    _kind("shop", dept="17", industry="45", placement="urban", site=(1, 3),
          types=((2, 0.6), (3, 0.4)), positions=("C0205",), networks=((4, 0.7), (7, 0.3)),
          share=_SOCIAL_SHARE, indoor=True, namer=name_shop, platform="share"),
    _kind("factory", dept="05", industry="42", placement="rural", site=(1, 3),
          types=((3, 0.8), (2, 0.2)), positions=("C0201",), networks=((6, 0.7), (4, 0.3)),
          share=_SOCIAL_SHARE, namer=name_factory, platform="share"),
    _kind("eatery", dept="24", industry="47", placement="urban", site=(1, 3),
          types=((2, 1.0),), positions=("C0206",), networks=((4, 1.0),),
          share=((0, 0.5), (1, 0.5)), indoor=True, namer=name_eatery, platform="kitchen",
          city_coded=0.5),
    _kind("hospitality", dept="06", industry="47", placement="urban", site=(1, 2),
          types=((2, 0.8), (3, 0.2)), positions=("C0207",), networks=((8, 1.0),),
          share=((0, 0.5), (2, 0.5)), indoor=True, namer=name_hospitality,
          platform="police"),
    _kind("kindergarten", dept="03", industry="11", placement="urban", site=(1, 3),
          types=((2, 0.7), (3, 0.3)), positions=("B0102",), networks=((4, 1.0),),
          share=_DEPT_SHARE, indoor=True, namer=name_kindergarten, platform="share"),
)  # fmt: skip
KINDS: Mapping[str, Kind] = MappingProxyType({kind.key: kind for kind in _KIND_LIST})


# Kind mix per point class (weights; kinds impossible in an area are dropped there).
CLASS_KINDS: Mapping[int, tuple[tuple[str, float], ...]] = MappingProxyType(
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


def site_units(
    g: Generation, kind: Kind, dept: str, d: District, t: Town, address: str
) -> tuple[str, str, str, str, str]:
    """builder, manager, manager phone, contractor, maintainer for one site.

    Departments' own cameras are built by the department; hospitals, schools, shops and
    estates build their own and the department with jurisdiction manages them (appendix 5).
    """
    rng = g.rng
    if dept == "06":
        builder = "汕尾市公安局" if rng.random() < 0.35 else d.police
        manager = d.police
        contractor = weighted(
            rng, ((TELECOM, 3), (MOBILE, 1), (HIK, 2), (PCI, 1), (GOSUN, 1), (DAHUA, 1))
        )
    elif dept == "99":
        # Village and estate cameras: built by the town, managed by its 综治中心.
        builder = f"{d.org_prefix}{t.name}{'办事处' if t.street else '人民政府'}"
        manager = f"{d.org_prefix}{t.name}综治中心"
        contractor = weighted(rng, ((TELECOM, 5), (MOBILE, 2), (UNICOM, 1)))
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
            "kitchen": TELECOM,
            "eatery": TELECOM,
            "coldstore": TELECOM,
            "forest": UNICOM,
            "river": UNICOM,
            "reservoir": UNICOM,
            "flood": UNICOM,
        }.get(kind.key) or weighted(
            rng,
            (
                (TELECOM, 3),
                (MOBILE, 2),
                (UNICOM, 1),
                (HIK, 2),
                (DAHUA, 1),
                (rng.choice(LOCAL_INTEGRATORS), 2),
            ),
        )
    maintainer = (
        contractor
        if rng.random() < 0.5
        else f"{contractor}/{rng.choice(('海康威视', '大华', '宇视'))}"
    )
    phone = unit_phone(manager, mobile=(dept == "99" and rng.random() < 0.5))
    return builder, manager, phone, contractor, maintainer


VENDORS: W = (
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
POLICE_VENDORS: W = ((1, 40), (2, 20), (16, 10), (17, 10), (15, 8), (9, 7), (4, 5))
CODECS: W = ((2, 78), (4, 17), (3, 2), (1, 1), (5, 2))
STATUS: W = ((1, 0.965), (2, 0.025), (3, 0.01))
NETWORK_DIGIT = {1: "5", 2: "0", 3: "1", 4: "7", 5: "6", 6: "8", 7: "8", 8: "8", 9: "2", 99: "8"}
assert all(v in NETWORK_DIGITS_FOR_ACCESS_NETWORK[k] for k, v in NETWORK_DIGIT.items())

