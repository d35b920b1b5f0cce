"""Bodies of the push API: the browser's PushSubscription JSON in, devices and the key out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from bff.lib.schemas import Schema


class SubscriptionKeys(Schema, frozen=True, kw_only=True):
    p256dh: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    auth: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class SubscriptionRequest(Schema, frozen=True, kw_only=True):
    """`PushSubscription.toJSON()` as the browser gives it (camelCase at this boundary)."""

    endpoint: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
    keys: SubscriptionKeys
    expiration_time: float | None = msgspec.field(default=None, name="expirationTime")


class SubscriptionItem(Schema, frozen=True, kw_only=True):
    """One of my subscribed devices; `endpoint_digest` lets the page recognise its own
    subscription without the server echoing the endpoint."""

    id: int
    device: str
    created_at: datetime
    last_success_at: datetime | None
    failure_count: int
    endpoint_digest: str


class PushKey(Schema, frozen=True, kw_only=True):
    """The VAPID public key (`applicationServerKey` for `pushManager.subscribe`)."""

    public_key: str
