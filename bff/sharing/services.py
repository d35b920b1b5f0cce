"""Share requests and grants (共享申请、审批与授权, SPEC §2.5, plan §4.3.4).

Asking: a request names cameras inside the requester's region and is split by owning
department and by each camera's sharing attribute — 无条件共享 cameras are granted at
once, 有条件共享 ones wait for the owning department's approvers until a deadline, 不予共享
ones are refused with the way to ask the platform administrator (市视频办).

Deciding: only approvers of the owning department or a platform admin decide; a decision
is final. It is one conditional update (`state = 'pending'` in the WHERE clause) in the
transaction that writes the grant, so of two approvers deciding at once exactly one
changes the row and the other is told who decided (409).

Grants: a part that is granted or approved writes one `share_grant` and one
`camera_grant` row per camera (what `bff.auth` reads), with the window's start and end:
the policy honours both on every request. Revoking marks both; expiry needs no write for
the policy but is audited and announced once (`sweep`). Either way the live streams and
PTZ moves that depended on the grant are ended through `on_access_lost`.

Every step is audited in the hash-chained log and leaves in-app notices; further channels
hear of them through `Notifier`s.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bff.audit.services import AuditAction, AuditLog
from bff.auth.departments import DEPARTMENTS
from bff.auth.models import Department, Grant, Role, User
from bff.auth.policy import AccessScope, may_administer, may_use
from bff.auth.schemas import SignedInUser
from bff.catalog.schemas import CameraRecord
from bff.catalog.services import CatalogService
from bff.lib.db import Database, utcnow
from bff.lib.i18n import translate
from bff.lib.settings import SharingSettings
from bff.lib.vocabulary import DeviceStatus, ShareAttr, civil_code_in_region
from bff.sharing.errors import (
    AlreadyDecided,
    GrantAlreadyEnded,
    GrantNotFound,
    NotYourDepartment,
    ShareInputInvalid,
    ShareRequestNotFound,
)
from bff.sharing.models import PartState, ShareGrant, ShareNotice, SharePart, ShareRequest
from bff.sharing.notify import Notice, NoticeKind, Notifier
from bff.sharing.repositories import (
    ShareGrantRepository,
    ShareNoticeRepository,
    SharePartRepository,
    ShareRequestRepository,
)
from bff.sharing.schemas import (
    BadgeOut,
    CameraOut,
    GrantOut,
    GrantState,
    NoticeOut,
    PersonOut,
    ShareDecisionCreate,
    SharePartOut,
    ShareRequestCreate,
    ShareRequestOut,
)

log = logging.getLogger(__name__)

AccessLost = Callable[[int, Sequence[str], str], Awaitable[None]]
"""(user id, cameras, reason code): end what the user may no longer do on the cameras."""

START_SLACK = timedelta(minutes=5)
"""A start this far in the past counts as "now" (phone clocks drift); further is refused."""
DECIDABLE_STATES = frozenset({PartState.PENDING, PartState.APPROVED, PartState.REJECTED})
"""States of parts that approvers decide (有条件共享); the others were decided by rule."""
REFUSAL_REASON = "not_shared"
"""Stored reason of a 不予共享 part; shown as `sharing.refused.not_shared`."""


class _LostRace(Exception):
    """Another approver decided the part between our read and our update."""

    def __init__(self, part_id: int) -> None:
        super().__init__(part_id)
        self.part_id = part_id


@dataclass(frozen=True)
class _Decision:
    """What a committed decision changed, for the audit and the notifiers."""

    request: ShareRequest
    parts: list[tuple[SharePart, list[str]]]
    out: ShareRequestOut
    notices: list[Notice]
    permissions: list[int]
    ends_at: datetime


def may_decide(user: SignedInUser, dept_code: str) -> bool:
    """Approvers decide for their own department; platform admins for every department."""
    return may_administer(user.role) or (user.role == Role.APPROVER
                                         and user.dept_code == dept_code)


def outcome_of(camera: CameraRecord) -> PartState:
    """What asking for the camera leads to, by its sharing attribute (plan §4.3.4);
    unknown attributes fail closed as 不予共享."""
    if camera.share_attr == ShareAttr.UNCONDITIONAL:
        return PartState.GRANTED
    if camera.share_attr == ShareAttr.CONDITIONAL:
        return PartState.PENDING
    return PartState.REFUSED


def grant_state(grant: ShareGrant, now: datetime) -> GrantState:
    """Where a grant stands at `now`."""
    if grant.revoked_at is not None and grant.revoked_at <= now:
        return "revoked"
    if grant.ends_at <= now:
        return "expired"
    if grant.starts_at > now:
        return "scheduled"
    return "active"


class SharingService:
    """Asks, decides, revokes, expires and escalates; lists requests, grants, notices."""

    def __init__(self, settings: SharingSettings, database: Database, catalog: CatalogService,
                 audit: AuditLog, *, notifiers: Sequence[Notifier] = (),
                 on_access_lost: AccessLost | None = None) -> None:
        self._settings = settings
        self._database = database
        self._catalog = catalog
        self._audit = audit
        self._notifiers = list(notifiers)
        self._on_access_lost = on_access_lost

    def add_notifier(self, notifier: Notifier) -> None:
        """Another channel for the notices (the alerts work's Web Push / live channel)."""
        self._notifiers.append(notifier)

    # --- asking -----------------------------------------------------------------------

    async def ask(self, user: SignedInUser, scope: AccessScope, data: ShareRequestCreate,
                  locale: str) -> ShareRequestOut:
        """File a request: split it per owning department and sharing attribute, grant
        the 无条件共享 parts at once, refuse the 不予共享 ones, leave the rest pending
        for the owning departments' approvers. Raises ShareInputInvalid naming the field."""
        now = utcnow()
        starts_at, ends_at = self._window(data.starts_at, data.ends_at, now)
        purpose = data.purpose.strip()
        if not purpose:
            raise ShareInputInvalid("purpose", "purpose_blank")
        permissions = sorted(set(data.permissions))
        cameras = self._requestable(scope, list(dict.fromkeys(data.device_ids)), permissions)
        groups: dict[tuple[str, PartState], list[str]] = {}
        for camera in cameras:
            groups.setdefault((camera.dept_code, outcome_of(camera)), []).append(camera.device_id)
        deadline = now + timedelta(hours=self._settings.deadline_hours)
        notices: list[Notice] = []
        async with self._database.sessions() as db, db.begin():
            request = ShareRequest(requester_id=user.id, permissions=permissions,
                                   starts_at=starts_at, ends_at=ends_at, purpose=purpose,
                                   case_no=(data.case_no or "").strip() or None, created_at=now)
            await ShareRequestRepository(session=db).add(request)
            parts: list[SharePart] = []
            for (dept_code, state), device_ids in sorted(groups.items()):
                part = SharePart(
                    request_id=request.id, dept_code=dept_code, device_ids=device_ids,
                    state=state, reason=REFUSAL_REASON if state == PartState.REFUSED else None,
                    deadline_at=deadline if state == PartState.PENDING else None,
                    decided_at=now if state != PartState.PENDING else None)
                await SharePartRepository(session=db).add(part)
                parts.append(part)
                if state == PartState.GRANTED:
                    await self._write_grant(db, request, part, device_ids, permissions,
                                            ends_at, decided_by=None, now=now)
                elif state == PartState.PENDING:
                    for approver_id in await _approvers_of(db, dept_code):
                        notices.append(await _notice(db, approver_id, NoticeKind.NEW_REQUEST,
                                                     request_id=request.id))
            out = (await self._requests_out(db, [request], locale))[0]
        await self._audit.record(
            AuditAction.SHARE_REQUEST, actor_id=user.id, actor=user.username,
            target=f"share_request:{request.id}",
            detail={"device_ids": [c.device_id for c in cameras], "permissions": permissions,
                    "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(),
                    "purpose": purpose, "case_no": request.case_no})
        for part in parts:
            action = {PartState.GRANTED: AuditAction.SHARE_AUTO_GRANT,
                      PartState.REFUSED: AuditAction.SHARE_REFUSE}.get(PartState(part.state))
            if action is not None:
                await self._audit.record(
                    action, actor_id=user.id, actor=user.username,
                    target=f"share_part:{part.id}",
                    detail={"request": request.id, "dept_code": part.dept_code,
                            "device_ids": part.device_ids, "permissions": permissions})
        await self._deliver(notices)
        return out

    def _window(self, starts: datetime | None, ends: datetime,
                now: datetime) -> tuple[datetime, datetime]:
        starts_at = now if starts is None else starts
        if starts_at < now - START_SLACK:
            raise ShareInputInvalid("starts_at", "starts_in_past")
        starts_at = max(starts_at, now)
        if ends <= now:
            raise ShareInputInvalid("ends_at", "ends_in_past")
        if ends <= starts_at:
            raise ShareInputInvalid("ends_at", "ends_before_start")
        if ends - starts_at > timedelta(days=self._settings.grant_max_days):
            raise ShareInputInvalid("ends_at", "too_long", days=self._settings.grant_max_days)
        return starts_at, ends

    def _requestable(self, scope: AccessScope, device_ids: list[str],
                     permissions: list[int]) -> list[CameraRecord]:
        cameras = []
        for device_id in device_ids:
            camera = self._catalog.get(device_id)
            if camera is None:
                raise ShareInputInvalid("device_ids", "unknown_camera", device_id=device_id)
            if camera.status != DeviceStatus.IN_USE:
                raise ShareInputInvalid("device_ids", "camera_unavailable", device_id=device_id)
            if not civil_code_in_region(camera.civil_code, scope.region_prefix):
                raise ShareInputInvalid("device_ids", "out_of_scope", device_id=device_id)
            if all(may_use(scope, camera, p) for p in permissions):
                raise ShareInputInvalid("device_ids", "already_allowed", device_id=device_id)
            cameras.append(camera)
        return cameras

    # --- deciding ---------------------------------------------------------------------

    async def decide(self, user: SignedInUser, request_id: int, data: ShareDecisionCreate,
                     locale: str) -> ShareRequestOut:
        """Approve (maybe narrower) or reject the pending parts of the request that the
        user may decide. Final: a part someone else decided first raises AlreadyDecided."""
        reason = (data.reason or "").strip() or None
        if data.decision == "reject" and reason is None:
            raise ShareInputInvalid("reason", "reason_required")
        try:
            decision = await self._decide(user, request_id, data, reason, locale)
        except _LostRace as lost:
            # Read who won after our transaction rolled back (nothing of ours is held).
            raise await self._lost_race(lost.part_id) from None
        request = decision.request
        for part, granted in decision.parts:
            approved = part.state == PartState.APPROVED
            await self._audit.record(
                AuditAction.SHARE_APPROVE if approved else AuditAction.SHARE_REJECT,
                actor_id=user.id, actor=user.username, target=f"share_part:{part.id}",
                detail={"request": request.id, "dept_code": part.dept_code,
                        "asked": {"device_ids": part.device_ids,
                                  "permissions": request.permissions,
                                  "ends_at": request.ends_at.isoformat()},
                        "granted": {"device_ids": granted,
                                    "permissions": decision.permissions,
                                    "ends_at": decision.ends_at.isoformat()} if approved else None,
                        "reason": part.reason})
        await self._deliver(decision.notices)
        return decision.out

    async def _decide(self, user: SignedInUser, request_id: int, data: ShareDecisionCreate,
                      reason: str | None, locale: str) -> _Decision:
        now = utcnow()
        async with self._database.sessions() as db, db.begin():
            request = await ShareRequestRepository(session=db).get_one_or_none(
                ShareRequest.id == request_id)
            if request is None:
                raise ShareRequestNotFound(str(request_id))
            parts = await SharePartRepository(session=db).list(
                SharePart.request_id == request_id, order_by=[(SharePart.id, False)])
            mine = [p for p in parts if may_decide(user, p.dept_code)
                    and p.state in DECIDABLE_STATES
                    and (data.part_id is None or p.id == data.part_id)]
            if not mine:
                if not any(may_decide(user, p.dept_code) for p in parts) \
                        and request.requester_id != user.id:
                    raise ShareRequestNotFound(str(request_id))
                raise NotYourDepartment()
            pending = [p for p in mine if p.state == PartState.PENDING]
            if not pending:
                decided = mine[0]
                raise AlreadyDecided(await _name_of(db, decided.decided_by_id), decided.state)
            device_ids, permissions, ends_at = self._narrowed(request, pending, data, now)
            notices: list[Notice] = []
            decided_parts: list[tuple[SharePart, list[str]]] = []
            for part in pending:
                granted = [d for d in part.device_ids if d in device_ids]
                approve = data.decision == "approve" and bool(granted)
                state = PartState.APPROVED if approve else PartState.REJECTED
                part_reason = reason if data.decision == "reject" else (
                    None if approve else "not_selected")
                changed = await db.execute(
                    update(SharePart).where(SharePart.id == part.id,
                                            SharePart.state == PartState.PENDING)
                    .values(state=state, reason=part_reason, decided_by_id=user.id,
                            decided_at=now)
                    .execution_options(synchronize_session=False))
                if changed.rowcount != 1:  # type: ignore[attr-defined]
                    raise _LostRace(part.id)  # the transaction rolls back on the way out
                part.state, part.reason, part.decided_by_id, part.decided_at = (
                    state, part_reason, user.id, now)
                if approve:
                    await self._write_grant(db, request, part, granted, permissions, ends_at,
                                            decided_by=user.id, now=now)
                decided_parts.append((part, granted if approve else []))
                notices.append(await _notice(
                    db, request.requester_id,
                    NoticeKind.APPROVED if approve else NoticeKind.REJECTED,
                    request_id=request.id))
            await _mark_read(db, user.id, request_id=request.id, now=now)
            out = (await self._requests_out(db, [request], locale))[0]
        return _Decision(request=request, parts=decided_parts, out=out, notices=notices,
                         permissions=permissions, ends_at=ends_at)

    @staticmethod
    def _narrowed(request: ShareRequest, parts: Sequence[SharePart], data: ShareDecisionCreate,
                  now: datetime) -> tuple[set[str], list[int], datetime]:
        asked_devices = {d for p in parts for d in p.device_ids}
        device_ids = asked_devices
        if data.device_ids is not None:
            for device_id in data.device_ids:
                if device_id not in asked_devices:
                    raise ShareInputInvalid("device_ids", "not_in_request", device_id=device_id)
            device_ids = set(data.device_ids)
        permissions = list(request.permissions)
        if data.permissions is not None:
            for permission in data.permissions:
                if permission not in request.permissions:
                    raise ShareInputInvalid("permissions", "not_requested", permission=permission)
            permissions = sorted(set(data.permissions))
        ends_at = request.ends_at
        if data.ends_at is not None:
            if data.ends_at > request.ends_at:
                raise ShareInputInvalid("ends_at", "longer_than_asked")
            if data.ends_at <= max(now, request.starts_at):
                raise ShareInputInvalid("ends_at", "ends_before_start")
            ends_at = data.ends_at
        return device_ids, permissions, ends_at

    async def _lost_race(self, part_id: int) -> AlreadyDecided:
        async with self._database.sessions() as db:
            part = await SharePartRepository(session=db).get(part_id)
            return AlreadyDecided(await _name_of(db, part.decided_by_id), part.state)

    async def _write_grant(self, db: AsyncSession, request: ShareRequest, part: SharePart,
                           device_ids: Sequence[str], permissions: Sequence[int],
                           ends_at: datetime, *, decided_by: int | None,
                           now: datetime) -> ShareGrant:
        grant = ShareGrant(part_id=part.id, user_id=request.requester_id,
                           dept_code=part.dept_code, device_ids=list(device_ids),
                           permissions=list(permissions), starts_at=request.starts_at,
                           ends_at=ends_at, purpose=request.purpose, decided_by_id=decided_by,
                           created_at=now)
        await ShareGrantRepository(session=db).add(grant)
        db.add_all([Grant(user_id=request.requester_id, device_id=device_id,
                          perms=list(permissions), starts_at=request.starts_at,
                          expires_at=ends_at, share_grant_id=grant.id, created_at=now)
                    for device_id in device_ids])
        await db.flush()
        return grant

    # --- revoking, expiry, escalation ---------------------------------------------------

    async def revoke(self, user: SignedInUser, grant_id: int, reason: str,
                     locale: str) -> GrantOut:
        """Revoke a grant (approvers of its department, platform admins); the requester's
        streams and PTZ control on its cameras end at once in this process, within
        `recheck_s` in the others."""
        reason = reason.strip()
        if not reason:
            raise ShareInputInvalid("reason", "revoke_reason_blank")
        now = utcnow()
        async with self._database.sessions() as db, db.begin():
            grant = await ShareGrantRepository(session=db).get_one_or_none(
                ShareGrant.id == grant_id)
            if grant is None or not (may_decide(user, grant.dept_code)
                                     or grant.user_id == user.id):
                raise GrantNotFound(str(grant_id))
            if not may_decide(user, grant.dept_code):
                raise NotYourDepartment()
            state = grant_state(grant, now)
            if state in ("revoked", "expired"):
                raise GrantAlreadyEnded(state)
            changed = await db.execute(
                update(ShareGrant).where(ShareGrant.id == grant_id,
                                         ShareGrant.revoked_at.is_(None))
                .values(revoked_at=now, revoked_by_id=user.id, revoke_reason=reason)
                .execution_options(synchronize_session=False))
            if changed.rowcount != 1:  # type: ignore[attr-defined]
                raise GrantAlreadyEnded("revoked")
            await db.execute(update(Grant).where(Grant.share_grant_id == grant_id)
                             .values(revoked_at=now).execution_options(synchronize_session=False))
            grant.revoked_at, grant.revoked_by_id, grant.revoke_reason = now, user.id, reason
            request_id = await _request_of(db, grant.part_id)
            notice = await _notice(db, grant.user_id, NoticeKind.REVOKED,
                                   request_id=request_id, grant_id=grant.id)
            out = (await self._grants_out(db, [grant], locale))[0]
        await self._audit.record(
            AuditAction.GRANT_REVOKE, actor_id=user.id, actor=user.username,
            target=f"share_grant:{grant_id}",
            detail={"user_id": grant.user_id, "device_ids": grant.device_ids,
                    "reason": reason})
        await self._access_lost(grant.user_id, grant.device_ids, "access_revoked")
        await self._deliver([notice])
        return out

    async def sweep(self) -> None:
        """One round of the background work: audit and announce grants that expired
        (ending what depended on them) and escalate parts past their deadline. Each item
        is claimed by a conditional update, so with several processes one handles it."""
        await self._expire_grants()
        await self._escalate()

    async def _expire_grants(self) -> None:
        now = utcnow()
        async with self._database.sessions() as db:
            due = await ShareGrantRepository(session=db).list(
                ShareGrant.ends_at <= now, ShareGrant.revoked_at.is_(None),
                ShareGrant.expiry_recorded_at.is_(None))
        for grant in due:
            async with self._database.sessions() as db, db.begin():
                claimed = await db.execute(
                    update(ShareGrant).where(ShareGrant.id == grant.id,
                                             ShareGrant.expiry_recorded_at.is_(None))
                    .values(expiry_recorded_at=now).execution_options(synchronize_session=False))
                if claimed.rowcount != 1:  # type: ignore[attr-defined]
                    continue
                notice = await _notice(db, grant.user_id, NoticeKind.EXPIRED,
                                       request_id=await _request_of(db, grant.part_id),
                                       grant_id=grant.id)
            await self._audit.record(
                AuditAction.GRANT_EXPIRE, actor_id=None, actor="system",
                target=f"share_grant:{grant.id}",
                detail={"user_id": grant.user_id, "device_ids": grant.device_ids,
                        "ends_at": grant.ends_at.isoformat()})
            await self._access_lost(grant.user_id, grant.device_ids, "access_expired")
            await self._deliver([notice])

    async def _escalate(self) -> None:
        now = utcnow()
        async with self._database.sessions() as db:
            due = await SharePartRepository(session=db).list(
                SharePart.state == PartState.PENDING, SharePart.deadline_at <= now,
                SharePart.escalated_at.is_(None))
        for part in due:
            notices: list[Notice] = []
            async with self._database.sessions() as db, db.begin():
                claimed = await db.execute(
                    update(SharePart).where(SharePart.id == part.id,
                                            SharePart.state == PartState.PENDING,
                                            SharePart.escalated_at.is_(None))
                    .values(escalated_at=now).execution_options(synchronize_session=False))
                if claimed.rowcount != 1:  # type: ignore[attr-defined]
                    continue
                request = await ShareRequestRepository(session=db).get(part.request_id)
                notices.append(await _notice(db, request.requester_id, NoticeKind.ESCALATED,
                                             request_id=request.id))
                admins = (await db.scalars(select(User.id).where(
                    User.role == Role.ADMIN, User.is_active.is_(True)))).all()
                for admin_id in admins:
                    notices.append(await _notice(db, admin_id, NoticeKind.ESCALATED_TO_YOU,
                                                 request_id=request.id))
            await self._audit.record(
                AuditAction.SHARE_ESCALATE, actor_id=None, actor="system",
                target=f"share_part:{part.id}",
                detail={"request": part.request_id, "dept_code": part.dept_code,
                        "deadline_at": part.deadline_at.isoformat() if part.deadline_at else None})
            await self._deliver(notices)

    async def _access_lost(self, user_id: int, device_ids: Sequence[str], reason: str) -> None:
        if self._on_access_lost is None:
            return
        try:
            await self._on_access_lost(user_id, device_ids, reason)
        except Exception:  # the periodic re-check ends them anyway
            log.exception("ending streams after %s of user %s failed", reason, user_id)

    async def _deliver(self, notices: Sequence[Notice]) -> None:
        if not notices:
            return
        for notifier in self._notifiers:
            try:
                await notifier.deliver(notices)
            except Exception:  # the in-app inbox has them anyway
                log.exception("a notifier failed to deliver %d notices", len(notices))

    # --- reading ----------------------------------------------------------------------

    async def requests_of(self, user: SignedInUser, locale: str) -> list[ShareRequestOut]:
        """The user's own requests, newest first, with every part."""
        async with self._database.sessions() as db:
            requests = await ShareRequestRepository(session=db).list(
                ShareRequest.requester_id == user.id,
                order_by=[(ShareRequest.created_at, True), (ShareRequest.id, True)])
            return await self._requests_out(db, requests[:100], locale)

    async def requests_to_decide(self, user: SignedInUser, locale: str) -> list[ShareRequestOut]:
        """Requests with pending parts the user may decide (only those parts), escalated
        and oldest first. NotYourDepartment for users who decide nothing."""
        if not (may_administer(user.role) or user.role == Role.APPROVER):
            raise NotYourDepartment()
        async with self._database.sessions() as db:
            query = select(SharePart).where(SharePart.state == PartState.PENDING)
            if not may_administer(user.role):
                query = query.where(SharePart.dept_code == user.dept_code)
            parts = (await db.scalars(query.order_by(SharePart.id))).all()
            request_ids = list(dict.fromkeys(p.request_id for p in parts))
            requests = await ShareRequestRepository(session=db).list(
                ShareRequest.id.in_(request_ids)) if request_ids else []
            outs = await self._requests_out(
                db, requests, locale, only_parts={p.id for p in parts})
        return sorted(outs, key=lambda r: (not any(p.escalated for p in r.parts), r.created_at))

    async def request_for(self, user: SignedInUser, request_id: int,
                          locale: str) -> ShareRequestOut:
        """One request, for its requester, the deciders of its departments and admins."""
        async with self._database.sessions() as db:
            request = await ShareRequestRepository(session=db).get_one_or_none(
                ShareRequest.id == request_id)
            if request is None:
                raise ShareRequestNotFound(str(request_id))
            if request.requester_id != user.id and not may_administer(user.role):
                parts = await SharePartRepository(session=db).list(
                    SharePart.request_id == request_id)
                if not any(may_decide(user, p.dept_code) for p in parts):
                    raise ShareRequestNotFound(str(request_id))
            return (await self._requests_out(db, [request], locale))[0]

    async def grants_of(self, user: SignedInUser, locale: str, *,
                        current_only: bool = False) -> list[GrantOut]:
        """Grants given to the user, newest first (only active and scheduled ones when
        `current_only`)."""
        async with self._database.sessions() as db:
            grants = await ShareGrantRepository(session=db).list(
                ShareGrant.user_id == user.id,
                order_by=[(ShareGrant.created_at, True), (ShareGrant.id, True)])
            outs = await self._grants_out(db, grants[:200], locale)
        if current_only:
            outs = [g for g in outs if g.state in ("active", "scheduled")]
        return outs

    async def grants_to_manage(self, user: SignedInUser, locale: str) -> list[GrantOut]:
        """Grants of the approver's department (every department for admins): current
        ones first, then the latest ended ones."""
        if not (may_administer(user.role) or user.role == Role.APPROVER):
            raise NotYourDepartment()
        async with self._database.sessions() as db:
            query = select(ShareGrant)
            if not may_administer(user.role):
                query = query.where(ShareGrant.dept_code == user.dept_code)
            grants = (await db.scalars(query.order_by(ShareGrant.id.desc()).limit(200))).all()
            outs = await self._grants_out(db, grants, locale)
        rank = {"active": 0, "scheduled": 1, "revoked": 2, "expired": 2}
        return sorted(outs, key=lambda g: rank[g.state])

    async def badge(self, user: SignedInUser) -> BadgeOut:
        """Unread notices and parts waiting for the user's decision."""
        async with self._database.sessions() as db:
            unread = await db.scalar(select(func.count()).select_from(ShareNotice).where(
                ShareNotice.user_id == user.id, ShareNotice.read_at.is_(None))) or 0
            to_decide = 0
            if may_administer(user.role) or user.role == Role.APPROVER:
                query = select(func.count()).select_from(SharePart).where(
                    SharePart.state == PartState.PENDING)
                if not may_administer(user.role):
                    query = query.where(SharePart.dept_code == user.dept_code)
                to_decide = await db.scalar(query) or 0
        return BadgeOut(unread=unread, to_decide=to_decide)

    async def notices(self, user: SignedInUser, locale: str, *,
                      mark_read: bool = False) -> list[NoticeOut]:
        """The user's latest notices, newest first; `mark_read` marks them read."""
        async with self._database.sessions() as db, db.begin():
            rows = await ShareNoticeRepository(session=db).list(
                ShareNotice.user_id == user.id,
                order_by=[(ShareNotice.created_at, True), (ShareNotice.id, True)])
            rows = rows[:50]
            outs = [NoticeOut(id=n.id, kind=n.kind, request_id=n.request_id,
                              grant_id=n.grant_id, created_at=n.created_at,
                              read=n.read_at is not None,
                              text=translate(f"sharing.notice.{n.kind}", locale,
                                             request=n.request_id or ""))
                    for n in rows]
            if mark_read:
                await _mark_read(db, user.id, now=utcnow())
        return outs

    # --- building answers -----------------------------------------------------------

    def _camera_out(self, device_id: str) -> CameraOut:
        camera = self._catalog.get(device_id)
        if camera is None:  # removed from the catalogue since
            return CameraOut(device_id=device_id, name=device_id, address="", latitude=0.0,
                             longitude=0.0, share_attr=int(ShareAttr.NOT_SHARED))
        return CameraOut(device_id=device_id, name=camera.name, address=camera.address,
                         latitude=camera.latitude, longitude=camera.longitude,
                         share_attr=camera.share_attr)

    async def _requests_out(self, db: AsyncSession, requests: Sequence[ShareRequest],
                            locale: str, *, only_parts: set[int] | None = None
                            ) -> list[ShareRequestOut]:
        if not requests:
            return []
        ids = [r.id for r in requests]
        parts = await SharePartRepository(session=db).list(SharePart.request_id.in_(ids),
                                                           order_by=[(SharePart.id, False)])
        if only_parts is not None:
            parts = [p for p in parts if p.id in only_parts]
        grants = await ShareGrantRepository(session=db).list(
            ShareGrant.part_id.in_([p.id for p in parts])) if parts else []
        grant_outs = {g.part_id: out for g, out in
                      zip(grants, await self._grants_out(db, grants, locale), strict=True)}
        people = await _people(db, [r.requester_id for r in requests]
                               + [p.decided_by_id for p in parts if p.decided_by_id])
        out = []
        for request in requests:
            part_outs = [SharePartOut(
                id=p.id, dept_code=p.dept_code,
                dept_name=DEPARTMENTS.get(p.dept_code, p.dept_code), state=p.state,  # type: ignore[arg-type]
                cameras=[self._camera_out(d) for d in p.device_ids],
                reason=_reason_text(p, locale), deadline_at=p.deadline_at,
                escalated=p.escalated_at is not None,
                decided_by=people[p.decided_by_id].display_name if p.decided_by_id in people
                else None, decided_at=p.decided_at, grant=grant_outs.get(p.id))
                for p in parts if p.request_id == request.id]
            out.append(ShareRequestOut(
                id=request.id, requester=people[request.requester_id],
                permissions=list(request.permissions), starts_at=request.starts_at,
                ends_at=request.ends_at, purpose=request.purpose, case_no=request.case_no,
                created_at=request.created_at, parts=part_outs))
        return out

    async def _grants_out(self, db: AsyncSession, grants: Sequence[ShareGrant],
                          locale: str) -> list[GrantOut]:
        if not grants:
            return []
        now = utcnow()
        people = await _people(db, [g.user_id for g in grants]
                               + [g.decided_by_id for g in grants if g.decided_by_id])
        part_requests = dict((await db.execute(
            select(SharePart.id, SharePart.request_id)
            .where(SharePart.id.in_({g.part_id for g in grants})))).tuples().all())
        return [GrantOut(
            id=g.id, request_id=part_requests.get(g.part_id, 0), part_id=g.part_id,
            user=people[g.user_id], dept_code=g.dept_code,
            dept_name=DEPARTMENTS.get(g.dept_code, g.dept_code),
            cameras=[self._camera_out(d) for d in g.device_ids],
            permissions=list(g.permissions), starts_at=g.starts_at, ends_at=g.ends_at,
            purpose=g.purpose,
            decided_by=people[g.decided_by_id].display_name if g.decided_by_id in people
            else None, state=grant_state(g, now), revoked_at=g.revoked_at,
            revoke_reason=g.revoke_reason) for g in grants]


def _reason_text(part: SharePart, locale: str) -> str | None:
    if part.state == PartState.REFUSED:
        return translate(f"sharing.refused.{part.reason or REFUSAL_REASON}", locale)
    if part.reason == "not_selected":
        return translate("sharing.rejected.not_selected", locale)
    return part.reason


async def _people(db: AsyncSession, user_ids: Iterable[int | None]) -> dict[int, PersonOut]:
    ids = {u for u in user_ids if u is not None}
    if not ids:
        return {}
    rows = (await db.execute(
        select(User, Department.name).join(Department, Department.code == User.dept_code)
        .where(User.id.in_(ids)))).all()
    return {user.id: PersonOut(id=user.id, display_name=user.display_name,
                               staff_no=user.staff_no, dept_code=user.dept_code,
                               dept_name=dept_name) for user, dept_name in rows}


async def _name_of(db: AsyncSession, user_id: int | None) -> str:
    if user_id is None:
        return ""
    return await db.scalar(select(User.display_name).where(User.id == user_id)) or ""


async def _approvers_of(db: AsyncSession, dept_code: str) -> list[int]:
    return list((await db.scalars(select(User.id).where(
        User.role == Role.APPROVER, User.dept_code == dept_code,
        User.is_active.is_(True)))).all())


async def _request_of(db: AsyncSession, part_id: int) -> int | None:
    return await db.scalar(select(SharePart.request_id).where(SharePart.id == part_id))


async def _notice(db: AsyncSession, user_id: int, kind: NoticeKind, *,
                  request_id: int | None = None, grant_id: int | None = None) -> Notice:
    row = ShareNotice(user_id=user_id, kind=kind, request_id=request_id, grant_id=grant_id,
                      created_at=utcnow())
    db.add(row)
    await db.flush()
    return Notice(id=row.id, user_id=user_id, kind=kind, request_id=request_id,
                  grant_id=grant_id)


async def _mark_read(db: AsyncSession, user_id: int, *, now: datetime,
                     request_id: int | None = None) -> None:
    query = update(ShareNotice).where(ShareNotice.user_id == user_id,
                                      ShareNotice.read_at.is_(None))
    if request_id is not None:
        query = query.where(ShareNotice.request_id == request_id)
    await db.execute(query.values(read_at=now).execution_options(synchronize_session=False))
