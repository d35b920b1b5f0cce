"""The demo analysis source (演示预警源): on a platform that makes up alerts (the demo's
`RaisesDemoAlerts`), one plausible alert every `BFF_DEMO_ALERTS_SECONDS`, so a new user
sees alerts arrive on the embedded default.

Each alert is serialized, signed with the demo source's secret and handed to
`AlertService.ingest` as a `SignedRequest` — the path the analysis platform's posts take,
checks and all. The secret is the one `BFF_ALERT_SOURCES` gives the source `demo`, else a
random one made for this process (it never leaves it).
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC, datetime

import msgspec

from bff.alerts.schemas import AlertEvent, IngestResult
from bff.alerts.services import AlertService, SignedRequest
from bff.alerts.signing import sign
from bff.lib.errors import DomainError
from bff.lib.periodic import repeat_every
from bff.platform.base import RaisesDemoAlerts

log = logging.getLogger(__name__)

DEMO_SOURCE = "demo"


class DemoAlertSource:
    """Raises the platform's made-up alerts through the signed ingest."""

    def __init__(self, platform: RaisesDemoAlerts, alerts: AlertService, secret: str) -> None:
        self._platform = platform
        self._alerts = alerts
        self._secret = secret

    async def raise_one(self) -> IngestResult | None:
        """Make up one alert and post it to the ingest; None when the platform has no
        fitting camera or the ingest refused it (logged)."""
        made = await self._platform.demo_alert()
        if made is None:
            log.info("demo alerts: no flood point, school kitchen or forest camera to use")
            return None
        event = AlertEvent(event_id=f"demo-{uuid.uuid4().hex}", type=made.type,
                           device_id=made.device_id, occurred_at=datetime.now(UTC),
                           confidence=made.confidence, snapshot_jpeg=made.snapshot_jpeg,
                           detail=made.detail)
        body = msgspec.json.encode(event)
        timestamp = int(time.time())
        request = SignedRequest(source=DEMO_SOURCE, timestamp=str(timestamp),
                                signature=sign(self._secret, timestamp, body), body=body)
        try:
            return await self._alerts.ingest(request)
        except DomainError as exc:
            log.warning("demo alert refused by the ingest: %s: %s", type(exc).__name__, exc)
            return None

    async def run(self, interval_s: float) -> None:
        """One alert every `interval_s` seconds until cancelled (the first after one
        interval: a fresh start is not an emergency)."""
        await repeat_every(interval_s, self.raise_one, "demo alert")
