"""Share requests over HTTP: the JSON API the pages use, and the phone pages (ask for
access, my access, the approver inbox, grants with revoke, the badge)."""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.exceptions import ValidationException
from litestar.response import Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from bff.auth.deps import provide_access_scope
from bff.auth.models import Role
from bff.auth.policy import AccessScope, access_label, may_administer
from bff.auth.schemas import SignedInUser
from bff.catalog.services import CatalogService
from bff.lib.db import utcnow
from bff.lib.i18n import locale_of
from bff.lib.settings import Settings
from bff.sharing.deps import provide_list_query
from bff.sharing.schemas import (
    MAX_CAMERAS_PER_REQUEST,
    BadgeOut,
    GrantOut,
    GrantRevokeCreate,
    ListQuery,
    NoticeOut,
    ShareDecisionCreate,
    ShareRequestCreate,
    ShareRequestOut,
)
from bff.sharing.services import SharingService

TIME_PRESETS = ("2h", "today", "7d")
"""Windows the ask page offers (the API takes any `ends_at` within the maximum)."""


class ShareRequestController(Controller):
    """共享申请 API: ask, list, read, decide."""

    path = "/api/share-requests"
    dependencies = {"access": Provide(provide_access_scope),
                    "list_query": Provide(provide_list_query, sync_to_thread=False)}

    @post("/", name="sharing:ask", status_code=HTTP_201_CREATED)
    async def ask(self, request: Request, data: ShareRequestCreate, current_user: SignedInUser,
                  access: AccessScope, sharing_service: SharingService) -> ShareRequestOut:
        """Ask for cameras (1–200, inside your region) with permissions (1 live,
        2 playback, 3 download, 4 PTZ), a window (`starts_at` default now, `ends_at` at most
        `BFF_GRANT_MAX_DAYS` later) and a purpose. The request is split per owning
        department: `granted` (无条件共享), `pending` (有条件共享, for its approvers) or
        `refused` (不予共享, with the reason and how to ask 市视频办). 422 names a wrong field."""
        return await sharing_service.ask(current_user, access, data, locale_of(request))

    @get("/", name="sharing:list")
    async def list_requests(self, request: Request, current_user: SignedInUser,
                            list_query: ListQuery,
                            sharing_service: SharingService) -> list[ShareRequestOut]:
        """`role=mine`: my requests, newest first. `role=approver`: requests with parts I
        may decide (only those parts), escalated and oldest first; 403 for non-approvers."""
        locale = locale_of(request)
        if list_query.role == "approver":
            return await sharing_service.requests_to_decide(current_user, locale)
        return await sharing_service.requests_of(current_user, locale)

    @get("/{request_id:int}", name="sharing:read")
    async def read(self, request: Request, request_id: int, current_user: SignedInUser,
                   sharing_service: SharingService) -> ShareRequestOut:
        """One request, for its requester and those who decide its parts (404 otherwise)."""
        return await sharing_service.request_for(current_user, request_id, locale_of(request))

    @post("/{request_id:int}/decision", name="sharing:decide", status_code=HTTP_200_OK)
    async def decide(self, request: Request, request_id: int, data: ShareDecisionCreate,
                     current_user: SignedInUser,
                     sharing_service: SharingService) -> ShareRequestOut:
        """Approve — as asked or narrower (`device_ids`, `permissions`, `ends_at`) — or
        reject with a `reason`. Only the owning department's approvers or the platform
        admin (403); a decision is final: 409 names who decided first."""
        return await sharing_service.decide(current_user, request_id, data, locale_of(request))


class GrantController(Controller):
    """授权 API: list and revoke."""

    path = "/api/grants"
    dependencies = {"list_query": Provide(provide_list_query, sync_to_thread=False)}

    @get("/", name="sharing:grants")
    async def list_grants(self, request: Request, current_user: SignedInUser,
                          list_query: ListQuery, sharing_service: SharingService
                          ) -> list[GrantOut]:
        """`role=mine`: grants given to me. `role=approver`: grants of my department (all
        for the platform admin), current first; 403 for non-approvers."""
        locale = locale_of(request)
        if list_query.role == "approver":
            return await sharing_service.grants_to_manage(current_user, locale)
        return await sharing_service.grants_of(current_user, locale)

    @post("/{grant_id:int}/revoke", name="sharing:revoke", status_code=HTTP_200_OK)
    async def revoke(self, request: Request, grant_id: int, data: GrantRevokeCreate,
                     current_user: SignedInUser, sharing_service: SharingService) -> GrantOut:
        """Revoke with a reason (approvers of the grant's department, platform admins):
        live streams and PTZ control it carried end within seconds. 409 when it already
        ended."""
        return await sharing_service.revoke(current_user, grant_id, data.reason,
                                            locale_of(request))


class NoticeController(Controller):
    """站内通知 API: the badge and the notices."""

    @get("/api/share-notices", name="sharing:notices")
    async def notices(self, request: Request, current_user: SignedInUser,
                      sharing_service: SharingService) -> list[NoticeOut]:
        """My latest notices about requests and grants, newest first."""
        return await sharing_service.notices(current_user, locale_of(request))

    @get("/api/share-badge", name="sharing:badge-api")
    async def badge(self, current_user: SignedInUser,
                    sharing_service: SharingService) -> BadgeOut:
        """Unread notices and parts waiting for my decision."""
        return await sharing_service.badge(current_user)


def local_time_text(value: datetime, *, tz: tzinfo, locale: str) -> str:
    """A time as the pages show it, in the city's time zone: "12-04 20:30" (the year too
    when it is not this year's)."""
    local = value.astimezone(tz)
    if local.year != datetime.now(tz).year:
        return local.strftime("%Y-%m-%d %H:%M")
    return local.strftime("%m-%d %H:%M")


def _device_ids_of(values: list[str]) -> list[str]:
    """Device ids from repeated and comma-separated parameters, in order, once each."""
    ids = [part.strip() for value in values for part in value.split(",") if part.strip()]
    return list(dict.fromkeys(ids))[:MAX_CAMERAS_PER_REQUEST]


def preset_end(preset: str, now: datetime, settings: Settings) -> datetime:
    """The end of a window preset: 2 hours, the end of today (local time), or 7 days."""
    if preset == "2h":
        return now + timedelta(hours=2)
    if preset == "7d":
        return now + timedelta(days=7)
    if preset == "today":
        local = now.astimezone(settings.webrtc.tzinfo())
        end = datetime.combine(local.date(), time(23, 59, 59), tzinfo=local.tzinfo)
        return end if end > now + timedelta(minutes=1) else now + timedelta(hours=1)
    raise ValidationException(detail="preset: expected 2h, today or 7d",
                              extra=[{"key": "preset", "message": "expected 2h, today or 7d"}])


def _form_struct(schema: type[Any], raw: dict[str, Any]) -> Any:
    try:
        return msgspec.convert(raw, schema, strict=False)
    except msgspec.ValidationError as exc:
        raise ValidationException(detail=str(exc), extra=[{"message": str(exc)}]) from exc


class SharingPageController(Controller):
    """The phone pages of sharing (htmx: one URL serves the page or its fragment)."""

    dependencies = {"access": Provide(provide_access_scope)}

    @get("/access/request", name="sharing:ask-page")
    async def ask_page(self, request: Request, current_user: SignedInUser, access: AccessScope,
                       catalog: CatalogService) -> Template:
        """申请调阅: the chosen cameras (`device_ids`, repeated or comma-separated), the
        permissions, a window preset, purpose and case number."""
        ids = _device_ids_of(request.query_params.getall("device_ids", []))
        cameras = []
        for device_id in ids:
            record = catalog.get(device_id)
            if record is not None:
                cameras.append({"summary": catalog.summary(record, access),
                                "label": access_label(access, record)})
        return Template("pages/sharing/request.html", context={
            "user": current_user, "cameras": cameras, "presets": TIME_PRESETS,
            "unknown": [d for d in ids if catalog.get(d) is None]})

    @post("/access/request", name="sharing:ask-form")
    async def ask_form(self, request: Request, current_user: SignedInUser, access: AccessScope,
                       sharing_service: SharingService, settings: Settings) -> Template:
        """The ask form, sent: the outcome per department (a fragment for htmx)."""
        form = await request.form()
        now = utcnow()
        data = _form_struct(ShareRequestCreate, {
            "device_ids": _device_ids_of(form.getall("device_ids", [])),
            "permissions": [int(p) for p in form.getall("permissions", []) if p.isdigit()],
            "ends_at": preset_end(str(form.get("preset", "2h")), now, settings),
            "purpose": str(form.get("purpose", "")),
            "case_no": str(form.get("case_no", "")).strip() or None,
        })
        result = await sharing_service.ask(current_user, access, data, locale_of(request))
        context = {"user": current_user, "result": result}
        if request.htmx:  # type: ignore[attr-defined]
            return Template("partials/sharing/_request_result.html", context=context)
        return Template("pages/sharing/request.html",
                        context={**context, "cameras": [], "presets": TIME_PRESETS, "unknown": []})

    @get("/access", name="sharing:mine-page")
    async def mine_page(self, request: Request, current_user: SignedInUser,
                        sharing_service: SharingService) -> Template:
        """我的授权: what I may use until when, my requests, my notices (read now)."""
        locale = locale_of(request)
        return Template("pages/sharing/mine.html", context={
            "user": current_user,
            "grants": await sharing_service.grants_of(current_user, locale, current_only=True),
            "requests": await sharing_service.requests_of(current_user, locale),
            "notices": await sharing_service.notices(current_user, locale, mark_read=True),
            "is_approver": _decides(current_user)})

    @get("/approvals", name="sharing:inbox-page")
    async def inbox_page(self, request: Request, current_user: SignedInUser,
                         sharing_service: SharingService) -> Template:
        """待我审批: pending parts of my department (all for the platform admin)."""
        return Template("pages/sharing/approvals.html", context={
            "user": current_user,
            "requests": await sharing_service.requests_to_decide(current_user,
                                                                 locale_of(request))})

    @post("/approvals/{request_id:int}", name="sharing:decide-form")
    async def decide_form(self, request: Request, request_id: int, current_user: SignedInUser,
                          sharing_service: SharingService) -> Template:
        """One decision from the inbox; answers the request's card, now decided."""
        form = await request.form()
        raw: dict[str, Any] = {"decision": str(form.get("decision", ""))}
        if form.get("narrow"):
            raw["device_ids"] = _device_ids_of(form.getall("device_ids", [])) or None
            raw["permissions"] = [int(p) for p in form.getall("permissions", [])
                                  if p.isdigit()] or None
            hours = str(form.get("hours", "")).strip()
            if hours.isdigit() and int(hours) > 0:
                raw["ends_at"] = utcnow() + timedelta(hours=int(hours))
        if str(form.get("reason", "")).strip():
            raw["reason"] = str(form.get("reason"))
        if str(form.get("part_id", "")).isdigit():
            raw["part_id"] = int(str(form.get("part_id")))
        data = _form_struct(ShareDecisionCreate, raw)
        result = await sharing_service.decide(current_user, request_id, data,
                                              locale_of(request))
        return Template("partials/sharing/_decided.html",
                        context={"user": current_user, "r": result})

    @get("/grants", name="sharing:grants-page")
    async def grants_page(self, request: Request, current_user: SignedInUser,
                          sharing_service: SharingService) -> Template:
        """授权管理: grants of my department (all for the platform admin) with revoke."""
        return Template("pages/sharing/grants.html", context={
            "user": current_user,
            "grants": await sharing_service.grants_to_manage(current_user, locale_of(request))})

    @post("/grants/{grant_id:int}/revoke", name="sharing:revoke-form")
    async def revoke_form(self, request: Request, grant_id: int, current_user: SignedInUser,
                          sharing_service: SharingService) -> Template:
        """Revoke from the grants page; answers the grant's row, now revoked."""
        form = await request.form()
        data = _form_struct(GrantRevokeCreate, {"reason": str(form.get("reason", ""))})
        grant = await sharing_service.revoke(current_user, grant_id, data.reason,
                                             locale_of(request))
        return Template("partials/sharing/_grant_row.html",
                        context={"user": current_user, "g": grant, "manage": True})

    @get("/access/badge", name="sharing:badge")
    async def badge(self, current_user: SignedInUser,
                    sharing_service: SharingService) -> Template:
        """The top bar's badge (loaded by htmx on every page)."""
        return Template("partials/sharing/_badge.html", context={
            "badge": await sharing_service.badge(current_user),
            "is_approver": _decides(current_user)})


def _decides(user: SignedInUser) -> bool:
    return may_administer(user.role) or user.role == Role.APPROVER

