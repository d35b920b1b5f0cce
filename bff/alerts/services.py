"""Alerts: accepting signed events, storing them with their recipients and outbox row, and
the recipients' handling of them (list, snapshot, acknowledge, resolve).

Ingest checks, in this order: the signature on the raw bytes (nothing is parsed for an
unsigned request), the source's rate limit (counted only for authenticated requests, so a
stranger cannot use up a source's quota), the JSON and its fields — that is the
HTTP-facing step (`ingest`) — then, in the pipeline every source shares (`accept` for the
sources inside the BFF: platform device alarms, catalogue sync), the type being in the
registry, the snapshot really being a JPEG, the camera being catalogued. Then one
transaction writes the alert, one recipient row per routed user and the outbox row the
delivery workers will read; the answer is sent only after it committed. A repeated (source, event_id) is answered with
the first alert's id and stores nothing — also when two copies race, through the unique
constraint.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping

import msgspec
from sqlalchemy.exc import IntegrityError

from bff.alerts import inbox
from bff.alerts.errors import (
    AlertInvalid,
    AlertMalformed,
    AlertRateLimited,
    AlertUnknownCamera,
)
from bff.alerts.feed import AlertFeed, FeedEvent, FeedKind, NoFeed
from bff.alerts.models import Alert, AlertOutbox, AlertRecipient, AlertState
from bff.alerts.repositories import AlertRepository
from bff.alerts.routing import RoutedCamera, recipients
from bff.alerts.schemas import AlertEvent, AlertItem, AlertQuery, IngestResult
from bff.alerts.signing import verify
from bff.alerts.snapshot import is_jpeg
from bff.alerts.types import AlertTypes
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
                 audit: AuditLog, limiter: RateLimiter, feed: AlertFeed | None = None, *,
                 types: AlertTypes | None = None,
                 sources: Mapping[str, str] | None = None,
                 delivery_wake: asyncio.Event | None = None) -> None:
        """`types` is the registry `type` is checked against (built-ins only when left
        out); `sources` the name → secret table signatures are checked against
        (`settings.sources` when left out; the composition root adds the demo source);
        `delivery_wake` is set after an alert commits, so this process's delivery worker
        sends it at once."""
        self._settings = settings
        self._delivery_wake = delivery_wake
        self._database = database
        self._catalog = catalog
        self._audit = audit
        self._limiter = limiter
        self._feed: AlertFeed = feed if feed is not None else NoFeed()
        self._types = types if types is not None else AlertTypes()
        self._sources = dict(settings.sources if sources is None else sources)

    async def ingest(self, request: SignedRequest, now: float | None = None) -> IngestResult:
        """Accept one signed event; raises AlertUnauthorized, AlertRateLimited,
        AlertMalformed, AlertInvalid or AlertUnknownCamera. Returns the stored alert's id,
        `duplicate` when the source had already posted this event.

        The HTTP-facing step: signature and the source's rate limit, then the body is
        decoded and handed to the pipeline every source shares (`_accept`)."""
        source = verify(self._sources, request.source, request.timestamp,
                        request.signature, request.body,
                        max_skew_s=self._settings.max_clock_skew_s,
                        now=time.time() if now is None else now)
        retry_after = await self._limiter.hit(f"source:{source}")
        if retry_after:
            raise AlertRateLimited(retry_after)
        return await self._accept(source, _decode(request.body))

    async def accept(self, source: str, event: AlertEvent) -> IngestResult:
        """Accept an event from a source inside the BFF (platform device alarms, catalogue
        sync): no signature, the same pipeline and dedupe as a signed event. The event is
        checked against the ingest contract as if it had been posted (AlertInvalid,
        AlertUnknownCamera)."""
        try:
            event = msgspec.json.decode(msgspec.json.encode(event), type=AlertEvent)
        except msgspec.ValidationError as exc:
            raise AlertInvalid(str(exc)) from exc
        return await self._accept(source, event)

    async def _accept(self, source: str, event: AlertEvent) -> IngestResult:
        """The pipeline: type known, snapshot a JPEG, camera catalogued; then stored once
        (per source and event id) with its recipients and outbox row, and audited."""
        if event.type not in self._types:
            raise AlertInvalid(f"Invalid enum value {event.type!r} - at `$.type`")
        if event.snapshot_jpeg is not None and not is_jpeg(event.snapshot_jpeg):
            raise AlertInvalid("snapshot_jpeg: not a JPEG image")
        camera = self._catalog.get(event.device_id)
        if camera is None:
            raise AlertUnknownCamera(event.device_id)

        existing = await self._find(source, event.event_id)
        if existing is not None:
            return IngestResult(alert_id=existing, duplicate=True)
        try:
            alert_id, user_ids = await self._store(source, event, camera)
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
            detail={"source": source, "event_id": event.event_id, "type": event.type,
                    "device_id": event.device_id, "recipients": len(user_ids)})
        log.info("alert %s accepted: %s at %s from %s, %d recipients", alert_id,
                 event.type, event.device_id, source, len(user_ids))
        return IngestResult(alert_id=alert_id, duplicate=False)

    async def _find(self, source: str, event_id: str) -> int | None:
        async with self._database.sessions() as db:
            alert = await AlertRepository(session=db).get_one_or_none(
                Alert.source == source, Alert.event_id == event_id)
        return alert.id if alert is not None else None

    async def _store(self, source: str, event: AlertEvent,
                     camera: RoutedCamera) -> tuple[int, list[int]]:
        """Alert, recipients and outbox row in one transaction; (alert id, recipients)."""
        async with self._database.sessions() as db, db.begin():
            alert = Alert(source=source, event_id=event.event_id, type=event.type,
                          device_id=event.device_id, occurred_at=event.occurred_at,
                          received_at=utcnow(), confidence=event.confidence,
                          detail=event.detail, snapshot=event.snapshot_jpeg,
                          state=AlertState.NEW.value)
            db.add(alert)
            await db.flush()
            user_ids = await recipients(db, event.type, camera)
            db.add_all([AlertRecipient(alert_id=alert.id, user_id=user_id)
                        for user_id in user_ids])
            db.add(AlertOutbox(alert_id=alert.id, attempts=0))
        return alert.id, list(user_ids)

    async def list_for(self, user: SignedInUser, query: AlertQuery) -> list[AlertItem]:
        """The user's alerts, newest first, filtered by state and type."""
        async with self._database.sessions() as db:
            return await inbox.list_alerts(db, self._catalog, user.id, query)

    async def snapshot_for(self, user: SignedInUser, alert_id: int) -> bytes:
        """The alert's JPEG for one of its recipients; AlertNotFound / SnapshotNotFound."""
        async with self._database.sessions() as db:
            return await inbox.snapshot(db, user.id, alert_id)

    async def open_for(self, user: SignedInUser, alert_id: int) -> AlertItem:
        """One of the user's alerts as its detail page shows it, marked read for them
        (audited as a view); AlertNotFound for anyone it was not routed to."""
        async with self._database.sessions() as db, db.begin():
            first_read = await inbox.mark_read(db, user.id, alert_id)
            item = await inbox.one_alert(db, self._catalog, user.id, alert_id)
        await self._audit.record(AuditAction.ALERT_VIEW, actor_id=user.id,
                                 actor=user.username, target=f"alert:{alert_id}",
                                 detail={"type": str(item.type), "device_id": item.device_id})
        if first_read:  # the user's other pages drop it from their unread count
            await self._feed.publish([user.id], _event(FeedKind.STATE, item))
        return item

    async def get_for(self, user: SignedInUser, alert_id: int) -> AlertItem:
        """One of the user's alerts as it is now, changing nothing (a page refreshing)."""
        async with self._database.sessions() as db:
            return await inbox.one_alert(db, self._catalog, user.id, alert_id)

    async def unread_count(self, user: SignedInUser) -> int:
        """How many of the user's alerts they have not opened or acted on yet."""
        async with self._database.sessions() as db:
            return await inbox.unread_count(db, user.id)

    async def acknowledge(self, user: SignedInUser, alert_id: int) -> AlertItem:
        """确认: a new alert becomes acknowledged by the user (audited); 409 otherwise.
        Every recipient's open pages hear of it."""
        async with self._database.sessions() as db, db.begin():
            alert = await inbox.advance(db, user.id, alert_id, AlertState.ACKNOWLEDGED)
            item = await inbox.one_alert(db, self._catalog, user.id, alert_id)
            told = await inbox.recipient_ids(db, alert_id)
        await self._audit.record(AuditAction.ALERT_ACKNOWLEDGE, actor_id=user.id,
                                 actor=user.username, target=f"alert:{alert_id}",
                                 detail={"type": alert.type, "device_id": alert.device_id})
        await self._feed.publish(told, _event(FeedKind.STATE, item))
        return item

    async def resolve(self, user: SignedInUser, alert_id: int, note: str) -> AlertItem:
        """处置完成: a new or acknowledged alert becomes resolved with the user's note
        (audited); 409 when it already is. Every recipient's open pages hear of it."""
        async with self._database.sessions() as db, db.begin():
            alert = await inbox.advance(db, user.id, alert_id, AlertState.RESOLVED, note)
            item = await inbox.one_alert(db, self._catalog, user.id, alert_id)
            told = await inbox.recipient_ids(db, alert_id)
        await self._audit.record(AuditAction.ALERT_RESOLVE, actor_id=user.id,
                                 actor=user.username, target=f"alert:{alert_id}",
                                 detail={"type": alert.type, "device_id": alert.device_id,
                                         "note": note})
        await self._feed.publish(told, _event(FeedKind.STATE, item))
        return item


def _event(kind: FeedKind, item: AlertItem) -> FeedEvent:
    return FeedEvent(kind=kind, alert_id=item.id, type=str(item.type),
                     device_id=item.device_id, state=str(item.state))


def _decode(body: bytes) -> AlertEvent:
    try:
        return msgspec.json.decode(body, type=AlertEvent)
    except msgspec.ValidationError as exc:  # before DecodeError: it is a subclass
        raise AlertInvalid(str(exc)) from exc
    except msgspec.DecodeError as exc:
        raise AlertMalformed(str(exc)) from exc
