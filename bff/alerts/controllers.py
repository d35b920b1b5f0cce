"""Alerts API: the signed ingest endpoint for the analysis platform, the signed-in
user's alerts (list, snapshot, acknowledge, resolve), the routing administration and the
user's mutes (pages and their JSON twins)."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.di import Provide
from litestar.plugins.htmx import HTMXTemplate
from litestar.response import Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED

from bff.alerts.admin import AlertAdminService
from bff.alerts.deps import provide_alert_query
from bff.alerts.errors import ALERT_ERRORS, AlertSettingsInvalid
from bff.alerts.mutes import MuteService
from bff.alerts.schemas import (
    AlertItem,
    AlertQuery,
    IngestResult,
    MuteUpdate,
    MuteView,
    NewAlertType,
    ResolveRequest,
    RouteUpdate,
    RouteView,
)
from bff.alerts.services import AlertService, SignedRequest
from bff.alerts.types import Urgency
from bff.auth.guards import requires_admin
from bff.auth.schemas import SignedInUser
from bff.lib.errors import DomainError, answer_of
from bff.lib.i18n import locale_of, translate

T = TypeVar("T")

INGEST_PATH = "/api/alerts/events"
INGEST_MAX_BODY = 800 * 1024
"""A 512 KB snapshot is ~683 KB of base64; the rest of an event is small."""


class AlertIngestController(Controller):
    """预警接入: events from the video-analysis platform, authenticated by their HMAC
    signature (no session, no CSRF token)."""

    @post(INGEST_PATH, name="alerts:ingest", status_code=HTTP_202_ACCEPTED,
          request_max_body_size=INGEST_MAX_BODY)
    async def ingest(self, request: Request, alert_service: AlertService
                     ) -> Response[IngestResult]:
        """Accept one signed event (README: Alert ingest). 202 once stored; 200 with
        `duplicate` for an event the source already posted; 401 unsigned or stale, 400
        not JSON, 413 too large, 422 a wrong field or unknown camera, 429 too many."""
        # The signature covers the exact bytes: read them raw, never re-serialized.
        body = await request.body()
        result = await alert_service.ingest(SignedRequest(
            source=request.headers.get("x-alert-source"),
            timestamp=request.headers.get("x-alert-timestamp"),
            signature=request.headers.get("x-alert-signature"), body=body))
        return Response(result, status_code=HTTP_200_OK if result.duplicate
                        else HTTP_202_ACCEPTED)


class AlertController(Controller):
    """预警: the signed-in user's alerts and their handling."""

    path = "/api/alerts"
    dependencies = {"alert_query": Provide(provide_alert_query, sync_to_thread=False)}

    @get("/", name="alerts:list")
    async def list_alerts(self, current_user: SignedInUser, alert_query: AlertQuery,
                          alert_service: AlertService) -> list[AlertItem]:
        """The user's alerts, newest first; `state`, `type` and `limit` (≤ 100) filter."""
        return await alert_service.list_for(current_user, alert_query)

    @get("/{alert_id:int}/snapshot", name="alerts:snapshot", media_type="image/jpeg")
    async def snapshot(self, alert_id: int, current_user: SignedInUser,
                       alert_service: AlertService) -> Response[bytes]:
        """The alert's snapshot, for its recipients only (404 for anyone else)."""
        image = await alert_service.snapshot_for(current_user, alert_id)
        # Evidence pictures: kept out of shared caches.
        return Response(image, media_type="image/jpeg",
                        headers={"Cache-Control": "private, max-age=3600"})

    @post("/{alert_id:int}/acknowledge", name="alerts:acknowledge", status_code=HTTP_200_OK)
    async def acknowledge(self, alert_id: int, current_user: SignedInUser,
                          alert_service: AlertService) -> AlertItem:
        """确认: take the alert on (409 when it is already acknowledged or resolved)."""
        return await alert_service.acknowledge(current_user, alert_id)

    @post("/{alert_id:int}/resolve", name="alerts:resolve", status_code=HTTP_200_OK)
    async def resolve(self, alert_id: int, data: ResolveRequest, current_user: SignedInUser,
                      alert_service: AlertService) -> AlertItem:
        """处置完成 with a note (required, ≤ 500 characters); 409 when already resolved."""
        return await alert_service.resolve(current_user, alert_id, data.note)


# --- routing administration (admins) and the user's mutes ---------------------------------


def _form_values(form: Any, name: str) -> list[str]:
    return [value for value in form.getall(name, []) if isinstance(value, str)]


def _checked(form: Any, name: str) -> bool:
    return form.get(name) in {"on", "true", "1"}


def _form_as(schema: type[T], values: dict[str, Any]) -> T:
    """A submitted form as its schema (strings converted), or AlertSettingsInvalid."""
    try:
        return msgspec.convert(values, schema, strict=False)
    except msgspec.ValidationError as exc:
        raise AlertSettingsInvalid(str(exc)) from exc


def _refusal(exc: DomainError, locale: str) -> tuple[int, str]:
    """(status, message in the user's words) of a refused form, shown inside the form's
    own fragment so the page stays whole (the app's error fragment would replace it)."""
    answer = answer_of(ALERT_ERRORS, exc)
    if answer is None:
        raise exc
    params = {name: value(locale) if callable(value) else value
              for name, value in answer.params.items()}
    return answer.status, translate(answer.message_key or answer.code, locale, **params)


class AlertRoutesController(Controller):
    """预警分发规则: which departments receive each alert type, which must, and new types
    (市视频办 administrators only). The page and its JSON twin."""

    guards = [requires_admin]

    async def _page(self, request: Request, user: SignedInUser, alert_admin: AlertAdminService,
                    saved: str | None = None, refused: DomainError | None = None,
                    refused_form: str | None = None, draft: dict[str, Any] | None = None
                    ) -> Template:
        """The page (or its fragment for htmx); a refusal is shown in the refused form
        (a type's code, or `new` with the submitted `draft` kept), which stays open."""
        status, error = _refusal(refused, locale_of(request)) if refused else (200, None)
        context = {"user": user, "routes": await alert_admin.routes(locale_of(request)),
                   "departments": await alert_admin.departments(), "saved": saved,
                   "error": error, "refused_form": refused_form, "draft": draft or {},
                   "urgencies": [urgency.value for urgency in Urgency]}
        if request.htmx:  # type: ignore[attr-defined]
            return HTMXTemplate(template_name="partials/alerts/_routes.html", context=context,
                                status_code=status)
        return Template("pages/alerts/routes.html", context=context, status_code=status)

    @get("/admin/alert-routes", name="alerts:routes-page")
    async def routes_page(self, request: Request, current_user: SignedInUser,
                          alert_admin: AlertAdminService) -> Template:
        """Every type with its departments, the owner flag and the required departments."""
        return await self._page(request, current_user, alert_admin)

    @post("/admin/alert-routes/{alert_type:str}", name="alerts:route-save", status_code=200)
    async def save_route(self, request: Request, alert_type: str, current_user: SignedInUser,
                         alert_admin: AlertAdminService) -> Template:
        """Save one type's routing from the page's form."""
        form = await request.form()
        try:
            update = _form_as(RouteUpdate, {
                "dept_codes": _form_values(form, "dept_codes"),
                "to_owner": _checked(form, "to_owner"),
                "required_dept_codes": _form_values(form, "required_dept_codes")})
            await alert_admin.update_route(current_user, alert_type, update, locale_of(request))
        except DomainError as exc:
            return await self._page(request, current_user, alert_admin, refused=exc,
                                    refused_form=alert_type)
        return await self._page(request, current_user, alert_admin, saved=alert_type)

    @post("/admin/alert-types", name="alerts:type-add-form", status_code=200)
    async def add_type_form(self, request: Request, current_user: SignedInUser,
                            alert_admin: AlertAdminService) -> Template:
        """Add a type from the page's form."""
        form = await request.form()
        draft = {"code": form.get("code", ""), "label_zh": form.get("label_zh", ""),
                 "label_en": form.get("label_en", ""), "urgency": form.get("urgency", "normal"),
                 "ttl_s": form.get("ttl_s") or 3600, "to_owner": _checked(form, "to_owner"),
                 "dept_codes": _form_values(form, "dept_codes"),
                 "required_dept_codes": _form_values(form, "required_dept_codes")}
        try:
            new = _form_as(NewAlertType, draft)
            await alert_admin.add_type(current_user, new, locale_of(request))
        except DomainError as exc:
            return await self._page(request, current_user, alert_admin, refused=exc,
                                    refused_form="new", draft=draft)
        return await self._page(request, current_user, alert_admin, saved=new.code)

    @get("/api/admin/alert-routes", name="alerts:routes-api")
    async def routes_api(self, request: Request, alert_admin: AlertAdminService
                         ) -> list[RouteView]:
        """Every type with its routing."""
        return await alert_admin.routes(locale_of(request))

    @put("/api/admin/alert-routes/{alert_type:str}", name="alerts:route-put")
    async def put_route(self, request: Request, alert_type: str, data: RouteUpdate,
                        current_user: SignedInUser, alert_admin: AlertAdminService
                        ) -> RouteView:
        """Replace one type's routing; 404 unknown type, 422 unknown departments or a
        required department the type is not routed to."""
        return await alert_admin.update_route(current_user, alert_type, data,
                                              locale_of(request))

    @post("/api/admin/alert-types", name="alerts:type-add", status_code=HTTP_201_CREATED)
    async def add_type(self, request: Request, data: NewAlertType, current_user: SignedInUser,
                       alert_admin: AlertAdminService) -> RouteView:
        """Add a type with its routing; 409 when the code is taken."""
        return await alert_admin.add_type(current_user, data, locale_of(request))


class AlertMutesController(Controller):
    """预警免打扰: the types a user does not want (not those their department must
    receive). The settings page and its JSON twin."""

    async def _page(self, request: Request, user: SignedInUser, alert_mutes: MuteService,
                    saved: bool = False, refused: DomainError | None = None) -> Template:
        status, error = _refusal(refused, locale_of(request)) if refused else (200, None)
        context = {"user": user, "mutes": await alert_mutes.mutes_for(user, locale_of(request)),
                   "saved": saved, "error": error}
        if request.htmx:  # type: ignore[attr-defined]
            return HTMXTemplate(template_name="partials/alerts/_mutes.html", context=context,
                                status_code=status)
        return Template("pages/alerts/mutes.html", context=context, status_code=status)

    @get("/settings/alerts", name="alerts:mutes-page")
    async def mutes_page(self, request: Request, current_user: SignedInUser,
                         alert_mutes: MuteService) -> Template:
        """A toggle per type that can reach the user; required ones locked, with why."""
        return await self._page(request, current_user, alert_mutes)

    @post("/settings/alerts", name="alerts:mutes-save", status_code=200)
    async def save_mutes(self, request: Request, current_user: SignedInUser,
                         alert_mutes: MuteService) -> Template:
        """Save the page's toggles: a checked box means "notify me" (not muted)."""
        form = await request.form()
        wanted = set(_form_values(form, "notify"))
        offered = await alert_mutes.mutes_for(current_user)
        muted = [view.type for view in offered if not view.required and view.type not in wanted]
        try:
            await alert_mutes.set_mutes(current_user, muted)
        except DomainError as exc:  # a type made required since the page was loaded
            return await self._page(request, current_user, alert_mutes, refused=exc)
        return await self._page(request, current_user, alert_mutes, saved=True)

    @get("/api/alerts/mutes", name="alerts:mutes-api")
    async def mutes_api(self, request: Request, current_user: SignedInUser,
                        alert_mutes: MuteService) -> list[MuteView]:
        """The types that can reach the user, muted or not, required or not."""
        return await alert_mutes.mutes_for(current_user, locale_of(request))

    @put("/api/alerts/mutes", name="alerts:mutes-put")
    async def put_mutes(self, request: Request, data: MuteUpdate, current_user: SignedInUser,
                        alert_mutes: MuteService) -> list[MuteView]:
        """Replace the user's muted types; 422 an unknown type, 409 a required one."""
        return await alert_mutes.set_mutes(current_user, data.muted, locale_of(request))
