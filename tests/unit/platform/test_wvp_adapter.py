"""The WVP adapter's parts that need no WVP: the business-error table, ptzType, old
StreamInfo objects, the SSE parser, an unreachable WVP, and the WVP settings. The
adapter against the WVP double is tested in tests/integration/platform/wvp/."""

from __future__ import annotations

import socket
from datetime import timedelta

import msgspec
import pytest

from bff.demo.platform import DemoPlatform
from bff.lib.settings import Settings, SettingsError, WvpSettings, load_settings
from bff.platform.base import DeviceNotFound, PlatformError, PlatformTimeout, PlatformUnavailable
from bff.platform.wvp import SseParser, WvpPlatform, business_error, camera_type_of
from bff.platform_factory import create_platform

DOME = "44150200001310000001"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_business_error_mapping_table() -> None:
    assert isinstance(business_error(100, "通道不存在", "/p"), DeviceNotFound)
    assert isinstance(business_error(100, "请求超时", "/p"), PlatformTimeout)
    assert type(business_error(400, "参数异常", "/p")) is PlatformError


async def test_connection_refused_is_unavailable() -> None:
    platform = WvpPlatform(WvpSettings(url=f"http://127.0.0.1:{free_port()}", password="x",
                                       request_timeout_s=2.0))
    try:
        with pytest.raises(PlatformUnavailable, match="unreachable"):
            await platform.start_live(DOME)
    finally:
        await platform.close()


def test_ptz_type_to_appendix_5_camera_type() -> None:
    assert [camera_type_of(v) for v in (1, 2, 3, 4, 5, 7, "4", 0, None, "x")] == [
        1, 2, 3, 4, 99, 99, 4, None, None, None]


def test_old_stream_info_objects_are_understood() -> None:
    platform = WvpPlatform(WvpSettings(url="http://127.0.0.1:1", media_preference=["rtsp"]))
    assert platform.media_url({"rtsp": {"protocol": "rtsp", "url": "rtsp://h/rtp/s"}}) == \
        "rtsp://h/rtp/s"


def test_sse_parser() -> None:
    parser = SseParser()
    lines = [":keep alive", "", "event:keepalive", "data:1", "", "event: message",
             'data: {"a":', 'data: 1}', "", "data:x", ""]
    events = [e for e in (parser.feed(line) for line in lines) if e]
    assert events == [("keepalive", "1"), ("message", '{"a":\n1}'), ("message", "x")]


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
