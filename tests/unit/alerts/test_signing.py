"""Ingest signatures: HMAC-SHA256 over `<timestamp>.<body>`, checked before parsing."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from bff.alerts.errors import AlertUnauthorized
from bff.alerts.signing import sign, verify

SECRET = "s" * 40
SOURCES = {"vendor": SECRET}
NOW = 1_800_000_000
BODY = b'{"event_id":"e1"}'


def _verify(source: str | None = "vendor", timestamp: str | None = str(NOW),
            signature: str | None = None, body: bytes = BODY, now: float = NOW) -> str:
    signature = sign(SECRET, NOW, BODY) if signature is None else signature
    return verify(SOURCES, source, timestamp, signature, body, max_skew_s=300, now=now)


def test_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, NOW, BODY) == f"sha256={expected}"


def test_a_good_signature_names_the_source() -> None:
    assert _verify() == "vendor"
    assert _verify(now=NOW + 299) == "vendor"
    assert _verify(signature=sign(SECRET, NOW, BODY).upper().replace("SHA256", "sha256")) \
        == "vendor"


@pytest.mark.parametrize(("kwargs", "reason"), [
    ({"signature": sign("w" * 40, NOW, BODY)}, "bad_signature"),
    ({"body": BODY + b" "}, "bad_signature"),
    ({"signature": "sha256=00"}, "bad_signature"),
    ({"now": NOW + 301}, "stale_timestamp"),
    ({"now": NOW - 301}, "stale_timestamp"),
    ({"source": "stranger"}, "unknown_source"),
    ({"source": None}, "missing_headers"),
    ({"signature": ""}, "missing_headers"),
    ({"timestamp": "17e8"}, "bad_timestamp"),
    ({"timestamp": "-1"}, "bad_timestamp"),
    ({"timestamp": "9" * 5000}, "bad_timestamp"),
])
def test_refusals_carry_their_reason(kwargs: dict, reason: str) -> None:
    with pytest.raises(AlertUnauthorized) as refused:
        _verify(**kwargs)
    assert refused.value.reason == reason
