"""Signalling bodies of live view."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from bff.lib.schemas import Schema


class LiveOffer(Schema, kw_only=True):
    """The browser's SDP offer (non-trickle: candidates are inside the SDP)."""

    sdp: Annotated[str, msgspec.Meta(min_length=1, max_length=32_000)]
    type: Literal["offer"]


class LiveAnswer(Schema, kw_only=True):
    """The BFF's answer; `session_id` names the stream for closing it."""

    session_id: str
    sdp: str
    type: str
    codec: str


class StreamStatus(Schema, kw_only=True):
    """Whether one of the user's streams still runs and, once ended, why (the page
    asks when its connection drops, and says so when access ended)."""

    session_id: str
    state: Literal["running", "ended"]
    reason: str | None = None
    """End reason code: access_revoked, access_expired, access_ended, or another."""
    message: str | None = None
