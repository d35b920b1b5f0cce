"""The live alert inbox on two phones of the same department (24 市场监管): an alert posted
by the analysis platform (signed HTTP, as in production) appears on an open inbox and in
the other phone's badge without a reload; acknowledging and resolving on one phone updates
the other phone's open alert page."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bff.alerts.signing import sign
from tests.browser.conftest import PHONE, SHANWEI_STREET, running_server
from tests.browser.test_walking_skeleton import sign_in

SOURCE = "analysis"
SECRET = "browser-alert-secret-0123456789-abcdefgh"
KITCHEN_CAMERA = "44150201001320000001"  # 城区, inside market01's and approver01's region


@pytest.fixture(scope="module")
def alert_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of its own that knows the test's alert source."""
    folder = tmp_path_factory.mktemp("alert-server")
    with running_server(folder, BFF_ALERT_SOURCES=json.dumps({SOURCE: SECRET})) as base:
        yield base


@pytest.fixture
def two_phones(browser: Browser,
               alert_server: str) -> Iterator[tuple[BrowserContext, BrowserContext]]:
    contexts = [browser.new_context(**PHONE, geolocation=SHANWEI_STREET,
                                    permissions=["geolocation"], base_url=alert_server)
                for _ in range(2)]
    for context in contexts:
        context.set_default_timeout(15_000)
    yield contexts[0], contexts[1]
    for context in contexts:
        context.close()


def post_alert(base: str, event_id: str, alert_type: str) -> int:
    """Sign and post one event exactly as the analysis platform does."""
    body = json.dumps({"event_id": event_id, "type": alert_type, "device_id": KITCHEN_CAMERA,
                       "occurred_at": "2026-12-04T11:20:00+08:00", "confidence": 0.87,
                       "detail": "后厨操作间发现老鼠"}).encode()
    stamp = int(time.time())
    request = urllib.request.Request(f"{base}/api/alerts/events", data=body, method="POST",
                                     headers={"content-type": "application/json",
                                              "x-alert-source": SOURCE,
                                              "x-alert-timestamp": str(stamp),
                                              "x-alert-signature": sign(SECRET, stamp, body)})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 202
        return json.loads(response.read())["alert_id"]


def wait_live(page: Page) -> None:
    """Until the page's live channel is open (events published from now on arrive)."""
    expect(page.locator("body")).to_have_attribute("data-live", "open")


def test_inbox_live_and_acknowledge_syncs_phones(
        two_phones: tuple[BrowserContext, BrowserContext], alert_server: str) -> None:
    market_phone, approver_phone = two_phones
    inbox = market_phone.new_page()
    sign_in(inbox, "market01")
    inbox.goto("/alerts")
    expect(inbox.locator("h1")).to_have_text("预警收件箱")
    other = approver_phone.new_page()
    sign_in(other, "approver01")  # lands on the nearby page: the badge is in every page
    wait_live(inbox)
    wait_live(other)
    inbox.evaluate("window.notReloaded = true")

    alert_id = post_alert(alert_server, "browser-k1", "kitchen_rodent")

    row = inbox.locator(f'[data-alert-id="{alert_id}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("明厨亮灶：发现鼠患")
    expect(row.locator('[data-testid="alert-state"]')).to_have_text("待确认")
    assert inbox.evaluate("window.notReloaded") is True  # arrived live, no reload
    expect(inbox.locator('[data-testid="unread-count"]')).to_have_text("1")
    expect(other.locator('[data-testid="unread-count"]')).to_have_text("1")

    # The other phone opens the alert from its badge; opening marks it read.
    other.click('[data-testid="nav-alerts"]')
    other.click(f'[data-alert-id="{alert_id}"] a')
    expect(other.locator('[data-testid="detail-state"]')).to_have_text("待确认")
    expect(other.locator('[data-testid="alert-distance"]')).to_contain_text("距您约")
    expect(other.locator('[data-testid="unread-count"]')).to_have_count(0)
    expect(other.locator('[data-testid="snapshot"]')).to_have_count(0)
    wait_live(other)

    # Acknowledge on the first phone (opened from the push-style link, button focused).
    inbox.goto(f"/alerts/{alert_id}?action=acknowledge")
    wait_live(inbox)  # the page has re-read the alert once its stream opened …
    acknowledge = inbox.locator('[data-testid="acknowledge"]')
    expect(acknowledge).to_be_focused()  # … and still offers the button, focused
    expect(inbox.locator(".alert-actions")).to_contain_text("确认表示您已知悉并负责跟进该预警")
    acknowledge.click()
    expect(inbox.locator('[data-testid="detail-state"]')).to_have_text("已确认")
    expect(inbox.locator('[data-testid="alert-notice"]')).to_contain_text("完成后填写处置情况")

    # … the second phone's open page follows without a reload.
    expect(other.locator('[data-testid="detail-state"]')).to_have_text("已确认")
    expect(other.locator('[data-testid="acknowledged-by"]')).to_contain_text("吴丽娟")
    expect(other.locator('[data-testid="acknowledge"]')).to_have_count(0)

    # The second phone resolves with a note; the first phone's page shows it.
    other.fill('[data-testid="resolve-note"]', "已灭鼠并清理后厨")
    other.click('[data-testid="resolve"]')
    expect(other.locator('[data-testid="detail-state"]')).to_have_text("处置完成")
    expect(other.locator('[data-testid="alert-notice"]')).to_contain_text("该预警已关闭")
    expect(inbox.locator('[data-testid="detail-state"]')).to_have_text("处置完成")
    expect(inbox.locator('[data-testid="resolution-note"]')).to_have_text("已灭鼠并清理后厨")
    expect(inbox.locator('[data-testid="resolved-by"]')).to_contain_text("郑国栋")


def test_empty_note_is_refused_in_chinese(two_phones: tuple[BrowserContext, BrowserContext],
                                          alert_server: str) -> None:
    page = two_phones[0].new_page()
    sign_in(page, "market01")
    alert_id = post_alert(alert_server, "browser-k2", "kitchen_garbage")
    page.goto("/alerts?type=kitchen_garbage")
    expect(page.locator('[data-testid="filter-type"]')).to_have_value("kitchen_garbage")
    page.click(f'[data-alert-id="{alert_id}"] a')
    # The browser's own check is skipped so the server's answer shows.
    page.locator('[data-testid="resolve-note"]').evaluate("el => el.removeAttribute('required')")
    page.fill('[data-testid="resolve-note"]', "   ")
    page.click('[data-testid="resolve"]')
    expect(page.locator('[data-testid="alert-error"]')).to_have_text(
        "请填写处置情况后再点击“处置完成”")
    expect(page.locator('[data-testid="detail-state"]')).to_have_text("待确认")
