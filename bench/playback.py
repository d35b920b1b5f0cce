"""Playback benchmark (issue 12): tap → first playback frame, seek → first frame at the new
time, clip export speed, and cold live start through a real network stream.

Run: .venv/bin/python bench/playback.py [--trials 10]   (about a minute; prints figures)

- ttff: the real app in-process (embedded default, demo platform) over HTTP, with an
  aiortc peer as the phone: from creating the offer to the first decoded frame whose
  recorded-time strip (drawn by the demo picture) is readable. A fresh playback each
  trial, each at another recorded moment.
- seek: on a running playback, from POSTing a seek to the first decoded frame showing a
  recorded moment within a second of the target.
- export_x_realtime: seconds of 640×360 video per second of wall time for one 60 s clip
  (x264 on one thread: one core), from the request to the clip being ready.
- cold_live: the BFF's side of a cold live start against the WVP test double
  (tests/wvp_double), whose media server serves a real HTTP-FLV network stream: from
  subscribing the stream hub to a camera nobody watches (WVP play call, stream open,
  probing, first keyframe decoded) to its first frame. The browser's own part (ICE,
  ≈ 0.2 s here; see bench/live.py) is not included.
The last line is machine-readable:
  playback: ttff_p50_s=… seek_p50_s=… export_x_realtime=… cold_live_p50_s=…
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aiortc import (  # noqa: E402
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
)

from bff.demo.strips import read_recorded_strip  # noqa: E402
from bff.lib.settings import (  # noqa: E402
    AuthSettings,
    DatabaseSettings,
    DemoSettings,
    PlatformSettings,
    PlaybackSettings,
    ServerSettings,
    Settings,
    WebRTCSettings,
    WvpSettings,
)
from bff.media.drawing import plane_views  # noqa: E402

PASSWORD = "Bench@Pass-2026"
CHENGQU = {"lat": 22.7862, "lon": 115.3650}


class Phone:
    """A receive-only aiortc peer noting when each frame's recorded moment arrived."""

    def __init__(self) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.seen: list[tuple[float, int]] = []  # (perf_counter, recorded epoch s)

        @self.pc.on("track")
        def on_track(track) -> None:  # noqa: ANN001
            async def read() -> None:
                with contextlib.suppress(Exception):
                    while True:
                        frame = await track.recv()
                        recorded = read_recorded_strip(plane_views(frame)[0])
                        if recorded is not None:
                            self.seen.append((time.perf_counter(), recorded))
            asyncio.ensure_future(read())

    async def offer(self) -> str:
        transceiver = self.pc.addTransceiver("video", direction="recvonly")
        codecs = RTCRtpSender.getCapabilities("video").codecs
        transceiver.setCodecPreferences([c for c in codecs if c.name in ("H264", "rtx")])
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return self.pc.localDescription.sdp

    async def first_after(self, since: float, near: float | None = None,
                          timeout: float = 20.0) -> float:
        """Seconds from `since` to the first frame after it (within 1 s of `near`)."""
        async with asyncio.timeout(timeout):
            while True:
                for at, recorded in self.seen:
                    if at >= since and (near is None or abs(recorded - near) <= 1):
                        return at - since
                await asyncio.sleep(0.005)


def app_settings(folder: Path) -> Settings:
    return Settings(
        server=ServerSettings(log_level="warning"),
        auth=AuthSettings(secret="bench-secret-not-for-production"),
        database=DatabaseSettings(url=f"sqlite+aiosqlite:///{folder / 'bff.sqlite3'}"),
        demo=DemoSettings(password=PASSWORD, camera_count=2000),
        webrtc=WebRTCSettings(ice_host_addresses=["127.0.0.1"], ice_servers=[],
                              max_streams_per_user=100),
        playback=PlaybackSettings(clip_dir=str(folder / "clips")),
    )


async def measure_app(trials: int) -> tuple[list[float], list[float], float]:
    from litestar.testing import AsyncTestClient

    from bff.app import create_app
    from tests.helpers import api_headers, sign_in

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(app_settings(Path(folder)))
        async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as client:
            await sign_in(client, "police01", PASSWORD)
            headers = api_headers(client)
            cameras = (await client.get("/api/cameras/nearby",
                                        params={**CHENGQU, "limit": 200}, headers=headers)).json()
            device_id = next(c["device_id"] for c in cameras
                             if 2 in c["permissions"] and 3 in c["permissions"] and c["online"])
            base = (datetime.now(UTC) - timedelta(days=1)).replace(minute=0, second=0,
                                                                   microsecond=0)
            ttff: list[float] = []
            seeks: list[float] = []
            for trial in range(trials):
                phone = Phone()
                start = base - timedelta(hours=trial)
                began = time.perf_counter()
                answer = (await client.post(
                    f"/api/cameras/{device_id}/playback",
                    json={"sdp": await phone.offer(), "type": "offer",
                          "start": start.isoformat()}, headers=headers)).json()
                await phone.pc.setRemoteDescription(RTCSessionDescription(
                    sdp=answer["sdp"], type=answer["type"]))
                ttff.append(await phone.first_after(began))
                target = start + timedelta(minutes=25)
                asked = time.perf_counter()
                sought = (await client.post(f"/api/streams/{answer['session_id']}/control",
                                            json={"action": "seek", "at": target.isoformat()},
                                            headers=headers)).json()
                landed = datetime.fromisoformat(sought["recorded_at"]).timestamp()
                seeks.append(await phone.first_after(asked, near=landed))
                await client.delete(f"/api/streams/{answer['session_id']}", headers=headers)
                await phone.pc.close()

            clip_start = base - timedelta(hours=2)
            asked = time.perf_counter()
            created = (await client.post(
                f"/api/cameras/{device_id}/clips",
                json={"start": clip_start.isoformat(),
                      "end": (clip_start + timedelta(seconds=60)).isoformat()},
                headers=headers)).json()
            while True:
                status = (await client.get(f"/api/clips/{created['id']}",
                                           headers=headers)).json()
                if status["state"] in {"ready", "failed"}:
                    break
                await asyncio.sleep(0.05)
            wall = time.perf_counter() - asked
            if status["state"] != "ready":
                raise RuntimeError(f"clip export failed: {status}")
            clip_seconds = (datetime.fromisoformat(status["end"])
                            - datetime.fromisoformat(status["start"])).total_seconds()
    return ttff, seeks, clip_seconds / wall


async def measure_cold_live(trials: int) -> list[float]:
    from bff.platform.wvp import WvpPlatform
    from bff.webrtc.hub import StreamHub
    from tests.wvp_double import ChannelSpec, WvpDouble

    nvr = "44150200001180000001"
    webrtc = WebRTCSettings(ice_host_addresses=["127.0.0.1"], ice_servers=[],
                            source_linger_s=0.0)
    times: list[float] = []
    with WvpDouble(version="2.7.3", fps=15, width=640, height=360) as double:
        codes = [f"4415020000132099{i:04d}" for i in range(trials)]
        for code in codes:
            double.add_channel(ChannelSpec(code=code, name=f"冷启动 {code[-4:]}", parent=nvr))
        platform = WvpPlatform(WvpSettings(url=double.url, password="Wvp#Secret-2026",
                                           request_timeout_s=5.0, play_timeout_s=10.0))
        hub = StreamHub(webrtc, platform)
        try:
            for code in codes:
                began = time.perf_counter()
                subscription = await hub.subscribe(code)
                await subscription.next_frame()
                times.append(time.perf_counter() - began)
                subscription.close()
        finally:
            await hub.close()
            await platform.close()
    return times


def p50(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10)
    args = parser.parse_args()
    ttff, seeks, export_x = asyncio.run(measure_app(args.trials))
    print(f"tap → first playback frame: p50 {p50(ttff):.3f} s, max {max(ttff):.3f} s "
          f"({len(ttff)} trials, target ≤ 1.5 s)")
    print(f"seek → first frame at the new time: p50 {p50(seeks):.3f} s, "
          f"max {max(seeks):.3f} s (target ≤ 1.0 s)")
    print(f"clip export: {export_x:.1f}× real time (60 s of 640×360, one core; target ≥ 10×)")
    cold = asyncio.run(measure_cold_live(args.trials))
    print(f"cold live start through the WVP double's HTTP-FLV stream (BFF side): "
          f"p50 {p50(cold):.3f} s, max {max(cold):.3f} s (target ≤ 1.5 s with the browser)")
    print(f"playback: ttff_p50_s={p50(ttff):.3f} seek_p50_s={p50(seeks):.3f} "
          f"export_x_realtime={export_x:.1f} cold_live_p50_s={p50(cold):.3f}")


if __name__ == "__main__":
    main()
