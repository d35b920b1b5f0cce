"""Key-value stores for sessions, login failures and rate limits: in memory by default,
Redis when configured (shared by every BFF process)."""

from __future__ import annotations

from dataclasses import dataclass, field

from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from redis.asyncio import Redis

from bff.lib.settings import RedisSettings

STORE_NAMES = ("sessions", "auth", "rate_limit", "ptz")


@dataclass
class Stores:
    """The named stores and the Redis client behind them, if any."""

    by_name: dict[str, Store]
    redis: Redis | None = field(default=None)

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()


def build_stores(settings: RedisSettings) -> Stores:
    if not settings.url:
        return Stores(by_name={name: MemoryStore() for name in STORE_NAMES})
    redis = Redis.from_url(settings.url, socket_connect_timeout=5, socket_timeout=5,
                           health_check_interval=30)
    root = RedisStore(redis=redis, namespace=settings.key_prefix, handle_client_shutdown=False)
    return Stores(by_name={name: root.with_namespace(name) for name in STORE_NAMES}, redis=redis)
