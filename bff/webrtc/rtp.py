"""Direct RTP sending: a viewer's encoded frames leave from the encoder thread.

aiortc's sender turns every frame into `RtpPacket` objects, serializes them with a
generic header-extension writer and sends each through four layers of coroutines on the
event loop — about 0.2 ms of Python per frame per viewer, a fifth of the encode itself.
For our streams the RTP header is the same every time but for sequence number, marker,
timestamp and send time, so `RtpStream` keeps it as a template and writes the packets
straight to the ICE pair's socket from the worker thread that encoded the frame.

aiortc keeps everything else: ICE, DTLS, SRTP keys, RTCP (its sender reports read the
counters we update; its PLI/NACK handling calls back into us). Its media loop for the
stream is replaced (`attach_direct_sending`) — that touches private names of aiortc
1.16, which the project pins; `direct_sending_supported` checks them, and the registry
falls back to aiortc's own loop when they are missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiortc import RTCRtpSender
from aiortc.codecs.h264 import H264Encoder
from aiortc.codecs.vpx import Vp8Encoder

log = logging.getLogger(__name__)

HISTORY_SIZE = 256
"""RTP packets kept per viewer for NACK retransmission (≈ 3 s at 600 kbit/s)."""
_NTP_UNIX_OFFSET = 2_208_988_800
_HEADER = struct.Struct("!BBHII")
_SENDER = "_RTCRtpSender__"
_NTP_TIMESTAMP = _SENDER + "ntp_timestamp"
_RTP_TIMESTAMP = _SENDER + "rtp_timestamp"
_PACKET_COUNT = _SENDER + "packet_count"
_OCTET_COUNT = _SENDER + "octet_count"


def ntp_now(now: float | None = None) -> int:
    """The current time as a 64-bit NTP timestamp."""
    now = time.time() if now is None else now
    seconds = int(now)
    return ((seconds + _NTP_UNIX_OFFSET) << 32) | int((now - seconds) * (1 << 32))


class LockedSrtp:
    """A libsrtp session shared by two threads: aiortc's RTCP (event loop) and our RTP
    (encoder threads). libsrtp sessions are not thread-safe; each call is short."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self._lock = threading.Lock()

    def protect(self, packet: bytes) -> bytes:
        with self._lock:
            return self._session.protect(packet)

    def protect_rtcp(self, packet: bytes) -> bytes:
        with self._lock:
            return self._session.protect_rtcp(packet)

    def protect_all(self, packets: list[bytes]) -> list[bytes]:
        """Protect the packets of one frame under one lock acquisition."""
        protect = self._session.protect
        with self._lock:
            return [protect(packet) for packet in packets]


@dataclass(frozen=True)
class RtpParameters:
    """What the negotiation fixed for one outgoing video stream."""

    payload_type: int
    ssrc: int
    mid: str | None = None
    mid_extension_id: int | None = None
    abs_send_time_extension_id: int | None = None
    rtx_payload_type: int | None = None
    rtx_ssrc: int | None = None


def header_extensions(parameters: RtpParameters) -> tuple[bytes, bytes]:
    """The one-byte-header extension block (RFC 8285) our packets carry, split around
    the 3-byte abs-send-time value that changes per frame (empty when not negotiated)."""
    elements = b""
    if parameters.mid is not None and parameters.mid_extension_id:
        mid = parameters.mid.encode()
        elements += bytes([(parameters.mid_extension_id << 4) | (len(mid) - 1)]) + mid
    has_abs = bool(parameters.abs_send_time_extension_id)
    if has_abs:
        elements += bytes([(parameters.abs_send_time_extension_id << 4) | 2])
    padding = -(len(elements) + (3 if has_abs else 0)) % 4
    if not elements:
        return b"", b""
    words = (len(elements) + (3 if has_abs else 0) + padding) // 4
    return struct.pack("!HH", 0xBEDE, words) + elements, b"\x00" * padding


_UDP_SEGMENT = 103
"""Linux's UDP_SEGMENT socket option (linux/udp.h); Python's socket module lacks it."""
_GSO_MAX_SEGMENTS = 64
_GSO_MAX_BYTES = 65_000
_GSO_UNSUPPORTED = {errno.EIO, errno.EINVAL, errno.ENOPROTOOPT, errno.EOPNOTSUPP, errno.EMSGSIZE}
"""What a route without (enough) segmentation offload answers: send one by one."""


def gso_runs(sizes: list[int]) -> list[tuple[int, int]]:
    """Split datagrams of these sizes into [start, end) runs that one segmentation-offload
    send can carry: equal sizes, only the last one may be smaller."""
    runs, start, count = [], 0, len(sizes)
    while start < count:
        size = sizes[start]
        limit = min(_GSO_MAX_SEGMENTS, max(1, _GSO_MAX_BYTES // max(1, size)))
        end = start + 1
        while end < count and end - start < limit and sizes[end] == size:
            end += 1
        if end < count and end - start < limit and sizes[end] < size:
            end += 1
        runs.append((start, end))
        start = end
    return runs


class IcePath:
    """Sends datagrams to the peer over the ICE pair in use, from any thread.

    Uses its own duplicate of the pair's socket descriptor (same local port, so the peer
    and ICE consent see one flow); a full send buffer drops the datagram, as the network
    would, and NACK or the next keyframe repairs it. On Linux the packets of a frame
    leave in as few system calls as UDP segmentation offload allows (one per run of
    equal-sized packets) unless the route refuses it.

    A pair without a socket of its own (a TURN relay: the datagrams must be wrapped for
    the relay) sends through its asyncio transport, on the event loop.
    """

    def __init__(self, ice_connection: Any, loop: asyncio.AbstractEventLoop | None = None,
                 *, segmentation_offload: bool = sys.platform.startswith("linux")) -> None:
        self._connection = ice_connection
        self._loop = loop
        self._protocol: Any = None
        self._socket: socket.socket | None = None
        self._relay: Any = None
        self._lock = threading.Lock()
        self._gso = segmentation_offload
        self.closed = False

    def send(self, datagram: bytes) -> bool:
        """Send one datagram; False when it could not leave (no pair, buffer full)."""
        return not self.send_all([datagram])

    def send_all(self, datagrams: list[bytes]) -> list[int]:
        """Send datagrams in order; returns the indexes of those that could not leave
        (no pair, buffer full), usually none."""
        pair = self._connection._nominated.get(1)
        if pair is None or self.closed:
            return list(range(len(datagrams)))
        sock = self._socket
        if pair.protocol is not self._protocol or (sock is None and self._relay is None):
            sock = self._rebind(pair.protocol)
        if sock is None:
            return self._send_through_transport(datagrams, pair.remote_addr)
        address, dropped = pair.remote_addr, []
        runs = gso_runs([len(d) for d in datagrams]) if self._gso else None
        if runs is None or len(runs) == len(datagrams):
            for index, datagram in enumerate(datagrams):
                if not self._sendto(sock, datagram, address):
                    dropped.append(index)
            return dropped
        for start, end in runs:
            if end - start == 1:
                if not self._sendto(sock, datagrams[start], address):
                    dropped.append(start)
                continue
            segment = struct.pack("=H", len(datagrams[start]))
            try:
                sock.sendmsg([b"".join(datagrams[start:end])],
                             [(socket.SOL_UDP, _UDP_SEGMENT, segment)], 0, address)
            except (BlockingIOError, InterruptedError):
                dropped.extend(range(start, end))
            except OSError as exc:
                if self.closed:
                    dropped.extend(range(start, end))
                elif exc.errno in _GSO_UNSUPPORTED:
                    log.info("UDP segmentation offload refused (%s); sending packets one "
                             "by one", exc)
                    self._gso = False
                    dropped.extend(start + i for i, datagram in enumerate(datagrams[start:end])
                                   if not self._sendto(sock, datagram, address))
                else:
                    raise
        return dropped

    def _sendto(self, sock: socket.socket, datagram: bytes, address: Any) -> bool:
        try:
            sock.sendto(datagram, address)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            if not self.closed:
                raise
            return False
        return True

    def _send_through_transport(self, datagrams: list[bytes], address: Any) -> list[int]:
        relay, loop = self._relay, self._loop
        if relay is None or loop is None or loop.is_closed():
            return list(range(len(datagrams)))

        def send() -> None:
            if not self.closed:
                for datagram in datagrams:
                    relay.sendto(datagram, address)

        loop.call_soon_threadsafe(send)
        return []

    def _rebind(self, protocol: Any) -> socket.socket | None:
        with self._lock:
            if self.closed:
                return None
            transport = getattr(protocol, "transport", None)
            original = transport.get_extra_info("socket") if transport else None
            if self._socket is not None:
                self._socket.close()
                self._socket = None
            self._protocol = protocol
            # No socket of its own: a TURN relay, which wraps what it sends.
            self._relay = transport if original is None else None
            if original is not None:
                self._socket = socket.socket(fileno=os.dup(original.fileno()))
            return self._socket

    def close(self) -> None:
        with self._lock:
            self.closed = True
            self._relay = None
            if self._socket is not None:
                self._socket.close()
                self._socket = None


class RtpStream:
    """One viewer's outgoing RTP: packetizes encoded frames and sends them over SRTP.

    `send_frame` runs in an encoder thread; `retransmit` on the event loop (aiortc's
    NACK handling). Both go through the locked SRTP session and the ICE path.
    """

    def __init__(self, parameters: RtpParameters, codec: str, srtp: LockedSrtp,
                 path: IcePath, *, on_sent: Callable[[int, int, int], None] | None = None,
                 initial_sequence: int | None = None, timestamp_origin: int | None = None
                 ) -> None:
        self.parameters = parameters
        self.codec = codec
        self._srtp = srtp
        self._path = path
        self._on_sent = on_sent
        self._before_abs, self._after_abs = header_extensions(parameters)
        self._has_abs = bool(parameters.abs_send_time_extension_id)
        self._extension_size = len(self._before_abs) + len(self._after_abs) + (
            3 if self._has_abs else 0)
        self._first_byte = 0x90 if self._extension_size else 0x80
        self._sequence = (int.from_bytes(os.urandom(2), "big") if initial_sequence is None
                          else initial_sequence) & 0xFFFF
        self._rtx_sequence = int.from_bytes(os.urandom(2), "big")
        self._timestamp_origin = (int.from_bytes(os.urandom(4), "big")
                                  if timestamp_origin is None else timestamp_origin)
        self._picture_id = 0
        self._history: list[bytes | None] = [None] * HISTORY_SIZE
        self.packets_sent = 0
        self.octets_sent = 0
        self.packets_dropped = 0
        self.packets_retransmitted = 0

    @property
    def last_sequence(self) -> int:
        """Sequence number of the newest packet sent."""
        return (self._sequence - 1) & 0xFFFF

    def payloads(self, data: bytes) -> list[bytes]:
        """Split one encoded frame into RTP payloads (aiortc's packetizers)."""
        if self.codec == "H264":
            return H264Encoder._packetize(H264Encoder._split_bitstream(data))
        payloads = Vp8Encoder._packetize(data, self._picture_id)
        self._picture_id = (self._picture_id + 1) % (1 << 15)
        return payloads

    def send_frame(self, data: bytes, pts_90k: int) -> int:
        """Send one encoded frame; returns the packets sent. Thread: encoder worker."""
        payloads = self.payloads(data)
        if not payloads:
            return 0
        timestamp = (self._timestamp_origin + pts_90k) & 0xFFFFFFFF
        ntp = ntp_now()
        abs_send_time = ((ntp >> 14) & 0xFFFFFF).to_bytes(3, "big") if self._has_abs else b""
        extensions = self._before_abs + abs_send_time + self._after_abs
        ssrc, pt = self.parameters.ssrc, self.parameters.payload_type
        last = len(payloads) - 1
        first_byte, sequence, history = self._first_byte, self._sequence, self._history
        packets = []
        for index, payload in enumerate(payloads):
            packet = _HEADER.pack(first_byte, pt | (0x80 if index == last else 0),
                                  sequence, timestamp, ssrc) + extensions + payload
            history[sequence % HISTORY_SIZE] = packet
            packets.append(packet)
            sequence = (sequence + 1) & 0xFFFF
        self._sequence = sequence
        dropped = self._path.send_all(self._srtp.protect_all(packets))
        sent = len(packets) - len(dropped)
        octets = sum(map(len, payloads)) - sum(len(payloads[index]) for index in dropped)
        self.packets_dropped += len(dropped)
        self.packets_sent += sent
        self.octets_sent += octets
        if self._on_sent is not None:
            self._on_sent(ntp, timestamp, sent)
        return sent

    def retransmit(self, sequence: int) -> bool:
        """Resend a packet the receiver reported lost (RTX-wrapped when negotiated)."""
        packet = self._history[sequence % HISTORY_SIZE]
        if packet is None or int.from_bytes(packet[2:4], "big") != sequence:
            return False
        rtx_pt, rtx_ssrc = self.parameters.rtx_payload_type, self.parameters.rtx_ssrc
        if rtx_pt is not None and rtx_ssrc is not None:
            # RFC 4588: own payload type, sequence space and SSRC; the original sequence
            # number leads the payload.
            head = _HEADER.size + self._extension_size
            rtx_sequence = self._rtx_sequence
            self._rtx_sequence = (rtx_sequence + 1) & 0xFFFF
            packet = (_HEADER.pack(packet[0], (packet[1] & 0x80) | rtx_pt, rtx_sequence,
                                   int.from_bytes(packet[4:8], "big"), rtx_ssrc)
                      + packet[_HEADER.size:head] + packet[2:4] + packet[head:])
        sent = self._path.send(self._srtp.protect(packet))
        self.packets_retransmitted += sent
        return sent


# --- hooking into aiortc's sender ------------------------------------------------------------

_REQUIRED_SENDER_NAMES = ("rtp_started", "rtp_exited", "mid", "rtp_header_extensions_map",
                          "rtx_payload_type", "ntp_timestamp", "rtp_timestamp",
                          "octet_count", "packet_count")


def direct_sending_supported(sender: RTCRtpSender) -> bool:
    """True when this aiortc exposes what direct sending relies on."""
    return (all(hasattr(sender, _SENDER + name) for name in _REQUIRED_SENDER_NAMES)
            and hasattr(sender, "_run_rtp") and hasattr(sender, "_retransmit")
            and hasattr(sender, "_ssrc") and hasattr(sender, "_rtx_ssrc"))


def _extension_ids(sender: RTCRtpSender) -> Any:
    extension_map = getattr(sender, _SENDER + "rtp_header_extensions_map")
    return getattr(extension_map, "_HeaderExtensionsMap__ids")


def attach_direct_sending(
    sender: RTCRtpSender,
    on_start: Callable[[RtpStream], None],
    on_stop: Callable[[], None],
) -> None:
    """Replace the sender's media loop: once aiortc starts sending (ICE and DTLS are up),
    build the viewer's `RtpStream` and hand it to `on_start`; `on_stop` runs when aiortc
    stops the sender. RTCP stays aiortc's, fed with our counters."""

    async def run_rtp(codec: Any) -> None:
        getattr(sender, _SENDER + "rtp_started").set()
        path: IcePath | None = None
        try:
            dtls = sender.transport
            if not isinstance(dtls._tx_srtp, LockedSrtp):
                dtls._tx_srtp = LockedSrtp(dtls._tx_srtp)
            ids = _extension_ids(sender)
            parameters = RtpParameters(
                payload_type=codec.payloadType, ssrc=sender._ssrc,
                mid=getattr(sender, _SENDER + "mid"), mid_extension_id=ids.mid,
                abs_send_time_extension_id=ids.abs_send_time,
                rtx_payload_type=getattr(sender, _SENDER + "rtx_payload_type"),
                rtx_ssrc=sender._rtx_ssrc)
            path = IcePath(dtls.transport._connection, asyncio.get_running_loop())

            def on_sent(ntp: int, timestamp: int, packets: int) -> None:
                # Read by aiortc's sender reports (RTCP SR).
                setattr(sender, _NTP_TIMESTAMP, ntp)
                setattr(sender, _RTP_TIMESTAMP, timestamp)
                setattr(sender, _PACKET_COUNT, stream.packets_sent)
                setattr(sender, _OCTET_COUNT, stream.octets_sent)

            stream = RtpStream(parameters, codec.name, dtls._tx_srtp, path, on_sent=on_sent)

            async def retransmit(sequence: int) -> None:
                with contextlib.suppress(OSError):
                    stream.retransmit(sequence)

            sender._retransmit = retransmit  # type: ignore[method-assign]
            on_start(stream)
            await asyncio.Event().wait()  # until aiortc cancels us (sender.stop)
        except asyncio.CancelledError:
            pass
        except Exception:  # noqa: BLE001 - aiortc's stop() waits for rtp_exited
            log.exception("direct RTP sending failed to start")
        finally:
            on_stop()
            if path is not None:
                path.close()
            getattr(sender, _SENDER + "rtp_exited").set()

    sender._run_rtp = run_rtp  # type: ignore[method-assign]
