"""Signatures of alert events: HMAC-SHA256 over `<timestamp>.<raw body>` with the
source's secret, the scheme the analysis platform's vendor implements (README).

The BFF checks the signature on the raw bytes before it parses anything, so an unsigned
request costs no JSON decoding; the CLI's `bff alerts send` signs with `sign`."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

from bff.alerts.errors import AlertUnauthorized

SIGNATURE_PREFIX = "sha256="


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The `X-Alert-Signature` value for `body` sent at `timestamp` (unix seconds)."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body,
                      hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def verify(sources: Mapping[str, str], source: str | None, timestamp: str | None,
           signature: str | None, body: bytes, *, max_skew_s: float,
           now: float | None = None) -> str:
    """The source's name when the request is signed by it; raises `AlertUnauthorized`
    with the reason otherwise (unknown source, missing or stale timestamp, bad signature)."""
    if not source or not timestamp or not signature:
        raise AlertUnauthorized("missing_headers")
    secret = sources.get(source)
    if secret is None:
        raise AlertUnauthorized("unknown_source")
    # Unix seconds have 10 digits until 2286; a longer string is not a timestamp (and
    # int() of thousands of digits would raise instead of refusing).
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise AlertUnauthorized("bad_timestamp")
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > max_skew_s:
        raise AlertUnauthorized("stale_timestamp")
    # Constant-time: the comparison must not tell an attacker how much of a guess was right.
    expected = sign(secret, int(timestamp), body)
    if not hmac.compare_digest(expected.encode("ascii"), signature.strip().lower().encode()):
        raise AlertUnauthorized("bad_signature")
    return source
