"""A faithful test double of WVP-GB28181-pro and its ZLMediaKit media server.

A plain ASGI app served by uvicorn in a background thread on 127.0.0.1 (a free port),
built from the shared WVP-API.md notes: the same paths, fields and quirks —

* md5 sign-in by query string; a JWT-like token with a configurable lifetime; no or
  expired token → HTTP 401 `{"code":401,"msg":"请登录后重新请求"}`.
* `{code,msg,data}` envelopes; business errors as HTTP 200 with a non-zero code
  ("设备不存在" with code 100 or 404, "点播超时"); unknown paths → Spring's HTTP 404.
* PageHelper paging (`page`, `count` → `list/total/pages/pageNum/pageSize`).
* Version shapes: "2.7.1" (channel code in `channelId`, parent in `deviceId`, boolean
  status, PTZ by POST /api/ptz/control, SSE alarms), "2.7.3" (code in `deviceId`,
  status "ON"/"OFF", PTZ by /api/front-end/ptz, SSE alarms), "master" (2.7.3's shapes
  plus the common-channel API with `gb*` fields, /api/alarm/list polling, no SSE).
* Play start that blocks (`play_delay_s`) or answers "点播超时"; injected faults (HTTP
  500, any code, a raw body) by path prefix; null coordinates; recorded PTZ commands,
  playback controls and every request.
* Media: `/rtp/<stream>.live.ts` and `.live.flv` serve a real live H.264 stream muxed by
  PyAV per client (see `media`), only while the stream is "up" (after play/start, until
  play/stop). `kill_streams()` breaks the connections the way a failed GB session does;
  `media_fail` makes the media server refuse streams.

Tests drive it from their own thread: configuration attributes are plain assignments,
and what the server records is appended under a lock.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import math
import re
import socket
import threading
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Self
from urllib.parse import parse_qs, unquote
from zoneinfo import ZoneInfo

import uvicorn

from tests.wvp_double.media import LiveEncoder

VERSIONS = ("2.7.1", "2.7.3", "master")
ALL = frozenset(VERSIONS)
OLD = frozenset({"2.7.1", "2.7.3"})
NEW = frozenset({"2.7.3", "master"})
MASTER = frozenset({"master"})
ONLY_271 = frozenset({"2.7.1"})

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
CHINA = ZoneInfo("Asia/Shanghai")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
PTZ_COMMANDS = frozenset({"left", "right", "up", "down", "upleft", "upright", "downleft",
                          "downright", "zoomin", "zoomout", "stop"})
SPEEDS = frozenset({0.25, 0.5, 1.0, 2.0, 4.0, 8.0})
# StreamContent fields whose port is "off" on this media server unless a test says so.
DEFAULT_NULL_MEDIA = frozenset({"rtsp", "rtsps", "rtmp", "rtmps", "https_flv", "wss_flv",
                                "https_fmp4", "wss_fmp4", "https_hls", "wss_hls",
                                "https_ts", "wss_ts", "rtcs"})
MAX_STREAM_S = 120.0  # no media or SSE connection outlives this
_JSON = [(b"content-type", b"application/json;charset=UTF-8")]


@dataclass
class ChannelSpec:
    """One camera as WVP knows it; `parent` is the device (NVR, IPC) it hangs under."""

    code: str
    name: str
    parent: str
    online: bool = True
    longitude: float | None = None
    latitude: float | None = None
    ptz_type: int | None = None
    civil_code: str | None = None
    address: str | None = None
    gb_id: int = 0
    """The common-channel id (assigned by the double)."""


@dataclass
class Fault:
    prefix: str
    status: int
    code: int | None
    msg: str
    body: str | None
    delay_s: float
    times: int


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, str]
    token: str | None


@dataclass
class _Connection:
    stream: str
    killed: bool = False
    gone: bool = False


@dataclass
class _Subscriber:
    browser_id: str
    events: list[str] = field(default_factory=list)
    dropped: bool = False


@dataclass
class Reply:
    status: int
    body: Any
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)


def ok(data: Any = None) -> Reply:
    return Reply(200, {"code": 0, "msg": "成功", "data": data})


def fail(code: int, msg: str) -> Reply:
    """A business error: HTTP 200 with a non-zero code, as WVP answers."""
    return Reply(200, {"code": code, "msg": msg, "data": None})


def page_info(items: list[Any], params: dict[str, str]) -> Reply:
    """PageHelper's PageInfo of `items` for the request's `page` and `count`."""
    try:
        page, count = int(params["page"]), int(params["count"])
    except (KeyError, ValueError):
        return Reply(400, {"code": 400, "msg": "Required request parameter 'page'/'count' "
                                               "for method parameter type int is not present"})
    total = len(items)
    start = max(page - 1, 0) * count
    chunk = items[start : start + count]
    pages = math.ceil(total / count) if count else 0
    return ok({"total": total, "list": chunk, "pageNum": page, "pageSize": count,
               "size": len(chunk), "startRow": start + 1 if chunk else 0,
               "endRow": start + len(chunk), "pages": pages,
               "hasPreviousPage": page > 1, "hasNextPage": page < pages})


class _Server(uvicorn.Server):
    """uvicorn checks for shutdown every 0.1 s; a test double should stop at once."""

    async def main_loop(self) -> None:
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864_000
            await asyncio.sleep(0.01)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class WvpDouble:
    """The double: configure it, `start()` it (or use `with`), point the adapter at `url`."""

    def __init__(self, *, version: str = "2.7.3", username: str = "admin",
                 password: str = "Wvp#Secret-2026", token_ttl_s: float = 1800.0,
                 not_found_code: int = 100, keepalive_s: float = 1.0,
                 keepalive_style: str = "event", fps: int = 15, width: int = 320,
                 height: int = 180) -> None:
        assert version in VERSIONS, version
        self.version = version
        self.username = username
        self.password_md5 = hashlib.md5(password.encode()).hexdigest()
        self.token_ttl_s = token_ttl_s
        self.not_found_code = not_found_code
        self.not_found_msg = "设备不存在"
        self.keepalive_s = keepalive_s
        self.keepalive_style = keepalive_style  # "event" (event:keepalive) or "comment"
        self.fps, self.width, self.height = fps, width, height
        # behaviour switches, set by tests
        self.play_delay_s = 0.0
        self.play_result = "ok"  # or "timeout": {"code":100,"msg":"点播超时"}
        self.media_fail = False
        self.null_media_fields: set[str] = set(DEFAULT_NULL_MEDIA)
        self.recordings: dict[str, list[tuple[str, str, str]]] = {}
        # state
        self.lock = threading.RLock()
        self.channels: list[ChannelSpec] = []
        self.requests: list[Recorded] = []
        self.ptz_commands: list[dict[str, str]] = []
        self.playback_commands: list[tuple[str, str, str | None]] = []
        self.logins = 0
        self.active_streams: set[str] = set()
        self.playbacks: dict[str, tuple[str, str]] = {}
        self.media_requests = 0
        self.alarms: list[dict[str, Any]] = []
        self._faults: list[Fault] = []
        self._secret = b"double-jwt-secret"
        self._valid_jti: set[str] = set()
        self._jti = itertools.count(1)
        self._gb_ids = itertools.count(1)
        self._alarm_ids = itertools.count(1)
        self._playback_ids = itertools.count(1)
        self._connections: list[_Connection] = []
        self._subscribers: list[_Subscriber] = []
        self._stopping = False
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # --- lifecycle -----------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> WvpDouble:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self, log_level="warning", access_log=False, lifespan="off",
                                ws="none", timeout_graceful_shutdown=2)
        self._server = _Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name="wvp-double", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("WVP double did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._stopping = True
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- test controls -------------------------------------------------------------------

    def add_channel(self, spec: ChannelSpec) -> ChannelSpec:
        with self.lock:
            spec.gb_id = next(self._gb_ids)
            self.channels.append(spec)
        return spec

    def remove_channel(self, code: str) -> None:
        with self.lock:
            self.channels = [c for c in self.channels if c.code != code]

    def inject(self, prefix: str, *, status: int = 200, code: int | None = None, msg: str = "",
               body: str | None = None, delay_s: float = 0.0, times: int = 1) -> None:
        """Answer the next `times` calls of paths starting with `prefix` this way."""
        with self.lock:
            self._faults.append(Fault(prefix, status, code, msg, body, delay_s, times))

    def revoke_tokens(self) -> None:
        """Invalidate every issued token (as a WVP restart does)."""
        with self.lock:
            self._valid_jti.clear()

    def kill_streams(self, stream: str | None = None) -> int:
        """Break open media connections (all, or of one stream) and take the streams
        down, as when the camera's GB session fails; returns connections broken."""
        with self.lock:
            hit = [c for c in self._connections if stream is None or c.stream == stream]
            for connection in hit:
                connection.killed = True
            if stream is None:
                self.active_streams.clear()
            else:
                self.active_streams.discard(stream)
        return len(hit)

    def drop_alarm_streams(self) -> None:
        """Close every SSE connection (the adapter must reconnect)."""
        with self.lock:
            for subscriber in self._subscribers:
                subscriber.dropped = True

    @property
    def media_connections(self) -> int:
        with self.lock:
            return len(self._connections)

    @property
    def alarm_listeners(self) -> int:
        with self.lock:
            return len(self._subscribers)

    def calls(self, prefix: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.path.startswith(prefix)]

    def raise_alarm(self, code: str, *, alarm_type: str = "2", priority: str = "1",
                    method: str = "5", description: str = "视频丢失报警",
                    longitude: float | None = None, latitude: float | None = None) -> int:
        """A device alarm on channel `code`: stored for the lists and pushed to SSE
        listeners (versions that have SSE)."""
        with self.lock:
            channel = next(c for c in self.channels if c.code == code)
            alarm_id = next(self._alarm_ids)
            now = datetime.now(CHINA).strftime(TIME_FORMAT)  # WVP's wall clock (UTC+8)
            device_alarm = {
                "id": alarm_id, "deviceId": channel.parent, "channelId": channel.code,
                "alarmPriority": priority, "alarmMethod": method, "alarmType": alarm_type,
                "alarmTime": now, "alarmDescription": description,
                "longitude": longitude, "latitude": latitude, "createTime": now}
            listed = {
                "id": alarm_id, "channelId": channel.gb_id, "channelDeviceId": channel.code,
                "channelName": channel.name, "description": description,
                "snapPath": f"/api/alarm/snap/{alarm_id}", "alarmType": alarm_type,
                "alarmTime": now}
            self.alarms.append({"device": device_alarm, "listed": listed})
            if self.version in OLD:
                event = f"event:message\ndata:{json.dumps(device_alarm, ensure_ascii=False)}\n\n"
                for subscriber in self._subscribers:
                    subscriber.events.append(event)
        return alarm_id

    # --- ASGI ----------------------------------------------------------------------------

    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Awaitable[dict]],
                       send: Callable[[dict], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            return
        method, path = scope["method"], scope["path"]
        headers = {k.decode().lower(): v.decode("latin-1") for k, v in scope["headers"]}
        params = {k: v[-1] for k, v in parse_qs(scope["query_string"].decode(),
                                                 keep_blank_values=True).items()}
        if method == "POST":
            body = await _read_body(receive)
            if "application/x-www-form-urlencoded" in headers.get("content-type", ""):
                # Spring binds form fields like query parameters.
                for k, v in parse_qs(body.decode(), keep_blank_values=True).items():
                    params.setdefault(k, v[-1])
        if path.startswith("/rtp/"):
            await self._media(path, receive, send)
            return
        token = headers.get("access-token")
        with self.lock:
            self.requests.append(Recorded(method, path, dict(params), token))
            fault = self._take_fault(path)
        if fault is not None:
            await self._send_fault(fault, send)
            return
        if path == "/api/user/login" and method in ("GET", "POST"):
            await _respond(send, self._login(params))
            return
        if not self._token_ok(token):
            await _respond(send, Reply(401, {"code": 401, "msg": "请登录后重新请求"}))
            return
        if path == "/api/emit" and method == "GET" and self.version in OLD:
            await self._sse(params, receive, send)
            return
        for methods, pattern, versions, handler in self._routes():
            match = pattern.fullmatch(path)
            if match and self.version in versions:
                if method not in methods:
                    await _respond(send, Reply(405, {"status": 405, "error": "Method Not Allowed",
                                                     "path": path}))
                    return
                groups = [unquote(g) for g in match.groups()]
                await _respond(send, await handler(params, *groups))
                return
        await _respond(send, Reply(404, {"timestamp": datetime.now().isoformat(), "status": 404,
                                         "error": "Not Found", "path": path}))

    def _routes(self) -> list[tuple[frozenset[str], re.Pattern[str], frozenset[str], Any]]:
        seg = r"([^/]+)"
        get = frozenset({"GET"})
        return [
            (get, re.compile(r"/api/device/query/devices"), ALL, self._devices),
            (get, re.compile(rf"/api/device/query/devices/{seg}/channels"), ALL, self._channels),
            (get, re.compile(rf"/api/play/start/{seg}/{seg}"), ALL, self._play_start),
            (get, re.compile(rf"/api/play/stop/{seg}/{seg}"), ALL, self._play_stop),
            (get, re.compile(rf"/api/playback/start/{seg}/{seg}"), ALL, self._playback_start),
            (get, re.compile(rf"/api/playback/stop/{seg}/{seg}/{seg}"), ALL, self._playback_stop),
            (get, re.compile(rf"/api/playback/(pause|resume)/{seg}"), ALL, self._playback_control),
            (get, re.compile(rf"/api/playback/(seek|speed)/{seg}/{seg}"), ALL,
             self._playback_control),
            (get, re.compile(rf"/api/gb_record/query/{seg}/{seg}"), ALL, self._records),
            (frozenset({"POST"}), re.compile(rf"/api/ptz/control/{seg}/{seg}"), ONLY_271,
             self._ptz),
            (get, re.compile(rf"/api/front-end/ptz/{seg}/{seg}"), NEW, self._ptz),
            (get, re.compile(r"/api/alarm/all"), OLD, self._alarm_all),
            (get, re.compile(r"/api/alarm/list"), MASTER, self._alarm_list),
            (get, re.compile(r"/api/common/channel/list"), MASTER, self._common_list),
            (get, re.compile(r"/api/common/channel/one"), MASTER, self._common_one),
            (get, re.compile(r"/api/common/channel/play"), MASTER, self._common_play),
            (get, re.compile(r"/api/common/channel/play/stop"), MASTER, self._common_stop),
            (get, re.compile(r"/api/common/channel/playback"), MASTER, self._common_playback),
            (get, re.compile(r"/api/common/channel/playback/query"), MASTER,
             self._common_records),
            (get, re.compile(r"/api/common/channel/playback/(stop|pause|resume|seek|speed)"),
             MASTER, self._common_playback_control),
            (get, re.compile(r"/api/common/channel/front-end/ptz"), MASTER, self._common_ptz),
        ]

    # --- auth ----------------------------------------------------------------------------

    def _login(self, params: dict[str, str]) -> Reply:
        if params.get("username") != self.username or params.get("password") != self.password_md5:
            return fail(100, "用户名或密码错误")
        with self.lock:
            self.logins += 1
            jti = str(next(self._jti))
            self._valid_jti.add(jti)
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        payload = _b64(json.dumps({"userName": self.username, "jti": jti,
                                   "exp": time.time() + self.token_ttl_s}).encode())
        signature = _b64(hmac.new(self._secret, f"{header}.{payload}".encode(),
                                  hashlib.sha256).digest())
        token = f"{header}.{payload}.{signature}"
        reply = ok({"accessToken": token, "username": self.username, "id": 1,
                    "role": {"id": 1, "name": "admin", "authority": "0"},
                    "pushKey": "3e84b0f6c1c3ae4c10d7a37a5da5c8a7"})
        reply.headers.append((b"access-token", token.encode()))
        return reply

    def _token_ok(self, token: str | None) -> bool:
        if not token or token.count(".") != 2:
            return False
        header, payload, signature = token.split(".")
        expected = _b64(hmac.new(self._secret, f"{header}.{payload}".encode(),
                                 hashlib.sha256).digest())
        if not hmac.compare_digest(expected, signature):
            return False
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        with self.lock:
            known = claims.get("jti") in self._valid_jti
        return known and claims.get("exp", 0) > time.time()

    def _take_fault(self, path: str) -> Fault | None:
        for fault in self._faults:
            if path.startswith(fault.prefix):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    async def _send_fault(self, fault: Fault, send: Callable[[dict], Awaitable[None]]) -> None:
        if fault.delay_s:
            await self._sleep(fault.delay_s)
        if fault.body is not None:
            await send({"type": "http.response.start", "status": fault.status,
                        "headers": [(b"content-type", b"text/html")]})
            await send({"type": "http.response.body", "body": fault.body.encode()})
            return
        if fault.code is not None:
            body = {"code": fault.code, "msg": fault.msg, "data": None}
        else:
            body = {"code": min(500, fault.status),
                    "msg": fault.msg or "服务器内部错误"}
        await _respond(send, Reply(fault.status, body))

    async def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + min(seconds, MAX_STREAM_S)
        while not self._stopping and time.monotonic() < end:
            await asyncio.sleep(min(0.05, end - time.monotonic()))

    # --- catalogue -----------------------------------------------------------------------

    def _device_ids(self) -> list[str]:
        with self.lock:
            return list(dict.fromkeys(c.parent for c in self.channels))

    async def _devices(self, params: dict[str, str]) -> Reply:
        with self.lock:
            devices = [{"deviceId": d, "name": f"NVR-{d[-4:]}", "manufacturer": "Hikvision",
                        "onLine": True, "channelCount": sum(c.parent == d for c in self.channels),
                        "transport": "UDP", "streamMode": "TCP-PASSIVE",
                        "hostAddress": "10.20.0.7:5060"} for d in self._device_ids()]
        query = params.get("query")
        if query:
            devices = [d for d in devices if query in d["deviceId"] or query in d["name"]]
        return page_info(devices, params)

    def _channel_json(self, c: ChannelSpec) -> dict[str, Any]:
        common = {"name": c.name, "manufacturer": "Hikvision", "owner": "Owner",
                  "civilCode": c.civil_code, "address": c.address, "parentId": c.parent,
                  "ipAddress": "", "longitude": c.longitude, "latitude": c.latitude,
                  "ptzType": c.ptz_type, "hasAudio": False, "id": c.gb_id}
        if self.version == "2.7.1":
            return {"channelId": c.code, "deviceId": c.parent, "status": c.online, **common}
        return {"deviceId": c.code, "status": "ON" if c.online else "OFF", **common}

    def _common_json(self, c: ChannelSpec) -> dict[str, Any]:
        return {"gbId": c.gb_id, "gbDeviceId": c.code, "gbName": c.name,
                "gbManufacturer": "Hikvision", "gbCivilCode": c.civil_code,
                "gbAddress": c.address, "gbParentId": c.parent,
                "gbStatus": "ON" if c.online else "OFF", "gbLongitude": c.longitude,
                "gbLatitude": c.latitude, "gbPtzType": c.ptz_type, "gbPositionType": None,
                "dataType": 1, "dataDeviceId": 1}

    def _filtered(self, params: dict[str, str], parent: str | None = None) -> list[ChannelSpec]:
        with self.lock:
            found = [c for c in self.channels if parent is None or c.parent == parent]
        query = params.get("query")
        if query:
            found = [c for c in found if query in c.code or query in c.name]
        online = params.get("online")
        if online in ("true", "false"):
            found = [c for c in found if c.online == (online == "true")]
        return found

    async def _channels(self, params: dict[str, str], device: str) -> Reply:
        if device not in self._device_ids():
            return fail(self.not_found_code, self.not_found_msg)
        return page_info([self._channel_json(c) for c in self._filtered(params, device)], params)

    async def _common_list(self, params: dict[str, str]) -> Reply:
        return page_info([self._common_json(c) for c in self._filtered(params)], params)

    async def _common_one(self, params: dict[str, str]) -> Reply:
        channel = self._by_gb_id(params.get("id"))
        return ok(self._common_json(channel)) if channel else fail(100, "通道不存在")

    def _find(self, device: str, code: str) -> ChannelSpec | Reply:
        with self.lock:
            if device not in self._device_ids():
                return fail(self.not_found_code, self.not_found_msg)
            channel = next((c for c in self.channels if c.parent == device and c.code == code),
                           None)
        return channel if channel is not None else fail(100, "通道不存在")

    def _by_gb_id(self, value: str | None) -> ChannelSpec | None:
        with self.lock:
            return next((c for c in self.channels if str(c.gb_id) == value), None)

    # --- live ----------------------------------------------------------------------------

    def stream_content(self, stream: str, app: str = "rtp") -> dict[str, Any]:
        http, host = f"http://127.0.0.1:{self.port}", f"127.0.0.1:{self.port}"
        urls: dict[str, str | None] = {
            "rtsp": f"rtsp://127.0.0.1:554/{app}/{stream}",
            "rtsps": f"rtsps://127.0.0.1:322/{app}/{stream}",
            "rtmp": f"rtmp://127.0.0.1:1935/{app}/{stream}",
            "rtmps": f"rtmps://127.0.0.1:19350/{app}/{stream}",
            "flv": f"{http}/{app}/{stream}.live.flv",
            "https_flv": f"https://{host}/{app}/{stream}.live.flv",
            "ws_flv": f"ws://{host}/{app}/{stream}.live.flv",
            "wss_flv": f"wss://{host}/{app}/{stream}.live.flv",
            "fmp4": f"{http}/{app}/{stream}.live.mp4",
            "https_fmp4": f"https://{host}/{app}/{stream}.live.mp4",
            "ws_fmp4": f"ws://{host}/{app}/{stream}.live.mp4",
            "wss_fmp4": f"wss://{host}/{app}/{stream}.live.mp4",
            "hls": f"{http}/{app}/{stream}/hls.m3u8",
            "https_hls": f"https://{host}/{app}/{stream}/hls.m3u8",
            "ws_hls": f"ws://{host}/{app}/{stream}/hls.m3u8",
            "wss_hls": f"wss://{host}/{app}/{stream}/hls.m3u8",
            "ts": f"{http}/{app}/{stream}.live.ts",
            "https_ts": f"https://{host}/{app}/{stream}.live.ts",
            "ws_ts": f"ws://{host}/{app}/{stream}.live.ts",
            "wss_ts": f"wss://{host}/{app}/{stream}.live.ts",
            "rtc": f"{http}/index/api/webrtc?app={app}&stream={stream}&type=play",
            "rtcs": f"https://{host}/index/api/webrtc?app={app}&stream={stream}&type=play",
        }
        for name in self.null_media_fields:
            urls[name] = None
        return {"app": app, "stream": stream, "ip": "127.0.0.1", "mediaServerId": "zlm-double",
                **urls, "startTime": None, "endTime": None, "progress": 0.0,
                "transcodeStream": None}

    async def _start_stream(self, stream: str) -> Reply:
        if self.play_delay_s:
            await self._sleep(self.play_delay_s)  # WVP blocks until the camera streams
        if self.play_result == "timeout":
            return fail(100, "点播超时")
        with self.lock:
            self.active_streams.add(stream)
        return ok(self.stream_content(stream))

    async def _play_start(self, params: dict[str, str], device: str, code: str) -> Reply:
        found = self._find(device, code)
        if isinstance(found, Reply):
            return found
        return await self._start_stream(f"{device}_{code}")

    async def _play_stop(self, params: dict[str, str], device: str, code: str) -> Reply:
        found = self._find(device, code)
        if isinstance(found, Reply):
            return found
        self.kill_streams(f"{device}_{code}")
        return ok()

    async def _common_play(self, params: dict[str, str]) -> Reply:
        channel = self._by_gb_id(params.get("channelId"))
        if channel is None:
            return fail(100, "通道不存在")
        return await self._start_stream(f"{channel.parent}_{channel.code}")

    async def _common_stop(self, params: dict[str, str]) -> Reply:
        channel = self._by_gb_id(params.get("channelId"))
        if channel is None:
            return fail(100, "通道不存在")
        self.kill_streams(f"{channel.parent}_{channel.code}")
        return ok()

    # --- playback and recordings ---------------------------------------------------------

    def _window(self, params: dict[str, str]) -> tuple[datetime, datetime] | Reply:
        for name in ("startTime", "endTime"):
            if not _TIME.match(params.get(name, "")):
                return fail(400, f"{name}格式为yyyy-MM-dd HH:mm:ss")
        start = datetime.strptime(params["startTime"], TIME_FORMAT)
        end = datetime.strptime(params["endTime"], TIME_FORMAT)
        return (start, end) if start < end else fail(400, "开始时间应早于结束时间")

    async def _begin_playback(self, device: str, code: str, params: dict[str, str]) -> Reply:
        window = self._window(params)
        if isinstance(window, Reply):
            return window
        if self.play_delay_s:
            await self._sleep(self.play_delay_s)
        if self.play_result == "timeout":
            return fail(100, "点播超时")
        stream = f"{device}_{code}_{window[0]:%Y%m%d%H%M%S}_{next(self._playback_ids)}"
        with self.lock:
            self.playbacks[stream] = (device, code)
            self.active_streams.add(stream)
        content = self.stream_content(stream)
        content["startTime"], content["endTime"] = params["startTime"], params["endTime"]
        return ok(content)

    async def _playback_start(self, params: dict[str, str], device: str, code: str) -> Reply:
        found = self._find(device, code)
        if isinstance(found, Reply):
            return found
        return await self._begin_playback(device, code, params)

    def _control(self, action: str, stream: str, value: str | None) -> Reply:
        with self.lock:
            if stream not in self.playbacks:
                return fail(100, "stream不存在")
            if action == "speed":
                try:
                    speed = float(value or "")
                except ValueError:
                    speed = -1.0
                if speed not in SPEEDS:
                    return fail(400, "不支持的speed（0.25 0.5 1、2、4、8）")
            if action == "seek" and not (value or "").isdigit():
                return fail(400, "seekTime格式错误")
            self.playback_commands.append((action, stream, value))
            if action == "stop":
                del self.playbacks[stream]
        if action == "stop":
            self.kill_streams(stream)
        return ok()

    async def _playback_stop(self, params: dict[str, str], device: str, code: str,
                             stream: str) -> Reply:
        found = self._find(device, code)
        if isinstance(found, Reply):
            return found
        return self._control("stop", stream, None)

    async def _playback_control(self, params: dict[str, str], action: str, stream: str,
                                value: str | None = None) -> Reply:
        return self._control(action, stream, value)

    async def _common_playback(self, params: dict[str, str]) -> Reply:
        channel = self._by_gb_id(params.get("channelId"))
        if channel is None:
            return fail(100, "通道不存在")
        return await self._begin_playback(channel.parent, channel.code, params)

    async def _common_playback_control(self, params: dict[str, str], action: str) -> Reply:
        if self._by_gb_id(params.get("channelId")) is None:
            return fail(100, "通道不存在")
        value = params.get("seekTime") if action == "seek" else params.get("speed")
        return self._control(action, params.get("stream", ""), value)

    def _record_items(self, code: str, window: tuple[datetime, datetime]) -> list[dict[str, Any]]:
        configured = self.recordings.get(code)
        if configured is None:
            start, end = window
            configured = []
            while start < end and len(configured) < 4:
                stop = min(start + timedelta(minutes=25), end)
                configured.append((start.strftime(TIME_FORMAT), stop.strftime(TIME_FORMAT),
                                   str(150 * 1024 * 1024)))
                start += timedelta(minutes=30)
        return [{"deviceId": code, "name": "录像", "filePath": f"/rec/{code}/{n}.ps",
                 "fileSize": size, "address": "Address", "startTime": began, "endTime": ended,
                 "secrecy": 0, "type": "time", "recorderId": None}
                for n, (began, ended, size) in enumerate(configured)]

    async def _records(self, params: dict[str, str], device: str, code: str) -> Reply:
        found = self._find(device, code)
        if isinstance(found, Reply):
            return found
        window = self._window(params)
        if isinstance(window, Reply):
            return window
        items = self._record_items(code, window)
        return ok({"deviceId": device, "channelId": code, "sn": "1", "name": found.name,
                   "sumNum": len(items), "count": len(items), "lastTime": None,
                   "recordList": items})

    async def _common_records(self, params: dict[str, str]) -> Reply:
        channel = self._by_gb_id(params.get("channelId"))
        if channel is None:
            return fail(100, "通道不存在")
        window = self._window(params)
        if isinstance(window, Reply):
            return window
        return ok(self._record_items(channel.code, window))

    # --- PTZ -----------------------------------------------------------------------------

    def _ptz_record(self, path: str, device: str, code: str, params: dict[str, str],
                    limits: dict[str, int]) -> Reply:
        command = params.get("command", "")
        if command not in PTZ_COMMANDS:
            return fail(100, f"不支持的指令：{command}")
        for name, high in limits.items():
            value = params.get(name)
            if value is not None and not (value.isdigit() and 0 <= int(value) <= high):
                return fail(100, f"{name} 为 0-{high}的数字")
        with self.lock:
            self.ptz_commands.append({"path": path, "device": device, "channel": code,
                                      **{k: v for k, v in params.items()}})
        return ok()

    async def _ptz(self, params: dict[str, str], device: str, code: str) -> Reply:
        found = self._find(device, code)
        if isinstance(found, Reply):
            return found
        path = "control" if self.version == "2.7.1" else "front-end"
        return self._ptz_record(path, device, code, params,
                                {"horizonSpeed": 255, "verticalSpeed": 255, "zoomSpeed": 15})

    async def _common_ptz(self, params: dict[str, str]) -> Reply:
        channel = self._by_gb_id(params.get("channelId"))
        if channel is None:
            return fail(100, "通道不存在")
        return self._ptz_record("common", channel.parent, channel.code, params,
                                {"panSpeed": 100, "tiltSpeed": 100, "zoomSpeed": 100})

    # --- alarms --------------------------------------------------------------------------

    async def _alarm_all(self, params: dict[str, str]) -> Reply:
        with self.lock:
            items = [a["device"] for a in reversed(self.alarms)]
        return page_info(items, params)

    async def _alarm_list(self, params: dict[str, str]) -> Reply:
        with self.lock:
            items = [a["listed"] for a in reversed(self.alarms)]
        types = params.get("alarmType")
        if types:
            wanted = set(types.split(","))
            items = [i for i in items if i["alarmType"] in wanted]
        return page_info(items, params)

    async def _sse(self, params: dict[str, str], receive: Callable[[], Awaitable[dict]],
                   send: Callable[[dict], Awaitable[None]]) -> None:
        browser = params.get("browserId")
        if not browser:
            await _respond(send, Reply(400, {"code": 400, "msg": "browserId 不能为空"}))
            return
        subscriber = _Subscriber(browser)
        with self.lock:
            self._subscribers.append(subscriber)
        gone = asyncio.Event()
        watcher = asyncio.create_task(_watch_disconnect(receive, gone))
        try:
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"text/event-stream;charset=UTF-8")]})
            started = last_keepalive = time.monotonic()
            while not (gone.is_set() or subscriber.dropped or self._stopping):
                now = time.monotonic()
                if now - started > MAX_STREAM_S:
                    break
                with self.lock:
                    events, subscriber.events = subscriber.events, []
                chunks = list(events)
                if now - last_keepalive >= self.keepalive_s:
                    last_keepalive = now
                    chunks.append(":keep alive\n\n" if self.keepalive_style == "comment"
                                  else "event:keepalive\ndata:keepalive\n\n")
                if chunks:
                    await send({"type": "http.response.body", "body": "".join(chunks).encode(),
                                "more_body": True})
                await asyncio.sleep(0.02)
            if not gone.is_set():
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            watcher.cancel()
            with self.lock:
                self._subscribers.remove(subscriber)

    # --- media (ZLMediaKit's HTTP-TS / HTTP-FLV) ------------------------------------------

    async def _media(self, path: str, receive: Callable[[], Awaitable[dict]],
                     send: Callable[[dict], Awaitable[None]]) -> None:
        match = re.fullmatch(r"/rtp/([^/]+)\.live\.(ts|flv)", path)
        stream = match.group(1) if match else ""
        with self.lock:
            self.media_requests += 1
            available = match is not None and stream in self.active_streams and not self.media_fail
            connection = _Connection(stream)
            if available:
                self._connections.append(connection)
        if not available or match is None:
            await send({"type": "http.response.start", "status": 404,
                        "headers": [(b"content-type", b"text/html")]})
            await send({"type": "http.response.body", "body": b"<h1>404 Not Found</h1>"})
            return
        # Keyframes twice a second: a reader joining mid-stream starts within half a second.
        encoder = LiveEncoder(match.group(2), width=self.width, height=self.height,
                              fps=self.fps, shade=zlib.crc32(stream.encode()),
                              keyframe_interval=max(1, self.fps // 2))
        gone = asyncio.Event()
        watcher = asyncio.create_task(_watch_disconnect(receive, gone))
        try:
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", encoder.content_type.encode()),
                                    (b"cache-control", b"no-cache")]})
            interval = 1.0 / self.fps
            started = time.monotonic()
            for index in itertools.count(1):
                if gone.is_set() or connection.killed or self._stopping or self.media_fail:
                    break
                if time.monotonic() - started > MAX_STREAM_S:
                    break
                chunk = encoder.next_chunk()
                if chunk:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                delay = started + index * interval - time.monotonic()
                await asyncio.sleep(max(delay, 0.0))
            if not gone.is_set():
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            watcher.cancel()
            encoder.close()
            with self.lock:
                self._connections.remove(connection)


async def _watch_disconnect(receive: Callable[[], Awaitable[dict]], gone: asyncio.Event) -> None:
    with contextlib.suppress(Exception):
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                gone.set()
                return


async def _read_body(receive: Callable[[], Awaitable[dict]]) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if not message.get("more_body") or size > 1_000_000:
            break
    return b"".join(chunks)


async def _respond(send: Callable[[dict], Awaitable[None]], reply: Reply) -> None:
    body = json.dumps(reply.body, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": reply.status,
                "headers": [*_JSON, *reply.headers]})
    await send({"type": "http.response.body", "body": body})
