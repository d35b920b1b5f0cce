"""Administration of alert types and routes (预警类型与分发规则), for 市视频办 administrators.

The type registry (`AlertTypes`) is shared by everything that checks or shows a type; this
service keeps it in step with the `alert_type` table: loaded at start, reloaded after an
administrator's change here, and every `refresh_s` so other processes see it too. Routes
are the `alert_route` rows routing reads at ingest; every change is audited with what the
route was before.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bff.alerts.errors import (
    AlertTypeExists,
    AlertTypeUnknown,
    RequiredNotRouted,
    UnknownDepartments,
)
from bff.alerts.models import AddedAlertType, AlertRoute
from bff.alerts.schemas import NewAlertType, RouteUpdate, RouteView
from bff.alerts.types import AlertTypeInfo, AlertTypes, Urgency
from bff.audit.services import AuditAction, AuditLog
from bff.auth.models import Department
from bff.auth.schemas import SignedInUser
from bff.lib.db import Database
from bff.lib.periodic import repeat_every

log = logging.getLogger(__name__)


def _info(row: AddedAlertType) -> AlertTypeInfo:
    try:
        urgency = Urgency(row.urgency)
    except ValueError:  # written by a newer version: deliver it, at normal urgency
        urgency = Urgency.NORMAL
    return AlertTypeInfo(code=row.code, urgency=urgency, ttl_s=row.ttl_s,
                         label_zh=row.label_zh, label_en=row.label_en)


def _route_detail(route: AlertRoute | None) -> dict[str, object] | None:
    if route is None:
        return None
    return {"dept_codes": list(route.dept_codes), "to_owner": route.to_owner,
            "required_dept_codes": list(route.required_dept_codes or [])}


class AlertAdminService:
    """Lists types with their routes, changes a route, adds a type; keeps the registry."""

    def __init__(self, database: Database, types: AlertTypes, audit: AuditLog) -> None:
        self._database = database
        self._types = types
        self._audit = audit

    async def load_types(self) -> None:
        """Replace the registry's added types with the table's."""
        async with self._database.sessions() as db:
            rows = (await db.scalars(select(AddedAlertType))).all()
        self._types.replace_added(_info(row) for row in rows)

    async def watch_types(self, refresh_s: float) -> None:
        """Reload the added types every `refresh_s` until cancelled (other processes'
        additions); a failed round is retried at the next."""
        await repeat_every(refresh_s, self.load_types, "alert type reload")

    async def departments(self) -> list[tuple[str, str]]:
        """(code, name) of every department, by code: the admin page's checkboxes."""
        async with self._database.sessions() as db:
            rows = (await db.execute(select(Department.code, Department.name)
                                     .order_by(Department.code))).all()
        return [(code, name) for code, name in rows]

    async def routes(self, locale: str = "zh-CN") -> list[RouteView]:
        """Every known type with its routing (a type without a route row reaches nobody)."""
        async with self._database.sessions() as db:
            rows = {route.type: route for route in (await db.scalars(select(AlertRoute))).all()}
        views = []
        for info in self._types.all():
            route = rows.get(info.code)
            views.append(RouteView(
                type=info.code, label=self._types.label(info.code, locale),
                builtin=info.builtin, urgency=info.urgency, ttl_s=info.ttl_s,
                dept_codes=sorted(route.dept_codes) if route else [],
                to_owner=route.to_owner if route else False,
                required_dept_codes=sorted(route.required_dept_codes or []) if route else []))
        return views

    async def update_route(self, admin: SignedInUser, alert_type: str, update: RouteUpdate,
                           locale: str = "zh-CN") -> RouteView:
        """Set the routing of a known type (AlertTypeUnknown, UnknownDepartments,
        RequiredNotRouted); audited with the route before and after."""
        if alert_type not in self._types:
            raise AlertTypeUnknown(alert_type)
        dept_codes, required = await self._checked(update.dept_codes,
                                                   update.required_dept_codes)
        async with self._database.sessions() as db, db.begin():
            route = await db.get(AlertRoute, alert_type, with_for_update=True)
            before = _route_detail(route)
            if route is None:
                route = AlertRoute(type=alert_type, dept_codes=dept_codes,
                                   to_owner=update.to_owner, required_dept_codes=required)
                db.add(route)
            else:
                route.dept_codes = dept_codes
                route.to_owner = update.to_owner
                route.required_dept_codes = required
            after = _route_detail(route)
        await self._audit.record(AuditAction.ALERT_ROUTE_UPDATE, actor_id=admin.id,
                                 actor=admin.username, target=f"alert_type:{alert_type}"[:64],
                                 detail={"before": before, "after": after})
        log.info("alert route of %s changed by %s: %s", alert_type, admin.username, after)
        return next(view for view in await self.routes(locale) if view.type == alert_type)

    async def add_type(self, admin: SignedInUser, new: NewAlertType,
                       locale: str = "zh-CN") -> RouteView:
        """Add a type with its first routing (AlertTypeExists when the code is taken by a
        built-in or added type); the registry is reloaded at once, audited."""
        if new.code in self._types:
            raise AlertTypeExists(new.code)
        dept_codes, required = await self._checked(new.dept_codes, new.required_dept_codes)
        try:
            async with self._database.sessions() as db, db.begin():
                if await db.get(AddedAlertType, new.code) is not None:
                    raise AlertTypeExists(new.code)  # added elsewhere since our last reload
                db.add(AddedAlertType(code=new.code, label_zh=new.label_zh,
                                      label_en=new.label_en, urgency=new.urgency.value,
                                      ttl_s=new.ttl_s, created_by=admin.id))
                # A stale route of that code (a type removed by hand) gives way to this one.
                await db.merge(AlertRoute(type=new.code, dept_codes=dept_codes,
                                          to_owner=new.to_owner, required_dept_codes=required))
        except IntegrityError as exc:  # the same code added at the same moment elsewhere
            raise AlertTypeExists(new.code) from exc
        await self.load_types()
        await self._audit.record(
            AuditAction.ALERT_TYPE_ADD, actor_id=admin.id, actor=admin.username,
            target=f"alert_type:{new.code}"[:64],
            detail={"code": new.code, "label_zh": new.label_zh, "label_en": new.label_en,
                    "urgency": new.urgency.value, "ttl_s": new.ttl_s, "dept_codes": dept_codes,
                    "to_owner": new.to_owner, "required_dept_codes": required})
        log.info("alert type %s added by %s", new.code, admin.username)
        return next(view for view in await self.routes(locale) if view.type == new.code)

    async def _checked(self, dept_codes: list[str],
                       required: list[str]) -> tuple[list[str], list[str]]:
        known = {code for code, _ in await self.departments()}
        routed, must = sorted(set(dept_codes)), sorted(set(required))
        unknown = [code for code in routed if code not in known]
        if unknown:
            raise UnknownDepartments("dept_codes", unknown)
        not_routed = [code for code in must if code not in routed]
        if not_routed:
            raise RequiredNotRouted(not_routed)
        return routed, must

