"""Playback of the demo cameras' synthetic recordings (演示录像回放).

A started playback is a `PlaybackClock`: which recorded moment is on screen, as a function
of the monotonic clock. Recorded time advances at the playback speed; pause freezes it,
resume continues, seek jumps to the start plus the given seconds (clamped to the range),
and the clock is finished when the last recording of the range has played (or the
platform stopped the stream). Nothing ticks in the background: the source asks the clock
when it renders a frame, as the live source asks the PTZ head.

**Gaps are skipped**, as a GB/T 28181 device plays back its files one after the other:
the clock moves only through recorded stretches, so playback jumps from the end of one
recording to the start of the next (the on-screen date and time show the jump), a seek
into a gap lands at the next recording, and a range that starts in a gap starts at its
first recording.

The media URL is `demo://playback/<device_id>?name=…&start=…&end=…&stream=…` (times in
ISO 8601 UTC). The platform's media opener (`bff.demo.media`) looks the stream's clock up
in the platform that started it, so the platform's pause / seek / speed reach the
picture. A URL whose stream the platform does not know still opens: it plays its range
once at 1×, with the same recordings, but no controls.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import NamedTuple
from urllib.parse import parse_qs, quote, unquote, urlsplit

import av

from bff.demo.recordings import (
    camera_bitrate,
    check_time_range,
    synthetic_recordings,
    utc_now,
)
from bff.demo.video import (
    DEMO_SCHEME,
    DemoPicture,
    FramePacer,
    PlaybackLabel,
)
from bff.lib.settings import WebRTCSettings
from bff.platform.base import PLAYBACK_SPEEDS, Recording

PLAYBACK_HOST = "playback"


class PlaybackClock:
    """The recorded moment one playback shows, derived from a monotonic clock.

    Internally the clock counts *played* seconds (recorded seconds inside recordings,
    gaps excluded); `offset` maps them back to seconds from `start`.
    """

    def __init__(self, start: datetime, end: datetime, recordings: Sequence[Recording],
                 clock: Callable[[], float] = time.monotonic) -> None:
        if start >= end:
            raise ValueError("start must be before end")
        self.start, self.end = start, end
        self.duration = (end - start).total_seconds()
        """Seconds from the start to the end of the range (gaps included)."""
        self._starts: list[float] = []
        self._ends: list[float] = []
        self._played_before: list[float] = [0.0]
        for recording in sorted(recordings, key=lambda r: r.start):
            begin = max(0.0, (recording.start - start).total_seconds())
            finish = min(self.duration, (recording.end - start).total_seconds())
            if self._ends:
                begin = max(begin, self._ends[-1])  # overlapping recordings play once
            if finish <= begin:
                continue
            self._starts.append(begin)
            self._ends.append(finish)
            self._played_before.append(self._played_before[-1] + finish - begin)
        self._total = self._played_before[-1]
        self._clock = clock
        self._played = 0.0
        self._since = clock()
        self._speed = 1.0
        self._paused = False
        self._stopped = False

    # --- reading ---------------------------------------------------------------------

    @property
    def speed(self) -> float:
        """The playback speed, one of `PLAYBACK_SPEEDS`."""
        return self._speed

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def stopped(self) -> bool:
        """True once the platform stopped the stream."""
        return self._stopped

    @property
    def recorded_seconds(self) -> float:
        """Seconds of recording inside the range (what plays at most)."""
        return self._total

    def _played_at(self, now: float) -> float:
        if self._paused:
            return self._played
        return min(self._total, self._played + (now - self._since) * self._speed)

    def offset(self, now: float | None = None) -> float:
        """Seconds from `start` of the moment shown at monotonic time `now` (default: the
        clock's now); the end of the last recording once finished."""
        played = self._played_at(self._clock() if now is None else now)
        if not self._starts:
            return 0.0
        if played >= self._total:
            return self._ends[-1]
        i = bisect_right(self._played_before, played) - 1
        return self._starts[i] + (played - self._played_before[i])

    def recorded_at(self, now: float | None = None) -> datetime:
        """The recorded date and time shown at monotonic time `now`."""
        return self.start + timedelta(seconds=self.offset(now))

    def finished(self, now: float | None = None) -> bool:
        """True when the range has played to its end or the stream was stopped."""
        if self._stopped:
            return True
        return self._played_at(self._clock() if now is None else now) >= self._total

    def finished_for(self, now: float | None = None) -> float | None:
        """Seconds since the clock finished, or None while it has not."""
        now = self._clock() if now is None else now
        if self._stopped:
            return max(0.0, now - self._since)
        if not self.finished(now):
            return None
        if self._played >= self._total:
            return max(0.0, now - self._since)
        return max(0.0, now - (self._since + (self._total - self._played) / self._speed))

    # --- controls --------------------------------------------------------------------

    def _anchor(self, now: float) -> None:
        self._played = self._played_at(now)
        self._since = now

    def pause(self, now: float | None = None) -> None:
        """Freeze the recorded time (frames keep coming, showing the same moment)."""
        self._anchor(self._clock() if now is None else now)
        self._paused = True

    def resume(self, now: float | None = None) -> None:
        """Continue from the frozen moment."""
        self._anchor(self._clock() if now is None else now)
        self._paused = False

    def seek(self, seconds: float, now: float | None = None) -> None:
        """Jump to `start + seconds`, clamped to the range; into a gap = to the next
        recording; to (or past) the end = finished. Paused stays paused."""
        self._anchor(self._clock() if now is None else now)
        offset = min(max(0.0, float(seconds)), self.duration)
        i = bisect_right(self._starts, offset) - 1
        if i < 0:
            self._played = 0.0
        elif offset < self._ends[i]:
            self._played = self._played_before[i] + offset - self._starts[i]
        else:
            self._played = self._played_before[i + 1]

    def set_speed(self, speed: float, now: float | None = None) -> None:
        """Play at `speed` (one of `PLAYBACK_SPEEDS`) from this moment on."""
        if speed not in PLAYBACK_SPEEDS:
            raise ValueError(f"speed must be one of {PLAYBACK_SPEEDS}")
        self._anchor(self._clock() if now is None else now)
        self._speed = float(speed)

    def stop(self, now: float | None = None) -> None:
        """End the stream: its source stops delivering frames."""
        self._anchor(self._clock() if now is None else now)
        self._stopped = True


class PlaybackTarget(NamedTuple):
    """What a demo playback URL names."""

    device_id: str
    name: str
    start: datetime
    end: datetime
    stream_id: str


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def demo_playback_url(device_id: str, name: str, start: datetime, end: datetime,
                      stream_id: str) -> str:
    """The media URL of one demo playback."""
    query = "&".join(f"{key}={quote(value, safe='')}" for key, value in (
        ("name", name), ("start", _utc_text(start)), ("end", _utc_text(end)),
        ("stream", stream_id)))
    return f"{DEMO_SCHEME}://{PLAYBACK_HOST}/{quote(device_id, safe='')}?{query}"


def is_demo_playback_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == DEMO_SCHEME and parts.netloc == PLAYBACK_HOST


def parse_demo_playback_url(url: str) -> PlaybackTarget:
    """What a demo playback URL names; ValueError if it is not a valid one."""
    parts = urlsplit(url)
    device_id = unquote(parts.path.strip("/"))
    if not is_demo_playback_url(url) or not device_id:
        raise ValueError("not a demo playback URL")
    query = parse_qs(parts.query)

    def field(key: str) -> str:
        return query.get(key, [""])[0]

    try:
        start, end = datetime.fromisoformat(field("start")), datetime.fromisoformat(field("end"))
    except ValueError as exc:
        raise ValueError(f"bad playback range: {exc}") from exc
    check_time_range(start, end)
    return PlaybackTarget(device_id, field("name"), start, end, field("stream"))


class DemoPlaybackSource:
    """A demo playback as an async iterator of frames paced in real time.

    Each frame shows the recorded moment of the stream's clock: the scene moves with
    recorded time (so speed and seek are visible), the top-right clock reads the recorded
    date and time, a "回放 ×speed" badge tells it from live, and the strip right of the
    latency strip carries the recorded time machine-readably (`read_recorded_strip`).
    Iteration stops when the clock has finished (end of range, or stopped).
    """

    def __init__(self, url: str, settings: WebRTCSettings,
                 clock: PlaybackClock | None = None) -> None:
        target = parse_demo_playback_url(url)
        self.device_id = target.device_id
        if clock is None:
            # A plain URL (no platform behind it): play its range once, at 1×.
            now = utc_now()
            found = synthetic_recordings(target.device_id, target.start, target.end,
                                         now=now, retention_days=None,
                                         bitrate=camera_bitrate(target.device_id))
            clock = PlaybackClock(target.start, target.end, found)
        self.clock = clock
        self._picture = DemoPicture(target.device_id, target.name, settings.width,
                                    settings.height, settings.watermark_font)
        self._pacer = FramePacer(settings.fps)
        self._time_base = Fraction(1, settings.fps)
        self._closed = False

    @property
    def recorded_at(self) -> datetime:
        """The recorded moment the next frame shows (unless the clock moves first)."""
        return self.clock.recorded_at()

    def __aiter__(self) -> DemoPlaybackSource:
        return self

    async def __anext__(self) -> av.VideoFrame:
        if self._closed or self.clock.finished():
            self._closed = True
            raise StopAsyncIteration
        index = await self._pacer.next_due()
        clock = self.clock
        if self._closed or clock.finished():
            self._closed = True
            raise StopAsyncIteration
        label = PlaybackLabel(clock.start.timestamp() + clock.offset(), clock.speed,
                              clock.paused)
        frame = self._picture.render(time.time(), playback=label)
        frame.pts = index
        frame.time_base = self._time_base
        return frame

    async def aclose(self) -> None:
        """Stop producing frames (the playback itself goes on until the platform stops
        it)."""
        self._closed = True
