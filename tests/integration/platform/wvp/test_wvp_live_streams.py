"""Live video through the WVP adapter against the double: play start and stop, the
preferred media URL, play timeouts, and the stream hub reading the double's stream."""

from __future__ import annotations

import asyncio
import time

import pytest

from bff.lib.settings import WebRTCSettings
from bff.platform.base import DeviceNotFound, PlatformError, PlatformTimeout
from bff.platform.wvp import WvpPlatform
from bff.webrtc.hub import StreamHub
from tests.integration.platform.wvp.wvp_support import (
    DOME,
    IPC,
    NVR,
    all_channels,
    eventually,
    versions,
    wvp_settings,
)
from tests.wvp_double import WvpDouble


@versions
async def test_start_and_stop_live(double: WvpDouble, wvp: WvpPlatform) -> None:
    url = await wvp.start_live(DOME)
    assert url == f"{double.url}/rtp/{NVR}_{DOME}.live.flv"  # rtsp is null: skipped
    assert f"{NVR}_{DOME}" in double.active_streams
    await wvp.stop_live(DOME)
    assert not double.active_streams
    if double.version == "master":
        gb_id = str((await wvp.channel_ref(DOME)).gb_id)
        assert [r.params["channelId"] for r in double.calls("/api/common/channel/play")] == [
            gb_id, gb_id]  # play, then play/stop
    else:
        assert double.calls(f"/api/play/start/{NVR}/{DOME}")
        assert double.calls(f"/api/play/stop/{NVR}/{DOME}")


async def test_media_url_follows_the_preference(double: WvpDouble) -> None:
    for preference, suffix in ((["ts", "flv"], ".live.ts"), (["rtsp", "hls"], "/hls.m3u8")):
        platform = WvpPlatform(wvp_settings(double, media_preference=preference))
        try:
            assert (await platform.start_live(DOME)).endswith(suffix)
        finally:
            await platform.close()
    platform = WvpPlatform(wvp_settings(double, media_preference=["rtsp", "rtmp"]))
    try:
        with pytest.raises(PlatformError, match="BFF_WVP_MEDIA"):
            await platform.start_live(DOME)
    finally:
        await platform.close()


async def test_play_start_blocking_past_the_play_timeout_is_a_timeout(
        double: WvpDouble) -> None:
    double.play_delay_s = 3.0
    platform = WvpPlatform(wvp_settings(double, play_timeout_s=0.4))
    started = time.monotonic()
    try:
        await platform.channel_ref(DOME)
        with pytest.raises(PlatformTimeout):
            await platform.start_live(DOME)
    finally:
        await platform.close()
    assert time.monotonic() - started < 2.0


async def test_play_start_has_its_own_timeout_above_the_ordinary_one(double: WvpDouble) -> None:
    double.play_delay_s = 0.6  # longer than an ordinary call may take
    platform = WvpPlatform(wvp_settings(double, request_timeout_s=0.3, play_timeout_s=3.0))
    try:
        assert (await platform.start_live(DOME)).endswith(".live.flv")
    finally:
        await platform.close()


async def test_play_answered_with_dian_bo_chao_shi_is_a_timeout(double: WvpDouble,
                                                                wvp: WvpPlatform) -> None:
    double.play_result = "timeout"
    with pytest.raises(PlatformTimeout, match="点播超时"):
        await wvp.start_live(DOME)


@pytest.mark.parametrize("double", [{"not_found_code": 404}, {"not_found_code": 100}],
                         indirect=True, ids=["code404", "code100"])
async def test_device_gone_from_wvp_is_device_not_found(double: WvpDouble,
                                                        wvp: WvpPlatform) -> None:
    await all_channels(wvp)
    double.remove_channel(IPC)  # its device is gone with it: "设备不存在"
    with pytest.raises(DeviceNotFound):
        await wvp.start_live(IPC)
    assert double.calls(f"/api/play/start/{IPC}/{IPC}")


async def test_the_hub_reads_the_ts_stream_and_rides_out_a_refusing_media_server(
        double: WvpDouble) -> None:
    platform = WvpPlatform(wvp_settings(double, media_preference=["ts"]))
    hub = StreamHub(WebRTCSettings(width=320, height=180, fps=10, source_linger_s=0.1),
                    platform, retry_initial_s=0.1, retry_max_s=0.3, open_timeout_s=3.0)
    double.media_fail = True  # ZLM answers 404: the hub shows the slate and retries
    subscription = await hub.subscribe(DOME)
    try:
        await eventually(lambda: (hub.stats(DOME).failures >= 2 and
                                  hub.stats(DOME).slate_frames > 0))
        assert hub.stats(DOME).decoded_frames == 0
        double.media_fail = False
        await eventually(lambda: hub.stats(DOME).decoded_frames >= 5, timeout=10)
        assert hub.stats(DOME).state == "live"
        _, frame = await asyncio.wait_for(subscription.next_frame(0), 5)
        assert (frame.width, frame.height) == (320, 180)
        stops = len(double.calls("/api/play/stop"))
        assert stops >= 2  # every failed attempt was stopped before the next start
        subscription.close()  # the last viewer leaves: after the linger, WVP hears of it
        await eventually(lambda: hub.stats(DOME) is None and
                         len(double.calls("/api/play/stop")) == stops + 1)
        await eventually(lambda: double.media_connections == 0)
    finally:
        await hub.close()
        await platform.close()
