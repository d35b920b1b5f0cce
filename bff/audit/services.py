"""Writing and verifying the hash-chained audit log."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bff.audit.models import AuditEvent
from bff.lib.db import Database, utcnow

log = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64


class AuditAction(StrEnum):
    """Names of audited actions (one vocabulary for writers and readers); the value is
    what the log stores."""

    SIGN_IN = "auth.sign_in"
    SIGN_IN_FAILED = "auth.sign_in_failed"
    SIGN_OUT = "auth.sign_out"
    VIEW_START = "view.start"
    VIEW_STOP = "view.stop"
    VIEW_DENIED = "view.denied"
    PTZ_MOVE = "ptz.move"
    PTZ_STOP = "ptz.stop"
    PTZ_AUTO_STOP = "ptz.auto_stop"
    """The server stopped a move no stop followed (phone gone) or at shutdown."""
    PTZ_DENIED = "ptz.denied"
    CATALOG_IMPORT = "catalog.import"
    ALERT_INGEST = "alert.ingest"
    """An event from the analysis platform was accepted (not its duplicates)."""
    ALERT_ACKNOWLEDGE = "alert.acknowledge"
    ALERT_RESOLVE = "alert.resolve"
    PLAYBACK_START = "playback.start"
    PLAYBACK_STOP = "playback.stop"
    PLAYBACK_SEEK = "playback.seek"
    PLAYBACK_DENIED = "playback.denied"
    CLIP_REQUEST = "clip.request"
    CLIP_DOWNLOAD = "clip.download"
    CLIP_DENIED = "clip.denied"


def entry_digest(prev_hash: str, at: datetime, actor_id: int | None, actor: str, action: str,
                 target: str, detail: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the entry's canonical JSON."""
    canonical = json.dumps(
        [prev_hash, at.isoformat(timespec="microseconds"), actor_id, actor, action, target, detail],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """Outcome of verifying the chain: `first_bad_id` is None when it is intact."""

    checked: int
    first_bad_id: int | None

    @property
    def intact(self) -> bool:
        return self.first_bad_id is None


class AuditLog:
    """Appends audit entries. Appends are serialised (one asyncio lock per process and a
    transaction-scoped advisory lock on PostgreSQL across processes) so the chain stays
    linear."""

    _PG_LOCK_KEY = 0x61756469  # "audi"

    def __init__(self, database: Database) -> None:
        self._database = database
        self._lock = asyncio.Lock()

    async def record(self, action: AuditAction, *, actor_id: int | None, actor: str,
                     target: str = "", detail: dict[str, Any] | None = None) -> AuditEvent:
        """Append one entry in its own transaction and return it."""
        async with self._lock, self._database.sessions() as session, session.begin():
            return await self._append(session, action, actor_id, actor, target, detail or {})

    async def _append(self, session: AsyncSession, action: AuditAction, actor_id: int | None,
                      actor: str, target: str, detail: dict[str, Any]) -> AuditEvent:
        if session.bind.dialect.name == "postgresql":  # type: ignore[union-attr]
            await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": self._PG_LOCK_KEY})
        prev = await session.scalar(
            select(AuditEvent.entry_hash).order_by(AuditEvent.id.desc()).limit(1)
        )
        prev_hash = prev or GENESIS_HASH
        at = utcnow()
        event = AuditEvent(
            at=at, actor_id=actor_id, actor=actor, action=action, target=target, detail=detail,
            prev_hash=prev_hash,
            entry_hash=entry_digest(prev_hash, at, actor_id, actor, action, target, detail),
        )
        session.add(event)
        await session.flush()
        return event

    async def verify(self, batch: int = 5_000) -> ChainReport:
        """Walk the chain in id order and report the first entry that does not match."""
        checked, prev_hash, last_id = 0, GENESIS_HASH, 0
        async with self._database.sessions() as session:
            while True:
                rows = (await session.scalars(
                    select(AuditEvent).where(AuditEvent.id > last_id)
                    .order_by(AuditEvent.id).limit(batch)
                )).all()
                if not rows:
                    return ChainReport(checked=checked, first_bad_id=None)
                for row in rows:
                    expected = entry_digest(prev_hash, row.at, row.actor_id, row.actor,
                                            row.action, row.target, row.detail)
                    if row.prev_hash != prev_hash or row.entry_hash != expected:
                        return ChainReport(checked=checked, first_bad_id=row.id)
                    prev_hash, last_id, checked = row.entry_hash, row.id, checked + 1
