"""Writing and verifying the sealed, hash-chained audit log (调阅追溯).

Appends are serialised (one asyncio lock per process and a transaction-scoped advisory
lock on PostgreSQL across processes) so the chain stays linear; each entry's MAC is made
with the seal's key (`bff.audit.seal`) and, once committed, the chain's head is written to
the seal's anchors outside the database.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bff.audit.models import AuditEvent
from bff.audit.seal import GENESIS_MAC, AuditSeal, Head, entry_mac
from bff.lib.db import Database, utcnow

log = logging.getLogger(__name__)

_APPEND_ATTEMPTS = 20


class AuditAction(StrEnum):
    """Names of audited actions (one vocabulary for writers and readers); the value is
    what the log stores."""

    SIGN_IN = "auth.sign_in"
    SIGN_IN_FAILED = "auth.sign_in_failed"
    SIGN_OUT = "auth.sign_out"
    ACCOUNT_UNLOCK = "auth.unlock"
    VIEW_START = "view.start"
    VIEW_STOP = "view.stop"
    VIEW_DENIED = "view.denied"
    PTZ_MOVE = "ptz.move"
    PTZ_STOP = "ptz.stop"
    PTZ_AUTO_STOP = "ptz.auto_stop"
    """The server stopped a move no stop followed (phone gone) or at shutdown."""
    PTZ_DENIED = "ptz.denied"
    CATALOG_IMPORT = "catalog.import"
    CATALOG_SYNC = "catalog.sync"
    USER_CREATE = "user.create"
    DEMO_SEED = "demo.seed"
    ALERT_INGEST = "alert.ingest"
    """An event from the analysis platform was accepted (not its duplicates)."""
    ALERT_ACKNOWLEDGE = "alert.acknowledge"
    ALERT_RESOLVE = "alert.resolve"
    SHARE_REQUEST = "share.request"
    """A share request was filed (its parts follow as auto_grant, refuse or pending)."""
    SHARE_AUTO_GRANT = "share.auto_grant"
    """无条件共享 cameras granted at once."""
    SHARE_REFUSE = "share.refuse"
    """不予共享 cameras refused at once."""
    SHARE_APPROVE = "share.approve"
    SHARE_REJECT = "share.reject"
    SHARE_ESCALATE = "share.escalate"
    """A part passed its deadline undecided and went to the platform admin."""
    GRANT_REVOKE = "grant.revoke"
    GRANT_EXPIRE = "grant.expire"
    ALERT_VIEW = "alert.view"
    ALERT_ROUTE_UPDATE = "alert.route_update"
    """An administrator changed which departments receive a type (before/after)."""
    ALERT_TYPE_ADD = "alert.type_add"
    ALERT_MUTES_UPDATE = "alert.mutes_update"
    """A user changed the alert types they mute."""
    ALERT_ESCALATE = "alert.escalate"
    """An alert nobody acknowledged in time went again to its recipients and supervisors."""
    PUSH_SUBSCRIBE = "push.subscribe"
    PUSH_UNSUBSCRIBE = "push.unsubscribe"
    PUSH_PRUNE = "push.prune"
    """The push service said a subscription is gone (404/410): it was deleted."""
    PLAYBACK_START = "playback.start"
    PLAYBACK_STOP = "playback.stop"
    PLAYBACK_SEEK = "playback.seek"
    PLAYBACK_DENIED = "playback.denied"
    CLIP_REQUEST = "clip.request"
    CLIP_DOWNLOAD = "clip.download"
    CLIP_DENIED = "clip.denied"


class Problem(StrEnum):
    """What verification found wrong, as `bff audit verify` names it."""

    ALTERED = "altered"  # an entry's content or MAC does not match (edited, re-hashed)
    BROKEN_LINK = "broken_link"  # an entry does not follow the one before (deleted, moved)
    TRUNCATED = "truncated"  # the table ends before its anchor: newest entries deleted
    DIVERGED = "diverged"  # the entry at the anchor's position is not the anchored one
    ANCHOR_MISSING = "anchor_missing"  # entries but no anchor where the settings say


@dataclass(frozen=True)
class ChainReport:
    """Outcome of verifying the chain; `problem` is None when it is intact."""

    checked: int
    problem: Problem | None = None
    first_bad_id: int | None = None
    explanation: str = ""

    @property
    def intact(self) -> bool:
        return self.problem is None


class AuditLog:
    """Appends audit entries and verifies the chain against its seal."""

    _PG_LOCK_KEY = 0x61756469  # "audi"

    def __init__(self, database: Database, seal: AuditSeal | None = None) -> None:
        self._database = database
        self._seal = seal or AuditSeal.ephemeral()
        self._lock = asyncio.Lock()

    async def record(self, action: AuditAction, *, actor_id: int | None, actor: str,
                     target: str = "", detail: dict[str, Any] | None = None) -> AuditEvent:
        """Append one entry in its own transaction, anchor it, and return it."""
        async with self._lock:
            for attempt in range(1, _APPEND_ATTEMPTS + 1):
                try:
                    async with self._database.sessions() as session, session.begin():
                        event = await self._append(session, action, actor_id, actor, target,
                                                   detail or {})
                    break
                except IntegrityError:
                    # Another process (SQLite has no advisory lock: the CLI beside the
                    # server) took this position first; read the new tail and try again.
                    if attempt == _APPEND_ATTEMPTS:
                        raise
                    await asyncio.sleep(0.005 * attempt)
            await self._seal.advance(Head(seq=event.seq, mac=event.entry_hash))
        return event

    async def _append(self, session: AsyncSession, action: AuditAction, actor_id: int | None,
                      actor: str, target: str, detail: dict[str, Any]) -> AuditEvent:
        if session.bind.dialect.name == "postgresql":  # type: ignore[union-attr]
            await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": self._PG_LOCK_KEY})
        tail = (await session.execute(
            select(AuditEvent.seq, AuditEvent.entry_hash).order_by(AuditEvent.seq.desc()).limit(1)
        )).first()
        seq, prev_mac = (tail[0] + 1, tail[1]) if tail else (1, GENESIS_MAC)
        at = utcnow()
        event = AuditEvent(
            seq=seq, at=at, actor_id=actor_id, actor=actor, action=action, target=target,
            detail=detail, prev_hash=prev_mac,
            entry_hash=entry_mac(self._seal.key, seq=seq, prev_mac=prev_mac, at=at,
                                 actor_id=actor_id, actor=actor, action=action, target=target,
                                 detail=detail),
        )
        session.add(event)
        await session.flush()
        return event

    async def verify(self, batch: int = 5_000) -> ChainReport:
        """Walk the chain in order and compare its end with the anchors."""
        checked, prev_mac, last_seq, last_id = 0, GENESIS_MAC, 0, 0
        async with self._database.sessions() as session:
            while True:
                rows = (await session.scalars(
                    select(AuditEvent).where(AuditEvent.id > last_id)
                    .order_by(AuditEvent.id).limit(batch)
                )).all()
                if not rows:
                    break
                for row in rows:
                    if row.seq != last_seq + 1 or row.prev_hash != prev_mac:
                        return ChainReport(
                            checked, Problem.BROKEN_LINK, row.id,
                            f"entry id={row.id} (position {row.seq}) does not follow position "
                            f"{last_seq}: entries were deleted or moved")
                    expected = entry_mac(self._seal.key, seq=row.seq, prev_mac=prev_mac,
                                         at=row.at, actor_id=row.actor_id, actor=row.actor,
                                         action=row.action, target=row.target, detail=row.detail)
                    if row.entry_hash != expected:
                        return ChainReport(
                            checked, Problem.ALTERED, row.id,
                            f"entry id={row.id} (position {row.seq}) was altered: its MAC does "
                            "not match its content under the audit key")
                    prev_mac, last_seq, last_id, checked = row.entry_hash, row.seq, row.id, checked + 1
        return await self._compare_anchors(checked, Head(seq=last_seq, mac=prev_mac))

    async def _compare_anchors(self, checked: int, tail: Head) -> ChainReport:
        for anchor in self._seal.anchors:
            head = await anchor.read()
            if head is None:
                if anchor is self._seal.required and tail.seq > 0:
                    return ChainReport(checked, Problem.ANCHOR_MISSING, None,
                                       f"the table holds {tail.seq} entries but the {anchor.name}"
                                       " anchor is missing (deleted, or another key/anchor path)")
                continue
            if head.seq > tail.seq:
                return ChainReport(checked, Problem.TRUNCATED, None,
                                   f"the {anchor.name} anchor records {head.seq} entries but the "
                                   f"table ends at {tail.seq}: the newest entries were deleted")
            mac_at_head = tail.mac if head.seq == tail.seq else await self._mac_at(head.seq)
            if head.seq > 0 and mac_at_head != head.mac:
                return ChainReport(checked, Problem.DIVERGED, None,
                                   f"entry {head.seq} is not the one the {anchor.name} anchor "
                                   "recorded: the chain was rewritten")
        return ChainReport(checked)

    async def _mac_at(self, seq: int) -> str | None:
        async with self._database.sessions() as session:
            return await session.scalar(select(AuditEvent.entry_hash)
                                        .where(AuditEvent.seq == seq))
