"""(b) Our watermarked pipeline: viewers per core and memory per viewer.

The sending process (hub + registry + per-viewer watermark and encoder + direct RTP/SRTP,
or aiortc's media loop with --aiortc-loop) is pinned to one core; N viewers (48 by
default, about three quarters of that core) are real aiortc peers in a second process
pinned to the other core. Each viewer's received frame rate is checked; viewers_per_core
= N / (sender CPU seconds / wall seconds), with where the CPU goes and the sender's
resident memory per viewer (its growth from before the first viewer).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import time
from typing import TYPE_CHECKING

from bench.app_process import pin

from .common import DEVICE_ID, SENDER_CORE, bench_relay, bench_settings, viewer
from .harness import report_relay, serve_until_quit

if TYPE_CHECKING:
    from .encoder import EncoderFigures


def _rss_bytes() -> int:
    """This process's resident memory (Linux), 0 where unknown."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    return 0


def _count_encoder_time() -> list[int]:
    """Make every viewer's encode call add its thread CPU time to the returned
    [nanoseconds, calls] (a wrapper of about a microsecond, for the breakdown)."""
    from bff.webrtc.tracks import ViewerTrack

    totals = [0, 0]
    encode = ViewerTrack._encode_input

    def counted(self, *args):  # noqa: ANN001, ANN002, ANN202
        began = time.thread_time_ns()
        try:
            return encode(self, *args)
        finally:
            totals[0] += time.thread_time_ns() - began
            totals[1] += 1

    ViewerTrack._encode_input = counted  # type: ignore[method-assign]
    return totals


def ours_sender(port_queue: mp.Queue) -> None:
    pin(SENDER_CORE)

    encoding = _count_encoder_time()
    idle_rss = _rss_bytes()  # before any viewer: what the viewers add is measured against it

    async def serve() -> None:
        settings = bench_settings()
        hub, registry = bench_relay(settings)

        async def extra(request: dict) -> dict:
            if request["cmd"] == "open":
                session = await registry.open(viewer(request["i"]), DEVICE_ID, request["sdp"],
                                              "offer")
                return {"sdp": session.answer_sdp, "type": session.answer_type,
                        "codec": session.codec}
            if request["cmd"] == "stats":
                stats = hub.stats(DEVICE_ID)
                return {"decoded_frames": stats.decoded_frames if stats else 0,
                        "encoding_ns": encoding[0], "encoded_frames": encoding[1],
                        "idle_rss": idle_rss, "rss": _rss_bytes()}
            raise ValueError(request)

        await serve_until_quit(extra, port_queue)
        await registry.close_all()
        await hub.close()

    asyncio.run(serve())


def report_ours(ours: dict, viewers: int, encoder: EncoderFigures, aiortc_loop: bool) -> None:
    """Print our pipeline's figures, where its time goes and its encoder ratios."""
    fps = encoder.settings.fps
    per_frame_ms = report_relay("(b) our pipeline", ours, viewers, fps)
    loop_ms = ours["loop_cpu"] / (sum(ours["rates"]) * ours["wall"]) * 1000
    encode_ms = ours["encoding_ms"]
    if ours.get("rss_per_viewer"):
        print(f"    memory: {ours['rss_per_viewer'] / 2**20:.2f} MB resident per viewer "
              f"(the sender's growth from before the first viewer, over {viewers} "
              f"viewers and one camera)")
    print(f"    source decoded {ours['source_fps']:.1f} frames/s once for all viewers; "
          f"glass-to-glass (demo clock strip -> frame decoded by aiortc, whose receiver "
          f"holds each frame until the next one starts: +1/{fps} s) median "
          f"{ours['latency_median_s'] or float('nan'):.3f}s")
    print(f"    where the time goes per viewer-frame "
          f"({'aiortc media loop' if aiortc_loop else 'direct RTP'}): x264 "
          f"{encode_ms:.3f} ms (alone, {viewers} instances: {1000 / encoder.many_fps:.3f} ms; "
          f"one instance: {1000 / encoder.one_fps:.3f} ms); everything else "
          f"{per_frame_ms - encode_ms:.3f} ms, of which the event-loop thread (fan-out, "
          f"RTCP, ICE, the demo source{', packetizing, SRTP, UDP' if aiortc_loop else ''})"
          f" {loop_ms:.3f} ms and in the encoder threads (watermark"
          f"{'' if aiortc_loop else ', packetizing, SRTP, UDP'}) "
          f"{per_frame_ms - encode_ms - loop_ms:.3f} ms")
    print(f"    encoder_ratio against {viewers} instances (the last line): "
          f"{ours['viewers_per_core'] / encoder.many_vpc:.2f}; against one instance: "
          f"{ours['viewers_per_core'] / encoder.one_vpc:.2f} (x264 itself, alone, runs "
          f"{encoder.one_fps / encoder.many_fps:.2f}x slower per frame with {viewers} "
          f"instances than with one: each viewer's encoder keeps its own state and they "
          f"do not share the cache)")
