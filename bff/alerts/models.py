"""Alert tables (预警): the alerts, who receives them, the delivery outbox and the routes.

An accepted event writes its `alert` row, one `alert_recipient` row per routed user and one
`alert_outbox` row in a single transaction: whatever delivers alerts later (Web Push, the
live channel of open pages) reads the outbox, so nothing committed is lost to a crash.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from bff.lib.db import Base, utcnow


class AlertType(StrEnum):
    """Kinds of event the analysis platform reports (SPEC §4.4 alert-bearing places)."""

    FLOODING = "flooding"  # 易涝点积水
    KITCHEN_NO_HAT = "kitchen_no_hat"  # 明厨亮灶：未戴厨师帽
    KITCHEN_RODENT = "kitchen_rodent"  # 明厨亮灶：鼠患
    KITCHEN_GARBAGE = "kitchen_garbage"  # 明厨亮灶：垃圾满溢
    FOREST_FIRE = "forest_fire"  # 林火烟雾
    SMUGGLING_INTRUSION = "smuggling_intrusion"  # 反走私偷渡点位闯入
    CAMERA_OFFLINE = "camera_offline"  # 在线率预警：摄像机离线


class AlertState(StrEnum):
    """Where an alert is in its handling; it only moves forward."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"  # 已确认
    RESOLVED = "resolved"  # 处置完成


class Alert(Base):
    """One accepted event. (`source`, `event_id`) is unique: a repeated post of the same
    event is recognised as a duplicate and stored once."""

    __tablename__ = "alert"
    __table_args__ = (
        UniqueConstraint("source", "event_id", name="uq_alert_source_event"),
        Index("ix_alert_device_occurred", "device_id", "occurred_at"),
        # Escalation looks for new, not yet escalated alerts received before a cutoff.
        Index("ix_alert_escalation_due", "state", "escalated_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(40))
    device_id: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(DateTimeUTC())
    received_at: Mapped[datetime] = mapped_column(DateTimeUTC(), default=utcnow)
    confidence: Mapped[float | None]
    detail: Mapped[str | None] = mapped_column(String(500))
    snapshot: Mapped[bytes | None] = mapped_column(LargeBinary())
    state: Mapped[str] = mapped_column(String(16), default=AlertState.NEW)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTimeUTC())
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTimeUTC())
    resolution_note: Mapped[str | None] = mapped_column(String(500))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTimeUTC())


class AlertRecipient(Base):
    """One user an alert was routed to; only recipients see the alert. `read_at` is set
    when the user opens the alert or acts on it."""

    __tablename__ = "alert_recipient"
    __table_args__ = (Index("ix_alert_recipient_user", "user_id", "alert_id"),)

    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"),
                                          primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"),
                                         primary_key=True)
    read_at: Mapped[datetime | None] = mapped_column(DateTimeUTC())


class OutboxKind(StrEnum):
    NEW = "new"  # tell the recipients of a newly accepted alert
    ESCALATION = "escalation"  # not acknowledged in time: tell the recipients again


class AlertOutbox(Base):
    """Delivery work for one alert, written in the same transaction as what caused it.

    A delivery worker claims a row by setting `claimed_by`/`claimed_until`, so two
    processes never send the same work at once, counts `attempts`, and sets
    `delivered_at` when done; an expired claim is taken over, so delivery survives a
    crash."""

    __tablename__ = "alert_outbox"
    __table_args__ = (Index("ix_alert_outbox_pending", "delivered_at", "claimed_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default=OutboxKind.NEW,
                                      server_default=OutboxKind.NEW.value)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(), default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTimeUTC())
    delivered_at: Mapped[datetime | None] = mapped_column(DateTimeUTC())
    attempts: Mapped[int] = mapped_column(default=0)


class AlertRoute(Base):
    """Which departments receive an alert type (预警分发规则); `to_owner` adds the
    department that owns the camera (camera_offline goes to the camera's owner).
    `required_dept_codes` are the departments whose users cannot mute the type (必收)."""

    __tablename__ = "alert_route"

    type: Mapped[str] = mapped_column(String(40), primary_key=True)
    dept_codes: Mapped[list[str]] = mapped_column(JSON)
    to_owner: Mapped[bool] = mapped_column(default=False)
    required_dept_codes: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default=text("'[]'"))


class AddedAlertType(Base):
    """An alert type an administrator added (the built-ins live in code, `types.py`):
    its code as sources post it, its labels, Web Push urgency and TTL, and who added it."""

    __tablename__ = "alert_type"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label_zh: Mapped[str] = mapped_column(String(40))
    label_en: Mapped[str] = mapped_column(String(60))
    urgency: Mapped[str] = mapped_column(String(16))
    ttl_s: Mapped[int]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(), default=utcnow)


class AlertMute(Base):
    """A user does not want alerts of this type (免打扰); routing skips them unless their
    department is required to receive it."""

    __tablename__ = "alert_mute"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"),
                                         primary_key=True)
    type: Mapped[str] = mapped_column(String(40), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(), default=utcnow)


class AlertDelivery(Base):
    """One device served for one piece of outbox work: a round retried after a crash or a
    partial failure skips the devices already reached."""

    __tablename__ = "alert_delivery"

    outbox_id: Mapped[int] = mapped_column(ForeignKey("alert_outbox.id", ondelete="CASCADE"),
                                           primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("push_subscription.id", ondelete="CASCADE"), primary_key=True)
    delivered_at: Mapped[datetime] = mapped_column(DateTimeUTC(), default=utcnow)
