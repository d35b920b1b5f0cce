"""Direct RTP sending: packets we write are what aiortc's own parser and libsrtp accept."""

from __future__ import annotations

import os

import pytest
from aiortc.codecs.h264 import H264Decoder, H264PayloadDescriptor
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpHeaderExtensionParameters, RTCRtpParameters
from aiortc.rtp import HeaderExtensionsMap, RtpPacket, unwrap_rtx
from pylibsrtp import Policy, Session

from bff.lib.settings import WebRTCSettings
from bff.webrtc.drawing import new_frame
from bff.webrtc.rtp import HISTORY_SIZE, LockedSrtp, RtpParameters, RtpStream, ntp_now
from bff.webrtc.tracks import TIME_BASE, create_encoder

KEY = os.urandom(30)
MID_ID, ABS_ID = 1, 3
PARAMETERS = RtpParameters(payload_type=102, ssrc=0x11223344, mid="0",
                           mid_extension_id=MID_ID, abs_send_time_extension_id=ABS_ID,
                           rtx_payload_type=103, rtx_ssrc=0x55667788)


class Wire:
    """Stands in for the network: keeps datagrams in order (the ICE path's contract is
    just `send(datagram) -> bool`)."""

    def __init__(self, accept: bool = True) -> None:
        self.datagrams: list[bytes] = []
        self.accept = accept

    def send(self, datagram: bytes) -> bool:
        if self.accept:
            self.datagrams.append(datagram)
        return self.accept


def _srtp_pair() -> tuple[LockedSrtp, Session]:
    outbound_policy = Policy(key=KEY, ssrc_type=Policy.SSRC_ANY_OUTBOUND,
                             srtp_profile=Policy.SRTP_PROFILE_AES128_CM_SHA1_80)
    outbound_policy.allow_repeat_tx = True  # as aiortc's: retransmissions reuse indexes
    outbound = Session(outbound_policy)
    inbound = Session(Policy(key=KEY, ssrc_type=Policy.SSRC_ANY_INBOUND,
                             srtp_profile=Policy.SRTP_PROFILE_AES128_CM_SHA1_80))
    return LockedSrtp(outbound), inbound


def _extension_map() -> HeaderExtensionsMap:
    extension_map = HeaderExtensionsMap()
    extension_map.configure(RTCRtpParameters(headerExtensions=[
        RTCRtpHeaderExtensionParameters(id=MID_ID, uri="urn:ietf:params:rtp-hdrext:sdes:mid"),
        RTCRtpHeaderExtensionParameters(
            id=ABS_ID, uri="http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"),
    ]))
    return extension_map


def _encoded_frames(count: int) -> list[bytes]:
    settings = WebRTCSettings()
    encoder = create_encoder("H264", settings)
    frame, (y, _, _) = new_frame(settings.width, settings.height)
    frame.time_base = TIME_BASE
    out = []
    for index in range(count):
        y[:] = (index * 37) % 200 + 20  # changing content: real P-frames
        y[::7] = 240
        frame.pts = index * 6000
        out.append(b"".join(bytes(p) for p in encoder.encode(frame)))
    return out


def test_packets_parse_decrypt_and_decode_like_aiortcs_own() -> None:
    srtp, inbound = _srtp_pair()
    wire = Wire()
    reports = []
    stream = RtpStream(PARAMETERS, "H264", srtp, wire, initial_sequence=65_534,
                       timestamp_origin=0xFFFF_FF00,
                       on_sent=lambda ntp, ts, n: reports.append((ntp, ts, n)))
    frames = _encoded_frames(3)
    sent = [stream.send_frame(data, index * 6000) for index, data in enumerate(frames)]
    assert sum(sent) == len(wire.datagrams) == stream.packets_sent
    assert sent[0] > 1  # the keyframe spans several packets

    extension_map = _extension_map()
    packets = [RtpPacket.parse(inbound.unprotect(d), extension_map) for d in wire.datagrams]
    # Sequence numbers run on across the 16-bit wrap, timestamps across the 32-bit one.
    assert [p.sequence_number for p in packets][:3] == [65_534, 65_535, 0]
    assert {p.ssrc for p in packets} == {PARAMETERS.ssrc}
    assert {p.payload_type for p in packets} == {102}
    assert {p.extensions.mid for p in packets} == {"0"}
    assert all(p.extensions.abs_send_time is not None for p in packets)
    now_abs = (ntp_now() >> 14) & 0xFFFFFF
    assert abs(packets[-1].extensions.abs_send_time - now_abs) < 1 << 18  # within 4 s
    first = packets[: sent[0]]
    assert {p.timestamp for p in first} == {0xFFFF_FF00}
    assert packets[sent[0]].timestamp == (0xFFFF_FF00 + 6000) & 0xFFFFFFFF
    # The marker bit closes each frame, and only there.
    ends = {sum(sent[: i + 1]) - 1 for i in range(len(sent))}
    assert [i for i, p in enumerate(packets) if p.marker] == sorted(ends)
    assert stream.octets_sent == sum(len(p.payload) for p in packets)
    assert [n for _, _, n in reports] == sent

    # aiortc's depacketizer and decoder rebuild the pictures from our packets.
    decoder = H264Decoder()
    decoded = []
    for start, count in zip([0, sent[0], sent[0] + sent[1]], sent):
        data = b"".join(H264PayloadDescriptor.parse(p.payload)[1]
                        for p in packets[start : start + count])
        decoded += decoder.decode(JitterFrame(data=data, timestamp=packets[start].timestamp))
    assert len(decoded) == 3 and (decoded[0].width, decoded[0].height) == (640, 360)


def test_retransmission_is_rtx_wrapped_and_misses_are_refused() -> None:
    srtp, inbound = _srtp_pair()
    wire = Wire()
    stream = RtpStream(PARAMETERS, "H264", srtp, wire, initial_sequence=100)
    stream.send_frame(_encoded_frames(1)[0], 0)
    extension_map = _extension_map()
    original = RtpPacket.parse(inbound.unprotect(wire.datagrams[1]), extension_map)

    assert stream.retransmit(101)
    rtx = RtpPacket.parse(inbound.unprotect(wire.datagrams[-1]), extension_map)
    assert (rtx.payload_type, rtx.ssrc) == (103, PARAMETERS.rtx_ssrc)
    restored = unwrap_rtx(rtx, payload_type=102, ssrc=PARAMETERS.ssrc)
    assert restored.sequence_number == 101 and restored.payload == original.payload
    assert restored.timestamp == original.timestamp

    assert not stream.retransmit(99)  # never sent
    assert not stream.retransmit(101 + HISTORY_SIZE)  # same slot, other packet


def test_plain_retransmission_without_rtx_and_drops_are_counted() -> None:
    srtp, inbound = _srtp_pair()
    wire = Wire()
    parameters = RtpParameters(payload_type=96, ssrc=7)  # no extensions, no RTX
    stream = RtpStream(parameters, "VP8", srtp, wire, initial_sequence=1)
    settings = WebRTCSettings()
    encoder = create_encoder("VP8", settings)
    frame, _ = new_frame(settings.width, settings.height)
    frame.time_base, frame.pts = TIME_BASE, 0
    data = b"".join(bytes(p) for p in encoder.encode(frame))
    sent = stream.send_frame(data, 0)
    assert sent >= 1
    # The receiver lost packet 1: it sees only the later ones, then the repair.
    later = [RtpPacket.parse(inbound.unprotect(d)) for d in wire.datagrams[1:]]
    assert all(p.payload_type == 96 and p.extensions.mid is None for p in later)
    assert stream.retransmit(1)
    assert RtpPacket.parse(inbound.unprotect(wire.datagrams[-1])).sequence_number == 1

    wire.accept = False
    assert stream.send_frame(data, 3000) == 0
    assert stream.packets_dropped >= 1


@pytest.mark.parametrize("mid, ids", [("0", (1, None)), (None, (None, 3)), ("12", (1, 3))])
def test_extension_block_is_word_aligned(mid, ids) -> None:
    srtp, inbound = _srtp_pair()
    wire = Wire()
    parameters = RtpParameters(payload_type=102, ssrc=1, mid=mid, mid_extension_id=ids[0],
                               abs_send_time_extension_id=ids[1])
    RtpStream(parameters, "H264", srtp, wire).send_frame(_encoded_frames(1)[0], 0)
    packet = RtpPacket.parse(inbound.unprotect(wire.datagrams[0]), _extension_map())
    assert packet.extensions.mid == (mid if ids[0] else None)
    assert (packet.extensions.abs_send_time is not None) == bool(ids[1])
