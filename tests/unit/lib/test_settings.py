"""Settings come from environment variables, typed and checked."""

from __future__ import annotations

import pytest

from bff.lib.settings import SettingsError, load_settings


def test_defaults_are_the_embedded_default() -> None:
    settings = load_settings({})
    assert settings.server.host == "127.0.0.1" and settings.server.port == 8000
    assert settings.database.url.startswith("sqlite+aiosqlite:///")
    assert settings.redis.url is None
    assert settings.webrtc.ice_servers == [] and settings.webrtc.ice_host_addresses == []
    assert settings.demo.camera_count == 19_639
    assert len(settings.auth.secret) >= 32  # random when not configured


def test_environment_overrides() -> None:
    settings = load_settings({
        "BFF_HOST": "0.0.0.0", "BFF_PORT": "9001", "BFF_REDIS_URL": "redis://127.0.0.1:6379/1",
        "BFF_ICE_HOST_ADDRESSES": "127.0.0.1, 10.0.0.5",
        "BFF_ICE_SERVERS": '[{"urls": ["turn:turn.example:3478"], "username": "u", "credential": "c"}]',
        "BFF_SECURE_COOKIES": "true", "BFF_VIDEO_FPS": "12",
    })
    assert settings.server.port == 9001 and settings.server.host == "0.0.0.0"
    assert settings.webrtc.ice_host_addresses == ["127.0.0.1", "10.0.0.5"]
    assert settings.webrtc.ice_servers[0].urls == ["turn:turn.example:3478"]
    assert settings.auth.secure_cookies is True and settings.webrtc.fps == 12


@pytest.mark.parametrize("name,value", [
    ("BFF_PORT", "eighty"), ("BFF_SECURE_COOKIES", "maybe"), ("BFF_ICE_SERVERS", "[{]"),
    ("BFF_ICE_SERVERS", '[{"url": "stun:x"}]'), ("BFF_PLATFORM", "mystery"),
    ("BFF_DATABASE_POOL_SIZE", "0"), ("BFF_DATABASE_MAX_OVERFLOW", "-1"),
])
def test_bad_values_are_reported_by_name(name: str, value: str) -> None:
    with pytest.raises(SettingsError):
        load_settings({name: value})


def test_settings_are_not_read_at_import() -> None:
    import importlib

    import bff.app

    importlib.reload(bff.app)  # importing the app reads no environment and opens nothing
    assert callable(bff.app.create_app)


async def test_database_pool_size_reaches_the_engine(tmp_path) -> None:  # noqa: ANN001
    from bff.lib.db import create_database

    settings = load_settings({
        "BFF_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'pool.sqlite3'}",
        "BFF_DATABASE_POOL_SIZE": "12", "BFF_DATABASE_MAX_OVERFLOW": "3"})
    database = create_database(settings.database)
    try:
        pool = database.engine.pool
        assert pool.size() == 12 and pool._max_overflow == 3  # type: ignore[attr-defined]
    finally:
        await database.close()
