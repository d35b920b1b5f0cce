"""PTZ API: one endpoint the live page's pad calls for every press and release."""

from __future__ import annotations

import math

from litestar import Controller, post
from litestar.di import Provide

from bff.auth.deps import provide_access_scope
from bff.auth.policy import AccessScope
from bff.auth.schemas import SignedInUser
from bff.catalog.deps import provide_camera, provide_catalog
from bff.catalog.schemas import CameraRecord
from bff.lib.errors import AppError
from bff.ptz.deps import provide_ptz_service
from bff.ptz.schemas import PtzRequest, PtzResult
from bff.ptz.services import PtzBusy, PtzPlatformFailed, PtzRateLimited, PtzRefused, PtzService

_REFUSAL_STATUS = {"not_ptz": 409, "forbidden": 403, "offline": 409}


class PtzController(Controller):
    """云台控制: move, zoom and stop a camera's head."""

    dependencies = {
        "catalog": Provide(provide_catalog, sync_to_thread=False),
        "camera": Provide(provide_camera, sync_to_thread=False),
        "access": Provide(provide_access_scope),
        "ptz": Provide(provide_ptz_service, sync_to_thread=False),
    }

    @post("/api/cameras/{device_id:str}/ptz", name="ptz:command", status_code=200)
    async def command(self, data: PtzRequest, current_user: SignedInUser, access: AccessScope,
                      camera: CameraRecord, ptz: PtzService) -> PtzResult:
        """Send one PTZ command (a direction, zoom in/out or stop) after checking the
        rate limit, that the camera has a PTZ head, permission 4 (云台), that it is
        online and that no other user is steering it (409). A move lasts until a stop,
        or until the server's safety stop when neither a stop nor a repeat arrives in
        time."""
        try:
            return await ptz.command(current_user, access, camera, data)
        except PtzRateLimited as exc:
            seconds = max(1, math.ceil(exc.retry_after_s))
            error = AppError(429, "ptz.rate_limited", code="ptz.rate_limited", seconds=seconds)
            error.headers = {"Retry-After": str(seconds)}
            raise error from exc
        except PtzRefused as exc:
            key = f"ptz.{exc.reason}"
            raise AppError(_REFUSAL_STATUS[exc.reason], key, code=key) from exc
        except PtzBusy as exc:
            raise AppError(409, "ptz.busy", code="ptz.busy", holder=exc.holder) from exc
        except PtzPlatformFailed as exc:
            if exc.timed_out:
                raise AppError(504, "ptz.timeout", code="ptz.timeout") from exc
            raise AppError(502, "ptz.upstream", code="ptz.upstream") from exc
