"""Pan/tilt/zoom (云台控制) through WVP: the path and the speed scale differ by API
generation (2.7.1 POSTs to /api/ptz/control, 2.7.3+ GETs /api/front-end/ptz, the
common-channel API takes speeds 0–100)."""

from __future__ import annotations

from bff.platform.base import PtzMove
from bff.platform.wvp.channels import WvpChannelDirectory
from bff.platform.wvp.client import WvpClient


class WvpPtzControl:
    """The `PtzControl` port over WVP."""

    def __init__(self, client: WvpClient, directory: WvpChannelDirectory) -> None:
        self._client = client
        self._directory = directory

    async def ptz(self, device_id: str, move: PtzMove) -> None:
        """One pan/tilt/zoom command (the camera moves until STOP)."""
        client = self._client
        ref = await self._directory.ref(device_id)
        command = move.command.value
        if client.common:
            # The common front-end API takes speeds 0–100.
            await client.call("/api/common/channel/front-end/ptz", {
                "channelId": ref.gb_id, "command": command,
                "panSpeed": round(move.pan_speed * 100 / 255),
                "tiltSpeed": round(move.tilt_speed * 100 / 255),
                "zoomSpeed": round(move.zoom_speed * 100 / 15)})
            return
        params = {"command": command, "horizonSpeed": move.pan_speed,
                  "verticalSpeed": move.tilt_speed, "zoomSpeed": move.zoom_speed}
        if client.settings.api_version == "2.7.1":
            await client.call(f"/api/ptz/control/{ref.path}", params, method="POST")
        else:
            await client.call(f"/api/front-end/ptz/{ref.path}", params)
