"""Muting alert types over HTTP: a user sees the types that can reach them, mutes some
(and stops receiving them), cannot mute what their department must receive; the page
shows the same with required types locked."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient
from sqlalchemy import select

from bff.alerts.models import AlertRecipient
from bff.audit.models import AuditEvent
from bff.auth.models import User
from bff.lib.db import Database
from tests.helpers import api_headers, sign_in
from tests.integration.alerts.conftest import event, post_event

CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def recipients_of(db: Database, alert_id: int) -> set[str]:
    async with db.sessions() as session:
        return set((await session.scalars(
            select(User.username).join(AlertRecipient, AlertRecipient.user_id == User.id)
            .where(AlertRecipient.alert_id == alert_id))).all())


async def test_a_muted_type_no_longer_reaches_the_user(client: AsyncTestClient,
                                                       db: Database) -> None:
    await sign_in(client, "water01")
    offered = (await client.get("/api/alerts/mutes")).json()
    # flooding is routed to 15 水务; camera_offline may reach any camera owner.
    assert offered == [
        {"type": "flooding", "label": "易涝点积水", "muted": False, "required": False},
        {"type": "camera_offline", "label": "摄像机离线", "muted": False, "required": False}]

    muted = await client.put("/api/alerts/mutes", json={"muted": ["flooding"]},
                             headers=api_headers(client))
    assert muted.status_code == 200, muted.text
    assert [(m["type"], m["muted"]) for m in muted.json()] == [
        ("flooding", True), ("camera_offline", False)]

    stored = await post_event(client, event("muted-flood"))
    assert stored.status_code == 202
    assert "water01" not in await recipients_of(db, stored.json()["alert_id"])

    async with db.sessions() as session:
        audited = (await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "alert.mutes_update"))).all()
    assert len(audited) == 1
    assert audited[0].detail == {"before": [], "after": ["flooding"]}

    unmuted = await client.put("/api/alerts/mutes", json={"muted": []},
                               headers=api_headers(client))
    assert [m["muted"] for m in unmuted.json()] == [False, False]
    again = await post_event(client, event("unmuted-flood"))
    assert "water01" in await recipients_of(db, again.json()["alert_id"])


async def test_required_types_cannot_be_muted_and_override_old_mutes(
        client: AsyncTestClient, db: Database) -> None:
    await sign_in(client, "water01")
    headers = api_headers(client)
    assert (await client.put("/api/alerts/mutes", json={"muted": ["flooding"]},
                             headers=headers)).status_code == 200

    client.cookies.clear()
    await sign_in(client, "admin")
    assert (await client.put("/api/admin/alert-routes/flooding", headers=api_headers(client),
                             json={"dept_codes": ["15", "21"],
                                   "required_dept_codes": ["15"]})).status_code == 200
    stored = await post_event(client, event("required-flood"))
    assert "water01" in await recipients_of(db, stored.json()["alert_id"])

    client.cookies.clear()
    await sign_in(client, "water01")
    headers = {**api_headers(client), "accept-language": "en"}
    offered = {m["type"]: m for m in (await client.get("/api/alerts/mutes")).json()}
    assert offered["flooding"]["required"] is True and offered["flooding"]["muted"] is False
    refused = await client.put("/api/alerts/mutes", json={"muted": ["flooding"]},
                               headers=headers)
    assert refused.status_code == 409 and refused.json()["error"] == "alerts.mute_required"
    assert "flooding" in refused.json()["message"]
    unknown = await client.put("/api/alerts/mutes", json={"muted": ["volcano"]},
                               headers=headers)
    assert unknown.status_code == 422 and "muted" in unknown.json()["message"]
    malformed = await client.put("/api/alerts/mutes", json={"muted": "flooding"},
                                 headers=headers)
    assert malformed.status_code == 400 and "muted" in malformed.json()["message"]


async def test_the_settings_page_locks_required_types_and_saves_toggles(
        client: AsyncTestClient, db: Database) -> None:
    await sign_in(client, "admin")
    assert (await client.put("/api/admin/alert-routes/kitchen_rodent",
                             headers=api_headers(client),
                             json={"dept_codes": ["24"],
                                   "required_dept_codes": ["24"]})).status_code == 200
    client.cookies.clear()
    await sign_in(client, "market01")
    page = await client.get("/settings/alerts")
    assert page.status_code == 200
    assert "预警通知设置" in page.text and "明厨亮灶：未戴厨师帽" in page.text
    assert "本部门必收，不能关闭" in page.text
    assert re.search(r'<input type="checkbox" checked disabled aria-describedby="why-'
                     r'kitchen_rodent">', page.text)
    token = CSRF_INPUT.search(page.text).group(1)

    # Only kitchen_garbage left on: the other unlocked kitchen type and camera_offline muted.
    saved = await client.post("/settings/alerts", headers={"hx-request": "true"},
                              data={"_csrf_token": token, "notify": ["kitchen_garbage"]})
    assert saved.status_code == 200 and 'data-testid="mutes-saved"' in saved.text
    assert "<html" not in saved.text
    mutes = {m["type"]: m["muted"] for m in (await client.get("/api/alerts/mutes")).json()}
    assert mutes == {"kitchen_no_hat": True, "kitchen_rodent": False,
                     "kitchen_garbage": False, "camera_offline": True}

    rodent = await post_event(client, event("rodent", type="kitchen_rodent"))
    hat = await post_event(client, event("hat", type="kitchen_no_hat"))
    assert "market01" in await recipients_of(db, rodent.json()["alert_id"])
    assert "market01" not in await recipients_of(db, hat.json()["alert_id"])
