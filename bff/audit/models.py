"""The append-only, hash-chained audit log (调阅追溯)."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bff.lib.db import Base


class AuditEvent(Base):
    """One audited action. `entry_hash` = SHA-256 over the previous entry's hash and this
    entry's canonical content, so editing or deleting any row breaks the chain."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_action_at", "action", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTimeUTC())
    actor_id: Mapped[int | None]
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
