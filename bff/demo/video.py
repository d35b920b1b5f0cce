"""Synthetic live video of the embedded demo platform (演示视频源).

A demo media URL is `demo://live/<device_id>?name=<url-encoded camera name>`. Opening it
gives real-time yuv420p frames at the configured size and rate: moving diagonal bars and a
bouncing block (so motion is visible and the encoder has work to do), the camera's name,
a running clock (HH:MM:SS.mmm) and a machine-readable millisecond timestamp strip used by
latency benchmarks. It is cheap: the text is rendered once with Pillow, the clock comes
from a pre-rendered glyph atlas, and each frame is a handful of numpy slice copies.

The picture also shows where the camera's pan/tilt/zoom head points (`HeadPosition`):
the scene (bars, block and a bearing/elevation grid) slides as the head pans and tilts
and is magnified around the centre as it zooms, a readout `P 012.5° T +05.0° Z 1.8x` sits
in the bottom-right corner, and a second block strip (right of the timestamp) carries
the same position machine-readably for tests (`bff.demo.strips`).

The same picture serves playback (`bff.demo.playback`): given a `PlaybackLabel`,
the scene moves with the *recorded* time, the clock reads the recorded date and time in
the camera's local time (yyyy-MM-dd HH:MM:SS), a red "回放 ×speed" badge (with "暂停"
while paused) tells it from live, and the strip right of the timestamp carries the
recorded time in whole seconds (`bff.demo.strips`) instead of the PTZ position (a
recording has no live head). The timestamp strip keeps the send time in both modes, so
latency can still be measured.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from datetime import datetime, tzinfo
from fractions import Fraction
from typing import NamedTuple
from urllib.parse import parse_qs, quote, unquote, urlsplit

import av
import numpy as np

from bff.demo.ptz import HOME, DemoPtzHead, HeadPosition
from bff.demo.recordings import DEMO_UTC_OFFSET_S
from bff.demo.strips import (
    PTZ_STRIP_X,
    STAMP_BLOCK,
    STRIP_WIDTH,
    draw_blocks,
    draw_timestamp,
    head_tenths,
    ptz_word,
    recorded_word,
)
from bff.lib.settings import WebRTCSettings
from bff.media.drawing import (
    OpaqueClock,
    find_font,
    latin_only,
    load_font,
    new_frame,
    opaque_label,
)

DEMO_SCHEME = "demo"
_BAR_PERIOD = 160  # pixels between two bright bars
_BAR_SPEED = 96  # pixels per second the bars move
_NEUTRAL = 128
_FIELD_OF_VIEW = 60.0  # horizontal degrees seen at zoom 1
_GRID_STEP = 10  # degrees between grid lines
_LABEL_STEP = 30  # degrees between labelled bearing lines
_GRID_LUMA = 24
_BADGE_U, _BADGE_V = 100, 200  # a red badge: playback is never mistaken for live


class PlaybackLabel(NamedTuple):
    """What a playback frame shows besides the scene: the recorded moment (seconds since
    the epoch) and the playback state."""

    recorded_at: float
    speed: float = 1.0
    paused: bool = False


def demo_live_url(device_id: str, name: str) -> str:
    """The media URL of a demo camera's live stream."""
    return f"{DEMO_SCHEME}://live/{quote(device_id, safe='')}?name={quote(name, safe='')}"


def parse_demo_url(url: str) -> tuple[str, str]:
    """(device_id, camera name) of a demo live URL; ValueError if it is not one."""
    parts = urlsplit(url)
    device_id = unquote(parts.path.strip("/"))
    if parts.scheme != DEMO_SCHEME or parts.netloc != "live" or not device_id:
        raise ValueError("not a demo live URL")
    name = parse_qs(parts.query).get("name", [""])[0]
    return device_id, name


class DemoPicture:
    """Renders the demo picture of one camera for a given wall-clock time.

    Static parts (background patterns, name banner, glyph tiles) are prepared here once;
    `render` only copies slices.
    """

    def __init__(self, device_id: str, name: str, width: int, height: int,
                 font_path: str = "", tz: tzinfo | None = None) -> None:
        self.width, self.height = width, height
        self._tz = tz  # the live clock's zone; None = the process's local time
        choice = find_font(font_path)
        label_font = load_font(choice, max(12, height // 20))
        clock_font = load_font(choice, max(12, height // 16))

        # The bars pattern is twice as wide as needed: a moving picture is then a window
        # sliding over it, i.e. one contiguous copy per frame.
        cols = np.arange(width + _BAR_PERIOD)
        rows = np.arange(height)[:, None]
        phase = 2 * math.pi * ((cols[None, :] + rows // 2) % _BAR_PERIOD) / _BAR_PERIOD
        vertical = 40 * rows / max(1, height - 1)
        self._luma = (110 + 60 * np.sin(phase) + vertical).clip(16, 235).astype(np.uint8)
        ccols = np.arange((width + _BAR_PERIOD) // 2)
        cphase = 2 * math.pi * ccols / (_BAR_PERIOD * 2)
        self._u = np.tile((_NEUTRAL + 24 * np.sin(cphase)).astype(np.uint8), (height // 2, 1))
        self._v = np.tile((_NEUTRAL + 24 * np.cos(cphase)).astype(np.uint8), (height // 2, 1))

        shown_name = name if choice.has_cjk else latin_only(name)
        self._banner = opaque_label([shown_name, device_id], label_font)
        self._clock = OpaqueClock(clock_font)
        self._clock_text_width = self._clock.width_of("00:00:00.000")
        self._box = max(8, height // 8)
        self._ppd = width / _FIELD_OF_VIEW  # pixels per degree at zoom 1
        self._readout = OpaqueClock(load_font(choice, max(10, height // 22)),
                                    alphabet="0123456789.-+ PTZx°")
        self._grid_labels = OpaqueClock(load_font(choice, max(9, height // 30)),
                                        alphabet="0123456789+-°", background=_GRID_LUMA)
        self._banner_height = self._banner.shape[0] if self._banner.size else 0
        self._date_clock_width = self._clock.width_of("0000-00-00 00:00:00")
        self._badge_font = label_font
        self._badge_cjk = choice.has_cjk
        self._badges: dict[tuple[float, bool], np.ndarray] = {}

    def render(self, wall_time: float, view: HeadPosition = HOME, *,
               playback: PlaybackLabel | None = None) -> av.VideoFrame:
        """A new frame showing the scene at `wall_time` (seconds since the epoch) as seen
        with the PTZ head at `view`; with `playback`, the scene, clock and strip show its
        recorded moment instead and a playback badge is drawn (`wall_time` then only
        feeds the latency strip)."""
        width, height = self.width, self.height
        frame, (y, u, v) = new_frame(width, height)
        send_time = wall_time
        if playback is not None:
            wall_time, view = playback.recorded_at, HOME
        pan = (view.pan + 180.0) % 360.0 - 180.0  # signed, so the home scene sits at 0
        # The scene moves against the head: panning right slides it left, tilting up
        # slides it down. The bars are diagonal (one column per two rows), so sliding
        # them down by d rows is sliding them sideways by d / 2 columns.
        shift_x = round(pan * self._ppd)
        shift_y = round(view.tilt * self._ppd)
        offset = (int(wall_time * _BAR_SPEED) + shift_x - shift_y // 2) % _BAR_PERIOD
        y[:] = self._luma[:, offset : offset + width]
        u[:] = self._u[:, offset // 2 : offset // 2 + width // 2]
        v[:] = self._v[:, offset // 2 : offset // 2 + width // 2]

        # A block bouncing on a Lissajous path (motion in both directions), anchored in
        # the scene: it leaves the picture when the head turns away.
        box = self._box
        bx = int((width - box) * (0.5 + 0.5 * math.sin(wall_time * 0.9))) - shift_x
        by = int((height - box) * (0.5 + 0.5 * math.sin(wall_time * 1.3 + 1.0))) + shift_y
        _fill(y, by, bx, box, box, 220)
        _fill(u, by // 2, bx // 2, box // 2, box // 2, 90)
        _fill(v, by // 2, bx // 2, box // 2, box // 2, 200)

        if view.zoom > 1.0:
            for plane in (y, u, v):
                _magnify(plane, view.zoom)
        self._draw_grid(y, pan, view.tilt, view.zoom)

        banner = self._banner
        if banner.size:
            bh, bw = min(banner.shape[0], height), min(banner.shape[1], width)
            y[:bh, :bw] = banner[:bh, :bw]
            u[: bh // 2, : bw // 2] = _NEUTRAL
            v[: bh // 2, : bw // 2] = _NEUTRAL

        if playback is None:
            local = datetime.fromtimestamp(wall_time, self._tz)
            text = f"{local:%H:%M:%S}.{local.microsecond // 1000:03d}"
            cx = max(0, width - self._clock_text_width - 8)
        else:
            # The camera's own time (its OSD), whatever the server's time zone is.
            local = time.gmtime(math.floor(wall_time) + DEMO_UTC_OFFSET_S)
            text = (f"{local.tm_year:04d}-{local.tm_mon:02d}-{local.tm_mday:02d} "
                    f"{local.tm_hour:02d}:{local.tm_min:02d}:{local.tm_sec:02d}")
            cx = max(0, width - self._date_clock_width - 8)
        cy = 8
        self._clock.draw(y, cx, cy, text)
        u[cy // 2 : (cy + self._clock.height) // 2 + 1, cx // 2 :] = _NEUTRAL
        v[cy // 2 : (cy + self._clock.height) // 2 + 1, cx // 2 :] = _NEUTRAL

        if playback is None:
            self._draw_head_readout(y, u, v, view)
        else:
            self._draw_playback_badge(y, u, v, playback, cy + self._clock.height + 4)
            if width >= PTZ_STRIP_X + STRIP_WIDTH:
                draw_blocks(y, PTZ_STRIP_X, recorded_word(playback.recorded_at))
                u[-STAMP_BLOCK // 2 :, PTZ_STRIP_X // 2 :] = _NEUTRAL
                v[-STAMP_BLOCK // 2 :, PTZ_STRIP_X // 2 :] = _NEUTRAL
        draw_timestamp(y, int(send_time * 1000))
        u[-STAMP_BLOCK // 2 :, : STRIP_WIDTH // 2] = _NEUTRAL
        v[-STAMP_BLOCK // 2 :, : STRIP_WIDTH // 2] = _NEUTRAL
        return frame

    def _badge(self, speed: float, paused: bool) -> np.ndarray:
        """The playback badge for a speed and state, rendered once (12 variants at most)."""
        key = (speed, paused)
        badge = self._badges.get(key)
        if badge is None:
            word, pause = ("回放", " · 暂停") if self._badge_cjk else ("PLAYBACK", " · PAUSED")
            text = f"{word} ×{speed:g}{pause if paused else ''}"
            badge = self._badges[key] = opaque_label([text], self._badge_font, background=64)
        return badge

    def _draw_playback_badge(self, y: np.ndarray, u: np.ndarray, v: np.ndarray,
                             playback: PlaybackLabel, top: int) -> None:
        """The "回放 ×speed" badge under the clock, right-aligned, on red."""
        badge = self._badge(playback.speed, playback.paused)
        rows, cols = y.shape
        bh, bw = min(badge.shape[0], rows - top), min(badge.shape[1], cols)
        if bh <= 0 or bw <= 0:
            return
        left = max(cols - bw - 8, 0)
        y[top : top + bh, left : left + bw] = badge[:bh, :bw]
        u[top // 2 : (top + bh) // 2, left // 2 : (left + bw) // 2] = _BADGE_U
        v[top // 2 : (top + bh) // 2, left // 2 : (left + bw) // 2] = _BADGE_V

    def _draw_grid(self, y: np.ndarray, pan: float, tilt: float, zoom: float) -> None:
        """Bearing lines every 10° (labelled every 30°) and elevation lines every 10°
        (the horizon doubled), at their screen positions for this head position."""
        rows, cols = y.shape
        ppd = self._ppd * zoom
        cx, cy = cols / 2, rows / 2
        labels = self._grid_labels
        first = math.ceil((pan - cx / ppd) / _GRID_STEP) * _GRID_STEP
        for bearing in range(first, math.floor(pan + cx / ppd) + 1, _GRID_STEP):
            x = round(cx + (bearing - pan) * ppd)
            if not 0 <= x < cols:
                continue
            y[:, x] = _GRID_LUMA
            if bearing % _LABEL_STEP == 0:
                y[:, x + 1 : x + 2] = _GRID_LUMA
                labels.draw(y, x + 3, min(rows - labels.height, self._banner_height + 4),
                            f"{bearing % 360:03d}°")
        first = math.ceil((tilt - cy / ppd) / _GRID_STEP) * _GRID_STEP
        for elevation in range(first, math.floor(tilt + cy / ppd) + 1, _GRID_STEP):
            row = round(cy + (tilt - elevation) * ppd)
            if not 0 <= row < rows:
                continue
            y[row : row + (2 if elevation == 0 else 1), :] = _GRID_LUMA
            if row + 2 + labels.height <= rows:
                labels.draw(y, 4, row + 2, f"{elevation:+d}°")

    def _draw_head_readout(self, y: np.ndarray, u: np.ndarray, v: np.ndarray,
                           view: HeadPosition) -> None:
        """Centre cross, the human-readable P/T/Z readout and the machine-readable strip."""
        rows, cols = y.shape
        cx, cy, arm = cols // 2, rows // 2, max(6, rows // 30)
        y[cy - 2 : cy + 2, cx - arm - 1 : cx + arm + 1] = 16
        y[cy - arm - 1 : cy + arm + 1, cx - 2 : cx + 2] = 16
        y[cy - 1 : cy + 1, cx - arm : cx + arm] = 235
        y[cy - arm : cy + arm, cx - 1 : cx + 1] = 235

        pan_tenths, tilt_tenths, zoom_tenths = head_tenths(view)
        text = (f"P {pan_tenths / 10:05.1f}° T {tilt_tenths / 10:+05.1f}° "
                f"Z {zoom_tenths / 10:.1f}x")
        readout = self._readout
        rx = max(0, cols - readout.width_of(text) - 8)
        ry = max(0, rows - STAMP_BLOCK - readout.height - 6)
        readout.draw(y, rx, ry, text)
        u[ry // 2 : (ry + readout.height) // 2 + 1, rx // 2 :] = _NEUTRAL
        v[ry // 2 : (ry + readout.height) // 2 + 1, rx // 2 :] = _NEUTRAL

        if cols >= PTZ_STRIP_X + STRIP_WIDTH:
            draw_blocks(y, PTZ_STRIP_X, ptz_word(view))
            u[-STAMP_BLOCK // 2 :, PTZ_STRIP_X // 2 :] = _NEUTRAL
            v[-STAMP_BLOCK // 2 :, PTZ_STRIP_X // 2 :] = _NEUTRAL


def _fill(plane: np.ndarray, top: int, left: int, height: int, width: int, value: int) -> None:
    """Fill a rectangle, clipped to the plane (it may lie partly or wholly outside)."""
    rows, cols = plane.shape
    bottom, right = min(rows, top + height), min(cols, left + width)
    top, left = max(0, top), max(0, left)
    if top < bottom and left < right:
        plane[top:bottom, left:right] = value


def _zoom_index(size: int, zoom: float) -> np.ndarray:
    # Output pixel i shows the source pixel (i - centre) / zoom away from the centre.
    centre = size / 2
    index = ((np.arange(size) + 0.5 - centre) / zoom + centre).astype(np.intp)
    return np.clip(index, 0, size - 1)


def _magnify(plane: np.ndarray, zoom: float) -> None:
    """Magnify a plane in place around its centre (nearest neighbour: two gathers,
    ≈ 0.2 ms for a 640×360 luma plane)."""
    rows, cols = plane.shape
    plane[:] = plane.take(_zoom_index(rows, zoom), axis=0).take(_zoom_index(cols, zoom), axis=1)


class FramePacer:
    """Real-time frame timing of the demo sources: frame n is due n / fps seconds after
    the first. A consumer that falls behind by more than a frame skips ahead to the
    present instead of being handed late frames (they are live sources)."""

    def __init__(self, fps: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = 1.0 / fps
        self._clock = clock
        self._start = clock()
        self._index = 0

    async def next_due(self) -> int:
        """Wait until the next frame is due; return its index (its pts)."""
        due = self._start + self._index * self._interval
        now = self._clock()
        if due > now:
            await asyncio.sleep(due - now)
        elif now - due > self._interval:
            # Behind by more than a frame: jump to the present instead of catching up.
            self._index = int((now - self._start) / self._interval)
        index = self._index
        self._index += 1
        return index


class DemoLiveSource:
    """The demo camera as an async iterator of frames paced in real time.

    Each frame is a new `av.VideoFrame` (consumers may still be reading the previous one
    in another thread). If the consumer falls behind, frames are skipped rather than
    delivered late: it is a live source.

    The picture follows the camera's PTZ head `head` (the platform's, handed over by
    its media opener); without one the head stays at home.
    """

    def __init__(self, url: str, settings: WebRTCSettings,
                 head: DemoPtzHead | None = None) -> None:
        device_id, name = parse_demo_url(url)
        self.device_id = device_id
        self._head = head
        self._picture = DemoPicture(device_id, name, settings.width, settings.height,
                                    settings.watermark_font, tz=settings.tzinfo())
        self._pacer = FramePacer(settings.fps)
        self._time_base = Fraction(1, settings.fps)
        self._closed = False

    def __aiter__(self) -> DemoLiveSource:
        return self

    async def __anext__(self) -> av.VideoFrame:
        if self._closed:
            raise StopAsyncIteration
        index = await self._pacer.next_due()
        if self._closed:
            raise StopAsyncIteration
        view = self._head.position() if self._head is not None else HOME
        frame = self._picture.render(time.time(), view)
        frame.pts = index
        frame.time_base = self._time_base
        return frame

    async def aclose(self) -> None:
        """Stop producing frames."""
        self._closed = True
