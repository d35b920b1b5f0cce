"""Platform device alarms into the alert pipeline: mapped types enter as source
`platform`, unmapped ones are skipped, and a feed that ends or fails is listened to again
after a pause that doubles up to a bound and starts over once alarms flow."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bff.alerts.alarms import (
    ALARM_RECONNECT_MAX_S,
    PLATFORM_SOURCE,
    AlarmIntake,
    alarm_event,
)
from bff.alerts.errors import AlertUnknownCamera
from bff.alerts.schemas import AlertEvent, IngestResult
from bff.platform.base import PlatformAlarm, PlatformUnavailable

CAMERA = "44150200001320000001"


def alarm(alarm_id: str, alarm_type: str = "6", device_id: str = CAMERA) -> PlatformAlarm:
    return PlatformAlarm(alarm_id=alarm_id, device_id=device_id, alarm_type=alarm_type,
                         priority=1, occurred_at=datetime(2026, 12, 4, 8, 30, tzinfo=UTC),
                         description="入侵检测")


class Pipeline:
    def __init__(self) -> None:
        self.accepted: list[tuple[str, AlertEvent]] = []

    async def accept(self, source: str, event: AlertEvent) -> IngestResult:
        if event.device_id != CAMERA:
            raise AlertUnknownCamera(event.device_id)
        self.accepted.append((source, event))
        return IngestResult(alert_id=len(self.accepted), duplicate=False)


class Stop(Exception):
    pass


class ScriptedFeed:
    """Each call of alarms() plays the next script: a list of alarms then an end, or an
    exception after them."""

    def __init__(self, scripts: list[tuple[list[PlatformAlarm], Exception | None]]) -> None:
        self._scripts = scripts
        self.calls = 0

    async def alarms(self) -> AsyncIterator[PlatformAlarm]:
        alarms, failure = self._scripts[min(self.calls, len(self._scripts) - 1)]
        self.calls += 1
        for item in alarms:
            yield item
        if failure is not None:
            raise failure


def test_alarm_event_keeps_the_id_or_hashes_a_long_one() -> None:
    event = alarm_event(alarm("wvp-17"), "smuggling_intrusion")
    assert (event.event_id, event.type, event.device_id, event.detail) == (
        "wvp-17", "smuggling_intrusion", CAMERA, "入侵检测")
    long_id = alarm_event(alarm("x" * 100), "smuggling_intrusion").event_id
    assert len(long_id) <= 64 and long_id == alarm_event(alarm("x" * 100), "t").event_id
    naive = PlatformAlarm(alarm_id="n", device_id=CAMERA, alarm_type="6", priority=None,
                          occurred_at=datetime(2026, 12, 4, 8, 30), description="")
    converted = alarm_event(naive, "t")
    assert converted.occurred_at.tzinfo is UTC and converted.detail is None


async def test_mapped_alarms_enter_the_pipeline_and_the_rest_are_skipped(
        caplog: pytest.LogCaptureFixture) -> None:
    pipeline = Pipeline()
    intake = AlarmIntake(ScriptedFeed([]), pipeline, {"6": "smuggling_intrusion"})
    caplog.set_level("INFO", logger="bff.alerts.alarms")
    assert await intake.handle(alarm("a1")) is not None
    assert await intake.handle(alarm("a2", alarm_type="2")) is None
    assert await intake.handle(alarm("a3", device_id="44150200001320999999")) is None
    assert [(source, event.event_id) for source, event in pipeline.accepted] == [
        (PLATFORM_SOURCE, "a1")]
    assert "no alert type mapped" in caplog.text and "AlertUnknownCamera" in caplog.text


async def test_a_feed_that_ends_or_fails_is_listened_to_again_with_bounded_backoff() -> None:
    pipeline = Pipeline()
    feed = ScriptedFeed([
        ([], PlatformUnavailable("down")),
        ([], None),
        ([], PlatformUnavailable("still down")),
        ([], None), ([], None), ([], None), ([], None), ([], None), ([], None),
        ([alarm("after-outage")], PlatformUnavailable("dropped")),
        ([], None),
    ])
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)
        if len(delays) == 11:
            raise Stop

    intake = AlarmIntake(feed, pipeline, {"6": "smuggling_intrusion"}, sleep=sleep)
    with pytest.raises(Stop):
        await intake.run()
    assert delays[:9] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert max(delays) == ALARM_RECONNECT_MAX_S
    # An alarm arrived on the tenth listen: the pause starts over.
    assert delays[9:] == [1, 2]
    assert [event.event_id for _, event in pipeline.accepted] == ["after-outage"]
    assert feed.calls == 11
