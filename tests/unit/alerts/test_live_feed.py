"""The live feed on its in-memory backend: per-user channels, both event names, the stream
cap and its release, and publishing that never raises."""

from __future__ import annotations

import asyncio

import pytest
from litestar.channels.backends.memory import MemoryChannelsBackend

from bff.alerts.errors import TooManyLiveStreams
from bff.alerts.feed import FeedEvent, FeedKind
from bff.alerts.live import LiveAlertFeed
from bff.lib.settings import LiveFeedSettings, SettingsError, load_settings

EVENT = FeedEvent(kind=FeedKind.STATE, alert_id=42, type="flooding",
                  device_id="44150203001320000001", state="acknowledged")


def feed(**settings: float) -> LiveAlertFeed:
    return LiveAlertFeed(LiveFeedSettings(**settings), MemoryChannelsBackend(),
                         channel_prefix="unit")


async def test_events_reach_only_their_users_under_both_names() -> None:
    live = feed(heartbeat_s=30)
    await live.start()
    try:
        mine, theirs = live.events(live.reserve_stream(1)), live.events(live.reserve_stream(2))
        assert (await anext(mine)).comment == "connected"
        assert (await anext(theirs)).comment == "connected"
        await live.publish([2], FeedEvent(kind=FeedKind.NEW, alert_id=7, type="flooding",
                                          device_id="x", state="new"))
        await live.publish([1, 3], EVENT)
        general, own = await anext(mine), await anext(mine)
        assert (general.event, own.event) == ("alert", "alert-42")
        assert general.data == own.data and '"state":"acknowledged"' in general.data
        assert (await anext(theirs)).event == "alert"  # user 2 heard only alert 7
        assert (await anext(theirs)).event == "alert-7"
        await mine.aclose()
        await theirs.aclose()
        assert live.open_streams(1) == live.open_streams(2) == 0
    finally:
        await live.close()


async def test_heartbeats_and_the_end_of_a_stream() -> None:
    live = feed(heartbeat_s=0.05, max_stream_s=0.3)
    await live.start()
    try:
        messages = [message async for message in live.events(live.reserve_stream(5))]
        assert messages[0].comment == "connected" and messages[0].retry
        assert {m.comment for m in messages[1:]} == {"keep-alive"}
        assert live.open_streams(5) == 0
    finally:
        await live.close()


async def test_the_cap_counts_reservations_and_releases_once() -> None:
    live = feed(streams_per_user=2)
    first, _second = live.reserve_stream(9), live.reserve_stream(9)
    with pytest.raises(TooManyLiveStreams):
        live.reserve_stream(9)
    first.release()
    first.release()  # the stream's end and the response's clean-up both call it
    assert live.open_streams(9) == 1
    live.reserve_stream(9)
    assert live.open_streams(9) == 2


async def test_publishing_never_raises() -> None:
    live = feed()
    await live.publish([1], EVENT)  # not started: logged, not raised
    await live.publish([], EVENT)
    await live.start()
    await live.close()
    assert await asyncio.wait_for(live.publish([1], EVENT), timeout=5) is None


def test_settings_from_the_environment() -> None:
    settings = load_settings({"BFF_LIVE_HEARTBEAT_SECONDS": "5",
                              "BFF_LIVE_STREAM_MAX_SECONDS": "120",
                              "BFF_LIVE_STREAMS_PER_USER": "3"})
    assert settings.live_feed == LiveFeedSettings(heartbeat_s=5, max_stream_s=120,
                                                  streams_per_user=3)
    assert load_settings({}).live_feed == LiveFeedSettings()
    with pytest.raises(SettingsError):
        load_settings({"BFF_LIVE_STREAMS_PER_USER": "0"})
