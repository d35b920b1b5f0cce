"""WVP's JSON as the adapter reads it: where each API generation keeps a channel's and an
alarm's fields, how WVP addresses a camera, and lenient readers of its loosely typed
values (numbers as strings, status as a boolean or "ON"/"OFF", wall-clock times).

The readers never raise on odd values: WVP's fields are filled by devices of every make,
so a value that cannot be read counts as not given.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import quote

WVP_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

# WVP's ptzType (1 球机, 2 半球, 3 固定枪机, 4 遥控枪机) → appendix-5 camera type.
_CAMERA_TYPES = {1: 1, 2: 2, 3: 3, 4: 4}
OTHER_CAMERA_TYPE = 99


@dataclass(frozen=True, slots=True)
class ChannelShape:
    """Where one API generation keeps a channel's fields (None = not listed)."""

    code: str
    name: str
    status: str
    longitude: str
    latitude: str
    ptz_type: str
    civil_code: str
    address: str
    parent: str | None
    """Field naming the parent device; None = the device being walked is the parent."""
    gb_id: str | None = None


CHANNEL_SHAPES: Mapping[str, ChannelShape] = {
    "2.7.1": ChannelShape(code="channelId", name="name", status="status",
                          longitude="longitude", latitude="latitude", ptz_type="ptzType",
                          civil_code="civilCode", address="address", parent="deviceId"),
    "2.7.3": ChannelShape(code="deviceId", name="name", status="status",
                          longitude="longitude", latitude="latitude", ptz_type="ptzType",
                          civil_code="civilCode", address="address", parent=None),
    "common": ChannelShape(code="gbDeviceId", name="gbName", status="gbStatus",
                           longitude="gbLongitude", latitude="gbLatitude",
                           ptz_type="gbPtzType", civil_code="gbCivilCode",
                           address="gbAddress", parent="gbParentId", gb_id="gbId"),
}
"""Channel shapes by `WvpSettings.api_version`."""

# Alarm fields as the SSE DeviceAlarm (≤2.7.4-20260107) and master's /api/alarm/list
# name them; the first one present wins.
ALARM_FIELDS: Mapping[str, tuple[str, ...]] = {
    "id": ("id", "alarmSn"),
    "device_id": ("channelDeviceId", "channelId", "deviceId"),
    "type": ("alarmType", "alarmMethod"),
    "priority": ("alarmPriority",),
    "time": ("alarmTime", "createTime"),
    "description": ("alarmDescription", "description"),
    "longitude": ("longitude",),
    "latitude": ("latitude",),
}


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """How WVP addresses one camera: (parent device, channel code), or gbId."""

    device_id: str
    channel_id: str
    gb_id: int | None = None

    @property
    def path(self) -> str:
        """The `{deviceId}/{channelId}` part of WVP's per-device paths, quoted."""
        return f"{segment(self.device_id)}/{segment(self.channel_id)}"


class WallClock:
    """WVP's times: `yyyy-MM-dd HH:mm:ss` on the wall clock of its zone (or epoch
    numbers, or ISO text, in some replies)."""

    def __init__(self, zone: tzinfo) -> None:
        self._zone = zone

    def format(self, moment: datetime) -> str:
        if moment.tzinfo is None:
            raise ValueError("naive datetime: give WVP times with a time zone")
        return moment.astimezone(self._zone).strftime(WVP_TIME_FORMAT)

    def parse(self, value: Any) -> datetime | None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            seconds = value / 1000 if value > 10**11 else value  # epoch ms or s
            return datetime.fromtimestamp(seconds, UTC)
        text = as_text(value)
        if not text:
            return None
        try:
            return datetime.strptime(text, WVP_TIME_FORMAT).replace(tzinfo=self._zone)
        except ValueError:
            pass
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=self._zone)


def camera_type_of(ptz_type: Any) -> int | None:
    """Appendix-5 camera type of WVP's ptzType; None when WVP does not say."""
    number = as_int(ptz_type)
    if not number:
        return None
    return _CAMERA_TYPES.get(number, OTHER_CAMERA_TYPE)


def is_online(status: Any) -> bool:
    if isinstance(status, bool):
        return status
    if isinstance(status, int | float):
        return status == 1
    return as_text(status).upper() in {"ON", "ONLINE", "TRUE", "1"}


def position_of(longitude: Any, latitude: Any) -> tuple[float | None, float | None]:
    """WGS-84 (longitude, latitude), or (None, None): half a position, or (0, 0), is
    no position."""
    x, y = _coordinate(longitude, 180.0), _coordinate(latitude, 90.0)
    if x is None or y is None or (x == 0.0 and y == 0.0):
        return None, None
    return x, y


def _coordinate(value: Any, bound: float) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and abs(number) <= bound else None


def as_int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        return int(number) if number.is_integer() else None


def as_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def segment(value: str) -> str:
    """`value` as one path segment (WVP's ids are digits, stream names nearly so)."""
    return quote(value, safe="")
