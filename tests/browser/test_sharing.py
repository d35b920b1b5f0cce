"""Two phones: an officer asks for a school-kitchen camera, the 市场监管 approver sees
the request arrive and approves it, the officer watches; the approver revokes and the
officer's video stops with a message."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import PASSWORD, SHANWEI_STREET


def sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    expect(page.locator('[data-testid="who"]')).to_be_visible()


def kitchen_camera(page: Page) -> str:
    """An online 市场监管 kitchen camera near the officer that needs an approval."""
    device_id = page.evaluate("""async (where) => {
        const url = `/api/cameras/nearby?lat=${where.latitude}&lon=${where.longitude}` +
                    `&dept=24&limit=100&radius_m=20000`;
        const cameras = await (await fetch(url, {headers: {accept: 'application/json'}})).json();
        const hit = cameras.find(c => c.access === 'request' && c.online && c.share_attr === 0
                                      && c.name.includes('明厨亮灶'));
        return hit ? hit.device_id : null;
    }""", SHANWEI_STREET)
    assert device_id, "no conditional kitchen camera near the test street"
    return device_id


def test_ask_approve_watch_revoke(browser, server: str) -> None:
    contexts: list[BrowserContext] = []
    try:
        for _ in range(2):
            context = browser.new_context(
                viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                locale="zh-CN", geolocation=SHANWEI_STREET, permissions=["geolocation"],
                base_url=server, bypass_csp=True)  # Playwright's predicates use eval
            context.set_default_timeout(20_000)
            contexts.append(context)
        officer, approver = contexts[0].new_page(), contexts[1].new_page()
        for page in (officer, approver):
            page.on("dialog", lambda dialog: dialog.accept())  # the confirmations
        sign_in(approver, "approver01")
        approver.goto("/approvals")
        expect(approver.locator('[data-testid="inbox-empty"]')).to_be_visible()

        sign_in(officer, "police01")
        device_id = kitchen_camera(officer)
        officer.goto(f"/cameras/{device_id}")
        expect(officer.locator('[data-testid="not-playable"]')).to_be_visible()
        officer.click('[data-testid="not-playable"] [data-testid="request-access"]')
        officer.wait_for_url("**/access/request?device_ids=*")
        officer.fill('[data-testid="purpose"]', "学校食堂投诉核查")
        officer.click('[data-testid="ask-submit"]')
        result = officer.locator('[data-testid="request-result"]')
        expect(result).to_contain_text("待审批")

        # The approver's open page shows the new request in its badge (polled).
        expect(approver.locator('[data-testid="share-badge-count"]')).to_be_visible(
            timeout=30_000)
        approver.click('[data-testid="share-badge"]')
        approver.wait_for_url("**/approvals")
        card = approver.locator('[data-testid="approval"]').first
        expect(card.locator('[data-testid="requester"]')).to_contain_text("陈志强")
        expect(card).to_contain_text("学校食堂投诉核查")
        card.locator('[data-testid="approve"]').click()
        expect(approver.locator('[data-testid="decided"] [data-state="approved"]')).to_be_visible()

        officer.goto(f"/cameras/{device_id}")
        expect(officer.locator("#live-video")).to_be_visible()
        officer.wait_for_function("window.__liveStats && window.__liveStats.frames >= 5",
                                  timeout=30_000)

        approver.goto("/grants")
        row = approver.locator('[data-testid="grant"][data-state="active"]').first
        row.locator('input[name="reason"]').fill("核查结束")
        row.locator('[data-testid="revoke"]').click()
        expect(approver.locator('[data-testid="grant"][data-state="revoked"]').first).to_be_visible()

        status = officer.locator("#live-status")
        expect(status).to_have_text("授权已被撤销，视频已停止", timeout=20_000)
        expect(officer.locator("#player")).to_have_attribute("data-ended", "true")
        expect(officer.locator("#live-video")).to_be_hidden()
    finally:
        for context in contexts:
            context.close()
