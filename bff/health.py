"""Liveness and readiness."""

from __future__ import annotations

import msgspec
from litestar import get
from litestar.datastructures import State
from sqlalchemy import text


class Health(msgspec.Struct, kw_only=True):
    status: str
    database: str
    redis: str
    """"ok", "unavailable", or "not used" (the embedded default keeps stores in memory)."""
    cameras: int
    streams: int
    version: str


@get("/health", name="health", exclude_from_csrf=True, cache=False)
async def health(state: State) -> Health:
    """200 with the state of the database, Redis, the catalogue and open streams."""
    database = "ok"
    try:
        async with state.database.sessions() as session:
            await session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not ok", reported not raised
        database = "unavailable"
    redis = "not used"
    if state.stores.redis is not None:
        try:
            await state.stores.redis.ping()
            redis = "ok"
        except Exception:  # noqa: BLE001 - reported, not raised
            redis = "unavailable"
    healthy = database == "ok" and redis != "unavailable"
    return Health(status="ok" if healthy else "degraded", database=database, redis=redis,
                  cameras=state.catalog.size, streams=state.peer_registry.open_count,
                  version="0.1.0")
