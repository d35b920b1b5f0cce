"""Bodies and queries of the alerts API: the ingest contract and the user's alert list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from bff.alerts.models import AlertState
from bff.alerts.snapshot import SNAPSHOT_MAX_BYTES
from bff.alerts.types import Urgency
from bff.lib.schemas import Schema

ALERT_LIST_MAX = 100
NOTE_MAX_LENGTH = 500

EventId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
DeviceId = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{20}$")]
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
Confidence = Annotated[float, msgspec.Meta(ge=0, le=1)]
Snapshot = Annotated[bytes, msgspec.Meta(max_length=SNAPSHOT_MAX_BYTES)]
Note = Annotated[str, msgspec.Meta(max_length=NOTE_MAX_LENGTH)]
TypeCode = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
"""An alert type's code as posted; whether it is known is the type registry's answer."""


class AlertEvent(Schema, kw_only=True):
    """One event as the analysis platform posts it (README: Alert ingest).

    `snapshot_jpeg` is base64 in JSON (msgspec decodes it); its size limit applies to the
    decoded bytes, and the service checks that they are really a JPEG."""

    event_id: EventId
    type: TypeCode
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
    type: TypeCode | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=ALERT_LIST_MAX)] = 50


class AlertItem(Schema, kw_only=True):
    """One alert in the user's list. `acknowledged_by` / `resolved_by` are display names."""

    id: int
    type: str
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


# --- administration of types and routes, and the user's mutes ------------------------------

DeptCode = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{2}$")]
DeptCodes = Annotated[list[DeptCode], msgspec.Meta(max_length=40)]
NewTypeCode = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
TTL_MAX_S = 28 * 24 * 3600
"""Push services keep a message at most about four weeks (RFC 8030 lets them cap TTL)."""


class RouteUpdate(Schema, kw_only=True):
    """An administrator's routing of one type: the receiving departments, whether the
    camera's owning department receives it too, and the departments that must receive it
    (their users cannot mute it; a subset of `dept_codes`)."""

    dept_codes: DeptCodes
    to_owner: bool = False
    required_dept_codes: DeptCodes = msgspec.field(default_factory=list)


class NewAlertType(Schema, kw_only=True):
    """A type an administrator adds (code as sources will post it, lowercase letters,
    digits and `_`), with its labels, Web Push urgency and TTL, and its first routing."""

    code: NewTypeCode
    label_zh: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    label_en: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    urgency: Urgency = Urgency.NORMAL
    ttl_s: Annotated[int, msgspec.Meta(ge=60, le=TTL_MAX_S)] = 3600
    dept_codes: DeptCodes = msgspec.field(default_factory=list)
    to_owner: bool = False
    required_dept_codes: DeptCodes = msgspec.field(default_factory=list)


class RouteView(Schema, kw_only=True):
    """One type with its routing, as the admin page and `GET /api/admin/alert-routes`
    show it; `label` is in the reader's language."""

    type: str
    label: str
    builtin: bool
    urgency: Urgency
    ttl_s: int
    dept_codes: list[str]
    to_owner: bool
    required_dept_codes: list[str]


class MuteUpdate(Schema, kw_only=True):
    """The types the user mutes (the whole set: others are unmuted)."""

    muted: Annotated[list[TypeCode], msgspec.Meta(max_length=200)]


class MuteView(Schema, kw_only=True):
    """One type that may reach the user: muted or not, and whether their department is
    required to receive it (then it cannot be muted)."""

    type: str
    label: str
    muted: bool
    required: bool
