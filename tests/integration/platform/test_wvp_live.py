"""The BFF with BFF_PLATFORM=wvp against the WVP test double: catalogue sync in the app,
and live video from the double's network stream through the BFF's media path."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import msgspec
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from litestar.testing import AsyncTestClient
from sqlalchemy import delete, insert, select

from bff.app import create_app
from bff.catalog.models import Camera
from bff.catalog.rows import record_of
from bff.catalog.schemas import CameraRecord
from bff.catalog.sync import sync_catalogue
from bff.lib.i18n import translate
from bff.lib.settings import PlatformSettings, Settings, WvpSettings
from bff.platform.wvp import WvpPlatform
from tests.helpers import api_headers, sign_in
from tests.wvp_double import ChannelSpec, WvpDouble

PASSWORD = "Wvp#Secret-2026"
NVR = "44150200001180000001"
NEW_LOCATED = "44150200001320990001"
NEW_UNLOCATED = "44158100001320990002"
CHENGQU = {"lat": 22.7862, "lon": 115.3650}
GOVERNANCE = ("share_attr", "default_perms", "dept_code", "retention_days", "builder_unit",
              "manager_unit", "point_class", "network", "status", "civil_code", "address")


@pytest.fixture
def double() -> Iterator[WvpDouble]:
    with WvpDouble(version="2.7.3", fps=10) as running:
        yield running


def wvp_settings(settings: Settings, double: WvpDouble, **wvp: object) -> Settings:
    return msgspec.structs.replace(
        settings, platform=PlatformSettings(kind="wvp"),
        wvp=WvpSettings(url=double.url, password=PASSWORD, request_timeout_s=5.0,
                        play_timeout_s=5.0, **wvp))  # type: ignore[arg-type]


@pytest.fixture
async def restore_cameras(db) -> AsyncIterator[Callable[..., Awaitable[None]]]:
    """Remember camera rows and put them back afterwards (the PostgreSQL backend keeps
    its catalogue between tests); codes that did not exist are deleted."""
    touched: list[str] = []
    saved: list[dict[str, object]] = []

    async def remember(*codes: str) -> None:
        async with db.sessions() as session:
            cameras = (await session.scalars(select(Camera).where(Camera.device_id.in_(codes))))
            for camera in cameras.all():
                saved.append({c.key: getattr(camera, c.key) for c in Camera.__table__.columns})
        touched.extend(codes)

    yield remember
    async with db.sessions() as session, session.begin():
        await session.execute(delete(Camera).where(Camera.device_id.in_(touched)))
        if saved:
            await session.execute(insert(Camera), saved)


async def catalogue_rows(db, *codes: str) -> dict[str, CameraRecord]:
    async with db.sessions() as session:
        query = select(Camera).where(Camera.device_id.in_(codes)) if codes else select(Camera)
        return {c.device_id: record_of(c) for c in (await session.scalars(query)).all()}


async def eventually(predicate: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not await predicate():
            await asyncio.sleep(0.05)


async def test_app_syncs_the_catalogue_from_wvp(settings: Settings, double: WvpDouble, db,
                                                restore_cameras) -> None:
    async with db.sessions() as session:
        codes = (await session.scalars(select(Camera.device_id).where(Camera.status == 1)
                                       .order_by(Camera.device_id).limit(3))).all()
    await restore_cameras(*codes, NEW_LOCATED, NEW_UNLOCATED)
    before = await catalogue_rows(db, *codes)
    assert NEW_LOCATED not in before and NEW_UNLOCATED not in before
    renamed, unplaced, same = (before[c] for c in codes)
    double.add_channel(ChannelSpec(code=renamed.device_id, name="WVP 改名 球机", parent=NVR,
                                   online=renamed.online != 1, longitude=115.3701,
                                   latitude=22.7801, ptz_type=4))
    double.add_channel(ChannelSpec(code=unplaced.device_id, name=unplaced.name, parent=NVR,
                                   online=unplaced.online == 1))  # null coordinates
    double.add_channel(ChannelSpec(code=same.device_id, name=same.name, parent=NVR,
                                   online=same.online == 1, longitude=same.longitude,
                                   latitude=same.latitude))
    double.add_channel(ChannelSpec(code=NEW_LOCATED, name="平台新增 新港路", parent=NEW_LOCATED,
                                   longitude=115.3702, latitude=22.7802, ptz_type=1,
                                   civil_code="441502", address="新港路"))
    double.add_channel(ChannelSpec(code=NEW_UNLOCATED, name="平台新增 无坐标", parent=NEW_LOCATED))
    double.inject("/api/device/query/devices", status=500)  # the first round fails

    app = create_app(wvp_settings(settings, double, sync_interval_s=0.3))
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as client:
        await sign_in(client, "admin")
        headers = api_headers(client)

        async def synced() -> bool:
            answer = await client.get(f"/api/cameras/{NEW_LOCATED}", headers=headers)
            return answer.status_code == 200

        await eventually(synced)  # the in-memory catalogue was reloaded after the sync
        assert len(double.calls("/api/device/query/devices")) >= 2  # failed, then retried
        assert (await client.get("/health")).status_code == 200

        new = (await client.get(f"/api/cameras/{NEW_LOCATED}", headers=headers)).json()
        assert (new["name"], new["share_attr"], new["access"], new["camera_type"]) == (
            "平台新增 新港路", 2, "not_shared", 1)
        assert new["code_flags"] == ["not_in_catalogue"]
        changed = (await client.get(f"/api/cameras/{renamed.device_id}", headers=headers)).json()
        assert changed["name"] == "WVP 改名 球机" and changed["online"] == (renamed.online != 1)

        found = (await client.get("/api/cameras/nearby", headers=headers, params={
            **CHENGQU, "q": "平台新增", "limit": 50, "radius_m": 200_000})).json()
        assert [c["device_id"] for c in found] == [NEW_LOCATED]  # no position: not nearby
        listed = await client.get("/nearby/list", params={**CHENGQU, "q": "平台新增"},
                                  headers={"HX-Request": "true"})
        assert "目录未登记" in listed.text and "编码不规范" not in listed.text

        page = await client.get(f"/cameras/{NEW_UNLOCATED}")
        assert page.status_code == 200
        for flag in ("not_in_catalogue", "no_position"):
            assert translate(f"code_flag.{flag}") in page.text

    after = await catalogue_rows(db, *codes, NEW_LOCATED, NEW_UNLOCATED)
    merged = after[renamed.device_id]
    assert (merged.longitude, merged.latitude, merged.camera_type) == (115.3701, 22.7801, 4)
    for field in GOVERNANCE:
        assert getattr(merged, field) == getattr(renamed, field), field
    assert after[unplaced.device_id] == unplaced  # null coordinates kept the BFF's
    assert after[same.device_id] == same
    assert (after[NEW_UNLOCATED].longitude, after[NEW_UNLOCATED].latitude) == (0.0, 0.0)
    assert (after[NEW_UNLOCATED].share_attr, after[NEW_UNLOCATED].default_perms) == (2, [])

    platform = WvpPlatform(wvp_settings(settings, double).wvp)
    try:
        summary = await sync_catalogue(db, platform)
    finally:
        await platform.close()
    total = len(await catalogue_rows(db))
    assert (summary.listed, summary.updated, summary.inserted, summary.unchanged,
            summary.missing) == (5, 0, 0, 5, total - 5)


async def may_view_camera(client: AsyncTestClient) -> str:
    cameras = (await client.get("/api/cameras/nearby", params={**CHENGQU, "limit": 200},
                                headers=api_headers(client))).json()
    return next(c["device_id"] for c in cameras if c["access"] == "may_view" and c["online"])


class Phone:
    """A receiving WebRTC peer that counts decoded frames in the background."""

    def __init__(self) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.pc.addTransceiver("video", direction="recvonly")
        self.frames = 0
        self._reader: asyncio.Task[None] | None = None

        @self.pc.on("track")
        def on_track(track) -> None:
            async def read() -> None:
                with contextlib.suppress(Exception):
                    while True:
                        await track.recv()
                        self.frames += 1
            self._reader = asyncio.ensure_future(read())

    async def offer(self) -> str:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return self.pc.localDescription.sdp

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        await self.pc.close()


async def test_live_video_from_wvp_survives_a_broken_stream(settings: Settings,
                                                           double: WvpDouble) -> None:
    app = create_app(wvp_settings(settings, double, sync_interval_s=0.0))
    phone = Phone()
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as client:
        await sign_in(client, "police01")
        device_id = await may_view_camera(client)
        # WVP lists the camera; the adapter looks its parent device up on first play.
        double.add_channel(ChannelSpec(code=device_id, name="城区 摄像机", parent=NVR))
        stream = f"{NVR}_{device_id}"
        hub = app.state.services.stream_hub
        try:
            response = await client.post(f"/api/cameras/{device_id}/live",
                                         json={"sdp": await phone.offer(), "type": "offer"},
                                         headers=api_headers(client))
            assert response.status_code == 201, response.text
            answer = response.json()
            assert double.url not in answer["sdp"]  # the media URL stays inside the BFF
            await phone.pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"],
                                                                      type="answer"))

            async def live_with(frames: int) -> bool:
                stats = hub.stats(device_id)
                return stats is not None and stats.state == "live" and \
                    stats.decoded_frames >= frames

            await eventually(lambda: live_with(5))  # real frames decoded from the network
            assert stream in double.active_streams and double.media_connections == 1
            await eventually(lambda: _true(phone.frames >= 5))

            # The camera's GB session breaks: the slate shows, then the hub reconnects.
            decoded = hub.stats(device_id).decoded_frames
            assert double.kill_streams() == 1

            async def slate_shown() -> bool:
                stats = hub.stats(device_id)
                return stats.failures >= 1 and stats.slate_frames > 0

            await eventually(slate_shown)
            await eventually(lambda: live_with(decoded + 5), timeout=15)
            assert len(double.calls(f"/api/play/start/{NVR}/{device_id}")) >= 2
            stops = len(double.calls(f"/api/play/stop/{NVR}/{device_id}"))
            assert stops >= 1  # the broken session was stopped before the new INVITE
            seen = phone.frames
            await eventually(lambda: _true(phone.frames >= seen + 5))

            # The last viewer leaves: after the linger, WVP is told to stop.
            closed = await client.delete(f"/api/streams/{answer['session_id']}",
                                         headers=api_headers(client))
            assert closed.status_code == 204
            await eventually(lambda: _true(hub.stats(device_id) is None))
            await eventually(lambda: _true(
                len(double.calls(f"/api/play/stop/{NVR}/{device_id}")) == stops + 1))
            await eventually(lambda: _true(double.media_connections == 0))
            assert stream not in double.active_streams
        finally:
            await phone.close()


async def _true(value: bool) -> bool:
    return value
