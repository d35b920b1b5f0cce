"""Per-key request counting in fixed time windows (限流), in memory or in Redis."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from redis.asyncio import Redis

_MEMORY_KEYS_BEFORE_PRUNE = 10_000


class RateLimiter:
    """At most `limit` hits per key in each window of `window_s` seconds.

    Windows are aligned on wall-clock time, so every process agrees where one starts.
    With a Redis client the counters live in Redis and INCR keeps them exact however
    many BFF processes count at once; without one they live in this process's memory
    (the embedded default runs a single process).
    """

    def __init__(self, limit: int, window_s: float, *, redis: Redis | None = None,
                 namespace: str = "ratelimit",
                 clock: Callable[[], float] = time.time) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("a rate limit needs limit ≥ 1 and a positive window")
        self.limit = limit
        self.window_s = window_s
        self._redis = redis
        self._namespace = namespace
        self._clock = clock
        self._counts: dict[str, tuple[int, int]] = {}  # key → (window number, hits)

    async def hit(self, key: str) -> float:
        """Count one hit on `key`. Returns 0.0 when it is within the limit, else the
        seconds until the next window (when a hit will be admitted again)."""
        now = self._clock()
        window = int(now // self.window_s)
        count = await self._increment(key, window)
        if count <= self.limit:
            return 0.0
        return max(0.001, (window + 1) * self.window_s - now)

    async def _increment(self, key: str, window: int) -> int:
        if self._redis is None:
            return self._increment_in_memory(key, window)
        name = f"{self._namespace}:{key}:{window}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            # Long enough to outlive the window on every process's clock, then gone.
            pipe.pexpire(name, math.ceil(self.window_s * 1000) + 5_000)
            count, _ = await pipe.execute()
        return int(count)

    def _increment_in_memory(self, key: str, window: int) -> int:
        previous = self._counts.get(key)
        count = previous[1] + 1 if previous is not None and previous[0] == window else 1
        self._counts[key] = (window, count)
        if len(self._counts) > _MEMORY_KEYS_BEFORE_PRUNE:
            self._counts = {k: v for k, v in self._counts.items() if v[0] >= window}
        return count
