"""The catalogue as the app uses it: rows in the database and an in-memory index for
"cameras near me", each camera labelled by the policy for the asking user."""

from __future__ import annotations

import asyncio
import gc
import logging
import math
import tempfile
import zipfile
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bff.auth.departments import DEPARTMENTS
from bff.auth.policy import AccessLabel, AccessScope, access_label, may_use
from bff.catalog.errors import ImportRefused
from bff.catalog.importer import ImportSummary, import_catalogue
from bff.catalog.models import Camera
from bff.catalog.nearby import NearbyIndex
from bff.catalog.rows import record_from_mapping
from bff.catalog.schemas import CameraRecord, CameraSummary, NearbyQuery
from bff.lib.db import Database
from bff.lib.periodic import repeat_every
from bff.lib.vocabulary import PERMISSIONS, PTZ_CAMERA_TYPES, OnlineState, Permission

log = logging.getLogger(__name__)

_LOAD_CHUNK = 2_000


def _build_catalogue(rows: list[Mapping[str, object]]
                     ) -> tuple[dict[str, CameraRecord], NearbyIndex]:
    # Creating this many objects would set off full garbage collections that hold the
    # GIL for the whole walk, stalling the event loop this thread is meant to spare.
    collecting = gc.isenabled()
    gc.disable()
    try:
        records = [record_from_mapping(row) for row in rows]
        return {r.device_id: r for r in records}, NearbyIndex.build(records)
    finally:
        if collecting:
            gc.enable()


class CatalogService:
    """Holds the catalogue in memory (records by id and the nearby index), rebuilt from
    the database by `load()` at start and after catalogue changes.

    Every process keeps its own copy: `refresh()` (run periodically by the app, see
    `watch`) reloads when the camera table changed — after an import or a sync in this
    process, in another BFF process or from the command line."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._records: dict[str, CameraRecord] = {}
        self._index: NearbyIndex | None = None
        self._fingerprint: tuple[object, ...] | None = None
        self._loaded_before = False

    async def import_upload(self, filename: str,
                            read: Callable[[], Awaitable[bytes]]) -> ImportSummary:
        """Validate and load an uploaded appendix-5 catalogue (CSV or XLSX), then reload
        the in-memory catalogue. `ImportRefused` when the file cannot be imported at all
        (the name is checked before the body is read); row problems are in the summary."""
        suffix = Path(filename).suffix.lower()
        if suffix not in {".csv", ".xlsx"}:
            raise ImportRefused("bad_type")
        content = await read()
        with tempfile.TemporaryDirectory(prefix="bff-import-") as folder:
            source = Path(folder) / f"upload{suffix}"
            source.write_bytes(content)
            try:
                summary = await import_catalogue(self._database, source,
                                                 Path(folder) / "report.csv")
            except (ValueError, OSError, zipfile.BadZipFile) as exc:
                raise ImportRefused("unreadable") from exc
        await self.load()
        return summary

    async def load(self) -> int:
        """(Re)build the in-memory catalogue from the database; return its size.

        Rows arrive in chunks and the records and index are built in a worker thread, so
        live streams on this event loop keep flowing while 80,000 cameras load."""
        rows: list[Mapping[str, object]] = []
        async with self._database.sessions() as session:
            # Read first: a change that lands while loading makes the next refresh reload.
            fingerprint = await self._read_fingerprint(session)
            result = await session.stream(select(*Camera.__table__.columns))
            async for chunk in result.mappings().partitions(_LOAD_CHUNK):
                rows.extend(chunk)
        records, index = await asyncio.to_thread(_build_catalogue, rows)
        self._records, self._index = records, index
        self._fingerprint = fingerprint
        del rows
        # 80,000 records are some 400,000 objects the cyclic garbage collector would
        # otherwise walk in every full collection (about 0.45 s with the event loop
        # stopped: live video and every request wait). They live until the next load and
        # form no cycles, so they leave its generations; refcounting still frees the
        # previous catalogue when this one replaces it. Garbage is collected first: all
        # of it at start (nothing is served yet), only the young generations on a reload
        # (cheap; cycles already in the oldest generation stay frozen — reloads are rare).
        gc.collect(1 if self._loaded_before else 2)
        gc.freeze()
        self._loaded_before = True
        log.info("catalogue loaded: %d cameras", len(records))
        return len(records)

    async def refresh(self) -> bool:
        """Reload if the camera table changed since the last load; True if it did."""
        async with self._database.sessions() as session:
            fingerprint = await self._read_fingerprint(session)
        if fingerprint == self._fingerprint:
            return False
        await self.load()
        return True

    async def watch(self, interval_s: float) -> None:
        """`refresh()` every `interval_s` until cancelled; failures are logged and
        retried at the next round (the copy in memory stays usable meanwhile)."""
        await repeat_every(interval_s, self.refresh, "catalogue refresh")

    @staticmethod
    async def _read_fingerprint(session: AsyncSession) -> tuple[object, ...]:
        # Row count and latest change: an insert, update or delete moves one of them.
        return tuple((await session.execute(
            select(func.count(), func.max(Camera.updated_at)).select_from(Camera))).one())

    @property
    def size(self) -> int:
        return len(self._records)

    def get(self, device_id: str) -> CameraRecord | None:
        return self._records.get(device_id)

    def nearby(self, scope: AccessScope, query: NearbyQuery) -> list[CameraSummary]:
        """Cameras around (lat, lon), nearest first, each with its access label."""
        if self._index is None:
            return []
        hits = self._index.query(
            scope, query.lat, query.lon, limit=query.limit, radius_m=query.radius_m,
            region=query.region, dept=query.dept, text=query.q,
            only_viewable=query.viewable_only,
        )
        return [self.summary(self._records[h.device_id], scope, h.distance_m, h.bearing_deg,
                             h.compass, access=h.access) for h in hits]

    @staticmethod
    def summary(record: CameraRecord, scope: AccessScope, distance_m: float | None = None,
                bearing_deg: float | None = None, compass: str | None = None,
                access: AccessLabel | None = None) -> CameraSummary:
        """`access` is passed when the index already decided it (same policy, vectorized)."""
        permissions = [p for p in sorted(PERMISSIONS) if may_use(scope, record, p)]
        return CameraSummary(
            device_id=record.device_id, name=record.name, address=record.address,
            civil_code=record.civil_code, latitude=record.latitude, longitude=record.longitude,
            online=record.online == OnlineState.ONLINE, camera_type=record.camera_type,
            dept_code=record.dept_code,
            dept_name=DEPARTMENTS.get(record.dept_code, record.dept_code),
            share_attr=record.share_attr, access=access or access_label(scope, record),
            may_view=Permission.LIVE in permissions, ptz=record.camera_type in PTZ_CAMERA_TYPES,
            code_flags=list(record.code_flags), retention_days=record.retention_days,
            permissions=permissions,
            distance_m=distance_m,
            bearing_deg=bearing_deg, compass=compass,
        )


class RadarPoint(msgspec.Struct, frozen=True, kw_only=True):
    """A camera placed on the radar plot around the user (SVG units, user at 50,50)."""

    device_id: str
    name: str
    access: str
    x: float
    y: float


def radar_points(cameras: Sequence[CameraSummary], radius: float = 45.0
                 ) -> tuple[list[RadarPoint], float]:
    """Positions of `cameras` around the user, scaled so the farthest sits on the rim;
    returns the points and the rim's distance in metres. Works with no map tiles."""
    placed = [c for c in cameras if c.distance_m is not None and c.bearing_deg is not None]
    rim_m = max((c.distance_m or 0.0 for c in placed), default=0.0) or 1.0
    points = []
    for camera in placed:
        r = radius * (camera.distance_m or 0.0) / rim_m
        angle = math.radians(camera.bearing_deg or 0.0)
        points.append(RadarPoint(device_id=camera.device_id, name=camera.name,
                                 access=camera.access, x=round(50 + r * math.sin(angle), 2),
                                 y=round(50 - r * math.cos(angle), 2)))
    return points, rim_m
