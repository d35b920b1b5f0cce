"""Muting alert types (预警免打扰): a user turns off types they do not want, except those
their department is required to receive (the route's `required_dept_codes`).

The types offered are those that can reach the user: routed to their department, or
routed to a camera's owning department (camera_offline: any department may own the
camera). Routing (`routing.recipients`) applies the mutes at ingest.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bff.alerts.errors import AlertInvalid, MuteRefused
from bff.alerts.models import AlertMute, AlertRoute
from bff.alerts.schemas import MuteView
from bff.alerts.types import AlertTypes
from bff.audit.services import AuditAction, AuditLog
from bff.auth.schemas import SignedInUser
from bff.lib.db import Database


class MuteService:
    """The user's muted types: what they may mute, and changing it (audited)."""

    def __init__(self, database: Database, types: AlertTypes, audit: AuditLog) -> None:
        self._database = database
        self._types = types
        self._audit = audit

    async def mutes_for(self, user: SignedInUser, locale: str = "zh-CN") -> list[MuteView]:
        """The types that can reach the user, registry order, each muted or not and
        required or not."""
        async with self._database.sessions() as db:
            routes = {route.type: route for route in (await db.scalars(select(AlertRoute))).all()}
            muted = set((await db.scalars(
                select(AlertMute.type).where(AlertMute.user_id == user.id))).all())
        views = []
        for info in self._types.all():
            route = routes.get(info.code)
            if route is None or not (route.to_owner or user.dept_code in route.dept_codes):
                continue
            required = user.dept_code in (route.required_dept_codes or [])
            views.append(MuteView(type=info.code, label=self._types.label(info.code, locale),
                                  muted=info.code in muted and not required,
                                  required=required))
        return views

    async def set_mutes(self, user: SignedInUser, muted: list[str],
                        locale: str = "zh-CN") -> list[MuteView]:
        """Make `muted` the user's whole set of muted types. AlertInvalid for a code the
        registry lacks, MuteRefused for a type the user's department must receive."""
        wanted = sorted(set(muted))
        for code in wanted:
            if code not in self._types:
                raise AlertInvalid(f"Invalid enum value {code!r} - at `$.muted`")
        try:
            before = await self._replace(user, wanted)
        except IntegrityError:  # the same user's other request wrote at the same moment
            before = await self._replace(user, wanted)
        if before != wanted:
            await self._audit.record(AuditAction.ALERT_MUTES_UPDATE, actor_id=user.id,
                                     actor=user.username, target=f"user:{user.id}",
                                     detail={"before": before, "after": wanted})
        return await self.mutes_for(user, locale)

    async def _replace(self, user: SignedInUser, wanted: list[str]) -> list[str]:
        """Replace the user's mutes in one transaction; the set before."""
        async with self._database.sessions() as db, db.begin():
            routes = {route.type: route
                      for route in (await db.scalars(select(AlertRoute))).all()}
            for code in wanted:
                route = routes.get(code)
                if route is not None and user.dept_code in (route.required_dept_codes or []):
                    raise MuteRefused(code)
            before = sorted((await db.scalars(
                select(AlertMute.type).where(AlertMute.user_id == user.id))).all())
            await db.execute(delete(AlertMute).where(AlertMute.user_id == user.id))
            db.add_all([AlertMute(user_id=user.id, type=code) for code in wanted])
        return before
