"""PTZ API: one endpoint the live page's pad calls for every press and release."""

from __future__ import annotations

from litestar import Controller, post
from litestar.di import Provide

from bff.auth.deps import provide_access_scope
from bff.auth.policy import AccessScope
from bff.auth.schemas import SignedInUser
from bff.catalog.deps import provide_camera
from bff.catalog.schemas import CameraRecord
from bff.ptz.schemas import PtzRequest, PtzResult
from bff.ptz.services import PtzService


class PtzController(Controller):
    """云台控制: move, zoom and stop a camera's head."""

    dependencies = {
        "camera": Provide(provide_camera, sync_to_thread=False),
        "access": Provide(provide_access_scope),
    }

    @post("/api/cameras/{device_id:str}/ptz", name="ptz:command", status_code=200)
    async def command(self, data: PtzRequest, current_user: SignedInUser, access: AccessScope,
                      camera: CameraRecord, ptz_service: PtzService) -> PtzResult:
        """Send one PTZ command (a direction, zoom in/out or stop) after checking the
        rate limit, that the camera has a PTZ head, permission 4 (云台), that it is
        online and that no other user is steering it (409). A move lasts until a stop,
        or until the server's safety stop when neither a stop nor a repeat arrives in
        time."""
        return await ptz_service.command(current_user, access, camera, data)
