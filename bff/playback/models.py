"""The clip table (录像下载): one row per requested watermarked MP4.

Rows carry the state and progress of the export, so any BFF process can answer where a
clip is; the file itself lives in `BFF_CLIP_DIR` until the row's `expires_at`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bff.lib.db import Base, utcnow


class ClipState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"
    EXPIRED = "expired"


class Clip(Base):
    """A watermarked export of a camera's recording for one user."""

    __tablename__ = "clip"
    __table_args__ = (Index("ix_clip_user_state", "user_id", "state"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int]
    device_id: Mapped[str] = mapped_column(String(32))
    start: Mapped[datetime] = mapped_column(DateTimeUTC())
    end: Mapped[datetime] = mapped_column(DateTimeUTC())
    state: Mapped[str] = mapped_column(String(16), default=ClipState.QUEUED)
    progress: Mapped[float] = mapped_column(default=0.0)
    size_bytes: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTimeUTC())
