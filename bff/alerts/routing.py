"""Who receives an alert (预警分发): the departments its type is routed to, narrowed to
the active users whose region scope contains the camera.

Routes live in `alert_route` (seeded by migration 0003 with the defaults: flooding → 15
水务 and 21 应急; kitchen_* → 24 市场监管; forest_fire → 21 应急; smuggling_intrusion →
06 公安; camera_offline → the camera's owner and 29 政数). The region test is the
policy's own (`civil_code_in_region`), so "in my area" means the same for alerts as for
viewing cameras."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bff.alerts.repositories import AlertRouteRepository
from bff.auth.models import User
from bff.lib.vocabulary import civil_code_in_region


class RoutedCamera(Protocol):
    """What routing needs from a camera (a CameraRecord, an ORM row …)."""

    civil_code: str
    dept_code: str


async def route_departments(db: AsyncSession, alert_type: str,
                            camera: RoutedCamera) -> set[str]:
    """Department codes that receive `alert_type` raised at `camera` (none when the type
    has no route)."""
    route = await AlertRouteRepository(session=db).get_one_or_none(type=alert_type)
    if route is None:
        return set()
    departments = set(route.dept_codes)
    if route.to_owner:
        departments.add(camera.dept_code)
    return departments


async def recipients(db: AsyncSession, alert_type: str, camera: RoutedCamera) -> list[int]:
    """Ids of the active users of the routed departments whose region scope contains the
    camera, in id order."""
    departments = await route_departments(db, alert_type, camera)
    if not departments:
        return []
    rows = (await db.execute(
        select(User.id, User.region_prefix)
        .where(User.dept_code.in_(departments), User.is_active.is_(True))
        .order_by(User.id))).all()
    return [user_id for user_id, region in rows
            if _in_region(camera.civil_code, region)]


def _in_region(civil_code: str, region: str) -> bool:
    try:
        return civil_code_in_region(civil_code, region)
    except ValueError:  # a malformed region on an account reaches nothing, not everything
        return False
