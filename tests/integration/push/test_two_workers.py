"""Two delivery workers — as two processes would run them, each with its own database
engine — share one outbox: every alert reaches every device exactly once, and an
abandoned claim is taken over once its lease runs out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection
from datetime import timedelta
from typing import Self

import pytest
from sqlalchemy import select, update

from bff.alerts.delivery import DeliveryRound, DeliveryWorker
from bff.alerts.feed import FeedEvent, FeedKind
from bff.alerts.models import AlertOutbox, OutboxKind
from bff.alerts.sender import event_body
from bff.alerts.services import AlertService, SignedRequest
from bff.alerts.signing import sign
from bff.alerts.types import AlertTypes
from bff.audit.services import AuditLog
from bff.auth.models import User
from bff.catalog.services import CatalogService
from bff.lib.db import Database, create_database, utcnow
from bff.lib.ratelimit import RateLimiter
from bff.lib.settings import DeliverySettings, Settings
from bff.push.models import PushSubscription
from bff.push.services import PushService
from tests.integration.alerts.conftest import SOURCE, chengqu_camera
from tests.push_receiver import PushReceiver

ALERTS = 6
DEVICES = 8


class RecordingFeed:
    """The live channel as the worker sees it: remembers what it was asked to publish."""

    def __init__(self) -> None:
        self.events: list[tuple[list[int], FeedEvent]] = []

    async def publish(self, user_ids: Collection[int], event: FeedEvent) -> None:
        self.events.append((sorted(user_ids), event))


class Process:
    """What one BFF process holds for delivery: its own engine, push service, worker."""

    def __init__(self, settings: Settings, name: str) -> None:
        self.settings = settings
        self.name = name
        self.database = create_database(settings.database)
        self.feed = RecordingFeed()

    async def __aenter__(self) -> Self:
        audit = AuditLog(self.database)
        catalog = CatalogService(self.database)
        await catalog.load()
        self.catalog = catalog
        self.push = await PushService.start(self.settings.push, self.database, audit)
        self.worker = DeliveryWorker(self.settings.delivery, self.database, catalog,
                                     AlertTypes(), self.push, self.feed, name=self.name)
        self.alerts = AlertService(self.settings.alerts, self.database, catalog, audit,
                                   RateLimiter(1000, 60), delivery_wake=self.worker.wake)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.push.close()
        await self.database.close()


@pytest.fixture
async def processes(settings: Settings) -> AsyncIterator[tuple[Process, Process]]:
    async with Process(settings, "worker-a") as first, Process(settings, "worker-b") as second:
        yield first, second


async def add_devices(database: Database, receiver: PushReceiver, username: str,
                      count: int) -> list[dict[str, object]]:
    subscriptions = [receiver.subscribe() for _ in range(count)]
    async with database.sessions() as db, db.begin():
        user_id = await db.scalar(select(User.id).where(User.username == username))
        db.add_all([PushSubscription(user_id=user_id, endpoint=s["endpoint"],
                                     p256dh=s["keys"]["p256dh"], auth=s["keys"]["auth"],
                                     device="test", failure_count=0)
                    for s in subscriptions])
    return subscriptions


async def ingest(process: Process, event_id: str) -> int:
    body = event_body("flooding", chengqu_camera(), event_id=event_id)
    stamp = int(utcnow().timestamp())
    secret = process.settings.alerts.sources[SOURCE]
    result = await process.alerts.ingest(SignedRequest(
        source=SOURCE, timestamp=str(stamp), signature=sign(secret, stamp, body), body=body))
    return result.alert_id


async def test_two_workers_never_send_the_same_row(processes: tuple[Process, Process],
                                                   receiver: PushReceiver) -> None:
    first, second = processes
    devices = await add_devices(first.database, receiver, "water01", DEVICES)
    alert_ids = [await ingest(first if i % 2 else second, f"race-{i}") for i in range(ALERTS)]

    rounds_a, rounds_b = await asyncio.gather(first.worker.deliver_pending(),
                                              second.worker.deliver_pending())
    rounds: list[DeliveryRound] = rounds_a + rounds_b
    assert sorted(r.alert_id for r in rounds) == alert_ids  # each row by one worker
    assert all(r.done and r.delivered == DEVICES for r in rounds)
    assert await asyncio.to_thread(receiver.wait_for, ALERTS * DEVICES, 5.0)
    for device in devices:
        assert sorted(p.payload["alert_id"] for p in receiver.pushes_for(device)) == alert_ids
    assert len(receiver.received) == ALERTS * DEVICES
    published = first.feed.events + second.feed.events
    assert sorted(event.alert_id for _, event in published) == alert_ids
    assert all(event.kind is FeedKind.NEW for _, event in published)
    # Nothing left for anyone.
    assert await first.worker.deliver_pending() == []
    assert await second.worker.deliver_pending() == []


async def test_an_expired_claim_is_taken_over_and_served_devices_skipped(
        processes: tuple[Process, Process], receiver: PushReceiver) -> None:
    first, second = processes
    devices = await add_devices(first.database, receiver, "water01", 3)
    alert_id = await ingest(first, "crashed")
    # worker-a claims the row and "dies" holding it.
    claimed = await first.worker._claim()
    assert claimed is not None and claimed[1] == alert_id
    assert await second.worker.deliver_pending() == []  # the lease still holds
    async with first.database.sessions() as db, db.begin():
        await db.execute(update(AlertOutbox).values(
            claimed_until=utcnow() - timedelta(seconds=1)))
    rounds = await second.worker.deliver_pending()
    assert [(r.alert_id, r.delivered, r.done) for r in rounds] == [(alert_id, 3, True)]
    assert await asyncio.to_thread(receiver.wait_for, 3, 5.0)
    assert all(len(receiver.pushes_for(device)) == 1 for device in devices)


async def test_escalation_rows_publish_escalated_and_say_so(
        processes: tuple[Process, Process], receiver: PushReceiver) -> None:
    first, _ = processes
    device = (await add_devices(first.database, receiver, "water01", 1))[0]
    alert_id = await ingest(first, "escalate-me")
    await first.worker.deliver_pending()
    async with first.database.sessions() as db, db.begin():
        db.add(AlertOutbox(alert_id=alert_id, kind=OutboxKind.ESCALATION.value, attempts=0))
    rounds = await first.worker.deliver_pending()
    assert [r.done for r in rounds] == [True]
    assert await asyncio.to_thread(receiver.wait_for, 2, 5.0)
    assert [p.payload["kind"] for p in receiver.pushes_for(device)] == ["new", "escalation"]
    assert [event.kind for _, event in first.feed.events] == [FeedKind.NEW, FeedKind.ESCALATED]


async def test_unreachable_devices_are_retried_then_given_up_loudly(
        settings: Settings, receiver: PushReceiver, caplog: pytest.LogCaptureFixture) -> None:
    settings.push.attempts = 1
    settings.delivery = DeliverySettings(attempts=2, retry_s=60, lease_s=10)
    async with Process(settings, "worker-c") as process:
        device = (await add_devices(process.database, receiver, "water01", 1))[0]
        receiver.script(device, (503, None), (503, None))
        await ingest(process, "never")
        first_round = await process.worker.deliver_pending()
        assert [(r.done, r.unreachable) for r in first_round] == [(False, 1)]
        assert await process.worker.deliver_pending() == []  # backing off for retry_s
        async with process.database.sessions() as db, db.begin():
            await db.execute(update(AlertOutbox).values(
                claimed_until=utcnow() - timedelta(seconds=1)))
        second_round = await process.worker.deliver_pending()
        assert [(r.done, r.unreachable) for r in second_round] == [(False, 1)]
        assert await process.worker.deliver_pending() == []  # no third round
        assert "giving up after 2 rounds" in caplog.text
        async with process.database.sessions() as db:
            outbox = (await db.scalars(select(AlertOutbox))).one()
        assert outbox.delivered_at is None and outbox.attempts == 2
        subscription_row = await process.push.targets_for(
            [await _user_id(process.database, "water01")])
        assert len(subscription_row) == 1  # 5xx never prunes


async def _user_id(database: Database, username: str) -> int:
    async with database.sessions() as db:
        user_id = await db.scalar(select(User.id).where(User.username == username))
    assert user_id is not None
    return user_id
