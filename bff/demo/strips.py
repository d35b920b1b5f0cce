"""Machine-readable block strips along the bottom edge of demo pictures.

Tests and benchmarks read them back from decoded frames, so what a phone sees can be
checked exactly. Each strip is a 40-bit word (32 bits of value + an 8-bit checksum), one
8×8 block per bit (8×8 survives the encoder's macroblocks), black or white:

- the timestamp strip (bottom-left): the sender's wall-clock milliseconds, for
  glass-to-glass latency;
- right of it, the PTZ strip (live: where the head points) or the recorded-time strip
  (playback: the recorded moment in whole seconds). Each strip's checksum differs, so one
  is never read as another.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from bff.demo.ptz import HeadPosition

STAMP_BLOCK = 8
STAMP_BITS = 40
STRIP_WIDTH = STAMP_BITS * STAMP_BLOCK
PTZ_STRIP_X = STRIP_WIDTH
"""The second strip starts where the timestamp strip ends (needs a picture ≥ 640 wide)."""
_PTZ_MARK = 0xA
_STAMP_XOR, _PTZ_XOR, _RECORDED_XOR = 0xA5, 0x5A, 0x3C


def _checksum(value: int, xor: int) -> int:
    # The XOR keeps an all-black or all-white strip from reading as valid.
    return (sum(value.to_bytes(4, "big")) & 0xFF) ^ xor


def draw_blocks(y_plane: np.ndarray, x0: int, word: int) -> None:
    """Draw a 40-bit word as blocks along the bottom edge, starting at column `x0`."""
    rows = y_plane.shape[0]
    top = rows - STAMP_BLOCK
    for bit in range(STAMP_BITS):
        on = (word >> (STAMP_BITS - 1 - bit)) & 1
        x = x0 + bit * STAMP_BLOCK
        y_plane[top:rows, x : x + STAMP_BLOCK] = 235 if on else 16


def strip_levels(y_plane: np.ndarray, x0: int) -> list[float] | None:
    """Mean luma of the 40 blocks of the strip at column `x0` (None if too narrow)."""
    rows, cols = y_plane.shape
    if cols < x0 + STRIP_WIDTH:
        return None
    top = rows - STAMP_BLOCK
    centres = y_plane[top + 2 : rows - 2, x0 : x0 + STRIP_WIDTH]
    blocks = centres.reshape(centres.shape[0], STAMP_BITS, STAMP_BLOCK)[:, :, 2:-2]
    return blocks.mean(axis=(0, 2)).tolist()


def _strip_word(levels: Sequence[float]) -> tuple[int, int] | None:
    """(value, checksum) from the mean luma of a strip's 40 blocks, left to right."""
    if len(levels) != STAMP_BITS:
        return None
    word = 0
    for level in levels:
        word = (word << 1) | int(level > 125)
    return word >> 8, word & 0xFF


def _checked(levels: Sequence[float] | None, xor: int) -> int | None:
    word = None if levels is None else _strip_word(levels)
    if word is None:
        return None
    value, checksum = word
    return value if _checksum(value, xor) == checksum else None


# --- timestamp (latency) strip -------------------------------------------------------


def draw_timestamp(y_plane: np.ndarray, epoch_ms: int) -> None:
    """Write `epoch_ms` (mod 2**32) as black/white blocks along the bottom-left edge."""
    value = epoch_ms & 0xFFFFFFFF
    draw_blocks(y_plane, 0, (value << 8) | _checksum(value, _STAMP_XOR))


def read_timestamp(y_plane: np.ndarray) -> int | None:
    """Read back a strip written by `draw_timestamp`; None when the checksum fails."""
    return _checked(strip_levels(y_plane, 0), _STAMP_XOR)


# --- PTZ strip (live) ----------------------------------------------------------------


def head_tenths(view: HeadPosition) -> tuple[int, int, int]:
    """Pan (0–3599), tilt and zoom in tenths, as the readout and the strip show them."""
    return (round(view.pan * 10) % 3600, round(view.tilt * 10), round(view.zoom * 10))


def ptz_word(view: HeadPosition) -> int:
    """Mark (4 bits) · pan in tenths of a degree (12) · tilt + 45° in tenths (10) · zoom in
    tenths (6), then an 8-bit checksum."""
    pan, tilt, zoom = head_tenths(view)
    value = ((_PTZ_MARK << 28) | (pan << 16) | (min(max(tilt + 450, 0), 1023) << 6)
             | min(max(zoom, 0), 63))
    return (value << 8) | _checksum(value, _PTZ_XOR)


def read_ptz_strip(y_plane: np.ndarray) -> HeadPosition | None:
    """The head position drawn into a frame's PTZ strip (to a tenth of a degree / of a
    zoom step); None when the strip is absent or unreadable."""
    levels = strip_levels(y_plane, PTZ_STRIP_X)
    return None if levels is None else decode_ptz_blocks(levels)


def decode_ptz_blocks(levels: Sequence[float]) -> HeadPosition | None:
    """The head position from the mean luma of the strip's 40 blocks, left to right (a
    browser test reads them from a canvas); None when the checksum fails."""
    value = _checked(levels, _PTZ_XOR)
    if value is None or value >> 28 != _PTZ_MARK:
        return None
    return HeadPosition(((value >> 16) & 0xFFF) / 10, (((value >> 6) & 0x3FF) - 450) / 10,
                        (value & 0x3F) / 10)


# --- recorded-time strip (playback) --------------------------------------------------


def recorded_word(recorded_at: float) -> int:
    """Recorded epoch seconds (32 bits, good until 2106), then an 8-bit checksum."""
    value = math.floor(recorded_at) & 0xFFFFFFFF
    return (value << 8) | _checksum(value, _RECORDED_XOR)


def read_recorded_strip(y_plane: np.ndarray) -> int | None:
    """The recorded time (whole epoch seconds) drawn into a playback frame; None on a
    live frame or when the strip is absent or unreadable."""
    levels = strip_levels(y_plane, PTZ_STRIP_X)
    return None if levels is None else decode_recorded_blocks(levels)


def decode_recorded_blocks(levels: Sequence[float]) -> int | None:
    """The recorded epoch seconds from the mean luma of the strip's 40 blocks, left to
    right (a browser test reads them from a canvas); None when the checksum fails."""
    return _checked(levels, _RECORDED_XOR)
