"""Errors of the live-video media path.

They are plain exceptions, independent of the web framework: controllers map them to HTTP
answers (TooManyStreams → 429, InvalidOffer → 400; upstream `bff.media.sources.SourceError`s stay
server-side).
"""

from __future__ import annotations

from typing import Literal


class MediaPathError(Exception):
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
