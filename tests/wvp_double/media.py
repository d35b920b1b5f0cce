"""A live network stream made with PyAV alone (no ffmpeg binary, no GStreamer).

Each HTTP client gets its own small H.264 encoder and muxer (MPEG-TS or FLV), fed a
moving test picture at the stream's frame rate and written to the socket chunk by chunk
as ZLMediaKit's `…/rtp/<stream>.live.ts` / `.live.flv` would be. Frames are tiny and the
preset is ultrafast, so a stream costs well under a millisecond of CPU per frame.
"""

from __future__ import annotations

import contextlib
import fractions
import io
from collections.abc import Iterator

import av
import numpy as np

CONTAINER_FORMATS = {"ts": ("mpegts", "video/mp2t"), "flv": ("flv", "video/x-flv")}


class _Sink(io.RawIOBase):
    """A write-only file that hands out what the muxer wrote since the last `take()`."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


class TestPicture:
    """A luma gradient with a bright bar sweeping across: obviously moving, cheap to draw."""

    __test__ = False  # not a pytest class

    def __init__(self, width: int, height: int, shade: int = 0) -> None:
        self.width, self.height = width, height
        ramp = np.linspace(40 + shade % 40, 200, width, dtype=np.float32)
        self._base = np.empty((height * 3 // 2, width), np.uint8)
        self._base[:height] = ramp.astype(np.uint8)[None, :]
        self._base[height:] = 128  # neutral chroma

    def frame(self, index: int) -> av.VideoFrame:
        planes = self._base.copy()
        bar = (index * 6) % self.width
        planes[: self.height, bar : bar + max(4, self.width // 16)] = 235
        return av.VideoFrame.from_ndarray(planes, format="yuv420p")


class LiveEncoder:
    """Encode and mux one client's stream; `chunks()` yields bytes per frame."""

    def __init__(self, kind: str, *, width: int, height: int, fps: int, shade: int = 0,
                 keyframe_interval: int | None = None) -> None:
        container_format, self.content_type = CONTAINER_FORMATS[kind]
        self._sink = _Sink()
        self._container = av.open(self._sink, mode="w", format=container_format,
                                  options={"flush_packets": "1"}, buffer_size=4096)
        stream = self._container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        # Regular keyframes, like a camera (a new reader starts at one); no B-frames, no
        # lookahead, so every frame leaves the encoder at once.
        gop = keyframe_interval or fps
        stream.options = {"preset": "ultrafast", "tune": "zerolatency", "g": str(gop)}
        stream.codec_context.time_base = fractions.Fraction(1, fps)
        self._stream = stream
        self._time_base = fractions.Fraction(1, fps)
        self._picture = TestPicture(width, height, shade)
        self._index = 0
        self._closed = False

    def next_chunk(self) -> bytes:
        """Encode the next frame and return the container bytes it produced."""
        frame = self._picture.frame(self._index)
        frame.pts, frame.time_base = self._index, self._time_base
        self._index += 1
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        return self._sink.take()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            # The client may be gone: there is nothing left to flush to.
            with contextlib.suppress(Exception):
                self._container.close()

    def chunks(self, count: int) -> Iterator[bytes]:
        """`count` frames' worth of bytes (for tests of the encoder itself)."""
        for _ in range(count):
            yield self.next_chunk()
