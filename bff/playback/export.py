"""Clip export (录像下载): pictures of a recording → a watermarked MP4 that phones play.

Runs in a worker thread (one core per export): every frame gets the downloader's
watermark — display name, staff number, username, 回放 and the recorded date and time,
tiled over the picture as in live view — then x264 encodes it as H.264 Constrained
Baseline level 3.1, yuv420p (what Android and iOS decode in hardware), into an MP4 whose
index is moved to the front (`+faststart`) so phones start playing before the whole file
has arrived. The file is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo
from fractions import Fraction
from pathlib import Path

import av

from bff.media.drawing import plane_views
from bff.playback.watermark import playback_identity
from bff.webrtc.viewers import ViewerIdentity
from bff.webrtc.watermark import WatermarkMask, WatermarkRenderer

X264_PRESET = "ultrafast"
"""The bitrate is capped for phones on cellular links, so slower presets buy little size
here; ultrafast keeps one core above 10× real time (veryfast measured ≈ 3× slower)."""


MAX_STEP_S = 2.0
"""A longer step between two pictures' recorded moments is a gap skipped, not time."""


class ExportCancelled(Exception):
    """The export was stopped (shutdown) before it finished."""


def export_mp4(frames: Iterable[tuple[datetime, av.VideoFrame]], target: Path, *,
               viewer: ViewerIdentity, renderer: WatermarkRenderer, tz: tzinfo, fps: int,
               bitrate_kbps: int, total_frames: int, progress: Callable[[float], None],
               cancelled: threading.Event) -> int:
    """Write `frames` (recorded moment, picture) watermarked into `target`; return its
    size in bytes. Calls `progress(0–1)` as it goes (from this thread)."""
    width, height = renderer.width, renderer.height
    partial = target.with_suffix(".part")
    scratch = WatermarkMask.scratch_for(width, height)
    time_base = Fraction(1, fps)
    mask: WatermarkMask | None = None
    mask_second: int | None = None
    written = 0
    previous: datetime | None = None
    clock = 0.0
    last_pts = -1
    container = av.open(str(partial), mode="w", format="mp4",
                        options={"movflags": "+faststart"})
    try:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.bit_rate = bitrate_kbps * 1000
        stream.codec_context.time_base = time_base
        stream.options = {
            "preset": X264_PRESET, "profile": "baseline", "level": "3.1",
            "x264-params": f"keyint={fps * 2}:bframes=0:vbv-maxrate={bitrate_kbps}"
                           f":vbv-bufsize={bitrate_kbps * 2}:threads=1",
        }
        for recorded, picture in frames:
            if cancelled.is_set():
                raise ExportCancelled
            frame = picture
            if (frame.width, frame.height, frame.format.name) != (width, height, "yuv420p"):
                frame = frame.reformat(width=width, height=height, format="yuv420p")
            second = int(recorded.timestamp())
            if second != mask_second or mask is None:
                mask = renderer.render(playback_identity(viewer, recorded, tz, with_time=False),
                                       second)
                mask_second = second
            # The clip's clock follows recorded time (a source at another frame rate
            # keeps the right duration); a jump over a gap counts as one frame.
            step = (recorded - previous).total_seconds() if previous is not None else 0.0
            clock += step if 0 < step < MAX_STEP_S else (1 / fps if previous else 0.0)
            previous = recorded
            pts = max(last_pts + 1, round(clock * fps))
            mask.apply(plane_views(frame)[0], scratch)
            frame.pts = last_pts = pts
            frame.time_base = time_base
            container.mux(stream.encode(frame))
            written += 1
            if written % fps == 0:
                progress(min(0.99, written / max(1, total_frames)))
        container.mux(stream.encode(None))
    except BaseException:
        container.close()
        partial.unlink(missing_ok=True)
        raise
    container.close()
    partial.replace(target)
    progress(1.0)
    return target.stat().st_size
