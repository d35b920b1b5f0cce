"""Redis down (restarting, unreachable): clear answers, never a broken response."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from bff.app import create_app
from bff.lib.settings import RedisSettings, Settings
from tests.helpers import sign_in


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def client_without_redis(settings: Settings) -> AsyncIterator[AsyncTestClient]:
    unreachable = msgspec.structs.replace(
        settings, redis=RedisSettings(url=f"redis://127.0.0.1:{_closed_port()}/0",
                                      key_prefix="outage"))
    async with AsyncTestClient(app=create_app(unreachable),
                               base_url="http://127.0.0.1:8000") as client:
        yield client


async def test_health_reports_the_store_down(client_without_redis: AsyncTestClient) -> None:
    answer = await client_without_redis.get("/health")
    assert answer.status_code == 200
    assert answer.json()["redis"] == "unavailable" and answer.json()["status"] == "degraded"


async def test_pages_and_sign_in_degrade_clearly(client_without_redis: AsyncTestClient) -> None:
    client = client_without_redis
    assert (await client.get("/static/app.css")).status_code == 200  # no session needed
    page = await client.get("/login")  # the form still renders (its session is not kept)
    assert page.status_code == 200 and 'name="username"' in page.text
    refused = await sign_in(client, "police01")
    assert refused.status_code == 503 and "服务暂时不可用" in refused.text

    # A phone coming back with a session cookie: the session cannot be read → 503.
    client.cookies.set("bff_session", "5e" * 32)  # shaped like an id the server made
    again = await client.get("/", follow_redirects=False)
    assert again.status_code == 503 and "服务暂时不可用" in again.text
    english = await client.get("/api/cameras/nearby", params={"lat": 22.78, "lon": 115.36},
                               headers={"accept": "application/json",
                                        "accept-language": "en"})
    assert english.status_code == 503
    assert english.json()["message"] == "The service is briefly unavailable; try again"


async def test_with_redis_up_health_says_so(client: AsyncTestClient, settings: Settings) -> None:
    body = (await client.get("/health")).json()
    assert body["redis"] == ("ok" if settings.redis.url else "not used")
    assert body["status"] == "ok"
