"""Synthetic live video of the embedded demo platform (演示视频源).

A demo media URL is `demo://live/<device_id>?name=<url-encoded camera name>`. Opening it
gives real-time yuv420p frames at the configured size and rate: moving diagonal bars and a
bouncing block (so motion is visible and the encoder has work to do), the camera's name,
a running clock (HH:MM:SS.mmm) and a machine-readable millisecond timestamp strip used by
latency benchmarks. It is cheap: the text is rendered once with Pillow, the clock comes
from a pre-rendered glyph atlas, and each frame is a handful of numpy slice copies.
"""

from __future__ import annotations

import asyncio
import math
import time
from fractions import Fraction
from urllib.parse import parse_qs, quote, urlsplit

import av
import numpy as np

from bff.lib.settings import WebRTCSettings
from bff.webrtc.drawing import (
    STAMP_BITS,
    STAMP_BLOCK,
    OpaqueClock,
    draw_timestamp,
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


def demo_live_url(device_id: str, name: str) -> str:
    """The media URL of a demo camera's live stream."""
    return f"{DEMO_SCHEME}://live/{device_id}?name={quote(name, safe='')}"


def parse_demo_url(url: str) -> tuple[str, str]:
    """(device_id, camera name) of a demo live URL; ValueError if it is not one."""
    parts = urlsplit(url)
    device_id = parts.path.strip("/")
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
                 font_path: str = "") -> None:
        self.width, self.height = width, height
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

    def render(self, wall_time: float) -> av.VideoFrame:
        """A new frame showing the scene at `wall_time` (seconds since the epoch)."""
        width, height = self.width, self.height
        frame, (y, u, v) = new_frame(width, height)
        offset = int(wall_time * _BAR_SPEED) % _BAR_PERIOD
        y[:] = self._luma[:, offset : offset + width]
        u[:] = self._u[:, offset // 2 : offset // 2 + width // 2]
        v[:] = self._v[:, offset // 2 : offset // 2 + width // 2]

        # A block bouncing on a Lissajous path: motion in both directions.
        box = self._box
        bx = int((width - box) * (0.5 + 0.5 * math.sin(wall_time * 0.9)))
        by = int((height - box) * (0.5 + 0.5 * math.sin(wall_time * 1.3 + 1.0)))
        y[by : by + box, bx : bx + box] = 220
        u[by // 2 : (by + box) // 2, bx // 2 : (bx + box) // 2] = 90
        v[by // 2 : (by + box) // 2, bx // 2 : (bx + box) // 2] = 200

        banner = self._banner
        if banner.size:
            bh, bw = min(banner.shape[0], height), min(banner.shape[1], width)
            y[:bh, :bw] = banner[:bh, :bw]
            u[: bh // 2, : bw // 2] = _NEUTRAL
            v[: bh // 2, : bw // 2] = _NEUTRAL

        local = time.localtime(wall_time)
        millis = int(wall_time * 1000) % 1000
        text = f"{local.tm_hour:02d}:{local.tm_min:02d}:{local.tm_sec:02d}.{millis:03d}"
        cx = max(0, width - self._clock_text_width - 8)
        cy = 8
        self._clock.draw(y, cx, cy, text)
        u[cy // 2 : (cy + self._clock.height) // 2 + 1, cx // 2 :] = _NEUTRAL
        v[cy // 2 : (cy + self._clock.height) // 2 + 1, cx // 2 :] = _NEUTRAL

        draw_timestamp(y, int(wall_time * 1000))
        u[-STAMP_BLOCK // 2 :, : STAMP_BITS * STAMP_BLOCK // 2] = _NEUTRAL
        v[-STAMP_BLOCK // 2 :, : STAMP_BITS * STAMP_BLOCK // 2] = _NEUTRAL
        return frame


class DemoLiveSource:
    """The demo camera as an async iterator of frames paced in real time.

    Each frame is a new `av.VideoFrame` (consumers may still be reading the previous one
    in another thread). If the consumer falls behind, frames are skipped rather than
    delivered late: it is a live source.
    """

    def __init__(self, url: str, settings: WebRTCSettings) -> None:
        device_id, name = parse_demo_url(url)
        self.device_id = device_id
        self._picture = DemoPicture(device_id, name, settings.width, settings.height,
                                    settings.watermark_font)
        self._interval = 1.0 / settings.fps
        self._time_base = Fraction(1, settings.fps)
        self._start = time.monotonic()
        self._index = 0
        self._closed = False

    def __aiter__(self) -> DemoLiveSource:
        return self

    async def __anext__(self) -> av.VideoFrame:
        if self._closed:
            raise StopAsyncIteration
        due = self._start + self._index * self._interval
        now = time.monotonic()
        if due > now:
            await asyncio.sleep(due - now)
        elif now - due > self._interval:
            # Behind by more than a frame: jump to the present instead of catching up.
            self._index = int((now - self._start) / self._interval)
        if self._closed:
            raise StopAsyncIteration
        frame = self._picture.render(time.time())
        frame.pts = self._index
        frame.time_base = self._time_base
        self._index += 1
        return frame

    async def aclose(self) -> None:
        """Stop producing frames."""
        self._closed = True
