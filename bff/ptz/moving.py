"""Which cameras are moving, and by when a repeat or a stop must arrive for each.

Shared by every BFF process through Redis (a sorted set scored by deadline), or kept in
this process's memory (the embedded default runs one process). Any process can then
find a move whose process died before its safety stop (`PtzService.stop_abandoned`).
"""

from __future__ import annotations

import math

from redis.asyncio import Redis


class MovingCameras:
    def __init__(self, *, redis: Redis | None = None, key: str = "ptz-moving") -> None:
        self._redis = redis
        self._key = key
        self._deadlines: dict[str, float] = {}

    async def arm(self, device_id: str, deadline: float) -> None:
        """The camera moves and must hear a repeat or a stop by `deadline` (epoch s)."""
        if self._redis is None:
            self._deadlines[device_id] = deadline
        else:
            await self._redis.zadd(self._key, {device_id: deadline})

    async def disarm(self, device_id: str) -> None:
        """The camera stopped."""
        if self._redis is None:
            self._deadlines.pop(device_id, None)
        else:
            await self._redis.zrem(self._key, device_id)

    async def overdue(self, before: float) -> list[str]:
        """Cameras whose deadline passed before `before`."""
        if self._redis is None:
            return [d for d, deadline in self._deadlines.items() if deadline < before]
        found = await self._redis.zrangebyscore(self._key, "-inf", f"({before}")
        return [d.decode() if isinstance(d, bytes) else d for d in found]

    async def claim(self, device_id: str, hold_s: float) -> bool:
        """True for exactly one caller among the processes (for `hold_s`): the one that
        stops an abandoned camera."""
        if self._redis is None:
            return True  # one process
        return bool(await self._redis.set(f"{self._key}:claim:{device_id}", b"1", nx=True,
                                          px=max(1, math.ceil(hold_s * 1000))))
