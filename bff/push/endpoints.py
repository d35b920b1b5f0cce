"""Which subscription endpoints the BFF may post to, and whether a subscription's keys
are usable.

Endpoints come from browsers, so from users: without a check a subscription naming
`https://10.0.0.5/admin` would make the server post there on every alert. Only hosts on
the push-service allow-list (BFF_PUSH_HOSTS) pass, over https (http only when a test
setting allows it); user names, passwords and fragments in the URL are refused outright.
"""

from __future__ import annotations

import base64
import binascii
from typing import Literal
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

EndpointProblem = Literal["not_https", "host_not_allowed", "malformed", "bad_keys"]


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url (the Push API's encoding); ValueError when it is not."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def host_allowed(host: str, patterns: list[str]) -> bool:
    """True when `host` (lower case, maybe with :port) matches a pattern: an exact name
    or `*.suffix` for any subdomain (not the suffix itself)."""
    host = host.lower().rstrip(".")
    for pattern in (p.lower() for p in patterns):
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif host == pattern:
            return True
    return False


def endpoint_problem(endpoint: str, patterns: list[str], *,
                     allow_http: bool) -> EndpointProblem | None:
    """Why the BFF must not post to `endpoint`, or None when it may."""
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return "malformed"
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        return "not_https" if parts.scheme else "malformed"
    if parts.username is not None or parts.password is not None or parts.fragment:
        return "malformed"
    if parts.scheme == "http" and not allow_http:
        return "not_https"
    host = parts.hostname if port is None else f"{parts.hostname}:{port}"
    if not (host_allowed(parts.hostname, patterns) or host_allowed(host, patterns)):
        return "host_not_allowed"
    return None


def keys_problem(p256dh: str, auth: str) -> EndpointProblem | None:
    """The subscription's keys must be a P-256 point and a 16-byte secret, or nothing
    could ever be encrypted for it."""
    try:
        point = b64url_decode(p256dh)
        secret = b64url_decode(auth)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        return "bad_keys"
    if len(point) != 65 or len(secret) != 16:
        return "bad_keys"
    return None
