"""Signing in: password check, failure counting and lock-out, session bookkeeping; and
the access scope (department, region, grants) the policy decides on."""

from __future__ import annotations

import asyncio
import logging
import os

import msgspec
from litestar.stores.base import Store
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bff.audit.services import AuditAction, AuditLog
from bff.auth.errors import SignInRefused
from bff.auth.models import Department, Grant, User
from bff.auth.passwords import verify_password
from bff.auth.policy import AccessScope
from bff.auth.repositories import GrantRepository, UserRepository
from bff.auth.schemas import SignedInUser
from bff.auth.throttle import SignInThrottle
from bff.lib.db import Database, utcnow
from bff.lib.settings import AuthSettings

log = logging.getLogger(__name__)


class SignInResult(msgspec.Struct, frozen=True, kw_only=True):
    """A successful sign-in: the user, what the owner should hear about failures since
    the last sign-in, and the device token the browser keeps."""

    user: SignedInUser
    failures_since_last: int
    failure_addresses: int
    device: str


class AuthService:
    """Checks credentials; failures are throttled per account and address
    (`bff.auth.throttle`) in a store (memory or Redis, shared by all processes)."""

    def __init__(self, settings: AuthSettings, store: Store, audit: AuditLog,
                 database: Database) -> None:
        self._settings = settings
        self._database = database
        self._store = store
        self._audit = audit
        self._throttle = SignInThrottle(settings, store)
        # argon2 takes ~0.1 s of CPU and 64 MiB per check: checks run in worker threads
        # (the event loop keeps serving requests and live video meanwhile), at most one
        # per CPU at a time, so a burst of sign-ins queues instead of eating memory.
        self._checking = asyncio.Semaphore(max(1, os.cpu_count() or 1))

    async def sign_in(self, username: str, password: str, client: str,
                      device: str | None = None) -> SignInResult:
        """Check the credentials from `client` (address) and `device` (the browser's
        device token); raise `SignInRefused` when throttled, locked or wrong."""
        try:
            await self._throttle.check(username, client, device)
        except SignInRefused as refusal:
            await self._audit.record(AuditAction.SIGN_IN_FAILED, actor_id=None, actor=username,
                                     detail={"reason": refusal.reason, "client": client})
            raise
        async with self._database.sessions() as db:
            user = await UserRepository(session=db).get_one_or_none(User.username == username)
        async with self._checking:
            matches = await asyncio.to_thread(
                verify_password, user.password_hash if user else None, password)
        if user is None or not user.is_active or not matches:
            await self._throttle.failed(username, client, device)
            await self._audit.record(AuditAction.SIGN_IN_FAILED, actor_id=user.id if user else None,
                                     actor=username, detail={"reason": "credentials",
                                                             "client": client})
            log.info("sign-in failed for %s from %s", username, client)
            raise SignInRefused("invalid_credentials")
        since, device = await self._throttle.succeeded(username, client, device)
        await self._audit.record(AuditAction.SIGN_IN, actor_id=user.id, actor=user.username,
                                 detail={"client": client, "failures_since_last": since.failures})
        signed_in = await self.signed_in_user(user.id)
        assert signed_in is not None  # active, just read
        return SignInResult(user=signed_in, failures_since_last=since.failures,
                            failure_addresses=len(since.addresses), device=device)

    async def user_exists(self, username: str) -> bool:
        async with self._database.sessions() as db:
            return await UserRepository(session=db).exists(User.username == username)

    @property
    def secure_cookies(self) -> bool:
        return self._settings.secure_cookies

    async def unlock(self, username: str, *, by: str) -> bool:
        """An administrator lifts the lock of an account under distributed guessing."""
        locked = await self._throttle.unlock(username)
        await self._audit.record(AuditAction.ACCOUNT_UNLOCK, actor_id=None, actor=by[:64],
                                 target=username[:64], detail={"was_locked": locked})
        return locked

    async def signed_in_user(self, user_id: int) -> SignedInUser | None:
        """The active user with this id, with the department's name, or None."""
        async with self._database.sessions() as db:
            return await load_signed_in_user(db, user_id)

    async def access_scope(self, user: SignedInUser) -> AccessScope:
        """What the user may reach: department, region, unexpired and unrevoked grants."""
        async with self._database.sessions() as db:
            return await access_scope_of(db, user)

    async def sign_out(self, user: SignedInUser, *, everywhere: bool = False) -> None:
        """Audit the sign-out; `everywhere` also ends every other session of the user."""
        if everywhere:
            await self._store.set(self._epoch_key(user.id), str(await self.session_epoch(user.id) + 1))
        await self._audit.record(AuditAction.SIGN_OUT, actor_id=user.id, actor=user.username,
                                 detail={"everywhere": everywhere})

    async def session_epoch(self, user_id: int) -> int:
        """Sessions remember the epoch they began in; a newer epoch invalidates them."""
        return int(await self._store.get(self._epoch_key(user_id)) or 0)

    @staticmethod
    def _epoch_key(user_id: int) -> str:
        return f"session-epoch:{user_id}"


async def load_signed_in_user(db: AsyncSession, user_id: int) -> SignedInUser | None:
    """The active user with this id, with the department's name, or None."""
    row = (await db.execute(
        select(User, Department.name).join(Department, Department.code == User.dept_code)
        .where(User.id == user_id, User.is_active.is_(True))
    )).first()
    if row is None:
        return None
    user, dept_name = row
    return SignedInUser(
        id=user.id, username=user.username, display_name=user.display_name,
        staff_no=user.staff_no, dept_code=user.dept_code, dept_name=dept_name,
        region_prefix=user.region_prefix, role=user.role,
    )


async def access_scope_of(db: AsyncSession, user: SignedInUser) -> AccessScope:
    """The user's department, region and started, unexpired, unrevoked grants."""
    now = utcnow()
    grants = await GrantRepository(session=db).list(
        Grant.user_id == user.id, Grant.expires_at > now,
        or_(Grant.starts_at.is_(None), Grant.starts_at <= now),
        or_(Grant.revoked_at.is_(None), Grant.revoked_at > now))
    merged: dict[str, set[int]] = {}
    for grant in grants:
        merged.setdefault(grant.device_id, set()).update(grant.perms)
    return AccessScope(user_id=user.id, dept_code=user.dept_code, region_prefix=user.region_prefix,
                       role=user.role, grants={k: frozenset(v) for k, v in merged.items()})
