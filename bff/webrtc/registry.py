"""The registry of live WebRTC streams: it owns every server-side peer connection.

`PeerRegistry.open` answers a browser's offer with a watermarked stream of a camera:
H.264 Constrained Baseline when the offer has it (VP8 otherwise), ICE configured from
settings, caps per user and per camera enforced before anything is created. Streams end
when the viewer closes them, when the connection fails or stays disconnected, when it
never connects within `connect_timeout_s`, or at shutdown; `on_closed` hears about each
exactly once (the app writes the view-stop audit entry there).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import msgspec
from aiortc import RTCPeerConnection, RTCRtpSender, RTCSessionDescription
from aiortc import sdp as aiortc_sdp
from aiortc.rtcrtpparameters import RTCRtpCodecCapability

from bff.lib.settings import WebRTCSettings
from bff.webrtc.errors import InvalidOffer, TooManyStreams, UpstreamUnavailable
from bff.webrtc.offer_check import OfferFieldError, check_offer_fields
from bff.webrtc.fanout import FrameFanout
from bff.webrtc.hub import StreamHub, Subscription
from bff.webrtc.ice import browser_ice_servers, configure_ice_host_addresses, ice_configuration
from bff.webrtc.rtp import RtpStream, attach_direct_sending, direct_sending_supported
from bff.webrtc.tracks import Codec, EncodeBatcher, ViewerTrack, route_keyframe_requests
from bff.webrtc.viewers import StreamSession, ViewerIdentity
from bff.webrtc.watermark import ViewerWatermark, WatermarkRenderer

__all__ = ["PeerRegistry", "StreamSession", "ViewerIdentity"]

log = logging.getLogger(__name__)

DISCONNECT_GRACE_S = 5.0
"""How long a connection may stay "disconnected" before the stream is closed."""
ENDED_MEMORY = 2_000
"""Recently ended streams whose reason the page may still ask for (`ended_reason`)."""
_SENDABLE = ("H264", "VP8")


def codec_preferences() -> list[RTCRtpCodecCapability]:
    """Video codecs in the order we want them: H.264 Constrained Baseline (42e01f), H.264
    Baseline (42001f), VP8, then their RTX companions (kept for NACK retransmission)."""
    codecs = RTCRtpSender.getCapabilities("video").codecs

    def rank(codec: RTCRtpCodecCapability) -> int:
        if codec.name == "H264":
            return 0 if codec.parameters.get("profile-level-id") == "42e01f" else 1
        if codec.name == "VP8":
            return 2
        return 3

    wanted = [c for c in codecs if c.name in _SENDABLE or c.name == "rtx"]
    return sorted(wanted, key=rank)


def _parse_offer(sdp: str, sdp_type: str) -> aiortc_sdp.SessionDescription:
    """Check an offer before anything is allocated for it."""
    if sdp_type != "offer":
        raise InvalidOffer(f"expected an offer, got {sdp_type!r}")
    if not isinstance(sdp, str) or not sdp.lstrip().startswith("v=0"):
        raise InvalidOffer("not an SDP description")
    try:
        check_offer_fields(sdp)
    except OfferFieldError as exc:
        raise InvalidOffer(str(exc)) from exc
    try:
        description = aiortc_sdp.SessionDescription.parse(sdp)
    except Exception as exc:  # noqa: BLE001 - the parser raises anything on garbage
        raise InvalidOffer("unparseable SDP") from exc
    videos = [m for m in description.media if m.kind == "video"]
    if not videos:
        raise InvalidOffer("the offer has no video m-line")
    if not any(c.name in _SENDABLE for m in videos for c in m.rtp.codecs):
        raise InvalidOffer("the offer has neither H.264 nor VP8")
    for media in description.media:
        if not (media.ice.usernameFragment and media.ice.password):
            raise InvalidOffer("the offer lacks ICE credentials")
        if not media.dtls or not media.dtls.fingerprints:
            raise InvalidOffer("the offer lacks a DTLS fingerprint")
    return description


def without_mdns_candidates(sdp: str) -> str:
    """Drop mDNS host candidates ("<uuid>.local") from an offer.

    Browsers hide their addresses behind mDNS names that resolve only on the same LAN;
    aioice would wait up to a second per name inside setRemoteDescription. The browser's
    connectivity checks reach our host candidates anyway and become peer-reflexive
    candidates, so nothing is lost. When no candidate is left, end-of-candidates goes too,
    so ICE waits for those checks instead of failing at once."""
    lines = sdp.split("\r\n")
    kept = [line for line in lines
            if not (line.startswith("a=candidate:") and ".local " in line)]
    if len(kept) == len(lines):
        return sdp
    if not any(line.startswith("a=candidate:") for line in kept):
        kept = [line for line in kept if line != "a=end-of-candidates"]
    return "\r\n".join(kept)


def _answered_codec(answer_sdp: str) -> Codec:
    description = aiortc_sdp.SessionDescription.parse(answer_sdp)
    for media in description.media:
        if media.kind == "video" and media.rtp.codecs:
            name = media.rtp.codecs[0].name
            if name in _SENDABLE:
                return name  # type: ignore[return-value]
    raise InvalidOffer("no common video codec")


ABS_SEND_TIME_URI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"


def drop_bandwidth_feedback(transceiver: Any) -> None:
    """Leave receiver bandwidth estimates (REMB, computed from abs-send-time) out of the
    answer: our encoders keep the fixed bitrate chosen for phones (`create_encoder`), so
    phones would compute and send them for nothing, and every one costs the event loop
    an SRTCP packet to decrypt and parse. NACK and PLI stay.

    Call between setRemoteDescription and createAnswer (aiortc keeps the negotiated
    codecs and header extensions on the transceiver until the answer is written)."""
    for codec in getattr(transceiver, "_codecs", ()):
        codec.rtcpFeedback = [fb for fb in codec.rtcpFeedback if fb.type != "goog-remb"]
    extensions = getattr(transceiver, "_headerExtensions", None)
    if extensions is not None:
        transceiver._headerExtensions = [e for e in extensions if e.uri != ABS_SEND_TIME_URI]


@dataclass(eq=False)
class _Peer:
    viewer: ViewerIdentity
    device_id: str
    pc: RTCPeerConnection
    subscription: Subscription
    track: ViewerTrack
    session: StreamSession | None = None
    finished: bool = False
    timers: list[asyncio.Task[Any]] = field(default_factory=list)


class PeerRegistry:
    """Owns the server-side peer connections of live view (never a module global).

    Create one per app in the lifespan; `close_all()` at shutdown. Constructing it fixes
    aioice's host candidates to `settings.ice_host_addresses` (process-wide, see
    `bff.webrtc.ice`).
    """

    def __init__(
        self,
        settings: WebRTCSettings,
        hub: StreamHub,
        on_closed: Callable[[StreamSession], Awaitable[None]] | None = None,
        *,
        watermark_renderer: WatermarkRenderer | None = None,
        executor: Executor | None = None,
        disconnect_grace_s: float = DISCONNECT_GRACE_S,
    ) -> None:
        self._settings = settings
        self._hub = hub
        self._on_closed = on_closed
        self._batcher = EncodeBatcher(executor)
        self._fanout = FrameFanout(executor)
        self._disconnect_grace_s = disconnect_grace_s
        configure_ice_host_addresses(settings.ice_host_addresses)
        self._configuration = ice_configuration(settings)
        self._preferences = codec_preferences()
        self._renderer = watermark_renderer or WatermarkRenderer(settings)
        self._peers: dict[str, _Peer] = {}
        # Streams per user / per camera, including offers still being negotiated, so
        # concurrent opens cannot overshoot a cap.
        self._user_load: collections.Counter[int] = collections.Counter()
        self._camera_load: collections.Counter[str] = collections.Counter()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False
        # session id → (viewer's user id, reason) of recently ended streams, oldest first
        self._ended: collections.OrderedDict[str, tuple[int, str]] = collections.OrderedDict()

    # --- facts for pages and health ----------------------------------------------------

    @property
    def max_streams_per_user(self) -> int:
        return self._settings.max_streams_per_user

    @property
    def max_viewers_per_camera(self) -> int:
        return self._settings.max_viewers_per_camera

    @property
    def ice_servers(self) -> list[dict[str, Any]]:
        """The STUN/TURN servers the browser should use, JSON-ready (may be empty)."""
        return browser_ice_servers(self._settings)

    @property
    def open_count(self) -> int:
        """Running streams (answered offers not yet closed)."""
        return len(self._peers)

    def session(self, session_id: str) -> StreamSession | None:
        """A running stream by id."""
        peer = self._peers.get(session_id)
        return peer.session if peer else None

    def sessions_for_user(self, user_id: int) -> list[StreamSession]:
        """The user's running streams, oldest first."""
        return [p.session for p in self._peers.values()
                if p.session is not None and p.viewer.user_id == user_id]

    def sessions(self) -> list[StreamSession]:
        """Every running stream (the policy re-check walks them)."""
        return [p.session for p in self._peers.values() if p.session is not None]

    def ended_reason(self, session_id: str, user_id: int) -> str | None:
        """Why a recently ended stream of this user ended (None when unknown or running)."""
        ended = self._ended.get(session_id)
        return ended[1] if ended is not None and ended[0] == user_id else None

    def viewers_of(self, device_id: str) -> int:
        """Streams of one camera, including offers being negotiated."""
        return self._camera_load[device_id]

    def counts(self) -> dict[str, int]:
        """Totals for the health endpoint."""
        return {
            "streams": len(self._peers),
            "users": sum(1 for n in self._user_load.values() if n),
            "cameras": sum(1 for n in self._camera_load.values() if n),
        }

    def track_of(self, session_id: str) -> ViewerTrack | None:
        """The outgoing track of a stream (counters for tests and benchmarks)."""
        peer = self._peers.get(session_id)
        return peer.track if peer else None

    def rtp_stream_of(self, session_id: str) -> RtpStream | None:
        """A stream's direct RTP sender (counters for tests and benchmarks)."""
        peer = self._peers.get(session_id)
        return self._fanout.stream_of(peer.track) if peer else None

    def sender_of(self, session_id: str) -> RTCRtpSender | None:
        """aiortc's sender of a stream (where RTCP feedback arrives)."""
        peer = self._peers.get(session_id)
        return peer.pc.getSenders()[0] if peer else None

    def sends_directly(self, session_id: str) -> bool:
        """Whether a stream's RTP leaves from the encoder threads (`bff.webrtc.rtp`)
        rather than through aiortc's media loop."""
        return self.rtp_stream_of(session_id) is not None

    # --- opening ---------------------------------------------------------------------

    def check_offer(self, viewer: ViewerIdentity, device_id: str, sdp: str,
                    sdp_type: str) -> None:
        """Raise what `open` would raise before it allocates anything (a bad offer, a
        cap reached), so a caller can refuse before asking the platform for a stream."""
        if self._closed:
            raise UpstreamUnavailable("live view is shutting down")
        _parse_offer(sdp, sdp_type)
        if self._user_load[viewer.user_id] >= self._settings.max_streams_per_user:
            raise TooManyStreams("user", self._settings.max_streams_per_user)
        if self._camera_load[device_id] >= self._settings.max_viewers_per_camera:
            raise TooManyStreams("camera", self._settings.max_viewers_per_camera)

    async def open(self, viewer: ViewerIdentity, device_id: str, sdp: str,
                   sdp_type: str, *, feed: Subscription | None = None,
                   watermark: Callable[[WatermarkRenderer, ViewerIdentity],
                                       ViewerWatermark] = ViewerWatermark) -> StreamSession:
        """Answer `sdp` (the browser's offer) with a stream of `device_id` watermarked
        for `viewer`. Raises InvalidOffer, TooManyStreams or UpstreamUnavailable; on any
        failure nothing stays open (the caller closes a `feed` it passed).

        By default the stream is the camera's live picture from the hub; a playback
        passes its own `feed` (frames shaped like a hub `Subscription`) and `watermark`
        (a `ViewerWatermark` factory: the playback mark and recorded time)."""
        if self._closed:
            raise UpstreamUnavailable("live view is shutting down")
        _parse_offer(sdp, sdp_type)
        settings = self._settings
        if self._user_load[viewer.user_id] >= settings.max_streams_per_user:
            raise TooManyStreams("user", settings.max_streams_per_user)
        if self._camera_load[device_id] >= settings.max_viewers_per_camera:
            raise TooManyStreams("camera", settings.max_viewers_per_camera)
        # Reserve before the first await: the checks above and this are one atomic step.
        self._user_load[viewer.user_id] += 1
        self._camera_load[device_id] += 1

        subscription: Subscription | None = None
        pc: RTCPeerConnection | None = None
        try:
            subscription = feed if feed is not None else await self._hub.subscribe(device_id)
            pc = RTCPeerConnection(configuration=self._configuration)
            track = ViewerTrack(subscription, watermark(self._renderer, viewer),
                                settings, batcher=self._batcher)
            # The transceiver must exist with its preferences before the offer is
            # applied: aiortc picks the answer's codecs in setRemoteDescription.
            transceiver = pc.addTransceiver(track, direction="sendonly")
            transceiver.setCodecPreferences(self._preferences)
            route_keyframe_requests(transceiver.sender, track)
            if settings.direct_rtp and direct_sending_supported(transceiver.sender):
                attach_direct_sending(
                    transceiver.sender,
                    on_start=lambda stream, track=track: self._fanout.add(track, stream),
                    on_stop=lambda track=track: self._fanout.remove(track))
            peer = _Peer(viewer=viewer, device_id=device_id, pc=pc,
                         subscription=subscription, track=track)
            self._watch(peer)
            try:
                await pc.setRemoteDescription(
                    RTCSessionDescription(sdp=without_mdns_candidates(sdp), type="offer"))
                drop_bandwidth_feedback(transceiver)
                await pc.setLocalDescription(await pc.createAnswer())
            except InvalidOffer:
                raise
            except Exception as exc:  # noqa: BLE001 - aiortc raises assorted errors
                raise InvalidOffer(f"cannot answer the offer: {exc}") from exc
            answer = pc.localDescription
            track.set_codec(_answered_codec(answer.sdp))
        except BaseException:
            self._release(viewer.user_id, device_id)
            if subscription is not None:
                subscription.close()
            if pc is not None:
                with contextlib.suppress(Exception):
                    await pc.close()
            raise

        session = StreamSession(
            id=secrets.token_urlsafe(16), device_id=device_id, viewer=viewer,
            started_at=datetime.now(UTC), codec=track.codec or "VP8",
            answer_sdp=answer.sdp, answer_type=answer.type,
        )
        peer.session = session
        self._peers[session.id] = peer
        peer.timers.append(self._spawn(self._connect_deadline(peer)))
        if pc.connectionState in ("failed", "closed"):
            self._spawn(self._finish(peer, f"connection {pc.connectionState}"))
        log.info("stream %s: %s watches %s (%s)", session.id, viewer.username, device_id,
                 session.codec)
        return session

    def _watch(self, peer: _Peer) -> None:
        pc = peer.pc

        @pc.on("connectionstatechange")
        async def on_state_change() -> None:
            state = pc.connectionState
            if peer.finished or peer.session is None:
                return
            if state == "connected":
                self._cancel_timers(peer)
            elif state in ("failed", "closed"):
                self._spawn(self._finish(peer, f"connection {state}"))
            elif state == "disconnected":
                peer.timers.append(self._spawn(self._disconnect_deadline(peer)))

    async def _connect_deadline(self, peer: _Peer) -> None:
        await asyncio.sleep(self._settings.connect_timeout_s)
        if peer.pc.connectionState != "connected":
            await self._finish(peer, "connect timeout")

    async def _disconnect_deadline(self, peer: _Peer) -> None:
        await asyncio.sleep(self._disconnect_grace_s)
        if peer.pc.connectionState != "connected":
            await self._finish(peer, "connection lost")

    # --- closing ---------------------------------------------------------------------

    async def close(self, session_id: str, user_id: int) -> bool:
        """Close a stream on its viewer's request. False if there is no such stream or
        it belongs to someone else (callers answer 404 either way)."""
        peer = self._peers.get(session_id)
        if peer is None or peer.viewer.user_id != user_id:
            return False
        await self._finish(peer, "closed by viewer")
        return True

    async def end(self, session_id: str, reason: str) -> bool:
        """End a stream on the server's own decision (the viewer lost access); `reason`
        is kept for the page (`ended_reason`). False if no such stream runs."""
        peer = self._peers.get(session_id)
        if peer is None:
            return False
        await self._finish(peer, reason)
        return True

    async def close_all(self) -> None:
        """Close every stream (shutdown); later opens are refused."""
        self._closed = True
        await asyncio.gather(*(self._finish(p, "server shutdown")
                               for p in list(self._peers.values())),
                             return_exceptions=True)
        pending = [t for t in self._tasks if t is not asyncio.current_task()]
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        await self._fanout.close()

    async def _finish(self, peer: _Peer, reason: str) -> None:
        if peer.finished:
            return
        peer.finished = True
        session = peer.session
        if session is not None:
            self._peers.pop(session.id, None)
        self._release(peer.viewer.user_id, peer.device_id)
        self._cancel_timers(peer)
        self._fanout.remove(peer.track)
        peer.track.stop()
        peer.subscription.close()
        try:
            await peer.pc.close()
        except Exception:  # noqa: BLE001 - the stream is gone either way
            log.warning("closing a peer connection failed", exc_info=True)
        if session is None:
            return
        self._ended[session.id] = (peer.viewer.user_id, reason)
        while len(self._ended) > ENDED_MEMORY:
            self._ended.popitem(last=False)
        log.info("stream %s ended: %s", session.id, reason)
        if self._on_closed is not None:
            try:
                await self._on_closed(msgspec.structs.replace(session, close_reason=reason))
            except Exception:  # noqa: BLE001 - a failing listener must not leak streams
                log.exception("on_closed failed for stream %s", session.id)

    def _release(self, user_id: int, device_id: str) -> None:
        self._user_load[user_id] -= 1
        if self._user_load[user_id] <= 0:
            del self._user_load[user_id]
        self._camera_load[device_id] -= 1
        if self._camera_load[device_id] <= 0:
            del self._camera_load[device_id]

    def _cancel_timers(self, peer: _Peer) -> None:
        current = asyncio.current_task()
        for timer in peer.timers:
            if timer is not current:
                timer.cancel()
        peer.timers.clear()

    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task
