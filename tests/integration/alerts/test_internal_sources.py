"""Sources inside the BFF on both backends: platform device alarms and catalogue sync's
camera_offline enter the same pipeline as signed events (same checks, same dedupe,
recipients, outbox, audit); the demo analysis source posts through the signed ingest."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, update

from bff.alerts.alarms import AlarmIntake
from bff.alerts.demo_source import DEMO_SOURCE, DemoAlertSource
from bff.alerts.errors import AlertInvalid
from bff.alerts.models import Alert, AlertOutbox, AlertRecipient
from bff.alerts.offline import raise_camera_offline
from bff.alerts.schemas import AlertEvent
from bff.alerts.services import AlertService
from bff.alerts.snapshot import is_jpeg
from bff.audit.models import AuditEvent
from bff.audit.services import AuditLog
from bff.auth.models import User
from bff.catalog.models import Camera
from bff.catalog.schemas import CameraRecord
from bff.catalog.services import CatalogService
from bff.catalog.sync import sync_catalogue
from bff.demo.platform import DemoPlatform
from bff.lib.db import Database, create_database
from bff.lib.ratelimit import RateLimiter
from bff.lib.settings import Settings
from bff.lib.vocabulary import OnlineState
from bff.platform.base import ChannelState, PlatformAlarm
from tests.integration.alerts.conftest import catalogue, chengqu_camera


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[tuple[AlertService, Database]]:
    database = create_database(settings.database)
    catalog = CatalogService(database)
    await catalog.load()
    yield (AlertService(settings.alerts, database, catalog, AuditLog(database),
                        RateLimiter(100, 60)), database)
    await database.close()


async def recipients_of(db: Database, alert_id: int) -> set[str]:
    async with db.sessions() as session:
        return set((await session.scalars(
            select(User.username).join(AlertRecipient, AlertRecipient.user_id == User.id)
            .where(AlertRecipient.alert_id == alert_id))).all())


class NoFeed:
    async def alarms(self) -> AsyncIterator[PlatformAlarm]:
        return
        yield  # pragma: no cover


async def test_platform_alarms_share_the_pipeline_and_its_dedupe(
        service: tuple[AlertService, Database]) -> None:
    alerts, db = service
    intake = AlarmIntake(NoFeed(), alerts, {"6": "smuggling_intrusion"})
    alarm = PlatformAlarm(alarm_id="wvp-901", device_id=chengqu_camera(), alarm_type="6",
                          priority=1, occurred_at=datetime(2026, 12, 4, 1, 0, tzinfo=UTC),
                          description="入侵检测")
    first = await intake.handle(alarm)
    again = await intake.handle(alarm)
    assert first is not None and not first.duplicate
    assert again is not None and again.duplicate and again.alert_id == first.alert_id
    assert await recipients_of(db, first.alert_id) == {"police01", "approver02"}  # 06 公安
    async with db.sessions() as session:
        stored = await session.get(Alert, first.alert_id)
        outbox = await session.scalar(select(func.count()).select_from(AlertOutbox))
        actor = await session.scalar(select(AuditEvent.actor)
                                     .where(AuditEvent.action == "alert.ingest"))
    assert (stored.source, stored.event_id, stored.type) == (
        "platform", "wvp-901", "smuggling_intrusion")
    assert outbox == 1 and actor == "source:platform"


async def test_internal_events_meet_the_ingest_contract(
        service: tuple[AlertService, Database]) -> None:
    alerts, _ = service
    good = AlertEvent(event_id="x-1", type="flooding", device_id=chengqu_camera(),
                      occurred_at=datetime.now(UTC))
    with pytest.raises(AlertInvalid, match="type"):
        await alerts.accept("platform", AlertEvent(**{**_fields(good), "type": "volcano"}))
    with pytest.raises(AlertInvalid, match="device_id"):
        await alerts.accept("platform", AlertEvent(**{**_fields(good), "device_id": "123"}))
    with pytest.raises(AlertInvalid, match="snapshot"):
        await alerts.accept("platform", AlertEvent(**{**_fields(good),
                                                      "snapshot_jpeg": b"GIF89a"}))
    assert not (await alerts.accept("platform", good)).duplicate


def _fields(event: AlertEvent) -> dict[str, object]:
    return {name: getattr(event, name) for name in event.__struct_fields__}


def police_chengqu_online() -> CameraRecord:
    for record in catalogue():
        if (record.civil_code == "441502" and record.dept_code == "06" and not record.code_flags
                and record.online == OnlineState.ONLINE):
            return record
    raise AssertionError("no online 城区 police camera in the test catalogue")


class OneChannel:
    """A platform listing one camera with the given online state."""

    def __init__(self, record: CameraRecord, online: bool) -> None:
        self._channel = ChannelState(device_id=record.device_id, name=record.name,
                                     online=online)

    async def channels(self) -> AsyncIterator[list[ChannelState]]:
        yield [self._channel]


async def test_a_camera_going_offline_raises_camera_offline_once_per_outage(
        service: tuple[AlertService, Database]) -> None:
    alerts, db = service
    camera = police_chengqu_online()
    try:
        down = await sync_catalogue(db, OneChannel(camera, online=False))
        assert [c.device_id for c in down.went_offline] == [camera.device_id]
        assert await raise_camera_offline(alerts, down.went_offline) == 1
        # Another process's sync saw the same change: the same event, a duplicate.
        assert await raise_camera_offline(alerts, down.went_offline) == 0
        still_down = await sync_catalogue(db, OneChannel(camera, online=False))
        assert still_down.went_offline == ()

        async with db.sessions() as session:
            first = await session.scalar(select(Alert).where(Alert.type == "camera_offline"))
        assert first.source == "catalog" and first.device_id == camera.device_id
        assert first.event_id.startswith(f"offline-{camera.device_id}-")
        # The owner (06 公安, 城区: its officer and approver) and 29 政数 (the whole city).
        assert await recipients_of(db, first.id) == {"police01", "approver02", "admin"}

        assert (await sync_catalogue(db, OneChannel(camera, online=True))
                ).went_offline == ()
        down_again = await sync_catalogue(db, OneChannel(camera, online=False))
        assert await raise_camera_offline(alerts, down_again.went_offline) == 1
        async with db.sessions() as session:
            ids = (await session.scalars(select(Alert.event_id)
                                         .where(Alert.type == "camera_offline"))).all()
        assert len(set(ids)) == 2
    finally:
        async with db.sessions() as session, session.begin():
            await session.execute(update(Camera).where(Camera.device_id == camera.device_id)
                                  .values(online=OnlineState.ONLINE))


async def test_the_demo_source_posts_signed_alerts_at_fitting_cameras(
        settings: Settings) -> None:
    database = create_database(settings.database)
    platform = DemoPlatform(settings)
    try:
        catalog = CatalogService(database)
        await catalog.load()
        secret = "demo-secret-for-this-test-0123456789abcdef"
        alerts = AlertService(settings.alerts, database, catalog, AuditLog(database),
                              RateLimiter(100, 60),
                              sources={**settings.alerts.sources, DEMO_SOURCE: secret})
        results = [await DemoAlertSource(platform, alerts, secret).raise_one()
                   for _ in range(3)]
        assert all(result is not None and not result.duplicate for result in results)
        async with database.sessions() as session:
            stored = (await session.scalars(select(Alert).order_by(Alert.id))).all()
            audited = (await session.scalars(
                select(AuditEvent.actor).where(AuditEvent.action == "alert.ingest"))).all()
        assert [alert.source for alert in stored] == [DEMO_SOURCE] * 3
        assert audited == [f"source:{DEMO_SOURCE}"] * 3
        by_id = {record.device_id: record for record in catalogue()}
        for alert in stored:
            camera = by_id[alert.device_id]
            marker = {"flooding": "易涝点", "forest_fire": "林火监测"}.get(
                alert.type, "食堂明厨亮灶")
            assert marker in camera.name and camera.online == OnlineState.ONLINE
            assert alert.snapshot is not None and is_jpeg(alert.snapshot)
            assert alert.detail and alert.confidence is not None

        # Signed with a secret the ingest does not hold: refused, nothing stored.
        forged = DemoAlertSource(platform, alerts, "another-secret-0123456789-abcdefghijkl")
        assert await forged.raise_one() is None
        async with database.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Alert)) == 3
    finally:
        await platform.close()
        await database.close()


async def test_the_running_app_raises_demo_alerts_on_its_own(settings: Settings,
                                                             db: Database) -> None:
    from bff.app import create_app

    settings.demo.alerts_interval_s = 0.2
    async with AsyncTestClient(app=create_app(settings), base_url="http://127.0.0.1:8000"):
        deadline = time.monotonic() + 30
        count = 0
        while time.monotonic() < deadline:
            async with db.sessions() as session:
                count = await session.scalar(select(func.count()).select_from(Alert)
                                             .where(Alert.source == DEMO_SOURCE))
            if count:
                break
            await asyncio.sleep(0.2)
        assert count >= 1
