"""Where a playback is in the recording (回放进度), as the BFF tracks it.

The platform plays, pauses, seeks and changes speed; it does not tell the BFF which
recorded moment is on screen. `RecordedPosition` keeps that moment from the controls the
BFF sent and a monotonic clock, the same way a GB/T 28181 device plays back its files:
recorded time advances at the playback speed, only through recorded stretches (a gap is
skipped: playback jumps to the next recording), a seek into a gap lands at the next
recording, and playback ends after the last recording of the range. The watermark and
the page's "recorded time" read it.

Thread-safe for readers: encoder threads read the position while the event loop applies
controls; every control replaces one immutable anchor.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from bff.platform.base import Recording


class _Anchor(NamedTuple):
    played: float
    """Recorded seconds played (gaps excluded) at monotonic time `since`."""
    since: float
    speed: float
    paused: bool


class RecordedPosition:
    """The recorded moment a playback of [start, end] shows, given its recordings."""

    def __init__(self, start: datetime, end: datetime, recordings: Sequence[Recording],
                 clock: Callable[[], float] = time.monotonic) -> None:
        if start >= end:
            raise ValueError("start must be before end")
        self.start, self.end = start, end
        self.duration = (end - start).total_seconds()
        self._starts: list[float] = []
        self._ends: list[float] = []
        self._played_before: list[float] = [0.0]
        for recording in sorted(recordings, key=lambda r: r.start):
            begin = max(0.0, (recording.start - start).total_seconds())
            finish = min(self.duration, (recording.end - start).total_seconds())
            if self._ends:
                begin = max(begin, self._ends[-1])
            if finish <= begin:
                continue
            self._starts.append(begin)
            self._ends.append(finish)
            self._played_before.append(self._played_before[-1] + finish - begin)
        self._total = self._played_before[-1]
        self._clock = clock
        self._anchor = _Anchor(0.0, clock(), 1.0, False)

    @property
    def speed(self) -> float:
        return self._anchor.speed

    @property
    def paused(self) -> bool:
        return self._anchor.paused

    def _played_at(self, now: float) -> float:
        anchor = self._anchor
        if anchor.paused:
            return anchor.played
        return min(self._total, anchor.played + (now - anchor.since) * anchor.speed)

    @property
    def recorded_seconds(self) -> float:
        """Seconds of recording in the range (what plays, gaps left out)."""
        return self._total

    def played(self, now: float | None = None) -> float:
        """Recorded seconds played so far (gaps left out)."""
        return self._played_at(self._clock() if now is None else now)

    def offset(self, now: float | None = None) -> float:
        """Seconds from `start` of the moment on screen."""
        played = self._played_at(self._clock() if now is None else now)
        if not self._starts:
            return 0.0
        if played >= self._total:
            return self._ends[-1]
        i = bisect_right(self._played_before, played) - 1
        return self._starts[i] + (played - self._played_before[i])

    def recorded_at(self, now: float | None = None) -> datetime:
        """The recorded date and time on screen."""
        return self.start + timedelta(seconds=self.offset(now))

    def finished(self, now: float | None = None) -> bool:
        """True once the last recording of the range has played."""
        return self._played_at(self._clock() if now is None else now) >= self._total

    def _moved(self, **changes: object) -> None:
        now = self._clock()
        self._anchor = self._anchor._replace(played=self._played_at(now), since=now,
                                             **changes)

    def pause(self) -> None:
        self._moved(paused=True)

    def resume(self) -> None:
        self._moved(paused=False)

    def set_speed(self, speed: float) -> None:
        self._moved(speed=float(speed))

    def seek(self, seconds: float) -> None:
        """Jump to `start + seconds` (clamped; into a gap = to the next recording)."""
        offset = min(max(0.0, float(seconds)), self.duration)
        i = bisect_right(self._starts, offset) - 1
        if i < 0:
            played = 0.0
        elif offset < self._ends[i]:
            played = self._played_before[i] + offset - self._starts[i]
        else:
            played = self._played_before[i + 1]
        anchor = self._anchor
        self._anchor = _Anchor(played, self._clock(), anchor.speed, anchor.paused)
