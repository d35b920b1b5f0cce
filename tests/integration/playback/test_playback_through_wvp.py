"""Playback with BFF_PLATFORM=wvp against the WVP test double: recordings as WVP lists
them, the playback served as a real network stream (the double's media server) through
the BFF's watermarked WebRTC path, controls and the stop reaching WVP."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import av
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from litestar.testing import AsyncTestClient

from bff.app import create_app
from bff.lib.settings import PlaybackSettings, Settings
from tests.helpers import api_headers, sign_in
from tests.integration.platform.test_wvp_live import NVR, wvp_settings
from tests.integration.playback.support import camera_with, yesterday_noon
from tests.wvp_double import ChannelSpec, WvpDouble


@pytest.fixture
def double() -> Iterator[WvpDouble]:
    with WvpDouble(version="2.7.3", fps=10) as running:
        yield running


async def test_wvp_playback_streams_controls_and_stops(settings: Settings,
                                                       double: WvpDouble) -> None:
    app = create_app(wvp_settings(settings, double, sync_interval_s=0.0))
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver("video", direction="recvonly")
    frames = [0]

    @pc.on("track")
    def on_track(track) -> None:
        async def read() -> None:
            while True:
                await track.recv()
                frames[0] += 1
        asyncio.ensure_future(read())

    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as client:
        await sign_in(client, "police01")
        device_id = await camera_with(client, has=2)
        double.add_channel(ChannelSpec(code=device_id, name="城区 回放", parent=NVR))
        headers = api_headers(client)
        start = yesterday_noon()
        listed = await client.get(f"/api/cameras/{device_id}/recordings",
                                  params={"start": start.isoformat(),
                                          "end": (start + timedelta(hours=2)).isoformat()},
                                  headers=headers)
        assert listed.status_code == 200, listed.text
        segments = listed.json()["segments"]
        assert len(segments) == 4  # the double's 25-minute files, 5-minute gaps
        try:
            await pc.setLocalDescription(await pc.createOffer())
            response = await client.post(f"/api/cameras/{device_id}/playback",
                                         json={"sdp": pc.localDescription.sdp, "type": "offer",
                                               "start": start.isoformat()}, headers=headers)
            assert response.status_code == 201, response.text
            answer = response.json()
            assert double.url not in answer["sdp"]
            await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"],
                                                                type="answer"))
            async with asyncio.timeout(20):
                while frames[0] < 5:  # decoded from the double's network stream
                    await asyncio.sleep(0.05)
            (stream,) = double.playbacks
            control = f"/api/streams/{answer['session_id']}/control"
            paused = await client.post(control, json={"action": "pause"}, headers=headers)
            assert paused.status_code == 200 and paused.json()["paused"] is True
            target = start + timedelta(minutes=10)
            sought = await client.post(control, json={"action": "seek", "at": target.isoformat()},
                                       headers=headers)
            assert sought.status_code == 200
            fast = await client.post(control, json={"action": "speed", "speed": 2},
                                     headers=headers)
            assert fast.status_code == 200
            assert ("pause", stream, None) in double.playback_commands
            assert ("seek", stream, "600") in double.playback_commands
            assert ("speed", stream, "2") in double.playback_commands
            closed = await client.delete(f"/api/streams/{answer['session_id']}",
                                         headers=headers)
            assert closed.status_code == 204
            async with asyncio.timeout(10):
                while stream in double.playbacks:
                    await asyncio.sleep(0.05)
        finally:
            await pc.close()

        double.inject("/api/gb_record/query", status=500)
        failing = await client.get(f"/api/cameras/{device_id}/recordings",
                                   params={"start": start.isoformat(),
                                           "end": (start + timedelta(hours=1)).isoformat()},
                                   headers=headers)
        assert failing.status_code == 502
        assert failing.json()["error"] == "playback.platform_failed"
        double.play_result = "timeout"  # WVP: 点播超时
        late = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        late.addTransceiver("video", direction="recvonly")
        try:
            await late.setLocalDescription(await late.createOffer())
            timed_out = await client.post(f"/api/cameras/{device_id}/playback",
                                          json={"sdp": late.localDescription.sdp,
                                                "type": "offer", "start": start.isoformat()},
                                          headers=headers)
        finally:
            await late.close()
        assert timed_out.status_code == 504
        assert timed_out.json()["message"] == "视频平台响应超时，请稍后再试"
        assert app.state.services.peer_registry.open_count == 0


async def test_wvp_clip_is_read_from_the_playback_stream(settings: Settings, double: WvpDouble,
                                                         tmp_path) -> None:
    settings.playback = PlaybackSettings(clip_dir=str(tmp_path / "clips"))
    app = create_app(wvp_settings(settings, double, sync_interval_s=0.0))
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as client:
        await sign_in(client, "police01")
        device_id = await camera_with(client, has=3)
        double.add_channel(ChannelSpec(code=device_id, name="城区 下载", parent=NVR))
        headers = api_headers(client)
        start = yesterday_noon()
        created = await client.post(f"/api/cameras/{device_id}/clips",
                                    json={"start": start.isoformat(),
                                          "end": (start + timedelta(seconds=3)).isoformat()},
                                    headers=headers)
        assert created.status_code == 202, created.text
        async with asyncio.timeout(30):
            while True:
                status = (await client.get(f"/api/clips/{created.json()['id']}",
                                           headers=headers)).json()
                assert status["state"] != "failed", status
                if status["state"] == "ready":
                    break
                await asyncio.sleep(0.1)
        body = (await client.get(status["download_url"], headers=headers)).content
        async with asyncio.timeout(10):
            while double.playbacks:  # the export's playback was stopped
                await asyncio.sleep(0.05)
    path = tmp_path / "clip.mp4"
    path.write_bytes(body)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = list(container.decode(stream))
    assert stream.codec_context.name == "h264" and frames
    assert 2.0 <= float(frames[-1].time) <= 3.5
