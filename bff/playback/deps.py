"""Request-scoped dependencies of playback."""

from __future__ import annotations

from litestar import Request

from bff.lib.validation import parse_query
from bff.playback.schemas import RecordingsQuery


def provide_recordings_query(request: Request) -> RecordingsQuery:
    """`?start=…&end=…` (RFC 3339; 400 in the user's language when malformed)."""
    return parse_query(request, RecordingsQuery)
