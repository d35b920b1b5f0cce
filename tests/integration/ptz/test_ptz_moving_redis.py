"""Abandoned PTZ moves on a real Redis: every process sees every deadline, and exactly
one process stops a camera whose own process died."""

from __future__ import annotations

import asyncio
import time

from litestar.stores.redis import RedisStore
from redis.asyncio import Redis

from bff.lib.ratelimit import RateLimiter
from bff.lib.settings import PtzSettings
from bff.platform.base import PtzCommand
from bff.ptz.moving import MovingCameras
from bff.ptz.services import PtzService
from tests.unit.ptz.test_ptz_service import (
    PTZ_CAMERA,
    SCOPE,
    USER,
    RecordingAudit,
    RecordingPlatform,
    die,
    request,
)


async def test_deadlines_are_shared_and_one_process_claims(
        redis_pair: tuple[Redis, Redis, str]) -> None:
    one, two, namespace = redis_pair
    a = MovingCameras(redis=one, key=f"{namespace}:ptz-moving")
    b = MovingCameras(redis=two, key=f"{namespace}:ptz-moving")
    now = time.time()
    await a.arm("cam-1", now - 5)
    await a.arm("cam-2", now + 60)
    assert await b.overdue(now) == ["cam-1"]
    await b.arm("cam-1", now + 60)  # a repeat handled elsewhere moves the deadline
    assert await a.overdue(now) == []
    await a.arm("cam-1", now - 5)
    claims = await asyncio.gather(*(m.claim("cam-1", hold_s=5) for m in [a, b] * 5))
    assert claims.count(True) == 1
    await b.disarm("cam-1")
    assert await a.overdue(now + 3600) == ["cam-2"]


async def test_a_killed_process_s_move_is_stopped_by_another(
        redis_pair: tuple[Redis, Redis, str]) -> None:
    one, two, namespace = redis_pair
    platform, audit = RecordingPlatform(), RecordingAudit()
    settings = PtzSettings(rate=100, watchdog_s=0.3)

    def process(redis: Redis) -> PtzService:
        store = RedisStore(redis=redis, namespace=f"{namespace}:ptz",
                           handle_client_shutdown=False)
        return PtzService(settings, platform, audit, store,  # type: ignore[arg-type]
                          RateLimiter(100, 1.0, redis=redis, namespace=f"{namespace}:rate"),
                          MovingCameras(redis=redis, key=f"{namespace}:ptz-moving"))

    a, b, c = process(one), process(two), process(two)
    await a.command(USER, SCOPE, PTZ_CAMERA, request("right"))
    die(a)
    await asyncio.sleep(0.3 * 2 + 0.1)
    stopped = await asyncio.gather(b.stop_abandoned(), c.stop_abandoned())
    assert sorted(map(len, stopped)) == [0, 1]  # exactly one of them acted
    assert platform.commands == [PtzCommand.RIGHT, PtzCommand.STOP]
    assert audit.rows[-1][0] == "ptz.auto_stop" and audit.rows[-1][1] == "police01"
    assert await b.stop_abandoned() == []
