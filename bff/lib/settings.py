"""Typed settings, one struct per concern, loaded from environment variables.

Nothing here is read at import time: `load_settings()` is called by the CLI (or by a test)
and the resulting object is passed to `create_app(settings)`.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Mapping
from datetime import timedelta, timezone, tzinfo
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def parse_timezone(text: str) -> tzinfo:
    """An IANA zone name (Asia/Shanghai) or a fixed offset (+08:00, UTC+0800) as a
    tzinfo; ValueError when it names no zone."""
    match = re.fullmatch(r"(?:UTC)?([+-])(\d{2}):?(\d{2})", text.strip())
    if match:
        sign = -1 if match.group(1) == "-" else 1
        offset = timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
        return timezone(sign * offset)
    try:
        return ZoneInfo(text.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {text!r}") from exc


class ServerSettings(msgspec.Struct, kw_only=True):
    host: str = "127.0.0.1"
    """Interface the HTTP server binds to (BFF_HOST)."""
    port: int = 8000
    """TCP port of the HTTP server (BFF_PORT)."""
    debug: bool = False
    """Litestar debug mode: tracebacks in error pages (BFF_DEBUG). Never in deployment."""
    trusted_proxies: list[str] = []
    """Addresses of reverse proxies whose X-Forwarded-For/-Proto headers are believed
    (BFF_TRUSTED_PROXIES, comma list; `*` = any). Then per-client limits (sign-in) and
    logs see the phone's address, not the proxy's. Empty = headers ignored."""
    log_format: Literal["text", "json"] = "text"
    """Log lines as plain text or one JSON object per line (BFF_LOG_FORMAT)."""
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    """Lowest level logged (BFF_LOG_LEVEL)."""
    templates_dir: str = str(PROJECT_ROOT / "web" / "templates")
    """Folder of the jinja2 templates (BFF_TEMPLATES_DIR)."""
    static_dir: str = str(PROJECT_ROOT / "web" / "static")
    """Folder of the static files: htmx, CSS, icons, page scripts (BFF_STATIC_DIR)."""
    openapi: Literal["signed_in", "off"] = "signed_in"
    """The API description at /schema (BFF_OPENAPI): for signed-in users, or off."""


class DatabaseSettings(msgspec.Struct, kw_only=True):
    url: str = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'bff.sqlite3'}"
    """SQLAlchemy async URL (BFF_DATABASE_URL); e.g. postgresql+asyncpg://user@host/db."""
    echo: bool = False
    """Log every SQL statement (BFF_DATABASE_ECHO)."""
    schema: str | None = None
    """PostgreSQL schema to use instead of the default search path (BFF_DATABASE_SCHEMA)."""
    pool_size: Annotated[int, msgspec.Meta(ge=1)] = 5
    """Connections each process keeps open (BFF_DATABASE_POOL_SIZE). Requests beyond
    pool_size + max_overflow wait for one; with several processes keep the total under
    PostgreSQL's max_connections."""
    max_overflow: Annotated[int, msgspec.Meta(ge=0)] = 10
    """Extra connections opened under load, closed when idle (BFF_DATABASE_MAX_OVERFLOW)."""


class RedisSettings(msgspec.Struct, kw_only=True):
    url: str | None = None
    """Redis URL for sessions, rate limits and pub/sub (BFF_REDIS_URL); unset = in-memory."""
    key_prefix: str = "bff"
    """Namespace of every key this app writes (BFF_REDIS_PREFIX); tests use their own."""


class AuthSettings(msgspec.Struct, kw_only=True):
    secret: str = ""
    """Secret for CSRF tokens (BFF_SECRET); a random one per process when empty."""
    session_max_age_s: int = 8 * 3600
    """Idle lifetime of a signed-in session, seconds (BFF_SESSION_MAX_AGE)."""
    session_absolute_s: int = 12 * 3600
    """Longest life of a signed-in session however active, seconds
    (BFF_SESSION_ABSOLUTE_SECONDS): a phone left signed in asks again every shift."""
    secure_cookies: bool = False
    """Mark cookies Secure (BFF_SECURE_COOKIES): true behind HTTPS in deployment."""
    max_failed_logins: int = 5
    """Failed sign-ins to one account from one address before each further try has to
    wait (1 s, 2 s, 4 s … up to 15 min) (BFF_MAX_FAILED_LOGINS)."""
    lockout_s: int = 15 * 60
    """Window in which failures are counted, and how long an account under distributed
    guessing stays locked, seconds (BFF_LOCKOUT_SECONDS)."""
    lock_after_failures: int = 20
    """Failures against one account within the window that, together with …
    (BFF_LOCK_AFTER_FAILURES)"""
    lock_after_addresses: int = 5
    """… this many different addresses, lock the account (BFF_LOCK_AFTER_ADDRESSES).
    Devices that signed in before and have not failed still get in."""


class DemoSettings(msgspec.Struct, kw_only=True):
    password: str = "Demo@2026"
    """Password of every demo account (BFF_DEMO_PASSWORD)."""
    camera_count: int = 19_639
    """Size of the demo catalogue (BFF_DEMO_CAMERAS); 19,639 = Shanwei's connected cameras."""
    seed_on_start: bool = True
    """Migrate and seed demo users and cameras at start when the database is empty."""
    alerts_interval_s: Annotated[float, msgspec.Meta(ge=0)] = 120.0
    """With the demo platform: raise one made-up alert (flooding at a flood point, a
    school-kitchen violation, forest-fire smoke) every this many seconds through the
    signed ingest, as source `demo` (BFF_DEMO_ALERTS_SECONDS); 0 = off."""


class CatalogSettings(msgspec.Struct, kw_only=True):
    refresh_s: Annotated[float, msgspec.Meta(ge=0)] = 30.0
    """Seconds between checks whether the camera table changed (BFF_CATALOG_REFRESH_SECONDS):
    each process reloads its in-memory catalogue after an import or sync done elsewhere
    (another process, the command line). 0 = only at start and after this process's own."""


class PlatformSettings(msgspec.Struct, kw_only=True):
    kind: Literal["demo", "wvp"] = "demo"
    """Which sharing platform to talk to (BFF_PLATFORM): 'demo' = the built-in synthetic
    one, 'wvp' = a WVP-GB28181-pro deployment (see `WvpSettings`)."""


class WvpSettings(msgspec.Struct, kw_only=True):
    """How to reach a WVP-GB28181-pro platform (used when BFF_PLATFORM=wvp).

    Items that differ between WVP versions are settings here, never code forks."""

    url: str = ""
    """Base URL of WVP's HTTP API (BFF_WVP_URL), e.g. http://10.20.0.5:18080; required
    when BFF_PLATFORM=wvp."""
    username: str = "admin"
    """WVP account the BFF signs in with (BFF_WVP_USERNAME)."""
    password: str = ""
    """Password of that account (BFF_WVP_PASSWORD); sent only as its MD5 hex, never logged."""
    api_version: Literal["2.7.1", "2.7.3", "common"] = "2.7.3"
    """API generation (BFF_WVP_API): '2.7.1' = channels carry `channelId` as the code and
    a boolean status, PTZ by POST /api/ptz/control; '2.7.3' = channels carry `deviceId`
    as the code and status ON/OFF, PTZ by /api/front-end/ptz; 'common' = WVP 2.7.4-2026
    and master, the common-channel API (/api/common/channel/…, `gb*` fields)."""
    request_timeout_s: float = 10.0
    """Timeout of an ordinary API call, seconds (BFF_WVP_TIMEOUT)."""
    play_timeout_s: float = 60.0
    """Timeout of a live/playback start, seconds (BFF_WVP_PLAY_TIMEOUT). WVP blocks until
    the camera streams (its own user-settings.play-timeout, 10–180 s): keep this above."""
    media_preference: list[str] = msgspec.field(
        default_factory=lambda: ["rtsp", "flv", "ts", "fmp4", "hls"])
    """Which StreamContent URL to open, first non-null wins (BFF_WVP_MEDIA, comma list of
    field names: rtsp, rtsps, flv, https_flv, ts, https_ts, fmp4, https_fmp4, hls,
    https_hls, rtmp)."""
    alarm_mode: Literal["sse", "poll", "off"] = "sse"
    """How device alarms arrive (BFF_WVP_ALARMS): 'sse' = /api/emit server-sent events
    (WVP up to 2.7.4-20260107), 'poll' = /api/alarm/list (master), 'off' = none."""
    alarm_poll_s: float = 5.0
    """Seconds between /api/alarm/list polls in 'poll' mode (BFF_WVP_ALARM_POLL_SECONDS)."""
    page_size: int = 200
    """Rows per page when walking devices and channels (BFF_WVP_PAGE_SIZE), 1–1000."""
    sync_interval_s: float = 300.0
    """Seconds between catalogue syncs while the app runs (BFF_WVP_SYNC_SECONDS); the
    first runs at start. 0 = no automatic sync (use `bff catalog sync`)."""
    timezone: str = "Asia/Shanghai"
    """Time zone of WVP's wall-clock times `yyyy-MM-dd HH:mm:ss` (BFF_WVP_TIMEZONE): an
    IANA name or a fixed offset like +08:00."""
    verify_tls: bool = True
    """Check WVP's TLS certificate on https URLs (BFF_WVP_VERIFY_TLS)."""

    def __repr__(self) -> str:
        # Settings end up in tracebacks and debug logs: never show the password.
        shown = ", ".join(
            f"{name}={'***' if name == 'password' and self.password else getattr(self, name)!r}"
            for name in self.__struct_fields__)
        return f"WvpSettings({shown})"

    def tzinfo(self) -> tzinfo:
        """`timezone` as a tzinfo; raises ValueError when it names no zone."""
        return parse_timezone(self.timezone)


class IceServer(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """One STUN/TURN server, in the shape both aiortc and the browser take."""

    urls: list[str]
    username: str | None = None
    credential: str | None = None


class WebRTCSettings(msgspec.Struct, kw_only=True):
    ice_host_addresses: list[str] = []
    """Addresses offered as ICE host candidates (BFF_ICE_HOST_ADDRESSES, comma-separated).
    Empty = every interface address except loopback (aioice's default); set the advertised
    address behind NAT, or 127.0.0.1 on loopback tests."""
    ice_servers: list[IceServer] = []
    """STUN/TURN servers (BFF_ICE_SERVERS, JSON list of {urls, username, credential}).
    Empty = none: no public STUN server is contacted."""
    max_streams_per_user: int = 4
    """Concurrent live streams one user may hold (BFF_MAX_STREAMS_PER_USER)."""
    max_viewers_per_camera: int = 32
    """Concurrent viewers of one camera across all users (BFF_MAX_VIEWERS_PER_CAMERA)."""
    width: int = 640
    """Width of the encoded picture sent to phones (BFF_VIDEO_WIDTH)."""
    height: int = 360
    """Height of the encoded picture sent to phones (BFF_VIDEO_HEIGHT)."""
    fps: int = 15
    """Frames per second sent to phones (BFF_VIDEO_FPS); 15 suits cellular links."""
    bitrate_kbps: int = 600
    """Target video bitrate per viewer, kbit/s (BFF_VIDEO_BITRATE_KBPS)."""
    keyframe_interval_s: float = 1.0
    """Seconds between keyframes (BFF_KEYFRAME_INTERVAL); short so loss recovers quickly."""
    x264_preset: str = "ultrafast"
    """libx264 preset for the per-viewer H.264 encode (BFF_X264_PRESET)."""
    watermark_font: str = ""
    """TrueType/OpenType font with CJK glyphs for the watermark (BFF_WATERMARK_FONT);
    empty = search the system (fc-match) and fall back to Latin-only text."""
    source_linger_s: float = 5.0
    """Keep a camera's upstream open this long after its last viewer leaves
    (BFF_SOURCE_LINGER_SECONDS), so a quick re-open is instant."""
    connect_timeout_s: float = 15.0
    """Close a peer connection that has not connected within this time."""
    timezone: str = "Asia/Shanghai"
    """Time zone of the times burnt into video: the watermark, the "signal lost" slate,
    the demo cameras' clocks (BFF_VIDEO_TIMEZONE; IANA name or +08:00). Whatever zone the
    server runs in, a screenshot shows the time the viewer's city uses."""
    direct_rtp: bool = True
    """Send RTP from the encoder threads, bypassing aiortc's per-packet media loop
    (BFF_DIRECT_RTP); false = aiortc's own loop (slower, kept as a fallback)."""

    def tzinfo(self) -> tzinfo:
        """`timezone` as a tzinfo; raises ValueError when it names no zone."""
        return parse_timezone(self.timezone)


# Leaflet's URL template syntax (L.Util.template) and the keys its tile layer fills in.
_TILE_PLACEHOLDER = re.compile(r"\{ *([\w -]+) *\}")
_TILE_KEYS = frozenset({"s", "x", "y", "-y", "z", "r"})
_URL_FORBIDDEN = re.compile(r"[\s\"'<>\\`]")


def check_tile_url(url: str, subdomains: list[str], name: str) -> None:
    """Refuse a tile URL template the map could not use: http(s) only, a host, {z}, {x}
    and {y} (or {-y}), no placeholder Leaflet cannot fill, subdomains for {s}."""
    if _URL_FORBIDDEN.search(url):
        raise ValueError(f"{name}: spaces, quotes and angle brackets are not allowed")
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"{name}: must be an http:// or https:// URL template")
    keys = {key.strip() for key in _TILE_PLACEHOLDER.findall(url)}
    unknown = keys - _TILE_KEYS
    if unknown:
        raise ValueError(f"{name}: unknown placeholder(s) {sorted(unknown)}; "
                         "use {z} {x} {y} {-y} {s} {r}")
    if not {"z", "x"} <= keys or not keys & {"y", "-y"}:
        raise ValueError(f"{name}: needs the {{z}}, {{x}} and {{y}} placeholders")
    if "s" in keys and not subdomains:
        raise ValueError(f"{name}: uses {{s}} but BFF_MAP_TILE_SUBDOMAINS is empty")


class MapSettings(msgspec.Struct, kw_only=True):
    """The map of cameras near the user (附近摄像机地图).

    Positions stay WGS84 as the catalogue holds them: tiles must be Web Mercator
    (EPSG:3857) in WGS84/CGCS2000 coordinates, such as 天地图's `_w` layers or an intranet
    tile server. GCJ-02 ("Mars") tiles of commercial maps would misplace cameras.
    """

    tile_url: str = ""
    """Base-map tile URL template (BFF_MAP_TILE_URL), Leaflet syntax: {z} {x} {y} ({-y}
    for TMS), {s} a subdomain, {r} '@2x' on high-density screens; http or https. E.g.
    天地图 `https://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}&tk=KEY` (the
    README has the WMTS form) or an intranet tile server. Empty = no tiles: the map plots
    positions around the user on a plain background with distance rings and a scale."""
    label_url: str = ""
    """Annotation (place-name) layer drawn over the base map (BFF_MAP_LABEL_URL), same
    syntax; 天地图 serves labels separately (cva_w over vec_w, cia_w over img_w). Empty =
    none; needs `tile_url`."""
    subdomains: list[str] = []
    """Values {s} takes, spread over tiles (BFF_MAP_TILE_SUBDOMAINS, comma-separated),
    e.g. 0,1,2,3,4,5,6,7 for 天地图; required when a template uses {s}."""
    attribution: Annotated[str, msgspec.Meta(max_length=300)] = ""
    """Credit shown in the map corner as plain text (BFF_MAP_ATTRIBUTION): the tile
    provider and, for published maps, its 审图号."""
    max_zoom: Annotated[int, msgspec.Meta(ge=1, le=22)] = 18
    """Deepest zoom level (BFF_MAP_MAX_ZOOM); 天地图 serves levels 1–18."""
    centre_lat: Annotated[float, msgspec.Meta(ge=-90, le=90)] = 22.7787
    """Latitude of the city centre (BFF_MAP_CENTRE_LAT): where the map opens and the
    position used when the phone gives none; default 汕尾市城区."""
    centre_lon: Annotated[float, msgspec.Meta(ge=-180, le=180)] = 115.3752
    """Longitude of the city centre (BFF_MAP_CENTRE_LON)."""

    def __post_init__(self) -> None:
        if self.tile_url:
            check_tile_url(self.tile_url, self.subdomains, "BFF_MAP_TILE_URL")
        if self.label_url:
            if not self.tile_url:
                raise ValueError("BFF_MAP_LABEL_URL needs BFF_MAP_TILE_URL (a base map)")
            check_tile_url(self.label_url, self.subdomains, "BFF_MAP_LABEL_URL")


class PtzSettings(msgspec.Struct, kw_only=True):
    """Pan/tilt/zoom control (云台控制) from the live page."""

    rate: Annotated[int, msgspec.Meta(ge=1)] = 10
    """PTZ commands one user may send per rate window (BFF_PTZ_RATE); more get 429.
    Counted in the shared store (Redis when configured), so it holds across processes."""
    rate_window_s: Annotated[float, msgspec.Meta(gt=0)] = 1.0
    """Length of the rate window, seconds (BFF_PTZ_RATE_WINDOW)."""
    watchdog_s: Annotated[float, msgspec.Meta(gt=0)] = 3.0
    """Stop a camera this long after the last move command when no stop came
    (BFF_PTZ_WATCHDOG_SECONDS): a phone that lost its connection mid-move must not leave
    the camera turning. The page repeats a held move well within this time."""
    command_timeout_s: Annotated[float, msgspec.Meta(gt=0)] = 5.0
    """Give up on a platform PTZ call after this long and answer 504
    (BFF_PTZ_TIMEOUT_SECONDS)."""


ALERT_SECRET_MIN_LENGTH = 32
DEFAULT_ALARM_TYPES = {"6": "smuggling_intrusion"}
"""GB/T 28181 video alarm type 6 is 入侵检测 (intrusion detection): the only alarm type
code that means the same under every alarm method, and what anti-smuggling points raise."""


class AlertSettings(msgspec.Struct, kw_only=True):
    """Alert events posted by the video-analysis platform (预警接入)."""

    sources: dict[str, str] = {}
    """Who may post alert events and with which HMAC secret (BFF_ALERT_SOURCES, a JSON
    object name → secret, each secret at least 32 characters). Empty = ingest refuses
    every request. Secrets are never logged or shown in a repr."""
    max_clock_skew_s: Annotated[float, msgspec.Meta(gt=0)] = 300.0
    """A signed timestamp further than this from the server clock is refused
    (BFF_ALERT_MAX_SKEW_SECONDS): a captured request cannot be replayed later."""
    rate: Annotated[int, msgspec.Meta(ge=1)] = 600
    """Events one source may post per rate window (BFF_ALERT_RATE); more get 429.
    Counted in Redis when configured, so the limit holds across processes."""
    rate_window_s: Annotated[float, msgspec.Meta(gt=0)] = 60.0
    """Length of the ingest rate window, seconds (BFF_ALERT_RATE_WINDOW)."""
    escalate_minutes: Annotated[float, msgspec.Meta(ge=0)] = 10.0
    """An alert still not acknowledged this many minutes after it arrived escalates once:
    its recipients are notified again and their departments' approvers added
    (BFF_ALERT_ESCALATE_MINUTES); 0 = never."""
    alarm_types: dict[str, str] = msgspec.field(
        default_factory=lambda: dict(DEFAULT_ALARM_TYPES))
    """Which platform device alarms become alerts (BFF_ALERT_ALARM_TYPES, a JSON object
    platform alarm type → alert type code); others are logged and skipped. The default
    maps GB/T 28181 video alarm type 6 (入侵检测, intrusion) to smuggling_intrusion; `{}`
    turns device alarms off."""
    types_refresh_s: Annotated[float, msgspec.Meta(gt=0)] = 30.0
    """How often each process reloads the admin-added alert types
    (BFF_ALERT_TYPES_REFRESH_SECONDS), so a type added through another process is known."""

    def __post_init__(self) -> None:
        for name, secret in self.sources.items():
            if not name.strip() or len(name) > 64:
                raise ValueError("BFF_ALERT_SOURCES: a source's name has 1–64 characters")
            if len(secret) < ALERT_SECRET_MIN_LENGTH:
                # Name the source, never the secret.
                raise ValueError(f"BFF_ALERT_SOURCES: the secret of {name!r} has fewer than "
                                 f"{ALERT_SECRET_MIN_LENGTH} characters")
        for alarm_type, alert_type in self.alarm_types.items():
            if not alarm_type.strip() or not alert_type.strip() or len(alert_type) > 40:
                raise ValueError("BFF_ALERT_ALARM_TYPES: each platform alarm type maps to an "
                                 "alert type code of 1–40 characters")

    def __repr__(self) -> str:
        # Settings end up in tracebacks and debug logs: show who, never the secrets.
        return (f"AlertSettings(sources={sorted(self.sources)!r}, "
                f"max_clock_skew_s={self.max_clock_skew_s!r}, rate={self.rate!r}, "
                f"rate_window_s={self.rate_window_s!r}, "
                f"escalate_minutes={self.escalate_minutes!r}, "
                f"alarm_types={self.alarm_types!r}, types_refresh_s={self.types_refresh_s!r})")


AUDIT_KEY_MIN_LENGTH = 32


class AuditSettings(msgspec.Struct, kw_only=True):
    """Where the audit log's seal lives: the key its entries are authenticated with and
    the anchor that records its head, both outside the database (SECURITY.md)."""

    key: str = ""
    """Key of the audit MACs (BFF_AUDIT_KEY, at least 32 characters). Empty = the key
    file below, created with mode 0600 on first start. Never logged or shown in a repr."""
    key_file: str = str(PROJECT_ROOT / "var" / "audit.key")
    """Key file used when BFF_AUDIT_KEY is empty (BFF_AUDIT_KEY_FILE)."""
    anchor_file: str = ""
    """File recording the newest entry (count and MAC) after every append
    (BFF_AUDIT_ANCHOR_FILE). Empty = beside the key file, named after the database, so
    two databases never share one anchor."""

    def __post_init__(self) -> None:
        if self.key and len(self.key) < AUDIT_KEY_MIN_LENGTH:
            raise ValueError(f"BFF_AUDIT_KEY has fewer than {AUDIT_KEY_MIN_LENGTH} characters")

    def __repr__(self) -> str:
        return (f"AuditSettings(key={'<set>' if self.key else '<file>'}, "
                f"key_file={self.key_file!r}, anchor_file={self.anchor_file!r})")


class SharingSettings(msgspec.Struct, kw_only=True):
    """Share requests and grants (共享申请与授权, SPEC §2.5)."""

    grant_max_days: Annotated[int, msgspec.Meta(ge=1, le=366)] = 30
    """Longest time window a share request may ask for, days (BFF_GRANT_MAX_DAYS)."""
    deadline_hours: Annotated[float, msgspec.Meta(gt=0)] = 24.0
    """A request part the owning department has not decided within this many hours
    escalates to the platform administrator (BFF_SHARE_DEADLINE_HOURS)."""
    recheck_s: Annotated[float, msgspec.Meta(gt=0, le=5)] = 2.0
    """Seconds between re-checks of open live streams and PTZ moves against the policy,
    and of grant expiry and request deadlines (BFF_ACCESS_RECHECK_SECONDS); at most 5, so
    lost access ends a stream within 5 seconds in every process."""


class LiveFeedSettings(msgspec.Struct, kw_only=True):
    """The in-app live channel (预警实时推送): server-sent events to open pages."""

    heartbeat_s: Annotated[float, msgspec.Meta(gt=0)] = 15.0
    """Seconds between keep-alive comments on an idle event stream
    (BFF_LIVE_HEARTBEAT_SECONDS): proxies close connections that stay silent too long."""
    max_stream_s: Annotated[float, msgspec.Meta(gt=0)] = 600.0
    """A stream is closed after this many seconds (BFF_LIVE_STREAM_MAX_SECONDS); the page
    reconnects at once, and the reconnect re-checks the session, so a signed-out or
    deactivated user stops hearing alerts within this time."""
    streams_per_user: Annotated[int, msgspec.Meta(ge=1)] = 8
    """Open event streams one user may hold in one process (BFF_LIVE_STREAMS_PER_USER);
    one per open tab or installed app. More get 429."""


DEFAULT_PUSH_HOSTS = ["fcm.googleapis.com", "updates.push.services.mozilla.com",
                      "*.push.services.mozilla.com", "*.notify.windows.com",
                      "web.push.apple.com", "*.push.apple.com"]


class PushSettings(msgspec.Struct, kw_only=True):
    """Web Push (浏览器推送) to phones through the browser vendors' push services."""

    vapid_private_key: str = ""
    """The VAPID signing key (BFF_VAPID_PRIVATE_KEY): a P-256 private key as raw base64url
    or PEM. Empty = one is generated on first start and kept in the database, so every
    process signs with the same key. Never logged or shown in a repr."""
    vapid_subject: str = "mailto:city-eye-ops@localhost"
    """Who push services contact about this sender (BFF_VAPID_SUBJECT): mailto: or https:."""
    hosts: list[str] = msgspec.field(default_factory=lambda: list(DEFAULT_PUSH_HOSTS))
    """Push-service hosts a subscription endpoint may name (BFF_PUSH_HOSTS, comma list;
    `*.example.com` = any subdomain). Anything else is refused, so a subscription can
    never make the BFF post to an internal address."""
    allow_http: bool = False
    """Accept http:// endpoints on allowed hosts (BFF_PUSH_ALLOW_HTTP): for tests with a
    local push receiver only; real push services are https."""
    proxy: str = ""
    """HTTP proxy every push request leaves through (BFF_PUSH_PROXY), e.g.
    http://10.1.2.3:3128 on a government network; empty = direct."""
    max_devices_per_user: Annotated[int, msgspec.Meta(ge=1)] = 10
    """Subscribed devices one user may keep (BFF_PUSH_MAX_DEVICES); subscribing one more
    drops that user's oldest, so nobody can multiply the pushes an alert causes."""
    concurrency: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 64
    """Push requests in flight at once (BFF_PUSH_CONCURRENCY)."""
    timeout_s: Annotated[float, msgspec.Meta(gt=0)] = 10.0
    """Timeout of one push request, seconds (BFF_PUSH_TIMEOUT_SECONDS)."""
    attempts: Annotated[int, msgspec.Meta(ge=1, le=10)] = 3
    """Tries per push when the service answers 429/5xx or cannot be reached
    (BFF_PUSH_ATTEMPTS)."""
    retry_base_s: Annotated[float, msgspec.Meta(ge=0)] = 1.0
    """First backoff between tries, doubled each time, when the service sends no
    Retry-After (BFF_PUSH_RETRY_SECONDS)."""
    max_retry_after_s: Annotated[float, msgspec.Meta(ge=0)] = 30.0
    """Longest wait a Retry-After may impose before the next try
    (BFF_PUSH_MAX_RETRY_AFTER_SECONDS); a longer one is cut to this."""

    def __post_init__(self) -> None:
        if not self.vapid_subject.startswith(("mailto:", "https:")):
            raise ValueError("BFF_VAPID_SUBJECT: must be a mailto: or https: URI")
        if self.proxy and urlsplit(self.proxy).scheme not in {"http", "https"}:
            raise ValueError("BFF_PUSH_PROXY: must be an http:// or https:// proxy URL")
        for pattern in self.hosts:
            if not re.fullmatch(r"(\*\.)?[a-z0-9.-]+(:\d+)?", pattern.lower()):
                raise ValueError(f"BFF_PUSH_HOSTS: not a host name or *.suffix: {pattern!r}")

    def __repr__(self) -> str:
        # Settings end up in tracebacks and debug logs: never show the signing key.
        shown = {name: getattr(self, name) for name in self.__struct_fields__}
        if self.vapid_private_key:
            shown["vapid_private_key"] = "***"
        return "PushSettings(" + ", ".join(f"{k}={v!r}" for k, v in shown.items()) + ")"


class DeliverySettings(msgspec.Struct, kw_only=True):
    """The outbox worker that delivers accepted alerts (live channel and Web Push)."""

    poll_s: Annotated[float, msgspec.Meta(gt=0)] = 3.0
    """Seconds between looks at the outbox for work left by other processes or a crash
    (BFF_DELIVERY_POLL_SECONDS); an ingest in this process wakes the worker at once."""
    lease_s: Annotated[float, msgspec.Meta(gt=0)] = 60.0
    """How long a claim on an outbox row holds (BFF_DELIVERY_LEASE_SECONDS): after a crash
    another process takes the row over once it expires."""
    attempts: Annotated[int, msgspec.Meta(ge=1)] = 5
    """Rounds a row gets before delivery gives up on it, loudly (BFF_DELIVERY_ATTEMPTS)."""
    retry_s: Annotated[float, msgspec.Meta(ge=0)] = 10.0
    """Wait before the next round of a row some devices could not be reached in, doubled
    each round (BFF_DELIVERY_RETRY_SECONDS)."""


class PlaybackSettings(msgspec.Struct, kw_only=True):
    """Playback of recordings (录像回放) and watermarked clip downloads (录像下载)."""

    window_hours: Annotated[float, msgspec.Meta(gt=0, le=24)] = 3.0
    """How much recording one playback asks the platform for, from its start
    (BFF_PLAYBACK_WINDOW_HOURS); the page starts a new playback to go beyond it."""
    clip_max_minutes: Annotated[float, msgspec.Meta(gt=0)] = 10.0
    """The longest clip a user may download (BFF_CLIP_MAX_MINUTES)."""
    clip_link_minutes: Annotated[float, msgspec.Meta(gt=0)] = 30.0
    """How long a finished clip can be downloaded before its file is removed
    (BFF_CLIP_LINK_MINUTES)."""
    clip_dir: str = str(PROJECT_ROOT / "var" / "clips")
    """Where clips are written while they wait for download (BFF_CLIP_DIR)."""
    clip_max_per_user: Annotated[int, msgspec.Meta(ge=1)] = 1
    """Exports one user may run at once (BFF_CLIP_MAX_PER_USER)."""
    clip_max_running: Annotated[int, msgspec.Meta(ge=1)] = 2
    """Exports the whole server runs at once (BFF_CLIP_MAX_RUNNING): each takes a core."""
    clip_quota_mb: Annotated[float, msgspec.Meta(gt=0)] = 2048.0
    """Disk the clip directory may use; new exports are refused beyond it
    (BFF_CLIP_QUOTA_MB)."""
    clip_width: Annotated[int, msgspec.Meta(ge=160)] = 640
    """Width of exported clips, pixels (BFF_CLIP_WIDTH; the height follows 16:9)."""


class Settings(msgspec.Struct, kw_only=True):
    server: ServerSettings = msgspec.field(default_factory=ServerSettings)
    database: DatabaseSettings = msgspec.field(default_factory=DatabaseSettings)
    redis: RedisSettings = msgspec.field(default_factory=RedisSettings)
    auth: AuthSettings = msgspec.field(default_factory=AuthSettings)
    demo: DemoSettings = msgspec.field(default_factory=DemoSettings)
    catalog: CatalogSettings = msgspec.field(default_factory=CatalogSettings)
    platform: PlatformSettings = msgspec.field(default_factory=PlatformSettings)
    wvp: WvpSettings = msgspec.field(default_factory=WvpSettings)
    webrtc: WebRTCSettings = msgspec.field(default_factory=WebRTCSettings)
    ptz: PtzSettings = msgspec.field(default_factory=PtzSettings)
    map: MapSettings = msgspec.field(default_factory=MapSettings)
    alerts: AlertSettings = msgspec.field(default_factory=AlertSettings)
    audit: AuditSettings = msgspec.field(default_factory=AuditSettings)
    sharing: SharingSettings = msgspec.field(default_factory=SharingSettings)
    live_feed: LiveFeedSettings = msgspec.field(default_factory=LiveFeedSettings)
    push: PushSettings = msgspec.field(default_factory=PushSettings)
    delivery: DeliverySettings = msgspec.field(default_factory=DeliverySettings)
    playback: PlaybackSettings = msgspec.field(default_factory=PlaybackSettings)


# (section, field, environment variable, parser)
def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {value!r}")


_ENVIRONMENT: tuple[tuple[str, str, str, object], ...] = (
    ("server", "host", "BFF_HOST", str),
    ("server", "port", "BFF_PORT", int),
    ("server", "debug", "BFF_DEBUG", _bool),
    ("server", "trusted_proxies", "BFF_TRUSTED_PROXIES", _csv),
    ("server", "log_format", "BFF_LOG_FORMAT", str),
    ("server", "log_level", "BFF_LOG_LEVEL", str),
    ("server", "templates_dir", "BFF_TEMPLATES_DIR", str),
    ("server", "static_dir", "BFF_STATIC_DIR", str),
    ("server", "openapi", "BFF_OPENAPI", str),
    ("audit", "key", "BFF_AUDIT_KEY", str),
    ("audit", "key_file", "BFF_AUDIT_KEY_FILE", str),
    ("audit", "anchor_file", "BFF_AUDIT_ANCHOR_FILE", str),
    ("database", "url", "BFF_DATABASE_URL", str),
    ("database", "echo", "BFF_DATABASE_ECHO", _bool),
    ("database", "schema", "BFF_DATABASE_SCHEMA", str),
    ("database", "pool_size", "BFF_DATABASE_POOL_SIZE", int),
    ("database", "max_overflow", "BFF_DATABASE_MAX_OVERFLOW", int),
    ("redis", "url", "BFF_REDIS_URL", str),
    ("redis", "key_prefix", "BFF_REDIS_PREFIX", str),
    ("auth", "secret", "BFF_SECRET", str),
    ("auth", "session_max_age_s", "BFF_SESSION_MAX_AGE", int),
    ("auth", "session_absolute_s", "BFF_SESSION_ABSOLUTE_SECONDS", int),
    ("auth", "secure_cookies", "BFF_SECURE_COOKIES", _bool),
    ("auth", "max_failed_logins", "BFF_MAX_FAILED_LOGINS", int),
    ("auth", "lock_after_failures", "BFF_LOCK_AFTER_FAILURES", int),
    ("auth", "lock_after_addresses", "BFF_LOCK_AFTER_ADDRESSES", int),
    ("auth", "lockout_s", "BFF_LOCKOUT_SECONDS", int),
    ("demo", "password", "BFF_DEMO_PASSWORD", str),
    ("demo", "camera_count", "BFF_DEMO_CAMERAS", int),
    ("demo", "seed_on_start", "BFF_DEMO_SEED", _bool),
    ("demo", "alerts_interval_s", "BFF_DEMO_ALERTS_SECONDS", float),
    ("catalog", "refresh_s", "BFF_CATALOG_REFRESH_SECONDS", float),
    ("platform", "kind", "BFF_PLATFORM", str),
    ("wvp", "url", "BFF_WVP_URL", str),
    ("wvp", "username", "BFF_WVP_USERNAME", str),
    ("wvp", "password", "BFF_WVP_PASSWORD", str),
    ("wvp", "api_version", "BFF_WVP_API", str),
    ("wvp", "request_timeout_s", "BFF_WVP_TIMEOUT", float),
    ("wvp", "play_timeout_s", "BFF_WVP_PLAY_TIMEOUT", float),
    ("wvp", "media_preference", "BFF_WVP_MEDIA", _csv),
    ("wvp", "alarm_mode", "BFF_WVP_ALARMS", str),
    ("wvp", "alarm_poll_s", "BFF_WVP_ALARM_POLL_SECONDS", float),
    ("wvp", "page_size", "BFF_WVP_PAGE_SIZE", int),
    ("wvp", "sync_interval_s", "BFF_WVP_SYNC_SECONDS", float),
    ("wvp", "timezone", "BFF_WVP_TIMEZONE", str),
    ("wvp", "verify_tls", "BFF_WVP_VERIFY_TLS", _bool),
    ("webrtc", "ice_host_addresses", "BFF_ICE_HOST_ADDRESSES", _csv),
    ("webrtc", "ice_servers", "BFF_ICE_SERVERS", json.loads),
    ("webrtc", "max_streams_per_user", "BFF_MAX_STREAMS_PER_USER", int),
    ("webrtc", "max_viewers_per_camera", "BFF_MAX_VIEWERS_PER_CAMERA", int),
    ("webrtc", "width", "BFF_VIDEO_WIDTH", int),
    ("webrtc", "height", "BFF_VIDEO_HEIGHT", int),
    ("webrtc", "fps", "BFF_VIDEO_FPS", int),
    ("webrtc", "bitrate_kbps", "BFF_VIDEO_BITRATE_KBPS", int),
    ("webrtc", "keyframe_interval_s", "BFF_KEYFRAME_INTERVAL", float),
    ("webrtc", "x264_preset", "BFF_X264_PRESET", str),
    ("webrtc", "watermark_font", "BFF_WATERMARK_FONT", str),
    ("webrtc", "source_linger_s", "BFF_SOURCE_LINGER_SECONDS", float),
    ("ptz", "rate", "BFF_PTZ_RATE", int),
    ("ptz", "rate_window_s", "BFF_PTZ_RATE_WINDOW", float),
    ("ptz", "watchdog_s", "BFF_PTZ_WATCHDOG_SECONDS", float),
    ("ptz", "command_timeout_s", "BFF_PTZ_TIMEOUT_SECONDS", float),
    ("webrtc", "direct_rtp", "BFF_DIRECT_RTP", _bool),
    ("webrtc", "timezone", "BFF_VIDEO_TIMEZONE", str),
    ("map", "tile_url", "BFF_MAP_TILE_URL", str.strip),
    ("map", "label_url", "BFF_MAP_LABEL_URL", str.strip),
    ("map", "subdomains", "BFF_MAP_TILE_SUBDOMAINS", _csv),
    ("map", "attribution", "BFF_MAP_ATTRIBUTION", str.strip),
    ("map", "max_zoom", "BFF_MAP_MAX_ZOOM", int),
    ("map", "centre_lat", "BFF_MAP_CENTRE_LAT", float),
    ("map", "centre_lon", "BFF_MAP_CENTRE_LON", float),
    ("alerts", "sources", "BFF_ALERT_SOURCES", json.loads),
    ("alerts", "max_clock_skew_s", "BFF_ALERT_MAX_SKEW_SECONDS", float),
    ("alerts", "rate", "BFF_ALERT_RATE", int),
    ("alerts", "rate_window_s", "BFF_ALERT_RATE_WINDOW", float),
    ("sharing", "grant_max_days", "BFF_GRANT_MAX_DAYS", int),
    ("sharing", "deadline_hours", "BFF_SHARE_DEADLINE_HOURS", float),
    ("sharing", "recheck_s", "BFF_ACCESS_RECHECK_SECONDS", float),
    ("live_feed", "heartbeat_s", "BFF_LIVE_HEARTBEAT_SECONDS", float),
    ("live_feed", "max_stream_s", "BFF_LIVE_STREAM_MAX_SECONDS", float),
    ("live_feed", "streams_per_user", "BFF_LIVE_STREAMS_PER_USER", int),
    ("alerts", "escalate_minutes", "BFF_ALERT_ESCALATE_MINUTES", float),
    ("alerts", "alarm_types", "BFF_ALERT_ALARM_TYPES", json.loads),
    ("alerts", "types_refresh_s", "BFF_ALERT_TYPES_REFRESH_SECONDS", float),
    ("push", "vapid_private_key", "BFF_VAPID_PRIVATE_KEY", str.strip),
    ("push", "vapid_subject", "BFF_VAPID_SUBJECT", str.strip),
    ("push", "hosts", "BFF_PUSH_HOSTS", _csv),
    ("push", "allow_http", "BFF_PUSH_ALLOW_HTTP", _bool),
    ("push", "proxy", "BFF_PUSH_PROXY", str.strip),
    ("push", "max_devices_per_user", "BFF_PUSH_MAX_DEVICES", int),
    ("push", "concurrency", "BFF_PUSH_CONCURRENCY", int),
    ("push", "timeout_s", "BFF_PUSH_TIMEOUT_SECONDS", float),
    ("push", "attempts", "BFF_PUSH_ATTEMPTS", int),
    ("push", "retry_base_s", "BFF_PUSH_RETRY_SECONDS", float),
    ("push", "max_retry_after_s", "BFF_PUSH_MAX_RETRY_AFTER_SECONDS", float),
    ("delivery", "poll_s", "BFF_DELIVERY_POLL_SECONDS", float),
    ("delivery", "lease_s", "BFF_DELIVERY_LEASE_SECONDS", float),
    ("delivery", "attempts", "BFF_DELIVERY_ATTEMPTS", int),
    ("delivery", "retry_s", "BFF_DELIVERY_RETRY_SECONDS", float),
    ("playback", "window_hours", "BFF_PLAYBACK_WINDOW_HOURS", float),
    ("playback", "clip_max_minutes", "BFF_CLIP_MAX_MINUTES", float),
    ("playback", "clip_link_minutes", "BFF_CLIP_LINK_MINUTES", float),
    ("playback", "clip_dir", "BFF_CLIP_DIR", str),
    ("playback", "clip_max_per_user", "BFF_CLIP_MAX_PER_USER", int),
    ("playback", "clip_max_running", "BFF_CLIP_MAX_RUNNING", int),
    ("playback", "clip_quota_mb", "BFF_CLIP_QUOTA_MB", float),
    ("playback", "clip_width", "BFF_CLIP_WIDTH", int),
)

ENVIRONMENT_VARIABLES = tuple(name for _, _, name, _ in _ENVIRONMENT)


class SettingsError(ValueError):
    """An environment variable holds a value of the wrong shape."""


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from `environ` (default: the process environment)."""
    environ = os.environ if environ is None else environ
    raw: dict[str, dict[str, object]] = {}
    for section, field, name, parse in _ENVIRONMENT:
        if name not in environ:
            continue
        try:
            raw.setdefault(section, {})[field] = parse(environ[name])  # type: ignore[operator]
        except ValueError as exc:
            raise SettingsError(f"{name}: {exc}") from exc
    try:
        settings = msgspec.convert(raw, Settings)
    except msgspec.ValidationError as exc:
        raise SettingsError(str(exc)) from exc
    if settings.platform.kind == "wvp":
        _check_wvp(settings.wvp)
    try:
        settings.webrtc.tzinfo()
    except ValueError as exc:
        raise SettingsError(f"BFF_VIDEO_TIMEZONE: {exc}") from exc
    if not settings.auth.secret:
        settings.auth.secret = secrets.token_urlsafe(32)
    return settings


def _check_wvp(wvp: WvpSettings) -> None:
    """Refuse a WVP configuration that could never work, naming the variable to fix."""
    if not wvp.url.strip():
        raise SettingsError("BFF_WVP_URL: required when BFF_PLATFORM=wvp "
                            "(base URL of WVP's API, e.g. http://10.20.0.5:18080)")
    if not wvp.url.lower().startswith(("http://", "https://")):
        raise SettingsError(f"BFF_WVP_URL: not an http(s) URL: {wvp.url!r}")
    if not 1 <= wvp.page_size <= 1000:
        raise SettingsError(f"BFF_WVP_PAGE_SIZE: must be 1–1000, not {wvp.page_size}")
    if wvp.request_timeout_s <= 0 or wvp.play_timeout_s <= 0:
        raise SettingsError("BFF_WVP_TIMEOUT, BFF_WVP_PLAY_TIMEOUT: must be positive")
    if wvp.sync_interval_s < 0 or wvp.alarm_poll_s <= 0:
        raise SettingsError("BFF_WVP_SYNC_SECONDS must be >= 0 and "
                            "BFF_WVP_ALARM_POLL_SECONDS > 0")
    if not wvp.media_preference:
        raise SettingsError("BFF_WVP_MEDIA: name at least one StreamContent field")
    try:
        wvp.tzinfo()
    except ValueError as exc:
        raise SettingsError(f"BFF_WVP_TIMEZONE: {exc}") from exc

