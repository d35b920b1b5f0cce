"""The live feed of alert events to open pages (the in-app channel).

Whatever changes an alert — a new one delivered from the outbox, an escalation, a
recipient acknowledging or resolving it — publishes a `FeedEvent` to the users it concerns.
The feed behind this protocol fans the event out to those users' open pages (server-sent
events over Litestar channels: in memory on the embedded default, Redis across processes).
Publishing is best effort: the database is the record, a page that missed an event shows
the right state on its next load.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum
from typing import Protocol

from bff.lib.schemas import Schema


class FeedKind(StrEnum):
    NEW = "new"  # an alert reached its recipients
    STATE = "state"  # acknowledged or resolved by a recipient
    ESCALATED = "escalated"  # not acknowledged in time: notified again, supervisors added


class FeedEvent(Schema, kw_only=True, frozen=True):
    """What an open page hears; it re-reads the alert itself (authorization stays on the
    server), so the event carries only enough to decide what to refresh."""

    kind: FeedKind
    alert_id: int
    type: str
    device_id: str
    state: str


class AlertFeed(Protocol):
    async def publish(self, user_ids: Collection[int], event: FeedEvent) -> None:
        """Tell these users' open pages; never raises for a delivery problem."""
        ...


class NoFeed:
    """A feed with no listeners (CLI tools, tests of other parts)."""

    async def publish(self, user_ids: Collection[int], event: FeedEvent) -> None:
        return None
