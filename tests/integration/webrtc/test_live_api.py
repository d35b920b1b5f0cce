"""Live view over HTTP signalling with a real aiortc peer as the phone."""

from __future__ import annotations

import asyncio
import contextlib

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from bff.audit.models import AuditEvent
from bff.lib.settings import Settings
from tests.helpers import api_headers, sealed_audit, sign_in

CHENGQU = {"lat": 22.7862, "lon": 115.3650}


async def camera_for(client: AsyncTestClient, access: str) -> str:
    cameras = (await client.get("/api/cameras/nearby", params={**CHENGQU, "limit": 200},
                                headers=api_headers(client))).json()
    for camera in cameras:
        if camera["access"] == access and camera["online"]:
            return camera["device_id"]
    raise AssertionError(f"no online camera with access {access}")


async def offer_sdp() -> tuple[RTCPeerConnection, str]:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver("video", direction="recvonly")
    await pc.setLocalDescription(await pc.createOffer())
    return pc, pc.localDescription.sdp


async def actions(db) -> list[str]:  # noqa: ANN001
    async with db.sessions() as session:
        return list((await session.scalars(select(AuditEvent.action).order_by(AuditEvent.id))).all())


async def test_live_stream_frames_audit_and_close(client: AsyncTestClient, app: Litestar,
                                                  db, settings: Settings) -> None:  # noqa: ANN001
    await sign_in(client, "police01")
    device_id = await camera_for(client, "may_view")
    pc, sdp = await offer_sdp()
    received: asyncio.Future = asyncio.get_running_loop().create_future()

    @pc.on("track")
    def on_track(track) -> None:  # noqa: ANN001
        async def read() -> None:
            frames = []
            with contextlib.suppress(Exception):
                while len(frames) < 5:
                    frames.append(await track.recv())
            if not received.done():
                received.set_result(frames)
        asyncio.ensure_future(read())

    try:
        response = await client.post(f"/api/cameras/{device_id}/live",
                                     json={"sdp": sdp, "type": "offer"}, headers=api_headers(client))
        assert response.status_code == 201, response.text
        answer = response.json()
        assert answer["type"] == "answer" and answer["codec"] in {"H264", "VP8"}
        assert "rtsp://" not in answer["sdp"] and "demo://" not in answer["sdp"]
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type="answer"))
        frames = await asyncio.wait_for(received, timeout=20)
        assert len(frames) == 5 and frames[0].width == 640 and frames[0].height == 360
        assert app.state.services.peer_registry.open_count == 1
        closed = await client.delete(f"/api/streams/{answer['session_id']}", headers=api_headers(client))
        assert closed.status_code == 204
        assert app.state.services.peer_registry.open_count == 0
        again = await client.delete(f"/api/streams/{answer['session_id']}", headers=api_headers(client))
        assert again.status_code == 404
    finally:
        await pc.close()
    for _ in range(50):
        if "view.stop" in await actions(db):
            break
        await asyncio.sleep(0.1)
    logged = await actions(db)
    assert "view.start" in logged and "view.stop" in logged
    assert (await sealed_audit(settings, db).verify()).intact


async def test_no_stream_without_permission(client: AsyncTestClient, app: Litestar,
                                            db) -> None:  # noqa: ANN001
    await sign_in(client, "police01")
    device_id = await camera_for(client, "request")
    pc, sdp = await offer_sdp()
    try:
        response = await client.post(f"/api/cameras/{device_id}/live",
                                     json={"sdp": sdp, "type": "offer"}, headers=api_headers(client))
    finally:
        await pc.close()
    assert response.status_code == 403
    assert response.json() == {"error": "live.forbidden", "message": "您无权查看该摄像机"}
    assert app.state.services.peer_registry.open_count == 0
    assert "view.denied" in await actions(db)


async def test_bad_requests_leave_nothing_open(client: AsyncTestClient, app: Litestar) -> None:
    await sign_in(client, "police01")
    device_id = await camera_for(client, "may_view")
    headers = api_headers(client)
    unknown = await client.post("/api/cameras/44150200001319999999/live",
                                json={"sdp": "v=0", "type": "offer"}, headers=headers)
    assert unknown.status_code == 404 and unknown.json()["message"] == "摄像机不存在"
    garbage = await client.post(f"/api/cameras/{device_id}/live",
                                json={"sdp": "this is not sdp", "type": "offer"}, headers=headers)
    assert garbage.status_code == 400 and garbage.json()["error"] == "live.invalid_offer"
    wrong_type = await client.post(f"/api/cameras/{device_id}/live",
                                   json={"sdp": "v=0", "type": "answer"}, headers=headers)
    assert wrong_type.status_code == 400 and wrong_type.json()["error"] == "bad_request"
    extra = await client.post(f"/api/cameras/{device_id}/live",
                              json={"sdp": "v=0", "type": "offer", "url": "rtsp://x"}, headers=headers)
    assert extra.status_code == 400
    no_csrf = await client.post(f"/api/cameras/{device_id}/live",
                                json={"sdp": "v=0", "type": "offer"},
                                headers={"accept": "application/json"})
    assert no_csrf.status_code == 403 and no_csrf.json()["error"] == "auth.csrf"
    assert app.state.services.peer_registry.open_count == 0


async def test_too_many_streams_per_user(client: AsyncTestClient, app: Litestar) -> None:
    await sign_in(client, "police01")
    device_id = await camera_for(client, "may_view")
    limit = app.state.services.peer_registry.max_streams_per_user
    peers = []
    try:
        for _ in range(limit):
            pc, sdp = await offer_sdp()
            peers.append(pc)
            ok = await client.post(f"/api/cameras/{device_id}/live",
                                   json={"sdp": sdp, "type": "offer"}, headers=api_headers(client))
            assert ok.status_code == 201
        pc, sdp = await offer_sdp()
        peers.append(pc)
        refused = await client.post(f"/api/cameras/{device_id}/live",
                                    json={"sdp": sdp, "type": "offer"}, headers=api_headers(client))
        assert refused.status_code == 429
        assert refused.json()["error"] == "live.too_many_user"
        assert f"{limit}" in refused.json()["message"]
        assert app.state.services.peer_registry.open_count == limit
    finally:
        for pc in peers:
            await pc.close()
