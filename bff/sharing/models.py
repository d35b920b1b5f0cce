"""Share request tables (共享申请): what was asked, each owning department's part of it,
the grants decided, and the in-app notices about them.

A request names cameras of possibly several departments; it is stored once
(`share_request`) and split into parts (`share_part`), one per owning department and
outcome (a department's 无条件共享 cameras are granted at once while its 有条件共享 ones
wait for its approvers). An approved or automatic part yields one `share_grant` — the
record people read (cameras, permissions, window, purpose, who decided) — and one
`camera_grant` row per camera, which is what the policy (`bff.auth`) reads.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bff.lib.db import Base, utcnow


class PartState(StrEnum):
    """Where one department's part of a request stands; only `pending` ever changes."""

    GRANTED = "granted"
    """无条件共享: granted at once, no one decided."""
    PENDING = "pending"
    """有条件共享: waiting for the owning department's approvers."""
    APPROVED = "approved"
    """An approver (or the platform admin) approved it, maybe narrower."""
    REJECTED = "rejected"
    """An approver (or the platform admin) rejected it, with a reason."""
    REFUSED = "refused"
    """不予共享: refused at once; only the platform admin negotiates exceptions."""


class ShareRequest(Base):
    """One user's request for cameras (共享申请), as asked."""

    __tablename__ = "share_request"
    __table_args__ = (Index("ix_share_request_requester", "requester_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    permissions: Mapped[list[int]] = mapped_column(JSON)
    starts_at: Mapped[datetime] = mapped_column(DateTimeUTC())
    ends_at: Mapped[datetime] = mapped_column(DateTimeUTC())
    purpose: Mapped[str] = mapped_column(String(500))
    case_no: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(), default=utcnow)


class SharePart(Base):
    """One owning department's share of a request, with its outcome."""

    __tablename__ = "share_part"
    __table_args__ = (Index("ix_share_part_dept_state", "dept_code", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("share_request.id", ondelete="CASCADE"),
                                            index=True)
    dept_code: Mapped[str] = mapped_column(ForeignKey("department.code"))
    device_ids: Mapped[list[str]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(500))
    """Why it was rejected (the approver's words) or refused (a reason code)."""
    deadline_at: Mapped[datetime | None] = mapped_column(DateTimeUTC())
    escalated_at: Mapped[datetime | None] = mapped_column(DateTimeUTC())
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTimeUTC())


class ShareGrant(Base):
    """What a part gave (授权记录): cameras, permissions, window, purpose, who decided
    (None = granted automatically), and its revocation."""

    __tablename__ = "share_grant"
    __table_args__ = (Index("ix_share_grant_user", "user_id", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("share_part.id", ondelete="CASCADE"),
                                         index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    dept_code: Mapped[str] = mapped_column(ForeignKey("department.code"))
    device_ids: Mapped[list[str]] = mapped_column(JSON)
    permissions: Mapped[list[int]] = mapped_column(JSON)
    starts_at: Mapped[datetime] = mapped_column(DateTimeUTC())
    ends_at: Mapped[datetime] = mapped_column(DateTimeUTC())
    purpose: Mapped[str] = mapped_column(String(500))
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC())
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str | None] = mapped_column(String(500))
    expiry_recorded_at: Mapped[datetime | None] = mapped_column(DateTimeUTC())
    """When the expiry was audited and announced (once, by whichever process saw it)."""


class ShareNotice(Base):
    """An in-app notice (站内通知) about a request: new for an approver, decided,
    escalated, revoked or expired for a requester. Unread ones make the badge."""

    __tablename__ = "share_notice"
    __table_args__ = (Index("ix_share_notice_user", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("share_request.id", ondelete="CASCADE"))
    grant_id: Mapped[int | None] = mapped_column(
        ForeignKey("share_grant.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTimeUTC())
