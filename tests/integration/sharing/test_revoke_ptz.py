"""Revocation during PTZ control: the running move stops at once and further commands
are refused."""

from __future__ import annotations

import asyncio

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update

from bff.audit.models import AuditEvent
from bff.auth.models import Grant
from bff.lib.db import utcnow
from bff.lib.settings import PtzSettings, Settings
from bff.lib.vocabulary import ShareAttr
from tests.helpers import api_headers, sign_in
from tests.integration.sharing.conftest import ask, cameras_for

STOP_WAIT_S = 15.0


async def stopped_move(ptz, device_id: str, db) -> AuditEvent:  # noqa: ANN001
    """Wait (bounded) until the camera is let go and its auto-stop entry committed (in
    that order), and return the entry."""
    deadline = asyncio.get_running_loop().time() + STOP_WAIT_S
    stop = None
    while device_id in ptz.watched_cameras or stop is None:
        assert asyncio.get_running_loop().time() < deadline, "the move outlived its grant"
        await asyncio.sleep(0.05)
        async with db.sessions() as session:
            stop = await session.scalar(select(AuditEvent).where(
                AuditEvent.action == "ptz.auto_stop"))
    return stop


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A safety stop far away, so only the revocation can stop the move."""
    settings.ptz = PtzSettings(rate=100, rate_window_s=3600, watchdog_s=60)
    return settings


async def test_revoking_stops_the_move_and_refuses_the_next(client: AsyncTestClient,
                                                           app: Litestar,
                                                           db) -> None:
    dome = cameras_for("99", ShareAttr.UNCONDITIONAL, online=True, camera_types=(1, 4))
    await sign_in(client, "police01")
    grant = (await ask(client, dome, [1, 4])).json()["parts"][0]["grant"]
    moved = await client.post(f"/api/cameras/{dome[0]}/ptz", json={"command": "left"},
                              headers=api_headers(client))
    assert moved.status_code == 200, moved.text
    ptz = app.state.services.ptz_service
    assert dome[0] in ptz.watched_cameras
    await sign_in(client, "admin")
    revoked = await client.post(f"/api/grants/{grant['id']}/revoke",
                                json={"reason": "行动结束"}, headers=api_headers(client))
    assert revoked.status_code == 200
    stop = await stopped_move(ptz, dome[0], db)
    assert stop.detail["reason"] == "access_revoked"
    assert stop.actor == "police01"
    await sign_in(client, "police01")
    again = await client.post(f"/api/cameras/{dome[0]}/ptz", json={"command": "left"},
                              headers=api_headers(client))
    assert again.status_code == 403


async def test_a_grant_ended_elsewhere_stops_the_move_by_the_periodic_check(
        client: AsyncTestClient, app: Litestar, db) -> None:
    dome = cameras_for("99", ShareAttr.UNCONDITIONAL, online=True, camera_types=(1, 4))
    await sign_in(client, "police01")
    await ask(client, dome, [1, 4])
    moved = await client.post(f"/api/cameras/{dome[0]}/ptz", json={"command": "up"},
                              headers=api_headers(client))
    assert moved.status_code == 200, moved.text
    ptz = app.state.services.ptz_service
    async with db.sessions() as session, session.begin():  # another process revoked it
        await session.execute(update(Grant).values(revoked_at=utcnow()))
    stop = await stopped_move(ptz, dome[0], db)
    assert stop.detail["reason"] == "access_ended"
