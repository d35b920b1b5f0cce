"""通知设置 page: the enable button (permission asked only when tapped, by push.js), the
key for subscribing, my devices with remove buttons; htmx gets the list alone."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from tests.helpers import api_headers, sign_in
from tests.integration.push.conftest import subscribe
from tests.push_receiver import PushReceiver


async def test_page_lists_my_devices_and_offers_the_button(client: AsyncTestClient,
                                                           receiver: PushReceiver) -> None:
    await sign_in(client, "water01")
    empty = await client.get("/settings/notifications")
    assert empty.status_code == 200
    assert 'data-testid="push-enable"' in empty.text and "在本设备开启通知" in empty.text
    assert "尚无设备开启通知" in empty.text and "/static/push.js" in empty.text
    key = (await client.get("/api/push/key")).json()["public_key"]
    assert f'data-public-key="{key}"' in empty.text
    assert 'href="/settings/notifications"' in empty.text  # in the navigation

    device = (await subscribe(client, receiver.subscribe())).json()
    page = await client.get("/settings/notifications")
    assert "Chrome · Android" in page.text and device["endpoint_digest"] in page.text
    assert f'hx-delete="/api/push/subscriptions/{device["id"]}"' in page.text

    fragment = await client.get("/settings/notifications", headers={"hx-request": "true"})
    assert fragment.text.lstrip().startswith('<ul id="push-devices"')
    removed = await client.delete(f"/api/push/subscriptions/{device['id']}",
                                  headers={**api_headers(client), "hx-request": "true",
                                           "accept": "text/html"})
    assert removed.status_code == 200 and "尚无设备开启通知" in removed.text


async def test_page_in_english(client: AsyncTestClient) -> None:
    await sign_in(client, "water01")
    page = await client.get("/settings/notifications", headers={"accept-language": "en"})
    assert "Enable notifications on this device" in page.text
    assert 'data-text-in-app="In-app live channel only"' in page.text


async def test_page_needs_sign_in(client: AsyncTestClient) -> None:
    answer = await client.get("/settings/notifications", follow_redirects=False)
    assert answer.status_code in (302, 303, 401)
