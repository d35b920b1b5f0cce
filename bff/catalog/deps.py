"""Dependencies of the catalogue capability."""

from __future__ import annotations

from litestar import Request
from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncSession

from bff.auth.policy import AccessScope
from bff.auth.schemas import SignedInUser
from bff.catalog.schemas import MapQuery, NearbyQuery
from bff.catalog.services import CatalogService, access_scope_of
from bff.lib.settings import MapSettings
from bff.lib.validation import parse_query


def provide_catalog(state: State) -> CatalogService:
    return state.catalog


async def provide_access_scope(db_session: AsyncSession, current_user: SignedInUser) -> AccessScope:
    return await access_scope_of(db_session, current_user)


def provide_nearby_query(request: Request) -> NearbyQuery:
    return parse_query(request, NearbyQuery)


def provide_map_query(request: Request) -> MapQuery:
    return parse_query(request, MapQuery)


def provide_map_settings(state: State) -> MapSettings:
    return state.map_settings
