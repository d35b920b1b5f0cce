"""`WvpPlatform`: the `Platform` interface assembled from one part per area of WVP's API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx

from bff.lib.settings import WvpSettings
from bff.platform.base import (
    ChannelState,
    PlatformAlarm,
    PlaybackControl,
    PlaybackStream,
    PtzMove,
    Recording,
)
from bff.platform.wvp.alarms import WvpAlarmFeed
from bff.platform.wvp.channels import WvpChannelDirectory
from bff.platform.wvp.client import WvpClient
from bff.platform.wvp.live import WvpLiveSource, media_url
from bff.platform.wvp.playback import WvpRecordingArchive
from bff.platform.wvp.ptz import WvpPtzControl
from bff.platform.wvp.shapes import ChannelRef, WallClock


class WvpPlatform:
    """`Platform` implementation speaking WVP-GB28181-pro's HTTP API: each port of
    `Platform` is served by its WVP part, all sharing one signed-in `WvpClient`.

    Nothing connects on construction: the client signs in on the first call."""

    def __init__(self, settings: WvpSettings, *,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._settings = settings
        self._client = WvpClient(settings, transport=transport)
        clock = WallClock(settings.tzinfo())
        self._directory = WvpChannelDirectory(self._client)
        self._live = WvpLiveSource(self._client, self._directory)
        self._archive = WvpRecordingArchive(self._client, self._directory, clock)
        self._ptz = WvpPtzControl(self._client, self._directory)
        self._alarms = WvpAlarmFeed(self._client, clock)

    def channels(self) -> AsyncIterator[list[ChannelState]]:
        """Every channel WVP knows, page by page, with its live fields (and the mapping
        code → WVP address refreshed on the way)."""
        return self._directory.channels()

    async def channel_ref(self, device_id: str) -> ChannelRef:
        """How WVP addresses camera `device_id`; looked up (and cached) when unknown.
        Raises DeviceNotFound when WVP lists no such channel."""
        return await self._directory.ref(device_id)

    async def start_live(self, device_id: str) -> str:
        """Ask WVP to pull the camera (it blocks until the stream is up) and return the
        preferred media URL of the StreamContent."""
        return await self._live.start_live(device_id)

    async def stop_live(self, device_id: str) -> None:
        """Tell WVP the BFF stopped reading (it tears the GB session down)."""
        await self._live.stop_live(device_id)

    def media_url(self, content: Any) -> str:
        """The first non-null URL of StreamContent in `media_preference` order."""
        return media_url(content, self._settings.media_preference)

    async def recordings(self, device_id: str, start: datetime, end: datetime) -> list[Recording]:
        """Recorded stretches between `start` and `end` (asked of the device by WVP)."""
        return await self._archive.recordings(device_id, start, end)

    async def start_playback(self, device_id: str, start: datetime,
                             end: datetime) -> PlaybackStream:
        """Start playing back the camera's recording between `start` and `end`."""
        return await self._archive.start_playback(device_id, start, end)

    async def control_playback(self, device_id: str, stream_id: str,
                               control: PlaybackControl) -> None:
        """Pause, resume, seek (seconds from the start) or change speed."""
        await self._archive.control_playback(device_id, stream_id, control)

    async def stop_playback(self, device_id: str, stream_id: str) -> None:
        """Stop a started playback."""
        await self._archive.stop_playback(device_id, stream_id)

    async def ptz(self, device_id: str, move: PtzMove) -> None:
        """One pan/tilt/zoom command (the camera moves until STOP)."""
        await self._ptz.ptz(device_id, move)

    def alarms(self) -> AsyncIterator[PlatformAlarm]:
        """Device alarms as WVP relays them, until `close()`: server-sent events or
        polling (`alarm_mode`). Connection failures are logged and retried with capped
        backoff; they never end the iteration."""
        return self._alarms.alarms()

    async def close(self) -> None:
        """Stop alarm listeners and release connections; later calls raise."""
        await self._client.close()
