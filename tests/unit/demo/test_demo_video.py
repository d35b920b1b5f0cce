"""The demo platform's synthetic live source."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from bff.demo.strips import read_timestamp
from bff.demo.video import DemoLiveSource, DemoPicture, demo_live_url, parse_demo_url
from bff.lib.settings import WebRTCSettings
from bff.media.drawing import plane_views
from tests.unit.webrtc.webrtc_support import CAMERA

NAME = "城区 海滨大道 易涝点 1号"
T = 1_795_000_000.25


def test_url_round_trip() -> None:
    url = demo_live_url(CAMERA, NAME)
    assert url.startswith(f"demo://live/{CAMERA}?name=")
    assert " " not in url
    assert parse_demo_url(url) == (CAMERA, NAME)
    for bad in ("rtsp://x/y", "demo://playback/1", "demo://live/"):
        with pytest.raises(ValueError):
            parse_demo_url(bad)


def test_frames_have_the_configured_shape_and_move() -> None:
    picture = DemoPicture(CAMERA, NAME, 640, 360)
    first, later = picture.render(T), picture.render(T + 0.5)
    assert (first.width, first.height, first.format.name) == (640, 360, "yuv420p")
    y0, y1 = plane_views(first)[0], plane_views(later)[0]
    # Half a second later the bars and the block have moved in most of the picture.
    assert np.count_nonzero(np.abs(y0.astype(int) - y1.astype(int)) > 8) > 0.3 * y0.size
    assert y0.std() > 20


def test_clock_and_timestamp_follow_the_time() -> None:
    picture = DemoPicture(CAMERA, NAME, 640, 360)
    a, b = picture.render(T), picture.render(T + 0.001)
    ya, yb = plane_views(a)[0], plane_views(b)[0]
    assert read_timestamp(ya) == int(T * 1000) & 0xFFFFFFFF
    assert read_timestamp(yb) == (int(T * 1000) + 1) & 0xFFFFFFFF
    # The clock (top right) shows milliseconds, so even 1 ms changes its pixels.
    assert not np.array_equal(ya[:40, 480:], yb[:40, 480:])


def test_a_picture_is_a_new_frame_each_time() -> None:
    picture = DemoPicture(CAMERA, NAME, 320, 180)
    a, b = picture.render(T), picture.render(T)
    assert a is not b and (a.width, a.height) == (320, 180)
    assert np.array_equal(plane_views(a)[0], plane_views(b)[0])


async def test_live_source_delivers_frames_and_stops() -> None:
    settings = WebRTCSettings(fps=30)
    source = DemoLiveSource(demo_live_url(CAMERA, NAME), settings)
    async with asyncio.timeout(5):
        frames = [await anext(source) for _ in range(4)]
    assert [f.pts for f in frames] == sorted(f.pts for f in frames)
    assert len({id(f) for f in frames}) == 4
    await source.aclose()
    with pytest.raises(StopAsyncIteration):
        await anext(source)
