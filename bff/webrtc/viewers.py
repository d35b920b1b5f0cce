"""Value types of live view: who watches, and one running stream. A leaf module, so the
watermark, the tracks and the registry can all use them without import cycles (the
registry re-exports both)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec


class ViewerIdentity(msgspec.Struct, frozen=True, kw_only=True):
    """The signed-in person a stream is sent to; every field goes into the watermark
    (安全水印) so a photo of the phone's screen identifies the viewer."""

    user_id: int
    username: str
    display_name: str
    staff_no: str


class StreamSession(msgspec.Struct, frozen=True, kw_only=True):
    """One live WebRTC stream of one camera to one viewer (直播会话).

    `answer_sdp`/`answer_type` are what the browser passes to `setRemoteDescription`.
    `close_reason` is None while the stream runs; the copy handed to `on_closed` says
    why it ended ("closed by viewer", "connection failed", "connect timeout", …)."""

    id: str
    device_id: str
    viewer: ViewerIdentity
    started_at: datetime
    codec: Literal["H264", "VP8"]
    answer_sdp: str
    answer_type: str
    close_reason: str | None = None
