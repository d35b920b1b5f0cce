"""Cameras going offline (在线率预警): catalogue sync reports the cameras it saw turn from
online to offline, and each becomes a `camera_offline` alert from source `catalog`
(routed to the camera's owning department and 29 政数 by the default route).

The event id names the outage — the camera and when its row last changed while online —
so a second sync (in this process or another) that sees the same change raises the
same event, answered as a duplicate, and the camera's next outage is a new alert.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bff.alerts.alarms import AcceptsEvents
from bff.alerts.schemas import AlertEvent
from bff.catalog.sync import WentOffline
from bff.lib.db import utcnow
from bff.lib.errors import DomainError

log = logging.getLogger(__name__)

CATALOG_SOURCE = "catalog"
CAMERA_OFFLINE = "camera_offline"
OFFLINE_DETAIL = "目录同步发现摄像机由在线变为离线"


def offline_event(camera: WentOffline) -> AlertEvent:
    """The camera_offline event of one outage."""
    # Microseconds: both databases keep them, and two outages never share a version.
    since = round(camera.online_version_at.timestamp() * 1_000_000)
    return AlertEvent(event_id=f"offline-{camera.device_id}-{since}"[:64], type=CAMERA_OFFLINE,
                      device_id=camera.device_id, occurred_at=utcnow(), detail=OFFLINE_DETAIL)


async def raise_camera_offline(alerts: AcceptsEvents, cameras: Iterable[WentOffline]) -> int:
    """Raise camera_offline for each camera; how many were new alerts. A camera the
    pipeline refuses (a non-conforming code, gone from the catalogue) is logged."""
    raised = 0
    for camera in cameras:
        try:
            result = await alerts.accept(CATALOG_SOURCE, offline_event(camera))
        except DomainError as exc:
            log.warning("camera_offline for %s refused: %s: %s", camera.device_id,
                        type(exc).__name__, exc)
            continue
        raised += not result.duplicate
    return raised
