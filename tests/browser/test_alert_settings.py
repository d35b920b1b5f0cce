"""Alert routing and notification settings on a phone: the administrator makes a type
required for a department, a duty officer of that department finds it locked on their
settings page and turns another type off; demo alerts arrive on their own."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import PASSWORD, PHONE, running_server


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of this module's own (its routes and mutes change), raising a demo alert
    every second."""
    with running_server(tmp_path_factory.mktemp("alert-settings"),
                        BFF_DEMO_ALERTS_SECONDS="1") as base:
        yield base


@pytest.fixture
def phone_on(browser, own_server: str) -> Iterator[BrowserContext]:
    context = browser.new_context(**PHONE, base_url=own_server)
    context.set_default_timeout(15_000)
    yield context
    context.close()


def sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    expect(page.locator('[data-testid="who"]')).to_be_visible()


def test_required_type_is_locked_and_another_can_be_turned_off(phone_on: BrowserContext
                                                                ) -> None:
    admin = phone_on.new_page()
    sign_in(admin, "admin")
    admin.goto("/admin/alert-routes")
    expect(admin.locator("h1")).to_have_text("预警分发规则")
    rodent = admin.locator('details.route[data-type="kitchen_rodent"]')
    rodent.locator("summary").click()
    rodent.get_by_label("市场监督管理部门 必收").check()
    rodent.get_by_role("button", name="保存").click()
    expect(admin.locator('[data-testid="routes-saved"]')).to_contain_text("kitchen_rodent")
    expect(admin.locator('details.route[data-type="kitchen_rodent"]')
           .get_by_label("市场监督管理部门 必收")).to_be_checked()
    phone_on.clear_cookies()

    officer = phone_on.new_page()
    sign_in(officer, "market01")
    officer.goto("/settings/alerts")
    expect(officer.locator("h1")).to_have_text("预警通知设置")
    locked = officer.locator('li.mute[data-type="kitchen_rodent"]')
    expect(locked).to_contain_text("本部门必收，不能关闭")
    expect(locked.locator("input[type=checkbox]")).to_be_disabled()
    no_hat = officer.locator('li.mute[data-type="kitchen_no_hat"] input[type=checkbox]')
    expect(no_hat).to_be_checked()
    no_hat.uncheck()
    officer.get_by_role("button", name="保存").click()
    expect(officer.locator('[data-testid="mutes-saved"]')).to_be_visible()

    officer.reload()
    expect(officer.locator('li.mute[data-type="kitchen_no_hat"] input[type=checkbox]')
           ).not_to_be_checked()
    expect(officer.locator('li.mute[data-type="kitchen_garbage"] input[type=checkbox]')
           ).to_be_checked()
    mutes = officer.request.get("/api/alerts/mutes").json()
    assert {m["type"]: m["muted"] for m in mutes}["kitchen_no_hat"] is True


def test_demo_alerts_arrive_without_anyone_posting(phone_on: BrowserContext) -> None:
    page = phone_on.new_page()
    sign_in(page, "water01")
    # flooding goes to 水务; the source picks flood points among other places.
    deadline = time.monotonic() + 60
    alerts: list[dict] = []
    while time.monotonic() < deadline and not alerts:
        alerts = page.request.get("/api/alerts?type=flooding").json()
        if not alerts:
            time.sleep(0.5)
    assert alerts, "no demo flooding alert within 60 s"
    first = alerts[0]
    assert first["has_snapshot"] and "厘米" in (first["detail"] or "")
    snapshot = page.request.get(f"/api/alerts/{first['id']}/snapshot")
    assert snapshot.status == 200 and snapshot.body()[:2] == b"\xff\xd8"
