"""Refusals of the alerts capability and how they answer over HTTP."""

from __future__ import annotations

import functools
from typing import Literal

from bff.lib.errors import DomainError, ErrorAnswer, ErrorTable, retry_later
from bff.lib.validation_text import describe_validation_error

UnauthorizedReason = Literal["missing_headers", "unknown_source", "bad_timestamp",
                             "stale_timestamp", "bad_signature"]


class AlertUnauthorized(DomainError):
    """An event not signed by a known source with a fresh timestamp (nothing is stored)."""

    def __init__(self, reason: UnauthorizedReason) -> None:
        super().__init__(reason)
        self.reason: UnauthorizedReason = reason


class AlertMalformed(DomainError):
    """The body is not JSON at all."""


class AlertInvalid(DomainError):
    """A field of the event is wrong; `raw` is msgspec's explanation naming the field."""

    def __init__(self, raw: str) -> None:
        super().__init__(raw)
        self.raw = raw


class AlertUnknownCamera(DomainError):
    """The event names a camera the catalogue does not hold."""

    def __init__(self, device_id: str) -> None:
        super().__init__(device_id)
        self.device_id = device_id


class AlertRateLimited(DomainError):
    """The source posted more events than its rate allows."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"retry after {retry_after_s:.2f}s")
        self.retry_after_s = retry_after_s


class AlertNotFound(DomainError):
    """No such alert among those routed to the user (someone else's looks the same)."""


class SnapshotNotFound(DomainError):
    """The alert came without a snapshot."""


class AlertStateConflict(DomainError):
    """The alert is already at or past the requested state; states only move forward."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


class TooManyLiveStreams(DomainError):
    """The user already holds as many live event streams as one process allows."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"limit {limit}")
        self.limit = limit
class AlertTypeUnknown(DomainError):
    """No alert type with this code (built-in or added)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class AlertTypeExists(DomainError):
    """An administrator tried to add a type whose code is taken."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class UnknownDepartments(DomainError):
    """A routing names department codes the department table lacks."""

    def __init__(self, field: str, codes: list[str]) -> None:
        super().__init__(f"{field}: {codes}")
        self.field = field
        self.codes = codes


class RequiredNotRouted(DomainError):
    """A department is marked required for a type that is not routed to it."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(str(codes))
        self.codes = codes


class MuteRefused(DomainError):
    """The user's department must receive this type: it cannot be muted."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class AlertSettingsInvalid(DomainError):
    """A submitted routing, type or mute form has a wrong field; `raw` is msgspec's
    explanation naming it."""

    def __init__(self, raw: str) -> None:
        super().__init__(raw)
        self.raw = raw


ALERT_ERRORS: ErrorTable = {
    AlertUnauthorized: lambda exc: ErrorAnswer(401, f"alerts.{exc.reason}"),
    AlertMalformed: lambda exc: ErrorAnswer(400, "alerts.malformed"),
    AlertInvalid: lambda exc: ErrorAnswer(
        422, "alerts.invalid",
        {"detail": functools.partial(describe_validation_error, exc.raw)}),
    AlertUnknownCamera: lambda exc: ErrorAnswer(422, "alerts.unknown_camera",
                                                {"device_id": exc.device_id}),
    AlertRateLimited: lambda exc: retry_later("alerts.rate_limited", exc.retry_after_s),
    AlertNotFound: lambda exc: ErrorAnswer(404, "alerts.not_found"),
    SnapshotNotFound: lambda exc: ErrorAnswer(404, "alerts.no_snapshot"),
    AlertStateConflict: lambda exc: ErrorAnswer(409, "alerts.state_conflict",
                                                message_key=f"alerts.already_{exc.state}"),
    TooManyLiveStreams: lambda exc: ErrorAnswer(429, "alerts.too_many_streams",
                                                {"limit": exc.limit}),
    AlertTypeUnknown: lambda exc: ErrorAnswer(404, "alerts.type_unknown", {"type": exc.code}),
    AlertTypeExists: lambda exc: ErrorAnswer(409, "alerts.type_exists", {"type": exc.code}),
    UnknownDepartments: lambda exc: ErrorAnswer(
        422, "alerts.unknown_departments", {"field": exc.field, "codes": ", ".join(exc.codes)}),
    RequiredNotRouted: lambda exc: ErrorAnswer(422, "alerts.required_not_routed",
                                               {"codes": ", ".join(exc.codes)}),
    AlertSettingsInvalid: lambda exc: ErrorAnswer(
        422, "alerts.settings_invalid",
        {"detail": functools.partial(describe_validation_error, exc.raw)}),
    MuteRefused: lambda exc: ErrorAnswer(409, "alerts.mute_required", {"type": exc.code}),
}
