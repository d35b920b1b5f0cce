"""One viewer's playback frames: the platform's playback stream, decoded for that viewer.

A playback is never shared (each viewer has their own position in the recording), so
where live view joins the camera's shared `CameraSource`, a playback stream gets a
`PlaybackFeed`: it opens the playback's media URL in the background (the page's ICE
set-up overlaps the platform's stream open), keeps only the latest decoded frame and
wakes the viewer's track, exactly as a `Subscription` does. The per-viewer watermark and
encoder (`bff.webrtc.tracks.ViewerTrack`) take it as their subscription.

Its `device_id` is unique per playback, not the camera's: the direct-RTP fan-out groups
viewers by it, and a playback must never be grouped with the camera's live viewers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

import av

from bff.media.sources import MediaSource
from bff.webrtc.errors import SourceClosed

log = logging.getLogger(__name__)


class PlaybackFeed:
    """Latest-frame reader of one playback stream; closing it ends the playback."""

    def __init__(self, key: str, open_media: Callable[[], Awaitable[MediaSource]], *,
                 fps: int, on_close: Callable[[], None], stall_timeout_s: float = 10.0) -> None:
        self._key = key
        self._open_media = open_media
        self._interval = 1.0 / fps
        self._on_close = on_close
        self._stall_timeout_s = stall_timeout_s
        self.closed = False
        self.ended = False
        """The platform's stream ended (played to its end, or broke off)."""
        self.failed: str | None = None
        """Why the stream could not be opened or broke off, None while it is fine."""
        self.decoded_frames = 0
        self.first_frame_at: float | None = None
        """Monotonic time of the first decoded frame (time to first frame)."""
        self._seq = 0
        self._frame: av.VideoFrame | None = None
        self._new_frame = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None

    @property
    def device_id(self) -> str:
        """The feed's own key (`<camera>/playback/<id>`), see the module docstring."""
        return self._key

    def start(self) -> None:
        """Open the stream and start reading, in the background."""
        if self._reader is None and not self.closed:
            self._reader = asyncio.create_task(self._run(), name=f"playback-{self._key}")

    async def next_frame(self, after: int = 0) -> tuple[int, av.VideoFrame]:
        """Wait for a frame newer than sequence number `after`; raises SourceClosed once
        the feed is closed."""
        while self._seq <= after or self._frame is None:
            if self.closed:
                raise SourceClosed(self._key)
            await self._new_frame.wait()
        return self._seq, self._frame

    def _publish(self, frame: av.VideoFrame) -> None:
        self._frame = frame
        self._seq += 1
        event, self._new_frame = self._new_frame, asyncio.Event()
        event.set()

    async def _run(self) -> None:
        media: MediaSource | None = None
        next_due = 0.0
        try:
            media = await self._open_media()
            while True:
                try:
                    async with asyncio.timeout(self._stall_timeout_s):
                        frame = await anext(media)
                except StopAsyncIteration:
                    self.ended = True
                    return
                self.decoded_frames += 1
                now = time.monotonic()
                if self.first_frame_at is None:
                    self.first_frame_at = now
                if now < next_due - self._interval / 4:
                    continue  # a fast-forwarding upstream: keep the encoder at fps
                next_due = max(next_due + self._interval, now - self._interval)
                self._publish(frame)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the page shows the state
            self.failed = str(exc) or type(exc).__name__
            self.ended = True
            log.warning("playback %s failed: %s", self._key, self.failed)
        finally:
            if media is not None:
                with contextlib.suppress(Exception):
                    await media.aclose()

    def close(self) -> None:
        """End the feed (the viewer left): stop reading, wake the track, and let the
        owner stop the platform's playback (idempotent)."""
        if self.closed:
            return
        self.closed = True
        if self._reader is not None:
            self._reader.cancel()
        self._new_frame.set()
        try:
            self._on_close()
        except Exception:  # closing must finish
            log.exception("closing playback %s", self._key)
