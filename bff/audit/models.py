"""The append-only, hash-chained audit log (调阅追溯)."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bff.lib.db import Base


class AuditEvent(Base):
    """One audited action. `seq` is its position in the chain (1, 2, …); `entry_hash` is
    the HMAC under the audit key (`bff.audit.seal`) over `seq`, the previous entry's MAC
    and this entry's content, so editing, moving or deleting any row breaks the chain.
    Ids are never reused (AUTOINCREMENT on SQLite, a sequence on PostgreSQL)."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_action_at", "action", "at"),
                      Index("ix_audit_event_actor_at", "actor", "at"),
                      Index("ix_audit_event_target_at", "target", "at"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    at: Mapped[datetime] = mapped_column(DateTimeUTC())
    actor_id: Mapped[int | None]
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
