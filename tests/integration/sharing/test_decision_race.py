"""Two approvers deciding one part at the same moment: exactly one decision lands, the
other is told who decided (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bff.audit.services import AuditLog
from bff.auth.models import Grant, User
from bff.auth.services import access_scope_of, load_signed_in_user
from bff.catalog.services import CatalogService
from bff.lib.settings import SharingSettings
from bff.lib.vocabulary import ShareAttr
from bff.sharing.errors import AlreadyDecided
from bff.sharing.models import SharePart
from bff.sharing.repositories import SharePartRepository
from bff.sharing.schemas import ShareDecisionCreate, ShareRequestCreate
from bff.sharing.services import SharingService
from tests.integration.sharing.conftest import cameras_for


async def user_named(db, username: str):
    async with db.sessions() as session:
        user_id = await session.scalar(select(User.id).where(User.username == username))
        return await load_signed_in_user(session, user_id)


@pytest.mark.parametrize("decisions", [("approve", "approve"), ("approve", "reject")])
async def test_two_approvers_at_once_one_wins(db, decisions: tuple[str, str]) -> None:
    catalog = CatalogService(db)
    await catalog.load()
    audit = AuditLog(db)
    service = SharingService(SharingSettings(), db, catalog, audit)
    requester = await user_named(db, "police01")
    async with db.sessions() as session:
        scope = await access_scope_of(session, requester)
    kitchens = cameras_for("24", ShareAttr.CONDITIONAL, count=2)
    asked = await service.ask(requester, scope, ShareRequestCreate(
        device_ids=kitchens, permissions=[1], purpose="排查投诉",
        ends_at=datetime.now(UTC) + timedelta(hours=2)), "zh-CN")
    approver, admin = await user_named(db, "approver01"), await user_named(db, "admin")

    def decision(kind: str) -> ShareDecisionCreate:
        return ShareDecisionCreate(decision=kind, reason="不同意" if kind == "reject" else None)

    results = await asyncio.gather(
        service.decide(approver, asked.id, decision(decisions[0]), "zh-CN"),
        service.decide(admin, asked.id, decision(decisions[1]), "zh-CN"),
        return_exceptions=True)
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert isinstance(losers[0], AlreadyDecided)
    winner = winners[0].parts[0]
    assert losers[0].by == winner.decided_by and losers[0].state == winner.state
    async with db.sessions() as session:
        part = await session.scalar(select(SharePart).where(SharePart.request_id == asked.id))
        grants = await session.scalar(select(func.count()).select_from(Grant))
    assert part.state == winner.state
    assert grants == (2 if winner.state == "approved" else 0)
    assert (await audit.verify()).intact


async def test_a_decision_made_on_a_stale_read_loses_at_the_update(
        db, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worst interleaving, made certain: the second approver decides and commits
    between the first one's read of the pending part and its update."""
    catalog = CatalogService(db)
    await catalog.load()
    service = SharingService(SharingSettings(), db, catalog, AuditLog(db))
    requester = await user_named(db, "police01")
    async with db.sessions() as session:
        scope = await access_scope_of(session, requester)
    asked = await service.ask(requester, scope, ShareRequestCreate(
        device_ids=cameras_for("24", ShareAttr.CONDITIONAL), permissions=[1, 2],
        purpose="排查投诉", ends_at=datetime.now(UTC) + timedelta(hours=2)), "zh-CN")
    approver, admin = await user_named(db, "approver01"), await user_named(db, "admin")

    real_list = SharePartRepository.list
    interleaved = False

    async def list_then_let_the_other_decide(self, *args, **kwargs):
        nonlocal interleaved
        rows = await real_list(self, *args, **kwargs)
        if not interleaved:
            interleaved = True
            await service.decide(admin, asked.id, ShareDecisionCreate(
                decision="reject", reason="另案处理"), "zh-CN")
        return rows

    monkeypatch.setattr(SharePartRepository, "list", list_then_let_the_other_decide)
    with pytest.raises(AlreadyDecided) as lost:
        await service.decide(approver, asked.id, ShareDecisionCreate(decision="approve"),
                             "zh-CN")
    assert lost.value.by == "蔡文华" and lost.value.state == "rejected"
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Grant)) == 0
