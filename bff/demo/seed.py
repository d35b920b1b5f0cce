"""First-run data of the embedded default: the demo accounts and the demo catalogue.

`DemoPlatform.seed_first_run` calls this when `BFF_DEMO_SEED` is on; a real deployment
creates accounts with `bff create-user` and loads the city catalogue with
`bff catalog import`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from sqlalchemy import func, insert, select

from bff.auth.departments import seed_departments
from bff.auth.models import Role, User
from bff.auth.passwords import hash_password
from bff.catalog.models import Camera
from bff.catalog.rows import camera_row
from bff.catalog.schemas import CameraRecord
from bff.lib.db import Database

log = logging.getLogger(__name__)

# username, display name, staff number, department, region prefix, role
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str, str, Role], ...] = (
    ("police01", "陈志强", "J441502017", "06", "441502", Role.OFFICER),
    ("grid01", "林小燕", "W441581203", "99", "441581", Role.GRID_WORKER),
    ("water01", "黄海涛", "S441500031", "15", "4415", Role.DUTY_STAFF),
    ("market01", "吴丽娟", "M441500052", "24", "4415", Role.DUTY_STAFF),
    ("approver01", "郑国栋", "M441500008", "24", "4415", Role.APPROVER),
    ("approver02", "许建明", "J441500012", "06", "4415", Role.APPROVER),
    ("approver03", "庄丽萍", "S441500009", "15", "4415", Role.APPROVER),
    ("admin", "蔡文华", "Z441500001", "29", "4415", Role.ADMIN),
)


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


async def seed_catalogue(database: Database,
                         pages: AsyncIterator[list[CameraRecord]]) -> int:
    """Copy the demo platform's full appendix-5 catalogue into an empty camera table."""
    async with database.sessions() as session:
        if await session.scalar(select(func.count()).select_from(Camera)):
            return 0
    written = 0
    async with database.sessions() as session, session.begin():
        async for page in pages:
            await session.execute(insert(Camera), [camera_row(r) for r in page])
            written += len(page)
    log.info("demo catalogue seeded: %d cameras", written)
    return written
