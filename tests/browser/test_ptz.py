"""PTZ on a phone: press and hold a direction on the live page → the picture turns (read
back from the video itself) → release → it stops; the server's audit log shows the move
and the stop. Users without permission 4 see no pad."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from bff.demo.ptz import HeadPosition
from bff.demo.strips import decode_ptz_blocks
from tests.browser.conftest import PHONE, SHANWEI_STREET, running_server
from tests.browser.test_walking_skeleton import sign_in

# Deterministic demo catalogue (3,000 cameras): police01 (公安, 城区) may view and steer
# the first one (PTZ dome, default permissions 1 2 3 4); the second is a PTZ dome whose
# default permissions are live only.
STEERABLE = "44150201001320000001"
VIEW_ONLY_PTZ = "44150201001320000002"
WATCHDOG_S = 6  # long enough that only the page's own stop can explain a quick stop

# Mean luma of the 40 blocks of the PTZ strip (bottom edge, x 320–640 of 640×360).
READ_STRIP = """() => {
  const video = document.getElementById('live-video');
  if (!video || video.videoWidth !== 640 || video.videoHeight !== 360) return null;
  const canvas = document.createElement('canvas');
  canvas.width = 640; canvas.height = 360;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(video, 0, 0, 640, 360);
  const data = ctx.getImageData(320, 352, 320, 8).data;
  const levels = [];
  for (let block = 0; block < 40; block++) {
    let sum = 0, n = 0;
    for (let row = 2; row < 6; row++) {
      for (let col = block * 8 + 2; col < block * 8 + 6; col++) {
        const i = (row * 320 + col) * 4;
        sum += 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2]; n++;
      }
    }
    levels.push(sum / n);
  }
  return levels;
}"""


@pytest.fixture(scope="module")
def ptz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A server of its own, so the audit log and the cameras' heads start fresh."""
    folder = tmp_path_factory.mktemp("ptz-server")
    with running_server(folder, BFF_PTZ_WATCHDOG_SECONDS=str(WATCHDOG_S)) as base:
        yield base, folder / "bff.sqlite3"


@pytest.fixture
def phone_ptz(browser, ptz_server: tuple[str, Path]) -> Iterator[BrowserContext]:  # noqa: ANN001
    context = browser.new_context(**PHONE, geolocation=SHANWEI_STREET,
                                  permissions=["geolocation"], base_url=ptz_server[0])
    context.set_default_timeout(15_000)
    yield context
    context.close()


def ptz_audit(database: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(database, timeout=5) as connection:
        return connection.execute(
            "SELECT action, actor, target FROM audit_event WHERE action LIKE 'ptz.%' ORDER BY id"
        ).fetchall()


def wait_for_audit(database: Path, count: int, seconds: float = 5.0) -> list[tuple[str, str, str]]:
    deadline = time.monotonic() + seconds
    rows = ptz_audit(database)
    while len(rows) < count and time.monotonic() < deadline:
        time.sleep(0.1)
        rows = ptz_audit(database)
    return rows


def head_on_screen(page: Page, seconds: float = 5.0) -> HeadPosition:
    """The head position the current video frame shows (decoded from its PTZ strip)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        levels = page.evaluate(READ_STRIP)
        position = decode_ptz_blocks(levels) if levels else None
        if position is not None:
            return position
        page.wait_for_timeout(100)
    raise AssertionError("no readable PTZ strip in the video")


def settled_head(page: Page, seconds: float = 5.0) -> HeadPosition:
    """The position once two frames 400 ms apart agree (the head has stopped)."""
    deadline = time.monotonic() + seconds
    previous = head_on_screen(page)
    while time.monotonic() < deadline:
        page.wait_for_timeout(400)
        current = head_on_screen(page)
        if current == previous:
            return current
        previous = current
    raise AssertionError(f"the picture kept moving: {previous}")


def open_live(page: Page, device_id: str) -> None:
    page.goto(f"/cameras/{device_id}")
    page.wait_for_function("window.__liveStats && window.__liveStats.frames >= 5", timeout=20_000)


def hold_with_finger(page: Page, context: BrowserContext, label: str, seconds: float) -> None:
    """A real touch (CDP touch events): press, hold, lift."""
    box = page.get_by_role("button", name=label, exact=True).bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    cdp = context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    page.wait_for_timeout(int(seconds * 1000))
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def wait_for_acknowledged(page: Page, command: str, count: int = 1) -> None:
    page.wait_for_function(
        "([c, n]) => window.__ptz && window.__ptz.done.filter(x => x === c).length >= n",
        arg=[command, count], timeout=10_000)


def test_hold_to_pan_and_zoom_then_release_stops(phone_ptz: BrowserContext,
                                                 ptz_server: tuple[str, Path]) -> None:
    _, database = ptz_server
    page = phone_ptz.new_page()
    sign_in(page, "police01")
    open_live(page, STEERABLE)
    pad = page.locator('[data-testid="ptz-pad"]')
    expect(pad).to_be_visible()
    for label in ("左", "右", "上", "下", "左上", "右下", "放大", "缩小"):
        expect(page.get_by_role("button", name=label, exact=True)).to_be_visible()
    assert pad.bounding_box()["width"] <= 390  # fits the phone
    start = settled_head(page)
    assert start == HeadPosition(0.0, 0.0, 1.0)

    # Press and hold 右 with a finger for 1.2 s: about 36° at the default speed.
    hold_with_finger(page, phone_ptz, "右", 1.2)
    wait_for_acknowledged(page, "stop")
    turned = settled_head(page)
    assert 15 < turned.pan < 80 and turned.tilt == 0 and turned.zoom == 1.0
    assert wait_for_audit(database, 2) == [("ptz.move", "police01", STEERABLE),
                                           ("ptz.stop", "police01", STEERABLE)]
    page.wait_for_timeout(600)
    assert head_on_screen(page) == turned  # stopped means stopped

    # Press and hold 放大 with the mouse: the picture zooms in, release stops it.
    page.get_by_role("button", name="放大", exact=True).hover()
    page.mouse.down()
    page.wait_for_timeout(900)
    page.mouse.up()
    wait_for_acknowledged(page, "stop", 2)
    zoomed = settled_head(page)
    assert zoomed.zoom > 1.3 and zoomed.pan == turned.pan
    rows = wait_for_audit(database, 4)
    assert [action for action, _, _ in rows] == ["ptz.move", "ptz.stop", "ptz.move", "ptz.stop"]
    assert page.locator("#ptz-status").inner_text() == ""  # no error shown


def test_leaving_the_page_mid_move_stops_the_camera(phone_ptz: BrowserContext,
                                                    ptz_server: tuple[str, Path]) -> None:
    _, database = ptz_server
    before = len(ptz_audit(database))
    page = phone_ptz.new_page()
    sign_in(page, "police01")
    open_live(page, STEERABLE)
    page.get_by_role("button", name="下", exact=True).hover()
    page.mouse.down()
    wait_for_acknowledged(page, "down")
    page.goto("/")  # still holding: the page goes away mid-move
    rows = wait_for_audit(database, before + 2, seconds=WATCHDOG_S - 2)
    assert [action for action, _, _ in rows[before:]] == ["ptz.move", "ptz.stop"]
    page.mouse.up()


def test_no_pad_without_permission_4(phone_ptz: BrowserContext,
                                     ptz_server: tuple[str, Path]) -> None:
    page = phone_ptz.new_page()
    sign_in(page, "police01")
    open_live(page, VIEW_ONLY_PTZ)  # may watch this PTZ dome, not steer it
    expect(page.locator("#live-video")).to_be_visible()
    assert page.locator('[data-testid="ptz-pad"]').count() == 0
    assert page.get_by_role("button", name="放大").count() == 0

    other = phone_ptz.new_page()
    sign_in(other, "market01")  # another department: neither view nor steer
    other.goto(f"/cameras/{STEERABLE}")
    expect(other.locator('[data-testid="not-playable"]')).to_be_visible()
    assert other.locator('[data-testid="ptz-pad"]').count() == 0
    # Asking anyway is refused by the server (and audited there).
    status = other.evaluate("""(id) => fetch('/api/cameras/' + id + '/ptz', {method: 'POST',
        headers: {'content-type': 'application/json', 'x-csrftoken': window.csrfToken()},
        body: JSON.stringify({command: 'left'})}).then(r => r.status)""", STEERABLE)
    assert status == 403
    assert ("ptz.denied", "market01", STEERABLE) in ptz_audit(ptz_server[1])
