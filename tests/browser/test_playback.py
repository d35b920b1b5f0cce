"""Playback on a phone: open a camera, the 回放 tab, pick a time → the video plays that
recorded moment (read back from the video itself: the demo picture's recorded-time
strip) and advances, and the recorded time shown under the video matches it. Without
permission 2 the tab offers a one-tap access request naming who can grant it."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from playwright.sync_api import BrowserContext, Page, expect

from bff.demo.strips import decode_recorded_blocks
from tests.browser.test_ptz import READ_STRIP, STEERABLE, VIEW_ONLY_PTZ
from tests.browser.test_walking_skeleton import sign_in

CST = timezone(timedelta(hours=8))
READ_PICTURE_AND_TEXT = f"""() => {{
  const read = {READ_STRIP.replace("'live-video'", "'pb-video'")};
  return [read(), document.querySelector('[data-testid=recorded-time]').textContent];
}}"""


def on_screen(page: Page, seconds: float = 10.0) -> tuple[int, datetime]:
    """(recorded epoch second in the picture, recorded time shown under the video)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        levels, shown = page.evaluate(READ_PICTURE_AND_TEXT)
        recorded = decode_recorded_blocks(levels) if levels else None
        if recorded is not None and shown and shown != "--":
            return recorded, datetime.strptime(shown, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CST)
        time.sleep(0.1)
    raise AssertionError("no readable playback frame")


def test_pick_a_time_and_watch_it_advance(phone: BrowserContext) -> None:
    page = phone.new_page()
    sign_in(page, "police01")
    page.goto(f"/cameras/{STEERABLE}")
    page.click('[data-testid="tab-playback"]')
    expect(page).to_have_url(f"/cameras/{STEERABLE}/playback")
    page.wait_for_load_state()  # the page's script listens for the pick
    picked = (datetime.now(CST) - timedelta(days=1)).replace(hour=10, minute=30, second=0,
                                                            microsecond=0)
    page.fill("#pb-day", picked.strftime("%Y-%m-%d"))
    page.fill("#pb-time", picked.strftime("%H:%M:%S"))
    page.click('[data-testid="pb-go"]')
    page.wait_for_function("window.__playbackStats.frames > 5", timeout=20_000, polling=200)
    expect(page.locator('[data-testid="timeline"] .seg').first).to_be_attached()

    recorded, shown = on_screen(page)
    assert abs(recorded - shown.timestamp()) <= 2, (recorded, shown)
    # The demo skips gaps, so the first frame is at the pick or at the next recording.
    assert picked.timestamp() - 1 <= recorded <= picked.timestamp() + 3600

    page.wait_for_function(f"""() => {{
        const t = document.querySelector('[data-testid=recorded-time]').textContent;
        return t > '{datetime.fromtimestamp(recorded + 2, CST):%Y-%m-%d %H:%M:%S}';
    }}""", timeout=15_000, polling=200)
    later, later_shown = on_screen(page)
    assert later > recorded
    assert abs(later - later_shown.timestamp()) <= 2, (later, later_shown)

    page.select_option('[data-testid="pb-speed"]', "4")
    expect(page.locator("#pb-speed-shown")).to_have_text("×4")
    page.click('[data-testid="pb-toggle"]')  # pause
    expect(page.locator('[data-testid="pb-toggle"]')).to_have_text("继续")
    page.close()


def test_without_permission_one_tap_request(phone: BrowserContext) -> None:
    page = phone.new_page()
    sign_in(page, "police01")
    page.goto(f"/cameras/{VIEW_ONLY_PTZ}/playback")
    blocked = page.locator('[data-testid="playback-forbidden"]')
    expect(blocked).to_contain_text("审批人授权")
    link = page.locator('[data-testid="request-playback"]')
    assert link.get_attribute("href") == (
        f"/access/request?device_ids={VIEW_ONLY_PTZ}&permissions=2")
    page.close()


def test_alert_start_opens_playback_at_that_moment(phone: BrowserContext) -> None:
    page = phone.new_page()
    sign_in(page, "police01")
    event = (datetime.now(CST) - timedelta(hours=5)).replace(microsecond=0)
    start = event - timedelta(seconds=30)
    page.goto(f"/cameras/{STEERABLE}/playback?start={start.isoformat().replace('+', '%2B')}")
    page.wait_for_function("window.__playbackStats.frames > 5", timeout=20_000, polling=200)
    recorded, _shown = on_screen(page)
    assert start.timestamp() - 1 <= recorded <= start.timestamp() + 3600
    page.close()


def test_download_a_watermarked_clip(phone: BrowserContext) -> None:
    page = phone.new_page()
    sign_in(page, "police01")
    page.goto(f"/cameras/{STEERABLE}/playback")
    picked = (datetime.now(CST) - timedelta(days=1)).replace(hour=9, minute=0, second=0,
                                                            microsecond=0)
    page.fill("#pb-day", picked.strftime("%Y-%m-%d"))
    page.fill("#pb-clip-start", "09:00:00")
    page.fill("#pb-clip-end", "09:00:20")
    expect(page.locator('[data-testid="clip-download"]')).to_be_hidden()
    page.click('[data-testid="clip-make"]')
    download = page.locator('[data-testid="clip-download"]')
    expect(download).to_be_visible(timeout=30_000)
    expect(page.locator('[data-testid="clip-status"]')).to_contain_text("可下载")
    href = download.get_attribute("href")
    assert href and href.startswith("/api/clips/") and href.endswith("/download")
    response = page.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "video/mp4"
    assert len(response.body()) > 10_000
    # Leaving and coming back shows the same clip again.
    page.reload()
    expect(page.locator('[data-testid="clip-download"]')).to_have_attribute("href", href)
    page.close()
