"""PTZ control over HTTP, on the embedded default and on PostgreSQL + Redis: the demo
platform's head really moves, every rule refuses what it should, the audit log tells."""

from __future__ import annotations

import asyncio
import functools

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from bff.audit.models import AuditEvent
from bff.catalog.schemas import CameraRecord
from bff.demo.catalogue import generate_demo_catalogue
from bff.lib.settings import PtzSettings, Settings
from bff.lib.vocabulary import PTZ_CAMERA_TYPES
from bff.platform.base import PlatformTimeout, PlatformUnavailable, PtzCommand
from tests.conftest import TEST_CAMERAS
from tests.helpers import api_headers, sealed_audit, sign_in

RATE = 6
WATCHDOG_S = 1.5


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings with PTZ limits a test can reach: a long rate window (no
    window boundary falls inside a test) and a short safety stop."""
    settings.ptz = PtzSettings(rate=RATE, rate_window_s=3600, watchdog_s=WATCHDOG_S)
    return settings


@functools.cache
def catalogue() -> tuple[CameraRecord, ...]:
    return tuple(generate_demo_catalogue(TEST_CAMERAS))


def police_camera(*, ptz: bool, perm_ptz: bool | None = None, online: bool = True) -> str:
    """A camera police01 (06, 城区 441502) can reach, with the wanted traits."""
    for r in catalogue():
        if (r.dept_code == "06" and r.civil_code.startswith("441502") and r.status == 1
                and 1 in r.default_perms and (r.online == 1) == online
                and (r.camera_type in PTZ_CAMERA_TYPES) == ptz
                and (perm_ptz is None or (4 in r.default_perms) == perm_ptz)
                and not r.code_flags):
            return r.device_id
    raise AssertionError("no such camera in the test catalogue")


async def audit_rows(db) -> list[tuple[str, str, str, dict]]:  # noqa: ANN001
    async with db.sessions() as session:
        rows = (await session.execute(select(AuditEvent.action, AuditEvent.actor,
                                             AuditEvent.target, AuditEvent.detail)
                                      .where(AuditEvent.action.like("ptz.%"))
                                      .order_by(AuditEvent.id))).all()
    return [tuple(row) for row in rows]


async def ptz(client: AsyncTestClient, device_id: str, body: object, **headers: str):  # noqa: ANN201
    return await client.post(f"/api/cameras/{device_id}/ptz", json=body,
                             headers={**api_headers(client), **headers})


async def test_held_move_then_stop_moves_the_demo_head_and_is_audited(
        client: AsyncTestClient, app: Litestar, db, settings: Settings) -> None:  # noqa: ANN001
    await sign_in(client, "police01")
    device_id = police_camera(ptz=True, perm_ptz=True)
    head = app.state.services.platform.head(device_id)

    moved = await ptz(client, device_id, {"command": "right", "speed": 100})
    assert moved.status_code == 200, moved.text
    assert moved.json() == {"device_id": device_id, "command": "right", "speed": 100,
                            "stop_after_ms": 1500, "repeat_ms": 500}
    assert head.moving and head.command is PtzCommand.RIGHT
    assert head.velocity[0] > 0 and head.velocity[1] == 0
    # The page repeats a held move: it keeps the camera going and is not a new move.
    repeated = await ptz(client, device_id, {"command": "right", "speed": 100})
    assert repeated.status_code == 200
    await asyncio.sleep(0.2)
    stopped = await ptz(client, device_id, {"command": "stop"})
    assert stopped.status_code == 200 and stopped.json()["command"] == "stop"
    assert stopped.json()["stop_after_ms"] is None
    assert not head.moving and head.position().pan > 5  # 60°/s for more than 0.1 s
    assert app.state.services.ptz_service.watched_cameras == set()

    rows = await audit_rows(db)
    assert [(a, actor, target) for a, actor, target, _ in rows] == [
        ("ptz.move", "police01", device_id), ("ptz.stop", "police01", device_id)]
    assert rows[0][3] == {"command": "right", "speed": 100}
    assert rows[1][3]["ended"] == "right" and rows[1][3]["moved_ms"] >= 200
    assert (await sealed_audit(settings, db).verify()).intact


async def test_zoom_and_default_speed(client: AsyncTestClient, app: Litestar) -> None:
    await sign_in(client, "police01")
    device_id = police_camera(ptz=True, perm_ptz=True)
    response = await ptz(client, device_id, {"command": "zoomin"})
    assert response.status_code == 200 and response.json()["speed"] == 50
    head = app.state.services.platform.head(device_id)
    assert head.velocity[2] > 0 and head.velocity[0] == 0
    assert (await ptz(client, device_id, {"command": "stop"})).status_code == 200


async def test_camera_without_ptz_head_is_refused(client: AsyncTestClient, db) -> None:  # noqa: ANN001
    await sign_in(client, "police01")
    response = await ptz(client, police_camera(ptz=False), {"command": "left"})
    assert response.status_code == 409
    assert response.json() == {"error": "ptz.not_ptz",
                               "message": "该摄像机不是云台摄像机，不能转动或变焦"}
    assert await audit_rows(db) == []


@pytest.mark.parametrize("username", ["police01", "market01"])
async def test_user_without_permission_4_is_refused_and_audited(
        client: AsyncTestClient, app: Litestar, db, username: str) -> None:  # noqa: ANN001
    """police01 may view this PTZ camera but not steer it; market01 may do neither."""
    await sign_in(client, username)
    device_id = police_camera(ptz=True, perm_ptz=False)
    response = await ptz(client, device_id, {"command": "up"})
    assert response.status_code == 403
    assert response.json() == {"error": "ptz.forbidden", "message": "您无权控制该摄像机的云台"}
    assert not app.state.services.platform.head(device_id).moving
    assert await audit_rows(db) == [("ptz.denied", username, device_id, {"command": "up"})]
    page = await client.get(f"/cameras/{device_id}")
    assert page.status_code == 200 and 'id="ptz-pad"' not in page.text


async def test_offline_camera_is_refused(client: AsyncTestClient) -> None:
    await sign_in(client, "police01")
    device_id = police_camera(ptz=True, perm_ptz=True, online=False)
    response = await ptz(client, device_id, {"command": "down"}, **{"accept-language": "en"})
    assert response.status_code == 409
    assert response.json() == {"error": "ptz.offline",
                               "message": "The camera is offline; PTZ is unavailable"}
    page = await client.get(f"/cameras/{device_id}")
    assert 'id="ptz-pad"' not in page.text


async def test_unknown_camera_is_404(client: AsyncTestClient) -> None:
    await sign_in(client, "police01")
    response = await ptz(client, "44150200001329999999", {"command": "left"})
    assert response.status_code == 404 and response.json()["message"] == "摄像机不存在"


@pytest.mark.parametrize("body", [
    {"command": "sideways"}, {"command": "left", "speed": 0}, {"command": "left", "speed": 101},
    {"command": "left", "speed": "fast"}, {}, {"command": "left", "url": "rtsp://x"},
    ["left"], {"command": "LEFT"},
])
async def test_bad_bodies_are_400_in_the_users_language(client: AsyncTestClient, app: Litestar,
                                                        body: object) -> None:
    await sign_in(client, "police01")
    device_id = police_camera(ptz=True, perm_ptz=True)
    zh = await ptz(client, device_id, body)
    assert zh.status_code == 400, zh.text
    assert zh.json()["error"] == "bad_request" and zh.json()["message"].startswith("请求参数无效")
    # What was wrong is said in Chinese too, not in msgspec's English.
    assert not any(word in zh.json()["message"] for word in ("Expected", "Object", "Invalid"))
    en = await ptz(client, device_id, body, **{"accept-language": "en-GB,en;q=0.8"})
    assert en.status_code == 400 and en.json()["message"].startswith("Invalid request")
    assert not app.state.services.platform.head(device_id).moving


async def test_missing_csrf_token_is_403(client: AsyncTestClient, app: Litestar) -> None:
    await sign_in(client, "police01")
    device_id = police_camera(ptz=True, perm_ptz=True)
    response = await client.post(f"/api/cameras/{device_id}/ptz", json={"command": "left"},
                                 headers={"accept": "application/json"})
    assert response.status_code == 403 and response.json()["error"] == "auth.csrf"
    assert not app.state.services.platform.head(device_id).moving


async def test_signed_out_is_401(client: AsyncTestClient) -> None:
    await client.get("/login")
    device_id = police_camera(ptz=True, perm_ptz=True)
    response = await ptz(client, device_id, {"command": "left"})
    assert response.status_code == 401


async def test_rate_limit_is_per_user_with_retry_after_and_spares_stops(
        client: AsyncTestClient, app: Litestar) -> None:
    await sign_in(client, "police01")
    device_id = police_camera(ptz=True, perm_ptz=True)
    commands = ["left", "right", "up", "down", "zoomin", "zoomout"]
    assert len(commands) == RATE
    for command in commands:
        assert (await ptz(client, device_id, {"command": command})).status_code == 200
    refused = await ptz(client, device_id, {"command": "left"})
    assert refused.status_code == 429
    assert refused.json()["error"] == "ptz.rate_limited"
    retry_after = int(refused.headers["retry-after"])
    assert 1 <= retry_after <= 3600
    assert refused.json()["message"] == f"云台操作过于频繁，请 {retry_after} 秒后再试"
    english = await ptz(client, device_id, {"command": "left"}, **{"accept-language": "en"})
    assert english.status_code == 429
    assert english.json()["message"] == f"Too many PTZ commands; try again in {retry_after} s"
    head = app.state.services.platform.head(device_id)
    assert head.command is PtzCommand.ZOOMOUT  # the refused moves never reached it
    # A stop that ends a move always goes through; a redundant one counts like any other.
    assert (await ptz(client, device_id, {"command": "stop"})).status_code == 200
    assert not head.moving
    assert (await ptz(client, device_id, {"command": "stop"})).status_code == 429


async def test_safety_stop_when_no_stop_arrives(client: AsyncTestClient, app: Litestar,
                                                db) -> None:  # noqa: ANN001
    await sign_in(client, "police01")
    device_id = police_camera(ptz=True, perm_ptz=True)
    assert (await ptz(client, device_id, {"command": "upleft", "speed": 20})).status_code == 200
    head = app.state.services.platform.head(device_id)
    assert head.moving
    # The phone goes quiet: nothing else is sent.
    for _ in range(100):
        if not head.moving:
            break
        await asyncio.sleep(0.1)
    assert not head.moving
    for _ in range(50):
        rows = await audit_rows(db)
        if len(rows) == 2:
            break
        await asyncio.sleep(0.1)
    assert [row[0] for row in rows] == ["ptz.move", "ptz.auto_stop"]
    action, actor, target, detail = rows[1]
    assert actor == "police01" and target == device_id
    assert detail["ended"] == "upleft" and detail["reason"] == "no_stop"
    assert detail["moved_ms"] >= WATCHDOG_S * 1000 - 50
    for _ in range(50):  # the watchdog forgets the camera just after its audit commits
        if not app.state.services.ptz_service.watched_cameras:
            break
        await asyncio.sleep(0.05)
    assert app.state.services.ptz_service.watched_cameras == set()


async def test_repeats_keep_a_held_move_going(client: AsyncTestClient, app: Litestar,
                                              db) -> None:  # noqa: ANN001
    await sign_in(client, "police01")
    device_id = police_camera(ptz=True, perm_ptz=True)
    head = app.state.services.platform.head(device_id)
    for _ in range(4):  # 4 × 0.6 s = well past one safety-stop period
        assert (await ptz(client, device_id, {"command": "left"})).status_code == 200
        await asyncio.sleep(0.6)
        assert head.moving
    assert (await ptz(client, device_id, {"command": "stop"})).status_code == 200
    assert [row[0] for row in await audit_rows(db)] == ["ptz.move", "ptz.stop"]


@pytest.mark.parametrize("failure,status,error,zh,en", [
    (PlatformTimeout("点播超时"), 504, "ptz.timeout", "视频平台响应超时，云台命令可能未执行",
     "The video platform did not answer in time; the PTZ command may not have run"),
    (PlatformUnavailable("HTTP 500"), 502, "ptz.upstream", "视频平台拒绝或无法执行云台命令，请稍后再试",
     "The video platform refused or failed the PTZ command; try later"),
])
async def test_platform_failures_map_to_502_and_504(
        client: AsyncTestClient, app: Litestar, db, failure: Exception, status: int,  # noqa: ANN001
        error: str, zh: str, en: str) -> None:
    await sign_in(client, "police01")
    device_id = police_camera(ptz=True, perm_ptz=True)

    async def failing_ptz(device_id: str, move: object) -> None:
        raise failure

    app.state.services.platform.ptz = failing_ptz
    response = await ptz(client, device_id, {"command": "left"})
    assert response.status_code == status and response.json() == {"error": error, "message": zh}
    response = await ptz(client, device_id, {"command": "left"}, **{"accept-language": "en"})
    assert response.status_code == status and response.json() == {"error": error, "message": en}
    assert await audit_rows(db) == []  # nothing moved
    assert app.state.services.ptz_service.watched_cameras == set()


async def test_live_page_shows_the_pad_only_to_users_who_may_steer(client: AsyncTestClient) -> None:
    await sign_in(client, "police01")
    steerable = await client.get(f"/cameras/{police_camera(ptz=True, perm_ptz=True)}")
    assert steerable.status_code == 200
    assert 'id="ptz-pad"' in steerable.text and "/static/ptz.js" in steerable.text
    for label in ("左", "右", "上", "下", "放大", "缩小"):
        assert f'aria-label="{label}"' in steerable.text
    fixed = await client.get(f"/cameras/{police_camera(ptz=False)}")
    assert 'id="ptz-pad"' not in fixed.text and "/static/ptz.js" not in fixed.text
    client.cookies.set("lang", "en")
    english = await client.get(f"/cameras/{police_camera(ptz=True, perm_ptz=True)}")
    assert 'aria-label="Zoom in"' in english.text and 'aria-label="Left"' in english.text


async def test_framework_refusals_are_in_the_users_language(client: AsyncTestClient) -> None:
    await sign_in(client, "police01")
    device_id = police_camera(ptz=True, perm_ptz=True)
    wrong_method = await client.get(f"/api/cameras/{device_id}/ptz",
                                    headers=api_headers(client))
    assert wrong_method.status_code == 405
    assert wrong_method.json() == {"error": "method_not_allowed", "message": "不支持该请求方法"}
    english = await client.get(f"/api/cameras/{device_id}/ptz", headers={
        **api_headers(client), "accept-language": "en"})
    assert english.json()["message"] == "This method is not allowed here"


async def test_another_user_waits_while_one_steers(client: AsyncTestClient, app: Litestar,
                                                   db) -> None:  # noqa: ANN001
    from bff.auth.models import Role, User
    from bff.auth.passwords import hash_password
    from tests.conftest import TEST_PASSWORD

    async with db.sessions() as session, session.begin():
        session.add(User(username="police02", display_name="李四", staff_no="J441502018",
                         password_hash=hash_password(TEST_PASSWORD), dept_code="06",
                         region_prefix="441502", role=Role.OFFICER.value))
    device_id = police_camera(ptz=True, perm_ptz=True)
    await sign_in(client, "police01")
    assert (await ptz(client, device_id, {"command": "left"})).status_code == 200
    await sign_in(client, "police02")  # another officer, same camera, same rights
    busy = await ptz(client, device_id, {"command": "up"})
    assert busy.status_code == 409
    assert busy.json() == {"error": "ptz.busy", "message": "陈志强 正在控制该摄像机的云台，请稍后再试"}
    assert (await ptz(client, device_id, {"command": "stop"})).status_code == 200
    assert (await ptz(client, device_id, {"command": "up"})).status_code == 200
    assert app.state.services.platform.head(device_id).moving
    assert (await ptz(client, device_id, {"command": "stop"})).status_code == 200
