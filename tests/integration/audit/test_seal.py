"""The sealed audit log: tampering by someone who can write the database but not read the
key or the anchors is found by verify(), whatever they do to the rows."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path

from sqlalchemy import delete, func, select, update

from bff.audit.models import AuditEvent
from bff.audit.seal import AuditSeal, FileAnchor, Head, MemoryAnchor, RedisAnchor, entry_mac
from bff.audit.services import AuditAction, AuditLog, Problem
from bff.lib.db import Database
from bff.lib.settings import Settings


def sealed(settings: Settings, database: Database, *extra: object) -> AuditLog:
    anchor = FileAnchor(Path(settings.audit.anchor_file))
    return AuditLog(database, AuditSeal(settings.audit.key.encode(), [anchor, *extra],
                                        required=anchor))


async def write(audit: AuditLog, count: int, start: int = 0) -> list[AuditEvent]:
    return [await audit.record(AuditAction.VIEW_START, actor_id=1, actor="police01",
                               target=f"cam{i}", detail={"n": i, "名称": "测试"})
            for i in range(start, start + count)]


async def test_an_intact_log_verifies_and_its_anchor_follows_the_tail(settings: Settings,
                                                                      db: Database) -> None:
    audit = sealed(settings, db)
    events = await write(audit, 4)
    report = await audit.verify()
    assert report.intact and report.checked == 4
    head = await FileAnchor(Path(settings.audit.anchor_file)).read()
    assert head == Head(seq=4, mac=events[-1].entry_hash)


async def test_deleting_the_newest_entries_is_found(settings: Settings, db: Database) -> None:
    audit = sealed(settings, db)
    events = await write(audit, 6)
    async with db.sessions() as session, session.begin():
        await session.execute(delete(AuditEvent).where(AuditEvent.id > events[3].id))
    report = await audit.verify()
    assert report.problem is Problem.TRUNCATED and report.checked == 4
    assert "6" in report.explanation and "4" in report.explanation


async def test_emptying_the_table_is_found(settings: Settings, db: Database) -> None:
    audit = sealed(settings, db)
    await write(audit, 3)
    async with db.sessions() as session, session.begin():
        await session.execute(delete(AuditEvent))
    report = await audit.verify()
    assert report.problem is Problem.TRUNCATED and report.checked == 0


async def test_rewriting_rows_with_the_public_digest_is_found(settings: Settings,
                                                              db: Database) -> None:
    """The attacker edits a row and recomputes every hash after it, as they could with an
    unkeyed chain; without the key their MACs cannot match."""
    audit = sealed(settings, db)
    events = await write(audit, 5)
    async with db.sessions() as session, session.begin():
        rows = (await session.scalars(select(AuditEvent).order_by(AuditEvent.seq))).all()
        prev = rows[1].entry_hash
        for row in rows[2:]:
            target = "someone-else" if row.id == events[2].id else row.target
            forged = hashlib.sha256(json.dumps([row.seq, prev, target]).encode()).hexdigest()
            row.target, row.prev_hash, row.entry_hash = target, prev, forged
            prev = forged
    report = await audit.verify()
    assert report.problem is Problem.ALTERED and report.first_bad_id == events[2].id


async def test_a_chain_rebuilt_under_another_key_is_found(settings: Settings,
                                                          db: Database) -> None:
    """Even a whole chain made consistent under a guessed key does not verify, and the
    anchor shows the entry it recorded is gone."""
    audit = sealed(settings, db)
    await write(audit, 3)
    forger = AuditLog(db, AuditSeal(b"guessed-key-guessed-key-guessed!!", [MemoryAnchor()]))
    async with db.sessions() as session, session.begin():
        await session.execute(delete(AuditEvent))
    await write(forger, 3)
    report = await audit.verify()
    assert report.problem is Problem.ALTERED


async def test_moving_rows_is_found(settings: Settings, db: Database) -> None:
    audit = sealed(settings, db)
    events = await write(audit, 4)
    async with db.sessions() as session, session.begin():  # swap positions 2 and 3
        await session.execute(update(AuditEvent).where(AuditEvent.id == events[1].id)
                              .values(seq=-2))
        await session.execute(update(AuditEvent).where(AuditEvent.id == events[2].id)
                              .values(seq=2))
        await session.execute(update(AuditEvent).where(AuditEvent.id == events[1].id)
                              .values(seq=3))
    report = await audit.verify()
    assert report.problem is Problem.BROKEN_LINK and report.first_bad_id == events[1].id


async def test_deleting_a_middle_entry_is_found(settings: Settings, db: Database) -> None:
    audit = sealed(settings, db)
    events = await write(audit, 4)
    async with db.sessions() as session, session.begin():
        await session.execute(delete(AuditEvent).where(AuditEvent.id == events[1].id))
    report = await audit.verify()
    assert report.problem is Problem.BROKEN_LINK and report.first_bad_id == events[2].id


async def test_a_missing_anchor_is_reported(settings: Settings, db: Database) -> None:
    audit = sealed(settings, db)
    await write(audit, 2)
    Path(settings.audit.anchor_file).unlink()
    assert (await audit.verify()).problem is Problem.ANCHOR_MISSING


async def test_ids_of_deleted_entries_are_never_reused(settings: Settings,
                                                       db: Database) -> None:
    audit = sealed(settings, db)
    events = await write(audit, 3)
    async with db.sessions() as session, session.begin():
        await session.execute(delete(AuditEvent).where(AuditEvent.id == events[-1].id))
    [after] = await write(AuditLog(db, AuditSeal.ephemeral()), 1)
    assert after.id > events[-1].id


async def test_concurrent_writers_keep_one_chain_and_the_anchor_at_its_tail(
        settings: Settings, db: Database) -> None:
    """Two logs on one database and anchor file stand for two processes: their appends
    interleave, the chain stays linear and the anchor never moves backwards."""
    first, second = sealed(settings, db), sealed(settings, db)
    await asyncio.gather(write(first, 8), write(second, 8, start=100))
    report = await first.verify()
    assert report.intact and report.checked == 16
    async with db.sessions() as session:
        assert await session.scalar(select(func.max(AuditEvent.seq))) == 16
    assert (await FileAnchor(Path(settings.audit.anchor_file)).read()).seq == 16


async def test_the_redis_anchor_catches_a_rolled_back_anchor_file(settings: Settings,
                                                                 db: Database) -> None:
    if not settings.redis.url:
        return  # the embedded default has no Redis; the file anchor is tested above
    from redis.asyncio import Redis

    redis = Redis.from_url(settings.redis.url)
    try:
        anchor = RedisAnchor(redis, f"{settings.redis.key_prefix}:audit-anchor")
        audit = sealed(settings, db, anchor)
        await write(audit, 2)
        saved = Path(settings.audit.anchor_file).read_bytes()
        events = await write(audit, 2, start=2)
        assert await anchor.read() == Head(seq=4, mac=events[-1].entry_hash)
        async with db.sessions() as session, session.begin():
            await session.execute(delete(AuditEvent).where(AuditEvent.seq > 2))
        Path(settings.audit.anchor_file).write_bytes(saved)  # file rolled back too
        report = await audit.verify()
        assert report.problem is Problem.TRUNCATED and "redis" in report.explanation
    finally:
        await redis.aclose()


def test_entry_macs_depend_on_the_key_and_the_position() -> None:
    from datetime import UTC, datetime

    at = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    fields = dict(prev_mac="0" * 64, at=at, actor_id=1, actor="a", action="view.start",
                  target="t", detail={})
    base = entry_mac(b"k" * 32, seq=1, **fields)
    assert base == entry_mac(b"k" * 32, seq=1, **fields)
    assert base != entry_mac(b"j" * 32, seq=1, **fields)
    assert base != entry_mac(b"k" * 32, seq=2, **fields)
