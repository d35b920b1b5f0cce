"""Helpers of the live-video tests: a fake platform boundary, viewers, and "phones" —
real aiortc peers that offer, receive and decode video over loopback."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import av
import numpy as np
from aiortc import (
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
)

from bff.demo.video import DEMO_SCHEME, DemoLiveSource, demo_live_url
from bff.lib.settings import WebRTCSettings
from bff.media.sources import MediaSource, SchemeOpener
from bff.platform.base import PlatformError
from bff.webrtc.registry import StreamSession, ViewerIdentity

CAMERA = "44150200001310000001"
OTHER_CAMERA = "44150200001310000002"
CAMERA_NAMES = {CAMERA: "城区 海滨大道 易涝点 1号", OTHER_CAMERA: "海丰县 红场路 2号"}

ZHANG = ViewerIdentity(user_id=1, username="zhangwei", display_name="张伟", staff_no="044127")
LI = ViewerIdentity(user_id=2, username="linxiaomei", display_name="林小梅",
                    staff_no="WG-20931")


class FakePlatform:
    """Test double of the platform boundary: demo URLs, or whatever `urls` says; a device
    listed in `failing` makes `start_live` raise."""

    def __init__(self) -> None:
        self.urls: dict[str, str] = {}
        self.failing: set[str] = set()
        self.started: list[str] = []
        self.stopped: list[str] = []

    def catalogue(self):  # noqa: ANN201 - not used by the media path
        raise NotImplementedError

    async def start_live(self, device_id: str) -> str:
        self.started.append(device_id)
        if device_id in self.failing:
            raise PlatformError("platform refused the stream")
        return self.urls.get(device_id) or demo_live_url(
            device_id, CAMERA_NAMES.get(device_id, device_id))

    async def stop_live(self, device_id: str) -> None:
        self.stopped.append(device_id)

    def media_openers(self) -> Mapping[str, SchemeOpener]:
        """Demo URLs open as the demo's synthetic live picture (no PTZ head)."""

        async def open_demo(url: str, settings: WebRTCSettings) -> MediaSource:
            return DemoLiveSource(url, settings)

        return {DEMO_SCHEME: open_demo}

    async def close(self) -> None:
        return None


async def eventually(predicate: Callable[[], bool], timeout: float = 10.0,
                     step: float = 0.05) -> None:
    """Wait (bounded) until `predicate()` holds."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(step)


class Phone:
    """A receiving peer as a phone would be: recvonly video, no STUN, decodes frames."""

    def __init__(self) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.frames: list[av.VideoFrame] = []
        self.keep = 0  # how many decoded frames to keep (the rest are only counted)
        self.received = 0
        self._reader: asyncio.Task | None = None

        @self.pc.on("track")
        def on_track(track) -> None:  # noqa: ANN001
            self._reader = asyncio.ensure_future(self._read(track))

    async def _read(self, track) -> None:  # noqa: ANN001
        with contextlib.suppress(Exception):
            while True:
                frame = await track.recv()
                self.received += 1
                if len(self.frames) < self.keep:
                    self.frames.append(frame)

    async def offer(self, codecs: Sequence[str] = ("VP8", "H264")) -> str:
        """Create the offer; `codecs` in the phone's order of preference."""
        transceiver = self.pc.addTransceiver("video", direction="recvonly")
        capabilities = RTCRtpSender.getCapabilities("video").codecs
        preferred = [c for name in codecs for c in capabilities if c.name == name]
        preferred += [c for c in capabilities if c.name == "rtx"]
        transceiver.setCodecPreferences(preferred)
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return self.pc.localDescription.sdp

    async def accept(self, session: StreamSession) -> None:
        await self.pc.setRemoteDescription(
            RTCSessionDescription(sdp=session.answer_sdp, type=session.answer_type))

    async def collect(self, count: int, timeout: float = 15.0) -> list[av.VideoFrame]:
        """Keep the next `count` decoded frames (bounded wait)."""
        self.frames, self.keep = [], count
        await eventually(lambda: len(self.frames) >= count, timeout)
        return self.frames

    async def close(self) -> None:
        await self.pc.close()
        if self._reader is not None:
            self._reader.cancel()


def make_clip(path: Path, frames: int = 20, rate: int = 25, size: tuple[int, int] = (320, 240)
              ) -> Path:
    """A small H.264 file of a different size than the settings (so it gets scaled)."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=rate)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for i in range(frames):
            image = np.full((size[1], size[0], 3), (i * 12) % 256, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
