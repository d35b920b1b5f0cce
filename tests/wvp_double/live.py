"""Live play as WVP answers it: play start blocks (`play_delay_s`) until the stream is up
or answers "点播超时" (`play_result`), then returns the media server's StreamContent;
play stop takes the stream down."""

from __future__ import annotations

from tests.wvp_double.asgi import SEG, Reply, Route, fail, ok, route
from tests.wvp_double.state import ALL, MASTER, DoubleState
from tests.wvp_double.zlm import MediaServer


class Live:
    """Play start and stop, by device/channel pair or by common-channel id."""

    def __init__(self, state: DoubleState, media: MediaServer) -> None:
        self._state = state
        self._media = media

    def routes(self) -> list[Route]:
        return [
            route(rf"/api/play/start/{SEG}/{SEG}", ALL, self._play_start),
            route(rf"/api/play/stop/{SEG}/{SEG}", ALL, self._play_stop),
            route(r"/api/common/channel/play", MASTER, self._common_play),
            route(r"/api/common/channel/play/stop", MASTER, self._common_stop),
        ]

    async def _start_stream(self, stream: str) -> Reply:
        state = self._state
        if state.play_delay_s:
            await state.sleep(state.play_delay_s)  # WVP blocks until the camera streams
        if state.play_result == "timeout":
            return fail(100, "点播超时")
        with state.lock:
            state.active_streams.add(stream)
        return ok(self._media.stream_content(stream))

    async def _play_start(self, params: dict[str, str], device: str, code: str) -> Reply:
        found = self._state.find(device, code)
        if isinstance(found, Reply):
            return found
        return await self._start_stream(f"{device}_{code}")

    async def _play_stop(self, params: dict[str, str], device: str, code: str) -> Reply:
        found = self._state.find(device, code)
        if isinstance(found, Reply):
            return found
        self._media.kill_streams(f"{device}_{code}")
        return ok()

    async def _common_play(self, params: dict[str, str]) -> Reply:
        channel = self._state.common_channel(params)
        if isinstance(channel, Reply):
            return channel
        return await self._start_stream(f"{channel.parent}_{channel.code}")

    async def _common_stop(self, params: dict[str, str]) -> Reply:
        channel = self._state.common_channel(params)
        if isinstance(channel, Reply):
            return channel
        self._media.kill_streams(f"{channel.parent}_{channel.code}")
        return ok()
