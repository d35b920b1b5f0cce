"""What the double knows and what tests set: its WVP version, the channels, behaviour
switches, and what it recorded; shared by every area of the double.

Tests drive the double from their own thread: configuration attributes are plain
assignments, and what the server records is appended under `lock`.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import threading
import time
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from tests.wvp_double.asgi import Reply, fail

VERSIONS = ("2.7.1", "2.7.3", "master")
ALL = frozenset(VERSIONS)
OLD = frozenset({"2.7.1", "2.7.3"})
NEW = frozenset({"2.7.3", "master"})
MASTER = frozenset({"master"})
ONLY_271 = frozenset({"2.7.1"})

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
CHINA = ZoneInfo("Asia/Shanghai")
# StreamContent fields whose port is "off" on this media server unless a test says so.
DEFAULT_NULL_MEDIA = frozenset({"rtsp", "rtsps", "rtmp", "rtmps", "https_flv", "wss_flv",
                                "https_fmp4", "wss_fmp4", "https_hls", "wss_hls",
                                "https_ts", "wss_ts", "rtcs"})
MAX_STREAM_S = 120.0  # no media or SSE connection outlives this


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
class Recorded:
    """One request as the double received it (`token` = its access-token header)."""

    method: str
    path: str
    params: dict[str, str]
    token: str | None


class DoubleState:
    """The double's configuration and records, and the channel lookups of its handlers."""

    def __init__(self, *, version: str, username: str, password: str, token_ttl_s: float,
                 not_found_code: int, keepalive_s: float, keepalive_style: str, fps: int,
                 width: int, height: int) -> None:
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
        self.stopping = False
        self.port = 0
        self._gb_ids = itertools.count(1)

    def add_channel(self, spec: ChannelSpec) -> ChannelSpec:
        with self.lock:
            spec.gb_id = next(self._gb_ids)
            self.channels.append(spec)
        return spec

    def remove_channel(self, code: str) -> None:
        with self.lock:
            self.channels = [c for c in self.channels if c.code != code]

    def calls(self, prefix: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.path.startswith(prefix)]

    def device_ids(self) -> list[str]:
        with self.lock:
            return list(dict.fromkeys(c.parent for c in self.channels))

    def find(self, device: str, code: str) -> ChannelSpec | Reply:
        """Channel `code` of `device`, or WVP's answer when either is unknown."""
        with self.lock:
            if device not in self.device_ids():
                return fail(self.not_found_code, self.not_found_msg)
            channel = next((c for c in self.channels if c.parent == device and c.code == code),
                           None)
        return channel if channel is not None else fail(100, "通道不存在")

    def by_gb_id(self, value: str | None) -> ChannelSpec | None:
        with self.lock:
            return next((c for c in self.channels if str(c.gb_id) == value), None)

    def common_channel(self, params: dict[str, str]) -> ChannelSpec | Reply:
        """The channel a common-channel call names by `channelId` (its gbId), or WVP's
        answer when there is none."""
        channel = self.by_gb_id(params.get("channelId"))
        return channel if channel is not None else fail(100, "通道不存在")

    async def sleep(self, seconds: float) -> None:
        """Wait as WVP would, but no longer than the double runs."""
        end = time.monotonic() + min(seconds, MAX_STREAM_S)
        while not self.stopping and time.monotonic() < end:
            await asyncio.sleep(min(0.05, end - time.monotonic()))
