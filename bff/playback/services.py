"""Playback of recordings over the per-viewer watermarked WebRTC path (录像回放).

`PlaybackService` lists a camera's recordings for the timeline and starts, controls and
stops playbacks. A playback is the platform's playback stream (`RecordingArchive`), read
by a `PlaybackFeed` for this one viewer and sent through the same `PeerRegistry` as live
view, with a watermark that adds 回放 and the recorded time. The BFF keeps the recorded
position itself (`RecordedPosition`) from the controls it sends. Whatever ends the
stream (the viewer leaving, a failed connection, shutdown), the feed closes and the
platform's playback is stopped, and the stop is audited with the recorded range.

Permission checks are the controllers' (through `bff.auth.policy`); this service checks
the time rules: the window inside the camera's retention (录像保存天数), not in the
future, end after start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, TypeVar

from bff.audit.services import AuditAction, AuditLog
from bff.catalog.schemas import CameraRecord
from bff.lib.settings import PlaybackSettings, WebRTCSettings
from bff.media.sources import MediaOpeners, MediaSource
from bff.platform.base import (
    InvalidTimeRange,
    NoRecording,
    PlatformError,
    PlatformTimeout,
    PlaybackAction,
    PlaybackControl,
    Recording,
    RecordingArchive,
    StreamNotFound,
)
from bff.playback.errors import (
    BadControl,
    BadTimeRange,
    NoRecordingThere,
    OutsideRetention,
    PlatformFailed,
    PlaybackEnded,
    PlaybackNotFound,
)
from bff.playback.feed import PlaybackFeed
from bff.playback.position import RecordedPosition
from bff.playback.schemas import (
    PLAYBACK_SPEED_VALUES,
    PlaybackState,
    RecordingsAnswer,
    RecordingSegment,
)
from bff.playback.watermark import PlaybackWatermark
from bff.webrtc.registry import PeerRegistry, StreamSession, ViewerIdentity
from bff.webrtc.watermark import WatermarkRenderer

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_QUERY = timedelta(days=7)
"""The longest window one recordings query covers (an NVR answers about a week)."""
NEAREST_SEARCH = timedelta(days=1)
"""How far either side of an empty window the nearest recording is looked for."""
PLATFORM_TIMEOUT_S = 90.0
"""A last bound on any platform call (the adapters have their own, shorter ones)."""


@dataclass(eq=False)
class Playback:
    """One running playback of one viewer."""

    viewer: ViewerIdentity
    device_id: str
    stream_id: str
    position: RecordedPosition
    feed: PlaybackFeed | None = None
    session_id: str | None = None
    stopped: bool = False


class PlaybackService:
    """Recordings for the timeline; playbacks started, controlled and stopped."""

    def __init__(self, settings: PlaybackSettings, webrtc: WebRTCSettings,
                 archive: RecordingArchive, registry: PeerRegistry, openers: MediaOpeners,
                 audit: AuditLog, *, now: Callable[[], datetime] | None = None) -> None:
        self._settings = settings
        self._webrtc = webrtc
        self._archive = archive
        self._registry = registry
        self._openers = openers
        self._audit = audit
        self._now = now or (lambda: datetime.now(UTC))
        self.time_zone_name = webrtc.timezone
        self.tz: tzinfo = webrtc.tzinfo()
        self._playbacks: dict[str, Playback] = {}
        self._stream_ids: set[str] = set()
        """Sessions of the registry that are playbacks, until `owns_stream` is asked."""
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- time rules --------------------------------------------------------------------

    def local(self, moment: datetime) -> datetime:
        """`moment` in the cameras' time zone; a naive time is read in that zone."""
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self.tz)
        return moment.astimezone(self.tz)

    def earliest(self, camera: CameraRecord) -> datetime | None:
        """The oldest moment the camera's retention keeps."""
        if not camera.retention_days:
            return None
        return self.local(self._now() - timedelta(days=camera.retention_days))

    def window(self, camera: CameraRecord, start: datetime, end: datetime,
               limit: timedelta) -> tuple[datetime, datetime]:
        """[start, end] checked and clipped to the retention and to now."""
        start, end = self.local(start), self.local(end)
        if end <= start:
            raise BadTimeRange("end_before_start")
        if end - start > limit:
            raise BadTimeRange("range_too_long", days=max(1, limit.days))
        now = self.local(self._now())
        if start >= now:
            raise OutsideRetention(camera.retention_days, None)
        earliest = self.earliest(camera)
        if earliest is not None:
            if end <= earliest:
                raise OutsideRetention(camera.retention_days, earliest)
            start = max(start, earliest)
        return start, min(end, now)

    # --- platform calls ----------------------------------------------------------------

    async def _platform(self, call: Awaitable[T]) -> T:
        try:
            async with asyncio.timeout(PLATFORM_TIMEOUT_S):
                return await call
        except (TimeoutError, PlatformTimeout) as exc:
            raise PlatformFailed(timeout=True, detail=str(exc)) from exc
        except NoRecording as exc:
            raise NoRecordingThere(None) from exc
        except InvalidTimeRange as exc:
            raise BadTimeRange("range_too_long", days=MAX_QUERY.days) from exc
        except PlatformError as exc:
            raise PlatformFailed(timeout=False, detail=str(exc)) from exc

    async def platform_call(self, call: Awaitable[T]) -> T:
        """A platform call with its failures in the domain's words (502/504, no
        recording, bad range)."""
        return await self._platform(call)

    async def recorded_stretches(self, device_id: str, start: datetime,
                                 end: datetime) -> list[Recording]:
        """The camera's recordings overlapping [start, end], clipped to it."""
        found = await self._recordings(device_id, start, end)
        return [Recording(start=max(r.start, start), end=min(r.end, end),
                          size_bytes=r.size_bytes) for r in found]

    async def _recordings(self, device_id: str, start: datetime,
                          end: datetime) -> list[Recording]:
        found = await self._platform(self._archive.recordings(device_id, start, end))
        return [r for r in found if r.end > start and r.start < end]

    async def nearest_recording(self, camera: CameraRecord, at: datetime) -> datetime | None:
        """The recorded moment closest to `at` within a day either side (retention and
        now respected), None if there is none."""
        now = self.local(self._now())
        low = at - NEAREST_SEARCH
        earliest = self.earliest(camera)
        if earliest is not None:
            low = max(low, earliest)
        high = min(at + NEAREST_SEARCH, now)
        candidates: list[datetime] = []
        if low < at:
            before = await self._recordings(camera.device_id, low, min(at, now))
            if before:
                candidates.append(min(before[-1].end, at))
        if at < high:
            after = await self._recordings(camera.device_id, max(at, low), high)
            if after:
                candidates.append(max(after[0].start, at))
        if not candidates:
            return None
        return self.local(min(candidates, key=lambda moment: abs(moment - at)))

    # --- recordings ------------------------------------------------------------------

    async def recordings(self, camera: CameraRecord, start: datetime,
                         end: datetime) -> RecordingsAnswer:
        """The camera's recordings in [start, end] for the timeline. Refuses a window
        that is not one, lies outside retention or in the future, or holds no recording
        (naming the nearest); platform failures become 502/504."""
        start, end = self.window(camera, start, end, MAX_QUERY)
        found = await self._recordings(camera.device_id, start, end)
        if not found:
            raise NoRecordingThere(await self.nearest_recording(camera, start))
        return RecordingsAnswer(
            device_id=camera.device_id, time_zone=self.time_zone_name, start=start, end=end,
            earliest=self.earliest(camera), retention_days=camera.retention_days or None,
            segments=[RecordingSegment(start=self.local(max(r.start, start)),
                                       end=self.local(min(r.end, end)),
                                       size_bytes=r.size_bytes) for r in found])

    # --- playback --------------------------------------------------------------------

    async def start(self, viewer: ViewerIdentity, camera: CameraRecord, start: datetime,
                    sdp: str, sdp_type: str) -> tuple[StreamSession, Playback]:
        """Start playing the camera's recording from `start` to the viewer's offer.
        The window runs `window_hours` from `start` (clipped to now)."""
        window = timedelta(hours=self._settings.window_hours)
        start, end = self.window(camera, start, self.local(start) + window, window)
        # Refuse a bad offer or a full cap before the platform sets a stream up.
        self._registry.check_offer(viewer, camera.device_id, sdp, sdp_type)
        found = await self._recordings(camera.device_id, start, end)
        if not found:
            raise NoRecordingThere(await self.nearest_recording(camera, start))
        stream = await self._platform(self._archive.start_playback(camera.device_id, start, end))
        playback = Playback(viewer=viewer, device_id=camera.device_id, stream_id=stream.stream_id,
                            position=RecordedPosition(start, end, found))
        key = f"{camera.device_id}/playback/{secrets.token_urlsafe(8)}"

        def open_media() -> Awaitable[MediaSource]:
            return self._openers.open(stream.media_url, self._webrtc)

        feed = playback.feed = PlaybackFeed(
            key, open_media, fps=self._webrtc.fps,
            on_close=lambda: self._spawn(self._stop(playback)))
        feed.start()  # the stream opens while the browser does ICE

        def watermark(renderer: WatermarkRenderer, who: ViewerIdentity) -> PlaybackWatermark:
            return PlaybackWatermark(renderer, who, playback.position.recorded_at, self.tz)

        try:
            session = await self._registry.open(viewer, camera.device_id, sdp, sdp_type,
                                                feed=feed,  # type: ignore[arg-type]
                                                watermark=watermark)
        except BaseException:
            feed.close()
            raise
        playback.session_id = session.id
        self._playbacks[session.id] = playback
        self._stream_ids.add(session.id)
        await self._audit.record(
            AuditAction.PLAYBACK_START, actor_id=viewer.user_id, actor=viewer.username,
            target=camera.device_id,
            detail={"session": session.id, "start": start.isoformat(), "end": end.isoformat(),
                    "codec": session.codec})
        return session, playback

    def playback(self, session_id: str, user_id: int) -> Playback:
        """A running playback of this user (someone else's is not found)."""
        playback = self._playbacks.get(session_id)
        if playback is None or playback.viewer.user_id != user_id or playback.stopped:
            raise PlaybackNotFound(session_id)
        return playback

    def state(self, playback: Playback) -> PlaybackState:
        position = playback.position
        return PlaybackState(
            session_id=playback.session_id or "", device_id=playback.device_id,
            start=position.start, end=position.end,
            recorded_at=self.local(position.recorded_at()), speed=position.speed,
            paused=position.paused,
            ended=position.finished() or (playback.feed is not None and playback.feed.ended))

    async def control(self, session_id: str, user_id: int, action: str,
                      at: datetime | None = None, speed: float | None = None) -> PlaybackState:
        """Pause, resume, seek to the recorded moment `at`, or change speed; only the
        stream's owner may."""
        playback = self.playback(session_id, user_id)
        position = playback.position
        if action == "seek":
            if at is None:
                raise BadControl("missing_at")
            at = self.local(at)
            if not position.start <= at <= position.end:
                raise BadControl("seek_outside")
            seconds = int((at - position.start).total_seconds())
            control = PlaybackControl(action=PlaybackAction.SEEK, seconds=seconds)
        elif action == "speed":
            if speed is None or float(speed) not in PLAYBACK_SPEED_VALUES:
                raise BadControl("bad_speed")
            control = PlaybackControl(action=PlaybackAction.SPEED, speed=float(speed))
        else:
            control = PlaybackControl(action=PlaybackAction(action))
        was = position.recorded_at()
        try:
            await self._platform(self._archive.control_playback(
                playback.device_id, playback.stream_id, control))
        except PlatformFailed as exc:
            if isinstance(exc.__cause__, StreamNotFound):
                raise PlaybackEnded(session_id) from exc
            raise
        if control.action is PlaybackAction.SEEK:
            position.seek(control.seconds or 0)
            viewer = playback.viewer
            await self._audit.record(
                AuditAction.PLAYBACK_SEEK, actor_id=viewer.user_id, actor=viewer.username,
                target=playback.device_id,
                detail={"session": session_id, "from": self.local(was).isoformat(),
                        "to": self.local(position.recorded_at()).isoformat()})
        elif control.action is PlaybackAction.SPEED:
            position.set_speed(control.speed or 1.0)
        elif control.action is PlaybackAction.PAUSE:
            position.pause()
        else:
            position.resume()
        return self.state(playback)

    async def _stop(self, playback: Playback) -> None:
        """The viewer's stream ended: stop the platform's playback, audit the range."""
        if playback.stopped:
            return
        playback.stopped = True
        if playback.session_id is not None:
            self._playbacks.pop(playback.session_id, None)
        reached = self.local(playback.position.recorded_at())
        try:
            await self._platform(self._archive.stop_playback(playback.device_id,
                                                             playback.stream_id))
        except PlatformFailed as exc:
            if not isinstance(exc.__cause__, StreamNotFound):  # ended by itself: fine
                log.warning("stopping playback %s failed: %s", playback.stream_id, exc)
        if playback.session_id is None:
            return  # never answered: nothing was watched
        viewer = playback.viewer
        await self._audit.record(
            AuditAction.PLAYBACK_STOP, actor_id=viewer.user_id, actor=viewer.username,
            target=playback.device_id,
            detail={"session": playback.session_id,
                    "start": self.local(playback.position.start).isoformat(),
                    "reached": reached.isoformat()})

    def owns_stream(self, session_id: str) -> bool:
        """Whether an ended registry stream was a playback (its stop is audited here, as
        playback.stop with the recorded range); asked once per ended stream."""
        if session_id in self._stream_ids:
            self._stream_ids.discard(session_id)
            return True
        return False

    def _spawn(self, work: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def clip_max_minutes(self) -> float:
        return self._settings.clip_max_minutes

    @property
    def clip_link_minutes(self) -> float:
        return self._settings.clip_link_minutes

    @property
    def running(self) -> int:
        """Playbacks being watched."""
        return len(self._playbacks)

    async def close(self) -> None:
        """Shutdown: end every playback stream, then wait for the platform stops."""
        for playback in list(self._playbacks.values()):
            if playback.session_id is not None:
                with contextlib.suppress(Exception):
                    await self._registry.close(playback.session_id, playback.viewer.user_id)
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
