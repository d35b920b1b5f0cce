"""The demo camera's PTZ head: motion math, limits, and how the platform shares it with
the camera's live source."""

from __future__ import annotations

import asyncio
import math

import pytest

from bff.demo.platform import DemoPlatform
from bff.demo.ptz import (
    HOME,
    MAX_PAN_RATE,
    MAX_TILT_RATE,
    TILT_MAX,
    TILT_MIN,
    ZOOM_MAX,
    ZOOM_MIN,
    DemoPtzHead,
)
from bff.demo.strips import read_ptz_strip
from bff.demo.video import parse_demo_url
from bff.lib.settings import DemoSettings, Settings, WebRTCSettings
from bff.media.drawing import plane_views
from bff.media.sources import MediaOpeners
from bff.platform.base import DeviceNotFound, PlatformError, PtzCommand, PtzMove


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def move(command: PtzCommand, pan: int = 255, tilt: int = 255, zoom: int = 15) -> PtzMove:
    return PtzMove(command=command, pan_speed=pan, tilt_speed=tilt, zoom_speed=zoom)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def head(clock: Clock) -> DemoPtzHead:
    return DemoPtzHead(clock)


def test_a_new_head_is_at_home_and_still(head: DemoPtzHead, clock: Clock) -> None:
    clock.now += 10
    assert head.position() == HOME and not head.moving and head.command is PtzCommand.STOP


def test_pan_right_at_full_speed_then_stop_freezes(head: DemoPtzHead, clock: Clock) -> None:
    head.apply(move(PtzCommand.RIGHT))
    clock.now += 0.5
    assert head.position().pan == pytest.approx(MAX_PAN_RATE * 0.5)
    assert head.position().tilt == 0 and head.position().zoom == 1
    head.apply(move(PtzCommand.STOP, 0, 0, 0))
    frozen = head.position()
    clock.now += 5
    assert head.position() == frozen and not head.moving


def test_speed_scales_the_rate(head: DemoPtzHead, clock: Clock) -> None:
    head.apply(move(PtzCommand.UP, tilt=51))
    clock.now += 1
    assert head.position().tilt == pytest.approx(MAX_TILT_RATE * 51 / 255)


def test_pan_wraps_around_the_circle(head: DemoPtzHead, clock: Clock) -> None:
    head.apply(move(PtzCommand.LEFT))
    clock.now += 1
    assert head.position().pan == pytest.approx(360 - MAX_PAN_RATE)
    clock.now += 360 / MAX_PAN_RATE
    assert head.position().pan == pytest.approx(360 - MAX_PAN_RATE)


@pytest.mark.parametrize("command,limit", [(PtzCommand.UP, TILT_MAX), (PtzCommand.DOWN, TILT_MIN)])
def test_tilt_stops_at_its_limits(head: DemoPtzHead, clock: Clock, command: PtzCommand,
                                  limit: float) -> None:
    head.apply(move(command))
    clock.now += 60
    assert head.position().tilt == limit


def test_diagonals_move_both_axes(head: DemoPtzHead, clock: Clock) -> None:
    head.apply(move(PtzCommand.DOWNRIGHT, pan=255, tilt=255))
    clock.now += 0.25
    position = head.position()
    assert position.pan == pytest.approx(MAX_PAN_RATE / 4)
    assert position.tilt == pytest.approx(-MAX_TILT_RATE / 4)


def test_zoom_is_geometric_and_clamped(head: DemoPtzHead, clock: Clock) -> None:
    head.apply(move(PtzCommand.ZOOMIN))
    clock.now += 1
    assert head.position().zoom == pytest.approx(2.0)  # doubles each second at speed 15
    clock.now += 10
    assert head.position().zoom == ZOOM_MAX
    head.apply(move(PtzCommand.ZOOMOUT, zoom=15))
    clock.now += 1
    assert head.position().zoom == pytest.approx(ZOOM_MAX / 2)
    clock.now += 10
    assert head.position().zoom == ZOOM_MIN


def test_a_command_replaces_the_previous_motion(head: DemoPtzHead, clock: Clock) -> None:
    head.apply(move(PtzCommand.ZOOMIN))
    clock.now += 1
    start = head.apply(move(PtzCommand.RIGHT))
    assert start.zoom == pytest.approx(2.0)
    clock.now += 1
    position = head.position()
    assert position.zoom == pytest.approx(2.0)  # a direction command stops zooming
    assert position.pan == pytest.approx(MAX_PAN_RATE)
    assert head.velocity == (MAX_PAN_RATE, 0.0, 0.0)


def test_speed_zero_does_not_move(head: DemoPtzHead, clock: Clock) -> None:
    head.apply(move(PtzCommand.LEFT, pan=0))
    clock.now += 3
    assert head.position() == HOME


def test_time_never_runs_backwards(head: DemoPtzHead, clock: Clock) -> None:
    head.apply(move(PtzCommand.RIGHT))
    assert head.position(clock.now - 5) == HOME


# --- the demo platform ----------------------------------------------------------------


async def first_camera(platform: DemoPlatform) -> tuple[str, str]:
    async for page in platform.catalogue():
        return page[0].device_id, page[0].name
    raise AssertionError("empty catalogue")


async def test_platform_ptz_moves_that_cameras_head_only() -> None:
    platform = DemoPlatform(Settings(demo=DemoSettings(camera_count=50)))
    device_id, _ = await first_camera(platform)
    await platform.ptz(device_id, move(PtzCommand.UPRIGHT))
    head = platform.head(device_id)
    assert head.moving and head.command is PtzCommand.UPRIGHT
    async for page in platform.catalogue():
        assert not platform.head(page[1].device_id).moving
        break
    await platform.ptz(device_id, move(PtzCommand.STOP, 0, 0, 0))
    assert not head.moving
    with pytest.raises(DeviceNotFound):
        await platform.ptz("44150200001329999999", move(PtzCommand.LEFT))
    await platform.close()
    with pytest.raises(PlatformError):
        await platform.ptz(device_id, move(PtzCommand.LEFT))


async def test_heads_belong_to_their_platform() -> None:
    settings = Settings(demo=DemoSettings(camera_count=20))
    one, two = DemoPlatform(settings), DemoPlatform(settings)
    device_id, _ = await first_camera(one)
    await one.ptz(device_id, move(PtzCommand.LEFT))
    assert one.head(device_id).moving and not two.head(device_id).moving


async def test_the_platforms_opener_hands_the_head_to_the_picture() -> None:
    """start_live → a plain demo URL → the platform's media opener → frames drawn with
    the head's position (the head is looked up, it does not travel in the URL)."""
    platform = DemoPlatform(Settings(demo=DemoSettings(camera_count=20)))
    device_id, name = await first_camera(platform)
    url = await platform.start_live(device_id)
    assert type(url) is str and parse_demo_url(url) == (device_id, name)
    assert str(url).startswith("demo://live/") and "head" not in str(url)

    await platform.ptz(device_id, move(PtzCommand.DOWNLEFT))
    await asyncio.sleep(0.1)
    await platform.ptz(device_id, move(PtzCommand.STOP, 0, 0, 0))
    pose = platform.head(device_id).position()
    assert pose.pan > 300 and pose.tilt < -2
    source = await MediaOpeners(platform.media_openers()).open(url, WebRTCSettings(fps=30))
    try:
        frame = await anext(source)
    finally:
        await source.aclose()
    assert read_ptz_strip(plane_views(frame)[0]) == (
        round(pose.pan, 1), round(pose.tilt, 1), round(pose.zoom, 1))


def test_head_positions_stay_finite_for_long_runs(head: DemoPtzHead, clock: Clock) -> None:
    head.apply(move(PtzCommand.ZOOMIN))
    clock.now += 1e7
    assert math.isfinite(head.position().zoom) and head.position().zoom == ZOOM_MAX
