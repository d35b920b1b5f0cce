"""Push tables: one row per subscribed device, and the VAPID key every process shares."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bff.lib.db import Base, utcnow


class PushSubscription(Base):
    """One browser on one device that agreed to receive notifications (a PushSubscription).

    The endpoint is unique: the same browser subscribing again (or another user signing
    in on it) replaces the row rather than adding a second one that would notify twice."""

    __tablename__ = "push_subscription"
    __table_args__ = (Index("ix_push_subscription_user", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    endpoint: Mapped[str] = mapped_column(String(1024), unique=True)
    p256dh: Mapped[str] = mapped_column(String(128))
    auth: Mapped[str] = mapped_column(String(64))
    device: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(), default=utcnow)
    last_success_at: Mapped[datetime | None] = mapped_column(DateTimeUTC())
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTimeUTC())
    failure_count: Mapped[int] = mapped_column(default=0)


class VapidKey(Base):
    """The generated VAPID signing key (only when BFF_VAPID_PRIVATE_KEY is not set): one
    row, written by whichever process starts first, read by all."""

    __tablename__ = "push_vapid_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    private_key: Mapped[str] = mapped_column(String(64))  # raw 32 bytes, base64url
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(), default=utcnow)
