"""The long-lived services of one BFF process, built and closed in one place.

`running_services` is the composition root's lifecycle: it prepares the database (when
the embedded default seeds itself), creates every service from the settings, starts the
background work (catalogue refresh and sync, PTZ sweep, alert type reload,
escalation, device alarms, demo alerts) and, on exit, stops it and closes
everything in reverse order. The result is a frozen `Services` struct that the app keeps
on `app.state.services`; handlers receive its members through dependencies named after
its fields (`bff.plugin`), never by reaching into the app state.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import msgspec

from bff.alerts.admin import AlertAdminService
from bff.alerts.alarms import AlarmIntake
from bff.alerts.delivery import DeliveryWorker
from bff.alerts.demo_source import DEMO_SOURCE, DemoAlertSource
from bff.alerts.escalation import Escalator
from bff.alerts.live import LiveAlertFeed, channels_backend
from bff.alerts.mutes import MuteService
from bff.alerts.offline import raise_camera_offline
from bff.alerts.services import AlertService
from bff.alerts.types import AlertTypes
from bff.audit.seal import open_seal
from bff.audit.services import AuditAction, AuditLog
from bff.auth.departments import seed_departments
from bff.auth.services import AuthService
from bff.catalog.services import CatalogService
from bff.catalog.sync import SyncSummary, run_periodic_sync
from bff.lib.db import Database
from bff.lib.periodic import repeat_every
from bff.lib.ratelimit import RateLimiter
from bff.lib.settings import MapSettings, Settings
from bff.lib.stores import Stores
from bff.migrate import upgrade_to_head
from bff.platform.base import Platform, RaisesDemoAlerts, SeedsFirstRun
from bff.platform_factory import create_platform
from bff.playback.clips import ClipService
from bff.playback.services import PlaybackService
from bff.ptz.moving import MovingCameras
from bff.ptz.services import PtzService
from bff.sharing.enforcement import AccessEnforcer
from bff.sharing.services import SharingService
from bff.push.services import PushService
from bff.webrtc.hub import StreamHub
from bff.webrtc.registry import PeerRegistry, StreamSession

log = logging.getLogger(__name__)


class Services(msgspec.Struct, frozen=True, kw_only=True):
    """Everything a request may need that outlives it; one instance per process."""

    settings: Settings
    map_settings: MapSettings
    database: Database
    stores: Stores
    audit: AuditLog
    catalog: CatalogService
    platform: Platform
    stream_hub: StreamHub
    peer_registry: PeerRegistry
    auth_service: AuthService
    ptz_service: PtzService
    alert_service: AlertService
    sharing_service: SharingService
    access_enforcer: AccessEnforcer
    alert_feed: LiveAlertFeed
    alert_types: AlertTypes
    alert_admin: AlertAdminService
    alert_mutes: MuteService
    push_service: PushService
    delivery: DeliveryWorker
    playback_service: PlaybackService
    clip_service: ClipService


SERVICE_NAMES: tuple[str, ...] = Services.__struct_fields__
"""Dependency keys: a handler asks for `catalog: CatalogService` and gets `services.catalog`."""


async def prepare_database(settings: Settings, database: Database, platform: Platform) -> None:
    """Migrate and seed at start (`BFF_DEMO_SEED`): departments always, and whatever the
    platform brings for a first run (the demo: accounts and catalogue)."""
    await upgrade_to_head(database)
    await seed_departments(database)
    if isinstance(platform, SeedsFirstRun):  # a real platform's catalogue is synced
        await platform.seed_first_run(database, password=settings.demo.password)


@asynccontextmanager
async def running_services(settings: Settings, database: Database,
                           stores: Stores) -> AsyncIterator[Services]:
    """Build the services, run their background work, close them all on exit.

    The database and the stores come in from outside because the app needs them before
    start (the stores back the session middleware and the rate limit); they are closed
    here."""
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(database.close)
        stack.push_async_callback(stores.close)
        platform = create_platform(settings)
        stack.push_async_callback(platform.close)
        if settings.demo.seed_on_start:
            await prepare_database(settings, database, platform)
        prefix = settings.redis.key_prefix
        audit = AuditLog(database, open_seal(
            settings.audit, settings.database, redis=stores.redis,
            redis_key=f"{prefix}:audit-anchor", create_key=True))
        catalog = CatalogService(database)
        await catalog.load()

        async def on_stream_closed(session: StreamSession) -> None:
            if playback.owns_stream(session.id):
                return  # audited as playback.stop, with the recorded range
            await audit.record(AuditAction.VIEW_STOP, actor_id=session.viewer.user_id,
                               actor=session.viewer.username, target=session.device_id,
                               detail={"session": session.id, "reason": session.close_reason})

        hub = StreamHub(settings.webrtc, platform)  # with the platform's media openers
        stack.push_async_callback(hub.close)
        registry = PeerRegistry(settings.webrtc, hub, on_closed=on_stream_closed)
        stack.push_async_callback(registry.close_all)
        playback = PlaybackService(settings.playback, settings.webrtc, platform, registry,
                                   hub.openers, audit)
        stack.push_async_callback(playback.close)  # before close_all: stops reach the platform
        clips = ClipService(settings.playback, settings.webrtc, database, platform, playback,
                            hub.openers, audit)
        stack.push_async_callback(clips.close)
        ptz = PtzService(
            settings.ptz, platform, audit, stores.by_name["ptz"],
            RateLimiter(settings.ptz.rate, settings.ptz.rate_window_s, redis=stores.redis,
                        namespace=f"{prefix}:ptz-rate"),
            MovingCameras(redis=stores.redis, key=f"{prefix}:ptz-moving"))
        stack.push_async_callback(ptz.close)
        alert_feed = LiveAlertFeed(settings.live_feed, channels_backend(stores.redis),
                                   channel_prefix=prefix)
        await alert_feed.start()
        stack.push_async_callback(alert_feed.close)
        alert_types = AlertTypes()
        alert_admin = AlertAdminService(database, alert_types, audit)
        await alert_admin.load_types()
        alert_sources = dict(settings.alerts.sources)
        demo_alerts_on = (isinstance(platform, RaisesDemoAlerts)
                          and settings.demo.alerts_interval_s > 0)
        if demo_alerts_on:
            # The demo source signs like any other; its secret stays in this process
            # unless BFF_ALERT_SOURCES names one (then `bff alerts send --source demo` works).
            alert_sources.setdefault(DEMO_SOURCE, secrets.token_hex(32))
        push_service = await PushService.start(settings.push, database, audit)
        stack.push_async_callback(push_service.close)
        delivery_wake = asyncio.Event()
        alert_service = AlertService(
            settings.alerts, database, catalog, audit,
            RateLimiter(settings.alerts.rate, settings.alerts.rate_window_s,
                        redis=stores.redis, namespace=f"{prefix}:alert-rate"),
            feed=alert_feed, types=alert_types, sources=alert_sources,
            delivery_wake=delivery_wake)
        # New alerts and escalations reach open pages and phones from the outbox.
        delivery = DeliveryWorker(settings.delivery, database, catalog, alert_types,
                                  push_service, alert_feed, wake=delivery_wake)
        auth_service = AuthService(settings.auth, stores.by_name["auth"], audit, database)
        enforcer = AccessEnforcer(registry, ptz, catalog, database)
        # Notifiers beyond the in-app inbox (Web Push, live channel) join through
        # `sharing_service.add_notifier`.
        sharing_service = SharingService(settings.sharing, database, catalog, audit,
                                         on_access_lost=enforcer.access_lost)
        services = Services(
            settings=settings, map_settings=settings.map, database=database, stores=stores,
            audit=audit, catalog=catalog, platform=platform, stream_hub=hub,
            peer_registry=registry,
            auth_service=auth_service, ptz_service=ptz, alert_service=alert_service,
            sharing_service=sharing_service, access_enforcer=enforcer, alert_feed=alert_feed,
            alert_types=alert_types, alert_admin=alert_admin,
            alert_mutes=MuteService(database, alert_types, audit), push_service=push_service,
            delivery=delivery, playback_service=playback, clip_service=clips)
        background = _background_work(services)
        if demo_alerts_on:
            demo_source = DemoAlertSource(platform, alert_service,  # type: ignore[arg-type]
                                          alert_sources[DEMO_SOURCE])
            background["demo-alerts"] = demo_source.run(settings.demo.alerts_interval_s)
        for name, work in background.items():
            stack.push_async_callback(_cancel, asyncio.create_task(work, name=name))
        yield services


def _background_work(services: Services) -> dict[str, Coroutine[Any, Any, None]]:
    settings = services.settings
    work: dict[str, Coroutine[Any, Any, None]] = {
        "ptz-abandoned-moves": services.ptz_service.sweep_abandoned(),
        "access-recheck": services.access_enforcer.run(settings.sharing.recheck_s),
        "share-sweep": repeat_every(settings.sharing.recheck_s, services.sharing_service.sweep,
                                    "share request expiry and escalation"),
        "alert-delivery": services.delivery.run(),
        "clip-expiry": repeat_every(60.0, services.clip_service.sweep_expired,
                                    "removing expired clips", at_start=True)}
    if settings.catalog.refresh_s > 0:
        work["catalogue-refresh"] = services.catalog.watch(settings.catalog.refresh_s)
    if settings.platform.kind == "wvp" and settings.wvp.sync_interval_s > 0:
        # Beside the app, not before it: WVP being down at start must not stop the BFF.
        async def after_sync(summary: SyncSummary) -> None:
            await services.catalog.refresh()
            if summary.went_offline:
                await raise_camera_offline(services.alert_service, summary.went_offline)

        work["catalogue-sync"] = run_periodic_sync(
            services.database, services.platform, settings.wvp.sync_interval_s,
            after_sync=after_sync)
    alerts = settings.alerts
    work["alert-types-refresh"] = services.alert_admin.watch_types(alerts.types_refresh_s)
    if alerts.escalate_minutes > 0:
        work["alert-escalation"] = Escalator(
            services.database, services.catalog, services.audit,
            timedelta(minutes=alerts.escalate_minutes)).run()
    if alerts.alarm_types:
        unknown = sorted({code for code in alerts.alarm_types.values()
                          if code not in services.alert_types})
        if unknown:  # an administrator may add them later; until then those alarms are refused
            log.warning("BFF_ALERT_ALARM_TYPES maps to unknown alert types %s", unknown)
        work["platform-alarms"] = AlarmIntake(services.platform, services.alert_service,
                                              alerts.alarm_types).run()
    return work


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
