"""(a) The encoder alone, the yardstick: x264 at our settings (640×360, 15 fps,
ultrafast, one thread) on one core, counting only the CPU time inside `encode()`.

One instance on one viewer's pictures gives the encoder's raw speed; N instances
round-robin, each on its own viewer's pictures, give what N viewers need of the encoder,
whatever the rest of the pipeline does. Viewers per core = frames/s / 15; the
encoder_ratio is measured against the N-instance figure.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bench.app_process import pin

from .common import CAMERA_NAME, DEVICE_ID, SENDER_CORE, bench_settings, viewer

if TYPE_CHECKING:
    from bff.lib.settings import WebRTCSettings


def encoder_alone(instances: int, seconds: float, result: mp.Queue) -> None:
    """x264 at our settings on one core; only the CPU time inside `encode()` counts.

    One instance encodes one viewer's pictures (the demo picture with that viewer's
    watermark): the encoder's raw speed. With `instances` > 1, each instance encodes its
    own viewer's pictures (same camera frame, each with its own watermark), round-robin,
    as serving that many viewers needs: every viewer's encoder keeps its own state, so
    the caches work harder, and the pictures differ, so the encoders decide differently.
    That is what the encoder alone sustains for that many viewers, the yardstick of
    the encoder_ratio.
    """
    pin(SENDER_CORE)
    from bff.demo.video import DemoPicture
    from bff.webrtc.canvas import ViewerCanvas
    from bff.webrtc.tracks import TIME_BASE, create_encoder
    from bff.webrtc.watermark import ViewerWatermark, WatermarkRenderer

    settings = bench_settings()
    picture = DemoPicture(DEVICE_ID, CAMERA_NAME, settings.width, settings.height)
    renderer = WatermarkRenderer(settings)
    start = time.time()
    camera = [picture.render(start + i / settings.fps) for i in range(150)]
    marks = [ViewerWatermark(renderer, viewer(i)) for i in range(instances)]
    encoders = [create_encoder("H264", settings) for _ in range(instances)]
    canvas = ViewerCanvas(settings.width, settings.height)
    step = 90_000 // settings.fps
    encoding_ns = count = index = 0
    wall0 = time.monotonic()
    while time.monotonic() - wall0 < seconds:
        for frame in camera:
            now = start + index / settings.fps
            canvas.load(frame, index)
            for mark, encoder in zip(marks, encoders):
                canvas.mark(mark.mask_at(now))  # prepared outside the measured time
                work = canvas.frame
                work.time_base, work.pts = TIME_BASE, index * step
                began = time.thread_time_ns()
                encoder.encode(work)
                encoding_ns += time.thread_time_ns() - began
                count += 1
            index += 1
    result.put({"fps": count / (encoding_ns / 1e9), "frames": count})


def measure_encoder(instances: int = 1, seconds: float = 3.0) -> float:
    """Frames per CPU second of x264 alone, in a fresh process pinned to the sender's core."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=encoder_alone, args=(instances, seconds, queue))
    process.start()
    outcome = queue.get(timeout=120)
    process.join()
    return outcome["fps"]


@dataclass
class EncoderFigures:
    """Every run of the encoder alone: one instance, and one instance per viewer."""

    settings: WebRTCSettings
    viewers: int
    one_runs: list[float] = field(default_factory=list)
    many_runs: list[float] = field(default_factory=list)

    @property
    def one_fps(self) -> float:
        return max(self.one_runs)

    @property
    def many_fps(self) -> float:
        return max(self.many_runs)

    @property
    def one_vpc(self) -> float:
        return self.one_fps / self.settings.fps

    @property
    def many_vpc(self) -> float:
        """Viewers per core of the encoder alone with one instance per viewer: the
        encoder_ratio's yardstick."""
        return self.many_fps / self.settings.fps

    def report(self) -> None:
        settings = self.settings
        print(f"(a) encoder alone (x264 {settings.x264_preset}, {settings.width}x"
              f"{settings.height}, {settings.bitrate_kbps} kbit/s, 1 thread, CPU time "
              f"inside encode() only):")
        print(f"    one instance, one viewer's pictures: {self.one_fps:.0f} frames/s (runs: "
              f"{', '.join(f'{r:.0f}' for r in self.one_runs)}) -> {self.one_vpc:.1f} "
              f"viewers/core")
        print(f"    {self.viewers} instances, each on its own viewer's pictures, round-robin "
              f"(what serving {self.viewers} viewers takes of the encoder; the "
              f"encoder_ratio's yardstick): {self.many_fps:.0f} frames/s (runs: "
              f"{', '.join(f'{r:.0f}' for r in self.many_runs)}) -> {self.many_vpc:.1f} "
              f"viewers/core")
