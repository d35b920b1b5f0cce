"""Device alarms as WVP relays them: stored for the lists (/api/alarm/all up to 2.7.4,
master's /api/alarm/list with its `alarmType` filter) and pushed as server-sent events
on /api/emit to the versions that have it, with a keepalive each `keepalive_s` (an
`event:keepalive` or a `:keep alive` comment, `keepalive_style`)."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from datetime import datetime

from tests.wvp_double.asgi import (
    Receive,
    Reply,
    Route,
    Send,
    page_info,
    respond,
    route,
    send_chunk,
    streamed,
)
from tests.wvp_double.state import CHINA, MASTER, MAX_STREAM_S, OLD, TIME_FORMAT, DoubleState


@dataclass
class _Subscriber:
    browser_id: str
    events: list[str] = field(default_factory=list)
    dropped: bool = False


class Alarms:
    """The alarm store, its lists, and the SSE listeners."""

    def __init__(self, state: DoubleState) -> None:
        self._state = state
        self._alarm_ids = itertools.count(1)
        self._subscribers: list[_Subscriber] = []

    def routes(self) -> list[Route]:
        return [
            route(r"/api/alarm/all", OLD, self._alarm_all),
            route(r"/api/alarm/list", MASTER, self._alarm_list),
        ]

    @property
    def listeners(self) -> int:
        with self._state.lock:
            return len(self._subscribers)

    def drop_listeners(self) -> None:
        with self._state.lock:
            for subscriber in self._subscribers:
                subscriber.dropped = True

    def raise_alarm(self, code: str, *, alarm_type: str, priority: str, method: str,
                    description: str, longitude: float | None, latitude: float | None) -> int:
        state = self._state
        with state.lock:
            channel = next(c for c in state.channels if c.code == code)
            alarm_id = next(self._alarm_ids)
            now = datetime.now(CHINA).strftime(TIME_FORMAT)  # WVP's wall clock (UTC+8)
            device_alarm = {
                "id": alarm_id, "deviceId": channel.parent, "channelId": channel.code,
                "alarmPriority": priority, "alarmMethod": method, "alarmType": alarm_type,
                "alarmTime": now, "alarmDescription": description,
                "longitude": longitude, "latitude": latitude, "createTime": now}
            listed = {
                "id": alarm_id, "channelId": channel.gb_id, "channelDeviceId": channel.code,
                "channelName": channel.name, "description": description,
                "snapPath": f"/api/alarm/snap/{alarm_id}", "alarmType": alarm_type,
                "alarmTime": now}
            state.alarms.append({"device": device_alarm, "listed": listed})
            if state.version in OLD:
                event = f"event:message\ndata:{json.dumps(device_alarm, ensure_ascii=False)}\n\n"
                for subscriber in self._subscribers:
                    subscriber.events.append(event)
        return alarm_id

    async def _alarm_all(self, params: dict[str, str]) -> Reply:
        with self._state.lock:
            items = [a["device"] for a in reversed(self._state.alarms)]
        return page_info(items, params)

    async def _alarm_list(self, params: dict[str, str]) -> Reply:
        with self._state.lock:
            items = [a["listed"] for a in reversed(self._state.alarms)]
        types = params.get("alarmType")
        if types:
            wanted = set(types.split(","))
            items = [i for i in items if i["alarmType"] in wanted]
        return page_info(items, params)

    async def sse(self, params: dict[str, str], receive: Receive, send: Send) -> None:
        """/api/emit: the events of alarms raised while connected, and keepalives."""
        state = self._state
        browser = params.get("browserId")
        if not browser:
            await respond(send, Reply(400, {"code": 400, "msg": "browserId 不能为空"}))
            return
        subscriber = _Subscriber(browser)
        with state.lock:
            self._subscribers.append(subscriber)
        headers = [(b"content-type", b"text/event-stream;charset=UTF-8")]
        try:
            async with streamed(receive, send, headers) as gone:
                started = last_keepalive = time.monotonic()
                while not (gone.is_set() or subscriber.dropped or state.stopping):
                    now = time.monotonic()
                    if now - started > MAX_STREAM_S:
                        break
                    with state.lock:
                        events, subscriber.events = subscriber.events, []
                    chunks = list(events)
                    if now - last_keepalive >= state.keepalive_s:
                        last_keepalive = now
                        chunks.append(":keep alive\n\n" if state.keepalive_style == "comment"
                                      else "event:keepalive\ndata:keepalive\n\n")
                    if chunks:
                        await send_chunk(send, "".join(chunks).encode())
                    await asyncio.sleep(0.02)
        finally:
            with state.lock:
                self._subscribers.remove(subscriber)
