"""The app assembled by one init plugin: routes, dependencies, errors, middleware, stores,
templates and the services' lifespan.

`BffPlugin(settings)` is all `create_app` passes to Litestar. Long-lived services come
from `bff.services.running_services` and are handed to handlers as dependencies named
after the fields of `Services` (`catalog`, `audit`, `peer_registry` …): one way of
injecting, `Provide`.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Response, Router, get
from litestar.config.app import AppConfig
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.plugins import InitPluginProtocol
from litestar.plugins.htmx import HTMXPlugin
from litestar.response import File
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from bff.alerts.controllers import (
    INGEST_PATH,
    AlertController,
    AlertIngestController,
    AlertMutesController,
    AlertRoutesController,
)
from bff.alerts.errors import ALERT_ERRORS
from bff.alerts.pages import LIVE_STREAM_PATH, AlertPagesController
from bff.auth.controllers import AccountAdminController, AuthController
from bff.auth.deps import provide_current_user
from bff.auth.errors import AUTH_ERRORS
from bff.auth.guards import SESSION_USER_KEY, requires_sign_in
from bff.catalog.controllers import CameraController, CatalogImportController, NearbyController
from bff.catalog.errors import CATALOG_ERRORS
from bff.catalog.nearby import compass_label
from bff.health import health
from bff.lib.api_docs import openapi_config
from bff.lib.db import Database, create_database
from bff.lib.errors import ErrorTable, exception_handler
from bff.lib.headers import SecurityHeaders, origin_of
from bff.lib.i18n import register_template_callables
from bff.lib.logs import logging_config
from bff.lib.origin import same_origin_guard
from bff.lib.sessions import RotatingSessionConfig
from bff.lib.settings import Settings
from bff.lib.stores import Stores, build_stores
from bff.playback.controllers import ClipController, PlaybackController
from bff.playback.errors import PLAYBACK_ERRORS
from bff.ptz.controllers import PtzController
from bff.ptz.errors import PTZ_ERRORS
from bff.push.controllers import NotificationSettingsController, PushController
from bff.push.errors import PUSH_ERRORS
from bff.services import SERVICE_NAMES, running_services
from bff.sharing.controllers import (
    GrantController,
    NoticeController,
    ShareRequestController,
    SharingPageController,
    local_time_text,
)
from bff.sharing.errors import SHARING_ERRORS
from bff.webrtc.controllers import LiveController
from bff.webrtc.errors import LIVE_ERRORS

ERROR_TABLE: ErrorTable = {**AUTH_ERRORS, **CATALOG_ERRORS, **LIVE_ERRORS, **PTZ_ERRORS,
                           **ALERT_ERRORS, **SHARING_ERRORS, **PUSH_ERRORS, **PLAYBACK_ERRORS}
"""How every capability's domain exceptions answer over HTTP."""

REQUEST_MAX_BODY = 1024 * 1024
"""Largest request body by default: JSON and forms are small; routes that take more
(catalogue upload, alert ingest) raise their own limit. Passed to the Litestar
constructor by `create_app` (Litestar reads this one setting only from there)."""
SHELL_VERSION_MARK = "__SHELL_VERSION__"
SESSION_FREE_PATHS = ["^/static/", "^/sw.js$", "^/manifest.webmanifest$", "^/health$",
                      f"^{INGEST_PATH}$"]
"""Static files, the worker, the manifest, health and the signed alert ingest need no
session: no store round trip for them, and they keep answering while the store is down."""


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


def _service_provider(name: str) -> Provide:
    def provide(state: State) -> Any:
        return getattr(state.services, name)

    provide.__name__ = f"provide_{name}"
    return Provide(provide, sync_to_thread=False)


class BffPlugin(InitPluginProtocol):
    """Everything the BFF adds to a Litestar app, from explicit settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.database: Database = create_database(settings.database)
        self.stores: Stores = build_stores(settings.redis)

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        settings = self.settings
        static_dir = Path(settings.server.static_dir)
        app_config.route_handlers.extend([
            AuthController, health, *self._shell_handlers(static_dir),
            # Signed by the analysis platform, not by a session: outside the sign-in guard.
            AlertIngestController,
            Router(path="/", guards=[requires_sign_in],
                   route_handlers=[NearbyController, CameraController, CatalogImportController,
                                   AccountAdminController,
                                   LiveController, PtzController, AlertController,
                                   AlertPagesController, AlertRoutesController,
                                   AlertMutesController, ShareRequestController, GrantController,
                                   NoticeController, SharingPageController, PushController,
                                   NotificationSettingsController, PlaybackController,
                                   ClipController]),
            create_static_files_router(path="/static", directories=[static_dir],
                                       include_in_schema=False, cache_control=None),
        ])
        app_config.dependencies.update({name: _service_provider(name) for name in SERVICE_NAMES})
        app_config.dependencies["current_user"] = Provide(provide_current_user)
        app_config.plugins.append(HTMXPlugin())
        app_config.middleware.extend([self._session_config().middleware,
                                      self._sign_in_rate_limit().middleware])
        app_config.stores = dict(self.stores.by_name)
        app_config.exception_handlers[Exception] = exception_handler(ERROR_TABLE)
        app_config.before_request = same_origin_guard(
            exempt=[f"^{INGEST_PATH}$"], behind_proxy=bool(settings.server.trusted_proxies))
        app_config.before_send.append(SecurityHeaders(
            image_origins=[origin for origin in (origin_of(settings.map.tile_url),
                                                 origin_of(settings.map.label_url)) if origin],
            hsts=settings.auth.secure_cookies))
        app_config.lifespan.append(self._lifespan)
        app_config.compression_config = CompressionConfig(
            backend="gzip", minimum_size=500, gzip_compress_level=6,
            # Small events on a long-lived stream: a compressor per open page would cost
            # memory and gain nothing.
            exclude=[f"^{LIVE_STREAM_PATH}$"])
        app_config.csrf_config = CSRFConfig(
            secret=settings.auth.secret, cookie_name="csrftoken", header_name="x-csrftoken",
            cookie_secure=settings.auth.secure_cookies, cookie_samesite="lax",
            # The ingest's HMAC signature is its proof of origin; it carries no cookie.
            exclude=["/health", INGEST_PATH])
        app_config.template_config = TemplateConfig(
            directory=Path(settings.server.templates_dir), engine=JinjaTemplateEngine,
            engine_callback=lambda engine: register_template_callables(
                engine, compass=compass_label,
                local_time=functools.partial(local_time_text, tz=settings.webrtc.tzinfo())))
        app_config.openapi_config = openapi_config(
            title="城市睿眼 Mobile BFF", version="0.1.0",
            enabled=settings.server.openapi == "signed_in", guards=[requires_sign_in])
        app_config.logging_config = logging_config(settings.server.log_format,
                                                   settings.server.log_level)
        app_config.debug = settings.server.debug
        return app_config

    @asynccontextmanager
    async def _lifespan(self, app: Litestar) -> AsyncIterator[None]:
        async with running_services(self.settings, self.database, self.stores) as services:
            app.state.services = services
            yield

    def _session_config(self) -> RotatingSessionConfig:
        auth = self.settings.auth
        return RotatingSessionConfig(
            store="sessions", key="bff_session", max_age=auth.session_max_age_s,
            secure=auth.secure_cookies, httponly=True, samesite="lax", renew_on_access=True,
            exclude=SESSION_FREE_PATHS, signed_in_key=SESSION_USER_KEY)

    @staticmethod
    def _sign_in_rate_limit() -> RateLimitConfig:
        return RateLimitConfig(
            rate_limit=("minute", 30), store="rate_limit",
            check_throttle_handler=lambda request: request.method == "POST"
            and request.url.path == "/login")

    @staticmethod
    def _shell_handlers(static_dir: Path) -> list[Callable[..., Any]]:
        service_worker_source = versioned_service_worker(static_dir)

        @get("/sw.js", include_in_schema=False, cache=False)
        async def service_worker() -> Response[str]:
            # Served from the root so the worker's scope covers the whole app.
            return Response(service_worker_source, media_type="text/javascript",
                            headers={"Cache-Control": "no-cache"})

        @get("/manifest.webmanifest", include_in_schema=False)
        async def manifest(request: Request) -> File:
            return File(static_dir / "manifest.webmanifest",
                        media_type="application/manifest+json",
                        content_disposition_type="inline")

        return [service_worker, manifest]
