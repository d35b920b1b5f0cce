"""The playback watermark names the viewer, 回放 and the recorded time, and changes with
the recorded second as well as the wall-clock second."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bff.lib.settings import WebRTCSettings
from bff.playback.watermark import PlaybackWatermark, playback_identity
from bff.webrtc.viewers import ViewerIdentity
from bff.webrtc.watermark import WatermarkRenderer

VIEWER = ViewerIdentity(user_id=1, username="police01", display_name="陈志强",
                        staff_no="J441502017")
SETTINGS = WebRTCSettings()
RECORDED = datetime(2026, 12, 3, 6, 5, 0, tzinfo=UTC)  # 14:05 in Shanghai


def test_identity_line_carries_the_mark_and_the_recorded_time() -> None:
    identity = playback_identity(VIEWER, RECORDED, SETTINGS.tzinfo())
    assert identity.username == "police01  回放 2026-12-03 14:05:00"
    assert identity.display_name == "陈志强" and identity.staff_no == "J441502017"
    clip = playback_identity(VIEWER, RECORDED, SETTINGS.tzinfo(), with_time=False)
    assert clip.username == "police01  回放"


def test_mask_follows_the_recorded_second() -> None:
    renderer = WatermarkRenderer(SETTINGS)
    shown = [RECORDED]
    watermark = PlaybackWatermark(renderer, VIEWER, lambda: shown[0], SETTINGS.tzinfo())
    wall = 1_796_000_000.0
    first = watermark.mask_at(wall)
    assert watermark.mask_at(wall + 0.5) is first  # same seconds: no re-render
    shown[0] = RECORDED + timedelta(seconds=4)  # 4× playback moved the recording on
    second = watermark.mask_at(wall + 0.6)
    assert second is not first
    if renderer.has_cjk:
        assert "回放 2026-12-03 14:05:04" in second.text
    assert "police01" in second.text
