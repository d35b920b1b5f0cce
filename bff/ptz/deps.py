"""Dependencies of the PTZ capability."""

from __future__ import annotations

from litestar.datastructures import State

from bff.ptz.services import PtzService


def provide_ptz_service(state: State) -> PtzService:
    return state.ptz_service
