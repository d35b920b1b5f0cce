"""Delivering accepted alerts: the outbox worker (预警投递).

Every accepted alert (and every escalation) leaves an `alert_outbox` row in the same
transaction. Workers in any number of processes take rows from there:

1. claim a row with one conditional UPDATE (`delivered_at IS NULL AND (claimed_until IS
   NULL OR claimed_until < now)`, rowcount 1 = ours) — portable across SQLite and
   PostgreSQL, and two processes can never both win; the claim is a lease, so a row
   whose worker died is taken over once it expires;
2. tell the recipients' open pages (`AlertFeed`, best effort);
3. Web Push the alert to every subscribed device of every recipient, skipping devices
   this row already reached (`alert_delivery`, written as each batch completes), so a
   retry after a crash does not notify a phone twice (and the service worker drops a
   repeat by alert id anyway);
4. mark the row delivered — or, when some devices could not be reached, release it for a
   later round with a growing backoff, up to `attempts` rounds, then give up loudly.

An ingest in this process wakes the worker at once (an `asyncio.Event`); it also polls
every few seconds for rows left by other processes and crashes.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import os
import socket
import uuid
from datetime import timedelta

import msgspec
from sqlalchemy import and_, insert, or_, select, update

from bff.alerts.feed import AlertFeed, FeedEvent, FeedKind
from bff.alerts.models import Alert, AlertDelivery, AlertOutbox, AlertRecipient, OutboxKind
from bff.alerts.types import AlertTypes
from bff.catalog.services import CatalogService
from bff.lib.db import Database, utcnow
from bff.lib.settings import DeliverySettings
from bff.push.sender import MAX_PAYLOAD, Outcome, PushMessage, PushResult
from bff.push.services import PushService

log = logging.getLogger(__name__)

BATCH = 200
"""Results between two records of who was reached (bounds re-sends after a crash)."""
CLAIM_CANDIDATES = 20


class PushPayload(msgspec.Struct, frozen=True, kw_only=True):
    """What the service worker reads from a push: enough to show the notification and
    open the alert; the page loads everything else (authorized) itself."""

    alert_id: int
    kind: str  # new | escalation
    type: str
    label: str
    label_en: str
    device_id: str
    camera: str
    place: str
    occurred_at: str
    urgency: str
    url: str


class DeliveryRound(msgspec.Struct, frozen=True, kw_only=True):
    """What one round of one outbox row achieved (for logs and tests)."""

    outbox_id: int
    alert_id: int
    recipients: int
    devices: int
    sent: int
    delivered: int
    unreachable: int
    done: bool


class DeliveryWorker:
    """Takes outbox rows and delivers them; run one per process (`run`)."""

    def __init__(self, settings: DeliverySettings, database: Database, catalog: CatalogService,
                 types: AlertTypes, push: PushService, feed: AlertFeed,
                 wake: asyncio.Event | None = None, name: str | None = None) -> None:
        self._settings = settings
        self._database = database
        self._catalog = catalog
        self._types = types
        self._push = push
        self._feed = feed
        self.wake = wake or asyncio.Event()
        self.name = (name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}")[:64]

    async def run(self) -> None:
        """Deliver until cancelled: at once when woken, else every `poll_s`."""
        while True:
            self.wake.clear()
            try:
                await self.deliver_pending()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("alert delivery round failed; retrying in %.0f s",
                              self._settings.poll_s)
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=self._settings.poll_s)
            except TimeoutError:
                pass

    async def deliver_pending(self) -> list[DeliveryRound]:
        """Claim and deliver rows until none is left for this worker."""
        rounds: list[DeliveryRound] = []
        while True:
            claimed = await self._claim()
            if claimed is None:
                return rounds
            rounds.append(await self._deliver(*claimed))

    async def _claim(self) -> tuple[int, int, str, int] | None:
        """(outbox id, alert id, kind, attempt) of a row now ours, or None."""
        now = utcnow()
        available = and_(AlertOutbox.delivered_at.is_(None),
                         or_(AlertOutbox.claimed_until.is_(None),
                             AlertOutbox.claimed_until < now),
                         AlertOutbox.attempts < self._settings.attempts)
        async with self._database.sessions() as db:
            candidates = (await db.execute(
                select(AlertOutbox.id, AlertOutbox.alert_id, AlertOutbox.kind,
                       AlertOutbox.attempts)
                .where(available).order_by(AlertOutbox.id).limit(CLAIM_CANDIDATES))).all()
        for outbox_id, alert_id, kind, attempts in candidates:
            async with self._database.sessions() as db, db.begin():
                won = (await db.execute(
                    update(AlertOutbox)
                    .where(AlertOutbox.id == outbox_id, available,
                           AlertOutbox.attempts == attempts)
                    .values(claimed_by=self.name,
                            claimed_until=now + timedelta(seconds=self._settings.lease_s),
                            attempts=attempts + 1)
                    .execution_options(synchronize_session=False))).rowcount
            if won == 1:
                return outbox_id, alert_id, kind, attempts + 1
        return None

    async def _deliver(self, outbox_id: int, alert_id: int, kind: str,
                       attempt: int) -> DeliveryRound:
        async with self._database.sessions() as db:
            alert = await db.get(Alert, alert_id)
            user_ids = list((await db.scalars(
                select(AlertRecipient.user_id).where(AlertRecipient.alert_id == alert_id)
                .order_by(AlertRecipient.user_id))).all())
            served = set((await db.scalars(
                select(AlertDelivery.subscription_id)
                .where(AlertDelivery.outbox_id == outbox_id))).all())
        if alert is None:  # deleted meanwhile (cascade keeps this from happening)
            await self._finish(outbox_id)
            return DeliveryRound(outbox_id=outbox_id, alert_id=alert_id, recipients=0,
                                 devices=0, sent=0, delivered=0, unreachable=0, done=True)
        await self._publish(alert, kind, user_ids)
        targets = await self._push.targets_for(user_ids)
        pending = [target for target in targets if target.id not in served]
        message = self._message(alert, kind)
        delivered = unreachable = 0
        batch: list[PushResult] = []
        # Slow push services must not let the lease run out while this process still
        # works on the row: it is renewed until the round ends.
        keeping = asyncio.create_task(self._keep_claim(outbox_id))
        try:
            async for result in self._push.sender.send_each(pending, message):
                delivered += result.outcome is Outcome.DELIVERED
                unreachable += result.outcome is Outcome.UNREACHABLE
                batch.append(result)
                if len(batch) >= BATCH:  # the others stay in flight meanwhile
                    await self._record(outbox_id, batch)
                    batch = []
            if batch:
                await self._record(outbox_id, batch)
        finally:
            keeping.cancel()
        done = unreachable == 0
        if done:
            await self._finish(outbox_id)
        else:
            await self._release(outbox_id, attempt, alert_id, unreachable)
        log.info("alert %s (%s) outbox %s: %d recipients, %d devices, %d pushed now, "
                 "%d delivered, %d unreachable", alert_id, kind, outbox_id, len(user_ids),
                 len(targets), len(pending), delivered, unreachable)
        return DeliveryRound(outbox_id=outbox_id, alert_id=alert_id, recipients=len(user_ids),
                             devices=len(targets), sent=len(pending), delivered=delivered,
                             unreachable=unreachable, done=done)

    async def _publish(self, alert: Alert, kind: str, user_ids: list[int]) -> None:
        event = FeedEvent(kind=FeedKind.ESCALATED if kind == OutboxKind.ESCALATION
                          else FeedKind.NEW, alert_id=alert.id, type=alert.type,
                          device_id=alert.device_id, state=alert.state)
        try:
            await self._feed.publish(user_ids, event)
        except Exception:
            log.exception("alert %s: publishing to open pages failed", alert.id)

    def _message(self, alert: Alert, kind: str) -> PushMessage:
        info = self._types.get(alert.type)
        camera = self._catalog.get(alert.device_id)
        payload = PushPayload(
            alert_id=alert.id, kind=kind, type=alert.type,
            label=self._types.label(alert.type, "zh"), label_en=self._types.label(alert.type, "en"),
            device_id=alert.device_id, camera=(camera.name if camera else alert.device_id)[:120],
            place=(camera.address if camera else "")[:160],
            occurred_at=alert.occurred_at.isoformat(timespec="seconds"),
            urgency=info.urgency.value if info else "normal", url=f"/alerts/{alert.id}")
        body = msgspec.json.encode(payload)
        if len(body) > MAX_PAYLOAD:  # cannot happen with the caps above; never send a 413
            body = msgspec.json.encode(msgspec.structs.replace(payload, place="", camera=""))
        return PushMessage(payload=body, urgency=info.urgency.value if info else "normal",
                           ttl_s=info.ttl_s if info else 3600,
                           topic=notification_topic(alert.device_id, alert.type))

    async def _record(self, outbox_id: int, results: list[PushResult]) -> None:
        reached = [{"outbox_id": outbox_id, "subscription_id": r.target_id,
                    "delivered_at": utcnow()}
                   for r in results if r.outcome in (Outcome.DELIVERED, Outcome.REJECTED)]
        # A refused push (4xx) is settled too: sending it again would be refused again.
        if reached:
            async with self._database.sessions() as db, db.begin():
                await db.execute(insert(AlertDelivery), reached)
        await self._push.record(results)

    async def _keep_claim(self, outbox_id: int) -> None:
        while True:
            await asyncio.sleep(self._settings.lease_s / 3)
            try:
                async with self._database.sessions() as db, db.begin():
                    await db.execute(update(AlertOutbox)
                                     .where(AlertOutbox.id == outbox_id,
                                            AlertOutbox.claimed_by == self.name)
                                     .values(claimed_until=utcnow() + timedelta(
                                         seconds=self._settings.lease_s)))
            except Exception:
                log.exception("outbox %s: renewing the claim failed", outbox_id)

    async def _finish(self, outbox_id: int) -> None:
        async with self._database.sessions() as db, db.begin():
            await db.execute(update(AlertOutbox).where(AlertOutbox.id == outbox_id)
                             .values(delivered_at=utcnow(), claimed_until=None))

    async def _release(self, outbox_id: int, attempt: int, alert_id: int,
                       unreachable: int) -> None:
        if attempt >= self._settings.attempts:
            log.error("alert %s outbox %s: giving up after %d rounds, %d devices never "
                      "reached", alert_id, outbox_id, attempt, unreachable)
            async with self._database.sessions() as db, db.begin():
                await db.execute(update(AlertOutbox).where(AlertOutbox.id == outbox_id)
                                 .values(claimed_until=None))
            return
        wait = self._settings.retry_s * 2 ** (attempt - 1)
        async with self._database.sessions() as db, db.begin():
            await db.execute(update(AlertOutbox)
                             .where(AlertOutbox.id == outbox_id,
                                    AlertOutbox.claimed_by == self.name)
                             .values(claimed_until=utcnow() + timedelta(seconds=wait)))
        log.warning("alert %s outbox %s: %d devices unreachable; round %d of %d, next in "
                    "%.0f s", alert_id, outbox_id, unreachable, attempt,
                    self._settings.attempts, wait)


def notification_topic(device_id: str, alert_type: str) -> str:
    """RFC 8030 Topic (≤ 32 base64url characters): a newer undelivered push about the same
    camera and type replaces the older one at the push service, as the tag does on the
    phone."""
    digest = hashlib.sha256(f"{device_id}:{alert_type}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode("ascii")
