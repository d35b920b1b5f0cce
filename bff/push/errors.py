"""Refusals of the push capability and how they answer over HTTP."""

from __future__ import annotations

from bff.lib.errors import DomainError, ErrorAnswer, ErrorTable
from bff.push.endpoints import EndpointProblem


class SubscriptionRefused(DomainError):
    """The endpoint is not a push service on the allow-list, or the keys are unusable."""

    def __init__(self, problem: EndpointProblem) -> None:
        super().__init__(problem)
        self.problem: EndpointProblem = problem


class SubscriptionNotFound(DomainError):
    """No such subscription among the user's own (someone else's looks the same)."""


PUSH_ERRORS: ErrorTable = {
    SubscriptionRefused: lambda exc: ErrorAnswer(422, f"push.{exc.problem}"),
    SubscriptionNotFound: lambda exc: ErrorAnswer(404, "push.not_found"),
}
