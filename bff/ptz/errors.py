"""Refusals and failures of PTZ control and how they answer over HTTP."""

from __future__ import annotations

from typing import Literal

from bff.lib.errors import DomainError, ErrorAnswer, ErrorTable, retry_later

RefusalReason = Literal["not_ptz", "forbidden", "offline"]


class PtzRefused(DomainError):
    """The command is not allowed: no PTZ head, no permission 4, or camera offline."""

    def __init__(self, reason: RefusalReason) -> None:
        super().__init__(reason)
        self.reason: RefusalReason = reason


class PtzRateLimited(DomainError):
    """The user sent more commands than the rate limit allows."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"retry after {retry_after_s:.2f}s")
        self.retry_after_s = retry_after_s


class PtzBusy(DomainError):
    """Another user is steering the camera."""

    def __init__(self, holder: str) -> None:
        super().__init__(f"steered by {holder}")
        self.holder = holder


class PtzPlatformFailed(DomainError):
    """The platform failed the command or did not answer within `command_timeout_s`."""

    def __init__(self, timed_out: bool) -> None:
        super().__init__("platform timeout" if timed_out else "platform error")
        self.timed_out = timed_out


_REFUSAL_STATUS: dict[RefusalReason, int] = {"not_ptz": 409, "forbidden": 403, "offline": 409}


PTZ_ERRORS: ErrorTable = {
    PtzRefused: lambda exc: ErrorAnswer(_REFUSAL_STATUS[exc.reason], f"ptz.{exc.reason}"),
    PtzRateLimited: lambda exc: retry_later("ptz.rate_limited", exc.retry_after_s),
    PtzBusy: lambda exc: ErrorAnswer(409, "ptz.busy", {"holder": exc.holder}),
    PtzPlatformFailed: lambda exc: ErrorAnswer(504, "ptz.timeout") if exc.timed_out
    else ErrorAnswer(502, "ptz.upstream"),
}
