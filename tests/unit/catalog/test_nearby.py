"""Nearby lookup: geometry, sorting, filters, text search, and agreement with the policy."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import pytest

import bff.catalog.nearby as nearby
from bff.auth.policy import AccessScope, access_label, may_use
from bff.catalog.geo import bearing_deg, haversine_m
from bff.catalog.nearby import NearbyIndex, compass_label
from bff.catalog.schemas import CameraRecord
from bff.demo.catalogue import generate_demo_catalogue

# A user standing at the 城区 seat.
LAT, LON = 22.787, 115.372
EVERYONE = AccessScope(user_id=0, dept_code="06", region_prefix="")


@dataclass
class Cam:
    device_id: str
    latitude: float
    longitude: float
    name: str = "摄像机"
    address: str = "广东省汕尾市城区"
    civil_code: str = "441502"
    dept_code: str = "06"
    status: int = 1
    share_attr: int = 0
    default_perms: list[int] = field(default_factory=lambda: [1, 2])
    camera_type: int = 3
    online: int = 1


def offset(metres_north: float, metres_east: float) -> tuple[float, float]:
    """A point the given metres north and east of the user (small distances)."""
    lat = LAT + metres_north / 111_195.0
    lon = LON + metres_east / (111_195.0 * math.cos(math.radians(LAT)))
    return lat, lon


def cams_around() -> list[Cam]:
    east = offset(0, 1_000)
    north = offset(500, 0)
    south_west = offset(-2_000, -2_000)
    far = offset(20_000, 0)
    return [
        Cam("EAST-1000", *east, name="通港路东", dept_code="24", camera_type=1),
        Cam("NORTH-0500", *north, name="二马路北", address="香洲街道二马路", civil_code="441581"),
        Cam("SW-2828", *south_west, name="品清湖西南", status=2, online=2),
        Cam("FAR-20000", *far, name="红草镇远处", share_attr=2, dept_code="15"),
        Cam("NOWHERE", 0.0, 0.0, name="坐标缺失"),
        Cam("AbC-mixed", *offset(10, 10), name="ZhongXin 中心", online=2),
    ]


@pytest.fixture
def small() -> NearbyIndex:
    return NearbyIndex.build(cams_around())


def test_results_are_sorted_with_distance_bearing_and_compass(small: NearbyIndex) -> None:
    hits = small.query(EVERYONE, LAT, LON)
    assert [h.device_id for h in hits] == [
        "AbC-mixed",
        "NORTH-0500",
        "EAST-1000",
        "SW-2828",
        "FAR-20000",
    ]
    distances = [h.distance_m for h in hits]
    assert distances == sorted(distances)
    by_id = {h.device_id: h for h in hits}
    assert by_id["EAST-1000"].distance_m == pytest.approx(1_000, rel=2e-3)
    assert by_id["EAST-1000"].bearing_deg == pytest.approx(90, abs=0.1)
    assert by_id["EAST-1000"].compass == "东"
    assert (
        by_id["NORTH-0500"].bearing_deg == pytest.approx(0, abs=0.1)
        or by_id["NORTH-0500"].bearing_deg > 359.9
    )
    assert by_id["NORTH-0500"].compass == "北"
    assert by_id["SW-2828"].bearing_deg == pytest.approx(225, abs=0.5)
    assert by_id["SW-2828"].compass == "西南"
    assert by_id["SW-2828"].distance_m == pytest.approx(2_000 * math.sqrt(2), rel=3e-3)
    assert by_id["EAST-1000"].row == 0 and by_id["FAR-20000"].row == 3
    assert "NOWHERE" not in by_id  # no position, never nearby


def test_access_labels_come_from_the_policy(small: NearbyIndex) -> None:
    scope = AccessScope(user_id=1, dept_code="06", region_prefix="441502")
    labels = {h.device_id: h.access for h in small.query(scope, LAT, LON)}
    assert labels == {
        "AbC-mixed": "may_view",
        "NORTH-0500": "out_of_scope",
        "EAST-1000": "request",
        "SW-2828": "unavailable",
        "FAR-20000": "not_shared",
    }


def test_limit_and_radius(small: NearbyIndex) -> None:
    assert [h.device_id for h in small.query(EVERYONE, LAT, LON, limit=2)] == [
        "AbC-mixed",
        "NORTH-0500",
    ]
    within = small.query(EVERYONE, LAT, LON, radius_m=1_500)
    assert [h.device_id for h in within] == ["AbC-mixed", "NORTH-0500", "EAST-1000"]
    assert small.query(EVERYONE, LAT, LON, radius_m=0) == []
    assert small.query(EVERYONE, LAT, LON, limit=0) == []


def test_filters(small: NearbyIndex) -> None:
    def ids(**kwargs: object) -> list[str]:
        return [h.device_id for h in small.query(EVERYONE, LAT, LON, **kwargs)]  # type: ignore[arg-type]

    assert ids(region="441581") == ["NORTH-0500"]
    assert ids(region="441500") == ["AbC-mixed", "NORTH-0500", "EAST-1000", "SW-2828", "FAR-20000"]
    assert ids(dept="24") == ["EAST-1000"]
    assert ids(dept="6") == []
    assert ids(camera_type=1) == ["EAST-1000"]
    assert ids(online_only=True) == ["NORTH-0500", "EAST-1000", "FAR-20000"]
    assert ids(dept="06", online_only=True, region="4415") == ["NORTH-0500"]


def test_only_viewable_filters_by_permission(small: NearbyIndex) -> None:
    police = AccessScope(user_id=1, dept_code="06", region_prefix="4415")
    viewable = small.query(police, LAT, LON, only_viewable=True)
    assert [h.device_id for h in viewable] == ["AbC-mixed", "NORTH-0500"]
    assert {h.access for h in viewable} == {"may_view"}
    granted = AccessScope(
        user_id=1, dept_code="06", region_prefix="4415", grants={"EAST-1000": frozenset({1, 4})}
    )
    assert [h.device_id for h in small.query(granted, LAT, LON, only_viewable=True)] == [
        "AbC-mixed", "NORTH-0500", "EAST-1000",
    ]  # fmt: skip
    ptz = small.query(granted, LAT, LON, only_viewable=True, permission=4)
    assert [h.device_id for h in ptz] == ["EAST-1000"]


def test_text_search_matches_name_address_or_code(small: NearbyIndex) -> None:
    def ids(text: str) -> list[str]:
        return [h.device_id for h in small.query(EVERYONE, LAT, LON, text=text)]

    assert ids("二马路") == ["NORTH-0500"]  # name and address both match: listed once
    assert ids("香洲街道") == ["NORTH-0500"]  # address only
    assert ids("abc") == ["AbC-mixed"]  # device id, case-insensitive
    assert ids("zhongxin") == ["AbC-mixed"]
    assert ids("EAST") == ["EAST-1000"]
    assert ids("汕尾市城区") == ["AbC-mixed", "EAST-1000", "SW-2828", "FAR-20000"]
    assert ids("不存在") == []
    assert ids("北\n二马路") == []  # separators never match across fields or rows
    assert ids("  ") == ids("")  # blank text is no filter


def test_get_returns_the_row(small: NearbyIndex) -> None:
    assert small.get("FAR-20000") == 3
    assert small.get("NOWHERE") == 4
    assert small.get("missing") is None
    assert len(small) == 6


def test_bad_input_is_refused(small: NearbyIndex) -> None:
    with pytest.raises(ValueError):
        small.query(EVERYONE, 95.0, LON)
    with pytest.raises(ValueError):
        small.query(EVERYONE, math.nan, LON)
    with pytest.raises(ValueError):
        small.query(EVERYONE, LAT, LON, radius_m=-1)
    with pytest.raises(ValueError):
        small.query(EVERYONE, LAT, LON, region="44a")


def test_far_away_user_still_gets_the_nearest() -> None:
    index = NearbyIndex.build(cams_around())
    beijing = index.query(EVERYONE, 39.9, 116.4, limit=1)
    assert [h.device_id for h in beijing] == ["FAR-20000"]
    assert beijing[0].compass == "南"


def test_ties_are_ordered_by_row() -> None:
    same = [Cam(f"ID-{i}", *offset(100, 0)) for i in range(5)]
    index = NearbyIndex.build(same)
    assert [h.row for h in index.query(EVERYONE, LAT, LON, limit=3)] == [0, 1, 2]


def test_empty_index() -> None:
    index = NearbyIndex.build([])
    assert index.query(EVERYONE, LAT, LON) == []
    assert index.get("x") is None


def test_compass_labels() -> None:
    assert [compass_label(b) for b in (0, 22.4, 22.6, 90, 135, 180, 225, 270, 315, 359)] == [
        "北", "北", "东北", "东", "东南", "南", "西南", "西", "西北", "北",
    ]  # fmt: skip
    assert compass_label(45, "en") == "NE"


# --- against brute force on the demo catalogue -------------------------------------------


@pytest.fixture(scope="module")
def catalogue() -> list[CameraRecord]:
    return generate_demo_catalogue()


@pytest.fixture(scope="module")
def index(catalogue: list[CameraRecord]) -> NearbyIndex:
    return NearbyIndex.build(catalogue)


def brute_force(  # type: ignore[no-untyped-def]
    catalogue, scope, lat, lon, limit=50, radius_m=None, region=None, dept=None,
    camera_type=None, text=None, only_viewable=False, online_only=False, permission=1,
):  # fmt: skip
    """The nearby answer computed the obvious way, one camera at a time."""
    needle = (text or "").strip().lower()
    prefix = nearby.normalize_region_prefix(region) if region else ""
    found = []
    for row, c in enumerate(catalogue):
        if only_viewable and not may_use(scope, c, permission):
            continue
        if dept is not None and c.dept_code != dept:
            continue
        if camera_type is not None and c.camera_type != camera_type:
            continue
        if online_only and c.online != 1:
            continue
        if prefix and not c.civil_code.startswith(prefix):
            continue
        if needle and not any(needle in s.lower() for s in (c.name, c.address, c.device_id)):
            continue
        distance = haversine_m(lat, lon, c.latitude, c.longitude)
        if radius_m is not None and distance > radius_m:
            continue
        found.append((distance, row))
    found.sort()
    return found[:limit]


def random_queries(catalogue: list[CameraRecord], count: int, seed: int):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    scopes = [
        AccessScope(user_id=1, dept_code="06", region_prefix="4415"),
        AccessScope(user_id=2, dept_code="24", region_prefix="441581"),
        AccessScope(user_id=3, dept_code="15", region_prefix="4415", role="admin",
                    grants={r.device_id: frozenset({1, 2}) for r in rng.sample(catalogue, 200)}),
        AccessScope(user_id=4, dept_code="99", region_prefix="441523"),
    ]  # fmt: skip
    for _ in range(count):
        base = rng.choice(catalogue)
        lat, lon = base.latitude + rng.gauss(0, 0.03), base.longitude + rng.gauss(0, 0.03)
        kwargs: dict[str, object] = {
            "only_viewable": rng.random() < 0.5,
            "limit": rng.choice([1, 7, 50]),
        }
        if rng.random() < 0.2:
            kwargs["radius_m"] = rng.choice([300.0, 2_000.0, 15_000.0])
        if rng.random() < 0.2:
            kwargs["dept"] = rng.choice(["06", "24", "15", "99", "21"])
        if rng.random() < 0.2:
            kwargs["region"] = rng.choice(["441581", "4415", "441502", "441571"])
        if rng.random() < 0.15:
            kwargs["camera_type"] = rng.choice([1, 2, 3, 5])
        if rng.random() < 0.1:
            kwargs["online_only"] = True
        if rng.random() < 0.2:
            kwargs["text"] = rng.choice(
                ["交叉口", "明厨亮灶", "碣石", "4415810", "幼儿园", "A", "水库"]
            )
        yield rng.choice(scopes), lat, lon, kwargs


def assert_same_as_brute_force(
    index: NearbyIndex, catalogue: list[CameraRecord], seed: int, count: int
) -> None:
    for scope, lat, lon, kwargs in random_queries(catalogue, count, seed):
        hits = index.query(scope, lat, lon, **kwargs)  # type: ignore[arg-type]
        expected = brute_force(catalogue, scope, lat, lon, **kwargs)
        assert [h.row for h in hits] == [row for _, row in expected], kwargs
        for hit, (distance, row) in zip(hits, expected, strict=True):
            assert hit.distance_m == pytest.approx(distance, abs=1e-3)
            assert hit.device_id == catalogue[row].device_id
            assert hit.access == access_label(scope, catalogue[row])
            expected_bearing = bearing_deg(
                lat, lon, catalogue[row].latitude, catalogue[row].longitude
            )
            assert (hit.bearing_deg - expected_bearing + 180) % 360 - 180 == pytest.approx(
                0, abs=1e-6
            )


def test_matches_brute_force(index: NearbyIndex, catalogue: list[CameraRecord]) -> None:
    assert_same_as_brute_force(index, catalogue, seed=1, count=80)


@pytest.mark.parametrize(("direct", "dense"), [(0, False), (10**9, False), (4_000, True)])
def test_every_strategy_matches_brute_force(
    catalogue: list[CameraRecord], monkeypatch: pytest.MonkeyPatch, direct: int, dense: bool
) -> None:
    # Force the direct scan, the grid walk, and per-row text tests on the same queries.
    monkeypatch.setattr(nearby, "DIRECT_SCAN_MAX", direct)
    if dense:
        monkeypatch.setattr(nearby, "_DENSE_TEXT_MIN", 0)
        monkeypatch.setattr(nearby, "_DENSE_TEXT_FRACTION", 0.0)
    index = NearbyIndex.build(catalogue, cell_deg=0.004)
    assert_same_as_brute_force(index, catalogue, seed=2, count=40)


def test_get_finds_every_camera(index: NearbyIndex, catalogue: list[CameraRecord]) -> None:
    for row in range(0, len(catalogue), 97):
        assert index.get(catalogue[row].device_id) == row
