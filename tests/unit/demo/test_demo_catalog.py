"""The demo catalogue: the plan's exact figures, valid fields, realistic structure."""

from __future__ import annotations

import ipaddress
import re
from collections import Counter

import msgspec
import pytest

from bff.catalog.districts import (
    DISTRICTS,
    HONGHAIWAN_CIVIL_CODE,
    HUAQIAO_CIVIL_CODE,
    district_of,
)
from bff.catalog.gbt28181 import (
    SHANWEI_COUNTIES,
    check_device_code,
    is_valid_civil_code,
    network_digit_agrees,
)
from bff.catalog.geo import haversine_m
from bff.catalog.schemas import (
    CAMERA_TYPES,
    CODECS,
    DEPT_CODES,
    NETWORKS,
    POINT_CLASSES,
    SHARE_ATTRS,
    STATUSES,
    CameraRecord,
)
from bff.demo.catalogue import (
    CLASS_COUNTS,
    CONNECTED_TOTAL,
    POSITION_TYPES,
    generate_demo_catalogue,
    scaled_counts,
)
from bff.lib.vocabulary import PERMISSIONS, PTZ_CAMERA_TYPES

VENDORS = frozenset(range(1, 18)) | {99}  # appendix 5 设备厂商


@pytest.fixture(scope="module")
def catalogue() -> list[CameraRecord]:
    return generate_demo_catalogue()


def test_district_counts_are_the_plans(catalogue: list[CameraRecord]) -> None:
    counts = Counter(district_of(r.civil_code).name for r in catalogue)  # type: ignore[union-attr]
    assert counts == {
        "城区": 2_882,
        "海丰县": 5_508,
        "陆丰市": 9_285,
        "陆河县": 1_666,
        "红海湾": 249,
        "华侨区": 49,
    }
    assert len(catalogue) == CONNECTED_TOTAL == sum(d.connected for d in DISTRICTS)


def test_point_class_counts_are_the_plans(catalogue: list[CameraRecord]) -> None:
    assert Counter(r.point_class for r in catalogue) == {1: 7_678, 2: 994, 3: 10_967}


def test_scaled_counts_use_largest_remainder() -> None:
    assert scaled_counts({"a": 1, "b": 1, "c": 1}, 10) == {"a": 4, "b": 3, "c": 3}
    assert scaled_counts({"a": 2, "b": 1}, 0) == {"a": 0, "b": 0}
    big = scaled_counts({d.key: d.connected for d in DISTRICTS}, 79_546)
    assert sum(big.values()) == 79_546
    for d in DISTRICTS:
        assert abs(big[d.key] - d.connected * 79_546 / CONNECTED_TOTAL) < 1
    with pytest.raises(ValueError):
        scaled_counts({"a": 1}, -1)


@pytest.mark.parametrize("total", [0, 1, 7, 500, 3_001])
def test_other_totals_scale_both_splits(total: int) -> None:
    records = generate_demo_catalogue(total)
    assert len(records) == total
    districts = Counter(district_of(r.civil_code).key for r in records)  # type: ignore[union-attr]
    expected = scaled_counts({d.key: d.connected for d in DISTRICTS}, total)
    assert {k: v for k, v in expected.items() if v} == dict(districts)
    classes = Counter(r.point_class for r in records)
    expected_classes = scaled_counts(dict(CLASS_COUNTS), total)
    assert {k: v for k, v in expected_classes.items() if v} == dict(classes)


def test_generation_is_deterministic(catalogue: list[CameraRecord]) -> None:
    again = generate_demo_catalogue()
    assert msgspec.json.encode(again) == msgspec.json.encode(catalogue)
    other = generate_demo_catalogue(seed=1)
    assert msgspec.json.encode(other) != msgspec.json.encode(catalogue)


def test_every_field_is_valid(catalogue: list[CameraRecord]) -> None:
    for r in catalogue:
        # Round-tripping through msgspec validates every field's type.
        assert msgspec.convert(msgspec.to_builtins(r), CameraRecord) == r
        assert 0 < len(r.name) <= 100 and 0 < len(r.address) <= 100
        assert r.civil_code in {d.civil_code for d in DISTRICTS}
        assert r.grassroots_code is not None and len(r.grassroots_code) <= 10
        assert r.grassroots_code.startswith(r.civil_code)
        for unit in (r.builder_unit, r.manager_unit, r.contractor, r.maintainer):
            assert 0 < len(unit) <= 256
        assert re.fullmatch(r"0660-\d{7}|1\d{10}", r.manager_phone)
        assert r.point_class in POINT_CLASSES
        assert r.dept_code in DEPT_CODES
        assert r.camera_type in CAMERA_TYPES
        assert r.online in (1, 2)
        assert r.position_types and set(r.position_types) <= set(POSITION_TYPES)
        assert r.coord_system in ("WGS84", "CGCS2000")
        assert r.network in NETWORKS
        assert r.retention_days in (30, 90)
        assert r.share_attr in SHARE_ATTRS
        assert (
            r.default_perms == sorted(set(r.default_perms)) and set(r.default_perms) <= PERMISSIONS
        )
        assert 1 in r.default_perms
        assert r.vendor in VENDORS
        assert r.codec in CODECS
        assert r.status in STATUSES
        assert r.indoor_outdoor in (1, 2)
        assert r.direction is not None and 1 <= r.direction <= 9
        if r.pole_id is not None:
            assert re.fullmatch(r"\d{12}", r.pole_id) and r.pole_id.startswith(r.civil_code)
        if r.ipv4 is not None:
            assert ipaddress.ip_address(r.ipv4).is_private
        if r.mac is not None:
            assert re.fullmatch(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}", r.mac)
        assert check_device_code(r.platform_id, camera=False) == []


def test_fields_are_consistent_with_each_other(catalogue: list[CameraRecord]) -> None:
    for r in catalogue:
        if r.status != 1:
            assert r.online == 2  # under repair or removed cameras are not online
        if 4 in r.default_perms:
            assert r.camera_type in PTZ_CAMERA_TYPES  # PTZ permission only where PTZ exists
        if r.indoor_outdoor == 2:
            assert r.pole_id is None
        if not r.code_flags:
            assert network_digit_agrees(r.network, r.device_id[13])
            assert (r.device_id[10:13] == "121") == (r.camera_type == 5)


def test_purposes_have_fitting_owners_and_equipment(catalogue: list[CameraRecord]) -> None:
    kitchens = [r for r in catalogue if "明厨亮灶" in r.name]
    forest = [r for r in catalogue if "林火" in r.name]
    flood = [r for r in catalogue if "易涝点" in r.name]
    reservoirs = [r for r in catalogue if "水库" in r.name and r.dept_code == "15"]
    assert len(kitchens) > 500 and len(forest) > 20 and flood and reservoirs
    assert all(r.dept_code == "24" and r.indoor_outdoor == 2 for r in kitchens)
    assert all(r.camera_type in (2, 3) for r in kitchens)  # fixed cameras in kitchens
    assert all(r.dept_code == "21" and r.camera_type in PTZ_CAMERA_TYPES for r in forest)
    assert all(r.dept_code == "15" for r in flood)
    class_one = Counter(r.dept_code for r in catalogue if r.point_class == 1)
    assert class_one.most_common(1)[0][0] == "06" and class_one["06"] > 0.85 * sum(
        class_one.values()
    )


def test_mixes_look_like_a_real_platform(catalogue: list[CameraRecord]) -> None:
    n = len(catalogue)
    assert 0.87 < sum(r.online == 1 for r in catalogue) / n < 0.93
    assert sum(r.status == 1 for r in catalogue) / n > 0.95
    assert sum(r.codec == 2 for r in catalogue) / n > 0.7
    shares = Counter(r.share_attr for r in catalogue)
    assert shares[0] > 0.5 * n and shares[1] > 0.1 * n and shares[2] > 0.05 * n
    police = [r for r in catalogue if r.dept_code == "06"]
    others = [r for r in catalogue if r.dept_code != "06"]
    police_closed = sum(r.share_attr == 2 for r in police) / len(police)
    others_closed = sum(r.share_attr == 2 for r in others) / len(others)
    assert police_closed > 3 * others_closed  # police cameras are the more restricted ones
    assert Counter(r.retention_days for r in catalogue)[90] > 0


def test_coordinates_lie_in_their_district(catalogue: list[CameraRecord]) -> None:
    for r in catalogue:
        district = district_of(r.civil_code)
        assert district is not None
        min_lon, min_lat, max_lon, max_lat = district.bbox
        assert min_lon <= r.longitude <= max_lon and min_lat <= r.latitude <= max_lat, r.name


def test_cameras_cluster_around_places(catalogue: list[CameraRecord]) -> None:
    # Sites share a position: many cameras have another camera within 30 m.
    sample = catalogue[::50]
    seats = {d.civil_code: d.centre for d in DISTRICTS}
    near_seat = sum(
        haversine_m(r.latitude, r.longitude, seats[r.civil_code][1], seats[r.civil_code][0]) < 5_000
        for r in sample
    )
    # Uniform noise over the district boxes would put far fewer cameras near the seats.
    assert near_seat / len(sample) > 0.3
    positions = Counter((round(r.latitude, 3), round(r.longitude, 3)) for r in catalogue)
    shared = sum(count for count in positions.values() if count > 1)
    assert shared / len(catalogue) > 0.4


def test_about_one_percent_of_codes_are_flagged(catalogue: list[CameraRecord]) -> None:
    flagged = [r for r in catalogue if r.code_flags]
    assert len(flagged) == round(CONNECTED_TOTAL * 0.01)
    for r in catalogue:
        assert r.code_flags == check_device_code(r.device_id, civil_code=r.civil_code)
    kinds = Counter(flag for r in flagged for flag in r.code_flags)
    assert {"length", "non_digit", "type", "industry"} <= set(kinds)
    assert len({r.device_id for r in catalogue}) == len(catalogue)


def test_valid_codes_carry_the_civil_code(catalogue: list[CameraRecord]) -> None:
    for r in catalogue:
        if not r.code_flags:
            assert r.device_id[:6] in (r.civil_code, "441500")


def test_district_table_and_lookup() -> None:
    assert district_of("441581").name == "陆丰市"  # type: ignore[union-attr]
    assert district_of("441581103").name == "陆丰市"  # type: ignore[union-attr]
    assert district_of("441502").full_name == "汕尾市城区"  # type: ignore[union-attr]
    assert district_of("440000") is None
    for d in DISTRICTS:
        assert is_valid_civil_code(d.civil_code)
        assert d.local_code == (d.civil_code not in SHANWEI_COUNTIES)
        min_lon, min_lat, max_lon, max_lat = d.bbox
        assert min_lon < d.centre[0] < max_lon and min_lat < d.centre[1] < max_lat
    assert {HONGHAIWAN_CIVIL_CODE, HUAQIAO_CIVIL_CODE} == {
        d.civil_code for d in DISTRICTS if d.local_code
    }
