"""The embedded demo platform: Shanwei's catalogue and synthetic live sources (SPEC §3).

It stands in for a real GB/T 28181 platform so the whole app runs on a fresh machine.
The catalogue comes from `demo_catalog` (deterministic); a live stream is the demo's
synthetic media URL `demo://live/<device_id>?name=<camera name>`, which the media path
turns into a moving picture with the camera name and a clock.

PTZ commands move a per-camera head (`DemoPtzHead`) owned by this instance; the live URL
carries the head to the camera's picture, which pans, tilts and zooms with it.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime

from bff.catalog.schemas import ONLINE, CameraRecord
from bff.lib.settings import Settings
from bff.platform.base import (
    ChannelState,
    DeviceNotFound,
    PlatformAlarm,
    PlatformError,
    PlaybackControl,
    PlaybackStream,
    PtzMove,
    Recording,
)
from bff.platform.demo_catalog import DEFAULT_SEED, generate_demo_catalogue
from bff.platform.demo_ptz import DemoPtzHead
from bff.platform.demo_video import demo_live_url

PAGE_SIZE = 1_000


class DemoPlatform:
    """`Platform` implementation backed by the generated demo catalogue.

    The catalogue is generated once, on first use, in a worker thread (about a second
    for the default 19,639 cameras) so the event loop keeps serving.
    """

    def __init__(self, settings: Settings, *, seed: int = DEFAULT_SEED) -> None:
        self._camera_count = settings.demo.camera_count
        self._seed = seed
        self._records: list[CameraRecord] | None = None
        self._names: dict[str, str] = {}
        self._generating: asyncio.Lock | None = None
        self._active: Counter[str] = Counter()
        self._heads: dict[str, DemoPtzHead] = {}
        self._closed = False
        self._closed_event: asyncio.Event | None = None

    async def _catalogue(self) -> list[CameraRecord]:
        if self._records is None:
            # Created lazily: the lock must belong to the running loop, not the constructor's.
            if self._generating is None:
                self._generating = asyncio.Lock()
            async with self._generating:
                if self._records is None:
                    records = await asyncio.to_thread(
                        generate_demo_catalogue, self._camera_count, self._seed
                    )
                    self._names = {r.device_id: r.name for r in records}
                    self._records = records
        return self._records

    async def catalogue(self) -> AsyncIterator[list[CameraRecord]]:
        """Yield the catalogue in pages of up to 1,000 cameras.

        Records are copies: the consumer may change them without touching the platform.
        """
        self._check_open()
        records = await self._catalogue()
        for start in range(0, len(records), PAGE_SIZE):
            page = records[start : start + PAGE_SIZE]
            yield [_copy(record) for record in page]

    async def channels(self) -> AsyncIterator[list[ChannelState]]:
        """Yield the live fields of every demo camera, 1,000 per page."""
        async for page in self.catalogue():
            yield [ChannelState(device_id=r.device_id, name=r.name, online=r.online == ONLINE,
                                longitude=r.longitude, latitude=r.latitude,
                                camera_type=r.camera_type, civil_code=r.civil_code,
                                address=r.address, parent_id=r.platform_id)
                   for r in page]

    async def start_live(self, device_id: str) -> str:
        """Return the synthetic media URL of a camera; raise DeviceNotFound if unknown.

        The URL (a `DemoLiveUrl`) carries the camera's PTZ head to its live source."""
        self._check_open()
        await self._catalogue()
        name = self._names.get(device_id)
        if name is None:
            raise DeviceNotFound(device_id)
        self._active[device_id] += 1
        return demo_live_url(device_id, name, self.head(device_id))

    async def stop_live(self, device_id: str) -> None:
        """Forget one reader of a camera's live stream (nothing to tell upstream)."""
        if self._active[device_id] > 1:
            self._active[device_id] -= 1
        else:
            self._active.pop(device_id, None)

    @property
    def active_streams(self) -> int:
        """Live streams started and not yet stopped, across all cameras."""
        return sum(self._active.values())

    def active_streams_of(self, device_id: str) -> int:
        """Live streams of one camera started and not yet stopped."""
        return self._active.get(device_id, 0)

    async def recordings(self, device_id: str, start: datetime, end: datetime) -> list[Recording]:
        raise NotImplementedError("demo playback")

    async def start_playback(self, device_id: str, start: datetime, end: datetime) -> PlaybackStream:
        raise NotImplementedError("demo playback")

    async def control_playback(self, device_id: str, stream_id: str,
                               control: PlaybackControl) -> None:
        raise NotImplementedError("demo playback")

    async def stop_playback(self, device_id: str, stream_id: str) -> None:
        raise NotImplementedError("demo playback")

    async def ptz(self, device_id: str, move: PtzMove) -> None:
        """Move (or stop) the camera's head; its live picture follows. Every demo camera
        has a head: refusing cameras without one is the BFF's rule, not the platform's."""
        self._check_open()
        await self._catalogue()
        if device_id not in self._names:
            raise DeviceNotFound(device_id)
        self.head(device_id).apply(move)

    def head(self, device_id: str) -> DemoPtzHead:
        """The PTZ head of a camera (at home until first moved)."""
        head = self._heads.get(device_id)
        if head is None:
            head = self._heads[device_id] = DemoPtzHead()
        return head

    async def alarms(self) -> AsyncIterator[PlatformAlarm]:
        """The demo's devices raise no alarms: wait until the platform closes."""
        self._check_open()
        if self._closed_event is None:
            self._closed_event = asyncio.Event()
        await self._closed_event.wait()
        return
        yield  # pragma: no cover - makes this an async generator

    async def close(self) -> None:
        """Drop stream bookkeeping; the platform refuses further calls."""
        self._active.clear()
        self._closed = True
        if self._closed_event is not None:
            self._closed_event.set()

    def _check_open(self) -> None:
        if self._closed:
            raise PlatformError("demo platform is closed")


def _copy(record: CameraRecord) -> CameraRecord:
    # Struct fields hold lists; a shallow copy would share them with the cache.
    return CameraRecord(
        **{
            field: list(value) if isinstance(value, list) else value
            for field, value in ((f, getattr(record, f)) for f in record.__struct_fields__)
        }
    )
