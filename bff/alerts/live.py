"""The in-app live channel (预警实时推送): alert events to the open pages of their users.

`LiveAlertFeed` implements `AlertFeed` on Litestar's channels: one channel per user, in
memory on the embedded default and Redis pub/sub when `BFF_REDIS_URL` is set, so an event
published by one process reaches pages connected to any other. The channels object is
owned here (started and stopped with the services) rather than registered as an app
plugin: it is one of the process's long-lived services like the others, and publishing
from background work never races the app's start-up order.

A page listens through `events(user_id)`, the body of the server-sent-events endpoint:
each feed event is sent twice, as `alert` (the list and the unread badge refresh) and as
`alert-<id>` (an open detail page refreshes only for its own alert); a comment line every
`heartbeat_s` keeps proxies from closing an idle stream; the stream ends after
`max_stream_s` (the browser reconnects and its session is checked again), and a user holds
at most `streams_per_user` streams in one process. Everything a stream holds is released
when the phone goes away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Collection
from typing import Any

import anyio
import msgspec
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from litestar.response import ServerSentEventMessage
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bff.alerts.errors import TooManyLiveStreams
from bff.alerts.feed import FeedEvent
from bff.lib.settings import LiveFeedSettings

log = logging.getLogger(__name__)

STREAM_BACKLOG = 100
"""Events held for one slow stream; older ones are dropped (the page re-reads its state
from the server on each event, so the newest events are the ones that matter)."""

RECONNECT_MS = 2_000
"""How soon a browser reconnects after a stream ends (the SSE `retry` field)."""

REDIS_RETRY_S = 1.0
"""Pause before listening again after the Redis connection failed."""


class _ResilientRedisPubSub(RedisChannelsPubSubBackend):
    """Litestar's Redis pub/sub backend, listening on after a lost Redis connection.

    The channels plugin reads events in one task that ends on the first error; Redis
    restarting would silence the live channel of this process for good. redis-py
    re-subscribes the channels when its pub/sub connection comes back."""

    async def stream_events(self) -> AsyncIterator[tuple[str, Any]]:  # type: ignore[override]
        while True:
            try:
                async for channel, data in super().stream_events():
                    yield channel, data
            except RedisError as exc:
                log.warning("live channel: Redis pub/sub failed (%s); listening again in "
                            "%.0f s", exc, REDIS_RETRY_S)
                await asyncio.sleep(REDIS_RETRY_S)


def channels_backend(redis: Redis | None) -> ChannelsBackend:
    """Redis pub/sub when the app has Redis, else in memory (one process)."""
    if redis is None:
        return MemoryChannelsBackend()
    return _ResilientRedisPubSub(redis=redis)


class LiveAlertFeed:
    """Publishes `FeedEvent`s to per-user channels and streams them to open pages."""

    def __init__(self, settings: LiveFeedSettings, backend: ChannelsBackend,
                 channel_prefix: str) -> None:
        self._settings = settings
        self._prefix = channel_prefix
        self._channels = ChannelsPlugin(
            backend=backend, arbitrary_channels_allowed=True,
            subscriber_max_backlog=STREAM_BACKLOG, subscriber_backlog_strategy="dropleft")
        self._open_streams: Counter[int] = Counter()

    async def start(self) -> None:
        await self._channels.__aenter__()

    async def close(self) -> None:
        await self._channels.__aexit__(None, None, None)

    def channel(self, user_id: int) -> str:
        """The user's channel; Redis pub/sub names are server-wide (not per database), so
        they carry the app's key prefix."""
        return f"{self._prefix}:alerts:user:{user_id}"

    async def publish(self, user_ids: Collection[int], event: FeedEvent) -> None:
        """Tell these users' open pages (in every process); logs and swallows a delivery
        problem: the database stays the record."""
        if not user_ids:
            return
        try:
            await self._channels.wait_published(
                msgspec.json.encode(event), [self.channel(user_id) for user_id in user_ids])
        except Exception:  # best effort by contract (AlertFeed)
            log.warning("live channel: could not publish %s of alert %s to %d users",
                        event.kind.value, event.alert_id, len(user_ids), exc_info=True)

    def open_streams(self, user_id: int) -> int:
        """Streams this user has open in this process."""
        return self._open_streams[user_id]

    def reserve_stream(self, user_id: int) -> StreamTicket:
        """Count one more stream for the user; TooManyLiveStreams beyond the cap. Called
        before the response starts, so a refusal is an ordinary 429."""
        if self._open_streams[user_id] >= self._settings.streams_per_user:
            raise TooManyLiveStreams(self._settings.streams_per_user)
        self._open_streams[user_id] += 1
        return StreamTicket(self._open_streams, user_id)

    async def events(self, ticket: StreamTicket) -> AsyncIterator[ServerSentEventMessage]:
        """The event stream of a reserved stream: a first comment (the page knows it is
        connected), then events and heartbeats until `max_stream_s`. The subscription and
        the reservation end with the stream, also when the phone disconnects (the response
        is cancelled)."""
        channel = self.channel(ticket.user_id)
        try:
            subscriber = await self._channels.subscribe(channel)
        except BaseException:
            ticket.release()
            raise
        pending: asyncio.Task[bytes] | None = None
        events = subscriber.iter_events()
        try:
            yield ServerSentEventMessage(comment="connected", retry=RECONNECT_MS)
            deadline = asyncio.get_running_loop().time() + self._settings.max_stream_s
            while (remaining := deadline - asyncio.get_running_loop().time()) > 0:
                if pending is None:
                    # Kept across heartbeats: cancelling it would end the subscriber's
                    # event iterator.
                    pending = asyncio.ensure_future(anext(events))
                done, _ = await asyncio.wait(
                    {pending}, timeout=min(self._settings.heartbeat_s, remaining))
                if not done:
                    yield ServerSentEventMessage(comment="keep-alive")
                    continue
                try:
                    payload = pending.result()
                except StopAsyncIteration:  # unsubscribed at shutdown
                    return
                finally:
                    pending = None
                for message in _messages(payload):
                    yield message
        finally:
            ticket.release()
            # The response is being cancelled when the phone went away: without the
            # shield, the first await of the clean-up would be cancelled too.
            with anyio.CancelScope(shield=True):
                if pending is not None:
                    pending.cancel()
                    with contextlib.suppress(BaseException):
                        await pending
                try:
                    await self._channels.unsubscribe(subscriber, channel)
                except Exception:  # Redis gone: its connection is dropped anyway
                    log.warning("live channel: could not unsubscribe %s", channel,
                                exc_info=True)


class StreamTicket:
    """One reserved stream of a user; `release` gives the place back (once, whichever of
    the stream's end or the response's clean-up comes first)."""

    def __init__(self, counts: Counter[int], user_id: int) -> None:
        self._counts = counts
        self.user_id = user_id
        self._released = False

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        self._counts[self.user_id] -= 1
        if self._counts[self.user_id] <= 0:
            del self._counts[self.user_id]


def _messages(payload: bytes) -> list[ServerSentEventMessage]:
    """One feed event as the page hears it: the general `alert` event and the alert's own."""
    try:
        event = msgspec.json.decode(payload, type=FeedEvent)
    except msgspec.DecodeError:
        log.warning("live channel: dropped an undecodable event")
        return []
    data = payload.decode()
    return [ServerSentEventMessage(event="alert", data=data),
            ServerSentEventMessage(event=f"alert-{event.alert_id}", data=data)]
