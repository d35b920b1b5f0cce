"""Posting a signed event as the analysis platform does (`bff alerts send`): for
integrators checking their setup and for demos."""

from __future__ import annotations

import base64
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import msgspec

from bff.alerts.controllers import INGEST_PATH
from bff.alerts.signing import sign


class SendError(ValueError):
    """The event cannot be sent as asked (no such source, unreadable snapshot)."""


def event_body(alert_type: str, device_id: str, *, event_id: str | None = None,
               snapshot: Path | None = None, detail: str | None = None,
               confidence: float | None = None) -> bytes:
    """The JSON body of one event occurring now (a fresh event id unless given)."""
    body: dict[str, object] = {
        "event_id": event_id or uuid.uuid4().hex, "type": alert_type, "device_id": device_id,
        "occurred_at": datetime.now(UTC).isoformat(timespec="seconds")}
    if confidence is not None:
        body["confidence"] = confidence
    if detail:
        body["detail"] = detail
    if snapshot is not None:
        try:
            body["snapshot_jpeg"] = base64.b64encode(snapshot.read_bytes()).decode("ascii")
        except OSError as exc:
            raise SendError(f"cannot read {snapshot}: {exc}") from exc
    return msgspec.json.encode(body)


def signed_headers(source: str, secret: str, body: bytes,
                   timestamp: int | None = None) -> dict[str, str]:
    """The headers that authenticate `body` as sent by `source`."""
    stamp = int(time.time()) if timestamp is None else timestamp
    return {"content-type": "application/json", "x-alert-source": source,
            "x-alert-timestamp": str(stamp), "x-alert-signature": sign(secret, stamp, body)}


def choose_source(sources: dict[str, str], name: str | None) -> tuple[str, str]:
    """(name, secret) of the named source, or of the only one configured."""
    if name is not None:
        if name not in sources:
            raise SendError(f"source {name!r} is not in BFF_ALERT_SOURCES")
        return name, sources[name]
    if len(sources) != 1:
        raise SendError("name the source with --source (BFF_ALERT_SOURCES has "
                        f"{len(sources)} sources)")
    return next(iter(sources.items()))


def send(url: str, source: str, secret: str, body: bytes,
         timeout_s: float = 10.0) -> httpx.Response:
    """POST the signed event to the BFF at `url` and return its answer."""
    return httpx.post(url.rstrip("/") + INGEST_PATH, content=body,
                      headers=signed_headers(source, secret, body), timeout=timeout_s)
