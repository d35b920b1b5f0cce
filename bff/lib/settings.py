"""Typed settings, one struct per concern, loaded from environment variables.

Nothing here is read at import time: `load_settings()` is called by the CLI (or by a test)
and the resulting object is passed to `create_app(settings)`.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import msgspec

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class ServerSettings(msgspec.Struct, kw_only=True):
    host: str = "127.0.0.1"
    """Interface the HTTP server binds to (BFF_HOST)."""
    port: int = 8000
    """TCP port of the HTTP server (BFF_PORT)."""
    debug: bool = False
    """Litestar debug mode: tracebacks in error pages (BFF_DEBUG). Never in deployment."""
    log_format: Literal["text", "json"] = "text"
    """Log lines as plain text or one JSON object per line (BFF_LOG_FORMAT)."""
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    """Lowest level logged (BFF_LOG_LEVEL)."""
    templates_dir: str = str(PROJECT_ROOT / "web" / "templates")
    """Folder of the jinja2 templates (BFF_TEMPLATES_DIR)."""
    static_dir: str = str(PROJECT_ROOT / "web" / "static")
    """Folder of the static files: htmx, CSS, icons, page scripts (BFF_STATIC_DIR)."""


class DatabaseSettings(msgspec.Struct, kw_only=True):
    url: str = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'bff.sqlite3'}"
    """SQLAlchemy async URL (BFF_DATABASE_URL); e.g. postgresql+asyncpg://user@host/db."""
    echo: bool = False
    """Log every SQL statement (BFF_DATABASE_ECHO)."""
    schema: str | None = None
    """PostgreSQL schema to use instead of the default search path (BFF_DATABASE_SCHEMA)."""


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
    secure_cookies: bool = False
    """Mark cookies Secure (BFF_SECURE_COOKIES): true behind HTTPS in deployment."""
    max_failed_logins: int = 5
    """Failed sign-ins in a row that lock an account (BFF_MAX_FAILED_LOGINS)."""
    lockout_s: int = 15 * 60
    """How long a locked account stays locked, seconds (BFF_LOCKOUT_SECONDS)."""


class DemoSettings(msgspec.Struct, kw_only=True):
    password: str = "Demo@2026"
    """Password of every demo account (BFF_DEMO_PASSWORD)."""
    camera_count: int = 19_639
    """Size of the demo catalogue (BFF_DEMO_CAMERAS); 19,639 = Shanwei's connected cameras."""
    seed_on_start: bool = True
    """Migrate and seed demo users and cameras at start when the database is empty."""


class PlatformSettings(msgspec.Struct, kw_only=True):
    kind: Literal["demo"] = "demo"
    """Which sharing platform to talk to (BFF_PLATFORM); 'demo' = built-in synthetic one."""


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
    direct_rtp: bool = True
    """Send RTP from the encoder threads, bypassing aiortc's per-packet media loop
    (BFF_DIRECT_RTP); false = aiortc's own loop (slower, kept as a fallback)."""


class Settings(msgspec.Struct, kw_only=True):
    server: ServerSettings = msgspec.field(default_factory=ServerSettings)
    database: DatabaseSettings = msgspec.field(default_factory=DatabaseSettings)
    redis: RedisSettings = msgspec.field(default_factory=RedisSettings)
    auth: AuthSettings = msgspec.field(default_factory=AuthSettings)
    demo: DemoSettings = msgspec.field(default_factory=DemoSettings)
    platform: PlatformSettings = msgspec.field(default_factory=PlatformSettings)
    webrtc: WebRTCSettings = msgspec.field(default_factory=WebRTCSettings)


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
    ("server", "log_format", "BFF_LOG_FORMAT", str),
    ("server", "log_level", "BFF_LOG_LEVEL", str),
    ("server", "templates_dir", "BFF_TEMPLATES_DIR", str),
    ("server", "static_dir", "BFF_STATIC_DIR", str),
    ("database", "url", "BFF_DATABASE_URL", str),
    ("database", "echo", "BFF_DATABASE_ECHO", _bool),
    ("database", "schema", "BFF_DATABASE_SCHEMA", str),
    ("redis", "url", "BFF_REDIS_URL", str),
    ("redis", "key_prefix", "BFF_REDIS_PREFIX", str),
    ("auth", "secret", "BFF_SECRET", str),
    ("auth", "session_max_age_s", "BFF_SESSION_MAX_AGE", int),
    ("auth", "secure_cookies", "BFF_SECURE_COOKIES", _bool),
    ("auth", "max_failed_logins", "BFF_MAX_FAILED_LOGINS", int),
    ("auth", "lockout_s", "BFF_LOCKOUT_SECONDS", int),
    ("demo", "password", "BFF_DEMO_PASSWORD", str),
    ("demo", "camera_count", "BFF_DEMO_CAMERAS", int),
    ("demo", "seed_on_start", "BFF_DEMO_SEED", _bool),
    ("platform", "kind", "BFF_PLATFORM", str),
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
    ("webrtc", "direct_rtp", "BFF_DIRECT_RTP", _bool),
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
    if not settings.auth.secret:
        settings.auth.secret = secrets.token_urlsafe(32)
    return settings
