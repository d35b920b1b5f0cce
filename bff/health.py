"""Liveness and readiness."""

from __future__ import annotations

import msgspec
from litestar import get
from sqlalchemy import text

from bff.catalog.services import CatalogService
from bff.lib.db import Database
from bff.lib.stores import Stores
from bff.webrtc.registry import PeerRegistry


class Health(msgspec.Struct, kw_only=True):
    status: str
    database: str
    redis: str
    """"ok", "unavailable", or "not used" (the embedded default keeps stores in memory)."""
    cameras: int
    streams: int
    version: str


@get("/health", name="health", exclude_from_csrf=True, cache=False)
async def health(database: Database, stores: Stores, catalog: CatalogService,
                 peer_registry: PeerRegistry) -> Health:
    """200 with the state of the database, Redis, the catalogue and open streams."""
    database_state = "ok"
    try:
        async with database.sessions() as session:
            await session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not ok", reported not raised
        database_state = "unavailable"
    redis = "not used"
    if stores.redis is not None:
        try:
            await stores.redis.ping()
            redis = "ok"
        except Exception:  # noqa: BLE001 - reported, not raised
            redis = "unavailable"
    healthy = database_state == "ok" and redis != "unavailable"
    return Health(status="ok" if healthy else "degraded", database=database_state, redis=redis,
                  cameras=catalog.size, streams=peer_registry.open_count, version="0.1.0")
