"""Fixtures shared by the whole suite: settings for each backend and a running app.

Every integration test runs twice: on the embedded default (SQLite + memory stores) and
on PostgreSQL + Redis ("services", from BFF_TEST_DATABASE_URL / BFF_TEST_REDIS_URL, which
scripts/test sets). When those variables are set the services must be reachable: the
test fails rather than skips.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from bff.lib.settings import (
    AuditSettings,
    AuthSettings,
    DatabaseSettings,
    DemoSettings,
    RedisSettings,
    Settings,
    WebRTCSettings,
)

TEST_CAMERAS = 2_000  # proportional slice of the demo catalogue: fast to seed, same shape
TEST_PASSWORD = "Test@Pass-2026"
TEST_AUDIT_KEY = "test-audit-key-not-for-production-0123456789"
BACKENDS = ("embedded", "services")


def base_settings(**overrides: object) -> Settings:
    """Settings for tests: loopback-only ICE, no STUN, small catalogue, fixed secret."""
    settings = Settings(
        auth=AuthSettings(secret="test-secret-not-for-production", max_failed_logins=3,
                          lockout_s=60),
        # No made-up demo alerts in the background: tests raise the alerts they expect.
        demo=DemoSettings(password=TEST_PASSWORD, camera_count=TEST_CAMERAS,
                          alerts_interval_s=0),
        webrtc=WebRTCSettings(ice_host_addresses=["127.0.0.1"], ice_servers=[],
                              source_linger_s=0.2, connect_timeout_s=10),
        # Anchors named per database, in a scratch folder rather than the project's var/.
        audit=AuditSettings(key=TEST_AUDIT_KEY, key_file=str(
            Path(tempfile.gettempdir()) / "bff-test-audit" / "audit.key")),
    )
    for key, value in overrides.items():
        setattr(settings, key, value)
    return settings


async def _prepare(settings: Settings) -> None:
    """Migrate and seed once; later apps find the data in place."""
    from bff.auth.departments import seed_departments
    from bff.demo.platform import DemoPlatform
    from bff.lib.db import create_database
    from bff.migrate import upgrade_to_head

    database = create_database(settings.database)
    platform = DemoPlatform(settings)
    try:
        await upgrade_to_head(database)
        await seed_departments(database)
        await platform.seed_first_run(database, password=settings.demo.password)
    finally:
        await platform.close()
        await database.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    settings = base_settings(database=DatabaseSettings(url=f"sqlite+aiosqlite:///{path}"))
    asyncio.run(_prepare(settings))
    return path


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[tuple[str, str]]:
    url = os.environ.get("BFF_TEST_DATABASE_URL")
    if not url:
        pytest.skip("BFF_TEST_DATABASE_URL not set (scripts/test sets it)")
    schema = f"bff_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"

    async def create() -> None:
        import asyncpg

        conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"), timeout=10)
        try:
            await conn.execute(f'CREATE SCHEMA "{schema}"')
        finally:
            await conn.close()

    async def drop() -> None:
        import asyncpg

        conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"), timeout=10)
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await conn.close()

    asyncio.run(create())
    settings = base_settings(database=DatabaseSettings(url=url, schema=schema))
    asyncio.run(_prepare(settings))
    yield url, schema
    asyncio.run(drop())


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Fresh settings per test: a copy of the seeded SQLite file, or the session's
    PostgreSQL schema with the mutable tables emptied and a private Redis namespace."""
    # Each test its own audit anchor, like each its own database.
    audit = AuditSettings(key=TEST_AUDIT_KEY, anchor_file=str(tmp_path / "audit-anchor.json"))
    if request.param == "embedded":
        path = tmp_path / "bff.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield base_settings(database=DatabaseSettings(url=f"sqlite+aiosqlite:///{path}"),
                            audit=audit)
        return
    url, schema = request.getfixturevalue("postgres_schema")
    redis_url = os.environ.get("BFF_TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("BFF_TEST_REDIS_URL not set (scripts/test sets it)")
    prefix = f"bfftest-{uuid.uuid4().hex[:8]}"
    asyncio.run(_truncate_mutable(url, schema))
    yield base_settings(database=DatabaseSettings(url=url, schema=schema),
                        redis=RedisSettings(url=redis_url, key_prefix=prefix), audit=audit)
    asyncio.run(_drop_redis_prefix(redis_url, prefix))


# The routes migration 0003 seeds; restored before each test, as tests may edit them.
DEFAULT_ALERT_ROUTES = (
    ("flooding", '["15", "21"]', False), ("kitchen_no_hat", '["24"]', False),
    ("kitchen_rodent", '["24"]', False), ("kitchen_garbage", '["24"]', False),
    ("forest_fire", '["21"]', False), ("smuggling_intrusion", '["06"]', False),
    ("camera_offline", '["29"]', True),
)


async def _truncate_mutable(url: str, schema: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"), timeout=10)
    try:
        await conn.execute(f'TRUNCATE "{schema}".audit_event, "{schema}".camera_grant, '
                           f'"{schema}".alert, "{schema}".alert_recipient, '
                           f'"{schema}".alert_outbox, "{schema}".alert_mute, '
                           f'"{schema}".alert_type, "{schema}".share_request, '
                           f'"{schema}".share_part, "{schema}".share_grant, '
                           f'"{schema}".share_notice, "{schema}".alert_delivery, '
                           f'"{schema}".push_subscription, "{schema}".clip RESTART IDENTITY')
        await conn.execute(f'DELETE FROM "{schema}".alert_route')
        await conn.executemany(
            f'INSERT INTO "{schema}".alert_route (type, dept_codes, to_owner, '
            f'required_dept_codes) VALUES ($1, $2::json, $3, \'[]\'::json)',
            DEFAULT_ALERT_ROUTES)
    finally:
        await conn.close()


async def _drop_redis_prefix(url: str, prefix: str) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(url)
    try:
        keys = [k async for k in redis.scan_iter(match=f"{prefix}*", count=500)]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


@pytest.fixture
async def app(settings: Settings) -> Litestar:
    from bff.app import create_app

    return create_app(settings)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[object]:
    """The test's own connection to the app's database. The test client runs the app on
    another event loop, so tests must not borrow `app.state.services.database`."""
    from bff.lib.db import create_database

    database = create_database(settings.database)
    yield database
    await database.close()
