"""Recordings and playback as WVP answers them: a time window on WVP's wall clock
(`yyyy-MM-dd HH:mm:ss`), generated or configured (`recordings`) record lists, playback
streams named after the window, and pause/resume/seek/speed/stop by stream name (the
controls are recorded in `playback_commands`)."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta
from typing import Any

from tests.wvp_double.asgi import SEG, Reply, Route, fail, ok, route
from tests.wvp_double.state import ALL, MASTER, TIME_FORMAT, DoubleState
from tests.wvp_double.zlm import MediaServer

_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
SPEEDS = frozenset({0.25, 0.5, 1.0, 2.0, 4.0, 8.0})


class Playback:
    """Record queries, playback starts and their controls."""

    def __init__(self, state: DoubleState, media: MediaServer) -> None:
        self._state = state
        self._media = media
        self._playback_ids = itertools.count(1)

    def routes(self) -> list[Route]:
        return [
            route(rf"/api/playback/start/{SEG}/{SEG}", ALL, self._playback_start),
            route(rf"/api/playback/stop/{SEG}/{SEG}/{SEG}", ALL, self._playback_stop),
            route(rf"/api/playback/(pause|resume)/{SEG}", ALL, self._playback_control),
            route(rf"/api/playback/(seek|speed)/{SEG}/{SEG}", ALL, self._playback_control),
            route(rf"/api/gb_record/query/{SEG}/{SEG}", ALL, self._records),
            route(r"/api/common/channel/playback", MASTER, self._common_playback),
            route(r"/api/common/channel/playback/query", MASTER, self._common_records),
            route(r"/api/common/channel/playback/(stop|pause|resume|seek|speed)", MASTER,
                self._common_playback_control),
        ]

    async def _begin_playback(self, device: str, code: str, params: dict[str, str]) -> Reply:
        window = _window(params)
        if isinstance(window, Reply):
            return window
        state = self._state
        if state.play_delay_s:
            await state.sleep(state.play_delay_s)
        if state.play_result == "timeout":
            return fail(100, "点播超时")
        stream = f"{device}_{code}_{window[0]:%Y%m%d%H%M%S}_{next(self._playback_ids)}"
        with state.lock:
            state.playbacks[stream] = (device, code)
            state.active_streams.add(stream)
        content = self._media.stream_content(stream)
        content["startTime"], content["endTime"] = params["startTime"], params["endTime"]
        return ok(content)

    async def _playback_start(self, params: dict[str, str], device: str, code: str) -> Reply:
        found = self._state.find(device, code)
        if isinstance(found, Reply):
            return found
        return await self._begin_playback(device, code, params)

    def _control(self, action: str, stream: str, value: str | None) -> Reply:
        state = self._state
        with state.lock:
            if stream not in state.playbacks:
                return fail(100, "stream不存在")
            if action == "speed":
                try:
                    speed = float(value or "")
                except ValueError:
                    speed = -1.0
                if speed not in SPEEDS:
                    return fail(400, "不支持的speed（0.25 0.5 1、2、4、8）")
            if action == "seek" and not (value or "").isdigit():
                return fail(400, "seekTime格式错误")
            state.playback_commands.append((action, stream, value))
            if action == "stop":
                del state.playbacks[stream]
        if action == "stop":
            self._media.kill_streams(stream)
        return ok()

    async def _playback_stop(self, params: dict[str, str], device: str, code: str,
                             stream: str) -> Reply:
        found = self._state.find(device, code)
        if isinstance(found, Reply):
            return found
        return self._control("stop", stream, None)

    async def _playback_control(self, params: dict[str, str], action: str, stream: str,
                                value: str | None = None) -> Reply:
        return self._control(action, stream, value)

    async def _common_playback(self, params: dict[str, str]) -> Reply:
        channel = self._state.common_channel(params)
        if isinstance(channel, Reply):
            return channel
        return await self._begin_playback(channel.parent, channel.code, params)

    async def _common_playback_control(self, params: dict[str, str], action: str) -> Reply:
        channel = self._state.common_channel(params)
        if isinstance(channel, Reply):
            return channel
        value = params.get("seekTime") if action == "seek" else params.get("speed")
        return self._control(action, params.get("stream", ""), value)

    def _record_items(self, code: str, window: tuple[datetime, datetime]) -> list[dict[str, Any]]:
        configured = self._state.recordings.get(code)
        if configured is None:
            start, end = window
            configured = []
            while start < end and len(configured) < 4:
                stop = min(start + timedelta(minutes=25), end)
                configured.append((start.strftime(TIME_FORMAT), stop.strftime(TIME_FORMAT),
                                   str(150 * 1024 * 1024)))
                start += timedelta(minutes=30)
        return [{"deviceId": code, "name": "录像", "filePath": f"/rec/{code}/{n}.ps",
                 "fileSize": size, "address": "Address", "startTime": began, "endTime": ended,
                 "secrecy": 0, "type": "time", "recorderId": None}
                for n, (began, ended, size) in enumerate(configured)]

    async def _records(self, params: dict[str, str], device: str, code: str) -> Reply:
        found = self._state.find(device, code)
        if isinstance(found, Reply):
            return found
        window = _window(params)
        if isinstance(window, Reply):
            return window
        items = self._record_items(code, window)
        return ok({"deviceId": device, "channelId": code, "sn": "1", "name": found.name,
                   "sumNum": len(items), "count": len(items), "lastTime": None,
                   "recordList": items})

    async def _common_records(self, params: dict[str, str]) -> Reply:
        channel = self._state.common_channel(params)
        if isinstance(channel, Reply):
            return channel
        window = _window(params)
        if isinstance(window, Reply):
            return window
        return ok(self._record_items(channel.code, window))


def _window(params: dict[str, str]) -> tuple[datetime, datetime] | Reply:
    for name in ("startTime", "endTime"):
        if not _TIME.match(params.get(name, "")):
            return fail(400, f"{name}格式为yyyy-MM-dd HH:mm:ss")
    start = datetime.strptime(params["startTime"], TIME_FORMAT)
    end = datetime.strptime(params["endTime"], TIME_FORMAT)
    return (start, end) if start < end else fail(400, "开始时间应早于结束时间")
