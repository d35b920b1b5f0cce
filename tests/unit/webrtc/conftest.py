"""Fixtures of the live-video tests: a hub and a registry over a fake platform boundary,
and phones (real aiortc peers) to watch with."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

import pytest

from bff.lib.settings import WebRTCSettings
from bff.webrtc.hub import StreamHub
from bff.webrtc.registry import PeerRegistry, StreamSession, ViewerIdentity
from tests.unit.webrtc.webrtc_support import CAMERA, FakePlatform, Phone


@pytest.fixture
def settings() -> WebRTCSettings:
    return WebRTCSettings(ice_host_addresses=["127.0.0.1"], ice_servers=[],
                          source_linger_s=0.3, connect_timeout_s=10.0,
                          max_streams_per_user=2, max_viewers_per_camera=3)


@pytest.fixture
def platform() -> FakePlatform:
    return FakePlatform()


@pytest.fixture
async def hub(settings: WebRTCSettings, platform: FakePlatform) -> AsyncIterator[StreamHub]:
    hub = StreamHub(settings, platform, retry_initial_s=0.05, retry_max_s=0.2,
                    open_timeout_s=3.0)
    yield hub
    await hub.close()


@pytest.fixture
def closed_sessions() -> list[StreamSession]:
    return []


@pytest.fixture
async def registry(settings: WebRTCSettings, hub: StreamHub,
                   closed_sessions: list[StreamSession]) -> AsyncIterator[PeerRegistry]:
    async def on_closed(session: StreamSession) -> None:
        closed_sessions.append(session)

    registry = PeerRegistry(settings, hub, on_closed=on_closed)
    yield registry
    await registry.close_all()


@pytest.fixture
async def phones() -> AsyncIterator[Callable[[], Phone]]:
    made: list[Phone] = []

    def make() -> Phone:
        phone = Phone()
        made.append(phone)
        return phone

    yield make
    for phone in made:
        await phone.close()


@pytest.fixture
def watch(registry: PeerRegistry) -> Callable[..., Awaitable[StreamSession]]:
    """Offer from a phone, open a stream, hand the answer back: a full signalling round."""

    async def run(phone: Phone, viewer: ViewerIdentity, device_id: str = CAMERA,
                  codecs: Sequence[str] = ("VP8", "H264")) -> StreamSession:
        sdp = await phone.offer(codecs)
        session = await registry.open(viewer, device_id, sdp, "offer")
        await phone.accept(session)
        return session

    return run
