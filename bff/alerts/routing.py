"""Who receives an alert (预警分发): the departments its type is routed to, narrowed to
the active users whose region scope contains the camera.

Routes live in `alert_route` (seeded by migration 0003 with the defaults: flooding → 15
水务 and 21 应急; kitchen_* → 24 市场监管; forest_fire → 21 应急; smuggling_intrusion →
06 公安; camera_offline → the camera's owner and 29 政数). The region test is the
policy's own (`civil_code_in_region`), so "in my area" means the same for alerts as for
viewing cameras.

A user who muted the type (`alert_mute`, 免打扰) is skipped unless their department is one
the route names as required (`required_dept_codes`): those cannot opt out."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bff.alerts.models import AlertMute, AlertRoute
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
    return _departments(route, camera)


def _departments(route: AlertRoute | None, camera: RoutedCamera) -> set[str]:
    if route is None:
        return set()
    departments = set(route.dept_codes)
    if route.to_owner:
        departments.add(camera.dept_code)
    return departments


async def recipients(db: AsyncSession, alert_type: str, camera: RoutedCamera) -> list[int]:
    """Ids of the active users of the routed departments whose region scope contains the
    camera and who have not muted the type (or may not: their department is required),
    in id order."""
    route = await AlertRouteRepository(session=db).get_one_or_none(type=alert_type)
    departments = _departments(route, camera)
    if route is None or not departments:
        return []
    required = set(route.required_dept_codes or ())
    muted = set((await db.scalars(
        select(AlertMute.user_id).where(AlertMute.type == alert_type))).all())
    rows = (await db.execute(
        select(User.id, User.region_prefix, User.dept_code)
        .where(User.dept_code.in_(departments), User.is_active.is_(True))
        .order_by(User.id))).all()
    return [user_id for user_id, region, dept_code in rows
            if in_region(camera.civil_code, region)
            and (user_id not in muted or dept_code in required)]


def in_region(civil_code: str, region: str) -> bool:
    """The policy's region test; False for a malformed region."""
    try:
        return civil_code_in_region(civil_code, region)
    except ValueError:  # a malformed region on an account reaches nothing, not everything
        return False
