"""The live channel end to end: the app served by uvicorn on 127.0.0.1 (the test client
buffers whole responses, an event stream never ends), phones as httpx clients reading
`/alerts/stream`. Every wait is bounded; a missing event fails the test at its deadline."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
import msgspec
import pytest
import uvicorn
from litestar import Litestar
from redis.asyncio import Redis
from sqlalchemy import select

from bff.alerts.feed import FeedEvent, FeedKind
from bff.alerts.live import LiveAlertFeed, channels_backend
from bff.app import create_app
from bff.auth.models import User
from bff.lib.db import Database
from bff.lib.settings import LiveFeedSettings, Settings
from tests.helpers import api_headers, sign_in
from tests.integration.alerts.conftest import event, post_event

WAIT_S = 10.0
"""Deadline of every wait for something to arrive."""


@asynccontextmanager
async def serving(app: Litestar) -> AsyncIterator[str]:
    """The app on a free loopback port, in this event loop; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning",
                                           timeout_graceful_shutdown=2))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(60):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@asynccontextmanager
async def phone(base: str, username: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base, timeout=WAIT_S) as client:
        answer = await sign_in(client, username)  # type: ignore[arg-type]
        assert answer.status_code == 303, answer.text
        yield client


@dataclass
class SseEvent:
    event: str | None = None
    data: str = ""
    comments: list[str] = field(default_factory=list)


class EventStream:
    """One open `/alerts/stream`, read event by event."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.aiter_lines()

    async def next(self) -> SseEvent:
        """The next event or comment block (bounded by WAIT_S)."""
        current = SseEvent()
        async with asyncio.timeout(WAIT_S):
            async for line in self._lines:
                if line == "":
                    if current.event or current.data or current.comments:
                        return current
                    continue
                if line.startswith(":"):
                    current.comments.append(line[1:].strip())
                elif line.startswith("event:"):
                    current.event = line[6:].strip()
                elif line.startswith("data:"):
                    current.data += line[5:].strip()
        raise EOFError("the stream ended")

    async def next_alert(self) -> dict:
        """The next general `alert` event's data (its `alert-<id>` twin is checked too)."""
        while True:
            item = await self.next()
            if item.event == "alert":
                data = msgspec.json.decode(item.data)
                twin = await self.next()
                assert twin.event == f"alert-{data['alert_id']}" and twin.data == item.data
                return data


@asynccontextmanager
async def stream(client: httpx.AsyncClient) -> AsyncIterator[EventStream]:
    async with client.stream("GET", "/alerts/stream",
                             headers={"accept": "text/event-stream"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in response.headers  # each event leaves at once
        events = EventStream(response)
        first = await events.next()  # subscribed: nothing published from now on is missed
        assert first.comments == ["connected"]
        yield events


async def ingest(client: httpx.AsyncClient, event_id: str, **fields: object) -> int:
    answer = await post_event(client, event(event_id, **fields))  # type: ignore[arg-type]
    assert answer.status_code == 202, answer.text
    return answer.json()["alert_id"]


async def user_id(db: Database, username: str) -> int:
    async with db.sessions() as session:
        return (await session.execute(select(User.id).where(User.username == username))
                ).scalar_one()


async def test_stream_needs_a_session(settings: Settings) -> None:
    async with serving(create_app(settings)) as base, httpx.AsyncClient(base_url=base) as anon:
        answer = await anon.get("/alerts/stream", headers={"accept": "text/event-stream"})
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
        api = await anon.get("/alerts/stream", headers={"accept": "application/json"})
        assert api.status_code == 401


async def test_each_user_hears_only_their_own_alerts(settings: Settings) -> None:
    async with serving(create_app(settings)) as base, phone(base, "police01") as police, \
            phone(base, "water01") as water, stream(police) as police_events, \
            stream(water) as water_events:
        flood = await ingest(police, "live-f1")  # routed to 15 水务 only
        smuggling = await ingest(police, "live-s1", type="smuggling_intrusion")  # 06 公安

        heard = await water_events.next_alert()
        assert heard == {"kind": "new", "alert_id": flood, "type": "flooding",
                         "device_id": heard["device_id"], "state": "new"}
        # Published after the flood: had police heard the flood, it would come first.
        assert (await police_events.next_alert())["alert_id"] == smuggling


async def test_a_state_change_reaches_the_other_recipient(settings: Settings) -> None:
    async with serving(create_app(settings)) as base, phone(base, "market01") as market, \
            phone(base, "approver01") as approver, stream(approver) as approver_events:
        alert_id = await ingest(market, "live-k1", type="kitchen_rodent")  # both in 24
        assert (await approver_events.next_alert())["kind"] == "new"

        acknowledged = await market.post(f"/api/alerts/{alert_id}/acknowledge", json={},
                                         headers=api_headers(market))  # type: ignore[arg-type]
        assert acknowledged.status_code == 200, acknowledged.text
        heard = await approver_events.next_alert()
        assert (heard["kind"], heard["alert_id"], heard["state"]) == (
            "state", alert_id, "acknowledged")

        resolved = await market.post(
            f"/alerts/{alert_id}/resolve", data={"note": "已灭鼠",
                                                "_csrf_token": market.cookies["csrftoken"]},
            headers={"hx-request": "true"})
        assert resolved.status_code == 200, resolved.text
        heard = await approver_events.next_alert()
        assert (heard["kind"], heard["state"]) == ("state", "resolved")


async def test_streams_are_bounded_and_released(settings: Settings, db: Database) -> None:
    settings.live_feed = LiveFeedSettings(heartbeat_s=0.2, max_stream_s=1.5,
                                          streams_per_user=2)
    app = create_app(settings)
    async with serving(app) as base, phone(base, "water01") as water:
        feed = app.state.services.alert_feed
        water_id = await user_id(db, "water01")
        async with stream(water) as first:
            beat = await first.next()
            assert beat.comments == ["keep-alive"]  # an idle stream still speaks
            async with stream(water):
                assert feed.open_streams(water_id) == 2
                refused = await water.get("/alerts/stream",
                                          headers={"accept": "application/json"})
                assert refused.status_code == 429
                assert refused.json()["message"] == "打开的预警页面过多（最多 2 个），请关闭部分页面"
            # The stream ends by itself after max_stream_s (the page reconnects).
            with pytest.raises(EOFError):
                while True:
                    await first.next()
        # Both streams gone, the second by the phone leaving: nothing is held any more.
        async with asyncio.timeout(WAIT_S):
            while feed.open_streams(water_id):
                await asyncio.sleep(0.05)


async def test_an_event_crosses_processes_through_redis(settings: Settings) -> None:
    if not settings.redis.url:
        pytest.skip("processes share events only through Redis")
    first_app, second_app = create_app(settings), create_app(settings)
    async with serving(first_app) as first, serving(second_app) as second, \
            phone(first, "water01") as ingesting_side, phone(second, "water01") as listener, \
            stream(listener) as events:
        alert_id = await ingest(ingesting_side, "live-x1")
        heard = await events.next_alert()
        assert (heard["kind"], heard["alert_id"]) == ("new", alert_id)

        acknowledged = await ingesting_side.post(
            f"/api/alerts/{alert_id}/acknowledge", json={},
            headers=api_headers(ingesting_side))  # type: ignore[arg-type]
        assert acknowledged.status_code == 200
        assert (await events.next_alert())["state"] == "acknowledged"


async def test_the_channel_survives_a_lost_redis_connection(settings: Settings) -> None:
    if not settings.redis.url:
        pytest.skip("the in-memory channel has no connection to lose")
    redis = Redis.from_url(settings.redis.url, socket_connect_timeout=5, socket_timeout=5)
    admin = Redis.from_url(settings.redis.url)
    backend = channels_backend(redis)
    feed = LiveAlertFeed(LiveFeedSettings(heartbeat_s=30), backend,
                         channel_prefix=settings.redis.key_prefix)
    await feed.start()
    events = feed.events(feed.reserve_stream(7))
    try:
        assert (await anext(events)).comment == "connected"
        # Redis drops our subscriber connection (a restart, a failover, a proxy timeout).
        host, port = backend._pub_sub.connection._writer.get_extra_info("sockname")
        assert await admin.client_kill_filter(_type=None, addr=f"{host}:{port}") == 1
        heard = asyncio.ensure_future(anext(events))
        new = FeedEvent(kind=FeedKind.NEW, alert_id=1, type="flooding", device_id="x",
                        state="new")
        async with asyncio.timeout(WAIT_S):
            while not heard.done():  # published again until the listener is back
                await feed.publish([7], new)
                await asyncio.wait({heard}, timeout=0.2)
        assert heard.result().event == "alert"
    finally:
        await events.aclose()
        await feed.close()
        await admin.aclose()
        await redis.aclose()
