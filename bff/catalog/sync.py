"""Catalogue sync (目录同步): merge the platform's live channel fields into the BFF's
camera table.

The platform (WVP) knows what is live — online state, name, position, camera type — but
none of appendix 5's governance fields (sharing attribute, default permissions, owning
department, retention …); those come from the city's catalogue import and are the BFF's
own. Sync rules:

* A camera the platform lists and the catalogue holds: online, name, coordinates (when
  the platform has them; null keeps the BFF's) and camera type (when the platform says)
  are updated. Governance fields are never touched.
* A camera the platform lists and the catalogue lacks is inserted, never dropped, with
  conservative governance: not shared (共享属性 2), no default permissions, department 99,
  retention 0 (unknown), and the flag `not_in_catalogue`; without coordinates it is
  stored at (0, 0) with the flag `no_position`, which keeps it out of "nearby" (the index
  treats (0, 0) as no position). A later catalogue import of the camera replaces all of
  this and recomputes its flags.
* A catalogue camera the platform does not list is counted, not changed: the city
  catalogue may hold cameras of other platforms, and a half-failed listing must not
  knock cameras offline.
* A catalogue camera that was online and is now listed offline is reported in the
  summary (`went_offline`) with the time its row last changed while online: that time
  names the outage, so whoever raises a camera_offline alert for it (the composition
  root) gives two syncs that saw the same change the same event id.

The whole listing is read before anything is written, and written in one transaction:
a failed walk changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

import msgspec
from sqlalchemy import insert, select, update

from bff.catalog.gbt28181 import check_device_code
from bff.catalog.models import Camera
from bff.lib.db import Database, utcnow
from bff.lib.periodic import repeat_every
from bff.lib.vocabulary import DeviceStatus, OnlineState, ShareAttr
from bff.platform.base import ChannelState, Platform

log = logging.getLogger(__name__)

NOT_IN_CATALOGUE = "not_in_catalogue"
NO_POSITION = "no_position"
OTHER_DEPARTMENT = "99"
OTHER = 99
CODEC_OTHER = 5
POINT_CLASS_OTHER = 9
_BATCH = 500

_LIVE_COLUMNS = (Camera.device_id, Camera.name, Camera.online, Camera.longitude,
                 Camera.latitude, Camera.camera_type, Camera.code_flags, Camera.updated_at)


class WentOffline(msgspec.Struct, frozen=True, kw_only=True):
    """A catalogue camera that was online and the platform now lists offline."""

    device_id: str
    online_version_at: datetime
    """When the camera's row last changed while it was online: the same for every sync
    that sees this outage begin, different for the next outage."""


class SyncSummary(msgspec.Struct, frozen=True, kw_only=True):
    """What one sync did."""

    listed: int
    """Channels the platform listed (distinct codes)."""
    updated: int
    """Catalogue cameras whose live fields changed."""
    inserted: int
    """Cameras new to the catalogue, inserted with conservative governance and flagged."""
    unchanged: int
    """Catalogue cameras the platform lists with the same live fields."""
    missing: int
    """Catalogue cameras the platform did not list (left as they are)."""
    went_offline: tuple[WentOffline, ...] = ()
    """Catalogue cameras this sync turned from online to offline."""

    def line(self) -> str:
        """One summary line for the CLI and the log."""
        return (f"listed={self.listed} updated={self.updated} inserted={self.inserted} "
                f"unchanged={self.unchanged} missing_from_platform={self.missing}")


def _flags_without(flags: list[str], flag: str) -> list[str]:
    return [f for f in flags if f != flag]


def _merged(row: dict[str, object], channel: ChannelState) -> dict[str, object] | None:
    """The row's live fields after the merge, or None when nothing changes."""
    values: dict[str, object] = {
        "name": channel.name[:100] if channel.name else row["name"],
        "online": OnlineState.ONLINE if channel.online else OnlineState.OFFLINE,
        "longitude": row["longitude"],
        "latitude": row["latitude"],
        "camera_type": channel.camera_type if channel.camera_type is not None
        else row["camera_type"],
        "code_flags": list(row["code_flags"] or []),  # type: ignore[call-overload]
    }
    if channel.longitude is not None and channel.latitude is not None:
        values["longitude"], values["latitude"] = channel.longitude, channel.latitude
        values["code_flags"] = _flags_without(
            values["code_flags"], NO_POSITION)  # type: ignore[arg-type]
    if all(values[k] == row[k] for k in values):
        return None
    return values


def _civil_code_of(channel: ChannelState) -> str:
    """Six-digit civil code: the platform's (GB/T 28181 civil codes may carry the
    grassroots level, 8 digits), else the centre part of the device code, else empty
    (which scope checks treat as reachable by nobody below the whole country)."""
    for text in (channel.civil_code or "", channel.device_id[:6]):
        if len(text) >= 6 and text[:6].isascii() and text[:6].isdigit():
            return text[:6]
    return ""


def new_camera_row(channel: ChannelState, *, platform_id: str) -> dict[str, object]:
    """A camera the catalogue lacks, with conservative governance and flagged."""
    civil_code = _civil_code_of(channel)
    located = channel.longitude is not None and channel.latitude is not None
    flags = check_device_code(channel.device_id, civil_code=civil_code or None)
    flags.append(NOT_IN_CATALOGUE)
    if not located:
        flags.append(NO_POSITION)
    return {
        "device_id": channel.device_id, "name": (channel.name or channel.device_id)[:100],
        "civil_code": civil_code, "grassroots_code": None,
        "builder_unit": "", "manager_unit": "", "manager_phone": "", "contractor": "",
        "maintainer": "", "point_class": POINT_CLASS_OTHER, "platform_id": platform_id[:128],
        "dept_code": OTHER_DEPARTMENT,
        "camera_type": channel.camera_type if channel.camera_type is not None else OTHER,
        "online": OnlineState.ONLINE if channel.online else OnlineState.OFFLINE,
        "address": (channel.address or "")[:100], "position_types": [],
        "coord_system": "WGS84",
        "longitude": channel.longitude if located else 0.0,
        "latitude": channel.latitude if located else 0.0,
        "ipv4": None, "mac": None, "indoor_outdoor": None, "direction": None, "pole_id": None,
        "network": OTHER, "retention_days": 0, "share_attr": ShareAttr.NOT_SHARED,
        "default_perms": [],
        "vendor": OTHER, "codec": CODEC_OTHER, "status": DeviceStatus.IN_USE, "code_flags": flags,
        "updated_at": utcnow(),
    }


async def sync_catalogue(database: Database, platform: Platform, *,
                         platform_id: str = "wvp") -> SyncSummary:
    """Merge `platform.channels()` into the camera table (rules in the module docstring).

    `platform_id` fills the 平台编码 of inserted cameras. Platform errors propagate
    before anything is written."""
    channels: dict[str, ChannelState] = {}
    async for page in platform.channels():
        for channel in page:
            if channel.device_id and len(channel.device_id) <= 32:
                channels[channel.device_id] = channel
            else:
                log.warning("catalogue sync: unusable channel code %r skipped",
                            channel.device_id[:64])
    async with database.sessions() as session, session.begin():
        listed = (await session.execute(select(*_LIVE_COLUMNS))).all()
        rows = {r.device_id: r._asdict() for r in listed}
        updates: list[dict[str, object]] = []
        inserts: list[dict[str, object]] = []
        went_offline: list[WentOffline] = []
        now = utcnow()
        for code, channel in channels.items():
            row = rows.get(code)
            if row is None:
                inserts.append(new_camera_row(channel, platform_id=platform_id))
                continue
            merged = _merged(row, channel)
            if merged is not None:
                updates.append({"device_id": code, **merged, "updated_at": now})
                if (row["online"] == OnlineState.ONLINE
                        and merged["online"] == OnlineState.OFFLINE):
                    went_offline.append(WentOffline(
                        device_id=code, online_version_at=row["updated_at"] or now))
        for start in range(0, len(inserts), _BATCH):
            await session.execute(insert(Camera), inserts[start : start + _BATCH])
        for start in range(0, len(updates), _BATCH):
            # ORM bulk UPDATE by primary key: only the live columns are in the dicts.
            await session.execute(update(Camera), updates[start : start + _BATCH])
    summary = SyncSummary(
        listed=len(channels), updated=len(updates), inserted=len(inserts),
        unchanged=len(channels) - len(updates) - len(inserts),
        missing=sum(1 for code in rows if code not in channels),
        went_offline=tuple(went_offline))
    return summary


async def run_periodic_sync(database: Database, platform: Platform, interval_s: float,
                            after_sync: Callable[[SyncSummary], object] | None = None,
                            *, platform_id: str = "wvp") -> None:
    """Sync now and then every `interval_s` until cancelled. A failed round is logged
    and retried at the next one; it never ends the loop. `after_sync` (sync or async)
    runs after each successful round, e.g. to reload the in-memory catalogue."""
    async def one_round() -> None:
        summary = await sync_catalogue(database, platform, platform_id=platform_id)
        log.info("catalogue sync: %s", summary.line())
        if after_sync is not None:
            result = after_sync(summary)
            if asyncio.iscoroutine(result):
                await result

    await repeat_every(interval_s, one_round, "catalogue sync", at_start=True)
