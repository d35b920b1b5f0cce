"""Sending Web Push messages (RFC 8030) to many devices at once.

Each message is encrypted for its subscription with pywebpush (aes128gcm, RFC 8291) and
posted with one shared aiohttp session, at most `concurrency` requests in flight, through
BFF_PUSH_PROXY when set. The VAPID header is signed once per push-service origin
(`VapidSigner`). A 429 or 5xx answer, or no answer, is retried after the service's
Retry-After (capped) or an exponential backoff, a bounded number of times; 404/410 say
the subscription is gone; any other 4xx is a refusal that a retry would not change.
Endpoints and keys are never logged: an endpoint URL is itself a credential to notify
the device, so logs name only the push service's host.
"""

from __future__ import annotations

import asyncio
import collections
import email.utils
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from enum import StrEnum
from urllib.parse import urlsplit

import aiohttp
import msgspec
from pywebpush import WebPusher

from bff.lib.settings import PushSettings
from bff.push.vapid import VapidSigner

log = logging.getLogger(__name__)

MAX_PAYLOAD = 3993
"""Largest plaintext that still fits a push service's 4,096-byte limit once encrypted
(aes128gcm header, padding delimiter and tag)."""


class PushTarget(msgspec.Struct, frozen=True, kw_only=True):
    """Where one message goes: a stored subscription."""

    id: int
    endpoint: str
    p256dh: str
    auth: str


class PushMessage(msgspec.Struct, frozen=True, kw_only=True):
    """What to send: the plaintext payload (JSON the service worker reads) and the
    RFC 8030 delivery hints."""

    payload: bytes
    urgency: str = "normal"
    ttl_s: int = 3600
    topic: str | None = None  # ≤ 32 base64url characters; replaces an undelivered one


class Outcome(StrEnum):
    DELIVERED = "delivered"  # the push service accepted it (201)
    GONE = "gone"  # 404/410: the subscription expired or was revoked: delete it
    REJECTED = "rejected"  # another 4xx: this request will never be accepted
    UNREACHABLE = "unreachable"  # 429/5xx/network, still so after the last try


class PushResult(msgspec.Struct, frozen=True, kw_only=True):
    target_id: int
    outcome: Outcome
    status: int | None
    tries: int


class PushSender:
    """Posts encrypted messages to push services; one per process, closed at shutdown."""

    def __init__(self, settings: PushSettings, signer: VapidSigner,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._settings = settings
        self._signer = signer
        self._sleep = sleep
        self._session: aiohttp.ClientSession | None = None
        self._in_flight: asyncio.Semaphore | None = None
        self.counts: collections.Counter[str] = collections.Counter()
        """Outcomes since start (delivered, gone, rejected, unreachable), for logs/health."""

    @property
    def public_key(self) -> str:
        return self._signer.public_key

    def _open(self) -> tuple[aiohttp.ClientSession, asyncio.Semaphore]:
        if self._session is None or self._session.closed:
            limit = self._settings.concurrency
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=limit, limit_per_host=limit),
                timeout=aiohttp.ClientTimeout(total=self._settings.timeout_s),
                trust_env=False)  # egress only through BFF_PUSH_PROXY, never $HTTP_PROXY
            self._in_flight = asyncio.Semaphore(limit)
        assert self._in_flight is not None
        return self._session, self._in_flight

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send_all(self, targets: Iterable[PushTarget], message: PushMessage
                       ) -> list[PushResult]:
        """Send `message` to every target concurrently; one result per target."""
        return list(await asyncio.gather(*(self.send(target, message) for target in targets)))

    async def send_each(self, targets: Iterable[PushTarget], message: PushMessage
                        ) -> AsyncIterator[PushResult]:
        """Send `message` to every target concurrently, yielding each result as it comes
        (the caller records progress while the rest are still in flight)."""
        tasks = [asyncio.create_task(self.send(target, message)) for target in targets]
        try:
            for next_done in asyncio.as_completed(tasks):
                yield await next_done
        finally:
            for task in tasks:
                task.cancel()

    async def send(self, target: PushTarget, message: PushMessage) -> PushResult:
        """Encrypt and post one message, retrying 429/5xx/network failures."""
        if len(message.payload) > MAX_PAYLOAD:
            raise ValueError(f"push payload of {len(message.payload)} bytes exceeds "
                             f"{MAX_PAYLOAD}")
        parts = urlsplit(target.endpoint)
        origin = f"{parts.scheme}://{parts.netloc}"
        headers = {"TTL": str(message.ttl_s), "Urgency": message.urgency,
                   "Content-Encoding": "aes128gcm",
                   "Content-Type": "application/octet-stream"}
        if message.topic:
            headers["Topic"] = message.topic
        body: bytes | None = None
        status: int | None = None
        tries = 0
        for tries in range(1, self._settings.attempts + 1):
            session, in_flight = self._open()
            async with in_flight:
                # Encrypted only once a slot is free: encryption of the next messages
                # overlaps the network waits of those in flight.
                if body is None:
                    body = _encrypt(target, message.payload)
                headers["Authorization"] = self._signer.authorization(origin)
                status, retry_after = await self._post(session, target.endpoint, body,
                                                       headers)
            if status is not None and 200 <= status < 300:
                return self._result(target, Outcome.DELIVERED, status, tries)
            if status in (404, 410):
                return self._result(target, Outcome.GONE, status, tries)
            if status is not None and status != 429 and status < 500:
                log.warning("push to %s refused with %s (subscription %s)", parts.hostname,
                            status, target.id)
                return self._result(target, Outcome.REJECTED, status, tries)
            if tries < self._settings.attempts:
                await self._sleep(self._wait_before_retry(tries, retry_after))
        log.warning("push to %s failed after %d tries (last status %s, subscription %s)",
                    parts.hostname, tries, status, target.id)
        return self._result(target, Outcome.UNREACHABLE, status, tries)

    async def _post(self, session: aiohttp.ClientSession, endpoint: str, body: bytes,
                    headers: dict[str, str]) -> tuple[int | None, str | None]:
        """(status, Retry-After) — status None when no answer came."""
        try:
            async with session.post(endpoint, data=body, headers=headers,
                                    proxy=self._settings.proxy or None,
                                    allow_redirects=False) as response:
                await response.read()
                return response.status, response.headers.get("Retry-After")
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            log.info("push to %s: no answer (%s)", urlsplit(endpoint).hostname,
                     type(exc).__name__)
            return None, None

    def _wait_before_retry(self, tries: int, retry_after: str | None) -> float:
        asked = parse_retry_after(retry_after)
        wait = asked if asked is not None else self._settings.retry_base_s * 2 ** (tries - 1)
        return min(wait, self._settings.max_retry_after_s)

    def _result(self, target: PushTarget, outcome: Outcome, status: int | None,
                tries: int) -> PushResult:
        self.counts[outcome.value] += 1
        return PushResult(target_id=target.id, outcome=outcome, status=status, tries=tries)


def _encrypt(target: PushTarget, payload: bytes) -> bytes:
    """The aes128gcm body for this subscription (pywebpush: fresh ECDH key and salt)."""
    pusher = WebPusher({"endpoint": target.endpoint,
                        "keys": {"p256dh": target.p256dh, "auth": target.auth}})
    return pusher.encode(payload, "aes128gcm")["body"]


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
