"""Refusals of playback and clip download, and how they answer over HTTP."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from bff.lib.errors import DomainError, ErrorAnswer, ErrorTable

TIME_SHOWN = "%Y-%m-%d %H:%M:%S"


class PlaybackRefused(DomainError):
    """The user lacks the permission (2 playback, 3 download) on this camera; `owner`
    names the department whose approver can grant it."""

    def __init__(self, permission: Literal["playback", "download"], owner: str) -> None:
        super().__init__(permission)
        self.permission = permission
        self.owner = owner


class BadTimeRange(DomainError):
    """The asked window is not a window: end not after start, or longer than allowed."""

    def __init__(self, reason: Literal["end_before_start", "range_too_long"],
                 days: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.days = days


class OutsideRetention(DomainError):
    """The window lies before the camera's retention (录像保存天数) or in the future."""

    def __init__(self, days: int | None, earliest: datetime | None) -> None:
        super().__init__("in the future" if earliest is None else "before retention")
        self.days = days
        self.earliest = earliest


class NoRecordingThere(DomainError):
    """The platform has no recording in the window; `nearest` is the closest recorded
    moment within a day either side (None if there is none)."""

    def __init__(self, nearest: datetime | None) -> None:
        super().__init__("no recording")
        self.nearest = nearest


class PlatformFailed(DomainError):
    """The platform failed or did not answer in time (`timeout`)."""

    def __init__(self, timeout: bool, detail: str = "") -> None:
        super().__init__(detail or ("timeout" if timeout else "failed"))
        self.timeout = timeout


class PlaybackNotFound(DomainError):
    """No running playback of this user has that session id."""


class PlaybackEnded(DomainError):
    """The platform's playback has played to its end or was stopped."""


class BadControl(DomainError):
    """A control the playback cannot take: a seek without `at` or outside the played
    window, a speed not offered."""

    def __init__(self, reason: Literal["missing_at", "seek_outside", "bad_speed"]) -> None:
        super().__init__(reason)
        self.reason = reason


class ClipTooLong(DomainError):
    def __init__(self, minutes: float) -> None:
        super().__init__(f"longer than {minutes} minutes")
        self.minutes = minutes


class ClipNotFound(DomainError):
    """No clip of this user has that id (someone else's looks the same)."""


class ClipNotReady(DomainError):
    """The clip is still being made (or failed)."""


class ClipExpired(DomainError):
    """The clip's download link has expired and its file is gone."""


class TooManyClips(DomainError):
    """An export limit was hit: the user's own, or the server's."""

    def __init__(self, scope: Literal["user", "server"], limit: int) -> None:
        super().__init__(f"too many exports ({scope} limit {limit})")
        self.scope = scope
        self.limit = limit


class ClipQuotaFull(DomainError):
    """The clip directory has reached its disk quota."""


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime(TIME_SHOWN)


def _no_recording(exc: NoRecordingThere) -> ErrorAnswer:
    if exc.nearest is None:
        return ErrorAnswer(404, "playback.no_recording",
                           message_key="playback.no_recording_nearby")
    return ErrorAnswer(404, "playback.no_recording", {"nearest": _when(exc.nearest)})


def _outside(exc: OutsideRetention) -> ErrorAnswer:
    if exc.earliest is None:
        return ErrorAnswer(422, "playback.in_future")
    return ErrorAnswer(422, "playback.outside_retention",
                       {"days": exc.days, "earliest": _when(exc.earliest)})


PLAYBACK_ERRORS: ErrorTable = {
    PlaybackRefused: lambda exc: ErrorAnswer(
        403, "playback.forbidden" if exc.permission == "playback" else "clips.forbidden",
        {"owner": exc.owner}),
    BadTimeRange: lambda exc: ErrorAnswer(400, f"playback.{exc.reason}", {"days": exc.days}),
    OutsideRetention: _outside,
    NoRecordingThere: _no_recording,
    PlatformFailed: lambda exc: ErrorAnswer(
        504 if exc.timeout else 502,
        "playback.platform_timeout" if exc.timeout else "playback.platform_failed"),
    PlaybackNotFound: lambda _: ErrorAnswer(404, "playback.not_found"),
    PlaybackEnded: lambda _: ErrorAnswer(409, "playback.ended",
                                         message_key="playback.ended_conflict"),
    BadControl: lambda exc: ErrorAnswer(422, f"playback.{exc.reason}"),
    ClipTooLong: lambda exc: ErrorAnswer(422, "clips.too_long", {"minutes": f"{exc.minutes:g}"}),
    ClipNotFound: lambda _: ErrorAnswer(404, "clips.not_found"),
    ClipNotReady: lambda _: ErrorAnswer(409, "clips.not_ready"),
    ClipExpired: lambda _: ErrorAnswer(410, "clips.expired"),
    TooManyClips: lambda exc: ErrorAnswer(429, f"clips.too_many_{exc.scope}",
                                          {"limit": exc.limit}),
    ClipQuotaFull: lambda _: ErrorAnswer(507, "clips.quota"),
}
