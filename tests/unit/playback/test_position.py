"""The recorded position the BFF keeps for a playback: speed, pause, seek, gaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bff.platform.base import Recording
from bff.playback.position import RecordedPosition

START = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def recordings(*stretches: tuple[int, int]) -> list[Recording]:
    return [Recording(start=START + timedelta(seconds=a), end=START + timedelta(seconds=b))
            for a, b in stretches]


def test_speed_pause_and_resume() -> None:
    clock = Clock()
    position = RecordedPosition(START, START + timedelta(hours=1), recordings((0, 3600)),
                                clock=clock)
    clock.now += 10
    assert position.offset() == 10
    position.set_speed(4)
    clock.now += 5
    assert position.offset() == 30
    position.pause()
    clock.now += 100
    assert position.offset() == 30 and position.paused
    position.resume()
    clock.now += 1
    assert position.offset() == 34 and position.speed == 4


def test_gaps_are_skipped_and_seek_into_a_gap_lands_after_it() -> None:
    clock = Clock()
    position = RecordedPosition(START, START + timedelta(seconds=300),
                                recordings((0, 100), (160, 300)), clock=clock)
    assert position.recorded_seconds == 240
    clock.now += 110  # 100 s played, then 10 s into the second recording
    assert position.offset() == 170
    position.seek(120)  # inside the gap
    assert position.offset() == 160
    position.seek(50)
    assert position.recorded_at() == START + timedelta(seconds=50)
    position.seek(10_000)
    assert position.finished() and position.offset() == 300


def test_a_range_starting_in_a_gap_starts_at_the_first_recording() -> None:
    position = RecordedPosition(START, START + timedelta(seconds=300),
                                recordings((40, 300)), clock=Clock())
    assert position.offset() == 40
