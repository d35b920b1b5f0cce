"""The sign-in throttle: one place guessing is slowed, only distributed guessing locks an
account, and a device that signed in before still gets in."""

from __future__ import annotations

import pytest
from litestar.stores.memory import MemoryStore

from bff.auth.errors import SignInRefused
from bff.auth.throttle import MAX_DELAY_S, SignInThrottle, delay_after
from bff.lib.settings import AuthSettings

T0 = 1_800_000_000.0


def throttle() -> SignInThrottle:
    return SignInThrottle(AuthSettings(max_failed_logins=3, lockout_s=900,
                                       lock_after_failures=20, lock_after_addresses=5),
                          MemoryStore())


def test_delays_double_after_the_free_failures_and_are_capped() -> None:
    assert [delay_after(n, 3) for n in range(1, 8)] == [0, 0, 1, 2, 4, 8, 16]
    assert delay_after(100, 3) == MAX_DELAY_S


async def test_one_address_is_slowed_down_but_cannot_lock_the_account() -> None:
    guard = throttle()
    now = T0
    for _ in range(60):  # a patient attacker waits out every delay
        await guard.check("admin", "10.0.0.66", None, now=now)
        await guard.failed("admin", "10.0.0.66", None, now=now)
        now += delay_after(60, 3) + 1
    assert not await guard.is_locked("admin", now=now)
    await guard.check("admin", "10.0.0.7", None, now=now)  # the owner elsewhere: no wait
    with pytest.raises(SignInRefused) as waiting:
        await guard.check("admin", "10.0.0.66", None, now=T0 + 1)
    assert waiting.value.reason == "throttled"


async def test_an_address_guessing_many_accounts_is_slowed_for_all_of_them() -> None:
    guard = throttle()
    for n in range(10):  # ADDRESS_FREE_FAILURES, one try per account
        await guard.failed(f"user{n}", "10.0.0.66", None, now=T0)
    await guard.failed("user10", "10.0.0.66", None, now=T0)
    with pytest.raises(SignInRefused) as waiting:
        await guard.check("someone-else", "10.0.0.66", None, now=T0)
    assert waiting.value.reason == "throttled" and waiting.value.seconds == 2


async def distributed_guessing(guard: SignInThrottle) -> None:
    for n in range(20):  # 4 per address from 5 addresses, each waiting out its delay
        await guard.failed("admin", f"10.0.1.{n % 5}", None, now=T0 + n * 60)


async def test_distributed_guessing_locks_until_time_or_an_administrator() -> None:
    guard = throttle()
    await distributed_guessing(guard)
    assert await guard.is_locked("admin", now=T0 + 20 * 60)
    with pytest.raises(SignInRefused) as locked:
        await guard.check("admin", "10.0.9.9", None, now=T0 + 20 * 60)
    assert locked.value.reason == "locked" and 1 <= locked.value.minutes <= 15
    assert not await guard.is_locked("admin", now=T0 + 19 * 60 + 901)  # time lifts it
    assert await guard.unlock("admin")
    await guard.check("admin", "10.0.9.9", None, now=T0 + 20 * 60)


async def test_a_device_that_signed_in_before_still_gets_in_unless_it_failed() -> None:
    guard = throttle()
    since, phone = await guard.succeeded("admin", "10.0.2.1", None)
    assert since.failures == 0
    _, colleague = await guard.succeeded("admin", "10.0.2.2", None)
    _, other_account = await guard.succeeded("police01", "10.0.2.3", None)
    await guard.failed("admin", "10.0.2.2", colleague, now=T0)  # this device failed once
    await distributed_guessing(guard)
    now = T0 + 20 * 60
    await guard.check("admin", "10.0.3.1", phone, now=now)  # trusted, from anywhere
    for device in (colleague, other_account, "made-up-token", None):
        with pytest.raises(SignInRefused):
            await guard.check("admin", "10.0.3.1", device, now=now)


async def test_the_owner_hears_of_failures_once() -> None:
    guard = throttle()
    await distributed_guessing(guard)
    since, device = await guard.succeeded("admin", "10.0.2.1", None)
    assert (since.failures, len(since.addresses), since.locked) == (20, 5, True)
    again, same_device = await guard.succeeded("admin", "10.0.2.1", device)
    assert again.failures == 0 and same_device == device
