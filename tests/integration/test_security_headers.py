"""Every answer carries the security headers; signed-in pages and API answers are never
cached; static files keep their caching; no server banner."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from bff.lib.headers import content_security_policy, origin_of
from tests.helpers import sign_in


def assert_hardened(response, *, stored: bool) -> None:  # noqa: ANN001
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp and "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["permissions-policy"].startswith("geolocation=(self)")
    assert "server" not in headers
    assert "strict-transport-security" not in headers  # plain HTTP in tests
    if stored:
        assert "no-store" not in headers.get("cache-control", "")
    else:
        assert headers["cache-control"] == "no-store"


async def test_pages_api_errors_and_static_files(client: AsyncTestClient) -> None:
    assert_hardened(await client.get("/login"), stored=False)
    await sign_in(client, "police01")
    home = await client.get("/")
    assert home.status_code == 200
    assert_hardened(home, stored=False)
    api = await client.get("/api/cameras/nearby", params={"lat": 22.79, "lon": 115.37})
    assert api.status_code == 200
    assert_hardened(api, stored=False)
    missing = await client.get("/no-such-page")
    assert missing.status_code == 404
    assert_hardened(missing, stored=False)
    static = await client.get("/static/app.css")
    assert static.status_code == 200
    assert_hardened(static, stored=True)


def test_map_tiles_are_the_only_foreign_pictures() -> None:
    origin = origin_of("https://{s}.tiles.example.gov.cn/wmts/{z}/{x}/{y}.png")
    assert origin == "https://*.tiles.example.gov.cn"
    assert f"img-src 'self' data: blob: {origin}" in content_security_policy([origin])
    assert origin_of("") is None and origin_of("tiles/{z}/{x}/{y}.png") is None


async def test_hostile_bodies_get_4xx_not_500(client: AsyncTestClient) -> None:
    from tests.helpers import api_headers

    await sign_in(client, "police01")
    headers = {**api_headers(client), "content-type": "application/json"}
    for path in ("/api/cameras/44150200001310000001/ptz", "/api/alerts/1/resolve"):
        deep = await client.post(path, content=b"[" * 100_000, headers=headers)
        assert deep.status_code == 400, (path, deep.text)
        assert deep.json() == {"error": "too_deep", "message": "请求内容嵌套层级过深"}
    huge = await client.post("/api/alerts/1/resolve", headers=headers,
                             content=b'{"note": "' + b"x" * 1_100_000 + b'"}')
    assert huge.status_code == 413, huge.text


async def test_the_api_description_needs_a_session_and_no_cdn(client: AsyncTestClient) -> None:
    for path in ("/schema", "/schema/openapi.json", "/schema/swagger"):
        anonymous = await client.get(path, headers={"accept": "application/json"})
        assert anonymous.status_code == 401, path
    await sign_in(client, "police01")
    spec = await client.get("/schema/openapi.json")
    assert spec.status_code == 200 and "/api/alerts/events" in spec.json()["paths"]
    viewer = await client.get("/schema")
    assert viewer.status_code == 200
    assert "/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js" in viewer.text
    assert "cdn" not in viewer.text.lower() and "<script>" not in viewer.text
    assert 'data-spec-url="/schema/openapi.json"' in viewer.text
    assert (await client.get("/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js")
            ).status_code == 200


async def test_the_api_description_can_be_switched_off(settings) -> None:  # noqa: ANN001
    from bff.app import create_app

    settings.server.openapi = "off"
    async with AsyncTestClient(app=create_app(settings)) as client:
        await sign_in(client, "police01")
        assert (await client.get("/schema/openapi.json")).status_code == 404
