"""The alert inbox pages (预警收件箱) and the live channel's event stream.

`/alerts` lists the user's alerts (the `GET /api/alerts` data) and, asked by htmx, returns
the list alone; `/alerts/{id}` is one alert with its actions, also as a fragment for the
open page's live refresh; `/alerts/unread` is the navigation's unread badge; and
`/alerts/stream` is the server-sent-events stream every signed-in page listens to. Pages
re-read what they show from the server when an event arrives: authorization stays here.
"""

from __future__ import annotations

import functools
from datetime import datetime, tzinfo
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import ServerSentEvent, Template

from bff.alerts.deps import provide_alert_query
from bff.alerts.errors import AlertStateConflict
from bff.alerts.live import LiveAlertFeed
from bff.alerts.models import AlertState, AlertType
from bff.alerts.schemas import NOTE_MAX_LENGTH, AlertItem, AlertQuery
from bff.alerts.services import AlertService
from bff.alerts.types import AlertTypes
from bff.auth.deps import provide_access_scope
from bff.auth.policy import AccessScope, may_use
from bff.auth.schemas import SignedInUser
from bff.catalog.services import CatalogService
from bff.lib.i18n import locale_of, translate
from bff.lib.settings import Settings
from bff.lib.vocabulary import Permission

LIVE_STREAM_PATH = "/alerts/stream"
"""The live channel's event stream (every signed-in page connects to it, base.html)."""

ACCESS_REQUEST_PATH = "/access/request"
"""Where a user asks for access to a camera (the share-request page)."""


def _page_context(request: Request, user: SignedInUser, settings: Settings) -> dict[str, Any]:
    """What every alert template needs: the user, their alert types' names, local time."""
    zone = settings.webrtc.tzinfo()
    return {"user": user,
            "type_label": functools.partial(AlertTypes().label, locale=locale_of(request)),
            "local_time": functools.partial(_local_time, zone=zone)}


def _local_time(moment: datetime | None, zone: tzinfo) -> str:
    """An alert's time in the city's zone, to the second (people compare them)."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


class AlertPagesController(Controller):
    """预警: the inbox, one alert, the unread badge and the live event stream."""

    path = "/alerts"

    @get("/", name="alerts:inbox-page",
         dependencies={"alert_query": Provide(provide_alert_query, sync_to_thread=False)})
    async def inbox(self, request: Request, current_user: SignedInUser, alert_query: AlertQuery,
                    alert_service: AlertService, settings: Settings) -> Template:
        """The user's alerts newest first, filtered by type and state; the list fragment
        alone when htmx asks (filters changed, or an event arrived)."""
        alerts = await alert_service.list_for(current_user, alert_query)
        context = {**_page_context(request, current_user, settings), "alerts": alerts,
                   "query": alert_query, "types": list(AlertType), "states": list(AlertState)}
        if request.htmx:  # type: ignore[attr-defined]
            return Template("partials/alerts/_alert_list.html", context=context)
        return Template("pages/alerts/inbox.html", context=context)

    @get("/unread", name="alerts:unread-badge")
    async def unread(self, current_user: SignedInUser,
                     alert_service: AlertService) -> Template:
        """The navigation's unread badge (a fragment)."""
        count = await alert_service.unread_count(current_user)
        return Template("partials/alerts/_unread_count.html", context={"count": count})

    @get("/stream", name="alerts:stream", cache=False)
    async def stream(self, current_user: SignedInUser,
                     alert_feed: LiveAlertFeed) -> ServerSentEvent:
        """Server-sent events for the user's own alerts (`alert` and `alert-<id>`), with
        heartbeats; 429 when the user has too many streams open."""
        ticket = alert_feed.reserve_stream(current_user.id)
        return ServerSentEvent(
            alert_feed.events(ticket),
            # Proxies (nginx) must pass events on at once, not buffer them.
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            # Gives the place back also when the phone left before the stream began.
            background=BackgroundTask(ticket.release))

    @get("/{alert_id:int}", name="alerts:detail-page",
         dependencies={"access": Provide(provide_access_scope)})
    async def detail(self, request: Request, alert_id: int, current_user: SignedInUser,
                     access: AccessScope, alert_service: AlertService, catalog: CatalogService,
                     settings: Settings, action: str | None = None) -> Template:
        """One of the user's alerts (404 for anyone else). Opening it marks it read; the
        open page's live refresh (htmx) changes nothing. `?action=acknowledge` (the push
        notification's 确认) offers the acknowledge button focused: a GET never acts."""
        if request.htmx:  # type: ignore[attr-defined]
            item = await alert_service.get_for(current_user, alert_id)
        else:
            item = await alert_service.open_for(current_user, alert_id)
        return _detail(request, current_user, access, catalog, settings, item,
                       focus_acknowledge=action == "acknowledge")

    @post("/{alert_id:int}/acknowledge", name="alerts:acknowledge-form", status_code=200,
          dependencies={"access": Provide(provide_access_scope)})
    async def acknowledge(self, request: Request, alert_id: int, current_user: SignedInUser,
                          access: AccessScope, alert_service: AlertService,
                          catalog: CatalogService, settings: Settings) -> Template:
        """确认 from the detail page; the page then shows the new state and what next."""
        try:
            item = await alert_service.acknowledge(current_user, alert_id)
        except AlertStateConflict as exc:
            return await _refused(request, current_user, access, alert_service, catalog,
                                  settings, alert_id, f"alerts.already_{exc.state}", 409)
        return _detail(request, current_user, access, catalog, settings, item,
                       notice=translate("detail.done_acknowledged", locale_of(request)))

    @post("/{alert_id:int}/resolve", name="alerts:resolve-form", status_code=200,
          dependencies={"access": Provide(provide_access_scope)})
    async def resolve(
        self, request: Request, alert_id: int, current_user: SignedInUser, access: AccessScope,
        alert_service: AlertService, catalog: CatalogService, settings: Settings,
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template:
        """处置完成 with the required note; the page then shows the new state."""
        note = str(data.get("note") or "").strip()
        if not note or len(note) > NOTE_MAX_LENGTH:
            key = "detail.note_required" if not note else "detail.note_too_long"
            return await _refused(request, current_user, access, alert_service, catalog,
                                  settings, alert_id, key, 422)
        try:
            item = await alert_service.resolve(current_user, alert_id, note)
        except AlertStateConflict as exc:
            return await _refused(request, current_user, access, alert_service, catalog,
                                  settings, alert_id, f"alerts.already_{exc.state}", 409)
        return _detail(request, current_user, access, catalog, settings, item,
                       notice=translate("detail.done_resolved", locale_of(request)))


def _detail(request: Request, user: SignedInUser, access: AccessScope, catalog: CatalogService,
            settings: Settings, item: AlertItem, *, notice: str | None = None,
            error: str | None = None, focus_acknowledge: bool = False,
            status_code: int = 200) -> Template:
    """The detail page, or its body when htmx asks (with the notice swapped beside it)."""
    camera = catalog.get(item.device_id)
    context = {**_page_context(request, user, settings), "alert": item, "camera": camera,
               "may_view": camera is not None and may_use(access, camera, Permission.LIVE),
               "access_request_url": f"{ACCESS_REQUEST_PATH}?device_ids={item.device_id}",
               "notice": notice, "error": error, "focus_acknowledge": focus_acknowledge,
               "note_max": NOTE_MAX_LENGTH}
    if request.htmx:  # type: ignore[attr-defined]
        # An action's outcome goes beside the alert (out of band), where a later live
        # refresh of the alert leaves it standing.
        oob = notice is not None or error is not None
        return Template("partials/alerts/_alert_detail.html", context={**context, "oob": oob},
                        status_code=status_code)
    return Template("pages/alerts/detail.html", context=context, status_code=status_code)


async def _refused(request: Request, user: SignedInUser, access: AccessScope,
                   alert_service: AlertService, catalog: CatalogService, settings: Settings,
                   alert_id: int, message_key: str, status_code: int) -> Template:
    """The alert as it is now, with why the action was not taken."""
    item = await alert_service.get_for(user, alert_id)
    locale = locale_of(request)
    return _detail(request, user, access, catalog, settings, item, status_code=status_code,
                   error=translate(message_key, locale, max=NOTE_MAX_LENGTH))
