"""Per-viewer encoding: encoder settings, keyframes, packets for aiortc's packetizer."""

from __future__ import annotations

import asyncio
import fractions

import av
import pytest
from aiortc.codecs.h264 import H264Encoder
from aiortc.mediastreams import MediaStreamError

from bff.demo.video import DemoPicture
from bff.lib.settings import WebRTCSettings
from bff.webrtc.hub import StreamHub
from bff.webrtc.tracks import TIME_BASE, EncodeBatcher, ViewerTrack, create_encoder
from bff.webrtc.watermark import ViewerWatermark, WatermarkRenderer
from tests.unit.webrtc.webrtc_support import CAMERA, ZHANG

T = 1_795_000_000.0


def nal_units(data: bytes) -> list[bytes]:
    return list(H264Encoder._split_bitstream(data))


def nal_types(data: bytes) -> list[int]:
    return [unit[0] & 0x1F for unit in nal_units(data)]


def encode_clip(codec: str, settings: WebRTCSettings, frames: int) -> list[av.Packet]:
    encoder = create_encoder(codec, settings)
    picture = DemoPicture(CAMERA, "测试", settings.width, settings.height)
    packets = []
    for i in range(frames):
        frame = picture.render(T + i / settings.fps)
        frame.pts, frame.time_base = i * 6000, TIME_BASE
        packets.extend(encoder.encode(frame))
    return packets


def test_h264_is_constrained_baseline_with_headers_on_every_keyframe() -> None:
    settings = WebRTCSettings(fps=15, keyframe_interval_s=1.0)
    packets = encode_clip("H264", settings, 31)
    assert len(packets) == 31  # zerolatency: one packet per frame, no delay
    keyframes = [i for i, p in enumerate(packets) if p.is_keyframe]
    assert keyframes == [0, 15, 30]
    for index in keyframes:
        types = nal_types(bytes(packets[index]))
        assert 7 in types and 8 in types and 5 in types  # SPS, PPS, IDR slice
        sps = next(u for u in nal_units(bytes(packets[index])) if u[0] & 0x1F == 7)
        profile, constraints, level = sps[1], sps[2], sps[3]
        assert profile == 66 and constraints & 0x40 and level == 31  # 42 x0 1f
    assert all(5 not in nal_types(bytes(p)) for p in packets[1:15])
    assert all(p.pts == p.dts for p in packets)  # no B-frames: no reordering


def test_h264_bitrate_follows_the_setting() -> None:
    settings = WebRTCSettings(bitrate_kbps=300, fps=15)
    packets = encode_clip("H264", settings, 45)
    kbits = sum(p.size for p in packets) * 8 / 1000 / 3  # three seconds of video
    assert kbits < 300 * 1.5


def test_vp8_keyframes_at_the_same_interval() -> None:
    settings = WebRTCSettings(fps=10, keyframe_interval_s=1.0)
    packets = encode_clip("VP8", settings, 21)
    keyframes = [i for i, p in enumerate(packets) if not bytes(p)[0] & 1]
    assert keyframes[:3] == [0, 10, 20]


def test_unknown_codec_is_refused() -> None:
    with pytest.raises(ValueError):
        create_encoder("AV1", WebRTCSettings())  # type: ignore[arg-type]


async def _track(hub: StreamHub, settings: WebRTCSettings) -> ViewerTrack:
    subscription = await hub.subscribe(CAMERA)
    watermark = ViewerWatermark(WatermarkRenderer(settings), ZHANG)
    return ViewerTrack(subscription, watermark, settings)


async def test_track_returns_timed_packets_starting_with_a_keyframe(
        hub: StreamHub, settings: WebRTCSettings) -> None:
    track = await _track(hub, settings)
    track.set_codec("H264")
    async with asyncio.timeout(10):
        packets = [await track.recv() for _ in range(5)]
    assert packets[0].is_keyframe and 7 in nal_types(bytes(packets[0]))
    assert all(p.time_base == fractions.Fraction(1, 90_000) for p in packets)
    assert [p.pts for p in packets] == sorted({p.pts for p in packets})
    # The 90 kHz timestamps advance by about one frame interval per packet.
    steps = [b.pts - a.pts for a, b in zip(packets, packets[1:])]
    assert all(1_000 < step < 30_000 for step in steps)
    assert track.frames_sent == 5 and track.keyframes_sent == 1

    # A receiver's loss report (PLI) makes the next packet a keyframe.
    track.request_keyframe()
    async with asyncio.timeout(10):
        assert (await track.recv()).is_keyframe
        assert not (await track.recv()).is_keyframe

    track.stop()
    assert hub.stats(CAMERA).subscribers == 0
    with pytest.raises(MediaStreamError):
        await track.recv()


async def test_track_needs_a_codec(hub: StreamHub, settings: WebRTCSettings) -> None:
    track = await _track(hub, settings)
    with pytest.raises(MediaStreamError):
        await track.recv()
    track.set_codec("VP8")
    with pytest.raises(RuntimeError):
        track.set_codec("H264")
    track.stop()


async def test_batcher_runs_jobs_and_reports_errors() -> None:
    batcher = EncodeBatcher(parallelism=2)

    def boom() -> None:
        raise ZeroDivisionError

    async with asyncio.timeout(5):
        results = await asyncio.gather(*(batcher.run(pow, i, 2) for i in range(5)))
        assert results == [0, 1, 4, 9, 16]
        with pytest.raises(ZeroDivisionError):
            await batcher.run(boom)
