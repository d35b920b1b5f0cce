"""Alerts API: the signed ingest endpoint for the analysis platform, and the signed-in
user's alerts (list, snapshot, acknowledge, resolve)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED

from bff.alerts.deps import provide_alert_query
from bff.alerts.schemas import AlertItem, AlertQuery, IngestResult, ResolveRequest
from bff.alerts.services import AlertService, SignedRequest
from bff.auth.schemas import SignedInUser

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
