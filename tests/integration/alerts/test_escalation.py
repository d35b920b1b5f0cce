"""Escalation on both backends: an alert nobody acknowledged in time escalates once —
also when two processes look at the same moment — its departments' approvers become
recipients, an escalation outbox row is written and the escalation is audited; an
acknowledged or recent alert does not escalate."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from litestar.testing import AsyncTestClient
from sqlalchemy import select

from bff.alerts.escalation import Escalator
from bff.alerts.models import Alert, AlertOutbox, AlertRecipient
from bff.audit.models import AuditEvent
from bff.audit.services import AuditLog
from bff.auth.models import User
from bff.catalog.services import CatalogService
from bff.lib.db import Database, utcnow
from tests.helpers import api_headers, sign_in
from tests.integration.alerts.conftest import event, post_event

AFTER = timedelta(minutes=10)


async def escalator(db: Database) -> Escalator:
    catalog = CatalogService(db)
    await catalog.load()
    return Escalator(db, catalog, AuditLog(db), AFTER)


async def recipients_of(db: Database, alert_id: int) -> set[str]:
    async with db.sessions() as session:
        return set((await session.scalars(
            select(User.username).join(AlertRecipient, AlertRecipient.user_id == User.id)
            .where(AlertRecipient.alert_id == alert_id))).all())


async def outbox_kinds(db: Database, alert_id: int) -> list[str]:
    async with db.sessions() as session:
        return list((await session.scalars(
            select(AlertOutbox.kind).where(AlertOutbox.alert_id == alert_id)
            .order_by(AlertOutbox.id))).all())


async def test_an_unacknowledged_alert_escalates_once_to_the_supervisors(
        client: AsyncTestClient, db: Database) -> None:
    # The approver muted routine kitchen alerts: the escalation reaches them all the same.
    await sign_in(client, "approver01")
    assert (await client.put("/api/alerts/mutes", json={"muted": ["kitchen_rodent"]},
                             headers=api_headers(client))).status_code == 200
    stored = await post_event(client, event("rodent-1", type="kitchen_rodent"))
    alert_id = stored.json()["alert_id"]
    assert await recipients_of(db, alert_id) == {"market01"}

    first, second = await escalator(db), await escalator(db)
    assert await first.escalate_due(utcnow() + AFTER - timedelta(minutes=1)) == []
    due = utcnow() + AFTER + timedelta(seconds=1)
    # Two processes at the same moment: one escalation.
    results = await asyncio.gather(first.escalate_due(due), second.escalate_due(due))
    assert sorted(results, key=len) == [[], [alert_id]]
    assert await first.escalate_due(due + timedelta(hours=1)) == []

    assert await recipients_of(db, alert_id) == {"market01", "approver01"}
    assert await outbox_kinds(db, alert_id) == ["new", "escalation"]
    async with db.sessions() as session:
        alert = await session.get(Alert, alert_id)
        audited = (await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "alert.escalate"))).all()
    assert alert.escalated_at is not None and alert.state == "new"
    assert len(audited) == 1 and audited[0].target == f"alert:{alert_id}"
    assert audited[0].detail["type"] == "kitchen_rodent"
    assert len(audited[0].detail["supervisors_added"]) == 1

    # The supervisor now sees it in their list.
    mine = await client.get("/api/alerts")
    assert [item["id"] for item in mine.json()] == [alert_id]


async def test_acknowledged_alerts_do_not_escalate(client: AsyncTestClient,
                                                   db: Database) -> None:
    stored = await post_event(client, event("flood-ack"))
    alert_id = stored.json()["alert_id"]
    await sign_in(client, "water01")
    assert (await client.post(f"/api/alerts/{alert_id}/acknowledge", json={},
                              headers=api_headers(client))).status_code == 200
    assert await (await escalator(db)).escalate_due(utcnow() + AFTER * 2) == []
    assert await outbox_kinds(db, alert_id) == ["new"]
