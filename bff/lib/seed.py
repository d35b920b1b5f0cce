"""First-run data for the embedded default: departments, demo accounts, demo catalogue."""

from __future__ import annotations

import logging

from sqlalchemy import func, insert, select

from bff.auth.departments import DEPARTMENTS
from bff.auth.models import Department, Role, User
from bff.auth.passwords import hash_password
from bff.catalog.models import Camera
from bff.catalog.services import camera_row
from bff.lib.db import Database
from bff.platform.demo import DemoPlatform

log = logging.getLogger(__name__)

# username, display name, staff number, department, region prefix, role
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str, str, Role], ...] = (
    ("police01", "陈志强", "J441502017", "06", "441502", Role.OFFICER),
    ("grid01", "林小燕", "W441581203", "99", "441581", Role.GRID_WORKER),
    ("water01", "黄海涛", "S441500031", "15", "4415", Role.DUTY_STAFF),
    ("market01", "吴丽娟", "M441500052", "24", "4415", Role.DUTY_STAFF),
    ("approver01", "郑国栋", "M441500008", "24", "4415", Role.APPROVER),
    ("admin", "蔡文华", "Z441500001", "29", "4415", Role.ADMIN),
)


async def seed_departments(database: Database) -> None:
    async with database.sessions() as session, session.begin():
        known = set((await session.scalars(select(Department.code))).all())
        missing = [{"code": c, "name": n} for c, n in DEPARTMENTS.items() if c not in known]
        if missing:
            await session.execute(insert(Department), missing)


async def seed_demo_users(database: Database, password: str) -> int:
    """Create the demo accounts that do not exist yet; return how many were created."""
    await seed_departments(database)
    async with database.sessions() as session, session.begin():
        existing = set((await session.scalars(select(User.username))).all())
        created = 0
        for username, name, staff_no, dept, region, role in DEMO_ACCOUNTS:
            if username in existing:
                continue
            session.add(User(username=username, display_name=name, staff_no=staff_no,
                             password_hash=hash_password(password), dept_code=dept,
                             region_prefix=region, role=role.value))
            created += 1
    return created


async def seed_catalogue(database: Database, platform: DemoPlatform) -> int:
    """Copy the demo platform's full appendix-5 catalogue into an empty camera table."""
    async with database.sessions() as session:
        if await session.scalar(select(func.count()).select_from(Camera)):
            return 0
    written = 0
    async with database.sessions() as session, session.begin():
        async for page in platform.catalogue():
            await session.execute(insert(Camera), [camera_row(r) for r in page])
            written += len(page)
    log.info("demo catalogue seeded: %d cameras", written)
    return written
