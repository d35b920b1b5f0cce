"""The demo platform's media opener: `demo://` URLs become synthetic sources.

Registered with the stream hub's `MediaOpeners` through `DemoPlatform.media_openers()`.
The opener belongs to the platform that issued the URLs, so a live source gets that
platform's PTZ head of the camera and a playback source its stream's clock by lookup:
nothing travels inside the URL but names.
"""

from __future__ import annotations

from typing import Protocol

from bff.demo.playback import (
    DemoPlaybackSource,
    PlaybackClock,
    is_demo_playback_url,
    parse_demo_playback_url,
)
from bff.demo.ptz import DemoPtzHead
from bff.demo.video import DemoLiveSource, parse_demo_url
from bff.lib.settings import WebRTCSettings
from bff.media.sources import MediaSource, SourceUnavailable


class DemoStreams(Protocol):
    """What the opener looks up in the platform that issued the URLs (`DemoPlatform`)."""

    def head(self, device_id: str) -> DemoPtzHead: ...

    def playback_clock(self, device_id: str, stream_id: str) -> PlaybackClock | None: ...


class DemoMediaOpener:
    """Opens the `demo://live/…` and `demo://playback/…` URLs of one demo platform."""

    def __init__(self, platform: DemoStreams) -> None:
        self._platform = platform

    async def __call__(self, url: str, settings: WebRTCSettings) -> MediaSource:
        try:
            if is_demo_playback_url(url):
                target = parse_demo_playback_url(url)
                clock = self._platform.playback_clock(target.device_id, target.stream_id)
                return DemoPlaybackSource(url, settings, clock=clock)
            device_id, _name = parse_demo_url(url)
            return DemoLiveSource(url, settings, head=self._platform.head(device_id))
        except ValueError as exc:
            raise SourceUnavailable(f"bad demo URL: {exc}") from exc
