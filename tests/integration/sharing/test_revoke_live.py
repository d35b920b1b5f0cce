"""Revocation during a live view: the stream ends on the server within seconds and the
viewer's page can ask why — revoked here (at once) or elsewhere (the periodic re-check)."""

from __future__ import annotations

import asyncio
import contextlib

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update

from bff.audit.models import AuditEvent
from bff.auth.models import Grant
from bff.lib.db import utcnow
from bff.lib.vocabulary import ShareAttr
from tests.helpers import api_headers, sign_in
from tests.integration.sharing.conftest import ask, cameras_for

END_WAIT_S = 15.0
"""Bound on waiting for the end (a revocation here ends the stream at once; one elsewhere
within BFF_ACCESS_RECHECK_SECONDS = 2): generous, so a loaded machine does not fail it."""


async def watch(client: AsyncTestClient, device_id: str) -> tuple[RTCPeerConnection, str,
                                                                   asyncio.Future]:
    """Open a live stream as the phone does; returns the peer, the session id and a
    future that resolves once frames arrive."""
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver("video", direction="recvonly")
    await pc.setLocalDescription(await pc.createOffer())
    frames: asyncio.Future = asyncio.get_running_loop().create_future()

    @pc.on("track")
    def on_track(track) -> None:
        async def read() -> None:
            with contextlib.suppress(Exception):
                await track.recv()
                if not frames.done():
                    frames.set_result(True)
        asyncio.ensure_future(read())

    response = await client.post(f"/api/cameras/{device_id}/live",
                                 json={"sdp": pc.localDescription.sdp, "type": "offer"},
                                 headers=api_headers(client))
    assert response.status_code == 201, response.text
    answer = response.json()
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type="answer"))
    return pc, answer["session_id"], frames


async def wait_until_closed(app: Litestar, session_id: str) -> float:
    registry = app.state.services.peer_registry
    started = asyncio.get_running_loop().time()
    while registry.session(session_id) is not None:
        elapsed = asyncio.get_running_loop().time() - started
        assert elapsed < END_WAIT_S, "the stream outlived its grant"  # bounded wait
        await asyncio.sleep(0.05)
    return asyncio.get_running_loop().time() - started


async def test_revoking_ends_the_live_view_and_says_why(client: AsyncTestClient, app: Litestar,
                                                        db) -> None:
    kitchen = cameras_for("24", ShareAttr.UNCONDITIONAL, online=True)
    await sign_in(client, "police01")
    grant = (await ask(client, kitchen)).json()["parts"][0]["grant"]
    pc, session_id, frames = await watch(client, kitchen[0])
    try:
        await asyncio.wait_for(frames, timeout=20)
        running = await client.get(f"/api/streams/{session_id}", headers=api_headers(client))
        assert running.json() == {"session_id": session_id, "state": "running",
                                  "reason": None, "message": None}
        await sign_in(client, "approver01")
        revoked = await client.post(f"/api/grants/{grant['id']}/revoke",
                                    json={"reason": "检查结束"}, headers=api_headers(client))
        assert revoked.status_code == 200
        await wait_until_closed(app, session_id)
        await sign_in(client, "police01")
        status = await client.get(f"/api/streams/{session_id}", headers=api_headers(client))
        assert status.json() == {"session_id": session_id, "state": "ended",
                                 "reason": "access_revoked",
                                 "message": "授权已被撤销，视频已停止"}
        refused = await client.post(f"/api/cameras/{kitchen[0]}/live",
                                    json={"sdp": pc.localDescription.sdp, "type": "offer"},
                                    headers=api_headers(client))
        assert refused.status_code == 403
    finally:
        await pc.close()
    async with db.sessions() as session:
        stops = (await session.scalars(select(AuditEvent).where(
            AuditEvent.action == "view.stop"))).all()
    assert [s.detail["reason"] for s in stops] == ["access_revoked"]


async def test_a_grant_ended_elsewhere_ends_the_stream_by_the_periodic_check(
        client: AsyncTestClient, app: Litestar, db) -> None:
    kitchen = cameras_for("24", ShareAttr.UNCONDITIONAL, online=True)
    await sign_in(client, "police01")
    await ask(client, kitchen)
    pc, session_id, frames = await watch(client, kitchen[0])
    try:
        await asyncio.wait_for(frames, timeout=20)
        # Another BFF process revoked it: only the shared database knows.
        async with db.sessions() as session, session.begin():
            await session.execute(update(Grant).values(revoked_at=utcnow()))
        await wait_until_closed(app, session_id)
        status = await client.get(f"/api/streams/{session_id}", headers=api_headers(client))
        assert status.json()["reason"] == "access_ended"
        assert status.json()["message"] == "您已无权查看该摄像机，视频已停止"
    finally:
        await pc.close()
