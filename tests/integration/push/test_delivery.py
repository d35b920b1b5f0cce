"""Alert delivery end to end on the running app: an ingested alert reaches the recipient's
device through the push receiver, which checks the VAPID JWT and decrypts the payload;
429/5xx are retried after Retry-After; 404/410 prune the subscription; egress goes
through BFF_PUSH_PROXY when set."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from litestar.testing import AsyncTestClient
from sqlalchemy import select

from bff.alerts.models import AlertDelivery, AlertOutbox
from bff.app import create_app
from bff.lib.db import Database
from bff.lib.settings import Settings
from bff.push.models import PushSubscription
from tests.forwarding_proxy import ForwardingProxy
from tests.integration.alerts.conftest import chengqu_camera, event, post_event
from tests.integration.push.conftest import signed_in_with_device, subscribe
from tests.push_receiver import PushReceiver


async def wait_for(receiver: PushReceiver, count: int) -> None:
    assert await asyncio.to_thread(receiver.wait_for, count, 15.0), (
        f"{len(receiver.received)} pushes arrived, not {count}; refused: {receiver.refused}")


async def eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not await check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def ingest(client: AsyncTestClient, event_id: str, **fields: object) -> int:
    answer = await post_event(client, event(event_id, **fields))
    assert answer.status_code == 202, answer.text
    return answer.json()["alert_id"]


async def test_an_alert_reaches_the_device_decrypted(client: AsyncTestClient,
                                                     receiver: PushReceiver,
                                                     db: Database) -> None:
    subscription = await signed_in_with_device(client, receiver)
    alert_id = await ingest(client, "flood-1")
    await wait_for(receiver, 1)
    push = receiver.pushes_for(subscription)[0]
    assert push.payload["alert_id"] == alert_id and push.payload["kind"] == "new"
    assert push.payload["type"] == "flooding" and push.payload["label"] == "易涝点积水"
    assert push.payload["label_en"] == "Flooding"
    assert push.payload["device_id"] == chengqu_camera() and push.payload["camera"]
    assert push.payload["url"] == f"/alerts/{alert_id}"
    assert push.payload["occurred_at"].startswith("2026-12-04T")
    assert push.urgency == "high" and push.ttl == 3600  # the flooding type's
    assert push.topic and len(push.topic) <= 32
    key = (await client.get("/api/push/key")).json()["public_key"]
    assert push.vapid_key == key

    async def delivered() -> bool:
        async with db.sessions() as session:
            outbox = (await session.scalars(select(AlertOutbox))).one()
            return outbox.delivered_at is not None

    await eventually(delivered)
    async with db.sessions() as session:
        assert len((await session.scalars(select(AlertDelivery))).all()) == 1
        row = (await session.scalars(select(PushSubscription))).one()
        assert row.last_success_at is not None and row.failure_count == 0


async def test_a_duplicate_event_sends_nothing_more(client: AsyncTestClient,
                                                    receiver: PushReceiver) -> None:
    await signed_in_with_device(client, receiver)
    first = await ingest(client, "flood-dup")
    repeated = await post_event(client, event("flood-dup"))
    assert repeated.status_code == 200 and repeated.json()["duplicate"] is True
    second = await ingest(client, "flood-next")
    await wait_for(receiver, 2)  # rows go out in order: a duplicate's would come between
    assert sorted(p.payload["alert_id"] for p in receiver.received) == [first, second]


async def test_only_recipients_devices_are_notified(client: AsyncTestClient,
                                                    receiver: PushReceiver) -> None:
    police_device = await signed_in_with_device(client, receiver, "police01")
    await client.post("/logout", headers={"x-csrftoken": client.cookies.get("csrftoken", "")})
    water_device = await signed_in_with_device(client, receiver, "water01")
    await ingest(client, "flood-only-water")  # flooding goes to 15 水务 and 21 应急
    await ingest(client, "smuggling", type="smuggling_intrusion")  # 06 公安
    await wait_for(receiver, 2)
    assert [p.payload["type"] for p in receiver.pushes_for(water_device)] == ["flooding"]
    assert [p.payload["type"] for p in receiver.pushes_for(police_device)] == [
        "smuggling_intrusion"]
    assert receiver.pushes_for(police_device)[0].urgency == "high"


async def test_retries_honour_retry_after(client: AsyncTestClient,
                                          receiver: PushReceiver) -> None:
    subscription = await signed_in_with_device(client, receiver)
    receiver.script(subscription, (429, "1"), (503, None))
    await ingest(client, "flood-busy")
    await wait_for(receiver, 1)
    answers = receiver.answers_for(subscription)
    assert [a.status for a in answers] == [429, 503, 201]
    assert answers[1].at - answers[0].at >= 0.95  # Retry-After: 1
    assert answers[2].at - answers[1].at >= 0.38  # no Retry-After: backoff 0.2 s × 2


async def test_gone_subscriptions_are_pruned_others_counted(
        client: AsyncTestClient, receiver: PushReceiver, db: Database) -> None:
    healthy = await signed_in_with_device(client, receiver)
    expired, revoked, refused = (receiver.subscribe() for _ in range(3))
    for subscription in (expired, revoked, refused):
        assert (await subscribe(client, subscription)).status_code == 201
    receiver.script(expired, (410, None))
    receiver.script(revoked, (404, None))
    receiver.script(refused, (403, None))
    await ingest(client, "flood-prune")
    await wait_for(receiver, 1)
    assert len(receiver.pushes_for(healthy)) == 1

    async def settled() -> bool:
        async with db.sessions() as session:
            outbox = (await session.scalars(select(AlertOutbox))).one()
        return outbox.delivered_at is not None

    await eventually(settled)  # a refusal is final: nothing left to retry
    assert len((await client.get("/api/push/subscriptions")).json()) == 2
    async with db.sessions() as session:
        rows = {row.endpoint: row for row in (await session.scalars(select(PushSubscription)))}
    assert set(rows) == {healthy["endpoint"], refused["endpoint"]}
    assert rows[refused["endpoint"]].failure_count == 1  # a 403 is logged and counted


async def test_push_leaves_through_the_proxy(settings: Settings,
                                             receiver: PushReceiver) -> None:
    with ForwardingProxy() as proxy:
        settings.push.proxy = proxy.url
        async with AsyncTestClient(app=create_app(settings),
                                   base_url="http://127.0.0.1:8000") as client:
            subscription = await signed_in_with_device(client, receiver)
            await ingest(client, "flood-proxied")
            await wait_for(receiver, 1)
        assert proxy.requests == [("POST", subscription["endpoint"])]
