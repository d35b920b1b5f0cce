"""Playback (录像回放): the camera page's playback tab and its API."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.response import File, Template

from bff.audit.services import AuditAction, AuditLog
from bff.auth.departments import DEPARTMENTS
from bff.auth.deps import provide_access_scope
from bff.auth.policy import AccessScope, may_use
from bff.auth.schemas import SignedInUser
from bff.catalog.deps import provide_camera
from bff.catalog.schemas import CameraRecord
from bff.catalog.services import CatalogService
from bff.lib.vocabulary import Permission
from bff.playback.clips import ClipService
from bff.playback.errors import PlaybackRefused
from bff.playback.schemas import (
    PLAYBACK_SPEED_VALUES,
    ClipCreated,
    ClipRequest,
    ClipStatus,
    PlaybackAnswer,
    PlaybackControlRequest,
    PlaybackOffer,
    PlaybackState,
    RecordingsAnswer,
)
from bff.playback.services import PlaybackService
from bff.webrtc.registry import PeerRegistry, ViewerIdentity

EVENT_LEAD = timedelta(seconds=30)
"""回放事发时刻 opens playback this long before the event."""


def playback_link(device_id: str, occurred_at: datetime) -> str:
    """The camera page's playback tab at an alert's moment, 30 s before it (for the
    alert pages' 回放事发时刻)."""
    start = (occurred_at - EVENT_LEAD).isoformat()
    return f"/cameras/{quote(device_id, safe='')}/playback?start={quote(start, safe='')}"


def viewer_of(user: SignedInUser) -> ViewerIdentity:
    """Who a stream is watermarked for."""
    return ViewerIdentity(user_id=user.id, username=user.username,
                          display_name=user.display_name, staff_no=user.staff_no)


def owner_of(camera: CameraRecord) -> str:
    """The department whose approver can grant a permission on the camera."""
    return DEPARTMENTS.get(camera.dept_code, camera.dept_code)


async def require_permission(permission: Permission, user: SignedInUser, access: AccessScope,
                             camera: CameraRecord, audit: AuditLog) -> None:
    """Refuse (and audit) a playback or download the policy does not allow."""
    if may_use(access, camera, permission):
        return
    playback = permission == Permission.PLAYBACK
    await audit.record(AuditAction.PLAYBACK_DENIED if playback else AuditAction.CLIP_DENIED,
                       actor_id=user.id, actor=user.username, target=camera.device_id)
    raise PlaybackRefused("playback" if playback else "download", owner_of(camera))


class PlaybackController(Controller):
    """回放: the playback tab, the recordings timeline, playback signalling and controls."""

    dependencies = {
        "camera": Provide(provide_camera, sync_to_thread=False),
        "access": Provide(provide_access_scope),
    }

    @get("/cameras/{device_id:str}/playback", name="playback:page")
    async def playback_page(self, request: Request, current_user: SignedInUser,
                            access: AccessScope, camera: CameraRecord, catalog: CatalogService,
                            peer_registry: PeerRegistry, playback_service: PlaybackService,
                            start: datetime | None = None) -> Template:
        """The camera page's 回放 tab. `?start=` (RFC 3339) opens playback at that
        moment (an alert's 回放事发时刻 passes 30 s before the event)."""
        summary = catalog.summary(camera, access)
        earliest = playback_service.earliest(camera)
        return Template("pages/playback/playback.html", context={
            "user": current_user, "camera": summary, "record": camera,
            "may_play": may_use(access, camera, Permission.PLAYBACK),
            "may_download": may_use(access, camera, Permission.DOWNLOAD),
            "owner": owner_of(camera),
            "time_zone": playback_service.time_zone_name,
            "start": playback_service.local(start).isoformat() if start else "",
            "earliest": earliest.isoformat() if earliest else "",
            "speeds": [f"{s:g}" for s in PLAYBACK_SPEED_VALUES],
            "clip_max_minutes": f"{playback_service.clip_max_minutes:g}",
            "clip_link_minutes": f"{playback_service.clip_link_minutes:g}",
            "ice_servers_json": msgspec.json.encode(peer_registry.ice_servers).decode(),
        })

    @get("/api/cameras/{device_id:str}/recordings", name="playback:recordings")
    async def recordings(self, start: datetime, end: datetime, current_user: SignedInUser,
                         access: AccessScope, camera: CameraRecord,
                         playback_service: PlaybackService, audit: AuditLog) -> RecordingsAnswer:
        """The camera's recordings between `start` and `end` (RFC 3339; without an offset,
        the camera's time zone): segments, with gaps between them, in the camera's time
        zone. Needs permission 2 (录像回放)."""
        await require_permission(Permission.PLAYBACK, current_user, access, camera, audit)
        return await playback_service.recordings(camera, start, end)

    @post("/api/cameras/{device_id:str}/playback", name="playback:offer", status_code=201)
    async def offer(self, data: PlaybackOffer, current_user: SignedInUser,
                    access: AccessScope, camera: CameraRecord, audit: AuditLog,
                    playback_service: PlaybackService) -> PlaybackAnswer:
        """Answer the browser's offer with the recording from `start`, watermarked for
        this viewer with 回放 and the recorded time (permission 2)."""
        await require_permission(Permission.PLAYBACK, current_user, access, camera, audit)
        session, playback = await playback_service.start(viewer_of(current_user), camera,
                                                         data.start, data.sdp, data.type)
        state = playback_service.state(playback)
        return PlaybackAnswer(session_id=session.id, sdp=session.answer_sdp,
                              type=session.answer_type, codec=session.codec,
                              time_zone=playback_service.time_zone_name, start=state.start,
                              end=state.end, recorded_at=state.recorded_at)

    @post("/api/streams/{session_id:str}/control", name="playback:control", status_code=200)
    async def control(self, session_id: str, data: PlaybackControlRequest,
                      current_user: SignedInUser,
                      playback_service: PlaybackService) -> PlaybackState:
        """Pause, resume, seek (`at`, a recorded moment inside the playback's window) or
        speed (0.5, 1, 2, 4) — only the stream's own viewer may."""
        return await playback_service.control(session_id, current_user.id, data.action,
                                              at=data.at, speed=data.speed)

    @get("/api/streams/{session_id:str}/playback", name="playback:state")
    async def state(self, session_id: str, current_user: SignedInUser,
                    playback_service: PlaybackService) -> PlaybackState:
        """Where the user's playback is (the recorded moment on screen)."""
        return playback_service.state(playback_service.playback(session_id, current_user.id))


class ClipController(Controller):
    """录像下载: a watermarked MP4 of a range, made in the background."""

    dependencies = {
        "camera": Provide(provide_camera, sync_to_thread=False),
        "access": Provide(provide_access_scope),
    }

    @post("/api/cameras/{device_id:str}/clips", name="clips:request", status_code=202)
    async def request_clip(self, data: ClipRequest, current_user: SignedInUser,
                           access: AccessScope, camera: CameraRecord, audit: AuditLog,
                           clip_service: ClipService) -> ClipCreated:
        """Start making a watermarked MP4 of `start`–`end` (at most BFF_CLIP_MAX_MINUTES;
        permission 3, 录像下载); poll `GET /api/clips/{id}` for its progress."""
        await require_permission(Permission.DOWNLOAD, current_user, access, camera, audit)
        return await clip_service.request(viewer_of(current_user), camera, camera.name,
                                          data.start, data.end)

    @get("/api/clips/{clip_id:str}", name="clips:status")
    async def clip_status(self, clip_id: str, current_user: SignedInUser,
                          clip_service: ClipService) -> ClipStatus:
        """The user's clip: state and progress; the download URL once ready."""
        return await clip_service.status(clip_id, current_user.id)

    @get("/api/clips/{clip_id:str}/download", name="clips:download")
    async def download(self, clip_id: str, current_user: SignedInUser,
                       clip_service: ClipService) -> File:
        """The MP4, for its owner only, while the link is valid."""
        path = await clip_service.download(clip_id, viewer_of(current_user))
        return File(path, media_type="video/mp4", filename=f"clip-{clip_id[:8]}.mp4",
                    content_disposition_type="attachment")
