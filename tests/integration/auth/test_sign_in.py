"""Sign-in, lock-out, CSRF and sign-out over real HTTP on both backends."""

from __future__ import annotations

import asyncio

import pytest
from litestar.testing import AsyncTestClient

from bff.lib.settings import Settings
from tests.helpers import api_headers, csrf_token, sealed_audit, sign_in


async def test_sign_in_page_is_chinese_first(client: AsyncTestClient) -> None:
    page = await client.get("/login")
    assert page.status_code == 200
    assert 'name="username"' in page.text and 'name="password"' in page.text
    assert "登录" in page.text and 'lang="zh-CN"' in page.text


async def test_sign_in_rotates_session_and_opens_the_app(client: AsyncTestClient) -> None:
    client.cookies.set("bff_session", "attacker-chosen-session-id", domain="127.0.0.1")
    response = await sign_in(client, "police01")
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert client.cookies.get("bff_session") not in (None, "attacker-chosen-session-id")
    home = await client.get("/")
    assert home.status_code == 200
    assert "陈志强" in home.text and "附近摄像机" in home.text


async def test_wrong_password_is_refused_in_chinese(client: AsyncTestClient) -> None:
    response = await sign_in(client, "police01", "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    assert (await client.get("/", follow_redirects=False)).status_code == 303


async def test_unknown_user_gets_the_same_answer(client: AsyncTestClient) -> None:
    response = await sign_in(client, "nobody", "whatever")
    assert response.status_code == 401 and "用户名或密码错误" in response.text


async def test_malformed_username_is_a_clear_400(client: AsyncTestClient) -> None:
    response = await sign_in(client, "<script>", "x")
    assert response.status_code == 400 and "用户名或密码错误" in response.text


async def test_english_locale_from_accept_language(client: AsyncTestClient) -> None:
    client.headers["accept-language"] = "en-US,en;q=0.9"
    response = await sign_in(client, "police01", "wrong-password")
    assert "Wrong username or password" in response.text


async def test_missing_csrf_token_is_refused(client: AsyncTestClient) -> None:
    await csrf_token(client)
    response = await client.post("/login", data={"username": "police01", "password": "x"},
                                 follow_redirects=False)
    assert response.status_code == 403
    assert "页面已过期" in response.text


async def test_repeated_failures_slow_down_one_place_but_lock_nobody_out(
        client: AsyncTestClient) -> None:
    for _ in range(3):  # max_failed_logins in the test settings: then each try waits
        assert (await sign_in(client, "grid01", "bad")).status_code == 401
    waiting = await sign_in(client, "grid01")  # right password, but inside the 1 s delay
    assert waiting.status_code == 429 and "秒后再试" in waiting.text
    assert 1 <= int(waiting.headers["retry-after"]) <= 2
    other = await sign_in(client, "water01")  # other accounts are not affected
    assert other.status_code == 303
    await asyncio.sleep(1.1)  # the delay passes by itself; the account was never locked
    client.cookies.clear()
    assert (await sign_in(client, "grid01")).status_code == 303
    home = await client.get("/")
    assert "自上次登录以来，您的账户有 3 次登录失败（来自 1 个地址）" in home.text
    assert "自上次登录以来" not in (await client.get("/")).text  # told once


async def test_an_administrator_unlocks_an_account(client: AsyncTestClient) -> None:
    await sign_in(client, "admin")
    unlocked = await client.post("/api/admin/users/grid01/unlock", headers=api_headers(client))
    assert unlocked.status_code == 200 and unlocked.json() == {"username": "grid01",
                                                               "was_locked": False}
    missing = await client.post("/api/admin/users/nobody/unlock", headers=api_headers(client))
    assert missing.status_code == 404
    client.cookies.clear()
    await sign_in(client, "police01")
    refused = await client.post("/api/admin/users/grid01/unlock", headers=api_headers(client))
    assert refused.status_code == 403


async def test_api_without_session_is_401_json(client: AsyncTestClient) -> None:
    response = await client.get("/api/cameras/nearby?lat=22.78&lon=115.37",
                                headers={"accept": "application/json"})
    assert response.status_code == 401
    assert response.json() == {"error": "auth.required", "message": "请先登录"}


async def test_sign_out_ends_the_session(client: AsyncTestClient) -> None:
    await sign_in(client, "market01")
    response = await client.post("/logout", headers=api_headers(client), follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert (await client.get("/", follow_redirects=False)).status_code == 303


async def test_sign_out_needs_csrf(client: AsyncTestClient) -> None:
    await sign_in(client, "market01")
    response = await client.post("/logout", follow_redirects=False)
    assert response.status_code == 403
    assert (await client.get("/")).status_code == 200


async def test_sign_ins_are_audited_in_an_intact_chain(client: AsyncTestClient, db,  # noqa: ANN001
                                                       settings: Settings) -> None:
    from sqlalchemy import select

    from bff.audit.models import AuditEvent

    await sign_in(client, "police01", "nope")
    await sign_in(client, "police01")
    async with db.sessions() as session:
        actions = (await session.scalars(select(AuditEvent.action).order_by(AuditEvent.id))).all()
    assert actions[-2:] == ["auth.sign_in_failed", "auth.sign_in"]
    report = await sealed_audit(settings, db).verify()
    assert report.intact and report.checked == len(actions)


async def test_sign_out_everywhere_ends_other_sessions(client: AsyncTestClient) -> None:
    await sign_in(client, "police01")
    first_phone = client.cookies.get("bff_session")
    client.cookies.clear()
    await sign_in(client, "police01")  # a second device
    assert client.cookies.get("bff_session") != first_phone
    response = await client.post("/logout/everywhere", headers=api_headers(client),
                                 follow_redirects=False)
    assert response.status_code == 303
    client.cookies.set("bff_session", first_phone, domain="127.0.0.1")
    assert (await client.get("/", follow_redirects=False)).status_code == 303
    client.cookies.clear()
    assert (await sign_in(client, "police01")).status_code == 303  # signing in again works
    assert (await client.get("/")).status_code == 200


async def test_password_checks_run_off_the_event_loop(client: AsyncTestClient,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 takes ~0.1 s of CPU: on the event loop it would freeze every request and
    live stream for that long at each sign-in."""
    import bff.auth.services as services

    checked_on_loop: list[bool] = []
    verify = services.verify_password

    def recording(password_hash: str | None, password: str) -> bool:
        try:
            asyncio.get_running_loop()
            checked_on_loop.append(True)
        except RuntimeError:
            checked_on_loop.append(False)
        return verify(password_hash, password)

    monkeypatch.setattr(services, "verify_password", recording)
    assert (await sign_in(client, "police01")).status_code == 303
    assert (await sign_in(client, "grid01", "wrong-password")).status_code == 401
    assert (await sign_in(client, "nobody", "whatever")).status_code == 401
    assert checked_on_loop == [False, False, False]
