"""A Web Push service on 127.0.0.1 for tests and the benchmark: it checks every request as
a real push service would and decrypts what it receives.

Each request must carry `Authorization: vapid t=<JWT>, k=<public key>`: the JWT must be
ES256-signed by k, its `aud` the endpoint's origin, `exp` in the future and at most 24 h
ahead, `sub` a mailto: or https: URI. The body (at most 4,096 bytes) is decrypted as
aes128gcm (RFC 8291) with the subscription's private key and auth secret; urgency, TTL and
topic are recorded. Tests script answers (429 with Retry-After, 500, 404, 410) per
subscription. The server runs on its own thread and event loop, so an app under test on
any loop or in another process can reach it.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import threading
import time
from collections import defaultdict, deque
from typing import Any, Self

import http_ece
import msgspec
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

MAX_BODY = 4096


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Push(msgspec.Struct, frozen=True, kw_only=True):
    """One accepted, decrypted push."""

    token: str
    payload: dict[str, Any]
    urgency: str | None
    ttl: int
    topic: str | None
    vapid_key: str
    at: float  # time.monotonic() when it arrived


class Answered(msgspec.Struct, frozen=True, kw_only=True):
    """Every request and what it was answered (scripted or not), in order."""

    token: str
    status: int
    at: float


class _Subscriber(msgspec.Struct, kw_only=True):
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes


class PushReceiver:
    """Start with `with PushReceiver() as receiver:`; `subscribe()` gives a browser-style
    subscription whose endpoint points here."""

    def __init__(self, port: int = 0) -> None:
        self._port = port
        self._lock = threading.Condition()
        self._subscribers: dict[str, _Subscriber] = {}
        self._scripts: dict[str, deque[tuple[int, str | None]]] = defaultdict(deque)
        self._verified_tokens: dict[str, float] = {}  # JWT → exp, signature checked once
        self.received: list[Push] = []
        self.answered: list[Answered] = []
        self.refused: list[tuple[str, int, str]] = []  # (token, status, why) of bad requests
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    # --- lifecycle -------------------------------------------------------------------
    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True,
                                        name="push-receiver")
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("push receiver did not start")

    def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        app = web.Application(client_max_size=64 * 1024)
        app.router.add_post("/push/{token}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", self._port, backlog=2048)
        self._loop.run_until_complete(site.start())
        self._port = self._runner.addresses[0][1]
        ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def port(self) -> int:
        return self._port

    # --- what tests use --------------------------------------------------------------
    def subscribe(self) -> dict[str, Any]:
        """A new subscription, as `PushSubscription.toJSON()` gives it."""
        token = secrets.token_urlsafe(12)
        key = ec.generate_private_key(ec.SECP256R1())
        auth = secrets.token_bytes(16)
        with self._lock:
            self._subscribers[token] = _Subscriber(private_key=key, auth=auth)
        point = key.public_key().public_bytes(serialization.Encoding.X962,
                                              serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": f"{self.origin}/push/{token}", "expirationTime": None,
                "keys": {"p256dh": _b64encode(point), "auth": _b64encode(auth)}}

    @staticmethod
    def token_of(subscription: dict[str, Any]) -> str:
        return subscription["endpoint"].rsplit("/", 1)[1]

    def script(self, subscription: dict[str, Any], *answers: tuple[int, str | None]) -> None:
        """Answer the next requests for this subscription with these (status,
        Retry-After) before accepting again."""
        with self._lock:
            self._scripts[self.token_of(subscription)].extend(answers)

    def pushes_for(self, subscription: dict[str, Any]) -> list[Push]:
        token = self.token_of(subscription)
        with self._lock:
            return [push for push in self.received if push.token == token]

    def answers_for(self, subscription: dict[str, Any]) -> list[Answered]:
        token = self.token_of(subscription)
        with self._lock:
            return [answer for answer in self.answered if answer.token == token]

    def wait_for(self, count: int, timeout_s: float = 15.0) -> bool:
        """Block until `count` pushes were accepted in all (bounded wait)."""
        deadline = time.monotonic() + timeout_s
        with self._lock:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(left)
            return True

    def wait_for_answers(self, subscription: dict[str, Any], count: int,
                         timeout_s: float = 15.0) -> bool:
        deadline = time.monotonic() + timeout_s
        with self._lock:
            while len([a for a in self.answered
                       if a.token == self.token_of(subscription)]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(left)
            return True

    # --- the push service ------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        body = await request.read()
        now = time.monotonic()
        with self._lock:
            subscriber = self._subscribers.get(token)
        if subscriber is None:
            return self._refuse(token, 404, "unknown subscription")
        if len(body) > MAX_BODY:
            return self._refuse(token, 413, "payload too large")
        vapid_key, problem = self._check_vapid(request.headers.get("Authorization", ""))
        if problem:
            return self._refuse(token, 401, problem)
        ttl = request.headers.get("TTL")
        if ttl is None or not ttl.isdigit():
            return self._refuse(token, 400, "TTL header missing")
        if request.headers.get("Content-Encoding") != "aes128gcm":
            return self._refuse(token, 415, "not aes128gcm")
        try:
            plain = http_ece.decrypt(body, private_key=subscriber.private_key,
                                     auth_secret=subscriber.auth, version="aes128gcm")
            payload = json.loads(plain)
        except Exception as exc:  # noqa: BLE001 - any decryption failure is the test's finding
            return self._refuse(token, 400, f"cannot decrypt: {exc!r}")
        with self._lock:
            script = self._scripts.get(token)
            if script:
                status, retry_after = script.popleft()
                self.answered.append(Answered(token=token, status=status, at=now))
                self._lock.notify_all()
                headers = {"Retry-After": retry_after} if retry_after else {}
                return web.Response(status=status, headers=headers)
            self.received.append(Push(
                token=token, payload=payload, urgency=request.headers.get("Urgency"),
                ttl=int(ttl), topic=request.headers.get("Topic"), vapid_key=vapid_key,
                at=now))
            self.answered.append(Answered(token=token, status=201, at=now))
            self._lock.notify_all()
        return web.Response(status=201, headers={"Location": f"/message/{secrets.token_hex(6)}"})

    def _refuse(self, token: str, status: int, why: str) -> web.Response:
        with self._lock:
            self.refused.append((token, status, why))
            self.answered.append(Answered(token=token, status=status, at=time.monotonic()))
            self._lock.notify_all()
        return web.Response(status=status, text=why)

    def _check_vapid(self, header: str) -> tuple[str, str | None]:
        """(k, problem or None) for an `Authorization: vapid t=…, k=…` header."""
        scheme, _, params = header.partition(" ")
        if scheme.lower() != "vapid":
            return "", "no vapid authorization"
        parts = dict(item.strip().split("=", 1) for item in params.split(",") if "=" in item)
        jwt, key = parts.get("t", ""), parts.get("k", "")
        try:
            header_b64, claims_b64, signature_b64 = jwt.split(".")
            claims = json.loads(_b64decode(claims_b64))
            if json.loads(_b64decode(header_b64)).get("alg") != "ES256":
                return key, "JWT not ES256"
            if jwt not in self._verified_tokens:
                public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(),
                                                                      _b64decode(key))
                signature = _b64decode(signature_b64)
                r = int.from_bytes(signature[:32], "big")
                s = int.from_bytes(signature[32:], "big")
                public.verify(encode_dss_signature(r, s),
                              f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
                self._verified_tokens[jwt] = float(claims["exp"])
        except (ValueError, KeyError, InvalidSignature, json.JSONDecodeError):
            return key, "bad VAPID JWT or signature"
        if claims.get("aud") != self.origin:
            return key, f"aud {claims.get('aud')!r} is not {self.origin}"
        exp = claims.get("exp")
        if not isinstance(exp, int) or not time.time() < exp <= time.time() + 24 * 3600:
            return key, "exp not within the next 24 h"
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            return key, "sub missing"
        return key, None
