"""Recordings and playback through the WVP adapter against the double."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bff.platform.base import PlatformError, PlaybackAction, PlaybackControl
from bff.platform.wvp import WvpPlatform
from tests.integration.platform.wvp.wvp_support import DOME, NVR
from tests.wvp_double import WvpDouble


@pytest.mark.parametrize("double", [{"version": "2.7.3"}, {"version": "master"}],
                         indirect=True, ids=["2.7.3", "master"])
async def test_recordings_and_playback_controls(double: WvpDouble, wvp: WvpPlatform) -> None:
    start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in China
    end = start + timedelta(hours=1)
    recordings = await wvp.recordings(DOME, start, end)
    assert [(r.start, r.end) for r in recordings] == [
        (start, start + timedelta(minutes=25)),
        (start + timedelta(minutes=30), start + timedelta(minutes=55))]
    assert recordings[0].size_bytes == 150 * 1024 * 1024
    query = double.requests[-1]
    assert (query.params["startTime"], query.params["endTime"]) == (
        "2026-03-02 09:00:00", "2026-03-02 10:00:00")  # WVP's wall clock, Asia/Shanghai

    playback = await wvp.start_playback(DOME, start, end)
    assert playback.stream_id.startswith(f"{NVR}_{DOME}_20260302090000")
    assert playback.media_url.endswith(f"{playback.stream_id}.live.flv")
    for control in (PlaybackControl(action=PlaybackAction.PAUSE),
                    PlaybackControl(action=PlaybackAction.RESUME),
                    PlaybackControl(action=PlaybackAction.SEEK, seconds=600),
                    PlaybackControl(action=PlaybackAction.SPEED, speed=4.0),
                    PlaybackControl(action=PlaybackAction.SPEED, speed=0.25)):
        await wvp.control_playback(DOME, playback.stream_id, control)
    with pytest.raises(ValueError):
        await wvp.control_playback(DOME, playback.stream_id,
                                   PlaybackControl(action=PlaybackAction.SPEED, speed=3.0))
    with pytest.raises(ValueError):
        await wvp.control_playback(DOME, playback.stream_id,
                                   PlaybackControl(action=PlaybackAction.SEEK))
    await wvp.stop_playback(DOME, playback.stream_id)
    stream = playback.stream_id
    assert double.playback_commands == [
        ("pause", stream, None), ("resume", stream, None), ("seek", stream, "600"),
        ("speed", stream, "4"), ("speed", stream, "0.25"), ("stop", stream, None)]
    with pytest.raises(PlatformError, match="stream不存在"):
        await wvp.control_playback(DOME, stream, PlaybackControl(action=PlaybackAction.PAUSE))


async def test_configured_recordings_and_naive_times(double: WvpDouble, wvp: WvpPlatform) -> None:
    double.recordings[DOME] = [("2026-03-02 08:00:00", "2026-03-02 08:30:00", "bad")]
    start = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    [recording] = await wvp.recordings(DOME, start, start + timedelta(hours=2))
    assert recording.start == start and recording.size_bytes is None
    with pytest.raises(ValueError, match="naive"):
        await wvp.recordings(DOME, datetime(2026, 3, 2), datetime(2026, 3, 3))
