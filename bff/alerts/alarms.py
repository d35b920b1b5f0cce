"""Device alarms from the platform (设备报警) as alerts: every `PlatformAlarm` the platform's
`AlarmFeed` yields whose alarm type `BFF_ALERT_ALARM_TYPES` maps to an alert type enters
the pipeline as source `platform`, with the platform's alarm id as event id (a repeated
alarm is a duplicate). Unmapped alarm types are logged and skipped; alarms the pipeline
refuses (a camera the catalogue lacks) are logged and skipped.

The feed may end or fail (the platform restarts, the network drops); the intake then
listens again after a pause that doubles up to `ALARM_RECONNECT_MAX_S` and starts over at
one second once alarms flow again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Mapping
from datetime import UTC
from typing import Protocol

from bff.alerts.schemas import AlertEvent, IngestResult
from bff.lib.errors import DomainError
from bff.platform.base import AlarmFeed, PlatformAlarm

log = logging.getLogger(__name__)

PLATFORM_SOURCE = "platform"
ALARM_RECONNECT_MIN_S = 1.0
ALARM_RECONNECT_MAX_S = 60.0
_EVENT_ID_MAX = 64


class AcceptsEvents(Protocol):
    """What the intake needs from the alert service (`AlertService.accept`)."""

    async def accept(self, source: str, event: AlertEvent) -> IngestResult: ...


def alarm_event(alarm: PlatformAlarm, alert_type: str) -> AlertEvent:
    """The alert event for a platform alarm: the alarm id as event id (hashed when longer
    than the ingest contract allows), naive times read as UTC."""
    event_id = alarm.alarm_id
    if not event_id or len(event_id) > _EVENT_ID_MAX:
        digest = hashlib.sha256(f"{alarm.device_id}|{alarm.alarm_id}".encode()).hexdigest()
        event_id = f"alarm-{digest[:48]}"
    occurred = alarm.occurred_at
    if occurred.tzinfo is None:
        occurred = occurred.replace(tzinfo=UTC)
    return AlertEvent(event_id=event_id, type=alert_type, device_id=alarm.device_id,
                      occurred_at=occurred, detail=alarm.description[:500] or None)


class AlarmIntake:
    """Listens to the platform's device alarms and feeds the mapped ones to the pipeline."""

    def __init__(self, feed: AlarmFeed, alerts: AcceptsEvents,
                 alarm_types: Mapping[str, str], *,
                 sleep: Callable[[float], object] = asyncio.sleep) -> None:
        self._feed = feed
        self._alerts = alerts
        self._alarm_types = dict(alarm_types)
        self._sleep = sleep

    async def handle(self, alarm: PlatformAlarm) -> IngestResult | None:
        """Map one alarm and hand it to the pipeline; None when skipped."""
        alert_type = self._alarm_types.get(alarm.alarm_type)
        if alert_type is None:
            log.info("platform alarm %s (type %r) at %s: no alert type mapped, skipped",
                     alarm.alarm_id, alarm.alarm_type, alarm.device_id)
            return None
        try:
            return await self._alerts.accept(PLATFORM_SOURCE, alarm_event(alarm, alert_type))
        except DomainError as exc:
            log.warning("platform alarm %s at %s refused as %s: %s: %s", alarm.alarm_id,
                        alarm.device_id, alert_type, type(exc).__name__, exc)
            return None

    async def run(self) -> None:
        """Listen until cancelled, reconnecting with a bounded backoff."""
        delay = ALARM_RECONNECT_MIN_S
        while True:
            try:
                async for alarm in self._feed.alarms():
                    delay = ALARM_RECONNECT_MIN_S
                    await self.handle(alarm)
                log.warning("platform alarm feed ended; listening again in %.0fs", delay)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - a broken feed must not end the intake
                log.warning("platform alarm feed failed (%s: %s); listening again in %.0fs",
                            type(exc).__name__, exc, delay)
            result = self._sleep(delay)
            if asyncio.iscoroutine(result):
                await result
            delay = min(delay * 2, ALARM_RECONNECT_MAX_S)
