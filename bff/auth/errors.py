"""Refusals of the auth capability and how they answer over HTTP."""

from __future__ import annotations

from typing import Literal

from bff.lib.errors import DomainError, ErrorAnswer, ErrorTable, retry_later


class SignInRefused(DomainError):
    """Wrong username or password, inactive account, too many failures from this place
    (`seconds` to wait), or an account locked against distributed guessing (`minutes`)."""

    def __init__(self, reason: Literal["invalid_credentials", "throttled", "locked"],
                 minutes: int = 0, seconds: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.minutes = minutes
        self.seconds = seconds


class AdministratorsOnly(DomainError):
    """The page is for platform administrators (市视频办) only."""


def _sign_in_answer(exc: SignInRefused) -> ErrorAnswer:
    if exc.reason == "locked":
        return ErrorAnswer(429, "auth.locked", {"minutes": exc.minutes},
                           headers={"Retry-After": str(exc.minutes * 60)})
    if exc.reason == "throttled":
        return retry_later("auth.throttled", exc.seconds)
    return ErrorAnswer(401, "auth.invalid_credentials")


AUTH_ERRORS: ErrorTable = {
    SignInRefused: _sign_in_answer,
    AdministratorsOnly: lambda _: ErrorAnswer(403, "forbidden", message_key="error.forbidden"),
}
