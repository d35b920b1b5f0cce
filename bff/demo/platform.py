"""The embedded demo platform: Shanwei's catalogue and synthetic live sources (SPEC §3).

It stands in for a real GB/T 28181 platform so the whole app runs on a fresh machine.
The catalogue comes from `bff.demo.catalogue` (deterministic); a live stream is the demo's
synthetic media URL `demo://live/<device_id>?name=<camera name>`, which this platform's
media opener (`bff.demo.media`, registered through `media_openers()`) turns into a moving
picture with the camera name and a clock.

PTZ commands move a per-camera head (`DemoPtzHead`) owned by this instance; the opener
hands the head to the camera's picture, which pans, tilts and zooms with it.

Recordings are synthesized for any past moment inside a camera's retention
(`bff.demo.recordings`: hour-long files with deterministic maintenance gaps and outages).
A playback is a `PlaybackClock` owned by this instance under a fresh stream id; the opener
hands the clock of a `demo://playback/…` URL's stream to its picture, so pause, seek and
speed act on what the viewer sees (`bff.demo.playback`).

First-run data (demo accounts and this catalogue) comes with the platform:
`seed_first_run` (`bff.demo.seed`). Bad input is refused like the WVP adapter
refuses it: `InvalidTimeRange` (a ValueError) for naive, reversed or longer-than-a-week
ranges, ValueError for a seek without seconds or a speed outside `PLAYBACK_SPEEDS`;
`NoRecording`, `StreamNotFound` and `DeviceNotFound` are `PlatformError`s.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import av

from bff.catalog.schemas import CameraRecord
from bff.demo.alerts import alert_sites, make_demo_alert
from bff.demo.catalogue import DEFAULT_SEED, generate_demo_catalogue
from bff.demo.media import DemoMediaOpener
from bff.demo.playback import PlaybackClock, demo_playback_url
from bff.demo.ptz import DemoPtzHead
from bff.demo.recordings import (
    DEMO_TZ,
    camera_bitrate,
    check_time_range,
    synthetic_recordings,
    utc_now,
)
from bff.demo.seed import seed_catalogue, seed_demo_users
from bff.demo.video import DEMO_SCHEME, DemoPicture, PlaybackLabel, demo_live_url
from bff.lib.db import Database
from bff.lib.settings import Settings
from bff.lib.vocabulary import OnlineState
from bff.media.sources import SchemeOpener
from bff.platform.base import (
    PLAYBACK_SPEEDS,
    ChannelState,
    DemoAlert,
    DeviceNotFound,
    NoRecording,
    PlatformAlarm,
    PlatformError,
    PlaybackAction,
    PlaybackControl,
    PlaybackStream,
    PtzMove,
    Recording,
    StreamNotFound,
)

PAGE_SIZE = 1_000
PLAYBACK_LINGER_S = 60.0
"""A playback that played to its end is forgotten this long afterwards unless stopped
first (a media server closes a finished stream nobody stops)."""


@dataclass(frozen=True, slots=True)
class _Playback:
    device_id: str
    clock: PlaybackClock


class DemoPlatform:
    """`Platform` implementation backed by the generated demo catalogue.

    The catalogue is generated once, on first use, in a worker thread (about a second
    for the default 19,639 cameras) so the event loop keeps serving.
    """

    def __init__(self, settings: Settings, *, seed: int = DEFAULT_SEED,
                 now: Callable[[], datetime] = utc_now,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """`now` (aware wall-clock time: what is past, what is kept) and `clock`
        (monotonic seconds: how playback advances) are injectable for tests."""
        self._camera_count = settings.demo.camera_count
        self._webrtc = settings.webrtc
        self._alert_sites: dict[str, list[CameraRecord]] | None = None
        self._alert_rng = random.Random()
        self._font = settings.webrtc.watermark_font
        self._seed = seed
        self._now = now
        self._clock = clock
        self._records: list[CameraRecord] | None = None
        self._names: dict[str, str] = {}
        self._by_id: dict[str, CameraRecord] = {}
        self._playbacks: dict[str, _Playback] = {}
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
                    self._by_id = {r.device_id: r for r in records}
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
            yield [ChannelState(device_id=r.device_id, name=r.name, online=r.online == OnlineState.ONLINE,
                                longitude=r.longitude, latitude=r.latitude,
                                camera_type=r.camera_type, civil_code=r.civil_code,
                                address=r.address, parent_id=r.platform_id)
                   for r in page]

    async def start_live(self, device_id: str) -> str:
        """Return the synthetic media URL of a camera; raise DeviceNotFound if unknown.

        The media opener hands the camera's PTZ head to its live source."""
        self._check_open()
        await self._catalogue()
        name = self._names.get(device_id)
        if name is None:
            raise DeviceNotFound(device_id)
        self._active[device_id] += 1
        return demo_live_url(device_id, name)

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

    # --- recordings and playback ------------------------------------------------------

    async def _camera(self, device_id: str) -> CameraRecord:
        await self._catalogue()
        record = self._by_id.get(device_id)
        if record is None:
            raise DeviceNotFound(device_id)
        return record

    async def recordings(self, device_id: str, start: datetime, end: datetime) -> list[Recording]:
        """The camera's synthetic recordings overlapping [start, end], clipped to it, to
        the camera's retention and to now; sorted, times in the camera's local zone.

        Raises `InvalidTimeRange` (a ValueError) for naive times, start ≥ end or more
        than 7 days, `DeviceNotFound` for an unknown camera. A range wholly in the future
        or beyond retention has no recordings (an empty list, as an NVR answers)."""
        self._check_open()
        check_time_range(start, end)
        record = await self._camera(device_id)
        return self._recordings_of(record, start, end)

    def _recordings_of(self, record: CameraRecord, start: datetime,
                       end: datetime) -> list[Recording]:
        return synthetic_recordings(record.device_id, start, end, now=self._now(),
                                    retention_days=record.retention_days,
                                    bitrate=camera_bitrate(record.device_id, record.codec))

    async def start_playback(self, device_id: str, start: datetime,
                             end: datetime) -> PlaybackStream:
        """Start playing the camera's recordings between `start` and `end` at 1×.

        Returns a fresh stream id and its `demo://playback/…` URL.
        Raises like `recordings`, and `NoRecording` when nothing in the range is
        recorded (future, beyond retention, or an outage)."""
        self._check_open()
        check_time_range(start, end)
        record = await self._camera(device_id)
        found = self._recordings_of(record, start, end)
        if not found:
            raise NoRecording(
                f"无录像: camera {device_id} has no recording between "
                f"{start.astimezone(DEMO_TZ):%Y-%m-%d %H:%M:%S} and "
                f"{end.astimezone(DEMO_TZ):%Y-%m-%d %H:%M:%S} (UTC+8)")
        self._forget_finished()
        stream_id = self._new_stream_id(device_id, start, end)
        clock = PlaybackClock(start, end, found, clock=self._clock)
        self._playbacks[stream_id] = _Playback(device_id, clock)
        url = demo_playback_url(device_id, record.name, start, end, stream_id)
        return PlaybackStream(stream_id=stream_id, media_url=url)

    def _new_stream_id(self, device_id: str, start: datetime, end: datetime) -> str:
        # Shaped like WVP's playback streams (device_start_end), plus a random suffix.
        span = f"{start.astimezone(DEMO_TZ):%Y%m%d%H%M%S}_{end.astimezone(DEMO_TZ):%Y%m%d%H%M%S}"
        while True:
            stream_id = f"{device_id}_{span}_{secrets.token_hex(4)}"
            if stream_id not in self._playbacks:
                return stream_id

    def _forget_finished(self) -> None:
        now = self._clock()
        for stream_id, playback in list(self._playbacks.items()):
            since = playback.clock.finished_for(now)
            if since is not None and since >= PLAYBACK_LINGER_S:
                del self._playbacks[stream_id]

    def _playback(self, device_id: str, stream_id: str) -> _Playback:
        playback = self._playbacks.get(stream_id)
        if playback is None or playback.device_id != device_id:
            raise StreamNotFound(f"no playback {stream_id!r} of camera {device_id}")
        return playback

    async def control_playback(self, device_id: str, stream_id: str,
                               control: PlaybackControl) -> None:
        """Pause, resume, seek (seconds from the start, clamped to the range; a gap
        lands at the next recording) or change the speed of a started playback.

        ValueError for a seek without seconds or a speed outside `PLAYBACK_SPEEDS`;
        `StreamNotFound` for a stream that is unknown, of another camera, stopped, or
        already played to its end."""
        self._check_open()
        action = control.action
        if action is PlaybackAction.SEEK and control.seconds is None:
            raise ValueError("seek needs seconds")
        if action is PlaybackAction.SPEED and (
                control.speed is None or control.speed not in PLAYBACK_SPEEDS):
            raise ValueError(f"speed must be one of {PLAYBACK_SPEEDS}")
        clock = self._playback(device_id, stream_id).clock
        if clock.finished():
            raise StreamNotFound(f"playback {stream_id!r} has ended")
        if action is PlaybackAction.PAUSE:
            clock.pause()
        elif action is PlaybackAction.RESUME:
            clock.resume()
        elif action is PlaybackAction.SEEK:
            clock.seek(control.seconds or 0)
        else:
            clock.set_speed(control.speed or 1.0)

    async def stop_playback(self, device_id: str, stream_id: str) -> None:
        """Stop a playback (its source ends) and forget it; `StreamNotFound` if there is
        no such playback of this camera (never started, already stopped, or ended and
        forgotten a minute later)."""
        playback = self._playback(device_id, stream_id)
        playback.clock.stop()
        del self._playbacks[stream_id]

    def playback_clock(self, device_id: str, stream_id: str) -> PlaybackClock | None:
        """The clock of a started playback of this camera, None if there is none."""
        playback = self._playbacks.get(stream_id)
        return playback.clock if playback is not None and playback.device_id == device_id else None

    def recording_frames(self, device_id: str, name: str, recordings: list[Recording], *,
                         width: int, height: int,
                         fps: int) -> Iterator[tuple[datetime, av.VideoFrame]]:
        """The demo picture of each recorded moment, `fps` a second, without pacing
        (`RendersRecordings`: clip export at many times real time)."""
        picture = DemoPicture(device_id, name, width, height, self._font)
        step = 1.0 / fps
        for recording in recordings:
            moment = recording.start.timestamp()
            end = recording.end.timestamp()
            while moment < end:
                frame = picture.render(time.time(), playback=PlaybackLabel(moment))
                yield datetime.fromtimestamp(moment, UTC), frame
                moment += step

    @property
    def active_playbacks(self) -> int:
        """Playbacks started and not yet stopped or forgotten."""
        return len(self._playbacks)

    async def ptz(self, device_id: str, move: PtzMove) -> None:
        """Move (or stop) the camera's head; its live picture follows. Every demo camera
        has a head: refusing cameras without one is the BFF's rule, not the platform's."""
        self._check_open()
        await self._catalogue()
        if device_id not in self._names:
            raise DeviceNotFound(device_id)
        self.head(device_id).apply(move)

    def media_openers(self) -> Mapping[str, SchemeOpener]:
        """The opener of this platform's `demo://` URLs (`ProvidesMediaOpeners`)."""
        return {DEMO_SCHEME: DemoMediaOpener(self)}

    async def seed_first_run(self, database: Database, *, password: str) -> Mapping[str, int]:
        """Create the demo accounts and copy this catalogue into an empty camera table
        (`SeedsFirstRun`)."""
        users = await seed_demo_users(database, password)
        cameras = await seed_catalogue(database, self.catalogue())
        return {"users": users, "cameras": cameras}

    def head(self, device_id: str) -> DemoPtzHead:
        """The PTZ head of a camera (at home until first moved)."""
        head = self._heads.get(device_id)
        if head is None:
            head = self._heads[device_id] = DemoPtzHead()
        return head

    async def demo_alert(self) -> DemoAlert | None:
        """A plausible analysis-platform alert at a flood point, school kitchen or forest
        camera, with its snapshot (`RaisesDemoAlerts`)."""
        self._check_open()
        records = await self._catalogue()
        if self._alert_sites is None:
            self._alert_sites = alert_sites(records)
        return await asyncio.to_thread(
            make_demo_alert, self._alert_sites, self._alert_rng,
            font_path=self._webrtc.watermark_font, tz=self._webrtc.tzinfo())

    async def alarms(self) -> AsyncIterator[PlatformAlarm]:
        """The demo's devices raise no alarms: wait until the platform closes."""
        self._check_open()
        if self._closed_event is None:
            self._closed_event = asyncio.Event()
        await self._closed_event.wait()
        return
        yield  # pragma: no cover - makes this an async generator

    async def close(self) -> None:
        """Drop stream bookkeeping and stop every playback; the platform refuses further
        calls."""
        self._active.clear()
        for playback in self._playbacks.values():
            playback.clock.stop()
        self._playbacks.clear()
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
