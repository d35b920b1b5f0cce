"""A person on a phone: the map of cameras around them, with and without map tiles."""

from __future__ import annotations

import math
import re
import statistics
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, Request, expect

from tests.browser.conftest import PHONE, SHANWEI_STREET, running_server
from tests.browser.test_walking_skeleton import sign_in

MARKERS = ".cam-marker[data-device-id]"
BADGES = {"may_view": "可查看", "request": "需申请", "not_shared": "不予共享",
          "out_of_scope": "辖区外", "unavailable": "停用/维修"}


class Traffic:
    """Every request the phone makes (pages, service worker) and every one that failed."""

    def __init__(self, context: BrowserContext, server: str) -> None:
        self.origin = server
        self.urls: list[str] = []
        self.failed: list[str] = []
        context.on("request", lambda request: self.urls.append(request.url))
        context.on("requestfailed", self._failed)

    def _failed(self, request: Request) -> None:
        # Leaving a page aborts its live alert stream, a request that never completes.
        if request.url.endswith("/alerts/stream") and request.failure == "net::ERR_ABORTED":
            return
        self.failed.append(f"{request.url} {request.failure}")

    def elsewhere(self) -> list[str]:
        return [u for u in self.urls if not u.startswith((self.origin + "/", "data:", "blob:"))]


def open_map(page: Page) -> None:
    """From the list (once it has found the phone), tap the 地图 tab."""
    expect(page.locator('[data-testid="camera-list"] li').first).to_be_visible()
    page.click('[data-testid="tab-map"]')
    page.wait_for_url(re.compile(r"/map(\?|$)"))
    expect(page.locator(MARKERS).first).to_be_attached(timeout=15_000)
    page.wait_for_function("document.getElementById('map').dataset.count > 0 && "
                           "!document.getElementById('map').hasAttribute('aria-busy')")


def api_cameras(page: Page, **params: str) -> list[dict]:
    """What the nearby API tells this user about the map's position and filters."""
    query = dict(re.findall(r"[?&]([^=&]+)=([^&]*)", page.url))
    query.update(params, limit="100")
    return page.evaluate("""async (query) => {
        const r = await fetch('/api/cameras/nearby?' + new URLSearchParams(query),
                              {headers: {accept: 'application/json'}});
        return r.json();
    }""", query)


def centre(page: Page, selector: str) -> tuple[float, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def screen_positions(page: Page) -> dict[str, tuple[float, float]]:
    return page.evaluate("""(selector) => Object.fromEntries(
        [...document.querySelectorAll(selector)].map(el => {
            const b = el.getBoundingClientRect();
            return [el.dataset.deviceId, [b.x + b.width / 2, b.y + b.height / 2]];
        }))""", MARKERS)


# In-page: the markers a thumb can hit — inside the map, clear of its controls, and on top
# at their own centre — as {el, x, y}.
TAPPABLE = """(selector) => {
    const box = document.getElementById('map').getBoundingClientRect();
    return [...document.querySelectorAll(selector)].map(el => {
        const b = el.getBoundingClientRect();
        return {el, x: b.x + b.width / 2, y: b.y + b.height / 2};
    }).filter(m => m.x > box.left + 50 && m.x < box.right - 60
                   && m.y > box.top + 100 && m.y < box.bottom - 60
                   && document.elementFromPoint(m.x, m.y)?.closest('.cam-marker') === m.el);
}"""


def tappable_marker(page: Page, prefer: str) -> str:
    """A marker a thumb would hit, preferably one with the badge `prefer`."""
    return page.evaluate(f"""([selector, prefer]) => {{
        const free = ({TAPPABLE})(selector);
        const best = free.find(m => m.el.dataset.access === prefer) || free[0];
        return best ? best.el.dataset.deviceId : null;
    }}""", [MARKERS, prefer])


def empty_spot(page: Page) -> tuple[float, float]:
    """A point on the map's bare background (no marker, label or control), right of centre."""
    return tuple(page.evaluate("""() => {
        const box = document.getElementById('map').getBoundingClientRect();
        for (let y = box.top + box.height * 0.6; y < box.bottom - 80; y += 7) {
            for (let x = box.left + box.width * 0.6; x < box.right - 20; x += 7) {
                const hit = document.elementFromPoint(x, y);
                const busy = '.leaflet-marker-icon, .leaflet-control, #map-sheet';
                if (hit && !hit.closest(busy)) return [x, y];
            }
        }
        return null;
    }"""))


def test_map_places_cameras_around_the_user_without_tiles(phone: BrowserContext,
                                                          server: str) -> None:
    traffic = Traffic(phone, server)
    page = phone.new_page()
    sign_in(page, "police01")
    open_map(page)
    assert "lat=22.786200" in page.url and "lon=115.365000" in page.url  # the phone's position
    expect(page.locator('[data-testid="map-status"]')).to_contain_text("未配置底图")
    expect(page.locator('[data-testid="map-status"]')).to_contain_text("共")

    # the map fills the screen under the header, and everything is on the plot
    map_box = page.locator("#map").bounding_box()
    assert map_box and map_box["width"] >= 380 and map_box["height"] >= 420
    assert map_box["y"] + map_box["height"] <= 844 + 1

    cameras = {c["device_id"]: c for c in api_cameras(page)}
    shown = screen_positions(page)
    assert len(shown) == len(cameras) >= 30 and set(shown) == set(cameras)
    me_x, me_y = centre(page, '[data-testid="me"]')
    assert abs(me_x - (map_box["x"] + map_box["width"] / 2)) < 30
    # each marker lies in the direction and, to one scale, at the distance the API gives
    scales = []
    quadrants = set()
    for device_id, (x, y) in shown.items():
        camera = cameras[device_id]
        assert map_box["x"] <= x <= map_box["x"] + map_box["width"], camera["name"]
        assert map_box["y"] <= y <= map_box["y"] + map_box["height"], camera["name"]
        dx, dy = x - me_x, y - me_y
        pixels = math.hypot(dx, dy)
        if pixels < 40:
            continue
        angle = math.degrees(math.atan2(dx, -dy)) % 360
        off = abs((angle - camera["bearing_deg"] + 180) % 360 - 180)
        assert off < 3, (camera["name"], angle, camera["bearing_deg"])
        scales.append((pixels, camera["distance_m"]))
        quadrants.add((dx > 0, dy > 0))
    assert len(scales) >= 10
    scale = statistics.median(pixels / metres for pixels, metres in scales)
    # Leaflet places markers on whole pixels: one scale holds to within a pixel or two
    assert all(abs(pixels - scale * metres) < 2 for pixels, metres in scales)
    assert len(quadrants) >= 3  # around the user, not off to one side
    # distance rings with labels, a scale bar, no tiles
    assert page.locator("path.map-ring").count() >= 1
    expect(page.locator(".ring-label").first).to_contain_text("m")
    expect(page.locator(".leaflet-control-scale-line").first).to_be_visible()
    assert page.locator("img.leaflet-tile").count() == 0

    # tap a camera: the sheet shows its name, badge, distance and a link to its page
    device_id = tappable_marker(page, prefer="request")
    assert device_id, "some marker can be tapped"
    camera = cameras[device_id]
    page.locator(f'.cam-marker[data-device-id="{device_id}"]').tap()
    sheet = page.locator('[data-testid="map-sheet"]')
    expect(sheet).to_be_visible()
    expect(sheet.locator('[data-testid="sheet-name"]')).to_have_text(camera["name"])
    expect(sheet.locator('[data-testid="sheet-badge"]')).to_have_text(BADGES[camera["access"]])
    expect(sheet.locator('[data-testid="sheet-distance"]')).to_contain_text(camera["compass"])
    assert page.locator(f'.cam-marker.selected[data-device-id="{device_id}"]').count() == 1
    open_button = sheet.locator('[data-testid="sheet-open"]').bounding_box()
    assert open_button and open_button["height"] >= 44  # a thumb-sized target

    # nothing was asked of any other host, and nothing failed
    assert traffic.elsewhere() == []
    assert traffic.failed == []

    sheet.locator('[data-testid="sheet-open"]').tap()
    page.wait_for_url(f"**/cameras/{device_id}")
    expect(page.locator(".cam-name")).to_have_text(camera["name"])
    # back on the map: same position, the markers again
    page.go_back()
    page.wait_for_url(re.compile(r"/map\?"))
    expect(page.locator(MARKERS).first).to_be_attached()
    assert "lat=22.786200" in page.url
    assert traffic.elsewhere() == []


def test_cameras_at_one_spot_are_all_within_reach(phone: BrowserContext) -> None:
    """Cameras of one crossing overlap at city zoom: the sheet lists the hidden ones."""
    page = phone.new_page()
    sign_in(page, "police01")
    open_map(page)
    pair = page.evaluate(f"""(selector) => {{
        const all = [...document.querySelectorAll(selector)].map(el => {{
            const b = el.getBoundingClientRect();
            return {{el, x: b.x + b.width / 2, y: b.y + b.height / 2}};
        }});
        for (const top of ({TAPPABLE})(selector)) {{
            const under = all.find(m => m.el !== top.el
                                        && Math.hypot(m.x - top.x, m.y - top.y) < 8);
            if (under) return [top.el.dataset.deviceId, under.el.dataset.deviceId];
        }}
        return null;
    }}""", MARKERS)
    assert pair, "the demo catalogue has cameras a few metres apart"
    top, hidden = pair
    names = {c["device_id"]: c["name"] for c in api_cameras(page)}
    page.locator(f'.cam-marker[data-device-id="{top}"]').tap()
    sheet = page.locator('[data-testid="map-sheet"]')
    expect(sheet.locator('[data-testid="sheet-name"]')).to_have_text(names[top])
    others = sheet.locator('[data-testid="sheet-others"] button')
    expect(others.filter(has_text=names[hidden])).to_have_count(1)
    others.filter(has_text=names[hidden]).tap()
    expect(sheet.locator('[data-testid="sheet-name"]')).to_have_text(names[hidden])
    expect(page.locator(f'.cam-marker.selected[data-device-id="{hidden}"]')).to_have_count(1)
    expect(sheet.locator('[data-testid="sheet-open"]')).to_have_attribute(
        "href", f"/cameras/{hidden}")


def test_map_filters_recentre_and_the_way_back_to_the_list(phone: BrowserContext) -> None:
    page = phone.new_page()
    sign_in(page, "market01")
    open_map(page)
    page.select_option('#map-form select[name="dept"]', "06")
    page.wait_for_function("location.search.includes('dept=06') && "
                           "!document.getElementById('map').hasAttribute('aria-busy')")
    police = api_cameras(page)
    assert police and all(c["dept_code"] == "06" for c in police)
    shown = page.locator(MARKERS)
    expect(shown).to_have_count(len(police))
    # a market-regulation officer may view none of the police cameras: no green marker
    assert page.locator('.cam-marker.access-may_view').count() == 0
    assert {c["access"] for c in police} <= {"request", "not_shared", "unavailable"}

    # wander off (zoom out, pan away), then come back to the user's position
    map_box = page.locator("#map").bounding_box()
    assert map_box
    middle = [map_box["x"] + map_box["width"] / 2, map_box["y"] + map_box["height"] / 2]
    ring = "[...document.querySelectorAll('path.map-ring')].pop().getBoundingClientRect().width"
    plot_width = page.evaluate(ring)
    page.locator(".leaflet-control-zoom-out").tap()
    page.wait_for_function(f"Math.abs({ring} - {plot_width / 2}) < 3 && "
                           "!document.querySelector('.leaflet-zoom-anim')", timeout=5_000)
    x, y = empty_spot(page)  # drag the plot from a bare spot towards the top left
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x - 12 * step, y - 12 * step)
    page.mouse.up()
    me_near = """([cx, cy, near]) => {
        const b = document.querySelector('[data-testid=me]').getBoundingClientRect();
        const d = Math.hypot(b.x + b.width / 2 - cx, b.y + b.height / 2 - cy);
        return near ? d < 30 : d > 100;
    }"""
    page.wait_for_function(me_near, arg=[*middle, False], timeout=5_000)
    page.locator('[data-testid="recentre"]').tap()
    page.wait_for_function(me_near, arg=[*middle, True], timeout=5_000)
    page.wait_for_function(f"Math.abs({ring} - {plot_width}) < 4", timeout=5_000)
    recentre = page.locator('[data-testid="recentre"]').bounding_box()
    assert recentre and recentre["width"] >= 44 and recentre["height"] >= 44

    # the list tab keeps the position and the filter
    page.click('[data-testid="tab-list"]')
    page.wait_for_url(re.compile(r"/nearby/list\?.*dept=06"))
    expect(page.locator('#nearby-form select[name="dept"]')).to_have_value("06")
    rows = page.locator('[data-testid="camera-list"] li')
    expect(rows.first).to_be_visible()
    owners = page.locator('[data-testid="camera-list"] li .meta:not(.addr)').all_inner_texts()
    assert owners and all("公安" in owner for owner in owners)


def test_without_location_the_map_starts_at_the_city_centre(browser,  # noqa: ANN001
                                                            server: str) -> None:
    context = browser.new_context(**PHONE, base_url=server)  # no geolocation permission
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        sign_in(page, "water01")
        page.goto("/map")
        expect(page.locator(MARKERS).first).to_be_attached(timeout=20_000)
        expect(page.locator('[data-testid="map-status"]')).to_contain_text("已使用市中心")
        assert "lat=22.778700" in page.url and "lon=115.375200" in page.url
        # a search that finds nothing says so; clearing it brings the cameras back
        page.goto("/map?lat=22.7787&lon=115.3752&q=没有这个摄像机")
        expect(page.locator('[data-testid="map-status"]')).to_contain_text("附近没有符合条件的摄像机")
        assert page.locator(MARKERS).count() == 0
        expect(page.locator("#search-chip")).to_contain_text("没有这个摄像机")
        page.locator("#clear-search").tap()
        expect(page.locator(MARKERS).first).to_be_attached()
        assert "q=" not in page.url
    finally:
        context.close()


def test_leaflet_is_cached_when_the_map_first_needs_it(phone: BrowserContext) -> None:
    """The service worker does not fetch Leaflet at install (list users never need it) but
    keeps it once the map page has loaded it."""
    leaflet = "/static/vendor/leaflet-1.9.4/leaflet.js"

    def cached(path: str, seconds: float = 10) -> bool:
        """Whether the shell cache holds `path`, waiting up to `seconds` for it to."""
        deadline = time.monotonic() + seconds
        while True:
            if page.evaluate("(path) => caches.match(path).then(hit => !!hit)", path):
                return True
            if time.monotonic() > deadline:
                return False
            page.wait_for_timeout(100)

    page = phone.new_page()
    sign_in(page, "police01")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=10_000)
    assert cached("/static/map.js")  # the install list is in
    assert not cached(leaflet, seconds=0)
    open_map(page)
    assert cached(leaflet) and cached("/static/vendor/leaflet-1.9.4/leaflet.css")


# --- with map tiles ---------------------------------------------------------------------

def _png_1x1() -> bytes:
    """A 1×1 grey PNG: enough for the browser to count a tile as loaded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xd0")) + chunk(b"IEND", b""))


PNG = _png_1x1()


class TileServer(ThreadingHTTPServer):
    """An intranet tile server on loopback that records what the map asks for."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        super().__init__(("127.0.0.1", 0), TileHandler)


class TileHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.server.paths.append(self.path)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(PNG)))
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def tile_server() -> Iterator[TileServer]:
    tiles = TileServer()
    thread = threading.Thread(target=tiles.serve_forever, daemon=True)
    thread.start()
    yield tiles
    tiles.shutdown()
    tiles.server_close()


@pytest.fixture(scope="module")
def tiled_server(tile_server: TileServer,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    host = f"http://127.0.0.1:{tile_server.server_address[1]}"
    with running_server(Path(tmp_path_factory.mktemp("tiled")),
                        BFF_MAP_TILE_URL=f"{host}/vec/{{s}}/{{z}}/{{x}}/{{y}}.png?tk=intranet",
                        BFF_MAP_LABEL_URL=f"{host}/cva/{{s}}/{{z}}/{{x}}/{{y}}.png?tk=intranet",
                        BFF_MAP_TILE_SUBDOMAINS="a,b",
                        BFF_MAP_ATTRIBUTION="内网底图 <测试>",
                        BFF_MAP_MAX_ZOOM="17") as base:
        yield base


def tile_of(lat: float, lon: float, zoom: int) -> tuple[int, int]:
    """Web Mercator (EPSG:3857) tile of a WGS84 position: no datum shift."""
    n = 2 ** zoom
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def test_map_tiles_and_labels_from_the_configured_server(browser, tiled_server: str,  # noqa: ANN001
                                                         tile_server: TileServer) -> None:
    context = browser.new_context(**PHONE, geolocation=SHANWEI_STREET,
                                  permissions=["geolocation"], base_url=tiled_server)
    context.set_default_timeout(15_000)
    traffic = Traffic(context, tiled_server)
    try:
        page = context.new_page()
        sign_in(page, "police01")
        open_map(page)
        page.wait_for_function("document.querySelectorAll('img.leaflet-tile-loaded').length >= 8")
        expect(page.locator('[data-testid="map-status"]')).not_to_contain_text("未配置底图")
        expect(page.locator(".leaflet-control-attribution")).to_contain_text("内网底图 <测试>")

        requested = [urlsplit(p) for p in tile_server.paths]
        layers = {p.path.split("/")[1] for p in requested}
        assert layers == {"vec", "cva"}  # the base map and its separate label layer
        assert {p.path.split("/")[2] for p in requested} == {"a", "b"}
        assert all(p.query == "tk=intranet" for p in requested)
        tiles = {tuple(int(v) for v in re.findall(r"\d+", p.path)[-3:]) for p in requested
                 if p.path.startswith("/vec/")}
        assert max(z for z, _, _ in tiles) <= 17
        # the user's own tile at the zoom shown: WGS84 positions on Web Mercator tiles
        zoom = max(int(z) for z in page.evaluate(
            "[...document.querySelectorAll('img.leaflet-tile-loaded')]"
            ".map(img => img.src.split('/').slice(-3, -2)[0])"))
        x, y = tile_of(SHANWEI_STREET["latitude"], SHANWEI_STREET["longitude"], zoom)
        assert (zoom, x, y) in tiles
        # the tile requests left the page for the configured server only
        tile_host = f"http://127.0.0.1:{tile_server.server_address[1]}/"
        assert [u for u in traffic.elsewhere() if not u.startswith(tile_host)] == []
        assert traffic.failed == []
    finally:
        context.close()
