"""Helpers of the playback tests: cameras with the right permissions, and a phone that
reads each received frame's send time and recorded time from the demo picture."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

from aiortc import RTCConfiguration, RTCPeerConnection, RTCRtpSender, RTCSessionDescription
from litestar.testing import AsyncTestClient

from bff.demo.strips import read_recorded_strip, read_timestamp
from bff.media.drawing import plane_views
from tests.helpers import api_headers

CHENGQU = {"lat": 22.7862, "lon": 115.3650}


async def camera_with(client: AsyncTestClient, *, has: int | None = None,
                      lacks: int | None = None) -> str:
    """An online nearby camera whose permissions for the signed-in user include `has`
    and leave out `lacks`."""
    cameras = (await client.get("/api/cameras/nearby", params={**CHENGQU, "limit": 200},
                                headers=api_headers(client))).json()
    for camera in cameras:
        perms = camera.get("permissions") or []
        if not camera["online"] or camera["access"] in {"unavailable", "out_of_scope"}:
            continue
        if (has is None or has in perms) and (lacks is None or lacks not in perms):
            return camera["device_id"]
    raise AssertionError(f"no camera with permission {has} and without {lacks}")


def yesterday_noon() -> datetime:
    return (datetime.now(UTC) - timedelta(days=1)).replace(hour=4, minute=0, second=0,
                                                           microsecond=0)


class PlaybackPhone:
    """A receive-only peer noting (send time ms, recorded epoch s) of every frame."""

    def __init__(self) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.readings: list[tuple[int, int]] = []
        self.frames = 0

        @self.pc.on("track")
        def on_track(track) -> None:
            asyncio.ensure_future(self._read(track))

    async def _read(self, track) -> None:
        with contextlib.suppress(Exception):
            while True:
                frame = await track.recv()
                self.frames += 1
                y = plane_views(frame)[0] if frame.format.name == "yuv420p" else (
                    plane_views(frame.reformat(format="yuv420p"))[0])
                stamp, recorded = read_timestamp(y), read_recorded_strip(y)
                if stamp is not None and recorded is not None:
                    self.readings.append((stamp, recorded))

    async def offer(self) -> str:
        transceiver = self.pc.addTransceiver("video", direction="recvonly")
        codecs = RTCRtpSender.getCapabilities("video").codecs
        transceiver.setCodecPreferences([c for c in codecs if c.name in ("H264", "rtx")])
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return self.pc.localDescription.sdp

    async def accept(self, answer: dict) -> None:
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"],
                                                                 type=answer["type"]))

    async def readings_after(self, count: int, timeout: float = 20.0) -> list[tuple[int, int]]:
        """Wait (bounded) for `count` more readable frames; return them."""
        first = len(self.readings)
        async with asyncio.timeout(timeout):
            while len(self.readings) < first + count:
                await asyncio.sleep(0.05)
        return self.readings[first:]

    async def close(self) -> None:
        await self.pc.close()


def rate(readings: list[tuple[int, int]]) -> float:
    """Recorded seconds per wall second between the first and last reading."""
    (stamp0, rec0), (stamp1, rec1) = readings[0], readings[-1]
    return (rec1 - rec0) / ((stamp1 - stamp0) / 1000)
