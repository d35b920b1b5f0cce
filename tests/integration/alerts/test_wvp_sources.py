"""The running app on WVP (the test double), both backends: a device alarm WVP pushes
becomes an alert when its type is mapped and is skipped otherwise; a catalogue camera WVP
lists offline raises camera_offline once, however many syncs see it."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Iterator

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update

from bff.alerts.models import Alert
from bff.catalog.models import Camera
from bff.lib.db import Database
from bff.lib.settings import PlatformSettings, Settings, WvpSettings
from bff.lib.vocabulary import OnlineState
from tests.integration.alerts.conftest import catalogue
from tests.wvp_double import ChannelSpec, WvpDouble

WVP_PASSWORD = "Wvp#Secret-2026"
NVR = "44150200001180000001"


def online_camera() -> str:
    for record in catalogue():
        if (record.civil_code == "441502" and record.dept_code == "06"
                and not record.code_flags and record.online == OnlineState.ONLINE):
            return record.device_id
    raise AssertionError("no online 城区 police camera in the test catalogue")


@pytest.fixture
def double() -> Iterator[WvpDouble]:
    with WvpDouble(keepalive_s=0.1) as running:
        yield running


def on_wvp(settings: Settings, double: WvpDouble, **wvp: object) -> Settings:
    settings.platform = PlatformSettings(kind="wvp")
    settings.wvp = WvpSettings(url=double.url, password=WVP_PASSWORD, api_version="2.7.3",
                               request_timeout_s=2.0, **wvp)  # type: ignore[arg-type]
    return settings


async def alerts_of(db: Database, source: str) -> list[Alert]:
    async with db.sessions() as session:
        return list((await session.scalars(
            select(Alert).where(Alert.source == source).order_by(Alert.id))).all())


async def wait_for(predicate: Callable[[], bool | Awaitable[bool]],
                   seconds: float = 20.0) -> None:
    """Until `predicate` (plain or async) holds; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        assert time.monotonic() < deadline, "not within the time allowed"
        await asyncio.sleep(0.1)


async def test_mapped_device_alarms_become_alerts(settings: Settings, double: WvpDouble,
                                                  db: Database) -> None:
    camera = online_camera()
    double.add_channel(ChannelSpec(code=camera, name="城区 测试通道", parent=NVR))
    from bff.app import create_app

    app = create_app(on_wvp(settings, double, alarm_mode="sse", sync_interval_s=0))
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000"):
        await wait_for(lambda: double.alarm_listeners == 1)
        double.raise_alarm(camera, alarm_type="2", description="遮挡")  # not mapped
        intrusion = double.raise_alarm(camera, alarm_type="6", description="入侵检测")

        async def stored() -> bool:
            return bool(await alerts_of(db, "platform"))

        await wait_for(stored)
    alerts = await alerts_of(db, "platform")
    assert [(a.event_id, a.type, a.device_id, a.detail) for a in alerts] == [
        (str(intrusion), "smuggling_intrusion", camera, "入侵检测")]


async def test_a_camera_listed_offline_raises_camera_offline_once(
        settings: Settings, double: WvpDouble, db: Database) -> None:
    camera = online_camera()
    double.add_channel(ChannelSpec(code=camera, name="城区 测试通道", parent=NVR, online=False))
    from bff.app import create_app

    app = create_app(on_wvp(settings, double, alarm_mode="off", sync_interval_s=0.2))
    try:
        async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000"):
            async def raised() -> bool:
                return bool(await alerts_of(db, "catalog"))

            await wait_for(raised)
            # Later syncs see the camera already offline: nothing more is raised.
            syncs = len(double.calls("/api/device/query/devices"))
            await wait_for(lambda: len(double.calls("/api/device/query/devices")) >= syncs + 2)
        alerts = await alerts_of(db, "catalog")
        assert [(a.type, a.device_id) for a in alerts] == [("camera_offline", camera)]
    finally:
        async with db.sessions() as session, session.begin():
            await session.execute(update(Camera).where(Camera.device_id == camera)
                                  .values(online=OnlineState.ONLINE))
