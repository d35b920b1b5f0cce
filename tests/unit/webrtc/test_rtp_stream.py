"""Direct RTP sending: packets we write are what aiortc's own parser and libsrtp accept."""

from __future__ import annotations

import asyncio
import errno
import os
import socket
from types import SimpleNamespace

import pytest
from aiortc.codecs.h264 import H264Decoder, H264PayloadDescriptor
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpHeaderExtensionParameters, RTCRtpParameters
from aiortc.rtp import HeaderExtensionsMap, RtpPacket, unwrap_rtx
from pylibsrtp import Policy, Session

from bff.lib.settings import WebRTCSettings
from bff.media.drawing import new_frame
from bff.webrtc.rtp import (
    HISTORY_SIZE,
    IcePath,
    LockedSrtp,
    RtpParameters,
    RtpStream,
    gso_runs,
    ntp_now,
)
from bff.webrtc.tracks import TIME_BASE, create_encoder

KEY = os.urandom(30)
MID_ID, ABS_ID = 1, 3
PARAMETERS = RtpParameters(payload_type=102, ssrc=0x11223344, mid="0",
                           mid_extension_id=MID_ID, abs_send_time_extension_id=ABS_ID,
                           rtx_payload_type=103, rtx_ssrc=0x55667788)


class Wire:
    """Stands in for the network: keeps datagrams in order (the ICE path's contract:
    `send(datagram) -> bool` and `send_all(datagrams) -> indexes not sent`)."""

    def __init__(self, accept: bool = True) -> None:
        self.datagrams: list[bytes] = []
        self.accept = accept

    def send(self, datagram: bytes) -> bool:
        return not self.send_all([datagram])

    def send_all(self, datagrams: list[bytes]) -> list[int]:
        if self.accept:
            self.datagrams.extend(datagrams)
            return []
        return list(range(len(datagrams)))


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


class _Pair:
    """The fields of aioice's candidate pair that the ICE path reads."""

    def __init__(self, transport: object, remote: tuple[str, int]) -> None:
        self.protocol = SimpleNamespace(transport=transport)
        self.remote_addr = remote


def _socket_transport(sock: socket.socket) -> SimpleNamespace:
    return SimpleNamespace(get_extra_info=lambda name: sock if name == "socket" else None)


@pytest.fixture
def udp_pair():  # noqa: ANN201
    local = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    remote = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    local.bind(("127.0.0.1", 0))
    remote.bind(("127.0.0.1", 0))
    remote.settimeout(2)
    local.setblocking(False)  # as asyncio's transport leaves it
    yield local, remote
    local.close()
    remote.close()


def _frame_packets() -> list[bytes]:
    """What one frame looks like on the wire: full-size fragments, a shorter last one,
    and a small one of another size in front (SPS/PPS)."""
    return [b"s" * 40] + [bytes([i]) * 1210 for i in range(5)] + [b"e" * 300]


@pytest.mark.parametrize("offload", [True, False])
def test_ice_path_sends_in_order_over_the_nominated_pair_and_reports_what_did_not_leave(
    udp_pair, offload: bool,  # noqa: ANN001
) -> None:
    local, remote = udp_pair
    connection = SimpleNamespace(_nominated={})
    path = IcePath(connection, segmentation_offload=offload)
    assert path.send_all([b"a", b"b"]) == [0, 1]  # no pair yet: nothing leaves
    connection._nominated[1] = _Pair(_socket_transport(local), remote.getsockname())
    packets = _frame_packets()
    assert path.send_all(packets) == []
    assert path.send(b"last")
    received = [remote.recvfrom(2000) for _ in range(len(packets) + 1)]
    # Separate datagrams, in order, whatever the number of system calls.
    assert [data for data, _ in received] == [*packets, b"last"]
    # Same local port as the pair's socket: the peer and ICE see one flow.
    assert {source for _, source in received} == {local.getsockname()}
    path.close()
    assert path.send_all([b"late"]) == [0]
    assert not path.send(b"late")


def test_gso_runs_are_equal_sized_but_for_a_shorter_last() -> None:
    assert gso_runs([]) == []
    assert gso_runs([40, 1210, 1210, 1210, 300]) == [(0, 1), (1, 5)]
    assert gso_runs([1210, 1209, 1209]) == [(0, 2), (2, 3)]
    assert gso_runs([300, 1210]) == [(0, 1), (1, 2)]  # a longer one cannot follow
    # Never more than the kernel takes in one send.
    assert max(end - start for start, end in gso_runs([1000] * 200)) <= 64
    assert all((end - start) * 1200 <= 65_000 for start, end in gso_runs([1200] * 200))


class _RefusingOffload:
    """A socket whose route refuses segmentation offload (no checksum offload: EIO)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.offload_attempts = 0

    def sendmsg(self, *args: object) -> int:
        self.offload_attempts += 1
        raise OSError(errno.EIO, "Input/output error")

    def sendto(self, data: bytes, address: tuple[str, int]) -> int:
        return self._sock.sendto(data, address)

    def close(self) -> None:
        self._sock.close()


def test_ice_path_falls_back_to_one_by_one_when_offload_is_refused(udp_pair) -> None:  # noqa: ANN001
    local, remote = udp_pair
    connection = SimpleNamespace(_nominated={1: _Pair(_socket_transport(local),
                                                      remote.getsockname())})
    path = IcePath(connection, segmentation_offload=True)
    assert path.send(b"first")  # binds the path to the pair's socket
    refusing = path._socket = _RefusingOffload(path._socket)
    packets = _frame_packets()
    assert path.send_all(packets) == [] and path.send_all(packets) == []
    assert refusing.offload_attempts == 1  # refused once, then not tried again
    received = [remote.recv(2000) for _ in range(1 + 2 * len(packets))]
    assert received == [b"first", *packets, *packets]
    path.close()


async def test_ice_path_over_a_relay_sends_through_its_transport_on_the_loop() -> None:
    sent: list[tuple[bytes, tuple[str, int]]] = []
    relay = SimpleNamespace(get_extra_info=lambda name: None,  # TURN: no socket of its own
                            sendto=lambda data, address: sent.append((data, address)))
    connection = SimpleNamespace(_nominated={1: _Pair(relay, ("203.0.113.9", 4000))})
    path = IcePath(connection, asyncio.get_running_loop())
    packets = _frame_packets()
    assert await asyncio.to_thread(path.send_all, packets) == []  # from a worker thread
    for _ in range(100):
        if len(sent) == len(packets):
            break
        await asyncio.sleep(0.01)
    assert sent == [(packet, ("203.0.113.9", 4000)) for packet in packets]
    path.close()
    assert path.send_all([b"late"]) == [0]
