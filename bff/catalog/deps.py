"""Dependencies of the catalogue capability."""

from __future__ import annotations

from litestar import Request

from bff.catalog.errors import CameraNotFound
from bff.catalog.schemas import CameraRecord, MapQuery, NearbyQuery
from bff.catalog.services import CatalogService
from bff.lib.validation import parse_query


def provide_camera(device_id: str, catalog: CatalogService) -> CameraRecord:
    """The camera named by the `device_id` path parameter; 404 (in the user's language)
    when the catalogue has no such camera. Whether the user may use it is the policy's
    decision, made by each handler for what it does."""
    record = catalog.get(device_id)
    if record is None:
        raise CameraNotFound(device_id)
    return record


def provide_nearby_query(request: Request) -> NearbyQuery:
    return parse_query(request, NearbyQuery)


def provide_map_query(request: Request) -> MapQuery:
    return parse_query(request, MapQuery)

