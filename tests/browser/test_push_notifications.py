"""Web Push in a real browser: the settings page tells which channel this device has, and
the service worker turns a push into a notification (type, place, time; tag per camera and
type; actions 查看实况 / 确认) and shows a repeated alert only once.

Headless Chromium cannot reach a push service, so pushes are handed to the service worker
through CDP (`ServiceWorker.deliverPushMessage`), as a push service would hand them."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
from tests.browser.test_walking_skeleton import sign_in


@pytest.fixture
def installed_app(playwright, server: str, tmp_path: Path):
    """A persistent profile (incognito refuses Push); notifications not yet decided."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
        base_url=server, **PHONE)
    context.set_default_timeout(15_000)
    yield context
    context.close()


def alert(alert_id: int, device_id: str, **fields: object) -> str:
    payload = {"alert_id": alert_id, "kind": "new", "type": "flooding", "label": "易涝点积水",
               "label_en": "Flooding", "device_id": device_id, "camera": "二马路积水点",
               "place": "城区通港路", "occurred_at": "2026-12-04T08:30:00+08:00",
               "urgency": "high", "url": f"/alerts/{alert_id}", **fields}
    return json.dumps(payload, ensure_ascii=False)


def test_permission_is_asked_only_from_the_button(installed_app) -> None:
    # Count permission requests; the user answers "block".
    installed_app.add_init_script("""
        window.__permissionAsked = 0;
        Notification.requestPermission = () => {
            window.__permissionAsked += 1;
            return Promise.resolve("denied");
        };""")
    page = installed_app.new_page()
    sign_in(page, "water01")
    page.get_by_test_id("nav-notifications").click()
    page.wait_for_url("**/settings/notifications")
    expect(page.get_by_test_id("push-enable")).to_be_visible()
    expect(page.get_by_test_id("push-reason")).to_have_text("尚未在本设备开启推送")
    assert page.evaluate("window.__permissionAsked") == 0  # loading the page asks nothing
    page.get_by_test_id("push-enable").click()
    expect(page.get_by_test_id("push-reason")).to_have_text(
        "通知权限已被拒绝，可在浏览器设置中重新允许")
    expect(page.get_by_test_id("push-channel")).to_have_text("仅应用内实时通道")
    assert page.evaluate("window.__permissionAsked") == 1


def test_service_worker_shows_a_push_once(installed_app, server: str) -> None:
    installed_app.grant_permissions(["notifications"], origin=server)
    page = installed_app.new_page()
    sign_in(page, "water01")
    page.goto("/settings/notifications")
    expect(page.get_by_test_id("push-enable")).to_be_visible()
    # Permission granted but nothing subscribed yet: alerts come through the page only.
    expect(page.get_by_test_id("push-channel")).to_have_text("仅应用内实时通道")
    expect(page.get_by_test_id("push-reason")).to_have_text("尚未在本设备开启推送")
    assert page.evaluate("navigator.serviceWorker.ready.then((r) => !!r.active)")

    cdp = installed_app.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while not any(r["scopeURL"] == f"{server}/" for r in registrations):
        assert time.monotonic() < deadline, registrations
        page.wait_for_timeout(50)
    registration_id = next(r["registrationId"] for r in registrations
                           if r["scopeURL"] == f"{server}/")
    notifications = ("navigator.serviceWorker.ready.then((r) => r.getNotifications())"
                     ".then((list) => list.map((n) => ({title: n.title, body: n.body, tag: n.tag,"
                     " data: n.data, actions: n.actions.map((a) => a.action + ':' + a.title)})))")
    page.evaluate(notifications)  # a fresh profile returns the first one only after a call

    def push(data: str) -> None:
        cdp.send("ServiceWorker.deliverPushMessage",
                 {"origin": server, "registrationId": registration_id, "data": data})

    def shown(count: int, title_prefix: str = "") -> list[dict]:
        deadline = time.monotonic() + 10
        while True:
            listed = page.evaluate(notifications)
            if len(listed) == count and all(n["title"].startswith(title_prefix)
                                            for n in listed):
                return listed
            assert time.monotonic() < deadline, listed
            page.wait_for_timeout(50)

    push(alert(41, "44150200001320000001"))
    [first] = shown(1)
    assert first["title"] == "易涝点积水"
    assert "二马路积水点 · 城区通港路" in first["body"] and "2026" in first["body"]
    assert first["tag"] == "44150200001320000001:flooding"
    assert first["data"] == {"alert_id": 41, "url": "/alerts/41"}
    assert first["actions"] == ["view:查看实况", "acknowledge:确认"]

    # At-least-once delivery repeats a push: the worker shows an alert id only once.
    page.evaluate("navigator.serviceWorker.ready.then((r) => r.getNotifications())"
                  ".then((list) => list.forEach((n) => n.close()))")
    shown(0)
    push(alert(41, "44150200001320000001"))
    push(alert(42, "44150200001320000002", type="forest_fire", label="林火烟雾"))
    [second] = shown(1)
    assert second["title"] == "林火烟雾" and second["data"]["alert_id"] == 42

    # An escalation of the same alert is news: shown, replacing by tag, marked as such.
    push(alert(42, "44150200001320000002", type="forest_fire", label="林火烟雾",
               kind="escalation"))
    [escalated] = shown(1, title_prefix="【升级】")
    assert escalated["tag"] == second["tag"]
