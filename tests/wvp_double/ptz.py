"""PTZ as WVP answers it: POST /api/ptz/control on 2.7.1, GET /api/front-end/ptz on
2.7.3+, master's common front-end API with speeds 0–100; every accepted command is
recorded in `ptz_commands`."""

from __future__ import annotations

from tests.wvp_double.asgi import SEG, Reply, Route, fail, ok, route
from tests.wvp_double.state import MASTER, NEW, ONLY_271, DoubleState

PTZ_COMMANDS = frozenset({"left", "right", "up", "down", "upleft", "upright", "downleft",
                          "downright", "zoomin", "zoomout", "stop"})


class Ptz:
    """Checks and records PTZ commands."""

    def __init__(self, state: DoubleState) -> None:
        self._state = state

    def routes(self) -> list[Route]:
        return [
            route(rf"/api/ptz/control/{SEG}/{SEG}", ONLY_271, self._ptz, method="POST"),
            route(rf"/api/front-end/ptz/{SEG}/{SEG}", NEW, self._ptz),
            route(r"/api/common/channel/front-end/ptz", MASTER, self._common_ptz),
        ]

    def _record(self, path: str, device: str, code: str, params: dict[str, str],
                limits: dict[str, int]) -> Reply:
        command = params.get("command", "")
        if command not in PTZ_COMMANDS:
            return fail(100, f"不支持的指令：{command}")
        for name, high in limits.items():
            value = params.get(name)
            if value is not None and not (value.isdigit() and 0 <= int(value) <= high):
                return fail(100, f"{name} 为 0-{high}的数字")
        with self._state.lock:
            self._state.ptz_commands.append({"path": path, "device": device, "channel": code,
                                             **{k: v for k, v in params.items()}})
        return ok()

    async def _ptz(self, params: dict[str, str], device: str, code: str) -> Reply:
        found = self._state.find(device, code)
        if isinstance(found, Reply):
            return found
        path = "control" if self._state.version == "2.7.1" else "front-end"
        return self._record(path, device, code, params,
                            {"horizonSpeed": 255, "verticalSpeed": 255, "zoomSpeed": 15})

    async def _common_ptz(self, params: dict[str, str]) -> Reply:
        channel = self._state.common_channel(params)
        if isinstance(channel, Reply):
            return channel
        return self._record("common", channel.parent, channel.code, params,
                            {"panSpeed": 100, "tiltSpeed": 100, "zoomSpeed": 100})
