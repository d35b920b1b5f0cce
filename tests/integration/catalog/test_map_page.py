"""The map of nearby cameras (地图): page, tile settings in its config, list ↔ map links."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient

from bff.lib.settings import MapSettings, Settings
from tests.helpers import sign_in

TIANDITU = ("https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
            "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
            "&TILECOL={x}&tk=browser-key")
TIANDITU_LABELS = TIANDITU.replace("vec_w", "cva_w").replace("LAYER=vec", "LAYER=cva")
CONFIG = re.compile(r'<script type="application/json" id="map-config">(.*?)</script>', re.S)
LEAFLET = "/static/vendor/leaflet-1.9.4/leaflet.js"
BASE_URL = "http://127.0.0.1:8000"


def page_config(html: str) -> dict:
    match = CONFIG.search(html)
    assert match, "the map page embeds its configuration"
    return json.loads(match.group(1))


@pytest.fixture
async def tiled_client(settings: Settings) -> AsyncIterator[AsyncTestClient]:
    """An app whose map has 天地图-style tiles and the separate label layer."""
    from bff.app import create_app

    settings.map = MapSettings(tile_url=TIANDITU, label_url=TIANDITU_LABELS,
                               subdomains=[str(n) for n in range(8)],
                               attribution="© 天地图 <国家地理信息公共服务平台>", max_zoom=17)
    async with AsyncTestClient(app=create_app(settings), base_url=BASE_URL) as client:
        yield client


async def test_map_without_tiles_is_a_plot_around_the_user(client: AsyncTestClient) -> None:
    await sign_in(client, "police01")
    page = await client.get("/map")
    assert page.status_code == 200
    html = page.text
    config = page_config(html)
    assert config["tiles"] is None
    assert config["api"] == "/api/cameras/nearby" and config["limit"] == 100
    assert config["centre"] == [22.7787, 115.3752] and config["start"] is None
    assert config["max_zoom"] == 18 and config["compass"][0] == "北"
    assert config["text"]["access.may_view"] == "可查看"
    assert "未配置底图" in html and 'id="map"' in html
    assert LEAFLET in html and "/static/map.js" in html
    # the page carries no camera: markers come from the permission-filtered nearby API
    assert not re.search(r"\b\d{20}\b", html)
    # no tile host appears anywhere in the page
    assert "tianditu" not in html and "{z}" not in html
    # the same region and department filters as the list, and the way back to it
    assert 'name="region"' in html and 'name="dept"' in html and '<option value="441502"' in html
    assert 'id="tab-list"' in html
    assert 'id="tab-map" data-testid="tab-map" aria-current="page"' in html


async def test_tile_settings_reach_the_page(tiled_client: AsyncTestClient) -> None:
    await sign_in(tiled_client, "police01")
    html = (await tiled_client.get("/map")).text
    tiles = page_config(html)["tiles"]
    assert tiles == {"url": TIANDITU, "label_url": TIANDITU_LABELS,
                     "subdomains": ["0", "1", "2", "3", "4", "5", "6", "7"],
                     "attribution": "© 天地图 <国家地理信息公共服务平台>"}
    assert page_config(html)["max_zoom"] == 17
    assert "未配置底图" not in html
    # the configuration is inert JSON inside the page: no markup can break out of it
    assert "<国家" not in html and "\\u003c" in html


async def test_english_page(client: AsyncTestClient) -> None:
    await sign_in(client, "police01")
    client.cookies.set("lang", "en")
    html = (await client.get("/map")).text
    config = page_config(html)
    assert config["text"]["access.request"] == "Request needed"
    assert config["text"]["nearby.count"] == "{count} cameras"
    assert config["compass"] == ["N", "NE", "E", "SE", "S", "SW", "W", "NW"]
    assert 'lang="en"' in html and ">List</a>" in html and "No base map" in html


async def test_position_and_filters_handed_over_by_the_list(client: AsyncTestClient) -> None:
    await sign_in(client, "water01")
    page = await client.get("/map", params={"lat": "22.7862", "lon": "115.365", "region": "441502",
                                            "dept": "15", "q": "水库", "viewable_only": "true"})
    assert page.status_code == 200
    assert page_config(page.text)["start"] == [22.7862, 115.365]
    assert '<option value="441502" selected' in page.text
    assert '<option value="15" selected' in page.text
    assert 'name="q" value="水库"' in page.text and "checked" in page.text
    for params in ({"lat": "22.7"}, {"lat": "95", "lon": "115"}, {"region": "44;drop"},
                   {"dept": "x1"}, {"zoom": "3"}):
        bad = await client.get("/map", params=params)
        assert bad.status_code == 400, params
        assert "请求参数无效" in bad.text


async def test_the_map_needs_a_signed_in_user(client: AsyncTestClient) -> None:
    response = await client.get("/map", follow_redirects=False)
    assert response.status_code in {302, 303, 401}
    assert "map-config" not in response.text


async def test_the_list_links_to_the_map_and_never_loads_leaflet(client: AsyncTestClient) -> None:
    await sign_in(client, "police01")
    for path, params in (("/", None), ("/nearby/list", {"lat": 22.7862, "lon": 115.365})):
        html = (await client.get(path, params=params)).text
        assert 'id="tab-map"' in html and 'href="/map"' in html
        assert "leaflet" not in html.lower()
        assert 'data-city-lat="22.7787" data-city-lon="115.3752"' in html


async def test_the_city_centre_is_a_setting(settings: Settings) -> None:
    from bff.app import create_app

    settings.map = MapSettings(centre_lat=22.95, centre_lon=115.65)  # 陆丰
    async with AsyncTestClient(app=create_app(settings), base_url=BASE_URL) as client:
        await sign_in(client, "police01")
        assert page_config((await client.get("/map")).text)["centre"] == [22.95, 115.65]
        assert 'data-city-lat="22.95" data-city-lon="115.65"' in (await client.get("/")).text


async def test_what_the_map_page_loads_stays_within_the_budget(client: AsyncTestClient) -> None:
    """SPEC §6 first-load budget (≤ 100 KB JS+CSS compressed) holds for the map page too."""
    await sign_in(client, "police01")
    html = (await client.get("/map")).text
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(/static/[^"]+\.(?:js|css))"', html)
    assert LEAFLET in assets and "/static/vendor/leaflet-1.9.4/leaflet.css" in assets
    total = 0
    for path in assets:
        response = await client.get(path, headers={"accept-encoding": "gzip"})
        assert response.status_code == 200, path
        size = int(response.headers.get("content-length") or len(response.content))
        if response.headers.get("content-encoding") != "gzip":
            size = len(gzip.compress(response.content))
        total += size
    assert total < 100_000, total
