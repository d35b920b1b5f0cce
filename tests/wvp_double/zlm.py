"""ZLMediaKit as the double plays it: the StreamContent of a started stream, and its
`/rtp/<stream>.live.ts` / `.live.flv` serving a real live H.264 stream muxed by PyAV per
client (see `media`), only while the stream is up. Killing a stream breaks its
connections the way a failed GB session does; `media_fail` makes it refuse streams."""

from __future__ import annotations

import asyncio
import itertools
import re
import time
import zlib
from dataclasses import dataclass
from typing import Any

from tests.wvp_double.asgi import Receive, Send, respond_raw, send_chunk, streamed
from tests.wvp_double.media import LiveEncoder
from tests.wvp_double.state import MAX_STREAM_S, DoubleState

_MEDIA_PATH = re.compile(r"/rtp/([^/]+)\.live\.(ts|flv)")


@dataclass
class _Connection:
    stream: str
    killed: bool = False


class MediaServer:
    """The media server's URLs and live streams."""

    def __init__(self, state: DoubleState) -> None:
        self._state = state
        self._connections: list[_Connection] = []

    @property
    def connections(self) -> int:
        with self._state.lock:
            return len(self._connections)

    def stream_content(self, stream: str, app: str = "rtp") -> dict[str, Any]:
        """WVP's StreamContent of `stream`: every URL form, those whose port is off null."""
        port = self._state.port
        http, host = f"http://127.0.0.1:{port}", f"127.0.0.1:{port}"
        urls: dict[str, str | None] = {
            "rtsp": f"rtsp://127.0.0.1:554/{app}/{stream}",
            "rtsps": f"rtsps://127.0.0.1:322/{app}/{stream}",
            "rtmp": f"rtmp://127.0.0.1:1935/{app}/{stream}",
            "rtmps": f"rtmps://127.0.0.1:19350/{app}/{stream}",
            "flv": f"{http}/{app}/{stream}.live.flv",
            "https_flv": f"https://{host}/{app}/{stream}.live.flv",
            "ws_flv": f"ws://{host}/{app}/{stream}.live.flv",
            "wss_flv": f"wss://{host}/{app}/{stream}.live.flv",
            "fmp4": f"{http}/{app}/{stream}.live.mp4",
            "https_fmp4": f"https://{host}/{app}/{stream}.live.mp4",
            "ws_fmp4": f"ws://{host}/{app}/{stream}.live.mp4",
            "wss_fmp4": f"wss://{host}/{app}/{stream}.live.mp4",
            "hls": f"{http}/{app}/{stream}/hls.m3u8",
            "https_hls": f"https://{host}/{app}/{stream}/hls.m3u8",
            "ws_hls": f"ws://{host}/{app}/{stream}/hls.m3u8",
            "wss_hls": f"wss://{host}/{app}/{stream}/hls.m3u8",
            "ts": f"{http}/{app}/{stream}.live.ts",
            "https_ts": f"https://{host}/{app}/{stream}.live.ts",
            "ws_ts": f"ws://{host}/{app}/{stream}.live.ts",
            "wss_ts": f"wss://{host}/{app}/{stream}.live.ts",
            "rtc": f"{http}/index/api/webrtc?app={app}&stream={stream}&type=play",
            "rtcs": f"https://{host}/index/api/webrtc?app={app}&stream={stream}&type=play",
        }
        for name in self._state.null_media_fields:
            urls[name] = None
        return {"app": app, "stream": stream, "ip": "127.0.0.1", "mediaServerId": "zlm-double",
                **urls, "startTime": None, "endTime": None, "progress": 0.0,
                "transcodeStream": None}

    def kill_streams(self, stream: str | None = None) -> int:
        """Break open connections (all, or of one stream) and take the streams down;
        returns connections broken."""
        state = self._state
        with state.lock:
            hit = [c for c in self._connections if stream is None or c.stream == stream]
            for connection in hit:
                connection.killed = True
            if stream is None:
                state.active_streams.clear()
            else:
                state.active_streams.discard(stream)
        return len(hit)

    async def serve(self, path: str, receive: Receive, send: Send) -> None:
        """HTTP-TS or HTTP-FLV of a stream that is up; ZLM's 404 page otherwise."""
        state = self._state
        match = _MEDIA_PATH.fullmatch(path)
        stream = match.group(1) if match else ""
        with state.lock:
            state.media_requests += 1
            available = (match is not None and stream in state.active_streams
                         and not state.media_fail)
            connection = _Connection(stream)
            if available:
                self._connections.append(connection)
        if not available or match is None:
            await respond_raw(send, 404, b"<h1>404 Not Found</h1>")
            return
        # Keyframes twice a second: a reader joining mid-stream starts within half a second.
        encoder = LiveEncoder(match.group(2), width=state.width, height=state.height,
                              fps=state.fps, shade=zlib.crc32(stream.encode()),
                              keyframe_interval=max(1, state.fps // 2))
        headers = [(b"content-type", encoder.content_type.encode()),
                   (b"cache-control", b"no-cache")]
        try:
            async with streamed(receive, send, headers) as gone:
                interval = 1.0 / state.fps
                started = time.monotonic()
                for index in itertools.count(1):
                    if gone.is_set() or connection.killed or state.stopping or state.media_fail:
                        break
                    if time.monotonic() - started > MAX_STREAM_S:
                        break
                    chunk = encoder.next_chunk()
                    if chunk:
                        await send_chunk(send, chunk)
                    delay = started + index * interval - time.monotonic()
                    await asyncio.sleep(max(delay, 0.0))
        finally:
            encoder.close()
            with state.lock:
                self._connections.remove(connection)
