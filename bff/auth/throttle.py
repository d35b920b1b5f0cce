"""Throttling failed sign-ins without handing anyone a way to lock others out.

The old rule (five wrong passwords lock the username) let anybody lock any account, the
administrator's included. Now:

- Each (account, address) pair and each address get a few free failures, then a delay
  that doubles with every further failure (capped); a request inside the delay is refused
  before the password is even checked, so guessing from one place gets slow at once.
- The whole account is locked only for clearly distributed guessing: many failures from
  many addresses within the window. Even then, a device that signed in to this account
  before and has not failed since (the `bff_device` cookie) still gets in with the right
  password.
- The lock lifts by time or by an administrator (`bff unlock-user`).
- The owner is told at the next sign-in how many failures there were, from how many
  addresses.

State lives in the auth store (memory, or Redis shared by all processes) and expires with
the window.
"""

from __future__ import annotations

import math
import secrets
import time
from typing import TypeVar

import msgspec
from litestar.stores.base import Store

from bff.auth.errors import SignInRefused
from bff.lib.settings import AuthSettings

MAX_DELAY_S = 15 * 60
ADDRESS_FREE_FAILURES = 10
"""Failures one address may make across all accounts before its own delay starts (a
shared NAT of a police station may hold many people mistyping)."""
REMEMBERED_ADDRESSES = 50
DEVICE_LIFETIME_S = 180 * 24 * 3600
_T = TypeVar("_T", bound=msgspec.Struct)


class Tally(msgspec.Struct):
    """Failures of one pair or address and when the next attempt is allowed."""

    failures: int = 0
    allowed_at: float = 0.0


class AccountTally(msgspec.Struct):
    """Failures against one account in the window, the addresses they came from, and
    the lock, if any."""

    failures: int = 0
    addresses: list[str] = []
    locked_until: float = 0.0


class SinceLastSignIn(msgspec.Struct):
    """What the owner is told at the next successful sign-in."""

    failures: int = 0
    addresses: list[str] = []
    locked: bool = False


class Device(msgspec.Struct):
    """A browser that signed in to `user`; `failed` once it sent a wrong password."""

    username: str
    failed: bool = False


def delay_after(failures: int, free: int) -> float:
    """Seconds to wait after `failures`: none for the first `free`, then 1, 2, 4 … s."""
    if failures < free:
        return 0.0
    return float(min(MAX_DELAY_S, 2 ** (failures - free)))


class SignInThrottle:
    def __init__(self, settings: AuthSettings, store: Store) -> None:
        self._settings = settings
        self._store = store

    async def check(self, username: str, address: str, device: str | None,
                    now: float | None = None) -> None:
        """Refuse (SignInRefused "throttled" or "locked") before the password is checked."""
        now = time.time() if now is None else now
        account = await self._get(_account_key(username), AccountTally)
        if account.locked_until > now and not await self._trusted_device(device, username):
            raise SignInRefused("locked", minutes=math.ceil((account.locked_until - now) / 60))
        for key in (_pair_key(username, address), _address_key(address)):
            tally = await self._get(key, Tally)
            if tally.allowed_at > now:
                raise SignInRefused("throttled", seconds=math.ceil(tally.allowed_at - now))

    async def failed(self, username: str, address: str, device: str | None,
                     now: float | None = None) -> None:
        """Count a wrong password (or unknown account) from `address`."""
        now = time.time() if now is None else now
        window = self._settings.lockout_s
        for key, free in ((_pair_key(username, address), self._settings.max_failed_logins),
                          (_address_key(address), ADDRESS_FREE_FAILURES)):
            tally = await self._get(key, Tally)
            tally.failures += 1
            tally.allowed_at = now + delay_after(tally.failures, free)
            await self._put(key, tally, max(window, int(tally.allowed_at - now) + 1))

        account = await self._get(_account_key(username), AccountTally)
        account.failures += 1
        if address not in account.addresses and len(account.addresses) < REMEMBERED_ADDRESSES:
            account.addresses.append(address)
        distributed = (len(account.addresses) >= self._settings.lock_after_addresses
                       and account.failures >= self._settings.lock_after_failures)
        if distributed and account.locked_until <= now:
            account.locked_until = now + self._settings.lockout_s
        await self._put(_account_key(username), account, 2 * window)

        since = await self._get(_since_key(username), SinceLastSignIn)
        since.failures += 1
        since.locked = since.locked or distributed
        if address not in since.addresses and len(since.addresses) < REMEMBERED_ADDRESSES:
            since.addresses.append(address)
        await self._put(_since_key(username), since, DEVICE_LIFETIME_S)

        if device and (known := await self._device(device)):
            known.failed = True
            await self._put(_device_key(device), known, DEVICE_LIFETIME_S)

    async def is_locked(self, username: str, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        return (await self._get(_account_key(username), AccountTally)).locked_until > now

    async def succeeded(self, username: str, address: str, device: str | None) -> tuple[
            SinceLastSignIn, str]:
        """Clear this pair's failures; return what happened since the last sign-in (and
        forget it) and the device token to keep in the browser."""
        await self._store.delete(_pair_key(username, address))
        since = await self._get(_since_key(username), SinceLastSignIn)
        await self._store.delete(_since_key(username))
        known = await self._device(device) if device else None
        if known is None or known.username != username or known.failed:
            device = secrets.token_urlsafe(24)
        await self._put(_device_key(device), Device(username=username), DEVICE_LIFETIME_S)
        return since, device

    async def unlock(self, username: str) -> bool:
        """Lift the account lock and its failure count (an administrator's decision);
        True when it was locked."""
        locked = await self.is_locked(username)
        await self._store.delete(_account_key(username))
        return locked

    async def _trusted_device(self, device: str | None, username: str) -> bool:
        if not device:
            return False
        known = await self._device(device)
        return known is not None and known.username == username and not known.failed

    async def _get(self, key: str, kind: type[_T]) -> _T:
        raw = await self._store.get(key)
        if raw is not None:
            try:
                return msgspec.json.decode(raw, type=kind)
            except msgspec.DecodeError:  # an older format: start again
                pass
        return kind()

    async def _device(self, token: str) -> Device | None:
        raw = await self._store.get(_device_key(token))
        try:
            return msgspec.json.decode(raw, type=Device) if raw is not None else None
        except msgspec.DecodeError:
            return None

    async def _put(self, key: str, value: msgspec.Struct, ttl_s: int) -> None:
        await self._store.set(key, msgspec.json.encode(value), expires_in=max(1, int(ttl_s)))


def _pair_key(username: str, address: str) -> str:
    return f"signin:pair:{username.lower()}:{address}"


def _address_key(address: str) -> str:
    return f"signin:address:{address}"


def _account_key(username: str) -> str:
    return f"signin:account:{username.lower()}"


def _since_key(username: str) -> str:
    return f"signin:since:{username.lower()}"


def _device_key(device: str) -> str:
    return f"signin:device:{device[:64]}"
