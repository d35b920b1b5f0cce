"""Two copies of one event inserted at the same moment: the unique constraint lets one
win, the other is answered as a duplicate of it (both backends, the service itself so
the copies really interleave on one event loop)."""

from __future__ import annotations

import asyncio
import time

import msgspec
import pytest
from sqlalchemy import func, select

from bff.alerts.models import Alert, AlertOutbox
from bff.alerts.sender import signed_headers
from bff.alerts.services import AlertService, SignedRequest
from bff.audit.services import AuditLog
from bff.catalog.services import CatalogService
from bff.lib.db import create_database
from bff.lib.ratelimit import RateLimiter
from bff.lib.settings import Settings
from tests.integration.alerts.conftest import SECRET, SOURCE, event


async def test_racing_copies_store_one_alert(settings: Settings,
                                             caplog: pytest.LogCaptureFixture) -> None:
    database = create_database(settings.database)
    try:
        catalog = CatalogService(database)
        await catalog.load()
        service = AlertService(settings.alerts, database, catalog, AuditLog(database),
                               RateLimiter(100, 60))
        body = msgspec.json.encode(event("race"))
        headers = signed_headers(SOURCE, SECRET, body, timestamp=int(time.time()))
        request = SignedRequest(source=headers["x-alert-source"],
                                timestamp=headers["x-alert-timestamp"],
                                signature=headers["x-alert-signature"], body=body)
        caplog.set_level("INFO", logger="bff.alerts.services")
        results = await asyncio.gather(*(service.ingest(request) for _ in range(4)))
        assert sorted(r.duplicate for r in results) == [False, True, True, True]
        assert len({r.alert_id for r in results}) == 1
        async with database.sessions() as db:
            assert await db.scalar(select(func.count()).select_from(Alert)) == 1
            assert await db.scalar(select(func.count()).select_from(AlertOutbox)) == 1
        assert "stored first" in caplog.text  # the integrity-error path, not the pre-check
    finally:
        await database.close()
