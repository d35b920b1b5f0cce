"""Request and response bodies of playback (录像回放) and clip download (录像下载).

Times are RFC 3339. Answers give them in the camera's time zone (`time_zone` names it);
a request's time without an offset is read in that zone too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from bff.lib.schemas import Schema

PLAYBACK_SPEED_VALUES: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)
"""The speeds the page offers (the platform may know more)."""


class RecordingSegment(Schema, kw_only=True):
    """One stretch of recording; between two segments is a gap."""

    start: datetime
    end: datetime
    size_bytes: int | None = None


class RecordingsAnswer(Schema, kw_only=True):
    """The camera's recordings in a window, clipped to its retention and to now."""

    device_id: str
    time_zone: str
    """The camera's time zone (IANA name); every time here carries its offset."""
    start: datetime
    end: datetime
    earliest: datetime | None
    """The oldest moment the camera's retention keeps (None: retention unknown)."""
    retention_days: int | None
    segments: list[RecordingSegment]


class PlaybackOffer(Schema, kw_only=True):
    """The browser's WebRTC offer for a playback from `start`."""

    sdp: Annotated[str, msgspec.Meta(min_length=1, max_length=32_000)]
    type: Literal["offer"]
    start: datetime


class PlaybackAnswer(Schema, kw_only=True):
    """The server's answer: as the live answer, plus the played window."""

    session_id: str
    sdp: str
    type: str
    codec: str
    time_zone: str
    start: datetime
    end: datetime
    """The end of the window this playback covers; seeking beyond needs a new playback."""
    recorded_at: datetime


class PlaybackControlRequest(Schema, kw_only=True):
    """Pause, resume, seek to `at`, or play at `speed`."""

    action: Literal["pause", "resume", "seek", "speed"]
    at: datetime | None = None
    speed: float | None = None


class PlaybackState(Schema, kw_only=True):
    """Where a playback is: the recorded moment on screen and how it moves."""

    session_id: str
    device_id: str
    start: datetime
    end: datetime
    recorded_at: datetime
    speed: float
    paused: bool
    ended: bool


class ClipRequest(Schema, kw_only=True):
    """A range of recording to download as a watermarked MP4."""

    start: datetime
    end: datetime


class ClipCreated(Schema, kw_only=True):
    id: str
    state: str


class ClipStatus(Schema, kw_only=True):
    """A clip's progress; `download_url` only once it is ready and until it expires."""

    id: str
    device_id: str
    start: datetime
    end: datetime
    state: Literal["queued", "running", "ready", "failed", "expired"]
    progress: float
    """0–1."""
    download_url: str | None = None
    expires_at: datetime | None = None
    size_bytes: int | None = None
