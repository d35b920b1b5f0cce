"""How each kind of demo site is named and addressed, and which cameras it has."""

from __future__ import annotations

from types import MappingProxyType

from bff.catalog.districts import District
from bff.demo.catalogue.places import RIVERS, Anchor, Cam, Generation, Town


def _numbered(k: int) -> list[Cam]:
    return [Cam(f"-{i + 1}") for i in range(k)]


def name_junction(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    road1, road2 = g.rng.sample(g.town_roads(d, t), 2)
    place = f"{road1}与{road2}交叉口"
    cams = [Cam(f"-{i + 1}", direction=(1, 2, 3, 4)[i % 4]) for i in range(k)]
    return f"{d.name}{t.name}{place}", g.address(d, t, place), cams


def name_road(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    road = g.rng.choice(g.town_roads(d, t))
    number = g.rng.randint(1, 300)
    place = f"{road}{number}号"
    return f"{d.name}{t.name}{place}路段", g.address(d, t, place + "附近"), _numbered(k)


def name_checkpoint(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    # Plan appendix 5 naming: 市+区县+卡口所在地+（方向）+车道号 / 全景球机.
    road1, road2 = g.rng.sample(g.town_roads(d, t), 2)
    heading, direction = g.rng.choice((("西往东", 1), ("东往西", 2), ("北往南", 3), ("南往北", 4)))
    base = f"汕尾市{d.name}{road1}{road2}路口（{heading}）"
    cams = [Cam(f"车道{i + 1}", camera_type=5, direction=direction) for i in range(max(k - 1, 1))]
    if k > 1:
        cams.append(Cam("全景球机", camera_type=1, direction=direction))
    return base, g.address(d, t, f"{road1}与{road2}交叉口治安卡口"), cams


def name_public(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    place = g.rng.choice(
        (
            f"{t.short}农贸市场", f"{t.short}汽车站", f"{t.short}文化广场",
            f"{t.short}商业街", f"{t.short}人民公园", f"{t.short}中心小学周边",
            f"{t.short}卫生院周边", f"{t.short}渡口",
        )
    )  # fmt: skip
    return f"{d.name}{t.name}{place}", g.address(d, t, place), _numbered(k)


def name_station(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    station = f"{d.police}{t.short}派出所"
    area = g.rng.choice(("办案区", "大厅", "大门", "值班室"))
    road = g.rng.choice(g.town_roads(d, t))
    return f"{station}{area}", g.address(d, t, f"{road}{g.rng.randint(1, 200)}号"), _numbered(k)


def name_antismuggling(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    assert a is not None
    spot = g.rng.choice(("海滩", "码头", "渔港", "岸段", "滩涂"))
    place = f"{a.name}{spot}"
    return f"{d.name}{t.name}{place}反走私监控点", g.address(d, t, place), _numbered(k)


def name_village_gate(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    village = g.village(t)
    spot = g.rng.choice(("村口", "村委会", "祠堂", "文化广场", "路口", "篮球场"))
    return f"{d.name}{t.name}{village}{spot}", g.address(d, t, f"{village}{spot}"), _numbered(k)


_KITCHEN_AREAS = ("后厨", "备餐间", "洗消间", "食材仓库", "售卖窗口", "切配区")


def name_kitchen(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    school = g.school(t)
    areas = g.rng.sample(_KITCHEN_AREAS, min(k, len(_KITCHEN_AREAS)))
    cams = [Cam(f"-{area}") for area in areas]
    return f"{d.name}{t.name}{school}食堂明厨亮灶", g.address(d, t, f"{school}食堂"), cams


def name_eatery(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    shop = g.brand() + g.rng.choice(("餐饮店", "酒家", "食府", "快餐店"))
    road = g.rng.choice(g.town_roads(d, t))
    areas = g.rng.sample(_KITCHEN_AREAS[:3], min(k, 3))
    return (
        f"{d.name}{t.name}{shop}明厨亮灶",
        g.address(d, t, f"{road}{shop}"),
        [Cam(f"-{x}") for x in areas],
    )


def name_school_gate(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    school = g.school(t)
    spot = g.rng.choice(("校门", "南门", "北门", "操场", "教学楼走廊"))
    return f"{d.name}{t.name}{school}{spot}", g.address(d, t, school), _numbered(k)


def name_hospital(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
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


def name_coldstore(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    firm = g.brand() + g.rng.choice(("水产", "冷链", "海产", "食品"))
    return f"{d.name}{t.name}{firm}冷库", g.address(d, t, f"{firm}冷库"), _numbered(k)


def name_flood(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    road = g.rng.choice(g.town_roads(d, t))
    spot = g.rng.choice(("下穿通道", "低洼路段", "桥底", "涵洞", "排洪渠口"))
    return f"{d.name}{t.name}{road}{spot}易涝点", g.address(d, t, f"{road}{spot}"), _numbered(k)


def name_reservoir(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    reservoir = g.village(t).removesuffix("村") + "水库"
    spots = g.rng.sample(("大坝", "溢洪道", "库区", "放水涵"), min(k, 4))
    return (
        f"{d.name}{t.name}{reservoir}",
        g.address(d, t, reservoir),
        [Cam(spot) for spot in spots],
    )


def name_river(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    river = g.rng.choice(RIVERS[d.key])
    return (
        f"{d.name}{t.name}{river}河段监测点",
        g.address(d, t, f"{river}{t.short}段"),
        _numbered(k),
    )


def name_forest(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    assert a is not None
    if g.rng.random() < 0.25:
        # Fire watch on reservoir dams, common in the hills of 陆河 and 海丰.
        base = f"{d.name}{t.name}{g.village(t).removesuffix('村')}水库大坝林火监测"
    else:
        slope = g.rng.choice(("东坡", "西坡", "主峰", "北麓", "南麓"))
        base = f"{d.name}{t.name}{a.name}{slope}林火监测点"
    cams = [Cam("-可见光"), Cam("-热成像")][:k] if k <= 2 else _numbered(k)
    return base, g.address(d, t, a.name), cams


def name_chemicals(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    firm = g.brand() + g.rng.choice(("化工", "燃气", "石化"))
    spot = g.rng.choice(("储罐区", "危化品仓库", "装卸区"))
    return f"{d.name}{t.name}{firm}{spot}", g.address(d, t, f"{firm}有限公司"), _numbered(k)


def name_government(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
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


def name_scenic(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    spot = g.rng.choice(_SCENIC[d.key])
    part = g.rng.choice(("入口", "停车场", "主广场", "游客中心", "观景台"))
    return f"{d.name}{spot}{part}", g.address(d, t, spot), _numbered(k)


def name_transport(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    if d.key == "chengqu" and g.rng.random() < 0.4:
        place = g.rng.choice(("汕尾港客运码头", "汕尾站站前广场", "汕尾汽车客运总站"))
    else:
        place = g.rng.choice((f"{t.short}汽车客运站", f"{t.short}公交总站", f"{t.short}渔港码头"))
    return f"{d.name}{place}", g.address(d, t, place), _numbered(k)


def name_environment(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    site = g.rng.choice(
        (f"{t.short}污水处理厂排放口", f"{g.brand()}电镀厂排污口", f"{t.short}垃圾转运站")
    )
    return f"{d.name}{t.name}{site}", g.address(d, t, site), _numbered(k)


def name_construction(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    project = g.brand() + g.rng.choice(("花园二期", "广场", "安置区", "学校扩建", "道路改造"))
    return f"{d.name}{t.name}{project}项目工地", g.address(d, t, f"{project}项目"), _numbered(k)


def name_estate(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    estate = g.brand() + g.rng.choice(("花园", "华庭", "小区", "雅苑", "新村", "名都"))
    spot = g.rng.choice(("南门", "北门", "东门", "地下车库入口", "中心花园"))
    return f"{d.name}{t.name}{estate}{spot}", g.address(d, t, estate), _numbered(k)


def name_shop(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    shop = g.brand() + g.rng.choice(("购物广场", "超市", "商贸城", "百货"))
    spot = g.rng.choice(("入口", "收银区", "停车场", "卸货区"))
    return f"{d.name}{t.name}{shop}{spot}", g.address(d, t, shop), _numbered(k)


def name_factory(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    firm = g.brand() + g.rng.choice(("电子", "实业", "服装", "五金", "食品", "鞋业"))
    spot = g.rng.choice(("厂区大门", "仓库", "生产车间", "围墙周界"))
    return f"{d.name}{t.name}{firm}有限公司{spot}", g.address(d, t, f"{firm}有限公司"), _numbered(k)


def name_hospitality(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    venue = g.brand() + g.rng.choice(("酒店", "宾馆", "网吧", "KTV"))
    spot = g.rng.choice(("大堂", "前台", "入口", "走廊"))
    return f"{d.name}{t.name}{venue}{spot}", g.address(d, t, venue), _numbered(k)


def name_kindergarten(g: Generation, d: District, t: Town, a: Anchor | None, k: int):  # type: ignore[no-untyped-def]
    school = f"{t.name}中心幼儿园" if g.rng.random() < 0.4 else f"{g.brand()}幼儿园"
    spot = g.rng.choice(("大门", "操场", "走廊", "午睡室"))
    return f"{d.name}{school}{spot}", g.address(d, t, school), _numbered(k)


