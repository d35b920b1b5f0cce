"""The PTZ service's rules and its safety stop, with a recording platform and two
service instances sharing one store (two BFF processes behind one Redis)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from litestar.stores.memory import MemoryStore

from bff.auth.policy import AccessScope
from bff.auth.schemas import SignedInUser
from bff.catalog.schemas import CameraRecord
from bff.demo.catalogue import generate_demo_catalogue
from bff.lib.ratelimit import RateLimiter
from bff.lib.settings import PtzSettings
from bff.platform.base import PlatformError, PtzCommand, PtzMove
from bff.ptz.errors import PtzBusy, PtzPlatformFailed, PtzRateLimited, PtzRefused
from bff.ptz.moving import MovingCameras
from bff.ptz.schemas import PtzRequest
from bff.ptz.services import PtzService, platform_move

USER = SignedInUser(id=7, username="police01", display_name="陈志强", staff_no="J441502017",
                    dept_code="06", dept_name="公安", region_prefix="441502", role="officer")
OTHER = SignedInUser(id=8, username="police02", display_name="李四", staff_no="J441502018",
                     dept_code="06", dept_name="公安", region_prefix="441502", role="officer")
SCOPE = AccessScope(user_id=7, dept_code="06", region_prefix="441502")


def _camera(ptz: bool, perm_ptz: bool = True) -> CameraRecord:
    for r in generate_demo_catalogue(500):
        if (r.dept_code == "06" and r.civil_code.startswith("441502") and r.status == 1
                and r.online == 1 and (r.camera_type in (1, 4)) == ptz
                and (not ptz or (4 in r.default_perms) == perm_ptz)):
            return r
    raise AssertionError("no camera")


PTZ_CAMERA = _camera(True)


class RecordingPlatform:
    def __init__(self) -> None:
        self.moves: list[tuple[str, PtzMove]] = []
        self.fail: Exception | None = None
        self.delay = 0.0

    async def ptz(self, device_id: str, move: PtzMove) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail is not None:
            raise self.fail
        self.moves.append((device_id, move))

    @property
    def commands(self) -> list[PtzCommand]:
        return [move.command for _, move in self.moves]


class RecordingAudit:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, dict[str, Any]]] = []

    async def record(self, action: str, *, actor_id: int | None, actor: str, target: str = "",
                     detail: dict[str, Any] | None = None) -> None:
        self.rows.append((action, actor, detail or {}))

    @property
    def actions(self) -> list[str]:
        return [row[0] for row in self.rows]


def service(platform: RecordingPlatform, audit: RecordingAudit, store: MemoryStore | None = None,
            moving: MovingCameras | None = None, **settings: Any) -> PtzService:
    """One BFF process's service; processes behind one Redis share `store` and `moving`."""
    ptz = PtzSettings(**{"rate": 100, "watchdog_s": 0.2, **settings})
    return PtzService(ptz, platform, audit, store or MemoryStore(),  # type: ignore[arg-type]
                      RateLimiter(ptz.rate, ptz.rate_window_s), moving)


def shared() -> tuple[MemoryStore, MovingCameras]:
    """What two processes share through Redis."""
    return MemoryStore(), MovingCameras()


def two_processes(**settings: Any) -> tuple[RecordingPlatform, RecordingAudit, PtzService,
                                            PtzService]:
    """Two BFF processes behind one Redis, in front of one platform and audit log."""
    store, moving = shared()
    platform, audit = RecordingPlatform(), RecordingAudit()
    return (platform, audit, service(platform, audit, store, moving, **settings),
            service(platform, audit, store, moving, **settings))


def die(process: PtzService) -> None:
    """The process is killed: its safety-stop timers vanish without stopping anything."""
    for task, _ in process._watchdogs.values():
        task.cancel()


def request(command: str, speed: int = 50) -> PtzRequest:
    return PtzRequest(command=PtzCommand(command), speed=speed)


async def wait_until(condition, seconds: float = 3.0) -> bool:  # noqa: ANN001
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.02)
    return True


def test_speed_maps_onto_the_platform_ranges() -> None:
    assert platform_move(PtzCommand.LEFT, 100) == PtzMove(command=PtzCommand.LEFT, pan_speed=255,
                                                          tilt_speed=255, zoom_speed=15)
    slow = platform_move(PtzCommand.ZOOMIN, 1)
    assert slow.pan_speed == 3 and slow.zoom_speed == 1
    assert platform_move(PtzCommand.STOP, 80).pan_speed == 0


async def test_move_stop_and_audit() -> None:
    platform, audit = RecordingPlatform(), RecordingAudit()
    ptz = service(platform, audit)
    result = await ptz.command(USER, SCOPE, PTZ_CAMERA, request("left", 40))
    assert result.repeat_ms == 100 and result.stop_after_ms == 200  # floor of 100 ms
    assert ptz.watched_cameras == {PTZ_CAMERA.device_id}
    await ptz.command(USER, SCOPE, PTZ_CAMERA, request("stop"))
    assert platform.commands == [PtzCommand.LEFT, PtzCommand.STOP]
    assert audit.actions == ["ptz.move", "ptz.stop"]
    assert ptz.watched_cameras == set()
    await asyncio.sleep(0.3)
    assert platform.commands == [PtzCommand.LEFT, PtzCommand.STOP]  # no extra stop


async def test_a_changed_move_is_a_new_move() -> None:
    platform, audit = RecordingPlatform(), RecordingAudit()
    ptz = service(platform, audit, watchdog_s=5)
    for command, speed in (("left", 50), ("left", 50), ("left", 80), ("up", 80)):
        await ptz.command(USER, SCOPE, PTZ_CAMERA, request(command, speed))
    assert audit.actions == ["ptz.move"] * 3  # the repeat is not a new move
    await ptz.close()


async def test_one_user_steers_at_a_time_but_anyone_may_stop() -> None:
    platform, audit = RecordingPlatform(), RecordingAudit()
    ptz = service(platform, audit, watchdog_s=5)
    await ptz.command(USER, SCOPE, PTZ_CAMERA, request("left"))
    with pytest.raises(PtzBusy) as busy:
        await ptz.command(OTHER, SCOPE, PTZ_CAMERA, request("up"))
    assert busy.value.holder == "陈志强"
    assert platform.commands == [PtzCommand.LEFT]  # the refused move never left
    await ptz.command(OTHER, SCOPE, PTZ_CAMERA, request("stop"))  # stopping is always allowed
    await ptz.command(OTHER, SCOPE, PTZ_CAMERA, request("up"))  # now free
    assert platform.commands == [PtzCommand.LEFT, PtzCommand.STOP, PtzCommand.UP]
    assert [(a, actor) for a, actor, _ in audit.rows] == [
        ("ptz.move", "police01"), ("ptz.stop", "police02"), ("ptz.move", "police02")]
    with pytest.raises(PtzBusy):
        await ptz.command(USER, SCOPE, PTZ_CAMERA, request("left"))
    await ptz.close()


async def test_the_camera_is_free_again_after_the_safety_stop() -> None:
    platform, audit = RecordingPlatform(), RecordingAudit()
    ptz = service(platform, audit, watchdog_s=0.2)
    await ptz.command(USER, SCOPE, PTZ_CAMERA, request("left"))
    await wait_until(lambda: platform.commands[-1] is PtzCommand.STOP)  # USER let go
    await ptz.command(OTHER, SCOPE, PTZ_CAMERA, request("right"))
    assert platform.commands[-1] is PtzCommand.RIGHT
    await ptz.close()


async def test_watchdog_stops_a_move_left_alone() -> None:
    platform, audit = RecordingPlatform(), RecordingAudit()
    ptz = service(platform, audit)
    await ptz.command(USER, SCOPE, PTZ_CAMERA, request("zoomin"))
    await wait_until(lambda: len(platform.moves) == 2)
    assert platform.commands == [PtzCommand.ZOOMIN, PtzCommand.STOP]
    await wait_until(lambda: len(audit.rows) == 2)
    action, actor, detail = audit.rows[1]
    assert (action, actor, detail["ended"], detail["reason"]) == (
        "ptz.auto_stop", "police01", "zoomin", "no_stop")
    # The finished watchdog forgets its camera in a done-callback, one loop turn later.
    await wait_until(lambda: ptz.watched_cameras == set())


async def test_repeats_keep_the_watchdog_away() -> None:
    platform, audit = RecordingPlatform(), RecordingAudit()
    ptz = service(platform, audit, watchdog_s=0.5)
    for _ in range(6):  # 0.9 s in all, each repeat well within the 0.5 s
        await ptz.command(USER, SCOPE, PTZ_CAMERA, request("right"))
        await asyncio.sleep(0.15)
    assert PtzCommand.STOP not in platform.commands
    await wait_until(lambda: platform.commands[-1] is PtzCommand.STOP)
    assert audit.actions == ["ptz.move", "ptz.auto_stop"]


async def test_two_processes_share_the_motion_through_the_store() -> None:
    """A stop handled by one process disarms the other's watchdog; a newer move handled
    by one process makes the other's older watchdog stand down."""
    platform, audit, a, b = two_processes(watchdog_s=0.4)
    await a.command(USER, SCOPE, PTZ_CAMERA, request("left"))
    await b.command(USER, SCOPE, PTZ_CAMERA, request("stop"))
    await wait_until(lambda: not a.watched_cameras)  # a's watchdog ran and found nothing
    assert platform.commands == [PtzCommand.LEFT, PtzCommand.STOP]
    assert audit.actions == ["ptz.move", "ptz.stop"]

    await a.command(USER, SCOPE, PTZ_CAMERA, request("up"))
    await asyncio.sleep(0.2)
    await b.command(USER, SCOPE, PTZ_CAMERA, request("up"))  # a repeat, on the other process
    await wait_until(lambda: not a.watched_cameras)  # a's fires first and stands down
    assert platform.commands[-1] is PtzCommand.UP and b.watched_cameras
    await wait_until(lambda: platform.commands[-1] is PtzCommand.STOP)  # b's stops it
    assert platform.commands.count(PtzCommand.STOP) == 2
    assert audit.actions[-2:] == ["ptz.move", "ptz.auto_stop"]


async def test_refusals() -> None:
    platform, audit = RecordingPlatform(), RecordingAudit()
    ptz = service(platform, audit)
    with pytest.raises(PtzRefused) as refused:
        await ptz.command(USER, SCOPE, _camera(False), request("left"))
    assert refused.value.reason == "not_ptz"
    with pytest.raises(PtzRefused) as refused:
        await ptz.command(USER, SCOPE, _camera(True, perm_ptz=False), request("left"))
    assert refused.value.reason == "forbidden"
    offline = _camera(True)
    offline = CameraRecord(**{f: getattr(offline, f) for f in offline.__struct_fields__
                              if f != "online"}, online=2)
    with pytest.raises(PtzRefused) as refused:
        await ptz.command(USER, SCOPE, offline, request("left"))
    assert refused.value.reason == "offline"
    assert platform.moves == [] and audit.actions == ["ptz.denied"]


async def test_rate_limit_spares_a_stop_that_ends_a_move() -> None:
    platform, audit = RecordingPlatform(), RecordingAudit()
    ptz = service(platform, audit, rate=2, rate_window_s=3600, watchdog_s=5)
    await ptz.command(USER, SCOPE, PTZ_CAMERA, request("left"))
    await ptz.command(USER, SCOPE, PTZ_CAMERA, request("right"))
    with pytest.raises(PtzRateLimited) as limited:
        await ptz.command(USER, SCOPE, PTZ_CAMERA, request("up"))
    assert 0 < limited.value.retry_after_s <= 3600
    await ptz.command(USER, SCOPE, PTZ_CAMERA, request("stop"))
    with pytest.raises(PtzRateLimited):
        await ptz.command(USER, SCOPE, PTZ_CAMERA, request("stop"))
    assert platform.commands == [PtzCommand.LEFT, PtzCommand.RIGHT, PtzCommand.STOP]


async def test_platform_failure_and_timeout() -> None:
    platform, audit = RecordingPlatform(), RecordingAudit()
    ptz = service(platform, audit, command_timeout_s=0.1)
    platform.fail = PlatformError("refused")
    with pytest.raises(PtzPlatformFailed) as failed:
        await ptz.command(USER, SCOPE, PTZ_CAMERA, request("left"))
    assert not failed.value.timed_out
    platform.fail, platform.delay = None, 1.0
    with pytest.raises(PtzPlatformFailed) as failed:
        await ptz.command(USER, SCOPE, PTZ_CAMERA, request("left"))
    assert failed.value.timed_out
    assert audit.actions == [] and ptz.watched_cameras == set()


async def test_close_stops_moving_cameras() -> None:
    platform, audit = RecordingPlatform(), RecordingAudit()
    ptz = service(platform, audit, watchdog_s=60)
    await ptz.command(USER, SCOPE, PTZ_CAMERA, request("downleft"))
    await ptz.close()
    assert platform.commands == [PtzCommand.DOWNLEFT, PtzCommand.STOP]
    assert audit.rows[-1][0] == "ptz.auto_stop" and audit.rows[-1][2]["reason"] == "shutdown"
    assert ptz.watched_cameras == set()


async def test_a_failed_safety_stop_is_retried() -> None:
    platform, audit = RecordingPlatform(), RecordingAudit()
    ptz = service(platform, audit)
    await ptz.command(USER, SCOPE, PTZ_CAMERA, request("right"))
    platform.fail = PlatformError("busy")  # the first safety stop fails…
    await asyncio.sleep(0.4)
    assert platform.commands == [PtzCommand.RIGHT] and audit.actions == ["ptz.move"]
    platform.fail = None  # …the retry a second later gets through
    await wait_until(lambda: platform.commands[-1:] == [PtzCommand.STOP])
    await wait_until(lambda: audit.actions == ["ptz.move", "ptz.auto_stop"])


async def test_shutdown_leaves_another_processes_move_alone() -> None:
    platform, audit, a, b = two_processes(watchdog_s=60)
    await a.command(USER, SCOPE, PTZ_CAMERA, request("left"))
    await b.command(USER, SCOPE, PTZ_CAMERA, request("right"))  # the latest move is b's
    await a.close()
    assert platform.commands == [PtzCommand.LEFT, PtzCommand.RIGHT]
    await b.close()
    assert platform.commands[-1] is PtzCommand.STOP


async def test_another_process_stops_a_move_whose_process_died() -> None:
    platform, audit, a, b = two_processes(watchdog_s=0.3)
    await a.command(USER, SCOPE, PTZ_CAMERA, request("left"))
    die(a)
    assert await b.stop_abandoned() == []  # not overdue yet: a might still stop it
    await asyncio.sleep(0.3 * 2 + 0.05)  # the deadline, then one more watchdog period
    assert await b.stop_abandoned() == [PTZ_CAMERA.device_id]
    assert platform.commands == [PtzCommand.LEFT, PtzCommand.STOP]
    action, actor, detail = audit.rows[-1]
    assert (action, actor, detail["reason"], detail["ended"]) == (
        "ptz.auto_stop", "police01", "owner_gone", "left")
    assert await b.stop_abandoned() == [] and await a.stop_abandoned() == []  # once


async def test_a_living_process_keeps_its_own_move() -> None:
    platform, audit, a, b = two_processes(watchdog_s=0.3)
    await a.command(USER, SCOPE, PTZ_CAMERA, request("left"))
    for _ in range(4):  # the page repeats the held move: never overdue
        await asyncio.sleep(0.15)
        await a.command(USER, SCOPE, PTZ_CAMERA, request("left"))
        assert await b.stop_abandoned() == []
    await wait_until(lambda: platform.commands[-1] is PtzCommand.STOP)  # a's own watchdog
    await asyncio.sleep(0.7)
    assert await b.stop_abandoned() == []
    assert audit.actions == ["ptz.move", "ptz.auto_stop"]
    assert audit.rows[-1][2]["reason"] == "no_stop"


async def test_the_sweep_retries_a_stop_the_platform_refused() -> None:
    platform, audit, a, b = two_processes(watchdog_s=0.2)
    await a.command(USER, SCOPE, PTZ_CAMERA, request("zoomin"))
    die(a)
    await asyncio.sleep(0.45)
    platform.fail = PlatformError("platform down")
    assert await b.stop_abandoned() == []
    platform.fail = None
    await asyncio.sleep(0.45)  # the claim of the failed attempt lapses
    assert await b.stop_abandoned() == [PTZ_CAMERA.device_id]
    assert platform.commands[-1] is PtzCommand.STOP
