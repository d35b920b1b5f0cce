"""Two Redis clients (two BFF processes) on the suite's Redis, in a namespace of their own
that is removed afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis


@pytest.fixture
async def redis_pair() -> AsyncIterator[tuple[Redis, Redis, str]]:
    url = os.environ.get("BFF_TEST_REDIS_URL")
    if not url:
        pytest.skip("BFF_TEST_REDIS_URL not set (scripts/test sets it)")
    namespace = f"bfftest-{uuid.uuid4().hex[:8]}"
    one, two = Redis.from_url(url), Redis.from_url(url)
    yield one, two, namespace
    keys = [k async for k in one.scan_iter(match=f"{namespace}*")]
    if keys:
        await one.delete(*keys)
    await one.aclose()
    await two.aclose()
