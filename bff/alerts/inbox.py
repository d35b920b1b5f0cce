"""Reading and advancing a user's alerts (预警收件箱). Every query starts from the user's
`alert_recipient` rows: an alert not routed to the user does not exist for them (404)."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, defer

from bff.alerts.errors import AlertNotFound, AlertStateConflict, SnapshotNotFound
from bff.alerts.models import Alert, AlertRecipient, AlertState
from bff.alerts.schemas import AlertItem, AlertQuery
from bff.auth.models import User
from bff.lib.db import utcnow

_ACKNOWLEDGER = aliased(User)
_RESOLVER = aliased(User)

# A state may be reached only from these (states move forward only).
_REACHABLE_FROM: dict[AlertState, tuple[str, ...]] = {
    AlertState.ACKNOWLEDGED: (AlertState.NEW.value,),
    AlertState.RESOLVED: (AlertState.NEW.value, AlertState.ACKNOWLEDGED.value),
}


class CameraNames(Protocol):
    """Where camera names come from (the in-memory catalogue)."""

    def get(self, device_id: str) -> Any: ...


def _routed_to(user_id: int) -> ColumnElement[bool]:
    """Join condition: the alert was routed to this user."""
    return (AlertRecipient.alert_id == Alert.id) & (AlertRecipient.user_id == user_id)


def _items_query(user_id: int) -> Select[Any]:
    return (select(Alert, AlertRecipient.read_at, _ACKNOWLEDGER.display_name,
                   _RESOLVER.display_name, Alert.snapshot.is_not(None))
            .join(AlertRecipient, _routed_to(user_id))
            .outerjoin(_ACKNOWLEDGER, _ACKNOWLEDGER.id == Alert.acknowledged_by)
            .outerjoin(_RESOLVER, _RESOLVER.id == Alert.resolved_by)
            # The list never needs the pictures: only whether there is one.
            .options(defer(Alert.snapshot))
            # Read after `advance` in the same session: its UPDATE bypassed the identity map.
            .execution_options(populate_existing=True))


def _item(row: Any, catalog: CameraNames) -> AlertItem:
    alert, read_at, acknowledged_by, resolved_by, has_snapshot = row
    camera = catalog.get(alert.device_id)
    return AlertItem(
        id=alert.id, type=alert.type, device_id=alert.device_id,
        camera_name=camera.name if camera is not None else "",
        occurred_at=alert.occurred_at, received_at=alert.received_at, state=alert.state,
        confidence=alert.confidence, detail=alert.detail, has_snapshot=bool(has_snapshot),
        acknowledged_by=acknowledged_by, acknowledged_at=alert.acknowledged_at,
        resolved_by=resolved_by, resolved_at=alert.resolved_at,
        resolution_note=alert.resolution_note, unread=read_at is None)


async def list_alerts(db: AsyncSession, catalog: CameraNames, user_id: int,
                      query: AlertQuery) -> list[AlertItem]:
    """The user's alerts, newest occurrence first, filtered by state and type."""
    statement = _items_query(user_id)
    if query.state is not None:
        statement = statement.where(Alert.state == query.state.value)
    if query.type is not None:
        statement = statement.where(Alert.type == query.type)
    statement = statement.order_by(Alert.occurred_at.desc(), Alert.id.desc()).limit(query.limit)
    return [_item(row, catalog) for row in (await db.execute(statement)).all()]


async def one_alert(db: AsyncSession, catalog: CameraNames, user_id: int,
                    alert_id: int) -> AlertItem:
    """One of the user's alerts; AlertNotFound when it was not routed to them."""
    row = (await db.execute(_items_query(user_id).where(Alert.id == alert_id))).first()
    if row is None:
        raise AlertNotFound(str(alert_id))
    return _item(row, catalog)


async def snapshot(db: AsyncSession, user_id: int, alert_id: int) -> bytes:
    """The JPEG of one of the user's alerts."""
    row = (await db.execute(
        select(Alert.snapshot).join(AlertRecipient, _routed_to(user_id))
        .where(Alert.id == alert_id))).first()
    if row is None:
        raise AlertNotFound(str(alert_id))
    if row[0] is None:
        raise SnapshotNotFound(str(alert_id))
    return bytes(row[0])


async def advance(db: AsyncSession, user_id: int, alert_id: int, target: AlertState,
                  note: str | None = None) -> Alert:
    """Move one of the user's alerts to `target` and mark it read for them; raises
    AlertNotFound, or AlertStateConflict when it is already there or further. The update
    is conditional on the current state, so two people pressing at once cannot both win."""
    alert = (await db.execute(
        select(Alert).options(defer(Alert.snapshot))
        .join(AlertRecipient, _routed_to(user_id))
        .where(Alert.id == alert_id))).scalar_one_or_none()
    if alert is None:
        raise AlertNotFound(str(alert_id))
    now = utcnow()
    values: dict[str, Any] = {"state": target.value}
    if target is AlertState.ACKNOWLEDGED:
        values.update(acknowledged_by=user_id, acknowledged_at=now)
    else:
        values.update(resolved_by=user_id, resolved_at=now, resolution_note=note)
    changed = await db.execute(
        update(Alert).where(Alert.id == alert_id, Alert.state.in_(_REACHABLE_FROM[target]))
        .values(**values).execution_options(synchronize_session=False))
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        await db.refresh(alert, ["state"])
        raise AlertStateConflict(alert.state)
    await db.execute(
        update(AlertRecipient)
        .where(AlertRecipient.alert_id == alert_id, AlertRecipient.user_id == user_id,
               AlertRecipient.read_at.is_(None))
        .values(read_at=now).execution_options(synchronize_session=False))
    return alert


async def mark_read(db: AsyncSession, user_id: int, alert_id: int) -> bool:
    """Mark one of the user's alerts read (opened); True when it was unread until now.
    AlertNotFound when it was not routed to them."""
    changed = await db.execute(
        update(AlertRecipient)
        .where(AlertRecipient.alert_id == alert_id, AlertRecipient.user_id == user_id,
               AlertRecipient.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False))
    if changed.rowcount == 1:  # type: ignore[attr-defined]
        return True
    routed = (await db.execute(
        select(AlertRecipient.alert_id).where(AlertRecipient.alert_id == alert_id,
                                              AlertRecipient.user_id == user_id))).first()
    if routed is None:
        raise AlertNotFound(str(alert_id))
    return False


async def unread_count(db: AsyncSession, user_id: int) -> int:
    """How many of the user's alerts are unread."""
    return int((await db.execute(
        select(func.count()).select_from(AlertRecipient)
        .where(AlertRecipient.user_id == user_id, AlertRecipient.read_at.is_(None))
    )).scalar_one())


async def recipient_ids(db: AsyncSession, alert_id: int) -> list[int]:
    """Everyone the alert was routed to (whose open pages hear of its changes)."""
    return list((await db.execute(
        select(AlertRecipient.user_id).where(AlertRecipient.alert_id == alert_id)
        .order_by(AlertRecipient.user_id))).scalars())
