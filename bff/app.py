"""The Litestar application factory."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from advanced_alchemy.extensions.litestar import (
    AsyncSessionConfig,
    SQLAlchemyAsyncConfig,
    SQLAlchemyPlugin,
)
from litestar import Litestar, Request, Response, Router, get
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.di import Provide
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi import OpenAPIConfig
from litestar.plugins.htmx import HTMXPlugin
from litestar.response import File
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from bff.audit.deps import provide_audit
from bff.audit.services import AuditAction, AuditLog
from bff.auth.controllers import AuthController
from bff.auth.departments import seed_departments
from bff.auth.deps import provide_current_user
from bff.auth.guards import requires_sign_in
from bff.auth.services import AuthService
from bff.catalog.controllers import CameraController, CatalogImportController, NearbyController
from bff.catalog.nearby import compass_label
from bff.catalog.services import CatalogService
from bff.catalog.sync import run_periodic_sync
from bff.health import health
from bff.lib.db import create_database
from bff.lib.errors import handle_exception
from bff.lib.i18n import locale_of, translate
from bff.lib.logs import logging_config
from bff.lib.migrate import upgrade_to_head
from bff.lib.ratelimit import RateLimiter
from bff.lib.sessions import RotatingSessionConfig
from bff.lib.settings import Settings
from bff.lib.stores import build_stores
from bff.platform.base import SeedsFirstRun, media_openers_of
from bff.platform_factory import create_platform
from bff.ptz.controllers import PtzController
from bff.ptz.moving import MovingCameras
from bff.ptz.services import PtzService
from bff.webrtc.controllers import LiveController
from bff.webrtc.hub import StreamHub
from bff.webrtc.registry import PeerRegistry, StreamSession

log = logging.getLogger(__name__)


def _configure_templates(engine: JinjaTemplateEngine) -> None:
    def t(context: dict[str, Any], key: str, **params: Any) -> str:
        return translate(key, locale_of(context["request"]), **params)

    def lang(context: dict[str, Any]) -> str:
        return locale_of(context["request"])

    def compass(context: dict[str, Any], bearing_deg: float) -> str:
        return compass_label(bearing_deg, english=locale_of(context["request"]) == "en")

    engine.register_template_callable("t", t)
    engine.register_template_callable("lang", lang)
    engine.register_template_callable("compass", compass)


SHELL_VERSION_MARK = "__SHELL_VERSION__"


def versioned_service_worker(static_dir: Path) -> str:
    """sw.js with its shell cache named after the static files' content: any change to
    them makes browsers install the new worker and drop the stale cache."""
    digest = hashlib.sha256()
    for path in sorted(static_dir.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(static_dir).as_posix().encode())
            digest.update(path.read_bytes())
    source = (static_dir / "sw.js").read_text(encoding="utf-8")
    return source.replace(SHELL_VERSION_MARK, digest.hexdigest()[:12])


def create_app(settings: Settings) -> Litestar:
    """Build the app from explicit settings; long-lived services start in the lifespan."""
    database = create_database(settings.database)
    stores = build_stores(settings.redis)
    audit = AuditLog(database)
    catalog = CatalogService(database)
    platform = create_platform(settings)
    static_dir = Path(settings.server.static_dir)

    async def on_stream_closed(session: StreamSession) -> None:
        await audit.record(AuditAction.VIEW_STOP, actor_id=session.viewer.user_id,
                           actor=session.viewer.username, target=session.device_id,
                           detail={"session": session.id, "reason": session.close_reason})

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if settings.demo.seed_on_start:
            await upgrade_to_head(database)
            await seed_departments(database)
            if isinstance(platform, SeedsFirstRun):  # a real platform's catalogue is synced
                await platform.seed_first_run(database, password=settings.demo.password)
        await catalog.load()
        hub = StreamHub(settings.webrtc, platform, openers=media_openers_of(platform))
        registry = PeerRegistry(settings.webrtc, hub, on_closed=on_stream_closed)
        app.state.database = database
        app.state.audit = audit
        app.state.catalog = catalog
        app.state.map_settings = settings.map
        app.state.stores = stores
        app.state.platform = platform
        app.state.stream_hub = hub
        app.state.peer_registry = registry
        app.state.auth_service = AuthService(settings.auth, stores.by_name["auth"], audit)
        ptz = PtzService(settings.ptz, platform, audit, stores.by_name["ptz"], RateLimiter(
            settings.ptz.rate, settings.ptz.rate_window_s, redis=stores.redis,
            namespace=f"{settings.redis.key_prefix}:ptz-rate"),
            MovingCameras(redis=stores.redis, key=f"{settings.redis.key_prefix}:ptz-moving"))
        app.state.ptz_service = ptz
        background: list[asyncio.Task[None]] = [
            asyncio.create_task(ptz.sweep_abandoned(), name="ptz-abandoned-moves")]
        if settings.catalog.refresh_s > 0:
            background.append(asyncio.create_task(
                catalog.watch(settings.catalog.refresh_s), name="catalogue-refresh"))
        if settings.platform.kind == "wvp" and settings.wvp.sync_interval_s > 0:
            # Beside the app, not before it: WVP being down at start must not stop the BFF.
            background.append(asyncio.create_task(run_periodic_sync(
                database, platform, settings.wvp.sync_interval_s,
                after_sync=lambda _summary: catalog.refresh()), name="catalogue-sync"))
        try:
            yield
        finally:
            for task in background:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await registry.close_all()
            await hub.close()
            await ptz.close()
            await platform.close()
            await stores.close()
            await database.close()

    service_worker_source = versioned_service_worker(static_dir)

    @get("/sw.js", include_in_schema=False, cache=False)
    async def service_worker() -> Response[str]:
        # Served from the root so the worker's scope covers the whole app.
        return Response(service_worker_source, media_type="text/javascript",
                        headers={"Cache-Control": "no-cache"})

    @get("/manifest.webmanifest", include_in_schema=False)
    async def manifest(request: Request) -> File:
        return File(static_dir / "manifest.webmanifest", media_type="application/manifest+json",
                    content_disposition_type="inline")

    signed_in = Router(
        path="/",
        guards=[requires_sign_in],
        route_handlers=[NearbyController, CameraController, CatalogImportController,
                        LiveController, PtzController],
    )
    session_config = RotatingSessionConfig(
        store="sessions", key="bff_session", max_age=settings.auth.session_max_age_s,
        secure=settings.auth.secure_cookies, httponly=True, samesite="lax", renew_on_access=True,
        # Static files, the worker, the manifest and health need no session: no store
        # round trip for them, and they keep answering while the store is down.
        exclude=["^/static/", "^/sw.js$", "^/manifest.webmanifest$", "^/health$"],
    )
    rate_limit = RateLimitConfig(
        rate_limit=("minute", 30), store="rate_limit",
        check_throttle_handler=lambda request: request.method == "POST"
        and request.url.path == "/login",
    )
    return Litestar(
        route_handlers=[
            AuthController, signed_in, health, service_worker, manifest,
            create_static_files_router(path="/static", directories=[static_dir],
                                       include_in_schema=False, cache_control=None),
        ],
        dependencies={
            "current_user": Provide(provide_current_user),
            "audit": Provide(provide_audit, sync_to_thread=False),
        },
        plugins=[
            SQLAlchemyPlugin(config=SQLAlchemyAsyncConfig(
                engine_instance=database.engine, session_dependency_key="db_session",
                before_send_handler="autocommit",
                session_config=AsyncSessionConfig(expire_on_commit=False),
            )),
            HTMXPlugin(),
        ],
        middleware=[session_config.middleware, rate_limit.middleware],
        compression_config=CompressionConfig(backend="gzip", minimum_size=500, gzip_compress_level=6),
        csrf_config=CSRFConfig(
            secret=settings.auth.secret, cookie_name="csrftoken", header_name="x-csrftoken",
            cookie_secure=settings.auth.secure_cookies, cookie_samesite="lax",
            exclude=["/health"],
        ),
        template_config=TemplateConfig(directory=Path(settings.server.templates_dir),
                                       engine=JinjaTemplateEngine,
                                       engine_callback=_configure_templates),
        stores=stores.by_name,
        exception_handlers={Exception: handle_exception},
        lifespan=[lifespan],
        openapi_config=OpenAPIConfig(title="城市睿眼 Mobile BFF", version="0.1.0", path="/schema"),
        logging_config=logging_config(settings.server.log_format, settings.server.log_level),
        debug=settings.server.debug,
    )
