"""Push tests: the app may post to the local push receiver (127.0.0.1 over http, which
only a test setting allows), retries are quick, and one alert source signs events."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import AsyncTestClient

from bff.lib.settings import AlertSettings, DeliverySettings, PushSettings, Settings
from tests.helpers import api_headers, sign_in
from tests.integration.alerts.conftest import RATE, SECRET, SOURCE
from tests.push_receiver import PushReceiver


def push_settings(**overrides: object) -> PushSettings:
    values: dict[str, object] = {"hosts": ["127.0.0.1"], "allow_http": True,
                                 "retry_base_s": 0.2, "max_retry_after_s": 3.0,
                                 "timeout_s": 5.0}
    values.update(overrides)
    return PushSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.alerts = AlertSettings(sources={SOURCE: SECRET}, rate=RATE, rate_window_s=3600)
    settings.push = push_settings()
    settings.delivery = DeliverySettings(poll_s=0.5, lease_s=10, retry_s=0.5)
    return settings


@pytest.fixture
def receiver() -> Iterator[PushReceiver]:
    with PushReceiver() as running:
        yield running


async def subscribe(client: AsyncTestClient, subscription: dict[str, object],
                    user_agent: str = "Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile"):
    return await client.post("/api/push/subscriptions", json=subscription,
                             headers={**api_headers(client), "user-agent": user_agent})


async def signed_in_with_device(client: AsyncTestClient, receiver: PushReceiver,
                                username: str = "water01") -> dict[str, object]:
    """Sign `username` in and subscribe one device on the receiver; its subscription."""
    answer = await sign_in(client, username)
    assert answer.status_code in (302, 303), answer.text
    subscription = receiver.subscribe()
    created = await subscribe(client, subscription)
    assert created.status_code == 201, created.text
    return subscription
