"""Opening media URLs with PyAV: files, and network URLs that fail; scheme openers."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bff.lib.settings import WebRTCSettings
from bff.media.sources import MediaOpeners, MediaSource, SourceUnavailable
from tests.unit.webrtc.webrtc_support import closed_port, make_clip

open_media = MediaOpeners().open


async def test_registered_schemes_go_to_their_opener() -> None:
    opened: list[str] = []

    async def opener(url: str, settings: WebRTCSettings) -> MediaSource:
        opened.append(url)
        raise SourceUnavailable("test opener")

    openers = MediaOpeners({"Synthetic": opener})
    with pytest.raises(SourceUnavailable, match="test opener"):
        await openers.open("synthetic://live/1", WebRTCSettings())
    assert opened == ["synthetic://live/1"]
    with pytest.raises(SourceUnavailable, match="cannot open"):  # other schemes: PyAV
        await openers.open("other://x", WebRTCSettings(), open_timeout_s=2, read_timeout_s=2)


async def test_a_file_is_decoded_scaled_and_ends(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "clip.mp4")
    source = await open_media(str(clip), WebRTCSettings())
    frames = []
    try:
        async with asyncio.timeout(10):
            async for frame in source:
                frames.append(frame)
    finally:
        await source.aclose()
    assert len(frames) == 20
    assert {(f.width, f.height, f.format.name) for f in frames} == {(640, 360, "yuv420p")}


async def test_file_urls_work_too(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "clip.mp4", frames=3)
    source = await open_media(f"file://{clip}", WebRTCSettings())
    try:
        async with asyncio.timeout(5):
            assert (await anext(source)).width == 640
    finally:
        await source.aclose()


@pytest.mark.parametrize("template", [
    "rtsp://127.0.0.1:{port}/live",
    "http://127.0.0.1:{port}/live/camera.flv",
    "http://127.0.0.1:{port}/hls/camera.m3u8",
])
async def test_unreachable_network_sources_raise(template: str) -> None:
    url = template.format(port=closed_port())
    with pytest.raises(SourceUnavailable):
        async with asyncio.timeout(10):
            await open_media(url, WebRTCSettings(), open_timeout_s=3, read_timeout_s=3)


async def test_a_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(SourceUnavailable):
        await open_media(str(tmp_path / "missing.mp4"), WebRTCSettings())


async def test_not_a_video_raises(tmp_path: Path) -> None:
    junk = tmp_path / "junk.ts"
    junk.write_bytes(b"\x00" * 4096)
    with pytest.raises(SourceUnavailable):
        async with asyncio.timeout(10):
            await open_media(str(junk), WebRTCSettings())
