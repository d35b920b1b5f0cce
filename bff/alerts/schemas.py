"""Bodies and queries of the alerts API: the ingest contract and the user's alert list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from bff.alerts.models import AlertState, AlertType
from bff.alerts.snapshot import SNAPSHOT_MAX_BYTES
from bff.lib.schemas import Schema

ALERT_LIST_MAX = 100
NOTE_MAX_LENGTH = 500

EventId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
DeviceId = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{20}$")]
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
Confidence = Annotated[float, msgspec.Meta(ge=0, le=1)]
Snapshot = Annotated[bytes, msgspec.Meta(max_length=SNAPSHOT_MAX_BYTES)]
Note = Annotated[str, msgspec.Meta(max_length=NOTE_MAX_LENGTH)]


class AlertEvent(Schema, kw_only=True):
    """One event as the analysis platform posts it (README: Alert ingest).

    `snapshot_jpeg` is base64 in JSON (msgspec decodes it); its size limit applies to the
    decoded bytes, and the service checks that they are really a JPEG."""

    event_id: EventId
    type: AlertType
    device_id: DeviceId
    occurred_at: AwareDatetime
    confidence: Confidence | None = None
    snapshot_jpeg: Snapshot | None = None
    detail: Note | None = None


class IngestResult(Schema, kw_only=True):
    """The answer to an accepted event: 202 when new, 200 with `duplicate` when the same
    source already posted this `event_id`."""

    alert_id: int
    duplicate: bool


class AlertQuery(Schema, kw_only=True):
    """Filters of the user's alert list."""

    state: AlertState | None = None
    type: AlertType | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=ALERT_LIST_MAX)] = 50


class AlertItem(Schema, kw_only=True):
    """One alert in the user's list. `acknowledged_by` / `resolved_by` are display names."""

    id: int
    type: AlertType
    device_id: str
    camera_name: str
    occurred_at: datetime
    received_at: datetime
    state: AlertState
    confidence: float | None = None
    detail: str | None = None
    has_snapshot: bool = False
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    resolution_note: str | None = None
    unread: bool = True


class ResolveRequest(Schema, kw_only=True):
    """Resolve (处置完成) an alert with a note saying what was done."""

    note: Annotated[str, msgspec.Meta(min_length=1, max_length=NOTE_MAX_LENGTH)]
