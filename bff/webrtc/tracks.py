"""The per-viewer video track: the shared camera frame, this viewer's watermark, this
viewer's own encoder.

`ViewerTrack.recv()` returns already-encoded `av.Packet`s, so aiortc's sender only
packetizes them (its `Encoder.pack`) and does RTP/SRTP. Owning the encoder means the
settings decide preset, rate, bitrate and keyframe interval (aiortc's own H.264 encoder
is x264 at the "medium" preset, 30 fps) and every new viewer starts with a keyframe. The
price: aiortc's keyframe-on-PLI no longer reaches an encoder, so `route_keyframe_requests`
forwards the sender's PLI/FIR to the track, and a short keyframe interval bounds the
damage of any loss.

Frame copy, watermark blend and encode run in worker threads (numpy and the codecs
release the GIL), so the event loop only hands over packets. The viewers woken by one
source frame are encoded in a few thread-pool jobs (`EncodeBatcher`), not one job each:
a thread hop costs tens of microseconds, a noticeable share of a 1 ms encode.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, Literal, TypeVar

import av
import numpy as np
from aiortc import MediaStreamTrack, RTCRtpSender
from aiortc.mediastreams import MediaStreamError

from bff.lib.settings import WebRTCSettings
from bff.media.drawing import Planes, new_frame, plane_views
from bff.webrtc.canvas import ViewerCanvas
from bff.webrtc.hub import SourceClosed, Subscription
from bff.webrtc.rtp import RtpStream
from bff.webrtc.watermark import ViewerWatermark

log = logging.getLogger(__name__)

Codec = Literal["H264", "VP8"]
CLOCK_RATE = 90_000
TIME_BASE = fractions.Fraction(1, CLOCK_RATE)
_KEYFRAME_REQUEST_MIN_GAP_S = 0.3  # PLI storms must not turn the stream into all-I
_PICTURE_I = av.video.frame.PictureType.I
_PICTURE_ANY = av.video.frame.PictureType.NONE
T = TypeVar("T")
_Call = tuple[Callable[..., Any], tuple[Any, ...], "asyncio.Future[Any]"]


def usable_cpus() -> int:
    """CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


SETTLE_EVERY_S = 0.008
"""Encoder threads hand finished packets to the event loop at most this often."""


class EncodeBatcher:
    """Runs the encode jobs submitted in one event-loop iteration (all viewers woken by
    the same source frame) as a few thread-pool jobs, each working through its share in
    order.

    Results go back to the event loop in groups, every `SETTLE_EVERY_S`: waking the loop
    for every single packet makes it preempt the encoder thread again and again, and
    x264 interrupted that often was measured ~60 % slower (cold caches). The groups
    still let the first viewers' packets leave while the rest are being encoded.

    One per registry. `parallelism` defaults to the CPUs this process may use minus
    one (left for the event loop), at least one.
    """

    def __init__(self, executor: Executor | None = None,
                 parallelism: int | None = None) -> None:
        self._executor = executor
        self._parallelism = parallelism or max(1, usable_cpus() - 1)
        self._pending: list[_Call] = []

    def run(self, fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """Schedule `fn(*args)` in a worker thread; await the returned future."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        if not self._pending:
            loop.call_soon(self._flush, loop)
        self._pending.append((fn, args, future))
        return future

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        calls, self._pending = self._pending, []
        chunks = min(len(calls), self._parallelism)
        for index in range(chunks):
            job = loop.run_in_executor(self._executor, _run_calls, loop, calls[index::chunks])
            job.add_done_callback(_log_job_failure)


def _run_calls(loop: asyncio.AbstractEventLoop, calls: list[_Call]) -> None:
    done: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
    handed_over = time.monotonic()
    for fn, args, future in calls:
        try:
            done.append((future, fn(*args), None))
        except Exception as exc:  # noqa: BLE001 - handed to the awaiting track
            done.append((future, None, exc))
        if time.monotonic() - handed_over >= SETTLE_EVERY_S:
            loop.call_soon_threadsafe(_settle, done)
            done, handed_over = [], time.monotonic()
    if done:
        loop.call_soon_threadsafe(_settle, done)


def _settle(done: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    for future, result, error in done:
        if future.done():
            continue
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)


def _log_job_failure(job: asyncio.Future[Any]) -> None:
    if not job.cancelled() and job.exception() is not None:
        log.error("encode batch failed", exc_info=job.exception())


def create_encoder(codec: Codec, settings: WebRTCSettings) -> av.VideoCodecContext:
    """A fresh encoder for one viewer, configured for phones on cellular links.

    H.264: x264 Constrained Baseline level 3.1 (phones decode it in hardware; Safari
    requires it), `settings.x264_preset` (default ultrafast) with zerolatency (no
    lookahead, no frame delay), one thread, no B-frames, closed GOP of
    fps × keyframe_interval_s, VBV-capped bitrate, SPS/PPS repeated in front of every
    IDR in Annex B so a keyframe alone starts decoding.
    VP8: libvpx realtime at its fastest cpu-used, CBR, no lag, one thread, the same
    keyframe interval.
    """
    keyint = max(1, round(settings.fps * settings.keyframe_interval_s))
    bitrate = settings.bitrate_kbps * 1000
    if codec == "H264":
        ctx = av.CodecContext.create("libx264", "w")
        ctx.options = {
            "preset": settings.x264_preset,
            "tune": "zerolatency",
            "profile": "baseline",
            "level": "3.1",
            "forced-idr": "1",
            "x264-params": ":".join([
                f"keyint={keyint}", f"min-keyint={keyint}", "scenecut=0", "bframes=0",
                f"vbv-maxrate={settings.bitrate_kbps}", f"vbv-bufsize={settings.bitrate_kbps}",
                "repeat-headers=1", "annexb=1", "threads=1", "sliced-threads=0",
            ]),
        }
    elif codec == "VP8":
        ctx = av.CodecContext.create("libvpx", "w")
        ctx.options = {
            "deadline": "realtime",
            "cpu-used": "16",
            "lag-in-frames": "0",
            "auto-alt-ref": "0",
            "error-resilient": "1",
            "minrate": str(bitrate),
            "maxrate": str(bitrate),
            "bufsize": str(bitrate),
            "undershoot-pct": "95",
            "overshoot-pct": "15",
            "max-intra-rate": "300",
            "static-thresh": "0",
        }
    else:
        raise ValueError(f"unsupported codec {codec!r}")
    ctx.width = settings.width
    ctx.height = settings.height
    ctx.pix_fmt = "yuv420p"
    ctx.time_base = TIME_BASE
    ctx.framerate = fractions.Fraction(settings.fps, 1)
    ctx.bit_rate = bitrate
    ctx.gop_size = keyint
    ctx.max_b_frames = 0
    ctx.thread_count = 1
    return ctx


class ViewerTrack(MediaStreamTrack):
    """One viewer's outgoing video: latest camera frame + this viewer's watermark,
    encoded by this viewer's own encoder, at most `settings.fps`.

    `recv()` returns encoded `av.Packet`s with 90 kHz timestamps; the first one is a
    keyframe. The codec must be set (`set_codec`) once the answer is negotiated, before
    the connection starts sending. Stopping the track leaves the camera subscription.
    """

    kind = "video"

    def __init__(
        self,
        subscription: Subscription,
        watermark: ViewerWatermark,
        settings: WebRTCSettings,
        *,
        batcher: EncodeBatcher | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self._subscription = subscription
        self._watermark = watermark
        self._settings = settings
        self._batcher = batcher or EncodeBatcher()
        self._wall_clock = clock
        self.codec: Codec | None = None
        self._encoder: av.VideoCodecContext | None = None
        # Own input buffer for aiortc's media loop only; direct sending uses the
        # worker thread's canvas. Allocated on first use.
        self._work: tuple[av.VideoFrame, Planes] | None = None
        self._interval = 1.0 / settings.fps
        self._origin = time.monotonic()
        self._last_sent_at = float("-inf")
        self._last_seq = 0
        self._last_pts = -1
        self._keyframe_requested = False
        self._last_keyframe_at = float("-inf")
        self._max_keyframe_gap = settings.keyframe_interval_s + self._interval
        self.frames_sent = 0
        self.keyframes_sent = 0
        self.bytes_sent = 0

    @property
    def device_id(self) -> str:
        return self._subscription.device_id

    @property
    def subscription(self) -> Subscription:
        """The viewer's handle on the camera's shared frames."""
        return self._subscription

    def set_codec(self, codec: Codec) -> None:
        """Choose the encoder (the answer's first video codec)."""
        if self.codec is not None and codec != self.codec:
            raise RuntimeError("the codec of a track cannot change")
        self.codec = codec

    def request_keyframe(self) -> None:
        """Make the next frame a keyframe (the receiver reported loss: PLI/FIR)."""
        self._keyframe_requested = True

    async def recv(self) -> av.Packet:  # type: ignore[override]
        """The next encoded frame: the camera's newest frame with this viewer's mark
        (aiortc's own media loop; direct sending uses `send_direct` instead)."""
        if self.readyState != "live" or self.codec is None:
            raise MediaStreamError
        while True:
            try:
                seq, frame = await self._subscription.next_frame(self._last_seq)
            except SourceClosed:
                self.stop()
                raise MediaStreamError from None
            if self.readyState != "live":
                raise MediaStreamError
            self._last_seq = seq
            now = time.monotonic()
            plan = self.plan_frame(now)
            if plan is None:
                continue
            pts, force = plan
            try:
                packet = await self._batcher.run(self._encode, frame, pts, force,
                                                 self._wall_clock())
            except Exception:
                log.exception("encoding failed for a viewer of %s", self.device_id)
                self.stop()
                raise MediaStreamError from None
            if packet is None:
                continue
            # aiortc's sender turns pts and time base into the RTP timestamp.
            packet.pts = packet.dts = pts
            packet.time_base = TIME_BASE
            self._count_sent(packet, pts, now)
            return packet

    def plan_frame(self, now: float) -> tuple[int, bool] | None:
        """For a camera frame arriving at `now`: (pts, force keyframe), or None to skip
        it. The hub already limits the camera to `settings.fps`; a frame arriving much
        sooner than one interval after the last one sent (a slate overlapping live
        video) is skipped rather than sent early, so the rate never exceeds fps."""
        if now - self._last_sent_at < self._interval / 2:
            return None
        pts = max(self._last_pts + 1, round((now - self._origin) * CLOCK_RATE))
        return pts, self._should_force_keyframe(now)

    def send_encoded(self, stream: RtpStream, packet: av.Packet, pts: int, now: float) -> None:
        """Worker thread: send one encoded frame over `stream`; the counters move as
        with `recv()`."""
        stream.send_frame(bytes(packet), pts)
        self._count_sent(packet, pts, now)

    def _count_sent(self, packet: av.Packet, pts: int, now: float) -> None:
        self._last_sent_at = now
        self._last_pts = pts
        self.frames_sent += 1
        self.bytes_sent += packet.size
        if packet.is_keyframe:
            self.keyframes_sent += 1
            self._last_keyframe_at = now

    def _should_force_keyframe(self, now: float) -> bool:
        if self.frames_sent == 0:
            return True
        if self._keyframe_requested and now - self._last_keyframe_at >= (
            _KEYFRAME_REQUEST_MIN_GAP_S
        ):
            self._keyframe_requested = False
            return True
        # The encoder's GOP counts frames; with a slow upstream that is too long.
        return now - self._last_keyframe_at >= self._max_keyframe_gap

    def _encode(self, frame: av.VideoFrame, pts: int, force_keyframe: bool,
                wall_time: float) -> av.Packet | None:
        """Worker thread: copy the shared frame into this viewer's buffer with the
        watermark, encode (aiortc's media loop; direct sending uses `encode_on`)."""
        if self._work is None:
            self._work = new_frame(self._settings.width, self._settings.height)
        work, (y, u, v) = self._work
        src_y, src_u, src_v = plane_views(frame)
        # The shared frame is read-only for viewers: copy into this viewer's own buffer.
        self._watermark.apply_copy(src_y, y, wall_time)
        np.copyto(u, src_u)
        np.copyto(v, src_v)
        return self._encode_input(work, pts, force_keyframe)

    def encode_on(self, canvas: ViewerCanvas, pts: int, force_keyframe: bool,
                  wall_time: float) -> av.Packet | None:
        """Worker thread: put this viewer's watermark on the thread's canvas (which holds
        the camera frame) and encode it (direct sending, `bff.webrtc.fanout`)."""
        canvas.mark(self._watermark.mask_at(wall_time))
        return self._encode_input(canvas.frame, pts, force_keyframe)

    def _encode_input(self, picture: av.VideoFrame, pts: int,
                      force_keyframe: bool) -> av.Packet | None:
        # The encoder copies `picture` in: the caller may reuse it for the next viewer.
        # The picture's time base is the encoder's (PyAV sets it at the first encode).
        if self._encoder is None:
            assert self.codec is not None
            self._encoder = create_encoder(self.codec, self._settings)
        picture.pts = pts
        picture.pict_type = _PICTURE_I if force_keyframe else _PICTURE_ANY
        packets = self._encoder.encode(picture)
        if not packets:
            return None
        if len(packets) == 1:
            packet = packets[0]
        else:
            packet = av.Packet(b"".join(bytes(p) for p in packets))
            packet.is_keyframe = any(p.is_keyframe for p in packets)
        return packet

    def stop(self) -> None:
        """End the track and leave the camera (idempotent)."""
        super().stop()
        self._subscription.close()


def route_keyframe_requests(sender: RTCRtpSender, track: ViewerTrack) -> None:
    """Forward the receiver's keyframe requests (RTCP PLI/FIR) to the track's encoder.

    aiortc's sender handles PLI/FIR by setting a flag only its own encoder reads; with
    pre-encoded packets that flag is dead. aiortc calls `self._send_keyframe()`, so an
    instance attribute of that name takes the request instead. If a future aiortc
    renames it, the stream still recovers at the next periodic keyframe.
    """
    if hasattr(sender, "_send_keyframe"):
        sender._send_keyframe = track.request_keyframe  # type: ignore[method-assign]
    else:  # pragma: no cover - depends on the aiortc version
        log.warning("aiortc sender has no _send_keyframe; PLI will not force keyframes")
