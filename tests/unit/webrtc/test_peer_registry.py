"""Live streams end to end over loopback: real aiortc phones against PeerRegistry."""

from __future__ import annotations

import time

import msgspec
import numpy as np
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.rtp import RTCP_PSFB_PLI, RTCP_RTPFB_NACK, RtcpPsfbPacket, RtcpRtpfbPacket

from bff.media.drawing import plane_views
from bff.webrtc.errors import InvalidOffer, TooManyStreams
from bff.webrtc.hub import StreamHub
from bff.webrtc.registry import PeerRegistry, ViewerIdentity
from bff.webrtc.watermark import WatermarkMask, WatermarkRenderer
from tests.unit.webrtc.webrtc_support import (
    CAMERA,
    LI,
    OTHER_CAMERA,
    ZHANG,
    FakePlatform,
    Phone,
    eventually,
)


def _highpass(image: np.ndarray) -> np.ndarray:
    """Edges only: the watermark's letters, not the picture's smooth gradients."""
    a = image.astype(np.float32)
    out = 4 * a
    out[1:] -= a[:-1]
    out[:-1] -= a[1:]
    out[:, 1:] -= a[:, :-1]
    out[:, :-1] -= a[:, 1:]
    return out


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


def _resemblance(frame_y: np.ndarray, masks: list[WatermarkMask]) -> float:
    """How strongly a decoded Y plane carries one of `masks` (best over the seconds)."""
    edges = _highpass(frame_y)
    best = 0.0
    for mask in masks:
        alpha, luma = mask.alpha_and_luma()
        best = max(best, _correlation(edges, _highpass(alpha * (luma - 128))))
    return best


@pytest.mark.parametrize("codecs, expected", [(("H264", "VP8"), "H264"), (("VP8",), "VP8")])
async def test_phone_receives_and_decodes_video(watch, phones, registry: PeerRegistry,
                                                codecs, expected) -> None:
    phone = phones()
    session = await watch(phone, ZHANG, codecs=codecs)
    assert session.codec == expected
    assert session.answer_type == "answer" and "demo://" not in session.answer_sdp
    # Loss repair is negotiated; bandwidth estimates (REMB) are not: the bitrate is fixed.
    assert "a=rtcp-fb:" in session.answer_sdp and " nack pli" in session.answer_sdp
    assert "goog-remb" not in session.answer_sdp and "abs-send-time" not in session.answer_sdp
    frames = await phone.collect(5)
    assert all((f.width, f.height) == (640, 360) for f in frames)
    # A real picture, not a blank: the demo's bars vary across the frame.
    assert plane_views(frames[-1])[0].std() > 10
    track = registry.track_of(session.id)
    assert track is not None and track.frames_sent >= 5 and track.keyframes_sent >= 1
    assert registry.sessions_for_user(ZHANG.user_id) == [session]
    assert registry.sends_directly(session.id)


async def test_receiver_feedback_reaches_the_direct_sender(
        phones, hub: StreamHub, settings) -> None:
    """NACK → the lost packet is sent again; PLI → the next frame is a keyframe (RTCP as
    aiortc's sender receives it from the phone)."""
    rare_keyframes = msgspec.structs.replace(settings, keyframe_interval_s=30.0)
    registry = PeerRegistry(rare_keyframes, hub)
    try:
        phone = phones()
        session = await registry.open(ZHANG, CAMERA, await phone.offer(("H264",)), "offer")
        await phone.accept(session)
        await phone.collect(3)
        stream, sender = registry.rtp_stream_of(session.id), registry.sender_of(session.id)
        track = registry.track_of(session.id)
        assert stream is not None and sender is not None

        await sender._handle_rtcp_packet(RtcpRtpfbPacket(
            fmt=RTCP_RTPFB_NACK, ssrc=1, media_ssrc=sender._ssrc,
            lost=[stream.last_sequence]))
        assert stream.packets_retransmitted == 1

        keyframes = track.keyframes_sent
        await sender._handle_rtcp_packet(RtcpPsfbPacket(fmt=RTCP_PSFB_PLI, ssrc=1,
                                                        media_ssrc=sender._ssrc))
        await eventually(lambda: track.keyframes_sent > keyframes, timeout=3)
    finally:
        await registry.close_all()


async def test_aiortc_media_loop_still_works_when_direct_sending_is_off(
        phones, hub: StreamHub, settings) -> None:
    registry = PeerRegistry(msgspec.structs.replace(settings, direct_rtp=False), hub)
    try:
        phone = phones()
        session = await registry.open(ZHANG, CAMERA, await phone.offer(("H264",)), "offer")
        await phone.accept(session)
        frames = await phone.collect(5)
        assert plane_views(frames[-1])[0].std() > 10
        assert not registry.sends_directly(session.id)
        assert registry.track_of(session.id).frames_sent >= 5
    finally:
        await registry.close_all()


async def test_h264_is_preferred_even_when_the_phone_lists_vp8_first(
        watch, phones) -> None:
    session = await watch(phones(), ZHANG, codecs=("VP8", "H264"))
    assert session.codec == "H264"


async def test_two_viewers_get_their_own_watermark_from_one_decode(
        watch, phones, hub: StreamHub, platform: FakePlatform, settings) -> None:
    zhang_phone, li_phone = phones(), phones()
    first_second = int(time.time())
    created = time.monotonic()
    await watch(zhang_phone, ZHANG)
    await watch(li_phone, LI)
    zhang_frames = await zhang_phone.collect(8)
    li_frames = await li_phone.collect(8)
    last_second = int(time.time())

    renderer = WatermarkRenderer(settings)
    seconds = range(first_second - 1, last_second + 2)
    zhang_masks = [renderer.render(ZHANG, s) for s in seconds]
    li_masks = [renderer.render(LI, s) for s in seconds]
    for frame in zhang_frames[-3:]:
        y = plane_views(frame)[0]
        own, other = _resemblance(y, zhang_masks), _resemblance(y, li_masks)
        assert own > 0.25 and own > 4 * other, (own, other)
    for frame in li_frames[-3:]:
        y = plane_views(frame)[0]
        own, other = _resemblance(y, li_masks), _resemblance(y, zhang_masks)
        assert own > 0.25 and own > 4 * other, (own, other)

    # One upstream for both: one start_live, and decoded frames follow the clock (a
    # decode per viewer would double them).
    stats = hub.stats(CAMERA)
    assert stats is not None and stats.subscribers == 2
    assert platform.started == [CAMERA]
    assert zhang_phone.received + li_phone.received > stats.decoded_frames
    assert stats.decoded_frames <= settings.fps * (time.monotonic() - created) * 1.2 + 3


async def test_caps_per_user_and_per_camera(watch, phones, registry: PeerRegistry,
                                            hub: StreamHub, settings) -> None:
    assert settings.max_streams_per_user == 2 and settings.max_viewers_per_camera == 3
    await watch(phones(), ZHANG)
    await watch(phones(), ZHANG, device_id=OTHER_CAMERA)
    refused = phones()
    with pytest.raises(TooManyStreams) as user_cap:
        await registry.open(ZHANG, CAMERA, await refused.offer(), "offer")
    assert user_cap.value.scope == "user"
    assert registry.open_count == 2 and len(registry.sessions_for_user(ZHANG.user_id)) == 2

    others = [ViewerIdentity(user_id=10 + i, username=f"u{i}", display_name=f"用户{i}",
                             staff_no=str(i)) for i in range(3)]
    await watch(phones(), others[0])
    await watch(phones(), others[1])
    with pytest.raises(TooManyStreams) as camera_cap:
        await registry.open(others[2], CAMERA, await phones().offer(), "offer")
    assert camera_cap.value.scope == "camera"
    assert registry.open_count == 4
    assert registry.viewers_of(CAMERA) == 3
    assert hub.stats(CAMERA).subscribers == 3  # the refused ones left nothing behind


@pytest.mark.parametrize("sdp, sdp_type", [
    ("this is not sdp", "offer"),
    ("v=0", "offer"),
    ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
     "c=IN IP4 0.0.0.0\r\na=rtpmap:111 opus/48000/2\r\n", "offer"),
    ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
     "c=IN IP4 0.0.0.0\r\na=mid:0\r\na=rtpmap:96 VP8/90000\r\n", "offer"),
    ("", "offer"),
])
async def test_malformed_offers_are_refused(registry: PeerRegistry, hub: StreamHub,
                                            closed_sessions, sdp: str, sdp_type: str) -> None:
    with pytest.raises(InvalidOffer):
        await registry.open(ZHANG, CAMERA, sdp, sdp_type)
    assert registry.open_count == 0 and registry.counts()["streams"] == 0
    assert registry.viewers_of(CAMERA) == 0
    assert hub.stats(CAMERA) is None  # nothing subscribed, not even briefly
    assert closed_sessions == []


async def test_an_answer_is_not_an_offer(registry: PeerRegistry, phones) -> None:
    sdp = await phones().offer()
    with pytest.raises(InvalidOffer):
        await registry.open(ZHANG, CAMERA, sdp, "answer")
    assert registry.open_count == 0


async def test_an_offer_without_a_common_codec_is_refused(registry: PeerRegistry,
                                                          hub: StreamHub) -> None:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    try:
        pc.addTransceiver("video", direction="recvonly")
        await pc.setLocalDescription(await pc.createOffer())
        sdp = "\r\n".join(
            line for line in pc.localDescription.sdp.split("\r\n")
            if not line.startswith(("a=rtpmap", "a=fmtp", "a=rtcp-fb")))
        sdp = sdp.replace("VP8", "AV1X").replace("H264", "AV1X")
        with pytest.raises(InvalidOffer):
            await registry.open(ZHANG, CAMERA, sdp, "offer")
    finally:
        await pc.close()
    assert registry.open_count == 0 and hub.stats(CAMERA) is None


async def test_only_the_owner_closes_and_the_source_stops_after_the_linger(
        watch, phones, registry: PeerRegistry, hub: StreamHub, platform: FakePlatform,
        closed_sessions) -> None:
    session = await watch(phones(), ZHANG)
    await eventually(lambda: (hub.stats(CAMERA) or hub).decoded_frames > 2)
    assert not await registry.close(session.id, LI.user_id)
    assert not await registry.close("no-such-stream", ZHANG.user_id)
    assert registry.open_count == 1

    assert await registry.close(session.id, ZHANG.user_id)
    assert registry.open_count == 0 and registry.sessions_for_user(ZHANG.user_id) == []
    assert [s.id for s in closed_sessions] == [session.id]
    assert closed_sessions[0].close_reason == "closed by viewer"
    assert not await registry.close(session.id, ZHANG.user_id)  # once only

    # The source lingers (a quick re-open would be instant), then stops.
    assert hub.stats(CAMERA) is not None and platform.stopped == []
    await eventually(lambda: hub.stats(CAMERA) is None)
    await eventually(lambda: platform.stopped == [CAMERA])
    assert len(closed_sessions) == 1


async def test_a_phone_that_never_connects_is_dropped(settings, hub: StreamHub,
                                                      phones, closed_sessions) -> None:
    settings.connect_timeout_s = 0.5
    registry = PeerRegistry(settings, hub, on_closed=_append_to(closed_sessions))
    try:
        session = await registry.open(ZHANG, CAMERA, await phones().offer(), "offer")
        # The phone never applies the answer, so ICE never starts.
        # The stream leaves the registry before its peer connection closes and the
        # listener hears of it, so wait for the listener.
        await eventually(lambda: registry.open_count == 0 and len(closed_sessions) > 0)
        # Usually the deadline fires; on a loaded machine aiortc may first give up on the
        # candidate pairs it probed. Either way the stream is closed exactly once.
        assert [s.id for s in closed_sessions] == [session.id]
        assert closed_sessions[0].close_reason in {"connect timeout", "connection failed"}
    finally:
        await registry.close_all()


async def test_a_phone_hanging_up_ends_the_stream(watch, phones, registry: PeerRegistry,
                                                  closed_sessions) -> None:
    phone = phones()
    session = await watch(phone, ZHANG)
    await phone.collect(2)
    await phone.close()
    await eventually(lambda: registry.open_count == 0, timeout=20)
    assert [s.id for s in closed_sessions] == [session.id]
    assert closed_sessions[0].close_reason.startswith("connection")


async def test_failing_upstream_shows_the_slate(watch, phones, registry: PeerRegistry,
                                                hub: StreamHub,
                                                platform: FakePlatform) -> None:
    platform.failing.add(CAMERA)
    phone = phones()
    await watch(phone, ZHANG)
    frames = await phone.collect(3)
    y = plane_views(frames[-1])[0]
    assert 25 < float(np.median(y)) < 60  # the dark slate, not the demo picture
    stats = hub.stats(CAMERA)
    assert stats.state == "lost" and stats.failures >= 1 and stats.decoded_frames == 0
    assert registry.open_count == 1

    # The upstream comes back: the same stream switches to the live picture.
    platform.failing.clear()
    await eventually(lambda: hub.stats(CAMERA).state == "live")
    await eventually(lambda: hub.stats(CAMERA).decoded_frames >= 3)
    frames = await phone.collect(2)
    assert plane_views(frames[-1])[0].std() > 30


async def test_close_all_ends_every_stream(watch, phones, registry: PeerRegistry,
                                           closed_sessions) -> None:
    await watch(phones(), ZHANG)
    await watch(phones(), LI)
    await registry.close_all()
    assert registry.open_count == 0
    assert sorted(s.close_reason for s in closed_sessions) == ["server shutdown"] * 2


def _append_to(sessions):  # noqa: ANN001, ANN202
    async def on_closed(session) -> None:  # noqa: ANN001
        sessions.append(session)
    return on_closed


async def test_phone_class_is_a_recvonly_peer() -> None:
    phone = Phone()
    try:
        sdp = await phone.offer(("H264",))
        assert "a=recvonly" in sdp and "H264" in sdp and "VP8" not in sdp
    finally:
        await phone.close()
