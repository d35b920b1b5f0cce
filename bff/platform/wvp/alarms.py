"""Device alarms (报警) as WVP relays them: server-sent events at /api/emit (up to
2.7.4-20260107) or polling master's /api/alarm/list (`WvpSettings.alarm_mode`).

Both read into `PlatformAlarm` through `ALARM_FIELDS`, which names each field as either
source spells it. Failures are logged and retried with capped backoff until the adapter
closes; they never end the iteration.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx

from bff.platform.base import (
    PlatformAlarm,
    PlatformError,
    PlatformTimeout,
    PlatformUnavailable,
)
from bff.platform.wvp.client import WvpClient, json_of, unwrap
from bff.platform.wvp.shapes import ALARM_FIELDS, WallClock, as_int, as_text, position_of

log = logging.getLogger(__name__)

ALARM_RETRY_MAX_S = 30.0


class WvpAlarmFeed:
    """The `AlarmFeed` port over WVP: one listener of its device alarms per adapter."""

    def __init__(self, client: WvpClient, clock: WallClock) -> None:
        self._client = client
        self._clock = clock
        # WVP keys its SSE subscribers by a browser id: one of our own per adapter.
        self._browser_id = f"bff-{uuid.uuid4().hex[:12]}"

    async def alarms(self) -> AsyncIterator[PlatformAlarm]:
        """Device alarms until the client closes: server-sent events or polling."""
        client = self._client
        mode = client.settings.alarm_mode
        if mode == "off":
            await client.wait_closed()
            return
        delay = 1.0
        while not client.closed:
            source = self._sse_alarms() if mode == "sse" else self._polled_alarms()
            try:
                async for alarm in source:
                    delay = 1.0
                    yield alarm
            except PlatformError as exc:
                log.warning("WVP alarm %s failed (%s); retrying in %.0fs", mode, exc, delay)
            finally:
                await source.aclose()
            if client.closed:
                return
            await client.unless_closed(asyncio.sleep(delay))
            delay = min(delay * 2, ALARM_RETRY_MAX_S)

    async def _sse_alarms(self) -> AsyncIterator[PlatformAlarm]:
        path = "/api/emit"
        for attempt in (1, 2):
            token = await self._client.token()
            http = self._client.http()
            request = http.build_request(
                "GET", path, params={"browserId": self._browser_id},
                headers={"access-token": token, "accept": "text/event-stream"})
            try:
                response = await http.send(request, stream=True)
            except httpx.HTTPError as exc:
                raise PlatformUnavailable(
                    f"WVP unreachable ({path}): {type(exc).__name__}") from exc
            try:
                if response.status_code == 401 and attempt == 1:
                    await self._client.renew_token(token)
                    continue
                if response.status_code != 200 or "text/event-stream" not in \
                        response.headers.get("content-type", ""):
                    await response.aread()
                    unwrap(response, json_of(response), path)
                    raise PlatformError(f"WVP's {path} is not an event stream")
                log.info("listening to WVP alarms (server-sent events)")
                lines = response.aiter_lines()
                event = SseParser()
                while True:
                    line = await self._client.unless_closed(_next_line(lines))
                    if line is None:
                        return
                    message = event.feed(line)
                    if message is not None and message[0] == "message":
                        alarm = self._alarm_of(_json_text(message[1]))
                        if alarm is not None:
                            yield alarm
            except httpx.TimeoutException as exc:
                raise PlatformTimeout("WVP's alarm stream went silent") from exc
            except httpx.HTTPError as exc:
                raise PlatformUnavailable(
                    f"WVP's alarm stream broke: {type(exc).__name__}") from exc
            finally:
                await response.aclose()

    async def _polled_alarms(self) -> AsyncIterator[PlatformAlarm]:
        """Poll master's /api/alarm/list; alarms already there at the first poll are
        history, not news, so only ids above that watermark are yielded."""
        client = self._client
        watermark: int | None = None
        while not client.closed:
            newest: list[dict[str, Any]] = []
            async with contextlib.aclosing(client.pages("/api/alarm/list")) as pages:
                async for items in pages:  # newest first
                    fresh = [i for i in items if (n := as_int(i.get("id"))) is not None
                             and (watermark is None or n > watermark)]
                    newest.extend(fresh)
                    if len(fresh) < len(items) or watermark is None:
                        break  # reached what was already seen (or this is the baseline)
            ids = [n for i in newest if (n := as_int(i.get("id"))) is not None]
            if watermark is not None:
                for item in sorted(newest, key=lambda i: as_int(i.get("id")) or 0):
                    alarm = self._alarm_of(item)
                    if alarm is not None:
                        yield alarm
            watermark = max([*ids, watermark or 0])
            await client.unless_closed(asyncio.sleep(client.settings.alarm_poll_s))

    def _alarm_of(self, item: Any) -> PlatformAlarm | None:
        if not isinstance(item, dict):
            return None

        def pick(key: str) -> Any:
            for name in ALARM_FIELDS[key]:
                value = item.get(name)
                if value is not None and value != "":
                    return value
            return None

        device_id = as_text(pick("device_id"))
        if not device_id:
            return None
        occurred = self._clock.parse(pick("time")) or datetime.now(UTC)
        alarm_id = as_text(pick("id")) or f"{device_id}@{occurred.isoformat()}"
        longitude, latitude = position_of(pick("longitude"), pick("latitude"))
        return PlatformAlarm(alarm_id=alarm_id, device_id=device_id,
                             alarm_type=as_text(pick("type")), priority=as_int(pick("priority")),
                             occurred_at=occurred, description=as_text(pick("description")),
                             longitude=longitude, latitude=latitude)


class SseParser:
    """Server-sent events, line by line (WHATWG rules: `event:`/`data:` fields, `:`
    comments, a blank line dispatches)."""

    def __init__(self) -> None:
        self._event = ""
        self._data: list[str] = []

    def feed(self, line: str) -> tuple[str, str] | None:
        """Take one line; return (event, data) when it completes an event."""
        line = line.rstrip("\r")
        if not line:
            if not self._data and not self._event:
                return None
            event, data = self._event or "message", "\n".join(self._data)
            self._event, self._data = "", []
            return event, data
        if line.startswith(":"):
            return None  # comment, e.g. WVP's ":keep alive"
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        return None


async def _next_line(lines: AsyncIterator[str]) -> str:
    try:
        return await anext(lines)
    except StopAsyncIteration:
        raise PlatformUnavailable("WVP closed the alarm stream") from None


def _json_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        log.warning("WVP sent an alarm that is not JSON; ignored")
        return None
