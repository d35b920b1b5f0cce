"""PTZ commands: the rules around them, the audit trail and the safety stop.

Every command is checked afresh, in this order: the per-user rate limit (it protects the
platform, the policy check and the audit log from a flood; a stop that ends a move is
never refused for rate), the camera has a PTZ head (camera type 1 or 4), the policy
lets the user steer it (`bff.auth.policy.may_control`: permission 4, 云台; refusals are
audited), the camera is online, and nobody else is steering it. Then the platform gets
the command.

One user steers at a time: while another user's move is running (until their stop, or
the safety stop after they let go), moves are refused with that user's name — two
people pressing at once would otherwise jerk the camera between them. Anyone allowed
to steer may still stop it: stopping is the safe side.

Audit: a move is written when it starts or changes (command, speed or user); the page
repeats a held move to keep the safety stop away, and those repeats are not new moves.
Every accepted stop is written too, with the move it ended and how long that lasted, so
one press-and-hold reads as one `ptz.move` and one `ptz.stop` row. A stop by the safety
watchdog is `ptz.auto_stop`, attributed to the user whose move it ended.

Safety stop: if neither a stop nor a repeat arrives within `watchdog_s` of a move (the
phone lost its connection, the browser was killed), the service stops the camera itself.
The camera's current motion is kept in the shared store (Redis in deployment) with a
token per command, so with several BFF processes only the process that handled the
latest command stops the camera, and a stop handled by any process disarms it. Every
move's deadline is also listed in `MovingCameras` (Redis): if the process that handled
it dies before its safety stop, another process finds the move overdue by one more
`watchdog_s` and stops the camera (`stop_abandoned`, run periodically by the app).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from datetime import timedelta

import msgspec
from litestar.stores.base import Store

from bff.audit.services import AuditAction, AuditLog
from bff.auth.policy import AccessScope, may_control
from bff.auth.schemas import SignedInUser
from bff.catalog.schemas import CameraRecord
from bff.lib.periodic import repeat_every
from bff.lib.ratelimit import RateLimiter
from bff.lib.settings import PtzSettings
from bff.lib.vocabulary import PTZ_CAMERA_TYPES, OnlineState
from bff.platform.base import Platform, PlatformError, PlatformTimeout, PtzCommand, PtzMove
from bff.ptz.errors import PtzBusy, PtzPlatformFailed, PtzRateLimited, PtzRefused
from bff.ptz.moving import MovingCameras
from bff.ptz.schemas import PtzRequest, PtzResult

log = logging.getLogger(__name__)

STOP = PtzMove(command=PtzCommand.STOP, pan_speed=0, tilt_speed=0, zoom_speed=0)
_SAFETY_STOP_ATTEMPTS = 3
_SAFETY_STOP_RETRY_S = 1.0

class Motion(msgspec.Struct, kw_only=True, frozen=True):
    """The ongoing move of one camera, as kept in the shared store."""

    token: str
    """New for every accepted move command (repeats included): the watchdog armed with
    it may stop the camera only while it is still the latest."""
    user_id: int
    username: str
    display_name: str = ""
    """Shown to another user whose move is refused meanwhile."""
    command: PtzCommand
    speed: int
    started_at: float
    """Wall-clock time the move started (repeats keep it)."""


def platform_move(command: PtzCommand, speed: int) -> PtzMove:
    """The platform command for `speed` per cent of the camera's top speed."""
    if command is PtzCommand.STOP:
        return STOP
    pan_tilt = max(1, round(speed * 255 / 100))
    return PtzMove(command=command, pan_speed=pan_tilt, tilt_speed=pan_tilt,
                   zoom_speed=max(1, round(speed * 15 / 100)))


class PtzService:
    """Sends checked PTZ commands to the platform, audits them and stops cameras whose
    move was left without a stop."""

    def __init__(self, settings: PtzSettings, platform: Platform, audit: AuditLog,
                 store: Store, limiter: RateLimiter,
                 moving: MovingCameras | None = None) -> None:
        self._settings = settings
        self._platform = platform
        self._audit = audit
        self._store = store
        self._limiter = limiter
        self._moving = moving or MovingCameras()
        # device id → (watchdog task, token of the move it guards)
        self._watchdogs: dict[str, tuple[asyncio.Task[None], str]] = {}
        self._closed = False

    @property
    def watched_cameras(self) -> set[str]:
        """Cameras this process will stop if no stop arrives (for tests and health)."""
        return set(self._watchdogs)

    async def command(self, user: SignedInUser, scope: AccessScope, camera: CameraRecord,
                      request: PtzRequest) -> PtzResult:
        """Check and send one command; raises PtzRateLimited, PtzRefused, PtzBusy or
        PtzPlatformFailed."""
        device_id = camera.device_id
        is_stop = request.command is PtzCommand.STOP
        motion = await self._motion(device_id)
        retry_after = await self._limiter.hit(f"user:{user.id}")
        # A stop that ends a move is never refused for rate: stopping is the safe side.
        if retry_after and not (is_stop and motion is not None):
            raise PtzRateLimited(retry_after)
        if camera.camera_type not in PTZ_CAMERA_TYPES:
            raise PtzRefused("not_ptz")
        if not may_control(scope, camera):
            await self._audit.record(AuditAction.PTZ_DENIED, actor_id=user.id,
                                     actor=user.username, target=device_id,
                                     detail={"command": request.command.value})
            raise PtzRefused("forbidden")
        if camera.online != OnlineState.ONLINE:
            raise PtzRefused("offline")
        if not is_stop and motion is not None and motion.user_id != user.id:
            raise PtzBusy(motion.display_name or motion.username)

        await self._send(device_id, platform_move(request.command, request.speed))
        if is_stop:
            await self._stopped(device_id, user, motion)
            return PtzResult(device_id=device_id, command=request.command, speed=request.speed)

        continuing = (motion is not None and motion.user_id == user.id
                      and motion.command is request.command and motion.speed == request.speed)
        now = time.time()
        token = uuid.uuid4().hex
        await self._store.set(
            _motion_key(device_id),
            msgspec.json.encode(Motion(
                token=token, user_id=user.id, username=user.username,
                display_name=user.display_name, command=request.command, speed=request.speed,
                started_at=motion.started_at if continuing and motion else now)),
            # Outlives the deadline and the sweep after it, which still names the user.
            expires_in=timedelta(seconds=math.ceil(self._settings.watchdog_s * 3) + 30),
        )
        await self._moving.arm(device_id, now + self._settings.watchdog_s)
        self._arm(device_id, token)
        if not continuing:
            await self._audit.record(AuditAction.PTZ_MOVE, actor_id=user.id,
                                     actor=user.username, target=device_id,
                                     detail={"command": request.command.value,
                                             "speed": request.speed})
        watchdog_ms = round(self._settings.watchdog_s * 1000)
        return PtzResult(device_id=device_id, command=request.command, speed=request.speed,
                         stop_after_ms=watchdog_ms, repeat_ms=max(100, watchdog_ms // 3))

    async def mover(self, device_id: str) -> int | None:
        """The user whose move of the camera is running now, if any."""
        motion = await self._motion(device_id)
        return motion.user_id if motion is not None else None

    async def release(self, device_id: str, user_id: int, reason: str) -> bool:
        """Stop the camera if `user_id`'s move is running on it: the user lost the right
        to steer it (a grant revoked or expired). Audited as that user's auto stop.
        Returns whether a move was stopped."""
        motion = await self._motion(device_id)
        if motion is None or motion.user_id != user_id:
            return False
        log.info("PTZ move of %s by %s ended: %s", device_id, motion.username, reason)
        await self._send(device_id, STOP)
        latest = await self._motion(device_id)
        if latest is not None and latest.token == motion.token:
            await self._store.delete(_motion_key(device_id))
            await self._moving.disarm(device_id)
        self._disarm(device_id)
        await self._audit.record(
            AuditAction.PTZ_AUTO_STOP, actor_id=motion.user_id, actor=motion.username,
            target=device_id,
            detail={"ended": motion.command.value, "reason": reason,
                    "moved_ms": max(0, round((time.time() - motion.started_at) * 1000))})
        return True

    async def stop_abandoned(self) -> list[str]:
        """Stop cameras whose move's deadline passed one `watchdog_s` ago without a
        stop: the process that handled the move died (or its safety stop kept failing).
        Returns the cameras stopped. One process acts per camera."""
        overdue = await self._moving.overdue(time.time() - self._settings.watchdog_s)
        stopped = []
        for device_id in overdue:
            if device_id in self._watchdogs:
                continue  # ours, and its watchdog is still trying
            if not await self._moving.claim(device_id, hold_s=self._settings.watchdog_s * 2):
                continue
            motion = await self._motion(device_id)
            log.warning("PTZ move of %s abandoned (its process is gone): stopping it",
                        device_id)
            try:
                await self._send(device_id, STOP)
            except PtzPlatformFailed:
                continue  # tried again at the next sweep
            await self._moving.disarm(device_id)
            await self._store.delete(_motion_key(device_id))
            detail: dict[str, object] = {"reason": "owner_gone",
                                         "ended": motion.command.value if motion else None}
            if motion is not None:
                detail["moved_ms"] = max(0, round((time.time() - motion.started_at) * 1000))
            await self._audit.record(
                AuditAction.PTZ_AUTO_STOP, actor_id=motion.user_id if motion else None,
                actor=motion.username if motion else "system", target=device_id,
                detail=detail)
            stopped.append(device_id)
        return stopped

    async def sweep_abandoned(self) -> None:
        """`stop_abandoned` twice per `watchdog_s` until cancelled (an app background
        task); failures are logged and retried."""
        await repeat_every(max(0.2, self._settings.watchdog_s / 2), self.stop_abandoned,
                           "PTZ sweep of abandoned moves")

    async def close(self) -> None:
        """At shutdown: stop every camera whose latest move this process handled."""
        self._closed = True
        watched = dict(self._watchdogs)
        self._watchdogs.clear()
        for task, _ in watched.values():
            task.cancel()
        for device_id, (_, token) in watched.items():
            try:
                await self._safety_stop(device_id, token, reason="shutdown")
            except Exception:  # noqa: BLE001 - shutting down: log and go on
                log.exception("PTZ stop of %s at shutdown failed", device_id)

    # --- internals -------------------------------------------------------------------

    async def _send(self, device_id: str, move: PtzMove) -> None:
        try:
            async with asyncio.timeout(self._settings.command_timeout_s):
                await self._platform.ptz(device_id, move)
        except (TimeoutError, PlatformTimeout) as exc:
            log.warning("PTZ %s on %s timed out", move.command, device_id)
            raise PtzPlatformFailed(timed_out=True) from exc
        except PlatformError as exc:
            log.warning("PTZ %s on %s failed: %s", move.command, device_id, exc)
            raise PtzPlatformFailed(timed_out=False) from exc

    async def _motion(self, device_id: str) -> Motion | None:
        raw = await self._store.get(_motion_key(device_id))
        if raw is None:
            return None
        try:
            return msgspec.json.decode(raw, type=Motion)
        except msgspec.DecodeError:
            return None

    async def _stopped(self, device_id: str, user: SignedInUser, motion: Motion | None) -> None:
        await self._store.delete(_motion_key(device_id))
        await self._moving.disarm(device_id)
        self._disarm(device_id)
        detail: dict[str, object] = {"ended": motion.command.value if motion else None}
        if motion is not None:
            detail["moved_ms"] = max(0, round((time.time() - motion.started_at) * 1000))
        await self._audit.record(AuditAction.PTZ_STOP, actor_id=user.id, actor=user.username,
                                 target=device_id, detail=detail)

    def _arm(self, device_id: str, token: str) -> None:
        self._disarm(device_id)
        if self._closed:
            return
        task = asyncio.create_task(self._watch(device_id, token),
                                   name=f"ptz-watchdog-{device_id}")
        self._watchdogs[device_id] = (task, token)
        task.add_done_callback(lambda done: self._forget(device_id, done))

    def _disarm(self, device_id: str) -> None:
        watched = self._watchdogs.pop(device_id, None)
        if watched is not None and watched[0] is not asyncio.current_task():
            watched[0].cancel()

    def _forget(self, device_id: str, task: asyncio.Task[None]) -> None:
        watched = self._watchdogs.get(device_id)
        if watched is not None and watched[0] is task:
            del self._watchdogs[device_id]

    async def _watch(self, device_id: str, token: str) -> None:
        await asyncio.sleep(self._settings.watchdog_s)
        try:
            for attempt in range(1, _SAFETY_STOP_ATTEMPTS + 1):
                try:
                    await self._safety_stop(device_id, token, reason="no_stop")
                    return
                except PtzPlatformFailed:
                    log.error("PTZ safety stop of %s failed (attempt %d of %d)", device_id,
                              attempt, _SAFETY_STOP_ATTEMPTS)
                except Exception:  # noqa: BLE001 - a background task: log, never raise
                    log.exception("PTZ safety stop of %s failed", device_id)
                    return
                await asyncio.sleep(_SAFETY_STOP_RETRY_S)
        finally:
            # Forget the camera as soon as the work is done rather than in the done
            # callback a loop turn later, so "watched" never outlives the stop.
            current = asyncio.current_task()
            if current is not None:
                self._forget(device_id, current)

    async def _safety_stop(self, device_id: str, token: str, *, reason: str) -> None:
        """Stop the camera if its motion is still the one armed with `token`; audit it
        as the moving user's auto stop. The motion is forgotten only once the platform
        took the stop, so a failed stop can be retried."""
        motion = await self._motion(device_id)
        if motion is None or motion.token != token:
            return  # stopped meanwhile, or a newer command (maybe elsewhere) owns it
        log.info("PTZ safety stop of %s (%s) after %s", device_id, reason, motion.command)
        await self._send(device_id, STOP)
        latest = await self._motion(device_id)
        if latest is not None and latest.token == token:
            await self._store.delete(_motion_key(device_id))
            await self._moving.disarm(device_id)
        await self._audit.record(
            AuditAction.PTZ_AUTO_STOP, actor_id=motion.user_id, actor=motion.username,
            target=device_id,
            detail={"ended": motion.command.value, "reason": reason,
                    "moved_ms": max(0, round((time.time() - motion.started_at) * 1000))})


def _motion_key(device_id: str) -> str:
    return f"motion:{device_id}"
