"""Sessions are stored only once signed in, under ids the server made, and end after an
absolute lifetime however busy they are."""

from __future__ import annotations

import asyncio

from litestar.testing import AsyncTestClient

from bff.app import create_app
from bff.lib.settings import Settings
from tests.helpers import sign_in

SESSION_COOKIE = "bff_session"


def session_cookies(response) -> list[str]:  # noqa: ANN001
    return [value for value in response.headers.get_list("set-cookie")
            if value.startswith(f"{SESSION_COOKIE}=")]


async def stored_sessions(settings: Settings, app) -> int:  # noqa: ANN001
    """Sessions in the store (read on this loop: a Redis client of our own)."""
    if not settings.redis.url:
        return len(app.stores.get("sessions")._store)
    from redis.asyncio import Redis

    redis = Redis.from_url(settings.redis.url)
    try:
        return len([key async for key in redis.scan_iter(
            match=f"{settings.redis.key_prefix}*session*")])
    finally:
        await redis.aclose()


async def test_anonymous_visits_store_nothing_and_set_no_session(
        client: AsyncTestClient, app, settings: Settings) -> None:  # noqa: ANN001
    before = await stored_sessions(settings, app)
    for path in ("/login", "/", "/no-such-page", "/login?next=/map"):
        response = await client.get(path, follow_redirects=False)
        assert session_cookies(response) == [], path
    # A cookie the client made up is neither looked up nor adopted: it is expired.
    chosen = "a" * 64
    client.cookies.set(SESSION_COOKIE, chosen, domain="127.0.0.1")
    response = await client.get("/login")
    assert any("null" in value for value in session_cookies(response))
    client.cookies.set(SESSION_COOKIE, "x" * 5000, domain="127.0.0.1")  # any length
    assert (await client.get("/", follow_redirects=False)).status_code == 303
    assert await stored_sessions(settings, app) == before == 0


async def test_signed_in_sessions_are_stored_under_new_ids(
        client: AsyncTestClient, app, settings: Settings) -> None:  # noqa: ANN001
    client.cookies.set(SESSION_COOKIE, "b" * 64, domain="127.0.0.1")
    await sign_in(client, "police01")
    session_id = client.cookies.get(SESSION_COOKIE)
    assert session_id not in (None, "b" * 64) and len(session_id) == 64
    assert await stored_sessions(settings, app) == 1
    assert (await client.get("/")).status_code == 200


async def test_a_busy_session_still_ends_at_its_absolute_lifetime(settings: Settings) -> None:
    settings.auth.session_absolute_s = 2
    async with AsyncTestClient(app=create_app(settings), base_url="http://127.0.0.1:8000") as client:
        await sign_in(client, "police01")
        for _ in range(12):  # used all the time: the idle timeout alone would never end it
            home = await client.get("/", follow_redirects=False)
            if home.status_code != 200:
                break
            await asyncio.sleep(0.25)
        assert home.status_code == 303 and home.headers["location"].startswith("/login")
        api = await client.get("/api/alerts", headers={"accept": "application/json"})
        assert api.status_code == 401


async def test_unsafe_requests_from_other_sites_are_refused(client: AsyncTestClient) -> None:
    from tests.helpers import api_headers

    await sign_in(client, "police01")
    headers = {**api_headers(client), "accept": "application/json"}
    for origin in ("https://evil.example", "null", "http://127.0.0.1:9999"):
        refused = await client.post("/api/alerts/1/acknowledge",
                                    headers={**headers, "origin": origin})
        assert refused.status_code == 403 and refused.json()["error"] == "auth.csrf", origin
    by_referer = await client.post("/api/alerts/1/acknowledge", headers={
        **headers, "referer": "https://evil.example/page"})
    assert by_referer.status_code == 403
    same_site = await client.post("/api/alerts/1/acknowledge", headers={
        **headers, "origin": "http://127.0.0.1:8000"})
    assert same_site.status_code == 404  # past the check: no such alert for this user
    # The signed ingest is machine-to-machine: its signature is its proof of origin.
    ingest = await client.post("/api/alerts/events", content=b"{}",
                               headers={"origin": "https://evil.example"})
    assert ingest.status_code == 401
