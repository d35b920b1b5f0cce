"""What every live-view benchmark shares: the cores, the camera, the WebRTC settings, the
viewers' identities, the platform boundary (one demo camera), the stream hub and peer
registry wired over it, and the command line."""

from __future__ import annotations

import argparse
import os

SENDER_CORE = 0
RECEIVER_CORE = 1
DEVICE_ID = "44150200001310000001"
CAMERA_NAME = "城区 海滨大道 易涝点 1号"
WARMUP_S = 3.0
# Set by --aiortc-loop in the parent; the spawned senders read it in bench_settings().
AIORTC_LOOP_ENV = "BENCH_AIORTC_LOOP"


def bench_settings():  # noqa: ANN201
    from bff.lib.settings import WebRTCSettings

    return WebRTCSettings(ice_host_addresses=["127.0.0.1"], ice_servers=[], width=640,
                          height=360, fps=15, x264_preset="ultrafast",
                          max_streams_per_user=10_000, max_viewers_per_camera=10_000,
                          source_linger_s=1.0,
                          direct_rtp=os.environ.get(AIORTC_LOOP_ENV) != "1")


def viewer(i: int):  # noqa: ANN201
    from bff.webrtc.viewers import ViewerIdentity

    return ViewerIdentity(user_id=1000 + i, username=f"officer{i:03d}",
                          display_name=f"民警{i:03d}", staff_no=f"04{i:04d}")


class BenchPlatform:
    """The platform boundary for the benchmark: one demo camera."""

    async def start_live(self, device_id: str) -> str:
        from bff.demo.video import demo_live_url

        return demo_live_url(device_id, CAMERA_NAME)

    async def stop_live(self, device_id: str) -> None:
        return None

    async def close(self) -> None:
        return None

    def media_openers(self):  # noqa: ANN201
        """Its `demo://` URLs open as the demo platform's do, minus the PTZ head (the
        camera stays at home), so the hub sees the same picture as in the app."""
        from bff.demo.video import DEMO_SCHEME, DemoLiveSource

        async def open_demo(url: str, settings):  # noqa: ANN001, ANN202
            return DemoLiveSource(url, settings)

        return {DEMO_SCHEME: open_demo}


def bench_relay(settings):  # noqa: ANN001, ANN201
    """The stream hub and peer registry over `BenchPlatform`, wired as the app wires
    them; returns (hub, registry)."""
    from bff.platform.base import media_openers_of
    from bff.webrtc.hub import StreamHub
    from bff.webrtc.registry import PeerRegistry

    platform = BenchPlatform()
    hub = StreamHub(settings, platform, openers=media_openers_of(platform))
    return hub, PeerRegistry(settings, hub)


def parse_args(description: str) -> argparse.Namespace:
    """The benchmark's options; --aiortc-loop is also passed on to the sender processes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--viewers", type=int, default=48,
                        help="viewers of our pipeline (48: about three quarters of a core)")
    parser.add_argument("--aiortc-viewers", type=int, default=6,
                        help="viewers of plain aiortc")
    parser.add_argument("--window", type=float, default=10.0, help="measured seconds")
    parser.add_argument("--trials", type=int, default=20, help="tap → first frame trials")
    parser.add_argument("--in-process-ttff", action="store_true",
                        help="measure tap → first frame without the HTTP app")
    parser.add_argument("--aiortc-loop", action="store_true",
                        help="our pipeline with aiortc's media loop instead of direct RTP")
    args = parser.parse_args()
    if args.aiortc_loop:
        os.environ[AIORTC_LOOP_ENV] = "1"
    return args
