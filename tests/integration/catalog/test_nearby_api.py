"""Cameras near me over HTTP: sorting, access labels, filters, bad input."""

from __future__ import annotations

import math
import re

from litestar.testing import AsyncTestClient

from tests.helpers import api_headers, sign_in

CHENGQU = (22.7862, 115.3650)  # 城区, near 二马路


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


async def nearby(client: AsyncTestClient, **params: object):  # noqa: ANN201
    query = {"lat": CHENGQU[0], "lon": CHENGQU[1], **params}
    return await client.get("/api/cameras/nearby", params=query, headers=api_headers(client))


async def test_nearest_first_with_distance_bearing_and_access(client: AsyncTestClient) -> None:
    await sign_in(client, "police01")
    response = await nearby(client, limit=30)
    assert response.status_code == 200
    cameras = response.json()
    assert len(cameras) == 30
    distances = [c["distance_m"] for c in cameras]
    assert distances == sorted(distances)
    for camera in cameras:
        expected = haversine_m(CHENGQU[0], CHENGQU[1], camera["latitude"], camera["longitude"])
        assert abs(camera["distance_m"] - expected) < max(1.0, expected * 1e-3)
        assert 0 <= camera["bearing_deg"] < 360
        assert camera["access"] in {"may_view", "request", "not_shared", "out_of_scope", "unavailable"}
        # the police officer of 城区 may view 城区 police cameras in use, and only those
        own = camera["dept_code"] == "06" and camera["civil_code"].startswith("441502")
        assert camera["may_view"] == (camera["access"] == "may_view")
        if camera["may_view"]:
            assert own


async def test_access_depends_on_the_user(client: AsyncTestClient) -> None:
    await sign_in(client, "market01")
    cameras = (await nearby(client, limit=100, dept="06")).json()
    assert cameras and all(not c["may_view"] for c in cameras)
    assert {c["access"] for c in cameras} <= {"request", "not_shared", "unavailable"}


async def test_filters_and_search(client: AsyncTestClient) -> None:
    await sign_in(client, "water01")
    by_region = (await nearby(client, region="441581", limit=20)).json()
    assert by_region and all(c["civil_code"].startswith("441581") for c in by_region)
    by_dept = (await nearby(client, dept="15", limit=20)).json()
    assert by_dept and all(c["dept_code"] == "15" for c in by_dept)
    some = by_dept[0]
    by_code = (await nearby(client, q=some["device_id"])).json()
    assert [c["device_id"] for c in by_code] == [some["device_id"]]
    word = some["name"][:4]
    by_name = (await nearby(client, q=word, limit=50)).json()
    assert by_name and all(word in c["name"] or word in c["address"] for c in by_name)
    viewable = (await nearby(client, viewable_only="true", limit=20)).json()
    assert viewable and all(c["may_view"] for c in viewable)


async def test_bad_query_is_a_clear_400_in_chinese(client: AsyncTestClient) -> None:
    await sign_in(client, "police01")
    for params in ({"lat": "abc"}, {"lat": 95}, {"limit": 5000}, {"dept": "x1"},
                   {"region": "44;drop"}, {"unknown": 1}):
        response = await nearby(client, **params)
        assert response.status_code == 400, params
        body = response.json()
        assert body["error"] == "bad_request" and body["message"].startswith("请求参数无效")
        # The field is named and the reason given in Chinese.
        assert next(iter(params)) in body["message"] and "Expected" not in body["message"]
    missing = await client.get("/api/cameras/nearby", headers=api_headers(client))
    assert missing.status_code == 400


async def test_list_fragment_for_htmx_and_full_page_otherwise(client: AsyncTestClient) -> None:
    await sign_in(client, "police01")
    params = {"lat": CHENGQU[0], "lon": CHENGQU[1], "limit": 5}
    fragment = await client.get("/nearby/list", params=params, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and fragment.text.count('class="camera ') == 5
    assert 'data-testid="radar"' in fragment.text and fragment.text.count('class="dot dot-') == 5
    page = await client.get("/nearby/list", params=params)
    assert "<html" in page.text and page.text.count('class="camera ') == 5


async def test_list_directions_follow_the_language(client: AsyncTestClient) -> None:
    await sign_in(client, "police01")
    params = {"lat": CHENGQU[0], "lon": CHENGQU[1], "limit": 20}
    chinese = await client.get("/nearby/list", params=params, headers={"HX-Request": "true"})
    english = await client.get("/nearby/list", params=params,
                               headers={"HX-Request": "true", "accept-language": "en"})
    directions = re.compile(r'<span class="dir">([^<]+)</span>')
    assert set(directions.findall(chinese.text)) <= {"北", "东北", "东", "东南", "南", "西南",
                                                     "西", "西北"}
    assert set(directions.findall(english.text)) <= {"N", "NE", "E", "SE", "S", "SW", "W", "NW"}
    assert len(directions.findall(english.text)) == 20


async def test_unknown_camera_is_404(client: AsyncTestClient) -> None:
    await sign_in(client, "police01")
    response = await client.get("/api/cameras/44150200001310000000", headers=api_headers(client))
    assert response.status_code == 404
    assert response.json()["message"] == "摄像机不存在"
    page = await client.get("/cameras/nope")
    assert page.status_code == 404 and "摄像机不存在" in page.text


async def test_camera_detail_shows_owner_sharing_and_your_permissions(client: AsyncTestClient) -> None:
    await sign_in(client, "police01")
    cameras = (await nearby(client, limit=100)).json()
    own = next(c for c in cameras if c["may_view"])
    other = next(c for c in cameras if c["access"] == "request")
    assert 1 in own["permissions"] and other["permissions"] == []
    page = await client.get(f"/cameras/{own['device_id']}")
    assert page.status_code == 200
    assert "共享属性" in page.text and "您的权限" in page.text and "实时" in page.text
    assert "录像保存" in page.text
    other_page = await client.get(f"/cameras/{other['device_id']}")
    assert 'data-testid="not-playable"' in other_page.text and "<video" not in other_page.text


async def test_htmx_errors_come_back_as_a_fragment(client: AsyncTestClient) -> None:
    await sign_in(client, "police01")
    bad = await client.get("/nearby/list", params={"lat": "north", "lon": 115.3},
                           headers={"HX-Request": "true"})
    assert bad.status_code == 400
    assert "<html" not in bad.text and "请求参数无效" in bad.text
    client.cookies.clear()
    gone = await client.get("/nearby/list", params={"lat": 22.7, "lon": 115.3},
                            headers={"HX-Request": "true"})
    assert gone.status_code == 401 and gone.headers["hx-redirect"] == "/login"
