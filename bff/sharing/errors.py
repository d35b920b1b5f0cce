"""Refusals of the sharing capability and how they answer over HTTP."""

from __future__ import annotations

from typing import Literal

from bff.lib.errors import DomainError, ErrorAnswer, ErrorTable

InvalidReason = Literal[
    "unknown_camera", "camera_unavailable", "out_of_scope", "already_allowed",
    "starts_in_past", "ends_before_start", "ends_in_past", "too_long", "purpose_blank",
    "reason_required", "not_in_request", "not_requested", "longer_than_asked",
    "revoke_reason_blank", "role",
]


class ShareInputInvalid(DomainError):
    """A field of a share request, decision or revocation is wrong; `field` names it and
    `params` fill the message (the camera, the limit)."""

    def __init__(self, field: str, reason: InvalidReason, **params: object) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason: InvalidReason = reason
        self.params = params


class ShareRequestNotFound(DomainError):
    """No such request, or one the user may not see (the same answer for both)."""


class GrantNotFound(DomainError):
    """No such grant, or one the user may not see or revoke."""


class NotYourDepartment(DomainError):
    """Only approvers of the owning department (or the platform admin) decide or revoke."""


class AlreadyDecided(DomainError):
    """The part was decided already (maybe a moment ago by another approver): a decision
    is final. `by` names who decided, `state` how."""

    def __init__(self, by: str, state: str) -> None:
        super().__init__(f"{state} by {by}")
        self.by = by
        self.state = state


class GrantAlreadyEnded(DomainError):
    """The grant was revoked before or has expired."""

    def __init__(self, how: Literal["revoked", "expired"]) -> None:
        super().__init__(how)
        self.how = how


SHARING_ERRORS: ErrorTable = {
    ShareInputInvalid: lambda exc: ErrorAnswer(
        422, f"sharing.invalid.{exc.reason}", {"field": exc.field, **exc.params}),
    ShareRequestNotFound: lambda _: ErrorAnswer(404, "sharing.request_not_found"),
    GrantNotFound: lambda _: ErrorAnswer(404, "sharing.grant_not_found"),
    NotYourDepartment: lambda _: ErrorAnswer(403, "sharing.not_your_department"),
    AlreadyDecided: lambda exc: ErrorAnswer(409, "sharing.already_decided",
                                            {"by": exc.by, "state": exc.state},
                                            message_key=f"sharing.already_{exc.state}"),
    GrantAlreadyEnded: lambda exc: ErrorAnswer(409, f"sharing.grant_{exc.how}"),
}
