"""Dependencies of the live-view capability."""

from __future__ import annotations

from litestar.datastructures import State

from bff.webrtc.registry import PeerRegistry


def provide_registry(state: State) -> PeerRegistry:
    return state.peer_registry
