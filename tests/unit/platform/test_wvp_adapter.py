"""The WVP adapter against the WVP test double: every endpoint, quirk and failure."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import socket
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from bff.lib.settings import (
    Settings,
    SettingsError,
    WebRTCSettings,
    WvpSettings,
    load_settings,
)
from bff.platform.base import (
    ChannelState,
    DeviceNotFound,
    PlatformAlarm,
    PlatformAuthError,
    PlatformError,
    PlatformTimeout,
    PlatformUnavailable,
    PlaybackAction,
    PlaybackControl,
    PtzCommand,
    PtzMove,
)
from bff.platform.demo import DemoPlatform
from bff.platform.factory import create_platform
from bff.platform.wvp import SseParser, WvpPlatform, business_error, camera_type_of
from bff.webrtc.hub import StreamHub
from tests.wvp_double import ChannelSpec, WvpDouble

PASSWORD = "Wvp#Secret-2026"
MD5 = hashlib.md5(PASSWORD.encode()).hexdigest()
NVR = "44150200001180000001"
IPC = "44158100001320000009"  # registered directly: its own device
DOME = "44150200001310000001"
BULLET = "44150200001320000002"
MULTI = "44150200001310000003"
API_OF = {"2.7.1": "2.7.1", "2.7.3": "2.7.3", "master": "common"}


def populate(double: WvpDouble) -> None:
    double.add_channel(ChannelSpec(code=DOME, name="城区 海滨大道 球机", parent=NVR,
                                   longitude=115.3652, latitude=22.7861, ptz_type=1,
                                   civil_code="441502", address="海滨大道东"))
    double.add_channel(ChannelSpec(code=BULLET, name="城区 香洲路 枪机", parent=NVR, online=False,
                                   ptz_type=3, civil_code="441502"))  # null coordinates
    double.add_channel(ChannelSpec(code=MULTI, name="城区 拼接通道", parent=NVR, ptz_type=6,
                                   longitude=0.0, latitude=0.0))  # (0, 0) = no position
    double.add_channel(ChannelSpec(code=IPC, name="陆丰 IPC", parent=IPC,
                                   longitude=115.65, latitude=22.95))


def wvp_settings(double: WvpDouble, **overrides: object) -> WvpSettings:
    values: dict[str, object] = {"url": double.url, "password": PASSWORD,
                                 "api_version": API_OF[double.version],
                                 "request_timeout_s": 5.0, "play_timeout_s": 5.0}
    values.update(overrides)
    return WvpSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def double(request: pytest.FixtureRequest) -> Iterator[WvpDouble]:
    options = dict(getattr(request, "param", None) or {})
    with WvpDouble(fps=10, **options) as running:
        populate(running)
        yield running


@pytest.fixture
async def wvp(double: WvpDouble) -> AsyncIterator[WvpPlatform]:
    platform = WvpPlatform(wvp_settings(double))
    yield platform
    await platform.close()


async def all_channels(platform: WvpPlatform) -> list[ChannelState]:
    found: list[ChannelState] = []
    async for page in platform.channels():
        found.extend(page)
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


versions = pytest.mark.parametrize(
    "double", [{"version": v} for v in ("2.7.1", "2.7.3", "master")], indirect=True,
    ids=["2.7.1", "2.7.3", "master"])


# --- sign-in and the token -----------------------------------------------------------------


async def test_signs_in_with_md5_by_query_and_sends_the_token_on_every_call(
        double: WvpDouble, wvp: WvpPlatform) -> None:
    await all_channels(wvp)
    login, *calls = double.requests
    assert login.path == "/api/user/login"
    assert login.params == {"username": "admin", "password": MD5}  # md5 hex, not the password
    assert login.token is None
    assert calls and all(c.token and c.token.count(".") == 2 for c in calls)
    assert len({c.token for c in calls}) == 1 and double.logins == 1


async def test_wrong_password_is_an_auth_error(double: WvpDouble) -> None:
    platform = WvpPlatform(wvp_settings(double, password="wrong"))
    try:
        with pytest.raises(PlatformAuthError, match="用户名或密码错误"):
            await all_channels(platform)
    finally:
        await platform.close()


@pytest.mark.parametrize("double", [{"token_ttl_s": 0.3}], indirect=True)
async def test_expired_token_signs_in_again_once_and_retries(double: WvpDouble,
                                                             wvp: WvpPlatform) -> None:
    await wvp.stop_live(DOME)  # signs in, looks the camera up, calls play/stop
    await asyncio.sleep(0.5)
    await wvp.stop_live(DOME)  # 401 → sign in again → the same call once more
    assert double.logins == 2
    stops = double.calls("/api/play/stop")
    assert len(stops) == 3 and stops[1].token == stops[0].token != stops[2].token


async def test_revoked_token_is_renewed(double: WvpDouble, wvp: WvpPlatform) -> None:
    await all_channels(wvp)
    double.revoke_tokens()  # as when WVP restarts
    assert len(await all_channels(wvp)) == 4
    assert double.logins == 2


async def test_token_refused_twice_is_an_auth_error(double: WvpDouble, wvp: WvpPlatform) -> None:
    double.inject("/api/device/query/devices", status=401, code=401, msg="请登录后重新请求",
                  times=2)
    with pytest.raises(PlatformAuthError):
        await all_channels(wvp)
    assert double.logins == 2  # renewed once, not in a loop


async def test_sign_in_failing_internally_is_unavailable(double: WvpDouble,
                                                         wvp: WvpPlatform) -> None:
    double.inject("/api/user/login", status=500)
    with pytest.raises(PlatformUnavailable):
        await all_channels(wvp)


# --- envelopes, business errors, transport failures ----------------------------------------


@pytest.mark.parametrize(("code", "msg", "error"), [
    (100, "设备不存在", DeviceNotFound),
    (404, "设备：44150200001180000001 不存在", DeviceNotFound),
    (100, "点播超时", PlatformTimeout),
    (408, "收流超时", PlatformTimeout),
    (486, "设备忙", PlatformTimeout),
    (500, "未知错误", PlatformUnavailable),
    (403, "无权限", PlatformAuthError),
    (100, "媒体节点不可用", PlatformError),
])
async def test_business_errors_on_http_200_become_typed_errors(
        double: WvpDouble, wvp: WvpPlatform, code: int, msg: str,
        error: type[PlatformError]) -> None:
    await wvp.channel_ref(DOME)
    double.inject("/api/play/start", code=code, msg=msg, times=2)
    with pytest.raises(error) as raised:
        await wvp.start_live(DOME)
    assert type(raised.value) is error
    assert msg in str(raised.value)


def test_business_error_mapping_table() -> None:
    assert isinstance(business_error(100, "通道不存在", "/p"), DeviceNotFound)
    assert isinstance(business_error(100, "请求超时", "/p"), PlatformTimeout)
    assert type(business_error(400, "参数异常", "/p")) is PlatformError


async def test_http_500_is_unavailable(double: WvpDouble, wvp: WvpPlatform) -> None:
    double.inject("/api/device/query/devices", status=500, msg="NullPointerException")
    with pytest.raises(PlatformUnavailable, match="HTTP 500"):
        await all_channels(wvp)


async def test_a_proxy_error_page_is_unavailable_and_html_200_is_no_envelope(
        double: WvpDouble, wvp: WvpPlatform) -> None:
    double.inject("/api/device/query/devices", status=502, body="<html>Bad Gateway</html>")
    with pytest.raises(PlatformUnavailable):
        await all_channels(wvp)
    double.inject("/api/device/query/devices", status=200, body="<html>login</html>")
    with pytest.raises(PlatformError, match="envelope"):
        await all_channels(wvp)


async def test_connection_refused_is_unavailable() -> None:
    platform = WvpPlatform(WvpSettings(url=f"http://127.0.0.1:{free_port()}", password="x",
                                       request_timeout_s=2.0))
    try:
        with pytest.raises(PlatformUnavailable, match="unreachable"):
            await platform.start_live(DOME)
    finally:
        await platform.close()


async def test_a_silent_server_is_a_timeout(double: WvpDouble) -> None:
    platform = WvpPlatform(wvp_settings(double, request_timeout_s=0.3))
    double.inject("/api/device/query/devices", code=0, delay_s=2.0)
    started = time.monotonic()
    try:
        with pytest.raises(PlatformTimeout):
            await all_channels(platform)
    finally:
        await platform.close()
    assert time.monotonic() - started < 1.5


async def test_wrong_api_version_names_the_setting(double: WvpDouble) -> None:
    platform = WvpPlatform(wvp_settings(double, api_version="common"))  # double is 2.7.3
    try:
        with pytest.raises(PlatformError, match="BFF_WVP_API"):
            await all_channels(platform)
    finally:
        await platform.close()


# --- catalogue -----------------------------------------------------------------------------


@versions
async def test_channel_fields_of_every_api_generation(double: WvpDouble,
                                                      wvp: WvpPlatform) -> None:
    channels = {c.device_id: c for c in await all_channels(wvp)}
    assert set(channels) == {DOME, BULLET, MULTI, IPC}
    dome, bullet, multi, ipc = (channels[c] for c in (DOME, BULLET, MULTI, IPC))
    assert (dome.name, dome.online, dome.longitude, dome.latitude) == (
        "城区 海滨大道 球机", True, 115.3652, 22.7861)
    assert (dome.camera_type, dome.civil_code, dome.address) == (1, "441502", "海滨大道东")
    assert bullet.online is False and bullet.camera_type == 3
    assert bullet.longitude is None and bullet.latitude is None  # null coordinates
    assert multi.longitude is None and multi.camera_type == 99  # (0,0); ptzType 6 → other
    assert ipc.parent_id == IPC and dome.parent_id == NVR
    refs = {code: await wvp.channel_ref(code) for code in channels}
    assert refs[DOME].device_id == NVR and refs[DOME].channel_id == DOME
    assert (refs[DOME].gb_id is not None) == (double.version == "master")


def test_ptz_type_to_appendix_5_camera_type() -> None:
    assert [camera_type_of(v) for v in (1, 2, 3, 4, 5, 7, "4", 0, None, "x")] == [
        1, 2, 3, 4, 99, 99, 4, None, None, None]


@versions
async def test_paging_walks_every_page(double: WvpDouble) -> None:
    for n in range(5):
        double.add_channel(ChannelSpec(code=f"4415020000131100000{n}", name=f"补充{n}",
                                       parent="44150200001180000002"))
    platform = WvpPlatform(wvp_settings(double, page_size=2))
    try:
        pages = [page async for page in platform.channels()]
    finally:
        await platform.close()
    assert sum(len(p) for p in pages) == 9 and all(len(p) <= 2 for p in pages)
    listed = [r for r in double.requests if r.path.endswith(("/channels", "/channel/list"))]
    assert {r.params["count"] for r in listed} == {"2"}
    # 5 channels under one device (2.7.x walks per device), or 9 in one common list.
    assert max(int(r.params["page"]) for r in listed) == (5 if double.version == "master" else 3)


async def test_unknown_codes_are_looked_up_on_demand_and_misses_are_cached(
        double: WvpDouble, wvp: WvpPlatform) -> None:
    url = await wvp.start_live(DOME)  # no channels() walk before: looked up by query
    assert url.endswith(".live.flv")
    lookups = [r for r in double.requests if r.params.get("query") == DOME]
    assert lookups
    with pytest.raises(DeviceNotFound):
        await wvp.start_live("44150200001310099999")
    walked = len(double.requests)
    with pytest.raises(DeviceNotFound):
        await wvp.start_live("44150200001310099999")
    assert len(double.requests) == walked  # answered from the negative cache


async def test_a_channel_that_moved_device_is_found_again(double: WvpDouble,
                                                          wvp: WvpPlatform) -> None:
    await all_channels(wvp)
    double.remove_channel(DOME)
    double.add_channel(ChannelSpec(code=DOME, name="迁移后", parent="44150200001180000077"))
    url = await wvp.start_live(DOME)
    assert "44150200001180000077_" + DOME in url


# --- live ----------------------------------------------------------------------------------


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


def test_old_stream_info_objects_are_understood() -> None:
    platform = WvpPlatform(WvpSettings(url="http://127.0.0.1:1", media_preference=["rtsp"]))
    assert platform.media_url({"rtsp": {"protocol": "rtsp", "url": "rtsp://h/rtp/s"}}) == \
        "rtsp://h/rtp/s"


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


# --- playback and recordings ---------------------------------------------------------------


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


# --- PTZ -----------------------------------------------------------------------------------


@versions
async def test_ptz_goes_to_the_path_of_the_version(double: WvpDouble, wvp: WvpPlatform) -> None:
    await wvp.ptz(DOME, PtzMove(command=PtzCommand.UPLEFT, pan_speed=255, tilt_speed=51,
                                zoom_speed=15))
    await wvp.ptz(DOME, PtzMove(command=PtzCommand.STOP))
    first, second = double.ptz_commands
    assert (first["device"], first["channel"], first["command"]) == (NVR, DOME, "upleft")
    assert second["command"] == "stop"
    if double.version == "2.7.1":
        [call, _] = double.calls("/api/ptz/control/")
        assert call.method == "POST" and first["path"] == "control"
        assert (first["horizonSpeed"], first["verticalSpeed"], first["zoomSpeed"]) == (
            "255", "51", "15")
    elif double.version == "2.7.3":
        assert double.calls(f"/api/front-end/ptz/{NVR}/{DOME}")[0].method == "GET"
        assert (first["horizonSpeed"], first["verticalSpeed"], first["zoomSpeed"]) == (
            "255", "51", "15")
    else:  # the common front-end API takes 0–100
        assert first["path"] == "common"
        assert (first["panSpeed"], first["tiltSpeed"], first["zoomSpeed"]) == ("100", "20", "100")


# --- alarms --------------------------------------------------------------------------------


async def collect(platform: WvpPlatform, count: int, into: list[PlatformAlarm]) -> None:
    async for alarm in platform.alarms():
        into.append(alarm)
        if len(into) >= count:
            return


async def eventually(predicate, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)


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


def test_sse_parser() -> None:
    parser = SseParser()
    lines = [":keep alive", "", "event:keepalive", "data:1", "", "event: message",
             'data: {"a":', 'data: 1}', "", "data:x", ""]
    events = [e for e in (parser.feed(line) for line in lines) if e]
    assert events == [("keepalive", "1"), ("message", '{"a":\n1}'), ("message", "x")]


# --- secrets, lifecycle, settings ----------------------------------------------------------


@pytest.mark.parametrize("double", [{"token_ttl_s": 0.2}], indirect=True)
async def test_credentials_and_tokens_never_reach_the_logs(
        double: WvpDouble, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    platform = WvpPlatform(wvp_settings(double))
    bad = WvpPlatform(wvp_settings(double, password="Another#Secret-1"))
    try:
        await all_channels(platform)
        await asyncio.sleep(0.3)
        await platform.start_live(DOME)  # expired → 401 → signed in again
        with pytest.raises(PlatformAuthError):
            await all_channels(bad)
    finally:
        await platform.close()
        await bad.close()
    tokens = {r.token for r in double.requests if r.token}
    assert double.logins == 2 and len(tokens) == 2
    text = caplog.text + repr(wvp_settings(double)) + repr(load_settings({
        "BFF_PLATFORM": "wvp", "BFF_WVP_URL": double.url, "BFF_WVP_PASSWORD": PASSWORD}))
    assert "/api/user/login" in caplog.text  # httpx did log the sign-in request …
    for secret in (PASSWORD, MD5, "Another#Secret-1",
                   hashlib.md5(b"Another#Secret-1").hexdigest(), *tokens):
        assert secret not in text  # … with the md5 masked


async def test_closed_adapter_refuses_calls(double: WvpDouble) -> None:
    platform = WvpPlatform(wvp_settings(double))
    await platform.start_live(DOME)
    await platform.close()
    with pytest.raises(PlatformError, match="closed"):
        await platform.stop_live(DOME)


def test_settings_for_wvp() -> None:
    settings = load_settings({
        "BFF_PLATFORM": "wvp", "BFF_WVP_URL": "http://10.20.0.5:18080",
        "BFF_WVP_USERNAME": "bff", "BFF_WVP_PASSWORD": "p", "BFF_WVP_API": "common",
        "BFF_WVP_TIMEOUT": "4", "BFF_WVP_PLAY_TIMEOUT": "90", "BFF_WVP_MEDIA": "ts, flv",
        "BFF_WVP_ALARMS": "poll", "BFF_WVP_ALARM_POLL_SECONDS": "2", "BFF_WVP_PAGE_SIZE": "500",
        "BFF_WVP_SYNC_SECONDS": "0", "BFF_WVP_TIMEZONE": "+08:00", "BFF_WVP_VERIFY_TLS": "no",
    })
    wvp = settings.wvp
    assert (settings.platform.kind, wvp.url, wvp.username, wvp.api_version) == (
        "wvp", "http://10.20.0.5:18080", "bff", "common")
    assert (wvp.request_timeout_s, wvp.play_timeout_s, wvp.media_preference) == (
        4.0, 90.0, ["ts", "flv"])
    assert (wvp.alarm_mode, wvp.alarm_poll_s, wvp.page_size, wvp.sync_interval_s) == (
        "poll", 2.0, 500, 0.0)
    assert wvp.tzinfo().utcoffset(None) == timedelta(hours=8) and wvp.verify_tls is False
    assert isinstance(create_platform(settings), WvpPlatform)
    assert isinstance(create_platform(Settings()), DemoPlatform)


@pytest.mark.parametrize("environ", [
    {"BFF_PLATFORM": "wvp"},
    {"BFF_PLATFORM": "wvp", "BFF_WVP_URL": "10.20.0.5:18080"},
    {"BFF_PLATFORM": "wvp", "BFF_WVP_URL": "http://h", "BFF_WVP_API": "2.8"},
    {"BFF_PLATFORM": "wvp", "BFF_WVP_URL": "http://h", "BFF_WVP_ALARMS": "mqtt"},
    {"BFF_PLATFORM": "wvp", "BFF_WVP_URL": "http://h", "BFF_WVP_PAGE_SIZE": "0"},
    {"BFF_PLATFORM": "wvp", "BFF_WVP_URL": "http://h", "BFF_WVP_TIMEZONE": "Mars/Olympus"},
    {"BFF_PLATFORM": "wvp", "BFF_WVP_URL": "http://h", "BFF_WVP_MEDIA": " , "},
])
def test_bad_wvp_settings_fail_at_load(environ: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match="BFF_WVP|wvp"):
        load_settings(environ)


def test_a_demo_setup_needs_no_wvp_url() -> None:
    assert load_settings({"BFF_WVP_PASSWORD": "x"}).platform.kind == "demo"
    assert msgspec.structs.asdict(WvpSettings())["url"] == ""
