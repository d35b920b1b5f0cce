"""Errors of the live-video media path.

They are plain exceptions, independent of the web framework: controllers map them to HTTP
answers (TooManyStreams → 429, InvalidOffer → 400; upstream `bff.media.sources.SourceError`s stay
server-side).
"""

from __future__ import annotations

from typing import Literal

from bff.lib.errors import DomainError, ErrorAnswer, ErrorTable


class MediaPathError(DomainError):
    """Base of every error raised by `bff.webrtc`."""


class TooManyStreams(MediaPathError):
    """A concurrency cap was hit: the user holds `max_streams_per_user` streams already
    (scope "user"), or the camera has `max_viewers_per_camera` viewers (scope "camera")."""

    def __init__(self, scope: Literal["user", "camera"], limit: int) -> None:
        super().__init__(f"too many live streams ({scope} limit {limit})")
        self.scope: Literal["user", "camera"] = scope
        self.limit = limit


class InvalidOffer(MediaPathError):
    """The browser's SDP offer cannot be answered: not an SDP, not an offer, no video
    m-line, or no codec we can send (H.264 / VP8)."""


class SourceClosed(MediaPathError):
    """The hub stopped a camera's source (shutdown) while a viewer was waiting on it."""


class UpstreamUnavailable(MediaPathError):
    """A stream cannot be started at all (the hub is shut down). An upstream that fails
    while viewers watch is not an error for them: they get the "signal lost" slate while
    the hub reconnects."""


class LiveRefused(MediaPathError):
    """The user may not watch this camera live (no permission 1), or it is offline."""

    def __init__(self, reason: Literal["forbidden", "offline"]) -> None:
        super().__init__(reason)
        self.reason = reason


class StreamNotFound(MediaPathError):
    """No open stream of this user has that session id."""


def _too_many(exc: TooManyStreams) -> ErrorAnswer:
    if exc.scope == "user":
        return ErrorAnswer(429, "live.too_many_user", {"limit": exc.limit})
    return ErrorAnswer(429, "live.too_many_camera")


LIVE_ERRORS: ErrorTable = {
    LiveRefused: lambda exc: ErrorAnswer(403 if exc.reason == "forbidden" else 409,
                                         f"live.{exc.reason}"),
    TooManyStreams: _too_many,
    InvalidOffer: lambda _: ErrorAnswer(400, "live.invalid_offer"),
    UpstreamUnavailable: lambda _: ErrorAnswer(502, "live.upstream"),
    StreamNotFound: lambda _: ErrorAnswer(404, "live.stream_not_found"),
}
