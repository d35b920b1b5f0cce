"""The VAPID identity (RFC 8292) the BFF signs push requests with.

The key comes from BFF_VAPID_PRIVATE_KEY, or is generated once and kept in the database:
browsers bind each subscription to the public key they subscribed with, so every process
must sign with the same key and it must survive restarts. The JWT for a push-service
origin is signed once and reused until shortly before it expires — signing is the
costliest part of a push after the encryption.
"""

from __future__ import annotations

import logging
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bff.lib.db import Database
from bff.push.endpoints import b64url_decode, b64url_encode
from bff.push.models import VapidKey

log = logging.getLogger(__name__)

TOKEN_LIFETIME_S = 12 * 3600  # push services refuse exp more than 24 h ahead
TOKEN_RENEW_BEFORE_S = 3600
_KEY_ROW = 1


def parse_private_key(text: str) -> Vapid02:
    """A VAPID identity from raw base64url (32 bytes) or a PEM private key; ValueError
    (without the key in the message) when it is neither."""
    text = text.strip()
    try:
        if "-----BEGIN" in text:
            key = serialization.load_pem_private_key(text.encode(), password=None)
            if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
                raise ValueError("not a P-256 key")
            return Vapid02(key)
        if len(b64url_decode(text)) != 32:
            raise ValueError("not 32 bytes")
        return Vapid02.from_raw(text.encode())
    except Exception as exc:
        raise ValueError("BFF_VAPID_PRIVATE_KEY: not a P-256 private key (raw base64url "
                         "or PEM)") from exc


def raw_private_key(vapid: Vapid02) -> str:
    value = vapid.private_key.private_numbers().private_value
    return b64url_encode(value.to_bytes(32, "big"))


async def load_or_create(database: Database, configured: str) -> Vapid02:
    """The configured key, else the one kept in the database, else a new one stored for
    every other process (the first writer wins a race; the others read its key)."""
    if configured:
        return parse_private_key(configured)
    async with database.sessions() as db:
        stored = await db.scalar(select(VapidKey.private_key).where(VapidKey.id == _KEY_ROW))
    if stored is not None:
        return Vapid02.from_raw(stored.encode())
    fresh = Vapid02()
    fresh.generate_keys()
    try:
        async with database.sessions() as db, db.begin():
            db.add(VapidKey(id=_KEY_ROW, private_key=raw_private_key(fresh)))
    except IntegrityError:
        async with database.sessions() as db:
            stored = await db.scalar(select(VapidKey.private_key)
                                     .where(VapidKey.id == _KEY_ROW))
        assert stored is not None
        return Vapid02.from_raw(stored.encode())
    log.info("generated the VAPID key (kept in the database); public key %s",
             public_key_of(fresh))
    return fresh


def public_key_of(vapid: Vapid02) -> str:
    """The application server key browsers subscribe with (uncompressed point, base64url)."""
    return b64url_encode(vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))


class VapidSigner:
    """`Authorization: vapid t=…, k=…` headers per push-service origin, cached."""

    def __init__(self, vapid: Vapid02, subject: str) -> None:
        self._vapid = vapid
        self._subject = subject
        self._by_origin: dict[str, tuple[str, float]] = {}
        self.public_key = public_key_of(vapid)

    def authorization(self, origin: str, now: float | None = None) -> str:
        now = time.time() if now is None else now
        cached = self._by_origin.get(origin)
        if cached is not None and cached[1] - now > TOKEN_RENEW_BEFORE_S:
            return cached[0]
        expires = int(now) + TOKEN_LIFETIME_S
        # py_vapid wants a fresh claims dict per call (it may write into it).
        header = self._vapid.sign({"aud": origin, "exp": expires, "sub": self._subject})
        value = header["Authorization"]
        self._by_origin[origin] = (value, float(expires))
        return value
