"""Open a media URL as an async iterator of decoded frames (the hub's upstream).

`MediaOpeners` is the media-source port: a platform with URLs of its own (the demo's
synthetic `demo://…`) registers an opener for its scheme. Everything else
(rtsp://, http(s)://…flv/ts/m3u8, file paths) is demuxed and decoded with PyAV in a
dedicated thread (blocking network reads must not sit in the event loop or in the
thread pool the encoders use), scaled to the configured size in yuv420p. Live sources are
delivered as they arrive, never paced, so a server's start-up burst cannot turn into
permanent latency; local files are paced by their timestamps.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Protocol
from urllib.parse import urlsplit

import av

from bff.lib.settings import WebRTCSettings

log = logging.getLogger(__name__)

DEFAULT_OPEN_TIMEOUT_S = 10.0
DEFAULT_READ_TIMEOUT_S = 5.0
_NETWORK_SCHEMES = frozenset({"rtsp", "rtsps", "rtmp", "rtmps", "http", "https", "udp",
                              "tcp", "srt", "rtp"})
# Probe little so a stream opens in well under a second; cameras send SPS/PPS up front.
_LOW_LATENCY = {"flags": "low_delay", "probesize": "500000", "analyzeduration": "200000"}
"""Network streams: a short analysis window (codec parameters come from the SDP, the FLV
sequence header or the first SPS, not from seconds of probing), and no `nobuffer`: that
flag throws away the packets read while probing — the stream's first keyframe among them
— so decoding had to wait for the next one. Measured on the WVP double's HTTP-FLV stream:
open → first frame 1.4 s before, 0.14 s after (bench/playback.py, cold_live)."""


class SourceError(Exception):
    """An upstream media source failed. The message may name the upstream URL, so it is
    for logs only and must never be shown to the phone."""


class SourceUnavailable(SourceError):
    """The media URL could not be opened (refused, timed out, no video stream)."""


class SourceInterrupted(SourceError):
    """An opened media source stopped delivering frames (read error or stall)."""


class MediaSource(Protocol):
    """An opened upstream: an async iterator of yuv420p frames of the configured size."""

    def __aiter__(self) -> AsyncIterator[av.VideoFrame]: ...

    async def __anext__(self) -> av.VideoFrame: ...

    async def aclose(self) -> None:
        """Stop reading and release the upstream."""
        ...


def _container_options(url: str) -> dict[str, str]:
    scheme = urlsplit(url).scheme.lower()
    if scheme in {"rtsp", "rtsps"}:
        # TCP interleaving: no UDP ports to open through firewalls, no loss-induced smear.
        return {"rtsp_transport": "tcp", "max_delay": "500000", **_LOW_LATENCY}
    if url.lower().split("?")[0].endswith(".m3u8"):
        # HLS needs its playlist logic; start at the live edge.
        return {"live_start_index": "-1"}
    if scheme in _NETWORK_SCHEMES:
        return dict(_LOW_LATENCY)
    return {}


def _is_local_file(url: str) -> bool:
    scheme = urlsplit(url).scheme.lower()
    return scheme in {"", "file"} or (len(scheme) == 1 and url[1:3] == ":\\")


SchemeOpener = Callable[[str, WebRTCSettings], Awaitable[MediaSource]]
"""Opens one URL of a registered scheme; raises `SourceUnavailable` when it cannot."""


class MediaOpeners:
    """Opens media URLs: registered scheme openers first, PyAV for everything else."""

    def __init__(self, openers: Mapping[str, SchemeOpener] | None = None) -> None:
        self._openers: dict[str, SchemeOpener] = {}
        for scheme, opener in (openers or {}).items():
            self.register(scheme, opener)

    def register(self, scheme: str, opener: SchemeOpener) -> None:
        """Send URLs of `scheme` to `opener` (a platform's own synthetic sources)."""
        self._openers[scheme.lower()] = opener

    async def open(
        self,
        url: str,
        settings: WebRTCSettings,
        *,
        open_timeout_s: float = DEFAULT_OPEN_TIMEOUT_S,
        read_timeout_s: float = DEFAULT_READ_TIMEOUT_S,
    ) -> MediaSource:
        """Open `url` and return its frames. Raises `SourceUnavailable` if it cannot be
        opened; iteration raises `SourceInterrupted` when the upstream breaks off and
        stops at the end of a file (or of a finite source such as a playback)."""
        opener = self._openers.get(urlsplit(url).scheme.lower())
        if opener is not None:
            return await opener(url, settings)
        source = PyAVSource(url, settings, open_timeout_s=open_timeout_s,
                            read_timeout_s=read_timeout_s)
        await source.start()
        return source


_END = object()


class PyAVSource:
    """Demux and decode a media URL with PyAV in its own thread.

    The thread hands frames to the event loop with latest-frame semantics: if the loop
    is slow, older undelivered frames are dropped, never queued up.
    """

    def __init__(self, url: str, settings: WebRTCSettings, *, open_timeout_s: float,
                 read_timeout_s: float) -> None:
        self._url = url
        self._width, self._height = settings.width, settings.height
        self._timeouts = (open_timeout_s, read_timeout_s)
        self._paced = _is_local_file(url)
        self._loop = asyncio.get_running_loop()
        self._opened: asyncio.Future[None] = self._loop.create_future()
        self._latest: collections.deque[object] = collections.deque(maxlen=1)
        self._outcome: object | None = None  # _END or an exception, after the last frame
        self._wakeup = asyncio.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="media-reader", daemon=True)

    async def start(self) -> None:
        """Open the container; raises SourceUnavailable on failure."""
        self._thread.start()
        try:
            await self._opened
        except BaseException:
            self._stop.set()
            raise

    def __aiter__(self) -> PyAVSource:
        return self

    async def __anext__(self) -> av.VideoFrame:
        while True:
            if self._latest:
                return self._latest.popleft()  # type: ignore[return-value]
            if self._outcome is _END:
                raise StopAsyncIteration
            if isinstance(self._outcome, BaseException):
                raise self._outcome
            self._wakeup.clear()
            await self._wakeup.wait()

    async def aclose(self) -> None:
        """Ask the reader thread to stop and wait briefly for it (a blocked network
        read returns within the read timeout at worst)."""
        self._stop.set()
        if self._thread.is_alive():
            await asyncio.to_thread(self._thread.join, 2.0)

    # --- reader thread -------------------------------------------------------------

    def _post(self, callback: object, *args: object) -> None:
        try:
            self._loop.call_soon_threadsafe(callback, *args)  # type: ignore[arg-type]
        except RuntimeError:
            self._stop.set()  # the loop is gone: nobody is listening any more

    def _resolve_open(self, error: BaseException | None) -> None:
        if self._opened.done():
            return
        if error is None:
            self._opened.set_result(None)
        else:
            self._opened.set_exception(error)

    def _deliver(self, frame: av.VideoFrame) -> None:
        self._latest.append(frame)
        self._wakeup.set()

    def _finish(self, outcome: object) -> None:
        self._outcome = outcome
        self._wakeup.set()

    def _run(self) -> None:
        target = self._url[len("file://"):] if self._url.startswith("file://") else self._url
        try:
            container = av.open(target, options=_container_options(self._url),
                                timeout=self._timeouts)
        except Exception as exc:  # noqa: BLE001 - any failure means "unavailable"
            self._post(self._resolve_open, SourceUnavailable(f"cannot open media: {exc}"))
            return
        try:
            if not container.streams.video:
                self._post(self._resolve_open, SourceUnavailable("no video stream"))
                return
            stream = container.streams.video[0]
            self._post(self._resolve_open, None)
            self._read(container, stream)
        except Exception as exc:  # noqa: BLE001 - reported to the hub, which retries
            self._post(self._resolve_open, SourceUnavailable(f"cannot read media: {exc}"))
            self._post(self._finish, SourceInterrupted(f"media read failed: {exc}"))
        finally:
            container.close()

    def _read(self, container: av.container.InputContainer, stream: av.VideoStream) -> None:
        reformatter = av.video.reformatter.VideoReformatter()
        media_origin: float | None = None
        wall_origin = 0.0
        for packet in container.demux(stream):
            if self._stop.is_set():
                return
            for frame in packet.decode():
                if (frame.width, frame.height, frame.format.name) != (
                    self._width, self._height, "yuv420p"
                ):
                    frame = reformatter.reformat(
                        frame, width=self._width, height=self._height, format="yuv420p",
                        interpolation="BILINEAR",
                    )
                if self._paced and frame.time is not None:
                    now = time.monotonic()
                    if media_origin is None or not (
                        -1.0 < frame.time - media_origin - (now - wall_origin) < 5.0
                    ):
                        # First frame, or a timestamp jump: restart the clock here.
                        media_origin, wall_origin = frame.time, now
                    delay = (frame.time - media_origin) - (now - wall_origin)
                    if delay > 0 and self._stop.wait(delay):
                        return
                self._post(self._deliver, frame)
        self._post(self._finish, _END)
