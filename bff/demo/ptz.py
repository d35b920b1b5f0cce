"""The pan/tilt/zoom head of a demo camera (演示云台).

A real PTZ camera keeps moving at the commanded speed until a stop arrives, and stops at
its mechanical limits. `DemoPtzHead` models exactly that, as a position that is a
function of time: the last command's starting position plus velocity × elapsed time,
clamped (tilt, zoom) or wrapped (pan). Nothing ticks in the background; the live source
asks for the position when it renders a frame.

Heads belong to the `DemoPlatform` instance (one per camera, created on first use) and
reach the camera's live source through the platform's media opener (`bff.demo.media`),
so the picture moves when the platform is told to move the head.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import NamedTuple

from bff.platform.base import PtzCommand, PtzMove

TILT_MIN, TILT_MAX = -45.0, 45.0
"""Tilt limits in degrees; positive is up (elevation above the horizon)."""
ZOOM_MIN, ZOOM_MAX = 1.0, 4.0
"""Zoom limits (× the widest field of view)."""
MAX_PAN_RATE = 60.0
"""Degrees per second at pan speed 255."""
MAX_TILT_RATE = 40.0
"""Degrees per second at tilt speed 255."""
MAX_ZOOM_RATE = math.log(2.0)
"""Natural-log zoom change per second at zoom speed 15: zoom doubles each second."""

# (pan sign, tilt sign) of each direction command; right and up are positive.
DIRECTIONS: dict[PtzCommand, tuple[int, int]] = {
    PtzCommand.LEFT: (-1, 0),
    PtzCommand.RIGHT: (1, 0),
    PtzCommand.UP: (0, 1),
    PtzCommand.DOWN: (0, -1),
    PtzCommand.UPLEFT: (-1, 1),
    PtzCommand.UPRIGHT: (1, 1),
    PtzCommand.DOWNLEFT: (-1, -1),
    PtzCommand.DOWNRIGHT: (1, -1),
}
ZOOM_DIRECTIONS: dict[PtzCommand, int] = {PtzCommand.ZOOMIN: 1, PtzCommand.ZOOMOUT: -1}


class HeadPosition(NamedTuple):
    """Where the head points: pan 0–360° (0 = the camera's home bearing), tilt in degrees
    (positive up), zoom ≥ 1."""

    pan: float
    tilt: float
    zoom: float


HOME = HeadPosition(0.0, 0.0, 1.0)


class DemoPtzHead:
    """One camera's head: its position now and the velocities of the last command.

    A command replaces all three velocities, as GB/T 28181 PTZ commands do: a direction
    command stops zooming, a zoom command stops panning, STOP stops everything.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._start = HOME
        self._since = clock()
        self._pan_rate = 0.0
        self._tilt_rate = 0.0
        self._zoom_rate = 0.0
        self.command = PtzCommand.STOP
        """The last command applied."""

    @property
    def moving(self) -> bool:
        """True while any velocity is non-zero (even when pressed against a limit)."""
        return bool(self._pan_rate or self._tilt_rate or self._zoom_rate)

    @property
    def velocity(self) -> tuple[float, float, float]:
        """(pan °/s, tilt °/s, zoom ln-factor/s) of the current command."""
        return self._pan_rate, self._tilt_rate, self._zoom_rate

    def position(self, now: float | None = None) -> HeadPosition:
        """Where the head points at monotonic time `now` (default: the clock's now)."""
        elapsed = max(0.0, (self._clock() if now is None else now) - self._since)
        start = self._start
        if not elapsed or not self.moving:
            return start
        pan = (start.pan + self._pan_rate * elapsed) % 360.0
        tilt = min(TILT_MAX, max(TILT_MIN, start.tilt + self._tilt_rate * elapsed))
        # Clamped in log space: exp() of a long zoom would overflow before clamping.
        log_zoom = math.log(start.zoom) + self._zoom_rate * elapsed
        zoom = math.exp(min(math.log(ZOOM_MAX), max(math.log(ZOOM_MIN), log_zoom)))
        return HeadPosition(pan, tilt, zoom)

    def apply(self, move: PtzMove, now: float | None = None) -> HeadPosition:
        """Start the motion `move` asks for (or stop); returns the position it starts from."""
        now = self._clock() if now is None else now
        self._start = self.position(now)
        self._since = now
        pan_sign, tilt_sign = DIRECTIONS.get(move.command, (0, 0))
        zoom_sign = ZOOM_DIRECTIONS.get(move.command, 0)
        self._pan_rate = pan_sign * MAX_PAN_RATE * move.pan_speed / 255
        self._tilt_rate = tilt_sign * MAX_TILT_RATE * move.tilt_speed / 255
        self._zoom_rate = zoom_sign * MAX_ZOOM_RATE * move.zoom_speed / 15
        self.command = move.command
        return self._start
