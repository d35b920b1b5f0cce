"""A faithful test double of WVP-GB28181-pro and its ZLMediaKit media server.

A plain ASGI app served by uvicorn in a background thread on 127.0.0.1 (a free port),
built from the shared WVP-API.md notes: the same paths, fields and quirks —

* md5 sign-in by query string and a token with a configurable lifetime (`auth`).
* `{code,msg,data}` envelopes; business errors as HTTP 200 with a non-zero code
  ("设备不存在" with code 100 or 404, "点播超时"); unknown paths → Spring's HTTP 404;
  PageHelper paging (`asgi`).
* Version shapes: "2.7.1" (channel code in `channelId`, parent in `deviceId`, boolean
  status, PTZ by POST /api/ptz/control, SSE alarms), "2.7.3" (code in `deviceId`,
  status "ON"/"OFF", PTZ by /api/front-end/ptz, SSE alarms), "master" (2.7.3's shapes
  plus the common-channel API with `gb*` fields, /api/alarm/list polling, no SSE).
* One module per area: `catalogue`, `live`, `playback`, `ptz`, `alarms`, and `zlm` for
  the media server's live streams; injected faults by path prefix (`faults`).

This module assembles them: lifecycle, the test controls, and the dispatch of each
request (recorded in `requests`) to the area that serves its path.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from datetime import datetime
from typing import Any, Self
from urllib.parse import parse_qs, unquote

import uvicorn

from tests.wvp_double.alarms import Alarms
from tests.wvp_double.asgi import Receive, Reply, Send, read_body, respond
from tests.wvp_double.auth import REFUSED, Auth
from tests.wvp_double.catalogue import Catalogue
from tests.wvp_double.faults import Fault, Faults
from tests.wvp_double.live import Live
from tests.wvp_double.playback import Playback
from tests.wvp_double.ptz import Ptz
from tests.wvp_double.state import OLD, DoubleState, Recorded
from tests.wvp_double.zlm import MediaServer


class _Server(uvicorn.Server):
    """uvicorn checks for shutdown every 0.1 s; a test double should stop at once."""

    async def main_loop(self) -> None:
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864_000
            await asyncio.sleep(0.01)


class WvpDouble(DoubleState):
    """The double: configure it, `start()` it (or use `with`), point the adapter at `url`."""

    def __init__(self, *, version: str = "2.7.3", username: str = "admin",
                 password: str = "Wvp#Secret-2026", token_ttl_s: float = 1800.0,
                 not_found_code: int = 100, keepalive_s: float = 1.0,
                 keepalive_style: str = "event", fps: int = 15, width: int = 320,
                 height: int = 180) -> None:
        super().__init__(version=version, username=username, password=password,
                         token_ttl_s=token_ttl_s, not_found_code=not_found_code,
                         keepalive_s=keepalive_s, keepalive_style=keepalive_style, fps=fps,
                         width=width, height=height)
        self._auth = Auth(self)
        self._faults = Faults(self)
        self._media = MediaServer(self)
        self._alarms = Alarms(self)
        self._routes = [route for area in (Catalogue(self), Live(self, self._media),
                                           Playback(self, self._media), Ptz(self), self._alarms)
                        for route in area.routes()]
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

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
        self.stopping = True
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

    def inject(self, prefix: str, *, status: int = 200, code: int | None = None, msg: str = "",
               body: str | None = None, delay_s: float = 0.0, times: int = 1) -> None:
        """Answer the next `times` calls of paths starting with `prefix` this way."""
        self._faults.inject(Fault(prefix, status, code, msg, body, delay_s, times))

    def revoke_tokens(self) -> None:
        """Invalidate every issued token (as a WVP restart does)."""
        self._auth.revoke_all()

    def stream_content(self, stream: str, app: str = "rtp") -> dict[str, Any]:
        return self._media.stream_content(stream, app)

    def kill_streams(self, stream: str | None = None) -> int:
        """Break open media connections (all, or of one stream) and take the streams
        down, as when the camera's GB session fails; returns connections broken."""
        return self._media.kill_streams(stream)

    @property
    def media_connections(self) -> int:
        return self._media.connections

    def raise_alarm(self, code: str, *, alarm_type: str = "2", priority: str = "1",
                    method: str = "5", description: str = "视频丢失报警",
                    longitude: float | None = None, latitude: float | None = None) -> int:
        """A device alarm on channel `code`: stored for the lists and pushed to SSE
        listeners (versions that have SSE)."""
        return self._alarms.raise_alarm(code, alarm_type=alarm_type, priority=priority,
                                        method=method, description=description,
                                        longitude=longitude, latitude=latitude)

    def drop_alarm_streams(self) -> None:
        """Close every SSE connection (the adapter must reconnect)."""
        self._alarms.drop_listeners()

    @property
    def alarm_listeners(self) -> int:
        return self._alarms.listeners

    # --- ASGI ----------------------------------------------------------------------------

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        method, path = scope["method"], scope["path"]
        headers = {k.decode().lower(): v.decode("latin-1") for k, v in scope["headers"]}
        params = {k: v[-1] for k, v in parse_qs(scope["query_string"].decode(),
                                                 keep_blank_values=True).items()}
        if method == "POST":
            body = await read_body(receive)
            if "application/x-www-form-urlencoded" in headers.get("content-type", ""):
                # Spring binds form fields like query parameters.
                for k, v in parse_qs(body.decode(), keep_blank_values=True).items():
                    params.setdefault(k, v[-1])
        if path.startswith("/rtp/"):
            await self._media.serve(path, receive, send)
            return
        token = headers.get("access-token")
        with self.lock:
            self.requests.append(Recorded(method, path, dict(params), token))
            fault = self._faults.take(path)
        if fault is not None:
            await self._faults.send(fault, send)
            return
        if path == "/api/user/login" and method in ("GET", "POST"):
            await respond(send, self._auth.login(params))
            return
        if not self._auth.token_ok(token):
            await respond(send, REFUSED)
            return
        if path == "/api/emit" and method == "GET" and self.version in OLD:
            await self._alarms.sse(params, receive, send)
            return
        await respond(send, await self._dispatch(method, path, params))

    async def _dispatch(self, method: str, path: str, params: dict[str, str]) -> Reply:
        for route in self._routes:
            match = route.pattern.fullmatch(path)
            if match and self.version in route.versions:
                if method not in route.methods:
                    return Reply(405, {"status": 405, "error": "Method Not Allowed",
                                       "path": path})
                return await route.handler(params, *(unquote(g) for g in match.groups()))
        return Reply(404, {"timestamp": datetime.now().isoformat(), "status": 404,
                           "error": "Not Found", "path": path})
