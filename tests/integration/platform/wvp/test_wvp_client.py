"""The WVP client against the double: sign-in and the token, envelopes and business
errors, transport failures, secrets kept out of the logs, a closed adapter."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time

import pytest

from bff.lib.settings import load_settings
from bff.platform.base import (
    DeviceNotFound,
    PlatformAuthError,
    PlatformError,
    PlatformTimeout,
    PlatformUnavailable,
)
from bff.platform.wvp import WvpPlatform
from tests.integration.platform.wvp.wvp_support import (
    DOME,
    MD5,
    PASSWORD,
    all_channels,
    wvp_settings,
)
from tests.wvp_double import WvpDouble

# --- sign-in and the token -------------------------------------------------------------


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


# --- envelopes, business errors, transport failures ------------------------------------


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


# --- secrets, lifecycle ----------------------------------------------------------------


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
