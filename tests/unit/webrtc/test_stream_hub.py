"""The stream hub: one upstream per camera, latest-frame fan-out, linger, slate, retry."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np
import pytest

from bff.lib.settings import WebRTCSettings
from bff.media.drawing import plane_views
from bff.webrtc.errors import UpstreamUnavailable
from bff.webrtc.hub import SourceClosed, StreamHub
from tests.unit.webrtc.webrtc_support import (
    CAMERA,
    OTHER_CAMERA,
    FakePlatform,
    closed_port,
    eventually,
    make_clip,
)


async def test_one_decode_for_every_subscriber(hub: StreamHub, platform: FakePlatform,
                                               settings: WebRTCSettings) -> None:
    first, second = await hub.subscribe(CAMERA), await hub.subscribe(CAMERA)
    created = time.monotonic()
    seen: dict[str, list[int]] = {"first": [], "second": []}

    async def read(name: str, subscription) -> None:  # noqa: ANN001
        last = 0
        while len(seen[name]) < 10:
            last, frame = await subscription.next_frame(last)
            assert (frame.width, frame.height) == (640, 360)
            seen[name].append(last)

    async with asyncio.timeout(10):
        await asyncio.gather(read("first", first), read("second", second))
    stats = hub.stats(CAMERA)
    assert stats.subscribers == 2 and stats.state == "live"
    assert platform.started == [CAMERA]
    # Both saw the same frames (same sequence numbers), decoded once at the camera's pace.
    assert set(seen["first"]) & set(seen["second"])
    assert stats.decoded_frames <= settings.fps * (time.monotonic() - created) * 1.2 + 3
    first.close()
    second.close()


async def test_a_slow_subscriber_gets_the_latest_frame_not_a_backlog(hub: StreamHub) -> None:
    subscription = await hub.subscribe(CAMERA)
    async with asyncio.timeout(10):
        seq, _ = await subscription.next_frame(0)
        await eventually(lambda: hub.stats(CAMERA).decoded_frames >= seq + 4)
        newest, _ = await subscription.next_frame(seq)
    assert newest >= seq + 4  # skipped straight to the newest; nothing was queued
    subscription.close()


async def test_source_lingers_then_stops(hub: StreamHub, platform: FakePlatform) -> None:
    subscription = await hub.subscribe(CAMERA)
    async with asyncio.timeout(10):
        await subscription.next_frame(0)
    subscription.close()
    subscription.close()  # twice is harmless
    assert hub.stats(CAMERA) is not None  # lingering

    # Coming back within the linger reuses the running upstream.
    again = await hub.subscribe(CAMERA)
    assert platform.started == [CAMERA] and hub.stats(CAMERA).subscribers == 1
    again.close()
    await eventually(lambda: hub.stats(CAMERA) is None)
    await eventually(lambda: platform.stopped == [CAMERA])
    assert hub.counts() == {"sources": 0, "subscribers": 0}

    # The next viewer starts it afresh.
    fresh = await hub.subscribe(CAMERA)
    await eventually(lambda: platform.started == [CAMERA, CAMERA])
    fresh.close()


async def test_platform_failure_shows_slate_and_retries_boundedly(
        hub: StreamHub, platform: FakePlatform) -> None:
    platform.failing.add(CAMERA)
    subscription = await hub.subscribe(CAMERA)
    started = time.monotonic()
    async with asyncio.timeout(10):
        _, frame = await subscription.next_frame(0)
    y = plane_views(frame)[0]
    assert 30 <= float(np.median(y)) <= 50 and y.max() > 200  # dark slate, white text
    await eventually(lambda: hub.stats(CAMERA).failures >= 4)
    stats = hub.stats(CAMERA)
    elapsed = time.monotonic() - started
    assert stats.state == "lost" and stats.slate_frames > 0 and stats.decoded_frames == 0
    # Backoff 0.05 s doubling to 0.2 s: never more attempts than that allows.
    assert stats.failures <= elapsed / 0.05 + 2

    subscription.close()
    await eventually(lambda: hub.stats(CAMERA) is None)
    attempts = len(platform.started)
    await asyncio.sleep(0.5)
    assert len(platform.started) == attempts  # nobody watches: no more retries
    assert platform.stopped == []  # no start_live ever succeeded


async def test_unreachable_upstream_shows_slate(hub: StreamHub, platform: FakePlatform) -> None:
    platform.urls[CAMERA] = f"rtsp://127.0.0.1:{closed_port()}/live"
    subscription = await hub.subscribe(CAMERA)
    async with asyncio.timeout(10):
        _, frame = await subscription.next_frame(0)
    await eventually(lambda: hub.stats(CAMERA).failures >= 2)
    assert hub.stats(CAMERA).state == "lost"
    assert float(np.median(plane_views(frame)[0])) < 60
    subscription.close()


async def test_an_ended_upstream_is_reopened(hub: StreamHub, platform: FakePlatform,
                                             tmp_path: Path) -> None:
    platform.urls[CAMERA] = str(make_clip(tmp_path / "short.mp4", frames=5))
    subscription = await hub.subscribe(CAMERA)
    await eventually(lambda: hub.stats(CAMERA).decoded_frames > 10)
    assert hub.stats(CAMERA).failures >= 2 and len(platform.started) >= 3
    subscription.close()
    await eventually(lambda: hub.stats(CAMERA) is None)
    # Every start_live was answered by one stop_live.
    await eventually(lambda: len(platform.stopped) == len(platform.started))


async def test_a_fast_source_is_limited_to_the_configured_rate(
        platform: FakePlatform, tmp_path: Path) -> None:
    settings = WebRTCSettings(fps=10, source_linger_s=0.1)
    hub = StreamHub(settings, platform)
    platform.urls[CAMERA] = str(make_clip(tmp_path / "fast.mp4", frames=60, rate=30))
    try:
        subscription = await hub.subscribe(CAMERA)
        last = 0
        async with asyncio.timeout(10):
            while hub.stats(CAMERA).decoded_frames < 40:
                last, _ = await subscription.next_frame(last)
        # 30 frames/s in, about 10 published: a third, with slack for jitter.
        assert last <= hub.stats(CAMERA).decoded_frames * 0.5
        subscription.close()
    finally:
        await hub.close()


async def test_close_stops_everything(settings: WebRTCSettings,
                                      platform: FakePlatform) -> None:
    hub = StreamHub(settings, platform)
    one, two = await hub.subscribe(CAMERA), await hub.subscribe(OTHER_CAMERA)
    async with asyncio.timeout(10):
        seq, _ = await one.next_frame(0)
        await hub.close()
        with pytest.raises(SourceClosed):
            await one.next_frame(seq + 1000)
        with pytest.raises(SourceClosed):
            await two.next_frame(10_000)
    assert sorted(platform.stopped) == sorted([CAMERA, OTHER_CAMERA])
    assert hub.counts() == {"sources": 0, "subscribers": 0}
    with pytest.raises(UpstreamUnavailable):
        await hub.subscribe(CAMERA)
