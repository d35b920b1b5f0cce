"""Watermarked clip downloads (录像下载): request, background export, expiry.

A request (permission 3, checked by the controller) of at most `clip_max_minutes` inside
the camera's retention becomes a `clip` row and a background export; the page polls its
state and progress. Exports run one core each (`export.export_mp4` in a worker thread),
at most `clip_max_per_user` per user (more are refused) and `clip_max_running` in the
process (more wait, queued); a request that would take the clip directory beyond
`clip_quota_mb` is refused. A finished clip can be downloaded by its owner only, for
`clip_link_minutes`; then its file is removed (`sweep_expired`, a background task).

Pictures come from the platform's `RendersRecordings` when it has it (the demo renders
them at many times real time); otherwise the recording is played back through the
platform and read from its stream, as fast as the platform plays it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import av
import msgspec
from sqlalchemy import func, select, update

from bff.audit.services import AuditAction, AuditLog
from bff.catalog.schemas import CameraRecord
from bff.lib.db import Database, utcnow
from bff.lib.settings import PlaybackSettings, WebRTCSettings
from bff.media.sources import MediaOpeners
from bff.platform.base import RecordingArchive, RendersRecordings
from bff.playback.errors import (
    ClipExpired,
    ClipNotFound,
    ClipNotReady,
    ClipQuotaFull,
    ClipTooLong,
    NoRecordingThere,
    TooManyClips,
)
from bff.playback.export import export_mp4
from bff.playback.models import Clip, ClipState
from bff.playback.position import RecordedPosition
from bff.playback.schemas import ClipCreated, ClipStatus
from bff.playback.services import PlaybackService
from bff.webrtc.viewers import ViewerIdentity
from bff.webrtc.watermark import WatermarkRenderer

log = logging.getLogger(__name__)

ACTIVE = (ClipState.QUEUED, ClipState.RUNNING)
PROGRESS_EVERY_S = 1.0


class ClipService:
    """Clip requests, their exports and their files."""

    def __init__(self, settings: PlaybackSettings, webrtc: WebRTCSettings, database: Database,
                 archive: RecordingArchive, playback: PlaybackService, openers: MediaOpeners,
                 audit: AuditLog) -> None:
        self._settings = settings
        self._database = database
        self._archive = archive
        self._playback = playback
        self._openers = openers
        self._audit = audit
        height = round(settings.clip_width * 9 / 16 / 2) * 2
        self._video = msgspec.structs.replace(webrtc, width=settings.clip_width, height=height)
        self._renderer = WatermarkRenderer(self._video)
        self._dir = Path(settings.clip_dir)
        self._slots = asyncio.Semaphore(settings.clip_max_running)
        self._cancelled = threading.Event()
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def link_minutes(self) -> float:
        return self._settings.clip_link_minutes

    def path_of(self, clip_id: str) -> Path:
        return self._dir / f"{clip_id}.mp4"

    def _disk_used(self) -> int:
        if not self._dir.is_dir():
            return 0
        return sum(p.stat().st_size for p in self._dir.iterdir() if p.is_file())

    # --- requests --------------------------------------------------------------------

    async def request(self, viewer: ViewerIdentity, camera: CameraRecord, name: str,
                      start: datetime, end: datetime) -> ClipCreated:
        """Accept a clip of [start, end] of the camera for `viewer` and start its export
        in the background (202). Refuses a bad or too long range, one outside retention
        or without recording, a user at their limit, and a full disk quota."""
        playback = self._playback
        limit = timedelta(minutes=self._settings.clip_max_minutes)
        if playback.local(end) - playback.local(start) > limit:
            raise ClipTooLong(self._settings.clip_max_minutes)
        start, end = playback.window(camera, start, end, limit)
        stretches = await playback.recorded_stretches(camera.device_id, start, end)
        if not stretches:
            raise NoRecordingThere(await playback.nearest_recording(camera, start))
        seconds = sum((r.end - r.start).total_seconds() for r in stretches)
        estimate = seconds * self._video.bitrate_kbps * 1000 / 8
        if self._disk_used() + estimate > self._settings.clip_quota_mb * 1024 * 1024:
            raise ClipQuotaFull
        clip = Clip(id=secrets.token_hex(16), user_id=viewer.user_id, device_id=camera.device_id,
                    start=start, end=end, state=ClipState.QUEUED, progress=0.0)
        async with self._database.sessions() as session, session.begin():
            active = await session.scalar(select(func.count()).select_from(Clip).where(
                Clip.user_id == viewer.user_id, Clip.state.in_(ACTIVE)))
            if (active or 0) >= self._settings.clip_max_per_user:
                raise TooManyClips("user", self._settings.clip_max_per_user)
            session.add(clip)
        await self._audit.record(
            AuditAction.CLIP_REQUEST, actor_id=viewer.user_id, actor=viewer.username,
            target=camera.device_id,
            detail={"clip": clip.id, "start": start.isoformat(), "end": end.isoformat()})
        task = asyncio.create_task(self._export(clip.id, viewer, camera.device_id, name,
                                                stretches, seconds),
                                   name=f"clip-{clip.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return ClipCreated(id=clip.id, state=ClipState.QUEUED)

    async def _get(self, clip_id: str, user_id: int) -> Clip:
        async with self._database.sessions() as session:
            clip = await session.get(Clip, clip_id)
        if clip is None or clip.user_id != user_id:
            raise ClipNotFound(clip_id)
        return clip

    async def status(self, clip_id: str, user_id: int) -> ClipStatus:
        """The user's clip: state, progress, and the download link while it is valid."""
        clip = await self._get(clip_id, user_id)
        state = clip.state
        if state == ClipState.READY and clip.expires_at and clip.expires_at <= utcnow():
            await self._expire(clip.id)
            state = ClipState.EXPIRED
        ready = state == ClipState.READY
        local = self._playback.local
        return ClipStatus(
            id=clip.id, device_id=clip.device_id, start=local(clip.start), end=local(clip.end),
            state=state, progress=1.0 if ready else round(clip.progress, 3),  # type: ignore[arg-type]
            download_url=f"/api/clips/{clip.id}/download" if ready else None,
            expires_at=local(clip.expires_at) if ready and clip.expires_at else None,
            size_bytes=clip.size_bytes if ready else None)

    async def download(self, clip_id: str, viewer: ViewerIdentity) -> Path:
        """The file of the user's ready clip (audited); 404 for someone else's, 409
        while it is made, 410 once expired."""
        clip = await self._get(clip_id, viewer.user_id)
        if clip.state == ClipState.EXPIRED or (
                clip.state == ClipState.READY and clip.expires_at
                and clip.expires_at <= utcnow()):
            await self._expire(clip.id)
            raise ClipExpired(clip_id)
        path = self.path_of(clip.id)
        if clip.state != ClipState.READY or not path.is_file():
            raise ClipNotReady(clip_id)
        await self._audit.record(
            AuditAction.CLIP_DOWNLOAD, actor_id=viewer.user_id, actor=viewer.username,
            target=clip.device_id,
            detail={"clip": clip.id, "start": self._playback.local(clip.start).isoformat(),
                    "end": self._playback.local(clip.end).isoformat()})
        return path

    # --- export ----------------------------------------------------------------------

    async def _set(self, clip_id: str, **values: Any) -> None:
        async with self._database.sessions() as session, session.begin():
            await session.execute(update(Clip).where(Clip.id == clip_id).values(**values))

    async def _export(self, clip_id: str, viewer: ViewerIdentity, device_id: str, name: str,
                      stretches: list, seconds: float) -> None:
        fps = self._video.fps
        try:
            async with self._slots:
                await self._set(clip_id, state=ClipState.RUNNING)
                self._dir.mkdir(parents=True, exist_ok=True)
                progress = [0.0]
                frames, cleanup = await self._frames(device_id, name, stretches)
                try:
                    work = asyncio.ensure_future(asyncio.to_thread(
                        export_mp4, frames, self.path_of(clip_id), viewer=viewer,
                        renderer=self._renderer, tz=self._playback.tz, fps=fps,
                        bitrate_kbps=self._video.bitrate_kbps,
                        total_frames=round(seconds * fps),
                        progress=lambda p: progress.__setitem__(0, p),
                        cancelled=self._cancelled))
                    while not work.done():
                        await asyncio.wait({work}, timeout=PROGRESS_EVERY_S)
                        if not work.done():
                            await self._set(clip_id, progress=progress[0])
                    size = work.result()
                finally:
                    await cleanup()
            expires = utcnow() + timedelta(minutes=self._settings.clip_link_minutes)
            await self._set(clip_id, state=ClipState.READY, progress=1.0, size_bytes=size,
                            expires_at=expires)
        except asyncio.CancelledError:
            self._cancelled.set()
            with contextlib.suppress(Exception):
                await asyncio.shield(self._set(clip_id, state=ClipState.FAILED,
                                               error="server shutdown"))
            raise
        except Exception as exc:  # the clip fails; the page says so
            log.exception("clip %s failed", clip_id)
            with contextlib.suppress(Exception):
                await self._set(clip_id, state=ClipState.FAILED, error=str(exc)[:200])

    async def _frames(self, device_id: str, name: str, stretches: list) -> tuple[
            Iterator[tuple[datetime, av.VideoFrame]], Any]:
        """The recording's pictures as a plain iterator for the export thread, and what
        to await when the export is done."""
        archive = self._archive
        video = self._video

        async def nothing() -> None:
            return None

        if isinstance(archive, RendersRecordings):
            return archive.recording_frames(device_id, name, stretches, width=video.width,
                                            height=video.height, fps=video.fps), nothing
        # Played back through the platform: as fast as it plays (1× for most devices).
        start, end = stretches[0].start, stretches[-1].end
        stream = await self._playback.platform_call(archive.start_playback(device_id, start, end))
        position = RecordedPosition(start, end, stretches)
        media = await self._openers.open(stream.media_url, video)
        loop = asyncio.get_running_loop()

        async def pictures() -> AsyncIterator[tuple[datetime, av.VideoFrame]]:
            async for frame in media:
                if position.finished():
                    return
                yield position.recorded_at(), frame

        source = pictures()

        def pull() -> Iterator[tuple[datetime, av.VideoFrame]]:
            while True:
                try:
                    yield asyncio.run_coroutine_threadsafe(anext(source), loop).result()
                except StopAsyncIteration:
                    return

        async def stop() -> None:
            with contextlib.suppress(Exception):
                await media.aclose()
            with contextlib.suppress(Exception):
                await archive.stop_playback(device_id, stream.stream_id)

        return pull(), stop

    # --- files -------------------------------------------------------------------------

    async def _expire(self, clip_id: str) -> None:
        self.path_of(clip_id).unlink(missing_ok=True)
        await self._set(clip_id, state=ClipState.EXPIRED)

    async def sweep_expired(self) -> int:
        """Remove the files of clips whose link expired and mark them expired; returns
        how many."""
        now = utcnow()
        async with self._database.sessions() as session:
            expired = list((await session.scalars(select(Clip.id).where(
                Clip.state == ClipState.READY, Clip.expires_at <= now))).all())
        for clip_id in expired:
            await self._expire(clip_id)
        return len(expired)

    async def close(self) -> None:
        """Shutdown: stop running exports (their clips fail)."""
        self._cancelled.set()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
