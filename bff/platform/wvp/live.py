"""Live video (实时视频) through WVP: play start blocks until the camera streams, and
answers StreamContent, whose URLs the media path opens.

ZLMediaKit closes a stream nobody reads after about 20 s and WVP then tears the GB
session down, so the hub starts reading right after `start` and calls `stop` when the
last viewer leaves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bff.platform.base import PlatformError
from bff.platform.wvp.channels import WvpChannelDirectory
from bff.platform.wvp.client import WvpClient
from bff.platform.wvp.shapes import ChannelRef


class WvpLiveSource:
    """The `LiveSource` port over WVP: starts and stops the cameras' live streams."""

    def __init__(self, client: WvpClient, directory: WvpChannelDirectory) -> None:
        self._client = client
        self._directory = directory

    async def start_live(self, device_id: str) -> str:
        """Ask WVP to pull the camera (it blocks until the stream is up) and return the
        preferred media URL of the StreamContent."""
        client = self._client

        async def play(ref: ChannelRef) -> Any:
            if client.common:
                return await client.call("/api/common/channel/play", {"channelId": ref.gb_id},
                                         timeout=client.play_timeout())
            return await client.call(f"/api/play/start/{ref.path}", timeout=client.play_timeout())

        content = await self._directory.with_ref(device_id, play)
        return media_url(content, client.settings.media_preference)

    async def stop_live(self, device_id: str) -> None:
        """Tell WVP the BFF stopped reading (it tears the GB session down)."""
        ref = await self._directory.ref(device_id)
        if self._client.common:
            await self._client.call("/api/common/channel/play/stop", {"channelId": ref.gb_id})
        else:
            await self._client.call(f"/api/play/stop/{ref.path}")


def media_url(content: Any, preference: Sequence[str]) -> str:
    """The first non-null URL of StreamContent in `preference` order."""
    if isinstance(content, dict):
        for name in preference:
            value = content.get(name)
            if isinstance(value, dict):  # pre-2.7 StreamInfo: {protocol, host, …, url}
                value = value.get("url")
            if isinstance(value, str) and value.strip():
                return value.strip()
    raise PlatformError("WVP's stream offers none of the preferred media URLs "
                        f"({', '.join(preference)}; BFF_WVP_MEDIA)")
