"""Routing: the departments of the type's route (and the owner for camera_offline),
narrowed to active users whose region scope contains the camera."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from bff.alerts.models import AlertMute, AlertRoute
from bff.alerts.routing import recipients
from bff.auth.departments import seed_departments
from bff.auth.models import User
from bff.lib.db import Database, create_database
from bff.lib.settings import DatabaseSettings
from bff.migrate import upgrade_to_head

# username, department, region, active
PEOPLE = (
    ("water_city", "15", "4415", True),
    ("water_lufeng", "15", "441581", True),
    ("water_gone", "15", "4415", False),
    ("emergency_chengqu", "21", "441502", True),
    ("police_chengqu", "06", "441502", True),
    ("market_city", "24", "4415", True),
    ("datagov_city", "29", "4415", True),
    ("health_city", "19", "4415", True),
    ("odd_region", "15", "44x", True),
)


@dataclass
class Camera:
    civil_code: str
    dept_code: str


CHENGQU_HEALTH = Camera(civil_code="441502", dept_code="19")
LUFENG_POLICE = Camera(civil_code="441581", dept_code="06")


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    database = create_database(DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path}/r.db"))
    await upgrade_to_head(database)
    await seed_departments(database)
    async with database.sessions() as db, db.begin():
        db.add_all([User(username=name, display_name=name, staff_no=name, password_hash="x",
                         dept_code=dept, region_prefix=region, role="duty_staff",
                         is_active=active) for name, dept, region, active in PEOPLE])
    yield database
    await database.close()


async def names(database: Database, alert_type: str, camera: Camera) -> set[str]:
    async with database.sessions() as db:
        ids = await recipients(db, alert_type, camera)
        found = (await db.scalars(select(User.username).where(User.id.in_(ids)))).all()
    assert len(found) == len(ids)
    return set(found)


async def test_flooding_goes_to_water_and_emergency_within_their_region(
        database: Database) -> None:
    assert await names(database, "flooding", CHENGQU_HEALTH) == {
        "water_city", "emergency_chengqu"}
    assert await names(database, "flooding", LUFENG_POLICE) == {"water_city", "water_lufeng"}


async def test_kitchen_types_go_to_market_supervision(database: Database) -> None:
    for kind in ("kitchen_no_hat", "kitchen_rodent", "kitchen_garbage"):
        assert await names(database, kind, CHENGQU_HEALTH) == {"market_city"}


async def test_forest_fire_and_smuggling(database: Database) -> None:
    assert await names(database, "forest_fire", CHENGQU_HEALTH) == {"emergency_chengqu"}
    assert await names(database, "smuggling_intrusion", CHENGQU_HEALTH) == {"police_chengqu"}
    assert await names(database, "smuggling_intrusion", LUFENG_POLICE) == set()


async def test_camera_offline_goes_to_the_owner_and_data_governance(database: Database) -> None:
    assert await names(database, "camera_offline", CHENGQU_HEALTH) == {
        "health_city", "datagov_city"}
    assert await names(database, "camera_offline", LUFENG_POLICE) == {"datagov_city"}


async def test_a_type_without_route_reaches_nobody(database: Database) -> None:
    assert await names(database, "volcano", CHENGQU_HEALTH) == set()


async def _user_id(database: Database, username: str) -> int:
    async with database.sessions() as db:
        return (await db.scalars(select(User.id).where(User.username == username))).one()


async def test_muted_users_are_skipped_unless_their_department_is_required(
        database: Database) -> None:
    water_city = await _user_id(database, "water_city")
    async with database.sessions() as db, db.begin():
        db.add(AlertMute(user_id=water_city, type="flooding"))
    assert await names(database, "flooding", CHENGQU_HEALTH) == {"emergency_chengqu"}
    # A mute of one type leaves the others alone.
    assert await names(database, "camera_offline", CHENGQU_HEALTH) == {
        "health_city", "datagov_city"}

    async with database.sessions() as db, db.begin():
        route = await db.get(AlertRoute, "flooding")
        route.required_dept_codes = ["15"]
    assert await names(database, "flooding", CHENGQU_HEALTH) == {
        "water_city", "emergency_chengqu"}
