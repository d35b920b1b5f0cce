"""Cameras near me: the page, its list fragment and the JSON API."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Template

from bff.audit.services import AuditAction, AuditLog
from bff.auth.departments import DEPARTMENTS
from bff.auth.deps import provide_access_scope
from bff.auth.guards import SESSION_NOTICE_KEY, requires_admin
from bff.auth.policy import AccessScope
from bff.auth.schemas import SignedInUser
from bff.catalog.deps import (
    provide_camera,
    provide_map_query,
    provide_nearby_query,
)
from bff.catalog.districts import DISTRICTS
from bff.catalog.errors import ImportRefused
from bff.catalog.geo import COMPASS_POINTS
from bff.catalog.schemas import (
    CAMERA_TYPES,
    CameraRecord,
    CameraSummary,
    MapPageConfig,
    MapQuery,
    MapTiles,
    NearbyQuery,
)
from bff.catalog.services import CatalogService, radar_points
from bff.lib.i18n import locale_of, translate
from bff.lib.settings import MapSettings

CATALOG_DEPENDENCIES = {"access": Provide(provide_access_scope)}

QUERY_DEPENDENCY = {"nearby_query": Provide(provide_nearby_query, sync_to_thread=False)}

MAP_DEPENDENCIES = {"map_query": Provide(provide_map_query, sync_to_thread=False)}

MAP_LIMIT = 100
"""Cameras the map asks for around a position (the list shows 50; a map holds more)."""

_MAP_TEXT_KEYS = (
    "access.may_view", "access.request", "access.not_shared", "access.out_of_scope",
    "access.unavailable", "camera.online", "camera.offline", "nearby.count", "nearby.empty",
    "nearby.locating", "nearby.location_denied", "nearby.radar_scale", "map.you",
    "map.recentre", "map.open", "map.tiles_failed", "map.load_failed", "map.same_spot",
    *(f"camera.type.{code}" for code in sorted(CAMERA_TYPES)),
)


def map_page_config(settings: MapSettings, query: MapQuery, locale: str) -> MapPageConfig:
    """The map script's configuration: tiles (if any), where to start, its strings."""
    tiles = None
    if settings.tile_url:
        tiles = MapTiles(url=settings.tile_url, label_url=settings.label_url or None,
                         subdomains=list(settings.subdomains), attribution=settings.attribution)
    start = (query.lat, query.lon) if query.lat is not None and query.lon is not None else None
    return MapPageConfig(
        api="/api/cameras/nearby", limit=MAP_LIMIT,
        centre=(settings.centre_lat, settings.centre_lon), start=start,
        max_zoom=settings.max_zoom, tiles=tiles,
        compass=[translate(f"compass.{point}", locale) for point in COMPASS_POINTS],
        text={key: translate(key, locale) for key in _MAP_TEXT_KEYS},
    )


class NearbyController(Controller):
    """附近摄像机: list sorted by distance, with filters and search."""

    dependencies = CATALOG_DEPENDENCIES

    @get("/", name="catalog:nearby-page", dependencies=MAP_DEPENDENCIES)
    async def nearby_page(self, request: Request, current_user: SignedInUser,
                          map_settings: MapSettings) -> Template:
        """The page shell; the list arrives by htmx once the phone knows where it is. A
        notice left by the sign-in (failures since the last one) is shown once."""
        return Template("pages/catalog/nearby.html", context={
            "user": current_user, "districts": DISTRICTS, "departments": DEPARTMENTS,
            "centre": (map_settings.centre_lat, map_settings.centre_lon),
            "notice": request.session.pop(SESSION_NOTICE_KEY, None),
        })

    @get("/nearby/list", name="catalog:nearby-list",
         dependencies={**QUERY_DEPENDENCY, **MAP_DEPENDENCIES})
    async def nearby_list(self, request: Request, current_user: SignedInUser, access: AccessScope,
                          catalog: CatalogService, nearby_query: NearbyQuery,
                          map_settings: MapSettings) -> Template:
        """The list fragment (or the whole page when not asked by htmx)."""
        cameras = catalog.nearby(access, nearby_query)
        points, rim_m = radar_points(cameras)
        context = {"user": current_user, "cameras": cameras, "query": nearby_query,
                   "radar": points, "radar_rim_m": rim_m,
                   "districts": DISTRICTS, "departments": DEPARTMENTS,
                   "centre": (map_settings.centre_lat, map_settings.centre_lon)}
        if request.htmx:  # type: ignore[attr-defined]
            return Template("partials/catalog/_camera_list.html", context=context)
        return Template("pages/catalog/nearby.html", context=context)

    @get("/map", name="catalog:map-page", dependencies=MAP_DEPENDENCIES)
    async def map_page(self, request: Request, current_user: SignedInUser,
                       map_settings: MapSettings, map_query: MapQuery) -> Template:
        """地图: the cameras of the list as markers around the user, over map tiles when a
        tile URL is configured, else on a plain plot with distance rings. The markers come
        from the nearby API, so permission filtering is the list's."""
        config = map_page_config(map_settings, map_query, locale_of(request))
        return Template("pages/catalog/map.html", context={
            "user": current_user, "query": map_query, "districts": DISTRICTS,
            "departments": DEPARTMENTS, "config": msgspec.to_builtins(config),
        })

    @get("/api/cameras/nearby", name="catalog:nearby-api", dependencies=QUERY_DEPENDENCY)
    async def nearby_api(self, access: AccessScope, catalog: CatalogService,
                         nearby_query: NearbyQuery) -> list[CameraSummary]:
        """Nearest cameras as JSON, each with distance, bearing and access label."""
        return catalog.nearby(access, nearby_query)


class CameraController(Controller):
    """One camera: JSON summary (the live page is in the webrtc capability)."""

    dependencies = {**CATALOG_DEPENDENCIES,
                    "camera": Provide(provide_camera, sync_to_thread=False)}

    @get("/api/cameras/{device_id:str}", name="catalog:camera-api")
    async def camera_api(self, camera: CameraRecord, access: AccessScope,
                         catalog: CatalogService) -> CameraSummary:
        """One camera with this user's access label."""
        return catalog.summary(camera, access)


class CatalogImportController(Controller):
    """目录导入 for platform administrators: upload an appendix-5 CSV/XLSX, see the
    validation outcome row by row."""

    guards = [requires_admin]

    @get("/admin/catalog/import", name="catalog:import-page")
    async def import_page(self, current_user: SignedInUser) -> Template:
        """The upload form."""
        return Template("pages/catalog/import.html", context={"user": current_user,
                                                              "summary": None})

    @post("/admin/catalog/import", name="catalog:import", status_code=200,
          request_max_body_size=64 * 1024 * 1024)
    async def import_file(
        self, current_user: SignedInUser, catalog: CatalogService, audit: AuditLog,
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template:
        """Validate and load the uploaded catalogue, then refresh the in-memory index."""
        upload = data.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ImportRefused("no_file")
        summary = await catalog.import_upload(upload.filename, upload.read)
        await audit.record(AuditAction.CATALOG_IMPORT, actor_id=current_user.id,
                           actor=current_user.username,
                           target=upload.filename[:64],
                           detail={"imported": summary.imported, "flagged": summary.flagged,
                                   "refused": summary.refused})
        return Template("pages/catalog/import.html", context={
            "user": current_user, "summary": summary, "problems": summary.problems[:200],
            "filename": upload.filename})
