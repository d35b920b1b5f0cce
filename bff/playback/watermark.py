"""The playback watermark: the live watermark plus 回放 and the recorded time.

A photo of a played-back recording must say who watched it and which recorded moment it
shows. The viewer's tiled identity line gets "回放 <recorded date and time>" after the
username; the wall-clock time follows as in live view. The mask is rebuilt when either
second changes (at 4× that is four times a second: a Pillow line of about a millisecond).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

import msgspec

from bff.webrtc.viewers import ViewerIdentity
from bff.webrtc.watermark import ViewerWatermark, WatermarkMask, WatermarkRenderer

PLAYBACK_MARK = "回放"
RECORDED_FORMAT = "%Y-%m-%d %H:%M:%S"


def playback_identity(viewer: ViewerIdentity, recorded: datetime, tz: tzinfo, *,
                      with_time: bool = True) -> ViewerIdentity:
    """The identity line of a playback frame: the viewer's, with the mark and (unless the
    line's own time is the recorded time, as in a clip) the recorded time after the
    username."""
    label = PLAYBACK_MARK
    if with_time:
        label = f"{label} {recorded.astimezone(tz).strftime(RECORDED_FORMAT)}"
    return msgspec.structs.replace(viewer, username=f"{viewer.username}  {label}")


class PlaybackWatermark(ViewerWatermark):
    """A viewer's watermark on a playback stream; `recorded_at()` says which recorded
    moment the frame being marked shows."""

    def __init__(self, renderer: WatermarkRenderer, viewer: ViewerIdentity,
                 recorded_at: Callable[[], datetime], tz: tzinfo) -> None:
        super().__init__(renderer, viewer)
        self._recorded_at = recorded_at
        self._tz = tz
        self._key: tuple[int, int] | None = None
        self._playback_mask: WatermarkMask | None = None

    def mask_at(self, now: float) -> WatermarkMask:
        recorded = self._recorded_at()
        key = (int(now), int(recorded.timestamp()))
        if key != self._key or self._playback_mask is None:
            identity = playback_identity(self.viewer, recorded, self._tz)
            self._playback_mask = self._renderer.render(identity, key[0])
            self._key = key
        return self._playback_mask
