"""Device alarms through the WVP adapter against the double: server-sent events with
reconnects, polling past the history, and the end of the feed at close."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bff.platform.base import PlatformAlarm
from bff.platform.wvp import WvpPlatform
from tests.integration.platform.wvp.wvp_support import BULLET, DOME, IPC, eventually, wvp_settings
from tests.wvp_double import WvpDouble


async def collect(platform: WvpPlatform, count: int, into: list[PlatformAlarm]) -> None:
    async for alarm in platform.alarms():
        into.append(alarm)
        if len(into) >= count:
            return


@pytest.mark.parametrize("double", [
    {"version": "2.7.3", "keepalive_s": 0.1},
    {"version": "2.7.1", "keepalive_s": 0.1, "keepalive_style": "comment"},
], indirect=True, ids=["event-keepalive", "comment-keepalive"])
async def test_alarms_by_server_sent_events_with_reconnect(double: WvpDouble) -> None:
    platform = WvpPlatform(wvp_settings(double, alarm_mode="sse", request_timeout_s=1.0))
    received: list[PlatformAlarm] = []
    reader = asyncio.create_task(collect(platform, 2, received))
    try:
        await eventually(lambda: double.alarm_listeners == 1)
        first = double.raise_alarm(DOME, alarm_type="5", priority="2", description="移动侦测",
                                   longitude=115.36, latitude=22.78)
        await eventually(lambda: len(received) == 1)
        double.drop_alarm_streams()  # the adapter reconnects on its own
        await eventually(lambda: len(double.calls("/api/emit")) == 2 and
                         double.alarm_listeners == 1, timeout=6)
        double.raise_alarm(BULLET)
        async with asyncio.timeout(5):
            await reader
    finally:
        reader.cancel()
        await platform.close()
    alarm = received[0]
    assert (alarm.alarm_id, alarm.device_id, alarm.alarm_type, alarm.priority) == (
        str(first), DOME, "5", 2)
    assert alarm.description == "移动侦测" and (alarm.longitude, alarm.latitude) == (115.36, 22.78)
    assert alarm.occurred_at.tzinfo is not None
    assert abs((alarm.occurred_at - datetime.now(UTC)).total_seconds()) < 60
    assert received[1].device_id == BULLET and received[1].longitude is None
    assert double.calls("/api/emit")[0].params["browserId"].startswith("bff-")


@pytest.mark.parametrize("double", [{"version": "master"}], indirect=True)
async def test_alarms_by_polling_skip_history(double: WvpDouble) -> None:
    double.raise_alarm(IPC, description="旧报警")  # before the BFF listened: history
    platform = WvpPlatform(wvp_settings(double, alarm_mode="poll", alarm_poll_s=0.1))
    received: list[PlatformAlarm] = []
    reader = asyncio.create_task(collect(platform, 2, received))
    try:
        # The second poll has begun, so the first (the baseline) is complete.
        await eventually(lambda: len(double.calls("/api/alarm/list")) >= 2)
        second = double.raise_alarm(DOME, alarm_type="1", description="越界")
        third = double.raise_alarm(BULLET, alarm_type="2", description="遮挡")
        async with asyncio.timeout(5):
            await reader
    finally:
        reader.cancel()
        await platform.close()
    assert [(a.alarm_id, a.device_id, a.description) for a in received] == [
        (str(second), DOME, "越界"), (str(third), BULLET, "遮挡")]
    assert received[0].priority is None


@pytest.mark.parametrize("mode", ["off", "sse"])
async def test_alarms_end_when_the_adapter_closes(double: WvpDouble, mode: str) -> None:
    platform = WvpPlatform(wvp_settings(double, alarm_mode=mode))
    reader = asyncio.create_task(collect(platform, 1, []))
    await asyncio.sleep(0.3)
    assert not reader.done()
    await platform.close()
    async with asyncio.timeout(3):
        await reader


@pytest.mark.parametrize("double", [{"version": "master"}], indirect=True)
async def test_sse_against_master_keeps_retrying_without_ending(double: WvpDouble) -> None:
    platform = WvpPlatform(wvp_settings(double, alarm_mode="sse"))
    reader = asyncio.create_task(collect(platform, 1, []))
    try:
        await eventually(lambda: len(double.calls("/api/emit")) >= 2, timeout=5)
        assert not reader.done()  # a 404 is logged and retried, not raised to the consumer
    finally:
        await platform.close()
        async with asyncio.timeout(3):
            await reader
