"""Recordings (录像) and their playback (回放) through WVP: both ask the device over a
time window given on WVP's wall clock; a started playback is then paused, resumed,
sought, sped up or stopped by its stream name."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bff.platform.base import (
    PLAYBACK_SPEEDS,
    PlatformError,
    PlaybackAction,
    PlaybackControl,
    PlaybackStream,
    Recording,
)
from bff.platform.wvp.channels import WvpChannelDirectory
from bff.platform.wvp.client import WvpClient
from bff.platform.wvp.live import media_url
from bff.platform.wvp.shapes import ChannelRef, WallClock, as_int, as_text, segment


class WvpRecordingArchive:
    """The `RecordingArchive` port over WVP: lists a camera's recordings and drives the
    playbacks started from them."""

    def __init__(self, client: WvpClient, directory: WvpChannelDirectory,
                 clock: WallClock) -> None:
        self._client = client
        self._directory = directory
        self._clock = clock

    async def _call_over_window(self, device_id: str, start: datetime, end: datetime,
                                common_path: str, device_path: str) -> Any:
        """A call about a stretch of recording: by channel id on the common-channel API,
        else by device/channel pair (both wait on the device, so the play timeout)."""
        client = self._client
        window = {"startTime": self._clock.format(start), "endTime": self._clock.format(end)}

        async def call(ref: ChannelRef) -> Any:
            if client.common:
                return await client.call(common_path, {"channelId": ref.gb_id, **window},
                                         timeout=client.play_timeout())
            return await client.call(f"{device_path}/{ref.path}", window,
                                     timeout=client.play_timeout())

        return await self._directory.with_ref(device_id, call)

    async def recordings(self, device_id: str, start: datetime, end: datetime) -> list[Recording]:
        """Recorded stretches between `start` and `end` (asked of the device by WVP)."""
        data = await self._call_over_window(device_id, start, end,
                                            "/api/common/channel/playback/query",
                                            "/api/gb_record/query")
        items = data.get("recordList") if isinstance(data, dict) else data
        found: list[Recording] = []
        for item in items or []:
            if not isinstance(item, dict):
                continue
            began, ended = self._clock.parse(item.get("startTime")), self._clock.parse(
                item.get("endTime"))
            if began is None or ended is None:
                continue
            found.append(Recording(start=began, end=ended, size_bytes=as_int(item.get("fileSize"))))
        return sorted(found, key=lambda r: r.start)

    async def start_playback(self, device_id: str, start: datetime,
                             end: datetime) -> PlaybackStream:
        """Start playing back the camera's recording between `start` and `end`."""
        content = await self._call_over_window(device_id, start, end,
                                               "/api/common/channel/playback",
                                               "/api/playback/start")
        stream = as_text(content.get("stream")) if isinstance(content, dict) else ""
        if not stream:
            raise PlatformError("WVP started a playback without naming its stream")
        return PlaybackStream(stream_id=stream, media_url=media_url(
            content, self._client.settings.media_preference))

    async def control_playback(self, device_id: str, stream_id: str,
                               control: PlaybackControl) -> None:
        """Pause, resume, seek (seconds from the start) or change speed."""
        action = control.action
        value: str | None = None
        if action is PlaybackAction.SEEK:
            if control.seconds is None:
                raise ValueError("seek needs seconds")
            value = str(control.seconds)
        elif action is PlaybackAction.SPEED:
            if control.speed is None or control.speed not in PLAYBACK_SPEEDS:
                raise ValueError(f"speed must be one of {PLAYBACK_SPEEDS}")
            value = f"{control.speed:g}"
        if self._client.common:
            ref = await self._directory.ref(device_id)
            params: dict[str, Any] = {"channelId": ref.gb_id, "stream": stream_id}
            if action is PlaybackAction.SEEK:
                params["seekTime"] = value
            elif action is PlaybackAction.SPEED:
                params["speed"] = value
            await self._client.call(f"/api/common/channel/playback/{action.value}", params)
            return
        path = f"/api/playback/{action.value}/{segment(stream_id)}"
        await self._client.call(f"{path}/{value}" if value is not None else path)

    async def stop_playback(self, device_id: str, stream_id: str) -> None:
        """Stop a started playback."""
        ref = await self._directory.ref(device_id)
        if self._client.common:
            await self._client.call("/api/common/channel/playback/stop",
                                    {"channelId": ref.gb_id, "stream": stream_id})
        else:
            await self._client.call(f"/api/playback/stop/{ref.path}/{segment(stream_id)}")
