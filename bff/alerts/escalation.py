"""Escalation (超时升级): an alert nobody acknowledged within `escalate_minutes` of its
arrival goes again to its recipients and now also to their departments' supervisors.

Each due alert escalates in one transaction: a conditional update sets `escalated_at`
only while it is still unset and the alert still new — of two processes looking at once,
one wins and the other changes nothing — then the approvers (`Role.APPROVER`) of the
recipients' departments whose region contains the camera become recipients, and an
`AlertOutbox` row of kind `escalation` tells the delivery workers to notify every
recipient. Mutes do not apply: an unanswered alert is what supervisors are there for.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bff.alerts.models import Alert, AlertOutbox, AlertRecipient, AlertState, OutboxKind
from bff.alerts.routing import RoutedCamera, in_region
from bff.audit.services import AuditAction, AuditLog
from bff.auth.models import Role, User
from bff.lib.db import Database, utcnow
from bff.lib.periodic import repeat_every

log = logging.getLogger(__name__)

ESCALATION_CHECK_S = 30.0
"""How often due alerts are looked for: an escalation is at most this late."""
_BATCH = 100


class CameraLookup(Protocol):
    """What escalation needs from the catalogue: a camera's region and owner."""

    def get(self, device_id: str) -> RoutedCamera | None: ...


class Escalator:
    """Finds alerts not acknowledged in time and escalates each once."""

    def __init__(self, database: Database, catalog: CameraLookup, audit: AuditLog,
                 escalate_after: timedelta) -> None:
        self._database = database
        self._catalog = catalog
        self._audit = audit
        self._after = escalate_after

    async def run(self, check_s: float = ESCALATION_CHECK_S) -> None:
        """Escalate what is due every `check_s` seconds until cancelled."""
        await repeat_every(check_s, self.escalate_due, "alert escalation", at_start=True)

    async def escalate_due(self, now: datetime | None = None) -> list[int]:
        """Escalate every alert due at `now`; the ids this process escalated."""
        cutoff = (now or utcnow()) - self._after
        async with self._database.sessions() as db:
            due = (await db.scalars(
                select(Alert.id).where(Alert.state == AlertState.NEW.value,
                                       Alert.escalated_at.is_(None),
                                       Alert.received_at <= cutoff)
                .order_by(Alert.id).limit(_BATCH))).all()
        escalated = []
        for alert_id in due:
            added = await self._escalate(alert_id, now or utcnow())
            if added is not None:
                escalated.append(alert_id)
        return escalated

    async def _escalate(self, alert_id: int, now: datetime) -> list[int] | None:
        """Escalate one alert; the supervisors added, None when another process (or an
        acknowledgement) got there first."""
        async with self._database.sessions() as db, db.begin():
            won = await db.execute(
                update(Alert).where(Alert.id == alert_id, Alert.escalated_at.is_(None),
                                    Alert.state == AlertState.NEW.value)
                .values(escalated_at=now).execution_options(synchronize_session=False))
            if won.rowcount != 1:  # type: ignore[attr-defined]
                return None
            alert_type, device_id = (await db.execute(
                select(Alert.type, Alert.device_id).where(Alert.id == alert_id))).one()
            added = await self._add_supervisors(db, alert_id, device_id)
            db.add(AlertOutbox(alert_id=alert_id, kind=OutboxKind.ESCALATION.value,
                               attempts=0))
        await self._audit.record(AuditAction.ALERT_ESCALATE, actor_id=None, actor="system",
                                 target=f"alert:{alert_id}",
                                 detail={"type": alert_type, "device_id": device_id,
                                         "after_minutes": self._after.total_seconds() / 60,
                                         "supervisors_added": added})
        log.info("alert %s escalated: not acknowledged in %s; %d supervisors added",
                 alert_id, self._after, len(added))
        return added

    async def _add_supervisors(self, db: AsyncSession, alert_id: int,
                               device_id: str) -> list[int]:
        recipients = set((await db.scalars(
            select(AlertRecipient.user_id).where(AlertRecipient.alert_id == alert_id))).all())
        departments = set((await db.scalars(
            select(User.dept_code).where(User.id.in_(recipients)))).all()) if recipients else set()
        camera = self._catalog.get(device_id)
        if not departments or camera is None:
            return []
        approvers = (await db.execute(
            select(User.id, User.region_prefix)
            .where(User.dept_code.in_(departments), User.role == Role.APPROVER.value,
                   User.is_active.is_(True))
            .order_by(User.id))).all()
        added = [user_id for user_id, region in approvers
                 if user_id not in recipients and in_region(camera.civil_code, region)]
        db.add_all([AlertRecipient(alert_id=alert_id, user_id=user_id) for user_id in added])
        return added
