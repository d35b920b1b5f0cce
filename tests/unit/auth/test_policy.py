"""分权分域: the scalar rules, and the vectorized rules agreeing with them everywhere."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

import numpy as np
import pytest

from bff.auth.policy import (
    ACCESS_LABELS,
    AccessScope,
    CameraColumns,
    access_codes,
    access_label,
    access_labels,
    may_administer,
    may_control,
    may_request,
    may_use,
    requestable_mask,
    usable_mask,
)
from bff.catalog.schemas import CameraRecord
from bff.demo.catalogue import generate_demo_catalogue


@dataclass
class Cam:
    """The fields a decision reads; anything with them works (CameraRecord, ORM rows)."""

    device_id: str = "44158100001320000001"
    civil_code: str = "441581"
    dept_code: str = "24"
    status: int = 1
    share_attr: int = 0
    default_perms: list[int] = field(default_factory=lambda: [1, 2])
    camera_type: int = 2


MARKET_LUFENG = AccessScope(user_id=1, dept_code="24", region_prefix="441581")
POLICE_CITY = AccessScope(user_id=2, dept_code="06", region_prefix="4415")


def test_own_department_with_default_permission() -> None:
    cam = Cam()
    assert may_use(MARKET_LUFENG, cam, 1)
    assert may_use(MARKET_LUFENG, cam, 2)
    assert not may_use(MARKET_LUFENG, cam, 4)  # PTZ is not a default permission here
    assert may_request(MARKET_LUFENG, cam, 4)
    assert not may_request(MARKET_LUFENG, cam, 1)  # already usable: nothing to ask for
    assert access_label(MARKET_LUFENG, cam) == "may_view"


def test_other_department_needs_a_grant() -> None:
    cam = Cam()
    assert not may_use(POLICE_CITY, cam, 1)
    assert may_request(POLICE_CITY, cam, 1)
    assert access_label(POLICE_CITY, cam) == "request"
    granted = AccessScope(
        user_id=2, dept_code="06", region_prefix="4415", grants={cam.device_id: frozenset({1})}
    )
    assert may_use(granted, cam, 1)
    assert not may_use(granted, cam, 2)  # the grant covers live view only
    assert may_request(granted, cam, 2)
    assert access_label(granted, cam) == "may_view"


def test_region_scope_is_a_civil_code_prefix() -> None:
    chengqu_camera = Cam(civil_code="441502")
    assert not may_use(MARKET_LUFENG, chengqu_camera, 1)
    assert access_label(MARKET_LUFENG, chengqu_camera) == "out_of_scope"
    assert not may_request(MARKET_LUFENG, chengqu_camera, 1)
    city = AccessScope(user_id=3, dept_code="24", region_prefix="441500")  # = "4415"
    assert may_use(city, chengqu_camera, 1)
    # Even a grant does not reach outside the region scope (SPEC §4.3: "and in scope").
    granted = AccessScope(
        user_id=1, dept_code="24", region_prefix="441581",
        grants={chengqu_camera.device_id: frozenset({1, 2})},
    )  # fmt: skip
    assert not may_use(granted, chengqu_camera, 1)


@pytest.mark.parametrize("status", [2, 3, 0])
def test_cameras_not_in_use_are_unavailable(status: int) -> None:
    cam = Cam(status=status)
    granted = AccessScope(
        user_id=1, dept_code="24", region_prefix="441581", grants={cam.device_id: frozenset({1})}
    )
    assert not may_use(granted, cam, 1)
    assert not may_request(granted, cam, 1)
    assert access_label(granted, cam) == "unavailable"
    assert (
        access_label(AccessScope(user_id=9, dept_code="01", region_prefix="35"), cam)
        == "unavailable"
    )


def test_sharing_attribute_decides_requests() -> None:
    assert access_label(POLICE_CITY, Cam(share_attr=0)) == "request"
    assert access_label(POLICE_CITY, Cam(share_attr=1)) == "request"
    closed = Cam(share_attr=2)
    assert access_label(POLICE_CITY, closed) == "not_shared"
    assert not may_request(POLICE_CITY, closed, 1)
    assert access_label(MARKET_LUFENG, closed) == "may_view"  # the owner still sees it
    assert access_label(POLICE_CITY, Cam(share_attr=7)) == "not_shared"  # unknown: fail closed


def test_administrators_follow_the_same_rule() -> None:
    admin = AccessScope(user_id=4, dept_code="29", region_prefix="4415", role="admin")
    assert admin.is_admin
    cam = Cam()
    assert not may_use(admin, cam, 1)
    assert access_label(admin, cam) == "request"
    with_grant = AccessScope(
        user_id=4, dept_code="29", region_prefix="4415", role="admin",
        grants={cam.device_id: frozenset({1})},
    )  # fmt: skip
    assert may_use(with_grant, cam, 1)


def test_only_administrators_administer() -> None:
    assert may_administer("admin")
    assert not any(may_administer(role) for role in
                   ("officer", "grid_worker", "duty_staff", "approver", "", "Admin"))


def test_only_ptz_cameras_with_permission_4_get_the_pad() -> None:
    police = AccessScope(user_id=7, dept_code="06", region_prefix="441502")
    ptz_camera = Cam(civil_code="441502", dept_code="06", camera_type=1, default_perms=[1, 2, 4])
    assert may_control(police, ptz_camera)
    assert may_control(police, replace(ptz_camera, camera_type=4))  # 云台枪机
    assert not may_control(police, replace(ptz_camera, default_perms=[1, 2]))
    assert not may_control(police, replace(ptz_camera, camera_type=2))  # no PTZ head
    elsewhere = AccessScope(user_id=7, dept_code="06", region_prefix="441581")
    assert not may_control(elsewhere, ptz_camera)
    # Another department steers only with a grant of permission 4.
    other = replace(ptz_camera, dept_code="15")
    assert not may_control(police, other)
    granted = AccessScope(user_id=7, dept_code="06", region_prefix="441502",
                          grants={other.device_id: frozenset({4})})
    assert may_control(granted, other)
    assert not may_control(granted, replace(other, camera_type=3))


def test_malformed_inputs_fail_closed() -> None:
    cam = Cam()
    assert not may_use(MARKET_LUFENG, cam, 0)
    assert not may_use(MARKET_LUFENG, cam, 9)
    assert not may_request(MARKET_LUFENG, cam, 9)
    sloppy = AccessScope(user_id=5, dept_code="6", region_prefix="4415")
    assert not may_use(sloppy, Cam(dept_code="6"), 1)  # department codes are two digits
    assert not may_use(MARKET_LUFENG, Cam(civil_code="4415"), 1)
    with pytest.raises(ValueError):
        may_use(AccessScope(user_id=5, dept_code="24", region_prefix="44x"), cam, 1)


# --- vectorized == scalar --------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogue() -> list[CameraRecord]:
    return generate_demo_catalogue()


def _scopes(catalogue: list[CameraRecord]) -> list[AccessScope]:
    rng = random.Random(11)
    picked = rng.sample(catalogue, 400)
    grants = {
        r.device_id: frozenset(rng.sample([1, 2, 3, 4, 5], rng.randint(1, 3))) for r in picked
    }
    grants["no-such-camera"] = frozenset({1, 2})
    grants[catalogue[0].device_id] = frozenset({9, 1})  # nonsense permission ignored
    return [
        AccessScope(user_id=1, dept_code="06", region_prefix="4415"),
        AccessScope(user_id=2, dept_code="24", region_prefix="441581"),
        AccessScope(user_id=3, dept_code="15", region_prefix="441500", grants=grants),
        AccessScope(user_id=4, dept_code="29", region_prefix="4415", grants=grants, role="admin"),
        AccessScope(user_id=5, dept_code="99", region_prefix="441571"),
        AccessScope(user_id=6, dept_code="03", region_prefix=""),
        AccessScope(user_id=7, dept_code="6", region_prefix="44", grants=grants),
        AccessScope(user_id=8, dept_code="21", region_prefix="3502"),
    ]


def test_vectorized_rules_agree_with_scalar_rules(catalogue: list[CameraRecord]) -> None:
    columns = CameraColumns.from_records(catalogue)
    for scope in _scopes(catalogue):
        codes = access_codes(scope, columns)
        expected = [access_label(scope, r) for r in catalogue]
        assert [ACCESS_LABELS[c] for c in codes.tolist()] == expected
        for permission in (0, 1, 2, 3, 4, 5, 6):
            usable = usable_mask(scope, columns, permission)
            assert usable.tolist() == [may_use(scope, r, permission) for r in catalogue]
            requestable = requestable_mask(scope, columns, permission)
            assert requestable.tolist() == [may_request(scope, r, permission) for r in catalogue]


def test_vectorized_rules_on_row_subsets(catalogue: list[CameraRecord]) -> None:
    columns = CameraColumns.from_records(catalogue)
    rows = np.array(sorted(random.Random(3).sample(range(len(catalogue)), 2_000)), dtype=np.int64)
    for scope in _scopes(catalogue):
        assert access_labels(scope, columns, rows) == [
            access_label(scope, catalogue[i]) for i in rows
        ]
        subset = usable_mask(scope, columns, 2, rows).tolist()
        assert subset == [may_use(scope, catalogue[i], 2) for i in rows]


def test_vectorized_rules_survive_reordering(catalogue: list[CameraRecord]) -> None:
    order = np.array(random.Random(5).sample(range(len(catalogue)), len(catalogue)), dtype=np.int64)
    columns = CameraColumns.from_records(catalogue).take(order)
    reordered = [catalogue[i] for i in order]
    for scope in _scopes(catalogue)[2:4]:
        assert usable_mask(scope, columns, 1).tolist() == [may_use(scope, r, 1) for r in reordered]


def test_duplicate_device_ids_are_all_granted() -> None:
    cams = [
        Cam(device_id="A", dept_code="01"),
        Cam(device_id="B", dept_code="01"),
        Cam(device_id="A", dept_code="01"),
    ]
    columns = CameraColumns.from_records(cams)
    rows, which = columns.rows_of(["A", "C"])
    assert sorted(rows.tolist()) == [0, 2] and which.tolist() == [0, 0]
    scope = AccessScope(
        user_id=1, dept_code="24", region_prefix="4415", grants={"A": frozenset({1})}
    )
    assert (
        usable_mask(scope, columns, 1).tolist()
        == [may_use(scope, c, 1) for c in cams]
        == [True, False, True]
    )


def test_empty_catalogue() -> None:
    columns = CameraColumns.from_records([])
    assert len(columns) == 0
    assert access_codes(POLICE_CITY, columns).tolist() == []
