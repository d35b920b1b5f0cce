"""Glass-to-glass latency: from the demo camera drawing its clock strip into a picture to
that picture decoded by a receiving aiortc peer (both clocks are this machine's)."""

from __future__ import annotations

import statistics
import time
from typing import TYPE_CHECKING

from bff.demo.strips import read_timestamp
from bff.media.drawing import plane_views

if TYPE_CHECKING:
    import av

# A few viewers, every fifth frame: reading the strip costs the receivers' core too.
SAMPLED_VIEWERS = 4
EVERY_NTH_FRAME = 5


class GlassToGlass:
    """The latencies read off the frames the receiving peers decode."""

    def __init__(self) -> None:
        self.latencies: list[float] = []

    def sample(self, viewer_index: int, frame_number: int, frame: av.VideoFrame) -> None:
        """Read the clock strip of `frame`, the `frame_number`th a viewer received."""
        if viewer_index >= SAMPLED_VIEWERS or frame_number % EVERY_NTH_FRAME:
            return
        stamp = read_timestamp(plane_views(frame)[0])
        if stamp is not None:
            # The strip carries the low 32 bits of milliseconds since the epoch.
            now_ms = int(time.time() * 1000) & 0xFFFFFFFF
            self.latencies.append(((now_ms - stamp) & 0xFFFFFFFF) / 1000)

    def median(self) -> float | None:
        return statistics.median(self.latencies) if self.latencies else None
