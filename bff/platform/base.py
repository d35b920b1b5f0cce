"""The one small interface the BFF uses to talk to a video-sharing platform (SPEC §3).

Implementations: the embedded demo platform (`bff.platform.demo`) and, later, the WVP
adapter. A media URL is what the media path opens with PyAV (rtsp://, http://…flv,
file paths) or the demo's synthetic scheme `demo://live/<device_id>?…`. Media URLs stay
inside the BFF: they never reach the browser.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from bff.catalog.schemas import CameraRecord


class PlatformError(Exception):
    """The platform refused or failed a request."""


class DeviceNotFound(PlatformError):
    """The platform does not know this device."""


class Platform(Protocol):
    """What the BFF needs from a sharing platform."""

    def catalogue(self) -> AsyncIterator[list[CameraRecord]]:
        """Yield the platform's camera catalogue page by page."""
        ...

    async def start_live(self, device_id: str) -> str:
        """Start (or join) the live stream of a camera; return its media URL."""
        ...

    async def stop_live(self, device_id: str) -> None:
        """Tell the platform the BFF no longer reads the camera's live stream."""
        ...

    async def close(self) -> None:
        """Release connections; called at shutdown."""
        ...
