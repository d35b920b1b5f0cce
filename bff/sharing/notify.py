"""Telling people about requests: the in-app inbox is written with each step, in the
same transaction; other channels (Web Push, the live channel of open pages) hear of
the same notices after commit through a `Notifier`, which the composition root passes
to `SharingService` — the sharing capability knows no channel itself."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Protocol

import msgspec


class NoticeKind(StrEnum):
    """What a notice says; the i18n key is `sharing.notice.<kind>`."""

    NEW_REQUEST = "new_request"
    """To the owning department's approvers: a part waits for them."""
    ESCALATED_TO_YOU = "escalated_to_you"
    """To platform admins: a part passed its deadline undecided."""
    ESCALATED = "escalated"
    """To the requester: their part went to the platform admin."""
    APPROVED = "approved"
    REJECTED = "rejected"
    REVOKED = "revoked"
    EXPIRED = "expired"


class Notice(msgspec.Struct, frozen=True, kw_only=True):
    """One notice for one user, as stored in the inbox (`id` once stored)."""

    id: int
    user_id: int
    kind: NoticeKind
    request_id: int | None = None
    grant_id: int | None = None


class Notifier(Protocol):
    """A channel beyond the in-app inbox. Called after the step committed; a failure is
    logged and does not undo the step (the inbox holds the notice either way)."""

    async def deliver(self, notices: Sequence[Notice]) -> None: ...
