"""Alerts: accepting signed events, storing them with their recipients and outbox row, and
the recipients' handling of them (list, snapshot, acknowledge, resolve).

Ingest checks, in this order: the signature on the raw bytes (nothing is parsed for an
unsigned request), the source's rate limit (counted only for authenticated requests, so a
stranger cannot use up a source's quota), the JSON and its fields, the snapshot really
being a JPEG, the camera being catalogued. Then one transaction writes the alert, one
recipient row per routed user and the outbox row the delivery workers will read; the
answer is sent only after it committed. A repeated (source, event_id) is answered with
the first alert's id and stores nothing — also when two copies race, through the unique
constraint.
"""

from __future__ import annotations

import asyncio
import logging
import time

import msgspec
from sqlalchemy.exc import IntegrityError

from bff.alerts import inbox
from bff.alerts.errors import (
    AlertInvalid,
    AlertMalformed,
    AlertRateLimited,
    AlertUnknownCamera,
)
from bff.alerts.models import Alert, AlertOutbox, AlertRecipient, AlertState
from bff.alerts.repositories import AlertRepository
from bff.alerts.routing import RoutedCamera, recipients
from bff.alerts.schemas import AlertEvent, AlertItem, AlertQuery, IngestResult
from bff.alerts.signing import verify
from bff.alerts.snapshot import is_jpeg
from bff.audit.services import AuditAction, AuditLog
from bff.auth.schemas import SignedInUser
from bff.catalog.services import CatalogService
from bff.lib.db import Database, utcnow
from bff.lib.ratelimit import RateLimiter
from bff.lib.settings import AlertSettings

log = logging.getLogger(__name__)


class SignedRequest(msgspec.Struct, frozen=True, kw_only=True):
    """The parts of an ingest request the signature covers, as received."""

    source: str | None
    timestamp: str | None
    signature: str | None
    body: bytes


class AlertService:
    """Accepts events from the analysis platform and serves recipients their alerts."""

    def __init__(self, settings: AlertSettings, database: Database, catalog: CatalogService,
                 audit: AuditLog, limiter: RateLimiter,
                 delivery_wake: asyncio.Event | None = None) -> None:
        self._settings = settings
        self._delivery_wake = delivery_wake
        self._database = database
        self._catalog = catalog
        self._audit = audit
        self._limiter = limiter

    async def ingest(self, request: SignedRequest, now: float | None = None) -> IngestResult:
        """Accept one signed event; raises AlertUnauthorized, AlertRateLimited,
        AlertMalformed, AlertInvalid or AlertUnknownCamera. Returns the stored alert's id,
        `duplicate` when the source had already posted this event."""
        source = verify(self._settings.sources, request.source, request.timestamp,
                        request.signature, request.body,
                        max_skew_s=self._settings.max_clock_skew_s,
                        now=time.time() if now is None else now)
        retry_after = await self._limiter.hit(f"source:{source}")
        if retry_after:
            raise AlertRateLimited(retry_after)
        event = _decode(request.body)
        if event.snapshot_jpeg is not None and not is_jpeg(event.snapshot_jpeg):
            raise AlertInvalid("snapshot_jpeg: not a JPEG image")
        camera = self._catalog.get(event.device_id)
        if camera is None:
            raise AlertUnknownCamera(event.device_id)

        existing = await self._find(source, event.event_id)
        if existing is not None:
            return IngestResult(alert_id=existing, duplicate=True)
        try:
            alert_id, routed = await self._store(source, event, camera)
        except IntegrityError:
            # Another request stored the same event between our look and our insert.
            existing = await self._find(source, event.event_id)
            if existing is None:
                raise
            log.info("alert %s: a concurrent copy of %s/%s was stored first", existing,
                     source, event.event_id)
            return IngestResult(alert_id=existing, duplicate=True)
        if self._delivery_wake is not None:  # committed: this process's worker sends now
            self._delivery_wake.set()
        await self._audit.record(
            AuditAction.ALERT_INGEST, actor_id=None, actor=f"source:{source}"[:64],
            target=f"alert:{alert_id}",
            detail={"source": source, "event_id": event.event_id, "type": event.type.value,
                    "device_id": event.device_id, "recipients": routed})
        log.info("alert %s accepted: %s at %s from %s, %d recipients", alert_id,
                 event.type.value, event.device_id, source, routed)
        return IngestResult(alert_id=alert_id, duplicate=False)

    async def _find(self, source: str, event_id: str) -> int | None:
        async with self._database.sessions() as db:
            alert = await AlertRepository(session=db).get_one_or_none(
                Alert.source == source, Alert.event_id == event_id)
        return alert.id if alert is not None else None

    async def _store(self, source: str, event: AlertEvent,
                     camera: RoutedCamera) -> tuple[int, int]:
        """Alert, recipients and outbox row in one transaction; (alert id, recipients)."""
        async with self._database.sessions() as db, db.begin():
            alert = Alert(source=source, event_id=event.event_id, type=event.type.value,
                          device_id=event.device_id, occurred_at=event.occurred_at,
                          received_at=utcnow(), confidence=event.confidence,
                          detail=event.detail, snapshot=event.snapshot_jpeg,
                          state=AlertState.NEW.value)
            db.add(alert)
            await db.flush()
            user_ids = await recipients(db, event.type.value, camera)
            db.add_all([AlertRecipient(alert_id=alert.id, user_id=user_id)
                        for user_id in user_ids])
            db.add(AlertOutbox(alert_id=alert.id, attempts=0))
        return alert.id, len(user_ids)

    async def list_for(self, user: SignedInUser, query: AlertQuery) -> list[AlertItem]:
        """The user's alerts, newest first, filtered by state and type."""
        async with self._database.sessions() as db:
            return await inbox.list_alerts(db, self._catalog, user.id, query)

    async def snapshot_for(self, user: SignedInUser, alert_id: int) -> bytes:
        """The alert's JPEG for one of its recipients; AlertNotFound / SnapshotNotFound."""
        async with self._database.sessions() as db:
            return await inbox.snapshot(db, user.id, alert_id)

    async def acknowledge(self, user: SignedInUser, alert_id: int) -> AlertItem:
        """确认: a new alert becomes acknowledged by the user (audited); 409 otherwise."""
        async with self._database.sessions() as db, db.begin():
            alert = await inbox.advance(db, user.id, alert_id, AlertState.ACKNOWLEDGED)
            item = await inbox.one_alert(db, self._catalog, user.id, alert_id)
        await self._audit.record(AuditAction.ALERT_ACKNOWLEDGE, actor_id=user.id,
                                 actor=user.username, target=f"alert:{alert_id}",
                                 detail={"type": alert.type, "device_id": alert.device_id})
        return item

    async def resolve(self, user: SignedInUser, alert_id: int, note: str) -> AlertItem:
        """处置完成: a new or acknowledged alert becomes resolved with the user's note
        (audited); 409 when it already is."""
        async with self._database.sessions() as db, db.begin():
            alert = await inbox.advance(db, user.id, alert_id, AlertState.RESOLVED, note)
            item = await inbox.one_alert(db, self._catalog, user.id, alert_id)
        await self._audit.record(AuditAction.ALERT_RESOLVE, actor_id=user.id,
                                 actor=user.username, target=f"alert:{alert_id}",
                                 detail={"type": alert.type, "device_id": alert.device_id,
                                         "note": note})
        return item


def _decode(body: bytes) -> AlertEvent:
    try:
        return msgspec.json.decode(body, type=AlertEvent)
    except msgspec.ValidationError as exc:  # before DecodeError: it is a subclass
        raise AlertInvalid(str(exc)) from exc
    except msgspec.DecodeError as exc:
        raise AlertMalformed(str(exc)) from exc
