"""Time in the workflow: grants expire and undecided parts escalate, found by the app's
background sweep (the test moves the stored times into the past instead of waiting)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from litestar.testing import AsyncTestClient
from sqlalchemy import select, update

from bff.audit.models import AuditEvent
from bff.auth.models import Grant
from bff.lib.vocabulary import ShareAttr
from bff.sharing.models import ShareGrant, SharePart
from tests.helpers import api_headers, sign_in
from tests.integration.sharing.conftest import ask, cameras_for, decide

SWEEP_WAIT_S = 20.0
"""Bound on waiting for the sweep (it runs every BFF_ACCESS_RECHECK_SECONDS = 2)."""


async def wait_for_action(db, action: str) -> AuditEvent:
    deadline = asyncio.get_running_loop().time() + SWEEP_WAIT_S
    while True:
        async with db.sessions() as session:
            event = await session.scalar(select(AuditEvent).where(AuditEvent.action == action))
        if event is not None:
            return event
        assert asyncio.get_running_loop().time() < deadline, f"no {action} audited"
        await asyncio.sleep(0.2)


async def test_an_expired_grant_stops_working_and_is_audited_once(
        client: AsyncTestClient, db) -> None:
    kitchen = cameras_for("24", ShareAttr.UNCONDITIONAL)
    await sign_in(client, "police01")
    grant = (await ask(client, kitchen)).json()["parts"][0]["grant"]
    past = datetime.now(UTC) - timedelta(seconds=1)
    async with db.sessions() as session, session.begin():
        await session.execute(update(ShareGrant).where(ShareGrant.id == grant["id"])
                              .values(starts_at=past - timedelta(hours=1), ends_at=past))
        await session.execute(update(Grant).where(Grant.share_grant_id == grant["id"])
                              .values(starts_at=past - timedelta(hours=1), expires_at=past))
    camera = (await client.get(f"/api/cameras/{kitchen[0]}", headers=api_headers(client))).json()
    assert camera["access"] == "request"
    event = await wait_for_action(db, "grant.expire")
    assert event.target == f"share_grant:{grant['id']}" and event.actor == "system"
    notices = (await client.get("/api/share-notices", headers=api_headers(client))).json()
    assert [n["kind"] for n in notices] == ["expired"]
    mine = (await client.get("/api/grants", headers=api_headers(client))).json()
    assert mine[0]["state"] == "expired"
    await sign_in(client, "approver01")
    late = await client.post(f"/api/grants/{grant['id']}/revoke", json={"reason": "晚了"},
                             headers=api_headers(client))
    assert late.status_code == 409 and late.json()["error"] == "sharing.grant_expired"
    async with db.sessions() as session:
        count = len((await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "grant.expire"))).all())
    assert count == 1


async def test_an_overdue_part_escalates_to_the_admin_and_the_requester_is_told(
        client: AsyncTestClient, db) -> None:
    kitchen = cameras_for("24", ShareAttr.CONDITIONAL)
    await sign_in(client, "police01")
    asked = (await ask(client, kitchen)).json()
    async with db.sessions() as session, session.begin():
        await session.execute(update(SharePart).where(SharePart.request_id == asked["id"])
                              .values(deadline_at=datetime.now(UTC) - timedelta(minutes=1)))
    await wait_for_action(db, "share.escalate")
    notices = (await client.get("/api/share-notices", headers=api_headers(client))).json()
    assert [n["kind"] for n in notices] == ["escalated"]
    assert "市视频办" in notices[0]["text"]
    await sign_in(client, "admin")
    inbox = (await client.get("/api/share-requests", params={"role": "approver"},
                              headers=api_headers(client))).json()
    assert inbox[0]["id"] == asked["id"] and inbox[0]["parts"][0]["escalated"] is True
    badge = (await client.get("/api/share-badge", headers=api_headers(client))).json()
    assert badge["unread"] == 1
    decided = await decide(client, asked["id"], "reject", reason="超出辖区职责")
    assert decided.status_code == 200
