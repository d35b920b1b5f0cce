"""The rate limiter on a real Redis: one count for every process, exact under load."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from bff.lib.ratelimit import RateLimiter


async def test_two_processes_share_one_count(redis_pair: tuple[Redis, Redis, str]) -> None:
    one, two, namespace = redis_pair
    # Each "process" has its own client and limiter; the window is long enough that no
    # boundary falls inside the test.
    a = RateLimiter(20, 3600, redis=one, namespace=namespace)
    b = RateLimiter(20, 3600, redis=two, namespace=namespace)
    results = await asyncio.gather(*(limiter.hit("user:7") for limiter in [a, b] * 25))
    assert sum(1 for wait in results if wait == 0.0) == 20
    assert all(0 < wait <= 3600 for wait in results if wait)
    assert await a.hit("user:8") == 0.0  # other users are counted apart
    ttl = await one.pttl(next(iter([k async for k in one.scan_iter(match=f"{namespace}:user:7:*")])))
    assert 0 < ttl <= 3600 * 1000 + 5000  # counters expire on their own
