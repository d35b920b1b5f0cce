"""(c) An out-of-the-box aiortc relay, for the aiortc_ratio: one `MediaRelay` of the same
demo camera at 15 fps, aiortc's default encoders, and a Pillow-drawn watermark per viewer
per frame; measured by the same two-process harness as our pipeline."""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import time

from bench.app_process import pin

from .common import CAMERA_NAME, DEVICE_ID, SENDER_CORE, bench_settings, viewer
from .harness import report_relay, serve_until_quit


def aiortc_sender(port_queue: mp.Queue) -> None:
    pin(SENDER_CORE)

    async def serve() -> None:
        import fractions

        import av
        from aiortc import (
            MediaStreamTrack,
            RTCConfiguration,
            RTCPeerConnection,
            RTCSessionDescription,
        )
        from aiortc import sdp as aiortc_sdp
        from aiortc.contrib.media import MediaRelay
        from PIL import ImageDraw

        from bff.demo.video import DemoLiveSource, demo_live_url
        from bff.media.drawing import find_font, load_font
        from bff.webrtc.ice import configure_ice_host_addresses

        settings = bench_settings()
        # Loopback needs 127.0.0.1 as a host candidate; nothing else is changed.
        configure_ice_host_addresses(["127.0.0.1"])
        font = load_font(find_font(""), 18)

        class SourceTrack(MediaStreamTrack):
            """The same demo picture, 15 frames/s."""

            kind = "video"

            def __init__(self) -> None:
                super().__init__()
                self._source = DemoLiveSource(demo_live_url(DEVICE_ID, CAMERA_NAME), settings)
                self._start = time.monotonic()

            async def recv(self) -> av.VideoFrame:
                frame = await anext(self._source)
                frame.pts = int((time.monotonic() - self._start) * 90_000)
                frame.time_base = fractions.Fraction(1, 90_000)
                return frame

        class PillowWatermark(MediaStreamTrack):
            """The straightforward way: draw the viewer's text on an RGB image per frame
            (one line, lighter than our tiled watermark, so the comparison favours it)."""

            kind = "video"

            def __init__(self, track: MediaStreamTrack, who) -> None:  # noqa: ANN001
                super().__init__()
                self._track, self._who = track, who

            async def recv(self) -> av.VideoFrame:
                frame = await self._track.recv()
                image = frame.to_image()
                text = (f"{self._who.display_name} {self._who.staff_no} {self._who.username} "
                        f"{time.strftime('%Y-%m-%d %H:%M:%S')}")
                # One line of text: the ≈1–3 ms Pillow watermark of SPEC §6.
                ImageDraw.Draw(image).text((20, image.height // 2), text, font=font,
                                           fill=(255, 255, 255))
                out = av.VideoFrame.from_image(image)
                out.pts, out.time_base = frame.pts, frame.time_base
                return out

        source = SourceTrack()
        relay = MediaRelay()
        peers: list[RTCPeerConnection] = []

        async def extra(request: dict) -> dict:
            if request["cmd"] == "open":
                pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
                peers.append(pc)
                pc.addTrack(PillowWatermark(relay.subscribe(source, buffered=False),
                                            viewer(request["i"])))
                await pc.setRemoteDescription(RTCSessionDescription(request["sdp"], "offer"))
                await pc.setLocalDescription(await pc.createAnswer())
                media = aiortc_sdp.SessionDescription.parse(pc.localDescription.sdp).media
                return {"sdp": pc.localDescription.sdp, "type": "answer",
                        "codec": media[0].rtp.codecs[0].name}
            if request["cmd"] == "stats":
                return {}
            raise ValueError(request)

        await serve_until_quit(extra, port_queue)
        for pc in peers:
            await pc.close()

    asyncio.run(serve())


def report_plain(plain: dict, viewers: int, fps: int) -> None:
    report_relay("(c) plain aiortc relay (MediaRelay, default encoder, one Pillow text line)",
                 plain, viewers, fps)
