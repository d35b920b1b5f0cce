"""A person on a phone: sign in → cameras near me → live watermarked video."""

from __future__ import annotations

import time

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import PASSWORD, health


def sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    expect(page.locator('[data-testid="who"]')).to_be_visible()


def wait_for_streams(server: str, count: int, seconds: float = 10) -> int:
    deadline = time.monotonic() + seconds
    streams = health(server)["streams"]
    while streams != count and time.monotonic() < deadline:
        time.sleep(0.2)
        streams = health(server)["streams"]
    return streams


def test_sign_in_find_nearby_and_watch_live(phone: BrowserContext, server: str) -> None:
    page = phone.new_page()
    sign_in(page, "police01")
    rows = page.locator('[data-testid="camera-list"] li')
    expect(rows.first).to_be_visible()
    assert rows.count() >= 10
    distances = page.locator('[data-testid="distance"]').all_inner_texts()
    assert distances[0].endswith("m")
    page.click(".radar-box summary")  # the plot of positions around the user
    expect(page.locator('[data-testid="radar"] circle.dot').first).to_be_visible()
    assert page.locator('[data-testid="radar"] circle.dot').count() == rows.count()
    # the first camera this officer may view: tap it
    viewable = page.locator('li[data-access="may_view"]').filter(has=page.locator(".state.on")).first
    expect(viewable).to_be_visible()
    device_id = viewable.get_attribute("data-device-id")
    viewable.locator("a").click()
    page.wait_for_url(f"**/cameras/{device_id}")
    video = page.locator("#live-video")
    expect(video).to_be_visible()
    page.wait_for_function("window.__liveStats && window.__liveStats.frames >= 10", timeout=20_000)
    stats = page.evaluate("""() => ({
        ...window.__liveStats,
        currentTime: document.getElementById('live-video').currentTime,
        decoded: document.getElementById('live-video').getVideoPlaybackQuality().totalVideoFrames,
        width: document.getElementById('live-video').videoWidth })""")
    assert stats["currentTime"] > 0 and stats["decoded"] >= 10 and stats["width"] == 640
    assert stats["codec"] in {"H264", "VP8"}
    assert stats["firstFrameMs"] is not None
    t0 = page.evaluate("document.getElementById('live-video').currentTime")
    page.wait_for_timeout(700)
    assert page.evaluate("document.getElementById('live-video').currentTime") > t0
    assert wait_for_streams(server, 1) == 1
    # leaving the page frees the stream
    page.goto("/")
    assert wait_for_streams(server, 0) == 0


def test_camera_without_permission_is_never_playable(phone: BrowserContext, server: str) -> None:
    page = phone.new_page()
    sign_in(page, "market01")
    page.select_option('select[name="dept"]', "06")
    rows = page.locator('[data-testid="camera-list"] li')
    expect(rows.first).to_be_visible()
    page.wait_for_function(
        "[...document.querySelectorAll('[data-testid=camera-list] li')].every(li => li.querySelector('.meta').textContent.includes('公安'))")
    assert page.locator('li[data-access="may_view"]').count() == 0
    device_id = rows.first.get_attribute("data-device-id")
    rows.first.locator("a").click()
    expect(page.locator('[data-testid="not-playable"]')).to_be_visible()
    assert page.locator("video").count() == 0
    # asking for the stream anyway is refused by the server
    result = page.evaluate("""async (id) => {
        const pc = new RTCPeerConnection({iceServers: []});
        pc.addTransceiver('video', {direction: 'recvonly'});
        await pc.setLocalDescription(await pc.createOffer());
        const r = await fetch('/api/cameras/' + id + '/live', {method: 'POST',
            headers: {'content-type': 'application/json', 'x-csrftoken': window.csrfToken()},
            body: JSON.stringify({sdp: pc.localDescription.sdp, type: 'offer'})});
        pc.close();
        return {status: r.status, body: await r.json()};
    }""", device_id)
    assert result["status"] == 403 and result["body"]["message"] == "您无权查看该摄像机"
    assert health(server)["streams"] == 0


def test_without_location_the_city_centre_is_used(browser, server: str) -> None:  # noqa: ANN001
    from tests.browser.conftest import PHONE

    context = browser.new_context(**PHONE, base_url=server)  # no geolocation permission
    try:
        page = context.new_page()
        sign_in(page, "water01")
        expect(page.locator('[data-testid="camera-list"] li').first).to_be_visible(timeout=20_000)
        page.fill("#q", "水库")
        page.wait_for_function(
            "[...document.querySelectorAll('[data-testid=camera-list] li .name')].length > 0 && "
            "[...document.querySelectorAll('[data-testid=camera-list] li')].every(li => li.textContent.includes('水库'))")
    finally:
        context.close()


def test_pwa_is_installable(playwright, server: str, tmp_path) -> None:  # noqa: ANN001
    """Manifest, icons and service worker satisfy Chromium's installability checks (a
    persistent profile: incognito contexts are never installable)."""
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE

    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
        base_url=server, **PHONE)
    try:
        page = context.new_page()
        sign_in(page, "police01")
        manifest = page.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
        assert manifest["display"] == "standalone" and manifest["lang"] == "zh-CN"
        assert page.evaluate("navigator.serviceWorker.ready.then(r => r.active !== null)") is True
        cdp = context.new_cdp_session(page)
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == [], errors
        # the app shell is cached for a fast second start
        cached = page.evaluate(
            "caches.keys().then(names => names.find(n => n.startsWith('city-eye-shell-')))"
            ".then(name => caches.open(name)).then(c => c.keys()).then(k => k.length)")
        assert cached >= 5
    finally:
        context.close()
