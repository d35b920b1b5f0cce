"""The demo platform's media opener: `demo://` URLs through the stream hub's port."""

from __future__ import annotations

import asyncio

import pytest

from bff.demo.platform import DemoPlatform
from bff.demo.video import DEMO_SCHEME, demo_live_url
from bff.lib.settings import DemoSettings, Settings, WebRTCSettings
from bff.media.sources import MediaOpeners, SourceUnavailable
from bff.platform.base import ProvidesMediaOpeners, media_openers_of
from tests.unit.webrtc.webrtc_support import CAMERA


@pytest.fixture
async def platform() -> DemoPlatform:
    platform = DemoPlatform(Settings(demo=DemoSettings(camera_count=20)))
    yield platform
    await platform.close()


async def test_the_platform_registers_its_scheme(platform: DemoPlatform) -> None:
    assert isinstance(platform, ProvidesMediaOpeners)
    assert set(platform.media_openers()) == {DEMO_SCHEME}
    source = await media_openers_of(platform).open(demo_live_url(CAMERA, "测试"),
                                                   WebRTCSettings())
    try:
        async with asyncio.timeout(5):
            frame = await anext(source)
        assert (frame.width, frame.height, frame.format.name) == (640, 360, "yuv420p")
    finally:
        await source.aclose()


async def test_bad_demo_urls_are_unavailable(platform: DemoPlatform) -> None:
    openers = MediaOpeners(platform.media_openers())
    for bad in ("demo://live/", "demo://elsewhere/1"):
        with pytest.raises(SourceUnavailable):
            await openers.open(bad, WebRTCSettings())


async def test_without_the_platform_demo_urls_do_not_open() -> None:
    with pytest.raises(SourceUnavailable):
        await MediaOpeners().open(demo_live_url(CAMERA, "测试"), WebRTCSettings(),
                                  open_timeout_s=2, read_timeout_s=2)
