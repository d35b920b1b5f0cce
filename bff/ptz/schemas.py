"""Bodies of the PTZ API."""

from __future__ import annotations

from typing import Annotated

import msgspec

from bff.lib.schemas import Schema
from bff.platform.base import PtzCommand

Speed = Annotated[int, msgspec.Meta(ge=1, le=100)]


class PtzRequest(Schema, kw_only=True):
    """One command from the PTZ pad: a direction, zoom in/out, or stop.

    `speed` is a share of the camera's top speed in per cent; the service turns it into
    GB/T 28181's pan/tilt speed (0–255) and zoom speed (0–15).
    """

    command: PtzCommand
    speed: Speed = 50


class PtzResult(Schema, kw_only=True):
    """What the BFF sent to the platform.

    For a move, the camera keeps moving until a stop, but the server stops it by itself
    `stop_after_ms` after the last move command; a page holding a button repeats the
    move every `repeat_ms` (repeats of an ongoing move are not new moves in the audit).
    """

    device_id: str
    command: PtzCommand
    speed: int
    stop_after_ms: int | None = None
    repeat_ms: int | None = None
