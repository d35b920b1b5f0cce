"""The audit log is hash-chained: any edit or deletion is found by verify()."""

from __future__ import annotations

from sqlalchemy import delete, update

from bff.audit.models import AuditEvent
from bff.audit.services import AuditLog


async def test_chain_detects_edit_and_deletion(db) -> None:  # noqa: ANN001
    audit = AuditLog(db)
    events = [await audit.record("view.start", actor_id=1, actor="police01", target=f"cam{i}",
                                 detail={"n": i, "名称": "测试"}) for i in range(5)]
    report = await audit.verify()
    assert report.intact and report.checked >= 5
    async with db.sessions() as session, session.begin():
        await session.execute(update(AuditEvent).where(AuditEvent.id == events[2].id)
                              .values(target="someone-else"))
    assert (await audit.verify()).first_bad_id == events[2].id
    async with db.sessions() as session, session.begin():
        await session.execute(update(AuditEvent).where(AuditEvent.id == events[2].id)
                              .values(target="cam2"))
        await session.execute(delete(AuditEvent).where(AuditEvent.id == events[1].id))
    assert (await audit.verify()).first_bad_id == events[2].id


async def test_health_answers_json(client) -> None:  # noqa: ANN001
    response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["cameras"] > 0

