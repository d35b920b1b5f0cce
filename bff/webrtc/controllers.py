"""Live view: the page and the WebRTC signalling API."""

from __future__ import annotations

import logging

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.di import Provide
from litestar.response import Template
from litestar.status_codes import HTTP_204_NO_CONTENT

from bff.audit.services import AuditAction, AuditLog
from bff.auth.deps import provide_access_scope
from bff.auth.policy import AccessScope, may_control, may_use
from bff.auth.schemas import SignedInUser
from bff.catalog.deps import provide_camera
from bff.catalog.schemas import CameraRecord
from bff.catalog.services import CatalogService
from bff.lib.i18n import MESSAGES, locale_of, translate
from bff.lib.vocabulary import OnlineState, Permission
from bff.webrtc.errors import LiveRefused, StreamNotFound, UpstreamUnavailable
from bff.webrtc.registry import PeerRegistry, ViewerIdentity
from bff.webrtc.schemas import LiveAnswer, LiveOffer, StreamStatus

log = logging.getLogger(__name__)


class LiveController(Controller):
    """实时视频: page, offer/answer, close."""

    dependencies = {
        "camera": Provide(provide_camera, sync_to_thread=False),
        "access": Provide(provide_access_scope),
    }

    @get("/cameras/{device_id:str}", name="webrtc:live-page")
    async def live_page(self, request: Request, current_user: SignedInUser,
                        access: AccessScope, camera: CameraRecord, catalog: CatalogService,
                        peer_registry: PeerRegistry) -> Template:
        """Camera detail with the live player (the player starts only when allowed) and,
        for a PTZ camera the user may control (permission 4), the PTZ pad."""
        locale = locale_of(request)
        return Template("pages/webrtc/live.html", context={
            "user": current_user, "camera": catalog.summary(camera, access), "record": camera,
            "flag_messages": [translate(f"code_flag.{f}", locale) for f in camera.code_flags],
            "ice_servers_json": msgspec.json.encode(peer_registry.ice_servers).decode(),
            "ptz_pad": camera.online == OnlineState.ONLINE and may_control(access, camera),
        })

    @post("/api/cameras/{device_id:str}/live", name="webrtc:offer", status_code=201)
    async def offer(self, device_id: str, data: LiveOffer, current_user: SignedInUser,
                    access: AccessScope, camera: CameraRecord, peer_registry: PeerRegistry,
                    audit: AuditLog) -> LiveAnswer:
        """Answer the browser's offer with a watermarked stream of the camera, after the
        server-side permission check (permission 1, 实时调阅)."""
        if not may_use(access, camera, Permission.LIVE):
            await audit.record(AuditAction.VIEW_DENIED, actor_id=current_user.id,
                               actor=current_user.username, target=device_id)
            raise LiveRefused("forbidden")
        if camera.online != OnlineState.ONLINE:
            raise LiveRefused("offline")
        viewer = ViewerIdentity(user_id=current_user.id, username=current_user.username,
                                display_name=current_user.display_name,
                                staff_no=current_user.staff_no)
        try:
            session = await peer_registry.open(viewer, device_id, data.sdp, data.type)
        except UpstreamUnavailable as exc:
            log.warning("upstream unavailable for %s: %s", device_id, exc)
            raise
        await audit.record(AuditAction.VIEW_START, actor_id=current_user.id,
                           actor=current_user.username, target=device_id,
                           detail={"session": session.id, "codec": session.codec})
        return LiveAnswer(session_id=session.id, sdp=session.answer_sdp,
                          type=session.answer_type, codec=session.codec)

    @delete("/api/streams/{session_id:str}", name="webrtc:close", status_code=HTTP_204_NO_CONTENT)
    async def close(self, session_id: str, current_user: SignedInUser,
                    peer_registry: PeerRegistry) -> None:
        """Stop one of the user's own streams (the page calls this when it is left)."""
        if not await peer_registry.close(session_id, current_user.id):
            raise StreamNotFound(session_id)

    @get("/api/streams/{session_id:str}", name="webrtc:status")
    async def status(self, request: Request, session_id: str, current_user: SignedInUser,
                     peer_registry: PeerRegistry) -> StreamStatus:
        """Whether one of the user's streams runs; once ended, why, in the user's words
        (a revoked or expired grant ends streams from the server side)."""
        running = peer_registry.session(session_id)
        if running is not None and running.viewer.user_id == current_user.id:
            return StreamStatus(session_id=session_id, state="running")
        reason = peer_registry.ended_reason(session_id, current_user.id)
        if reason is None:
            raise StreamNotFound(session_id)
        key = f"live.ended.{reason}"
        return StreamStatus(session_id=session_id, state="ended", reason=reason,
                            message=translate(key if key in MESSAGES else "live.ended.other",
                                              locale_of(request)))
