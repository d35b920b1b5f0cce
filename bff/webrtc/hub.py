"""One upstream per camera, however many watch it (一路解码, 多路分发).

The hub holds a `CameraSource` per device id while anyone watches it: the source asks the
platform for the live stream, opens the media URL once, and a single reader task keeps
only the latest decoded frame, waking the viewers' tracks. Frames beyond `settings.fps`
are dropped here, once for all viewers. Nothing queues: a slow viewer simply skips
frames. When the upstream fails, viewers get a "信号中断 / SIGNAL LOST" slate with the
time while the source reconnects with capped exponential backoff. After the last viewer
leaves, the source lingers `source_linger_s` (a quick re-open is then instant), then
stops reading and tells the platform.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import datetime
from typing import Literal

import av
import msgspec
import numpy as np

from bff.lib.settings import WebRTCSettings
from bff.media.drawing import (
    OpaqueClock,
    find_font,
    load_font,
    new_frame,
    render_text_masks,
)
from bff.media.sources import MediaOpeners, MediaSource, SourceInterrupted
from bff.platform.base import LiveSource, media_openers_of
from bff.webrtc.errors import SourceClosed, UpstreamUnavailable

__all__ = ["CameraSource", "Slate", "SourceClosed", "SourceStats", "StreamHub",
           "Subscription"]

log = logging.getLogger(__name__)

SourceState = Literal["starting", "live", "lost", "stopping"]


class SourceStats(msgspec.Struct, frozen=True, kw_only=True):
    """Counters of one camera's upstream reader (for tests, health and metrics)."""

    device_id: str
    state: SourceState
    subscribers: int
    decoded_frames: int
    """Frames read from the upstream since the source was created (slates excluded)."""
    slate_frames: int
    """"Signal lost" frames published while the upstream was down."""
    failures: int
    """Times the upstream failed to open, broke off or stalled."""


class Slate:
    """The "signal lost" picture: rendered once, then per frame a copy plus the clock."""

    def __init__(self, settings: WebRTCSettings) -> None:
        self.width, self.height = settings.width, settings.height
        self._tz = settings.tzinfo()
        choice = find_font(settings.watermark_font)
        big = load_font(choice, max(14, self.height // 9))
        small = load_font(choice, max(12, self.height // 18))
        luma = np.full((self.height, self.width), 40, np.uint16)
        lines = ["信号中断", "SIGNAL LOST"] if choice.has_cjk else ["SIGNAL LOST"]
        hint = "正在重新连接 / reconnecting" if choice.has_cjk else "reconnecting"
        masks = [render_text_masks(line, big)[0] for line in lines]
        masks.append(render_text_masks(hint, small)[0])
        total = sum(m.shape[0] for m in masks) + 12 * (len(masks) - 1)
        top = max(0, (self.height - total) // 2 - self.height // 10)
        for mask in masks:
            h = min(mask.shape[0], self.height - top)
            w = min(mask.shape[1], self.width)
            left = max(0, (self.width - w) // 2)
            if h <= 0:
                break
            luma[top : top + h, left : left + w] += (mask[:h, :w].astype(np.uint16) * 195) // 255
            top += mask.shape[0] + 12
        self._luma = np.clip(luma, 16, 235).astype(np.uint8)
        self._clock = OpaqueClock(load_font(choice, max(12, self.height // 12)),
                                  background=40)
        self._clock_x = max(0, (self.width - self._clock.width_of("00:00:00")) // 2)
        self._clock_y = min(self.height - self._clock.height, top + 8)

    def render(self, wall_time: float) -> av.VideoFrame:
        """A new slate frame showing `wall_time` in the video time zone."""
        frame, (y, u, v) = new_frame(self.width, self.height)
        y[:] = self._luma
        u[:] = 128
        v[:] = 128
        self._clock.draw(y, self._clock_x, self._clock_y,
                         datetime.fromtimestamp(wall_time, self._tz).strftime("%H:%M:%S"))
        return frame


class CameraSource:
    """The shared upstream of one camera: reader task, latest frame, subscriber count.

    Created and stopped by `StreamHub`; viewers use it through a `Subscription`.
    """

    def __init__(self, hub: StreamHub, device_id: str) -> None:
        self.device_id = device_id
        self._hub = hub
        self.state: SourceState = "starting"
        self.subscribers = 0
        self.decoded_frames = 0
        self.slate_frames = 0
        self.failures = 0
        self.seq = 0
        self.frame: av.VideoFrame | None = None
        self.closed = False
        self._new_frame = asyncio.Event()
        self._linger: asyncio.Task[None] | None = None
        self._live_started = False
        self._reader = asyncio.create_task(self._run(), name=f"camera-source-{device_id}")

    def stats(self) -> SourceStats:
        """A snapshot of the counters."""
        return SourceStats(device_id=self.device_id, state=self.state,
                           subscribers=self.subscribers, decoded_frames=self.decoded_frames,
                           slate_frames=self.slate_frames, failures=self.failures)

    async def wait_newer(self, after: int) -> tuple[int, av.VideoFrame]:
        """The latest frame once its sequence number is above `after`."""
        while self.seq <= after or self.frame is None:
            if self.closed:
                raise SourceClosed(self.device_id)
            await self._new_frame.wait()
        return self.seq, self.frame

    def _publish(self, frame: av.VideoFrame) -> None:
        self.frame = frame
        self.seq += 1
        # Swap in a fresh event so every waiter wakes exactly once per frame.
        event, self._new_frame = self._new_frame, asyncio.Event()
        event.set()

    def _acquire(self) -> None:
        self.subscribers += 1
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None

    def _release(self) -> None:
        self.subscribers -= 1
        if self.subscribers == 0 and not self.closed:
            self._linger = asyncio.create_task(self._linger_then_stop())

    async def _linger_then_stop(self) -> None:
        await asyncio.sleep(self._hub.settings.source_linger_s)
        if self.subscribers == 0:
            self._hub._retire(self)

    async def stop(self) -> None:
        """Stop reading, wake subscribers with SourceClosed, tell the platform."""
        if self.closed:
            return
        self.closed = True
        self.state = "stopping"
        if self._linger is not None and self._linger is not asyncio.current_task():
            self._linger.cancel()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
        self._new_frame.set()
        await self._stop_live()

    async def _stop_live(self) -> None:
        """Tell the platform, once per successful start_live."""
        if not self._live_started:
            return
        self._live_started = False
        try:
            await self._hub.platform.stop_live(self.device_id)
        except Exception:  # noqa: BLE001 - must go on; the platform times streams out
            log.warning("stop_live failed for %s", self.device_id, exc_info=True)

    async def _run(self) -> None:
        hub = self._hub
        delay = hub.retry_initial_s
        interval = 1.0 / hub.settings.fps
        next_due = 0.0
        while True:
            media: MediaSource | None = None
            try:
                url = await hub.platform.start_live(self.device_id)
                self._live_started = True
                media = await hub.openers.open(url, hub.settings,
                                               open_timeout_s=hub.open_timeout_s,
                                               read_timeout_s=hub.stall_timeout_s)
                while True:
                    try:
                        async with asyncio.timeout(hub.stall_timeout_s):
                            frame = await anext(media)
                    except StopAsyncIteration:
                        raise SourceInterrupted("upstream ended") from None
                    except TimeoutError:
                        raise SourceInterrupted("upstream stalled") from None
                    self.decoded_frames += 1
                    if self.state != "live":
                        self.state = "live"
                        delay = hub.retry_initial_s
                    now = time.monotonic()
                    if now < next_due - interval / 4:
                        continue  # faster than settings.fps: drop here, once for everyone
                    # Due times advance on a fixed grid, so jitter costs no frames; after
                    # a stall the grid restarts instead of allowing a catch-up burst.
                    next_due = max(next_due + interval, now - interval)
                    self._publish(frame)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any upstream failure → slate + retry
                self.failures += 1
                log.warning("camera %s upstream failed (%s); retrying in %.1fs",
                            self.device_id, exc, delay)
            finally:
                if media is not None:
                    with contextlib.suppress(Exception):
                        await media.aclose()
            self.state = "lost"
            # Keep start/stop balanced, and let the platform set the stream up afresh
            # (for GB28181 a new INVITE) rather than rejoin a broken one.
            await self._stop_live()
            await self._show_slate(delay)
            delay = min(delay * 2, hub.retry_max_s)

    async def _show_slate(self, duration: float) -> None:
        interval = 1.0 / self._hub.settings.fps
        end = time.monotonic() + duration
        while True:
            self.slate_frames += 1
            self._publish(self._hub.slate.render(time.time()))
            remaining = end - time.monotonic()
            if remaining <= 0:
                return
            await asyncio.sleep(min(interval, remaining))


class Subscription:
    """One viewer's handle on a camera's latest frame. Close it exactly when the viewer
    leaves (closing twice is harmless)."""

    def __init__(self, source: CameraSource) -> None:
        self._source = source
        self.closed = False
        source._acquire()

    @property
    def device_id(self) -> str:
        return self._source.device_id

    async def next_frame(self, after: int = 0) -> tuple[int, av.VideoFrame]:
        """Wait for a frame newer than sequence number `after`; returns (seq, frame).
        Raises SourceClosed when the hub shuts the source down."""
        if self.closed:
            raise SourceClosed(self._source.device_id)
        return await self._source.wait_newer(after)

    def close(self) -> None:
        """Leave; the source lingers and stops when this was its last viewer."""
        if not self.closed:
            self.closed = True
            self._source._release()


class StreamHub:
    """Owns every camera's upstream: one `CameraSource` per device id, shared by all its
    viewers, started on the first subscriber and stopped after the last one left."""

    def __init__(
        self,
        settings: WebRTCSettings,
        platform: LiveSource,
        *,
        openers: MediaOpeners | None = None,
        retry_initial_s: float = 0.5,
        retry_max_s: float = 10.0,
        stall_timeout_s: float = 5.0,
        open_timeout_s: float = 10.0,
    ) -> None:
        self.settings = settings
        self.platform = platform
        self.openers = openers or media_openers_of(platform)
        self.retry_initial_s = retry_initial_s
        self.retry_max_s = retry_max_s
        self.stall_timeout_s = stall_timeout_s
        self.open_timeout_s = open_timeout_s
        self.slate = Slate(settings)
        self._sources: dict[str, CameraSource] = {}
        self._stopping: dict[str, asyncio.Task[None]] = {}
        self._closed = False

    async def subscribe(self, device_id: str) -> Subscription:
        """Join the camera's shared upstream, starting it if nobody watches yet."""
        if self._closed:
            raise UpstreamUnavailable("the stream hub is shut down")
        source = self._sources.get(device_id)
        if source is None:
            stopping = self._stopping.get(device_id)
            if stopping is not None:
                # Let the platform see stop_live before the next start_live.
                await asyncio.shield(stopping)
                if self._closed:
                    raise UpstreamUnavailable("the stream hub is shut down")
                source = self._sources.get(device_id)
        if source is None:
            source = CameraSource(self, device_id)
            self._sources[device_id] = source
        return Subscription(source)

    def stats(self, device_id: str) -> SourceStats | None:
        """Counters of a camera's source, None when it is not open."""
        source = self._sources.get(device_id)
        return source.stats() if source else None

    def all_stats(self) -> list[SourceStats]:
        """Counters of every open source."""
        return [source.stats() for source in self._sources.values()]

    def counts(self) -> dict[str, int]:
        """Open sources and their subscribers, for the health endpoint."""
        return {
            "sources": len(self._sources),
            "subscribers": sum(s.subscribers for s in self._sources.values()),
        }

    def _retire(self, source: CameraSource) -> None:
        if self._sources.get(source.device_id) is source:
            del self._sources[source.device_id]
        task = asyncio.create_task(source.stop())
        self._stopping[source.device_id] = task
        task.add_done_callback(lambda t: self._forget_stop(source.device_id, t))

    def _forget_stop(self, device_id: str, task: asyncio.Task[None]) -> None:
        if self._stopping.get(device_id) is task:
            del self._stopping[device_id]

    async def close(self) -> None:
        """Stop every source (and tell the platform); later subscribes are refused."""
        self._closed = True
        for source in list(self._sources.values()):
            self._retire(source)
        pending = list(self._stopping.values())
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
