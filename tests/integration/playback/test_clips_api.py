"""Clip downloads against the demo platform: the MP4 is decoded and its duration, codec
profile, recorded moments and burnt-in watermark checked; the link is only for its owner
and only until it expires; limits and refusals answer in the user's language."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import av
import msgspec
import numpy as np
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import update

from bff.demo.strips import read_recorded_strip
from bff.demo.video import DemoPicture, PlaybackLabel
from bff.lib.settings import PlaybackSettings, Settings
from bff.media.drawing import plane_views
from bff.playback.models import Clip
from bff.playback.watermark import playback_identity
from bff.webrtc.viewers import ViewerIdentity
from bff.webrtc.watermark import WatermarkMask, WatermarkRenderer
from tests.helpers import api_headers, sign_in
from tests.integration.playback.support import camera_with, yesterday_noon

POLICE01 = {"username": "police01", "display_name": "陈志强", "staff_no": "J441502017"}


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    settings.playback = PlaybackSettings(clip_dir=str(tmp_path / "clips"), clip_link_minutes=30)
    return settings


async def gapless_start(client: AsyncTestClient, device_id: str, seconds: int) -> datetime:
    """A moment yesterday from which the camera recorded `seconds` without a gap."""
    start = yesterday_noon()
    body = (await client.get(f"/api/cameras/{device_id}/recordings",
                             params={"start": start.isoformat(),
                                     "end": (start + timedelta(hours=6)).isoformat()},
                             headers=api_headers(client))).json()
    for segment in body["segments"]:
        begin, end = (datetime.fromisoformat(segment["start"]),
                      datetime.fromisoformat(segment["end"]))
        if (end - begin).total_seconds() >= seconds + 2:
            return begin.replace(microsecond=0) + timedelta(seconds=1)
    raise AssertionError("no gapless stretch")


async def wait_ready(client: AsyncTestClient, clip_id: str) -> dict:
    async with asyncio.timeout(60):
        while True:
            status = (await client.get(f"/api/clips/{clip_id}", headers=api_headers(client))).json()
            assert status["state"] in {"queued", "running", "ready"}, status
            if status["state"] == "ready":
                return status
            assert status["download_url"] is None
            await asyncio.sleep(0.1)


def mismatch(y: np.ndarray, plain: np.ndarray, viewer: ViewerIdentity | None,
             recorded: datetime, renderer: WatermarkRenderer) -> float:
    """Mean luma difference between a clip frame and the demo picture of the same recorded
    moment carrying `viewer`'s mark (None: no mark), above the bottom strips (the send-time
    strip differs by nature)."""
    expected = plain.copy()
    if viewer is not None:
        mask = renderer.render(playback_identity(viewer, recorded, renderer._tz,
                                                 with_time=False), int(recorded.timestamp()))
        mask.apply(expected, WatermarkMask.scratch_for(expected.shape[1], expected.shape[0]))
    rows = slice(0, expected.shape[0] - 16)
    return float(np.abs(y[rows].astype(np.int16) - expected[rows].astype(np.int16)).mean())


async def test_clip_is_a_watermarked_phone_mp4(client: AsyncTestClient, app: Litestar,
                                               settings: Settings, db) -> None:
    await sign_in(client, "police01")
    device_id = await camera_with(client, has=3)
    start = await gapless_start(client, device_id, 20)
    created = await client.post(f"/api/cameras/{device_id}/clips",
                                json={"start": start.isoformat(),
                                      "end": (start + timedelta(seconds=20)).isoformat()},
                                headers=api_headers(client))
    assert created.status_code == 202, created.text
    clip_id = created.json()["id"]
    status = await wait_ready(client, clip_id)
    assert status["download_url"] == f"/api/clips/{clip_id}/download"
    assert status["expires_at"] and status["size_bytes"] > 0

    download = await client.get(status["download_url"], headers=api_headers(client))
    assert download.status_code == 200 and download.headers["content-type"] == "video/mp4"
    path = Path(settings.playback.clip_dir) / "downloaded.mp4"
    path.write_bytes(download.content)
    # faststart: the index (moov) comes before the media data (mdat).
    assert download.content.find(b"moov") < download.content.find(b"mdat")

    renderer = WatermarkRenderer(settings.webrtc)
    viewer = ViewerIdentity(user_id=0, **POLICE01)
    stranger = ViewerIdentity(user_id=0, username="water01", display_name="黄海涛",
                              staff_no="S441500031")
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.profile in {"Baseline", "Constrained Baseline"}
        assert stream.codec_context.pix_fmt == "yuv420p"
        frames = list(container.decode(stream))
    fps = settings.webrtc.fps
    assert abs(len(frames) - 20 * fps) <= 1
    assert abs(float(frames[-1].time) + 1 / fps - 20) <= 0.1
    camera = await client.get(f"/api/cameras/{device_id}", headers=api_headers(client))
    name = camera.json()["name"]
    picture = DemoPicture(device_id, name, 640, 360, settings.webrtc.watermark_font)
    for index in (0, len(frames) // 2, len(frames) - 1):
        y = plane_views(frames[index])[0]
        recorded = start + timedelta(seconds=index / fps)
        assert abs(read_recorded_strip(y) - recorded.timestamp()) <= 1
        plain = plane_views(picture.render(0, playback=PlaybackLabel(recorded.timestamp())))[0]
        mine = mismatch(y, plain, viewer, recorded, renderer)
        assert mine < 5, mine  # what is left is the encoder's loss
        # Another viewer's mark, or none, explains the picture much worse.
        assert mine * 1.5 < mismatch(y, plain, stranger, recorded, renderer)
        assert mine * 1.5 < mismatch(y, plain, None, recorded, renderer)
    # Someone else cannot see or fetch it.
    await sign_in(client, "water01")
    assert (await client.get(f"/api/clips/{clip_id}", headers=api_headers(client))).status_code == 404
    assert (await client.get(status["download_url"], headers=api_headers(client))).status_code == 404


async def test_link_expires_and_file_is_removed(client: AsyncTestClient, settings: Settings,
                                                db) -> None:
    await sign_in(client, "police01")
    device_id = await camera_with(client, has=3)
    start = await gapless_start(client, device_id, 3)
    created = await client.post(f"/api/cameras/{device_id}/clips",
                                json={"start": start.isoformat(),
                                      "end": (start + timedelta(seconds=3)).isoformat()},
                                headers=api_headers(client))
    clip_id = created.json()["id"]
    await wait_ready(client, clip_id)
    clip_file = Path(settings.playback.clip_dir) / f"{clip_id}.mp4"
    assert clip_file.is_file()
    # Move the link's clock, not the test's: the row's expiry is put in the past.
    async with db.sessions() as session, session.begin():
        await session.execute(update(Clip).where(Clip.id == clip_id).values(
            expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    status = (await client.get(f"/api/clips/{clip_id}", headers=api_headers(client))).json()
    assert status["state"] == "expired" and status["download_url"] is None
    assert not clip_file.exists()
    gone = await client.get(f"/api/clips/{clip_id}/download", headers=api_headers(client))
    assert gone.status_code == 410 and gone.json()["error"] == "clips.expired"


async def test_clip_refusals_and_limits(client: AsyncTestClient, app: Litestar) -> None:
    await sign_in(client, "police01")
    device_id = await camera_with(client, has=3)
    headers = api_headers(client)
    url = f"/api/cameras/{device_id}/clips"
    start = yesterday_noon()
    too_long = await client.post(url, json={"start": start.isoformat(),
                                            "end": (start + timedelta(minutes=11)).isoformat()},
                                 headers=headers)
    assert too_long.status_code == 422
    assert too_long.json() == {"error": "clips.too_long", "message": "一次最多下载 10 分钟"}
    backwards = await client.post(url, json={"start": start.isoformat(),
                                             "end": (start - timedelta(minutes=1)).isoformat()},
                                  headers=headers)
    assert backwards.status_code == 400
    no_perm = await camera_with(client, lacks=3)
    refused = await client.post(f"/api/cameras/{no_perm}/clips",
                                json={"start": start.isoformat(),
                                      "end": (start + timedelta(minutes=1)).isoformat()},
                                headers=headers)
    assert refused.status_code == 403 and refused.json()["error"] == "clips.forbidden"

    first = await client.post(url, json={"start": start.isoformat(),
                                         "end": (start + timedelta(minutes=10)).isoformat()},
                              headers=headers)
    assert first.status_code == 202
    second = await client.post(url, json={"start": start.isoformat(),
                                          "end": (start + timedelta(minutes=1)).isoformat()},
                               headers=headers)
    assert second.status_code == 429 and second.json()["error"] == "clips.too_many_user"
    app.state.services.clip_service._settings = msgspec.structs.replace(
        app.state.services.clip_service._settings, clip_quota_mb=0.001, clip_max_per_user=5)
    full = await client.post(url, json={"start": start.isoformat(),
                                        "end": (start + timedelta(minutes=1)).isoformat()},
                             headers=headers)
    assert full.status_code == 507 and full.json()["error"] == "clips.quota"
    missing = await client.get("/api/clips/does-not-exist", headers=headers)
    assert missing.status_code == 404
