"""The fixed-window rate limiter, in memory (the Redis flavour runs in the integration
suite against a real Redis)."""

from __future__ import annotations

import pytest

from bff.lib.ratelimit import RateLimiter


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def test_allows_the_limit_then_refuses_until_the_next_window() -> None:
    clock = Clock(1_000.25)
    limiter = RateLimiter(3, 1.0, clock=clock)
    assert [await limiter.hit("u1") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert await limiter.hit("u1") == pytest.approx(0.75)
    clock.now = 1_000.9
    assert await limiter.hit("u1") == pytest.approx(0.1)
    clock.now = 1_001.0  # a new window
    assert await limiter.hit("u1") == 0.0


async def test_keys_are_counted_apart() -> None:
    limiter = RateLimiter(1, 10.0, clock=Clock(5.0))
    assert await limiter.hit("a") == 0.0
    assert await limiter.hit("b") == 0.0
    assert await limiter.hit("a") == pytest.approx(5.0)


async def test_old_windows_are_pruned() -> None:
    clock = Clock(0.0)
    limiter = RateLimiter(1, 1.0, clock=clock)
    for i in range(10_001):
        await limiter.hit(f"k{i}")
    clock.now = 2.0
    await limiter.hit("fresh")
    assert len(limiter._counts) == 1


@pytest.mark.parametrize("limit,window", [(0, 1.0), (1, 0.0), (3, -1.0)])
def test_nonsense_limits_are_refused(limit: int, window: float) -> None:
    with pytest.raises(ValueError):
        RateLimiter(limit, window)
