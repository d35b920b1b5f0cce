"""Faults tests inject by path prefix: an HTTP status, any envelope code, a raw body
(a proxy's error page), optionally after a delay."""

from __future__ import annotations

from dataclasses import dataclass

from tests.wvp_double.asgi import Reply, Send, respond, respond_raw
from tests.wvp_double.state import DoubleState


@dataclass
class Fault:
    prefix: str
    status: int
    code: int | None
    msg: str
    body: str | None
    delay_s: float
    times: int


class Faults:
    """The faults still to be served, first injected first."""

    def __init__(self, state: DoubleState) -> None:
        self._state = state
        self._pending: list[Fault] = []

    def inject(self, fault: Fault) -> None:
        with self._state.lock:
            self._pending.append(fault)

    def take(self, path: str) -> Fault | None:
        """The fault that answers `path` this time, if any (call under the lock)."""
        for fault in self._pending:
            if path.startswith(fault.prefix):
                fault.times -= 1
                if fault.times <= 0:
                    self._pending.remove(fault)
                return fault
        return None

    async def send(self, fault: Fault, send: Send) -> None:
        if fault.delay_s:
            await self._state.sleep(fault.delay_s)
        if fault.body is not None:
            await respond_raw(send, fault.status, fault.body.encode())
            return
        if fault.code is not None:
            body = {"code": fault.code, "msg": fault.msg, "data": None}
        else:
            body = {"code": min(500, fault.status),
                    "msg": fault.msg or "服务器内部错误"}
        await respond(send, Reply(fault.status, body))
