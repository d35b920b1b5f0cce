"""The WVP-GB28181-pro adapter: the `Platform` interface over WVP's HTTP API (SPEC §3).

WVP (with its ZLMediaKit media server) is the open-source GB/T 28181 platform most
Chinese deployments run. What this module relies on, per the shared WVP-API.md notes:

* Sign-in: `/api/user/login?username=U&password=<md5 hex>` (query string); the JWT goes
  in the `access-token` header of every call. There is no refresh: on HTTP 401 the
  adapter signs in again, once, and repeats the call.
* Every reply is `{code, msg, data}` with code 0 = success; business errors come back as
  HTTP 200 with a non-zero code and are raised as the typed errors of `base`:
  DeviceNotFound (404, "设备不存在"), PlatformTimeout (408, 486, "点播超时", no reply in
  time), PlatformUnavailable (unreachable, HTTP 5xx, code 500), PlatformAuthError
  (credentials or token refused), PlatformError otherwise.
* Versions differ in field names and paths (`WvpSettings.api_version`): 2.7.1 lists a
  channel's code as `channelId` and its device as `deviceId` with a boolean status;
  2.7.3+ lists the code as `deviceId` and status "ON"/"OFF"; the common-channel API of
  2.7.4-2026/master lists `gb*` fields and plays by the integer `gbId`. These
  differences live in the `_Api` tables below, not in branches scattered through code.

WVP names a camera by (parent device id, channel code) or by gbId; the BFF names it by
its 20-digit code alone. The adapter keeps that mapping, filled by `channels()` and
looked up on demand (then cached, negative answers briefly) when a code is missing.
Credentials and tokens are never logged: httpx's own request log has the md5 redacted.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import math
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from bff.lib.settings import WvpSettings
from bff.platform.base import (
    PLAYBACK_SPEEDS,
    ChannelState,
    DeviceNotFound,
    PlatformAlarm,
    PlatformAuthError,
    PlatformError,
    PlatformTimeout,
    PlatformUnavailable,
    PlaybackAction,
    PlaybackControl,
    PlaybackStream,
    PtzMove,
    Recording,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

WVP_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
MAX_PAGES = 10_000
"""Hard bound on pages per listing, whatever totals the server claims."""
MISSING_CACHE_S = 30.0
"""How long a code the platform does not know is not looked up again."""
ALARM_RETRY_MAX_S = 30.0
_NOT_FOUND_TEXTS = ("设备不存在", "通道不存在", "未找到设备", "未找到通道")

# WVP's ptzType (1 球机, 2 半球, 3 固定枪机, 4 遥控枪机) → appendix-5 camera type.
_CAMERA_TYPES = {1: 1, 2: 2, 3: 3, 4: 4}
OTHER_CAMERA_TYPE = 99


@dataclass(frozen=True, slots=True)
class _ChannelShape:
    """Where one API generation keeps a channel's fields (None = not listed)."""

    code: str
    name: str
    status: str
    longitude: str
    latitude: str
    ptz_type: str
    civil_code: str
    address: str
    parent: str | None
    """Field naming the parent device; None = the device being walked is the parent."""
    gb_id: str | None = None


_SHAPES: Mapping[str, _ChannelShape] = {
    "2.7.1": _ChannelShape(code="channelId", name="name", status="status",
                           longitude="longitude", latitude="latitude", ptz_type="ptzType",
                           civil_code="civilCode", address="address", parent="deviceId"),
    "2.7.3": _ChannelShape(code="deviceId", name="name", status="status",
                           longitude="longitude", latitude="latitude", ptz_type="ptzType",
                           civil_code="civilCode", address="address", parent=None),
    "common": _ChannelShape(code="gbDeviceId", name="gbName", status="gbStatus",
                            longitude="gbLongitude", latitude="gbLatitude",
                            ptz_type="gbPtzType", civil_code="gbCivilCode",
                            address="gbAddress", parent="gbParentId", gb_id="gbId"),
}

# Alarm fields as the SSE DeviceAlarm (≤2.7.4-20260107) and master's /api/alarm/list
# name them; the first one present wins.
_ALARM_FIELDS: Mapping[str, tuple[str, ...]] = {
    "id": ("id", "alarmSn"),
    "device_id": ("channelDeviceId", "channelId", "deviceId"),
    "type": ("alarmType", "alarmMethod"),
    "priority": ("alarmPriority",),
    "time": ("alarmTime", "createTime"),
    "description": ("alarmDescription", "description"),
    "longitude": ("longitude",),
    "latitude": ("latitude",),
}


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """How WVP addresses one camera: (parent device, channel code), or gbId."""

    device_id: str
    channel_id: str
    gb_id: int | None = None


class _RedactSecrets(logging.Filter):
    """Masks the md5 password and tokens where the HTTP client logs them: httpx's
    "HTTP Request: GET <url>" line (the sign-in query) and httpcore's debug trace of
    response headers (WVP returns the JWT in an `access-token` header)."""

    query = re.compile(r"(?i)\b(password|access-token|accesstoken|api-key|token)=[^&\s\"']*")
    header = re.compile(r"(?i)\(b'(access-token|api-key|authorization|set-cookie)', b'[^']*'\)")
    jwt = re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.query.sub(r"\1=***", message)
        redacted = self.header.sub(r"(b'\1', b'***')", redacted)
        redacted = self.jwt.sub("***", redacted)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


# Logger filters only see records of their own logger, not of its children: name each.
_CLIENT_LOGGERS = ("httpx", "httpcore.http11", "httpcore.http2", "httpcore.connection")


def _install_redaction() -> None:
    for name in _CLIENT_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _RedactSecrets) for f in logger.filters):
            logger.addFilter(_RedactSecrets())


class WvpPlatform:
    """`Platform` implementation speaking WVP-GB28181-pro's HTTP API."""

    def __init__(self, settings: WvpSettings, *,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not settings.url.strip():
            raise PlatformError("WVP URL is not configured (BFF_WVP_URL)")
        self._settings = settings
        self._shape = _SHAPES[settings.api_version]
        self._common = settings.api_version == "common"
        self._tz: tzinfo = settings.tzinfo()
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._token: str | None = None
        self._login_lock = asyncio.Lock()
        self._lookup_lock = asyncio.Lock()
        self._refs: dict[str, ChannelRef] = {}
        self._missing: dict[str, float] = {}
        self._closed = asyncio.Event()
        self._browser_id = f"bff-{uuid.uuid4().hex[:12]}"
        _install_redaction()

    # --- HTTP plumbing -------------------------------------------------------------------

    def _http(self) -> httpx.AsyncClient:
        if self._closed.is_set():
            raise PlatformError("WVP adapter is closed")
        if self._client is None:
            # Created on first use so its connections belong to the loop that uses them.
            self._client = httpx.AsyncClient(
                base_url=self._settings.url.rstrip("/"),
                timeout=httpx.Timeout(self._settings.request_timeout_s),
                verify=self._settings.verify_tls, transport=self._transport,
                headers={"accept": "application/json"}, follow_redirects=False,
                trust_env=False,
            )
        return self._client

    def _play_timeout(self) -> httpx.Timeout:
        # Connecting is quick or never; only the wait for WVP's answer is long.
        return httpx.Timeout(self._settings.request_timeout_s,
                             read=self._settings.play_timeout_s)

    async def _send(self, method: str, path: str, *, params: Mapping[str, Any] | None,
                    headers: Mapping[str, str], timeout: httpx.Timeout | None,
                    what: str) -> httpx.Response:
        """One request; transport failures become typed errors. `what` names it in errors
        (never the URL: the login URL carries the md5)."""
        try:
            return await self._http().request(
                method, path, params=params, headers=headers,
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT)
        except httpx.ConnectTimeout as exc:
            raise PlatformUnavailable(f"WVP unreachable ({what}): connect timed out") from exc
        except httpx.TimeoutException as exc:
            raise PlatformTimeout(f"WVP did not answer in time ({what})") from exc
        except httpx.HTTPError as exc:
            raise PlatformUnavailable(
                f"WVP unreachable ({what}): {type(exc).__name__}") from exc

    async def _login(self) -> str:
        settings = self._settings
        # WVP's scheme: the md5 hex of the password, in the query string.
        digest = hashlib.md5(settings.password.encode()).hexdigest()
        response = await self._send(
            "GET", "/api/user/login", params={"username": settings.username, "password": digest},
            headers={}, timeout=None, what="sign-in")
        if response.status_code >= 500:
            raise PlatformUnavailable(
                f"WVP sign-in failed internally (HTTP {response.status_code})")
        body = _json(response)
        if response.status_code >= 400 or not isinstance(body, dict) or body.get("code") != 0:
            message = body.get("msg") if isinstance(body, dict) else None
            raise PlatformAuthError(
                f"WVP refused the sign-in of {settings.username!r}: "
                f"{message or f'HTTP {response.status_code}'}")
        data = body.get("data")
        token = (data.get("accessToken") if isinstance(data, dict) else None) or \
            response.headers.get("access-token")
        if not token:
            raise PlatformAuthError("WVP accepted the sign-in but sent no access token")
        log.info("signed in to WVP as %s", settings.username)
        return str(token)

    async def _current_token(self) -> str:
        token = self._token
        if token is not None:
            return token
        async with self._login_lock:
            if self._token is None:
                self._token = await self._login()
            return self._token

    async def _renew_token(self, stale: str) -> None:
        async with self._login_lock:
            if self._token == stale:  # nobody renewed it meanwhile
                self._token = None
                self._token = await self._login()

    async def _call(self, path: str, params: Mapping[str, Any] | None = None, *,
                    method: str = "GET", timeout: httpx.Timeout | None = None) -> Any:
        """Call one API path and return the envelope's `data`; signs in as needed and
        once more when the token was refused."""
        for attempt in (1, 2):
            token = await self._current_token()
            response = await self._send(method, path, params=params,
                                        headers={"access-token": token}, timeout=timeout,
                                        what=path)
            body = _json(response)
            refused = response.status_code == 401 or (
                isinstance(body, dict) and body.get("code") == 401)
            if refused and attempt == 1:
                log.info("WVP refused the token (expired?); signing in again")
                await self._renew_token(token)
                continue
            return _unwrap(response, body, path)
        raise PlatformAuthError("WVP refused a fresh token")  # pragma: no cover - loop returns

    # --- catalogue -----------------------------------------------------------------------

    async def _pages(self, path: str, params: Mapping[str, Any] | None = None
                     ) -> AsyncIterator[list[dict[str, Any]]]:
        """Walk a paged listing (`page`, `count` → `data.list/total/pages`)."""
        size = self._settings.page_size
        page = 1
        while page <= MAX_PAGES:
            data = await self._call(path, {**(params or {}), "page": page, "count": size})
            items, pages = _page_of(data, page, size)
            if items:
                yield items
            if not items or page >= pages:
                return
            page += 1

    def _state_of(self, item: dict[str, Any], parent: str | None) -> ChannelState | None:
        """Read one listed channel and remember how to address it."""
        shape = self._shape
        code = _text(item.get(shape.code))
        if not code:
            return None
        parent_id = (_text(item.get(shape.parent)) if shape.parent else "") or parent
        gb_id = _int(item.get(shape.gb_id)) if shape.gb_id else None
        if self._common:
            if gb_id is None:
                return None
            self._refs[code] = ChannelRef(device_id=parent_id or code, channel_id=code,
                                          gb_id=gb_id)
        else:
            if not parent_id:
                return None
            self._refs[code] = ChannelRef(device_id=parent_id, channel_id=code)
        self._missing.pop(code, None)
        longitude = _coordinate(item.get(shape.longitude), 180.0)
        latitude = _coordinate(item.get(shape.latitude), 90.0)
        if longitude is None or latitude is None or (longitude == 0.0 and latitude == 0.0):
            longitude = latitude = None  # half a position, or (0, 0), is no position
        return ChannelState(
            device_id=code, name=_text(item.get(shape.name)) or code,
            online=_online(item.get(shape.status)), longitude=longitude, latitude=latitude,
            camera_type=camera_type_of(item.get(shape.ptz_type)),
            civil_code=_text(item.get(shape.civil_code)) or None,
            address=_text(item.get(shape.address)) or None, parent_id=parent_id or None)

    async def _channel_pages(self, query: str | None = None
                             ) -> AsyncIterator[list[ChannelState]]:
        extra = {"query": query} if query else {}
        if self._common:
            async for items in self._pages("/api/common/channel/list", extra):
                states = [s for s in (self._state_of(i, None) for i in items) if s]
                if states:
                    yield states
            return
        async for devices in self._pages("/api/device/query/devices"):
            for device in devices:
                parent = _text(device.get("deviceId"))
                if not parent:
                    continue
                path = f"/api/device/query/devices/{_segment(parent)}/channels"
                # channelType=false: video channels only, not catalogue folders.
                async for items in self._pages(path, {**extra, "channelType": "false"}):
                    states = [s for s in (self._state_of(i, parent) for i in items) if s]
                    if states:
                        yield states

    async def channels(self) -> AsyncIterator[list[ChannelState]]:
        """Every channel WVP knows, page by page, with its live fields (and the mapping
        code → WVP address refreshed on the way)."""
        async for states in self._channel_pages():
            yield states

    async def channel_ref(self, device_id: str) -> ChannelRef:
        """How WVP addresses camera `device_id`; looked up (and cached) when unknown.
        Raises DeviceNotFound when WVP lists no such channel."""
        ref = self._refs.get(device_id)
        if ref is not None:
            return ref
        async with self._lookup_lock:
            ref = self._refs.get(device_id)
            if ref is not None:
                return ref
            if time.monotonic() < self._missing.get(device_id, 0.0):
                raise DeviceNotFound(device_id)
            async with contextlib.aclosing(self._channel_pages(query=device_id)) as pages:
                async for _ in pages:
                    if device_id in self._refs:
                        return self._refs[device_id]
            self._missing[device_id] = time.monotonic() + MISSING_CACHE_S
        raise DeviceNotFound(device_id)

    async def _with_ref(self, device_id: str, call: Any) -> Any:
        """Run `call(ref)`; when WVP says the device is gone although the mapping knew it,
        forget the mapping, look it up again and retry once (channels move between
        devices when a lower platform is re-registered)."""
        ref = await self.channel_ref(device_id)
        try:
            return await call(ref)
        except DeviceNotFound:
            self._refs.pop(device_id, None)
            fresh = await self.channel_ref(device_id)
            if fresh == ref:
                raise
            return await call(fresh)

    # --- live ----------------------------------------------------------------------------

    async def start_live(self, device_id: str) -> str:
        """Ask WVP to pull the camera (it blocks until the stream is up) and return the
        preferred media URL of the StreamContent."""
        async def play(ref: ChannelRef) -> Any:
            if self._common:
                return await self._call("/api/common/channel/play", {"channelId": ref.gb_id},
                                        timeout=self._play_timeout())
            return await self._call(f"/api/play/start/{_pair(ref)}", timeout=self._play_timeout())

        return self.media_url(await self._with_ref(device_id, play))

    async def stop_live(self, device_id: str) -> None:
        """Tell WVP the BFF stopped reading (it tears the GB session down)."""
        ref = await self.channel_ref(device_id)
        if self._common:
            await self._call("/api/common/channel/play/stop", {"channelId": ref.gb_id})
        else:
            await self._call(f"/api/play/stop/{_pair(ref)}")

    def media_url(self, content: Any) -> str:
        """The first non-null URL of StreamContent in `media_preference` order."""
        if isinstance(content, dict):
            for name in self._settings.media_preference:
                value = content.get(name)
                if isinstance(value, dict):  # pre-2.7 StreamInfo: {protocol, host, …, url}
                    value = value.get("url")
                if isinstance(value, str) and value.strip():
                    return value.strip()
        raise PlatformError("WVP's stream offers none of the preferred media URLs "
                            f"({', '.join(self._settings.media_preference)}; BFF_WVP_MEDIA)")

    # --- playback ------------------------------------------------------------------------

    def _wvp_time(self, moment: datetime) -> str:
        if moment.tzinfo is None:
            raise ValueError("naive datetime: give WVP times with a time zone")
        return moment.astimezone(self._tz).strftime(WVP_TIME_FORMAT)

    def _parse_time(self, value: Any) -> datetime | None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            seconds = value / 1000 if value > 10**11 else value  # epoch ms or s
            return datetime.fromtimestamp(seconds, UTC)
        text = _text(value)
        if not text:
            return None
        try:
            return datetime.strptime(text, WVP_TIME_FORMAT).replace(tzinfo=self._tz)
        except ValueError:
            pass
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=self._tz)

    async def _call_over_window(self, device_id: str, start: datetime, end: datetime,
                                common_path: str, device_path: str) -> Any:
        """A call about a stretch of recording: by channel id on the common-channel API,
        else by device/channel pair (both wait on the device, so the play timeout)."""
        window = {"startTime": self._wvp_time(start), "endTime": self._wvp_time(end)}

        async def call(ref: ChannelRef) -> Any:
            if self._common:
                return await self._call(common_path, {"channelId": ref.gb_id, **window},
                                        timeout=self._play_timeout())
            return await self._call(f"{device_path}/{_pair(ref)}", window,
                                    timeout=self._play_timeout())

        return await self._with_ref(device_id, call)

    async def recordings(self, device_id: str, start: datetime, end: datetime) -> list[Recording]:
        """Recorded stretches between `start` and `end` (asked of the device by WVP)."""
        data = await self._call_over_window(device_id, start, end,
                                            "/api/common/channel/playback/query",
                                            "/api/gb_record/query")
        items = data.get("recordList") if isinstance(data, dict) else data
        found: list[Recording] = []
        for item in items or []:
            if not isinstance(item, dict):
                continue
            began, ended = self._parse_time(item.get("startTime")), self._parse_time(
                item.get("endTime"))
            if began is None or ended is None:
                continue
            found.append(Recording(start=began, end=ended, size_bytes=_int(item.get("fileSize"))))
        return sorted(found, key=lambda r: r.start)

    async def start_playback(self, device_id: str, start: datetime,
                             end: datetime) -> PlaybackStream:
        """Start playing back the camera's recording between `start` and `end`."""
        content = await self._call_over_window(device_id, start, end,
                                               "/api/common/channel/playback",
                                               "/api/playback/start")
        stream = _text(content.get("stream")) if isinstance(content, dict) else ""
        if not stream:
            raise PlatformError("WVP started a playback without naming its stream")
        return PlaybackStream(stream_id=stream, media_url=self.media_url(content))

    async def control_playback(self, device_id: str, stream_id: str,
                               control: PlaybackControl) -> None:
        """Pause, resume, seek (seconds from the start) or change speed."""
        action = control.action
        value: str | None = None
        if action is PlaybackAction.SEEK:
            if control.seconds is None:
                raise ValueError("seek needs seconds")
            value = str(control.seconds)
        elif action is PlaybackAction.SPEED:
            if control.speed is None or control.speed not in PLAYBACK_SPEEDS:
                raise ValueError(f"speed must be one of {PLAYBACK_SPEEDS}")
            value = f"{control.speed:g}"
        if self._common:
            ref = await self.channel_ref(device_id)
            params: dict[str, Any] = {"channelId": ref.gb_id, "stream": stream_id}
            if action is PlaybackAction.SEEK:
                params["seekTime"] = value
            elif action is PlaybackAction.SPEED:
                params["speed"] = value
            await self._call(f"/api/common/channel/playback/{action.value}", params)
            return
        path = f"/api/playback/{action.value}/{_segment(stream_id)}"
        await self._call(f"{path}/{value}" if value is not None else path)

    async def stop_playback(self, device_id: str, stream_id: str) -> None:
        """Stop a started playback."""
        ref = await self.channel_ref(device_id)
        if self._common:
            await self._call("/api/common/channel/playback/stop",
                             {"channelId": ref.gb_id, "stream": stream_id})
        else:
            await self._call(f"/api/playback/stop/{_pair(ref)}/{_segment(stream_id)}")

    # --- PTZ -----------------------------------------------------------------------------

    async def ptz(self, device_id: str, move: PtzMove) -> None:
        """One pan/tilt/zoom command (the camera moves until STOP)."""
        ref = await self.channel_ref(device_id)
        command = move.command.value
        if self._common:
            # The common front-end API takes speeds 0–100.
            await self._call("/api/common/channel/front-end/ptz", {
                "channelId": ref.gb_id, "command": command,
                "panSpeed": round(move.pan_speed * 100 / 255),
                "tiltSpeed": round(move.tilt_speed * 100 / 255),
                "zoomSpeed": round(move.zoom_speed * 100 / 15)})
            return
        params = {"command": command, "horizonSpeed": move.pan_speed,
                  "verticalSpeed": move.tilt_speed, "zoomSpeed": move.zoom_speed}
        if self._settings.api_version == "2.7.1":
            await self._call(f"/api/ptz/control/{_pair(ref)}", params, method="POST")
        else:
            await self._call(f"/api/front-end/ptz/{_pair(ref)}", params)

    # --- alarms --------------------------------------------------------------------------

    async def alarms(self) -> AsyncIterator[PlatformAlarm]:
        """Device alarms as WVP relays them, until `close()`: server-sent events or
        polling (`alarm_mode`). Connection failures are logged and retried with capped
        backoff; they never end the iteration."""
        mode = self._settings.alarm_mode
        if mode == "off":
            await self._closed.wait()
            return
        delay = 1.0
        while not self._closed.is_set():
            source = self._sse_alarms() if mode == "sse" else self._polled_alarms()
            try:
                async for alarm in source:
                    delay = 1.0
                    yield alarm
            except PlatformError as exc:
                log.warning("WVP alarm %s failed (%s); retrying in %.0fs", mode, exc, delay)
            finally:
                await source.aclose()
            if self._closed.is_set():
                return
            await self._unless_closed(asyncio.sleep(delay))
            delay = min(delay * 2, ALARM_RETRY_MAX_S)

    async def _unless_closed(self, awaitable: Awaitable[T]) -> T | None:
        """Await `awaitable`, or give up (None) as soon as the adapter closes."""
        task = asyncio.ensure_future(awaitable)
        closing = asyncio.ensure_future(self._closed.wait())
        try:
            await asyncio.wait({task, closing}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            closing.cancel()
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if task.cancelled():
            return None
        return task.result()

    async def _sse_alarms(self) -> AsyncIterator[PlatformAlarm]:
        path = "/api/emit"
        for attempt in (1, 2):
            token = await self._current_token()
            client = self._http()
            request = client.build_request(
                "GET", path, params={"browserId": self._browser_id},
                headers={"access-token": token, "accept": "text/event-stream"})
            try:
                response = await client.send(request, stream=True)
            except httpx.HTTPError as exc:
                raise PlatformUnavailable(
                    f"WVP unreachable ({path}): {type(exc).__name__}") from exc
            try:
                if response.status_code == 401 and attempt == 1:
                    await self._renew_token(token)
                    continue
                if response.status_code != 200 or "text/event-stream" not in \
                        response.headers.get("content-type", ""):
                    await response.aread()
                    _unwrap(response, _json(response), path)
                    raise PlatformError(f"WVP's {path} is not an event stream")
                log.info("listening to WVP alarms (server-sent events)")
                lines = response.aiter_lines()
                event = SseParser()
                while True:
                    line = await self._unless_closed(_next_line(lines))
                    if line is None:
                        return
                    message = event.feed(line)
                    if message is not None and message[0] == "message":
                        alarm = self._alarm_of(_json_text(message[1]))
                        if alarm is not None:
                            yield alarm
            except httpx.TimeoutException as exc:
                raise PlatformTimeout("WVP's alarm stream went silent") from exc
            except httpx.HTTPError as exc:
                raise PlatformUnavailable(
                    f"WVP's alarm stream broke: {type(exc).__name__}") from exc
            finally:
                await response.aclose()

    async def _polled_alarms(self) -> AsyncIterator[PlatformAlarm]:
        """Poll master's /api/alarm/list; alarms already there at the first poll are
        history, not news, so only ids above that watermark are yielded."""
        watermark: int | None = None
        while not self._closed.is_set():
            newest: list[dict[str, Any]] = []
            async with contextlib.aclosing(self._pages("/api/alarm/list")) as pages:
                async for items in pages:  # newest first
                    fresh = [i for i in items if (n := _int(i.get("id"))) is not None
                             and (watermark is None or n > watermark)]
                    newest.extend(fresh)
                    if len(fresh) < len(items) or watermark is None:
                        break  # reached what was already seen (or this is the baseline)
            ids = [n for i in newest if (n := _int(i.get("id"))) is not None]
            if watermark is not None:
                for item in sorted(newest, key=lambda i: _int(i.get("id")) or 0):
                    alarm = self._alarm_of(item)
                    if alarm is not None:
                        yield alarm
            watermark = max([*ids, watermark or 0])
            await self._unless_closed(asyncio.sleep(self._settings.alarm_poll_s))

    def _alarm_of(self, item: Any) -> PlatformAlarm | None:
        if not isinstance(item, dict):
            return None

        def pick(key: str) -> Any:
            for name in _ALARM_FIELDS[key]:
                value = item.get(name)
                if value is not None and value != "":
                    return value
            return None

        device_id = _text(pick("device_id"))
        if not device_id:
            return None
        occurred = self._parse_time(pick("time")) or datetime.now(UTC)
        alarm_id = _text(pick("id")) or f"{device_id}@{occurred.isoformat()}"
        longitude = _coordinate(pick("longitude"), 180.0)
        latitude = _coordinate(pick("latitude"), 90.0)
        if longitude is None or latitude is None or (longitude == 0.0 and latitude == 0.0):
            longitude = latitude = None
        return PlatformAlarm(alarm_id=alarm_id, device_id=device_id,
                             alarm_type=_text(pick("type")), priority=_int(pick("priority")),
                             occurred_at=occurred, description=_text(pick("description")),
                             longitude=longitude, latitude=latitude)

    async def close(self) -> None:
        """Stop alarm listeners and release connections; later calls raise."""
        self._closed.set()
        if self._client is not None:
            await self._client.aclose()


class SseParser:
    """Server-sent events, line by line (WHATWG rules: `event:`/`data:` fields, `:`
    comments, a blank line dispatches)."""

    def __init__(self) -> None:
        self._event = ""
        self._data: list[str] = []

    def feed(self, line: str) -> tuple[str, str] | None:
        """Take one line; return (event, data) when it completes an event."""
        line = line.rstrip("\r")
        if not line:
            if not self._data and not self._event:
                return None
            event, data = self._event or "message", "\n".join(self._data)
            self._event, self._data = "", []
            return event, data
        if line.startswith(":"):
            return None  # comment, e.g. WVP's ":keep alive"
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        return None


# --- helpers --------------------------------------------------------------------------------


async def _next_line(lines: AsyncIterator[str]) -> str:
    try:
        return await anext(lines)
    except StopAsyncIteration:
        raise PlatformUnavailable("WVP closed the alarm stream") from None


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _json_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        log.warning("WVP sent an alarm that is not JSON; ignored")
        return None


def _unwrap(response: httpx.Response, body: Any, path: str) -> Any:
    """`data` of a successful envelope; otherwise the typed error."""
    status = response.status_code
    message = body.get("msg") if isinstance(body, dict) else None
    if status >= 500:
        raise PlatformUnavailable(
            f"WVP failed on {path} (HTTP {status}): {message or ''}".rstrip(": "))
    if status in (401, 403):
        raise PlatformAuthError(f"WVP refused {path} (HTTP {status})")
    if status == 404:
        raise PlatformError(f"WVP has no {path} (HTTP 404): check BFF_WVP_API")
    if status >= 400:
        raise PlatformError(f"WVP rejected {path} (HTTP {status}): {message or ''}".rstrip(": "))
    if not isinstance(body, dict) or "code" not in body:
        raise PlatformError(f"WVP answered {path} without its {{code, msg, data}} envelope")
    code = body.get("code")
    if code == 0:
        return body.get("data")
    raise business_error(code, str(message or ""), path)


def business_error(code: Any, message: str, path: str) -> PlatformError:
    """The typed error for a non-zero envelope code (HTTP 200 business error)."""
    text = f"WVP {path}: {message or 'failed'} (code {code})"
    if code == 404 or any(t in message for t in _NOT_FOUND_TEXTS):
        return DeviceNotFound(text)
    if code in (408, 486) or "超时" in message:
        return PlatformTimeout(text)
    if code in (401, 403):
        return PlatformAuthError(text)
    if code == 500:
        return PlatformUnavailable(text)
    return PlatformError(text)


def _page_of(data: Any, page: int, size: int) -> tuple[list[dict[str, Any]], int]:
    """Items of one page and the number of pages (PageHelper's PageInfo, or a list)."""
    if isinstance(data, list):
        return [i for i in data if isinstance(i, dict)], page
    if not isinstance(data, dict):
        return [], page
    items = [i for i in (data.get("list") or []) if isinstance(i, dict)]
    pages = _int(data.get("pages"))
    if pages is None or pages <= 0:
        total = _int(data.get("total"))
        if total is not None:
            pages = math.ceil(total / size) if size else page
        else:
            pages = page + 1 if len(items) >= size else page
    return items, min(pages, MAX_PAGES)


def camera_type_of(ptz_type: Any) -> int | None:
    """Appendix-5 camera type of WVP's ptzType; None when WVP does not say."""
    number = _int(ptz_type)
    if not number:
        return None
    return _CAMERA_TYPES.get(number, OTHER_CAMERA_TYPE)


def _online(status: Any) -> bool:
    if isinstance(status, bool):
        return status
    if isinstance(status, int | float):
        return status == 1
    return _text(status).upper() in {"ON", "ONLINE", "TRUE", "1"}


def _coordinate(value: Any, bound: float) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and abs(number) <= bound else None


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        return int(number) if number.is_integer() else None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _segment(value: str) -> str:
    return quote(value, safe="")


def _pair(ref: ChannelRef) -> str:
    return f"{_segment(ref.device_id)}/{_segment(ref.channel_id)}"
