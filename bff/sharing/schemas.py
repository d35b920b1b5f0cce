"""Bodies of the sharing API: asking, deciding, revoking, and what the pages read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from bff.lib.schemas import Schema

DeviceId = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
RequestablePermission = Annotated[int, msgspec.Meta(ge=1, le=4)]
"""1 live (实时调阅), 2 playback (录像回放), 3 download (录像下载), 4 PTZ (云台控制)."""
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
"""An ISO 8601 time with its offset ("2026-12-04T20:00:00+08:00")."""
MAX_CAMERAS_PER_REQUEST = 200

GrantState = Literal["scheduled", "active", "expired", "revoked"]
PartStateName = Literal["granted", "pending", "approved", "rejected", "refused"]


class ShareRequestCreate(Schema, kw_only=True):
    """A request for cameras (共享申请). `starts_at` defaults to now; the window is at most
    `BFF_GRANT_MAX_DAYS` days."""

    device_ids: Annotated[list[DeviceId],
                          msgspec.Meta(min_length=1, max_length=MAX_CAMERAS_PER_REQUEST)]
    permissions: Annotated[list[RequestablePermission], msgspec.Meta(min_length=1, max_length=4)]
    ends_at: AwareDatetime
    purpose: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    """Why the cameras are needed (申请事由), required."""
    starts_at: AwareDatetime | None = None
    case_no: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    """Case or incident number (案件/警情编号), optional."""


class ShareDecisionCreate(Schema, kw_only=True):
    """An approver's decision on the parts of a request they may decide: approve (maybe
    narrower: fewer cameras, fewer permissions, an earlier end) or reject with a reason.
    `part_id` picks one part when the user may decide several (the platform admin)."""

    decision: Literal["approve", "reject"]
    device_ids: Annotated[list[DeviceId],
                          msgspec.Meta(min_length=1, max_length=MAX_CAMERAS_PER_REQUEST)] | None = None
    permissions: Annotated[list[RequestablePermission],
                           msgspec.Meta(min_length=1, max_length=4)] | None = None
    ends_at: AwareDatetime | None = None
    reason: Annotated[str, msgspec.Meta(max_length=500)] | None = None
    part_id: int | None = None


class GrantRevokeCreate(Schema, kw_only=True):
    """Why a grant is revoked (required; the requester reads it)."""

    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class ListQuery(Schema, kw_only=True):
    """`role=mine`: what I asked for / hold; `role=approver`: what I may decide / revoke."""

    role: Literal["mine", "approver"] = "mine"


class PersonOut(Schema, kw_only=True):
    """Who asked or decided, as an approver needs to see them."""

    id: int
    display_name: str
    staff_no: str
    dept_code: str
    dept_name: str


class CameraOut(Schema, kw_only=True):
    """A requested camera (name and place for the list, position for the map)."""

    device_id: str
    name: str
    address: str
    latitude: float
    longitude: float
    share_attr: int


class GrantOut(Schema, kw_only=True):
    """A grant (授权): cameras, permissions, window, purpose, request, who decided."""

    id: int
    request_id: int
    part_id: int
    user: PersonOut
    dept_code: str
    dept_name: str
    cameras: list[CameraOut]
    permissions: list[int]
    starts_at: datetime
    ends_at: datetime
    purpose: str
    decided_by: str | None
    """Display name of the approver; None = granted automatically (无条件共享)."""
    state: GrantState
    revoked_at: datetime | None = None
    revoke_reason: str | None = None


class SharePartOut(Schema, kw_only=True):
    """One owning department's part of a request and its outcome."""

    id: int
    dept_code: str
    dept_name: str
    state: PartStateName
    cameras: list[CameraOut]
    reason: str | None
    """Why rejected (the approver's words) or refused (with how to ask 市视频办)."""
    deadline_at: datetime | None
    escalated: bool
    decided_by: str | None
    decided_at: datetime | None
    grant: GrantOut | None


class ShareRequestOut(Schema, kw_only=True):
    """A request with its parts (201 after asking; the lists; after a decision)."""

    id: int
    requester: PersonOut
    permissions: list[int]
    starts_at: datetime
    ends_at: datetime
    purpose: str
    case_no: str | None
    created_at: datetime
    parts: list[SharePartOut]


class NoticeOut(Schema, kw_only=True):
    """An in-app notice (站内通知)."""

    id: int
    kind: str
    text: str
    request_id: int | None
    grant_id: int | None
    created_at: datetime
    read: bool


class BadgeOut(Schema, kw_only=True):
    """What the top bar's badge counts: unread notices and parts waiting for me."""

    unread: int
    to_decide: int
