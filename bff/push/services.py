"""Devices' push subscriptions: subscribing, listing, removing, and what delivery learns
about them (served, gone, failing)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection, Iterable
from urllib.parse import urlsplit

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bff.audit.services import AuditAction, AuditLog
from bff.auth.schemas import SignedInUser
from bff.lib.db import Database, utcnow
from bff.lib.settings import PushSettings
from bff.push.devices import device_label
from bff.push.endpoints import endpoint_problem, keys_problem
from bff.push.errors import SubscriptionNotFound, SubscriptionRefused
from bff.push.models import PushSubscription
from bff.push.schemas import SubscriptionItem, SubscriptionRequest
from bff.push.sender import Outcome, PushResult, PushSender, PushTarget
from bff.push.vapid import VapidSigner, load_or_create

log = logging.getLogger(__name__)


class PushService:
    """Web Push for the rest of the app: users' devices and the sender that reaches them."""

    def __init__(self, settings: PushSettings, database: Database, audit: AuditLog,
                 sender: PushSender) -> None:
        self._settings = settings
        self._database = database
        self._audit = audit
        self.sender = sender

    @classmethod
    async def start(cls, settings: PushSettings, database: Database,
                    audit: AuditLog) -> PushService:
        """Load (or generate and keep) the VAPID key and build the service."""
        vapid = await load_or_create(database, settings.vapid_private_key)
        return cls(settings, database, audit,
                   PushSender(settings, VapidSigner(vapid, settings.vapid_subject)))

    async def close(self) -> None:
        await self.sender.close()

    @property
    def public_key(self) -> str:
        return self.sender.public_key

    async def subscribe(self, user: SignedInUser, request: SubscriptionRequest,
                        user_agent: str | None) -> SubscriptionItem:
        """Keep this device's subscription for the user (422 SubscriptionRefused for an
        endpoint off the allow-list or unusable keys). The same endpoint again — the
        browser renewing, or another user signing in on the device — replaces the row."""
        problem = (endpoint_problem(request.endpoint, self._settings.hosts,
                                    allow_http=self._settings.allow_http)
                   or keys_problem(request.keys.p256dh, request.keys.auth))
        if problem is not None:
            raise SubscriptionRefused(problem)
        fields = {"user_id": user.id, "p256dh": request.keys.p256dh,
                  "auth": request.keys.auth, "device": device_label(user_agent)[:120],
                  "failure_count": 0, "last_failure_at": None}
        try:
            row = await self._upsert(request.endpoint, fields)
        except IntegrityError:  # the same browser posted twice at once: the other won
            row = await self._upsert(request.endpoint, fields)
        await self._audit.record(AuditAction.PUSH_SUBSCRIBE, actor_id=user.id,
                                 actor=user.username, target=f"push:{row.id}",
                                 detail={"device": row.device,
                                         "service": _service_host(request.endpoint)})
        return _item(row)

    async def _upsert(self, endpoint: str, fields: dict[str, object]) -> PushSubscription:
        async with self._database.sessions() as db, db.begin():
            row = await db.scalar(select(PushSubscription)
                                  .where(PushSubscription.endpoint == endpoint))
            if row is None:
                row = PushSubscription(endpoint=endpoint, created_at=utcnow(), **fields)
                db.add(row)
            else:
                for name, value in fields.items():
                    setattr(row, name, value)
            await db.flush()
            await self._drop_oldest(db, row.user_id)
            return row

    async def _drop_oldest(self, db: AsyncSession, user_id: int) -> None:
        """Keep the user's newest `max_devices_per_user` subscriptions."""
        kept = (select(PushSubscription.id).where(PushSubscription.user_id == user_id)
                .order_by(PushSubscription.id.desc())
                .limit(self._settings.max_devices_per_user))
        await db.execute(delete(PushSubscription)
                         .where(PushSubscription.user_id == user_id,
                                PushSubscription.id.not_in(kept.scalar_subquery()))
                         .execution_options(synchronize_session=False))

    async def list_for(self, user: SignedInUser) -> list[SubscriptionItem]:
        """The user's subscribed devices, newest first."""
        async with self._database.sessions() as db:
            rows = (await db.scalars(select(PushSubscription)
                                     .where(PushSubscription.user_id == user.id)
                                     .order_by(PushSubscription.id.desc()))).all()
        return [_item(row) for row in rows]

    async def remove(self, user: SignedInUser, subscription_id: int) -> None:
        """Forget one of the user's devices; 404 when it is not theirs (or not there)."""
        async with self._database.sessions() as db, db.begin():
            removed = (await db.execute(
                delete(PushSubscription).where(PushSubscription.id == subscription_id,
                                               PushSubscription.user_id == user.id))).rowcount
        if not removed:
            raise SubscriptionNotFound()
        await self._audit.record(AuditAction.PUSH_UNSUBSCRIBE, actor_id=user.id,
                                 actor=user.username, target=f"push:{subscription_id}",
                                 detail={})

    async def targets_for(self, user_ids: Collection[int]) -> list[PushTarget]:
        """Every subscribed device of these users."""
        if not user_ids:
            return []
        async with self._database.sessions() as db:
            rows = (await db.execute(
                select(PushSubscription.id, PushSubscription.endpoint,
                       PushSubscription.p256dh, PushSubscription.auth)
                .where(PushSubscription.user_id.in_(list(user_ids)))
                .order_by(PushSubscription.id))).all()
        return [PushTarget(id=row.id, endpoint=row.endpoint, p256dh=row.p256dh, auth=row.auth)
                for row in rows]

    async def record(self, results: Iterable[PushResult]) -> None:
        """What the push services said: served devices get their success time, gone ones
        are deleted (audited), refused or unreachable ones count a failure."""
        by_outcome: dict[Outcome, list[int]] = {outcome: [] for outcome in Outcome}
        for result in results:
            by_outcome[result.outcome].append(result.target_id)
        now = utcnow()
        failed = by_outcome[Outcome.REJECTED] + by_outcome[Outcome.UNREACHABLE]
        gone = by_outcome[Outcome.GONE]
        async with self._database.sessions() as db, db.begin():
            if by_outcome[Outcome.DELIVERED]:
                await db.execute(update(PushSubscription)
                                 .where(PushSubscription.id.in_(by_outcome[Outcome.DELIVERED]))
                                 .values(last_success_at=now, failure_count=0))
            if failed:
                await db.execute(update(PushSubscription)
                                 .where(PushSubscription.id.in_(failed))
                                 .values(last_failure_at=now,
                                         failure_count=PushSubscription.failure_count + 1))
            if gone:
                await db.execute(delete(PushSubscription)
                                 .where(PushSubscription.id.in_(gone)))
        for subscription_id in gone:
            log.info("push subscription %s is gone (404/410): deleted", subscription_id)
            await self._audit.record(AuditAction.PUSH_PRUNE, actor_id=None, actor="system",
                                     target=f"push:{subscription_id}", detail={})


def endpoint_digest(endpoint: str) -> str:
    """What the page compares with its own subscription (SHA-256 of the endpoint)."""
    return hashlib.sha256(endpoint.encode()).hexdigest()[:32]


def _item(row: PushSubscription) -> SubscriptionItem:
    return SubscriptionItem(id=row.id, device=row.device, created_at=row.created_at,
                            last_success_at=row.last_success_at,
                            failure_count=row.failure_count,
                            endpoint_digest=endpoint_digest(row.endpoint))


def _service_host(endpoint: str) -> str:
    return urlsplit(endpoint).hostname or "?"
